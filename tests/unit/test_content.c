/*
 * The sensor's content parser and interpreter, compiled for user space from
 * the same source as the kernel module (bounds check on, as shipped), and
 * the content compiler's output for the published definitions.
 */
#include "cl_test.h"
#include "cl_content.h"
#include "cl_util.h"

static const u8 *P(const char *s) { return (const u8 *)s; }

static void test_match_ops(void **state)
{
	(void)state;
	assert_true(cl_match(CL_OP_ANY, NULL, NULL, 0));
	assert_true(cl_match(CL_OP_EQ, "abc", P("abc"), 3));
	assert_false(cl_match(CL_OP_EQ, "abcd", P("abc"), 3));
	assert_true(cl_match(CL_OP_PREFIX, "msagent_12", P("msagent_"), 8));
	assert_false(cl_match(CL_OP_PREFIX, "msa", P("msagent_"), 8));
	assert_true(cl_match(CL_OP_SUFFIX, "x.sock", P(".sock"), 5));
	assert_false(cl_match(CL_OP_SUFFIX, "sock", P(".sock"), 5));
	assert_true(cl_match(CL_OP_CONTAINS, "/run/ipc/a", P("/ipc/"), 5));
	assert_false(cl_match(CL_OP_CONTAINS, "/run/ip", P("/ipc/"), 5));
	assert_false(cl_match(CL_OP_EQ, NULL, P("a"), 1));
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(cl_glob("MSSE-3-server", P("MSSE-*-server"), 13));
	assert_false(cl_glob("MSSE-3-client", P("MSSE-*-server"), 13));
	assert_true(cl_glob("", P("*"), 1));
	assert_true(cl_glob("abc", P("a?c"), 3));
	assert_false(cl_glob("ac", P("a?c"), 3));
	assert_true(cl_glob("aaaaaaaaaaaaaaaaaaaaaaaab", P("*a*a*a*a*b"), 10));
	assert_false(cl_glob("aaaaaaaaaaaaaaaaaaaaaaaaa", P("*a*a*a*a*b"), 10));
	assert_true(cl_glob("x", P("x**"), 3));
}

static u8 *load(const char *path, u32 *len)
{
	char *data;
	size_t n;

	assert_int_equal(cl_read_file(&data, &n, path, 1 << 20), 0);
	*len = (u32)n;
	return (u8 *)data;
}

static void test_published_content(void **state)
{
	struct cl_content c;
	const char *why;
	const char *inputs[CL_INPUT_FIELDS] = { 0 };
	struct cl_eval_result res;
	u32 len;
	u8 *good = load("sensor/content/channel-291-good.bin", &len);
	u8 *bad;
	int i;

	(void)state;
	assert_int_equal(cl_content_parse(&c, good, len, &why), 0);
	assert_int_equal(c.channel, 291);
	assert_int_equal(c.ninstances, 4);
	for (i = 0; i < CL_INPUT_FIELDS; i++)
		inputs[i] = "";
	inputs[CL_F_EVENT] = "fifo_create";
	inputs[CL_F_NAME] = "msagent_3";
	cl_interp_eval(&c, inputs, &res, NULL);
	assert_int_equal(res.matched, 1);
	assert_int_equal(res.first_match_id, 1);
	assert_int_equal(res.first_match_action, CL_ACTION_ALERT);
	inputs[CL_F_NAME] = "innocent";
	cl_interp_eval(&c, inputs, &res, NULL);
	assert_int_equal(res.matched, 0);
	inputs[CL_F_EVENT] = "unix_connect";
	inputs[CL_F_NAME] = "postex_1.sock";
	inputs[CL_F_PATH] = "/run/ipc/postex_1.sock";
	cl_interp_eval(&c, inputs, &res, NULL);
	assert_int_equal(res.matched, 2); /* instance 3 and the glob in instance 4 */
	free(good);

	/* the CF291 content: a 21-field template; a bounds-checked sensor refuses it */
	bad = load("sensor/content/channel-291-cf.bin", &len);
	assert_int_not_equal(cl_content_parse(&c, bad, len, &why), 0);
	assert_contains(why, "more fields than the sensor supplies");
	free(bad);
}

