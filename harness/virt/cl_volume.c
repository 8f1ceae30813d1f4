/*
 * cl_volume.c - files uploaded to a host's "crashlab" storage pool, shared
 * by content digest or named for one cell (see cl_volume.h).
 */
#include "cl_volume.h"
#include "cl_host.h"
#include "cl_scratch.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POOL "crashlab"
#define POOL_DIR "/var/lib/libvirt/crashlab"

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
			   cl_host_error());
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
			   cl_host_error());
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
	int yes = strlen(name) > strlen(suffix) && cl_ends_with(name, suffix);

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
		cl_err_set(CL_EINFRA, "libvirt: cannot read volume %s: %s", path, cl_host_error());
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
				   cl_host_error());
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
		    cl_scratch_proc_start(pid) < 0) {
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
