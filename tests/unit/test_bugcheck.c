/*
 * Windows bugchecks from recorded GUEST_PANICKED events (tests/data/bugcheck/:
 * each file holds the event as QEMU emits it and the expected answer). No
 * Windows guest runs on crashlab's machines, so these recordings stand in
 * for the one failure crashlab cannot cause here.
 */
#include "cl_test.h"
#include "cl_bugcheck.h"
#include "cl_util.h"

#include <jansson.h>

#define DATA "tests/data/bugcheck"

static void run_case(const char *name)
{
	char *path = cl_path_join(DATA, name), *event;
	json_t *root = json_load_file(path, 0, NULL), *expect;
	struct cl_bugcheck b;
	int rc, i;

	assert_non_null(root);
	expect = json_object_get(root, "expect");
	event = json_dumps(json_object_get(root, "event"), 0);
	rc = cl_bugcheck_from_qmp(&b, event);
	if (json_is_null(expect)) {
		assert_int_equal(rc, -1);
	} else {
		if (rc != 0)
			fail_msg("%s: not decoded", name);
		assert_string_equal(b.title, json_string_value(json_object_get(expect, "title")));
		for (i = 0; i < 4; i++) {
			char hex[32];

			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)b.params[i]);
			assert_string_equal(hex, json_string_value(json_array_get(
							 json_object_get(expect, "params"), (size_t)i)));
		}
	}
	free(event);
	json_decref(root);
	free(path);
}

static void test_recorded_events(void **state)
{
	int n = cl_test_each_file(DATA, ".json", run_case);

	(void)state;
	assert_true(n >= 5);
}

static void test_hostile_details(void **state)
{
	struct cl_bugcheck b;

	(void)state;
	assert_int_equal(cl_bugcheck_from_qmp(&b, NULL), -1);
	assert_int_equal(cl_bugcheck_from_qmp(&b, ""), -1);
	assert_int_equal(cl_bugcheck_from_qmp(&b, "{\"info\": {\"type\": \"hyper-v\"}}"), -1);
	assert_int_equal(cl_bugcheck_from_qmp(&b, "[1,2,3]"), -1);
	assert_int_equal(cl_bugcheck_from_qmp(&b, "{\"info\": {\"type\": \"hyper-v\", \"arg1\": 80, "
						  "\"arg2\": 1, \"arg3\": 2, \"arg4\": 3, \"arg5\": 4}}"), 0);
	assert_string_equal(b.title, "PAGE_FAULT_IN_NONPAGED_AREA (0x50)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_events),
		cmocka_unit_test(test_hostile_details),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
