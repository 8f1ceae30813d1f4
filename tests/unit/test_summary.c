/*
 * summary.md from a real run's report.json (matrix/ci.json, CF291 content):
 * the verdict, the failing cells, the content digest; and guest text in a
 * title (a console can print anything) escaped, never markup.
 */
#include "cl_test.h"
#include "cl_summary.h"
#include "cl_util.h"

#include <jansson.h>

static char *summary_of(const char *report_path)
{
	char *md = cl_test_tmpfile(""), *text = NULL;

	assert_int_equal(cl_summary_write(report_path, md), 0);
	assert_int_equal(cl_read_file(&text, NULL, md, 1 << 20), 0);
	unlink(md);
	free(md);
	return text;
}

static void test_real_cf291_run(void **state)
{
	char *md = summary_of("tests/data/report/cf291-ci.json");

	(void)state;
	assert_non_null(strstr(md, "## crashlab: fail - crashlab-reference-sensor 1.0.0-cf291 on ci\n"));
	assert_non_null(strstr(md, "2 cells: 2 crash.\n")); /* no fleet shares: no blast radius */
	assert_non_null(strstr(md, "| deb12-6.12 | 6.12.117+deb12-amd64 | crash | "
				   "BUG: unable to handle page fault in cl\\_interp\\_eval |"));
	assert_non_null(strstr(md, "sha256 `"));
	assert_true(strlen(md) < 2000); /* a pull-request comment */
	free(md);
}

static void test_guest_text_is_escaped(void **state)
{
	json_t *r = json_load_file("tests/data/report/cf291-ci.json", 0, NULL);
	char *path = cl_test_tmpfile(""), *md;

	(void)state;
	assert_non_null(r);
	json_object_set_new(json_array_get(json_object_get(r, "cells"), 0), "title",
			    json_string("BUG: <script>alert(1)</script> | [x](http://e) `y`\n# z"));
	assert_int_equal(json_dump_file(r, path, 0), 0);
	md = summary_of(path);
	assert_null(strstr(md, "<script>"));
	assert_non_null(strstr(md, "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](http://e) \\`y\\`\\# z"));
	free(md);
	unlink(path);
	free(path);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_cf291_run),
		cmocka_unit_test(test_guest_text_is_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
