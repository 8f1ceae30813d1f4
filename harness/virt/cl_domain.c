/*
 * cl_domain.c - domain XML generation (see cl_domain.h). Kept apart from
 * the runner so the XML can be checked against expected files in tests.
 */
#include "cl_domain.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

/* <os>: direct kernel boot, or the disk's own boot loader. */
static void os_xml(char **x, size_t *n, const struct cl_domain_spec *s, const struct cl_arch *a)
{
	char *kernel, *initrd, *cmdline;

	cl_append(x, n, "  <os%s>\n", s->efi ? " firmware='efi'" : "");
	/* UEFI without Secure Boot: an unsigned candidate module must be able to load */
	if (s->efi)
		cl_append(x, n, "    <firmware>\n      <feature enabled='no' name='secure-boot'/>\n"
			  "    </firmware>\n");
	cl_append(x, n, "    <type arch='%s' machine='%s'>hvm</type>\n", a->qemu_arch,
		  s->efi && a->kvm ? "q35" : a->machine);
	if (!s->kernel) {
		cl_append(x, n, "    <boot dev='hd'/>\n  </os>\n");
		return;
	}
	kernel = cl_xml_escape(s->kernel);
	initrd = cl_xml_escape(s->initrd ? s->initrd : "");
	cmdline = cl_xml_escape(s->cmdline ? s->cmdline : "");
	cl_append(x, n, "    <kernel>%s</kernel>\n", kernel);
	if (s->initrd)
		cl_append(x, n, "    <initrd>%s</initrd>\n", initrd);
	cl_append(x, n, "    <cmdline>%s</cmdline>\n  </os>\n", cmdline);
	free(kernel);
	free(initrd);
	free(cmdline);
}

static void serial_xml(char **x, size_t *n, const char *path, int port)
{
	char *p;

	if (!path) {
		cl_append(x, n, "    <serial type='pty'>\n      <target port='%d'/>\n    </serial>\n",
			  port);
		return;
	}
	p = cl_xml_escape(path);

	cl_append(x, n,
		  "    <serial type='unix'>\n"
		  "      <source mode='bind' path='%s'/>\n"
		  "      <target port='%d'/>\n"
		  "    </serial>\n", p, port);
	free(p);
}

/* A virtio-serial port; @path: its unix socket (NULL: libvirt picks one on
 * its host, and opens it as a stream: virDomainOpenChannel). */
static void channel_xml(char **x, size_t *n, const char *path, const char *name)
{
	char *p = path ? cl_xml_escape(path) : NULL;

	cl_append(x, n, "    <channel type='unix'>\n");
	if (p)
		cl_append(x, n, "      <source mode='bind' path='%s'/>\n", p);
	cl_append(x, n, "      <target type='virtio' name='%s'/>\n    </channel>\n", name);
	free(p);
}

static void devices_xml(char **x, size_t *n, const struct cl_domain_spec *s,
			const struct cl_arch *a)
{
	char *panic = cl_xml_escape(s->panic_model ? s->panic_model : "isa");

	cl_append(x, n, "  <devices>\n");
	if (s->disk) {
		char *disk = cl_xml_escape(s->disk);

		cl_append(x, n,
			  "    <disk type='file' device='disk'>\n"
			  "      <driver name='qemu' type='qcow2' cache='unsafe'/>\n"
			  "      <source file='%s'/>\n"
			  "      <target dev='vda' bus='virtio'/>\n"
			  "    </disk>\n", disk);
		free(disk);
	}
	serial_xml(x, n, s->pty_serials ? NULL : s->console_sock, 0);
	if (s->agent_sock && a->agent_uart)
		serial_xml(x, n, s->pty_serials ? NULL : s->agent_sock, 1);
	else if (s->agent_sock)
		channel_xml(x, n, s->pty_serials ? NULL : s->agent_sock, "org.crashlab.agent");
	if (s->guest_agent)
		channel_xml(x, n, NULL, "org.qemu.guest_agent.0");
	if (s->delivery_sock)
		channel_xml(x, n, s->pty_serials ? NULL : s->delivery_sock, "org.crashlab.delivery");
	if (a->panic_device || strcmp(panic, "isa"))
		cl_append(x, n, "    <panic model='%s'/>\n", panic);
	cl_append(x, n, "    <memballoon model='none'/>\n  </devices>\n");
	free(panic);
}

/*
 * After every start and restore, libvirt reads the guest's CPU back from
 * QEMU; with QEMU's "unavailable-features" it does so one QMP qom-get per
 * CPU property, ~400 round trips: 0.6 s of every cell here (measured in
 * libvirtd's log: "Verifying and updating provided guest CPU" to the next
 * step). Without that capability it reads two properties (feature-words,
 * filtered-features) and checks the same. The domain is marked
 * "custom-hypervisor-feature" in libvirt's log for it.
 */
#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

char *cl_domain_xml(const struct cl_domain_spec *s)
{
	char *name = cl_xml_escape(s->name), *type = cl_xml_escape(s->virt_type);
	char *crash = cl_xml_escape(s->on_crash), *x = NULL;
	const struct cl_arch *a = s->arch ? s->arch : cl_arch_find("amd64");
	size_t n = 0;

	cl_append(&x, &n, "<domain type='%s' xmlns:qemu='" QEMU_NS "'>\n  <name>%s</name>\n"
		  "  <memory unit='MiB'>%d</memory>\n  <vcpu>%d</vcpu>\n",
		  type, name, s->memory_mib, s->vcpus);
	os_xml(&x, &n, s, a);
	if (a->cpu_mode)
		cl_append(&x, &n, "  <cpu mode='%s' check='none'/>\n", a->cpu_mode);
	if (a->acpi || s->vmcoreinfo)
		cl_append(&x, &n, "  <features>\n%s%s  </features>\n", a->acpi ? "    <acpi/>\n" : "",
			  s->vmcoreinfo ? "    <vmcoreinfo state='on'/>\n" : "");
	cl_append(&x, &n, "  <on_poweroff>destroy</on_poweroff>\n"
		  "  <on_reboot>restart</on_reboot>\n"
		  "  <on_crash>%s</on_crash>\n", crash);
	devices_xml(&x, &n, s, a);
	cl_append(&x, &n, "  <qemu:capabilities>\n"
		  "    <qemu:del capability='cpu-unavailable-features'/>\n"
		  "  </qemu:capabilities>\n</domain>\n");
	free(name);
	free(type);
	free(crash);
	return x;
}
