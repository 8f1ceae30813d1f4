/*
 * cl_snapshot.c - guests saved at the agent's waiting point (see cl_snapshot.h).
 */
#include "cl_snapshot.h"
#include "cl_host.h"
#include "cl_pump.h"
#include "cl_run.h"
#include "cl_savestate.h"
#include "cl_scratch.h"
#include "cl_util.h"
#include "cl_volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUILD_LIMIT_S 300.0 /* boot to WAITING, many guests sharing the host */
#define SAVE_TRIES 3        /* saves of one entry whose test restore failed */
#define STATE_FORMAT "local states: the guest RAM's zero pages left out (1)" /* in the key */

void cl_snapshot_clear(struct cl_snapshot *s)
{
	if (s->lock_fd > 0)
		close(s->lock_fd); /* and the lock with it */
	free(s->path);
	free(s->name);
	free(s->dir);
	free(s->entry);
	memset(s, 0, sizeof(*s));
}

/* @s with every @from replaced by @to. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t flen = strlen(from), n = 0;
	char *out = NULL;
	const char *p;

	cl_append(&out, &n, "%s", "");
	while ((p = strstr(s, from))) {
		cl_append(&out, &n, "%.*s%s", (int)(p - s), s, to);
		s = p + flen;
	}
	cl_append(&out, &n, "%s", s);
	return out;
}

/* A saved guest's serial ports as the host reads them (local sockets, or libvirt streams). */
struct guest_io {
	int con, agent, dlv;
	struct cl_pump *pumps[3];   /* remote host: console, agent, delivery */
	long long con_bytes;
	char line[512];             /* agent line being assembled */
	size_t len;
};

/* Read what @fd has into @log; 1 when bytes came, 0 when none, -1 at its end. */
static int take(int fd, FILE *log, char *buf, size_t cap, ssize_t *got)
{
	ssize_t n = read(fd, buf, cap);

	*got = n;
	if (n > 0) {
		fwrite(buf, 1, (size_t)n, log);
		return 1;
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* The agent's bytes @buf: 1 when a line starting with @want completed. */
static int agent_said(struct guest_io *g, const char *buf, ssize_t n, const char *want)
{
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (g->len + 1 < sizeof(g->line))
				g->line[g->len++] = buf[i];
			continue;
		}
		g->line[g->len] = '\0';
		g->len = 0;
		if (want && !strncmp(g->line, want, strlen(want)))
			return 1;
	}
	return 0;
}

/*
 * Copy console and agent output to @log until the agent says @want (NULL:
 * until both ports were quiet for @quiet_s), at most @limit_s seconds.
 * Returns NULL, or why not.
 */
static const char *watch(struct guest_io *g, FILE *log, const char *want, double quiet_s,
			 double limit_s)
{
	double deadline = cl_now() + cl_run_time_limit(limit_s), last = cl_now();

	while (cl_now() < deadline) {
		struct pollfd p[2] = { { .fd = g->con, .events = POLLIN },
				       { .fd = g->agent, .events = POLLIN } };
		char buf[4096];
		ssize_t n;
		int r;

		if (cl_run_interrupted())
			return "interrupted";
		if (!want && cl_now() - last >= quiet_s)
			return NULL;
		if (poll(p, 2, 50) <= 0)
			continue;
		if (p[0].revents && take(g->con, log, buf, sizeof(buf), &n) > 0) {
			g->con_bytes += n;
			last = cl_now();
		}
		if (!p[1].revents || (r = take(g->agent, log, buf, sizeof(buf), &n)) == 0)
			continue;
		if (r < 0)
			return "the guest stopped before its agent answered";
		last = cl_now();
		if (agent_said(g, buf, n, want))
			return NULL;
	}
	return want ? "the agent did not answer within the time limit" : NULL;
}

/* Connect to a (paused) guest's console, agent and, with @send, its delivery port. */
static int guest_connect(struct guest_io *g, struct cl_host *h, virDomainPtr dom, const char *dir,
			 const char *send)
{
	virConnectPtr c = cl_host_conn(h);

	*g = (struct guest_io){ .con = -1, .agent = -1, .dlv = -1 };
	if (cl_host_local(h)) {
		g->con = cl_unix_stream(dir, "console.sock", 10);
		g->agent = cl_unix_stream(dir, "agent.sock", 10);
		if (send && (g->dlv = cl_unix_stream(dir, "delivery.sock", 10)) >= 0 &&
		    write(g->dlv, send, strlen(send)) != (ssize_t)strlen(send))
			return -1;
	} else if ((g->pumps[0] = cl_pump_open(c, dom, "serial0", &g->con)) &&
		   (g->pumps[1] = cl_pump_open(c, dom, "serial1", &g->agent)) && send) {
		g->pumps[2] = cl_pump_send(c, dom, "org.crashlab.delivery", send, strlen(send));
	}
	return g->con < 0 || g->agent < 0 || (send && g->dlv < 0 && !g->pumps[2]) ? -1 : 0;
}

