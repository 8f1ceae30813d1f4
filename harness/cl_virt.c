/*
 * cl_virt.c - the libvirt connection, event loop thread and per-domain
 * event routing (see cl_virt.h).
 */
#include "cl_virt.h"
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
};

static virConnectPtr conn;
static char conn_uri[512];
static virConnectPtr dead[16];    /* lost connections: domains of cells may still point at them */
static int ndead;
static volatile int conn_lost;    /* the close callback fired for conn */
static char lost_why[768];
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t loop_thread;
static volatile int loop_stop;
static int loop_running;
static int cb_lifecycle = -1, cb_reboot = -1, cb_qmp = -1, tick = -1;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch watches[MAX_WATCH];

const char *cl_virt_error(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

static void deliver_event(virDomainPtr dom, const struct cl_virt_event *ev)
{
	const char *name = virDomainGetName(dom);
	int i;

	if (!name)
		return;
	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd >= 0 && watches[i].name[0] && !strcmp(watches[i].name, name)) {
			if (write(watches[i].fd, ev, sizeof(*ev)) != (ssize_t)sizeof(*ev)) {
				/* the cell's pipe is full or gone; it has its own deadlines */
			}
		}
	pthread_mutex_unlock(&watch_lock);
}

/* The connection is gone: every watched cell hears it at once. */
static void deliver_all(const struct cl_virt_event *ev)
{
	int i;

	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd >= 0 && watches[i].name[0] &&
		    write(watches[i].fd, ev, sizeof(*ev)) != (ssize_t)sizeof(*ev)) {
			/* pipe full: the cell also polls cl_virt_lost() */
		}
	pthread_mutex_unlock(&watch_lock);
}

static void on_close(virConnectPtr c, int reason, void *opaque)
{
	static const char *const why[] = { "connection error", "end of file from the daemon",
					   "keepalive timeout: the daemon stopped answering",
					   "closed by the client" };
	struct cl_virt_event ev = { .kind = CL_VEV_LOST, .detail = reason };

	(void)opaque;
	if (c != conn)
		return;
	snprintf(lost_why, sizeof(lost_why), "lost the libvirt connection to %s (%s)", conn_uri,
		 reason >= 0 && reason < 4 ? why[reason] : "closed");
	conn_lost = 1;
	deliver_all(&ev);
}

static void deliver(virDomainPtr dom, int kind, int detail)
{
	struct cl_virt_event ev = { .kind = kind, .detail = detail };

	deliver_event(dom, &ev);
}

/* QEMU's GUEST_PANICKED: a hyper-v stop code from a Windows guest, decoded here. */
static void on_qmp(virConnectPtr c, virDomainPtr dom, const char *event, long long seconds,
		   unsigned int micros, const char *details, void *opaque)
{
	struct cl_virt_event ev = { .kind = CL_VEV_BUGCHECK };
	struct cl_bugcheck b;
	int i;

	(void)c;
	(void)event;
	(void)seconds;
	(void)micros;
	(void)opaque;
	if (cl_bugcheck_from_qmp(&b, details) != 0)
		return; /* Linux guests: the lifecycle event and the console tell */
	ev.args[0] = b.code;
	for (i = 0; i < 4; i++)
		ev.args[i + 1] = b.params[i];
	deliver_event(dom, &ev);
}

static int on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
	(void)c;
	(void)opaque;
	if (event == VIR_DOMAIN_EVENT_CRASHED)
		deliver(dom, CL_VEV_PANICKED, detail);
	else if (event == VIR_DOMAIN_EVENT_STOPPED)
		deliver(dom, CL_VEV_STOPPED, detail);
	else if (event == VIR_DOMAIN_EVENT_SHUTDOWN)
		deliver(dom, CL_VEV_SHUTDOWN, detail);
	return 0;
}

static void on_reboot(virConnectPtr c, virDomainPtr dom, void *opaque)
{
	(void)c;
	(void)opaque;
	deliver(dom, CL_VEV_REBOOT, 0);
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

/* Local daemons, under build/reaper when it is there (see scripts/reaper.c). */
static int try_start_daemons(void)
{
	char *reaper = cl_sprintf("%s/build/reaper", cl_project_root());
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

/* Open @conn_uri, starting the daemons once when nobody answers; register the callbacks. */
static int connect_host(double wait_s)
{
	double deadline = cl_now() + wait_s;
	int started = 0;
	virConnectPtr c;

	while (!(c = virConnectOpen(conn_uri))) {
		if (!started && !strncmp(conn_uri, "qemu:///", 8)) {
			started = 1;
			if (try_start_daemons() != 0)
				break;
		}
		if (cl_now() > deadline || cl_interrupted())
			break;
		usleep(200000);
	}
	if (!c)
		return cl_err_set(CL_EINFRA, "libvirt: cannot connect to %s: %s", conn_uri,
				  cl_virt_error());
	/* a daemon that stops answering (host gone, SIGSTOP) is noticed in ~15 s */
	virConnectSetKeepAlive(c, 5, 2);
	conn = c;
	conn_lost = 0;
	if (virConnectRegisterCloseCallback(c, on_close, NULL, NULL) < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot watch the connection: %s",
				  cl_virt_error());
	cb_lifecycle = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
							NULL, NULL);
	cb_reboot = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
						     VIR_DOMAIN_EVENT_CALLBACK(on_reboot), NULL,
						     NULL);
	cb_qmp = virConnectDomainQemuMonitorEventRegister(c, NULL, "GUEST_PANICKED", on_qmp, NULL,
							   NULL, 0);
	if (cb_lifecycle < 0 || cb_reboot < 0 || cb_qmp < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot register for domain events: %s",
				  cl_virt_error());
	return 0;
}

