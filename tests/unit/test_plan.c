/*
 * Planning: rings and fleet shares in the matrix, the order a run takes the
 * cells, shards that partition the matrix, the report cells made from the
 * finished runs (cl_outcome), and the merge of shard reports refusing what
 * does not belong together.
 */
#include "cl_test.h"
#include "cl_attest.h"
#include "cl_matrix.h"
#include "cl_merge.h"
#include "cl_outcome.h"
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

/* A prepared kernel as cl_plan_prepare_images leaves it; @built 0: its image failed. */
static void fake_kernel(struct cl_kernel_prep *k, const char *release, int built)
{
	k->release = release;
	if (!built)
		return;
	k->img.vmlinuz = cl_sprintf("/cache/images/%s/vmlinuz", release);
	k->img.disk = cl_sprintf("/cache/disks/%s/disk.qcow2", release);
	snprintf(k->img.media_sums, sizeof(k->img.media_sums), "%064d *vmlinuz\n", 1);
	snprintf(k->img.disk_sums, sizeof(k->img.disk_sums), "%064d *disk.qcow2\n", 2);
	snprintf(k->img.packages, sizeof(k->img.packages), "linux-image-%s 1\n", release);
	k->ko = cl_xstrdup("/cache/modules/dkms/modules");
	snprintf(k->ko_sha, sizeof(k->ko_sha), "%064d", 3);
	k->module_list = cl_xstrdup("sensor 00ff\n");
}

/*
 * The report's cells copy what the images recorded when they were built:
 * an initramfs cell its kernel's sums, a disk cell the disk's, a user image
 * its own digest, a kernel whose image failed nothing; and the module list
 * read when the module was built.
 */
static void test_outcome_cells(void **state)
{
	static const char *const kinds[] = { "initramfs", "disk", "user", "initramfs" };
	struct cl_cell_spec specs[4] = { 0 };
	struct cl_candidate cand = { 0 };
	struct cl_plan p = { .cand = &cand, .out = "/tmp/crashlab-test-outcome", .ncells = 4 };
	struct cl_report rep = { 0 };

	(void)state;
	p.cells = cl_xcalloc(4, sizeof(*p.cells));
	for (int i = 0; i < 4; i++) {
		snprintf(specs[i].id, sizeof(specs[i].id), "c%d", i);
		snprintf(specs[i].kernel, sizeof(specs[i].kernel), i == 3 ? "6.12.0-1-amd64"
											: "6.1.0-56-amd64");
		snprintf(specs[i].image, sizeof(specs[i].image), "%s", kinds[i]);
		p.cells[i] = &specs[i];
	}
	specs[2].user_path = "/images/my.qcow2";
	snprintf(specs[2].user_sha256, sizeof(specs[2].user_sha256), "%064d", 4);
	p.kernels = cl_xcalloc(2, sizeof(*p.kernels));
	p.nkernels = 2;
	fake_kernel(&p.kernels[0], "6.1.0-56-amd64", 1);
	fake_kernel(&p.kernels[1], "6.12.0-1-amd64", 0);
	p.virt_type = "qemu";
	cl_plan_make_runs(&p);
	for (int i = 0; i < 4; i++)
		p.runs[i].sm.tr = cl_triage_new(0);
	cl_outcome_cells(&rep, &p);
	assert_int_equal(rep.ncells, 4);
	assert_string_equal(rep.cells[0].media_sums, p.kernels[0].img.media_sums);
	assert_string_equal(rep.cells[0].packages, "linux-image-6.1.0-56-amd64 1\n");
	assert_string_equal(rep.cells[0].module_list, "sensor 00ff\n");
	assert_string_equal(rep.cells[0].module_sha256, p.kernels[0].ko_sha);
	assert_string_equal(rep.cells[1].media_sums, p.kernels[0].img.disk_sums);
	assert_contains(rep.cells[2].media_sums, " *my.qcow2\n");
	assert_string_equal(rep.cells[2].packages, "");
	assert_string_equal(rep.cells[3].media_sums, "");
	assert_null(rep.cells[3].module_list);
	cl_outcome_cells_free(&rep);
	cl_plan_clear(&p);
}

/* A shard directory with a report.json of shard K/N for candidate @version,
 * holding matrix cell @cell (-1: none) of a two-cell matrix. */
