/*
 * cl_sched.c - the cell scheduler (see cl_sched.h): a pool of cell threads
 * per ring, each bound to a host, taking cells from the ring's queue; the
 * progress display (cl_progress.c) watches them from its own thread.
 */
#include "cl_sched.h"
#include "cl_arch.h"
#include "cl_progress.h"
#include "cl_run.h"
#include "cl_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Memory a guest costs the host beyond its own RAM (qemu itself; under TCG
 * its translation buffers). */
#define GUEST_OVERHEAD_MIB 256

/*
 * One ring's cells, taken by workers bound to hosts. A cell whose host was
 * lost for good goes back to the queue for the hosts still up; a worker
 * waits while cells are in flight, since one of them may come back.
 */
struct pool {
	struct cl_cell_run *runs;
	const struct cl_sched_opts *o;
	int *queue, nq;        /* run indices not yet taken */
	int inflight;
	int down[CL_SCHED_MAX_HOSTS];
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

struct worker_arg {
	struct pool *pl;
	int host;              /* index into o->hosts */
};

static long mem_available_mib(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

int cl_sched_slots_for(long cpus, long free_mib, long guest_mib)
{
	long jobs = cpus > 0 ? cpus : 1, need = guest_mib > 0 ? guest_mib + GUEST_OVERHEAD_MIB : 0;

	/* keep a quarter of what is free for the host itself */
	if (free_mib > 0 && need > 0 && free_mib * 3 / 4 / need < jobs)
		jobs = free_mib * 3 / 4 / need;
	return jobs < 1 ? 1 : jobs > 64 ? 64 : (int)jobs;
}

int cl_sched_jobs_auto(long guest_mib)
{
	return cl_sched_slots_for(sysconf(_SC_NPROCESSORS_ONLN), mem_available_mib(), guest_mib);
}

int cl_sched_slots(const struct cl_sched_opts *o)
{
	int n = 0;

	for (int h = 0; h < o->nhosts; h++)
		n += o->hosts[h].slots;
	return n;
}

/* Does run @r keep files on its host (a remediation's disk, a memory dump,
 * the kept disk of a reproduction)? Then it needs ours. So does a guest whose
 * agent channel is a virtio port (arm64): remote hosts stream serial ports. */
static int needs_local(const struct cl_cell_run *r)
{
	return r->remedy || r->vmcore || r->echo_console || !cl_arch_of(r->spec->kernel)->agent_uart;
}

/* Can host @h take run @r? */
static int fits(const struct cl_sched_host *h, const struct cl_cell_run *r)
{
	return h->local || !needs_local(r);
}

int cl_sched_check_hosts(const struct cl_cell_run *runs, int n, const struct cl_sched_opts *o)
{
	int i, h;

	for (i = 0; i < n; i++) {
		const struct cl_cell_run *r = &runs[i];

		for (h = 0; h < o->nhosts && !fits(&o->hosts[h], r); h++)
			;
		if (h == o->nhosts)
			return cl_err_set(CL_EINPUT, "cell %s: a %s cell%s keeps files on its host, "
					  "and no --uri is this machine's (qemu:///system)",
					  r->spec->id, r->kind->name,
					  r->remedy ? " with --remediate"
					  : r->vmcore ? " with --vmcore" : " reproduced");
	}
	return 0;
}

static int hosts_up_for(const struct pool *pl, const struct cl_cell_run *r)
{
	int i, n = 0;

	for (i = 0; i < pl->o->nhosts; i++)
		n += !pl->down[i] && fits(&pl->o->hosts[i], r);
	return n;
}

/* The first queued run host @h can take, removed from the queue; -1 if none. */
static int take(struct pool *pl, int h)
{
	int i;

	for (i = 0; i < pl->nq; i++)
		if (fits(&pl->o->hosts[h], &pl->runs[pl->queue[i]])) {
			int idx = pl->queue[i];

			memmove(&pl->queue[i], &pl->queue[i + 1], (size_t)(pl->nq - i - 1) * sizeof(int));
			pl->nq--;
			return idx;
		}
	return -1;
}

/* After a run on host @h: lost for good? Then the host is down and the run
 * goes back to the queue when another host can take it. */
static void settle(struct pool *pl, int h, int idx)
{
	struct cl_cell_run *r = &pl->runs[idx];

	if (r->host_gone && !cl_run_interrupted()) {
		if (!pl->down[h])
			fprintf(stderr, "crashlab: host %s is gone; its cells go to the other hosts\n",
				pl->o->hosts[h].uri);
		pl->down[h] = 1;
		if (hosts_up_for(pl, r) > 0) {
			r->moved++;
			cl_cell_set_phase(r, CL_PHASE_QUEUED);
			pl->queue[pl->nq++] = idx;
		}
	}
	pl->inflight--;
	pthread_cond_broadcast(&pl->changed);
}

static void *worker(void *arg)
{
	struct worker_arg *w = arg;
	struct pool *pl = w->pl;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		int idx = pl->down[w->host] ? -1 : take(pl, w->host);

		if (idx < 0) {
			if (pl->down[w->host] || pl->inflight == 0)
				break;
			pthread_cond_wait(&pl->changed, &pl->lock);
			continue;
		}
		pl->inflight++;
		pthread_mutex_unlock(&pl->lock);
		pl->runs[idx].host = pl->o->hosts[w->host].host;
		pl->runs[idx].host_uri = pl->o->hosts[w->host].uri;
		cl_cell_run(&pl->runs[idx]);
		pthread_mutex_lock(&pl->lock);
		settle(pl, w->host, idx);
	}
	pthread_cond_broadcast(&pl->changed);
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* Runs @first to @end (one ring) on every host's slots, until each is done or
 * no host is left for it. */
static void run_ring(struct cl_cell_run *runs, const struct cl_sched_opts *o, int first, int end)
{
	struct pool pl = { .runs = runs, .o = o };
	struct worker_arg *args;
	pthread_t *t;
	int n = cl_sched_slots(o), i, h;

	t = cl_xcalloc((size_t)n, sizeof(*t));
	args = cl_xcalloc((size_t)n, sizeof(*args));
	pl.queue = cl_xcalloc((size_t)(end - first), sizeof(int));
	for (i = first; i < end; i++)
		pl.queue[pl.nq++] = i;
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.changed, NULL);
	for (h = 0, i = 0; h < o->nhosts; h++)
		for (int s = 0; s < o->hosts[h].slots; s++, i++) {
			args[i] = (struct worker_arg){ &pl, h };
			pthread_create(&t[i], NULL, worker, &args[i]);
		}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	/* no worker left for these: every host that could take them is gone */
	for (i = 0; i < pl.nq; i++)
		cl_cell_skip(&runs[pl.queue[i]],
			     cl_run_interrupted() ? "not run: stopped by a signal"
						  : "not run: no libvirt host left to take it");
	pthread_cond_destroy(&pl.changed);
	pthread_mutex_destroy(&pl.lock);
	free(pl.queue);
	free(args);
	free(t);
}

/* With --fail-fast: did a cell of this ring fail? */
static int ring_failed(const struct cl_cell_run *runs, int first, int end)
{
	for (int i = first; i < end; i++)
		if (cl_verdict_is_failure(runs[i].dec.verdict))
			return 1;
	return 0;
}

void cl_sched_run(struct cl_cell_run *runs, int n, const char (*rings)[CL_ID_MAX],
		  const struct cl_sched_opts *o)
{
	struct cl_progress *pg = cl_progress_start(runs, n, rings, o->live_table);
	int first = 0, stopped_by = -1;

	while (first < n) {
		int ring = runs[first].spec->ring, end = first, i;

		while (end < n && runs[end].spec->ring == ring)
			end++;
		if (stopped_by >= 0) {
			char *why = cl_sprintf("not run: ring %s failed (--fail-fast)", rings[stopped_by]);

			for (i = first; i < end; i++)
				cl_cell_skip(&runs[i], why);
			free(why);
		} else {
			run_ring(runs, o, first, end);
			if (o->fail_fast && ring_failed(runs, first, end))
				stopped_by = ring;
		}
		first = end;
	}
	cl_progress_stop(pg);
}
