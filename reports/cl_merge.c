/*
 * cl_merge.c - merging the reports of a sharded run (see cl_merge.h).
 * Works on the shards' report.json as data: nothing is re-run and nothing
 * the shards decided is re-decided, only the totals are computed again.
 */
#include "cl_merge.h"
#include "cl_attest.h"
#include "cl_json.h"
#include "cl_junit.h"
#include "cl_report.h"
#include "cl_sha256.h"
#include "cl_util.h"
#include "cl_verdict.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct merge {
	const char *const *dirs;
	int n;
	json_t **reps;     /* each shard's report.json, in shard order */
	json_t *cells;     /* every cell, matrix order */
};

static const char *str_at(json_t *root, const char *a, const char *b)
{
	json_t *o = json_object_get(root, a);

	return json_string_value(b ? json_object_get(o, b) : o);
}

static long int_at(json_t *root, const char *a, const char *b)
{
	return (long)json_integer_value(json_object_get(json_object_get(root, a), b));
}

/* Every shipped artifact of the candidate (not the per-kernel builds), joined:
 * equal strings, the same candidate bytes. */
static char *shipped_digests(json_t *rep)
{
	json_t *arts = json_object_get(json_object_get(rep, "candidate"), "artifacts"), *a;
	char *s = cl_xstrdup("");
	size_t len = 0, i;

	json_array_foreach(arts, i, a)
		if (strcmp(str_at(a, "kind", NULL) ?: "", "module"))
			cl_append(&s, &len, "%s:%s:%s ", str_at(a, "kind", NULL) ?: "",
				  str_at(a, "name", NULL) ?: "", str_at(a, "sha256", NULL) ?: "");
	return s;
}

/* Shard @i is of the same run as shard 0: candidate, its bytes, matrix, scenario. */
/* The shard's report says its pre-flight was skipped. */
static int skipped(json_t *rep)
{
	return json_is_true(json_object_get(json_object_get(rep, "preflight"), "skipped"));
}

static int same_run(const struct merge *m, int i)
{
	static const char *const keys[][2] = { { "candidate", "name" }, { "candidate", "version" },
					       { "matrix", "name" }, { "matrix", "sha256" },
					       { "scenario", "name" }, { "scenario", "sha256" } };
	char *d0 = shipped_digests(m->reps[0]), *di = shipped_digests(m->reps[i]);
	int k, same = !strcmp(d0, di);

	free(d0);
	free(di);
	if (!same)
		return cl_err_set(CL_EINPUT, "%s: another candidate: its artifact digests differ from %s's",
				  m->dirs[i], m->dirs[0]);
	for (k = 0; k < (int)(sizeof(keys) / sizeof(keys[0])); k++) {
		const char *a = str_at(m->reps[0], keys[k][0], keys[k][1]);
		const char *b = str_at(m->reps[i], keys[k][0], keys[k][1]);

		if (!a || !b || strcmp(a, b))
			return cl_err_set(CL_EINPUT, "%s: another %s: %s \"%s\", %s has \"%s\"",
					  m->dirs[i], keys[k][0], keys[k][1], b ? b : "?", m->dirs[0],
					  a ? a : "?");
	}
	if (int_at(m->reps[i], "matrix", "cells") != int_at(m->reps[0], "matrix", "cells"))
		return cl_err_set(CL_EINPUT, "%s: another matrix: its cell count differs from %s's",
				  m->dirs[i], m->dirs[0]);
	/* one shard's pre-flight stands for the run's: a shard that skipped it is another run */
	if (skipped(m->reps[i]) != skipped(m->reps[0]))
		return cl_err_set(CL_EINPUT, "%s: its pre-flight was %sskipped, %s's %s", m->dirs[i],
				  skipped(m->reps[i]) ? "" : "not ", m->dirs[0],
				  skipped(m->reps[0]) ? "was" : "was not");
	return 0;
}

