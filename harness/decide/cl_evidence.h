/*
 * cl_evidence.h - what one cell observed, as evidence for its verdict.
 *
 * The cell runner collects evidence from three places: the agent channel
 * (lines "CL WORD key=value ..." from inside the guest, untrusted, parsed
 * here: an unknown or malformed line is counted, never trusted), libvirt
 * lifecycle events (panic, reboot, stop) and the console triage, and adds
 * what it saw itself (time limits, build failures, the lab's trouble). The
 * boot timeline is kept by the state machine (cl_sm.c). This file owns the
 * evidence as data, the agent-line parser that fills it, and the questions
 * asked of it (a status value, a candidate's condition, the mutant at
 * fault); cl_verdict.h decides from it.
 */
#ifndef CL_EVIDENCE_H
#define CL_EVIDENCE_H

#include "cl_bpf_seen.h"
#include "cl_candidate.h"
#include "cl_sha256.h"
#include "cl_triage.h"

#include <stdint.h>

enum cl_timeout {
	CL_TIMEOUT_NONE = 0,
	CL_TIMEOUT_BOOT,      /* no READY */
	CL_TIMEOUT_HEARTBEAT, /* agent silent */
	CL_TIMEOUT_STEP,      /* heartbeat fine, plan not moving */
	CL_TIMEOUT_TOTAL,
	CL_TIMEOUT_LAST
};

#define CL_MAX_STATUS 32
#define CL_MAX_EVIDENCE 32   /* key/value pairs kept from the evidence command */
#define CL_MAX_TIMELINE 32   /* boots kept in the timeline; later boots are counted only */
#define CL_MAX_CONTENT_LOG 16 /* content digest changes kept */

/* The candidate's reported content digest changed (boot, live update). */
struct cl_content_change {
	double t;                     /* seconds since the domain was resumed */
	int boot;                     /* 1-based */
	char sha256[CL_SHA256_HEX];
};

/* One mutant of --mutants, as the agent reported it. */
#define CL_MAX_MUTANT_RESULTS 64
#define CL_MUTANT_NAME_MAX 96
enum cl_mutant_state { CL_MUT_NOT_RUN = 0, CL_MUT_INSTALLING, CL_MUT_REFUSED, CL_MUT_ACCEPTED,
		       CL_MUT_SURVIVED, CL_MUT_LAST };
struct cl_mutant_result {
	char name[CL_MUTANT_NAME_MAX];
	enum cl_mutant_state state;
};

/* What the candidate said its content evaluated (CL COVERAGE, cl_coverage.h). */
#define CL_MAX_COV_INSTANCES 256
struct cl_instance_cov {
	uint32_t id, evaluated, needed; /* criteria masks: bit k is criterion k + 1 */
};

/* One step of the scenario's IPC workload, as the agent reported it (CL WORKLOAD step=wN). */
#define CL_MAX_WORK_STEPS 32 /* CL_MAX_STEPS */
struct cl_work_step {
	int step;                  /* 1-based index in the scenario's workload */
	char op[16];
	long generated, messages, errors;
	int workers;
	double seconds;
	char seen_key[CL_MAX_SEEN][48]; /* the candidate's counters ... */
	long long seen[CL_MAX_SEEN];    /* ... and how far each moved during the step (-1: absent) */
	int nseen;
};

/* How far a boot got. */
enum cl_stage { CL_STAGE_FIRMWARE = 0, CL_STAGE_KERNEL, CL_STAGE_INIT, CL_STAGE_READY,
		CL_STAGE_LAST };

/* How a boot ended. */
enum cl_boot_end { CL_END_RUNNING = 0, CL_END_CRASH, CL_END_REBOOT, CL_END_POWEROFF,
		   CL_END_STOPPED, CL_END_LAST };

/* One boot of the guest, as the timeline in the report shows it. */
struct cl_boot {
	double start;                 /* seconds since the domain was resumed */
	double end;                   /* when it ended (or the last event of the cell) */
	enum cl_stage stage;          /* furthest stage reached */
	enum cl_boot_end how;
	int healthy;                  /* agent ready and the candidate loaded in this boot */
	int crashed;
	char title[CL_TITLE_MAX];     /* crash title, "" when it did not crash */
	char digest[CL_SHA256_HEX];   /* content digest the candidate reported, "" if none */
};

/* One phase of a cell's time: its name in the report and its seconds (-1:
 * the cell did not have it). The cell runner measures them (cl_cell_phases). */
struct cl_phase_time {
	const char *name;
	double s;
};
#define CL_PHASES 11

