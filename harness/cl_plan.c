/*
 * cl_plan.c - choosing and preparing what a run will do (see cl_plan.h).
 */
#include "cl_plan.h"
#include "cl_dkms.h"
#include "cl_kind.h"
#include "cl_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cl_plan_parse_shard(const char *text, int *k, int *n)
{
	char *end;
	long a = strtol(text, &end, 10), b;

	if (end == text || *end != '/')
		return cl_err_set(CL_EINPUT, "--shard: \"%s\" is not K/N", text);
	b = strtol(end + 1, &end, 10);
	if (*end || a < 1 || b < 1 || a > b || b > 1024)
		return cl_err_set(CL_EINPUT, "--shard: \"%s\": need 1 <= K <= N <= 1024", text);
	*k = (int)a;
	*n = (int)b;
	return 0;
}

int cl_plan_select(struct cl_plan *p)
{
	const struct cl_matrix *m = p->matrix;
	int ring, i;

	if (p->nshards < 1) {
		p->shard = 1;
		p->nshards = 1;
	}
	p->cells = cl_xcalloc((size_t)m->ncells, sizeof(*p->cells));
	p->ncells = 0;
	/* ring by ring; the shard is taken by position in the file, so it does not move */
	for (ring = 0; ring < m->nrings; ring++)
		for (i = 0; i < m->ncells; i++)
			if (m->cells[i].ring == ring && i % p->nshards == p->shard - 1)
				p->cells[p->ncells++] = &m->cells[i];
	if (p->ncells == 0)
		return cl_err_set(CL_EINPUT, "%s: shard %d/%d has no cells (the matrix has %d)",
				  m->path, p->shard, p->nshards, m->ncells);
	return 0;
}

static struct cl_kernel_prep *kernel_of(const struct cl_plan *p, const char *release)
{
	int i;

	for (i = 0; i < p->nkernels; i++)
		if (!strcmp(p->kernels[i].release, release))
			return &p->kernels[i];
	return NULL;
}

/* What each cell's image kind needs beyond the release's kernel (disk images). */
static int prepare_kinds(struct cl_plan *q)
{
	int i, rc;

	for (i = 0; i < q->ncells; i++) {
		const struct cl_cell_spec *c = q->cells[i];
		const struct cl_image_kind *kind = cl_kind_find(c->image);
		struct cl_kernel_prep *k = kernel_of(q, c->kernel);
		double t0 = cl_now();

		/* no prepare: the release's kernel and base initramfs are all it needs;
		 * a kernel the candidate did not build for boots nothing */
		if (!kind->prepare || (k->img.disk && !strcmp(c->image, "disk")) || k->build_error)
			continue;
		fprintf(stderr, "crashlab: [%s image] %s: %s ...\n", c->image, c->id, c->kernel);
		if ((rc = kind->prepare(&k->img, c, q->cand)))
			return rc == CL_EINPUT ? cl_err_set(rc, "%s: %s", q->matrix->path, cl_err()) : rc;
		fprintf(stderr, "crashlab: [%s image] %s ready (%.1f s)\n", c->image, c->id,
			cl_now() - t0);
	}
	return 0;
}

#define IMAGE_JOBS 4   /* images built at a time: downloads and unpacking overlap */

struct image_pool {
	struct cl_plan *p;
	int next, done;
	int *rc;
	char **err;
	pthread_mutex_t lock;
};

static void *image_worker(void *arg)
{
	struct image_pool *ip = arg;

	for (;;) {
		struct cl_kernel_prep *k;
		double t0 = cl_now();
		int i;

		pthread_mutex_lock(&ip->lock);
		i = ip->next < ip->p->nkernels && !cl_interrupted() ? ip->next++ : -1;
		pthread_mutex_unlock(&ip->lock);
		if (i < 0)
			return NULL;
		k = &ip->p->kernels[i];
		if ((ip->rc[i] = cl_image_ensure(&k->img, k->release)))
			ip->err[i] = cl_xstrdup(cl_err());
		pthread_mutex_lock(&ip->lock);
		ip->done++;
		fprintf(stderr, "crashlab: [image %d/%d] %s %s (%.1f s)\n", ip->done, ip->p->nkernels,
			k->release, ip->rc[i] ? "failed" : "ready", cl_now() - t0);
		pthread_mutex_unlock(&ip->lock);
	}
}

