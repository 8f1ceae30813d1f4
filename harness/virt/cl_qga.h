/*
 * cl_qga.h - driving a guest that has no crashlab agent, through
 * qemu-guest-agent (the virtio channel org.qemu.guest_agent.0, reached with
 * virDomainQemuAgentCommand).
 *
 * At every boot: wait until the guest agent answers guest-ping (the guest
 * is up and its services run), upload the crashlab agent binary to
 * /var/tmp (on the cell's overlay: /run is mounted noexec) and the cell's
 * plan to /run (guest-file-open/write/close), start the agent with
 * guest-exec in its --qga mode, then read its messages back from
 * /run/crashlab-agent.out (guest-file-read) as they are written. Those
 * lines are what the crashlab agent would have said on its serial channel,
 * so the cell's state machine needs nothing else. The file is on the
 * guest's tmpfs, so what was read survives a crash or reboot of the guest.
 * Only the agent binary and its boot counter are written to the guest's
 * disk (its overlay; the user's image file is never written).
 */
#ifndef CL_QGA_H
#define CL_QGA_H

#include <libvirt/libvirt.h>

struct cl_qga;

/*
 * Start driving @dom in a thread of its own (guest-agent commands block for
 * seconds; the cell's loop must keep reading the console meanwhile). Every
 * agent line read is written to @out_fd, one write per line, so the cell
 * reads them like the serial agent channel. @agent_bin: host path of the
 * static agent; @plan: the plan text (copied).
 */
struct cl_qga *cl_qga_start(virDomainPtr dom, const char *agent_bin, const char *plan,
			    int out_fd);
/* The guest rebooted: start again from the ping (taken up by the thread). */
void cl_qga_reset(struct cl_qga *q);
/*
 * NULL, or why the crashlab agent could not be started in the guest: an
 * infrastructure error, said by the host, never by the guest (borrowed).
 */
const char *cl_qga_failure(struct cl_qga *q);
/* Stop the thread, wait for it and free. Accepts NULL. */
void cl_qga_stop(struct cl_qga *q);

#endif
