/*
 * cl_sm.c - the cell's state machine (see cl_sm.h).
 *
 * The console goes to two triages: the whole stream's (its first crash
 * report names the cell's failure, as before) and the current boot's (a new
 * one at every kernel banner), which tells whether this boot crashed and
 * under what title. Lines are assembled here only to find banners and
 * stage markers; the whole-stream triage sees the bytes as they came.
 * Deadlines are checked on every event, so TICK events are only needed
 * when nothing else happens. What the runner learns outside the guest
 * (INFRA, BUILD_FAILED, INTERRUPT) is taken like any event; the first
 * infrastructure message is the one kept.
 */
#include "cl_sm.h"
#include "cl_evidence.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRASH_GRACE_S 5.0   /* stop policy: report complete, no panic event yet */
#define DRAIN_S 3.0         /* after the domain stopped, read the streams this long */
#define CONSOLE_GRACE_S 2.0 /* an agent line's console echo arrives within this */

static const char *const ev_names[] = {
	[CL_SM_EV_START] = "start", [CL_SM_EV_CONSOLE] = "console", [CL_SM_EV_AGENT] = "agent",
	[CL_SM_EV_PANICKED] = "panicked", [CL_SM_EV_BUGCHECK] = "bugcheck",
	[CL_SM_EV_REBOOT] = "reboot", [CL_SM_EV_STOPPED] = "stopped",
	[CL_SM_EV_CONSOLE_EOF] = "console-eof", [CL_SM_EV_AGENT_EOF] = "agent-eof",
	[CL_SM_EV_INTERRUPT] = "interrupt", [CL_SM_EV_TICK] = "tick",
	[CL_SM_EV_HOST_LOST] = "host-lost", [CL_SM_EV_RESTORED] = "restored",
	[CL_SM_EV_INFRA] = "infra", [CL_SM_EV_BUILD_FAILED] = "build-failed",
};
_Static_assert(sizeof(ev_names) / sizeof(ev_names[0]) == CL_SM_EV_LAST, "event names");

const char *cl_sm_event_name(enum cl_sm_ev k)
{
	return (k >= 0 && k < CL_SM_EV_LAST) ? ev_names[k] : "unknown";
}

int cl_sm_event_parse(const char *name)
{
	int i;

	for (i = 0; i < CL_SM_EV_LAST; i++)
		if (!strcmp(ev_names[i], name))
			return i;
	return -1;
}

int cl_sm_event_has_text(enum cl_sm_ev k)
{
	return k == CL_SM_EV_CONSOLE || k == CL_SM_EV_AGENT || k == CL_SM_EV_HOST_LOST ||
	       k == CL_SM_EV_INFRA || k == CL_SM_EV_BUILD_FAILED || k == CL_SM_EV_INTERRUPT;
}

/* The text @e carries as a string in @out (cut to @cap - 1 bytes); "" when none. */
static const char *event_text(char *out, size_t cap, const struct cl_sm_event *e)
{
	size_t n = e->data ? (e->len < cap - 1 ? e->len : cap - 1) : 0;

	if (n)
		memcpy(out, e->data, n);
	out[n] = '\0';
	return out;
}

/* The lab failed the cell: infra_error, the first message kept. */
static void infra(struct cl_sm *sm, const char *msg)
{
	if (sm->ev.infra)
		return;
	sm->ev.infra = 1;
	snprintf(sm->ev.infra_msg, sizeof(sm->ev.infra_msg), "%s", msg);
}

void cl_sm_init(struct cl_sm *sm, const struct cl_sm_config *cfg)
{
	memset(sm, 0, sizeof(*sm));
	sm->cfg = *cfg;
	if (sm->cfg.loop_boots < 1)
		sm->cfg.loop_boots = 3;
	sm->tr = cl_triage_new(cfg->fatal_warnings);
	for (int i = 0; i < cfg->nmutants; i++)
		cl_evidence_expect_mutant(&sm->ev, cfg->mutants[i].name);
	sm->cfg.mutants = NULL; /* borrowed: not kept */
	sm->cfg.nmutants = 0;
	sm->silent_agent_t = -1;
}

void cl_sm_clear(struct cl_sm *sm)
{
	cl_triage_free(sm->tr);
	cl_triage_free(sm->boot_tr);
	sm->tr = sm->boot_tr = NULL;
}

/* The current boot's timeline entry, NULL before the first or past the last kept. */
static struct cl_boot *cur(struct cl_sm *sm)
{
	int i = sm->ev.boots - 1;

