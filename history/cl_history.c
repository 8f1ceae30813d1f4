/*
 * cl_history.c - runs recorded from their reports, and what the records
 * answer (see cl_history.h). The SQL is one dialect for SQLite and
 * PostgreSQL: text parameters, CAST where a parameter's type is not given
 * by a column, ids given by crashlab under the write lock.
 */
#include "cl_history.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Migration N takes the schema from version N to N + 1. */
static const char *const migrations[CL_HISTORY_SCHEMA] = {
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT,"
	" finished TEXT, verdict TEXT, crashlab_version TEXT, accelerator TEXT, hosts TEXT,"
	" matrix TEXT, matrix_sha256 TEXT, scenario TEXT, scenario_sha256 TEXT, candidate TEXT,"
	" candidate_version TEXT, report_dir TEXT);"
	"CREATE TABLE artifacts (run_id INTEGER NOT NULL REFERENCES runs(id), kind TEXT,"
	" name TEXT, kernel TEXT, sha256 TEXT);"
	"CREATE TABLE cells (run_id INTEGER NOT NULL REFERENCES runs(id), cell TEXT NOT NULL,"
	" kernel TEXT, os TEXT, flavor TEXT, image TEXT, verdict TEXT, title TEXT, class TEXT,"
	" frame TEXT, module TEXT, duration_s REAL, attempts INTEGER, boots INTEGER,"
	" started_from TEXT, host TEXT, PRIMARY KEY (run_id, cell));"
	"CREATE TABLE crash_groups (run_id INTEGER NOT NULL REFERENCES runs(id),"
	" title TEXT NOT NULL, cells INTEGER, first_run INTEGER);"
	"CREATE INDEX cells_by_cell ON cells (cell);"
	"CREATE INDEX crash_groups_by_title ON crash_groups (title);",
	/* 2: what makes two runs the same experiment (flaky cells) */
	"ALTER TABLE runs ADD COLUMN inputs_sha256 TEXT;",
	/* 3: --reruns: "K/N", K of the cell's N runs failed */
	"ALTER TABLE cells ADD COLUMN reproduced TEXT;",
};

char *cl_history_default(void)
{
	const char *env = getenv("CRASHLAB_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *dir;

	if (env && *env)
		return cl_xstrdup(env);
	dir = xdg && *xdg ? cl_sprintf("%s/crashlab", xdg)
			  : cl_sprintf("%s/.local/share/crashlab", home && *home ? home : "/root");
	cl_mkdir_p(dir, 0700); /* a failure shows when the file is opened */
	char *path = cl_sprintf("%s/history.db", dir);
	free(dir);
	return path;
}

static int sql(struct cl_history *h, const char *text)
{
	return cl_store_exec(h->store, text, 0, NULL, NULL, NULL);
}

static int begin(struct cl_history *h)
{
	return sql(h, h->store->kind->begin_write);
}

/* End the transaction: COMMIT when @rc is 0, else ROLLBACK; @rc. */
static int end(struct cl_history *h, int rc)
{
	if (rc == 0)
		return sql(h, "COMMIT");
	char *why = cl_xstrdup(cl_err());
	sql(h, "ROLLBACK");
	cl_err_set(rc, "%s", why);
	free(why);
	return rc;
}

int cl_history_version(struct cl_history *h)
{
	char *v = NULL;
	int n = 0;

	if (cl_store_value(h->store, &v, "SELECT MAX(version) FROM crashlab_schema", 0, NULL) == 0 &&
	    v)
		n = atoi(v);
	free(v);
	return n;
}

/* Every migration the database has not had, in order, in one transaction. */
static int migrate(struct cl_history *h)
{
	int rc = begin(h), v;

	if (rc == 0)
		rc = sql(h, "CREATE TABLE IF NOT EXISTS crashlab_schema (version INTEGER NOT NULL)");
	v = rc ? 0 : cl_history_version(h);
	if (rc == 0 && v > CL_HISTORY_SCHEMA)
		rc = cl_err_set(CL_EINFRA, "history %s: schema version %d is newer than this "
				"crashlab's (%d)", h->where, v, CL_HISTORY_SCHEMA);
	for (; rc == 0 && v < CL_HISTORY_SCHEMA; v++) {
		char num[16];
		const char *p[] = { num };

		snprintf(num, sizeof(num), "%d", v + 1);
		if (!(rc = sql(h, migrations[v])))
			rc = cl_store_exec(h->store, "INSERT INTO crashlab_schema (version) VALUES ($1)",
					   1, p, NULL, NULL);
	}
	return end(h, rc);
}

int cl_history_open(struct cl_history *h, const char *where)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->where = cl_store_display(where);
	if ((rc = cl_store_open(&h->store, where)) || (rc = migrate(h))) {
		cl_history_close(h);
		return rc;
	}
	return 0;
}

