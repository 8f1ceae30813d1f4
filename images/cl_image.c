/*
 * cl_image.c - image and module preparation (see cl_image.h). The heavy
 * lifting of image building is in images/mkimage.sh (apt-get download,
 * dpkg-deb -x, cpio); this file drives it, builds candidate modules with the
 * kernel's own kbuild, and writes per-cell overlays.
 */
#include "cl_image.h"
#include "cl_builder.h"
#include "cl_artifacts.h"
#include "cl_cpio.h"
#include "cl_dkms.h"
#include "cl_prebuilt.h"
#include "cl_util.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int cl_image_is_debug(const char *release)
{
	size_t n = strlen(release);

	return n > 6 && !strcmp(release + n - 6, "-debug");
}

/* A debug kernel not built yet is a long job: say so before it starts. */
static void announce_debug_build(const char *release, const char *cache, const char *log)
{
	char *tree = cl_sprintf("%s/kernels/%s/headers/usr/src/linux-headers-%s/.crashlab-key",
				cache, release, release);

	if (!cl_file_exists(tree))
		fprintf(stderr, "crashlab: building the debug kernel %s from Debian's source "
			"(the first build takes about %d minutes; progress in %s)\n", release,
			CL_DEBUG_BUILD_MINUTES, log);
	free(tree);
}

/* Run images/mkimage.sh for @release (with --check when @check_only). */
static int run_mkimage(const char *release, int check_only)
{
	const char *cache = cl_cache_dir();
	char *script = cl_sprintf("%s/images/mkimage.sh", cl_data_dir());
	char *agent = cl_xstrdup(cl_agent_path());
	char *logdir = cl_sprintf("%s/logs", cache);
	/* one log per run: runs sharing the cache do not write over each other's */
	char *log = cl_sprintf("%s/mkimage-%s.%d.log", logdir, release, (int)getpid());
	char *argv[] = { "bash", script, (char *)release, (char *)cache, agent,
			 check_only ? "--check" : NULL, NULL };
	int rc, status;

	if (!cl_file_exists(agent)) {
		rc = cl_err_set(CL_EINFRA, "%s: guest agent not built (run make)", agent);
		goto done;
	}
	if ((rc = cl_mkdir_p(logdir, 0755)))
		goto done;
	if (!check_only && cl_image_is_debug(release))
		announce_debug_build(release, cache, log);
	status = cl_run(argv, log, check_only ? 120 : cl_image_is_debug(release) ? 3 * 3600 : 1800);
	if (status < 0) {
		rc = status;
	} else if (status == 3) {
		/* mkimage.sh's last line says which package is missing */
		char *text = cl_log_last_line(log), *last = text;

		if (!strncmp(last, "mkimage: ", 9))
			last += 9;
		rc = cl_err_set(CL_EINPUT, "unknown kernel %s: %s", release,
				*last ? last : "no such Debian kernel package");
		free(text);
	} else if (status != 0) {
		rc = cl_err_set(CL_EINFRA, "building the image for %s failed (exit %d), see %s",
				release, status, log);
	}
	if (rc == 0)
		unlink(log); /* kept only when it explains a failure */
done:
	free(script);
	free(agent);
	free(logdir);
	free(log);
	return rc;
}

int cl_image_has_config(const struct cl_image *img, const char *sym)
{
	char *path = img->headers ? cl_path_join(img->headers, ".config") : NULL, *text = NULL;
	char *want = cl_sprintf("\n%s=", sym), *at;
	const char *val = NULL;
	size_t n = strlen(sym);
	int found;

	if (path && cl_read_file(&text, NULL, path, 4u << 20) == 0) {
		if (!strncmp(text, sym, n) && text[n] == '=')
			val = text + n + 1; /* the first line */
		else if ((at = strstr(text, want)))
			val = at + strlen(want);
	}
	found = val && (*val == 'y' || *val == 'm');
	free(path);
	free(text);
	free(want);
	return found;
}

int cl_image_check(const char *release)
{
	return run_mkimage(release, 1);
}

/* Read @dir/@name into @out (at most @cap - 1 bytes); "" when there is none
 * or it is larger than 4 KiB. */
