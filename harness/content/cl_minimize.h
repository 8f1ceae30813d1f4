/*
 * cl_minimize.h - the smallest content that still crashes a cell.
 *
 * A content file is instances, each a list of criteria (the structure a
 * content format in cl_mutants.h knows: its parts() and reduce()). Given a
 * test that runs a cell with a reduced content and says whether it still
 * crashes with the same title, cl_minimize() removes instances, then each
 * kept instance's criteria, in chunks that halve (the first try removes half
 * of them at once), until removing any single one stops the crash: the
 * result is 1-minimal, and a single culprit among n parts costs about
 * log2(n) runs, not n. Every instance kept keeps at least one criterion and
 * at least one instance is kept (the smallest well-formed content).
 *
 * Pure: the test is a callback; no files, no clock.
 */
#ifndef CL_MINIMIZE_H
#define CL_MINIMIZE_H

#include <stddef.h>
#include <stdint.h>

#define CL_MIN_INSTANCES 256
#define CL_MIN_CRITERIA 32

/* What a content file holds: its instances and each one's criteria. */
struct cl_content_parts {
	int ninst;
	int ncrit[CL_MIN_INSTANCES];
};

/* Which of them a reduced content keeps: instance i when inst[i], and of
 * it criterion k when bit k of crit[i]. */
struct cl_content_keep {
	unsigned char inst[CL_MIN_INSTANCES];
	uint32_t crit[CL_MIN_INSTANCES];
};

/* Everything of @p kept. */
void cl_keep_all(struct cl_content_keep *k, const struct cl_content_parts *p);
int cl_keep_count(const struct cl_content_keep *k, const struct cl_content_parts *p,
		  int *criteria);

/*
 * The test: 1 when the content @k keeps still fails the same way, 0 when it
 * does not, -1 to stop (an error the run cannot judge by: infrastructure,
 * a signal). Called only with contents smaller than the last that failed.
 */
typedef int cl_minimize_test(void *ctx, const struct cl_content_keep *k);

/*
 * Reduce @k (on entry: what fails, normally everything) to a 1-minimal
 * content that still fails. Returns the number of tests run, or -1 when a
 * test said stop (@k is then the smallest content found failing so far).
 */
int cl_minimize(struct cl_content_keep *k, const struct cl_content_parts *p,
		cl_minimize_test *test, void *ctx);

#endif
