/*
 * cl_domain.h - libvirt domain XML for one crashlab cell.
 *
 * Direct kernel boot of the cell's kernel and initrd, or (no kernel) boot
 * from the cell's disk through its own boot loader, under SeaBIOS or OVMF;
 * ACPI on so the guest finds the ISA pvpanic device; serial0 is the console
 * and serial1 the crashlab agent channel, both unix sockets that libvirt
 * creates and the controller connects to before the paused domain is
 * resumed, so no byte is lost; a virtio channel for qemu-guest-agent when
 * the guest is driven through it; on_reboot restart so a boot loop is
 * observable. Disks are the cell's qcow2 overlay only. No network, no
 * graphics. An arm64 guest (cl_arch.h) is a virt machine with the
 * emulator's maximum CPU, its one PL011 UART the console, the agent
 * channel a virtio-serial port (org.crashlab.agent) and no panic device.
 */
#ifndef CL_DOMAIN_H
#define CL_DOMAIN_H

#include "cl_arch.h"

struct cl_domain_spec {
	const char *name;
	const char *virt_type;    /* "qemu" (TCG) or "kvm" */
	int memory_mib;
	int vcpus;
	const char *kernel;       /* NULL: boot from the disk */
	const char *initrd;
	const char *cmdline;
	const char *console_sock; /* unix sockets for serial0 and serial1, or with */
	int pty_serials;          /* ... this set, ptys (and the delivery channel a socket
				     libvirt places), all opened as libvirt streams */
	const char *agent_sock;   /* NULL: no crashlab agent channel */
	const char *on_crash;     /* "destroy", or "preserve" to take a dump first */
	const char *panic_model;  /* "isa" (pvpanic, Linux) or "hyperv" (Windows stop codes) */
	int vmcoreinfo;           /* let the guest hand QEMU its VMCOREINFO (crash dumps) */
	const char *disk;         /* qcow2 overlay as virtio disk vda, or NULL */
	int efi;                  /* UEFI firmware (OVMF) instead of SeaBIOS */
	int guest_agent;          /* org.qemu.guest_agent.0 virtio channel */
	const char *delivery_sock;/* org.crashlab.delivery virtio channel (snapshot guests), or NULL */
	const struct cl_arch *arch; /* the guest's architecture (cl_arch.h); NULL: amd64 */
};

/* New XML string (caller frees). Every value is XML-escaped. */
char *cl_domain_xml(const struct cl_domain_spec *s);

#endif
