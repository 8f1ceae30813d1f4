/*
 * cl_prebuilt.h - modules a vendor built for each kernel it supports
 * (manifest v2 "module.prebuilt"), or shipped inside its own packages
 * ("module.from_packages"), laid out as a module list like a DKMS build's
 * (cl_dkms.h), so that every kind of module installs the same way.
 */
#ifndef CL_PREBUILT_H
#define CL_PREBUILT_H

#include "cl_candidate.h"

/*
 * The candidate's prebuilt modules for @release (manifest "module.prebuilt")
 * as a module list in the cache, like a DKMS build's. A kernel the manifest
 * lists nothing for: CL_EINFRA saying so (the cell is install_failed).
 */
int cl_prebuilt_set(char **list, char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
		    const char *release);

/* An empty module list, for modules that come in the candidate's own package
 * (manifest "module.from_packages"): crashlab installs none of them. */
int cl_prebuilt_packaged(char **list, char sha[CL_SHA256_HEX]);

#endif