static void test_malformed(void **state)
{
	struct cl_content c;
	const char *why;
	u32 len, i;
	u8 *good = load("sensor/content/channel-291-good.bin", &len);
	u8 *copy = malloc(len + 1);

	(void)state;
	/* every truncation is refused, never read past */
	for (i = 0; i < len; i++) {
		memcpy(copy, good, i);
		copy[20] = (u8)i; /* keep the length field consistent with the cut */
		copy[21] = copy[22] = copy[23] = 0;
		assert_int_not_equal(cl_content_parse(&c, copy, i, &why), 0);
	}
	memcpy(copy, good, len);
	copy[0] = 'X';
	assert_int_not_equal(cl_content_parse(&c, copy, len, &why), 0);
	assert_contains(why, "magic");
	memcpy(copy, good, len);
	copy[CL_HEADER_LEN + CL_INSTANCE_LEN + 1] = CL_OP_LAST; /* first criterion's op */
	assert_int_not_equal(cl_content_parse(&c, copy, len, &why), 0);
	assert_contains(why, "operator");
	memcpy(copy, good, len);
	copy[CL_HEADER_LEN + CL_INSTANCE_LEN] = 25; /* first criterion's field */
	assert_int_not_equal(cl_content_parse(&c, copy, len, &why), 0);
	memcpy(copy, good, len);
	copy[len] = 0;
	copy[20] = (u8)(len + 1);
	assert_int_not_equal(cl_content_parse(&c, copy, len + 1, &why), 0);
	assert_contains(why, "trailing");
	free(copy);
	free(good);
}

/* The committed artifacts are exactly what the compiler makes of their definitions. */
static void test_compiler_reproduces_artifacts(void **state)
{
	const char *names[] = { "channel-291-good", "channel-291-cf" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char *cmd = cl_sprintf("build/clcc sensor/content/%s.json /tmp/crashlab-clcc-%d.bin && "
				       "cmp -s /tmp/crashlab-clcc-%d.bin sensor/content/%s.bin",
				       names[i], (int)getpid(), (int)getpid(), names[i]);

		assert_int_equal(system(cmd), 0);
		free(cmd);
		cmd = cl_sprintf("/tmp/crashlab-clcc-%d.bin", (int)getpid());
		unlink(cmd);
		free(cmd);
	}
	/* --sensor-fields refuses the 21-field template */
	assert_int_not_equal(system("build/clcc --sensor-fields sensor/content/channel-291-cf.json "
				    "/tmp/crashlab-clcc-x.bin 2>/dev/null"), 0);
	unlink("/tmp/crashlab-clcc-x.bin");
}

static void test_compiler_refusals(void **state)
{
	static const char *const bad[] = {
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"instances\": []}",
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"instances\": [{\"id\": 1, \"action\": \"count\", \"criteria\": [{\"field\": \"name\", \"op\": \"regex\", \"value\": \"x\"}]}]}",
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"instances\": [{\"id\": 1, \"action\": \"count\", \"criteria\": [{\"field\": 21, \"op\": \"eq\", \"value\": \"x\"}]}]}",
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"instances\": [{\"id\": 1, \"action\": \"count\", \"criteria\": [{\"field\": \"name\", \"op\": \"eq\", \"value\": \"\"}]}]}",
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"instances\": [{\"id\": 1, \"action\": \"count\", \"criteria\": [{\"field\": \"name\", \"op\": \"eq\", \"value\": \"a\"}]}, {\"id\": 1, \"action\": \"count\", \"criteria\": [{\"field\": \"name\", \"op\": \"any\"}]}]}",
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"instances\": [{\"id\": 1, \"action\": \"explode\", \"criteria\": [{\"field\": \"name\", \"op\": \"any\"}]}]}",
		"{\"channel\": 1, \"version\": 1, \"template_fields\": 20, \"typo\": 1, \"instances\": [{\"id\": 1, \"action\": \"count\", \"criteria\": [{\"field\": \"name\", \"op\": \"any\"}]}]}",
		"{\"channel\": 1,",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = cl_test_tmpfile(bad[i]);
		char *out = cl_sprintf("%s.bin", p);
		char *cmd = cl_sprintf("build/clcc %s %s 2>/dev/null", p, out);
		int rc = system(cmd);

		if (rc == 0)
			fail_msg("clcc accepted definition %zu", i);
		assert_false(cl_file_exists(out)); /* nothing half-written is left */
		unlink(p);
		free(cmd);
		free(out);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_ops),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_published_content),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_compiler_reproduces_artifacts),
		cmocka_unit_test(test_compiler_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
