/* Matrix parser: the shipped matrices, release parsing, every bad-input error. */
#include "cl_test.h"
#include "cl_matrix.h"
#include "cl_arch.h"
#include "cl_sha256.h"
#include "cl_util.h"

static void test_smoke_matrix(void **state)
{
	struct cl_matrix *m;

	(void)state;
	assert_int_equal(cl_matrix_load(&m, "matrix/smoke.json"), 0);
	assert_true(m->ncells >= 4);
	assert_string_equal(m->name, "smoke");
	assert_string_equal(m->cells[0].kernel, "6.1.0-56-amd64");
	assert_string_equal(m->cells[0].flavor, "amd64");
	assert_string_equal(m->cells[0].series, "6.1");
	assert_string_equal(m->cells[2].flavor, "cloud-amd64");
	assert_string_equal(m->cells[3].series, "6.12");
	assert_int_equal(m->cells[0].memory_mib, 512);
	assert_string_equal(m->cells[0].os, "debian-12");
	cl_matrix_free(m);
}

static void test_release_parse(void **state)
{
	char series[16], flavor[64];

	(void)state;
	assert_int_equal(cl_matrix_release_parse("6.12.117+deb12-rt-amd64", series, sizeof(series),
						 flavor, sizeof(flavor)), 0);
	assert_string_equal(series, "6.12");
	assert_string_equal(flavor, "rt-amd64");
	assert_int_equal(cl_matrix_release_parse("6.1.0-47-cloud-amd64", series, sizeof(series),
						 flavor, sizeof(flavor)), 0);
	assert_string_equal(flavor, "cloud-amd64");
	assert_int_equal(cl_matrix_release_parse("banana", series, sizeof(series), flavor,
						 sizeof(flavor)), CL_EINPUT);
	assert_int_equal(cl_matrix_release_parse("6.1.0-56", series, sizeof(series), flavor,
						 sizeof(flavor)), CL_EINPUT);
	assert_int_equal(cl_matrix_release_parse("6.1.0-56-amd64;rm", series, sizeof(series),
						 flavor, sizeof(flavor)), CL_EINPUT);
}

/* Load @json; expect CL_EINPUT and an error naming the file and containing @needle. */
static void expect_error(const char *json, const char *needle)
{
	struct cl_matrix *m = NULL;
	char *p = cl_test_tmpfile(json);

	assert_int_equal(cl_matrix_load(&m, p), CL_EINPUT);
	assert_null(m);
	assert_contains(cl_err(), p);
	if (!strstr(cl_err(), needle))
		fail_msg("error \"%s\" lacks \"%s\"", cl_err(), needle);
	assert_null(strchr(cl_err(), '\n'));
	unlink(p);
	free(p);
}

static void test_bad_inputs(void **state)
{
	struct cl_matrix *m = NULL;

	(void)state;
	assert_int_equal(cl_matrix_load(&m, "does-not-exist.json"), CL_EINPUT);
	assert_contains(cl_err(), "does-not-exist.json: cannot open");
	expect_error("{\"cells\": [ {\"kernel\": \"6.1.0-56-amd64\"} ", ":1:");
	expect_error("{\"cells\": [\n {\"kernel\": \"6.1.0-56-amd64\",}\n]}", ":2:");
	expect_error("{\"cells\": []}", "1 to 4096");
	expect_error("{\"cels\": []}", "unknown key \"cels\"");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"memory\": 5}]}",
		     "unknown key \"memory\"");
	expect_error("{\"cells\": [{\"kernel\": \"linux-6\"}]}", "unknown kernel");
	expect_error("{\"cells\": [{\"kernel\": 61}]}", "must be a non-empty string");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\"}, {\"kernel\": \"6.1.0-56-amd64\"}]}",
		     "duplicate id");
	expect_error("{\"cells\": [{\"id\": \"a/b\", \"kernel\": \"6.1.0-56-amd64\"}]}", "id \"a/b\"");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"vcpus\": 0}]}", "between 1 and 64");
	expect_error("[1]", "top level must be a JSON object");
	expect_error("{\"a\": 1, \"a\": 2}", "duplicate");
}

/* The Debian release and architecture follow from the kernel's name; a cell
 * that says them must agree. The whole fleet's matrix parses. */
