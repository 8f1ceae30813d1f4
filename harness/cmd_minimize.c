/*
 * cmd_minimize.c - crashlab minimize: the smallest content that still
 * crashes a cell, so a responder learns which instance and criterion of a
 * content file the crash needs.
 *
 * The cell's first run takes the candidate's content as published and must
 * fail; its verdict and title are the target. Then cl_minimize() proposes
 * ever smaller contents (instances, then each kept instance's criteria:
 * cl_minimize.h), each written by the content format's reduce() and run as
 * a qualify of that one cell, restored from its snapshot, in a child
 * process whose output goes to OUT/trials/N/. A content that fails with the
 * same verdict and title is kept. A trial that cannot judge (an
 * infrastructure error, a signal) stops the search: never read as "does not
 * crash". OUT/minimize.json and OUT/minimal.bin hold the result.
 */
#include "cmd.h"
#include "cl_candidate.h"
#include "cl_matrix.h"
#include "cl_mutants.h"
#include "cl_run.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_minimize_usage[] =
	"  minimize --candidate FILE --cell ID [--matrix FILE] [--content NAME]\n"
	"          [--image snapshot|initramfs|disk] [--scenario FILE] [--out DIR]\n"
	"          the smallest content that still fails cell ID (default matrix\n"
	"          matrix/smoke.json) with the same verdict and title: instances removed,\n"
	"          then criteria, each try a run of that cell (from its snapshot by\n"
	"          default); names the instances and criteria the crash needs;\n"
	"          DIR (default crashlab-out/minimize-ID): minimize.json, minimal.bin,\n"
	"          trials/N/ (each run's report); exit 0 found, 1 the content does not\n"
	"          fail the cell, 2 bad input, infrastructure error or stopped\n";

struct minimize {
	struct cmd_qualify_args q;          /* what each trial runs, but its out and content */
	const char *out, *content;
	char name[64];                      /* the content entry's, when --content was not given */
	const struct cl_mutants_format *fmt;
	char *data;                         /* the content as published */
	size_t len;
	struct cl_content_parts parts;
	char verdict[32], title[320];       /* the target, from the first run */
	int trials;
	json_t *log;                        /* one object per trial */
};

static int parse(int argc, char **argv, struct minimize *m)
{
	const struct cmd_opt opts[] = {
		{ "candidate", &m->q.candidate }, { "cell", &m->q.cell },
		{ "matrix", &m->q.matrix },       { "content", &m->content },
		{ "image", &m->q.cell_image },    { "scenario", &m->q.scenario },
		{ "out", &m->out },               { NULL, NULL } };
	int bad = cmd_string_opts(argc, argv, opts);

	if (!bad && m->q.candidate && m->q.cell)
		return -1;
	fprintf(stderr, "crashlab: minimize: %s\nusage: crashlab %s",
		bad ? "bad option, or one missing its value" : "needs --candidate and --cell",
		cmd_minimize_usage + 2);
	return 2;
}

/* The content entry to reduce (--content, else the first loaded at boot), its bytes and parts. */
static int load_content(struct minimize *m)
{
	struct cl_candidate *cand;
	const struct cl_content_spec *cs = NULL;
	int rc;

	if ((rc = cl_candidate_load(&cand, m->q.candidate)))
		return rc;
	for (int k = 0; k < cand->ncontent && !cs; k++)
		if (m->content ? !strcmp(cand->content[k].name, m->content) : !cand->content[k].update_via)
			cs = &cand->content[k];
	if (!cs)
		rc = cl_err_set(CL_EINPUT, "%s: no %s%s", m->q.candidate,
				m->content ? "content entry named " : "content loaded at boot",
				m->content ? m->content : "");
	else if (cl_read_file(&m->data, &m->len, cs->file, CL_MAX_MUTANT_BYTES))
		rc = CL_EINPUT;
	else if (!(m->fmt = cl_mutants_format_of((unsigned char *)m->data, m->len)) || !m->fmt->parts)
		rc = cl_err_set(CL_EINPUT, "%s: content %s: crashlab knows no structure of its format "
				"to reduce", m->q.candidate, cs->name);
	else if (m->fmt->parts(&m->parts, (unsigned char *)m->data, m->len))
		rc = cl_err_set(CL_EINPUT, "%s: content %s: %s is not a well-formed %s file",
				m->q.candidate, cs->name, cs->file, m->fmt->name);
	if (cs && !rc && !m->content) {
		snprintf(m->name, sizeof(m->name), "%s", cs->name);
		m->content = m->name;
	}
	cl_candidate_free(cand);
	return rc;
}