	return (i >= 0 && i < CL_MAX_TIMELINE) ? &sm->ev.timeline[i] : NULL;
}

static void destroy(struct cl_sm *sm, int *act, double t)
{
	if (sm->destroyed || sm->stopped_at > 0)
		return;
	sm->destroyed = 1;
	sm->stopped_at = t;
	*act |= CL_SM_ACT_DESTROY;
}

/*
 * A healthy boot after a crash is a recovery once it ends without crashing
 * (or the cell ends while it runs): a boot that is healthy and then crashes
 * again has not recovered.
 */
static void settle_recovery(struct cl_sm *sm)
{
	struct cl_evidence *ev = &sm->ev;

	if (!sm->recovery_pending || ev->recovered)
		return;
	ev->recovered = 1;
	ev->recovery_boot = sm->recovery_pending;
	ev->recovery_s = sm->recovery_t - sm->first_crash_t;
	ev->crashed_boots = sm->recovery_pending - sm->first_crash;
	sm->recovery_pending = 0;
}

/* Close the current boot (if it is still running) at @t. */
static void boot_close(struct cl_sm *sm, double t, enum cl_boot_end how)
{
	struct cl_boot *b = cur(sm);

	if (!b || b->how != CL_END_RUNNING)
		return;
	b->how = b->crashed ? CL_END_CRASH : how;
	b->end = t;
	if (!b->crashed)
		settle_recovery(sm);
}

static void boot_begin(struct cl_sm *sm, double t, enum cl_stage stage)
{
	struct cl_boot *b;

	boot_close(sm, t, CL_END_REBOOT);
	if (sm->ev.boots > 0)
		cl_evidence_new_boot(&sm->ev);
	sm->ev.boots++;
	if ((b = cur(sm))) {
		memset(b, 0, sizeof(*b));
		b->start = b->end = t;
		b->stage = stage;
	}
	cl_triage_free(sm->boot_tr);
	sm->boot_tr = cl_triage_new(sm->cfg.fatal_warnings);
	sm->boot_started = sm->last_agent = sm->last_progress = t;
	sm->crash_seen = 0;
	sm->reboot_seen = 0;
}

static void reach(struct cl_sm *sm, enum cl_stage s)
{
	struct cl_boot *b = cur(sm);

	if (b && b->stage < s)
		b->stage = s;
}

/* This boot crashed (console report complete, or a panic event). */
static void boot_crashed(struct cl_sm *sm, int *act, double t, const char *title)
{
	struct cl_boot *b = cur(sm);

	if (sm->recovery_pending == sm->ev.boots)
		sm->recovery_pending = 0; /* healthy, then down again: not a recovery */
	if (b && b->crashed) {
		/* a panic event came first: the console report names it better */
		if (title && strncmp(b->title, "guest panicked", 14) == 0)
			snprintf(b->title, sizeof(b->title), "%s", title);
		return;
	}
	cl_triage_expect_reset(sm->tr); /* the reset after a crash is not one more */
	if (b) {
		b->crashed = 1;
		b->end = t;
		snprintf(b->title, sizeof(b->title), "%s",
			 title ? title : "guest panicked (pvpanic event, no console report)");
	}
	if (!sm->first_crash) {
		sm->first_crash = sm->ev.boots;
		sm->first_crash_t = t;
	}
	if (sm->cfg.on_crash == CL_CRASH_STOP) {
		sm->crash_seen = t;
		if (sm->cfg.no_panic_event && title)
			destroy(sm, act, t); /* no event will follow: the report is all */
		return;
	}
	sm->last_agent = t; /* the next boot's limit starts now */
	if (b && b->healthy)
		return;     /* a crash after ready does not count towards a loop */
	if (++sm->crash_run >= sm->cfg.loop_boots) {
		sm->ev.boot_loop = sm->crash_run;
		destroy(sm, act, t);
	}
}

/* The text of a console line after its printk timestamp, if it has one. */
static const char *kernel_text(const char *line)
{
	const char *p = line;

	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (close && close - p < 20)
			p = close + 1;
		while (*p == ' ')
			p++;
	}
	return p;
}

