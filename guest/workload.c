/*
 * workload.c - the guest agent's IPC workloads (what each kind does is in
 * workload.h). Every object is made, used and removed before the next, so
 * a step leaves nothing behind; every failure is counted, never hidden.
 */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int wl_mkdir_p(const char *dir)
{
	char buf[256];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* DIR/NAME for index @i into @out; -1 when it does not fit. */
static int object_path(char *out, size_t cap, const struct wl_step *s, long i)
{
	char name[128];

	snprintf(name, sizeof(name), s->pattern, (int)i);
	return snprintf(out, cap, "%s/%s", s->dir, name) >= (int)cap ? -1 : 0;
}

/* @n messages written to @w and read back from @r: each one that arrives counted. */
static void exchange(int w, int r, long i, int n, struct wl_tally *t)
{
	char buf[64];

	for (int m = 0; m < n; m++) {
		int len = snprintf(buf, sizeof(buf), "msg %ld %d", i, m);

		if (write(w, buf, (size_t)len) == len && read(r, buf, sizeof(buf)) == len)
			t->messages++;
		else
			t->errors++;
	}
}

static void one_fifo(const struct wl_step *s, long i, struct wl_tally *t)
{
	char path[256];
	int r, w;

	if (object_path(path, sizeof(path), s, i) || mkfifo(path, 0600) < 0) {
		t->errors++;
		return;
	}
	t->generated++;
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (r >= 0 && w >= 0)
		exchange(w, r, i, s->msgs, t);
	else
		t->errors++;
	if (r >= 0)
		close(r);
	if (w >= 0)
		close(w);
	unlink(path);
}

/* A socket of @type bound at DIR/NAME (listening when a stream); -1 on failure. */
static int bound(const struct wl_step *s, long i, int type, struct sockaddr_un *sa)
{
	int fd;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (object_path(sa->sun_path, sizeof(sa->sun_path), s, i))
		return -1;
	unlink(sa->sun_path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 ||
			(type == SOCK_STREAM && listen(fd, 16) < 0))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int connected(const struct sockaddr_un *sa, int type)
{
	int c = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (c >= 0 && connect(c, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		close(c);
		c = -1;
	}
	return c;
}

static void one_unix(const struct wl_step *s, long i, struct wl_tally *t)
{
	struct sockaddr_un sa;
	int l = bound(s, i, SOCK_STREAM, &sa), c = -1, a = -1;

	if (l >= 0 && (c = connected(&sa, SOCK_STREAM)) >= 0 && (a = accept(l, NULL, NULL)) >= 0) {
		t->generated++;
		exchange(c, a, i, s->msgs, t);
		exchange(a, c, i, s->msgs, t);
	} else {
		t->errors++;
	}
	if (a >= 0)
		close(a);
	if (c >= 0)
		close(c);
	if (l >= 0) {
		close(l);
		unlink(sa.sun_path);
	}
}

static void one_dgram(const struct wl_step *s, long i, struct wl_tally *t)
{
	struct sockaddr_un sa;
	int srv = bound(s, i, SOCK_DGRAM, &sa);

	if (srv < 0) {
		t->errors++;
		return;
	}
	t->generated++;
	for (int m = 0; m < (s->msgs ? s->msgs : 1); m++) {
		int c = connected(&sa, SOCK_DGRAM); /* a new short-lived client each time */

		if (c < 0) {
			t->errors++;
			continue;
		}
		t->generated++;
		if (s->msgs)
			exchange(c, srv, i, 1, t);
		close(c);
	}
	close(srv);
	unlink(sa.sun_path);
}

static void one_pipe(const struct wl_step *s, long i, struct wl_tally *t)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		t->errors++;
		return;
	}
	t->generated++;
	exchange(p[1], p[0], i, s->msgs, t);
	close(p[0]);
	close(p[1]);
}

static void one_socketpair(const struct wl_step *s, long i, struct wl_tally *t)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		t->errors++;
		return;
	}
	t->generated++;
	exchange(sv[0], sv[1], i, s->msgs, t);
	exchange(sv[1], sv[0], i, s->msgs, t);
	close(sv[0]);
	close(sv[1]);
}

