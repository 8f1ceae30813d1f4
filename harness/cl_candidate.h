/*
 * cl_candidate.h - the candidate manifest: exactly what is about to ship.
 *
 *   { "name": "crashlab-reference-sensor", "version": "1.0.0",
 *     "module": { "name": "clsensor", "source": "kmod",
 *                 "make_vars": { "BOUNDS_CHECK": "1" },
 *                 "args": "content=/var/lib/crashlab/channels/C-00000291.sys" },
 *     "content": [ { "name": "channel-291", "file": "content/C-00000291.bin",
 *                    "sha256": "<64 hex>",
 *                    "install_path": "/var/lib/crashlab/channels/C-00000291.sys",
 *                    "reported_as": "content_sha256" } ],
 *     "evidence": { "status_file": "/proc/clsensor",
 *                   "counters": [ "events_fifo_create", "matches" ] } }
 *
 * Relative paths are relative to the manifest's directory. "module.source"
 * is a kbuild directory that crashlab builds against each cell's kernel
 * headers. Every content file's bytes must hash to its "sha256" or the run
 * stops with exit 2: the report is bound to the exact bytes tested.
 * "reported_as" names the key under which the sensor publishes the digest of
 * the content it loaded; "counters" must all be non-zero after the workload.
 * "content" may be empty (a sensor without content files) but must be there,
 * so that forgetting it is an error rather than an untested release.
 */
#ifndef CL_CANDIDATE_H
#define CL_CANDIDATE_H

#include "cl_sha256.h"

#define CL_MAX_CONTENT 16
#define CL_MAX_COUNTERS 16
#define CL_MAX_MAKE_VARS 16

struct cl_content_spec {
	char *name;
	char *file;          /* absolute or relative to cwd, resolved */
	char *install_path;  /* absolute path in the guest */
	char *reported_as;   /* status key with the loaded digest, or NULL */
	char sha256[CL_SHA256_HEX];
	long size;
};

struct cl_candidate {
	char *path;
	char *name;
	char *version;
	char *module_name;
	char *module_source;               /* resolved directory */
	char *module_args;                 /* may be "" */
	char *make_vars[CL_MAX_MAKE_VARS]; /* "KEY=VALUE" */
	int nmake_vars;
	struct cl_content_spec content[CL_MAX_CONTENT];
	int ncontent;
	char *status_file;                 /* guest path the agent reports */
	char *counters[CL_MAX_COUNTERS];
	int ncounters;
};

/* Parse @path and verify every content digest. CL_EINPUT on any problem. */
int cl_candidate_load(struct cl_candidate **out, const char *path);
void cl_candidate_free(struct cl_candidate *c);

#endif
