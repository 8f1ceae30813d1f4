/*
 * cmd_bisect.c - crashlab bisect: the patch level where a crash begins.
 *
 * The history knows, for a crash title and one candidate (name and
 * version), the lowest kernel where the crash was met (first bad) and the
 * highest below it that passed (last good). When the matrix has kernels
 * between the two that the candidate never ran on - a gap - bisect runs
 * the middle one as a qualify of that one cell (in a child, recorded in the
 * same history), reads the edge again and repeats until no kernel of the
 * matrix lies between them. A cell that crashes with the title is bad, one
 * that passes is good; any other failure cannot say (the crash may hide
 * behind it) and is set aside, never read as good; an infrastructure error
 * or a signal stops the search. OUT/bisect.json holds every step.
 *
 * Kernels compare as Debian's versions do for these names (strverscmp):
 * every flavour in one list, as `crashlab crashes --title` orders them.
 */
#include "cmd.h"
#include "cl_candidate.h"
#include "cl_history.h"
#include "cl_matrix.h"
#include "cl_run.h"
#include "cl_scenario.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_bisect_usage[] =
	"  bisect --title TITLE --candidate FILE [--matrix FILE] [--db DB]\n"
	"          [--image snapshot|initramfs|disk] [--scenario FILE] [--out DIR]\n"
	"          the kernel where the crash TITLE begins for this candidate, in the\n"
	"          flavour of the first kernel it was met on: from the history's first bad\n"
	"          and last good kernel (crashes --title), the matrix's kernels between\n"
	"          them run one at a time (the middle one first), each run recorded, until\n"
	"          none is left between; a cell failing otherwise is set aside, never read\n"
	"          as good. DIR (default crashlab-out/bisect): bisect.json, steps/N/ (each\n"
	"          run's report); exit 0 the edge found, 1 kernels between could not be\n"
	"          judged, 2 bad input, infrastructure error or stopped\n";

struct bisect {
	struct cmd_qualify_args q; /* what each step runs, but its cell and out */
	const char *title, *out;
	char *name, *version;      /* the candidate's, as the history keeps them */
	struct cl_matrix *mx;
	const char **kernels;      /* the matrix's, distinct, oldest first */
	int nkernels;
	char *tried;               /* per kernel: run by this bisect */
	char *bad, *good;          /* the edge as the history last said it */
	char flavor[64];           /* the first bad kernel's: the only one bisected */
	json_t *steps;
};

static int parse(int argc, char **argv, struct bisect *b)
{
	const struct cmd_opt opts[] = {
		{ "title", &b->title },        { "candidate", &b->q.candidate },
		{ "matrix", &b->q.matrix },    { "db", &b->q.db },
		{ "image", &b->q.cell_image }, { "scenario", &b->q.scenario },
		{ "out", &b->out },            { NULL, NULL } };
	int bad = cmd_string_opts(argc, argv, opts);

	if (!bad && b->title && b->q.candidate)
		return -1;
	fprintf(stderr, "crashlab: bisect: %s\nusage: crashlab %s",
		bad ? "bad option, or one missing its value" : "needs --title and --candidate",
		cmd_bisect_usage + 2);
	return 2;
}

static int by_release(const void *a, const void *b)
{
	return strverscmp(*(const char *const *)a, *(const char *const *)b);
}

/* What every step would refuse, refused before the first: --image (on a
 * copy of the matrix, kept to its first cell) and --scenario. */
static int check_step_inputs(const struct bisect *b)
{
	struct cl_matrix *one = NULL;
	struct cl_scenario *sc = NULL;
	int rc = 0;

	if (b->mx->ncells == 0)
		return cl_err_set(CL_EINPUT, "%s: no cells", b->q.matrix);
	if (b->q.cell_image && (rc = cl_matrix_load(&one, b->q.matrix)) == 0)
		rc = cl_matrix_keep(one, b->mx->cells[0].id, b->q.cell_image);
	if (rc == 0 && b->q.scenario)
		rc = cl_scenario_load(&sc, b->q.scenario);
	cl_matrix_free(one);
	if (sc)
		cl_scenario_free(sc);
	return rc;
}

