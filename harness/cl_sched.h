/*
 * cl_sched.h - running cells: ring by ring, on every host at once, as many
 * at a time on each as its slots.
 *
 * The scheduler knows runs, not plans: it is handed the cells' runs in run
 * order (ring by ring), the ring names to speak of, and the hosts. A cell
 * whose host is lost for good (the cell runner says so: the daemon did not
 * come back) runs again on another host that can take it; the lost host
 * takes no more cells. A cell no host is left for keeps its infra_error
 * (never a pass).
 *
 * Every ring finishes before the next starts. With fail_fast, a ring with a
 * product failure stops the run: the later rings' cells are not_run (never
 * a pass). A signal (cl_run_interrupted) stops it the same way. Progress goes to
 * stderr while the cells run (cl_progress.h).
 */
#ifndef CL_SCHED_H
#define CL_SCHED_H

#include "cl_cell.h"

#define CL_SCHED_MAX_HOSTS 16

/* A libvirt host the cells may run on (the caller opens and closes it). */
struct cl_sched_host {
	struct cl_host *host;
	const char *uri;
	int slots;       /* cells at a time on it */
	int local;       /* shares crashlab's files (kinds that need it run only here) */
};

struct cl_sched_opts {
	int jobs;        /* --jobs: the slots the caller gives each host (0: its capacity) */
	struct cl_sched_host hosts[CL_SCHED_MAX_HOSTS];
	int nhosts;
	int fail_fast;   /* stop after a ring with a failing cell */
	int live_table;  /* redraw a table in place (stderr is a terminal) */
};

/* Cells at a time a host can take: its @cpus, and three quarters of its
 * @free_mib in guests of @guest_mib each, plus what qemu costs beside (1 to 64). */
int cl_sched_slots_for(long cpus, long free_mib, long guest_mib);
/* ... for this machine: its cores and available memory. */
int cl_sched_jobs_auto(long guest_mib);
/* Cells at a time over every host. */
int cl_sched_slots(const struct cl_sched_opts *o);
/* Every one of @runs (@n) has a host that can take it; else CL_EINPUT naming the cell. */
int cl_sched_check_hosts(const struct cl_cell_run *runs, int n, const struct cl_sched_opts *o);
/* Run @runs (@n, in ring order; each run's inputs set), filling each run's
 * decision; @rings names the matrix's rings by spec->ring (messages). */
void cl_sched_run(struct cl_cell_run *runs, int n, const char (*rings)[CL_ID_MAX],
		  const struct cl_sched_opts *o);

#endif
