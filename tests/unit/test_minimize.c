/*
 * crashlab minimize: the search (cl_minimize) over a test whose answer is
 * known, and the reference format's parts, reduction and words on the real
 * published channel files (sensor/content/), the reduced bytes accepted by
 * the sensor's own parser.
 */
#include "cl_test.h"
#include "cl_content.h"
#include "cl_minimize.h"
#include "cl_mutants.h"
#include "cl_util.h"

/* A test that fails while every part in need[] is kept; counts its calls. */
struct oracle {
	int need_inst[4], need_crit[4]; /* pairs: instance, criterion (0-based) */
	int n, calls, stop_at;
};

static int oracle_test(void *ctx, const struct cl_content_keep *k)
{
	struct oracle *o = ctx;

	if (++o->calls == o->stop_at)
		return -1;
	for (int j = 0; j < o->n; j++)
		if (!k->inst[o->need_inst[j]] || !(k->crit[o->need_inst[j]] & (1u << o->need_crit[j])))
			return 0;
	return 1;
}

static struct cl_content_parts cf291_shape(void)
{
	struct cl_content_parts p = { .ninst = 3, .ncrit = { 2, 2, 3 } };

	return p;
}

/* One culprit (instance 3, criterion 3: CF291's): found, alone, in fewer runs than parts. */
static void test_one_culprit(void **state)
{
	struct cl_content_parts p = cf291_shape();
	struct cl_content_keep k;
	struct oracle o = { .need_inst = { 2 }, .need_crit = { 2 }, .n = 1 };
	int crit, runs;

	(void)state;
	cl_keep_all(&k, &p);
	runs = cl_minimize(&k, &p, oracle_test, &o);
	assert_int_equal(runs, o.calls);
	assert_int_equal(cl_keep_count(&k, &p, &crit), 1);
	assert_int_equal(crit, 1);
	assert_true(k.inst[2] && k.crit[2] == 1u << 2);
	assert_true(runs < 3 * 7); /* instances x criteria */
	assert_int_equal(runs, 2);  /* half the instances, then half the criteria, at once */
}

/* Two parts needed together: both kept, nothing else (1-minimal). */
static void test_two_needed(void **state)
{
	struct cl_content_parts p = { .ninst = 40 };
	struct cl_content_keep k;
	struct oracle o = { .need_inst = { 7, 31 }, .need_crit = { 0, 4 }, .n = 2 };
	int crit;

	(void)state;
	for (int i = 0; i < p.ninst; i++)
		p.ncrit[i] = 6;
	cl_keep_all(&k, &p);
	assert_true(cl_minimize(&k, &p, oracle_test, &o) > 0);
	assert_int_equal(cl_keep_count(&k, &p, &crit), 2);
	assert_int_equal(crit, 2);
	assert_true(k.inst[7] && k.inst[31] && k.crit[7] == 1u && k.crit[31] == 1u << 4);
	assert_true(o.calls < 40 + 2 * 6);
}

/* A test that says stop: -1, and what is kept still fails (never more removed than tested). */
static void test_stop(void **state)
{
	struct cl_content_parts p = cf291_shape();
	struct cl_content_keep k;
	struct oracle o = { .need_inst = { 2 }, .need_crit = { 2 }, .n = 1, .stop_at = 2 };

	(void)state;
	cl_keep_all(&k, &p);
	assert_int_equal(cl_minimize(&k, &p, oracle_test, &o), -1);
	o.stop_at = 0;
	assert_int_equal(oracle_test(&o, &k), 1);
	assert_int_equal(k.crit[2], 7u); /* the criteria were never reached */
}

static unsigned char *published(const char *name, size_t *len)
{
	char *data = NULL, *path = cl_sprintf("sensor/content/%s", name);

	assert_int_equal(cl_read_file(&data, len, path, 1 << 20), 0);
	free(path);
	return (unsigned char *)data;
}

/* The good channel file reduced: the sensor's parser takes it, with what was kept. */
static void test_reduce_parses(void **state)
{
	struct cl_content_parts p;
	struct cl_content_keep k;
	struct cl_content c, orig;
	const char *why = NULL;
	size_t len, n;
	unsigned char *d = published("channel-291-good.bin", &len), *out = cl_xmalloc(len);

	(void)state;
	assert_int_equal(cl_format_clcf.parts(&p, d, len), 0);
	assert_int_equal(p.ninst, 4);
	cl_keep_all(&k, &p);
	assert_int_equal(cl_format_clcf.reduce(out, d, len, &k), len);
	assert_memory_equal(out, d, len); /* everything kept: the same bytes */
	k.inst[0] = k.inst[2] = 0;
	k.crit[1] = 1u << (p.ncrit[1] - 1);
	n = cl_format_clcf.reduce(out, d, len, &k);
	assert_true(n < len);
	assert_int_equal(cl_content_parse(&c, out, (u32)n, &why), 0);
	assert_int_equal(c.ninstances, 2);
	assert_int_equal(out[c.offsets[0] + 6], 1);
	assert_int_equal(out[c.offsets[1] + 6], p.ncrit[3]);
	/* the kept ones are the 2nd and the 4th, in order */
	assert_int_equal(cl_content_parse(&orig, d, (u32)len, &why), 0);
	assert_int_equal(cl_content_instance_id(&c, 0), cl_content_instance_id(&orig, 1));
	assert_int_equal(cl_content_instance_id(&c, 1), cl_content_instance_id(&orig, 3));
	/* not this format's: no parts */
	assert_int_equal(cl_format_clcf.parts(&p, (const unsigned char *)"CLCF", 4), -1);
	free(out);
	free(d);
}

/* CF291's culprit in words, as its author wrote it: field 21, 1-based. */
static void test_describe_cf291(void **state)
{
	char buf[200];
	size_t len;
	unsigned char *d = published("channel-291-cf.bin", &len);

	(void)state;
	cl_format_clcf.describe(buf, sizeof(buf), d, len, 2, 2);
	assert_string_equal(buf, "criterion 3 of instance 3: field 21 glob \"*\"");
	cl_format_clcf.describe(buf, sizeof(buf), d, len, 0, 1);
	assert_string_equal(buf, "criterion 2 of instance 1: field 2 (name) prefix \"msagent_\"");
	cl_format_clcf.describe(buf, sizeof(buf), d, len, 2, -1);
	assert_string_equal(buf, "instance 3 (id 3)");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_culprit),     cmocka_unit_test(test_two_needed),
		cmocka_unit_test(test_stop),            cmocka_unit_test(test_reduce_parses),
		cmocka_unit_test(test_describe_cf291),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
