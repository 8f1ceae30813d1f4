/*
 * cl_install.h - the candidate installed on a guest's disk the way its
 * vendor's package would install it: module under
 * /lib/modules/RELEASE/updates (depmod run), content files at their install
 * paths, further files, and what makes the OS load it at every boot
 * (modules-load.d + modprobe.d options, or the manifest's systemd unit,
 * enabled). Done offline, into the cell's overlay, through libguestfs.
 */
#ifndef CL_INSTALL_H
#define CL_INSTALL_H

#include "cl_candidate.h"
#include "cl_depmod.h"
#include "cl_gfs.h"

/* @dm: depmod on the host over the image's module tree (cl_depmod.h), or NULL
 * (a user's image): in the appliance, or at the first boot. */
int cl_install_candidate(struct cl_gfs *g, const struct cl_candidate *c, const char *ko_path,
			 const char *release, struct cl_depmod *dm);
/* Enable @unit (already at /etc/systemd/system/UNIT) for @target. */
int cl_install_enable(struct cl_gfs *g, const char *unit, const char *target);

#endif
