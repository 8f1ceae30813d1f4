/*
 * test_keygen.c - the signing key pair on disk: the private key is never
 * readable by others, not even with umask 0, and nothing is overwritten.
 */
#include "cl_test.h"
#include "cl_attest.h"
#include "cl_util.h"

#include <sys/stat.h>

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_keygen_modes(void **state)
{
	char dir[] = "/tmp/crashlab-test-keygen-XXXXXX";
	char *prefix, *key, *pub;
	mode_t old;
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	prefix = cl_path_join(dir, "signing");
	key = cl_sprintf("%s.key", prefix);
	pub = cl_sprintf("%s.pub", prefix);
	old = umask(0);
	rc = cl_attest_keygen(prefix);
	umask(old);
	assert_int_equal(rc, 0);
	assert_int_equal(mode_of(key), 0600);
	assert_int_equal(mode_of(pub), 0644);
	assert_int_equal(cl_attest_key_ok(key), 0);
	/* a second run leaves the pair alone */
	assert_int_equal(cl_attest_keygen(prefix), CL_EINPUT);
	assert_contains(cl_err(), "exists");
	free(key);
	free(pub);
	free(prefix);
	cl_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
