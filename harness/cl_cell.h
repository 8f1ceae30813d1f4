/*
 * cl_cell.h - run one cell: one kernel, one candidate, one scenario.
 *
 * The runner builds the cell's overlay initrd, starts a transient, paused
 * libvirt domain, connects to its console and agent sockets, resumes it and
 * then reacts to whatever arrives first: console bytes (fed to the triage),
 * agent lines (fed to the evidence), lifecycle events (panic, reboot, stop)
 * or a deadline (boot, heartbeat, total). It sees every boot of the domain,
 * so boot loops and later multi-boot scenarios need no other runner.
 * Everything it keeps goes in the cell's directory: console.log,
 * agent.log, domain.xml.
 */
#ifndef CL_CELL_H
#define CL_CELL_H

#include "cl_candidate.h"
#include "cl_image.h"
#include "cl_matrix.h"
#include "cl_scenario.h"
#include "cl_triage.h"
#include "cl_verdict.h"

struct cl_cell_run {
	/* inputs, borrowed */
	const struct cl_cell_spec *spec;
	const struct cl_candidate *cand;
	const struct cl_scenario *scn;
	const struct cl_image *img;
	const char *ko_path;        /* NULL when the module did not build */
	const char *build_error;    /* why, when ko_path is NULL */
	const char *plan;
	const char *virt_type;      /* "qemu" or "kvm" */
	const char *dir;            /* the cell's output directory */
	int vmcore;                 /* on a panic, dump guest memory to DIR/vmcore.kdump */
	int echo_console;           /* copy the console to stderr (reproduce) */
	/* outputs */
	struct cl_evidence ev;
	struct cl_triage *tr;       /* owned; freed by cl_cell_run_clear */
	struct cl_decision dec;
	double duration_s;
	int attempts;
	int dumped;                 /* DIR/vmcore.kdump was written */
};

/* Run the cell (retrying once after an infra_error). Always fills dec. */
void cl_cell_run(struct cl_cell_run *r);
void cl_cell_run_clear(struct cl_cell_run *r);
/* Ask every running cell to stop (SIGINT): they end as infra_error "interrupted". */
void cl_cell_interrupt(void);
int cl_cell_interrupted(void);

#endif
