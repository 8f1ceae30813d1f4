/*
 * cl_coverage.c - events that exercise every instance (see cl_coverage.h).
 */
#include "cl_content.h"
#include "cl_coverage.h"
#include "cl_token.h"

#include <stdio.h>
#include <string.h>

#define MAX_CRIT CL_MAX_CRITERIA
#define CANDIDATES 8

struct crit {
	u8 field, op;
	char value[CL_MAX_VALUE_LEN + 1];
};

static const char *const field_names[CL_F_USED_LAST] = {
	"event", "name", "path", "comm", "pid", "tgid", "uid", "parent_comm", "mode", "flags",
	"host", "release",
};

/* Does @s satisfy every criterion of @c on @field? */
static int all_match(const struct crit *c, int n, u8 field, const char *s)
{
	for (int i = 0; i < n; i++)
		if (c[i].field == field &&
		    !cl_match((enum cl_op)c[i].op, s, (const u8 *)c[i].value, (u16)strlen(c[i].value)))
			return 0;
	return 1;
}

/* A glob with '*' as "0" and '?' as "x". */
static void instantiate(char *out, size_t cap, const char *glob)
{
	size_t o = 0;

	for (const char *p = glob; *p && o + 1 < cap; p++)
		out[o++] = *p == '*' ? '0' : *p == '?' ? 'x' : *p;
	out[o] = '\0';
}

/* Names worth trying for the criteria on the name field (or, for @field
 * the path, on the path's last component). */
static int name_candidates(char out[CANDIDATES][96], const struct crit *c, int n)
{
	char prefix[96] = "", suffix[96] = "", middle[96] = "";
	int k = 0;

	for (int i = 0; i < n && k < CANDIDATES - 2; i++) {
		const char *v = c[i].value, *slash = strrchr(v, '/');

		if (c[i].field == CL_F_PATH && c[i].op == CL_OP_EQ && slash)
			snprintf(out[k++], 96, "%.95s", slash + 1); /* the path's own name */
		if (c[i].field != CL_F_NAME)
			continue;
		if (c[i].op == CL_OP_EQ)
			snprintf(out[k++], 96, "%.95s", v);
		else if (c[i].op == CL_OP_GLOB)
			instantiate(out[k++], 96, v);
		else if (c[i].op == CL_OP_PREFIX && strlen(v) > strlen(prefix))
			snprintf(prefix, sizeof(prefix), "%.95s", v);
		else if (c[i].op == CL_OP_SUFFIX && strlen(v) > strlen(suffix))
			snprintf(suffix, sizeof(suffix), "%.95s", v);
		else if (c[i].op == CL_OP_CONTAINS && strlen(middle) + strlen(v) < sizeof(middle))
			strcat(middle, v);
	}
	snprintf(out[k++], 96, "%.30s%.30s0%.30s", prefix, middle, suffix);
	snprintf(out[k++], 96, "cl0");
	return k;
}

/* Directories worth trying for the criteria on the path. */
static int dir_candidates(char out[CANDIDATES][64], const struct crit *c, int n, int unix_socket)
{
	int k = 0;

	snprintf(out[k++], 64, "%s", unix_socket ? "/run/crashlab-cov" : "/tmp/crashlab-cov");
	for (int i = 0; i < n && k < CANDIDATES; i++) {
		const char *v = c[i].value, *slash = strrchr(v, '/');
		int len;

		if (c[i].field != CL_F_PATH || !slash || slash == v)
			continue;
		len = (int)(slash - v);
		if (v[0] == '/')
			snprintf(out[k++], 64, "%.*s", len, v);
		else /* "DIR/": a FIFO's path is its directory's name and its own */
			snprintf(out[k++], 64, "/tmp/%.*s", len, v);
	}
	return k;
}

/* A directory where the agent may make an object. */
static int dir_ok(const char *d)
{
	return cl_token_guest_path(d) && !strstr(d, "/.") && !strstr(d, "//") &&
	       strncmp(d, "/proc", 5) && strncmp(d, "/sys", 4) && strncmp(d, "/dev", 4);
}

