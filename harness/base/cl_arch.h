/*
 * cl_arch.h - the guest architectures crashlab boots: one row each.
 *
 * What differs between an amd64 and an arm64 guest is data, read where it
 * matters: the domain's <type arch machine> and CPU (virt), the console the
 * kernel writes to and how the agent reaches the host (the kinds' command
 * line), whether a panic reaches the host as an event (the cell's state
 * machine), and how a module is built for it (kbuild's ARCH and
 * CROSS_COMPILE on this amd64 host). A new architecture is a new row.
 */
#ifndef CL_ARCH_H
#define CL_ARCH_H

struct cl_arch {
	const char *name;          /* Debian's: "amd64", "arm64" (a flavour's suffix) */
	const char *qemu_arch;     /* libvirt's <type arch=...>: "x86_64", "aarch64" */
	const char *machine;       /* "pc", "virt" */
	const char *cpu_mode;      /* <cpu mode=...>, or NULL: the machine's default CPU */
	int acpi;                  /* <acpi/>: ACPI tables (where x86 finds the ISA pvpanic) */
	const char *console;       /* the kernel's console= */
	int agent_uart;            /* 1: the agent channel is a second UART (ttyS1);
				    * 0: the virt machine has one, so a virtio-serial port
				    * (crashlab.chan=virtio on the command line) */
	int panic_device;          /* 1: pvpanic, a panic is a libvirt event; 0: the
				    * console's report and the guest's own reset are all */
	int kvm;                   /* 1: may run under KVM on this (amd64) host */
	int disk_images;           /* 1: crashlab builds disk images for it */
	int user_images;           /* 1: boots the user's images (BIOS or UEFI firmware) */
	int bpf_loader;            /* 1: the BPF sensor's loader is built for it */
	const char *kbuild_arch;   /* kbuild's ARCH= ("" for the host's own) */
	const char *cross_compile; /* kbuild's CROSS_COMPILE= ("" for the host's own) */
};

/* The row named @name, or NULL. */
const struct cl_arch *cl_arch_find(const char *name);
/* The row of a Debian kernel release or flavour, by its suffix ("...-arm64": arm64;
 * anything else: amd64). Never NULL. */
const struct cl_arch *cl_arch_of(const char *release_or_flavour);

#endif