static void console_line(struct cl_sm *sm, int *act, double t)
{
	const struct cl_triage_result *r;
	const char *text = kernel_text(sm->line);
	struct cl_boot *b = cur(sm);

	if (strncmp(text, "Linux version ", 14) == 0) {
		if (!b || b->stage != CL_STAGE_FIRMWARE) {
			boot_begin(sm, t, CL_STAGE_KERNEL);
			sm->banner_boot_t = b ? t : 0; /* a reset event may still be on its way */
		} else {
			reach(sm, CL_STAGE_KERNEL);
		}
		sm->reboot_seen = 0;
		if (sm->ev.reset_stopped)
			destroy(sm, act, t); /* the reset's console is whole: stop before it runs again */
	} else if (strncmp(text, "Run ", 4) == 0 && strstr(text, " as init process")) {
		reach(sm, CL_STAGE_INIT);
	}
	if (!sm->boot_tr) /* console before START (should not happen): keep it */
		boot_begin(sm, t, CL_STAGE_KERNEL);
	cl_triage_feed(sm->boot_tr, sm->line, sm->line_len);
	cl_triage_feed(sm->boot_tr, "\n", 1);
	r = cl_triage_result(sm->boot_tr);
	if (r->crashed && r->complete)
		boot_crashed(sm, act, t, r->title[0] ? r->title : "kernel crash");
}

static void console_bytes(struct cl_sm *sm, int *act, const struct cl_sm_event *e)
{
	size_t i;

	sm->ev.console_bytes += (long)e->len;
	cl_triage_feed(sm->tr, e->data, e->len);
	for (i = 0; i < e->len; i++) {
		char c = e->data[i];

		if (c == '\n') {
			sm->line[sm->line_len] = '\0';
			console_line(sm, act, e->t);
			sm->line_len = 0;
			sm->line_long = 0;
		} else if (c != '\r') {
			if (sm->line_len + 1 < sizeof(sm->line))
				sm->line[sm->line_len++] = c;
			else
				sm->line_long = 1;
		}
	}
}

/* Keep the moments the reported content changed (a new boot, a live update). */
static void log_content(struct cl_sm *sm, double t, const char *digest)
{
	struct cl_evidence *ev = &sm->ev;
	struct cl_content_change *last = ev->ncontent_log ? &ev->content_log[ev->ncontent_log - 1]
							  : NULL;

	if ((last && last->boot == ev->boots && !strcmp(last->sha256, digest)) ||
	    ev->ncontent_log == CL_MAX_CONTENT_LOG)
		return;
	last = &ev->content_log[ev->ncontent_log++];
	last->t = t;
	last->boot = ev->boots;
	snprintf(last->sha256, sizeof(last->sha256), "%s", digest);
}

static void agent_line(struct cl_sm *sm, const struct cl_sm_event *e)
{
	struct cl_evidence *ev = &sm->ev;
	struct cl_boot *b = cur(sm);
	char line[CL_SM_AGENT_MAX + 1];

	event_text(line, sizeof(line), e);
	if (sm->cfg.console_echo && ev->console_bytes == 0 && sm->silent_agent_t < 0)
		sm->silent_agent_t = e->t;
	if (e->len > CL_SM_AGENT_MAX) {
		ev->bad_lines++; /* cut short: none of it is trusted */
		return;
	}
	cl_evidence_agent_line(ev, line);
	if (ev->delivery_failed)
		infra(sm, ev->delivery_error); /* the host's bytes, never the candidate */
	if (ev->ready)
		reach(sm, CL_STAGE_READY);
	if (b && sm->cfg.digest_key) {
		const char *d = cl_evidence_status(ev, sm->cfg.digest_key);

		if (d && cl_is_sha256_hex(d)) {
			snprintf(b->digest, sizeof(b->digest), "%s", d);
			log_content(sm, e->t, d);
		}
	}
	if (b && ev->ready && ev->loaded && !b->healthy && !b->crashed) {
		b->healthy = 1;
		sm->crash_run = 0;
		if (!ev->healthy_boot) {
			ev->healthy_boot = ev->boots;
			ev->healthy_s = e->t;
		}
		if (sm->first_crash && !ev->recovered) {
			sm->recovery_pending = ev->boots;
			sm->recovery_t = e->t;
		}
	}
	if (!strncmp(line, "CL REBOOTING", 12)) {
		/* the plan reboots the guest: until the next READY the boot limit applies */
		cl_triage_expect_reset(sm->tr);
		boot_close(sm, e->t, CL_END_REBOOT);
		ev->ready = 0;
		sm->last_agent = e->t;
	}
	if (ev->heartbeats != sm->hb_seen || ev->ready != sm->ready_seen) {
		sm->hb_seen = ev->heartbeats;
		sm->ready_seen = ev->ready;
		sm->last_agent = e->t;
	}
	if (ev->progress != sm->progress_seen) {
		sm->progress_seen = ev->progress;
		sm->last_progress = e->t;
	}
}

