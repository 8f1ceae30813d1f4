/*
 * cl_kcidb.h - a run as KernelCI's KCIDB I/O data (schema version 5.3), so
 * a lab's results can go where kernel developers already look: made from
 * the run's report.json alone, whatever host wrote it.
 *
 * The run is one checkout (the candidate under test: its name as the tree,
 * its version as the commit name, its digests in misc); each cell's kernel
 * is a build (Debian's package, architecture and flavour); each cell is a
 * test under it (path crashlab.SCENARIO, status from the verdict: the
 * candidate's failures FAIL, the lab's errors ERROR, cells not run MISS),
 * with the console's excerpt; each crash group (a verdict and a title, read
 * from the cells) is an issue, the candidate's code its culprit or, for
 * infra_error, the harness; and each failing cell an incident of it.
 */
#ifndef CL_KCIDB_H
#define CL_KCIDB_H

#include <jansson.h>

#define CL_KCIDB_MAJOR 5
#define CL_KCIDB_MINOR 3

/* 1 when @origin is a KCIDB origin: [a-z0-9_]+. */
int cl_kcidb_origin_ok(const char *origin);
/* The KCIDB object for the report @rep under @origin ([a-z0-9_]+), into
 * *out; @report_dir (may be NULL) makes the consoles file:// URLs. CL_EINPUT
 * when @rep is not a crashlab report or @origin is not a KCIDB origin. */
int cl_kcidb_from_report(json_t *rep, const char *origin, const char *report_dir, json_t **out);

#endif
