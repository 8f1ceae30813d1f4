/*
 * cl_dkms.c - DKMS sources fetched and built per kernel (see cl_dkms.h).
 */
#include "cl_dkms.h"
#include "cl_builder.h"
#include "cl_image.h"
#include "cl_run.h"
#include "cl_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one .deb apt-get left in @dir, as a new path; NULL when not exactly one. */
static char *only_deb(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;
	int n = 0;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 4 && !strcmp(e->d_name + len - 4, ".deb") && n++ == 0)
			found = cl_path_join(dir, e->d_name);
	}
	if (d)
		closedir(d);
	if (n != 1) {
		free(found);
		found = NULL;
	}
	return found;
}

/* apt-get download of c->dkms_package into @tmp; the .deb checked and moved to @dest. */
static int download(const struct cl_candidate *c, const char *tmp, const char *dest)
{
	char *log = cl_sprintf("%s/apt.log", tmp), *deb = NULL;
	char *argv[] = { "sh", "-c", "cd \"$1\" && apt-get download -q \"$2\"", "sh", (char *)tmp,
			 c->dkms_package, NULL };
	char actual[CL_SHA256_HEX];
	int status = cl_run(argv, log, 600), rc = 0;

	if (status != 0 || !(deb = only_deb(tmp))) {
		char *last = cl_log_last_line(log);

		rc = cl_err_set(status < 0 ? status : CL_EINFRA, "%s: module.dkms: cannot fetch %s: %s",
				c->path, c->dkms_package, last);
		free(last);
	} else if (cl_sha256_file(actual, deb) || strcmp(actual, c->dkms_sha256)) {
		rc = cl_err_set(CL_EINPUT, "%s: module.dkms: %s from the archive has sha256 %s, "
				"manifest says %s", c->path, c->dkms_package, actual, c->dkms_sha256);
	} else if (rename(deb, dest) != 0) {
		rc = cl_err_set(CL_EINFRA, "%s: cannot store %s", dest, c->dkms_package);
	}
	free(deb);
	free(log);
	return rc;
}

int cl_dkms_fetch(struct cl_candidate *c)
{
	char *dest, *tmp, *lock;
	char have[CL_SHA256_HEX];
	int rc = 0, fd;

	if (!c->dkms_package || c->dkms_source)
		return 0;
	/* stored under its digest: what is there was checked when it was stored */
	dest = cl_sprintf("%s/debs/%s.deb", cl_cache_dir(), c->dkms_sha256);
	lock = cl_sprintf("%s.lock", dest);
	fd = cl_lock_wait(lock);
	if (!(cl_sha256_file(have, dest) == 0 && !strcmp(have, c->dkms_sha256))) {
		fprintf(stderr, "crashlab: fetching %s from the Debian archive\n", c->dkms_package);
		tmp = cl_sprintf("%s.tmp", dest);
		cl_rm_rf(tmp);
		rc = cl_mkdir_p(tmp, 0755);
		if (rc == 0)
			rc = download(c, tmp, dest);
		cl_rm_rf(tmp);
		free(tmp);
	}
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		c->dkms_source = cl_xstrdup(dest);
	free(lock);
	free(dest);
	return rc;
}

/* The build's failure as dkms.sh's last line says it (exit 4: does not build). */
static int build_failed(int status, const char *log, const char *release)
{
	char *last = cl_log_last_line(log);
	const char *why = !strncmp(last, "dkms: ", 6) ? last + 6 : last;
	int rc;

	if (status < 0)
		rc = status;
	else if (status == 4)
		rc = cl_err_set(CL_EINFRA, "%s", why);
	else
		rc = cl_err_set(CL_EINFRA, "building the DKMS source for %s failed (exit %d): %s",
				release, status, why);
	free(last);
	return rc;
}

int cl_dkms_build(char **list, char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
		  const char *headers, const char *release)
{
	char *script = cl_sprintf("%s/images/dkms.sh", cl_data_dir());
	char *id = cl_sprintf("%s\n%s\n", cand->dkms_sha256[0] ? cand->dkms_sha256 : cand->dkms_source,
			      release);
	char key[CL_SHA256_HEX], *dir, *lock, *path;
	uint8_t d[CL_SHA256_LEN];
	struct cl_sha256 h;
	int fd, status, rc = 0;

	*list = NULL;
	cl_sha256_init(&h);
	cl_sha256_update(&h, id, strlen(id));
	cl_image_hash_config(&h, headers); /* the tree, not only its name */
	cl_sha256_final(&h, d);
	cl_hex(key, d, sizeof(d));
	dir = cl_sprintf("%s/modules/dkms-%.16s", cl_cache_dir(), key);
	lock = cl_sprintf("%s.lock", dir);
	path = cl_sprintf("%s/modules", dir);
	fd = cl_lock_wait(lock);
	{
		char *argv[] = { "bash", script, cand->dkms_source, (char *)release, (char *)headers, dir,
				 NULL };
		char *runlog = cl_sprintf("%s.log", dir);

		/* dkms.conf and the source's Makefiles: unprivileged, writing @dir only */
		unlink(runlog);
		if ((rc = cl_mkdir_p(dir, 0755)) || (rc = cl_builder_can_read(headers)) ||
		    (rc = cl_builder_can_read(cand->dkms_source)) || (rc = cl_builder_give(dir)))
			status = rc;
		else
			status = cl_run_ex(argv, &(struct cl_run_opts){ .log = runlog, .timeout_s = 1800,
									 .candidate_code = 1 });
		if (cl_builder_take(dir) && status == 0)
			status = CL_ESETUP;
		if (status != 0)
			rc = build_failed(status, runlog, release);
		free(runlog);
	}
	if (rc == 0 && (rc = cl_sha256_file(sha, path)) == 0) {
		*list = path;
		path = NULL;
	}
	if (fd >= 0)
		close(fd);
	free(script);
	free(id);
	free(dir);
	free(lock);
	free(path);
	return rc;
}

int cl_dkms_each(const char *list, cl_dkms_module_fn fn, void *ctx)
{
	char *text = NULL, *dir = cl_dirname(list), *line, *save = NULL;
	int rc;

	if ((rc = cl_read_file(&text, NULL, list, 1u << 20)))
		goto out;
	for (line = strtok_r(text, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' '), *ko;

		if (!sp)
			continue;
		*sp = '\0';
		ko = cl_sprintf("%s/%s.ko", dir, line);
		rc = fn(ctx, line, ko);
		free(ko);
	}
out:
	free(text);
	free(dir);
	return rc;
}