/* The candidate's name and version, and the matrix's kernels in order. */
static int load(struct bisect *b)
{
	struct cl_candidate *cand;
	int rc = cl_candidate_load(&cand, b->q.candidate), n = 0;

	if (rc)
		return rc;
	b->name = cl_xstrdup(cand->name);
	b->version = cl_xstrdup(cand->version ? cand->version : "");
	cl_candidate_free(cand);
	if ((rc = cl_matrix_load(&b->mx, b->q.matrix)) || (rc = check_step_inputs(b)))
		return rc;
	b->kernels = cl_xcalloc((size_t)b->mx->ncells + 1, sizeof(*b->kernels));
	b->tried = cl_xcalloc((size_t)b->mx->ncells + 1, 1);
	for (int i = 0; i < b->mx->ncells; i++)
		b->kernels[n++] = b->mx->cells[i].kernel;
	qsort(b->kernels, (size_t)n, sizeof(*b->kernels), by_release);
	for (int i = 0; i < n; i++)
		if (b->nkernels == 0 || strcmp(b->kernels[b->nkernels - 1], b->kernels[i]))
			b->kernels[b->nkernels++] = b->kernels[i];
	return 0;
}

/* 1 when @kernel is of the flavour @flavor (a Debian release's last part). */
static int of_flavor(const char *kernel, const void *flavor)
{
	char series[32], f[64];

	return cl_matrix_release_parse(kernel, series, sizeof(series), f, sizeof(f)) == 0 &&
	       !strcmp(f, (const char *)flavor);
}

/* The edge over the first bad kernel's flavour: another flavour is another
 * build (the debug kernel, cloud), not another patch level. */
static int flavor_edge(struct bisect *b, struct cl_history *h, json_t **e)
{
	char series[32];
	const char *bad;
	int rc = cl_history_kernel_edge(h, b->title, b->name, b->version, NULL, NULL, e);

	if (rc || !(bad = json_string_value(json_object_get(*e, "first_bad"))))
		return rc;
	if (cl_matrix_release_parse(bad, series, sizeof(series), b->flavor, sizeof(b->flavor))) {
		b->flavor[0] = '\0'; /* not a Debian name: compared with every kernel */
		return 0;
	}
	json_decref(*e);
	return cl_history_kernel_edge(h, b->title, b->name, b->version, of_flavor, b->flavor, e);
}

/* The history's edge for the title and this candidate into b->bad, b->good. */
static int read_edge(struct bisect *b)
{
	struct cl_history h;
	json_t *e = NULL;
	int rc = cl_history_open(&h, b->q.db);
	const char *bad, *good;

	if (rc == 0) {
		rc = flavor_edge(b, &h, &e);
		cl_history_close(&h);
	}
	if (rc)
		return rc;
	bad = json_string_value(json_object_get(e, "first_bad"));
	good = json_string_value(json_object_get(e, "last_good"));
	free(b->bad);
	free(b->good);
	b->bad = bad ? cl_xstrdup(bad) : NULL;
	b->good = good ? cl_xstrdup(good) : NULL;
	json_decref(e);
	if (!b->bad)
		rc = cl_err_set(CL_EINPUT, "%s: %s %s never met \"%.120s\" in the history %s (run it "
				"on the matrix first: bisect narrows a crash the history holds)",
				b->q.candidate, b->name, b->version, b->title, b->q.db);
	return rc;
}

/* The matrix's kernels strictly between last good and first bad into @idx;
 * @untried: only those this bisect has not run. Their number. */
