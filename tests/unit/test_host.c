/*
 * Which libvirt URIs are this machine's daemon (they share crashlab's files:
 * --remediate, --vmcore and reproduce need one), and the host a run takes
 * when no --uri is given. Strings only: no daemon is asked.
 */
#include "cl_test.h"
#include "cl_host.h"

/* No host name: this machine's daemon, by the default transport or its unix socket. */
static void test_uri_local(void **state)
{
	static const char *const local[] = {
		"qemu:///system", "qemu:///session", "qemu+unix:///system",
		"qemu+unix:///session", "qemu+unix:///system?socket=/run/libvirt/libvirt-sock",
	};
	static const char *const remote[] = {
		"qemu+ssh://root@lab2/system", "qemu+tcp://127.0.0.1:16599/system",
		"qemu+tls://lab3/system", "qemu+unix://lab2/system", "qemu://lab2/system",
		"qemu:", "", "test:///default",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (!cl_host_uri_local(local[i]))
			fail_msg("%s: not taken as local", local[i]);
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (cl_host_uri_local(remote[i]))
			fail_msg("%s: taken as local", remote[i]);
}

/* CRASHLAB_URI set and empty is unset, as CRASHLAB_CACHE and CRASHLAB_ROOT are. */
static void test_default_uri(void **state)
{
	(void)state;
	assert_int_equal(unsetenv("CRASHLAB_URI"), 0);
	assert_string_equal(cl_host_default_uri(), "qemu:///system");
	assert_int_equal(setenv("CRASHLAB_URI", "", 1), 0);
	assert_string_equal(cl_host_default_uri(), "qemu:///system");
	assert_int_equal(setenv("CRASHLAB_URI", "qemu+ssh://root@lab2/system", 1), 0);
	assert_string_equal(cl_host_default_uri(), "qemu+ssh://root@lab2/system");
	unsetenv("CRASHLAB_URI");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_local),
		cmocka_unit_test(test_default_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
