/* Remediation files: the shipped one, and every way to be wrong refused with the file named. */
#include "cl_test.h"
#include "cl_remediation.h"
#include "cl_util.h"

static void test_shipped(void **state)
{
	struct cl_remediation *rm;

	(void)state;
	assert_int_equal(cl_remediation_load(&rm, "sensor/remediation-cf291.json"), 0);
	assert_int_equal(rm->nsteps, 1);
	assert_int_equal(rm->steps[0].op, CL_REMEDY_DELETE);
	assert_string_equal(rm->steps[0].arg, "/var/lib/crashlab/channels/C-00000291*.sys");
	cl_remediation_free(rm);
}

static void expect_error(const char *json, const char *needle)
{
	struct cl_remediation *rm = NULL;
	char *p = cl_test_tmpfile(json);

	assert_int_equal(cl_remediation_load(&rm, p), CL_EINPUT);
	assert_null(rm);
	assert_contains(cl_err(), needle);
	assert_contains(cl_err(), p);
	assert_null(strchr(cl_err(), '\n'));
	unlink(p);
	free(p);
}

static void test_refusals(void **state)
{
	struct cl_remediation *rm;
	char *p;

	(void)state;
	expect_error("{\"steps\": []}", "1 to 16 steps");
	expect_error("{\"steps\": [{\"op\": \"delete\", \"glob\": \"relative/*\"}]}", "ABSOLUTE-GLOB");
	expect_error("{\"steps\": [{\"op\": \"delete\", \"glob\": \"/var/../etc/*\"}]}", "ABSOLUTE-GLOB");
	expect_error("{\"steps\": [{\"op\": \"delete\", \"glob\": \"/a;rm\"}]}", "ABSOLUTE-GLOB");
	expect_error("{\"steps\": [{\"op\": \"write\", \"path\": \"/etc/x\"}]}", "\"text\"");
	expect_error("{\"steps\": [{\"op\": \"disable\", \"unit\": \"a b\"}]}", "\"disable\"");
	expect_error("{\"steps\": [{\"op\": \"format\", \"path\": \"/\"}]}", "want");
	expect_error("{\"steps\": [{\"op\": \"delete\", \"glob\": \"/x\", \"text\": \"y\"}]}", "want");
	expect_error("{\"steps\": [], \"oops\": 1}", "unknown key \"oops\"");
	expect_error("{\"steps\": [\n}", ":2:");
	/* all three kinds parse */
	p = cl_test_tmpfile("{\"name\": \"n\", \"steps\": [{\"op\": \"delete\", \"glob\": \"/a/b*.sys\"}, "
			    "{\"op\": \"write\", \"path\": \"/etc/a\", \"text\": \"1\\n\"}, "
			    "{\"op\": \"disable\", \"unit\": \"clsensor-loader.service\"}]}");
	assert_int_equal(cl_remediation_load(&rm, p), 0);
	assert_int_equal(rm->nsteps, 3);
	assert_int_equal(rm->steps[1].op, CL_REMEDY_WRITE);
	assert_string_equal(rm->steps[1].text, "1\n");
	assert_int_equal(rm->steps[2].op, CL_REMEDY_DISABLE);
	cl_remediation_free(rm);
	unlink(p);
	free(p);
}

/* A unit to disable is a file name in the guest: "." and ".." are none. */
static void test_dot_units_refused(void **state)
{
	(void)state;
	expect_error("{\"steps\": [{\"op\": \"disable\", \"unit\": \"..\"}]}", "\"disable\"");
	expect_error("{\"steps\": [{\"op\": \"disable\", \"unit\": \".\"}]}", "\"disable\"");
	expect_error("{\"steps\": [{\"op\": \"disable\", \"unit\": \"a/b.service\"}]}",
		     "\"disable\"");
}

/* A key no table lists is refused with the path of its object; a wrong type names the key. */
static void test_keys_named_with_their_path(void **state)
{
	(void)state;
	expect_error("{\"steps\": [{\"op\": \"delete\", \"glob\": \"/a*\"}, {\"op\": \"delete\", "
		     "\"globs\": \"/b*\"}]}", ": steps[1]: unknown key \"globs\"");
	expect_error("{\"steps\": [{\"op\": \"write\", \"path\": \"/etc/a\", \"text\": 1}]}",
		     ": steps[0]: \"text\" must be a non-empty string");
	expect_error("{\"steps\": [{\"op\": \"write\", \"path\": \"/etc/a\", \"text\": \"\"}]}",
		     ": steps[0]: \"text\" must be a non-empty string");
	expect_error("{\"steps\": [{\"glob\": \"/a*\"}]}", ": steps[0]: missing \"op\"");
	expect_error("{\"steps\": [\"delete /a\"]}", ": steps[0] must be an object");
	expect_error("{\"steps\": {}}", ": remediation: \"steps\" must be an array");
	expect_error("{\"name\": 3, \"steps\": []}", ": remediation: \"name\" must be a non-empty string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_dot_units_refused),
		cmocka_unit_test(test_keys_named_with_their_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
