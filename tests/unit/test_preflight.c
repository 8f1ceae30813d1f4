/* Pre-flight steps: parsed from the manifest, refused when wrong, run for real on the host. */
#include "cl_test.h"
#include "cl_candidate.h"
#include "cl_preflight_run.h"
#include "cl_report.h"
#include "cl_util.h"

#include <sys/stat.h>

#define HEAD "{\"name\": \"pf-test\", \"version\": \"1\", \"module\": {\"name\": \"clsensor\", " \
	     "\"source\": \"kmod\", \"make_vars\": {\"BOUNDS_CHECK\": \"1\"}}, \"evidence\": " \
	     "{\"status_file\": \"/proc/clsensor\", \"counters\": [\"matches\"]}, "
#define CONTENT "\"content\": [{\"name\": \"c\", \"file\": \"content/channel-291-good.bin\", " \
		"\"sha256\": \"4cc6ccfbe406cfa5fb881c0f9ba9ef58714032fc956cfaf050cfff82d0ac0b01\", " \
		"\"install_path\": \"/x\"}]"

/* Load @body as a manifest in sensor/ (relative paths resolve there); its rc. */
static int load(struct cl_candidate **c, const char *body)
{
	char *path = cl_test_manifest("preflight", body);
	int rc = cl_candidate_load(c, path);

	unlink(path);
	free(path);
	return rc;
}

static void expect_error(const char *body, const char *needle)
{
	struct cl_candidate *c = NULL;

	assert_int_equal(load(&c, body), CL_EINPUT);
	assert_null(c);
	assert_contains(cl_err(), needle);
	assert_contains(cl_err(), "sensor/.test-preflight-");
}

static void test_shipped(void **state)
{
	struct cl_candidate *c;

	(void)state;
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate.json"), 0);
	assert_int_equal(c->npreflight, 2);
	assert_string_equal(c->preflight[0].name, "content-validator");
	assert_string_equal(c->preflight[1].name, "content-parser-fuzz");
	assert_true(c->preflight[1].per_content);
	assert_int_equal(c->preflight[1].timeout_s, 600);
	cl_candidate_free(c);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate-cf291.json"), 0);
	assert_int_equal(c->npreflight, 1); /* the July 2024 validator, no fuzzing */
	cl_candidate_free(c);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate-live-update.json"), 0);
	assert_int_equal(c->npreflight, 0);
	cl_candidate_free(c);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": []}]}", "1 to 24 words");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": [\"{content}\"]}]}",
		     "not a placeholder");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a b\", \"run\": [\"true\"]}]}",
		     "plain name");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": [\"true\"]}, "
		     "{\"name\": \"a\", \"run\": [\"true\"]}]}", "used twice");
	expect_error(HEAD "\"content\": [], \"preflight\": [{\"name\": \"a\", \"run\": [\"v\", "
		     "\"{content}\"]}]}", "no content files");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": [\"true\"], "
		     "\"timeout_s\": 0}]}", "timeout_s");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": [\"true\", 3]}]}",
		     "run[1]");
	expect_error(HEAD CONTENT ", \"preflight\": {\"name\": \"a\"}}", "preflight");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"cmd\": [\"true\"]}]}",
		     "unknown key \"cmd\"");
}

/* A key no table lists is refused with the path of its step; a wrong type names the key. */
static void test_keys_named_with_their_path(void **state)
{
	(void)state;
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": [\"true\"]}, "
		     "{\"name\": \"b\", \"run\": [\"true\"], \"timeout\": 5}]}",
		     ": preflight[1]: unknown key \"timeout\"");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": [\"true\"], "
		     "\"timeout_s\": \"60\"}]}", ": preflight[0]: \"timeout_s\" must be an integer");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"name\": \"a\", \"run\": \"true\"}]}",
		     ": preflight[0]: \"run\" must be an array");
	expect_error(HEAD CONTENT ", \"preflight\": [{\"run\": [\"true\"]}]}",
		     ": preflight[0]: missing \"name\"");
	expect_error(HEAD CONTENT ", \"preflight\": [\"true\"]}", ": preflight[0] must be an object");
}

/* Every outcome a step can have, from real commands. */
static void test_run(void **state)
{
	static struct cl_preflight_result res[CL_MAX_PREFLIGHT_RESULTS];
	char out[] = "/tmp/crashlab-pf-XXXXXX", *found;
	struct cl_candidate *c;
	int n;

	(void)state;
	assert_non_null(mkdtemp(out));
	assert_int_equal(load(&c, HEAD CONTENT ", \"preflight\": ["
		"{\"name\": \"env\", \"run\": [\"sh\", \"-c\", \"test -e candidate.json && "
		"test \\\"$BOUNDS_CHECK\\\" = 1 && cmp -s \\\"$0\\\" content/channel-291-good.bin && "
		"echo checked $0\", \"{content}\"]},"
		"{\"name\": \"refuses\", \"run\": [\"sh\", \"-c\", \"echo first; echo bad header; exit 3\"]},"
		"{\"name\": \"missing\", \"run\": [\"./no-such-validator\"]},"
		"{\"name\": \"slow\", \"run\": [\"sleep\", \"30\"], \"timeout_s\": 1},"
		"{\"name\": \"writes\", \"run\": [\"sh\", \"-c\", \"echo x > \\\"$0/found\\\"\", \"{out}\"]}"
		"]}"), 0);
	n = cl_preflight_run(c, out, res);
	assert_int_equal(n, 5);
	assert_int_equal(res[0].status, CL_PF_PASS);
	assert_string_equal(res[0].content, "c");
	assert_contains(res[0].detail, "checked /");
	assert_string_equal(res[0].log, "preflight/env/c.log");
	assert_int_equal(res[1].status, CL_PF_FAIL);
	assert_int_equal(res[1].exit_code, 3);
	assert_string_equal(res[1].detail, "bad header");
	assert_null(res[1].content);
	assert_int_equal(res[2].status, CL_PF_ERROR);
	assert_contains(res[2].detail, "could not be started");
	assert_int_equal(res[3].status, CL_PF_ERROR);
	assert_int_equal(res[3].exit_code, -1);
	assert_contains(res[3].detail, "no result after 1 s");
	assert_true(res[3].seconds < 10);
	assert_int_equal(res[4].status, CL_PF_PASS);
	found = cl_sprintf("%s/preflight/writes/found", out);
	assert_true(cl_file_exists(found));
	free(found);
	assert_ptr_equal(cl_preflight_first_bad(res, n), &res[1]);
	assert_null(cl_preflight_first_bad(res, 1));
	cl_candidate_free(c);
	cl_rm_rf(out);
}

/* A step that failed fails the report even when every cell passed; one that could not run is an error. */
static void test_verdict(void **state)
{
	struct cl_report_cell cell = { .verdict = CL_V_PASS };
	struct cl_preflight_result pf[2] = { { .status = CL_PF_PASS }, { .status = CL_PF_PASS } };
	struct cl_report r = { .cells = &cell, .ncells = 1, .preflight = pf, .npreflight = 2 };

	(void)state;
	assert_string_equal(cl_report_verdict(&r), "pass");
	pf[1].status = CL_PF_ERROR;
	assert_string_equal(cl_report_verdict(&r), "error");
	pf[0].status = CL_PF_FAIL;
	assert_string_equal(cl_report_verdict(&r), "fail");
	assert_int_equal(cl_report_exit_code(&r), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_keys_named_with_their_path),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