/* Every shard 1..N exactly once, all of one run. */
static int check_shards(const struct merge *m)
{
	long count = int_at(m->reps[0], "shard", "count");
	char *seen = cl_xcalloc((size_t)m->n + 2, 1);
	int i, rc = 0;

	for (i = 0; i < m->n && rc == 0; i++) {
		long k = int_at(m->reps[i], "shard", "index");

		if (int_at(m->reps[i], "shard", "count") != count)
			rc = cl_err_set(CL_EINPUT, "%s: shard of %ld, %s is a shard of %ld", m->dirs[i],
					int_at(m->reps[i], "shard", "count"), m->dirs[0], count);
		else if (k < 1 || k > count || k > m->n)
			rc = cl_err_set(CL_EINPUT, "%s: shard %ld of %ld, but %d directories given",
					m->dirs[i], k, count, m->n);
		else if (seen[k]++)
			rc = cl_err_set(CL_EINPUT, "%s: shard %ld/%ld given twice", m->dirs[i], k, count);
		else if (json_array_size(json_object_get(m->reps[i], "cells")) == 0)
			rc = cl_err_set(CL_EINPUT, "%s: shard %ld/%ld has no cells", m->dirs[i], k, count);
		else
			rc = same_run(m, i);
	}
	if (rc == 0 && count != m->n)
		rc = cl_err_set(CL_EINPUT, "shards missing: the run has %ld shards, %d given", count,
				m->n);
	free(seen);
	return rc;
}

/* The shards' cells are the matrix's, each exactly once. */
static int check_coverage(const struct merge *m)
{
	long total = int_at(m->reps[0], "matrix", "cells");
	char *seen = cl_xcalloc((size_t)(total > 0 ? total : 1), 1);
	int rc = total > 0 ? 0 : cl_err_set(CL_EINPUT, "%s: its matrix has no cells", m->dirs[0]);
	json_t *c;
	size_t k;

	for (int s = 0; s < m->n && rc == 0; s++)
		json_array_foreach(json_object_get(m->reps[s], "cells"), k, c) {
			json_t *ix = json_object_get(c, "matrix_index");
			long i = json_is_integer(ix) ? (long)json_integer_value(ix) : -1;

			if (i < 0 || i >= total)
				rc = cl_err_set(CL_EINPUT, "%s: cell %s is not a cell of the matrix",
						m->dirs[s], str_at(c, "id", NULL) ?: "?");
			else if (seen[i]++)
				rc = cl_err_set(CL_EINPUT, "%s: matrix cell %ld (%s) is in two shards",
						m->dirs[s], i, str_at(c, "id", NULL) ?: "?");
			if (rc)
				break;
		}
	for (long i = 0; i < total && rc == 0; i++)
		if (!seen[i])
			rc = cl_err_set(CL_EINPUT, "matrix cell %ld is in no shard: cells missing", i);
	free(seen);
	return rc;
}

static int by_matrix_index(const void *a, const void *b)
{
	long x = (long)json_integer_value(json_object_get(*(json_t *const *)a, "matrix_index"));
	long y = (long)json_integer_value(json_object_get(*(json_t *const *)b, "matrix_index"));

	return (x > y) - (x < y);
}

static void collect_cells(struct merge *m)
{
	size_t total = 0, i, k = 0;
	json_t **all, *c;
	int s;

	for (s = 0; s < m->n; s++)
		total += json_array_size(json_object_get(m->reps[s], "cells"));
	all = cl_xcalloc(total + 1, sizeof(*all));
	for (s = 0; s < m->n; s++)
		json_array_foreach(json_object_get(m->reps[s], "cells"), i, c)
			all[k++] = c;
	qsort(all, total, sizeof(*all), by_matrix_index);
	m->cells = json_array();
	for (i = 0; i < total; i++)
		json_array_append(m->cells, all[i]);
	free(all);
}

static int verdict_of(json_t *cell)
{
	int v = cl_verdict_parse(str_at(cell, "verdict", NULL));

	return v < 0 ? CL_V_INFRA_ERROR : v; /* unknown: never a pass */
}

/* A shard whose pre-flight did not pass, else the first: its pre-flight is the run's. */
static int preflight_shard(const struct merge *m)
{
	json_t *st;
	size_t k;
	int s;

	for (s = 0; s < m->n; s++)
		json_array_foreach(json_object_get(json_object_get(m->reps[s], "preflight"), "steps"),
				   k, st)
			if (strcmp(str_at(st, "status", NULL) ?: "", "pass"))
				return s;
	return 0;
}