static char *shard_cell(int k, int n, const char *version, const char *digest, int cell)
{
	char tmpl[] = "/tmp/crashlab-test-shard-XXXXXX";
	char *dir = cl_xstrdup(mkdtemp(tmpl)), *path = cl_path_join(dir, "report.json");
	char *cells = cell < 0 ? cl_xstrdup("") : cl_sprintf(
		"{\"id\":\"c%d\",\"kernel_release\":\"6.1.0-56-amd64\",\"verdict\":\"%s\","
		"\"title\":\"t\",\"matrix_index\":%d,\"fleet_share\":1.0,\"duration_s\":1.0}",
		cell + 1, cell == 1 ? "crash" : "pass", cell);
	char *text = cl_sprintf(
		"{\"crashlab_report\":1,\"verdict\":\"pass\",\"candidate\":{\"name\":\"s\","
		"\"version\":\"%s\",\"artifacts\":[{\"kind\":\"content\",\"name\":\"c\","
		"\"sha256\":\"%s\"}]},\"matrix\":{\"name\":\"m\",\"sha256\":\"m1\",\"cells\":2},"
		"\"scenario\":{\"name\":\"x\",\"sha256\":\"s1\"},"
		"\"shard\":{\"index\":%d,\"count\":%d},\"cells\":[%s]}",
		version, digest, k, n, cells);

	assert_int_equal(cl_write_file(path, text, strlen(text)), 0);
	free(cells);
	free(text);
	free(path);
	return dir;
}

static char *shard_dir(int k, int n, const char *version, const char *digest)
{
	return shard_cell(k, n, version, digest, k - 1);
}

static void remove_dirs(char **dirs, int n)
{
	for (int i = 0; i < n; i++) {
		cl_rm_rf(dirs[i]);
		free(dirs[i]);
	}
}

