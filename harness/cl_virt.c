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

static int try_start_daemons(void)
{
	char *const a1[] = { "sh", "-c",
			     "pgrep -x virtlogd >/dev/null || virtlogd -d; "
			     "pgrep -x libvirtd >/dev/null || libvirtd -d", NULL };

	fprintf(stderr, "crashlab: libvirtd not answering; starting virtlogd and libvirtd\n");
	return cl_run(a1, NULL);
}

int cl_virt_open(const char *uri)
{
	int i, tries;

	for (i = 0; i < MAX_WATCH; i++)
		watches[i].fd = -1;
	virSetErrorFunc(NULL, silence);
	if (virEventRegisterDefaultImpl() < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot set up the event loop: %s",
				  cl_virt_error());
	conn = virConnectOpen(uri);
	for (tries = 0; !conn && tries < 50; tries++) {
		if (tries == 0 && try_start_daemons() != 0)
			break;
		usleep(200000);
		conn = virConnectOpen(uri);
	}
	if (!conn)
		return cl_err_set(CL_EINFRA, "libvirt: cannot connect to %s: %s", uri, cl_virt_error());
	cb_lifecycle = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
							NULL, NULL);
	cb_reboot = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
						     VIR_DOMAIN_EVENT_CALLBACK(on_reboot), NULL,
						     NULL);
	cb_qmp = virConnectDomainQemuMonitorEventRegister(conn, NULL, "GUEST_PANICKED", on_qmp, NULL,
							   NULL, 0);
	if (cb_lifecycle < 0 || cb_reboot < 0 || cb_qmp < 0)
		return cl_err_set(CL_EINFRA, "libvirt: cannot register for domain events: %s",
				  cl_virt_error());
	/* a periodic no-op timer so the loop wakes up to notice loop_stop */
	tick = virEventAddTimeout(200, on_tick, NULL, NULL);
	loop_stop = 0;
	if (pthread_create(&loop_thread, NULL, loop_main, NULL) != 0)
		return cl_err_set(CL_EINFRA, "cannot start the libvirt event thread");
	loop_running = 1;
	return 0;
}

void cl_virt_close(void)
{
	if (loop_running) {
		loop_stop = 1;
		pthread_join(loop_thread, NULL);
		loop_running = 0;
	}
	if (conn) {
		if (cb_lifecycle >= 0)
			virConnectDomainEventDeregisterAny(conn, cb_lifecycle);
		if (cb_reboot >= 0)
			virConnectDomainEventDeregisterAny(conn, cb_reboot);
		if (cb_qmp >= 0)
			virConnectDomainQemuMonitorEventDeregister(conn, cb_qmp);
		virConnectClose(conn);
		conn = NULL;
	}
	if (tick >= 0) {
		virEventRemoveTimeout(tick);
		tick = -1;
	}
}

virConnectPtr cl_virt_conn(void)
{
	return conn;
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
