/*
 * A run's report as KCIDB data (reports/cl_kcidb.c), on reports shaped
 * like report.json: the checkout, builds and tests; crash groups read from
 * the cells (a merged report keeps none of its own); nothing null; ids
 * given once; a long guest excerpt cut to KCIDB's limit at a character's
 * start; a console path made a file:// URL; an origin KCIDB would refuse.
 */
#include "cl_test.h"
#include "cl_kcidb.h"
#include "cl_util.h"

/* One cell: @verdict, @title (NULL: none), its kernel @kernel. */
static json_t *cell(const char *id, const char *kernel, const char *verdict, const char *title)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:i}, s:s, s:f}", "id",
			      id, "kernel_release", kernel, "flavor", "amd64", "verdict", verdict,
			      "definition", "arch", "amd64", "os", "debian-12", "image", "initramfs",
			      "memory_mib", 512, "vcpus", 1, "console",
			      "cells/a dir/console.log", "duration_s", 3.5);

	if (title)
		json_object_set_new(c, "title", json_string(title));
	return c;
}

/* A merged report (no "groups"): two crashes with one title, a hang, a
 * pass, a cell not run and the lab's error; the scenario's name has dots. */
static json_t *report(void)
{
	json_t *cells = json_pack("[o, o, o, o, o, o]",
				  cell("c1", "6.1.0-55-amd64", "crash", "BUG: in f"),
				  cell("c2", "6.1.0-56-amd64", "crash", "BUG: in f"),
				  cell("c3", "6.1.0-56-amd64", "hang", "BUG: in f"),
				  cell("c4", "6.12.117+deb12-amd64", "pass", NULL),
				  cell("c5", "6.12.117+deb12-amd64", "not_run", NULL),
				  cell("c6", "6.12.117+deb12-amd64", "infra_error", NULL));

	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:[]}, s:{s:s}, s:{s:s}, s:o}",
			 "verdict", "fail", "started", "2026-12-07T10:00:00Z", "finished",
			 "2026-12-07T10:05:00Z", "accelerator", "tcg", "candidate", "name", "sensor",
			 "version", "1.0.0", "artifacts", "matrix", "sha256", "ab", "scenario", "name",
			 "ipc.basic v2", "cells", cells);
}

/* No null anywhere in @v. */
static int has_null(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_null(v))
		return 1;
	json_object_foreach(v, k, x)
		if (has_null(x))
			return 1;
	json_array_foreach(json_is_array(v) ? v : NULL, i, x)
		if (has_null(x))
			return 1;
	return 0;
}

static const char *field(json_t *arr, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(arr, i), key));
}

static void test_run(void **state)
{
	json_t *rep = report(), *k, *tests, *issues;
	(void)state;

	assert_int_equal(cl_kcidb_from_report(rep, "crashlab", "/tmp/out", &k), 0);
	assert_false(has_null(k));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(k, "version"), "major")), 5);
	assert_int_equal(json_array_size(json_object_get(k, "checkouts")), 1);
	assert_int_equal(json_array_size(json_object_get(k, "builds")), 3); /* three kernels */
	tests = json_object_get(k, "tests");
	assert_int_equal(json_array_size(tests), 6);
	assert_string_equal(field(tests, 0, "status"), "FAIL");
	assert_string_equal(field(tests, 2, "status"), "FAIL"); /* a hang is the candidate's */
	assert_string_equal(field(tests, 3, "status"), "PASS");
	assert_string_equal(field(tests, 4, "status"), "MISS");
	assert_string_equal(field(tests, 5, "status"), "ERROR");
	assert_string_equal(field(tests, 0, "path"), "crashlab.ipc_basic_v2");
	assert_string_equal(field(tests, 0, "log_url"), "file:///tmp/out/cells/a%20dir/console.log");
	/* groups from the cells: (crash, BUG: in f), (hang, BUG: in f), the lab's error */
	issues = json_object_get(k, "issues");
	assert_int_equal(json_array_size(issues), 3);
	assert_string_not_equal(field(issues, 0, "id"), field(issues, 1, "id"));
	assert_true(json_is_true(json_object_get(json_object_get(json_array_get(issues, 2), "culprit"),
						 "harness")));
	assert_string_equal(field(issues, 2, "comment"), "infra_error"); /* no title: its verdict */
	assert_int_equal(json_array_size(json_object_get(k, "incidents")), 4);
	json_decref(k);
	json_decref(rep);
}

/* A guest's excerpt past 16384 bytes, a 2-byte character across the limit. */
static void test_excerpt(void **state)
{
	json_t *rep = report(), *k;
	char *long_text = cl_xcalloc(20000, 1);
	(void)state;

	memset(long_text, 'a', 19998);
	memcpy(long_text + 16383, "\xc3\xa9", 2); /* é at bytes 16383-16384 */
	json_object_set_new(json_array_get(json_object_get(rep, "cells"), 0), "excerpt",
			    json_string(long_text));
	assert_int_equal(cl_kcidb_from_report(rep, "lab_1", NULL, &k), 0);
	assert_int_equal(strlen(field(json_object_get(k, "tests"), 0, "log_excerpt")), 16383);
	assert_null(json_object_get(json_array_get(json_object_get(k, "tests"), 0), "log_url"));
	json_decref(k);
	json_decref(rep);
	free(long_text);
}

static void test_refused(void **state)
{
	json_t *rep = report(), *k, *none = json_object();
	(void)state;

	assert_int_equal(cl_kcidb_from_report(rep, "Crash-Lab", NULL, &k), CL_EINPUT);
	assert_null(k);
	assert_int_equal(cl_kcidb_from_report(none, "crashlab", NULL, &k), CL_EINPUT);
	json_object_del(json_array_get(json_object_get(rep, "cells"), 1), "id");
	assert_int_equal(cl_kcidb_from_report(rep, "crashlab", NULL, &k), CL_EINPUT);
	assert_contains(cl_err(), "cell 2");
	json_decref(rep);
	json_decref(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_excerpt),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
