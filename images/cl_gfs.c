/*
 * cl_gfs.c - libguestfs sessions on cell overlays (see cl_gfs.h).
 * One handle per session, used by one thread; libguestfs' own messages are
 * silenced and its last error copied into ours.
 *
 * A session has a time limit (GFS_LIMIT_S, lowered by $CRASHLAB_CMD_TIMEOUT):
 * its appliance's kernel command line carries a tag, and a watchdog thread
 * kills the qemu process whose command line holds that tag when the limit
 * passes, so a hung appliance fails the call in progress instead of the
 * cell waiting forever.
 */
#include "cl_gfs.h"
#include "cl_run.h"
#include "cl_util.h"

#include <dirent.h>
#include <errno.h>
#include <guestfs.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GFS_LIMIT_S 600.0

struct cl_gfs {
	guestfs_h *h;
	char *disk;
	int failed;
	/* the watchdog */
	char tag[48];
	double limit_s;
	pthread_t dog;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, fired;
};

static int gfs_fail(struct cl_gfs *g, const char *what)
{
	const char *e = guestfs_last_error(g->h);

	g->failed = 1;
	if (g->fired)
		return cl_err_set(CL_ETIMEOUT, "libguestfs: %s: %s: no result after %.0f s, appliance "
				  "killed", g->disk, what, g->limit_s);
	return cl_err_set(CL_EINFRA, "libguestfs: %s: %s: %s", g->disk, what, e ? e : "failed");
}

/* SIGKILL every process whose command line contains @tag (the appliance's qemu). */
static void kill_tagged(const char *tag)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *path, *cmd = NULL;
		size_t len = 0;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		path = cl_sprintf("/proc/%s/cmdline", e->d_name);
		if (cl_read_file(&cmd, &len, path, 1 << 20) == 0 && memmem(cmd, len, tag, strlen(tag)))
			kill((pid_t)atol(e->d_name), SIGKILL);
		free(cmd);
		free(path);
	}
	if (d)
		closedir(d);
}

static void *watchdog(void *arg)
{
	struct cl_gfs *g = arg;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)g->limit_s;
	pthread_mutex_lock(&g->mu);
	while (!g->done && !g->fired)
		if (pthread_cond_timedwait(&g->cv, &g->mu, &until) == ETIMEDOUT)
			g->fired = 1;
	pthread_mutex_unlock(&g->mu);
	if (g->fired)
		kill_tagged(g->tag);
	return NULL;
}

static void watch_start(struct cl_gfs *g)
{
	static unsigned int seq;

	snprintf(g->tag, sizeof(g->tag), "crashlab.gfs=%d-%u", (int)getpid(),
		 __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	guestfs_set_append(g->h, g->tag);
	g->limit_s = cl_run_time_limit(GFS_LIMIT_S);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	pthread_create(&g->dog, NULL, watchdog, g);
}

static void watch_stop(struct cl_gfs *g)
{
	pthread_mutex_lock(&g->mu);
	g->done = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->dog, NULL);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
}

