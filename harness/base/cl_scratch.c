/*
 * cl_scratch.c - scratch directories and the sweep of dead runs' (see
 * cl_scratch.h).
 */
#include "cl_scratch.h"
#include "cl_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

long long cl_scratch_proc_start(int pid)
{
	char path[64], *text = NULL, *p;
	long long t = -1;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (pid <= 0 || cl_read_file(&text, NULL, path, 4096))
		return -1;
	/* the command name may hold spaces and parentheses: count after the last ')' */
	p = strrchr(text, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%lld", &t) != 1)
		t = -1;
	free(text);
	return t;
}

char *cl_scratch_new(const char *tag)
{
	char *tmpl = cl_sprintf("%s/crashlab-%sXXXXXX", CL_SCRATCH_ROOT, tag);
	char *owner, *line;
	int rc;

	if (!mkdtemp(tmpl)) {
		cl_err_set(CL_EINFRA, "cannot create a scratch directory in %s: %s",
			   CL_SCRATCH_ROOT, strerror(errno));
		free(tmpl);
		return NULL;
	}
	chmod(tmpl, 0755);
	owner = cl_path_join(tmpl, "owner");
	line = cl_sprintf("%d %lld\n", (int)getpid(), cl_scratch_proc_start((int)getpid()));
	rc = cl_write_file(owner, line, strlen(line));
	free(owner);
	free(line);
	if (rc) {
		cl_rm_rf(tmpl);
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/* 1 when @dir has an owner file naming a process that is no longer running. */
static int orphaned(const char *dir, int *pid)
{
	char *path = cl_path_join(dir, "owner"), *text = NULL;
	long long start = -1;
	int stale = 0;

	*pid = 0;
	if (cl_read_file(&text, NULL, path, 128) == 0 &&
	    sscanf(text, "%d %lld", pid, &start) == 2 && *pid > 0 && start >= 0)
		stale = cl_scratch_proc_start(*pid) != start;
	free(text);
	free(path);
	return stale;
}

int cl_scratch_sweep(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *e;
	int removed = 0, pid;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *dir;

		if (strncmp(e->d_name, "crashlab-", 9) != 0)
			continue;
		dir = cl_path_join(root, e->d_name);
		if (orphaned(dir, &pid)) {
			cl_rm_rf(dir);
			fprintf(stderr, "crashlab: removed %s, left by run %d that is no longer running\n",
				dir, pid);
			removed++;
		}
		free(dir);
	}
	closedir(d);
	return removed;
}
