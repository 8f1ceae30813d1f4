/*
 * cl_json.h - strict JSON loading for crashlab's input files (matrix,
 * candidate manifest, scenario, content definitions).
 *
 * Every error is one line naming the file and the problem, with jansson's
 * line and column for syntax errors, and returns CL_EINPUT. Objects are
 * checked against the keys they may hold, so a typo in a matrix file is an
 * error rather than a silently ignored setting.
 */
#ifndef CL_JSON_H
#define CL_JSON_H

#include "cl_token.h"

#include <jansson.h>

/* Load @path; on success *out is a new reference to an object. */
int cl_json_load(json_t **out, const char *path);
/* Fail on any key of @obj not in the NULL-terminated @allowed. @what names obj. */
int cl_json_keys(const char *path, const char *what, json_t *obj, const char *const allowed[]);
/* Required/optional string member; *out is borrowed from obj. */
int cl_json_str(const char **out, const char *path, const char *what, json_t *obj,
		const char *key, int required);
/* Optional integer member in [min, max]; *out keeps its value when absent. */
int cl_json_int(long *out, const char *path, const char *what, json_t *obj, const char *key,
		long min, long max);
/* Required/optional array or object member (borrowed); NULL when absent. */
int cl_json_array(json_t **out, const char *path, const char *what, json_t *obj,
		  const char *key, int required);
int cl_json_object(json_t **out, const char *path, const char *what, json_t *obj,
		   const char *key, int required);

#endif