/* Verdict, counts, blast radius and groups over the merged cells and the
 * pre-flight steps, into @root. */
static void totals(json_t *root, json_t *cells)
{
	json_t *counts = json_object(), *groups = json_array(), *c;
	struct cl_report_blast blast = { 0 };
	int fail = 0, err = 0;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(root, "preflight"), "steps"), i, c) {
		const char *st = str_at(c, "status", NULL) ?: "";

		fail |= !strcmp(st, "fail");
		err |= strcmp(st, "pass") && strcmp(st, "fail");
	}

	json_array_foreach(cells, i, c) {
		int v = verdict_of(c);
		double share = json_number_value(json_object_get(c, "fleet_share"));
		const char *name = cl_verdict_name((enum cl_verdict)v);

		json_object_set_new(counts, name, json_integer(json_integer_value(
								  json_object_get(counts, name)) + 1));
		cl_report_blast_add(&blast, (enum cl_verdict)v, share);
		fail |= cl_verdict_is_failure((enum cl_verdict)v);
		err |= v != CL_V_PASS && !cl_verdict_is_failure((enum cl_verdict)v);
		if (v != CL_V_PASS)
			json_array_append_new(groups, json_pack("{s:s, s:O, s:O}", "cell",
								str_at(c, "id", NULL), "verdict",
								json_object_get(c, "verdict"), "title",
								json_object_get(c, "title")));
	}
	json_object_set_new(root, "verdict", json_string(fail ? "fail" : err ? "error" : "pass"));
	json_object_set_new(root, "summary", counts);
	json_object_set_new(root, "failing_cells", groups);
	json_object_set_new(root, "blast_radius", cl_report_blast_json(&blast));
}

/* The candidate's module artifacts of every shard (one per kernel). */
static void merge_artifacts(const struct merge *m, json_t *root)
{
	json_t *arts = json_object_get(json_object_get(root, "candidate"), "artifacts"), *a;
	int s;
	size_t i;

	for (s = 1; s < m->n; s++)
		json_array_foreach(json_object_get(json_object_get(m->reps[s], "candidate"), "artifacts"),
				   i, a) {
			size_t k;
			json_t *b;
			int dup = 0;

			json_array_foreach(arts, k, b)
				dup |= json_equal(a, b);
			if (!dup)
				json_array_append(arts, a);
		}
}

/* The suite's properties, as a run writes them: candidate, version, content digests. */
static int suite_props(struct cl_junit_prop *props, char **names, json_t *root)
{
	json_t *a;
	size_t i;
	int np = 0, k = 0;

	props[np++] = (struct cl_junit_prop){ "candidate", str_at(root, "candidate", "name") };
	props[np++] = (struct cl_junit_prop){ "candidate_version", str_at(root, "candidate", "version") };
	json_array_foreach(json_object_get(json_object_get(root, "candidate"), "artifacts"), i, a) {
		if (k == CL_MAX_CONTENT || strcmp(str_at(a, "kind", NULL) ?: "", "content"))
			continue;
		names[k] = cl_sprintf("content_sha256:%s", str_at(a, "name", NULL) ?: "");
		props[np++] = (struct cl_junit_prop){ names[k++], str_at(a, "sha256", NULL) };
	}
	return np;
}

