/*
 * cl_verdict.h - evidence from one cell and the verdict it supports.
 *
 * The cell runner collects evidence from three places: the agent channel
 * (lines "CL WORD key=value ..." from inside the guest, untrusted), libvirt
 * lifecycle events (panic, reboot, stop) and the console triage. cl_decide()
 * is a pure function of that evidence: fail closed, a cell passes only on
 * positive evidence from inside the guest (agent ready, the sensor reports
 * the manifest's content digest, every declared counter non-zero, the
 * workload done without errors). Silence, timeouts and infrastructure
 * trouble are never a pass.
 */
#ifndef CL_VERDICT_H
#define CL_VERDICT_H

#include "cl_candidate.h"
#include "cl_triage.h"

#include <stdint.h>

enum cl_verdict {
	CL_V_PASS = 0,
	CL_V_CRASH,           /* panic, oops, BUG: product failure */
	CL_V_BOOT_LOOP,       /* the guest kept rebooting */
	CL_V_HANG,            /* agent silent past a limit */
	CL_V_INSTALL_FAILED,  /* module not built/loaded, or wrong content loaded */
	CL_V_WORKLOAD_FAILED, /* sensor loaded but saw nothing, or workload errors */
	CL_V_INFRA_ERROR,     /* qemu/libvirt/image trouble: not the product's fault */
	CL_V_LAST
};

enum cl_timeout {
	CL_TIMEOUT_NONE = 0,
	CL_TIMEOUT_BOOT,      /* no READY */
	CL_TIMEOUT_HEARTBEAT, /* agent silent */
	CL_TIMEOUT_STEP,      /* heartbeat fine, plan not moving */
	CL_TIMEOUT_TOTAL,
	CL_TIMEOUT_LAST
};

#define CL_MAX_STATUS 32

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
	long heartbeats;
	long progress;             /* agent lines other than heartbeats */
	char status_key[CL_MAX_STATUS][48];    /* last CL STATUS values */
	char status_value[CL_MAX_STATUS][80];
	int nstatus;
	int bad_lines;             /* agent lines that did not parse */
	/* libvirt */
	int panic_event;           /* lifecycle CRASHED/PANICKED */
	int bugcheck;              /* a Windows stop code arrived (hyper-v crash MSRs) */
	uint64_t bugcheck_code;
	uint64_t bugcheck_params[4];
	int boots;                 /* kernel boots seen on the console (at least 1) */
	int stopped;               /* domain stopped */
	/* runner */
	enum cl_timeout timeout;
	int timeout_s;
	int build_failed;          /* candidate module did not build */
	char build_error[200];
	int infra;
	char infra_msg[256];
	long console_bytes;
};

struct cl_decision {
	enum cl_verdict verdict;
	char title[320];
};

/* Feed one agent line (without newline). Unknown or malformed lines are counted, not trusted. */
void cl_evidence_agent_line(struct cl_evidence *ev, const char *line);
/* Value of a STATUS key, or NULL (borrowed). */
const char *cl_evidence_status(const struct cl_evidence *ev, const char *key);
/*
 * The guest rebooted: what the agent said belongs to the previous boot.
 * (libvirt may report one reboot twice; the runner counts boots from the
 * kernel banners on the console instead.)
 */
void cl_evidence_new_boot(struct cl_evidence *ev);

void cl_decide(struct cl_decision *out, const struct cl_evidence *ev,
	       const struct cl_triage_result *tr, const struct cl_candidate *cand, int max_boots);

const char *cl_verdict_name(enum cl_verdict v);
/* 1 for verdicts that are the candidate's fault (exit code 1). */
int cl_verdict_is_failure(enum cl_verdict v);

#endif
