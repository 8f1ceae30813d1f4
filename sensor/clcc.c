/*
 * clcc - the reference sensor's content compiler: a readable JSON channel
 * definition in, the binary channel file the sensor loads out.
 *
 * It refuses malformed definitions (unknown keys, operators or actions,
 * criteria on fields outside the template type, values too long, duplicate
 * instance ids) and re-parses its own output with the sensor's parser
 * before writing it. Like the content validator of July 2024, it checks a
 * definition against its own template type: a 21-field template passes. With
 * --sensor-fields it also checks against what the sensor actually supplies
 * (20 inputs) and refuses such content; crashlab exists because the first
 * check alone let Channel File 291 ship.
 *
 * With --check it is the vendor's validator of a compiled channel file, the
 * candidate's pre-flight step: the file must parse, and with --sensor-fields
 * fit the sensor's inputs too. Exit 0 valid, 1 invalid, 2 unreadable.
 *
 * usage: clcc [--sensor-fields] DEFINITION.json OUTPUT.bin
 *        clcc --check [--sensor-fields] CHANNEL.bin
 */
#include "cl_content.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *def_path;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "clcc: %s: ", def_path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

struct out {
	u8 *buf;
	size_t len;
};

static void put(struct out *o, const void *p, size_t n)
{
	o->buf = realloc(o->buf, o->len + n);
	if (!o->buf)
		abort();
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put16(struct out *o, unsigned int v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	put(o, b, 2);
}

static void put32(struct out *o, unsigned long v)
{
	u8 b[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	put(o, b, 4);
}

static int keys_ok(json_t *obj, const char *what, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		int i, ok = 0;

		for (i = 0; allowed[i]; i++)
			ok |= !strcmp(k, allowed[i]);
		if (!ok)
			return fail("%s: unknown key \"%s\"", what, k);
	}
	return 0;
}

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

/* "field": a name ("comm") or a 1-based input number (21 is the 21st). */
static int field_index(json_t *f, int template_fields, const char *what)
{
	int idx;

	if (json_is_string(f)) {
		idx = lookup(cl_field_names, CL_F_USED_LAST, json_string_value(f));
		if (idx < 0)
			return fail("%s: unknown field \"%s\"", what, json_string_value(f)), -1;
	} else if (json_is_integer(f)) {
		json_int_t n = json_integer_value(f);

		if (n < 1 || n > CL_MAX_TEMPLATE_FIELDS)
			return fail("%s: field number %lld out of range", what, (long long)n), -1;
		idx = (int)n - 1;
	} else {
		return fail("%s: \"field\" must be a name or a 1-based number", what), -1;
	}
	if (idx >= template_fields)
		return fail("%s: field %d is outside the template type's %d fields", what, idx + 1,
			    template_fields), -1;
	return idx;
}

static int compile_criterion(struct out *o, json_t *c, int template_fields, const char *what)
{
	static const char *const keys[] = { "field", "op", "value", NULL };
	json_t *op = json_object_get(c, "op"), *val = json_object_get(c, "value");
	int idx, opi;
	size_t vlen = 0;

	if (!json_is_object(c))
		return fail("%s must be an object", what);
	if (keys_ok(c, what, keys))
		return 2;
	if ((idx = field_index(json_object_get(c, "field"), template_fields, what)) < 0)
		return 2;
	if (!json_is_string(op) || (opi = lookup(cl_op_names, CL_OP_LAST, json_string_value(op))) < 0)
		return fail("%s: \"op\" must be one of any, eq, prefix, suffix, contains, glob", what);
	if (opi != CL_OP_ANY) {
		if (!json_is_string(val))
			return fail("%s: \"value\" must be a string", what);
		vlen = json_string_length(val);
		if (vlen == 0 || vlen > CL_MAX_VALUE_LEN || memchr(json_string_value(val), 0, vlen))
			return fail("%s: \"value\" must be 1 to %d bytes without NUL", what,
				    CL_MAX_VALUE_LEN);
	} else if (val) {
		return fail("%s: a wildcard (\"any\") takes no value", what);
	}
	put(o, (u8[]){ (u8)idx, (u8)opi }, 2);
	put16(o, (unsigned int)vlen);
	if (vlen)
		put(o, json_string_value(val), vlen);
	return 0;
}

/*
 * The definition's header keys, checked and written as the 24-byte header
 * (its total length patched once the instances are in); the template's
 * field count into *@tf.
 */
static int compile_header(struct out *o, json_t *root, int sensor_fields, int *tf)
{
	static const char *const keys[] = { "channel", "version", "template_fields", "description",
					    "instances", NULL };
	json_t *inst = json_object_get(root, "instances");
	json_int_t channel = json_integer_value(json_object_get(root, "channel"));
	json_int_t version = json_integer_value(json_object_get(root, "version"));
	json_int_t fields = json_integer_value(json_object_get(root, "template_fields"));

	if (keys_ok(root, "definition", keys))
		return 2;
	if (!json_is_integer(json_object_get(root, "channel")) || channel < 1 || channel > 0xffffffffLL)
		return fail("\"channel\" must be a positive integer");
	if (!json_is_integer(json_object_get(root, "version")) || version < 0 || version > 0xffffffffLL)
		return fail("\"version\" must be a non-negative integer");
	if (!json_is_integer(json_object_get(root, "template_fields")) || fields < 1 ||
	    fields > CL_MAX_TEMPLATE_FIELDS)
		return fail("\"template_fields\" must be 1 to %d", CL_MAX_TEMPLATE_FIELDS);
	if (sensor_fields && fields > CL_INPUT_FIELDS)
		return fail("template type has %d fields but the sensor supplies %d inputs",
			    (int)fields, CL_INPUT_FIELDS);
	if (!json_is_array(inst) || json_array_size(inst) == 0 ||
	    json_array_size(inst) > CL_MAX_INSTANCES)
		return fail("\"instances\" must list 1 to %d instances", CL_MAX_INSTANCES);
	put(o, "CLCF", 4);
	put16(o, CL_CONTENT_FORMAT);
	put16(o, (unsigned int)fields);
	put32(o, (unsigned long)channel);
	put32(o, (unsigned long)version);
	put32(o, (unsigned long)json_array_size(inst));
	put32(o, 0); /* total length, patched by compile() */
	*tf = (int)fields;
	return 0;
}

/* "action": "count" or "alert" as its code; -1 for anything else. */
static int action_code(json_t *act)
{
	if (!json_is_string(act))
		return -1;
	if (!strcmp(json_string_value(act), "count"))
		return CL_ACTION_COUNT;
	return !strcmp(json_string_value(act), "alert") ? CL_ACTION_ALERT : -1;
}

/* "id": a positive 32-bit integer no earlier instance has; kept in @ids[@i]. */
static int instance_id(json_t *id, unsigned long *ids, size_t i, const char *what)
{
	size_t k;

	if (!json_is_integer(id) || json_integer_value(id) < 1 ||
	    json_integer_value(id) > 0xffffffffLL)
		return fail("%s: \"id\" must be a positive integer", what);
	ids[i] = (unsigned long)json_integer_value(id);
	for (k = 0; k < i; k++)
		if (ids[k] == ids[i])
			return fail("%s: duplicate id %lu", what, ids[i]);
	return 0;
}

/* Instance @i of the definition, @v, checked and written with its criteria. */
static int compile_instance(struct out *o, json_t *v, size_t i, unsigned long *ids, int tf)
{
	static const char *const ikeys[] = { "id", "action", "criteria", "description", NULL };
	json_t *crit = json_object_get(v, "criteria"), *c;
	char what[64];
	int action;
	size_t k;

	snprintf(what, sizeof(what), "instances[%zu]", i);
	if (!json_is_object(v))
		return fail("%s must be an object", what);
	if (keys_ok(v, what, ikeys) || instance_id(json_object_get(v, "id"), ids, i, what))
		return 2;
	if ((action = action_code(json_object_get(v, "action"))) < 0)
		return fail("%s: \"action\" must be \"count\" or \"alert\"", what);
	if (!json_is_array(crit) || json_array_size(crit) == 0 ||
	    json_array_size(crit) > CL_MAX_CRITERIA)
		return fail("%s: \"criteria\" must list 1 to %d criteria", what, CL_MAX_CRITERIA);
	put32(o, ids[i]);
	put16(o, (unsigned int)action);
	put(o, (u8[]){ (u8)json_array_size(crit), 0 }, 2);
	json_array_foreach(crit, k, c) {
		char cwhat[96];

		snprintf(cwhat, sizeof(cwhat), "%s.criteria[%zu]", what, k);
		if (compile_criterion(o, c, tf, cwhat))
			return 2;
	}
	return 0;
}

static int compile(struct out *o, json_t *root, int sensor_fields)
{
	unsigned long ids[CL_MAX_INSTANCES];
	json_t *v;
	size_t i;
	int tf = 0;

	if (compile_header(o, root, sensor_fields, &tf))
		return 2;
	json_array_foreach(json_object_get(root, "instances"), i, v)
		if (compile_instance(o, v, i, ids, tf))
			return 2;
	if (o->len > CL_MAX_CONTENT_LEN)
		return fail("compiled content is larger than %u bytes", CL_MAX_CONTENT_LEN);
	o->buf[20] = (u8)o->len;
	o->buf[21] = (u8)(o->len >> 8);
	o->buf[22] = (u8)(o->len >> 16);
	o->buf[23] = (u8)(o->len >> 24);
	return 0;
}

/* A criterion of @c on a field the sensor does not supply, as a message; NULL if none. */
static const char *past_inputs(const struct cl_content *c, char *buf, size_t cap)
{
	const u8 *value;
	u16 vlen;
	u8 field, op;
	u32 i, k;

	if (c->template_fields > CL_INPUT_FIELDS) {
		snprintf(buf, cap, "template of %u fields, the sensor supplies %d",
			 (unsigned)c->template_fields, CL_INPUT_FIELDS);
		return buf;
	}
	for (i = 0; i < c->ninstances; i++)
		for (k = 0; cl_content_criterion(c, i, k, &field, &op, &value, &vlen) == 0; k++)
			if (field >= CL_INPUT_FIELDS) {
				snprintf(buf, cap, "instance %u criterion %u reads field %u of %d",
					 (unsigned)cl_content_instance_id(c, i), (unsigned)k,
					 (unsigned)field + 1, CL_INPUT_FIELDS);
				return buf;
			}
	return NULL;
}

/* clcc --check: validate a compiled channel file. */
static int check(const char *path, int sensor_fields)
{
	static u8 buf[CL_MAX_CONTENT_LEN + 1];
	struct cl_content c;
	const char *why;
	char msg[160];
	FILE *f = fopen(path, "rb");
	size_t len;

	def_path = path;
	if (!f)
		return fail("cannot open: %s", strerror(errno));
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len > CL_MAX_CONTENT_LEN)
		why = "larger than the largest channel file";
	else if (cl_content_parse(&c, buf, (u32)len, &why) == 0)
		why = sensor_fields ? past_inputs(&c, msg, sizeof(msg)) : NULL;
	if (why) {
		printf("%s: invalid: %s\n", path, why);
		return 1;
	}
	printf("%s: valid: channel %u version %u, %u instances, template of %u fields\n", path,
	       (unsigned)c.channel, (unsigned)c.version, (unsigned)c.ninstances,
	       (unsigned)c.template_fields);
	return 0;
}

