/*
 * The pages written from report.json, from a real run's report (matrix/ci.json,
 * CF291 content): summary.md (short, markdown-escaped) and report.html (grid,
 * crash group, excerpts; guest text written as text), and the same report
 * turned into a --remediate run (a boot-looped cell remediated, a cell that
 * recovered by itself): both pages say what became of each machine. The
 * integration tests render report.html in headless Chromium as well.
 */
#include "cl_test.h"
#include "cl_html.h"
#include "cl_summary.h"
#include "cl_util.h"

#include <jansson.h>
#include <libxml/parser.h>

#define REPORT "tests/data/report/cf291-ci.json"
#define REMEDY "sensor/remediation-cf291.json"

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

/* @page parses as XML (XHTML-style output: what a strict reader gets). */
static void assert_well_formed(const char *page)
{
	xmlDocPtr doc = xmlReadMemory(page, (int)strlen(page), "report.html", NULL, XML_PARSE_NONET);

	assert_non_null(doc);
	xmlFreeDoc(doc);
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
	assert_int_equal(count(page, "<tr><th>remediation</th><td>none</td></tr><tr><th>automatic "
				     "recovery</th><td>none (1 of 1 boots crashed)</td></tr>"), 2);
	assert_int_equal(count(page, "<th>remediation</th><td>tried"), 0); /* no --remediate */
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

	(void)state;
	assert_contains(page, "<pre>1?2?3?4\xc3\xa9\xe2\x82\xac</pre>");
	assert_well_formed(page);
	free(page);
}

/* One timeline entry: a boot that crashed before it was healthy, or a healthy one. */
static json_t *boot(int n, double start, int healthy)
{
	return json_pack("{s:i, s:f, s:f, s:s, s:b, s:s, s:o, s:n}", "boot", n, "start_s", start,
			 "duration_s", 20.0, "reached", healthy ? "ready" : "init", "healthy", healthy,
			 "ended", healthy ? "poweroff" : "crash", "crash",
			 healthy ? json_null()
				 : json_string("BUG: unable to handle page fault in cl_interp_eval"),
			 "content_sha256");
}

/*
 * What @write makes of the real report turned into a --remediate run: cell 0
 * boot-looped (3 crashed boots) and has @rem (taken) as its remediation;
 * cell 1 crashed twice, then recovered by itself at boot 3.
 */
static char *written_outcomes(int (*write)(const char *, const char *), json_t *rem)
{
	json_t *r = real_report(), *cells = json_object_get(r, "cells");
	json_t *c0 = json_array_get(cells, 0), *c1 = json_array_get(cells, 1);

	json_object_set_new(r, "summary_text", json_string("2 cells: 1 boot_loop, 1 crash"));
	json_object_set_new(c0, "verdict", json_string("boot_loop"));
	json_object_set_new(c0, "timeline", json_pack("[o, o, o]", boot(1, 0.0, 0), boot(2, 25.0, 0),
						      boot(3, 50.0, 0)));
	json_object_set_new(c1, "timeline", json_pack("[o, o, o]", boot(1, 0.0, 0), boot(2, 25.0, 0),
						      boot(3, 50.0, 1)));
	json_object_set_new(c1, "recovery", json_pack("{s:b, s:i, s:i, s:f}", "recovered", 1,
						      "crashed_boots", 2, "healthy_boot", 3,
						      "seconds", 55.5));
	return written_over(write, r, c0, "remediation", rem);
}

/* A remediation that was applied: @recovered in @boots boots, or not, with @outcome. */
static json_t *remediation(const char *file, int recovered, int boots, const char *outcome)
{
	return json_pack("{s:s, s:b, s:i, s:b, s:i, s:o, s:o}", "file", file, "applied", 1,
			 "removed", 2, "recovered", recovered, "boots", boots, "seconds",
			 recovered ? json_real(45.0) : json_null(), "outcome",
			 outcome ? json_string(outcome) : json_null());
}

