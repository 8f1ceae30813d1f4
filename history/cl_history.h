/*
 * cl_history.h - memory across runs: every qualify, merge and reproduce
 * recorded from its report.json in a database (cl_store.h), and what the
 * records answer: the runs, the crash groups across runs (new or known),
 * a cell's past. History informs reports; it never decides a verdict.
 *
 * The schema is versioned; its migrations run in order when a database is
 * opened (under the database's write lock: several runs may open it at once).
 */
#ifndef CL_HISTORY_H
#define CL_HISTORY_H

#include "cl_store.h"

#include <jansson.h>

#define CL_HISTORY_SCHEMA 3 /* the newest schema version this crashlab writes */

struct cl_history {
	struct cl_store *store;
	char *where; /* for messages: the database, without a password */
};

/* Where the history lives when --db is not given: $CRASHLAB_DB, else
 * $XDG_DATA_HOME/crashlab/history.db (~/.local/share/...); malloc'd, its
 * directory made. */
char *cl_history_default(void);
/* Open (and migrate) the history at @where. */
int cl_history_open(struct cl_history *h, const char *where);
void cl_history_close(struct cl_history *h);
/* The schema version of the opened database. */
int cl_history_version(struct cl_history *h);

/* A crash group's standing when a run is recorded. */
struct cl_history_group {
	char *title;
	int cells;
	int known;        /* seen in an earlier run */
	long first_run;   /* where it was first seen (this run when new) */
	char *first_seen; /* that run's start time */
};

struct cl_history_run {
	long id;
	int ngroups;
	struct cl_history_group *groups;
};

/*
 * Record the report @rep (a parsed report.json; @command: "qualify",
 * "merge", "reproduce"; @dir: where the report is) as one run, in one
 * transaction; @out says which of its crash groups the history already knew.
 */
int cl_history_record(struct cl_history *h, json_t *rep, const char *command, const char *dir,
		      struct cl_history_run *out);
void cl_history_run_clear(struct cl_history_run *r);

/* What `crashlab history` and `crashlab crashes` print: rows as JSON
 * objects (an array), newest first. */
struct cl_history_filter {
	const char *candidate; /* NULL: any */
	const char *cell;      /* NULL: runs; else that cell's row in every run */
	const char *since;     /* an ISO 8601 prefix, NULL: all */
};
int cl_history_runs(struct cl_history *h, const struct cl_history_filter *f, json_t **out);

/*
 * The run @spec names, before run @before: "last-pass" the newest run of
 * @candidate whose verdict was pass, else a run number. CL_EINPUT when
 * there is no such run.
 */
int cl_history_baseline(struct cl_history *h, const char *spec, const char *candidate,
			long before, long *id);
/*
 * Run @now against run @base, as the report's "baseline": "regressions"
 * (a cell that passed there and did not here), "fixes" (the other way),
 * "new_titles" (crash titles the baseline did not have), "new_cells"
 * (cells the baseline did not run).
 */
int cl_history_compare(struct cl_history *h, long base, long now, json_t **out);
/*
 * Flaky cells: those whose verdicts differ across runs with identical
 * inputs (the same candidate artifacts, matrix and scenario digests,
 * kernel), each with its verdicts and runs; and those whose reruns in one
 * run (--reruns) did not all fail ("reproduced": "K/N", K < N).
 */
int cl_history_flaky(struct cl_history *h, json_t **out);
/*
 * First bad, last good, for the crash titled @title, from the stored runs:
 * the lowest kernel (patch level) where it appears and the highest below it
 * that passed, over the candidate versions that met it; the same over the
 * candidate's versions (content releases), over the kernels it appears on.
 * {"title", "kernel": {"first_bad", "last_good"}, "candidate_version": {...}};
 * CL_EINPUT when no run met the title.
 */
int cl_history_edges(struct cl_history *h, const char *title, json_t **out);
/*
 * The kernel edge of the crash titled @title for one candidate (@candidate,
 * @version) alone, as crashlab bisect narrows it: {"first_bad", "last_good"}
 * over that candidate's stored cells (null where none) on the kernels
 * @keep keeps (NULL: every kernel; bisect keeps one flavour).
 */
int cl_history_kernel_edge(struct cl_history *h, const char *title, const char *candidate,
			   const char *version, int (*keep)(const char *kernel, const void *ctx),
			   const void *ctx, json_t **out);
/*
 * The crash group titled @title in the history, for a field crash: how many
 * runs met it, the first and the last (run, started, candidate, version,
 * report_dir) and the last run's cells that crashed so (cell, kernel,
 * image). *out NULL when no run met it.
 */
int cl_history_match(struct cl_history *h, const char *title, json_t **out);
/* The newest @last runs (newest first) and every cell row of them (by cell, then run). */
int cl_history_grid(struct cl_history *h, int last, json_t **runs, json_t **cells);
/* The history page: a cell x run grid of the newest @last runs, and the crash
 * groups; one self-contained HTML file at @path. */
int cl_history_page(struct cl_history *h, int last, const char *path);
int cl_history_crashes(struct cl_history *h, json_t **out);

#endif
