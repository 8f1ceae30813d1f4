/*
 * cl_remedy.h - a vendor's remediation (cl_remediation.h) carried out offline
 * on a cell's disk, as a technician with the disk in hand would: libguestfs
 * on the overlay, the guest not running.
 */
#ifndef CL_REMEDY_H
#define CL_REMEDY_H

#include "cl_remediation.h"

/* Apply every step to the (stopped) guest's @disk; *removed counts deleted paths. */
int cl_remedy_apply(const struct cl_remediation *rm, const char *disk, int *removed);

#endif
