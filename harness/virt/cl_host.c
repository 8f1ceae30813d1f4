/*
 * cl_host.c - libvirt host connections, the event loop thread and
 * per-domain event routing (see cl_host.h).
 */
#include "cl_host.h"
#include "cl_run.h"
#include "cl_util.h"

#include "cl_bugcheck.h"

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WATCH 256

struct watch {
	char name[128];
	int fd;
	const struct cl_host *host;
};

struct cl_host {
	char uri[512];
	virConnectPtr conn;
	virConnectPtr dead[16];   /* lost connections: domains of cells may still point at them */
	int ndead;
	volatile int lost;        /* the close callback fired for conn */
	char lost_why[768];
	pthread_mutex_t lock;
	int cb_lifecycle, cb_reboot, cb_qmp;
};

static pthread_t loop_thread;
static volatile int loop_stop;
static int loop_running;
static int tick = -1;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch watches[MAX_WATCH];

const char *cl_host_error(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

/* An event of domain @dom on connection @c, to the cell watching that name on that host. */
static void deliver_event(virConnectPtr c, virDomainPtr dom, const struct cl_host_event *ev)
{
	const char *name = virDomainGetName(dom);
	int i;

	if (!name)
		return;
	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd >= 0 && watches[i].name[0] && watches[i].host &&
		    watches[i].host->conn == c && !strcmp(watches[i].name, name)) {
			if (write(watches[i].fd, ev, sizeof(*ev)) != (ssize_t)sizeof(*ev)) {
				/* the cell's pipe is full or gone; it has its own deadlines */
			}
		}
	pthread_mutex_unlock(&watch_lock);
}

/* The connection is gone: every cell watched on that host hears it at once. */
static void deliver_all(const struct cl_host *h, const struct cl_host_event *ev)
{
	int i;

	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd >= 0 && watches[i].name[0] && watches[i].host == h &&
		    write(watches[i].fd, ev, sizeof(*ev)) != (ssize_t)sizeof(*ev)) {
			/* pipe full: the cell also polls cl_host_lost() */
		}
	pthread_mutex_unlock(&watch_lock);
}

static void on_close(virConnectPtr c, int reason, void *opaque)
{
	static const char *const why[] = { "connection error", "end of file from the daemon",
					   "keepalive timeout: the daemon stopped answering",
					   "closed by the client" };
	struct cl_host_event ev = { .kind = CL_HOST_EV_LOST, .detail = reason };
	struct cl_host *h = opaque;

	if (c != h->conn)
		return;
	snprintf(h->lost_why, sizeof(h->lost_why), "lost the libvirt connection to %s (%s)",
		 h->uri, reason >= 0 && reason < 4 ? why[reason] : "closed");
	h->lost = 1;
	deliver_all(h, &ev);
}

static void deliver(virConnectPtr c, virDomainPtr dom, int kind, int detail)
{
	struct cl_host_event ev = { .kind = kind, .detail = detail };

	deliver_event(c, dom, &ev);
}

/* QEMU's GUEST_PANICKED: a hyper-v stop code from a Windows guest, decoded here. */
static void on_qmp(virConnectPtr c, virDomainPtr dom, const char *event, long long seconds,
		   unsigned int micros, const char *details, void *opaque)
{
	struct cl_host_event ev = { .kind = CL_HOST_EV_BUGCHECK };
	struct cl_bugcheck b;
	int i;

	(void)event;
	(void)seconds;
	(void)micros;
	(void)opaque;
	if (cl_bugcheck_from_qmp(&b, details) != 0)
		return; /* Linux guests: the lifecycle event and the console tell */
	ev.args[0] = b.code;
	for (i = 0; i < 4; i++)
		ev.args[i + 1] = b.params[i];
	deliver_event(c, dom, &ev);
}

static int on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
	(void)opaque;
	if (event == VIR_DOMAIN_EVENT_CRASHED)
		deliver(c, dom, CL_HOST_EV_PANICKED, detail);
	else if (event == VIR_DOMAIN_EVENT_STOPPED)
		deliver(c, dom, CL_HOST_EV_STOPPED, detail);
	else if (event == VIR_DOMAIN_EVENT_SHUTDOWN)
		deliver(c, dom, CL_HOST_EV_SHUTDOWN, detail);
	return 0;
}