void cl_history_close(struct cl_history *h)
{
	cl_store_close(h->store);
	free(h->where);
	memset(h, 0, sizeof(*h));
}

/* A report value as a parameter: strings as they are, numbers and
 * booleans as text, anything else (null, absent) NULL. @buf holds numbers. */
static const char *text_of(json_t *v, char buf[32])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, 32, "%.3f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, 32, "%d", json_is_true(v));
	else
		return NULL;
	return buf;
}

/* Insert one row: the @nlead values of @lead, then @n values, each a path
 * into @obj ("a.b" nests). */
static int insert(struct cl_history *h, const char *sql_text, const char *const *lead, int nlead,
		  json_t *obj, const char *const *keys, int n)
{
	char bufs[16][32];
	const char *p[20];

	for (int i = 0; i < nlead; i++)
		p[i] = lead[i];
	for (int i = 0; i < n && i < 16; i++) {
		json_t *v = obj;
		char key[64], *save = NULL;

		snprintf(key, sizeof(key), "%s", keys[i]);
		for (char *k = strtok_r(key, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
			v = json_object_get(v, k);
		p[nlead + i] = text_of(v, bufs[i]);
	}
	return cl_store_exec(h->store, sql_text, nlead + n, p, NULL, NULL);
}

/*
 * What the run tested, as one digest: every artifact of the candidate
 * (kind, name, kernel, sha256, in the report's order), the matrix's and the
 * scenario's digests. Two runs with the same are the same experiment.
 */
static void inputs_digest(json_t *rep, char out[CL_SHA256_HEX])
{
	json_t *a, *ins = json_array();
	size_t i;
	char *text;

	json_array_foreach(json_object_get(json_object_get(rep, "candidate"), "artifacts"), i, a)
		json_array_append_new(ins, json_pack("[O?,O?,O?,O?]", json_object_get(a, "kind"),
						     json_object_get(a, "name"),
						     json_object_get(a, "kernel_release"),
						     json_object_get(a, "sha256")));
	json_array_append(ins, json_object_get(json_object_get(rep, "matrix"), "sha256"));
	json_array_append(ins, json_object_get(json_object_get(rep, "scenario"), "sha256"));
	text = json_dumps(ins, JSON_COMPACT | JSON_ENCODE_ANY);
	cl_sha256_hex(out, text ? text : "", text ? strlen(text) : 0);
	free(text);
	json_decref(ins);
}

static int insert_run(struct cl_history *h, const char *run, json_t *rep, const char *command,
		      const char *dir)
{
	static const char *const keys[] = { "started", "finished", "verdict", "crashlab.version",
					    "accelerator", "host.uri", "matrix.name",
					    "matrix.sha256", "scenario.name", "scenario.sha256",
					    "candidate.name", "candidate.version" };
	char inputs[CL_SHA256_HEX];
	const char *lead[] = { run, command, dir, inputs };

	inputs_digest(rep, inputs);
	return insert(h, "INSERT INTO runs (id, command, report_dir, inputs_sha256, started,"
		      " finished, verdict, crashlab_version, accelerator, hosts, matrix,"
		      " matrix_sha256, scenario, scenario_sha256, candidate, candidate_version)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
		      " $16)", lead, 4, rep, keys, 12);
}

static int insert_artifacts(struct cl_history *h, const char *run, json_t *rep)
{
	static const char *const keys[] = { "kind", "name", "kernel_release", "sha256" };
	json_t *a;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(json_object_get(rep, "candidate"), "artifacts"), i, a)
		if (rc == 0)
			rc = insert(h, "INSERT INTO artifacts (run_id, kind, name, kernel, sha256)"
				       " VALUES ($1, $2, $3, $4, $5)", &run, 1, a, keys, 4);
	return rc;
}

/* A cell's "reproduced" as "K/N" into @buf, or NULL when it was not rerun. */
static const char *reproduced(json_t *cell, char buf[32])
{
	json_t *r = json_object_get(cell, "reproduced");

	if (!json_is_object(r))
		return NULL;
	snprintf(buf, 32, "%lld/%lld", (long long)json_integer_value(json_object_get(r, "failed")),
		 (long long)json_integer_value(json_object_get(r, "runs")));
	return buf;
}

static int insert_cells(struct cl_history *h, const char *run, json_t *rep)
{
	static const char *const keys[] = { "id", "kernel_release", "os", "flavor", "image",
					    "verdict", "title", "class", "frame", "module",
					    "duration_s", "attempts", "boots", "started_from",
					    "host" };
	json_t *c;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(rep, "cells"), i, c) {
		char buf[32];
		const char *lead[] = { run, reproduced(c, buf) };

		if (rc == 0)
			rc = insert(h, "INSERT INTO cells (run_id, reproduced, cell, kernel, os, flavor,"
				       " image, verdict, title, class, frame, module, duration_s,"
				       " attempts, boots, started_from, host) VALUES ($1, $2, $3, $4,"
				       " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
				    lead, 2, c, keys, 15);
	}
	return rc;
}