static void test_merge_refusals_and_totals(void **state)
{
	char *a = shard_dir(1, 2, "1.0", "aa"), *b = shard_dir(2, 2, "1.0", "aa");
	char *other = shard_dir(2, 2, "1.0", "bb"), *dup = shard_dir(1, 2, "1.0", "aa");
	char *empty = shard_cell(2, 2, "1.0", "aa", -1), *same = shard_cell(2, 2, "1.0", "aa", 0);
	char out[] = "/tmp/crashlab-test-merged-XXXXXX";
	const char *missing[] = { a }, *foreign[] = { a, other }, *twice[] = { a, dup };
	const char *no_cells[] = { a, empty }, *overlap[] = { a, same }, *good[] = { b, a };
	char *report = NULL, *rp, *dirs[] = { a, b, other, dup, empty, same };

	(void)state;
	assert_non_null(mkdtemp(out));
	assert_int_equal(cl_merge(missing, 1, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "shards missing");
	assert_int_equal(cl_merge(foreign, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "another candidate");
	assert_int_equal(cl_merge(twice, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "given twice");
	assert_int_equal(cl_merge(no_cells, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "has no cells");
	assert_int_equal(cl_merge(overlap, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "in two shards");
	assert_int_equal(cl_merge(good, 2, out, NULL), 0);
	assert_int_equal(cl_merge_exit_code(out), 1); /* shard 2's crash fails the whole run */
	rp = cl_path_join(out, "report.json");
	assert_int_equal(cl_read_file(&report, NULL, rp, 1 << 20), 0);
	assert_true(strstr(report, "\"c1\"") < strstr(report, "\"c2\"")); /* matrix order */
	assert_contains(report, "\"failing_percent\": 50.0");
	free(report);
	free(rp);
	cl_rm_rf(out);
	remove_dirs(dirs, 6);
}

/* A shard's cells/ that is a link, or holds one, is refused, never followed. */
static void test_merge_refuses_links(void **state)
{
	char *a = shard_dir(1, 2, "1.0", "aa"), *b = shard_dir(2, 2, "1.0", "aa");
	char *cells = cl_path_join(a, "cells"), *inner = cl_path_join(b, "cells/c2");
	char *link = cl_path_join(inner, "console.log"), *copied;
	char out[] = "/tmp/crashlab-test-merged-XXXXXX";
	const char *both[] = { a, b };
	char *dirs[] = { a, b };

	(void)state;
	assert_non_null(mkdtemp(out));
	assert_int_equal(symlink("/etc", cells), 0);
	assert_int_equal(cl_merge(both, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "symbolic link");
	copied = cl_path_join(out, "cells/passwd");
	assert_false(cl_file_exists(copied)); /* nothing of /etc came along */
	unlink(cells);
	assert_int_equal(cl_mkdir_p(inner, 0755), 0);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(cl_merge(both, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "console.log");
	unlink(link);
	assert_int_equal(cl_merge(both, 2, out, NULL), 0);
	free(copied);
	free(cells);
	free(inner);
	free(link);
	cl_rm_rf(out);
	remove_dirs(dirs, 2);
}

/* Module @name of kernel @release kept by shard @dir, holding @bytes. */
static void keep_module(const char *dir, const char *release, const char *name, const char *bytes)
{
	char *sub = cl_sprintf("%s/modules/%s", dir, release), *ko = cl_sprintf("%s/%s.ko", sub, name);

	assert_int_equal(cl_mkdir_p(sub, 0755), 0);
	assert_int_equal(cl_write_file(ko, bytes, strlen(bytes)), 0);
	free(sub);
	free(ko);
}

/* @out/modules/@rel holds @bytes. */
static void assert_module(const char *out, const char *rel, const char *bytes)
{
	char *path = cl_sprintf("%s/modules/%s", out, rel), *text = NULL;

	assert_int_equal(cl_read_file(&text, NULL, path, 4096), 0);
	assert_string_equal(text, bytes);
	free(text);
	free(path);
}

/* Each shard's modules/RELEASE/NAME.ko lands in OUT/modules/ (gate --modules
 * reads them there); one two shards kept with different bytes refuses the
 * merge naming both, and a link there is refused as under cells/. */
static void test_merge_copies_modules(void **state)
{
	char *a = shard_dir(1, 2, "1.0", "aa"), *b = shard_dir(2, 2, "1.0", "aa");
	char *link = cl_sprintf("%s/modules/6.12.0-1-amd64/evil.ko", b), *dirs[] = { a, b };
	char out[] = "/tmp/crashlab-test-merged-XXXXXX";
	const char *both[] = { a, b };

	(void)state;
	assert_non_null(mkdtemp(out));
	keep_module(a, "6.1.0-56-amd64", "clsensor", "built once");
	keep_module(b, "6.1.0-56-amd64", "clsensor", "built once");
	keep_module(b, "6.12.0-1-amd64", "clsensor", "built for 6.12");
	assert_int_equal(cl_merge(both, 2, out, NULL), 0);
	assert_module(out, "6.1.0-56-amd64/clsensor.ko", "built once");
	assert_module(out, "6.12.0-1-amd64/clsensor.ko", "built for 6.12");
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(cl_merge(both, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "symbolic link");
	assert_contains(cl_err(), "evil.ko");
	unlink(link);
	keep_module(b, "6.1.0-56-amd64", "clsensor", "built again");
	assert_int_equal(cl_merge(both, 2, out, NULL), CL_EINPUT);
	assert_contains(cl_err(), "different bytes");
	assert_contains(cl_err(), a);
	assert_contains(cl_err(), b);
	free(link);
	cl_rm_rf(out);
	remove_dirs(dirs, 2);
}

/* With a key, a merge takes only shards whose own statement that key's public half verifies. */
static void test_merge_signed_shards_only(void **state)
{
	char *a = shard_dir(1, 2, "1.0", "aa"), *b = shard_dir(2, 2, "1.0", "aa");
	char keydir[] = "/tmp/crashlab-test-keys-XXXXXX", out[] = "/tmp/crashlab-test-merged-XXXXXX";
	char *prefix, *key, *other, *other_key, *rep[2], *att[2], *dirs[] = { a, b };
	const char *both[] = { a, b };

	(void)state;
	assert_non_null(mkdtemp(keydir));
	assert_non_null(mkdtemp(out));
	prefix = cl_path_join(keydir, "k");
	other = cl_path_join(keydir, "other");
	key = cl_sprintf("%s.key", prefix);
	other_key = cl_sprintf("%s.key", other);
	assert_int_equal(cl_attest_keygen(prefix), 0);
	assert_int_equal(cl_attest_keygen(other), 0);
	for (int i = 0; i < 2; i++) {
		rep[i] = cl_path_join(dirs[i], "report.json");
		att[i] = cl_path_join(dirs[i], "attestation.json");
	}
	assert_int_equal(cl_merge(both, 2, out, key), CL_EINPUT); /* unsigned: refused */
	assert_contains(cl_err(), "attestation.json");
	assert_int_equal(cl_attest_write(rep[0], key, att[0]), 0);
	assert_int_equal(cl_attest_write(rep[1], other_key, att[1]), 0);
	assert_int_equal(cl_merge(both, 2, out, key), CL_EINPUT); /* another key's */
	assert_contains(cl_err(), "does not verify");
	assert_int_equal(cl_attest_write(rep[1], key, att[1]), 0);
	assert_int_equal(cl_merge(both, 2, out, key), 0);
	/* report.json edited after it was signed: the statement is what counts, and they differ */
	assert_int_equal(cl_write_file(rep[1], "{\"crashlab_report\":1}", 21), 0);
	assert_int_equal(cl_merge(both, 2, out, key), CL_EINPUT);
	assert_contains(cl_err(), "differs from the report signed");
	for (int i = 0; i < 2; i++) {
		free(rep[i]);
		free(att[i]);
	}
	free(prefix);
	free(other);
	free(key);
	free(other_key);
	cl_rm_rf(keydir);
	cl_rm_rf(out);
	remove_dirs(dirs, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian12_matrix),
		cmocka_unit_test(test_shards_partition),
		cmocka_unit_test(test_shard_syntax),
		cmocka_unit_test(test_bad_rings),
		cmocka_unit_test(test_outcome_cells),
		cmocka_unit_test(test_merge_refusals_and_totals),
		cmocka_unit_test(test_merge_refuses_links),
		cmocka_unit_test(test_merge_copies_modules),
		cmocka_unit_test(test_merge_signed_shards_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