int cl_virt_open(const char *uri)
{
	int i, rc;

	for (i = 0; i < MAX_WATCH; i++)
		watches[i].fd = -1;
	snprintf(conn_uri, sizeof(conn_uri), "%s", uri);
	virSetErrorFunc(NULL, silence);
	if (virEventRegisterDefaultImpl() < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot set up the event loop: %s",
				  cl_virt_error());
	/* a periodic no-op timer so the loop wakes up to notice loop_stop */
	tick = virEventAddTimeout(200, on_tick, NULL, NULL);
	loop_stop = 0;
	if (pthread_create(&loop_thread, NULL, loop_main, NULL) != 0)
		return cl_err_set(CL_EINFRA, "cannot start the libvirt event thread");
	loop_running = 1;
	pthread_mutex_lock(&conn_lock);
	rc = connect_host(10);
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

static void drop_conn(virConnectPtr c)
{
	if (!c)
		return;
	virConnectUnregisterCloseCallback(c, on_close);
	virConnectDomainEventDeregisterAny(c, cb_lifecycle);
	virConnectDomainEventDeregisterAny(c, cb_reboot);
	virConnectDomainQemuMonitorEventDeregister(c, cb_qmp);
	virConnectClose(c);
}

void cl_virt_close(void)
{
	int i;

	pthread_mutex_lock(&conn_lock);
	if (conn && !conn_lost)
		drop_conn(conn);
	else if (conn)
		virConnectClose(conn);
	conn = NULL;
	for (i = 0; i < ndead; i++)
		virConnectClose(dead[i]);
	ndead = 0;
	pthread_mutex_unlock(&conn_lock);
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

int cl_virt_ensure(double wait_s)
{
	int rc = 0;

	pthread_mutex_lock(&conn_lock);
	if (conn && (conn_lost || virConnectIsAlive(conn) != 1)) {
		fprintf(stderr, "crashlab: %s; reconnecting (up to %.0f s)\n",
			lost_why[0] ? lost_why : "libvirt connection dead", wait_s);
		if (ndead < (int)(sizeof(dead) / sizeof(dead[0])))
			dead[ndead++] = conn; /* domains may still hold it; freed at close */
		conn = NULL;
	}
	if (!conn && (rc = connect_host(wait_s)) == 0)
		fprintf(stderr, "crashlab: reconnected to %s\n", conn_uri);
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

const char *cl_virt_lost(void)
{
	return conn_lost ? lost_why : NULL;
}

int cl_virt_forget(const char *name)
{
	virDomainPtr d;
	int rc = 0;

	if (cl_virt_ensure(30))
		return cl_err_set(CL_EINFRA, "domain %s may still run: %s", name, cl_err());
	pthread_mutex_lock(&conn_lock);
	d = conn ? virDomainLookupByName(conn, name) : NULL;
	pthread_mutex_unlock(&conn_lock);
	if (d) {
		if (virDomainDestroy(d) < 0)
			rc = cl_err_set(CL_EINFRA, "cannot destroy domain %s: %s", name,
					cl_virt_error());
		virDomainFree(d);
	}
	return rc;
}

virConnectPtr cl_virt_conn(void)
{
	virConnectPtr c;

	pthread_mutex_lock(&conn_lock);
	c = conn;
	pthread_mutex_unlock(&conn_lock);
	return c;
}

int cl_virt_watch(const char *name, int fd)
{
	int i;

	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd < 0) {
			snprintf(watches[i].name, sizeof(watches[i].name), "%s", name);
			watches[i].fd = fd;
			pthread_mutex_unlock(&watch_lock);
			return 0;
		}
	pthread_mutex_unlock(&watch_lock);
	return cl_err_set(CL_EINFRA, "too many domains watched at once");
}

void cl_virt_unwatch(const char *name)
{
	int i;

	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watches[i].fd >= 0 && !strcmp(watches[i].name, name)) {
			watches[i].fd = -1;
			watches[i].name[0] = '\0';
		}
	pthread_mutex_unlock(&watch_lock);
}
