/*
 * cl_stream.h - a guest's character devices and files on a host that does
 * not share crashlab's file system: everything through libvirt.
 *
 * A cell on a remote host has no unix socket to connect to. Its console and
 * agent serial ports are ptys on that host, opened here as libvirt streams
 * (virDomainOpenConsole) and pumped by the event loop into one end of a
 * socketpair: the cell's poll() loop reads the other end exactly as it reads
 * a local socket, and sees EOF when the stream ends. Its kernel and initrd
 * go up as storage volumes of a pool named "crashlab" (a directory pool the
 * first cell creates when the host has none), removed when the cell ends.
 */
#ifndef CL_STREAM_H
#define CL_STREAM_H

#include <libvirt/libvirt.h>

struct cl_pump;

/* Open serial device @dev ("serial0") of @dom; *@fd gets the cell's end
 * (non-blocking). NULL with cl_err() set on failure. */
struct cl_pump *cl_pump_open(virConnectPtr conn, virDomainPtr dom, const char *dev, int *fd);
/* Send @len bytes of @data (borrowed until cl_pump_close) on virtio channel
 * @channel of @dom, as the host takes them. NULL with cl_err() on failure. */
struct cl_pump *cl_pump_send(virConnectPtr conn, virDomainPtr dom, const char *channel,
			     const char *data, size_t len);
/* Stop pumping (the cell closes its own end). */
void cl_pump_close(struct cl_pump *p);
/* Free every closed pump: only once the event loop has stopped (cl_virt_stop). */
void cl_pump_release_all(void);

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
