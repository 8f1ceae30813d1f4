/*
 * cl_summary.c - summary.md: a qualification short enough for a pull-request
 * comment, written from report.json (so a run and a merge write the same):
 * the counts, the failing cells, and what became of each machine that was
 * remediated (--remediate) or recovered by itself.
 * Titles come from guest consoles: every character markdown or HTML could
 * read as markup is escaped.
 */
#include "cl_summary.h"
#include "cl_json.h"
#include "cl_util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 20 /* failing cells listed; the rest are counted */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* @s as markdown text: markup characters escaped, control characters dropped. */
static void md_put(char **buf, size_t *len, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '<')
			cl_append(buf, len, "&lt;");
		else if (c == '>')
			cl_append(buf, len, "&gt;");
		else if (c == '&')
			cl_append(buf, len, "&amp;");
		else if (strchr("\\`*_[]#!|~", c)) /* never at a line's start: - + . need none */
			cl_append(buf, len, "\\%c", c);
		else if (c >= 0x20 && c != 0x7f)
			cl_append(buf, len, "%c", c);
	}
	if (s[i])
		cl_append(buf, len, "...");
}

static void counts_line(char **buf, size_t *len, json_t *rep)
{
	json_t *counts = json_object_get(rep, "summary"), *v;
	const char *k;
	int first = 1;

	cl_append(buf, len, "%zu cells:", json_array_size(json_object_get(rep, "cells")));
	json_object_foreach(counts, k, v) {
		cl_append(buf, len, "%s %lld %s", first ? "" : ",", (long long)json_integer_value(v), k);
		first = 0;
	}
	cl_append(buf, len, ".");
	v = json_object_get(json_object_get(rep, "blast_radius"), "failing_percent");
	if (json_is_number(v) &&
	    json_number_value(json_object_get(json_object_get(rep, "blast_radius"), "total_share")) > 0)
		cl_append(buf, len, " Blast radius: %.0f%% of the fleet share.", json_number_value(v));
	cl_append(buf, len, "\n\n");
}

/* The candidate's pre-flight steps: each with its status, or that they were skipped. */
static void preflight_lines(char **buf, size_t *len, json_t *rep)
{
	json_t *pf = json_object_get(rep, "preflight"), *st;
	size_t i;

	if (json_is_true(json_object_get(pf, "skipped")))
		cl_append(buf, len, "Pre-flight: skipped (%lld steps declared).\n\n",
			  (long long)json_integer_value(json_object_get(pf, "declared")));
	json_array_foreach(json_object_get(pf, "steps"), i, st) {
		cl_append(buf, len, "- pre-flight ");
		md_put(buf, len, str(st, "name"), 40);
		if (*str(st, "content")) {
			cl_append(buf, len, " on ");
			md_put(buf, len, str(st, "content"), 40);
		}
		cl_append(buf, len, ": **%s** (%.1f s) ", str(st, "status"),
			  json_number_value(json_object_get(st, "seconds")));
		md_put(buf, len, str(st, "detail"), 300);
		cl_append(buf, len, "\n");
	}
	if (json_array_size(json_object_get(pf, "steps")))
		cl_append(buf, len, "\n");
}

/* 1: one more row to list; 0 once MAX_ROWS are listed, the row only counted in *@more. */
static int listed(int *rows, int *more)
{
	if (*rows == MAX_ROWS) {
		++*more;
		return 0;
	}
	++*rows;
	return 1;
}

static long long num(json_t *o, const char *key);

static void failing_table(char **buf, size_t *len, json_t *cells)
{
	json_t *c, *rep;
	size_t i;
	int rows = 0, more = 0;

	json_array_foreach(cells, i, c) {
		if (!strcmp(str(c, "verdict"), "pass") || !listed(&rows, &more))
			continue;
		if (rows == 1)
			cl_append(buf, len, "| cell | kernel | verdict | title |\n| --- | --- | --- | --- |\n");
		cl_append(buf, len, "| ");
		md_put(buf, len, str(c, "id"), 80);
		cl_append(buf, len, " | ");
		md_put(buf, len, str(c, "kernel_release"), 80);
		cl_append(buf, len, " | %s", str(c, "verdict"));
		if (json_is_object(rep = json_object_get(c, "reproduced"))) /* --reruns */
			cl_append(buf, len, " (failed %lld of %lld runs)", num(rep, "failed"),
				  num(rep, "runs"));
		cl_append(buf, len, " | ");
		md_put(buf, len, str(c, "title"), 160);
		cl_append(buf, len, " |\n");
	}
	if (more)
		cl_append(buf, len, "\nand %d more failing cells (report.json has them all).\n", more);
	if (rows)
		cl_append(buf, len, "\n");
}

/* @key of @o as an integer (0 when absent or null). */
static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* The plural ending of a count: "1 boot", "2 boots". */
static const char *plural(long long n)
{
	return n == 1 ? "" : "s";
}

/* "remediation FILE applied (paths removed: 2): **recovered** in 1 boot, 45.0 s after ..." */
static void remediation_part(char **buf, size_t *len, json_t *m)
{
	const char *outcome = str(m, "outcome");

	cl_append(buf, len, "remediation ");
	md_put(buf, len, str(m, "file"), 80);
	if (!json_is_true(json_object_get(m, "applied"))) {
		cl_append(buf, len, ": ");
		md_put(buf, len, *outcome ? outcome : "not applied", 200);
		return;
	}
	cl_append(buf, len, " applied (paths removed: %lld): ", num(m, "removed"));
	if (json_is_true(json_object_get(m, "recovered"))) {
		cl_append(buf, len, "**recovered** in %lld boot%s, %.1f s after applying it",
			  num(m, "boots"), plural(num(m, "boots")),
			  json_number_value(json_object_get(m, "seconds")));
		return;
	}
	cl_append(buf, len, "**not recovered** after %lld boot%s: ", num(m, "boots"),
		  plural(num(m, "boots")));
	md_put(buf, len, *outcome ? outcome : "no healthy boot", 200);
}