/* The first run that had a crash group titled like @g's, before this one. */
static int where_first(void *ctx, int n, const char *const *vals)
{
	struct cl_history_group *g = ctx;

	if (n >= 2 && vals[0]) {
		g->known = 1;
		g->first_run = atol(vals[0]);
		g->first_seen = cl_xstrdup(vals[1] ? vals[1] : "");
	}
	return 1;
}

static int insert_group(struct cl_history *h, const char *run, json_t *grp,
			struct cl_history_group *g)
{
	json_t *title = json_object_get(grp, "title");
	char first[24], cells[16];
	const char *look[1], *p[4] = { run, NULL, cells, first };
	int rc;

	g->title = cl_xstrdup(json_is_string(title) ? json_string_value(title) : "");
	g->cells = (int)json_array_size(json_object_get(grp, "cells"));
	look[0] = g->title;
	rc = cl_store_exec(h->store, "SELECT g.run_id, r.started FROM crash_groups g JOIN runs r"
				     " ON r.id = g.run_id WHERE g.title = $1 ORDER BY g.run_id"
				     " LIMIT 1", 1, look, where_first, g);
	if (rc == 0 && !g->known) {
		g->first_run = atol(run);
		g->first_seen = NULL;
	}
	snprintf(first, sizeof(first), "%ld", g->first_run);
	snprintf(cells, sizeof(cells), "%d", g->cells);
	p[1] = g->title;
	return rc ? rc : cl_store_exec(h->store, "INSERT INTO crash_groups (run_id, title, cells,"
				       " first_run) VALUES ($1, $2, $3, $4)", 4, p, NULL, NULL);
}

static int record_in(struct cl_history *h, json_t *rep, const char *command, const char *dir,
		     struct cl_history_run *out)
{
	json_t *groups = json_object_get(rep, "groups"), *g;
	char *next = NULL, run[24];
	size_t i;
	int rc = cl_store_value(h->store, &next, "SELECT COALESCE(MAX(id), 0) + 1 FROM runs", 0,
				NULL);