static void guest_close(struct guest_io *g)
{
	for (int i = 0; i < 3; i++)
		cl_pump_close(g->pumps[i]);
	if (g->con >= 0)
		close(g->con);
	if (g->agent >= 0)
		close(g->agent);
	if (g->dlv >= 0)
		close(g->dlv);
}

/*
 * The caller holds the entry's lock, so a domain of the snapshot's name is
 * what a killed run left (restored domains cannot be auto-destroyed): stop it.
 */
static void destroy_leftover(struct cl_host *h, const char *name)
{
	virDomainPtr dom = virDomainLookupByName(cl_host_conn(h), name);

	if (dom) {
		virDomainDestroy(dom);
		virDomainFree(dom);
	}
}

/*
 * The guest said WAITING: make it quiet before it is saved. A serial port
 * saved while its UART was still handing a byte to a host that had not read
 * the last ones (QEMU's "serial/tsr" state) is dead once restored: QEMU
 * re-arms its retry only on a connected character device, and a restored
 * guest's is not connected yet. So read both ports until they are quiet,
 * pause the guest, and read again (QEMU hands over what was pending while
 * the guest is paused) before the save.
 */
static const char *quiesce(struct guest_io *g, virDomainPtr dom, FILE *log)
{
	const char *why = watch(g, log, NULL, 0.25, 10);

	if (!why && virDomainSuspend(dom) < 0)
		why = "libvirt cannot pause the guest";
	return why ? why : watch(g, log, NULL, 0.25, 10);
}

/* Boot the guest @xml describes until WAITING, and save it to @to (a path
 * on host @h: local, or in its crashlab pool). */
static int boot_and_save(struct cl_host *h, const char *xml, const char *dir, const char *to,
			 FILE *log)
{
	virDomainPtr dom = virDomainCreateXML(cl_host_conn(h), xml,
					      VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
	struct guest_io g = { .con = -1, .agent = -1, .dlv = -1 };
	const char *why = NULL;
	int rc = 0;

	if (!dom) {
		rc = cl_err_set(CL_EINFRA, "snapshot: cannot start the guest: %s", cl_host_error());
		goto out;
	}
	if (guest_connect(&g, h, dom, dir, NULL) || virDomainResume(dom) < 0)
		why = "cannot connect to the guest";
	else if (!(why = watch(&g, log, "CL WAITING", 0, BUILD_LIMIT_S)))
		why = quiesce(&g, dom, log);
	if (why)
		rc = cl_err_set(CL_EINFRA, "snapshot: %s", why);
	else if (virDomainSaveFlags(dom, to, NULL, VIR_DOMAIN_SAVE_PAUSED) < 0)
		rc = cl_err_set(CL_EINFRA, "snapshot: libvirt cannot save the guest: %s",
				cl_host_error());
out:
	if (dom) {
		virDomainDestroy(dom); /* gone already after a save */
		virDomainFree(dom);
	}
	guest_close(&g);
	return rc;
}

/* The digest of the saved state, wherever it lives. */
static int state_digest(const struct cl_snapshot *s, const char *path, char out[CL_SHA256_HEX])
{
	return s->remote ? cl_volume_sha256(cl_host_conn(s->host), path, out)
			 : cl_sha256_file(out, path);
}

/* "SIZE MTIME.NS INODE DIGEST" of the local file @path with digest @hex; -1 when it is gone. */
static int seen_line(char *out, size_t cap, const char *path, const char *hex)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	snprintf(out, cap, "%lld %lld.%09ld %llu %.64s\n", (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned long long)st.st_ino, hex);
	return 0;
}

/*
 * The entry's state has the digest @want. A local state unchanged since it
 * was last hashed (entry/seen: size, mtime to the nanosecond, inode; any
 * rewrite or truncation changes one) is taken at once, as the image cache
 * takes its files: hashing 60-70 MB was 0.05 s of every restored cell.
 */