static void set_timeout(struct cl_sm *sm, enum cl_timeout what, int limit)
{
	sm->ev.timeout = what;
	sm->ev.timeout_s = limit;
}

/*
 * A restored guest that is not ready within the boot limit did not take its
 * delivery: nothing of the candidate ran yet, so it is the host's failure.
 */
static void restore_stuck(struct cl_sm *sm, int *act, double t)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "the restored guest did not take its delivery within %d s",
		 sm->cfg.boot_s);
	infra(sm, msg);
	destroy(sm, act, t);
}

/* The agent spoke and its console echo never came: no console at all. */
static void console_dead(struct cl_sm *sm, int *act, double t)
{
	char msg[200];

	sm->ev.console_dead = 1;
	snprintf(msg, sizeof(msg), "dead console: the agent spoke at %.1f s and nothing came on the "
		 "console in %.0f s (the lab's fault, not the candidate's)", sm->silent_agent_t,
		 CONSOLE_GRACE_S);
	infra(sm, msg);
	destroy(sm, act, t);
}

/*
 * The guest's streams ended with the plan unfinished and nothing from the
 * guest to say why (no final word, no crash, crashlab did not destroy it):
 * only libvirt's STOPPED can tell a guest that powered itself off from an
 * emulator that died under it.
 */
static int unexplained_end(const struct cl_sm *sm)
{
	return !sm->ev.done && !sm->ev.aborted && !sm->destroyed && !sm->crash_seen &&
	       !sm->ev.panic_event && !sm->ev.infra;
}

/* Deadlines and limits, checked after every event. */
static void check_limits(struct cl_sm *sm, int *act, double t)
{
	const struct cl_sm_config *c = &sm->cfg;
	const struct cl_evidence *ev = &sm->ev;

	if (sm->stopped_at > 0) {
		if (t - sm->stopped_at > DRAIN_S && !sm->libvirt_stopped && unexplained_end(sm))
			infra(sm, "the domain ended mid-plan and libvirt never said how");
		if ((sm->con_eof && sm->agent_eof && (sm->libvirt_stopped || !unexplained_end(sm))) ||
		    t - sm->stopped_at > DRAIN_S) {
			sm->finished = 1;
			*act |= CL_SM_ACT_FINISH;
		}
		return;
	}
	if (!sm->started)
		return;
	if (sm->silent_agent_t >= 0 && ev->console_bytes == 0 &&
	    t - sm->silent_agent_t >= CONSOLE_GRACE_S)
		console_dead(sm, act, t);
	else if (sm->crash_seen > 0 && t - sm->crash_seen > CRASH_GRACE_S)
		destroy(sm, act, t); /* an oops without a panic event: the report is complete */
	else if (ev->boots > c->max_boots && !sm->crash_seen)
		destroy(sm, act, t); /* a reset taken for a crash waits its grace: the banner after it */
	else if (t > c->total_s)
		set_timeout(sm, CL_TIMEOUT_TOTAL, c->total_s);
	else if (!ev->ready && t - sm->last_agent > c->boot_s && ev->restored)
		restore_stuck(sm, act, t);
	else if (!ev->ready && t - sm->last_agent > c->boot_s)
		set_timeout(sm, CL_TIMEOUT_BOOT, c->boot_s);
	else if (ev->ready && t - sm->last_agent > c->heartbeat_s)
		set_timeout(sm, CL_TIMEOUT_HEARTBEAT, c->heartbeat_s);
	else if (ev->ready && !ev->done && t - sm->last_progress > c->step_s)
		set_timeout(sm, CL_TIMEOUT_STEP, c->step_s);
	if (ev->timeout != CL_TIMEOUT_NONE)
		destroy(sm, act, t);
}

static void domain_gone(struct cl_sm *sm, double t)
{
	sm->stopped = 1;
	sm->ev.stopped = 1;
	boot_close(sm, t, sm->ev.done || sm->ev.aborted ? CL_END_POWEROFF : CL_END_STOPPED);
	if (sm->stopped_at == 0)
		sm->stopped_at = t;
}

static void on_panicked(struct cl_sm *sm, int *act, double t)
{
	const struct cl_triage_result *r = sm->boot_tr ? cl_triage_result(sm->boot_tr) : NULL;

	sm->ev.panic_event = 1;
	boot_crashed(sm, act, t, r && r->crashed ? r->title : NULL);
	if (sm->cfg.on_crash == CL_CRASH_STOP && sm->cfg.dump && !sm->destroyed) {
		*act |= CL_SM_ACT_DUMP;
		destroy(sm, act, t);
	}
}