/* The event the sensor sees for a FIFO (two: created, opened) or a socket. */
static int event_ok(const struct crit *c, int n, int unix_socket)
{
	return unix_socket ? all_match(c, n, CL_F_EVENT, "unix_connect")
			   : all_match(c, n, CL_F_EVENT, "fifo_create") ||
				     all_match(c, n, CL_F_EVENT, "fifo_open");
}

/* One event satisfying all of @c: 1, or 0 with *why. */
static int solve(struct cl_cov_event *e, const struct crit *c, int n, const char **why)
{
	char names[CANDIDATES][96], dirs[CANDIDATES][64], path[200];
	int nn = name_candidates(names, c, n);

	*why = "no FIFO or unix-socket event satisfies all its criteria";
	for (int u = 0; u < 2; u++) {
		int nd = dir_candidates(dirs, c, n, u);

		if (!event_ok(c, n, u))
			continue;
		for (int a = 0; a < nn; a++) {
			if (!cl_token_ok(names[a]) || !all_match(c, n, CL_F_NAME, names[a]))
				continue;
			for (int d = 0; d < nd; d++) {
				const char *base = strrchr(dirs[d], '/') + 1;

				snprintf(path, sizeof(path), "%.63s/%.95s", u ? dirs[d] : base, names[a]);
				if (!dir_ok(dirs[d]) || !all_match(c, n, CL_F_PATH, path))
					continue;
				e->unix_socket = u;
				snprintf(e->dir, sizeof(e->dir), "%.63s", dirs[d]);
				snprintf(e->name, sizeof(e->name), "%.95s", names[a]);
				return 1;
			}
		}
	}
	return 0;
}

static void add_event(struct cl_cov_plan *out, const struct cl_cov_event *e)
{
	for (int i = 0; i < out->n; i++)
		if (out->ev[i].unix_socket == e->unix_socket && !strcmp(out->ev[i].dir, e->dir) &&
		    !strcmp(out->ev[i].name, e->name))
			return;
	if (out->n < CL_MAX_COV_EVENTS)
		out->ev[out->n++] = *e;
}

static void add_missed(struct cl_cov_plan *out, u32 id, const char *why)
{
	if (out->nmissed < CL_MAX_COV_MISSED) {
		out->missed[out->nmissed].instance = id;
		snprintf(out->missed[out->nmissed++].why, sizeof(out->missed[0].why), "%s", why);
	}
}

/* The non-wildcard criteria of instance @i; 0 with *why when one is on a
 * field crashlab does not drive. */
static int criteria(struct crit *c, int *n, const struct cl_content *ct, u32 i, char *why,
		    size_t cap)
{
	u8 field, op;
	const u8 *value;
	u16 vlen;

	*n = 0;
	for (u32 k = 0; cl_content_criterion(ct, i, k, &field, &op, &value, &vlen) == 0; k++) {
		if (op == CL_OP_ANY)
			continue;
		if (field > CL_F_PATH) {
			snprintf(why, cap, "criterion %u is on field %u (%s), which crashlab does not drive",
				 k + 1, field + 1, field < CL_F_USED_LAST ? field_names[field] : "reserved");
			return 0;
		}
		c[*n].field = field;
		c[*n].op = op;
		memcpy(c[*n].value, value, vlen);
		c[(*n)++].value[vlen] = '\0';
	}
	return 1;
}

int cl_coverage_plan(struct cl_cov_plan *out, const unsigned char *data, size_t len)
{
	struct cl_content ct;
	const char *why;

	if (len > CL_MAX_CONTENT_LEN || cl_content_parse(&ct, data, (u32)len, &why))
		return -1;
	for (u32 i = 0; i < ct.ninstances; i++) {
		struct crit c[MAX_CRIT];
		struct cl_cov_event e = { .instance = cl_content_instance_id(&ct, i) };
		char reason[120];
		int n;

		if (!criteria(c, &n, &ct, i, reason, sizeof(reason)))
			add_missed(out, e.instance, reason);
		else if (n && !solve(&e, c, n, &why))
			add_missed(out, e.instance, why);
		else if (n)
			add_event(out, &e);
	}
	return 0;
}
