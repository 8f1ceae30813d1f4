/*
 * cl_preflight_run.h - the candidate's static checks run on the host, before
 * any VM (the steps are parsed in cl_preflight.h): each as the unprivileged
 * build user (cl_builder.h), in the manifest's directory, with its {out}
 * copied into the run's directory and its {cache} kept between runs.
 */
#ifndef CL_PREFLIGHT_RUN_H
#define CL_PREFLIGHT_RUN_H

#include "cl_candidate.h"
#include "cl_preflight.h"

/*
 * Run every step of @c, in order, writing logs under @out/preflight/; each
 * result into @res (at most CL_MAX_PREFLIGHT_RESULTS), the count returned.
 * Every step runs even after one fails, so the report shows them all.
 */
int cl_preflight_run(const struct cl_candidate *c, const char *out,
		     struct cl_preflight_result *res);

#endif
