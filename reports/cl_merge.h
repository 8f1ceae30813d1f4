/*
 * cl_merge.h - one report from the reports of a sharded run.
 *
 * `crashlab qualify --shard K/N` runs a deterministic slice of a matrix and
 * writes a report that says which shard it is. cl_merge() reads the N
 * shard directories, refuses (CL_EINPUT, one line) when a shard is missing,
 * given twice, of another shard count, or from another candidate, matrix or
 * scenario (compared by names, versions and every artifact digest), and
 * writes OUT/report.json and OUT/junit.xml for the whole matrix: cells in
 * matrix order, verdict, summary, blast radius and failure groups computed
 * again, and each shard's cells/ directory copied under OUT/cells/.
 */
#ifndef CL_MERGE_H
#define CL_MERGE_H

/* Merge @n shard output directories into @out; 0, or a negative cl_rc. */
int cl_merge(const char *const *dirs, int n, const char *out);
/* The merged report's verdict as an exit code (0 pass, 1 fail, 2 error), after cl_merge. */
int cl_merge_exit_code(const char *out);

#endif
