/*
 * cl_gfs.h - offline edits of a cell's disk through libguestfs.
 *
 * Persistent installs and remediation change the guest's own file system
 * while the guest is off, the way an administrator with the disk in hand
 * would: libguestfs boots its own small appliance VM around the disk, so
 * the host needs no loop device, no mount and no knowledge of the guest's
 * file system. crashlab only ever opens a cell's overlay read-write, never
 * a cached base. On these machines the appliance must use the direct
 * backend and TCG (nested KVM hangs); cl_gfs_open() sets that itself.
 *
 * Every function returns 0 or a negative cl_rc with the message naming the
 * disk and what failed (cl_err()).
 */
#ifndef CL_GFS_H
#define CL_GFS_H

#include <stddef.h>

struct cl_gfs;

/* New qcow2 overlay @path backed by the qcow2 @base (which is never written). */
int cl_gfs_overlay(const char *path, const char *base);
/* Open @disk (qcow2) and mount its file systems: @root alone at / when the
 * caller knows the layout (an image crashlab built), else what libguestfs'
 * inspection finds (~9 s of the appliance's time here). */
int cl_gfs_open(struct cl_gfs **out, const char *disk, const char *root);
/* Unmount, flush and close; returns the first error of the session. Accepts NULL. */
int cl_gfs_close(struct cl_gfs *g);

int cl_gfs_upload(struct cl_gfs *g, const char *host_file, const char *guest_path, int mode);
int cl_gfs_write(struct cl_gfs *g, const char *guest_path, const char *text, int mode);
/* Symlink @link -> @target (replacing what is there). */
int cl_gfs_symlink(struct cl_gfs *g, const char *target, const char *link);
/* Run a command inside the guest's root (e.g. depmod). */
int cl_gfs_run(struct cl_gfs *g, const char *const argv[]);
/* Delete what @pattern matches; *count gets how many paths. */
int cl_gfs_delete_glob(struct cl_gfs *g, const char *pattern, int *count);
int cl_gfs_exists(struct cl_gfs *g, const char *guest_path);

#endif