static int between(const struct bisect *b, int *idx, int untried)
{
	int n = 0;

	for (int i = 0; i < b->nkernels; i++)
		if (strverscmp(b->kernels[i], b->bad) < 0 &&
		    (!b->good || strverscmp(b->kernels[i], b->good) > 0) && !(untried && b->tried[i]) &&
		    (!b->flavor[0] || of_flavor(b->kernels[i], b->flavor)))
			idx[n++] = i;
	return n;
}

/* The first cell of the matrix on @kernel. */
static const char *cell_on(const struct bisect *b, const char *kernel)
{
	for (int i = 0; i < b->mx->ncells; i++)
		if (!strcmp(b->mx->cells[i].kernel, kernel))
			return b->mx->cells[i].id;
	return NULL;
}

/* A step's answer: "bad", "good", "other" (a failure that cannot say), or
 * NULL when nothing can be judged (no report, infrastructure, a signal, an
 * exit code that is not the verdict's). */
static const char *judge(const struct bisect *b, int rc, const char *verdict, const char *title)
{
	/* 0 with a pass, 1 with a failure: anything else the run did not finish */
	if (cl_run_interrupted() || rc != !!strcmp(verdict, "pass") || !strcmp(verdict, "no report") ||
	    !strcmp(verdict, "infra_error") || !strcmp(verdict, "not_run"))
		return NULL;
	if (!strcmp(title, b->title) && strcmp(verdict, "pass"))
		return "bad";
	return strcmp(verdict, "pass") ? "other" : "good";
}

/* 1 when the step's run is in the history: the next edge is read from there. */
static int recorded(const char *dir)
{
	char *path = cl_sprintf("%s/report.json", dir);
	json_t *r = json_load_file(path, 0, NULL);
	int yes = json_is_true(json_object_get(json_object_get(r, "history"), "recorded"));

	if (r && !yes)
		fprintf(stderr, "crashlab: bisect: %s: the run was not recorded in the history\n", path);
	json_decref(r);
	free(path);
	return yes;
}

static void say_step(int n, const char *verdict, const char *title, const char *answer, double s)
{
	char *line = cl_sprintf("crashlab: bisect: step %d: %s%s%s -> %s (%.1f s)", n, verdict,
				title[0] ? ": " : "", title,
				answer ? answer : "cannot judge, see its crashlab.log", s);

	cl_sanitize(line); /* the title is the guest's words */
	fprintf(stderr, "%s\n", line);
	free(line);
}

/* Run kernel @k's cell as step @n; 0, or 2 when the step cannot be judged. */
static int step(struct bisect *b, int k, int n)
{
	struct cmd_qualify_args a = b->q;
	char *dir = cl_sprintf("%s/steps/%d", b->out, n), *log = cl_sprintf("%s/crashlab.log", dir);
	char verdict[32], title[320];
	double t0 = cl_now();
	const char *answer;
	int rc;

	b->tried[k] = 1;
	a.cell = cell_on(b, b->kernels[k]);
	a.out = dir;
	fprintf(stderr, "crashlab: bisect: step %d: cell %s (%s), between %s and %s\n", n, a.cell,
		b->kernels[k], b->good ? b->good : "the oldest", b->bad);
	cl_rm_rf(dir); /* an earlier bisect's step N is never read as this one's */
	rc = cl_mkdir_p(dir, 0755) ? -1 : cmd_qualify_child(&a, log);
	cmd_cell_result(dir, verdict, sizeof(verdict), title, sizeof(title));
	answer = recorded(dir) ? judge(b, rc, verdict, title) : NULL;
	say_step(n, verdict, title, answer, cl_now() - t0);
	json_array_append_new(b->steps, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:f}", "step",
						  n, "cell", a.cell, "kernel", b->kernels[k],
						  "verdict", verdict, "title", title, "answer",
						  answer ? answer : "cannot_judge", "dir", dir,
						  "seconds", cl_now() - t0));
	free(dir);
	free(log);
	return answer ? 0 : 2;
}

/* OUT/bisect.json and the answer on stdout; @open: kernels between that
 * could not be judged (@nopen of them, in @idx). */