/* Every kernel's image, IMAGE_JOBS at a time; the first failure (in kernel order) is the error. */
static int build_images(struct cl_plan *p)
{
	struct image_pool ip = { .p = p, .rc = cl_xcalloc((size_t)p->nkernels, sizeof(int)),
				 .err = cl_xcalloc((size_t)p->nkernels, sizeof(char *)) };
	int n = p->nkernels < IMAGE_JOBS ? p->nkernels : IMAGE_JOBS, i, rc = 0;
	pthread_t t[IMAGE_JOBS];

	pthread_mutex_init(&ip.lock, NULL);
	fprintf(stderr, "crashlab: %d kernel image%s to check or build, %d at a time\n",
		p->nkernels, p->nkernels == 1 ? "" : "s", n);
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, image_worker, &ip);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < p->nkernels && rc == 0; i++)
		if (ip.rc[i])
			rc = ip.rc[i] == CL_EINPUT
				     ? cl_err_set(CL_EINPUT, "%s: %s", p->matrix->path, ip.err[i])
				     : cl_err_set(ip.rc[i], "%s", ip.err[i]);
	if (rc == 0 && cl_interrupted())
		rc = cl_err_set(CL_ETIMEOUT, "interrupted while images were built");
	for (i = 0; i < p->nkernels; i++)
		free(ip.err[i]);
	free(ip.err);
	free(ip.rc);
	pthread_mutex_destroy(&ip.lock);
	return rc;
}

/*
 * The owned cells' distinct kernels, checked all at once (nothing is
 * downloaded or booted when one is unknown), then their images built or
 * found, several at a time.
 */
int cl_plan_check(struct cl_plan *q)
{
	int i, rc;

	q->kernels = cl_xcalloc((size_t)q->ncells, sizeof(*q->kernels));
	for (i = 0; i < q->ncells; i++)
		if (!kernel_of(q, q->cells[i]->kernel))
			q->kernels[q->nkernels++].release = q->cells[i]->kernel;
	for (i = 0; i < q->ncells; i++) {
		const struct cl_cell_spec *c = q->cells[i];
		const struct cl_image_kind *kind = cl_kind_find(c->image);

		if (!kind)
			return cl_err_set(CL_EINPUT, "%s: cell %s: image kind \"%s\" is not available",
					  q->matrix->path, c->id, c->image);
		if (kind->check && (rc = kind->check(c)))
			return cl_err_set(rc, "%s: %s", q->matrix->path, cl_err());
		if (q->cand && q->cand->nmutants && kind->plan != CL_PLAN_ONCE)
			return cl_err_set(CL_EINPUT, "%s: cell %s: --mutants needs a kind whose agent "
					  "loads the candidate (initramfs, snapshot), not %s",
					  q->matrix->path, c->id, c->image);
	}
	for (i = 0; i < q->nkernels; i++)
		if ((rc = cl_image_check(q->kernels[i].release)))
			return cl_err_set(rc, "%s: %s", q->matrix->path, cl_err());
	return 0;
}

/* The candidate module for each kernel; a build failure fails that kernel's cells. */
static void build_modules(struct cl_plan *q)
{
	int i;

	for (i = 0; i < q->nkernels; i++) {
		struct cl_kernel_prep *k = &q->kernels[i];
		double t0 = cl_now();
		int rc = cl_module_build(&k->ko, k->ko_sha, q->cand, &k->img, k->release);

		if (rc) {
			k->build_error = cl_xstrdup(cl_err());
			k->build_infra = rc == CL_ETIMEOUT || rc == CL_ESETUP; /* not the candidate's */
			fprintf(stderr, "crashlab: [module %d/%d] %s: %s\n", i + 1, q->nkernels,
				k->release, k->build_error);
		} else {
			fprintf(stderr, "crashlab: [module %d/%d] %s %.12s (%.1f s)\n", i + 1,
				q->nkernels, k->release, k->ko_sha, cl_now() - t0);
		}
	}
}

