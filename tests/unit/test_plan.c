/*
 * Planning: rings and fleet shares in the matrix, the order a run takes the
 * cells, shards that partition the matrix, and the merge of shard reports
 * refusing what does not belong together.
 */
#include "cl_test.h"
#include "cl_matrix.h"
#include "cl_merge.h"
#include "cl_plan.h"
#include "cl_util.h"

#include <sys/stat.h>

static char *write_tmp(const char *text)
{
	char path[] = "/tmp/crashlab-test-plan-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return cl_xstrdup(path);
}

/* The shipped whole-Debian-12 matrix: 3 flavours of every ABI, a canary ring first. */
static void test_debian12_matrix(void **state)
{
	struct cl_matrix *m;
	struct cl_plan p = { 0 };
	int i, canary = 0, flavours[3] = { 0 };

	(void)state;
	assert_int_equal(cl_matrix_load(&m, "matrix/debian12.json"), 0);
	assert_int_equal(m->nrings, 2);
	assert_string_equal(m->rings[0], "canary");
	assert_true(m->ncells >= 30);
	for (i = 0; i < m->ncells; i++) {
		canary += m->cells[i].ring == 0;
		flavours[!strcmp(m->cells[i].flavor, "cloud-amd64") ? 1
			 : !strcmp(m->cells[i].flavor, "rt-amd64") ? 2 : 0]++;
		assert_true(m->cells[i].fleet_share > 0);
	}
	assert_int_equal(canary, 4);
	assert_int_equal(flavours[0], flavours[1]);
	assert_int_equal(flavours[1], flavours[2]);
	p.matrix = m;
	assert_int_equal(cl_plan_select(&p), 0);
	assert_int_equal(p.ncells, m->ncells);
	for (i = 0; i < 4; i++)
		assert_int_equal(p.cells[i]->ring, 0); /* the canary ring runs first */
	assert_int_equal(p.cells[4]->ring, 1);
	cl_plan_clear(&p);
	cl_matrix_free(m);
}

/* Shards K/N partition the matrix: every cell in exactly one shard. */
static void test_shards_partition(void **state)
{
	struct cl_matrix *m;
	int seen[256] = { 0 }, n = 4, k, i, total = 0;

	(void)state;
	assert_int_equal(cl_matrix_load(&m, "matrix/debian12.json"), 0);
	for (k = 1; k <= n; k++) {
		struct cl_plan p = { .matrix = m, .shard = k, .nshards = n };

		assert_int_equal(cl_plan_select(&p), 0);
		assert_true(p.ncells >= m->ncells / n && p.ncells <= m->ncells / n + 1);
		for (i = 0; i < p.ncells; i++)
			seen[p.cells[i]->index]++;
		total += p.ncells;
		cl_plan_clear(&p);
	}
	assert_int_equal(total, m->ncells);
	for (i = 0; i < m->ncells; i++)
		assert_int_equal(seen[i], 1);
	cl_matrix_free(m);
}

static void test_shard_syntax(void **state)
{
	int k, n;

	(void)state;
	assert_int_equal(cl_plan_parse_shard("2/3", &k, &n), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 3);
	assert_int_equal(cl_plan_parse_shard("0/3", &k, &n), CL_EINPUT);
	assert_int_equal(cl_plan_parse_shard("4/3", &k, &n), CL_EINPUT);
	assert_int_equal(cl_plan_parse_shard("1/", &k, &n), CL_EINPUT);
	assert_int_equal(cl_plan_parse_shard("x", &k, &n), CL_EINPUT);
	assert_contains(cl_err(), "--shard");
}

