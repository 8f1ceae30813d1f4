/*
 * cl_preflight_run.c - running the candidate's pre-flight steps (see
 * cl_preflight_run.h). Each step runs through env(1): -C puts it in the
 * manifest's directory and the module's make_vars go in its environment,
 * so nothing of crashlab's own directory leaks into it.
 */
#include "cl_preflight_run.h"
#include "cl_builder.h"
#include "cl_run.h"
#include "cl_scratch.h"
#include "cl_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A directory made and named absolutely (the step runs elsewhere); NULL and said. */
static char *abs_dir(const char *path)
{
	char *abs;

	if (cl_mkdir_p(path, 0755)) {
		cl_err_set(CL_EINFRA, "%s: cannot create: %s", path, cl_err());
		return NULL;
	}
	abs = realpath(path, NULL);
	if (!abs)
		cl_err_set(CL_EINFRA, "%s: %s", path, strerror(errno));
	return abs;
}

/* Where one run of a step may write: {out}, {cache}, and its log. */
struct step_dirs {
	char *out, *cache, *out_rel, *log_rel, *log;
	char *scratch, *work;  /* {out} while the step runs: the build user's, copied to @out after */
};

static int step_dirs(struct step_dirs *d, const struct cl_candidate *c,
		     const struct cl_preflight_step *s, const struct cl_content_spec *cs,
		     const char *out)
{
	char *k = cl_sprintf("%s/preflight/%s/%s", cl_cache_dir(), c->name, s->name), *o;

	d->out_rel = cs ? cl_sprintf("preflight/%s/%s", s->name, cs->name)
			: cl_sprintf("preflight/%s", s->name);
	o = cl_path_join(out, d->out_rel);
	d->out = abs_dir(o);
	d->cache = d->out ? abs_dir(k) : NULL;
	d->log_rel = cs ? cl_sprintf("preflight/%s/%s.log", s->name, cs->name)
			: cl_sprintf("preflight/%s.log", s->name);
	d->log = cl_path_join(out, d->log_rel);
	free(o);
	free(k);
	d->scratch = d->cache ? cl_scratch_new("pf-") : NULL;
	d->work = d->scratch ? cl_path_join(d->scratch, "out") : NULL;
	if (d->work && cl_mkdir_p(d->work, 0755))
		return cl_err_set(CL_EINFRA, "%s: cannot create: %s", d->work, cl_err());
	if (d->cache)
		unlink(d->log);
	return d->work ? 0 : CL_EINFRA;
}

static void step_dirs_clear(struct step_dirs *d)
{
	if (d->scratch)
		cl_rm_rf(d->scratch);
	free(d->scratch);
	free(d->work);
	free(d->out);
	free(d->cache);
	free(d->out_rel);
	free(d->log_rel);
	free(d->log);
}

/* env -C DIR VARS... ARGV with the placeholders filled; new strings in @own. */
static void build_argv(char **argv, char **own, int *nown, const struct cl_candidate *c,
		       const struct cl_preflight_step *s, const char *dir,
		       const struct step_dirs *d, const char *content)
{
	int a = 0, i;

	argv[a++] = "env";
	argv[a++] = "-C";
	argv[a++] = (char *)dir;
	for (i = 0; i < c->nmake_vars; i++)
		argv[a++] = c->make_vars[i];
	for (i = 0; s->argv[i]; i++) {
		const char *w = s->argv[i];

		if (!strcmp(w, "{content}"))
			argv[a++] = own[(*nown)++] = cl_xstrdup(content);
		else if (!strcmp(w, "{out}"))
			argv[a++] = d->work;
		else if (!strcmp(w, "{cache}"))
			argv[a++] = d->cache;
		else
			argv[a++] = (char *)w;
	}
	argv[a] = NULL;
}

/*
 * The candidate's code, run as the build user: it writes its {cache} and
 * a {out} of its own, which is then copied into the run's directory (a link
 * it left there is refused, never followed). Its exit status, or a
 * negative cl_rc.
 */
