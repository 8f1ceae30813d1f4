/*
 * cmd_history.c - memory across runs on the command line: each run
 * recorded after its report is written (qualify, merge, reproduce), and
 * `crashlab history` / `crashlab crashes` to read it back (history/).
 *
 * A run that did not ask for history is never stopped by it: a database
 * that cannot be opened or written costs one line on stderr and the
 * report's "history" says it was not recorded.
 */
#include "cmd.h"
#include "cl_history.h"
#include "cl_outcome.h"
#include "cl_util.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The report's "history": where the run went and each crash group's standing. */
static json_t *history_json(const char *db, const struct cl_history_run *run, const char *error)
{
	json_t *h = json_pack("{s:b, s:s}", "recorded", !error, "db", db), *groups = json_array();

	if (error) {
		json_object_set_new(h, "error", json_string(error));
		json_decref(groups);
		return h;
	}
	json_object_set_new(h, "run", json_integer(run->id));
	for (int i = 0; i < run->ngroups; i++) {
		const struct cl_history_group *g = &run->groups[i];

		json_array_append_new(groups, json_pack("{s:s, s:s, s:I, s:o}", "title", g->title,
							"status", g->known ? "known" : "new",
							"first_run", (json_int_t)g->first_run,
							"first_seen", g->first_seen
								? json_string(g->first_seen)
								: json_null()));
	}
	json_object_set_new(h, "groups", groups);
	return h;
}

static void say_groups(const struct cl_history_run *run)
{
	for (int i = 0; i < run->ngroups; i++) {
		const struct cl_history_group *g = &run->groups[i];

		if (g->known)
			fprintf(stderr, "crashlab: known crash: %.200s (first seen in run %ld, %s)\n",
				g->title, g->first_run, g->first_seen);
		else
			fprintf(stderr, "crashlab: new crash: %.200s (first seen now, run %ld)\n",
				g->title, run->id);
	}
}

static void say_baseline(json_t *b)
{
	json_t *r;
	size_t i;

	fprintf(stderr, "crashlab: against run %lld: %zu regression%s, %zu fix%s, %zu new crash "
		"title%s, %zu cell%s new to the matrix\n",
		(long long)json_integer_value(json_object_get(b, "run")),
		json_array_size(json_object_get(b, "regressions")),
		json_array_size(json_object_get(b, "regressions")) == 1 ? "" : "s",
		json_array_size(json_object_get(b, "fixes")),
		json_array_size(json_object_get(b, "fixes")) == 1 ? "" : "es",
		json_array_size(json_object_get(b, "new_titles")),
		json_array_size(json_object_get(b, "new_titles")) == 1 ? "" : "s",
		json_array_size(json_object_get(b, "new_cells")),
		json_array_size(json_object_get(b, "new_cells")) == 1 ? "" : "s");
	json_array_foreach(json_object_get(b, "regressions"), i, r) {
		char *line = cl_sprintf("crashlab:   regression %s: %s -> %s",
					json_string_value(json_object_get(r, "cell")),
					json_string_value(json_object_get(r, "was")),
					json_string_value(json_object_get(r, "now")));

		cl_sanitize(line); /* cell ids are the matrix's, verdicts ours: still, one line */
		fprintf(stderr, "%s\n", line);
		free(line);
	}
}

/* The run recorded as @run, against the baseline @spec: the report's "baseline". */
static int against(struct cl_history *h, json_t *rep, long run, const char *spec)
{
	json_t *cand = json_object_get(json_object_get(rep, "candidate"), "name"), *b = NULL;
	long base = 0;
	int rc = cl_history_baseline(h, spec, json_is_string(cand) ? json_string_value(cand) : "",
				     run, &base);

	if (rc == 0 && (rc = cl_history_compare(h, base, run, &b)) == 0) {
		say_baseline(b);
		json_object_set_new(rep, "baseline", b);
	}
	return rc;
}

/* Open, record, compare: 0, or the error (cl_err) of the step that failed. */
static int record(const char *where, json_t *rep, const char *command, const char *dir,
		  const char *baseline, struct cl_history_run *run, int *base_rc)
{
	struct cl_history h;
	int rc = cl_history_open(&h, where);

	if (rc == 0 && (rc = cl_history_record(&h, rep, command, dir, run)) == 0 && baseline)
		rc = *base_rc = against(&h, rep, run->id, baseline);
	if (h.store)
		cl_history_close(&h);
	return rc;
}

