/*
 * cl_util.c - the controller's base toolkit (see cl_util.h): errors, files,
 * paths, crashlab's own directories, strings, hex and time. Nothing here
 * knows about kernels, libvirt or the candidate, and it includes no other
 * part of crashlab: it is the plumbing every module shares. Its helpers
 * carry no prefix of their own by design (cl_sprintf, not cl_util_sprintf):
 * they are the controller's common vocabulary.
 */
#include "cl_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static _Thread_local char err_buf[1024];

int cl_err_set(int rc, const char *fmt, ...)
{
	char tmp[sizeof(err_buf)];
	va_list ap;

	/* format aside first: callers may pass cl_err() itself as an argument */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(err_buf, tmp, sizeof(err_buf));
	return rc;
}

const char *cl_err(void)
{
	return err_buf[0] ? err_buf : "unknown error";
}

void *cl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *cl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

char *cl_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort();
	return p;
}

char *cl_sprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

int cl_read_file(char **out, size_t *len, const char *path, size_t max)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	size_t cap = 4096, n = 0, r;

	*out = NULL;
	if (!f)
		return cl_err_set(CL_EINPUT, "%s: cannot open: %s", path, strerror(errno));
	buf = cl_xmalloc(cap + 1);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n > max) {
			free(buf);
			fclose(f);
			return cl_err_set(CL_EINPUT, "%s: larger than %zu bytes", path, max);
		}
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return cl_err_set(CL_EINPUT, "%s: read error", path);
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

/* Write all of @data to @fd; 0 or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int cl_write_file(const char *path, const void *data, size_t len)
{
	char *tmp = cl_sprintf("%s.tmp.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC), err = 0;

	if (fd < 0) {
		err = errno;
	} else {
		if (fchmod(fd, 0644) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0)
			err = errno ? errno : EIO;
		if (close(fd) != 0 && !err)
			err = errno;
		/* the new name appears only for bytes that are on disk */
		if (!err && rename(tmp, path) != 0)
			err = errno;
		if (err)
			unlink(tmp);
	}
	free(tmp);
	if (err)
		return cl_err_set(CL_EINFRA, "%s: cannot write: %s", path, strerror(err));
	return 0;
}

int cl_mkdir_p(const char *path, unsigned int mode)
{
	char *p = cl_xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		goto fail;
	free(p);
	return 0;
fail:
	cl_err_set(CL_EINFRA, "%s: cannot create directory: %s", p, strerror(errno));
	free(p);
	return CL_EINFRA;
}

void cl_rm_rf(const char *path)
{
	struct stat st;
	DIR *d = lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? opendir(path) : NULL;
	struct dirent *e;

	if (!d) { /* a file, or a link (never followed) */
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = cl_path_join(path, e->d_name);
		/* some file systems do not fill d_type: unlink says EISDIR then */
		if (e->d_type == DT_DIR || (unlink(sub) != 0 && errno == EISDIR))
			cl_rm_rf(sub);
		free(sub);
	}
	closedir(d);
	rmdir(path);
}

/* Copy the regular file @src (not a link) to @dst with its mode. */
static int copy_one(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, rc = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0 || (out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
				  mode & 0777)) < 0)
		rc = cl_err_set(CL_EINFRA, "copying %s to %s: %s", src, dst, strerror(errno));
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = cl_err_set(CL_EINFRA, "copying %s to %s: %s", src, dst, strerror(errno));
	if (out >= 0 && close(out) != 0 && rc == 0)
		rc = cl_err_set(CL_EINFRA, "copying %s to %s: %s", src, dst, strerror(errno));
	if (in >= 0)
		close(in);
	return rc;
}

