/*
 * test_util.c - external commands under a time limit (their exit status
 * only when it was seen, none of our descriptors), and atomic writes.
 * Real processes and real files: a hung command is a real `sleep`, its
 * process group a real background child.
 */
#include "cl_test.h"
#include "cl_run.h"
#include "cl_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

static void test_exit_status_passes_through(void **state)
{
	(void)state;
	char *ok[] = { "sh", "-c", "exit 0", NULL };
	char *three[] = { "sh", "-c", "exit 3", NULL };
	char *missing[] = { "crashlab-no-such-command", NULL };

	assert_int_equal(cl_run(ok, NULL, 30), 0);
	assert_int_equal(cl_run(three, NULL, 30), 3);
	assert_int_equal(cl_run(missing, "/dev/null", 30), 127);
}

/* A hung command is killed with everything it started, and the error says so. */
static void test_time_limit_kills_the_group(void **state)
{
	(void)state;
	char pidfile[] = "/tmp/crashlab-test-util-XXXXXX";
	int fd = mkstemp(pidfile);
	char *script, *text = NULL;
	double t0 = cl_now(), took;
	int rc;
	long child;

	assert_true(fd >= 0);
	close(fd);
	/* the background sleep is a grandchild: only a group kill reaches it */
	script = cl_sprintf("sleep 300 & echo $! > %s; wait", pidfile);
	{
		char *argv[] = { "sh", "-c", script, NULL };

		rc = cl_run(argv, "/dev/null", 1);
	}
	took = cl_now() - t0;
	assert_int_equal(rc, CL_ETIMEOUT);
	assert_contains(cl_err(), "no result after 1 s");
	assert_contains(cl_err(), "log: /dev/null");
	assert_true(took < 10);
	assert_int_equal(cl_read_file(&text, NULL, pidfile, 64), 0);
	child = atol(text);
	assert_true(child > 1);
	/* reaped by init soon after the kill; gone or a zombie, never running */
	for (int i = 0; i < 50 && kill((pid_t)child, 0) == 0; i++) {
		char *stat = cl_sprintf("/proc/%ld/stat", child), *st = NULL;
		int zombie = cl_read_file(&st, NULL, stat, 4096) == 0 && strstr(st, ") Z ");

		free(stat);
		free(st);
		if (zombie)
			break;
		usleep(100000);
	}
	if (kill((pid_t)child, 0) == 0) {
		char *stat = cl_sprintf("/proc/%ld/stat", child), *st = NULL;

		assert_int_equal(cl_read_file(&st, NULL, stat, 4096), 0);
		assert_contains(st, ") Z ");
		free(st);
		free(stat);
	}
	free(text);
	free(script);
	unlink(pidfile);
}

/* $CRASHLAB_CMD_TIMEOUT lowers a limit, never raises it. */
static void test_env_lowers_the_limit(void **state)
{
	(void)state;
	char *argv[] = { "sleep", "30", NULL };
	double t0 = cl_now();

	setenv("CRASHLAB_CMD_TIMEOUT", "1", 1);
	assert_int_equal(cl_run(argv, NULL, 600), CL_ETIMEOUT);
	assert_true(cl_now() - t0 < 10);
	setenv("CRASHLAB_CMD_TIMEOUT", "600", 1);
	{
		char *quick[] = { "sh", "-c", "exit 5", NULL };

		assert_int_equal(cl_run(quick, NULL, 30), 5);
	}
	unsetenv("CRASHLAB_CMD_TIMEOUT");
}

static void test_write_file_is_whole_or_absent(void **state)
{
	(void)state;
	char dir[] = "/tmp/crashlab-test-util-XXXXXX";
	char *path, *text = NULL;
	struct stat st;
	size_t len;

	assert_non_null(mkdtemp(dir));
	path = cl_path_join(dir, "report.json");
	assert_int_equal(cl_write_file(path, "{}\n", 3), 0);
	assert_int_equal(cl_read_file(&text, &len, path, 64), 0);
	assert_int_equal(len, 3);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	free(text);
	cl_rm_rf(dir);
	/* the directory is gone: one line naming the file, nothing written */
	assert_int_equal(cl_write_file(path, "{}\n", 3), CL_EINFRA);
	assert_contains(cl_err(), path);
	assert_contains(cl_err(), "cannot write");
	assert_int_equal(stat(path, &st), -1);
	free(path);
}

/*
 * A parent that started us with SIGCHLD ignored: the kernel reaps the child
 * and waitpid() fails. No exit status was seen, so none may be reported.
 */
static void test_ignored_sigchld_is_an_infra_error(void **state)
{
	char *t[] = { "true", NULL }, *f[] = { "false", NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rc_true, rc_false;
	char err[1024];

	(void)state;
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	rc_true = cl_run(t, NULL, 30);
	rc_false = cl_run(f, NULL, 30);
	snprintf(err, sizeof(err), "%s", cl_err());
	assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0); /* restored before any assert */
	assert_int_equal(rc_true, CL_EINFRA);
	assert_int_equal(rc_false, CL_EINFRA);
	assert_contains(err, "false");
	assert_contains(err, "waitpid");
	signal(SIGCHLD, SIG_DFL);
	assert_int_equal(cl_run(t, NULL, 30), 0);
	assert_int_equal(cl_run(f, NULL, 30), 1);
}

/* " 0 1 2 ... " : the descriptors open now that an exec would pass on. */
static void fds_passed_on(char *out, size_t len)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	n += (size_t)snprintf(out, len, " ");
	while ((e = readdir(d)) && n < len) {
		int fd = atoi(e->d_name), fl = fcntl(fd, F_GETFD);

		if (e->d_name[0] != '.' && fd != dirfd(d) && fl >= 0 && !(fl & FD_CLOEXEC))
			n += (size_t)snprintf(out + n, len - n, "%d ", fd);
	}
	closedir(d);
}

/*
 * A command gets 0, 1 and 2, and what the test itself was started with,
 * but no descriptor crashlab opened: a lock it holds, /dev/null, the log.
 */
static void test_no_descriptor_is_inherited(void **state)
{
	char dir[] = "/tmp/crashlab-test-util-XXXXXX", before[512], num[16];
	char *argv[] = { "ls", "/proc/self/fd", NULL };
	char *lock, *list, *text = NULL, *line, *save, *copy;
	int fd, extra = 0;

	(void)state;
	fds_passed_on(before, sizeof(before));
	assert_non_null(mkdtemp(dir));
	lock = cl_path_join(dir, "locks/a.lock");
	fd = cl_lock_wait(lock);
	assert_true(fd > 2);
	list = cl_path_join(dir, "fds.txt");
	assert_int_equal(cl_run(argv, list, 30), 0);
	assert_int_equal(cl_read_file(&text, NULL, list, 4096), 0);
	copy = cl_xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		snprintf(num, sizeof(num), " %d ", atoi(line));
		extra += !strstr(before, num);
	}
	if (extra != 1) /* the one ls opened to list the directory */
		fail_msg("the command had descriptors beyond%s and its own:\n%s", before, text);
	close(fd);
	free(copy);
	free(text);
	free(list);
	free(lock);
	cl_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_passes_through),
		cmocka_unit_test(test_time_limit_kills_the_group),
		cmocka_unit_test(test_env_lowers_the_limit),
		cmocka_unit_test(test_write_file_is_whole_or_absent),
		cmocka_unit_test(test_ignored_sigchld_is_an_infra_error),
		cmocka_unit_test(test_no_descriptor_is_inherited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
