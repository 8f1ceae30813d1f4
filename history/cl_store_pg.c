/*
 * cl_store_pg.c - the history in PostgreSQL (--db postgresql://...): one
 * database for a team's CI runners. The same SQL as SQLite's; parameters
 * go as text and the server gives them their columns' types.
 */
#include "cl_store.h"
#include "cl_util.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

struct pg_store {
	struct cl_store base;
	PGconn *conn;
};

static int claims(const char *where)
{
	return !strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11);
}

/* libpq's message, on one line. */
static int fail(struct pg_store *s, const char *what, const char *msg)
{
	char *line = cl_xstrdup(msg ? msg : "");
	int rc;

	line[strcspn(line, "\n")] = '\0';
	rc = cl_err_set(CL_EINFRA, "history %s: %s: %s", s->base.where, what, line);
	free(line);
	return rc;
}

static int open_url(struct cl_store **out, const char *where)
{
	struct pg_store *s = cl_xcalloc(1, sizeof(*s));
	PGresult *r;
	int rc = 0;

	s->base.kind = &cl_store_pg;
	s->base.where = cl_store_display(where);
	s->conn = PQconnectdb(where);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		rc = fail(s, "cannot connect", PQerrorMessage(s->conn));
	} else {
		/* notices (CREATE ... IF NOT EXISTS) are not for the user's terminal */
		r = PQexec(s->conn, "SET client_min_messages = warning");
		PQclear(r);
	}
	if (rc) {
		cl_store_pg.close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

static int exec(struct cl_store *base, const char *sql, int n, const char *const *params,
		cl_store_row_fn fn, void *ctx)
{
	struct pg_store *s = (struct pg_store *)base;
	/* several statements (a migration) only go unparameterised */
	PGresult *r = n ? PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0)
			: PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = fail(s, "statement failed", PQresultErrorMessage(r));
	} else if (fn && st == PGRES_TUPLES_OK) {
		int cols = PQnfields(r) < 64 ? PQnfields(r) : 64;
		const char *vals[64];

		for (int row = 0; row < PQntuples(r); row++) {
			for (int c = 0; c < cols; c++)
				vals[c] = PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
			if (fn(ctx, cols, vals))
				break;
		}
	}
	PQclear(r);
	return rc;
}

static void close_url(struct cl_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	PQfinish(s->conn);
	free(s->base.where);
	free(s);
}

const struct cl_store_kind cl_store_pg = {
	.name = "postgresql", .claims = claims,
	/* one writer at a time, whatever it writes (the schema too): a lock of
	 * the transaction's, keyed by a number of crashlab's */
	.begin_write = "BEGIN; SELECT pg_advisory_xact_lock(2024071901)", .open = open_url, .exec = exec, .close = close_url,
};
