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
#include <libxml/parser.h>

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

/* What @write makes of the real report with @key of @obj (in it) set to @v, which it takes. */
static char *written_over(int (*write)(const char *, const char *), json_t *r, json_t *obj,
			  const char *key, json_t *v)
{
	char *path = cl_test_tmpfile(""), *text;

	json_object_set_new(obj, key, v);
	assert_int_equal(json_dump_file(r, path, 0), 0);
	text = written_by(write, path);
	unlink(path);
	free(path);
	json_decref(r);
	return text;
}

static json_t *real_report(void)
{
	json_t *r = json_load_file(REPORT, 0, NULL);

	assert_non_null(r);
	return r;
}

/* What @write makes of the real report with cell 0's @key set to @value. */
static char *written_with(int (*write)(const char *, const char *), const char *key,
			  const char *value)
{
	json_t *r = real_report();

	return written_over(write, r, json_array_get(json_object_get(r, "cells"), 0), key,
			    json_string(value));
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

/* A pre-flight step's log is a link only when it is a relative path or a #fragment. */
static void test_html_links_only_relative_paths(void **state)
{
	static const char *const logs[] = { "javascript:alert(1)", "JavaScript:alert(2)",
					    "data:text/html,x", "http://example.com/a",
					    "//example.com/a", "\\\\example.com\\a", " javascript:x",
					    "preflight/ok.log", "#cell-a" };
	json_t *r = real_report(), *steps = json_array();
	char *page;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
		json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:s}", "name", "s", "status",
						       "pass", "detail", "d", "log", logs[i]));
	page = written_over(cl_html_write, r, r, "preflight",
			    json_pack("{s:i, s:o}", "declared", 1, "steps", steps));
	assert_int_equal(count(page, "href=\"javascript"), 0);
	assert_int_equal(count(page, "href=\"JavaScript"), 0);
	assert_int_equal(count(page, "href=\" "), 0);
	assert_int_equal(count(page, "href=\"data:"), 0);
	assert_int_equal(count(page, "href=\"http"), 0);
	assert_int_equal(count(page, "href=\"//"), 0);
	assert_int_equal(count(page, "href=\"\\"), 0);
	assert_int_equal(count(page, "<a href=\"preflight/ok.log\">log</a>"), 1);
	assert_int_equal(count(page, "<a href=\"#cell-a\">log</a>"), 1);
	assert_int_equal(count(page, "javascript:alert(1)"), 1); /* shown, as text */
	free(page);
}

/* A report.json that names a key twice is refused, not read as its last value. */
static void test_pages_refuse_duplicate_keys(void **state)
{
	char *text = NULL, *dup, *path, *out = cl_test_tmpfile("");

	(void)state;
	assert_int_equal(cl_read_file(&text, NULL, REPORT, 1 << 22), 0);
	assert_true(text[0] == '{');
	dup = cl_sprintf("{\"verdict\": \"pass\", %s", text + 1);
	path = cl_test_tmpfile(dup);
	assert_int_equal(cl_html_write(path, out), CL_EINPUT);
	assert_contains(cl_err(), "duplicate");
	assert_contains(cl_err(), path);
	assert_int_equal(cl_summary_write(path, out), CL_EINPUT);
	assert_contains(cl_err(), "duplicate");
	unlink(path);
	unlink(out);
	free(path);
	free(out);
	free(dup);
	free(text);
}

/* What XML 1.0 cannot carry (U+FFFF, U+FFFE, C0 controls) becomes '?'; the page parses as XML. */
static void test_html_is_well_formed(void **state)
{
	char *page = written_with(cl_html_write, "excerpt", "1\xef\xbf\xbf" "2\xef\xbf\xbe" "3\x01"
				  "4\xc3\xa9\xe2\x82\xac");
	xmlDocPtr doc;

	(void)state;
	assert_contains(page, "<pre>1?2?3?4\xc3\xa9\xe2\x82\xac</pre>");
	doc = xmlReadMemory(page, (int)strlen(page), "report.html", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_of_real_cf291_run),
		cmocka_unit_test(test_summary_escapes_guest_text),
		cmocka_unit_test(test_html_of_real_cf291_run),
		cmocka_unit_test(test_html_writes_guest_text_as_text),
		cmocka_unit_test(test_html_links_only_relative_paths),
		cmocka_unit_test(test_pages_refuse_duplicate_keys),
		cmocka_unit_test(test_html_is_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