static int run_unprivileged(char **argv, const struct step_dirs *d, const char *dir,
			    double timeout_s)
{
	int rc;

	if ((rc = cl_builder_can_read(dir)) == 0 && (rc = cl_builder_give(d->work)) == 0 &&
	    (rc = cl_builder_give(d->cache)) == 0)
		rc = cl_run_ex(argv, &(struct cl_run_opts){ .log = d->log, .timeout_s = timeout_s,
							     .candidate_code = 1 });
	if (cl_builder_take(d->work) || cl_builder_take(d->cache))
		rc = rc < 0 ? rc : CL_ESETUP;
	if (cl_copy_tree(d->work, d->out) && rc >= 0)
		rc = cl_err_set(CL_EINFRA, "pre-flight output: %s", cl_err());
	return rc;
}

/* One run of step @s (on content @cs, or NULL) into @r. */
static void run_step(struct cl_preflight_result *r, const struct cl_candidate *c,
		     const struct cl_preflight_step *s, const struct cl_content_spec *cs,
		     const char *dir, const char *out)
{
	char *argv[4 + CL_MAX_MAKE_VARS + CL_MAX_PREFLIGHT_ARGS], *own[CL_MAX_PREFLIGHT_ARGS];
	char *content = cs ? realpath(cs->file, NULL) : NULL, *last;
	struct step_dirs d = { 0 };
	int nown = 0, rc;
	double t0 = cl_now();

	*r = (struct cl_preflight_result){ .step = s->name, .content = cs ? cs->name : NULL,
					   .status = CL_PF_ERROR, .exit_code = -1 };
	if (step_dirs(&d, c, s, cs, out) || (cs && !content)) {
		snprintf(r->detail, sizeof(r->detail), "%s", cs && !content ? "content file gone"
									     : cl_err());
		goto out;
	}
	snprintf(r->log, sizeof(r->log), "%s", d.log_rel);
	snprintf(r->dir, sizeof(r->dir), "%s", d.out_rel);
	build_argv(argv, own, &nown, c, s, dir, &d, content);
	fprintf(stderr, "crashlab: pre-flight %s%s%s ...\n", s->name, cs ? " on " : "",
		cs ? cs->name : "");
	rc = run_unprivileged(argv, &d, dir, s->timeout_s);
	r->seconds = cl_now() - t0;
	if (rc < 0) {
		snprintf(r->detail, sizeof(r->detail), "%s", cl_err());
		goto out;
	}
	r->exit_code = rc;
	last = cl_log_last_line(d.log);
	snprintf(r->detail, sizeof(r->detail), "%s", last);
	cl_sanitize(r->detail);
	free(last);
	if (rc == 126 || rc == 127) /* env: the command could not be found or run */
		snprintf(r->detail, sizeof(r->detail), "could not be started (exit %d): %.200s", rc,
			 s->argv[0]);
	r->status = rc == 0 ? CL_PF_PASS : rc == 126 || rc == 127 ? CL_PF_ERROR : CL_PF_FAIL;
out:
	while (nown > 0)
		free(own[--nown]);
	free(content);
	step_dirs_clear(&d);
}

int cl_preflight_run(const struct cl_candidate *c, const char *out,
		     struct cl_preflight_result *res)
{
	char *dir = cl_dirname(c->path);
	int n = 0, i, k;

	for (i = 0; i < c->npreflight && !cl_run_interrupted(); i++) {
		const struct cl_preflight_step *s = &c->preflight[i];

		if (!s->per_content) {
			run_step(&res[n++], c, s, NULL, dir, out);
			continue;
		}
		for (k = 0; k < c->ncontent && n < CL_MAX_PREFLIGHT_RESULTS; k++)
			run_step(&res[n++], c, s, &c->content[k], dir, out);
	}
	free(dir);
	return n;
}