/* The cell is in the matrix, and the content entry can be reduced: before any run. */
static int load_inputs(struct minimize *m)
{
	struct cl_matrix *mx;
	int rc;

	if ((rc = cl_matrix_load(&mx, m->q.matrix)) == 0) {
		rc = cl_matrix_keep(mx, m->q.cell, m->q.cell_image);
		cl_matrix_free(mx);
	}
	return rc ? rc : load_content(m);
}

/* Run the one cell with @file in place of the content, in a child whose
 * output goes to @dir/crashlab.log; its exit code, or -1. */
static int run_child(const struct minimize *m, const char *dir, const char *file)
{
	struct cmd_qualify_args a = m->q;
	char *log = cl_sprintf("%s/crashlab.log", dir);
	int rc;

	a.out = dir;
	a.content_name = m->content;
	a.content_file = file;
	rc = cmd_qualify_child(&a, log);
	free(log);
	return rc;
}

/* Trial @n's answer from its exit code @rc and cell: 1 the same failure
 * (trial 0: a failure, which becomes the target), 0 not, -1 cannot judge. */
static int judge(struct minimize *m, int n, int rc, const char *verdict, const char *title)
{
	if (cl_run_interrupted() || rc < 0 || !strcmp(verdict, "no report") ||
	    !strcmp(verdict, "infra_error") || !strcmp(verdict, "not_run"))
		return -1;
	if (n > 0)
		return !strcmp(verdict, m->verdict) && !strcmp(title, m->title);
	if (!strcmp(verdict, "pass"))
		return 0;
	snprintf(m->verdict, sizeof(m->verdict), "%s", verdict);
	snprintf(m->title, sizeof(m->title), "%s", title);
	return 1;
}

/* Write the content @k keeps to @file. */
static int write_kept(const struct minimize *m, const struct cl_content_keep *k, const char *file)
{
	unsigned char *buf = cl_xmalloc(m->len);
	size_t len = m->fmt->reduce(buf, (const unsigned char *)m->data, m->len, k);
	int rc = len ? cl_write_file(file, buf, len) : cl_err_set(CL_EINPUT, "cannot reduce");

	free(buf);
	return rc;
}

/* One trial (cl_minimize_test): the content @k keeps, written and run in its cell. */
static int trial(void *ctx, const struct cl_content_keep *k)
{
	struct minimize *m = ctx;
	int n = m->trials++, ninst, ncrit, rc = -1, r;
	char *dir = cl_sprintf("%s/trials/%d", m->out, n), *file = cl_sprintf("%s/content.bin", dir);
	char verdict[32], title[320];
	double t0 = cl_now(); /* then the try's seconds */

	ninst = cl_keep_count(k, &m->parts, &ncrit);
	if (cl_mkdir_p(dir, 0755) == 0 && write_kept(m, k, file) == 0)
		rc = run_child(m, dir, file);
	else
		fprintf(stderr, "crashlab: minimize: %s: %s\n", file, cl_err());
	cmd_cell_result(dir, verdict, sizeof(verdict), title, sizeof(title));
	r = judge(m, n, rc, verdict, title);
	t0 = cl_now() - t0;
	fprintf(stderr, "crashlab: minimize: run %d: %d instance%s, %d criteri%s: %s%s%s: %s (%.1f s)\n",
		n + 1, ninst, ninst == 1 ? "" : "s", ncrit, ncrit == 1 ? "on" : "a", verdict,
		title[0] ? ", " : "", title, r < 0 ? "cannot judge" : r ? "kept" : "not the same", t0);
	if (r < 0)
		fprintf(stderr, "crashlab: minimize: see %s/crashlab.log\n", dir);
	json_array_append_new(m->log, json_pack("{s:i, s:i, s:i, s:s, s:s, s:s, s:f}", "run", n + 1,
					       "instances", ninst, "criteria", ncrit, "verdict",
					       verdict, "title", title, "answer",
					       r < 0 ? "cannot_judge" : r ? "same" : "different",
					       "seconds", t0));
	free(dir);
	free(file);
	return r;
}

