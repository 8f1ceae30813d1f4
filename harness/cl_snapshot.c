/*
 * cl_snapshot.c - guests saved at the agent's waiting point (see cl_snapshot.h).
 */
#include "cl_snapshot.h"
#include "cl_scratch.h"
#include "cl_stream.h"
#include "cl_util.h"
#include "cl_virt.h"

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

void cl_snapshot_clear(struct cl_snapshot *s)
{
	if (s->lock_fd > 0)
		close(s->lock_fd); /* and the lock with it */
	free(s->path);
	free(s->name);
	free(s->dir);
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

/*
 * Copy console and agent output to @log until the agent says WAITING.
 * Returns 0, or a message.
 */
static const char *wait_until_waiting(int con, int agent, FILE *log)
{
	char line[512];
	size_t len = 0;
	double deadline = cl_now() + cl_time_limit(BUILD_LIMIT_S);

	while (cl_now() < deadline) {
		struct pollfd p[2] = { { .fd = con, .events = POLLIN }, { .fd = agent, .events = POLLIN } };
		char buf[4096];
		ssize_t n, i;

		if (cl_interrupted())
			return "interrupted";
		if (poll(p, 2, 250) <= 0)
			continue;
		if (p[0].revents && (n = read(con, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, log);
		if (!p[1].revents)
			continue;
		if ((n = read(agent, buf, sizeof(buf))) < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			return "the guest stopped before its agent was waiting";
		fwrite(buf, 1, (size_t)n, log);
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if (!strncmp(line, "CL WAITING", 10))
				return NULL;
		}
	}
	return "the agent was not waiting within the time limit";
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

/* Boot the guest @xml describes until WAITING, and save it to @to (a path
 * on host @h: local, or in its crashlab pool). */
static int boot_and_save(struct cl_host *h, const char *xml, const char *dir, const char *to,
			 const char *log_path)
{
	virDomainPtr dom = virDomainCreateXML(cl_host_conn(h), xml,
					      VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
	FILE *log = fopen(log_path, "wb");
	const char *why = NULL;
	struct cl_pump *pumps[2] = { NULL, NULL };
	int con = -1, agent = -1, rc = 0;

	if (!dom || !log) {
		rc = cl_err_set(CL_EINFRA, "snapshot: cannot start the guest: %s",
				dom ? strerror(errno) : cl_virt_error());
		goto out;
	}
	if (cl_host_local(h)) {
		con = cl_unix_stream(dir, "console.sock", 10);
		agent = cl_unix_stream(dir, "agent.sock", 10);
	} else if ((pumps[0] = cl_pump_open(cl_host_conn(h), dom, "serial0", &con))) {
		pumps[1] = cl_pump_open(cl_host_conn(h), dom, "serial1", &agent);
	}
	if (con < 0 || agent < 0 || virDomainResume(dom) < 0)
		why = "cannot connect to the guest";
	else
		why = wait_until_waiting(con, agent, log);
	if (why)
		rc = cl_err_set(CL_EINFRA, "snapshot: %s (see %s)", why, log_path);
	else if (virDomainSaveFlags(dom, to, NULL, VIR_DOMAIN_SAVE_PAUSED) < 0)
		rc = cl_err_set(CL_EINFRA, "snapshot: libvirt cannot save the guest: %s",
				cl_virt_error());
out:
	if (dom) {
		virDomainDestroy(dom); /* gone already after a save */
		virDomainFree(dom);
	}
	cl_pump_close(pumps[0]);
	cl_pump_close(pumps[1]);
	if (con >= 0)
		close(con);
	if (agent >= 0)
		close(agent);
	if (log)
		fclose(log);
	return rc;
}

/* The digest of the saved state, wherever it lives. */
static int state_digest(const struct cl_snapshot *s, const char *path, char out[CL_SHA256_HEX])
{
	return s->remote ? cl_volume_sha256(cl_host_conn(s->host), path, out)
			 : cl_sha256_file(out, path);
}

/* Is the cached entry whole: state, digest and what it was saved as? */
static int entry_ok(struct cl_snapshot *s, const char *entry)
{
	char *sum = cl_path_join(entry, "sha256"), *meta = cl_path_join(entry, "meta");
	char *want = NULL, *names = NULL, *nl;
	size_t len;
	int ok = 0;

	if (cl_read_file(&want, &len, sum, 256) == 0 && cl_read_file(&names, &len, meta, 4096) == 0 &&
	    (nl = strchr(names, '\n')) && state_digest(s, s->path, s->sha256) == 0 &&
	    !strncmp(want, s->sha256, 64)) {
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

/* Build the entry: boot, save to a private name, record digest and names, rename. */
static int build(struct cl_snapshot *s, const char *entry, const char *release, const char *key,
		 cl_snapshot_xml_fn xmlfn, void *ctx)
{
	char *dir = cl_scratch_new("snap-"), *tmp, *xml, *log, *meta_path, *sum_path, *meta;
	double t0 = cl_now();
	int rc;

	if (!dir)
		return cl_err_set(CL_EINFRA, "snapshot: %s", cl_err());
	s->name = cl_sprintf("crashlab-snap-%.40s-%.8s", release, key);
	s->dir = cl_xstrdup(dir);
	/* a remote host saves straight into its pool: the entry (here) is whole
	 * only once its digest is written, after the save */
	tmp = s->remote ? cl_volume_reserve(cl_host_conn(s->host), strrchr(s->path, '/') + 1)
			: cl_sprintf("%s.%d.tmp", s->path, (int)getpid());
	xml = xmlfn(ctx, s->name, dir);
	log = cl_path_join(entry, "build.log");
	destroy_leftover(s->host, s->name);
	rc = tmp ? boot_and_save(s->host, xml, dir, tmp, log) : CL_EINFRA;
	if (rc == 0 && (rc = state_digest(s, tmp, s->sha256)))
		rc = cl_err_set(CL_EINFRA, "snapshot: %s", cl_err());
	meta_path = cl_path_join(entry, "meta");
	sum_path = cl_path_join(entry, "sha256");
	meta = cl_sprintf("%s\n%s\n", s->name, s->dir);
	/* the digest and names first, the state last: a state is never without them */
	if (rc == 0 && (cl_write_file(meta_path, meta, strlen(meta)) ||
			cl_write_file(sum_path, s->sha256, 64) ||
			(!s->remote && rename(tmp, s->path) != 0)))
		rc = cl_err_set(CL_EINFRA, "snapshot: cannot write %s", entry);
	if (!s->remote && tmp)
		unlink(tmp);
	cl_rm_rf(dir);
	free(dir);
	s->built = rc == 0;
	s->build_s = cl_now() - t0;
	free(tmp);
	free(xml);
	free(log);
	free(meta_path);
	free(sum_path);
	free(meta);
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
	char *keytext = cl_sprintf("%s\n%s\n%s", probe, extra, ver);
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
	virConnectPtr conn = cl_host_conn(s->host);
	char *saved = virDomainSaveImageGetXMLDesc(conn, s->path, 0), *xml;
	virDomainPtr dom = NULL;

	destroy_leftover(s->host, s->name);
	if (!saved) {
		cl_err_set(CL_EINFRA, "snapshot %s: libvirt cannot read it: %s", s->path,
			   cl_virt_error());
		return NULL;
	}
	xml = replace_all(saved, s->dir, dir);
	if (virDomainRestoreFlags(conn, s->path, xml, VIR_DOMAIN_SAVE_PAUSED) < 0 ||
	    !(dom = virDomainLookupByName(conn, s->name)))
		cl_err_set(CL_EINFRA, "libvirt: cannot restore the snapshot: %s", cl_virt_error());
	free(saved);
	free(xml);
	return dom;
}
