/*
 * cl_sched.h - running a plan's cells: ring by ring, @jobs at a time.
 *
 * Every ring finishes before the next starts. With fail_fast, a ring with a
 * product failure stops the run: the later rings' cells are not_run (never
 * a pass). A signal (cl_interrupted) stops it the same way. Progress goes to
 * stderr: on a terminal a live table (queued, preparing, booting, running,
 * verdict) redrawn in place; otherwise one line per state change.
 */
#ifndef CL_SCHED_H
#define CL_SCHED_H

#include "cl_plan.h"

struct cl_sched_opts {
	int jobs;        /* cells at a time (>= 1) */
	int fail_fast;   /* stop after a ring with a failing cell */
	int live_table;  /* redraw a table in place (stderr is a terminal) */
};

/* Cells at a time for this host: its cores, and its memory for the cells' guests. */
int cl_sched_jobs_auto(const struct cl_plan *p);
/* Run every cell of @p (cl_plan_make_runs done); fills each run's decision. */
void cl_sched_run(struct cl_plan *p, const struct cl_sched_opts *o);

#endif
