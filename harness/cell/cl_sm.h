/*
 * cl_sm.h - the decisions of one cell as a pure state machine.
 *
 * The cell runner (cl_cell.c) owns the I/O: the domain, its console and agent
 * streams, libvirt events, the clock. Everything it observes is handed to
 * cl_sm_feed() as an event; the machine answers with the actions the runner
 * must take (stop the domain, dump its memory, stop waiting). The machine
 * never touches libvirt, files or the clock, so a recorded event stream
 * replayed through it gives the same actions and the same verdict: the unit
 * tests replay streams recorded from real boots (tests/data/sm/).
 *
 * What it keeps is the evidence of the cell (agent facts, libvirt facts,
 * timeouts), the console triage of the whole run (the first crash report)
 * and a timeline with one entry per boot: when it started, how far it got
 * (firmware -> kernel -> init -> ready), how it ended, its crash title and
 * the content digest the candidate reported in it.
 *
 * Boots are counted from kernel banners on the console (libvirt reports one
 * guest reboot as two events). A boot is healthy when the agent is ready and
 * the candidate loaded in it. Two crash policies, chosen by the scenario:
 *  - stop: the first crash decides the cell (the domain is stopped once the
 *    report is complete or the panic event arrives);
 *  - reboot: the guest reboots after a crash as a fleet machine does;
 *    K consecutive boots that crash before they are healthy is a boot loop,
 *    decided at the K-th crash; a crash followed by a healthy boot is a
 *    crash the machine recovered from.
 * More boots than the scenario's max_boots stops the cell as a boot loop
 * whatever the cause.
 *
 * A console that delivers nothing it must have delivered is the lab's
 * fault: when the agent writes its lines on the console before its channel
 * (console_echo), an agent line followed by CONSOLE_GRACE_S without a single
 * console byte is a dead console, infra_error at once (ev.console_dead),
 * never a hang or a crash of the candidate.
 *
 * The machine has one way in. What the runner learns outside the guest is
 * an event too, recorded in events.log like the rest: the lab failed the
 * cell (INFRA, with why), the module did not build (BUILD_FAILED), the run
 * was stopped (INTERRUPT, with why when the cell never started). Told
 * before START they end the machine at once: nothing runs. After it,
 * INFRA and INTERRUPT stop the domain; an INFRA told after FINISH (the
 * cell's logs could not be saved) still makes the cell infra_error. So an
 * infra_error, install_failed or not_run cell replays like any other.
 */
#ifndef CL_SM_H
#define CL_SM_H

#include "cl_evidence.h"
#include "cl_triage.h"
#include "cl_verdict.h"

#include <stddef.h>
#include <stdint.h>

#define CL_SM_LINE_MAX 4096  /* console line kept for the per-boot triage */
#define CL_SM_AGENT_MAX 511  /* a longer agent line is counted as bad, never trusted */

enum cl_sm_ev {
	CL_SM_EV_START = 0,  /* the domain was resumed: the first boot begins */
	CL_SM_EV_CONSOLE,    /* console bytes (any chunking) */
	CL_SM_EV_AGENT,      /* one agent line, without its newline */
	CL_SM_EV_PANICKED,   /* libvirt: guest panicked (pvpanic) */
	CL_SM_EV_BUGCHECK,   /* QEMU GUEST_PANICKED with a hyper-v stop code (args) */
	CL_SM_EV_REBOOT,     /* libvirt: the guest reset itself */
	CL_SM_EV_STOPPED,    /* libvirt: the domain is gone (args[0] 1: its emulator died) */
	CL_SM_EV_CONSOLE_EOF,/* the console stream ended */
	CL_SM_EV_AGENT_EOF,  /* the agent stream ended */
	CL_SM_EV_INTERRUPT,  /* crashlab was asked to stop (data: why, or none) */
	CL_SM_EV_TICK,       /* time passed; nothing else happened */
	CL_SM_EV_HOST_LOST,  /* the libvirt connection is gone (data: why): infra, now */
	CL_SM_EV_RESTORED,   /* START for a guest restored from a snapshot at the agent's wait */
	CL_SM_EV_INFRA,      /* the lab failed the cell (data: why): infra_error */
	CL_SM_EV_BUILD_FAILED, /* the candidate module did not build (data: why) */
	CL_SM_EV_LAST
};