int cmd_history_record(const char *dir, const char *command, const char *db, const char *baseline)
{
	char *path = cl_path_join(dir, "report.json"), *where = db ? cl_xstrdup(db)
								  : cl_history_default();
	char *shown = cl_store_display(where);
	json_error_t jerr;
	json_t *rep = json_load_file(path, 0, &jerr);
	struct cl_history_run run = { 0 };
	char *abs = realpath(dir, NULL); /* where the report is, from anywhere */
	int base_rc = 0, rc = rep ? record(where, rep, command, abs ? abs : dir, baseline, &run,
					   &base_rc)
				  : cl_err_set(CL_EINFRA, "%s: %s", path, jerr.text);

	if (rc && run.id == 0)
		fprintf(stderr, "crashlab: history not recorded: %s\n", cl_err());
	else if (rc)
		fprintf(stderr, "crashlab: --baseline: %s\n", cl_err());
	if (run.id)
		fprintf(stderr, "crashlab: history: run %ld recorded in %s\n", run.id, shown);
	if (rep) {
		json_object_set_new(rep, "history", history_json(shown, &run, run.id ? NULL : cl_err()));
		say_groups(&run);
		if (json_dump_file(rep, path, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0)
			fprintf(stderr, "crashlab: %s: cannot write its history\n", path);
		else
			cl_outcome_pages(dir); /* summary.md and report.html say it too */
	}
	cl_history_run_clear(&run);
	json_decref(rep);
	free(abs);
	free(path);
	free(where);
	free(shown);
	/* a run that asked for a baseline and cannot have it: exit 2 */
	return baseline && (rc || base_rc) ? 2 : 0;
}

int cmd_history_check_baseline(const char *db, const char *spec, const char *candidate)
{
	char *where = db ? cl_xstrdup(db) : cl_history_default();
	struct cl_history h;
	long id;
	int rc = cl_history_open(&h, where);

	if (rc == 0) {
		rc = cl_history_baseline(&h, spec, candidate, LONG_MAX, &id);
		cl_history_close(&h);
	}
	free(where);
	return rc;
}

/* ---- crashlab history / crashes ----------------------------------------- */

const char cmd_history_usage[] =
	"  history [--db DB] [--candidate NAME] [--cell ID] [--since DATE] [--flaky] [--json]\n"
	"          the runs recorded (qualify, merge and reproduce record theirs), one cell's\n"
	"          rows, or --flaky: cells whose verdicts differ across runs of the same inputs.\n"
	"          --html FILE: a page of the newest 50 runs, cells by run, and the crash groups\n"
	"          DB: a file (SQLite) or postgresql://...; default $CRASHLAB_DB, else\n"
	"          $XDG_DATA_HOME/crashlab/history.db\n";
const char cmd_crashes_usage[] =
	"  crashes [--db DB] [--json] [--title TITLE]   crash groups across the recorded runs:\n"
	"          first and last seen, runs, cells, kernels, candidate versions; --title: that\n"
	"          crash's first bad and last good kernel and candidate version\n";

struct history_args {
	const char *db;
	struct cl_history_filter f;
	int json, flaky;
	const char *html, *title;
};

static int parse(int argc, char **argv, struct history_args *a, int filters)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },        { "candidate", required_argument, NULL, 'c' },
		{ "cell", required_argument, NULL, 'C' },      { "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },            { "flaky", no_argument, NULL, 'F' },
		{ "html", required_argument, NULL, 'H' },     { "title", required_argument, NULL, 't' },
		{ 0 } };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			a->db = optarg;
		else if (c == 'j')
			a->json = 1;
		else if (filters && c == 'c')
			a->f.candidate = optarg;
		else if (filters && c == 'C')
			a->f.cell = optarg;
		else if (filters && c == 's')
			a->f.since = optarg;
		else if (filters && c == 'F')
			a->flaky = 1;
		else if (filters && c == 'H')
			a->html = optarg;
		else if (!filters && c == 't')
			a->title = optarg;
		else
			break;
	}
	if (c != -1 || optind != argc) {
		fprintf(stderr, "crashlab: %s %s: bad option, or one missing its value\n"
			"usage: crashlab %s", argv[0], argv[optind < argc ? optind : argc - 1],
			(filters ? cmd_history_usage : cmd_crashes_usage) + 2);
		return 2;
	}
	return -1;
}

