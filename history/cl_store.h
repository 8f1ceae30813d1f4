/*
 * cl_store.h - the history's database, one interface over its kinds: an
 * SQLite file (the default, embedded) and PostgreSQL (a team's, shared by
 * many CI runners). A kind is a table row (cl_store_sqlite.c,
 * cl_store_pg.c): a new database is a new file, not a new branch.
 *
 * The SQL is the same for every kind: parameters are written $1, $2, ...
 * and passed as text (NULL for SQL NULL); every value comes back as text.
 * Errors go to cl_err with CL_EINFRA (the database is the lab's, never the
 * candidate's).
 */
#ifndef CL_STORE_H
#define CL_STORE_H

#include <stddef.h>

struct cl_store;

/* One row of a query: @n columns, each NULL or text. Non-zero stops the query. */
typedef int (*cl_store_row_fn)(void *ctx, int n, const char *const *vals);

struct cl_store_kind {
	const char *name;                      /* "sqlite", "postgresql" */
	int (*claims)(const char *where);      /* is @where (--db) this kind's? */
	const char *begin_write;               /* a transaction holding the write lock */
	int (*open)(struct cl_store **out, const char *where);
	int (*exec)(struct cl_store *s, const char *sql, int n, const char *const *params,
		    cl_store_row_fn fn, void *ctx);
	void (*close)(struct cl_store *s);
};

/* Every store begins with its kind (each backend's struct embeds this first). */
struct cl_store {
	const struct cl_store_kind *kind;
	char *where; /* what it was opened as, for messages (no password) */
};

extern const struct cl_store_kind cl_store_sqlite;
extern const struct cl_store_kind cl_store_pg;

/* Open the database @where: a postgresql:// URL, or a file path (SQLite). */
int cl_store_open(struct cl_store **out, const char *where);
/* Run @sql with @n text parameters; @fn (may be NULL) sees each row. */
int cl_store_exec(struct cl_store *s, const char *sql, int n, const char *const *params,
		  cl_store_row_fn fn, void *ctx);
/* The first column of the first row into @out (NULL when no row); 0 or an error. */
int cl_store_value(struct cl_store *s, char **out, const char *sql, int n,
		   const char *const *params);
void cl_store_close(struct cl_store *s);
/* @where without a password, for messages and reports (malloc'd). */
char *cl_store_display(const char *where);

#endif
