/*
 * report.html from a real run's report.json (matrix/ci.json, CF291 content):
 * the grid, the crash group and the excerpts are there, and guest text that
 * tries to close the <pre> and open a <script> is written as text. (The
 * integration tests render the page in headless Chromium as well.)
 */
#include "cl_test.h"
#include "cl_html.h"
#include "cl_util.h"

#include <jansson.h>

static char *page_of(const char *report_path)
{
	char *html = cl_test_tmpfile(""), *text = NULL;

	assert_int_equal(cl_html_write(report_path, html), 0);
	assert_int_equal(cl_read_file(&text, NULL, html, 1 << 22), 0);
	unlink(html);
	free(html);
	return text;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_real_cf291_run(void **state)
{
	char *page = page_of("tests/data/report/cf291-ci.json");

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

static void test_guest_text_is_text(void **state)
{
	json_t *r = json_load_file("tests/data/report/cf291-ci.json", 0, NULL), *c;
	char *path = cl_test_tmpfile(""), *page;

	(void)state;
	assert_non_null(r);
	c = json_array_get(json_object_get(r, "cells"), 0);
	json_object_set_new(c, "excerpt", json_string("x</pre><script>alert(1)</script>\x01y"));
	json_object_set_new(c, "id", json_string("a\"><img src=x onerror=alert(1)>"));
	assert_int_equal(json_dump_file(r, path, 0), 0);
	page = page_of(path);
	assert_int_equal(count(page, "<script"), 0);
	assert_int_equal(count(page, "<img"), 0);
	assert_non_null(strstr(page, "<pre>x&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;?y</pre>"));
	assert_non_null(strstr(page, "id=\"cell-a&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
	free(page);
	unlink(path);
	free(path);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_cf291_run),
		cmocka_unit_test(test_guest_text_is_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
