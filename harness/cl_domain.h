/*
 * cl_domain.h - libvirt domain XML for one crashlab cell.
 *
 * Direct kernel boot of the cell's kernel and overlay initrd; ACPI on so the
 * guest finds the ISA pvpanic device; serial0 is the console and serial1 the
 * agent channel, both unix sockets that libvirt creates and the controller
 * connects to before the paused domain is resumed, so no byte is lost;
 * on_reboot restart so a boot loop is observable as reboot events.
 * No disk, no network, no graphics.
 */
#ifndef CL_DOMAIN_H
#define CL_DOMAIN_H

struct cl_domain_spec {
	const char *name;
	const char *virt_type;    /* "qemu" (TCG) or "kvm" */
	int memory_mib;
	int vcpus;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *console_sock;
	const char *agent_sock;
	const char *on_crash;     /* "destroy", or "preserve" to take a dump first */
	const char *panic_model;  /* "isa" (pvpanic, Linux) or "hyperv" (Windows stop codes) */
	int vmcoreinfo;           /* let the guest hand QEMU its VMCOREINFO (crash dumps) */
};

/* New XML string (caller frees). Every value is XML-escaped. */
char *cl_domain_xml(const struct cl_domain_spec *s);

/* New string with &, <, >, " and ' escaped; other control bytes dropped. */
char *cl_xml_escape(const char *s);

#endif
