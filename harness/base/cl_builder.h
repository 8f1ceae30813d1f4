/*
 * cl_builder.h - the user the candidate's own code runs as.
 *
 * A qualification runs code the candidate brings on the host: its pre-flight
 * commands, its kbuild Makefile, its dkms.conf. None of it may reach what
 * decides or signs the verdict: the signing key, the report being written,
 * crashlab's memory, the cache of other candidates' builds. When crashlab
 * runs as root, that code runs as an unprivileged user of its own
 * ("crashlab-build" when the system has it - scripts/deps.sh and the Debian
 * package create it - else "nobody"), with no supplementary groups, no new
 * privileges, a minimal environment, and write access to the directories
 * its step owns only while the step runs (given before, taken back after).
 *
 * Not root: there is no other user to run as; cl_builder_get() says so and
 * callers that need the separation (qualify --sign-key) refuse to go on.
 */
#ifndef CL_BUILDER_H
#define CL_BUILDER_H

#include <sys/types.h>

#define CL_BUILDER_USER "crashlab-build"

struct cl_builder {
	int separate;        /* 1: candidate code runs as another user than crashlab */
	uid_t uid;
	gid_t gid;
	char name[32];       /* its name, for messages */
};

/* Who candidate code runs as (looked up once). 0, or CL_ESETUP when we are
 * root and neither user exists. */
int cl_builder_get(const struct cl_builder **out);
/* The tree @path is the build user's for a step (give) or ours again (take);
 * links are changed, never followed. No-op when not separate. */
int cl_builder_give(const char *path);
int cl_builder_take(const char *path);
/* Can the build user read and enter @path (and its parents)? 0, or
 * CL_ESETUP naming the path and the user: the lab's setup, not the candidate. */
int cl_builder_can_read(const char *path);
/* The environment candidate code gets: our PATH and locale, HOME=/nonexistent,
 * TMPDIR=/tmp, nothing else of ours (made at cl_builder_get()). */
char *const *cl_builder_env(void);
/*
 * In a forked child before exec: become the build user (async-signal-safe
 * calls only). On failure it writes why to fd 2 and _exits 126.
 */
void cl_builder_enter(const struct cl_builder *b);

#endif
