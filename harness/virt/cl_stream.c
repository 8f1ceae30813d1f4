/*
 * cl_stream.c - console pumps and volume uploads for remote hosts (see
 * cl_stream.h).
 */
#include "cl_stream.h"
#include "cl_scratch.h"
#include "cl_sha256.h"
#include "cl_util.h"
#include "cl_virt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define POOL "crashlab"
#define POOL_DIR "/var/lib/libvirt/crashlab"

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
			   cl_virt_error());
		goto fail;
	}
	p->fd = sv[0];
	if (virStreamEventAddCallback(p->st, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP |
					     VIR_STREAM_EVENT_ERROR, on_stream, p, NULL) < 0) {
		cl_err_set(CL_EINFRA, "libvirt: cannot watch the %s stream: %s", dev,
			   cl_virt_error());
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
			   cl_virt_error());
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

/* The host's crashlab pool, made (a transient directory pool) when it has none. */
static virStoragePoolPtr get_pool(virConnectPtr conn)
{
	static const char xml[] = "<pool type='dir'><name>" POOL "</name><target><path>" POOL_DIR
				  "</path><permissions><mode>0755</mode></permissions></target></pool>";
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, POOL);

	if (!pool)
		pool = virStoragePoolCreateXML(conn, xml, VIR_STORAGE_POOL_CREATE_WITH_BUILD);
	if (!pool) /* another cell made it meanwhile */
		pool = virStoragePoolLookupByName(conn, POOL);
	if (!pool)
		cl_err_set(CL_EINFRA, "libvirt: no storage pool " POOL " on the host: %s",
			   cl_virt_error());
	return pool;
}

static int send_file(virStreamPtr st, char *data, size_t nbytes, void *opaque)
{
	(void)st;
	ssize_t n = read(*(int *)opaque, data, nbytes);

	return n < 0 ? -1 : (int)n;
}

char *cl_volume_upload(virConnectPtr conn, const char *path, const char *name,
		       virStorageVolPtr *vol)
{
	virStoragePoolPtr pool = get_pool(conn);
	virStreamPtr st = NULL;
	struct stat sb;
	char *xml = NULL, *remote = NULL;
	int fd = -1;

	*vol = NULL;
	if (!pool)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		cl_err_set(CL_EINFRA, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	xml = cl_sprintf("<volume><name>%s</name><capacity unit='bytes'>%lld</capacity>"
			 "<target><format type='raw'/><permissions><mode>0644</mode></permissions>"
			 "</target></volume>", name, (long long)sb.st_size);
	if (!(*vol = virStorageVolCreateXML(pool, xml, 0)) || !(st = virStreamNew(conn, 0)) ||
	    virStorageVolUpload(*vol, st, 0, (unsigned long long)sb.st_size, 0) < 0 ||
	    virStreamSendAll(st, send_file, &fd) < 0 || virStreamFinish(st) < 0 ||
	    !(remote = virStorageVolGetPath(*vol))) {
		cl_err_set(CL_EINFRA, "libvirt: cannot upload %s as volume %s: %s", path, name,
			   cl_virt_error());
		if (st)
			virStreamAbort(st);
		cl_volume_remove(*vol);
		*vol = NULL;
	}
out:
	if (st)
		virStreamFree(st);
	if (fd >= 0)
		close(fd);
	free(xml);
	virStoragePoolFree(pool);
	return remote;
}

void cl_volume_remove(virStorageVolPtr vol)
{
	if (!vol)
		return;
	virStorageVolDelete(vol, 0);
	virStorageVolFree(vol);
}

/* "@HOSTNAME": what ends the names of this machine's cell volumes (caller frees). */
static char *this_machine(void)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	return cl_sprintf("@%s", host);
}

/* Named by this machine: another controller's pids mean nothing here. */
static int ours(const char *name)
{
	char *suffix = this_machine();
	int yes = strlen(name) > strlen(suffix) &&
		  !strcmp(name + strlen(name) - strlen(suffix), suffix);

	free(suffix);
	return yes;
}

char *cl_volume_name(const char *domain, const char *what)
{
	char *suffix = this_machine(), *name = cl_sprintf("%s-%s%s", domain, what, suffix);

	free(suffix);
	return name;
}

char *cl_volume_path(const char *name)
{
	return cl_path_join(POOL_DIR, name);
}

char *cl_volume_reserve(virConnectPtr conn, const char *name)
{
	virStoragePoolPtr pool = get_pool(conn);
	virStorageVolPtr v;

	if (!pool)
		return NULL;
	virStoragePoolRefresh(pool, 0);
	if ((v = virStorageVolLookupByName(pool, name))) {
		virStorageVolDelete(v, 0);
		virStorageVolFree(v);
	}
	virStoragePoolFree(pool);
	return cl_volume_path(name);
}

