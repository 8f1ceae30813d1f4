/*
 * cl_media.c - the files a cell adds to its guest (see cl_media.h), each
 * read from its file and written either as an overlay cpio after the base
 * initramfs or into the stream a restored guest receives on its agent
 * channel.
 */
#include "cl_media.h"
#include "cl_cpio.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cl_media_files(const struct cl_candidate *cand, const char *ko_path, const char *plan,
		   cl_media_file_fn fn, void *ctx)
{
	const char *names[1 + CL_MAX_CONTENT + CL_MAX_INSTALL_FILES + CL_MAX_MUTANT_FILES];
	char *owned[1 + CL_MAX_CONTENT + CL_MAX_INSTALL_FILES + CL_MAX_MUTANT_FILES];
	int i, n = 0, rc;

	if ((rc = fn(ctx, "crashlab/plan", plan, strlen(plan))))
		return rc;
	if (cand->module_name) {
		owned[n] = cl_sprintf("crashlab/candidate/%s.ko", cand->module_name);
		names[n++] = ko_path;
	}
	for (i = 0; cand->bpf.start_argv[0] && i < cand->nfiles; i++) { /* the agent starts it */
		owned[n] = cl_sprintf("crashlab/candidate/file-%d", i);
		names[n++] = cand->files[i].file;
	}
	for (i = 0; i < cand->ncontent; i++) {
		owned[n] = cl_sprintf("crashlab/candidate/content-%d", i);
		names[n++] = cand->content[i].file;
	}
	for (i = 0; i < cand->nmutants; i++) {
		owned[n] = cl_sprintf("crashlab/mutants/%d", i);
		names[n++] = cand->mutants[i].file;
	}
	for (i = 0; i < n; i++) {
		char *data = NULL;
		size_t len;

		if (rc == 0 && (rc = cl_read_file(&data, &len, names[i], 256u << 20)) == 0)
			rc = fn(ctx, owned[i], data, len);
		free(data);
		free(owned[i]);
	}
	return rc;
}

static int cpio_add(void *ctx, const char *name, const void *data, size_t len)
{
	cl_cpio_file(ctx, name, 0644, data, len);
	return 0;
}

int cl_media_initrd(const char *out_path, const char *base, const struct cl_candidate *cand,
		    const char *ko_path, const char *plan)
{
	struct cl_cpio c;
	char *data;
	size_t len;
	FILE *f;
	int rc;

	if ((rc = cl_read_file(&data, &len, base, 1u << 30)))
		return cl_err_set(CL_EINFRA, "%s", cl_err());
	f = fopen(out_path, "wbe");
	if (!f) {
		free(data);
		return cl_err_set(CL_EINFRA, "%s: cannot create: %s", out_path, strerror(errno));
	}
	if (fwrite(data, 1, len, f) != len) {
		free(data);
		fclose(f);
		return cl_err_set(CL_EINFRA, "%s: write failed", out_path);
	}
	free(data);
	cl_cpio_begin(&c, f, (long)len);
	cl_cpio_dir(&c, "crashlab");
	cl_cpio_dir(&c, "crashlab/candidate");
	if (cand->nmutants)
		cl_cpio_dir(&c, "crashlab/mutants");
	rc = cl_media_files(cand, ko_path, plan, cpio_add, &c);
	if (cl_cpio_end(&c) != 0 && rc == 0)
		rc = cl_err_set(CL_EINFRA, "%s: write failed", out_path);
	if (fclose(f) != 0 && rc == 0)
		rc = cl_err_set(CL_EINFRA, "%s: write failed", out_path);
	return rc;
}

struct delivery {
	char *buf;
	size_t len;
};

static int delivery_add(void *ctx, const char *name, const void *data, size_t len)
{
	struct delivery *d = ctx;
	char hex[CL_SHA256_HEX];

	cl_sha256_hex(hex, data, len);
	cl_append(&d->buf, &d->len, "PUT %zu %s %s\n", len, hex, name);
	d->buf = realloc(d->buf, d->len + len + 1);
	if (!d->buf)
		abort();
	memcpy(d->buf + d->len, data, len);
	d->len += len;
	d->buf[d->len] = '\0';
	return 0;
}

int cl_media_delivery(char **buf, size_t *len, const struct cl_candidate *cand,
		      const char *ko_path, const char *plan)
{
	struct delivery d = { 0 };
	int rc = cl_media_files(cand, ko_path, plan, delivery_add, &d);

	if (rc) {
		free(d.buf);
		return cl_err_set(CL_EINFRA, "%s", cl_err());
	}
	cl_append(&d.buf, &d.len, "GO\n");
	*buf = d.buf;
	*len = d.len;
	return 0;
}