static void on_start(struct cl_sm *sm, const struct cl_sm_event *e)
{
	sm->started = 1;
	if (e->kind == CL_SM_EV_RESTORED) {
		/* no boot to watch: the kernel and init ran before the guest was saved */
		sm->ev.restored = 1;
		boot_begin(sm, e->t, CL_STAGE_INIT);
	} else {
		boot_begin(sm, e->t, CL_STAGE_FIRMWARE);
	}
}

static void on_bugcheck(struct cl_sm *sm, const struct cl_sm_event *e)
{
	sm->ev.bugcheck = 1;
	sm->ev.bugcheck_code = e->args[0];
	memcpy(sm->ev.bugcheck_params, e->args + 1, sizeof(sm->ev.bugcheck_params));
}

static void on_reboot(struct cl_sm *sm, int *act, double t)
{
	/* libvirt reports one reset twice: only the first opens a boot; a reset
	 * after the domain was told to stop (a guest without a panic device
	 * resetting itself after its panic, faster than the destroy) opens none */
	if (!sm->reboot_seen && sm->stopped_at == 0 && cur(sm) && cur(sm)->stage >= CL_STAGE_KERNEL) {
		/* a boot the plan did not end (no CL REBOOTING) and no crash ended:
		 * the reset is the crash, said before the next banner may be cut */
		double grace = 0;

		/* (a reset event later than the banner of the boot it opened is that
		 * boot's past, not its end) */
		int late = sm->banner_boot_t > 0 && t - sm->banner_boot_t < CRASH_GRACE_S;

		sm->banner_boot_t = 0;
		if (cur(sm)->how == CL_END_RUNNING && !cur(sm)->crashed && !sm->destroyed &&
		    sm->boot_tr && !late && cl_triage_reset(sm->boot_tr) /* this boot's words */) {
			int first = cl_triage_reset(sm->tr); /* the run's title, if it is its first */

			boot_crashed(sm, act, t, cl_triage_result(sm->boot_tr)->title);
			/* the stop policy's grace, once: it stops the cell at the next banner */
			grace = first ? sm->crash_seen : 0;
			sm->ev.reset_stopped = grace > 0;
		}
		boot_begin(sm, t, CL_STAGE_FIRMWARE);
		sm->crash_seen = grace;
		sm->reboot_seen = 1;
	}
}

/* STOPPED, or the end of one of the domain's streams. */
static void on_gone(struct cl_sm *sm, const struct cl_sm_event *e)
{
	if (e->kind == CL_SM_EV_STOPPED) {
		sm->libvirt_stopped = 1;
		/* qemu killed or crashed under the guest: the lab's, never the candidate's */
		if (e->args[0] == 1 && !sm->destroyed && !sm->ev.done)
			infra(sm, "the domain's emulator died under the guest (libvirt: failed)");
		domain_gone(sm, e->t);
		return;
	}
	*(e->kind == CL_SM_EV_CONSOLE_EOF ? &sm->con_eof : &sm->agent_eof) = 1;
	/* qemu closes its character devices only when it exits: both ended is
	 * the domain gone, known ~1.8 s before libvirt's STOPPED event */
	if (sm->con_eof && sm->agent_eof && sm->started)
		domain_gone(sm, e->t);
}

/* The libvirt connection is gone: no event can come any more, and the
 * domain cannot be stopped from here. */
static void on_host_lost(struct cl_sm *sm, const struct cl_sm_event *e)
{
	char why[200];

	event_text(why, sizeof(why), e);
	infra(sm, why[0] ? why : "lost the libvirt connection");
	sm->finished = 1;
}

/*
 * INFRA, BUILD_FAILED, INTERRUPT: what the runner learnt outside the guest.
 * Before START nothing ran and nothing will: the machine is finished. After
 * it, the lab's failure or a stop ends the domain.
 */
