/*
 * cl_cell.h - run one cell: one image, one candidate, one scenario.
 *
 * The runner asks the cell's image kind (cl_kind.h) for its media (overlay
 * initrd, or qcow2 overlay with the candidate installed), starts a
 * transient, paused libvirt domain, connects to its console and agent
 * sockets, resumes it and then hands everything it observes - console
 * bytes, agent lines, libvirt events, the passing of time - to the cell's
 * state machine (cl_sm.h), carrying out the actions it answers with. It
 * sees every boot of the domain, so boot loops and multi-boot scenarios
 * need no other runner. Everything it keeps goes in the cell's directory:
 * console.log, agent.log, domain.xml and events.log (the recorded stream,
 * replayable through the state machine). Every try writes an events.log,
 * one that booted nothing too (an infra_error, a module that did not
 * build, a stop): the stream that ends in its verdict. An earlier
 * attempt's logs are kept as NAME.attemptN.log.
 */
#ifndef CL_CELL_H
#define CL_CELL_H

#include "cl_candidate.h"
#include "cl_image.h"
#include "cl_kind.h"
#include "cl_matrix.h"
#include "cl_remediation.h"
#include "cl_scenario.h"
#include "cl_sm.h"
#include "cl_triage.h"
#include "cl_verdict.h"

/* Where a cell is, for progress (written by the cell's thread, read by the scheduler's). */
enum cl_cell_phase { CL_PHASE_QUEUED = 0, CL_PHASE_PREPARING, CL_PHASE_BOOTING, CL_PHASE_RUNNING,
		     CL_PHASE_DONE };

/*
 * Moments of a cell's last attempt, in seconds after it began (-1: not
 * reached), from which the report's per-phase breakdown is made
 * (cl_cell_phases()): where a cell's own cost goes.
 */
enum cl_mark {
	CL_MARK_MEDIA = 0,   /* the kind's media ready (the cell's initramfs, overlay) */
	CL_MARK_SNAPSHOT,    /* restored cells: the snapshot found, locked, its digest checked */
	CL_MARK_DOMAIN,      /* the domain defined (paused) or restored */
	CL_MARK_ATTACHED,    /* console, agent and delivery streams connected */
	CL_MARK_READY,       /* the agent ready (booted; restored: its delivery taken) */
	CL_MARK_LOADING,     /* the agent loading the candidate */
	CL_MARK_LOADED,
	CL_MARK_DONE,        /* the workload and the evidence done */
	CL_MARK_STOPPED,     /* the domain gone */
	CL_MARK_FINISHED,    /* the machine finished (streams drained) */
	CL_MARK_TORN_DOWN,   /* the domain, streams and files released */
	CL_MARK_LAST
};


struct cl_cell_run {
	/* inputs, borrowed */
	const struct cl_cell_spec *spec;
	const struct cl_candidate *cand;
	const struct cl_scenario *scn;
	const struct cl_image *img;
	const struct cl_kind *kind;
	const char *ko_path;        /* NULL when the module did not build */
	const char *build_error;    /* why, when ko_path is NULL */
	int build_infra;            /* ... and it was the build host's fault (time limit) */
	const char *virt_type;      /* "qemu" or "kvm" */
	struct cl_host *host;       /* the libvirt host it runs on (set by the scheduler) */
	const char *host_uri;
	const char *dir;            /* the cell's output directory */
	int vmcore;                 /* on a panic, dump guest memory to DIR/vmcore.kdump */
	int echo_console;           /* copy the console to stderr (reproduce) */
	const struct cl_remediation *remedy; /* --remediate: applied after a boot loop */
	int rerun;                  /* 0, or which run again of a failed cell (--reruns) */
	/* outputs */
	struct cl_sm sm;            /* evidence (sm.ev), triage (sm.tr), timeline */
	struct cl_decision dec;
	double duration_s;
	int attempts;
	char retried_because[320];  /* the first attempt's infra_error, when retried */
	int host_gone;              /* its host was lost and did not come back */
	int moved;                  /* times it was moved to another host */
	int tries;                  /* attempts on every host so far */
	int events_attempt;         /* the attempt whose stream events.log holds (0: none, or
				     * a try that booted nothing: it is not kept aside) */
	int phase;                  /* enum cl_cell_phase (atomic) */
	int dumped;                 /* DIR/vmcore.kdump was written */
	int remedied;               /* remedy_result is filled */
	char snapshot_sha256[65];   /* started from this saved state ("" when booted) */
	char cmdline[512];          /* the kernel command line it booted with ("" when none) */
	int snapshot_built;         /* ... which this cell built */
	double attempt_t0;          /* cl_now() when the last attempt began */
	double marks[CL_MARK_LAST]; /* its moments (enum cl_mark) */
	struct cl_remediation_result remedy_result;
	/* --reruns: how the runs again of this cell ended */
	int reruns;                 /* runs again made */
	int reruns_failed;          /* ... that did not pass */
	char rerun_verdicts[160];   /* each one's verdict, space-separated */
};

/*
 * The last attempt's phases, in order: prepare, snapshot, define or restore,
 * attach, boot or delivery, install, module_load, workload, poweroff,
 * verdict, teardown. Returns how many were filled (CL_PHASES).
 */
int cl_cell_phases(const struct cl_cell_run *r, struct cl_phase_time out[CL_PHASES]);

/* Run the cell (retrying once after an infra_error). Always fills dec and sm. */
void cl_cell_run(struct cl_cell_run *r);
void cl_cell_run_clear(struct cl_cell_run *r);
/* The cell will not run (a failed ring, --fail-fast, a signal): its machine is
 * told INTERRUPT with @why (nothing recorded); not_run, titled @why. */
void cl_cell_skip(struct cl_cell_run *r, const char *why);
void cl_cell_set_phase(struct cl_cell_run *r, enum cl_cell_phase ph);
enum cl_cell_phase cl_cell_phase(const struct cl_cell_run *r);

#endif