static void read_small(char *out, size_t cap, const char *dir, const char *name)
{
	char *path = cl_path_join(dir, name), *text = NULL;
	size_t len;

	out[0] = '\0';
	if (cl_read_file(&text, &len, path, 4096) == 0)
		snprintf(out, cap, "%s", text);
	free(text);
	free(path);
}

int cl_image_ensure(struct cl_image *out, const char *release)
{
	const char *cache = cl_cache_dir();
	char *dir;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = run_mkimage(release, 0)))
		return rc;
	/* what the report says was booted, read now: the cache never changes it */
	dir = cl_sprintf("%s/images/%s", cache, release);
	read_small(out->media_sums, sizeof(out->media_sums), dir, "sums");
	read_small(out->packages, sizeof(out->packages), dir, "packages");
	free(dir);
	out->vmlinuz = cl_sprintf("%s/images/%s/vmlinuz", cache, release);
	out->vmlinux = cl_sprintf("%s/images/%s/vmlinux", cache, release);
	if (!cl_file_exists(out->vmlinux)) { /* no PVH entry: the bzImage boots */
		free(out->vmlinux);
		out->vmlinux = NULL;
	}
	out->base_initrd = cl_sprintf("%s/images/%s/base.cpio.gz", cache, release);
	out->headers = cl_sprintf("%s/kernels/%s/headers/usr/src/linux-headers-%s", cache, release,
				  release);
	return 0;
}

/* The disk image's name in the cache: the release, or the release and a
 * digest of the candidate's packages (each package set its own image). */
static char *disk_name(const char *release, const struct cl_candidate *cand)
{
	char *list = cl_xstrdup(""), hex[CL_SHA256_HEX];
	size_t len = 0;
	int i;

	if (!cand || cand->npackages == 0) {
		free(list);
		return cl_xstrdup(release);
	}
	for (i = 0; i < cand->npackages; i++) /* a vendor's .deb by its bytes, not its path */
		cl_append(&list, &len, "%s\n", cand->package_sha256[i][0] ? cand->package_sha256[i]
									 : cand->packages[i]);
	cl_sha256_hex(hex, list, len);
	free(list);
	return cl_sprintf("%s+%.12s", release, hex);
}

static int run_mkdisk(const char *release, const char *name, const struct cl_candidate *cand)
{
	const char *cache = cl_cache_dir();
	char *script = cl_sprintf("%s/images/mkdisk.sh", cl_data_dir());
	char *log = cl_sprintf("%s/logs/mkdisk-%s.%d.log", cache, name, (int)getpid());
	char *logdir = cl_dirname(log);
	char *argv[6 + CL_MAX_PACKAGES] = { "bash", script, (char *)release, (char *)cache };
	int rc = 0, status, a = 4, i;

	if (strcmp(name, release)) {
		argv[a++] = "--packages";
		argv[a++] = (char *)name;
		for (i = 0; i < cand->npackages; i++)
			argv[a++] = cand->packages[i];
	}
	argv[a] = NULL;
	cl_mkdir_p(logdir, 0755);
	status = cl_run(argv, log, 2400);
	if (status < 0) {
		rc = status;
	} else if (status == 3) {
		char *last = cl_log_last_line(log);

		rc = cl_err_set(CL_EINPUT, "%s", !strncmp(last, "mkdisk: ", 8) ? last + 8 : last);
		free(last);
	} else if (status != 0) {
		rc = cl_err_set(CL_EINFRA, "building the disk image %s failed (exit %d), see %s", name,
				status, log);
	}
	if (rc == 0)
		unlink(log); /* kept only when it explains a failure */
	free(script);
	free(log);
	free(logdir);
	return rc;
}

int cl_image_disk_ensure(struct cl_image *img, const char *release, const struct cl_candidate *cand)
{
	const char *cache = cl_cache_dir();
	char *name;
	int rc;

	if (img->disk)
		return 0;
	name = disk_name(release, cand);
	if ((rc = run_mkdisk(release, name, cand)) == 0) {
		char *dir = cl_sprintf("%s/disks/%s", cache, name);

		img->disk = cl_path_join(dir, "disk.qcow2");
		img->disk_vmlinuz = cl_path_join(dir, "vmlinuz");
		img->disk_initrd = cl_path_join(dir, "initrd.img");
		read_small(img->disk_sums, sizeof(img->disk_sums), dir, "sums");
		free(dir);
	}
	free(name);
	return rc;
}