static void test_release_and_arch(void **state)
{
	struct cl_matrix *m;
	int seen[14] = { 0 }, arm = 0;

	(void)state;
	assert_int_equal(cl_matrix_debian_release("5.10.0-46-cloud-arm64"), 11);
	assert_int_equal(cl_matrix_debian_release("6.1.0-0.deb11.52-amd64"), 11);
	assert_int_equal(cl_matrix_debian_release("6.1.0-56-amd64"), 12);
	assert_int_equal(cl_matrix_debian_release("6.12.117+deb12-rt-amd64"), 12);
	assert_int_equal(cl_matrix_debian_release("6.12.115+deb13.1-arm64"), 13);
	assert_string_equal(cl_arch_of("rt-arm64")->name, "arm64");
	assert_string_equal(cl_arch_of("cloud-amd64")->name, "amd64");
	assert_int_equal(cl_matrix_load(&m, "matrix/debian.json"), 0);
	for (int i = 0; i < m->ncells; i++) {
		seen[m->cells[i].release]++;
		arm += !strcmp(m->cells[i].arch, "arm64");
		assert_int_equal(strncmp(m->cells[i].os, "debian-1", 8), 0);
	}
	assert_true(seen[11] > 0 && seen[12] > 0 && seen[13] > 0);
	assert_true(arm > 0 && arm < m->ncells);
	cl_matrix_free(m);
	assert_int_equal(cl_matrix_load(&m, "matrix/releases.json"), 0);
	assert_int_equal(m->ncells, 6);
	assert_string_equal(m->cells[0].os, "debian-11");
	assert_string_equal(m->cells[0].arch, "amd64");
	assert_string_equal(m->cells[1].arch, "arm64");
	assert_string_equal(m->cells[5].os, "debian-13");
	assert_string_equal(m->cells[5].arch, "arm64");
	cl_matrix_free(m);
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"release\": 13}]}",
		     "release 13 but kernel 6.1.0-56-amd64 is Debian 12's");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"arch\": \"arm64\"}]}",
		     "arch \"arm64\" but kernel 6.1.0-56-amd64 is amd64");
	expect_error("{\"cells\": [{\"kernel\": \"6.12.118+deb13-amd64\", \"os\": \"debian-12\"}]}",
		     "os \"debian-12\" but kernel 6.12.118+deb13-amd64 is Debian 13's");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"release\": 10}]}",
		     "between 11 and 13");
}

/* A cell's id names its directory under the run's output: never "." or "..", no '/'. */
static void test_dot_and_slash_ids_refused(void **state)
{
	(void)state;
	expect_error("{\"cells\": [{\"id\": \"..\", \"kernel\": \"6.1.0-56-amd64\"}]}",
		     "id \"..\"");
	expect_error("{\"cells\": [{\"id\": \".\", \"kernel\": \"6.1.0-56-amd64\"}]}",
		     "id \".\"");
	expect_error("{\"cells\": [{\"id\": \"a/b\", \"kernel\": \"6.1.0-56-amd64\"}]}",
		     "id \"a/b\"");
	expect_error("{\"rings\": [\"..\"], \"cells\": [{\"kernel\": \"6.1.0-56-amd64\"}]}",
		     "plain name");
}

