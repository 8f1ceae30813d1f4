/*
 * cl_sha256.h - SHA-256 for the controller, through OpenSSL's libcrypto:
 * every artifact the report names is bound to the digest of its exact bytes.
 */
#ifndef CL_SHA256_H
#define CL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CL_SHA256_LEN 32
#define CL_SHA256_HEX 65 /* 64 hex digits and a NUL */

struct cl_sha256 {
	void *ctx;          /* EVP_MD_CTX; freed by cl_sha256_final */
};

void cl_sha256_init(struct cl_sha256 *s);
void cl_sha256_update(struct cl_sha256 *s, const void *data, size_t len);
void cl_sha256_final(struct cl_sha256 *s, uint8_t out[CL_SHA256_LEN]);
/* One-shot digest as lower-case hex. */
void cl_sha256_hex(char out[CL_SHA256_HEX], const void *data, size_t len);
/* Digest of a file's bytes as hex; 0 or CL_EINPUT with a message. */
int cl_sha256_file(char out[CL_SHA256_HEX], const char *path);

#endif
