/*
 * cl_remediation.c - remediation files (see cl_remediation.h), parsed
 * strictly like every input file. Applying one to a cell's disk offline is
 * images/cl_remedy.c's (through libguestfs, cl_gfs.h).
 */
#include "cl_remediation.h"
#include "cl_json.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

/* A guest glob: an absolute path of path characters and * ? [ ]. */
static int glob_ok(const char *g)
{
	size_t i;

	if (g[0] != '/' || strstr(g, "..") || strlen(g) > 200)
		return 0;
	for (i = 0; g[i]; i++)
		if (!cl_token_char_ok(g[i]) && !strchr("/*?[]", g[i]))
			return 0;
	return 1;
}

/* A step as the remediation writes it, borrowed from the JSON. */
struct step_in {
	const char *op, *glob, *path, *text, *unit;
};

static const struct cl_json_field step_fields[] = {
	CL_JSON_FIELD(struct step_in, op, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct step_in, glob, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct step_in, path, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct step_in, text, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct step_in, unit, CL_JSON_STRING, 0),
	{ 0 }
};

static int parse_step(struct cl_remedy_step *st, const char *path, json_t *j, int idx)
{
	struct step_in in = { 0 };
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "steps[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, step_fields)))
		return rc;
	if (!strcmp(in.op, "delete") && in.glob && glob_ok(in.glob) && !in.path && !in.text &&
	    !in.unit) {
		st->op = CL_REMEDY_DELETE;
		st->arg = cl_xstrdup(in.glob);
	} else if (!strcmp(in.op, "write") && in.path && cl_token_guest_path(in.path) && in.text &&
		   !in.glob && !in.unit) {
		st->op = CL_REMEDY_WRITE;
		st->arg = cl_xstrdup(in.path);
		st->text = cl_xstrdup(in.text);
	} else if (!strcmp(in.op, "disable") && in.unit && cl_token_ok(in.unit) &&
		   strchr(in.unit, '.') && !in.glob && !in.path && !in.text) {
		st->op = CL_REMEDY_DISABLE;
		st->arg = cl_xstrdup(in.unit);
	} else {
		return cl_err_set(CL_EINPUT, "%s: %s: want {\"op\": \"delete\", \"glob\": ABSOLUTE-GLOB}, "
				  "{\"op\": \"write\", \"path\", \"text\"} or {\"op\": \"disable\", \"unit\"}",
				  path, what);
	}
	return 0;
}

/* A remediation's top level, borrowed from the JSON. */
struct remediation_in {
	const char *name, *description;
	json_t *steps;
};

static const struct cl_json_field remediation_fields[] = {
	CL_JSON_FIELD(struct remediation_in, name, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct remediation_in, description, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct remediation_in, steps, CL_JSON_ARRAY, 1),
	{ 0 }
};

int cl_remediation_load(struct cl_remediation **out, const char *path)
{
	struct remediation_in in = { .name = "remediation" };
	struct cl_remediation *rm = cl_xcalloc(1, sizeof(*rm));
	json_t *root = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	rm->path = cl_xstrdup(path);
	if ((rc = cl_json_load(&root, path)) ||
	    (rc = cl_json_fields(&in, path, "remediation", root, remediation_fields)))
		goto out;
	if (json_array_size(in.steps) == 0 || json_array_size(in.steps) > CL_MAX_REMEDY_STEPS) {
		rc = cl_err_set(CL_EINPUT, "%s: \"steps\" must hold 1 to %d steps", path,
				CL_MAX_REMEDY_STEPS);
		goto out;
	}
	snprintf(rm->name, sizeof(rm->name), "%s", in.name);
	json_array_foreach(in.steps, i, v) {
		rm->nsteps++;
		if ((rc = parse_step(&rm->steps[i], path, v, (int)i)))
			goto out;
	}
	*out = rm;
	rm = NULL;
out:
	cl_remediation_free(rm);
	json_decref(root);
	return rc;
}

void cl_remediation_free(struct cl_remediation *rm)
{
	int i;

	if (!rm)
		return;
	for (i = 0; i < rm->nsteps; i++) {
		free(rm->steps[i].arg);
		free(rm->steps[i].text);
	}
	free(rm->path);
	free(rm);
}
