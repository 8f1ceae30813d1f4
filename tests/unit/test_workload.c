/* The guest agent's IPC workloads, run for real on this machine: every kind makes what it says. */
#include "cl_test.h"
#include "workload.h"

#include <sys/stat.h>

static char dir[] = "/tmp/crashlab-wl-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir); /* fails when a step left an object behind */
}

static struct wl_tally run(const char *op, const char *pattern, int count, int msgs, int conc,
			   int rate, int duration)
{
	struct wl_step s = { .op = op, .dir = pattern[0] == '-' ? "-" : dir, .pattern = pattern,
			     .count = count, .msgs = msgs, .conc = conc, .rate = rate,
			     .duration = duration };
	struct wl_tally t;

	wl_run(&s, &t);
	return t;
}

static void test_each_kind(void **state)
{
	struct wl_tally t;

	(void)state;
	t = run("fifo", "pipe_%d", 5, 3, 1, 0, 0);
	assert_int_equal(t.generated, 5);
	assert_int_equal(t.messages, 15);
	assert_int_equal(t.errors, 0);
	t = run("unix", "s_%d.sock", 4, 2, 1, 0, 0); /* messages both ways */
	assert_int_equal(t.generated, 4);
	assert_int_equal(t.messages, 16);
	assert_int_equal(t.errors, 0);
	t = run("dgram", "d_%d.sock", 3, 4, 1, 0, 0); /* a server and a client per message */
	assert_int_equal(t.generated, 3 + 3 * 4);
	assert_int_equal(t.messages, 12);
	assert_int_equal(t.errors, 0);
	t = run("pipe", "-", 6, 2, 1, 0, 0);
	assert_int_equal(t.generated, 6);
	assert_int_equal(t.messages, 12);
	assert_int_equal(t.errors, 0);
	t = run("socketpair", "-", 2, 5, 1, 0, 0);
	assert_int_equal(t.generated, 2);
	assert_int_equal(t.messages, 20);
	assert_int_equal(t.errors, 0);
	t = run("spawn", "tree_%d", 3, 1, 1, 0, 0); /* a FIFO and a socket per grandchild */
	assert_int_equal(t.generated, 6);
	assert_int_equal(t.messages, 3 * (1 + 2));
	assert_int_equal(t.errors, 0);
	assert_false(wl_known("tcp"));
	t = run("tcp", "x_%d", 1, 1, 1, 0, 0);
	assert_int_equal(t.errors, 1);
}

/* Workers share the indices; a duration goes round again; a rate slows a step down. */
static void test_concurrency_duration_rate(void **state)
{
	struct wl_tally t;
	double t0;

	(void)state;
	t = run("unix", "c_%d.sock", 40, 1, 8, 0, 0);
	assert_int_equal(t.generated, 40);
	assert_int_equal(t.messages, 80);
	assert_int_equal(t.errors, 0);
	t0 = wl_now();
	t = run("fifo", "r_%d", 10, 1, 2, 0, 1);
	assert_true(wl_now() - t0 >= 1.0);
	assert_true(t.generated >= 20 && t.generated % 5 == 0); /* each worker: its 5 indices a round */
	assert_int_equal(t.errors, 0);
	t0 = wl_now();
	t = run("pipe", "-", 10, 1, 1, 50, 0); /* the 10th object is due 0.18 s after the first */
	assert_true(wl_now() - t0 >= 0.17);
	assert_int_equal(t.generated, 10);
}

/* A name that does not fit a socket address, and a directory that cannot be made, are errors. */
static void test_errors_counted(void **state)
{
	struct wl_step s = { .op = "fifo", .dir = "/proc/crashlab-no", .pattern = "x_%d",
			     .count = 2, .msgs = 1, .conc = 1 };
	char longname[200];
	struct wl_tally t;

	(void)state;
	wl_run(&s, &t);
	assert_int_equal(t.generated, 0);
	assert_int_equal(t.errors, 1 + 2);
	memset(longname, 'n', sizeof(longname) - 3);
	strcpy(longname + sizeof(longname) - 3, "%d");
	t = run("unix", longname, 2, 1, 1, 0, 0);
	assert_int_equal(t.generated, 0);
	assert_int_equal(t.errors, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kind),
		cmocka_unit_test(test_concurrency_duration_rate),
		cmocka_unit_test(test_errors_counted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
