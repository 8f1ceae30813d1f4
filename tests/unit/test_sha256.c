/*
 * SHA-256 against the FIPS 180-4 example vectors, incremental and one-shot;
 * the guest agent's own SHA-256 (guest/sha256.c) against libcrypto's.
 */
#include "cl_test.h"
#include "cl_sha256.h"
#include "sha256.h"

static void test_vectors(void **state)
{
	char hex[CL_SHA256_HEX];

	(void)state;
	cl_sha256_hex(hex, "", 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cl_sha256_hex(hex, "abc", 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cl_sha256_hex(hex, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a_incremental(void **state)
{
	struct cl_sha256 s;
	uint8_t d[CL_SHA256_LEN], chunk[1001];
	char hex[CL_SHA256_HEX];
	int i;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	cl_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		cl_sha256_update(&s, chunk, (size_t)(i % 2 ? 999 : 1001)); /* odd splits */
	cl_sha256_final(&s, d);
	for (i = 0; i < CL_SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_file_digest_and_missing(void **state)
{
	char hex[CL_SHA256_HEX];
	char *p = cl_test_tmpfile("abc");

	(void)state;
	assert_int_equal(cl_sha256_file(hex, p), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	unlink(p);
	assert_int_not_equal(cl_sha256_file(hex, p), 0);
	free(p);
}

/* The agent checks deliveries with its own code: it must agree with the host's. */
static void test_guest_agrees_with_libcrypto(void **state)
{
	static uint8_t data[70000];
	char host[CL_SHA256_HEX], guest[65];
	unsigned int seed = 291;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(rand_r(&seed) >> 7);
	for (len = 0; len < sizeof(data); len = len * 3 + 1) {
		struct ga_sha256 g;
		size_t off = 0;

		ga_sha256_init(&g);
		while (off < len) { /* uneven pieces, as read() returns them */
			size_t n = (off % 97) + 1;

			if (n > len - off)
				n = len - off;
			ga_sha256_update(&g, data + off, n);
			off += n;
		}
		ga_sha256_hex(guest, &g);
		cl_sha256_hex(host, data, len);
		assert_string_equal(guest, host);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a_incremental),
		cmocka_unit_test(test_file_digest_and_missing),
		cmocka_unit_test(test_guest_agrees_with_libcrypto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