/* What @k keeps, in words: instances with their criteria. */
static json_t *kept_json(const struct minimize *m, const struct cl_content_keep *k)
{
	const unsigned char *d = (const unsigned char *)m->data;
	json_t *insts = json_array();
	char what[200];

	for (int i = 0; i < m->parts.ninst; i++) {
		json_t *crits = json_array();

		if (!k->inst[i]) {
			json_decref(crits);
			continue;
		}
		for (int c = 0; c < m->parts.ncrit[i]; c++)
			if (k->crit[i] & (1u << c)) {
				m->fmt->describe(what, sizeof(what), d, m->len, i, c);
				json_array_append_new(crits, json_pack("{s:i, s:s}", "index", c + 1,
								       "what", what));
			}
		m->fmt->describe(what, sizeof(what), d, m->len, i, -1);
		json_array_append_new(insts, json_pack("{s:i, s:s, s:o}", "index", i + 1, "what", what,
						       "criteria", crits));
	}
	return insts;
}

/* OUT/minimize.json and OUT/minimal.bin, and the answer on stdout. */
static int conclude(struct minimize *m, const struct cl_content_keep *k, int complete)
{
	int ncrit, all_crit, ninst = cl_keep_count(k, &m->parts, &ncrit), rc;
	struct cl_content_keep all;
	char *bin = cl_sprintf("%s/minimal.bin", m->out), *js = cl_sprintf("%s/minimize.json", m->out);
	json_t *o, *insts = kept_json(m, k), *v;
	size_t i, j;

	cl_keep_all(&all, &m->parts);
	cl_keep_count(&all, &m->parts, &all_crit);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:{s:i, s:i}, s:o, s:O}",
		      "candidate", m->q.candidate, "cell", m->q.cell, "content", m->content,
		      "format", m->fmt->name, "verdict", m->verdict, "title", m->title,
		      "complete", complete, "runs", m->trials, "original", "instances",
		      m->parts.ninst, "criteria", all_crit, "minimal", insts, "trials", m->log);
	rc = write_kept(m, k, bin) || json_dump_file(o, js, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	printf("%s content for %s: %d of %d instances, %d of %d criteria, in %d runs of the cell\n",
	       complete ? "minimal" : "smallest (search stopped)", m->q.cell, ninst, m->parts.ninst,
	       ncrit, all_crit, m->trials);
	json_array_foreach(insts, i, v) {
		json_t *c;

		printf("  %s\n", json_string_value(json_object_get(v, "what")));
		json_array_foreach(json_object_get(v, "criteria"), j, c)
			printf("    %s\n", json_string_value(json_object_get(c, "what")));
	}
	printf("still: %s: %s\nwritten: %s, %s\n", m->verdict, m->title, bin, js);
	json_decref(o);
	free(bin);
	free(js);
	return rc ? cl_err_set(CL_EINFRA, "%s: cannot write", m->out) : 0;
}

static int minimize(struct minimize *m)
{
	struct cl_content_keep k;
	int r;

	cl_keep_all(&k, &m->parts);
	fprintf(stderr, "crashlab: minimize: %s of %s on cell %s: %d instances; the first run is "
		"the content as published\n", m->content, m->q.candidate, m->q.cell, m->parts.ninst);
	if ((r = trial(m, &k)) <= 0) {
		if (r == 0)
			fprintf(stderr, "crashlab: minimize: the content as published does not fail "
				"cell %s: nothing to minimize\n", m->q.cell);
		return r == 0 ? 1 : 2;
	}
	r = cl_minimize(&k, &m->parts, trial, m);
	if (conclude(m, &k, r >= 0)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		return 2;
	}
	return r >= 0 ? 0 : 2;
}

int cmd_minimize(int argc, char **argv)
{
	struct minimize m = { .q = { .skip_preflight = 1, .no_history = 1 } };
	char *matrix = NULL, *out = NULL, *trials = NULL;
	int rc;

	if ((rc = parse(argc, argv, &m)) >= 0)
		return rc;
	if (!m.q.matrix)
		m.q.matrix = matrix = cl_sprintf("%s/matrix/smoke.json", cl_data_dir());
	if (!m.q.cell_image)
		m.q.cell_image = "snapshot";
	if (!m.out)
		m.out = out = cl_sprintf("crashlab-out/minimize-%s", m.q.cell);
	trials = cl_sprintf("%s/trials", m.out);
	m.log = json_array();
	if (load_inputs(&m) || cl_mkdir_p(trials, 0755)) {
		fprintf(stderr, "crashlab: minimize: %s\n", cl_err());
		rc = 2;
	} else {
		cl_run_catch_signals();
		rc = minimize(&m);
	}
	json_decref(m.log);
	free(m.data);
	free(matrix);
	free(out);
	free(trials);
	return rc;
}