void cl_image_clear(struct cl_image *img)
{
	free(img->disk);
	free(img->disk_vmlinuz);
	free(img->disk_initrd);
	free(img->vmlinuz);
	free(img->vmlinux);
	free(img->base_initrd);
	free(img->headers);
	memset(img, 0, sizeof(*img));
}

static int copy_file(const char *src, const char *dst)
{
	char *data;
	size_t len;
	int rc;

	if ((rc = cl_read_file(&data, &len, src, 64u << 20)))
		return rc;
	rc = cl_write_file(dst, data, len);
	free(data);
	return rc;
}

/*
 * A built module is recorded with its digest (NAME.ko.sha256, written after
 * the build); one without it, or that no longer matches it, was left by a
 * killed build or damaged since, and is built again. A good one leaves its
 * digest in @have.
 */
static int module_cached(const char *kopath, char have[CL_SHA256_HEX])
{
	char *side = cl_sprintf("%s.sha256", kopath), *want = NULL;
	int ok = cl_read_file(&want, NULL, side, 128) == 0 &&
		 cl_sha256_file(have, kopath) == 0 && !strncmp(want, have, CL_SHA256_HEX - 1);

	if (want && !ok)
		fprintf(stderr, "crashlab: %s does not match its recorded digest; building again\n",
			kopath);
	free(side);
	free(want);
	return ok;
}

static int module_record(const char *kopath, const char *sha)
{
	char *side = cl_sprintf("%s.sha256", kopath);
	int rc = cl_write_file(side, sha, strlen(sha));

	free(side);
	return rc;
}

/* Hash the module source files @names into @h: each file's name and bytes, in order. */
static int hash_sources(struct cl_sha256 *h, const struct cl_candidate *cand, char **names, int n)
{
	int i, rc = 0;

	for (i = 0; i < n; i++) {
		char *p = cl_path_join(cand->module_source, names[i]), *data;
		size_t len;

		cl_sha256_update(h, names[i], strlen(names[i]) + 1);
		if (rc == 0 && (rc = cl_read_file(&data, &len, p, 64u << 20)) == 0) {
			cl_sha256_update(h, data, len);
			free(data);
		}
		free(p);
	}
	return rc;
}