static void free_strings(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static guestfs_h *new_handle(void)
{
	char *const tcg[] = { "force_tcg", NULL };
	guestfs_h *h = guestfs_create();

	if (!h)
		return NULL;
	guestfs_set_error_handler(h, NULL, NULL);
	guestfs_set_backend(h, "direct");
	/* nested KVM hangs on these machines; CRASHLAB_ACCEL=kvm lets it be used */
	if (!getenv("CRASHLAB_ACCEL") || strcmp(getenv("CRASHLAB_ACCEL"), "kvm"))
		guestfs_set_backend_settings(h, tcg);
	guestfs_set_memsize(h, 768);
	return h;
}

int cl_gfs_overlay(const char *path, const char *base)
{
	guestfs_h *h = new_handle();
	int rc = 0;

	if (!h)
		return cl_err_set(CL_EINFRA, "libguestfs: cannot create a handle");
	if (guestfs_disk_create(h, path, "qcow2", -1, GUESTFS_DISK_CREATE_BACKINGFILE, base,
				GUESTFS_DISK_CREATE_BACKINGFORMAT, "qcow2", -1) != 0)
		rc = cl_err_set(CL_EINFRA, "cannot create overlay %s on %s: %s", path, base,
				guestfs_last_error(h) ? guestfs_last_error(h) : "failed");
	guestfs_close(h);
	return rc;
}

/* Mount the guest's file systems, shortest mount point first. */
static int mount_guest(struct cl_gfs *g)
{
	char **roots = guestfs_inspect_os(g->h), **mps;
	size_t i, n = 0;
	int rc = 0;

	if (!roots || !roots[0]) {
		free_strings(roots);
		return gfs_fail(g, "no operating system found on the disk");
	}
	mps = guestfs_inspect_get_mountpoints(g->h, roots[0]);
	for (n = 0; mps && mps[n]; n += 2)
		;
	for (size_t len = 1; rc == 0 && len < 256; len++)
		for (i = 0; rc == 0 && i < n; i += 2)
			if (strlen(mps[i]) == len && guestfs_mount(g->h, mps[i + 1], mps[i]) != 0)
				rc = gfs_fail(g, "mount");
	free_strings(mps);
	free_strings(roots);
	return rc;
}

int cl_gfs_open(struct cl_gfs **out, const char *disk, const char *root)
{
	struct cl_gfs *g = cl_xcalloc(1, sizeof(*g));
	int rc = 0;

	*out = NULL;
	g->disk = cl_xstrdup(disk);
	if (!(g->h = new_handle())) {
		free(g->disk);
		free(g);
		return cl_err_set(CL_EINFRA, "libguestfs: cannot create a handle");
	}
	watch_start(g);
	if (guestfs_add_drive_opts(g->h, disk, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "qcow2", -1) != 0)
		rc = gfs_fail(g, "add drive");
	else if (guestfs_launch(g->h) != 0)
		rc = gfs_fail(g, "launch the appliance");
	else if (root && guestfs_mount(g->h, root, "/") != 0)
		rc = gfs_fail(g, "mount the root file system");
	else if (!root)
		rc = mount_guest(g);
	if (rc) {
		watch_stop(g);
		guestfs_close(g->h);
		free(g->disk);
		free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int cl_gfs_close(struct cl_gfs *g)
{
	int rc = 0;

	if (!g)
		return 0;
	if (guestfs_umount_all(g->h) != 0 || guestfs_shutdown(g->h) != 0)
		rc = gfs_fail(g, "flush and close");
	watch_stop(g);
	guestfs_close(g->h);
	free(g->disk);
	free(g);
	return rc;
}

static int parent_dir(struct cl_gfs *g, const char *path)
{
	char *dir = cl_dirname(path);
	int rc = 0;

	if (guestfs_mkdir_p(g->h, dir) != 0)
		rc = gfs_fail(g, dir);
	free(dir);
	return rc;
}

int cl_gfs_upload(struct cl_gfs *g, const char *host_file, const char *guest_path, int mode)
{
	int rc;

	if ((rc = parent_dir(g, guest_path)))
		return rc;
	if (guestfs_upload(g->h, host_file, guest_path) != 0 ||
	    guestfs_chmod(g->h, mode, guest_path) != 0)
		return gfs_fail(g, guest_path);
	return 0;
}

int cl_gfs_write(struct cl_gfs *g, const char *guest_path, const char *text, int mode)
{
	int rc;

	if ((rc = parent_dir(g, guest_path)))
		return rc;
	if (guestfs_write(g->h, guest_path, text, strlen(text)) != 0 ||
	    guestfs_chmod(g->h, mode, guest_path) != 0)
		return gfs_fail(g, guest_path);
	return 0;
}

int cl_gfs_symlink(struct cl_gfs *g, const char *target, const char *link)
{
	int rc;

	if ((rc = parent_dir(g, link)))
		return rc;
	if (guestfs_ln_sf(g->h, target, link) != 0)
		return gfs_fail(g, link);
	return 0;
}

int cl_gfs_run(struct cl_gfs *g, const char *const argv[])
{
	char *out = guestfs_command(g->h, (char *const *)argv);

	if (!out)
		return gfs_fail(g, argv[0]);
	free(out);
	return 0;
}

int cl_gfs_delete_glob(struct cl_gfs *g, const char *pattern, int *count)
{
	char **paths = guestfs_glob_expand(g->h, pattern);
	int rc = 0;
	size_t i;

	*count = 0;
	if (!paths)
		return gfs_fail(g, pattern);
	for (i = 0; paths[i] && rc == 0; i++) {
		if (guestfs_rm_rf(g->h, paths[i]) != 0)
			rc = gfs_fail(g, paths[i]);
		else
			(*count)++;
	}
	free_strings(paths);
	return rc;
}

int cl_gfs_exists(struct cl_gfs *g, const char *guest_path)
{
	return guestfs_exists(g->h, guest_path) == 1;
}
