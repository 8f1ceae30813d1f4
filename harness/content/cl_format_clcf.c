/*
 * cl_format_clcf.c - the reference sensor's channel file format ("CLCF",
 * sensor/kmod/cl_content.h) as a content format crashlab mutates.
 *
 * The structure is walked here on its own terms (tolerantly: mutants of a
 * broken file are still worth making), not with the sensor's parser, which
 * is the thing under test.
 */
#include "cl_content.h"
#include "cl_mutants.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MARKS 48

/* Where the structure's parts start: instances and criteria. */
struct marks {
	size_t at[MAX_MARKS];
	int inst[MAX_MARKS], crit[MAX_MARKS]; /* crit -1: the instance header */
	int n;
	size_t first_crit;                    /* offset of instance 1's first criterion, 0: none */
};

static void mark(struct marks *mk, size_t at, int inst, int crit)
{
	if (mk->n < MAX_MARKS) {
		mk->at[mk->n] = at;
		mk->inst[mk->n] = inst;
		mk->crit[mk->n++] = crit;
	}
}

/* The header's instance count. */
static uint32_t instances(const unsigned char *d)
{
	return (uint32_t)d[16] | (uint32_t)d[17] << 8 | (uint32_t)d[18] << 16 | (uint32_t)d[19] << 24;
}

