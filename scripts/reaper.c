/*
 * reaper.c - run a daemon (libvirtd) under a process that reaps its orphans.
 *
 * libvirtd double-forks each qemu, so an exited qemu is reaped by the
 * nearest ancestor marked as a child subreaper, else by PID 1. Where PID 1
 * reaps lazily (these machines: about once every 1.5-2 s) libvirt waits for
 * the zombie to go before it reports the domain stopped or returns from a
 * destroy, and every cell pays those seconds. Started through this program,
 * the daemon and everything it forks have a subreaper that reaps at once.
 *
 * usage: reaper COMMAND [ARGS...]   (returns at once; the reaper stays in the
 * background, detached, until the last of its descendants has gone)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd, status, p[2];
	unsigned char rc = 1;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: reaper COMMAND [ARGS...]\n");
		return 2;
	}
	if (pipe(p) != 0 || (pid = fork()) < 0)
		return 1;
	if (pid > 0) {
		/* the caller gets the command's exit status (a daemon's once it is up) */
		close(p[1]);
		if (read(p[0], &rc, 1) != 1)
			rc = 1;
		return rc;
	}
	close(p[0]);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		rc = WIFEXITED(status) ? (unsigned char)WEXITSTATUS(status) : 1;
	if (write(p[1], &rc, 1) != 1)
		return 1;
	close(p[1]);
	/* this process stays the daemon's subreaper: every orphan below it is reaped here */
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	return 0;
}
