/*
 * cl_dkms.h - third-party modules from a DKMS source (manifest v2).
 *
 * A DKMS source (a tree with dkms.conf, or a -dkms Debian package holding
 * one) is built per kernel by images/dkms.sh, which reads dkms.conf the way
 * dkms does; the result is a directory of modules and their list, cached by
 * the digest of every input. The list ("NAME SHA256" per line) stands for
 * the candidate's modules on that kernel: its own digest is the module
 * digest the report gives for the cell.
 */
#ifndef CL_DKMS_H
#define CL_DKMS_H

#include "cl_candidate.h"

/*
 * Build (or find) the candidate's DKMS modules for @release against the
 * kernel headers tree @headers. On success *list is the path of the module list and @sha
 * its digest. A source that does not build for this kernel: CL_EINFRA with
 * dkms.sh's reason (the cell is install_failed, as for any build failure);
 * CL_ETIMEOUT when the build ran out of time.
 */
int cl_dkms_build(char **list, char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
		  const char *headers, const char *release);

/*
 * A DKMS package named by name and version, fetched from the Debian archive
 * into the cache (once) and checked against the manifest's sha256; then
 * c->dkms_source is its path. Nothing to do for other candidates.
 * CL_EINPUT when the bytes differ; CL_EINFRA when it cannot be fetched.
 */
int cl_dkms_fetch(struct cl_candidate *c);

/* Each module of the list at @list (DKMS or prebuilt), in order: its name and file. */
typedef int (*cl_dkms_module_fn)(void *ctx, const char *name, const char *path);
int cl_dkms_each(const char *list, cl_dkms_module_fn fn, void *ctx);

#endif
