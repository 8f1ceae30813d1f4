/*
 * cl_json.c - strict, one-line-error JSON access (see cl_json.h).
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

int cl_json_keys(const char *path, const char *what, json_t *obj, const char *const allowed[])
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i;
		int ok = 0;

		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				ok = 1;
		if (!ok)
			return cl_err_set(CL_EINPUT, "%s: %s: unknown key \"%s\"", path, what, key);
	}
	return 0;
}

int cl_json_str(const char **out, const char *path, const char *what, json_t *obj,
		const char *key, int required)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			return cl_err_set(CL_EINPUT, "%s: %s: missing \"%s\"", path, what, key);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be a non-empty string", path,
				  what, key);
	*out = json_string_value(v);
	return 0;
}

int cl_json_int(long *out, const char *path, const char *what, json_t *obj, const char *key,
		long min, long max)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be an integer", path, what, key);
	n = json_integer_value(v);
	if (n < min || n > max)
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be between %ld and %ld", path,
				  what, key, min, max);
	*out = (long)n;
	return 0;
}

static int typed(json_t **out, const char *path, const char *what, json_t *obj, const char *key,
		 int required, int want_array)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return cl_err_set(CL_EINPUT, "%s: %s: missing \"%s\"", path, what, key);
		return 0;
	}
	if (want_array ? !json_is_array(v) : !json_is_object(v))
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" must be an %s", path, what, key,
				  want_array ? "array" : "object");
	*out = v;
	return 0;
}

int cl_json_array(json_t **out, const char *path, const char *what, json_t *obj,
		  const char *key, int required)
{
	return typed(out, path, what, obj, key, required, 1);
}

int cl_json_object(json_t **out, const char *path, const char *what, json_t *obj,
		   const char *key, int required)
{
	return typed(out, path, what, obj, key, required, 0);
}