static void on_reboot(virConnectPtr c, virDomainPtr dom, void *opaque)
{
	(void)opaque;
	deliver(c, dom, CL_HOST_EV_REBOOT, 0);
}

static void on_tick(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
}

static void *loop_main(void *arg)
{
	(void)arg;
	while (!loop_stop)
		virEventRunDefaultImpl();
	return NULL;
}

static void silence(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e; /* errors are read with virGetLastError and reported by us */
}

/* Local daemons, under the reaper (cl_libexec_dir()) when it is there (see scripts/reaper.c). */
static int try_start_daemons(void)
{
	char *reaper = cl_sprintf("%s/reaper", cl_libexec_dir());
	char *script = cl_sprintf("R=%s; [ -x \"$R\" ] || R=; "
				  "pgrep -x virtlogd >/dev/null || $R virtlogd -d; "
				  "pgrep -x libvirtd >/dev/null || $R libvirtd -d", reaper);
	char *const a1[] = { "sh", "-c", script, NULL };
	int rc;

	fprintf(stderr, "crashlab: libvirtd not answering; starting virtlogd and libvirtd\n");
	rc = cl_run(a1, NULL, 60);
	free(reaper);
	free(script);
	return rc;
}

/* Open @h's URI, starting the local daemons once when nobody answers; register the callbacks. */
static int connect_host(struct cl_host *h, double wait_s)
{
	double deadline = cl_now() + wait_s;
	int started = 0;
	virConnectPtr c;

	while (!(c = virConnectOpen(h->uri))) {
		if (!started && cl_host_local(h)) {
			started = 1;
			if (try_start_daemons() != 0)
				break;
		}
		if (cl_now() > deadline || cl_run_interrupted())
			break;
		usleep(200000);
	}
	if (!c)
		return cl_err_set(CL_EINFRA, "libvirt: cannot connect to %s: %s", h->uri,
				  cl_host_error());
	/* a daemon that stops answering (host gone, SIGSTOP) is noticed in ~15 s */
	virConnectSetKeepAlive(c, 5, 2);
	h->conn = c;
	h->lost = 0;
	if (virConnectRegisterCloseCallback(c, on_close, h, NULL) < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot watch the connection to %s: %s",
				  h->uri, cl_host_error());
	h->cb_lifecycle = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							   VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
							   NULL, NULL);
	h->cb_reboot = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
							VIR_DOMAIN_EVENT_CALLBACK(on_reboot), NULL,
							NULL);
	h->cb_qmp = virConnectDomainQemuMonitorEventRegister(c, NULL, "GUEST_PANICKED", on_qmp,
							      NULL, NULL, 0);
	if (h->cb_lifecycle < 0 || h->cb_reboot < 0 || h->cb_qmp < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot register for domain events on %s: %s",
				  h->uri, cl_host_error());
	return 0;
}

int cl_host_loop_start(void)
{
	int i;

	if (loop_running)
		return 0;
	for (i = 0; i < MAX_WATCH; i++)
		watches[i].fd = -1;
	virSetErrorFunc(NULL, silence);
	if (virEventRegisterDefaultImpl() < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot set up the event loop: %s",
				  cl_host_error());
	/* a periodic no-op timer so the loop wakes up to notice loop_stop */
	tick = virEventAddTimeout(200, on_tick, NULL, NULL);
	loop_stop = 0;
	if (pthread_create(&loop_thread, NULL, loop_main, NULL) != 0)
		return cl_err_set(CL_EINFRA, "cannot start the libvirt event thread");
	loop_running = 1;
	return 0;
}

void cl_host_loop_stop(void)
{
	if (loop_running) {
		loop_stop = 1;
		virEventUpdateTimeout(tick, 0); /* wake the loop now, not at the next tick */
		pthread_join(loop_thread, NULL);
		loop_running = 0;
	}
	if (tick >= 0) {
		virEventRemoveTimeout(tick);
		tick = -1;
	}
}

