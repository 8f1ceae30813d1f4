/*
 * The pages written from report.json, from a real run's report (matrix/ci.json,
 * CF291 content): summary.md (short, markdown-escaped) and report.html (grid,
 * crash group, excerpts; guest text written as text). The integration tests
 * render report.html in headless Chromium as well.
 */
#include "cl_test.h"
#include "cl_html.h"
#include "cl_summary.h"
#include "cl_util.h"

#include <jansson.h>

#define REPORT "tests/data/report/cf291-ci.json"

/* What @write makes of the report at @report_path. */
static char *written_by(int (*write)(const char *, const char *), const char *report_path)
{
	char *out = cl_test_tmpfile(""), *text = NULL;

	assert_int_equal(write(report_path, out), 0);
	assert_int_equal(cl_read_file(&text, NULL, out, 1 << 22), 0);
	unlink(out);
	free(out);
	return text;
}

/* What @write makes of the real report with cell 0's @key set to @value. */
static char *written_with(int (*write)(const char *, const char *), const char *key,
			  const char *value)
{
	json_t *r = json_load_file(REPORT, 0, NULL);
	char *path = cl_test_tmpfile(""), *text;

	assert_non_null(r);
	json_object_set_new(json_array_get(json_object_get(r, "cells"), 0), key, json_string(value));
	assert_int_equal(json_dump_file(r, path, 0), 0);
	text = written_by(write, path);
	unlink(path);
	free(path);
	json_decref(r);
	return text;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_summary_of_real_cf291_run(void **state)
{
	char *md = written_by(cl_summary_write, REPORT);

	(void)state;
	assert_non_null(strstr(md, "## crashlab: fail - crashlab-reference-sensor 1.0.0-cf291 on ci\n"));
	assert_non_null(strstr(md, "2 cells: 2 crash.\n")); /* no fleet shares: no blast radius */
	assert_non_null(strstr(md, "| deb12-6.12 | 6.12.117+deb12-amd64 | crash | "
				   "BUG: unable to handle page fault in cl\\_interp\\_eval |"));
	assert_non_null(strstr(md, "sha256 `"));
	assert_true(strlen(md) < 2000); /* a pull-request comment */
	free(md);
}

static void test_summary_escapes_guest_text(void **state)
{
	char *md = written_with(cl_summary_write, "title",
				"BUG: <script>alert(1)</script> | [x](http://e) `y`\n# z");

	(void)state;
	assert_null(strstr(md, "<script>"));
	assert_non_null(strstr(md, "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](http://e) \\`y\\`\\# z"));
	free(md);
}

static void test_html_of_real_cf291_run(void **state)
{
	char *page = written_by(cl_html_write, REPORT);

	(void)state;
	assert_true(!strncmp(page, "<!DOCTYPE html><html lang=\"en\">", 31));
	assert_int_equal(count(page, "<td class=\"v-crash\"><a href=\"#cell-"), 2);
	assert_int_equal(count(page, "<section id=\"cell-"), 2);
	assert_non_null(strstr(page, "<td>BUG: unable to handle page fault in cl_interp_eval</td>"
				     "<td>clsensor</td>"));
	assert_non_null(strstr(page, "RIP: 0010:cl_interp_eval"));
	assert_int_equal(count(page, "<script"), 0);
	free(page);
}

static void test_html_writes_guest_text_as_text(void **state)
{
	char *page = written_with(cl_html_write, "excerpt", "x</pre><script>alert(1)</script>\x01y");
	char *page2 = written_with(cl_html_write, "id", "a\"><img src=x onerror=alert(1)>");

	(void)state;
	assert_int_equal(count(page, "<script"), 0);
	assert_non_null(strstr(page, "<pre>x&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;?y</pre>"));
	assert_int_equal(count(page2, "<img"), 0);
	assert_non_null(strstr(page2, "id=\"cell-a&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
	free(page);
	free(page2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_of_real_cf291_run),
		cmocka_unit_test(test_summary_escapes_guest_text),
		cmocka_unit_test(test_html_of_real_cf291_run),
		cmocka_unit_test(test_html_writes_guest_text_as_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
