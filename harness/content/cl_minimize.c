/*
 * cl_minimize.c - the smallest content that still crashes (see cl_minimize.h).
 */
#include "cl_minimize.h"

#include <string.h>

#define INSTANCES (-1) /* the level of the instances; else an instance's criteria */

void cl_keep_all(struct cl_content_keep *k, const struct cl_content_parts *p)
{
	memset(k, 0, sizeof(*k));
	for (int i = 0; i < p->ninst && i < CL_MIN_INSTANCES; i++) {
		k->inst[i] = 1;
		k->crit[i] = p->ncrit[i] >= 32 ? 0xffffffffu : (1u << p->ncrit[i]) - 1;
	}
}

int cl_keep_count(const struct cl_content_keep *k, const struct cl_content_parts *p,
		  int *criteria)
{
	int n = 0;

	*criteria = 0;
	for (int i = 0; i < p->ninst && i < CL_MIN_INSTANCES; i++)
		if (k->inst[i]) {
			n++;
			*criteria += __builtin_popcount(k->crit[i]);
		}
	return n;
}

/* The parts @k keeps at @level, in order, into @idx; their count. */
static int members(const struct cl_content_keep *k, const struct cl_content_parts *p, int level,
		   int *idx)
{
	int n = 0;

	if (level == INSTANCES) {
		for (int i = 0; i < p->ninst && i < CL_MIN_INSTANCES; i++)
			if (k->inst[i])
				idx[n++] = i;
	} else {
		for (int c = 0; c < p->ncrit[level] && c < CL_MIN_CRITERIA; c++)
			if (k->crit[level] & (1u << c))
				idx[n++] = c;
	}
	return n;
}

static void drop(struct cl_content_keep *k, int level, const int *idx, int n)
{
	for (int j = 0; j < n; j++) {
		if (level == INSTANCES)
			k->inst[idx[j]] = 0;
		else
			k->crit[level] &= ~(1u << idx[j]);
	}
}

/*
 * One pass over the parts kept at @level in chunks of @chunk: each chunk
 * whose removal still fails is removed. 1 when something was removed, 0
 * when nothing, -1 when the test said stop.
 */
static int pass(struct cl_content_keep *k, const struct cl_content_parts *p, int level,
		int chunk, cl_minimize_test *test, void *ctx, int *runs)
{
	int idx[CL_MIN_INSTANCES], n = members(k, p, level, idx), removed = 0;

	for (int at = 0; at < n && n > 1;) {
		int len = chunk < n - at ? chunk : n - at, r;
		struct cl_content_keep t = *k;

		if (len >= n) /* never all of them: one part always stays */
			len = n - 1;
		drop(&t, level, idx + at, len);
		(*runs)++;
		if ((r = test(ctx, &t)) < 0)
			return -1;
		if (!r) {
			at += len;
			continue;
		}
		*k = t;
		memmove(idx + at, idx + at + len, (size_t)(n - at - len) * sizeof(idx[0]));
		n -= len;
		removed = 1;
	}
	return removed;
}

/* Halving chunks, then single parts until a pass removes none: 1-minimal. */
static int reduce_level(struct cl_content_keep *k, const struct cl_content_parts *p, int level,
			cl_minimize_test *test, void *ctx, int *runs)
{
	int idx[CL_MIN_INSTANCES], chunk = (members(k, p, level, idx) + 1) / 2, r;

	while (chunk >= 1) {
		if ((r = pass(k, p, level, chunk, test, ctx, runs)) < 0)
			return -1;
		if (chunk == 1 && !r)
			return 0;
		chunk = chunk == 1 ? 1 : (chunk + 1) / 2;
	}
	return 0;
}

int cl_minimize(struct cl_content_keep *k, const struct cl_content_parts *p,
		cl_minimize_test *test, void *ctx)
{
	int runs = 0;

	if (reduce_level(k, p, INSTANCES, test, ctx, &runs) < 0)
		return -1;
	for (int i = 0; i < p->ninst && i < CL_MIN_INSTANCES; i++)
		if (k->inst[i] && reduce_level(k, p, i, test, ctx, &runs) < 0)
			return -1;
	return runs;
}
