/*
 * cl_host.h - libvirt hosts (one connection object each), the event loop
 * their events arrive on, and per-domain event delivery.
 *
 * libvirt delivers lifecycle and reboot events on the default event loop,
 * which runs in a thread of its own here. A cell registers its domain name
 * with a pipe; events for that domain are written to the pipe as
 * struct cl_host_event, so the cell's poll() loop sees console bytes, agent
 * lines and lifecycle events in one place and reacts within milliseconds.
 * QEMU's own GUEST_PANICKED events are watched too (through libvirt-qemu):
 * for Windows guests they carry the bugcheck code the crash verdict names.
 * Domains are started with AUTODESTROY: if the controller dies, libvirt
 * destroys them when the connection drops.
 *
 * The connection is watched (close callback, keepalive): when the daemon
 * dies, restarts or stops answering, every watching cell is told at once,
 * so a lost host is never mistaken for a silent guest. cl_host_ensure()
 * reconnects (retries use it); cl_host_forget() destroys a domain that a
 * lost connection left running once the daemon is back.
 */
#ifndef CL_HOST_H
#define CL_HOST_H

#include <libvirt/libvirt.h>
#include <stdint.h>

enum cl_host_event_kind {
	CL_HOST_EV_PANICKED = 1, /* CRASHED/PANICKED lifecycle event */
	CL_HOST_EV_REBOOT,       /* the guest rebooted */
	CL_HOST_EV_STOPPED,      /* the domain is gone; detail is the libvirt reason */
	CL_HOST_EV_SHUTDOWN,     /* guest-initiated shutdown under way */
	CL_HOST_EV_BUGCHECK,     /* QEMU GUEST_PANICKED with a hyper-v stop code in args */
	CL_HOST_EV_LOST,         /* the libvirt connection is gone (sent to every watcher) */
};

struct cl_host_event {
	int kind;
	int detail;
	uint64_t args[5];    /* CL_HOST_EV_BUGCHECK: stop code and its four parameters */
};

/* The process's libvirt event loop thread (cl_host_open starts it). */
int cl_host_loop_start(void);
void cl_host_loop_stop(void);

/*
 * One libvirt host: its URI, its connection (replaced when lost and
 * reconnected), and why it was lost. Hosts are values: every cell runs on
 * the host it is given, and nothing here is process-wide but the loop.
 */
struct cl_host;

/* Connect to @uri, waiting up to @wait_s (starting libvirtd for a local
 * URI when it is not running). *@out is set even on failure (cl_host_close). */
int cl_host_open(struct cl_host **out, const char *uri, double wait_s);
void cl_host_close(struct cl_host *h);
const char *cl_host_uri(const struct cl_host *h);
/* What the host has for guests: its CPUs and free memory (0 when unknown). */
void cl_host_resources(struct cl_host *h, long *cpus, long *free_mib);
/* The daemon of this machine: it shares crashlab's files (cl_host_uri_local). */
int cl_host_local(const struct cl_host *h);
/* @uri names no host: qemu:///... or qemu+unix:///... (this machine's socket). */
int cl_host_uri_local(const char *uri);
/* The host when no --uri is given: $CRASHLAB_URI (empty: unset), else qemu:///system. */
const char *cl_host_default_uri(void);
/* The connection (borrowed; may be a lost one until cl_host_ensure). */
virConnectPtr cl_host_conn(struct cl_host *h);
/* NULL while the connection is alive, else why it was lost. */
const char *cl_host_lost(const struct cl_host *h);
/* Reconnect when the connection was lost, waiting up to @wait_s for the daemon. */
int cl_host_ensure(struct cl_host *h, double wait_s);
/* Destroy domain @name on @h if it still exists (after a lost connection). */
int cl_host_forget(struct cl_host *h, const char *name);
/* Deliver events for domain @name on @h to @fd until cl_host_unwatch(). */
int cl_host_watch(const struct cl_host *h, const char *name, int fd);
void cl_host_unwatch(const char *name);
/* Text of libvirt's last error in this thread (borrowed). */
const char *cl_host_error(void);

#endif
