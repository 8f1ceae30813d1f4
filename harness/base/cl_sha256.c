/*
 * cl_sha256.c - SHA-256 through OpenSSL's libcrypto (EVP). The digests it
 * computes are the ones the release gate compares; tested against the
 * FIPS 180-4 vectors.
 */
#include "cl_sha256.h"
#include "cl_util.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>

void cl_sha256_init(struct cl_sha256 *s)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "crashlab: libcrypto cannot hash (out of memory?)\n");
		abort(); /* a digest nobody computed must never be reported */
	}
	s->ctx = c;
}

void cl_sha256_update(struct cl_sha256 *s, const void *data, size_t len)
{
	if (EVP_DigestUpdate(s->ctx, data, len) != 1)
		abort();
}

void cl_sha256_final(struct cl_sha256 *s, uint8_t out[CL_SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(s->ctx, out, &n) != 1 || n != CL_SHA256_LEN)
		abort();
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

void cl_sha256_hex(char out[CL_SHA256_HEX], const void *data, size_t len)
{
	struct cl_sha256 s;
	uint8_t d[CL_SHA256_LEN];

	cl_sha256_init(&s);
	cl_sha256_update(&s, data, len);
	cl_sha256_final(&s, d);
	cl_hex(out, d, sizeof(d));
}

int cl_sha256_file(char out[CL_SHA256_HEX], const char *path)
{
	struct cl_sha256 s;
	uint8_t d[CL_SHA256_LEN], buf[65536];
	/* O_NONBLOCK: a FIFO named as a file must not hang the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return cl_err_set(CL_EINPUT, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cl_err_set(CL_EINPUT, "%s: not a regular file", path);
	}
	cl_sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		cl_sha256_update(&s, buf, (size_t)n);
	close(fd);
	cl_sha256_final(&s, d);
	if (n < 0)
		return cl_err_set(CL_EINPUT, "%s: read error: %s", path, strerror(errno));
	cl_hex(out, d, sizeof(d));
	return 0;
}
