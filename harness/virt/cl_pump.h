/*
 * cl_pump.h - a guest's character devices on a host that does not share
 * crashlab's file system: its serial ports and channels as libvirt streams.
 *
 * A cell on a remote host has no unix socket to connect to. Its console and
 * agent serial ports are ptys on that host, opened here as libvirt streams
 * (virDomainOpenConsole) and pumped by the event loop (cl_host.h) into one
 * end of a socketpair: the cell's poll() loop reads the other end exactly as
 * it reads a local socket, and sees EOF when the stream ends. A sending pump
 * writes a buffer to a virtio channel (a restored guest's delivery) as the
 * host takes it.
 */
#ifndef CL_PUMP_H
#define CL_PUMP_H

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
/* Free every closed pump: only once the event loop has stopped (cl_host_loop_stop). */
void cl_pump_release_all(void);

#endif