static void on_outcome(struct cl_sm *sm, int *act, const struct cl_sm_event *e)
{
	struct cl_evidence *ev = &sm->ev;
	char why[256];

	event_text(why, sizeof(why), e);
	if (e->kind == CL_SM_EV_INFRA) {
		infra(sm, why);
	} else if (e->kind == CL_SM_EV_BUILD_FAILED) {
		ev->build_failed = 1;
		snprintf(ev->build_error, sizeof(ev->build_error), "%.*s",
			 (int)sizeof(ev->build_error) - 1, why[0] ? why : "module not built");
	} else {
		ev->interrupted = 1;
		if (!sm->stop_why[0])
			snprintf(sm->stop_why, sizeof(sm->stop_why), "%s", why);
	}
	if (sm->finished)
		return; /* told late: the domain is done with */
	if (!sm->started) {
		sm->finished = 1;
		*act |= CL_SM_ACT_FINISH;
	} else if (e->kind != CL_SM_EV_BUILD_FAILED) {
		destroy(sm, act, e->t);
	}
}

int cl_sm_feed(struct cl_sm *sm, const struct cl_sm_event *e)
{
	int act = 0;

	if (sm->finished) {
		/* the guest's part is over; the lab can still fail the cell (its logs) */
		if (e->kind == CL_SM_EV_INFRA || e->kind == CL_SM_EV_BUILD_FAILED)
			on_outcome(sm, &act, e);
		return CL_SM_ACT_FINISH;
	}
	switch (e->kind) {
	case CL_SM_EV_START:
	case CL_SM_EV_RESTORED:
		on_start(sm, e);
		break;
	case CL_SM_EV_CONSOLE:
		console_bytes(sm, &act, e);
		break;
	case CL_SM_EV_AGENT:
		agent_line(sm, e);
		break;
	case CL_SM_EV_PANICKED:
		on_panicked(sm, &act, e->t);
		break;
	case CL_SM_EV_BUGCHECK:
		on_bugcheck(sm, e);
		break;
	case CL_SM_EV_REBOOT:
		on_reboot(sm, &act, e->t);
		break;
	case CL_SM_EV_STOPPED:
	case CL_SM_EV_CONSOLE_EOF:
	case CL_SM_EV_AGENT_EOF:
		on_gone(sm, e);
		break;
	case CL_SM_EV_INTERRUPT:
	case CL_SM_EV_INFRA:
	case CL_SM_EV_BUILD_FAILED:
		on_outcome(sm, &act, e);
		break;
	case CL_SM_EV_HOST_LOST:
		on_host_lost(sm, e);
		return CL_SM_ACT_FINISH;
	case CL_SM_EV_TICK:
	case CL_SM_EV_LAST:
		break;
	}
	if (cur(sm) && cur(sm)->how == CL_END_RUNNING)
		cur(sm)->end = e->t;
	if (sm->cfg.stop_when_healthy && sm->ev.healthy_boot)
		destroy(sm, &act, e->t);
	check_limits(sm, &act, e->t);
	return act;
}

double cl_sm_wait(const struct cl_sm *sm)
{
	return sm->finished ? 0 : 0.25;
}

void cl_sm_end(struct cl_sm *sm)
{
	struct cl_evidence *ev = &sm->ev;
	int act = 0;

	if (sm->ended)
		return;
	sm->ended = 1;
	if (sm->line_len > 0) {
		sm->line[sm->line_len] = '\0';
		console_line(sm, &act, cur(sm) ? cur(sm)->end : 0);
		sm->line_len = 0;
	}
	cl_triage_finish(sm->tr);
	if (sm->boot_tr)
		cl_triage_finish(sm->boot_tr);
	boot_close(sm, cur(sm) ? cur(sm)->end : 0, ev->done || ev->aborted ? CL_END_POWEROFF : CL_END_STOPPED);
	settle_recovery(sm);
	if (!sm->started || ev->build_failed)
		return;
	/* the agent spoke and the guest ended before the grace did: dead all the same */
	if (ev->console_bytes == 0 && !ev->infra && sm->silent_agent_t >= 0)
		console_dead(sm, &act, cur(sm) ? cur(sm)->end : 0);
	else if (ev->console_bytes == 0 && !ev->infra && ev->timeout == CL_TIMEOUT_NONE)
		infra(sm, "the guest printed nothing on its console");
	else if (ev->console_bytes == 0 && ev->timeout == CL_TIMEOUT_BOOT)
		infra(sm, "no console output before the boot limit (emulator stuck?)");
}

void cl_sm_decide(struct cl_decision *out, const struct cl_sm *sm,
		  const struct cl_candidate *cand)
{
	cl_verdict_decide(out, &sm->ev, cl_triage_result(sm->tr), cand, sm->cfg.max_boots);
	if (out->verdict == CL_V_NOT_RUN && sm->stop_why[0])
		snprintf(out->title, sizeof(out->title), "%s", sm->stop_why);
}
