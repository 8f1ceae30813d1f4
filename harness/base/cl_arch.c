/*
 * cl_arch.c - the table of guest architectures (see cl_arch.h).
 */
#include "cl_arch.h"
#include "cl_util.h"

#include <string.h>

static const struct cl_arch arches[] = {
	{ .name = "amd64", .qemu_arch = "x86_64", .machine = "pc", .acpi = 1,
	  .console = "ttyS0,115200",
	  .agent_uart = 1, .panic_device = 1, .kvm = 1, .disk_images = 1, .user_images = 1,
	  .bpf_loader = 1,
	  .kbuild_arch = "", .cross_compile = "" },
	/* Debian's arm64 kernels have no pvpanic (CONFIG_PVPANIC is not set) */
	/* the virt machine's default CPU is a 32-bit one: the emulator's maximum;
	 * no ACPI without UEFI firmware: a device tree. Disk images boot their own
	 * kernel directly, as on amd64; a user's image would need AAVMF (not yet) */
	{ .name = "arm64", .qemu_arch = "aarch64", .machine = "virt", .cpu_mode = "maximum",
	  .console = "ttyAMA0",
	  .agent_uart = 0, .panic_device = 0, .kvm = 0, .disk_images = 1, .kbuild_arch = "arm64",
	  .cross_compile = "aarch64-linux-gnu-" },
};

const struct cl_arch *cl_arch_find(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arches[i].name, name))
			return &arches[i];
	return NULL;
}

const struct cl_arch *cl_arch_of(const char *s)
{
	for (size_t i = 1; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (cl_ends_with(s, arches[i].name))
			return &arches[i];
	return &arches[0];
}