/* One built module into OUT/modules/RELEASE/NAME.ko, checked after the copy. */
static int keep_module(const char *release, const char *name, const char *ko, const char *sha,
		       const char *out)
{
	char *dir = cl_sprintf("%s/modules/%s", out, release), *to = cl_sprintf("%s/%s.ko", dir, name);
	char have[CL_SHA256_HEX];
	int rc = cl_mkdir_p(dir, 0755);

	if (rc == 0 && (rc = cl_copy_tree(ko, to)) == 0 &&
	    (cl_sha256_file(have, to) || (sha && strcmp(have, sha))))
		rc = cl_err_set(CL_EINFRA, "%s changed while it was copied to %s", ko, to);
	free(dir);
	free(to);
	return rc;
}

struct keep_ctx {
	const char *release, *out;
};

static int keep_listed(void *ctx, const char *name, const char *ko)
{
	const struct keep_ctx *k = ctx;

	return keep_module(k->release, name, ko, NULL, k->out);
}

/*
 * The modules crashlab built or laid out for each kernel, as a release
 * ships them: OUT/modules/RELEASE/NAME.ko (what `gate --modules` checks).
 * A module that cannot be kept is said; the run goes on.
 */
static void keep_modules(const struct cl_plan *q)
{
	for (int i = 0; i < q->nkernels; i++) {
		const struct cl_kernel_prep *k = &q->kernels[i];
		struct keep_ctx ctx = { k->release, q->out };
		int rc;

		if (!k->ko || q->cand->from_packages)
			continue;
		rc = q->cand->module_source
			     ? keep_module(k->release, q->cand->module_name, k->ko, k->ko_sha, q->out)
			     : cl_dkms_each(k->ko, keep_listed, &ctx);
		if (rc)
			fprintf(stderr, "crashlab: cannot keep the module of %s: %s\n", k->release,
				cl_err());
	}
}

int cl_plan_prepare_images(struct cl_plan *q)
{
	int rc = build_images(q);

	if (rc == 0 && q->cand && !cl_interrupted()) {
		build_modules(q);
		if (q->out)
			keep_modules(q);
	}
	return rc ? rc : prepare_kinds(q);
}

void cl_plan_make_runs(struct cl_plan *p)
{
	int i;

	p->runs = cl_xcalloc((size_t)p->ncells, sizeof(*p->runs));
	for (i = 0; i < p->ncells; i++) {
		struct cl_cell_run *r = &p->runs[i];
		const struct cl_kernel_prep *k = kernel_of(p, p->cells[i]->kernel);

		r->spec = p->cells[i];
		r->cand = p->cand;
		r->scn = p->scn;
		r->img = &k->img;
		r->kind = cl_kind_find(r->spec->image);
		r->ko_path = k->ko;
		r->build_error = k->build_error;
		r->build_infra = k->build_infra;
		r->virt_type = p->virt_type;
		r->dir = cl_sprintf("%s/cells/%s", p->out, r->spec->id);
		r->vmcore = p->vmcore;
		r->echo_console = p->echo_console;
		r->remedy = p->remedy;
	}
}

/* Read @dir/@name into @out (at most @cap - 1 bytes); "" when there is none. */
static void read_small(char *out, size_t cap, const char *dir, const char *name)
{
	char *path = cl_path_join(dir, name), *text = NULL;
	size_t len;

	out[0] = '\0';
	if (cl_read_file(&text, &len, path, 4096) == 0)
		snprintf(out, cap, "%s", text);
	free(text);
	free(path);
}

/* What the cell booted, as the image cache verified it (sums), and its packages. */
static void media_of(struct cl_report_cell *rc, const struct cl_cell_run *r)
{
	const char *file = !strcmp(r->spec->image, "disk") ? r->img->disk : r->img->vmlinuz;
	char *dir;

	if (r->spec->user_path) {
		const char *base = strrchr(r->spec->user_path, '/');

		snprintf(rc->media_sums, sizeof(rc->media_sums), "%s *%s\n", r->spec->user_sha256,
			 base ? base + 1 : r->spec->user_path);
		return;
	}
	if (!file || !r->img->vmlinuz)
		return;
	dir = cl_dirname(file);
	read_small(rc->media_sums, sizeof(rc->media_sums), dir, "sums");
	free(dir);
	dir = cl_dirname(r->img->vmlinuz);
	read_small(rc->packages, sizeof(rc->packages), dir, "packages");
	free(dir);
}

