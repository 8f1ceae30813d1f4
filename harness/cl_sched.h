/*
 * cl_sched.h - running a plan's cells: ring by ring, on every host at
 * once, as many at a time on each as its slots.
 *
 * A cell whose host is lost for good (the cell runner says so: the daemon
 * did not come back) runs again on another host that can take it; the lost
 * host takes no more cells. A cell no host is left for keeps its
 * infra_error (never a pass).
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

#define CL_SCHED_MAX_HOSTS 16

/* A libvirt host the cells may run on (the scheduler never opens it). */
struct cl_sched_host {
	struct cl_host *host;
	const char *uri;
	int slots;       /* cells at a time on it */
	int local;       /* shares crashlab's files (kinds that need it run only here) */
};

struct cl_sched_opts {
	int jobs;        /* cells at a time per host (0: each host's capacity) */
	struct cl_sched_host hosts[CL_SCHED_MAX_HOSTS];
	int nhosts;
	int fail_fast;   /* stop after a ring with a failing cell */
	int live_table;  /* redraw a table in place (stderr is a terminal) */
};

/* Cells at a time a host can take: its @cpus, and three quarters of its
 * @free_mib in guests of @need_mib each (1 to 64). */
int cl_sched_slots_for(long cpus, long free_mib, long need_mib);
/* ... for this machine: its cores and available memory, @p's largest guest. */
int cl_sched_jobs_auto(const struct cl_plan *p);
/* Cells at a time over every host. */
int cl_sched_slots(const struct cl_sched_opts *o);
/* What the largest guest of @p costs a host, MiB (its RAM and qemu's own). */
long cl_sched_guest_mib(const struct cl_plan *p);
/* Every cell has a host that can take it; else CL_EINPUT naming the cell. */
int cl_sched_check_hosts(const struct cl_plan *p, const struct cl_sched_opts *o);
/* Run every cell of @p (cl_plan_make_runs done); fills each run's decision. */
void cl_sched_run(struct cl_plan *p, const struct cl_sched_opts *o);

#endif