static int write_junit(const struct merge *m, json_t *root, const char *out)
{
	size_t n = json_array_size(m->cells), i;
	struct cl_junit_case *cases = cl_xcalloc(n + 1, sizeof(*cases));
	struct cl_junit_prop props[2 + CL_MAX_CONTENT];
	char *names[CL_MAX_CONTENT];
	int np;
	char *path = cl_path_join(out, "junit.xml");
	json_t *c;
	int rc;

	json_array_foreach(m->cells, i, c)
		cases[i] = (struct cl_junit_case){
			.id = str_at(c, "id", NULL), .kernel = str_at(c, "kernel_release", NULL),
			.title = str_at(c, "title", NULL), .excerpt = str_at(c, "excerpt", NULL),
			.console = str_at(c, "console", NULL), .verdict = verdict_of(c),
			.duration_s = json_number_value(json_object_get(c, "duration_s")),
			.module_sha256 = str_at(c, "module_sha256", NULL),
			.snapshot_sha256 = str_at(c, "snapshot", "sha256") };
	for (i = 0; i < n; i++)
		if (!cases[i].id || !cases[i].kernel || !cases[i].title) {
			free(cases);
			free(path);
			return cl_err_set(CL_EINPUT, "a shard report has a cell without id, kernel or title");
		}
	np = suite_props(props, names, root);
	rc = cl_junit_write(path, str_at(root, "matrix", "name"), str_at(root, "candidate", "name"),
			    props, np, cases, (int)n);
	while (np-- > 2)
		free(names[np - 2]);
	free(cases);
	free(path);
	return rc;
}

static int write_merged(struct merge *m, const char *out)
{
	json_t *root = json_deep_copy(m->reps[0]), *dirs = json_array();
	char *text, *path = cl_path_join(out, "report.json");
	int rc, i;

	json_object_set(root, "preflight", json_object_get(m->reps[preflight_shard(m)], "preflight"));
	collect_cells(m);
	merge_artifacts(m, root);
	for (i = 0; i < m->n; i++)
		json_array_append_new(dirs, json_string(m->dirs[i]));
	json_object_set_new(root, "shard", json_pack("{s:i, s:i, s:o}", "index", 0, "count", m->n,
						     "merged_from", dirs));
	json_object_del(root, "groups");
	json_object_del(root, "summary_text");
	totals(root, m->cells);
	json_object_set(root, "cells", m->cells);
	rc = write_junit(m, root, out);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (rc == 0)
		rc = cl_write_file(path, text, strlen(text));
	free(text);
	free(path);
	json_decref(root);
	return rc;
}

/* Shard @i's directory @sub under OUT/@sub, when it has one; links never followed. */
static int copy_dir(const struct merge *m, int i, const char *sub, const char *out)
{
	char *dst = cl_sprintf("%s/%s", out, sub), *src = cl_sprintf("%s/%s", m->dirs[i], sub);
	struct stat st;
	int rc = 0;

	if (lstat(src, &st) == 0 || errno != ENOENT)
		rc = cl_copy_tree(src, dst);
	free(src);
	free(dst);
	return rc;
}

/* Each shard's cells/ under OUT/cells/, so console paths hold, and its
 * modules/RELEASE/NAME.ko under OUT/modules/, for gate --modules; the
 * pre-flight logs of the shard whose pre-flight the merged report shows. */
static int copy_outputs(const struct merge *m, const char *out)
{
	int i, rc = 0;

	for (i = 0; i < m->n && rc == 0; i++)
		if ((rc = copy_dir(m, i, "cells", out)) == 0)
			rc = copy_dir(m, i, "modules", out);
	return rc ? rc : copy_dir(m, preflight_shard(m), "preflight", out);
}

/* The module at @path (modules/@rel of a shard) noted in @seen ({@rel: [path,
 * sha256]}); the same @rel noted before from another shard must be the same
 * bytes, else refused naming both. */
static int note_module(const char *path, const char *rel, json_t *seen)
{
	json_t *before = json_object_get(seen, rel);
	char sha[CL_SHA256_HEX];
	int rc = cl_sha256_file(sha, path);

	if (rc == 0 && !before)
		json_object_set_new(seen, rel, json_pack("[s, s]", path, sha));
	else if (rc == 0 && strcmp(json_string_value(json_array_get(before, 1)), sha))
		rc = cl_err_set(CL_EINPUT, "%s and %s: the same module with different bytes; "
				"which one was qualified cannot be told",
				json_string_value(json_array_get(before, 0)), path);
	return rc;
}

static int note_modules(const struct merge *m, int i, const char *rel, json_t *seen);

