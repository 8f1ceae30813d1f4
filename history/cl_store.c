/*
 * cl_store.c - the history database's kinds, chosen by what --db names
 * (see cl_store.h).
 */
#include "cl_store.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

static const struct cl_store_kind *const kinds[] = { &cl_store_pg, &cl_store_sqlite };

int cl_store_open(struct cl_store **out, const char *where)
{
	*out = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i]->claims(where))
			return kinds[i]->open(out, where);
	return cl_err_set(CL_EINPUT, "--db %s: neither a postgresql:// URL nor a file path", where);
}

int cl_store_exec(struct cl_store *s, const char *sql, int n, const char *const *params,
		  cl_store_row_fn fn, void *ctx)
{
	return s->kind->exec(s, sql, n, params, fn, ctx);
}

static int first_value(void *ctx, int n, const char *const *vals)
{
	char **out = ctx;

	if (n > 0 && vals[0])
		*out = cl_xstrdup(vals[0]);
	return 1; /* one row is enough */
}

int cl_store_value(struct cl_store *s, char **out, const char *sql, int n,
		   const char *const *params)
{
	*out = NULL;
	return cl_store_exec(s, sql, n, params, first_value, out);
}

void cl_store_close(struct cl_store *s)
{
	if (s)
		s->kind->close(s);
}

char *cl_store_display(const char *where)
{
	const char *scheme = strstr(where, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon;

	if (!at)
		return cl_xstrdup(where);
	/* scheme://user:password@host... -> scheme://user@host... */
	colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
	if (!colon)
		return cl_xstrdup(where);
	return cl_sprintf("%.*s%s", (int)(colon - where), where, at);
}
