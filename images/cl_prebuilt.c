/*
 * cl_prebuilt.c - modules a vendor built for each kernel it supports
 * (manifest v2 "module.prebuilt"), laid out as a module list like a DKMS
 * build's (cl_dkms.h), so that both install the same way.
 */
#include "cl_prebuilt.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cl_prebuilt *prebuilt_for(const struct cl_candidate *c, const char *release)
{
	int i;

	for (i = 0; i < c->nprebuilt; i++)
		if (!strcmp(c->prebuilt[i].release, release))
			return &c->prebuilt[i];
	return NULL;
}

/* Copy each module into @dir as NAME.ko, checked again after the copy, then the list. */
static int lay_out(const struct cl_prebuilt *p, const char *dir, const char *list, const char *text)
{
	char have[CL_SHA256_HEX];
	int i, rc = cl_mkdir_p(dir, 0755);

	for (i = 0; i < p->n && rc == 0; i++) {
		char *dst = cl_sprintf("%s/%s.ko", dir, p->name[i]), *data = NULL;
		size_t len;

		if ((rc = cl_read_file(&data, &len, p->file[i], 256u << 20)) == 0 &&
		    (rc = cl_write_file(dst, data, len)) == 0 && cl_sha256_file(have, dst) == 0 &&
		    strcmp(have, p->sha256[i]))
			rc = cl_err_set(CL_EINPUT, "%s changed since the manifest was read", p->file[i]);
		free(data);
		free(dst);
	}
	return rc ? rc : cl_write_file(list, text, strlen(text));
}

int cl_prebuilt_set(char **list, char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
		    const char *release)
{
	const struct cl_prebuilt *p = prebuilt_for(cand, release);
	char *text = NULL, *dir, *lock, *path, *have = NULL, key[CL_SHA256_HEX];
	size_t len = 0;
	int i, fd, rc;

	*list = NULL;
	if (!p)
		return cl_err_set(CL_EINFRA, "%s %s ships no module for kernel %s (module.prebuilt)",
				  cand->name, cand->version, release);
	text = cl_xstrdup("");
	for (i = 0; i < p->n; i++)
		cl_append(&text, &len, "%s %s\n", p->name[i], p->sha256[i]);
	cl_sha256_hex(key, text, len);
	dir = cl_sprintf("%s/modules/prebuilt-%.16s-%s", cl_cache_dir(), key, release);
	lock = cl_sprintf("%s.lock", dir);
	path = cl_sprintf("%s/modules", dir);
	fd = cl_lock_wait(lock);
	/* the list is written last: one that says what this set says is complete */
	if (cl_read_file(&have, NULL, path, 1u << 20) || strcmp(have, text)) {
		cl_rm_rf(dir);
		rc = lay_out(p, dir, path, text);
	} else {
		rc = 0;
	}
	if (rc == 0) {
		cl_sha256_hex(sha, text, len);
		*list = path;
		path = NULL;
	}
	if (fd >= 0)
		close(fd);
	free(have);
	free(text);
	free(dir);
	free(lock);
	free(path);
	return rc;
}

int cl_prebuilt_packaged(char **list, char sha[CL_SHA256_HEX])
{
	char *dir = cl_sprintf("%s/modules/packaged", cl_cache_dir());
	char *path = cl_sprintf("%s/modules", dir);
	int rc = cl_mkdir_p(dir, 0755);

	/* nothing to install: the OS has the modules from the candidate's own package */
	if (rc == 0 && !cl_file_exists(path))
		rc = cl_write_file(path, "", 0);
	free(dir);
	*list = NULL;
	if (rc) {
		free(path);
		return rc;
	}
	cl_sha256_hex(sha, "", 0);
	*list = path;
	return 0;
}
