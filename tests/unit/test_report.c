/*
 * Report writers: the overall verdict and exit code, report.json fields
 * bound to digests, and guest text that tries to break out of the JUnit XML.
 */
#include "cl_test.h"
#include "cl_junit.h"
#include "cl_report.h"
#include "cl_util.h"

#include <jansson.h>
#include <libxml/parser.h>

static struct cl_candidate *cand;
static struct cl_matrix *matrix;
static struct cl_scenario *scn;

static int setup(void **state)
{
	(void)state;
	return cl_candidate_load(&cand, "sensor/candidate.json") ||
	       cl_matrix_load(&matrix, "matrix/smoke.json") ||
	       cl_scenario_load(&scn, "scenarios/ipc-basic.json");
}

static int teardown(void **state)
{
	(void)state;
	cl_candidate_free(cand);
	cl_matrix_free(matrix);
	cl_scenario_free(scn);
	return 0;
}

static void make_report(struct cl_report *r, struct cl_report_cell *cells, const enum cl_verdict *v)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->cand = cand;
	r->matrix = matrix;
	r->scn = scn;
	r->accel = "tcg";
	r->ncells = 4;
	r->cells = cells;
	for (i = 0; i < 4; i++) {
		memset(&cells[i], 0, sizeof(cells[i]));
		cells[i].spec = &matrix->cells[i];
		cells[i].verdict = v[i];
		snprintf(cells[i].title, sizeof(cells[i].title), "title %d", i);
	}
}

static void test_overall_verdict(void **state)
{
	struct cl_report r;
	struct cl_report_cell cells[4];

	(void)state;
	make_report(&r, cells, (enum cl_verdict[]){ CL_V_PASS, CL_V_PASS, CL_V_PASS, CL_V_PASS });
	assert_string_equal(cl_report_verdict(&r), "pass");
	assert_int_equal(cl_report_exit_code(&r), 0);
	make_report(&r, cells, (enum cl_verdict[]){ CL_V_PASS, CL_V_INFRA_ERROR, CL_V_PASS, CL_V_PASS });
	assert_string_equal(cl_report_verdict(&r), "error");
	assert_int_equal(cl_report_exit_code(&r), 2);
	make_report(&r, cells, (enum cl_verdict[]){ CL_V_PASS, CL_V_INFRA_ERROR, CL_V_HANG, CL_V_PASS });
	assert_string_equal(cl_report_verdict(&r), "fail");
	assert_int_equal(cl_report_exit_code(&r), 1);
	make_report(&r, cells, (enum cl_verdict[]){ CL_V_CRASH, CL_V_BOOT_LOOP, CL_V_INSTALL_FAILED,
						    CL_V_WORKLOAD_FAILED });
	assert_int_equal(cl_report_exit_code(&r), 1);
	r.ncells = 0;
	assert_int_equal(cl_report_exit_code(&r), 2); /* nothing tested is not a pass */
}

static void test_json_and_hostile_junit(void **state)
{
	struct cl_report r;
	struct cl_report_cell cells[4];
	char dir[] = "/tmp/crashlab-test-report-XXXXXX", *p, *xml;
	json_error_t e;
	json_t *j, *c0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	make_report(&r, cells, (enum cl_verdict[]){ CL_V_CRASH, CL_V_PASS, CL_V_INFRA_ERROR, CL_V_PASS });
	snprintf(cells[0].title, sizeof(cells[0].title), "BUG in f\"]]></failure><evil/>&");
	cells[0].excerpt = cl_xstrdup("line <one>\n\x1b[31m]]>&amp;\x01\n");
	cells[0].console = cl_xstrdup("cells/a/console.log");
	snprintf(cells[0].module_sha256, sizeof(cells[0].module_sha256), "%064d", 7);
	p = cl_path_join(dir, "report.json");
	assert_int_equal(cl_report_write_json(&r, p), 0);
	j = json_load_file(p, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), "fail");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(j, "candidate"), "artifacts"), 0), "sha256")), cand->content[0].sha256);
	c0 = json_array_get(json_object_get(j, "cells"), 0);
	assert_string_equal(json_string_value(json_object_get(c0, "kernel_release")), "6.1.0-56-amd64");
	assert_string_equal(json_string_value(json_object_get(c0, "verdict")), "crash");
	assert_string_equal(json_string_value(json_object_get(c0, "flavor")), "amd64");
	assert_non_null(json_object_get(c0, "boots"));
	assert_non_null(json_object_get(c0, "duration_s"));
	assert_string_equal(json_string_value(json_object_get(c0, "console")), "cells/a/console.log");
	json_decref(j);
	free(p);

	p = cl_path_join(dir, "junit.xml");
	assert_int_equal(cl_report_write_junit(&r, p), 0);
	assert_int_equal(cl_read_file(&xml, NULL, p, 1 << 20), 0);
	assert_null(strstr(xml, "<evil/>"));
	assert_null(strstr(xml, "\x1b"));
	assert_null(strstr(xml, "\x01"));
	assert_contains(xml, "&lt;evil/&gt;");
	assert_contains(xml, "tests=\"4\" failures=\"1\" errors=\"1\"");
	assert_contains(xml, "<failure type=\"crash\"");
	assert_contains(xml, "<error type=\"infra_error\"");
	free(xml);
	/* a real XML parser must accept it (xmllint comes with scripts/deps.sh) */
	{
		char *cmd = cl_sprintf("xmllint --noout %s", p);

		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	free(p);
	free(cells[0].excerpt);
	free(cells[0].console);
	cl_rm_rf(dir);
}

