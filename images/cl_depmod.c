/*
 * cl_depmod.c - depmod for a cell's disk, on the host (see cl_depmod.h).
 */
#include "cl_depmod.h"
#include "cl_run.h"
#include "cl_util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEPMOD_LIMIT_S 120.0

void cl_depmod_clear(struct cl_depmod *d)
{
	if (d->root)
		cl_rm_rf(d->root);
	free(d->root);
	d->root = NULL;
}

/* @argv with its output in the scratch directory's depmod.log: 0, or an error
 * quoting the log's last line (the directory is gone once the cell ends). */
static int run_step(const struct cl_depmod *d, char *const argv[], const char *what)
{
	char *log = cl_path_join(d->scratch, "depmod.log");
	int rc = cl_run(argv, log, DEPMOD_LIMIT_S);

	if (rc > 0) {
		char *last = cl_log_last_line(log);

		rc = cl_err_set(CL_EINFRA, "%s %s failed (exit %d): %s", what, d->tree_tar, rc, last);
		free(last);
	}
	if (rc == 0)
		unlink(log);
	free(log);
	return rc;
}

/* The image's tree, unpacked into scratch/depmod on the first module. */
static int unpack(struct cl_depmod *d)
{
	char *argv[] = { "tar", "--zstd", "-xf", (char *)d->tree_tar, "-C", NULL, NULL };
	int rc;

	d->root = cl_path_join(d->scratch, "depmod");
	argv[5] = d->root;
	cl_rm_rf(d->root);
	cl_mkdir_p(d->root, 0755);
	if ((rc = run_step(d, argv, "unpacking")))
		cl_depmod_clear(d);
	return rc;
}

int cl_depmod_add(struct cl_depmod *d, const char *host_file, const char *guest_path)
{
	char *top = cl_sprintf("/lib/modules/%s/", d->release), *dest, *dir;
	/* a path of the tree, never beside it (module names may hold '_', which
	 * cl_token_guest_path refuses: checked here) */
	int rc = strncmp(guest_path, top, strlen(top)) || strstr(guest_path, "..");

	free(top);
	if (rc)
		return cl_err_set(CL_EINPUT, "module path %s is not under /lib/modules/%s",
				  guest_path, d->release);
	if (!d->root && (rc = unpack(d)))
		return rc;
	dest = cl_sprintf("%s%s", d->root, guest_path);
	dir = cl_dirname(dest);
	if ((rc = cl_mkdir_p(dir, 0755)) == 0)
		rc = cl_copy_tree(host_file, dest);
	free(dir);
	free(dest);
	return rc;
}

/* Every modules.* file depmod left in @dir, written to the guest's @gdir. */
static int upload_indexes(struct cl_gfs *g, const char *dir, const char *gdir)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	int rc = 0, n = 0;

	if (!dh)
		return cl_err_set(CL_EINFRA, "%s: cannot read depmod's output", dir);
	while (rc == 0 && (e = readdir(dh))) {
		char *from, *to;
		struct stat st;

		if (strncmp(e->d_name, "modules.", 8))
			continue;
		from = cl_path_join(dir, e->d_name);
		to = cl_path_join(gdir, e->d_name);
		if (lstat(from, &st) == 0 && S_ISREG(st.st_mode)) { /* never a link out of the tree */
			rc = cl_gfs_upload(g, from, to, 0644);
			n++;
		}
		free(from);
		free(to);
	}
	closedir(dh);
	return rc ? rc : n ? 0 : cl_err_set(CL_EINFRA, "%s: depmod wrote no index", dir);
}

static int run_depmod(struct cl_depmod *d, struct cl_gfs *g)
{
	char *argv[] = { "/sbin/depmod", "-b", d->root, "-a", (char *)d->release, NULL };
	char *gdir = cl_sprintf("/lib/modules/%s", d->release);
	char *dir = cl_sprintf("%s%s", d->root, gdir);
	int rc = run_step(d, argv, "depmod over");

	if (rc == 0)
		rc = upload_indexes(g, dir, gdir);
	cl_depmod_clear(d);
	free(dir);
	free(gdir);
	return rc;
}

int cl_depmod_write(struct cl_depmod *d, struct cl_gfs *g)
{
	/* no module added (a package's own, indexed when the image was built):
	 * the indexes are the image's */
	return d->root ? run_depmod(d, g) : 0;
}