struct cl_evidence {
	/* agent channel */
	int ready;                 /* READY seen in the current boot */
	char release[64];          /* uname -r reported by the agent */
	int loaded;                /* module loaded */
	int install_failed;
	char install_error[160];
	int done;                  /* plan finished */
	int aborted;               /* plan stopped on an error */
	int agent_errors;          /* CL ERROR lines */
	int workload_errors;       /* sum of errors= in WORKLOAD lines */
	int workload_steps;
	struct cl_work_step work[CL_MAX_WORK_STEPS]; /* the scenario's steps, this boot */
	int nwork;
	/* the candidate's evidence command, this boot (CL EVIDENCE, EVIDENCE_END) */
	char evid_key[CL_MAX_EVIDENCE][48];
	char evid_value[CL_MAX_EVIDENCE][200];
	int nevid;
	int evid_done, evid_rc;
	int updates;               /* live content updates applied (CL UPDATE rc=0) */
	int last_update;           /* 1-based content index of the last one applied, 0: none */
	struct cl_content_change content_log[CL_MAX_CONTENT_LOG];
	int ncontent_log;
	long heartbeats;
	long progress;             /* agent lines other than heartbeats */
	char status_key[CL_MAX_STATUS][48];    /* last CL STATUS values */
	char status_value[CL_MAX_STATUS][80];
	int nstatus;
	int bad_lines;             /* agent lines that did not parse */
	struct cl_mutant_result mutants[CL_MAX_MUTANT_RESULTS]; /* expected, in plan order */
	int nmutants;
	int mutant_last;           /* 1-based: the last one the agent began to install, 0: none */
	int restore_seen;          /* the real content went back after the mutants (RESTORE) */
	int restore_rc;            /* ... and what loading it returned */
	/* coverage, as last reported: every instance of the running content */
	int cov_reported;          /* the candidate reports coverage at all */
	struct cl_instance_cov cov[CL_MAX_COV_INSTANCES];
	int ncov, cov_expected;    /* reported, announced (instances=N) */
	uint64_t fields_evaluated, fields_needed;
	struct cl_bpf_seen bpf;    /* the kernel's BPF programs, links and maps (CL BPF_*) */
	int received;              /* files the agent received over its channel (RECEIVED) */
	int delivery_failed;       /* ... or one it did not (DELIVERY_FAILED) */
	char delivery_error[200];
	/* libvirt */
	int panic_event;           /* lifecycle CRASHED/PANICKED */
	int bugcheck;              /* a Windows stop code arrived (hyper-v crash MSRs) */
	uint64_t bugcheck_code;
	uint64_t bugcheck_params[4];
	int boots;                 /* kernel boots seen on the console (at least 1) */
	int restored;              /* the guest was restored from a snapshot, not booted */
	int reset_stopped;         /* the stop policy stops the cell for an unexpected reset (at
				    * the next banner, or its grace): the boot after it is no loop */
	int console_dead;          /* the agent spoke, the console never did (cl_sm.h) */
	int stopped;               /* domain stopped */
	/* the timeline (cl_sm.c) */
	struct cl_boot timeline[CL_MAX_TIMELINE];
	int boot_loop;             /* K consecutive boots crashed before healthy (K), else 0 */
	int recovered;             /* a healthy boot followed a crashed one */
	int crashed_boots;         /* boots that crashed before the recovery (k) */
	int recovery_boot;         /* 1-based boot that was healthy again, 0 if none */
	double recovery_s;         /* first crash -> that boot healthy */
	double healthy_s;          /* when the first healthy boot became healthy, 0 if none */
	int healthy_boot;          /* 1-based first healthy boot, 0 if none */
	/* runner */
	enum cl_timeout timeout;
	int timeout_s;
	int build_failed;          /* candidate module did not build */
	char build_error[200];
	int infra;
	int interrupted;           /* the run was stopped before the cell finished */
	char infra_msg[256];
	long console_bytes;
};

/* Feed one agent line (without newline). Unknown or malformed lines are counted, not trusted. */
void cl_evidence_agent_line(struct cl_evidence *ev, const char *line);
/*
 * The guest rebooted: what the agent said belongs to the previous boot.
 * (libvirt may report one reboot twice; the runner counts boots from the
 * kernel banners on the console instead.)
 */
void cl_evidence_new_boot(struct cl_evidence *ev);
/* Expect mutant @name (before any agent line): the cell passes only when
 * the agent reports it refused or survived. */
void cl_evidence_expect_mutant(struct cl_evidence *ev, const char *name);
/* The mutant installed when the cell ended without its final word, or NULL. */
const char *cl_evidence_mutant_at_fault(const struct cl_evidence *ev);
/* Value of a STATUS key, or NULL (borrowed). */
const char *cl_evidence_status(const struct cl_evidence *ev, const char *key);
/* The evidence command's value for @key, else the status file's; NULL if neither has it. */
const char *cl_evidence_value(const struct cl_evidence *ev, const char *key);
/* Condition @r of the candidate against @ev: 1 when it holds. */
int cl_evidence_require_holds(const struct cl_require *r, const struct cl_evidence *ev);
/* Timeline entries kept for @ev (boots may exceed CL_MAX_TIMELINE). */
int cl_evidence_timeline_len(const struct cl_evidence *ev);
/* The names report.json gives a boot's stage and end. */
const char *cl_evidence_stage_name(enum cl_stage s);
const char *cl_evidence_boot_end_name(enum cl_boot_end e);

#endif
