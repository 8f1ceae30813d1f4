/*
 * cl_junit.h - junit.xml, the report CI reads: one testcase per cell
 * (failure for the candidate's verdicts, error for the lab's), its kernel
 * and digests as properties, the candidate and its content digests as the
 * suite's. Written from plain cases, whatever they were read from: a run's
 * report (cl_report_write_junit) or shard reports being merged (cl_merge.c).
 */
#ifndef CL_JUNIT_H
#define CL_JUNIT_H

#include "cl_verdict.h"

/* One JUnit testcase, whatever it was read from (a run, or shard reports being merged). */
struct cl_junit_case {
	const char *id, *kernel, *title, *excerpt, *console;  /* excerpt, console may be NULL */
	const char *module_sha256, *snapshot_sha256;           /* properties; may be NULL */
	enum cl_verdict verdict;
	double duration_s;
};

/* A property of the suite (the candidate, its content digests). */
struct cl_junit_prop {
	const char *name, *value;
};

/*
 * junit.xml for @n cases: suite crashlab.@suite with @props, classname
 * crashlab.@classname; each case carries its kernel and digests as properties.
 */
int cl_junit_write(const char *path, const char *suite, const char *classname,
		   const struct cl_junit_prop *props, int nprops,
		   const struct cl_junit_case *cases, int n);

#endif
