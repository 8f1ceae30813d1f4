/*
 * cl_image.h - bootable images: a release's kernel, base initramfs and
 * headers, and its Debian disk image.
 *
 * cl_image_ensure() runs images/mkimage.sh, which turns Debian's
 * linux-image/linux-headers packages into a kernel, a base initramfs and a
 * private headers tree under the cache, keyed by content;
 * cl_image_disk_ensure() runs images/mkdisk.sh for the kinds that boot a
 * disk. What a cell adds to them is cl_module.h's (the candidate's modules)
 * and cl_media.h's (the files of one cell).
 *
 * Threads: the planner runs cl_image_ensure() for several releases at once
 * (a pool of 4 threads; each release has its own cache directory, and
 * mkimage.sh locks it against other runs sharing the cache), then builds
 * modules and disk images from one thread.
 */
#ifndef CL_IMAGE_H
#define CL_IMAGE_H

#include "cl_candidate.h"
#include "cl_sha256.h"

struct cl_image {
	char *vmlinuz;       /* kernel, as Debian packages it (bzImage) */
	char *vmlinux;       /* its uncompressed ELF with a PVH entry, or NULL: booted
			      * directly, no firmware or decompressor (initramfs cells) */
	char *base_initrd;   /* base.cpio.gz */
	char *headers;       /* .../usr/src/linux-headers-RELEASE */
	char *toolroot;      /* the release's toolchain root the headers are in (modules are
			      * built chrooted there, images/toolchain.sh), or NULL: the host's */
	/* images/mkdisk.sh, when a cell of the release boots a disk image */
	char *disk;          /* base qcow2 (never written) */
	char *disk_vmlinuz;  /* the image's own kernel and initramfs */
	char *disk_initrd;
	char *disk_modules;  /* its lib/modules/RELEASE as tar + zstd, or NULL (an older build) */
	/* what the cache verified, read once when the image is built (the
	 * report's boot media: nothing reads these files while it is written);
	 * "" when a file is missing or larger than 4 KiB */
	char media_sums[512];  /* images/RELEASE/sums: "SHA256 *NAME" of its kernel, initramfs */
	char packages[256];    /* images/RELEASE/packages: "PACKAGE VERSION" it was made from */
	char disk_sums[512];   /* the disk image's sums: disk.qcow2, vmlinuz, initrd.img */
};

/* A release ending in "-debug" (gcc: KASAN, lockdep, ...) or "-kmsan"
 * (clang: KMSAN, frame pointers) is crashlab's debug kernel of that Debian
 * ABI, built from Debian's source (images/kernel-debug.sh); about this many
 * minutes the first time, on 2 cores. */
#define CL_DEBUG_BUILD_MINUTES 15
int cl_image_is_debug(const char *release);

/* Is @release a kernel Debian has (or we have cached)? CL_EINPUT if not. Fast. */
int cl_image_check(const char *release);
/*
 * 1 when mkimage.sh's answer recorded in @seen (its "seen" file) still
 * holds for these arguments: same arguments and CL_INDEX_MAX_AGE, the index
 * not yet due for a refresh, every file it read unchanged (size, mtime to
 * the nanosecond, inode). Then neither the check nor the build runs it.
 */
int cl_image_seen_holds(const char *seen, const char *release, const char *cache,
			const char *agent);
/* Build (or find) the image for @release, its sums and packages read.
 * CL_EINPUT for an unknown release. */
int cl_image_ensure(struct cl_image *out, const char *release);
void cl_image_clear(struct cl_image *img);
/* Build (or find) the Debian disk image of @release (images/mkdisk.sh),
 * with the user-space packages of @cand when it lists any (@cand may be NULL);
 * its sums read into @img->disk_sums. Nothing to do when @img has its disk. */
int cl_image_disk_ensure(struct cl_image *img, const char *release, const struct cl_candidate *cand);
/* 1 when the kernel of @img was built with @sym (=y or =m in its headers'
 * .config), 0 when not or when that cannot be read. */
int cl_image_has_config(const struct cl_image *img, const char *sym);
/* The .config of the headers tree @headers into @h (a marker when it cannot
 * be read), for the keys of modules built against it: one release name can
 * be rebuilt with another configuration (the debug kernel kind), and a
 * module built for the old one does not load in the new. */
void cl_image_hash_config(struct cl_sha256 *h, const char *headers);

#endif