	out->id = next ? atol(next) : 0;
	free(next);
	snprintf(run, sizeof(run), "%ld", out->id);
	if (rc == 0 && out->id <= 0)
		rc = cl_err_set(CL_EINFRA, "history %s: no run number", h->where);
	if (rc == 0 && !(rc = insert_run(h, run, rep, command, dir)) &&
	    !(rc = insert_artifacts(h, run, rep)))
		rc = insert_cells(h, run, rep);
	out->groups = cl_xcalloc(json_array_size(groups) + 1, sizeof(*out->groups));
	json_array_foreach(groups, i, g)
		if (rc == 0)
			rc = insert_group(h, run, g, &out->groups[out->ngroups++]);
	return rc;
}

int cl_history_record(struct cl_history *h, json_t *rep, const char *command, const char *dir,
		      struct cl_history_run *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = begin(h)))
		return rc;
	rc = end(h, record_in(h, rep, command, dir, out));
	if (rc)
		cl_history_run_clear(out);
	return rc;
}

void cl_history_run_clear(struct cl_history_run *r)
{
	for (int i = 0; i < r->ngroups; i++) {
		free(r->groups[i].title);
		free(r->groups[i].first_seen);
	}
	free(r->groups);
	memset(r, 0, sizeof(*r));
}

/* Rows into a JSON array of objects named by @cols (numbers where the name says). */
struct rows {
	const char *const *cols;
	json_t *arr;
};

static int add_row(void *ctx, int n, const char *const *vals)
{
	struct rows *r = ctx;
	json_t *o = json_object();

	for (int i = 0; i < n && r->cols[i]; i++) {
		const char *name = r->cols[i];
		int number = name[0] == '#';

		name += number;
		json_object_set_new(o, name, !vals[i] ? json_null()
					     : number ? json_integer(atoll(vals[i]))
						      : json_string(vals[i]));
	}
	json_array_append_new(r->arr, o);
	return 0;
}

static int rows_of(struct cl_history *h, const char *q, int n, const char *const *p,
		   const char *const *cols, json_t **out)
{
	struct rows r = { cols, json_array() };
	int rc = cl_store_exec(h->store, q, n, p, add_row, &r);

	if (rc)
		json_decref(r.arr);
	*out = rc ? NULL : r.arr;
	return rc;
}

int cl_history_runs(struct cl_history *h, const struct cl_history_filter *f, json_t **out)
{
	static const char *const run_cols[] = { "#run", "command", "started", "verdict",
						"candidate", "version", "matrix", "#cells",
						"#passed", NULL };
	static const char *const cell_cols[] = { "#run", "started", "candidate", "version",
						 "cell", "kernel", "verdict", "title", "#attempts",
						 NULL };
	const char *p[] = { f->candidate, f->since, f->cell };

	if (f->cell)
		return rows_of(h, "SELECT r.id, r.started, r.candidate, r.candidate_version, c.cell,"
				  " c.kernel, c.verdict, c.title, c.attempts FROM cells c JOIN runs r"
				  " ON r.id = c.run_id WHERE (CAST($1 AS TEXT) IS NULL OR r.candidate"
				  " = $1) AND (CAST($2 AS TEXT) IS NULL OR r.started >= $2) AND"
				  " c.cell = $3 ORDER BY r.id DESC", 3, p, cell_cols, out);
	return rows_of(h, "SELECT r.id, r.command, r.started, r.verdict, r.candidate,"
			  " r.candidate_version, r.matrix, (SELECT COUNT(*) FROM cells c WHERE"
			  " c.run_id = r.id), (SELECT COUNT(*) FROM cells c WHERE c.run_id = r.id"
			  " AND c.verdict = 'pass') FROM runs r WHERE (CAST($1 AS TEXT) IS NULL OR"
			  " r.candidate = $1) AND (CAST($2 AS TEXT) IS NULL OR r.started >= $2)"
			  " ORDER BY r.id DESC", 2, p, run_cols, out);
}

/* Each crash group's distinct @what ("kernel", "candidate_version") as an array. */
static int group_list(struct cl_history *h, json_t *grp, const char *what, const char *q)
{
	static const char *const one[] = { "v", NULL };
	const char *p[] = { json_string_value(json_object_get(grp, "title")) };
	json_t *rows = NULL, *list = json_array(), *r;
	size_t i;
	int rc = rows_of(h, q, 1, p, one, &rows);

	json_array_foreach(rows, i, r)
		json_array_append(list, json_object_get(r, "v"));
	json_decref(rows);
	json_object_set_new(grp, what, list);
	return rc;
}

