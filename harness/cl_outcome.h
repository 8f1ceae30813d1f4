/*
 * cl_outcome.h - what a finished run leaves behind.
 *
 * The report's cells come from the finished runs and the plan's kernels:
 * verdicts, evidence and timings from each run; the module built for its
 * kernel; what it booted (the image's sums and packages, read when the
 * image was built, so nothing is read from disk here). The files follow:
 * junit.xml and report.json, written whole or not at all; summary.md and
 * report.html from report.json; the signed statement with --sign-key.
 * qualify and merge write their reports through here, the same way.
 */
#ifndef CL_OUTCOME_H
#define CL_OUTCOME_H

#include "cl_plan.h"
#include "cl_report.h"

/* @rep->cells from @p's finished runs, in run order (allocated: free them
 * with cl_outcome_cells_free); @rep->ncells set. */
void cl_outcome_cells(struct cl_report *rep, const struct cl_plan *p);
/* What cl_outcome_cells allocated; @rep->cells NULL after. */
void cl_outcome_cells_free(struct cl_report *rep);

/* Remove every report of @out: one that cannot be this run's whole result
 * must not stay behind to be taken for it. */
void cl_outcome_forget(const char *out);
/* @out/junit.xml, then @out/report.json last, then the pages; when either
 * report cannot be written, none is left (cl_outcome_forget). 0 or the error. */
int cl_outcome_write(const struct cl_report *rep, const char *out);
/* @out/summary.md and @out/report.html from @out/report.json; either missing
 * is said on stderr and leaves the report standing. */
void cl_outcome_pages(const char *out);
/* --sign-key: @out/attestation.json over @out/report.json with @key, said on
 * stderr; returns @rc (the run's exit code), or 2 when it cannot be signed. */
int cl_outcome_sign(const char *out, const char *key, int rc);

#endif
