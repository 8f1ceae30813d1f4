/*
 * cl_cpio.c - newc cpio writer (see cl_cpio.h). Format: a 110-byte ASCII
 * header "070701" + 13 eight-digit hex fields, the NUL-terminated name,
 * padding to 4 bytes, the data, padding to 4 bytes.
 */
#include "cl_cpio.h"

#include <string.h>

static void put(struct cl_cpio *c, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, c->f) != n)
		c->error = 1;
	c->written += (long)n;
}

static void pad4(struct cl_cpio *c)
{
	static const char zeros[4];

	put(c, zeros, (size_t)((4 - (c->written & 3)) & 3));
}

static void entry(struct cl_cpio *c, const char *name, unsigned int mode, const void *data,
		  size_t len)
{
	char hdr[111];
	size_t nlen = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 c->ino++, mode, 0u, 0u, (mode & 0040000) ? 2u : 1u, 0u, (unsigned int)len, 0u, 0u,
		 0u, 0u, (unsigned int)nlen, 0u);
	put(c, hdr, 110);
	put(c, name, nlen);
	pad4(c);
	put(c, data, len);
	pad4(c);
}

void cl_cpio_begin(struct cl_cpio *c, FILE *f, long already_written)
{
	c->f = f;
	c->written = already_written;
	c->ino = 0x10000; /* away from the base archive's inode numbers */
	c->error = 0;
	pad4(c);
}

void cl_cpio_dir(struct cl_cpio *c, const char *name)
{
	entry(c, name, 0040755, NULL, 0);
}

void cl_cpio_file(struct cl_cpio *c, const char *name, unsigned int mode, const void *data,
		  size_t len)
{
	entry(c, name, 0100000 | (mode & 07777), data, len);
}

int cl_cpio_end(struct cl_cpio *c)
{
	entry(c, "TRAILER!!!", 0, NULL, 0);
	if (fflush(c->f) != 0)
		c->error = 1;
	return c->error ? -1 : 0;
}