int cl_copy_tree(const char *src, const char *dst)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (lstat(src, &st) != 0)
		return cl_err_set(CL_EINPUT, "%s: %s", src, strerror(errno));
	if (S_ISREG(st.st_mode))
		return copy_one(src, dst, st.st_mode);
	if (!S_ISDIR(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: a %s, not a file or directory: not copied", src,
				  S_ISLNK(st.st_mode) ? "symbolic link" : "special file");
	if ((rc = cl_mkdir_p(dst, 0755)) || !(d = opendir(src)))
		return rc ? rc : cl_err_set(CL_EINPUT, "%s: %s", src, strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		char *from, *to;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		from = cl_path_join(src, e->d_name);
		to = cl_path_join(dst, e->d_name);
		rc = cl_copy_tree(from, to);
		free(from);
		free(to);
	}
	closedir(d);
	return rc;
}

int cl_lock_wait(const char *path)
{
	char *parent = cl_dirname(path);
	int fd;

	cl_mkdir_p(parent, 0755);
	free(parent);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int cl_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

char *cl_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (b[0] == '/' || la == 0)
		return cl_xstrdup(b);
	return cl_sprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *cl_dirname(const char *path)
{
	char *copy = cl_xstrdup(path);
	char *d = cl_xstrdup(dirname(copy));

	free(copy);
	return d;
}

/*
 * Where crashlab's own files are: the layout the running binary sits in
 * (cl_util.h says what each directory holds). The binary is found through
 * /proc/self/exe, so a symbolic link to a checkout's build/crashlab still
 * runs from that checkout. Worked out once, on first use, from any thread.
 */
struct layout {
	char data[PATH_MAX];    /* recipes, scenarios, matrices, sensor, guest units */
	char libexec[PATH_MAX]; /* built helpers: guest/crashlab-agent, reaper */
	char agent[PATH_MAX];   /* libexec/guest/crashlab-agent */
	char agent_arm64[PATH_MAX]; /* libexec/guest-arm64/crashlab-agent */
	char cache[PATH_MAX];
	int installed;          /* data under PREFIX/share/crashlab, not a checkout */
};
static struct layout layout;
static pthread_once_t layout_once = PTHREAD_ONCE_INIT;

/* printf into @buf; -1 (and "" in @buf) when it does not fit. */
static int __attribute__((format(printf, 2, 3))) fmt_path(char buf[PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* @dir holds crashlab's data (its recipe images/mkimage.sh is the mark). */
static int holds_data(const char *dir)
{
	char probe[PATH_MAX];

	return fmt_path(probe, "%s/images/mkimage.sh", dir) == 0 && cl_file_exists(probe);
}

/*
 * The data directory from the binary's directory @bin: installed when
 * BIN/../share/crashlab holds the data (PREFIX/bin/crashlab), else the
 * nearest of @bin and the 3 directories above it that does, so at most 4
 * above the binary itself (ROOT/build/crashlab, ROOT/build/test/x).
 * Installed is tried first: an installed binary never walks up to whatever
 * a stray /images/mkimage.sh would claim.
 */
static void find_data(struct layout *l, const char *bin)
{
	char *prefix = cl_dirname(bin), *dir = cl_xstrdup(bin);
	int up;

	if (fmt_path(l->data, "%s/share/crashlab", prefix) == 0 && holds_data(l->data)) {
		l->installed = 1;
		fmt_path(l->libexec, "%s/lib/crashlab", prefix);
		goto out;
	}
	l->data[0] = '\0';
	for (up = 0; up < 4 && !l->data[0]; up++) {
		char *parent;

		if (holds_data(dir))
			fmt_path(l->data, "%s", dir);
		parent = cl_dirname(dir);
		free(dir);
		dir = parent;
	}
out:
	free(prefix);
	free(dir);
}

/* $CRASHLAB_CACHE, the checkout's .cache, /var/cache/crashlab as root, else the XDG cache. */
static void find_cache(struct layout *l)
{
	const char *env = getenv("CRASHLAB_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env && *env) {
		fmt_path(l->cache, "%s", env);
	} else if (!l->installed) {
		fmt_path(l->cache, "%s/.cache", l->data);
	} else if (geteuid() == 0) {
		fmt_path(l->cache, "/var/cache/crashlab");
	} else if (xdg && xdg[0] == '/') { /* the spec: a relative one is ignored */
		fmt_path(l->cache, "%s/crashlab", xdg);
	} else {
		const struct passwd *pw = home && *home ? NULL : getpwuid(geteuid());

		if (pw && pw->pw_dir && *pw->pw_dir)
			home = pw->pw_dir;
		if (home && *home)
			fmt_path(l->cache, "%s/.cache/crashlab", home);
	}
	if (!l->cache[0])
		fmt_path(l->cache, ".cache"); /* no home, or a path too long: as before */
}

static void find_layout(void)
{
	struct layout *l = &layout;
	const char *env = getenv("CRASHLAB_ROOT");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		fmt_path(l->data, "%s", env);
	} else if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		char *bin;

		exe[n] = '\0';
		bin = cl_dirname(exe);
		find_data(l, bin);
		free(bin);
	}
	if (!l->data[0])
		fmt_path(l->data, "."); /* a binary away from both: the working directory */
	if (!l->installed && fmt_path(l->libexec, "%s/build", l->data))
		fmt_path(l->libexec, "build");
	if (fmt_path(l->agent, "%s/guest/crashlab-agent", l->libexec))
		fmt_path(l->agent, "guest/crashlab-agent");
	if (fmt_path(l->agent_arm64, "%s/guest-arm64/crashlab-agent", l->libexec))
		fmt_path(l->agent_arm64, "guest-arm64/crashlab-agent");
	find_cache(l);
}

static const struct layout *get_layout(void)
{
	pthread_once(&layout_once, find_layout);
	return &layout;
}

const char *cl_data_dir(void)
{
	return get_layout()->data;
}

const char *cl_libexec_dir(void)
{
	return get_layout()->libexec;
}

const char *cl_agent_path(void)
{
	return get_layout()->agent;
}

const char *cl_agent_path_arch(const char *arch)
{
	return strcmp(arch, "arm64") ? get_layout()->agent : get_layout()->agent_arm64;
}

int cl_installed(void)
{
	return get_layout()->installed;
}

const char *cl_cache_dir(void)
{
	return get_layout()->cache;
}

char *cl_log_last_line(const char *path)
{
	char *text = cl_xmalloc(65537), *end, *start;
	size_t len = 0;
	FILE *f = fopen(path, "rbe");

	if (f) {
		if (fseek(f, -65536, SEEK_END) != 0)
			rewind(f); /* shorter than that: all of it */
		len = fread(text, 1, 65536, f);
		fclose(f);
	}
	end = text + len;
	while (end > text && strchr("\n\r \t", end[-1]))
		end--;
	*end = '\0';
	start = memrchr(text, '\n', (size_t)(end - text));
	start = start ? start + 1 : text;
	memmove(text, start, (size_t)(end - start) + 1);
	return text;
}

double cl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cl_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void cl_hex(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int cl_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

int cl_is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return 0;
	return s[64] == '\0';
}

void cl_sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

void cl_append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *line;
	size_t n;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = strlen(line);
	*buf = realloc(*buf, *len + n + 1);
	if (!*buf)
		abort();
	memcpy(*buf + *len, line, n + 1);
	*len += n;
	free(line);
}

char *cl_xml_escape(const char *s)
{
	size_t cap = strlen(s) * 6 + 1, o = 0;
	char *out = cl_xmalloc(cap);

	for (; *s; s++) {
		const char *rep = NULL;
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: break;
		}
		if (rep) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else if (c >= 0x20 || c == '\n' || c == '\t') {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

int cl_unix_stream(const char *dir, const char *leaf, double wait_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double deadline = cl_now() + wait_s;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, leaf);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			fcntl(fd, F_SETFL, O_NONBLOCK);
			return fd;
		}
		if (fd >= 0)
			close(fd);
		if (cl_now() > deadline)
			return -1;
		usleep(50000);
	}
}