static int state_is(struct cl_snapshot *s, const char *entry, const char *want)
{
	char *seen = cl_path_join(entry, "seen"), *text = NULL, line[256];
	int ok;

	if (!s->remote && seen_line(line, sizeof(line), s->path, want) == 0 &&
	    cl_read_file(&text, NULL, seen, 256) == 0 && !strcmp(text, line)) {
		snprintf(s->sha256, sizeof(s->sha256), "%.64s", want);
		ok = 1;
	} else {
		ok = state_digest(s, s->path, s->sha256) == 0 && !strncmp(want, s->sha256, 64);
		if (ok && !s->remote && seen_line(line, sizeof(line), s->path, want) == 0)
			cl_write_file(seen, line, strlen(line)); /* only a shortcut: failing is harmless */
	}
	free(text);
	free(seen);
	return ok;
}

/* Is the cached entry whole: state, digest and what it was saved as? */
static int entry_ok(struct cl_snapshot *s, const char *entry)
{
	char *sum = cl_path_join(entry, "sha256"), *meta = cl_path_join(entry, "meta");
	char *want = NULL, *names = NULL, *nl;
	size_t len;
	int ok = 0;

	if (cl_read_file(&want, &len, sum, 256) == 0 && cl_read_file(&names, &len, meta, 4096) == 0 &&
	    (nl = strchr(names, '\n')) && strlen(want) >= 64 && state_is(s, entry, want)) {
		*nl = '\0';
		s->name = cl_xstrdup(names);
		s->dir = cl_xstrdup(nl + 1);
		s->dir[strcspn(s->dir, "\n")] = '\0';
		ok = 1;
	}
	free(sum);
	free(meta);
	free(want);
	free(names);
	return ok;
}

/* Restore the state at @path as a paused domain named @name, its sockets in
 * @dir (the saved ones, @saved_dir, replaced); NULL with the reason set. */
static virDomainPtr restore_from(struct cl_host *h, const char *path, const char *name,
				 const char *saved_dir, const char *dir)
{
	virConnectPtr conn = cl_host_conn(h);
	char *saved = virDomainSaveImageGetXMLDesc(conn, path, 0), *xml;
	virDomainPtr dom = NULL;

	destroy_leftover(h, name);
	if (!saved) {
		cl_err_set(CL_EINFRA, "snapshot %s: libvirt cannot read it: %s", path, cl_host_error());
		return NULL;
	}
	xml = replace_all(saved, saved_dir, dir);
	if (virDomainRestoreFlags(conn, path, xml, VIR_DOMAIN_SAVE_PAUSED) < 0 ||
	    !(dom = virDomainLookupByName(conn, name)))
		cl_err_set(CL_EINFRA, "libvirt: cannot restore the snapshot: %s", cl_host_error());
	free(saved);
	free(xml);
	return dom;
}

/*
 * A local state whose serial port was saved mid-transmission (its
 * "serial/tsr" section is there only when QEMU's transmit retry count is
 * not 0): restored, that port stays dead. 1 when @path has it.
 */
