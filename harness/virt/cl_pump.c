/*
 * cl_pump.c - a guest's serial ports and channels as libvirt streams,
 * pumped by the event loop (see cl_pump.h).
 */
#include "cl_pump.h"
#include "cl_host.h"
#include "cl_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct cl_pump {
	virStreamPtr st;
	int fd;                 /* our end of the socketpair; -1 once the stream ended */
	const char *out;        /* a sending pump: what it sends (borrowed) */
	size_t out_len, out_off;
	int watching;           /* the event callback is registered */
	pthread_mutex_t lock;   /* the callback (event loop thread) against close */
	struct cl_pump *next;   /* closed pumps, freed once the event loop has stopped */
};

/*
 * A callback libvirt has already picked may still run after it was
 * removed (and this libvirt does not call the free function when the
 * callback removes itself), so a closed pump is only retired: its memory
 * goes when the loop thread is gone (cl_pump_release_all).
 */
static struct cl_pump *retired;
static pthread_mutex_t retired_lock = PTHREAD_MUTEX_INITIALIZER;

/* Write all of @buf, waiting up to a second at a time for the cell to read;
 * -1 when it does not (the cell ended: the rest is not needed). */
static int put(int fd, const char *buf, int n)
{
	int off = 0;

	while (off < n) {
		ssize_t w = write(fd, buf + off, (size_t)(n - off));

		if (w > 0) {
			off += (int)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			if (poll(&pf, 1, 1000) <= 0)
				return -1;
		} else if (!(w < 0 && errno == EINTR)) {
			return -1;
		}
	}
	return 0;
}

/* Readable stream: move what it has to the socketpair; at its end, EOF there.
 * Runs in the event loop thread: never blocks for long. */
static void on_stream(virStreamPtr st, int events, void *opaque)
{
	struct cl_pump *p = opaque;
	char buf[16384];
	int end = events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR);

	pthread_mutex_lock(&p->lock);
	while (p->fd >= 0 && !end && (events & VIR_STREAM_EVENT_READABLE)) {
		int n = virStreamRecv(st, buf, sizeof(buf));

		if (n == -2)
			break; /* nothing more now */
		end = n <= 0 || put(p->fd, buf, n) != 0;
	}
	if (p->fd >= 0 && end) {
		virStreamEventRemoveCallback(st);
		p->watching = 0;
		close(p->fd); /* the cell reads EOF */
		p->fd = -1;
	}
	pthread_mutex_unlock(&p->lock);
}

/* A pump that never started (no callback registered): gone at once. */
static struct cl_pump *discard(struct cl_pump *p)
{
	if (p->st) {
		virStreamAbort(p->st);
		virStreamFree(p->st);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
	return NULL;
}

struct cl_pump *cl_pump_open(virConnectPtr conn, virDomainPtr dom, const char *dev, int *fd)
{
	struct cl_pump *p = cl_xcalloc(1, sizeof(*p));
	int sv[2] = { -1, -1 }, big = 4 << 20;

	*fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	p->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		cl_err_set(CL_EINFRA, "socketpair: %s", strerror(errno));
		goto fail;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	p->st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (!p->st || virDomainOpenConsole(dom, dev, p->st, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
		cl_err_set(CL_EINFRA, "libvirt: cannot open %s as a stream: %s", dev,
			   cl_host_error());
		goto fail;
	}
	p->fd = sv[0];
	if (virStreamEventAddCallback(p->st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP |
					     VIR_STREAM_EVENT_ERROR, on_stream, p, NULL) < 0) {
		cl_err_set(CL_EINFRA, "libvirt: cannot watch the %s stream: %s", dev,
			   cl_host_error());
		p->fd = -1;
		goto fail;
	}
	p->watching = 1;
	*fd = sv[1];
	return p;
fail:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return discard(p);
}

void cl_pump_close(struct cl_pump *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->watching)
		virStreamEventRemoveCallback(p->st);
	p->watching = 0;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1; /* a late callback does nothing */
	virStreamAbort(p->st);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_lock(&retired_lock);
	p->next = retired;
	retired = p;
	pthread_mutex_unlock(&retired_lock);
}

/* Writable channel: send the next pieces; done, or the channel gone: stop. */
static void on_send(virStreamPtr st, int events, void *opaque)
{
	struct cl_pump *p = opaque;
	int end = events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR);

	pthread_mutex_lock(&p->lock);
	while (p->watching && !end && p->out_off < p->out_len) {
		size_t want = p->out_len - p->out_off;
		int n = virStreamSend(st, p->out + p->out_off, want > 65536 ? 65536 : want);

		if (n == -2)
			break; /* the host's buffer is full: the next WRITABLE */
		if (n <= 0)
			end = 1;
		else
			p->out_off += (size_t)n;
	}
	if (p->watching && (end || p->out_off == p->out_len)) {
		virStreamEventRemoveCallback(st); /* the stream stays open until the cell ends */
		p->watching = 0;
	}
	pthread_mutex_unlock(&p->lock);
}

struct cl_pump *cl_pump_send(virConnectPtr conn, virDomainPtr dom, const char *channel,
			     const char *data, size_t len)
{
	struct cl_pump *p = cl_xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	p->fd = -1;
	p->out = data;
	p->out_len = len;
	p->st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (!p->st || virDomainOpenChannel(dom, channel, p->st, VIR_DOMAIN_CHANNEL_FORCE) < 0 ||
	    virStreamEventAddCallback(p->st, VIR_STREAM_EVENT_WRITABLE | VIR_STREAM_EVENT_HANGUP |
					     VIR_STREAM_EVENT_ERROR, on_send, p, NULL) < 0) {
		cl_err_set(CL_EINFRA, "libvirt: cannot open channel %s as a stream: %s", channel,
			   cl_host_error());
		return discard(p);
	}
	p->watching = 1;
	return p;
}

void cl_pump_release_all(void)
{
	pthread_mutex_lock(&retired_lock);
	while (retired) {
		struct cl_pump *p = retired;

		retired = p->next;
		virStreamFree(p->st);
		pthread_mutex_destroy(&p->lock);
		free(p);
	}
	pthread_mutex_unlock(&retired_lock);
}
