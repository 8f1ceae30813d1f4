/*
 * cl_command.c - a guest command of a manifest (see cl_command.h).
 */
#include "cl_command.h"
#include "cl_json.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

/* A command as the manifest writes it, borrowed from the JSON. */
struct command_in {
	json_t *run;
	long timeout_s;
};

static const struct cl_json_field command_fields[] = {
	CL_JSON_FIELD(struct command_in, run, CL_JSON_ARRAY, 1),
	CL_JSON_RANGE(struct command_in, timeout_s, 0, 1, 3600),
	{ 0 }
};

int cl_command_parse(char **argv, int *timeout_s, const char *path, const char *what, json_t *j)
{
	struct command_in in = { .timeout_s = 60 };
	json_t *v;
	size_t i;
	int rc;

	if ((rc = cl_json_fields(&in, path, what, j, command_fields)))
		return rc;
	if (json_array_size(in.run) == 0 || json_array_size(in.run) > CL_MAX_COMMAND_ARGS)
		return cl_err_set(CL_EINPUT, "%s: %s: run must list 1 to %d words", path, what,
				  CL_MAX_COMMAND_ARGS);
	json_array_foreach(in.run, i, v) {
		if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 1000 ||
		    strchr(json_string_value(v), '\n'))
			return cl_err_set(CL_EINPUT, "%s: %s: run[%zu] must be one line of 1 to 1000 "
					  "characters", path, what, i);
		argv[i] = cl_xstrdup(json_string_value(v));
	}
	*timeout_s = (int)in.timeout_s;
	return 0;
}

void cl_command_free(char **argv)
{
	for (int i = 0; argv[i]; i++) {
		free(argv[i]);
		argv[i] = NULL;
	}
}
