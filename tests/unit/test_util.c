/*
 * test_util.c - external commands under a time limit, and atomic writes.
 * Real processes and real files: a hung command is a real `sleep`, its
 * process group a real background child.
 */
#include "cl_test.h"
#include "cl_util.h"

#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_passes_through),
		cmocka_unit_test(test_time_limit_kills_the_group),
		cmocka_unit_test(test_env_lowers_the_limit),
		cmocka_unit_test(test_write_file_is_whole_or_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