/* A remediated cell and one that recovered by itself: both pages say what became of each. */
static void test_pages_show_remediation_and_recovery(void **state)
{
	char *page = written_outcomes(cl_html_write, remediation(REMEDY, 1, 1, NULL));
	char *md = written_outcomes(cl_summary_write, remediation(REMEDY, 1, 1, NULL));

	(void)state;
	/* at the top: what a reader asks first */
	assert_contains(page, "<tr><th>summary</th><td>2 cells: 1 boot_loop, 1 crash</td></tr>"
			      "<tr><th>remediation</th><td>tried on 1 cell: applied on 1, recovered "
			      "on 1</td></tr><tr><th>automatic recovery</th><td>1 cell recovered after "
			      "crashed boots</td></tr>");
	/* the remediated cell: the outcome, and its timeline through the remediation */
	assert_contains(page, "<tr><th>remediation</th><td>" REMEDY ": applied (paths removed: 2); "
			      "recovered in 1 boot, 45.0 s after applying it</td></tr><tr><th>automatic "
			      "recovery</th><td>none (3 of 3 boots crashed)</td>");
	assert_contains(page, "<tr><td>boot 3 at 50.0 s, 20.0 s: reached init, ended crash</td>"
			      "<td>BUG: unable to handle page fault in cl_interp_eval</td></tr>"
			      "<tr><td>then the remediation " REMEDY ": applied (paths removed: 2); "
			      "recovered in 1 boot, 45.0 s after applying it</td><td>recovered</td></tr>"
			      "</table>");
	/* the cell that came back by itself, and the boot it came back in */
	assert_contains(page, "<tr><th>remediation</th><td>none</td></tr><tr><th>automatic "
			      "recovery</th><td>recovered after 2 crashed boots: boot 3 healthy, "
			      "55.5 s after the first crash</td></tr>");
	assert_contains(page, "<tr><td>boot 3 at 50.0 s, 20.0 s: reached ready, ended poweroff, "
			      "healthy, recovered</td><td></td></tr>");
	assert_well_formed(page);
	/* summary.md: one line per cell */
	assert_contains(md, "\n- cell deb12-6.1-n: remediation " REMEDY " applied (paths removed: 2): "
			    "**recovered** in 1 boot, 45.0 s after applying it\n- cell deb12-6.12: "
			    "**recovered** automatically after 2 crashed boots (healthy at boot 3, 55.5 s "
			    "after the first crash)\n\n");
	assert_true(strlen(md) < 2000);
	free(page);
	free(md);
}

/* A remediation that did not help, or was not applied: why, with its text escaped on both pages. */
static void test_pages_escape_remediation_outcomes(void **state)
{
	const char *evil = "boot_loop: <script>alert(1)</script> | *x* [y](z)";
	char *page = written_outcomes(cl_html_write, remediation("r_<i>.json", 0, 3, evil));
	char *md = written_outcomes(cl_summary_write, remediation("r_<i>.json", 0, 3, evil));
	char *page2 = written_outcomes(cl_html_write,
				       json_pack("{s:s, s:b, s:i, s:b, s:i, s:n, s:s}", "file", "r.json",
						 "applied", 0, "removed", 0, "recovered", 0, "boots", 0,
						 "seconds", "outcome", "not applied: <b>no disk</b>"));

	(void)state;
	assert_int_equal(count(page, "<script"), 0);
	assert_contains(page, "<tr><th>remediation</th><td>tried on 1 cell: applied on 1, "
			      "recovered on 0</td></tr>");
	assert_contains(page, "<td>r_&lt;i&gt;.json: applied (paths removed: 2); not recovered "
			      "after 3 boots: boot_loop: &lt;script&gt;alert(1)&lt;/script&gt; | *x* "
			      "[y](z)</td>");
	assert_contains(page, "<td>not recovered</td></tr></table>");
	assert_null(strstr(md, "<script>"));
	assert_contains(md, "- cell deb12-6.1-n: remediation r\\_&lt;i&gt;.json applied (paths "
			    "removed: 2): **not recovered** after 3 boots: boot\\_loop: "
			    "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\* \\[y\\](z)\n");
	assert_contains(page2, "<tr><th>remediation</th><td>tried on 1 cell: applied on 0, "
			       "recovered on 0</td></tr>");
	assert_contains(page2, "<td>r.json: not applied: &lt;b&gt;no disk&lt;/b&gt;</td>");
	free(page);
	free(page2);
	free(md);
}

/* Past 20 cells, summary.md counts the rest: failing cells and remediated ones alike. */
static void test_summary_lists_at_most_20_outcomes(void **state)
{
	json_t *r = real_report(), *cells = json_array(), *c;
	char *md;
	int i;

	(void)state;
	for (i = 0; i < 23; i++) {
		c = json_deep_copy(json_array_get(json_object_get(r, "cells"), 0));
		json_object_set_new(c, "id", json_sprintf("cell-%d", i));
		json_object_set_new(c, "verdict", json_string("boot_loop"));
		json_object_set_new(c, "remediation", remediation("r.json", 1, 1, NULL));
		json_array_append_new(cells, c);
	}
	md = written_over(cl_summary_write, r, r, "cells", cells);
	assert_int_equal(count(md, " | boot_loop | "), 20);
	assert_contains(md, "\nand 3 more failing cells (report.json has them all).\n");
	assert_int_equal(count(md, "\n- cell cell-"), 20);
	assert_contains(md, "- cell cell-19: remediation r.json applied (paths removed: 2): "
			    "**recovered** in 1 boot, 45.0 s after applying it\n"
			    "- and 3 more remediated or recovered cells (report.json has them all)\n\n");
	free(md);
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
		cmocka_unit_test(test_pages_show_remediation_and_recovery),
		cmocka_unit_test(test_pages_escape_remediation_outcomes),
		cmocka_unit_test(test_summary_lists_at_most_20_outcomes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
