/*
 * cmd_child.c - what the commands that run many qualifies (minimize,
 * bisect) share: their options, all of them strings, read from a table;
 * one qualify in a child process whose output goes to a log of its own and
 * its report to its directory; the one cell's verdict and title read back
 * from that report, never from the child's memory.
 */
#include "cmd.h"
#include "cl_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int cmd_string_opts(int argc, char **argv, const struct cmd_opt *opts)
{
	struct option lo[32] = { { 0 } };
	int n = 0, c;

	while (n < 31 && opts[n].name) {
		lo[n] = (struct option){ opts[n].name, required_argument, NULL, n };
		n++;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < 0 || c >= n)
			return -1;
		*opts[c].value = optarg;
	}
	return optind == argc ? 0 : -1;
}

int cmd_qualify_child(const struct cmd_qualify_args *a, const char *log)
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (!freopen(log, "w", stderr) || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(2);
		_exit(cmd_qualify(a, 0));
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int cmd_cell_result(const char *dir, char *verdict, size_t vn, char *title, size_t tn)
{
	char *path = cl_sprintf("%s/report.json", dir);
	json_t *r = json_load_file(path, 0, NULL);
	json_t *c = json_array_get(json_object_get(r, "cells"), 0);
	const char *v = json_string_value(json_object_get(c, "verdict"));
	const char *t = json_string_value(json_object_get(c, "title"));
	int rc = v ? 0 : -1;

	snprintf(verdict, vn, "%s", v ? v : "no report");
	snprintf(title, tn, "%s", t ? t : "");
	json_decref(r);
	free(path);
	return rc;
}
