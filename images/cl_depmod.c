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

/* The image's tree, unpacked into scratch/depmod on the first module. */
static int unpack(struct cl_depmod *d)
{
	char *root = cl_path_join(d->scratch, "depmod");
	char *log = cl_path_join(d->scratch, "depmod.log");
	char *argv[] = { "tar", "--zstd", "-xf", (char *)d->tree_tar, "-C", root, NULL };
	int st;

	cl_rm_rf(root);
	cl_mkdir_p(root, 0755);
	st = cl_run(argv, log, DEPMOD_LIMIT_S);
	if (st != 0) {
		char *last = st > 0 ? cl_log_last_line(log) : NULL;

		cl_rm_rf(root);
		free(root);
		st = st < 0 ? st : cl_err_set(CL_EINFRA, "%s: cannot unpack (tar exit %d): %s",
					      d->tree_tar, st, last);
		free(last);
		free(log);
		return st;
	}
	free(log);
	d->root = root;
	return 0;
}

void cl_depmod_clear(struct cl_depmod *d)
{
	if (d->root)
		cl_rm_rf(d->root);
	free(d->root);
	d->root = NULL;
}

/* Under /lib/modules/RELEASE/ and no ".." anywhere: a path of the tree, never beside it. */
static int in_tree(const struct cl_depmod *d, const char *guest_path)
{
	char *top = cl_sprintf("/lib/modules/%s/", d->release);
	int ok = !strncmp(guest_path, top, strlen(top)) && !strstr(guest_path, "/../") &&
		 !strstr(guest_path, "/./");

	free(top);
	return ok;
}

int cl_depmod_add(struct cl_depmod *d, const char *host_file, const char *guest_path)
{
	char *dest, *dir;
	int rc;

	if (!in_tree(d, guest_path))
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
	char *log = cl_path_join(d->scratch, "depmod.log");
	char *gdir = cl_sprintf("/lib/modules/%s", d->release);
	char *dir = cl_sprintf("%s%s", d->root, gdir);
	int st = cl_run(argv, log, DEPMOD_LIMIT_S);
	char *last = st > 0 ? cl_log_last_line(log) : NULL;
	int rc = st < 0 ? st : st ? cl_err_set(CL_EINFRA, "depmod %s over %s failed (exit %d): %s",
					       d->release, d->tree_tar, st, last)
				  : upload_indexes(g, dir, gdir);

	free(last);
	cl_depmod_clear(d);
	if (rc == 0)
		unlink(log);
	free(dir);
	free(gdir);
	free(log);
	return rc;
}

int cl_depmod_write(struct cl_depmod *d, struct cl_gfs *g)
{
	/* no module added (a package's own, indexed when the image was built):
	 * the indexes are the image's */
	return d->root ? run_depmod(d, g) : 0;
}