int cl_host_open(struct cl_host **out, const char *uri, double wait_s)
{
	struct cl_host *h = cl_xcalloc(1, sizeof(*h));
	int rc;

	*out = h;
	snprintf(h->uri, sizeof(h->uri), "%s", uri);
	h->cb_lifecycle = h->cb_reboot = h->cb_qmp = -1;
	pthread_mutex_init(&h->lock, NULL);
	if ((rc = cl_host_loop_start()))
		return rc;
	pthread_mutex_lock(&h->lock);
	rc = connect_host(h, wait_s);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static void drop_conn(struct cl_host *h)
{
	virConnectPtr c = h->conn;

	virConnectUnregisterCloseCallback(c, on_close);
	virConnectDomainEventDeregisterAny(c, h->cb_lifecycle);
	virConnectDomainEventDeregisterAny(c, h->cb_reboot);
	virConnectDomainQemuMonitorEventDeregister(c, h->cb_qmp);
	virConnectClose(c);
}

void cl_host_close(struct cl_host *h)
{
	int i;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->conn && !h->lost)
		drop_conn(h);
	else if (h->conn)
		virConnectClose(h->conn);
	for (i = 0; i < h->ndead; i++)
		virConnectClose(h->dead[i]);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void cl_host_resources(struct cl_host *h, long *cpus, long *free_mib)
{
	virConnectPtr c = cl_host_conn(h);
	virNodeInfo info;

	*cpus = c && virNodeGetInfo(c, &info) == 0 ? (long)info.cpus : 0;
	*free_mib = c ? (long)(virNodeGetFreeMemory(c) >> 20) : 0;
}

const char *cl_host_uri(const struct cl_host *h)
{
	return h->uri;
}

int cl_host_local(const struct cl_host *h)
{
	return cl_host_uri_local(h->uri);
}

int cl_host_uri_local(const char *uri)
{
	/* no host name in the URI: the daemon of this machine, sharing our files,
	 * whether through libvirt's default transport or its unix socket named */
	return !strncmp(uri, "qemu:///", 8) || !strncmp(uri, "qemu+unix:///", 13);
}

const char *cl_host_default_uri(void)
{
	const char *env = getenv("CRASHLAB_URI");

	return env && *env ? env : "qemu:///system";
}

int cl_host_ensure(struct cl_host *h, double wait_s)
{
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	if (h->conn && (h->lost || virConnectIsAlive(h->conn) != 1)) {
		fprintf(stderr, "crashlab: %s; reconnecting (up to %.0f s)\n",
			h->lost_why[0] ? h->lost_why : "libvirt connection dead", wait_s);
		if (h->ndead < (int)(sizeof(h->dead) / sizeof(h->dead[0])))
			h->dead[h->ndead++] = h->conn; /* domains may still hold it; freed at close */
		h->conn = NULL;
	}
	if (!h->conn && (rc = connect_host(h, wait_s)) == 0)
		fprintf(stderr, "crashlab: reconnected to %s\n", h->uri);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

const char *cl_host_lost(const struct cl_host *h)
{
	return h->lost ? h->lost_why : NULL;
}

int cl_host_forget(struct cl_host *h, const char *name)
{
	virDomainPtr d;
	int rc = 0;

	if (cl_host_ensure(h, 30))
		return cl_err_set(CL_EINFRA, "domain %s may still run: %s", name, cl_err());
	pthread_mutex_lock(&h->lock);
	d = h->conn ? virDomainLookupByName(h->conn, name) : NULL;
	pthread_mutex_unlock(&h->lock);
	if (d) {
		if (virDomainDestroy(d) < 0)
			rc = cl_err_set(CL_EINFRA, "cannot destroy domain %s: %s", name,
					cl_host_error());
		virDomainFree(d);
	}
	return rc;
}

virConnectPtr cl_host_conn(struct cl_host *h)
{
	virConnectPtr c;

	pthread_mutex_lock(&h->lock);
	c = h->conn;
	pthread_mutex_unlock(&h->lock);
	return c;
}

int cl_host_watch(const struct cl_host *h, const char *name, int fd)
{
	int i;

	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd < 0) {
			snprintf(watches[i].name, sizeof(watches[i].name), "%s", name);
			watches[i].fd = fd;
			watches[i].host = h;
			pthread_mutex_unlock(&watch_lock);
			return 0;
		}
	pthread_mutex_unlock(&watch_lock);
	return cl_err_set(CL_EINFRA, "too many domains watched at once");
}

void cl_host_unwatch(const char *name)
{
	int i;

	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd >= 0 && !strcmp(watches[i].name, name)) {
			watches[i].fd = -1;
			watches[i].name[0] = '\0';
			watches[i].host = NULL;
		}
	pthread_mutex_unlock(&watch_lock);
}