static void walk(struct marks *mk, const unsigned char *d, size_t len)
{
	size_t off = CL_HEADER_LEN;
	uint32_t n = instances(d);

	memset(mk, 0, sizeof(*mk));
	for (uint32_t i = 0; i < n && i < CL_MAX_INSTANCES && len - off >= CL_INSTANCE_LEN; i++) {
		unsigned ncrit = d[off + 6];

		mark(mk, off, (int)i + 1, -1);
		off += CL_INSTANCE_LEN;
		for (unsigned c = 0; c < ncrit && len - off >= CL_CRITERION_LEN; c++) {
			size_t vlen = (size_t)d[off + 2] | (size_t)d[off + 3] << 8;

			if (!mk->first_crit)
				mk->first_crit = off;
			mark(mk, off, (int)i + 1, (int)c + 1);
			if (len - off - CL_CRITERION_LEN < vlen)
				return;
			off += CL_CRITERION_LEN + vlen;
		}
	}
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static int probe(const unsigned char *d, size_t len)
{
	return len >= CL_HEADER_LEN && !memcmp(d, "CLCF", 4);
}

/* One patched copy: @len bytes of @d with @n bytes at @at set from @v (little-endian). */
static void patched(struct cl_mutants *out, const char *name, const unsigned char *d, size_t len,
		    size_t at, int n, uint32_t v, const char *what)
{
	unsigned char *buf = cl_xmalloc(len);

	memcpy(buf, d, len);
	if (n == 1)
		buf[at] = (unsigned char)v;
	else if (n == 2)
		put16(buf + at, v);
	else
		put32(buf + at, v);
	cl_mutants_add(out, name, buf, len, "%s", what);
	free(buf);
}

/* The 21st-field case: a template type wider than the sensor's inputs and a
 * criterion that must read the input one past them. */
static void field_past_inputs(struct cl_mutants *out, const unsigned char *d, size_t len,
			      size_t crit)
{
	unsigned char *buf = cl_xmalloc(len);
	unsigned tf = (unsigned)d[6] | (unsigned)d[7] << 8;

	memcpy(buf, d, len);
	if (tf <= CL_INPUT_FIELDS)
		put16(buf + 6, CL_INPUT_FIELDS + 1);
	buf[crit] = CL_INPUT_FIELDS;
	if (buf[crit + 1] == CL_OP_ANY)
		buf[crit + 1] = CL_OP_EQ; /* a wildcard reads no input */
	cl_mutants_add(out, "field-past-inputs", buf, len,
		       "a %u-field template type; instance 1's first criterion on field %d, "
		       "one past the %d inputs the sensor supplies",
		       tf > CL_INPUT_FIELDS ? tf : CL_INPUT_FIELDS + 1, CL_INPUT_FIELDS + 1,
		       CL_INPUT_FIELDS);
	free(buf);
}

static void maxima(struct cl_mutants *out, const unsigned char *d, size_t len, size_t crit)
{
	uint32_t n = instances(d);

	patched(out, "template-fields-max", d, len, 6, 2, 0xffff, "template field count 65535");
	patched(out, "template-fields-zero", d, len, 6, 2, 0, "template field count 0");
	patched(out, "instances-max", d, len, 16, 4, 0xffffffffu, "instance count 4294967295");
	patched(out, "instances-plus-one", d, len, 16, 4, n + 1,
		"one instance more than the file holds");
	patched(out, "length-max", d, len, 20, 4, 0xffffffffu, "total length 4294967295");
	if (len >= CL_HEADER_LEN + CL_INSTANCE_LEN) {
		patched(out, "criteria-max", d, len, CL_HEADER_LEN + 6, 1, 0xff,
			"instance 1 claims 255 criteria");
		patched(out, "action-max", d, len, CL_HEADER_LEN + 4, 2, 0xffff,
			"instance 1's action 65535");
	}
	if (crit) {
		patched(out, "value-length-max", d, len, crit + 2, 2, 0xffff,
			"instance 1's first criterion value claims 65535 bytes");
		patched(out, "field-index-max", d, len, crit, 1, 0xff,
			"instance 1's first criterion on field 256");
		patched(out, "operator-max", d, len, crit + 1, 1, 0xff,
			"instance 1's first criterion has operator 255");
	}
}

/* Cut at each instance and criterion, the length field made to agree (a
 * raw cut is refused by the length check alone). */
static void truncations(struct cl_mutants *out, const unsigned char *d, const struct marks *mk)
{
	cl_mutants_add(out, "truncated-magic", d, 4, "the magic only");
	cl_mutants_add(out, "truncated-header", d, CL_HEADER_LEN, "the header only, length as it was");
	for (int i = 0; i < mk->n; i++) {
		unsigned char *buf = cl_xmalloc(mk->at[i] ? mk->at[i] : 1);
		char name[CL_MUTANT_NAME];

		memcpy(buf, d, mk->at[i]);
		put32(buf + 20, (uint32_t)mk->at[i]);
		if (mk->crit[i] < 0) {
			snprintf(name, sizeof(name), "truncated-instance-%d", mk->inst[i]);
			cl_mutants_add(out, name, buf, mk->at[i],
				       "cut before instance %d, length field %zu", mk->inst[i], mk->at[i]);
		} else {
			snprintf(name, sizeof(name), "truncated-criterion-%d-%d", mk->inst[i], mk->crit[i]);
			cl_mutants_add(out, name, buf, mk->at[i],
				       "cut before criterion %d of instance %d, length field %zu",
				       mk->crit[i], mk->inst[i], mk->at[i]);
		}
		free(buf);
	}
}

static void derive(struct cl_mutants *out, const unsigned char *d, size_t len)
{
	struct marks mk;

	walk(&mk, d, len);
	if (mk.first_crit)
		field_past_inputs(out, d, len, mk.first_crit);
	maxima(out, d, len, mk.first_crit);
	truncations(out, d, &mk);
}

/* ---- reduction (crashlab minimize) ---- */

static size_t criterion_len(const unsigned char *d, size_t off)
{
	return CL_CRITERION_LEN + ((size_t)d[off + 2] | (size_t)d[off + 3] << 8);
}

/* The offset of instance @want (0-based), walking a well-formed file (parts() said so). */
static size_t instance_off(const unsigned char *d, int want)
{
	size_t off = CL_HEADER_LEN;

	for (int i = 0; i < want; i++) {
		unsigned ncrit = d[off + 6];

		off += CL_INSTANCE_LEN;
		for (unsigned c = 0; c < ncrit; c++)
			off += criterion_len(d, off);
	}
	return off;
}

static int parts(struct cl_content_parts *out, const unsigned char *d, size_t len)
{
	size_t off = CL_HEADER_LEN;
	uint32_t n;

	memset(out, 0, sizeof(*out));
	if (!probe(d, len) || (n = instances(d)) == 0 || n > CL_MIN_INSTANCES)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		if (len - off < CL_INSTANCE_LEN || d[off + 6] > CL_MIN_CRITERIA)
			return -1;
		out->ncrit[i] = d[off + 6];
		off += CL_INSTANCE_LEN;
		for (int c = 0; c < out->ncrit[i]; c++) {
			if (len - off < CL_CRITERION_LEN || len - off < criterion_len(d, off))
				return -1;
			off += criterion_len(d, off);
		}
	}
	out->ninst = (int)n;
	return 0;
}

