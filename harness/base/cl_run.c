/*
 * cl_run.c - commands as child processes with a time limit, and the
 * interrupt flag that stops them (see cl_run.h). What can fail or allocate
 * (the build user, its environment) is done in the parent before the fork;
 * the child only sets up its descriptors, changes its ids and execs.
 */
#include "cl_run.h"
#include "cl_builder.h"
#include "cl_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

void cl_run_interrupt(void)
{
	interrupted = 1;
}

int cl_run_interrupted(void)
{
	return interrupted;
}

static void on_signal(int sig)
{
	(void)sig;
	cl_run_interrupt();
}

void cl_run_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* In the child: @fd as descriptor @to of the command (kept across exec even when it is @to). */
static void child_dup2(int fd, int to)
{
	if (fd == to)
		fcntl(fd, F_SETFD, 0);
	else
		dup2(fd, to);
}

/*
 * Every descriptor of ours is close-on-exec: the command gets 0, 1 and 2
 * only. Candidate code (@b) runs as the build user, in its environment;
 * with @root, chrooted there first (the log is opened before).
 */
static void run_child(char *const argv[], const char *log_path, const struct cl_builder *b,
		      const char *root)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	setpgid(0, 0);
	if (devnull >= 0)
		child_dup2(devnull, STDIN_FILENO);
	if (log_path) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			child_dup2(fd, STDOUT_FILENO);
			child_dup2(fd, STDERR_FILENO);
		}
	} else {
		dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	if (root && (chroot(root) || chdir("/"))) {
		fprintf(stderr, "crashlab: cannot enter %s: %s\n", root, strerror(errno));
		_exit(127);
	}
	if (b) {
		cl_builder_enter(b);
		execvpe(argv[0], argv, cl_builder_env());
	} else {
		execvp(argv[0], argv);
	}
	fprintf(stderr, "crashlab: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Wait for @pid until @deadline; 1 when it ended (status filled), 0 on time
 * out, -1 with errno set when waitpid() fails (SIGCHLD ignored: the child was
 * reaped for us and its status is lost, which must never read as exit 0).
 */
static int wait_until(pid_t pid, int *status, double deadline, int stop_on_interrupt)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (cl_now() >= deadline || (interrupted && stop_on_interrupt))
			return 0;
		usleep(20000);
	}
}

/* The name a time-limit error gives: the script, not the interpreter. */
static const char *cmd_name(char *const argv[])
{
	return (!strcmp(argv[0], "bash") || !strcmp(argv[0], "sh")) && argv[1] ? argv[1] : argv[0];
}

double cl_run_time_limit(double want)
{
	const char *env = getenv("CRASHLAB_CMD_TIMEOUT");

	return env && atof(env) > 0 && atof(env) < want ? atof(env) : want;
}

int cl_run(char *const argv[], const char *log_path, double timeout_s)
{
	return cl_run_ex(argv, &(struct cl_run_opts){ .log = log_path, .timeout_s = timeout_s });
}

int cl_run_ex(char *const argv[], const struct cl_run_opts *o)
{
	const char *log_path = o->log;
	const struct cl_builder *b = NULL;
	double timeout_s = cl_run_time_limit(o->timeout_s);
	pid_t pid;
	int status = 0, ended;

	if (o->candidate_code && cl_builder_get(&b))
		return CL_ESETUP;
	cl_builder_env(); /* made here, not in the child */
	pid = fork();
	if (pid < 0)
		return cl_err_set(CL_EINFRA, "fork: %s", strerror(errno));
	if (pid == 0)
		run_child(argv, log_path, b, o->root);
	setpgid(pid, pid); /* both sides set it: no window where a kill misses it */
	ended = wait_until(pid, &status, cl_now() + timeout_s, 1);
	if (ended < 0) {
		int err = errno;

		kill(-pid, SIGKILL); /* what is left of the group: its result is unknown */
		return cl_err_set(CL_EINFRA, "%s: cannot wait for it: waitpid: %s", cmd_name(argv),
				  strerror(err));
	}
	if (!ended) {
		int was_interrupted = interrupted;

		kill(-pid, SIGTERM);
		ended = wait_until(pid, &status, cl_now() + 5, 0);
		kill(-pid, SIGKILL); /* the rest of the group, whatever the leader did */
		if (!ended)
			waitpid(pid, &status, 0);
		if (was_interrupted)
			return cl_err_set(CL_ETIMEOUT, "%s: interrupted", cmd_name(argv));
		return cl_err_set(CL_ETIMEOUT, "%s: no result after %.0f s, killed with its process "
				  "group%s%s", cmd_name(argv), timeout_s, log_path ? "; log: " : "",
				  log_path ? log_path : "");
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return cl_err_set(CL_EINFRA, "%s killed by signal %d%s%s", cmd_name(argv),
			  WTERMSIG(status), log_path ? "; log: " : "", log_path ? log_path : "");
}