static void test_image_kinds(void **state)
{
	char dir[] = "/tmp/crashlab-test-user-XXXXXX", *img, *mpath, *json, sha[65];
	struct cl_matrix *m;

	(void)state;
	assert_int_equal(cl_matrix_load(&m, "matrix/disk.json"), 0);
	assert_string_equal(m->cells[0].image, "disk");
	assert_string_equal(m->cells[1].series, "6.12");
	cl_matrix_free(m);
	assert_int_equal(cl_matrix_load(&m, "matrix/smoke.json"), 0);
	assert_string_equal(m->cells[0].image, "initramfs"); /* the default */
	cl_matrix_free(m);
	/* a user image: relative to the matrix, digest checked */
	assert_non_null(mkdtemp(dir));
	img = cl_path_join(dir, "fleet.qcow2");
	assert_int_equal(cl_write_file(img, "not really a qcow2", 18), 0);
	assert_int_equal(cl_sha256_file(sha, img), 0);
	mpath = cl_path_join(dir, "m.json");
	json = cl_sprintf("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"os\": \"linux\", \"image\": "
			  "{\"path\": \"fleet.qcow2\", \"sha256\": \"%s\", \"firmware\": \"uefi\"}}]}", sha);
	assert_int_equal(cl_write_file(mpath, json, strlen(json)), 0);
	assert_int_equal(cl_matrix_load(&m, mpath), 0);
	assert_string_equal(m->cells[0].image, "user");
	assert_string_equal(m->cells[0].user_path, img);
	assert_int_equal(m->cells[0].efi, 1);
	cl_matrix_free(m);
	free(json);
	sha[0] = sha[0] == '0' ? '1' : '0';
	json = cl_sprintf("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"os\": \"linux\", \"image\": "
			  "{\"path\": \"fleet.qcow2\", \"sha256\": \"%s\"}}]}", sha);
	assert_int_equal(cl_write_file(mpath, json, strlen(json)), 0);
	assert_int_equal(cl_matrix_load(&m, mpath), CL_EINPUT);
	assert_contains(cl_err(), "wrong digest");
	free(json);
	cl_rm_rf(dir);
	free(img);
	free(mpath);
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"image\": \"vmdk\"}]}",
		     "image must be");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"image\": {\"path\": \"x\", "
		     "\"sha256\": \"" "4cc6ccfbe406cfa5fb881c0f9ba9ef58714032fc956cfaf050cfff82d0ac0b01" "\"}}]}",
		     "\"os\": \"linux\" or \"windows\"");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"os\": \"linux\", \"image\": "
		     "{\"path\": \"x\", \"sha256\": \"4cc6ccfbe406cfa5fb881c0f9ba9ef58714032fc956cfaf050cfff82d0ac0b01\", "
		     "\"firmware\": \"coreboot\"}}]}", "firmware must be");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"os\": \"linux\", \"image\": "
		     "{\"path\": \"nope.qcow2\", \"sha256\": \"4cc6ccfbe406cfa5fb881c0f9ba9ef58714032fc956cfaf050cfff82d0ac0b01\"}}]}",
		     "does not exist");
}

/* A key no table lists is refused with the path of its object; a wrong type names the key. */
static void test_keys_named_with_their_path(void **state)
{
	(void)state;
	expect_error("{\"defaults\": {\"memory\": 1}, \"cells\": [{\"kernel\": \"6.1.0-56-amd64\"}]}",
		     ": defaults: unknown key \"memory\"");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\"}, {\"id\": \"b\", "
		     "\"kernel\": \"6.1.0-56-amd64\", \"sha\": \"x\"}]}", ": cells[1]: unknown key \"sha\"");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"os\": \"linux\", \"image\": "
		     "{\"path\": \"x\", \"sha\": \"y\"}}]}", ": cells[0].image: unknown key \"sha\"");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"vcpus\": \"2\"}]}",
		     ": cells[0]: \"vcpus\" must be an integer");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"fleet_share\": true}]}",
		     ": cells[0]: \"fleet_share\" must be a number");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"fleet_share\": 1e12}]}",
		     ": cells[0]: \"fleet_share\" must be between 0 and");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"ring\": 1}]}",
		     ": cells[0]: \"ring\" must be a non-empty string");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\"}], \"rings\": \"a\"}",
		     ": matrix: \"rings\" must be an array");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\"}], \"defaults\": []}",
		     ": matrix: \"defaults\" must be an object");
	expect_error("{\"cells\": {}}", ": matrix: \"cells\" must be an array");
	expect_error("{\"cells\": [7]}", ": cells[0] must be an object");
	expect_error("{\"cells\": [{\"kernel\": \"6.1.0-56-amd64\", \"os\": \"linux\", \"image\": "
		     "{\"path\": \"x\"}}]}", ": cells[0].image: missing \"sha256\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smoke_matrix),
		cmocka_unit_test(test_release_parse),
		cmocka_unit_test(test_release_and_arch),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_dot_and_slash_ids_refused),
		cmocka_unit_test(test_image_kinds),
		cmocka_unit_test(test_keys_named_with_their_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
