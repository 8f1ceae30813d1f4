/*
 * cl_preflight.h - static checks the candidate names, run on the host before
 * any VM: its own content validator, a bounded fuzz run of its parser, any
 * command that judges the artifacts without booting anything.
 *
 *   "preflight": [
 *     { "name": "content-validator", "run": ["../build/clcc", "--check", "{content}"] },
 *     { "name": "content-parser-fuzz", "run": ["fuzz/run", "--runs", "200000",
 *       "--cache", "{cache}", "--out", "{out}", "{content}"], "timeout_s": 600 } ]
 *
 * "run" is an argv, run in the manifest's directory; a first word with a
 * slash is relative to that directory, one without is looked up in PATH.
 * Placeholders (whole words only): {content} runs the step once per content
 * file with that file's path; {out} is a directory of the step's own in
 * the run's output (what it leaves there is kept); {cache} a directory kept
 * between runs (CRASHLAB_CACHE/preflight/CANDIDATE/STEP). The module's
 * "make_vars" are in the step's environment, so a fuzz build compiles the
 * parser the way the module does.
 *
 * Exit 0 is a pass; any other exit status is the candidate's failure; a
 * step that cannot be started, is killed by a signal or runs past its
 * "timeout_s" (default 300) is an infrastructure error. The last line the
 * step printed is kept as its detail.
 */
#ifndef CL_PREFLIGHT_H
#define CL_PREFLIGHT_H

#include <jansson.h>

#define CL_MAX_PREFLIGHT 8
#define CL_MAX_PREFLIGHT_ARGS 24
/* results: every step once per content file at most */
#define CL_MAX_PREFLIGHT_RESULTS (CL_MAX_PREFLIGHT * 16)

struct cl_preflight_step {
	char *name;
	char *argv[CL_MAX_PREFLIGHT_ARGS + 1]; /* as written, NULL-terminated */
	int per_content;                       /* has a {content} word */
	int timeout_s;
};

enum cl_preflight_status { CL_PF_PASS = 0, CL_PF_FAIL, CL_PF_ERROR };

struct cl_preflight_result {
	const char *step;        /* borrowed step name */
	const char *content;     /* borrowed content name, NULL for a step run once */
	enum cl_preflight_status status;
	int exit_code;           /* -1 when it did not exit */
	double seconds;
	char log[160];           /* relative to the report directory */
	char dir[160];           /* its {out}, relative to the report directory */
	char detail[400];        /* last line it printed, or why it did not run */
};

struct cl_candidate;

/* The manifest's "preflight" array @arr into c->preflight (after its content
 * is parsed); CL_EINPUT naming @path. */
int cl_preflight_parse(struct cl_candidate *c, const char *path, json_t *arr);
void cl_preflight_free(struct cl_candidate *c);


const char *cl_preflight_status_name(enum cl_preflight_status s);
/* The first result that is not a pass, or NULL. */
const struct cl_preflight_result *cl_preflight_first_bad(const struct cl_preflight_result *res,
							 int n);

#endif