static size_t reduce(unsigned char *out, const unsigned char *d, size_t len,
		     const struct cl_content_keep *k)
{
	struct cl_content_parts p;
	size_t at = CL_HEADER_LEN, off = CL_HEADER_LEN;
	uint32_t kept = 0;

	if (parts(&p, d, len))
		return 0;
	memcpy(out, d, CL_HEADER_LEN);
	for (int i = 0; i < p.ninst; i++) {
		if (k->inst[i]) {
			memcpy(out + at, d + off, CL_INSTANCE_LEN);
			out[at + 6] = (unsigned char)__builtin_popcount(k->crit[i] & ((1ull << p.ncrit[i]) - 1));
			at += CL_INSTANCE_LEN;
			kept++;
		}
		off += CL_INSTANCE_LEN;
		for (int c = 0; c < p.ncrit[i]; c++) {
			size_t n = criterion_len(d, off);

			if (k->inst[i] && (k->crit[i] & (1u << c))) {
				memcpy(out + at, d + off, n);
				at += n;
			}
			off += n;
		}
	}
	put32(out + 16, kept);
	put32(out + 20, (uint32_t)at);
	return at;
}

/* Value bytes as text: printable ASCII kept, the rest as "?", at most 40. */
static void value_text(char *buf, size_t n, const unsigned char *v, size_t vlen)
{
	size_t i, m = vlen < 40 ? vlen : 40;

	for (i = 0; i < m && i + 1 < n; i++)
		buf[i] = v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' && v[i] != '\\' ? (char)v[i] : '?';
	buf[i] = '\0';
}

static void describe(char *buf, size_t n, const unsigned char *d, size_t len, int inst, int crit)
{
	struct cl_content_parts p;
	size_t off;
	char val[48];

	if (parts(&p, d, len) || inst < 0 || inst >= p.ninst || crit >= p.ncrit[inst]) {
		snprintf(buf, n, "instance %d criterion %d", inst + 1, crit + 1);
		return;
	}
	off = instance_off(d, inst);
	if (crit < 0) {
		snprintf(buf, n, "instance %d (id %u)", inst + 1, (unsigned)(d[off] | d[off + 1] << 8 |
			 d[off + 2] << 16 | (uint32_t)d[off + 3] << 24));
		return;
	}
	off += CL_INSTANCE_LEN;
	for (int c = 0; c < crit; c++)
		off += criterion_len(d, off);
	value_text(val, sizeof(val), d + off + CL_CRITERION_LEN, criterion_len(d, off) - CL_CRITERION_LEN);
	snprintf(buf, n, "criterion %d of instance %d: field %u%s%s%s %s \"%s\"", crit + 1, inst + 1,
		 d[off] + 1u, d[off] < CL_F_USED_LAST ? " (" : "",
		 d[off] < CL_F_USED_LAST ? cl_field_names[d[off]] : "", d[off] < CL_F_USED_LAST ? ")" : "",
		 d[off + 1] < CL_OP_LAST ? cl_op_names[d[off + 1]] : "op?", val);
}

const struct cl_mutants_format cl_format_clcf = {
	.name = "clcf",
	.probe = probe,
	.derive = derive,
	.parts = parts,
	.reduce = reduce,
	.describe = describe,
};
