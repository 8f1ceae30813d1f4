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

const struct cl_mutants_format cl_format_clcf = {
	.name = "clcf",
	.probe = probe,
	.derive = derive,
};
