/*
 * cl_image.c - kernel and disk images (see cl_image.h). The heavy lifting
 * is in images/mkimage.sh (apt-get download, dpkg-deb -x, cpio) and
 * images/mkdisk.sh; this file drives them and reads what the cache
 * verified.
 */
#include "cl_image.h"
#include "cl_run.h"
#include "cl_sha256.h"
#include "cl_arch.h"
#include "cl_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The kinds of kernel crashlab builds itself (images/kernel-debug.sh). */
static const char *const debug_kinds[] = { "-debug", "-kmsan" };

int cl_image_is_debug(const char *release)
{
	for (size_t i = 0; i < sizeof(debug_kinds) / sizeof(debug_kinds[0]); i++)
		if (strlen(release) > strlen(debug_kinds[i]) && cl_ends_with(release, debug_kinds[i]))
			return 1; /* a release before the kind's word */
	return 0;
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

/* One "PATH SIZE MTIME.NS INODE" line of a seen file: the file is still so. */
static int file_as_seen(const char *line)
{
	char path[4096];
	long long size, sec, ino;
	long nsec;
	struct stat st;

	if (sscanf(line, "%4095s %lld %lld.%ld %lld", path, &size, &sec, &nsec, &ino) != 5)
		return 0;
	return stat(path, &st) == 0 && (long long)st.st_size == size &&
	       (long long)st.st_mtim.tv_sec == sec && st.st_mtim.tv_nsec == nsec &&
	       (long long)st.st_ino == ino;
}

int cl_image_seen_holds(const char *seen, const char *release, const char *cache,
			const char *agent)
{
	const char *env = getenv("CL_INDEX_MAX_AGE");
	char *text = NULL, *save = NULL, *line, *args = cl_sprintf("args %s %s %s", release, cache,
								    agent);
	long long until = 0;
	int n = 0, ok = cl_read_file(&text, NULL, seen, 64u << 10) == 0;

	for (line = ok ? strtok_r(text, "\n", &save) : NULL; ok && line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0)
			ok = strcmp(line, args) == 0;
		else if (n == 1)
			ok = !strncmp(line, "env ", 4) && !strcmp(line + 4, env ? env : "unset");
		else if (n == 2)
			ok = sscanf(line, "until %lld", &until) == 1 && (long long)time(NULL) < until;
		else
			ok = file_as_seen(line);
	}
	free(text);
	free(args);
	return ok && n > 3;
}

/*
 * mkimage.sh's last answer for @release holds (cl_image_seen_holds): the
 * recipe is not run at all (0.2 s of a warm cell's start, in forks).
 */
static int answer_holds(const char *release, const char *agent)
{
	char *cache = realpath(cl_cache_dir(), NULL);
	char *seen = cache ? cl_sprintf("%s/images/%s/seen", cache, release) : NULL;
	int ok = seen && !cl_image_is_debug(release) && cl_image_seen_holds(seen, release, cache,
									     agent);

	free(seen);
	free(cache);
	return ok;
}

/* Run images/mkimage.sh for @release (with --check when @check_only). */
static int run_mkimage(const char *release, int check_only)
{
	const char *cache = cl_cache_dir();
	char *script = cl_sprintf("%s/images/mkimage.sh", cl_data_dir());
	char *agent = cl_xstrdup(cl_agent_path_arch(cl_arch_of(release)->name));
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
	if (answer_holds(release, agent)) {
		rc = 0;
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
	dir = cl_sprintf("%s/kernels/%s/headers/.crashlab-toolchain", cache, release);
	if (cl_file_exists(dir)) {
		dir[strlen(dir) - strlen("/.crashlab-toolchain")] = '\0';
		out->toolroot = realpath(dir, NULL);
	}
	free(dir);
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
		img->disk_modules = cl_path_join(dir, "modules.tar.zst");
		if (access(img->disk_modules, R_OK) != 0) {
			free(img->disk_modules);
			img->disk_modules = NULL;
		}
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
	free(img->disk_modules);
	free(img->vmlinuz);
	free(img->vmlinux);
	free(img->base_initrd);
	free(img->headers);
	free(img->toolroot);
	memset(img, 0, sizeof(*img));
}

void cl_image_hash_config(struct cl_sha256 *h, const char *headers)
{
	static const char none[] = "no .config";
	char *p = headers ? cl_path_join(headers, ".config") : NULL, *data = NULL;
	size_t len;

	if (p && cl_read_file(&data, &len, p, 16u << 20) == 0)
		cl_sha256_update(h, data, len);
	else
		cl_sha256_update(h, none, sizeof(none));
	free(data);
	free(p);
}
