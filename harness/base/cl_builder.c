/*
 * cl_builder.c - the user the candidate's own code runs as (see
 * cl_builder.h). Everything that can fail or allocate is done once, in the
 * parent; the forked child only changes its ids.
 */
#include "cl_builder.h"
#include "cl_util.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct cl_builder builder;
static int builder_rc;
static char *env[8];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_env(void)
{
	static const char *const keep[] = { "PATH", "LANG", "LC_ALL", NULL };
	int n = 0;

	for (int i = 0; keep[i]; i++)
		if (getenv(keep[i]))
			env[n++] = cl_sprintf("%s=%s", keep[i], getenv(keep[i]));
	env[n++] = cl_xstrdup("HOME=/nonexistent");
	env[n++] = cl_xstrdup("TMPDIR=/tmp");
	env[n] = NULL;
}

static void lookup(void)
{
	static const char *const users[] = { CL_BUILDER_USER, "nobody", NULL };
	struct passwd *pw = NULL;

	make_env();
	if (geteuid() != 0)
		return; /* no other user to be */
	for (int i = 0; users[i] && !pw; i++)
		pw = getpwnam(users[i]);
	if (!pw || pw->pw_uid == 0) {
		builder_rc = cl_err_set(CL_ESETUP, "no unprivileged user (%s or nobody) to run the "
					"candidate's code as", CL_BUILDER_USER);
		return;
	}
	builder = (struct cl_builder){ .separate = 1, .uid = pw->pw_uid, .gid = pw->pw_gid };
	snprintf(builder.name, sizeof(builder.name), "%s", pw->pw_name);
}

int cl_builder_get(const struct cl_builder **out)
{
	pthread_once(&once, lookup);
	*out = &builder;
	return builder_rc ? cl_err_set(CL_ESETUP, "no unprivileged user (%s or nobody) to run "
				       "the candidate's code as", CL_BUILDER_USER) : 0;
}

char *const *cl_builder_env(void)
{
	pthread_once(&once, lookup);
	return env;
}

/* nftw has no context: the owner being given (one walk at a time per thread). */
static _Thread_local uid_t to_uid;
static _Thread_local gid_t to_gid;

static int chown_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return lchown(path, to_uid, to_gid) == 0 ? 0 : -1;
}

static int own(const char *path, uid_t uid, gid_t gid)
{
	const struct cl_builder *b;
	int rc = cl_builder_get(&b);

	if (rc || !b->separate)
		return rc;
	to_uid = uid;
	to_gid = gid;
	if (nftw(path, chown_one, 16, FTW_PHYS) != 0)
		return cl_err_set(CL_ESETUP, "%s: cannot change its owner: %s", path, strerror(errno));
	return 0;
}

int cl_builder_give(const char *path)
{
	const struct cl_builder *b;

	return cl_builder_get(&b) ? CL_ESETUP : own(path, b->uid, b->gid);
}

int cl_builder_take(const char *path)
{
	return own(path, geteuid(), getegid());
}

void cl_builder_enter(const struct cl_builder *b)
{
	static const char msg[] = "crashlab: cannot become the unprivileged build user\n";

	if (!b->separate)
		return;
	if (setgroups(0, NULL) != 0 || setgid(b->gid) != 0 || setuid(b->uid) != 0 ||
	    setuid(0) == 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing more to say it with */
		}
		_exit(126);
	}
}

int cl_builder_can_read(const char *path)
{
	const struct cl_builder *b;
	int status = -1;
	pid_t pid;

	if (cl_builder_get(&b))
		return CL_ESETUP;
	if (!b->separate)
		return 0;
	pid = fork();
	if (pid == 0) {
		struct stat st;

		cl_builder_enter(b);
		_exit(stat(path, &st) == 0 &&
		      access(path, S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK) == 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return cl_err_set(CL_ESETUP, "%s: the build user %s cannot read it: the candidate's "
				  "code runs unprivileged, so this directory and its parents must be "
				  "readable by others (chmod o+rx)", path, b->name);
	return 0;
}
