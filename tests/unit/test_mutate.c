/*
 * Mutants of content files: the same on every run, never the original,
 * the structure's mutants refused by the sensor's own (bounds-checked)
 * parser, the 21st-field case among them.
 */
#include "cl_test.h"
#include "cl_content.h"
#include "cl_mutants.h"
#include "cl_util.h"

static unsigned char *good(size_t *len)
{
	char *data = NULL;

	assert_int_equal(cl_read_file(&data, len, "sensor/content/channel-291-good.bin", 1 << 20), 0);
	return (unsigned char *)data;
}

static const struct cl_mutant *find(const struct cl_mutants *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].name, name))
			return &s->m[i];
	return NULL;
}

static void test_same_every_run(void **state)
{
	struct cl_mutants a, b;
	size_t len;
	unsigned char *d = good(&len);

	(void)state;
	assert_true(cl_mutants_derive(&a, d, len, CL_MUTANT_SEED) > 30);
	assert_int_equal(cl_mutants_derive(&b, d, len, CL_MUTANT_SEED), a.n);
	for (int i = 0; i < a.n; i++) {
		assert_string_equal(a.m[i].name, b.m[i].name);
		assert_int_equal(a.m[i].len, b.m[i].len);
		assert_memory_equal(a.m[i].data, b.m[i].data, a.m[i].len ? a.m[i].len : 1);
	}
	/* the fixed order starts with the cheapest and the 21st-field case */
	assert_string_equal(a.m[0].name, "empty");
	assert_string_equal(a.m[1].name, "zeros");
	assert_string_equal(a.m[2].name, "field-past-inputs");
	cl_mutants_clear(&b);
	/* another seed draws other bit flips */
	cl_mutants_derive(&b, d, len, CL_MUTANT_SEED + 1);
	int other = 0;

	for (int i = 0; i < a.n; i++)
		other += !strncmp(a.m[i].name, "bitflip-", 8) && !find(&b, a.m[i].name);
	assert_true(other > 0);
	cl_mutants_clear(&a);
	cl_mutants_clear(&b);
	free(d);
}

static void test_unique_and_never_the_original(void **state)
{
	struct cl_mutants s;
	size_t len;
	unsigned char *d = good(&len);

	(void)state;
	cl_mutants_derive(&s, d, len, CL_MUTANT_SEED);
	for (int i = 0; i < s.n; i++) {
		const char *p;

		assert_false(s.m[i].len == len && !memcmp(s.m[i].data, d, len));
		assert_true(s.m[i].what[0] != '\0');
		for (p = s.m[i].name; *p; p++)
			assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789-", *p));
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(s.m[i].name, s.m[j].name);
			assert_false(s.m[i].len == s.m[j].len &&
				     !memcmp(s.m[i].data, s.m[j].data, s.m[i].len));
		}
	}
	cl_mutants_clear(&s);
	free(d);
}

/* Every mutant of the structure is one the shipped parser must refuse. */
static void test_structure_mutants_refused(void **state)
{
	struct cl_mutants s;
	struct cl_content c;
	const char *why = NULL;
	size_t len;
	unsigned char *d = good(&len);
	int structural = 0;

	(void)state;
	assert_int_equal(cl_content_parse(&c, d, (u32)len, &why), 0);
	cl_mutants_derive(&s, d, len, CL_MUTANT_SEED);
	for (int i = 0; i < s.n; i++) {
		if (!strncmp(s.m[i].name, "bitflip-", 8) || !strcmp(s.m[i].name, "random"))
			continue;
		structural++;
		why = NULL;
		if (cl_content_parse(&c, s.m[i].data, (u32)s.m[i].len, &why) == 0)
			fail_msg("mutant %s was accepted", s.m[i].name);
		assert_non_null(why);
	}
	assert_true(structural >= 25);
	cl_mutants_clear(&s);
	free(d);
}

static void test_field_past_inputs(void **state)
{
	struct cl_mutants s;
	struct cl_content c;
	const char *why = NULL;
	const struct cl_mutant *m;
	size_t len;
	unsigned char *d = good(&len);

	(void)state;
	cl_mutants_derive(&s, d, len, CL_MUTANT_SEED);
	m = find(&s, "field-past-inputs");
	assert_non_null(m);
	assert_int_equal(m->len, len);
	assert_int_equal(m->data[6], CL_INPUT_FIELDS + 1);            /* 21 template fields */
	assert_int_equal(m->data[CL_HEADER_LEN + CL_INSTANCE_LEN], CL_INPUT_FIELDS); /* index 20 */
	assert_int_not_equal(m->data[CL_HEADER_LEN + CL_INSTANCE_LEN + 1], CL_OP_ANY);
	assert_int_not_equal(cl_content_parse(&c, m->data, (u32)m->len, &why), 0);
	assert_string_equal(why, "template type has more fields than the sensor supplies");
	assert_contains(m->what, "field 21");
	/* cut before each of the 4 instances and 9 criteria of the published file */
	assert_non_null(find(&s, "truncated-instance-4"));
	assert_non_null(find(&s, "truncated-criterion-3-3"));
	assert_null(find(&s, "truncated-instance-5"));
	cl_mutants_clear(&s);
	free(d);
}

/* A format crashlab does not know still gets the generic mutants. */
static void test_unknown_format(void **state)
{
	static const unsigned char text[] = "rule fifo msagent_* alert\nrule unix postex_* count\n";
	struct cl_mutants s;

	(void)state;
	assert_null(cl_mutants_format_of(text, sizeof(text) - 1));
	assert_ptr_equal(cl_mutants_format_of((const unsigned char *)"CLCF0123456789abcdef0123",
					      24), &cl_format_clcf);
	cl_mutants_derive(&s, text, sizeof(text) - 1, CL_MUTANT_SEED);
	assert_non_null(find(&s, "empty"));
	assert_non_null(find(&s, "zeros"));
	assert_non_null(find(&s, "random"));
	assert_non_null(find(&s, "truncated-half"));
	assert_null(find(&s, "field-past-inputs"));
	assert_true(s.n >= 10 && s.n <= CL_MAX_MUTANTS);
	cl_mutants_clear(&s);
	/* one byte: nothing to cut or flip but the byte itself */
	assert_int_equal(cl_mutants_derive(&s, text, 1, CL_MUTANT_SEED), 2);
	cl_mutants_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_every_run),
		cmocka_unit_test(test_unique_and_never_the_original),
		cmocka_unit_test(test_structure_mutants_refused),
		cmocka_unit_test(test_field_past_inputs),
		cmocka_unit_test(test_unknown_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
