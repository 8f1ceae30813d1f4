/*
 * cl_progress.c - the progress display of a run (see cl_progress.h): a
 * thread that polls the runs' phases rather than being told, so a cell
 * thread never waits on the terminal.
 */
#include "cl_progress.h"
#include "cl_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct cl_progress {
	const struct cl_cell_run *runs;
	int n;
	const char (*rings)[CL_ID_MAX];
	int live_table;
	int *shown;          /* last phase printed, per run (line mode) */
	int lines;           /* table lines drawn last time (table mode) */
	volatile int stop;
	pthread_t thread;
};

static const char *phase_name(const struct cl_cell_run *r)
{
	static const char *const names[] = { "queued", "preparing", "booting", "running", "done" };
	enum cl_cell_phase ph = cl_cell_phase(r);

	return ph == CL_PHASE_DONE ? cl_verdict_name(r->dec.verdict) : names[ph];
}

/* Line mode: one line per state change, and the verdict when a cell ends. */
static void print_changes(struct cl_progress *pg)
{
	int i, done = 0;

	/* counted as they are printed: cells that end in the same tick get their own numbers */
	for (i = 0; i < pg->n; i++)
		done += pg->shown[i] == CL_PHASE_DONE;
	for (i = 0; i < pg->n; i++) {
		const struct cl_cell_run *r = &pg->runs[i];
		int ph = (int)cl_cell_phase(r);

		if (ph == pg->shown[i])
			continue;
		pg->shown[i] = ph;
		if (ph == CL_PHASE_DONE)
			fprintf(stderr, "crashlab: [%d/%d] %s (%s): %s - %s (%.1f s)\n", ++done, pg->n,
				r->spec->id, r->spec->kernel, cl_verdict_name(r->dec.verdict),
				r->dec.title, r->duration_s);
		else if (ph != CL_PHASE_QUEUED)
			fprintf(stderr, "crashlab: %s: %s\n", r->spec->id, phase_name(r));
	}
}

/* Table mode: the whole table, redrawn over the last one. */
static void draw_table(struct cl_progress *pg)
{
	if (pg->lines)
		fprintf(stderr, "\033[%dA", pg->lines);
	for (int i = 0; i < pg->n; i++) {
		const struct cl_cell_run *r = &pg->runs[i];

		fprintf(stderr, "\033[2K  %-24.24s %-26.26s %-8.8s %-15s %.60s\n", r->spec->id,
			r->spec->kernel, pg->rings[r->spec->ring], phase_name(r),
			cl_cell_phase(r) == CL_PHASE_DONE ? r->dec.title : "");
	}
	pg->lines = pg->n;
	fflush(stderr);
}

static void *progress_main(void *arg)
{
	struct cl_progress *pg = arg;

	for (;;) {
		int stop = pg->stop;

		if (pg->live_table)
			draw_table(pg);
		else
			print_changes(pg);
		if (stop)
			return NULL;
		/* a quarter of a second between reports, but quick to notice the end */
		for (int i = 0; i < 10 && !pg->stop; i++)
			usleep(25000);
	}
}

struct cl_progress *cl_progress_start(const struct cl_cell_run *runs, int n,
				      const char (*rings)[CL_ID_MAX], int live_table)
{
	struct cl_progress *pg = cl_xcalloc(1, sizeof(*pg));

	pg->runs = runs;
	pg->n = n;
	pg->rings = rings;
	pg->live_table = live_table;
	pg->shown = cl_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*pg->shown));
	pthread_create(&pg->thread, NULL, progress_main, pg);
	return pg;
}

void cl_progress_stop(struct cl_progress *pg)
{
	if (!pg)
		return;
	pg->stop = 1;
	pthread_join(pg->thread, NULL);
	free(pg->shown);
	free(pg);
}