int cl_module_source_digest(char out[CL_SHA256_HEX], const struct cl_candidate *cand)
{
	struct cl_sha256 h;
	uint8_t d[CL_SHA256_LEN];
	char **names = NULL;
	int n = 0, i, rc;

	if (!cand->module_source) { /* DKMS: the package's digest; a tree's is per cell */
		snprintf(out, CL_SHA256_HEX, "%s", cand->dkms_sha256);
		return 0;
	}
	cl_sha256_init(&h);
	if ((rc = cl_source_files(&names, &n, cand->module_source)) == 0)
		rc = hash_sources(&h, cand, names, n);
	cl_sha256_final(&h, d);
	cl_hex(out, d, sizeof(d));
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * Copy @names of the module source into @dir, build it there with the
 * kernel's kbuild, and record the new module's digest in @sha.
 */
static int build_module(char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
			const struct cl_image *img, const char *release, const char *dir,
			char **names, int n)
{
	char *argv[8 + CL_MAX_MAKE_VARS];
	char *cflag = cl_sprintf("-C%s", img->headers), *mflag = cl_sprintf("M=%s", dir);
	char *kopath = cl_sprintf("%s/%s.ko", dir, cand->module_name);
	char *logpath = cl_sprintf("%s/build.log", dir);
	int a = 0, i, status, rc;

	cl_rm_rf(dir);
	rc = cl_mkdir_p(dir, 0755);
	for (i = 0; i < n && rc == 0; i++) {
		char *src = cl_path_join(cand->module_source, names[i]);
		char *dst = cl_path_join(dir, names[i]);

		rc = copy_file(src, dst);
		free(src);
		free(dst);
	}
	argv[a++] = "make";
	argv[a++] = "-s";
	argv[a++] = cflag;
	argv[a++] = mflag;
	/* BTF for modules needs pahole and vmlinux; neither is wanted here. */
	argv[a++] = "CONFIG_DEBUG_INFO_BTF_MODULES=";
	for (i = 0; i < cand->nmake_vars; i++)
		argv[a++] = cand->make_vars[i];
	argv[a++] = "modules";
	argv[a] = NULL;
	/* the candidate's Makefile: unprivileged, writing its build directory only */
	if (rc == 0 && !(rc = cl_builder_can_read(img->headers)) && !(rc = cl_builder_give(dir)))
		status = cl_run_ex(argv, &(struct cl_run_opts){ .log = logpath, .timeout_s = 900,
								 .candidate_code = 1 });
	else
		status = -1;
	if (cl_builder_take(dir) && rc == 0)
		rc = CL_ESETUP;
	if (rc == 0 && status < 0)
		rc = status;
	else if (rc == 0 && (status != 0 || !cl_file_exists(kopath)))
		rc = cl_err_set(CL_EINFRA, "building module %s for %s failed (exit %d), see %s",
				cand->module_name, release, status, logpath);
	/* just built: its digest, recorded for the runs that reuse it */
	else if (rc == 0 && (rc = cl_sha256_file(sha, kopath)) == 0)
		rc = module_record(kopath, sha);
	free(cflag);
	free(mflag);
	free(kopath);
	free(logpath);
	return rc;
}

int cl_module_build(char **ko, char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
		    const struct cl_image *img, const char *release)
{
	char **names = NULL, key[CL_SHA256_HEX], *dir = NULL, *kopath = NULL, *lockpath = NULL;
	int lockfd = -1;
	struct cl_sha256 h;
	uint8_t d[CL_SHA256_LEN];
	int n = 0, i, rc;

	*ko = NULL;
	if (cand->nprebuilt)
		return cl_prebuilt_set(ko, sha, cand, release);
	if (cand->from_packages)
		return cl_packaged_set(ko, sha);
	if (!cand->module_source)
		return cl_dkms_build(ko, sha, cand, img->headers, release);
	if ((rc = cl_source_files(&names, &n, cand->module_source)))
		return rc;
	cl_sha256_init(&h);
	cl_sha256_update(&h, release, strlen(release) + 1);
	for (i = 0; i < cand->nmake_vars; i++)
		cl_sha256_update(&h, cand->make_vars[i], strlen(cand->make_vars[i]) + 1);
	rc = hash_sources(&h, cand, names, n);
	cl_sha256_final(&h, d);
	if (rc)
		goto out;
	cl_hex(key, d, sizeof(d));
	dir = cl_sprintf("%s/modules/%s-%.16s", cl_cache_dir(), cand->module_name, key);
	kopath = cl_sprintf("%s/%s.ko", dir, cand->module_name);
	/* one builder per key at a time: runs sharing the cache wait, then reuse */
	lockpath = cl_sprintf("%s.lock", dir);
	lockfd = cl_lock_wait(lockpath);
	if (!module_cached(kopath, sha) &&
	    (rc = build_module(sha, cand, img, release, dir, names, n)))
		goto out;
	*ko = kopath;
	kopath = NULL;
out:
	if (lockfd >= 0)
		close(lockfd); /* releases the lock */
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	free(kopath);
	free(lockpath);
	return rc;
}

int cl_cell_files(const struct cl_candidate *cand, const char *ko_path, const char *plan,
		  cl_cell_file_fn fn, void *ctx)
{
	const char *names[1 + CL_MAX_CONTENT + CL_MAX_MUTANT_FILES];
	char *owned[1 + CL_MAX_CONTENT + CL_MAX_MUTANT_FILES];
	int i, n = 0, rc;

	if ((rc = fn(ctx, "crashlab/plan", plan, strlen(plan))))
		return rc;
	owned[n] = cl_sprintf("crashlab/candidate/%s.ko", cand->module_name);
	names[n++] = ko_path;
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

int cl_cell_initrd(const char *out_path, const char *base, const struct cl_candidate *cand,
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
	rc = cl_cell_files(cand, ko_path, plan, cpio_add, &c);
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

int cl_cell_delivery(char **buf, size_t *len, const struct cl_candidate *cand, const char *ko_path,
		     const char *plan)
{
	struct delivery d = { 0 };
	int rc = cl_cell_files(cand, ko_path, plan, delivery_add, &d);

	if (rc) {
		free(d.buf);
		return cl_err_set(CL_EINFRA, "%s", cl_err());
	}
	cl_append(&d.buf, &d.len, "GO\n");
	*buf = d.buf;
	*len = d.len;
	return 0;
}
