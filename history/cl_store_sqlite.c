/*
 * cl_store_sqlite.c - the history in one SQLite file (the default). WAL
 * and a busy timeout, so several crashlab runs on one host record at once:
 * a writer waits its turn (up to a minute) instead of failing.
 */
#include "cl_store.h"
#include "cl_util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUSY_MS 60000

struct sqlite_store {
	struct cl_store base;
	sqlite3 *db;
};

static int claims(const char *where)
{
	return strncmp(where, "postgres", 8) != 0 && !strstr(where, "://");
}

static int fail(struct sqlite_store *s, const char *what)
{
	return cl_err_set(CL_EINFRA, "history %s: %s: %s", s->base.where, what,
			  s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

static int open_file(struct cl_store **out, const char *where)
{
	struct sqlite_store *s = cl_xcalloc(1, sizeof(*s));
	int rc;

	s->base.kind = &cl_store_sqlite;
	s->base.where = cl_xstrdup(where);
	if (sqlite3_open_v2(where, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					       SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		rc = fail(s, "cannot open");
		cl_store_sqlite.close(&s->base);
		return rc;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	/* WAL: readers never wait for the writer; the file survives a killed run */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", NULL, NULL,
			 NULL) != SQLITE_OK) {
		rc = fail(s, "cannot set it up");
		cl_store_sqlite.close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

/* Bind $1..$n by name: SQLite numbers named parameters in order of appearance. */
static int bind_all(sqlite3_stmt *st, int n, const char *const *params)
{
	for (int i = 0; i < n; i++) {
		char name[16];
		int at;

		snprintf(name, sizeof(name), "$%d", i + 1);
		if ((at = sqlite3_bind_parameter_index(st, name)) == 0)
			continue; /* not used by this statement */
		if ((params[i] ? sqlite3_bind_text(st, at, params[i], -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, at)) != SQLITE_OK)
			return -1;
	}
	return 0;
}

/* Step @st to its end, handing each row to @fn (which may stop it). */
static int rows(sqlite3_stmt *st, cl_store_row_fn fn, void *ctx)
{
	const char *vals[64];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);

		if (n > 64)
			n = 64;
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (fn && fn(ctx, n, vals))
			return SQLITE_DONE;
	}
	return rc;
}

/* @sql may hold several statements (a migration); each runs in turn. */
static int exec(struct cl_store *base, const char *sql, int n, const char *const *params,
		cl_store_row_fn fn, void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const char *rest = sql;

	while (rest && *rest) {
		sqlite3_stmt *st = NULL;
		int rc;

		if (sqlite3_prepare_v2(s->db, rest, -1, &st, &rest) != SQLITE_OK)
			return fail(s, "bad statement");
		if (!st)
			break; /* only blanks or comments left */
		rc = bind_all(st, n, params) ? SQLITE_ERROR : rows(st, fn, ctx);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return fail(s, "statement failed");
	}
	return 0;
}

static void close_file(struct cl_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	sqlite3_close(s->db);
	free(s->base.where);
	free(s);
}

const struct cl_store_kind cl_store_sqlite = {
	.name = "sqlite", .claims = claims, .begin_write = "BEGIN IMMEDIATE", .open = open_file, .exec = exec, .close = close_file,
};
