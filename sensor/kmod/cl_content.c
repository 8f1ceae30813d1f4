/*
 * cl_content.c - parser and interpreter for the reference sensor's channel
 * files (format in cl_content.h).
 *
 * The parser walks the file once, bounds-checking every length, and keeps
 * only instance offsets; the interpreter walks the bytes again for every
 * event. Everything here is untrusted input handling: no allocation, no
 * recursion, every read inside [data, data+len).
 *
 * The one deliberate exception is CL_BOUNDS_CHECK=0, which reproduces the
 * July 2024 content-interpreter defect: criteria are then trusted to name a
 * field the sensor supplies, and a criterion on field index 20 (the 21st)
 * reads past the input array.
 */
#include "cl_content.h"

#ifdef __KERNEL__
#include <linux/compiler.h>
#define CL_NOINLINE noinline
#else
#define CL_NOINLINE __attribute__((noinline))
#endif

static u16 rd16(const u8 *p) { return (u16)(p[0] | (p[1] << 8)); }
static u32 rd32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

/* Refuse the file for @msg (a static string); -1 for the caller to return. */
static int refuse(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

/*
 * The header: size, magic, format, declared length, template width and
 * instance count, checked in that order. Fills @out's header fields and
 * *@ninstances.
 */
static int parse_header(struct cl_content *out, const u8 *data, u32 len, u32 *ninstances,
			const char **why)
{
	if (len < CL_HEADER_LEN || len > CL_MAX_CONTENT_LEN)
		return refuse(why, "file size out of range");
	if (memcmp(data, "CLCF", 4) != 0)
		return refuse(why, "bad magic (not a channel file)");
	if (rd16(data + 4) != CL_CONTENT_FORMAT)
		return refuse(why, "unsupported format version");
	out->template_fields = rd16(data + 6);
	out->channel = rd32(data + 8);
	out->version = rd32(data + 12);
	*ninstances = rd32(data + 16);
	if (rd32(data + 20) != len)
		return refuse(why, "length field does not match file size");
	if (out->template_fields == 0 || out->template_fields > CL_MAX_TEMPLATE_FIELDS)
		return refuse(why, "template field count out of range");
#if CL_BOUNDS_CHECK
	if (out->template_fields > CL_INPUT_FIELDS)
		return refuse(why, "template type has more fields than the sensor supplies");
#endif
	if (*ninstances == 0 || *ninstances > CL_MAX_INSTANCES)
		return refuse(why, "instance count out of range");
	return 0;
}

/* The criterion at *@off: operator, field and value length; *@off moves past it. */
static int parse_criterion(const struct cl_content *out, const u8 *data, u32 len, u32 *off,
			   const char **why)
{
	u8 field, op;
	u16 vlen;

	if (len - *off < CL_CRITERION_LEN)
		return refuse(why, "truncated criterion");
	field = data[*off];
	op = data[*off + 1];
	vlen = rd16(data + *off + 2);
	if (op >= CL_OP_LAST)
		return refuse(why, "unknown match operator");
	if (field >= out->template_fields)
		return refuse(why, "criterion names a field outside its template type");
#if CL_BOUNDS_CHECK
	if (field >= CL_INPUT_FIELDS)
		return refuse(why, "criterion names a field the sensor does not supply");
#endif
	if (vlen > CL_MAX_VALUE_LEN || len - *off - CL_CRITERION_LEN < vlen)
		return refuse(why, "criterion value out of range");
	*off += CL_CRITERION_LEN + vlen;
	return 0;
}

/* Instance @i at *@off: its offset kept, its action and criteria checked; *@off moves past it. */
static int parse_instance(struct cl_content *out, const u8 *data, u32 len, u32 i, u32 *off,
			  const char **why)
{
	u32 c, ncrit;
	u16 action;

	if (len - *off < CL_INSTANCE_LEN)
		return refuse(why, "truncated instance");
	out->offsets[i] = *off;
	action = rd16(data + *off + 4);
	ncrit = data[*off + 6];
	if (action == 0 || action >= CL_ACTION_LAST)
		return refuse(why, "unknown action");
	if (ncrit == 0 || ncrit > CL_MAX_CRITERIA)
		return refuse(why, "criterion count out of range");
	*off += CL_INSTANCE_LEN;
	for (c = 0; c < ncrit; c++)
		if (parse_criterion(out, data, len, off, why))
			return -1;
	return 0;
}

int cl_content_parse(struct cl_content *out, const u8 *data, u32 len, const char **why)
{
	u32 off = CL_HEADER_LEN, i, n;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (parse_header(out, data, len, &n, why))
		return -1;
	for (i = 0; i < n; i++)
		if (parse_instance(out, data, len, i, &off, why))
			return -1;
	if (off != len)
		return refuse(why, "trailing bytes after the last instance");
	out->data = data;
	out->len = len;
	out->ninstances = n;
	return 0;
}

/* Iterative glob: '*' any run, '?' one character; no classes. O(n*m). */
int cl_glob(const char *s, const u8 *pat, u16 plen)
{
	u16 p = 0, star_p = 0;
	const char *star_s = NULL;
	int have_star = 0;

	while (*s) {
		if (p < plen && (pat[p] == '?' || pat[p] == (u8)*s)) {
			p++;
			s++;
		} else if (p < plen && pat[p] == '*') {
			have_star = 1;
			star_p = ++p;
			star_s = s;
		} else if (have_star) {
			p = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

int cl_match(enum cl_op op, const char *s, const u8 *pat, u16 plen)
{
	size_t slen;

	if (op == CL_OP_ANY)
		return 1;
	if (!s)
		return 0;
	slen = strlen(s);
	switch (op) {
	case CL_OP_EQ:
		return slen == plen && memcmp(s, pat, plen) == 0;
	case CL_OP_PREFIX:
		return slen >= plen && memcmp(s, pat, plen) == 0;
	case CL_OP_SUFFIX:
		return slen >= plen && memcmp(s + slen - plen, pat, plen) == 0;
	case CL_OP_CONTAINS: {
		size_t i;

		if (plen == 0)
			return 1;
		for (i = 0; i + plen <= slen; i++)
			if (memcmp(s + i, pat, plen) == 0)
				return 1;
		return 0;
	}
	case CL_OP_GLOB:
		return cl_glob(s, pat, plen);
	default:
		return 0;
	}
}

u32 cl_content_instance_id(const struct cl_content *c, u32 i)
{
	return rd32(c->data + c->offsets[i]);
}

int cl_content_criterion(const struct cl_content *c, u32 i, u32 k, u8 *field, u8 *op,
			 const u8 **value, u16 *vlen)
{
	const u8 *inst = c->data + c->offsets[i], *crit = inst + CL_INSTANCE_LEN;
	u32 n;

	if (k >= inst[6])
		return -1;
	for (n = 0; n < k; n++)
		crit += CL_CRITERION_LEN + rd16(crit + 2);
	*field = crit[0];
	*op = crit[1];
	*vlen = rd16(crit + 2);
	*value = crit + CL_CRITERION_LEN;
	return 0;
}

u32 cl_content_needed(const struct cl_content *c, u32 i, u64 *fields)
{
	u32 k, mask = 0;
	u8 field, op;
	const u8 *value;
	u16 vlen;

	for (k = 0; cl_content_criterion(c, i, k, &field, &op, &value, &vlen) == 0; k++) {
		if (op == CL_OP_ANY)
			continue;
		mask |= 1u << k;
		if (fields && field < 64)
			*fields |= 1ull << field;
	}
	return mask;
}

CL_NOINLINE void cl_interp_eval(const struct cl_content *c, const char *const *inputs,
				struct cl_eval_result *res, struct cl_coverage *cov)
{
	u32 i;

	res->matched = 0;
	res->first_match_id = 0;
	res->first_match_action = 0;
	for (i = 0; i < c->ninstances; i++) {
		const u8 *inst = c->data + c->offsets[i];
		const u8 *crit = inst + CL_INSTANCE_LEN;
		u32 k, ncrit = inst[6];
		int all = 1;

		for (k = 0; k < ncrit && all; k++) {
			u8 field = crit[0];
			u8 op = crit[1];
			u16 vlen = rd16(crit + 2);
			const char *value;

			crit += CL_CRITERION_LEN + vlen;
			if (op == CL_OP_ANY)
				continue; /* a wildcard never looks at its input */
#if CL_BOUNDS_CHECK
			if (field >= CL_INPUT_FIELDS) {
				all = 0;
				break;
			}
#endif
			if (cov) {
				cov->instance[i] |= 1u << k;
				if (field < 64)
					cov->fields |= 1ull << field;
			}
			value = inputs[field]; /* field 20 is the 21st: past the array */
			all = cl_match((enum cl_op)op, value, crit - vlen, vlen);
		}
		if (all) {
			if (res->matched++ == 0) {
				res->first_match_id = rd32(inst);
				res->first_match_action = rd16(inst + 4);
			}
		}
	}
}