/* @rows as a table: the columns @cols (keys of each row), widths from the data. */
static void table(json_t *rows, const char *const *cols, int ncols)
{
	int width[16] = { 0 };
	json_t *r;
	size_t i;

	for (int c = 0; c < ncols; c++)
		width[c] = (int)strlen(cols[c]);
	json_array_foreach(rows, i, r)
		for (int c = 0; c < ncols; c++) {
			char *v = json_dumps(json_object_get(r, cols[c]), JSON_ENCODE_ANY);
			int n = v ? (int)strlen(v) : 0;

			width[c] = n > width[c] ? (n < 60 ? n : 60) : width[c];
			free(v);
		}
	for (int c = 0; c < ncols; c++)
		printf("%-*s%s", width[c], cols[c], c + 1 < ncols ? "  " : "\n");
	json_array_foreach(rows, i, r)
		for (int c = 0; c < ncols; c++) {
			json_t *v = json_object_get(r, cols[c]);
			char *text = json_is_string(v) ? cl_xstrdup(json_string_value(v))
						       : json_dumps(v, JSON_ENCODE_ANY);
			if (!text)
				text = cl_xstrdup("-");
			cl_sanitize(text); /* titles come from guests: untrusted */
			printf("%-*.60s%s", width[c], text, c + 1 < ncols ? "  " : "\n");
			free(text);
		}
}

/* "kernel: first bad X, last good Y" and the same of the candidate's versions. */
static void edges(json_t *e)
{
	static const char *const what[] = { "kernel", "candidate_version" };

	for (int i = 0; i < 2; i++) {
		json_t *x = json_object_get(e, what[i]);
		const char *bad = json_string_value(json_object_get(x, "first_bad"));
		const char *good = json_string_value(json_object_get(x, "last_good"));
		char *line = cl_sprintf("%s: first bad %s, last good %s", what[i], bad ? bad : "-",
					good ? good : "- (none recorded below it)");

		cl_sanitize(line);
		printf("%s\n", line);
		free(line);
	}
}

/* What `history` and `crashes` can show: the rows, and the columns of their table. */
enum view { RUNS, CELL, FLAKY, CRASHES, EDGES };

static int fetch(struct cl_history *h, enum view v, const struct history_args *a, json_t **rows)
{
	switch (v) {
	case CRASHES: return cl_history_crashes(h, rows);
	case FLAKY: return cl_history_flaky(h, rows);
	case EDGES: return cl_history_edges(h, a->title, rows);
	default: return cl_history_runs(h, &a->f, rows);
	}
}

static int show(const struct history_args *a, enum view v)
{
	static const char *const cols[][10] = {
		[RUNS] = { "run", "started", "command", "candidate", "version", "matrix", "cells",
			   "passed", "verdict" },
		[CELL] = { "run", "started", "version", "cell", "kernel", "verdict", "attempts",
			   "title" },
		[FLAKY] = { "cell", "kernel", "runs", "verdicts", "first_run", "last_run" },
		[CRASHES] = { "title", "first_seen", "last_seen", "runs", "cells", "first_run",
			      "last_run" },
		[EDGES] = { "kernel", "candidate_version" },
	};
	char *where = a->db ? cl_xstrdup(a->db) : cl_history_default();
	struct cl_history h;
	json_t *rows = NULL;
	int rc = cl_history_open(&h, where), n = 0;

	if (rc == 0) {
		rc = a->html ? cl_history_page(&h, 50, a->html) : fetch(&h, v, a, &rows);
		cl_history_close(&h);
	}
	free(where);
	if (rc) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		return 2;
	}
	while (n < 10 && cols[v][n])
		n++;
	if (a->html)
		printf("history page in %s\n", a->html);
	else if (a->json) {
		json_dumpf(rows, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		v == EDGES ? edges(rows) : table(rows, cols[v], n);
	}
	json_decref(rows);
	return 0;
}

int cmd_history(int argc, char **argv)
{
	struct history_args a = { 0 };
	int rc = parse(argc, argv, &a, 1);

	return rc >= 0 ? rc : show(&a, a.flaky ? FLAKY : a.f.cell ? CELL : RUNS);
}

int cmd_crashes(int argc, char **argv)
{
	struct history_args a = { 0 };
	int rc = parse(argc, argv, &a, 0);

	return rc >= 0 ? rc : show(&a, a.title ? EDGES : CRASHES);
}
