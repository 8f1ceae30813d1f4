/*
 * test_scratch.c - scratch directories and the sweep of those left by runs
 * that are gone. Real directories, and real processes: a dead owner is a
 * child that really ran and was reaped.
 */
#include "cl_test.h"
#include "cl_scratch.h"
#include "cl_util.h"

#include <sys/stat.h>
#include <sys/wait.h>

/* The pid of a process that ran and is gone. */
static int dead_pid(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return (int)pid;
}

/* @root/@name holding an owner file (when @owner) and a file and a folder in it. */
static char *make_dir(const char *root, const char *name, const char *owner)
{
	char *dir = cl_path_join(root, name), *sub = cl_path_join(dir, "sub/deeper");
	char *f = cl_path_join(dir, "disk.qcow2"), *o = cl_path_join(dir, "owner");

	assert_int_equal(cl_mkdir_p(sub, 0755), 0);
	assert_int_equal(cl_write_file(f, "x", 1), 0);
	if (owner)
		assert_int_equal(cl_write_file(o, owner, strlen(owner)), 0);
	free(sub);
	free(f);
	free(o);
	return dir;
}

static void test_start_time_tells_processes_apart(void **state)
{
	(void)state;
	long long me = cl_scratch_proc_start((int)getpid());

	assert_true(me >= 0);
	assert_true(cl_scratch_proc_start((int)getpid()) == me);
	assert_true(cl_scratch_proc_start(1) >= 0);
	assert_true(cl_scratch_proc_start(dead_pid()) == -1);
	assert_true(cl_scratch_proc_start(0) == -1);
}

/* Removed: a dead owner, a reused pid. Kept: a live owner, no or a garbled
 * owner file, a name that is not crashlab's. */
static void test_sweep_removes_only_dead_runs(void **state)
{
	(void)state;
	char root[] = "/tmp/crashlab-test-sweep-XXXXXX";
	long long me = cl_scratch_proc_start((int)getpid());
	char *own = cl_sprintf("%d %lld\n", (int)getpid(), me);
	char *reused = cl_sprintf("%d %lld\n", (int)getpid(), me + 1);
	char *dead = cl_sprintf("%d 12345\n", dead_pid());
	char *d[6];

	assert_non_null(mkdtemp(root));
	d[0] = make_dir(root, "crashlab-live01", own);
	d[1] = make_dir(root, "crashlab-dead01", dead);
	d[2] = make_dir(root, "crashlab-snap-reuse1", reused);
	d[3] = make_dir(root, "crashlab-noown1", NULL);
	d[4] = make_dir(root, "crashlab-garbl1", "not a pid\n");
	d[5] = make_dir(root, "other-dead01", dead);
	assert_int_equal(cl_scratch_sweep(root), 2);
	assert_true(cl_file_exists(d[0]));
	assert_false(cl_file_exists(d[1]));
	assert_false(cl_file_exists(d[2]));
	assert_true(cl_file_exists(d[3]));
	assert_true(cl_file_exists(d[4]));
	assert_true(cl_file_exists(d[5]));
	assert_int_equal(cl_scratch_sweep(root), 0);
	cl_rm_rf(root);
	assert_false(cl_file_exists(root));
	for (int i = 0; i < 6; i++)
		free(d[i]);
	free(own);
	free(reused);
	free(dead);
}

/* A new scratch directory is readable by the qemu user, owned by this run,
 * and a sweep while the run lives leaves it alone. */
static void test_new_scratch_is_owned_and_kept(void **state)
{
	(void)state;
	char *dir = cl_scratch_new("test-"), *owner, *text = NULL;
	char *want = cl_sprintf("%d %lld\n", (int)getpid(), cl_scratch_proc_start((int)getpid()));
	struct stat st;

	assert_non_null(dir);
	assert_true(strncmp(dir, CL_SCRATCH_ROOT "/crashlab-test-", strlen(CL_SCRATCH_ROOT) + 15) == 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	owner = cl_path_join(dir, "owner");
	assert_int_equal(cl_read_file(&text, NULL, owner, 128), 0);
	assert_string_equal(text, want);
	cl_scratch_sweep(CL_SCRATCH_ROOT);
	assert_true(cl_file_exists(owner));
	cl_rm_rf(dir);
	assert_false(cl_file_exists(dir));
	free(text);
	free(owner);
	free(want);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_time_tells_processes_apart),
		cmocka_unit_test(test_sweep_removes_only_dead_runs),
		cmocka_unit_test(test_new_scratch_is_owned_and_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
