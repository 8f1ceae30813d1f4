/*
 * sha256.h - SHA-256 (FIPS 180-4) for the guest agent, which links nothing
 * but libc: it checks every file the host delivers over the agent channel
 * against the digest the host sent with it, and reports what it received.
 * (The controller hashes with OpenSSL's libcrypto; test_sha256 holds this
 * one against it.)
 */
#ifndef GA_SHA256_H
#define GA_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GA_SHA256_LEN 32

struct ga_sha256 {
	uint32_t h[8];      /* chaining state */
	uint64_t bytes;     /* message length so far */
	uint8_t block[64];  /* pending partial block */
	size_t fill;        /* bytes in block */
};

void ga_sha256_init(struct ga_sha256 *s);
void ga_sha256_update(struct ga_sha256 *s, const void *data, size_t len);
void ga_sha256_final(struct ga_sha256 *s, uint8_t out[GA_SHA256_LEN]);
/* The digest as 64 lower-case hex digits and a NUL. */
void ga_sha256_hex(char out[65], struct ga_sha256 *s);

#endif
