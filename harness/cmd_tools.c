/*
 * cmd_tools.c - the tools around a run: `triage` (classify console logs
 * the way a cell's console is classified), `images` (build the matrix's
 * images ahead of time, so a qualification spends its time on cells) and
 * `matrix list` (the cells in the order a run takes them). None boots a VM.
 */
#include "cmd.h"
#include "cl_history.h"
#include "cl_plan.h"
#include "cl_run.h"
#include "cl_scratch.h"
#include "cl_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* @s as one shell word: as it is when plain, else in single quotes. */
static char *shell_word(const char *s)
{
	char *out, *o;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./+-=:,")
		      == strlen(s))
		return cl_xstrdup(s);
	out = o = cl_xcalloc(strlen(s) * 4 + 3, 1);
	*o++ = '\'';
	for (; *s; s++)
		o = *s == '\'' ? stpcpy(o, "'\\''") : (*o = *s, o + 1);
	*o = '\'';
	return out;
}

/* @key of @o, or "?" when it is not a string. */
static const char *text_or_q(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

/* How to run @cell of the report @rep again: a crashlab reproduce line. */
static char *reproduce_line(json_t *rep, json_t *cell)
{
	const char *image = json_string_value(json_object_get(cell, "image"));
	char *k = shell_word(text_or_q(cell, "kernel_release"));
	char *c = shell_word(text_or_q(json_object_get(rep, "candidate"), "manifest"));
	char *s = shell_word(text_or_q(json_object_get(rep, "scenario"), "file"));
	char *line = cl_sprintf("crashlab reproduce --kernel %s --candidate %s --scenario %s%s%s", k,
				c, s, image && strcmp(image, "initramfs") ? " --image " : "",
				image && strcmp(image, "initramfs") ? image : "");

	free(k);
	free(c);
	free(s);
	return line;
}

/* The crash group titled @title in the report in @dir: its cells, kernels and
 * the line that runs its first cell again; NULL when it has none. */
static json_t *match_report(const char *dir, const char *title)
{
	char *path = cl_path_join(dir, "report.json");
	json_t *rep = json_load_file(path, 0, NULL), *g, *id, *c, *hit = NULL;
	size_t i, j, k;

	free(path);
	json_array_foreach(json_object_get(rep, "groups"), i, g) {
		json_t *kernels = json_array(), *first = NULL;

		if (hit || strcmp(text_or_q(g, "title"), title)) {
			json_decref(kernels);
			continue;
		}
		json_array_foreach(json_object_get(g, "cells"), j, id)
			json_array_foreach(json_object_get(rep, "cells"), k, c)
				if (json_equal(json_object_get(c, "id"), id)) {
					first = first ? first : c;
					json_array_append(kernels, json_object_get(c, "kernel_release"));
				}
		char *again = first ? reproduce_line(rep, first) : NULL;

		hit = json_pack("{s:s, s:s, s:O, s:o, s:s?}", "group", title, "report", dir, "cells",
				json_object_get(g, "cells"), "kernels", kernels, "reproduce", again);
		free(again);
	}
	json_decref(rep);
	return hit;
}

/* The crash group titled @title in the history @where; with the report of
 * its last run when that is still there. NULL when no run met it. */
static json_t *match_history(const char *where, const char *title)
{
	struct cl_history h;
	json_t *m = NULL, *rep;
	const char *dir;

	if (cl_history_open(&h, where)) {
		fprintf(stderr, "crashlab: --match: %s\n", cl_err());
		return NULL;
	}
	if (cl_history_match(&h, title, &m))
		fprintf(stderr, "crashlab: --match: %s\n", cl_err());
	dir = json_string_value(json_object_get(json_object_get(m, "last_run"), "report_dir"));
	if (dir && (rep = match_report(dir, title))) {
		json_object_set(m, "reproduce", json_object_get(rep, "reproduce"));
		json_decref(rep);
	}
	cl_history_close(&h);
	return m;
}

/* --match @where (a report's directory, or a history): this crash's group there. */
static json_t *match(const char *where, json_t *triaged)
{
	const char *title = json_string_value(json_object_get(triaged, "title"));
	struct stat st;
	json_t *m;

	if (!json_is_true(json_object_get(triaged, "crashed")) || !title)
		return json_null();
	m = stat(where, &st) == 0 && S_ISDIR(st.st_mode) ? match_report(where, title)
							: match_history(where, title);
	return m ? m : json_null();
}

/* Triage one stream; prints one JSON line (with "file" when several are
 * given, "match" with --match). */
static int triage_one(const char *path, int named, const char *where)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct cl_triage *t;
	char buf[65536];
	size_t n;
	json_t *j;

	if (!f) {
		fprintf(stderr, "crashlab: %s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	t = cl_triage_new(0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cl_triage_feed(t, buf, n);
	if (f != stdin)
		fclose(f);
	cl_triage_finish(t);
	j = cl_triage_json(cl_triage_result(t));
	if (named)
		json_object_set_new(j, "file", json_string(path));
	if (where)
		json_object_set_new(j, "match", match(where, j));
	json_dumpf(j, stdout, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(j);
	cl_triage_free(t);
	return 0;
}

int cmd_triage(char **files, int n)
{
	const char *where = NULL;
	int rc = 0, nfiles = 0;

	for (int i = 0; i < n; i++) /* --match WHERE out of the file list */
		if (!strcmp(files[i], "--match")) {
			if (i + 1 >= n || where) {
				fprintf(stderr, "crashlab: triage: --match takes one DIR or DB\n");
				return 2;
			}
			where = files[++i];
		} else {
			files[nfiles++] = files[i];
		}
	if (nfiles == 0)
		return triage_one("-", 0, where);
	for (int i = 0; i < nfiles; i++)
		if (triage_one(files[i], nfiles > 1, where))
			rc = 2;
	return rc;
}

int cmd_images(const char *matrix)
{
	struct cl_matrix *m = NULL;
	struct cl_plan p = { 0 };
	int rc = 0;

	cl_run_catch_signals();
	cl_scratch_sweep(CL_SCRATCH_ROOT);
	if (cl_matrix_load(&m, matrix) || (p.matrix = m, cl_plan_select(&p)) ||
	    cl_plan_check(&p) || cl_plan_prepare_images(&p)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	}
	cl_plan_clear(&p);
	cl_matrix_free(m);
	return rc;
}

int cmd_matrix_list(const char *matrix)
{
	struct cl_matrix *m = NULL;
	struct cl_plan p = { 0 };
	double total = 0;
	int i;

	if (cl_matrix_load(&m, matrix) || (p.matrix = m, cl_plan_select(&p))) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		cl_plan_clear(&p);
		cl_matrix_free(m);
		return 2;
	}
	for (i = 0; i < m->ncells; i++)
		total += m->cells[i].fleet_share;
	printf("%-28s %-30s %-12s %-10s %-10s %s\n", "id", "kernel", "flavour", "image", "ring",
	       "fleet_share");
	for (i = 0; i < p.ncells; i++) {
		const struct cl_cell_spec *c = p.cells[i];

		printf("%-28s %-30s %-12s %-10s %-10s %.2f\n", c->id, c->kernel, c->flavor, c->image,
		       m->rings[c->ring], c->fleet_share);
	}
	printf("%d cells, %d ring%s, fleet_share total %.2f\n", m->ncells, m->nrings,
	       m->nrings == 1 ? "" : "s", total);
	cl_plan_clear(&p);
	cl_matrix_free(m);
	return 0;
}