/* "**recovered** automatically after 2 crashed boots (healthy at boot 3, 55.5 s after ...)" */
static void recovery_part(char **buf, size_t *len, json_t *rec)
{
	cl_append(buf, len, "**recovered** automatically after %lld crashed boot%s "
		  "(healthy at boot %lld, %.1f s after the first crash)", num(rec, "crashed_boots"),
		  plural(num(rec, "crashed_boots")), num(rec, "healthy_boot"),
		  json_number_value(json_object_get(rec, "seconds")));
}

/*
 * One line per cell that was remediated or came back by itself: after a boot
 * loop the first question is whether the machines recovered.
 */
static void outcome_lines(char **buf, size_t *len, json_t *cells)
{
	json_t *c, *m;
	size_t i;
	int rows = 0, more = 0;

	json_array_foreach(cells, i, c) {
		json_t *rec = json_object_get(c, "recovery");
		int recovered = json_is_true(json_object_get(rec, "recovered"));

		m = json_object_get(c, "remediation");
		if ((!json_is_object(m) && !recovered) || !listed(&rows, &more))
			continue;
		cl_append(buf, len, "- cell ");
		md_put(buf, len, str(c, "id"), 80);
		cl_append(buf, len, ": ");
		if (recovered)
			recovery_part(buf, len, rec);
		if (recovered && json_is_object(m))
			cl_append(buf, len, "; ");
		if (json_is_object(m))
			remediation_part(buf, len, m);
		cl_append(buf, len, "\n");
	}
	if (more)
		cl_append(buf, len, "- and %d more remediated or recovered cells "
			  "(report.json has them all)\n", more);
	if (rows)
		cl_append(buf, len, "\n");
}

/* Where the run was recorded, each crash group new or known, the baseline. */
static void history_lines(char **buf, size_t *len, json_t *rep)
{
	json_t *h = json_object_get(rep, "history"), *b = json_object_get(rep, "baseline"), *x;
	size_t i;
	int rows = 0, more = 0;

	if (json_is_true(json_object_get(h, "recorded")))
		cl_append(buf, len, "- history: run %lld\n", num(h, "run"));
	else if (json_is_object(h)) {
		cl_append(buf, len, "- history: not recorded: ");
		md_put(buf, len, str(h, "error"), 200);
		cl_append(buf, len, "\n");
	}
	json_array_foreach(json_object_get(h, "groups"), i, x) {
		if (strcmp(str(x, "status"), "known"))
			cl_append(buf, len, "- **new** crash: ");
		else
			cl_append(buf, len, "- known crash (first seen in run %lld, %.20s): ",
				  num(x, "first_run"), str(x, "first_seen"));
		md_put(buf, len, str(x, "title"), 200);
		cl_append(buf, len, "\n");
	}
	if (!json_is_object(b))
		return;
	cl_append(buf, len, "- against run %lld: **%zu regressions**, %zu fixes, %zu new crash titles, "
		  "%zu new cells\n", num(b, "run"), json_array_size(json_object_get(b, "regressions")),
		  json_array_size(json_object_get(b, "fixes")),
		  json_array_size(json_object_get(b, "new_titles")),
		  json_array_size(json_object_get(b, "new_cells")));
	json_array_foreach(json_object_get(b, "regressions"), i, x) {
		if (!listed(&rows, &more))
			continue;
		cl_append(buf, len, "  - regression ");
		md_put(buf, len, str(x, "cell"), 80);
		cl_append(buf, len, ": %.20s -> %.20s\n", str(x, "was"), str(x, "now"));
	}
	if (more)
		cl_append(buf, len, "  - and %d more (report.json has them all)\n", more);
}

int cl_summary_write(const char *report_path, const char *out_path)
{
	json_t *rep, *cand, *a;
	char *buf = NULL;
	size_t len = 0, i;
	int rc;

	/* strict: a key given twice is refused, not read as its last value */
	if ((rc = cl_json_load(&rep, report_path)))
		return rc;
	cand = json_object_get(rep, "candidate");
	cl_append(&buf, &len, "## crashlab: %s - ", str(rep, "verdict"));
	md_put(&buf, &len, str(cand, "name"), 80);
	cl_append(&buf, &len, " ");
	md_put(&buf, &len, str(cand, "version"), 40);
	cl_append(&buf, &len, " on ");
	md_put(&buf, &len, str(json_object_get(rep, "matrix"), "name"), 80);
	cl_append(&buf, &len, "\n\n");
	counts_line(&buf, &len, rep);
	preflight_lines(&buf, &len, rep);
	failing_table(&buf, &len, json_object_get(rep, "cells"));
	outcome_lines(&buf, &len, json_object_get(rep, "cells"));
	history_lines(&buf, &len, rep);
	json_array_foreach(json_object_get(cand, "artifacts"), i, a) {
		if (strcmp(str(a, "kind"), "content"))
			continue;
		cl_append(&buf, &len, "- content ");
		md_put(&buf, &len, str(a, "name"), 80);
		cl_append(&buf, &len, ": sha256 `%.64s`\n", str(a, "sha256"));
	}
	cl_append(&buf, &len, "\nFull report: `report.json`, `junit.xml`%s.\n",
		  json_object_get(rep, "groups") ? ", crash groups in report.json" : "");
	rc = cl_write_file(out_path, buf, len);
	free(buf);
	json_decref(rep);
	return rc;
}
