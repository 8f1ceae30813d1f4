/*
 * cl_volume.h - a guest's files on a host that does not share crashlab's
 * file system: storage volumes uploaded through libvirt.
 *
 * A remote cell's kernel and initrd go up as storage volumes of a pool named
 * "crashlab" (a directory pool the first cell creates when the host has
 * none), removed when the cell ends; base images, kernels and initrds the
 * cache made are uploaded once per host and shared by content digest; saved
 * guests are written there by libvirt and read back to be hashed. Volumes a
 * killed run left behind are swept.
 */
#ifndef CL_VOLUME_H
#define CL_VOLUME_H

#include <libvirt/libvirt.h>

/* Upload local file @path as volume @name of the host's crashlab pool;
 * *@vol gets it, and the return value its path on the host (caller frees). */
char *cl_volume_upload(virConnectPtr conn, const char *path, const char *name,
		       virStorageVolPtr *vol);
/* A volume name for domain @domain's @what: "DOMAIN-WHAT@THISHOST" (caller frees). */
char *cl_volume_name(const char *domain, const char *what);
/* The host's shared copy of cache file @path whose content digest is
 * @sha256 (volume crashlab-base-SHA16-NAME, uploaded the first time it is
 * needed and kept: the host's own cache). Its path there, or NULL with
 * cl_err() set. */
char *cl_volume_shared(virConnectPtr conn, const char *path, const char *sha256);
/* The path of volume @name in a host's crashlab pool (caller frees). */
char *cl_volume_path(const char *name);
/* The path on the host where libvirt may write volume @name (a saved
 * state): the pool made, any old volume of that name removed. */
char *cl_volume_reserve(virConnectPtr conn, const char *name);
/* The sha256 of the volume at @path on the host, read through libvirt. */
int cl_volume_sha256(virConnectPtr conn, const char *path, char out[65]);
/* Delete and free the volume (NULL: nothing). */
void cl_volume_remove(virStorageVolPtr vol);
/* Remove the volumes this machine named (crashlab-PID-…@THISHOST) whose
 * controller PID is not running here (a killed run's); returns how many. */
int cl_volume_sweep(virConnectPtr conn);

#endif