/* The entries of shard @i's directory modules/@rel (at @path), each in turn. */
static int note_modules_in(const struct merge *m, int i, const char *rel, const char *path,
			   json_t *seen)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = d ? 0 : cl_err_set(CL_EINPUT, "%s: cannot open: %s", path, strerror(errno));

	while (rc == 0 && (e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = rel[0] ? cl_sprintf("%s/%s", rel, e->d_name) : cl_xstrdup(e->d_name);
		rc = note_modules(m, i, sub, seen);
		free(sub);
	}
	if (d)
		closedir(d);
	return rc;
}

/* Shard @i's modules/@rel ("": all of them) into @seen (note_module). Only
 * directories and regular files are walked, by lstat at every level: a link
 * is never followed here, and the copy refuses it. */
static int note_modules(const struct merge *m, int i, const char *rel, json_t *seen)
{
	char *path = cl_sprintf("%s/modules%s%s", m->dirs[i], rel[0] ? "/" : "", rel);
	struct stat st;
	int found = lstat(path, &st) == 0, rc = 0;

	if (found && S_ISDIR(st.st_mode))
		rc = note_modules_in(m, i, rel, path, seen);
	else if (found && S_ISREG(st.st_mode))
		rc = note_module(path, rel, seen);
	free(path);
	return rc;
}

/* A module (RELEASE/NAME.ko) that two shards kept is the same bytes in both. */
static int check_modules(const struct merge *m)
{
	json_t *seen = json_object();
	int rc = 0;

	for (int i = 0; i < m->n && rc == 0; i++)
		rc = note_modules(m, i, "", seen);
	json_decref(seen);
	return rc;
}

/*
 * Shard @i's report: DIR/report.json, a regular file in a real directory;
 * with @key, the predicate of DIR/attestation.json verified with its public
 * half, and report.json the same document.
 */
static int load_shard(struct merge *m, int i, const char *key)
{
	const char *dir = m->dirs[i];
	char *p = cl_path_join(dir, "report.json"), *att = cl_path_join(dir, "attestation.json");
	json_t *st = NULL;
	struct stat sd, sr;
	int rc;

	if (lstat(dir, &sd) != 0 || !S_ISDIR(sd.st_mode))
		rc = cl_err_set(CL_EINPUT, "%s: not a directory (a link is not followed)", dir);
	else if (lstat(p, &sr) != 0 || !S_ISREG(sr.st_mode))
		rc = cl_err_set(CL_EINPUT, "%s: missing or not a regular file", p);
	else if ((rc = cl_json_load(&m->reps[i], p)) == 0 && key &&
		 (rc = cl_attest_open_key(&st, att, key)) == 0 &&
		 !json_equal(m->reps[i], json_object_get(st, "predicate")))
		rc = cl_err_set(CL_EINPUT, "%s differs from the report signed in %s", p, att);
	if (rc == 1)
		rc = cl_err_set(CL_EINPUT, "%s: %s", att, cl_err());
	json_decref(st);
	free(p);
	free(att);
	return rc;
}

int cl_merge(const char *const *dirs, int n, const char *out, const char *verify_key)
{
	struct merge m = { .dirs = dirs, .n = n, .reps = cl_xcalloc((size_t)n, sizeof(json_t *)) };
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = load_shard(&m, i, verify_key);
	if (rc == 0 && (rc = check_shards(&m)) == 0 && (rc = check_coverage(&m)) == 0 &&
	    (rc = check_modules(&m)) == 0 && (rc = cl_mkdir_p(out, 0755)) == 0 &&
	    (rc = copy_outputs(&m, out)) == 0)
		rc = write_merged(&m, out);
	for (i = 0; i < n; i++)
		json_decref(m.reps[i]);
	json_decref(m.cells);
	free(m.reps);
	return rc;
}

int cl_merge_exit_code(const char *out)
{
	char *p = cl_path_join(out, "report.json");
	json_t *r = NULL;
	const char *v;
	int code = 2;

	if (cl_json_load(&r, p) == 0 && (v = str_at(r, "verdict", NULL)))
		code = !strcmp(v, "pass") ? 0 : !strcmp(v, "fail") ? 1 : 2;
	json_decref(r);
	free(p);
	return code;
}
