/*
 * cl_qga.h - driving a guest that has no crashlab agent, through
 * qemu-guest-agent (the virtio channel org.qemu.guest_agent.0, reached with
 * virDomainQemuAgentCommand).
 *
 * At every boot: wait until the guest agent answers guest-ping (the guest
 * is up and its services run), upload the crashlab agent binary and the
 * cell's plan to /run (guest-file-open/write/close), start the agent with
 * guest-exec in its --qga mode, then read its messages back from
 * /run/crashlab-agent.out (guest-file-read) as they are written. Those
 * lines are what the crashlab agent would have said on its serial channel,
 * so the cell's state machine needs nothing else. The file is on the
 * guest's tmpfs, so what was read survives a crash or reboot of the guest.
 * Nothing is left on the guest's disk but the agent's boot counter.
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
 * agent); every complete agent line read is handed to @line.
 */
void cl_qga_step(struct cl_qga *q, double now, void (*line)(void *ctx, const char *text),
		 void *ctx);

#endif