int main(int argc, char **argv)
{
	struct out o = { 0 };
	struct cl_content parsed;
	const char *why, *out_path;
	json_error_t e;
	json_t *root;
	int sensor_fields = 0, argi = 1, rc;
	char *tmp;
	FILE *f;

	int checking = argc > 1 && !strcmp(argv[1], "--check");

	argi += checking;
	if (argc > argi && !strcmp(argv[argi], "--sensor-fields")) {
		sensor_fields = 1;
		argi++;
	}
	if (checking && argc - argi == 1)
		return check(argv[argi], sensor_fields);
	if (checking || argc - argi != 2) {
		fprintf(stderr, "usage: clcc [--sensor-fields] DEFINITION.json OUTPUT.bin\n"
				"       clcc --check [--sensor-fields] CHANNEL.bin\n");
		return 2;
	}
	def_path = argv[argi];
	out_path = argv[argi + 1];
	root = json_load_file(def_path, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		if (e.line < 0)
			return fail("cannot open: %s", e.text);
		return fail("%d:%d: malformed JSON: %s", e.line, e.column, e.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return fail("top level must be an object");
	}
	rc = compile(&o, root, sensor_fields);
	json_decref(root);
	if (rc == 0 && cl_content_parse(&parsed, o.buf, (u32)o.len, &why) != 0)
		rc = fail("compiled content does not parse: %s", why);
	if (rc) {
		free(o.buf);
		return rc;
	}
	if (asprintf(&tmp, "%s.tmp", out_path) < 0)
		abort();
	f = fopen(tmp, "wb");
	if (!f || fwrite(o.buf, 1, o.len, f) != o.len || fclose(f) != 0 || rename(tmp, out_path)) {
		fprintf(stderr, "clcc: %s: cannot write: %s\n", out_path, strerror(errno));
		free(tmp);
		free(o.buf);
		return 2;
	}
	free(tmp);
	free(o.buf);
	return 0;
}
