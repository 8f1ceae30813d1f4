/*
 * cl_sched.c - the cell scheduler (see cl_sched.h): a pool of cell threads
 * per ring, and a progress thread that reports what the cells are doing.
 */
#include "cl_sched.h"
#include "cl_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Memory a TCG guest costs the host beyond its own RAM (qemu, TCG buffers). */
#define GUEST_OVERHEAD_MIB 256

struct pool {
	struct cl_plan *p;
	int first, end;      /* the ring's runs: [first, end) */
	int next;
	pthread_mutex_t lock;
};

struct progress {
	struct cl_plan *p;
	const struct cl_sched_opts *o;
	int shown[4096];     /* last phase printed, per run (line mode) */
	int lines;           /* table lines drawn last time (table mode) */
	volatile int stop;
};

static long mem_available_mib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

int cl_sched_jobs_auto(const struct cl_plan *p)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN), mem = mem_available_mib(), need = 0;
	long jobs = cores > 0 ? cores : 1;
	int i;

	for (i = 0; i < p->ncells; i++)
		if (p->cells[i]->memory_mib + GUEST_OVERHEAD_MIB > need)
			need = p->cells[i]->memory_mib + GUEST_OVERHEAD_MIB;
	/* keep a quarter of what is free for the host itself */
	if (mem > 0 && need > 0 && mem * 3 / 4 / need < jobs)
		jobs = mem * 3 / 4 / need;
	return jobs < 1 ? 1 : jobs > 64 ? 64 : (int)jobs;
}

static void *worker(void *arg)
{
	struct pool *pl = arg;

	for (;;) {
		int idx;

		pthread_mutex_lock(&pl->lock);
		idx = pl->next < pl->end ? pl->next++ : -1;
		pthread_mutex_unlock(&pl->lock);
		if (idx < 0)
			return NULL;
		cl_cell_run(&pl->p->runs[idx]);
	}
}

static void run_ring(struct cl_plan *p, int first, int end, int jobs)
{
	struct pool pl = { .p = p, .first = first, .end = end, .next = first };
	int n = end - first < jobs ? end - first : jobs, i;
	pthread_t *t = cl_xcalloc((size_t)n, sizeof(*t));

	pthread_mutex_init(&pl.lock, NULL);
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, &pl);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&pl.lock);
	free(t);
}

static const char *phase_name(const struct cl_cell_run *r)
{
	static const char *const names[] = { "queued", "preparing", "booting", "running", "done" };
	enum cl_cell_phase ph = cl_cell_phase(r);

	return ph == CL_PHASE_DONE ? cl_verdict_name(r->dec.verdict) : names[ph];
}

/* Line mode: one line per state change, and the verdict when a cell ends. */
static void print_changes(struct progress *pg)
{
	struct cl_plan *p = pg->p;
	int i, done = 0;

	for (i = 0; i < p->ncells; i++)
		done += cl_cell_phase(&p->runs[i]) == CL_PHASE_DONE;
	for (i = 0; i < p->ncells && i < 4096; i++) {
		const struct cl_cell_run *r = &p->runs[i];
		int ph = (int)cl_cell_phase(r);

		if (ph == pg->shown[i])
			continue;
		pg->shown[i] = ph;
		if (ph == CL_PHASE_DONE)
			fprintf(stderr, "crashlab: [%d/%d] %s (%s): %s - %s (%.1f s)\n", done,
				p->ncells, r->spec->id, r->spec->kernel,
				cl_verdict_name(r->dec.verdict), r->dec.title, r->duration_s);
		else if (ph != CL_PHASE_QUEUED)
			fprintf(stderr, "crashlab: %s: %s\n", r->spec->id, phase_name(r));
	}
}

/* Table mode: the whole table, redrawn over the last one. */
static void draw_table(struct progress *pg)
{
	struct cl_plan *p = pg->p;
	int i;

	if (pg->lines)
		fprintf(stderr, "\033[%dA", pg->lines);
	for (i = 0; i < p->ncells; i++) {
		const struct cl_cell_run *r = &p->runs[i];

		fprintf(stderr, "\033[2K  %-24.24s %-26.26s %-8.8s %-15s %.60s\n", r->spec->id,
			r->spec->kernel, p->matrix->rings[r->spec->ring], phase_name(r),
			cl_cell_phase(r) == CL_PHASE_DONE ? r->dec.title : "");
	}
	pg->lines = p->ncells;
	fflush(stderr);
}

static void *progress_main(void *arg)
{
	struct progress *pg = arg;

	for (;;) {
		int stop = pg->stop;

		if (pg->o->live_table)
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

/* With --fail-fast: did a cell of this ring fail? */
static int ring_failed(const struct cl_plan *p, int first, int end)
{
	int i;

	for (i = first; i < end; i++)
		if (cl_verdict_is_failure(p->runs[i].dec.verdict))
			return 1;
	return 0;
}

void cl_sched_run(struct cl_plan *p, const struct cl_sched_opts *o)
{
	struct progress *pg = cl_xcalloc(1, sizeof(*pg));
	pthread_t prog;
	int first = 0, stopped_by = -1;

	pg->p = p;
	pg->o = o;
	pthread_create(&prog, NULL, progress_main, pg);
	while (first < p->ncells) {
		int ring = p->runs[first].spec->ring, end = first, i;

		while (end < p->ncells && p->runs[end].spec->ring == ring)
			end++;
		if (stopped_by >= 0) {
			char *why = cl_sprintf("not run: ring %s failed (--fail-fast)",
					       p->matrix->rings[stopped_by]);

			for (i = first; i < end; i++)
				cl_cell_skip(&p->runs[i], why);
			free(why);
		} else {
			run_ring(p, first, end, o->jobs);
			if (o->fail_fast && ring_failed(p, first, end))
				stopped_by = ring;
		}
		first = end;
	}
	pg->stop = 1;
	pthread_join(prog, NULL);
	free(pg);
}