static int serial_in_flight(const char *path)
{
	static const char mark[] = "serial/tsr";
	const size_t mlen = sizeof(mark) - 1;
	char buf[65536];
	size_t keep = 0, n;
	FILE *f = fopen(path, "rbe");
	int found = 0;

	while (f && !found && (n = fread(buf + keep, 1, sizeof(buf) - keep, f)) > 0) {
		size_t have = keep + n;

		found = memmem(buf, have, mark, mlen) != NULL;
		keep = have < mlen - 1 ? have : mlen - 1; /* a mark across two reads */
		memmove(buf, buf + have - keep, keep);
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * Prove the state at @path before it enters the cache: restored as a cell
 * will restore it, the agent must answer a PROBE on its delivery port on
 * both its channel and the console. NULL, or why not (said in @log).
 */
static const char *prove(struct cl_snapshot *s, const char *path, FILE *log)
{
	char *dir = cl_scratch_new("probe-");
	struct guest_io g = { .con = -1, .agent = -1, .dlv = -1 };
	virDomainPtr dom = dir ? restore_from(s->host, path, s->name, s->dir, dir) : NULL;
	const char *why = NULL;

	fprintf(log, "\n# crashlab: test restore of the saved state\n");
	if (!dom)
		why = "the saved state does not restore";
	else if (guest_connect(&g, s->host, dom, dir, "PROBE\n") || virDomainResume(dom) < 0)
		why = "cannot connect to the restored guest";
	else if ((why = watch(&g, log, "CL PROBE", 0, 60)) == NULL && g.con_bytes == 0)
		why = "the restored guest's console is dead (its agent answered, the console did not)";
	if (!why && !s->remote && serial_in_flight(path))
		why = "a serial port was saved mid-transmission (serial/tsr in the state)";
	if (why)
		fprintf(log, "# crashlab: test restore failed: %s\n", why);
	if (dom) {
		virDomainDestroy(dom);
		virDomainFree(dom);
	}
	guest_close(&g);
	if (dir)
		cl_rm_rf(dir);
	free(dir);
	return why;
}

/* The entry's record (names, then digest) and the state in place. */
static int record(struct cl_snapshot *s, const char *entry, const char *tmp)
{
	char *meta_path = cl_path_join(entry, "meta"), *sum_path = cl_path_join(entry, "sha256");
	char *meta = cl_sprintf("%s\n%s\n", s->name, s->dir);
	int rc = 0;

	/* the digest and names first, the state last: a state is never without them */
	if (cl_write_file(meta_path, meta, strlen(meta)) || cl_write_file(sum_path, s->sha256, 64) ||
	    (!s->remote && rename(tmp, s->path) != 0))
		rc = cl_err_set(CL_EINFRA, "snapshot: cannot write %s", entry);
	free(meta_path);
	free(sum_path);
	free(meta);
	return rc;
}

/* A local state without the zero pages of the guest's RAM (cl_savestate.h), said in @log. */
static void drop_zero_pages(const char *path, FILE *log)
{
	struct cl_savestate_stats st;
	const char *why;

	if (cl_savestate_drop_zero_pages(path, &st, &why) == 0)
		fprintf(log, "\n# crashlab: %llu of the guest RAM's %llu pages are zero and left out "
			     "of the saved state (%lld -> %lld bytes)\n",
			st.dropped, st.pages, st.bytes_in, st.bytes_out);
	else
		fprintf(log, "\n# crashlab: the saved state keeps its zero pages: %s\n", why);
}

/*
 * One try at the entry: boot, quiesce, save to @tmp (locally: without its
 * zero pages), digest, prove by a test restore. 0; 1 when the saved state failed its proof (saved again);
 * or CL_EINFRA.
 */
static int save_once(struct cl_snapshot *s, const char *xml, const char *dir, const char *tmp,
		     FILE *log)
{
	const char *why;
	int rc = boot_and_save(s->host, xml, dir, tmp, log);

	if (rc == 0 && !s->remote)
		drop_zero_pages(tmp, log);
	if (rc == 0 && (rc = state_digest(s, tmp, s->sha256)))
		rc = cl_err_set(CL_EINFRA, "snapshot: %s", cl_err());
	if (rc == 0 && (why = prove(s, tmp, log))) {
		cl_err_set(CL_EINFRA, "snapshot: %s", why);
		rc = 1;
	}
	return rc;
}

/* Build the entry: saved under a private name until it is proven, then recorded. */
static int build(struct cl_snapshot *s, const char *entry, const char *release, const char *key,
		 cl_snapshot_xml_fn xmlfn, void *ctx)
{
	char *dir = cl_scratch_new("snap-"), *tmp, *xml, *logpath = cl_path_join(entry, "build.log");
	FILE *log = fopen(logpath, "wbe");
	double t0 = cl_now();
	int rc = 1;

	if (!dir || !log) {
		rc = cl_err_set(CL_EINFRA, "snapshot: %s", dir ? "cannot write its build log" : cl_err());
		goto out;
	}
	s->name = cl_sprintf("crashlab-snap-%.40s-%.8s", release, key);
	s->dir = cl_xstrdup(dir);
	/* a remote host saves straight into its pool: the entry (here) is whole
	 * only once its digest is written, after the save */
	tmp = s->remote ? cl_volume_reserve(cl_host_conn(s->host), strrchr(s->path, '/') + 1)
			: cl_sprintf("%s.%d.tmp", s->path, (int)getpid());
	xml = xmlfn(ctx, s->name, dir);
	destroy_leftover(s->host, s->name);
	for (int try = 1; tmp && rc == 1 && try <= SAVE_TRIES; try++) {
		if (try > 1)
			fprintf(log, "\n# crashlab: %s; saving it again (try %d of %d)\n", cl_err(), try,
				SAVE_TRIES);
		rc = save_once(s, xml, dir, tmp, log);
	}
	rc = !tmp ? CL_EINFRA : rc == 1 ? CL_EINFRA : rc ? rc : record(s, entry, tmp);
	if (!s->remote && tmp)
		unlink(tmp);
	free(tmp);
	free(xml);
out:
	if (log)
		fclose(log);
	if (dir)
		cl_rm_rf(dir);
	free(dir);
	free(logpath);
	s->built = rc == 0;
	s->build_s = cl_now() - t0;
	return rc;
}

/*
 * Entries of @release other than @keep were saved for another agent, kernel
 * image or emulator: remove those nobody is using (their lock is free).
 */
static void prune(const char *release, const char *keep)
{
	char *dir = cl_sprintf("%s/snapshots", cl_cache_dir()), *prefix = cl_sprintf("%s-", release);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t n = strlen(prefix);
		char *entry, *lock;
		int fd;

		/* RELEASE-KEY16 exactly: another release's name may start with ours */
		if (strncmp(e->d_name, prefix, n) || strlen(e->d_name) != n + 16 ||
		    !strcmp(e->d_name, keep))
			continue;
		entry = cl_path_join(dir, e->d_name);
		lock = cl_sprintf("%s.lock", entry);
		fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			cl_rm_rf(entry);
			unlink(lock);
		}
		if (fd >= 0)
			close(fd);
		free(entry);
		free(lock);
	}
	if (d)
		closedir(d);
	free(dir);
	free(prefix);
}

