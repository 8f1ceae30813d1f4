/*
 * cl_cpio.h - a minimal "newc" cpio writer for per-cell initramfs overlays.
 *
 * The kernel unpacks several concatenated initramfs archives in order, so a
 * cell's initrd is the cached base image (gzip'd cpio, never modified) with
 * a small uncompressed archive appended: the candidate's module, its content
 * files and the agent's plan. Building that overlay takes milliseconds and
 * nothing from one cell can leak into another.
 */
#ifndef CL_CPIO_H
#define CL_CPIO_H

#include <stddef.h>
#include <stdio.h>

struct cl_cpio {
	FILE *f;        /* borrowed */
	long written;   /* bytes written so far (for padding) */
	unsigned int ino;
	int error;
};

void cl_cpio_begin(struct cl_cpio *c, FILE *f, long already_written);
/* Add a directory (mode 0755). */
void cl_cpio_dir(struct cl_cpio *c, const char *name);
/* Add a regular file with @data. */
void cl_cpio_file(struct cl_cpio *c, const char *name, unsigned int mode, const void *data,
		  size_t len);
/* Write the trailer; returns 0 or -1 when any write failed. */
int cl_cpio_end(struct cl_cpio *c);

#endif