static int hash_sink(virStreamPtr st, const char *data, size_t n, void *opaque)
{
	(void)st;
	cl_sha256_update(opaque, data, n);
	return (int)n;
}

int cl_volume_sha256(virConnectPtr conn, const char *path, char out[CL_SHA256_HEX])
{
	virStoragePoolPtr pool = get_pool(conn);
	virStorageVolPtr v = NULL;
	virStreamPtr st = NULL;
	struct cl_sha256 h;
	uint8_t d[CL_SHA256_LEN];
	int rc = -1;

	if (pool)
		virStoragePoolRefresh(pool, 0); /* libvirt wrote the file itself (a save) */
	cl_sha256_init(&h);
	if (pool && (v = virStorageVolLookupByPath(conn, path)) && (st = virStreamNew(conn, 0)) &&
	    virStorageVolDownload(v, st, 0, 0, 0) == 0 && virStreamRecvAll(st, hash_sink, &h) == 0 &&
	    virStreamFinish(st) == 0)
		rc = 0;
	cl_sha256_final(&h, d);
	for (int i = 0; i < CL_SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	if (rc)
		cl_err_set(CL_EINFRA, "libvirt: cannot read volume %s: %s", path, cl_virt_error());
	if (st)
		virStreamFree(st);
	if (v)
		virStorageVolFree(v);
	if (pool)
		virStoragePoolFree(pool);
	return rc;
}

/*
 * Content-addressed volumes: a base image, kernel or initrd the cache made,
 * uploaded to a host once and shared by every cell (and run) after. A
 * marker volume NAME.done is made only after the upload finished, so a
 * volume without it is a killed upload: it is made again.
 */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

static char *shared_path(virStoragePoolPtr pool, const char *name, const char *done)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, done), b;
	char *path = NULL;

	if (v && (b = virStorageVolLookupByName(pool, name))) {
		path = virStorageVolGetPath(b);
		virStorageVolFree(b);
	}
	if (v)
		virStorageVolFree(v);
	return path;
}

char *cl_volume_shared(virConnectPtr conn, const char *path, const char *sha256)
{
	const char *leaf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *name = cl_sprintf("crashlab-base-%.16s-%.80s", sha256, leaf);
	char *done = cl_sprintf("%s.done", name), *remote = NULL;
	virStoragePoolPtr pool;
	virStorageVolPtr vol = NULL, mark;

	pthread_mutex_lock(&shared_lock);
	if (!(pool = get_pool(conn)))
		goto out;
	virStoragePoolRefresh(pool, 0); /* another run may have uploaded it */
	if ((remote = shared_path(pool, name, done)))
		goto out;
	if ((vol = virStorageVolLookupByName(pool, name))) {
		virStorageVolDelete(vol, 0); /* a killed upload */
		virStorageVolFree(vol);
	}
	fprintf(stderr, "crashlab: uploading %s to the host's %s pool (once per host)\n", path, POOL);
	remote = cl_volume_upload(conn, path, name, &vol);
	if (remote) {
		char *xml = cl_sprintf("<volume><name>%s</name><capacity unit='bytes'>0</capacity>"
				       "</volume>", done);

		if (!(mark = virStorageVolCreateXML(pool, xml, 0))) {
			cl_err_set(CL_EINFRA, "libvirt: cannot mark volume %s uploaded: %s", name,
				   cl_virt_error());
			free(remote);
			remote = NULL;
		} else {
			virStorageVolFree(mark);
		}
		free(xml);
		virStorageVolFree(vol);
	}
out:
	pthread_mutex_unlock(&shared_lock);
	if (pool)
		virStoragePoolFree(pool);
	free(name);
	free(done);
	return remote;
}

int cl_volume_sweep(virConnectPtr conn)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, POOL);
	virStorageVolPtr *vols = NULL;
	int n, i, removed = 0, pid;

	if (!pool)
		return 0;
	n = virStoragePoolListAllVolumes(pool, &vols, 0);
	for (i = 0; i < n; i++) {
		const char *name = virStorageVolGetName(vols[i]);

		if (name && sscanf(name, "crashlab-%d-", &pid) == 1 && pid > 0 && ours(name) &&
		    cl_proc_start_time(pid) < 0) {
			fprintf(stderr, "crashlab: removed volume %s, left by run %d that is no longer "
				"running\n", name, pid);
			virStorageVolDelete(vols[i], 0);
			removed++;
		}
		virStorageVolFree(vols[i]);
	}
	free(vols);
	virStoragePoolFree(pool);
	return removed;
}