/* Wait for @pid; its exit status (the errors it counted), or 1 if it died. */
static long reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/*
 * A child that starts a grandchild making one FIFO and one socket of index
 * @i; the grandchild sends what it did up a pipe made here.
 */
static void one_spawn(const struct wl_step *s, long i, struct wl_tally *t)
{
	struct wl_tally g = { 0 };
	pid_t child;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0 || (child = fork()) < 0) {
		t->errors++;
		return;
	}
	if (child == 0) {
		pid_t grand = fork();

		if (grand == 0) {
			one_fifo(s, i, &g);
			one_unix(s, i, &g);
			_exit(write(p[1], &g, sizeof(g)) == sizeof(g) ? 0 : 1);
		}
		_exit(grand < 0 ? 1 : (int)reap(grand));
	}
	close(p[1]);
	if (read(p[0], &g, sizeof(g)) != sizeof(g))
		g.errors++; /* the grandchild never reported */
	close(p[0]);
	t->errors += g.errors + reap(child);
	t->generated += g.generated;
	t->messages += g.messages;
}

static const struct {
	const char *op;
	void (*one)(const struct wl_step *, long, struct wl_tally *);
} kinds[] = {
	{ "fifo", one_fifo },	  { "unix", one_unix }, { "dgram", one_dgram },
	{ "pipe", one_pipe },	  { "socketpair", one_socketpair },
	{ "spawn", one_spawn },
};

static void (*kind_of(const char *op))(const struct wl_step *, long, struct wl_tally *)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].op, op))
			return kinds[k].one;
	return NULL;
}

int wl_known(const char *op)
{
	return kind_of(op) != NULL;
}

/* Worker @w of the step: indices w, w+CONC, ... each round, paced, until the time is up. */
static void worker(const struct wl_step *s, int w, struct wl_tally *t)
{
	void (*one)(const struct wl_step *, long, struct wl_tally *) = kind_of(s->op);
	double t0 = wl_now(), per_s = s->rate > 0 ? (double)s->rate / s->conc : 0;
	long done = 0, round = 0;

	do {
		for (long i = w; i < s->count; i += s->conc) {
			double due = per_s > 0 ? t0 + (double)done / per_s : 0, left = due - wl_now();

			if (left > 0)
				usleep((useconds_t)(left * 1e6));
			one(s, round * s->count + i, t);
			done++;
		}
		round++;
	} while (wl_now() - t0 < s->duration);
}

void wl_run(const struct wl_step *s, struct wl_tally *t)
{
	pid_t pids[64];
	int fds[64], n = 0;

	memset(t, 0, sizeof(*t));
	if (!kind_of(s->op) || s->conc < 1 || s->conc > 64) {
		t->errors++;
		return;
	}
	if (strcmp(s->dir, "-") && wl_mkdir_p(s->dir) < 0)
		t->errors++;
	if (s->conc == 1) {
		worker(s, 0, t);
		return;
	}
	for (int w = 0; w < s->conc; w++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0 || (pids[n] = fork()) < 0) {
			t->errors++;
			continue;
		}
		if (pids[n] == 0) {
			struct wl_tally mine = { 0 };

			close(p[0]);
			worker(s, w, &mine);
			_exit(write(p[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
		}
		close(p[1]);
		fds[n++] = p[0];
	}
	for (int k = 0; k < n; k++) {
		struct wl_tally got;

		if (read(fds[k], &got, sizeof(got)) == sizeof(got)) {
			t->generated += got.generated;
			t->messages += got.messages;
			t->errors += got.errors;
		} else {
			t->errors++; /* a worker that did not report */
		}
		close(fds[k]);
		t->errors += reap(pids[k]);
	}
}
