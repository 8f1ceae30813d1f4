/*
 * cl_remediate.c - remediation files and their offline application (see
 * cl_remediate.h). Parsing is strict like every input file; applying goes
 * through cl_guestfs.
 */
#include "cl_remediate.h"
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
		if (!cl_is_token_char(g[i]) && !strchr("/*?[]", g[i]))
			return 0;
	return 1;
}

static int parse_step(struct cl_remedy_step *st, const char *path, json_t *j, int idx)
{
	static const char *const keys[] = { "op", "glob", "path", "text", "unit", NULL };
	const char *op, *glob = NULL, *gpath = NULL, *text = NULL, *unit = NULL;
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "steps[%d]", idx);
	if (!json_is_object(j))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object", path, what);
	if ((rc = cl_json_keys(path, what, j, keys)) ||
	    (rc = cl_json_str(&op, path, what, j, "op", 1)) ||
	    (rc = cl_json_str(&glob, path, what, j, "glob", 0)) ||
	    (rc = cl_json_str(&gpath, path, what, j, "path", 0)) ||
	    (rc = cl_json_str(&text, path, what, j, "text", 0)) ||
	    (rc = cl_json_str(&unit, path, what, j, "unit", 0)))
		return rc;
	if (!strcmp(op, "delete") && glob && glob_ok(glob) && !gpath && !text && !unit) {
		st->op = CL_REMEDY_DELETE;
		st->arg = cl_xstrdup(glob);
	} else if (!strcmp(op, "write") && gpath && cl_is_guest_path(gpath) && text && !glob &&
		   !unit) {
		st->op = CL_REMEDY_WRITE;
		st->arg = cl_xstrdup(gpath);
		st->text = cl_xstrdup(text);
	} else if (!strcmp(op, "disable") && unit && cl_is_token(unit) && strchr(unit, '.') &&
		   !glob && !gpath && !text) {
		st->op = CL_REMEDY_DISABLE;
		st->arg = cl_xstrdup(unit);
	} else {
		return cl_err_set(CL_EINPUT, "%s: %s: want {\"op\": \"delete\", \"glob\": ABSOLUTE-GLOB}, "
				  "{\"op\": \"write\", \"path\", \"text\"} or {\"op\": \"disable\", \"unit\"}",
				  path, what);
	}
	return 0;
}

int cl_remediation_load(struct cl_remediation **out, const char *path)
{
	static const char *const keys[] = { "name", "description", "steps", NULL };
	struct cl_remediation *rm = cl_xcalloc(1, sizeof(*rm));
	json_t *root = NULL, *steps, *v;
	const char *name = "remediation", *desc;
	size_t i;
	int rc;

	*out = NULL;
	rm->path = cl_xstrdup(path);
	if ((rc = cl_json_load(&root, path)) ||
	    (rc = cl_json_keys(path, "remediation", root, keys)) ||
	    (rc = cl_json_str(&name, path, "remediation", root, "name", 0)) ||
	    (rc = cl_json_str(&desc, path, "remediation", root, "description", 0)) ||
	    (rc = cl_json_array(&steps, path, "remediation", root, "steps", 1)))
		goto out;
	if (json_array_size(steps) == 0 || json_array_size(steps) > CL_MAX_REMEDY_STEPS) {
		rc = cl_err_set(CL_EINPUT, "%s: \"steps\" must hold 1 to %d steps", path,
				CL_MAX_REMEDY_STEPS);
		goto out;
	}
	snprintf(rm->name, sizeof(rm->name), "%s", name);
	json_array_foreach(steps, i, v) {
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
