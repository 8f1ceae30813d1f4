/*
 * cl_json.c - strict, one-line-error JSON access (see cl_json.h). Every input
 * object goes through cl_json_fields(): one table per kind of object says
 * which keys it may hold, of what type, and where each value goes, so the
 * parsers keep only the checks that are their own (a path is absolute, a
 * digest matches its file) and no key is accepted without being read.
 */
#include "cl_json.h"
#include "cl_util.h"

#include <errno.h>
#include <string.h>

int cl_json_load(json_t **out, const char *path)
{
	json_error_t e;
	FILE *f;
	json_t *j;

	*out = NULL;
	f = fopen(path, "rbe");
	if (!f)
		return cl_err_set(CL_EINPUT, "%s: cannot open: %s", path, strerror(errno));
	j = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	fclose(f);
	if (!j)
		return cl_err_set(CL_EINPUT, "%s:%d:%d: malformed JSON: %s", path, e.line, e.column,
				  e.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return cl_err_set(CL_EINPUT, "%s: top level must be a JSON object", path);
	}
	*out = j;
	return 0;
}

/* The row of @fields for @key, or NULL. */
static const struct cl_json_field *field_named(const struct cl_json_field *fields,
					       const char *key)
{
	for (; fields->name; fields++)
		if (strcmp(fields->name, key) == 0)
			return fields;
	return NULL;
}

/* Strings: non-empty, and no NUL inside (C sees the whole of them). */
static int is_text(json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* A number of row @f: its type and its range (integers compared as integers). */
static int number_ok(const char *path, const char *what, const struct cl_json_field *f,
		     json_t *v)
{
	int outside;

	if (f->type == CL_JSON_INT && !json_is_integer(v))
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be an integer", path, what, f->name);
	if (!json_is_number(v))
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be a number", path, what, f->name);
	if (json_is_integer(v))
		outside = json_integer_value(v) < f->min || json_integer_value(v) > f->max;
	else
		outside = json_real_value(v) < (double)f->min || json_real_value(v) > (double)f->max;
	if (outside)
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be between %ld and %ld", path,
				  what, f->name, f->min, f->max);
	return 0;
}

/* Check @v against row @f and store it at @out + f->offset. */
static int field_set(void *out, const char *path, const char *what, const struct cl_json_field *f,
		     json_t *v)
{
	static const char *const want[CL_JSON_TYPE_LAST] = {
		[CL_JSON_STRING] = "a non-empty string", [CL_JSON_BOOL] = "true or false",
		[CL_JSON_OBJECT] = "an object", [CL_JSON_ARRAY] = "an array",
	};
	char *at = (char *)out + f->offset;
	int ok, rc;

	switch (f->type) {
	case CL_JSON_INT:
	case CL_JSON_NUMBER:
		if ((rc = number_ok(path, what, f, v)))
			return rc;
		if (f->type == CL_JSON_INT)
			*(long *)at = (long)json_integer_value(v);
		else
			*(double *)at = json_number_value(v);
		return 0;
	case CL_JSON_STRING:
		ok = is_text(v);
		break;
	case CL_JSON_BOOL:
		ok = json_is_boolean(v);
		break;
	default:
		ok = f->type == CL_JSON_ANY || (f->type == CL_JSON_OBJECT ? json_is_object(v)
									: json_is_array(v));
	}
	if (!ok)
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be %s", path, what, f->name,
				  want[f->type]);
	if (f->type == CL_JSON_STRING)
		*(const char **)at = json_string_value(v);
	else if (f->type == CL_JSON_BOOL)
		*(int *)at = json_is_true(v);
	else
		*(json_t **)at = v;
	return 0;
}

int cl_json_fields(void *out, const char *path, const char *what, json_t *obj,
		   const struct cl_json_field *fields)
{
	const struct cl_json_field *f;
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(obj))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object", path, what);
	json_object_foreach(obj, key, v)
		if (!field_named(fields, key))
			return cl_err_set(CL_EINPUT, "%s: %s: unknown key \"%s\"", path, what, key);
	for (f = fields; f->name; f++) {
		v = json_object_get(obj, f->name);
		if (!v && f->required)
			return cl_err_set(CL_EINPUT, "%s: %s: missing \"%s\"", path, what, f->name);
		if (v && (rc = field_set(out, path, what, f, v)))
			return rc;
	}
	return 0;
}
