/*
 * cl_mutants.c - mutants of a content file (see cl_mutants.h), and the
 * table of the content formats whose structure they know (one file each:
 * to add a format, write cl_format_NAME.c with its table and list it here).
 */
#include "cl_mutants.h"
#include "cl_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT_FLIPS 12

static const struct cl_mutants_format *const formats[] = {
	&cl_format_clcf,
};

const struct cl_mutants_format *cl_mutants_format_of(const unsigned char *data, size_t len)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i]->probe(data, len))
			return formats[i];
	return NULL;
}

static int seen(const struct cl_mutants *s, const void *data, size_t len)
{
	for (int i = 0; i < s->n; i++)
		if (s->m[i].len == len && (len == 0 || !memcmp(s->m[i].data, data, len)))
			return 1;
	return 0;
}

void cl_mutants_add(struct cl_mutants *s, const char *name, const void *data, size_t len,
		    const char *what, ...)
{
	struct cl_mutant *m;
	va_list ap;

	if (s->n >= CL_MAX_MUTANTS || seen(s, data, len))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->m = realloc(s->m, (size_t)s->cap * sizeof(*s->m));
		if (!s->m)
			abort();
	}
	m = &s->m[s->n++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	va_start(ap, what);
	vsnprintf(m->what, sizeof(m->what), what, ap);
	va_end(ap);
	m->data = cl_xmalloc(len ? len : 1);
	if (len)
		memcpy(m->data, data, len);
	m->len = len;
}

void cl_mutants_clear(struct cl_mutants *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->m[i].data);
	free(s->m);
	memset(s, 0, sizeof(*s));
}

/* splitmix64: small, fixed, the same everywhere. */
static uint64_t next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void bit_flips(struct cl_mutants *out, const unsigned char *data, size_t len,
		      uint64_t *rng)
{
	unsigned char *buf = cl_xmalloc(len);

	for (int i = 0; i < BIT_FLIPS; i++) {
		uint64_t r = next(rng);
		size_t at = (size_t)(r % len);
		int bit = (int)((r >> 32) & 7);
		char name[CL_MUTANT_NAME];

		memcpy(buf, data, len);
		buf[at] ^= (unsigned char)(1u << bit);
		snprintf(name, sizeof(name), "bitflip-%zu-%d", at, bit);
		cl_mutants_add(out, name, buf, len, "bit %d of byte %zu flipped", bit, at);
	}
	free(buf);
}

static void random_bytes(struct cl_mutants *out, size_t len, uint64_t *rng)
{
	unsigned char *buf = cl_xmalloc(len);

	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)next(rng);
	cl_mutants_add(out, "random", buf, len, "%zu random bytes", len);
	free(buf);
}

int cl_mutants_derive(struct cl_mutants *out, const unsigned char *data, size_t len,
		      uint64_t seed)
{
	const struct cl_mutants_format *f = cl_mutants_format_of(data, len);
	uint64_t rng = seed;
	unsigned char *zeros = calloc(len ? len : 1, 1);

	memset(out, 0, sizeof(*out));
	/* the original is never a mutant: it goes in first and out again below */
	cl_mutants_add(out, "original", data, len, "the original");
	cl_mutants_add(out, "empty", "", 0, "no bytes");
	cl_mutants_add(out, "zeros", zeros, len, "%zu zero bytes", len);
	free(zeros);
	if (f)
		f->derive(out, data, len);
	if (len > 1) {
		cl_mutants_add(out, "truncated-half", data, len / 2, "the first %zu of %zu bytes",
			       len / 2, len);
		cl_mutants_add(out, "truncated-last", data, len - 1, "the last byte cut off");
		bit_flips(out, data, len, &rng);
		random_bytes(out, len, &rng);
	}
	free(out->m[0].data);
	memmove(&out->m[0], &out->m[1], (size_t)(out->n - 1) * sizeof(out->m[0]));
	out->n--;
	return out->n;
}