struct cl_sm_event {
	enum cl_sm_ev kind;
	double t;             /* seconds since the cell's domain was resumed */
	const char *data;     /* the text of the kinds that carry one (borrowed, len bytes,
			       * cl_sm_event_has_text): console bytes, an agent line, why */
	size_t len;
	uint64_t args[5];     /* BUGCHECK: stop code and its four parameters */
};

/* Actions, or-ed together in the return value of cl_sm_feed(). */
enum {
	CL_SM_ACT_DESTROY = 1,  /* stop the domain now */
	CL_SM_ACT_DUMP = 2,     /* dump guest memory first (only when dump was asked for) */
	CL_SM_ACT_FINISH = 4,   /* stop waiting: the cell's evidence is complete */
};

enum cl_crash_policy { CL_CRASH_STOP = 0, CL_CRASH_REBOOT };

/* The parameters of one cell, copied in by cl_sm_init(). */
struct cl_sm_config {
	enum cl_crash_policy on_crash;
	int loop_boots;      /* K: consecutive crashed boots that make a boot loop */
	int max_boots;
	int boot_s, heartbeat_s, step_s, total_s;
	int fatal_warnings;  /* WARNING is a crash */
	int no_panic_event;  /* the guest has no panic device (arm64): a complete console
			      * report is the crash, decided at once, not after a grace */
	int dump;            /* dump memory at a panic (--vmcore) */
	const char *digest_key;  /* status key holding the loaded content digest, or NULL */
	const char *module;      /* candidate module: LOADED of it makes a boot healthy */
	int stop_when_healthy;   /* done at the first healthy boot (after a remediation) */
	int console_echo;        /* the agent writes each line on the console before its
				  * channel: an agent line with no console byte ever is a dead
				  * console (the lab's fault) */
	const struct cl_mutant_file *mutants; /* --mutants the plan installs, in order */
	int nmutants;
};

struct cl_sm {
	struct cl_sm_config cfg;
	struct cl_evidence ev;        /* agent and libvirt facts, timeouts, the timeline */
	struct cl_triage *tr;         /* the whole console: its first crash report */
	struct cl_triage *boot_tr;    /* the current boot's console */
	double boot_started;          /* current boot's start */
	double last_agent, last_progress, crash_seen, stopped_at;
	double banner_boot_t; /* a banner opened a boot before libvirt's reset event came */
	long hb_seen, progress_seen;
	int ready_seen;
	int started, destroyed, stopped, con_eof, agent_eof, finished, ended;
	int libvirt_stopped;          /* libvirt's STOPPED came (it says how the domain ended) */
	int crash_run;                /* consecutive boots crashed before healthy */
	int first_crash;              /* 1-based boot of the first crash, 0 if none */
	double first_crash_t;
	int recovery_pending;         /* healthy boot after a crash; recovered if it ends well */
	double recovery_t;
	int reboot_seen;              /* a REBOOT event since the last kernel banner */
	double silent_agent_t;        /* console_echo: the first agent line with no console
				       * byte yet (-1: none) */
	char stop_why[256];           /* INTERRUPT's why ("" when it gave none) */
	char line[CL_SM_LINE_MAX];    /* console line being assembled */
	size_t line_len;
	int line_long;                /* the line is longer than what is kept */
};

void cl_sm_init(struct cl_sm *sm, const struct cl_sm_config *cfg);
void cl_sm_clear(struct cl_sm *sm);
/* Feed one event; returns the CL_SM_ACT_* the runner must carry out. */
int cl_sm_feed(struct cl_sm *sm, const struct cl_sm_event *e);
/* End of the cell: flush the console and settle the last boot. */
void cl_sm_end(struct cl_sm *sm);
/* The verdict of an ended machine (cl_verdict_decide() over its evidence and console;
 * a not_run cell titled by its INTERRUPT's why when it gave one). */
void cl_sm_decide(struct cl_decision *out, const struct cl_sm *sm,
		  const struct cl_candidate *cand);
/* Seconds until the machine needs a TICK (deadline or drain), at most 0.25. */
double cl_sm_wait(const struct cl_sm *sm);

const char *cl_sm_event_name(enum cl_sm_ev k);
/* Parse an event name back (recorded streams); -1 when unknown. */
int cl_sm_event_parse(const char *name);
/* Does an event of kind @k carry a text (data, len)? */
int cl_sm_event_has_text(enum cl_sm_ev k);

#endif