static void fill_report_cell(struct cl_report_cell *rc, const struct cl_cell_run *r,
			     const struct cl_kernel_prep *k)
{
	const struct cl_triage_result *tr = cl_triage_result(r->sm.tr);
	const char *loaded = NULL;
	int i;

	rc->spec = r->spec;
	rc->verdict = r->dec.verdict;
	snprintf(rc->title, sizeof(rc->title), "%s", r->dec.title);
	cl_sanitize(rc->title);
	rc->boots = r->sm.ev.boots;
	rc->ev = &r->sm.ev;
	rc->remedy = r->remedied ? &r->remedy_result : NULL;
	rc->attempts = r->attempts;
	rc->retried_because = r->retried_because[0] ? r->retried_because : NULL;
	rc->host = r->host_uri;
	rc->moved = r->moved;
	rc->snapshot_sha256 = r->snapshot_sha256[0] ? r->snapshot_sha256 : NULL;
	rc->snapshot_built = r->snapshot_built;
	rc->cmdline = r->cmdline;
	rc->duration_s = r->duration_s;
	rc->nphases = r->tries > 0 ? cl_cell_phases(r, rc->phases) : 0;
	media_of(rc, r);
	if (k->ko && !r->cand->from_packages) /* those are bound by their package's digest */
		snprintf(rc->module_sha256, sizeof(rc->module_sha256), "%s", k->ko_sha);
	if (k->ko && !r->cand->module_source && cl_read_file(&rc->module_list, NULL, k->ko, 1u << 20))
		rc->module_list = NULL;
	for (i = 0; i < r->cand->ncontent && !loaded; i++)
		if (r->cand->content[i].reported_as)
			loaded = cl_evidence_status(&r->sm.ev, r->cand->content[i].reported_as);
	if (loaded && cl_is_sha256_hex(loaded))
		snprintf(rc->loaded_digest, sizeof(rc->loaded_digest), "%s", loaded);
	snprintf(rc->release_seen, sizeof(rc->release_seen), "%s", r->sm.ev.release);
	if (r->ko_path && r->attempts > 0)
		rc->console = cl_sprintf("cells/%s/console.log", r->spec->id);
	if (tr->crashed) {
		snprintf(rc->crash_class, sizeof(rc->crash_class), "%s", cl_class_name(tr->cls));
		snprintf(rc->frame, sizeof(rc->frame), "%s", tr->frame);
		snprintf(rc->module, sizeof(rc->module), "%s", tr->module);
		rc->corrupted = tr->corrupted;
		rc->excerpt = cl_xstrdup(tr->excerpt);
	}
}

void cl_plan_report_cells(const struct cl_plan *p, struct cl_report *rep)
{
	int i;

	rep->ncells = p->ncells;
	rep->cells = cl_xcalloc((size_t)p->ncells, sizeof(*rep->cells));
	for (i = 0; i < p->ncells; i++)
		fill_report_cell(&rep->cells[i], &p->runs[i], kernel_of(p, p->runs[i].spec->kernel));
}

void cl_plan_clear(struct cl_plan *p)
{
	int i;

	for (i = 0; p->runs && i < p->ncells; i++) {
		cl_cell_run_clear(&p->runs[i]);
		free((char *)p->runs[i].dir);
	}
	free(p->runs);
	for (i = 0; i < p->nkernels; i++) {
		cl_image_clear(&p->kernels[i].img);
		free(p->kernels[i].ko);
		free(p->kernels[i].build_error);
	}
	free(p->kernels);
	free(p->cells);
	p->runs = NULL;
	p->kernels = NULL;
	p->cells = NULL;
	p->nkernels = p->ncells = 0;
}
