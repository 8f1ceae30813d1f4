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

/* @agent_bin: host path of the static agent; @plan: the plan text (copied). */
struct cl_qga *cl_qga_new(virDomainPtr dom, const char *agent_bin, const char *plan);
void cl_qga_free(struct cl_qga *q);
/* The guest rebooted: start again from the ping. */
void cl_qga_reset(struct cl_qga *q);
/*
 * Do what is due at @now (may block up to a few seconds on the guest
 * agent); every complete agent line read is handed to @line. Returns 0, or
 * a negative cl_rc with cl_err() set when the agent cannot be started in
 * the guest (an infrastructure error, said by the host, never by the guest).
 */
int cl_qga_step(struct cl_qga *q, double now, void (*line)(void *ctx, const char *text),
		void *ctx);

#endif
