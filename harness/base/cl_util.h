/*
 * cl_util.h - the base toolkit of the crashlab controller: the error
 * convention, files, paths, where crashlab's own files are, strings, hex
 * and time. Commands run as child processes are cl_run.h's.
 *
 * By design these helpers carry no prefix of their own (cl_err_set,
 * cl_read_file, cl_sprintf, not cl_util_...): they are the vocabulary
 * every other file speaks, as libc's are, and this is the one file whose
 * functions are not named after it.
 *
 * Error convention (after libgit2): functions return 0 on success and a
 * negative cl_rc on failure, after setting a one-line message with
 * cl_err_set(); the caller fetches it with cl_err(). The message is per
 * thread, so cells running in parallel do not overwrite each other's.
 */
#ifndef CL_UTIL_H
#define CL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Return codes; the negative ones map to exit code 2 at the command line. */
enum cl_rc {
	CL_OK = 0,
	CL_EINPUT = -2, /* bad input: missing file, malformed JSON, unknown kernel */
	CL_EINFRA = -3, /* qemu, libvirt, image or build trouble */
	CL_ETIMEOUT = -4, /* an external command ran out of time or was interrupted */
	CL_ESETUP = -5,   /* the lab's own setup (a permission, a missing user): never the candidate's fault */
};

/* Set this thread's error message; returns @rc so callers can `return cl_err_set(...)`. */
int cl_err_set(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* This thread's last message (borrowed, never NULL). */
const char *cl_err(void);

/* Read a whole file (at most @max bytes) into a new NUL-terminated buffer. */
int cl_read_file(char **out, size_t *len, const char *path, size_t max);
/* Write @len bytes atomically (temp file + rename). */
int cl_write_file(const char *path, const void *data, size_t len);
int cl_mkdir_p(const char *path, unsigned int mode);
/* Remove a directory tree (best effort; used for per-cell scratch dirs). A
 * symbolic link is removed, never followed. */
void cl_rm_rf(const char *path);
/*
 * Copy the tree @src to @dst (directories made, regular files copied with
 * their mode, over what is there). A symbolic link or special file anywhere
 * in it, @src itself included, is refused (CL_EINPUT naming it), never
 * followed: what is copied is what lies under @src.
 */
int cl_copy_tree(const char *src, const char *dst);
int cl_file_exists(const char *path);
/* Wait for an exclusive lock on @path (created, with its directory, when
 * missing): one builder per cache entry, others wait and then reuse what it
 * built. The descriptor, to close() to release; -1 when it cannot be had. */
int cl_lock_wait(const char *path);
/* The last non-empty line of the log at @path, trailing blanks cut (new
 * string; "" when there is none or it cannot be read). */
char *cl_log_last_line(const char *path);

/* New string "a/b" (or b alone when b is absolute). Caller frees. */
char *cl_path_join(const char *a, const char *b);
/* New string: directory part of @path ("." when none). Caller frees. */
char *cl_dirname(const char *path);
/*
 * A stream to the unix socket @dir/@leaf (a qemu chardev that may not be
 * listening yet), retried for up to @wait_s seconds; non-blocking, or -1.
 */
int cl_unix_stream(const char *dir, const char *leaf, double wait_s);

/*
 * Where crashlab's own files are, decided by where the running binary is
 * (docs/install.md). Two layouts:
 *
 *   checkout   build/crashlab below ROOT, the nearest directory above the
 *              binary holding images/mkimage.sh (or $CRASHLAB_ROOT, which
 *              names a checkout): data ROOT, helpers ROOT/build, cache
 *              ROOT/.cache.
 *   installed  PREFIX/bin/crashlab with PREFIX/share/crashlab/images/mkimage.sh
 *              (make install, the Debian package): data PREFIX/share/crashlab,
 *              helpers PREFIX/lib/crashlab (architecture-dependent programs
 *              stay out of share/), cache /var/cache/crashlab when run as root,
 *              else $XDG_CACHE_HOME/crashlab (~/.cache/crashlab).
 *
 * $CRASHLAB_CACHE, when set, is the cache in both. A binary in neither
 * layout takes the working directory as its checkout. The strings are
 * borrowed, worked out once on first use, and never NULL.
 */
/* The data: images/ (recipes), scenarios/, matrix/, sensor/, candidates/,
 * guest/ (the agent's systemd units), reports/report.schema.json. */
const char *cl_data_dir(void);
/* crashlab's built helpers: guest/crashlab-agent, reaper. */
const char *cl_libexec_dir(void);
/* The guest agent, PID 1 of every initramfs guest: cl_libexec_dir()/guest/crashlab-agent. */
const char *cl_agent_path(void);
/* The agent built for @arch ("amd64", "arm64": cl_libexec_dir()/guest-arm64/...). */
const char *cl_agent_path_arch(const char *arch);
/* 1 when running installed, 0 from a checkout. */
int cl_installed(void);
/* The cache directory: $CRASHLAB_CACHE, else as the layout says. */
const char *cl_cache_dir(void);

/* printf into a new string. Caller frees. Aborts on OOM. */
char *cl_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append printf output to the growing string *buf of length *len. Aborts on OOM. */
void cl_append(char **buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void *cl_xmalloc(size_t n);
void *cl_xcalloc(size_t n, size_t size);
char *cl_xstrdup(const char *s);

/* Monotonic seconds. */
double cl_now(void);
/* Wall clock as an RFC 3339 UTC string into buf (>= 21 bytes). */
void cl_utc_now(char *buf, size_t len);

/* Lower-case hex of @len bytes into @out (2*len+1 bytes). */
void cl_hex(char *out, const uint8_t *in, size_t len);
int cl_is_sha256_hex(const char *s);
/* 1 when @s ends with @suffix (or is it). */
int cl_ends_with(const char *s, const char *suffix);

/* New string with &, <, >, " and ' escaped; other control bytes dropped (XML text). */
char *cl_xml_escape(const char *s);

/* Replace everything outside printable ASCII with '?' (in place). */
void cl_sanitize(char *s);

#endif