static int conclude(struct bisect *b, const int *idx, int nopen, int complete)
{
	char *js = cl_sprintf("%s/bisect.json", b->out), *line;
	json_t *left = json_array(), *o;
	int rc;

	for (int i = 0; i < nopen; i++)
		json_array_append_new(left, json_string(b->kernels[idx[i]]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:o, s:b, s:i, s:O}", "title",
		      b->title, "candidate", b->q.candidate, "name", b->name, "version", b->version,
		      "matrix", b->q.matrix, "flavor", b->flavor, "first_bad", b->bad, "last_good",
		      b->good, "not_judged", left, "complete", complete, "runs",
		      (int)json_array_size(b->steps), "steps", b->steps);
	rc = json_dump_file(o, js, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	line = cl_sprintf("%s: first bad %s, last good %s%s, in %zu run%s of cells",
			  complete ? "edge" : "edge so far (search stopped)", b->bad,
			  b->good ? b->good : "- (none in the matrix below it)",
			  nopen ? ", kernels between not judged" : "", json_array_size(b->steps),
			  json_array_size(b->steps) == 1 ? "" : "s");
	cl_sanitize(line); /* kernel names as the history holds them */
	printf("%s\n", line);
	free(line);
	for (int i = 0; i < nopen; i++)
		printf("  not judged: %s\n", b->kernels[idx[i]]);
	printf("written: %s\n", js);
	json_decref(o);
	free(js);
	return rc ? cl_err_set(CL_EINFRA, "%s: cannot write", b->out) : 0;
}

/* Narrow the edge until no untried kernel of the matrix lies inside it. */
static int bisect(struct bisect *b)
{
	int *idx = cl_xcalloc((size_t)b->nkernels + 1, sizeof(*idx)), n, rc, steps = 0;

	while ((rc = read_edge(b)) == 0 && (n = between(b, idx, 1)) > 0 &&
	       (rc = step(b, idx[n / 2], ++steps)) == 0)
		;
	if (rc < 0)
		fprintf(stderr, "crashlab: bisect: %s\n", cl_err());
	else if (rc)
		fprintf(stderr, "crashlab: bisect: step %d could not be judged: the search stops\n",
			steps);
	else if (steps == 0)
		fprintf(stderr, "crashlab: bisect: no kernel of %s lies between the history's last "
			"good and first bad: nothing to run\n", b->q.matrix);
	if (b->bad) {
		n = between(b, idx, 0); /* set aside, or not reached when the search stopped */
		if (conclude(b, idx, n, rc == 0)) {
			fprintf(stderr, "crashlab: bisect: %s\n", cl_err());
			rc = 2;
		}
		rc = rc ? 2 : n > 0;
	}
	free(idx);
	return rc ? (rc < 0 ? 2 : rc) : 0;
}

int cmd_bisect(int argc, char **argv)
{
	struct bisect b = { .q = { .skip_preflight = 1 } };
	char *matrix = NULL, *db = NULL;
	int rc;

	if ((rc = parse(argc, argv, &b)) >= 0)
		return rc;
	if (!b.q.matrix)
		b.q.matrix = matrix = cl_sprintf("%s/matrix/smoke.json", cl_data_dir());
	if (!b.q.db)
		b.q.db = db = cl_history_default();
	if (!b.out)
		b.out = "crashlab-out/bisect";
	b.steps = json_array();
	if ((rc = load(&b)) || (rc = cl_mkdir_p(b.out, 0755))) {
		fprintf(stderr, "crashlab: bisect: %s\n", cl_err());
		rc = 2;
	} else {
		cl_run_catch_signals();
		rc = bisect(&b);
	}
	json_decref(b.steps);
	cl_matrix_free(b.mx);
	free((void *)b.kernels);
	free(b.tried);
	free(b.name);
	free(b.version);
	free(b.bad);
	free(b.good);
	free(matrix);
	free(db);
	return rc;
}
