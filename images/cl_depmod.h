/*
 * cl_depmod.h - depmod for a cell's disk, run on the host.
 *
 * A vendor's package runs depmod in the guest after it adds its modules.
 * crashlab installs offline, and depmod in the libguestfs appliance (TCG)
 * takes ~30 s of a cell's start for one module. The same indexes come from
 * the host's depmod over the image's own module tree (images/mkdisk.sh
 * keeps it as modules.tar.zst beside the image) with the candidate's
 * modules added at the paths they have in the guest; the index files are
 * then written into the guest beside the modules.
 */
#ifndef CL_DEPMOD_H
#define CL_DEPMOD_H

#include "cl_gfs.h"

struct cl_depmod {
	const char *tree_tar; /* the image's lib/modules/RELEASE, as tar + zstd */
	const char *scratch;  /* the cell's scratch directory: the tree goes in depmod/ there */
	const char *release;
	char *root;           /* set once the tree is unpacked */
};

/* Add @host_file to the tree at @guest_path (/lib/modules/RELEASE/...). */
int cl_depmod_add(struct cl_depmod *d, const char *host_file, const char *guest_path);
/* The tree removed, if it was unpacked (every path out of an install). */
void cl_depmod_clear(struct cl_depmod *d);
/* depmod over the tree, its indexes written into the guest; the tree removed.
 * Nothing when no module was added. */
int cl_depmod_write(struct cl_depmod *d, struct cl_gfs *g);

#endif