int cl_history_crashes(struct cl_history *h, json_t **out)
{
	static const char *const cols[] = { "title", "first_seen", "last_seen", "#runs",
					    "#cells", "#first_run", "#last_run", NULL };
	json_t *g;
	size_t i;
	int rc = rows_of(h, "SELECT g.title, MIN(r.started), MAX(r.started), COUNT(*),"
			    " SUM(g.cells), MIN(g.run_id), MAX(g.run_id) FROM crash_groups g JOIN"
			    " runs r ON r.id = g.run_id GROUP BY g.title ORDER BY MAX(g.run_id)"
			    " DESC, g.title", 0, NULL, cols, out);

	json_array_foreach(rc ? NULL : *out, i, g)
		if (rc == 0 && !(rc = group_list(h, g, "kernels", "SELECT DISTINCT kernel FROM"
						 " cells WHERE title = $1 ORDER BY kernel")))
			rc = group_list(h, g, "candidate_versions", "SELECT DISTINCT"
					" r.candidate_version FROM cells c JOIN runs r ON r.id ="
					" c.run_id WHERE c.title = $1 ORDER BY r.candidate_version");
	if (rc && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int cl_history_baseline(struct cl_history *h, const char *spec, const char *candidate,
			long before, long *id)
{
	char num[24], *v = NULL;
	const char *p[] = { candidate, num };
	int rc;

	snprintf(num, sizeof(num), "%ld", before);
	/* every parameter a statement is given, it uses: PostgreSQL types each */
	if (!strcmp(spec, "last-pass"))
		rc = cl_store_value(h->store, &v, "SELECT MAX(id) FROM runs WHERE verdict = 'pass' AND"
				    " candidate = $1 AND id < CAST($2 AS BIGINT)", 2, p);
	else if (strspn(spec, "0123456789") == strlen(spec) && *spec && strlen(spec) < 18)
		rc = cl_store_value(h->store, &v, "SELECT id FROM runs WHERE id = CAST($1 AS BIGINT)",
				    1, &spec);
	else
		return cl_err_set(CL_EINPUT, "--baseline %s: last-pass or a run number", spec);
	*id = v ? atol(v) : 0;
	free(v);
	if (rc == 0 && *id <= 0)
		rc = cl_err_set(CL_EINPUT, "--baseline %s: %s has no such run%s", spec, h->where,
				strcmp(spec, "last-pass") ? "" : " (no passing run of this candidate)");
	return rc;
}

/* A run's cells as {cell: [verdict, title]}. */
static int cells_of(struct cl_history *h, long run, json_t **out)
{
	static const char *const cols[] = { "cell", "verdict", "title", NULL };
	char num[24];
	const char *p[] = { num };
	json_t *rows = NULL, *r;
	size_t i;
	int rc;

	snprintf(num, sizeof(num), "%ld", run);
	rc = rows_of(h, "SELECT cell, verdict, title FROM cells WHERE run_id = CAST($1 AS INTEGER)"
		     " ORDER BY cell", 1, p, cols, &rows);
	*out = json_object();
	json_array_foreach(rows, i, r)
		json_object_set(*out, json_string_value(json_object_get(r, "cell")), r);
	json_decref(rows);
	return rc;
}

static int is_pass(json_t *cell)
{
	json_t *v = json_object_get(cell, "verdict");

	return json_is_string(v) && !strcmp(json_string_value(v), "pass");
}

/* Did any cell of @cells crash with @title? */
static int has_title(json_t *cells, const char *title)
{
	const char *k;
	json_t *c;

	json_object_foreach(cells, k, c)
		if (!is_pass(c) && json_is_string(json_object_get(c, "title")) &&
		    !strcmp(json_string_value(json_object_get(c, "title")), title))
			return 1;
	return 0;
}

int cl_history_compare(struct cl_history *h, long base, long now, json_t **out)
{
	json_t *was = NULL, *is = NULL, *c, *b;
	json_t *reg = json_array(), *fix = json_array(), *titles = json_array(), *fresh = json_array();
	const char *cell;
	int rc = cells_of(h, base, &was);

	if (rc == 0)
		rc = cells_of(h, now, &is);
	json_object_foreach(rc ? NULL : is, cell, c) {
		json_t *title = json_object_get(c, "title");

		b = json_object_get(was, cell);
		if (!b)
			json_array_append_new(fresh, json_string(cell));
		else if (is_pass(b) && !is_pass(c))
			json_array_append_new(reg, json_pack("{s:s, s:O, s:O, s:O}", "cell", cell, "was",
							     json_object_get(b, "verdict"), "now",
							     json_object_get(c, "verdict"), "title", title));
		else if (!is_pass(b) && is_pass(c))
			json_array_append_new(fix, json_pack("{s:s, s:O, s:O}", "cell", cell, "was",
							     json_object_get(b, "verdict"), "now",
							     json_object_get(c, "verdict")));
	}
	/* each crash title of this run that the baseline never had, once */
	json_object_foreach(rc ? NULL : is, cell, c) {
		const char *t = json_string_value(json_object_get(c, "title"));
		size_t i;
		json_t *seen;
		int dup = 0;

		if (is_pass(c) || !t || has_title(was, t))
			continue;
		json_array_foreach(titles, i, seen)
			dup |= !strcmp(json_string_value(seen), t);
		if (!dup)
			json_array_append_new(titles, json_string(t));
	}
	*out = json_pack("{s:I, s:o, s:o, s:o, s:o}", "run", (json_int_t)base, "regressions", reg,
			 "fixes", fix, "new_titles", titles, "new_cells", fresh);
	json_decref(was);
	json_decref(is);
	return rc;
}

/* Each across-runs flaky row of @rows gains its verdicts and their counts. */
static int verdicts_of(struct cl_history *h, json_t *rows)
{
	static const char *const vcols[] = { "verdict", "#runs", NULL };
	json_t *f;
	size_t i;
	int rc = 0;

	json_array_foreach(rows, i, f) {
		const char *p[] = { json_string_value(json_object_get(f, "cell")),
				    json_string_value(json_object_get(f, "kernel")),
				    json_string_value(json_object_get(f, "inputs_sha256")) };
		json_t *v = NULL;

		if (rc == 0 && (rc = rows_of(h, "SELECT c.verdict, COUNT(*) FROM cells c JOIN runs r ON"
					     " r.id = c.run_id WHERE c.cell = $1 AND c.kernel = $2 AND"
					     " r.inputs_sha256 = $3 GROUP BY c.verdict ORDER BY"
					     " c.verdict", 3, p, vcols, &v)) == 0)
			json_object_set_new(f, "verdicts", v);
	}
	return rc;
}

/* The cells whose reruns in one run did not all fail ("K/N", K < N), into @out. */
static int rerun_flaky(struct cl_history *h, json_t *out)
{
	static const char *const cols[] = { "cell", "kernel", "reproduced", "#first_run", "verdict",
					    NULL };
	json_t *rows = NULL, *r;
	size_t i;
	int rc = rows_of(h, "SELECT c.cell, c.kernel, c.reproduced, c.run_id, c.verdict FROM cells c"
			    " WHERE c.reproduced IS NOT NULL ORDER BY c.run_id DESC, c.cell", 0, NULL,
			    cols, &rows);

	json_array_foreach(rows, i, r) {
		int k = 0, n = 0;

		if (sscanf(json_string_value(json_object_get(r, "reproduced")), "%d/%d", &k, &n) != 2 ||
		    k >= n)
			continue; /* every run failed: reproducible, not flaky */
		json_object_set(r, "last_run", json_object_get(r, "first_run"));
		json_object_set_new(r, "runs", json_integer(n));
		json_array_append(out, r);
	}
	json_decref(rows);
	return rc;
}

int cl_history_flaky(struct cl_history *h, json_t **out)
{
	static const char *const cols[] = { "cell", "kernel", "inputs_sha256", "#runs",
					    "#verdicts", "#first_run", "#last_run", NULL };
	int rc = rows_of(h, "SELECT c.cell, c.kernel, r.inputs_sha256, COUNT(*),"
			    " COUNT(DISTINCT c.verdict), MIN(r.id), MAX(r.id) FROM cells c JOIN runs r"
			    " ON r.id = c.run_id WHERE r.inputs_sha256 IS NOT NULL GROUP BY c.cell,"
			    " c.kernel, r.inputs_sha256 HAVING COUNT(DISTINCT c.verdict) > 1 ORDER BY"
			    " MAX(r.id) DESC, c.cell", 0, NULL, cols, out);

	if (rc == 0 && (rc = verdicts_of(h, *out)) == 0)
		rc = rerun_flaky(h, *out);
	if (rc && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int cl_history_grid(struct cl_history *h, int last, json_t **runs, json_t **cells)
{
	static const char *const run_cols[] = { "#run", "started", "candidate", "version",
						"verdict", NULL };
	static const char *const cell_cols[] = { "#run", "cell", "kernel", "verdict", "title",
						 NULL };
	char num[24];
	const char *p[] = { num };
	int rc;

	snprintf(num, sizeof(num), "%d", last);
	*cells = NULL;
	rc = rows_of(h, "SELECT id, started, candidate, candidate_version, verdict FROM runs"
		     " ORDER BY id DESC LIMIT CAST($1 AS INTEGER)", 1, p, run_cols, runs);
	if (rc == 0) {
		json_int_t oldest = json_integer_value(json_object_get(
			json_array_get(*runs, json_array_size(*runs) - 1), "run"));

		snprintf(num, sizeof(num), "%lld", (long long)oldest);
		rc = rows_of(h, "SELECT run_id, cell, kernel, verdict, title FROM cells WHERE run_id >="
			     " CAST($1 AS INTEGER) ORDER BY cell, run_id", 1, p, cell_cols, cells);
	}
	return rc;
}

/* Debian's kernel and package versions compare as strverscmp does for
 * them: "6.1.0-9" < "6.1.0-47", "1.0.9" < "1.0.10". */
static int by_version(const void *a, const void *b)
{
	return strverscmp(json_string_value(json_object_get(*(json_t *const *)a, "v")),
			  json_string_value(json_object_get(*(json_t *const *)b, "v")));
}

/*
 * Over rows {v, bad, good} (one per kernel or per candidate version), those
 * @keep keeps (NULL: all): the first (lowest) v with a bad row, and the last
 * v below it that was good and never bad. {"first_bad": V|null, "last_good": V|null}.
 */
static json_t *edge(json_t *rows, int (*keep)(const char *v, const void *ctx), const void *ctx)
{
	size_t n = 0, i;
	json_t **v = cl_xcalloc(json_array_size(rows) + 1, sizeof(*v)), *first = NULL, *good = NULL, *r;

	json_array_foreach(rows, i, r)
		if (!keep || keep(json_string_value(json_object_get(r, "v")), ctx))
			v[n++] = r;
	qsort(v, n, sizeof(*v), by_version);
	for (i = 0; i < n && !first; i++) {
		if (json_integer_value(json_object_get(v[i], "bad")) > 0)
			first = json_object_get(v[i], "v");
		else if (json_integer_value(json_object_get(v[i], "good")) > 0)
			good = json_object_get(v[i], "v");
	}
	free(v);
	return json_pack("{s:O?, s:O?}", "first_bad", first, "last_good", first ? good : NULL);
}

int cl_history_edges(struct cl_history *h, const char *title, json_t **out)
{
	static const char *const cols[] = { "v", "#bad", "#good", NULL };
	const char *p[] = { title };
	json_t *kernels = NULL, *versions = NULL;
	int rc;

	*out = NULL;
	/* per kernel over the candidate versions that ever met the crash; per
	 * candidate version over the kernels it was met on */
	rc = rows_of(h, "SELECT c.kernel, SUM(CASE WHEN c.title = $1 THEN 1 ELSE 0 END),"
		     " SUM(CASE WHEN c.verdict = 'pass' THEN 1 ELSE 0 END) FROM cells c JOIN runs r"
		     " ON r.id = c.run_id WHERE r.candidate_version IN (SELECT r2.candidate_version"
		     " FROM cells c2 JOIN runs r2 ON r2.id = c2.run_id WHERE c2.title = $1)"
		     " GROUP BY c.kernel", 1, p, cols, &kernels);
	if (rc == 0)
		rc = rows_of(h, "SELECT r.candidate_version, SUM(CASE WHEN c.title = $1 THEN 1 ELSE 0"
			     " END), SUM(CASE WHEN c.verdict = 'pass' THEN 1 ELSE 0 END) FROM cells c"
			     " JOIN runs r ON r.id = c.run_id WHERE c.kernel IN (SELECT c2.kernel FROM"
			     " cells c2 WHERE c2.title = $1) GROUP BY r.candidate_version", 1, p,
			     cols, &versions);
	if (rc == 0 && json_array_size(kernels) == 0)
		rc = cl_err_set(CL_EINPUT, "history %s: no crash titled \"%.120s\"", h->where, title);
	if (rc == 0)
		*out = json_pack("{s:s, s:o, s:o}", "title", title, "kernel", edge(kernels, NULL, NULL),
				 "candidate_version", edge(versions, NULL, NULL));
	json_decref(kernels);
	json_decref(versions);
	return rc;
}

int cl_history_kernel_edge(struct cl_history *h, const char *title, const char *candidate,
			   const char *version, int (*keep)(const char *kernel, const void *ctx),
			   const void *ctx, json_t **out)
{
	static const char *const cols[] = { "v", "#bad", "#good", NULL };
	const char *p[] = { title, candidate, version };
	json_t *kernels = NULL;
	int rc = rows_of(h, "SELECT c.kernel, SUM(CASE WHEN c.title = $1 THEN 1 ELSE 0 END),"
			    " SUM(CASE WHEN c.verdict = 'pass' THEN 1 ELSE 0 END) FROM cells c JOIN runs r"
			    " ON r.id = c.run_id WHERE r.candidate = $2 AND r.candidate_version = $3"
			    " AND c.kernel IS NOT NULL GROUP BY c.kernel", 3, p, cols, &kernels);

	*out = rc ? NULL : edge(kernels, keep, ctx);
	json_decref(kernels);
	return rc;
}

int cl_history_match(struct cl_history *h, const char *title, json_t **out)
{
	static const char *const run_cols[] = { "#run", "started", "candidate", "version",
						"report_dir", NULL };
	static const char *const cell_cols[] = { "cell", "kernel", "image", NULL };
	const char *p[] = { title, NULL };
	json_t *runs = NULL, *cells = NULL, *last;
	char num[24];
	int rc = rows_of(h, "SELECT r.id, r.started, r.candidate, r.candidate_version, r.report_dir"
			    " FROM crash_groups g JOIN runs r ON r.id = g.run_id WHERE g.title = $1"
			    " ORDER BY r.id DESC", 1, p, run_cols, &runs);

	*out = NULL;
	if (rc || !(last = json_array_get(runs, 0))) {
		json_decref(runs);
		return rc;
	}
	snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(json_object_get(last, "run")));
	p[1] = num;
	rc = rows_of(h, "SELECT cell, kernel, image FROM cells WHERE title = $1 AND run_id ="
		     " CAST($2 AS BIGINT) ORDER BY cell", 2, p, cell_cols, &cells);
	if (rc == 0)
		*out = json_pack("{s:s, s:I, s:O, s:o, s:O}", "group", title, "runs",
				 (json_int_t)json_array_size(runs), "last_run", last, "cells", cells,
				 "first_run", json_array_get(runs, json_array_size(runs) - 1));
	json_decref(runs);
	return rc;
}
