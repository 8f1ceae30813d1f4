/*
 * mkimage.sh's "seen" answer (cl_image_seen_holds): written here the way
 * the recipe writes it (coreutils stat's own format), then taken back by
 * every change that must make the recipe run again.
 */
#include "cl_test.h"
#include "cl_image.h"
#include "cl_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	char *file, *seen;
};

/* A seen file for @f->file, as mkimage.sh writes it, with @until and @env. */
static void write_seen(const struct fixture *f, long long until, const char *env)
{
	char *cmd = cl_sprintf("{ echo 'args 6.1.0-9-amd64 /c /a'; echo 'env %s'; echo 'until %lld'; "
			       "stat -c '%%n %%s %%.9Y %%i' %s; } > %s",
			       env, until, f->file, f->seen);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static int holds(const struct fixture *f)
{
	return cl_image_seen_holds(f->seen, "6.1.0-9-amd64", "/c", "/a");
}

static void test_seen_answer(void **state)
{
	struct fixture f = { .dir = "/tmp/cl-seen-XXXXXX" };
	long long later = (long long)time(NULL) + 3600;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(f.dir));
	f.file = cl_sprintf("%s/vmlinuz", f.dir);
	f.seen = cl_sprintf("%s/seen", f.dir);
	assert_int_equal(cl_write_file(f.file, "kernel", 6), 0);
	unsetenv("CL_INDEX_MAX_AGE");

	write_seen(&f, later, "unset");
	assert_true(holds(&f));
	/* other arguments: another cache, agent or release */
	assert_false(cl_image_seen_holds(f.seen, "6.1.0-9-amd64", "/c", "/other-agent"));
	assert_false(cl_image_seen_holds(f.seen, "6.1.0-8-amd64", "/c", "/a"));
	/* an index age limit other than the one it was answered under */
	setenv("CL_INDEX_MAX_AGE", "0", 1);
	assert_false(holds(&f));
	unsetenv("CL_INDEX_MAX_AGE");
	/* the index due for its refresh */
	write_seen(&f, (long long)time(NULL) - 1, "unset");
	assert_false(holds(&f));
	/* a file touched (only its nanoseconds), rewritten, or gone */
	write_seen(&f, later, "unset");
	assert_int_equal(stat(f.file, &st), 0);
	ts[1].tv_sec = st.st_mtim.tv_sec;
	ts[1].tv_nsec = (st.st_mtim.tv_nsec + 1) % 1000000000;
	assert_int_equal(utimensat(AT_FDCWD, f.file, ts, 0), 0);
	assert_false(holds(&f));
	write_seen(&f, later, "unset");
	assert_true(holds(&f));
	unlink(f.file);
	assert_int_equal(cl_write_file(f.file, "kernel", 6), 0); /* same size: a new inode */
	assert_false(holds(&f));
	write_seen(&f, later, "unset");
	unlink(f.file);
	assert_false(holds(&f));
	/* no file list at all, or no seen file */
	assert_int_equal(cl_write_file(f.seen, "args 6.1.0-9-amd64 /c /a\nenv unset\n", 35), 0);
	assert_false(holds(&f));
	unlink(f.seen);
	assert_false(holds(&f));
	rmdir(f.dir);
	free(f.file);
	free(f.seen);
}

/* The kernels crashlab builds itself are named by their last word. */
static void test_debug_kinds(void **state)
{
	(void)state;
	assert_true(cl_image_is_debug("6.1.0-56-debug"));
	assert_true(cl_image_is_debug("6.1.0-56-kmsan"));
	assert_false(cl_image_is_debug("6.1.0-56-amd64"));
	assert_false(cl_image_is_debug("6.1.0-56-arm64"));
	assert_false(cl_image_is_debug("-kmsan")); /* a kind with no ABI before it */
	assert_false(cl_image_is_debug("6.1.0-56-debugx"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_answer),
		cmocka_unit_test(test_debug_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
