/*
 * cl_plan.c - choosing and preparing what a run will do (see cl_plan.h).
 *
 * Everything that can be wrong with the inputs is found before anything is
 * downloaded or booted: every owned cell's kernel and image kind is checked
 * first. Then the kernels' images are built on a small pool of threads
 * (downloads and unpacking overlap; each release has its own cache
 * directory), the candidate's modules one kernel after another (each needs
 * its kernel's headers), and the disk images last, only for kernels the
 * candidate built for. What the report needs of these builds (the module
 * lists, the images' sums and packages) is read here, once, while they
 * are built.
 */
#include "cl_plan.h"
#include "cl_dkms.h"
#include "cl_kind.h"
#include "cl_module.h"
#include "cl_run.h"
#include "cl_arch.h"
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
		const struct cl_kind *kind = cl_kind_find(c->image);
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
		i = ip->next < ip->p->nkernels && !cl_run_interrupted() ? ip->next++ : -1;
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
	if (rc == 0 && cl_run_interrupted())
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
 * downloaded or booted when one is unknown); cl_plan_prepare_images builds
 * them after.
 */
/*
 * What this crashlab boots of the Debian fleet: amd64 and arm64 guests of
 * Debian 11, 12 and 13 from initramfs, snapshot and disk images. What an
 * architecture cannot do is its row's (cl_arch.h): arm64 boots no user
 * image, has no BPF loader and no panic event for a memory dump.
 */
static int arch_check(const struct cl_plan *q, const struct cl_cell_spec *c)
{
	const struct cl_arch *a = cl_arch_of(c->kernel);

	if ((!a->disk_images && !strcmp(c->image, "disk")) ||
	    (!a->user_images && !strcmp(c->image, "user")))
		return cl_err_set(CL_EINPUT, "%s: cell %s: %s cells do not boot %s images yet",
				  q->matrix->path, c->id, a->name, c->image);
	if (!a->bpf_loader && q->cand && q->cand->bpf.present)
		return cl_err_set(CL_EINPUT, "%s: cell %s: the BPF sensor's loader is built for amd64 "
				  "only so far", q->matrix->path, c->id);
	if (!a->panic_device && q->vmcore)
		return cl_err_set(CL_EINPUT, "%s: cell %s: --vmcore needs a panic event, which %s "
				  "guests do not have", q->matrix->path, c->id, a->name);
	return 0;
}

static int fleet_check(const struct cl_plan *q, const struct cl_cell_spec *c)
{
	int rc;

	if ((rc = arch_check(q, c)))
		return rc;
	if (q->cand && q->cand->module_name && !q->cand->module_source && !q->cand->nprebuilt &&
	    !q->cand->from_packages && c->release != 12)
		return cl_err_set(CL_EINPUT, "%s: cell %s: DKMS modules are built for Debian 12 "
				  "kernels only so far, not Debian %d", q->matrix->path, c->id,
				  c->release);
	return 0;
}

int cl_plan_check(struct cl_plan *q)
{
	int i, rc;

	q->kernels = cl_xcalloc((size_t)q->ncells, sizeof(*q->kernels));
	for (i = 0; i < q->ncells; i++)
		if (!kernel_of(q, q->cells[i]->kernel))
			q->kernels[q->nkernels++].release = q->cells[i]->kernel;
	for (i = 0; i < q->ncells; i++) {
		const struct cl_cell_spec *c = q->cells[i];
		const struct cl_kind *kind = cl_kind_find(c->image);

		if (!kind)
			return cl_err_set(CL_EINPUT, "%s: cell %s: image kind \"%s\" is not available",
					  q->matrix->path, c->id, c->image);
		/* what the cell's architecture cannot boot, before the kind's own checks */
		if ((rc = fleet_check(q, c)))
			return rc;
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

	for (i = 0; i < q->nkernels && q->cand->module_name; i++) {
		struct cl_kernel_prep *k = &q->kernels[i];
		double t0 = cl_now();
		int rc = cl_module_build(&k->ko, k->ko_sha, q->cand, &k->img, k->release);

		if (rc) {
			k->build_error = cl_xstrdup(cl_err());
			k->build_infra = rc == CL_ETIMEOUT || rc == CL_ESETUP; /* not the candidate's */
			fprintf(stderr, "crashlab: [module %d/%d] %s: %s\n", i + 1, q->nkernels,
				k->release, k->build_error);
			continue;
		}
		fprintf(stderr, "crashlab: [module %d/%d] %s %.12s (%.1f s)\n", i + 1, q->nkernels,
			k->release, k->ko_sha, cl_now() - t0);
		/* not built from a source tree: @ko lists the modules, read once for the report */
		if (k->ko && !q->cand->module_source &&
		    cl_read_file(&k->module_list, NULL, k->ko, 1u << 20))
			k->module_list = NULL;
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

	if (rc == 0 && q->cand && !cl_run_interrupted()) {
		build_modules(q);
		if (q->out)
			keep_modules(q);
	}
	return rc ? rc : prepare_kinds(q);
}

/* @r: owned cell @i's run, as the plan has it (its inputs, its directory). */
static void fill_run(const struct cl_plan *p, int i, struct cl_cell_run *r)
{
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

void cl_plan_make_runs(struct cl_plan *p)
{
	int i;

	p->runs = cl_xcalloc((size_t)p->ncells, sizeof(*p->runs));
	for (i = 0; i < p->ncells; i++)
		fill_run(p, i, &p->runs[i]);
}

void cl_plan_rerun(const struct cl_plan *p, int i, int k, struct cl_cell_run *out)
{
	memset(out, 0, sizeof(*out));
	fill_run(p, i, out);
	free((char *)out->dir);
	out->dir = cl_sprintf("%s/cells/%s/rerun-%d", p->out, out->spec->id, k);
	out->vmcore = 0;
	out->echo_console = 0;
	out->remedy = NULL;
	out->rerun = k;
}

const struct cl_kernel_prep *cl_plan_kernel(const struct cl_plan *p, const char *release)
{
	return kernel_of(p, release);
}

long cl_plan_guest_mib(const struct cl_plan *p)
{
	long mib = 0;

	for (int i = 0; i < p->ncells; i++)
		if (p->cells[i]->memory_mib > mib)
			mib = p->cells[i]->memory_mib;
	return mib;
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
		free(p->kernels[i].module_list);
	}
	free(p->kernels);
	free(p->cells);
	p->runs = NULL;
	p->kernels = NULL;
	p->cells = NULL;
	p->nkernels = p->ncells = 0;
}
