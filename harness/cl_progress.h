/*
 * cl_progress.h - what the running cells are doing, on stderr.
 *
 * A thread of its own looks at every run's phase four times a second (the
 * cell threads set it; reading it is atomic) and reports it: on a terminal
 * a live table (cell, kernel, ring, queued / preparing / booting / running
 * / verdict, title) redrawn in place; otherwise one line per state change
 * and a numbered line with the verdict when a cell ends, which is what a CI
 * log keeps. The scheduler starts it before the first ring and stops it
 * after the last; it never changes a run.
 */
#ifndef CL_PROGRESS_H
#define CL_PROGRESS_H

#include "cl_cell.h"

struct cl_progress;

/* Report on @runs (@n of them, borrowed until cl_progress_stop) from now on;
 * @rings: the matrix's ring names, by spec->ring; @live_table: redraw a
 * table (stderr is a terminal) rather than print lines. */
struct cl_progress *cl_progress_start(const struct cl_cell_run *runs, int n,
				      const char (*rings)[CL_ID_MAX], int live_table);
/* One last report (every change shown), then the thread ends; @pg freed. NULL is fine. */
void cl_progress_stop(struct cl_progress *pg);

#endif