/* What the saved state also depends on: the emulator and libvirt that wrote it. */
static char *versions(struct cl_host *h)
{
	unsigned long hv = 0, lib = 0;

	virConnectGetVersion(cl_host_conn(h), &hv);
	virConnectGetLibVersion(cl_host_conn(h), &lib);
	return cl_sprintf("qemu %lu libvirt %lu", hv, lib);
}

int cl_snapshot_get(struct cl_snapshot *out, struct cl_host *host, const char *release,
		    const char *extra, cl_snapshot_xml_fn xmlfn, void *ctx)
{
	char *probe = xmlfn(ctx, "NAME", "/DIR"), *ver = versions(host);
	char *keytext = cl_sprintf("%s\n%s\n%s\n%s", probe, extra, ver, STATE_FORMAT);
	char key[CL_SHA256_HEX], *entry, *lock;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	out->lock_fd = -1;
	out->host = host;
	cl_sha256_hex(key, keytext, strlen(keytext));
	free(probe);
	free(ver);
	free(keytext);
	out->remote = !cl_host_local(host);
	if (out->remote) {
		/* another host's saved states: named for it, kept in its pool */
		char tag[CL_SHA256_HEX], *leaf;

		cl_sha256_hex(tag, cl_host_uri(host), strlen(cl_host_uri(host)));
		entry = cl_sprintf("%s/snapshots/%.80s@%.8s-%.16s", cl_cache_dir(), release, tag, key);
		leaf = cl_sprintf("crashlab-snap-%s.save", strrchr(entry, '/') + 1);

		out->path = cl_volume_path(leaf);
		free(leaf);
	} else {
		entry = cl_sprintf("%s/snapshots/%.80s-%.16s", cl_cache_dir(), release, key);
		out->path = cl_path_join(entry, "state.save");
	}
	lock = cl_sprintf("%s.lock", entry);
	out->entry = cl_xstrdup(entry);
	cl_mkdir_p(entry, 0755);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		rc = cl_err_set(CL_EINFRA, "%s: cannot lock: %s", lock, strerror(errno));
	} else if (!entry_ok(out, entry)) {
		free(out->name);
		free(out->dir);
		out->name = out->dir = NULL;
		rc = build(out, entry, release, key, xmlfn, ctx);
		if (rc == 0) {
			char *leaf = strrchr(entry, '/');

			prune(release, leaf + 1);
		}
	}
	if (rc == 0)
		out->lock_fd = fd;
	else if (fd >= 0)
		close(fd); /* the lock with it */
	free(entry);
	free(lock);
	return rc;
}

virDomainPtr cl_snapshot_restore(const struct cl_snapshot *s, const char *dir)
{
	return restore_from(s->host, s->path, s->name, s->dir, dir);
}

void cl_snapshot_discard(struct cl_snapshot *s)
{
	char *sum = cl_path_join(s->entry, "sha256");

	/* the lock is ours: nobody restores it now; without its digest the next
	 * cl_snapshot_get() builds it again (over the old state, on either host) */
	unlink(sum);
	if (!s->remote)
		unlink(s->path);
	free(sum);
}
