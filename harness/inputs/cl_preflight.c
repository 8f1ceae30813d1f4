/*
 * cl_preflight.c - the manifest's "preflight" steps, parsed (format and
 * meaning in cl_preflight.h; they run from cl_preflight_run.c).
 */
#include "cl_preflight.h"
#include "cl_candidate.h"
#include "cl_json.h"
#include "cl_util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A step as the manifest writes it, borrowed from the JSON. */
struct step_in {
	const char *name, *description;
	json_t *run;
	long timeout_s;
};

static const struct cl_json_field step_fields[] = {
	CL_JSON_FIELD(struct step_in, name, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct step_in, description, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct step_in, run, CL_JSON_ARRAY, 1),
	CL_JSON_RANGE(struct step_in, timeout_s, 0, 1, 86400),
	{ 0 }
};

static int parse_step(struct cl_preflight_step *s, const char *path, json_t *j, int idx)
{
	struct step_in in = { .timeout_s = 300 };
	char what[32];
	json_t *v;
	size_t i;
	int rc;

	snprintf(what, sizeof(what), "preflight[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, step_fields)))
		return rc;
	if (!cl_token_ok(in.name) || strlen(in.name) > 40)
		return cl_err_set(CL_EINPUT, "%s: %s: name must be a plain name of [A-Za-z0-9._+-], at most 40",
				  path, what);
	if (json_array_size(in.run) == 0 || json_array_size(in.run) > CL_MAX_PREFLIGHT_ARGS)
		return cl_err_set(CL_EINPUT, "%s: %s: run must list 1 to %d words", path, what,
				  CL_MAX_PREFLIGHT_ARGS);
	s->name = cl_xstrdup(in.name);
	s->timeout_s = (int)in.timeout_s;
	json_array_foreach(in.run, i, v) {
		if (!json_is_string(v) || !json_string_length(v))
			return cl_err_set(CL_EINPUT, "%s: %s: run[%zu] must be a non-empty string",
					  path, what, i);
		s->argv[i] = cl_xstrdup(json_string_value(v));
		s->per_content |= !strcmp(s->argv[i], "{content}");
	}
	if (!strncmp(s->argv[0], "{", 1))
		return cl_err_set(CL_EINPUT, "%s: %s: run[0] must be the command, not a placeholder",
				  path, what);
	return 0;
}

int cl_preflight_parse(struct cl_candidate *c, const char *path, json_t *arr)
{
	json_t *v;
	size_t i;
	int rc;

	if (json_array_size(arr) > CL_MAX_PREFLIGHT)
		return cl_err_set(CL_EINPUT, "%s: preflight: at most %d steps", path,
				  CL_MAX_PREFLIGHT);
	json_array_foreach(arr, i, v) {
		c->npreflight++; /* counted first so a half-parsed step is freed */
		if ((rc = parse_step(&c->preflight[i], path, v, (int)i)))
			return rc;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(c->preflight[k].name, c->preflight[i].name))
				return cl_err_set(CL_EINPUT, "%s: preflight[%zu]: name \"%s\" used twice",
						  path, i, c->preflight[i].name);
		if (c->preflight[i].per_content && c->ncontent == 0)
			return cl_err_set(CL_EINPUT, "%s: preflight[%zu]: runs on {content}, but the candidate has no content files",
					  path, i);
	}
	return 0;
}

void cl_preflight_free(struct cl_candidate *c)
{
	for (int i = 0; i < c->npreflight; i++) {
		free(c->preflight[i].name);
		for (int k = 0; c->preflight[i].argv[k]; k++)
			free(c->preflight[i].argv[k]);
	}
}

const char *cl_preflight_status_name(enum cl_preflight_status s)
{
	return s == CL_PF_PASS ? "pass" : s == CL_PF_FAIL ? "fail" : "error";
}

const struct cl_preflight_result *cl_preflight_first_bad(const struct cl_preflight_result *res,
							 int n)
{
	for (int i = 0; i < n; i++)
		if (res[i].status != CL_PF_PASS)
			return &res[i];
	return NULL;
}
