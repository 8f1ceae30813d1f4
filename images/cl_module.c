/*
 * cl_module.c - the candidate's modules for one kernel (see cl_module.h):
 * its kbuild source built with the kernel's own kbuild as the build user,
 * cached by the digest of the sources, make variables and release; DKMS,
 * prebuilt and packaged modules handed to their own files.
 */
#include "cl_module.h"
#include "cl_artifacts.h"
#include "cl_builder.h"
#include "cl_dkms.h"
#include "cl_prebuilt.h"
#include "cl_run.h"
#include "cl_arch.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if ((rc = cl_artifacts_source_files(&names, &n, cand->module_source)) == 0)
		rc = hash_sources(&h, cand, names, n);
	cl_sha256_final(&h, d);
	cl_hex(out, d, sizeof(d));
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* kbuild's command line for @cand's module of @release in @dir (the
 * strings of @own are allocated here; the caller frees them). */
static void kbuild_argv(char **argv, char *own[4], const struct cl_candidate *cand,
			const struct cl_image *img, const char *release, const char *dir)
{
	const struct cl_arch *arch = cl_arch_of(release);
	size_t rootlen = img->toolroot ? strlen(img->toolroot) : 0;
	int a = 0, i;

	/* in a toolchain root, its paths are the root's own */
	own[0] = rootlen ? cl_sprintf("-C/usr/src/linux-headers-%s", release)
			 : cl_sprintf("-C%s", img->headers);
	own[1] = cl_sprintf("M=%s", dir + rootlen);
	own[2] = cl_sprintf("ARCH=%s", arch->kbuild_arch);
	own[3] = cl_sprintf("CROSS_COMPILE=%s", arch->cross_compile);
	argv[a++] = "make";
	argv[a++] = "-s";
	argv[a++] = own[0];
	argv[a++] = own[1];
	/* BTF for modules needs pahole and vmlinux; neither is wanted here. */
	argv[a++] = "CONFIG_DEBUG_INFO_BTF_MODULES=";
	/* a kernel built with clang (the KMSAN kind): its flags are clang's */
	if (cl_image_has_config(img, "CONFIG_CC_IS_CLANG"))
		argv[a++] = "LLVM=1";
	if (*arch->kbuild_arch) { /* another architecture's kernel: cross-built */
		argv[a++] = own[2];
		argv[a++] = own[3];
	}
	for (i = 0; i < cand->nmake_vars; i++)
		argv[a++] = cand->make_vars[i];
	argv[a++] = "modules";
	argv[a] = NULL;
}

/*
 * Copy @names of the module source into @dir, build it there with the
 * kernel's kbuild, and record the new module's digest in @sha. A kernel
 * whose headers are in a toolchain root (another Debian release's compiler)
 * is built chrooted there; @dir is then inside that root.
 */
static int build_module(char sha[CL_SHA256_HEX], const struct cl_candidate *cand,
			const struct cl_image *img, const char *release, const char *dir,
			char **names, int n)
{
	char *argv[11 + CL_MAX_MAKE_VARS], *own[4]; /* kbuild_argv: 10 at most + the variables */
	char *kopath = cl_sprintf("%s/%s.ko", dir, cand->module_name);
	char *logpath = cl_sprintf("%s/build.log", dir);
	int i, status, rc;

	cl_rm_rf(dir);
	rc = cl_mkdir_p(dir, 0755);
	for (i = 0; i < n && rc == 0; i++) {
		char *src = cl_path_join(cand->module_source, names[i]);
		char *dst = cl_path_join(dir, names[i]);

		rc = copy_file(src, dst);
		free(src);
		free(dst);
	}
	kbuild_argv(argv, own, cand, img, release, dir);
	/* the candidate's Makefile: unprivileged, writing its build directory only */
	if (rc == 0 && !(rc = cl_builder_can_read(img->headers)) && !(rc = cl_builder_give(dir)))
		status = cl_run_ex(argv, &(struct cl_run_opts){ .log = logpath, .timeout_s = 900,
								 .candidate_code = 1,
								 .root = img->toolroot });
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
	for (i = 0; i < 4; i++)
		free(own[i]);
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
		return cl_prebuilt_packaged(ko, sha);
	if (!cand->module_source)
		return cl_dkms_build(ko, sha, cand, img->headers, release);
	if ((rc = cl_artifacts_source_files(&names, &n, cand->module_source)))
		return rc;
	cl_sha256_init(&h);
	cl_sha256_update(&h, release, strlen(release) + 1);
	cl_image_hash_config(&h, img->headers);
	for (i = 0; i < cand->nmake_vars; i++)
		cl_sha256_update(&h, cand->make_vars[i], strlen(cand->make_vars[i]) + 1);
	rc = hash_sources(&h, cand, names, n);
	cl_sha256_final(&h, d);
	if (rc)
		goto out;
	cl_hex(key, d, sizeof(d));
	/* another release's modules are built in its toolchain root, where its compiler runs */
	dir = img->toolroot ? cl_sprintf("%s/build/%s-%.16s", img->toolroot, cand->module_name, key)
			    : cl_sprintf("%s/modules/%s-%.16s", cl_cache_dir(), cand->module_name, key);
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
