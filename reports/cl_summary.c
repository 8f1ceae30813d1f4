/*
 * cl_summary.c - summary.md: a qualification short enough for a pull-request
 * comment, written from report.json (so a run and a merge write the same).
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

static void failing_table(char **buf, size_t *len, json_t *cells)
{
	json_t *c;
	size_t i;
	int rows = 0, more = 0;

	json_array_foreach(cells, i, c) {
		if (!strcmp(str(c, "verdict"), "pass"))
			continue;
		if (rows == MAX_ROWS) {
			more++;
			continue;
		}
		if (rows++ == 0)
			cl_append(buf, len, "| cell | kernel | verdict | title |\n| --- | --- | --- | --- |\n");
		cl_append(buf, len, "| ");
		md_put(buf, len, str(c, "id"), 80);
		cl_append(buf, len, " | ");
		md_put(buf, len, str(c, "kernel_release"), 80);
		cl_append(buf, len, " | %s | ", str(c, "verdict"));
		md_put(buf, len, str(c, "title"), 160);
		cl_append(buf, len, " |\n");
	}
	if (more)
		cl_append(buf, len, "\nand %d more failing cells (report.json has them all).\n", more);
	if (rows)
		cl_append(buf, len, "\n");
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