static void test_bad_rings(void **state)
{
	static const struct { const char *json, *says; } bad[] = {
		{ "{\"rings\":[\"a\"],\"cells\":[{\"kernel\":\"6.1.0-56-amd64\",\"ring\":\"b\"}]}",
		  "ring \"b\" is not one of" },
		{ "{\"rings\":[\"a\",\"a\"],\"cells\":[{\"kernel\":\"6.1.0-56-amd64\"}]}", "twice" },
		{ "{\"rings\":[],\"cells\":[{\"kernel\":\"6.1.0-56-amd64\"}]}", "1 to 8" },
		{ "{\"cells\":[{\"kernel\":\"6.1.0-56-amd64\",\"fleet_share\":-1}]}", "fleet_share" },
		{ "{\"cells\":[{\"kernel\":\"6.1.0-56-amd64\",\"fleet_share\":\"x\"}]}", "fleet_share" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = write_tmp(bad[i].json);
		struct cl_matrix *m = NULL;

		assert_int_equal(cl_matrix_load(&m, p), CL_EINPUT);
		assert_contains(cl_err(), p);
		assert_contains(cl_err(), bad[i].says);
		unlink(p);
		free(p);
	}
}

/* A shard directory with a report.json of shard K/N for candidate @version. */
static char *shard_dir(int k, int n, const char *version, const char *digest)
{
	char tmpl[] = "/tmp/crashlab-test-shard-XXXXXX";
	char *dir = cl_xstrdup(mkdtemp(tmpl)), *path = cl_path_join(dir, "report.json");
	char *text = cl_sprintf(
		"{\"verdict\":\"pass\",\"candidate\":{\"name\":\"s\",\"version\":\"%s\",\"artifacts\":"
		"[{\"kind\":\"content\",\"name\":\"c\",\"sha256\":\"%s\"}]},"
		"\"matrix\":{\"name\":\"m\"},\"scenario\":{\"name\":\"x\"},"
		"\"shard\":{\"index\":%d,\"count\":%d},\"cells\":[{\"id\":\"c%d\",\"kernel_release\":"
		"\"6.1.0-56-amd64\",\"verdict\":\"%s\",\"title\":\"t\",\"matrix_index\":%d,"
		"\"fleet_share\":1.0,\"duration_s\":1.0}]}",
		version, digest, k, n, k, k == 2 ? "crash" : "pass", k);

	assert_int_equal(cl_write_file(path, text, strlen(text)), 0);
	free(text);
	free(path);
	return dir;
}

static void test_merge_refusals_and_totals(void **state)
{
	char *a = shard_dir(1, 2, "1.0", "aa"), *b = shard_dir(2, 2, "1.0", "aa");
	char *other = shard_dir(2, 2, "1.0", "bb"), *dup = shard_dir(1, 2, "1.0", "aa");
	char out[] = "/tmp/crashlab-test-merged-XXXXXX";
	const char *missing[] = { a }, *foreign[] = { a, other }, *twice[] = { a, dup };
	const char *good[] = { b, a };
	char *report = NULL, *rp;

	(void)state;
	assert_non_null(mkdtemp(out));
	assert_int_equal(cl_merge(missing, 1, out), CL_EINPUT);
	assert_contains(cl_err(), "shards missing");
	assert_int_equal(cl_merge(foreign, 2, out), CL_EINPUT);
	assert_contains(cl_err(), "another candidate");
	assert_int_equal(cl_merge(twice, 2, out), CL_EINPUT);
	assert_contains(cl_err(), "given twice");
	assert_int_equal(cl_merge(good, 2, out), 0);
	assert_int_equal(cl_merge_exit_code(out), 1); /* shard 2's crash fails the whole run */
	rp = cl_path_join(out, "report.json");
	assert_int_equal(cl_read_file(&report, NULL, rp, 1 << 20), 0);
	assert_true(strstr(report, "\"c1\"") < strstr(report, "\"c2\"")); /* matrix order */
	assert_contains(report, "\"failing_percent\": 50.0");
	free(report);
	free(rp);
	cl_rm_rf(out);
	cl_rm_rf(a);
	cl_rm_rf(b);
	cl_rm_rf(other);
	cl_rm_rf(dup);
	free(a);
	free(b);
	free(other);
	free(dup);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian12_matrix),
		cmocka_unit_test(test_shards_partition),
		cmocka_unit_test(test_shard_syntax),
		cmocka_unit_test(test_bad_rings),
		cmocka_unit_test(test_merge_refusals_and_totals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
