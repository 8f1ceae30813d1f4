/*
 * cl_merge.h - one report from the reports of a sharded run.
 *
 * `crashlab qualify --shard K/N` runs a deterministic slice of a matrix and
 * writes a report that says which shard it is. cl_merge() reads the N
 * shard directories, refuses (CL_EINPUT, one line) when a shard is missing,
 * given twice, of another shard count, has no cells, or is from another
 * candidate, matrix or scenario (compared by names, versions and every
 * artifact digest, the matrix and scenario by digest), or when the shards'
 * cells do not cover the matrix exactly once, or when two shards kept the
 * same module (modules/RELEASE/NAME.ko) with different bytes; and writes
 * OUT/report.json and OUT/junit.xml for the whole matrix: cells in matrix
 * order, verdict, summary, blast radius and failure groups computed again,
 * and each shard's cells/ and modules/ directories copied under OUT/cells/
 * and OUT/modules/, so `gate --modules OUT/modules` checks a merged run (a
 * symbolic link or a special file anywhere in them is refused, never
 * followed).
 *
 * A merge that will be signed signs only what was qualified: with
 * @verify_key (the signer's private key; its public half verifies), every
 * shard must carry attestation.json whose signature verifies, and the
 * shard's report is the signed statement's predicate (its report.json must
 * be the same document).
 */
#ifndef CL_MERGE_H
#define CL_MERGE_H

/* Merge @n shard output directories into @out; 0, or a negative cl_rc. */
int cl_merge(const char *const *dirs, int n, const char *out, const char *verify_key);
/* The merged report's verdict as an exit code (0 pass, 1 fail, 2 error), after cl_merge. */
int cl_merge_exit_code(const char *out);

#endif
