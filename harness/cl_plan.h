/*
 * cl_plan.h - what one run will do, before anything boots.
 *
 * A plan takes the loaded inputs (matrix, candidate, scenario) and decides:
 * which cells this run owns (all of them, or one deterministic shard: cells
 * K, K+N, K+2N, ... of the file for --shard K/N), in which order (ring by
 * ring, file order within a ring), which kernels and image kinds they need
 * (built or found in the cache), the candidate module for each kernel, and
 * one cl_cell_run per owned cell. The qualify flow hands the runs to the
 * scheduler (cl_sched.h), which knows nothing of the plan, and cl_outcome.h
 * turns the finished runs into the report's cells.
 */
#ifndef CL_PLAN_H
#define CL_PLAN_H

#include "cl_candidate.h"
#include "cl_cell.h"
#include "cl_image.h"
#include "cl_matrix.h"
#include "cl_remediation.h"
#include "cl_scenario.h"

/* One distinct kernel of the plan: its image and the candidate module built for it. */
struct cl_kernel_prep {
	const char *release;
	struct cl_image img;
	char *ko;            /* the built .ko, or (DKMS, prebuilt, packaged) the list of
			      * the modules laid out; NULL when nothing was built */
	char ko_sha[CL_SHA256_HEX];
	char *build_error;   /* why not, when the build failed */
	int build_infra;     /* ... out of time, or the lab's own setup (the build
			      * user, a permission): not the candidate's fault */
	char *module_list;   /* DKMS, prebuilt, packaged: @ko's "NAME SHA256" lines,
			      * read when built (NULL: a source build, or unreadable) */
};

struct cl_plan {
	/* inputs, borrowed */
	const struct cl_matrix *matrix;
	const struct cl_candidate *cand;
	const struct cl_scenario *scn;
	const struct cl_remediation *remedy;  /* --remediate, or NULL */
	const char *out;
	int vmcore;          /* keep a memory dump of crashed cells */
	int echo_console;    /* stream consoles to the terminal (reproduce) */
	int shard, nshards;  /* this run is shard @shard of @nshards (1 of 1: everything) */
	/* planned */
	const struct cl_cell_spec **cells;    /* the cells this run owns, in run order */
	int ncells;
	struct cl_kernel_prep *kernels;
	int nkernels;
	struct cl_cell_run *runs;             /* one per owned cell, in run order */
	const char *virt_type;   /* "kvm" or "qemu" (TCG), for every run */
};

/* Choose the owned cells and their order; CL_EINPUT for a bad shard. */
int cl_plan_select(struct cl_plan *p);
/* Parse "K/N" (1 <= K <= N <= 1024); CL_EINPUT when it is not. */
int cl_plan_parse_shard(const char *text, int *k, int *n);
/* The kernels the owned cells need, and every cell's image kind and options
 * checked; CL_EINPUT naming the matrix. Builds nothing. */
int cl_plan_check(struct cl_plan *p);
/* Build (or find) every image the owned cells need, with progress (after
 * cl_plan_check): the kernels' images, several at a time; then, with a
 * candidate, its modules for each kernel, one after another (a build
 * failure fails that kernel's cells, whose disk images are then not built),
 * kept in OUT/modules; then what the cells' image kinds need. */
int cl_plan_prepare_images(struct cl_plan *p);
/* One cl_cell_run per owned cell (after the images and modules). */
void cl_plan_make_runs(struct cl_plan *p);
/* @out: owned cell @i run again, its @k-th time (--reruns): the same inputs,
 * its own directory (cells/ID/rerun-K, malloc'd: free it), no memory dump,
 * no remediation, nothing echoed. */
void cl_plan_rerun(const struct cl_plan *p, int i, int k, struct cl_cell_run *out);
/* The prepared kernel @release (borrowed), or NULL when no owned cell runs it. */
const struct cl_kernel_prep *cl_plan_kernel(const struct cl_plan *p, const char *release);
/* The largest owned cell's guest memory, MiB (what the scheduler sizes slots by). */
long cl_plan_guest_mib(const struct cl_plan *p);
void cl_plan_clear(struct cl_plan *p);

#endif
