/*
 * cl_module.h - the candidate's kernel modules, built or laid out for one
 * kernel.
 *
 * cl_module_build() gives the candidate's modules for one release: its
 * kbuild source built against the kernel's headers (cached by the digest of
 * the sources, make variables and release, one builder per cache entry),
 * its DKMS source built (cl_dkms.h), or its prebuilt or packaged modules
 * laid out (cl_prebuilt.h). The candidate's Makefile runs as the build user
 * (cl_builder.h). The planner calls it from one thread.
 */
#ifndef CL_MODULE_H
#define CL_MODULE_H

#include "cl_candidate.h"
#include "cl_image.h"
#include "cl_sha256.h"

/*
 * Build the candidate module for one kernel. On success *ko is the new path
 * of the .ko and @sha its digest (DKMS, prebuilt, packaged: the path of the
 * list of modules, "NAME SHA256" lines, and the list's digest). On failure
 * *ko is NULL and the return is CL_EINFRA with the message naming the build
 * log, CL_ETIMEOUT when the build ran out of time, or CL_ESETUP for the
 * lab's own setup (the build user, a permission).
 */
int cl_module_build(char **ko, char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
		    const struct cl_image *img, const char *release);

/* The digest of the candidate's module source tree (each file's name and bytes). */
int cl_module_source_digest(char out[CL_SHA256_HEX], const struct cl_candidate *cand);

#endif