/*
 * junit.xml from text XML 1.0 cannot carry: U+FFFF, U+FFFE, a surrogate, a
 * truncated sequence, a control byte. Each becomes one '?', valid UTF-8
 * stays, and libxml2 parses the file back without recovering from anything.
 */
static void test_junit_only_xml_characters(void **state)
{
	struct cl_junit_case c = {
		.id = "a", .kernel = "6.1.0-56-amd64", .title = "t\xef\xbf\xbe" "!",
		.excerpt = "1\xef\xbf\xbf" "2\xed\xa0\x80" "3\xc3" "4\x01"
			   "5\xc3\xa9\xf0\x9f\x98\x80\t.\r\n",
		.verdict = CL_V_CRASH,
	};
	char *p = cl_test_tmpfile(""), *xml = NULL;
	xmlDocPtr doc;
	size_t len;

	(void)state;
	assert_int_equal(cl_junit_write(p, "s", "c", NULL, 0, &c, 1), 0);
	assert_int_equal(cl_read_file(&xml, &len, p, 1 << 20), 0);
	doc = xmlReadMemory(xml, (int)len, "junit.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	assert_contains(xml, "message=\"t?!\"");
	assert_contains(xml, ">1?2?3?4?5\xc3\xa9\xf0\x9f\x98\x80\t.");
	free(xml);
	unlink(p);
	free(p);
}

static void test_groups(void **state)
{
	struct cl_report r;
	struct cl_report_cell cells[4];
	int g[4];
	char *s;

	(void)state;
	make_report(&r, cells, (enum cl_verdict[]){ CL_V_CRASH, CL_V_CRASH, CL_V_PASS, CL_V_CRASH });
	snprintf(cells[0].title, sizeof(cells[0].title), "BUG: unable to handle page fault in f");
	snprintf(cells[1].title, sizeof(cells[1].title), "BUG: unable to handle page fault in f");
	snprintf(cells[3].title, sizeof(cells[3].title), "BUG: unable to handle page fault in f");
	assert_int_equal(cl_report_groups(&r, g), 1);
	assert_int_equal(g[0], 0);
	assert_int_equal(g[2], -1);
	assert_int_equal(g[3], 0);
	s = cl_report_summary(&r);
	assert_string_equal(s, "1 distinct crash on 3 of 4 cells");
	free(s);
	snprintf(cells[3].title, sizeof(cells[3].title), "kernel BUG in g");
	cells[2].verdict = CL_V_HANG;
	assert_int_equal(cl_report_groups(&r, g), 3);
	s = cl_report_summary(&r);
	assert_string_equal(s, "3 distinct failures on 4 of 4 cells (2 crash, 1 hang)");
	free(s);
	/* cells a failed ring left not run are counted apart, never as a failure of their own */
	cells[2].verdict = CL_V_NOT_RUN;
	cells[3].verdict = CL_V_NOT_RUN;
	assert_int_equal(cl_report_groups(&r, g), 1);
	s = cl_report_summary(&r);
	assert_string_equal(s, "1 distinct crash on 2 of 4 cells; 2 not run");
	free(s);
	assert_string_equal(cl_report_verdict(&r), "fail");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overall_verdict),
		cmocka_unit_test(test_json_and_hostile_junit),
		cmocka_unit_test(test_junit_only_xml_characters),
		cmocka_unit_test(test_groups),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
