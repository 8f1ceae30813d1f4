/*
 * cl_media.h - what one cell adds to its guest: the agent's plan, the
 * candidate's module, its content files and mutants.
 *
 * The same files travel two ways: cl_media_initrd() writes them as an
 * overlay cpio after the release's base initramfs (booted cells), and
 * cl_media_delivery() as one stream for the agent channel of a guest
 * restored from a snapshot. Both run on the cell threads, one cell each.
 */
#ifndef CL_MEDIA_H
#define CL_MEDIA_H

#include "cl_candidate.h"

#include <stddef.h>

/*
 * The files a cell adds to its guest (names relative to the guest's /): the
 * agent's plan, the module, the content files, each read and handed to @fn.
 */
typedef int (*cl_media_file_fn)(void *ctx, const char *name, const void *data, size_t len);
int cl_media_files(const struct cl_candidate *cand, const char *ko_path, const char *plan,
		   cl_media_file_fn fn, void *ctx);

/* Write a cell's initrd: @base + an overlay with the module, content and plan. */
int cl_media_initrd(const char *out_path, const char *base, const struct cl_candidate *cand,
		    const char *ko_path, const char *plan);

/*
 * The same files as one stream for the agent channel of a restored guest:
 * "PUT SIZE SHA256 NAME\n" and the bytes, per file, then "GO\n".
 */
int cl_media_delivery(char **buf, size_t *len, const struct cl_candidate *cand,
		      const char *ko_path, const char *plan);

#endif
