/*
 * cl_cell.c - the cell runner (see cl_cell.h).
 *
 * One thread per running cell, one poll() loop per domain over up to four
 * fds: console, agent, the delivery socket of a restored guest (while its
 * delivery is being sent) and the pipe that cl_host.c writes lifecycle
 * events into. Everything the runner learns - each observation of the
 * domain, and what it learns outside it: the lab failed the cell, the
 * module did not build, crashlab is stopping - becomes one cl_sm_event,
 * written to events.log (headed by the machine's configuration) and fed to
 * the state machine through feed_sm(), its one way in; the loop carries out
 * the actions the machine answers. What the guest did is decided by the
 * machine and cl_sm_decide(), never here. The runner decides only what to
 * do next, each time from that verdict: try once more after an infra_error
 * (try_again(), a pure function), remediate after a boot loop
 * (boot_looped()), throw away a snapshot that restored with a dead console.
 * Whatever happens, the domain is destroyed and the scratch directory
 * (sockets, overlays) removed before the runner returns.
 */
#include "cl_cell.h"
#include "cl_domain.h"
#include "cl_host.h"
#include "cl_pump.h"
#include "cl_qga.h"
#include "cl_remedy.h"
#include "cl_run.h"
#include "cl_scratch.h"
#include "cl_smlog.h"
#include "cl_snapshot.h"
#include "cl_arch.h"
#include "cl_util.h"
#include "cl_volume.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define EVENTS_LOG_MAX (16L << 20) /* recorded stream cap; the console log has it all */
#define CONSOLE_LOG_MAX (64LL << 20) /* saved console cap; $CRASHLAB_CONSOLE_MAX sets another */

/* events.log: every event the cell's machine is fed, in order (cl_smlog.h). */
struct events {
	FILE *f;                    /* NULL: nothing recorded (a cell skipped before it ran) */
	long bytes;
	double t0;                  /* cl_now() when the domain was resumed; 0 before it was */
	char rec[4096];             /* console bytes not yet recorded (up to a newline) */
	size_t rec_len;
	double rec_t;
};

/* The files one try writes in the cell's directory. */
struct logs {
	FILE *con, *agent;          /* console.log, agent.log: tries that boot a domain */
	struct events ev;           /* events.log: every try */
};

struct io {
	struct cl_cell_run *r;
	struct cl_sm *sm;           /* the machine this domain feeds */
	struct events *log;         /* ... and where what it is fed is recorded */
	virDomainPtr dom;
	int con, agent, evr, evw;
	FILE *con_log, *agent_log;
	long long con_bytes;        /* console bytes seen (saved up to con_max) */
	long long con_max;          /* console.log cap, read once per domain */
	int lost;                   /* the libvirt connection died under this domain */
	int shut_down;              /* libvirt said the guest shut itself down */
	struct cl_qga *qga;         /* no crashlab agent: the guest-agent driver (thread) */
	int qga_w;                  /* its end of the pipe io->agent reads */
	int qga_told;               /* its failure was fed to the machine */
	char agent_line[CL_SM_AGENT_MAX + 2]; /* one byte more than the machine trusts */
	size_t agent_len;
	int dlv;                    /* restored: the delivery socket (virtio-serial port) */
	const char *out;            /* ... and what is still to send on it */
	size_t out_len, out_off;
	struct cl_snapshot snap;    /* restored: its snapshot (locked while the guest runs) */
	/* a remote host: the serial ports as streams, the media as volumes */
	struct cl_pump *pumps[3];   /* console, agent, delivery */
	virStorageVolPtr vols[2];   /* the cell's own: initrd, disk overlay */
	int remote;                 /* the host does not share our files */
	char *remote_kernel, *remote_initrd, *remote_disk;
};

/* Copy guest console text to the terminal without its control sequences. */
static void echo_sanitized(const char *buf, size_t n)
{
	char out[8192];
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\r')
			continue;
		out[o++] = (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
		if (o == sizeof(out)) {
			if (fwrite(out, 1, o, stderr) != o)
				return; /* terminal gone; the log file still has it */
			o = 0;
		}
	}
	if (o > 0 && fwrite(out, 1, o, stderr) != o) {
		/* terminal gone; the log file still has it */
	}
}

/*
 * --vmcore: the domain was preserved after its panic; dump its memory in
 * kdump-compressed form (what crash(8) reads) before destroying it.
 */
static void dump_core(struct cl_cell_run *r, virDomainPtr dom)
{
	char *path = cl_path_join(r->dir, "vmcore.kdump");
	double t0 = cl_now();

	if (virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
					VIR_DUMP_MEMORY_ONLY) == 0) {
		r->dumped = 1;
		fprintf(stderr, "crashlab: %s: guest memory dumped to %s (%.1f s)\n", r->spec->id,
			path, cl_now() - t0);
	} else {
		fprintf(stderr, "crashlab: %s: memory dump failed: %s\n", r->spec->id,
			cl_host_error());
	}
	free(path);
}

static void record(struct events *l, const struct cl_sm_event *e)
{
	long before;

	if (!l->f || l->bytes >= EVENTS_LOG_MAX)
		return;
	before = ftell(l->f);
	cl_smlog_write(l->f, e);
	l->bytes += ftell(l->f) - before;
	if (l->bytes >= EVENTS_LOG_MAX)
		fputs("# events.log capped here; console.log has the rest\n", l->f);
}

static void record_console_flush(struct events *l)
{
	struct cl_sm_event e = { .kind = CL_SM_EV_CONSOLE, .t = l->rec_t, .data = l->rec,
				 .len = l->rec_len };

	if (l->rec_len)
		record(l, &e);
	l->rec_len = 0;
}

/*
 * The serial port hands over a few bytes at a time: console bytes are
 * recorded up to each newline as one event, stamped with the time of the
 * chunk that completed the line. The machine decides on whole lines, so a
 * replay reaches the same decisions at the same times.
 */
static void record_event(struct events *l, const struct cl_sm_event *e)
{
	if (e->kind != CL_SM_EV_CONSOLE) {
		record_console_flush(l);
		record(l, e);
		return;
	}
	for (size_t i = 0; i < e->len; i++) {
		l->rec[l->rec_len++] = e->data[i];
		l->rec_t = e->t;
		if (e->data[i] == '\n' || l->rec_len == sizeof(l->rec))
			record_console_flush(l);
	}
}

/*
 * The machine's one way in: stamp @e (seconds since the domain was resumed,
 * 0 before), record it in @l when there is a log, feed it. Returns the
 * machine's actions.
 */
static int feed_sm(struct cl_sm *sm, struct events *l, struct cl_sm_event *e)
{
	if (l && e->t == 0 && e->kind != CL_SM_EV_START && l->t0 > 0)
		e->t = cl_now() - l->t0;
	if (l)
		record_event(l, e);
	return cl_sm_feed(sm, e);
}

/* What the runner learnt outside the guest (INFRA, BUILD_FAILED, INTERRUPT), and why. */
static int tell(struct cl_sm *sm, struct events *l, enum cl_sm_ev kind, const char *why)
{
	struct cl_sm_event e = { .kind = kind, .data = why, .len = why ? strlen(why) : 0 };

	return feed_sm(sm, l, &e);
}

/* This try's machine, @sm (cleared), begun; its configuration heads events.log. */
static void sm_begin(struct cl_sm *sm, struct events *l, const struct cl_sm_config *cfg)
{
	cl_sm_init(sm, cfg);
	if (l && l->f)
		cl_smlog_write_config(l->f, cfg);
}

static void mark(struct cl_cell_run *r, enum cl_mark m)
{
	if (r->marks[m] < 0)
		r->marks[m] = cl_now() - r->attempt_t0;
}

/* Agent lines that mark a phase of the cell. */
static void mark_line(struct cl_cell_run *r, const char *line, size_t len)
{
	static const struct { const char *prefix; enum cl_mark m; } lines[] = {
		{ "CL READY", CL_MARK_READY }, { "CL LOADING", CL_MARK_LOADING },
		{ "CL LOADED", CL_MARK_LOADED }, { "CL DONE", CL_MARK_DONE },
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (len >= strlen(lines[i].prefix) && !strncmp(line, lines[i].prefix,
							       strlen(lines[i].prefix)))
			mark(r, lines[i].m);
}

/* Record @e, feed it to the machine, carry out what it answers. */
static void feed(struct io *io, struct cl_sm_event *e)
{
	int act;

	if (e->kind == CL_SM_EV_AGENT)
		mark_line(io->r, e->data, e->len);
	act = feed_sm(io->sm, io->log, e);
	if (io->sm->stopped)
		mark(io->r, CL_MARK_STOPPED);
	if (io->sm->ev.ready && cl_cell_phase(io->r) == CL_PHASE_BOOTING)
		cl_cell_set_phase(io->r, CL_PHASE_RUNNING);
	if ((act & CL_SM_ACT_DUMP) && io->dom && !io->r->dumped)
		dump_core(io->r, io->dom);
	if ((act & CL_SM_ACT_DESTROY) && io->dom)
		virDomainDestroy(io->dom);
}

/* tell() while a domain is being run: the machine's answer is carried out. */
static void io_tell(struct io *io, enum cl_sm_ev kind, const char *why)
{
	feed(io, &(struct cl_sm_event){ .kind = kind, .data = why, .len = why ? strlen(why) : 0 });
}

static long long console_max(void)
{
	const char *env = getenv("CRASHLAB_CONSOLE_MAX");
	long long v = env ? atoll(env) : 0;

	return v >= 4096 ? v : CONSOLE_LOG_MAX;
}

/* console.log keeps the first con_max bytes, then says that more came. */
static void save_console(struct io *io, const char *buf, size_t n)
{
	long long max = io->con_max, room = max - io->con_bytes;

	io->con_bytes += (long long)n;
	if (!io->con_log || room <= 0)
		return;
	fwrite(buf, 1, (size_t)room < n ? (size_t)room : n, io->con_log);
	if ((size_t)room <= n)
		fprintf(io->con_log, "\n[crashlab: console.log capped at %lld bytes; the guest went "
			"on writing, see the cell's console_bytes]\n", max);
}

static void agent_bytes(struct io *io, const char *buf, size_t n)
{
	size_t i;

	if (io->agent_log)
		fwrite(buf, 1, n, io->agent_log);
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			struct cl_sm_event e = { .kind = CL_SM_EV_AGENT, .data = io->agent_line,
						 .len = io->agent_len };

			/* a line cut short here is longer than the machine trusts: it says so */
			feed(io, &e);
			io->agent_len = 0;
		} else if (buf[i] != '\r' && io->agent_len + 1 < sizeof(io->agent_line)) {
			io->agent_line[io->agent_len++] = buf[i];
		}
	}
}

/* Read what is there; at EOF or error close the fd and feed the EOF event. */
static void pump(struct io *io, int *fd, int is_agent)
{
	char buf[8192];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n > 0) {
		if (is_agent) {
			agent_bytes(io, buf, (size_t)n);
		} else {
			struct cl_sm_event e = { .kind = CL_SM_EV_CONSOLE, .data = buf,
						 .len = (size_t)n };

			save_console(io, buf, (size_t)n);
			if (io->r->echo_console)
				echo_sanitized(buf, (size_t)n);
			feed(io, &e);
		}
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	close(*fd);
	*fd = -1;
	feed(io, &(struct cl_sm_event){ .kind = is_agent ? CL_SM_EV_AGENT_EOF
							 : CL_SM_EV_CONSOLE_EOF });
}

static void host_lost(struct io *io)
{
	const char *why = cl_host_lost(io->r->host);
	struct cl_sm_event e = { .kind = CL_SM_EV_HOST_LOST, .data = why, .len = why ? strlen(why) : 0 };

	if (io->lost)
		return;
	io->lost = 1;
	feed(io, &e);
}

static void virt_events(struct io *io)
{
	struct cl_host_event v;

	while (read(io->evr, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
		struct cl_sm_event e = { .kind = CL_SM_EV_TICK };

		if (v.kind == CL_HOST_EV_PANICKED)
			e.kind = CL_SM_EV_PANICKED;
		else if (v.kind == CL_HOST_EV_BUGCHECK)
			e.kind = CL_SM_EV_BUGCHECK;
		else if (v.kind == CL_HOST_EV_REBOOT)
			e.kind = CL_SM_EV_REBOOT;
		else if (v.kind == CL_HOST_EV_STOPPED)
			e.kind = CL_SM_EV_STOPPED;
		else if (v.kind == CL_HOST_EV_LOST)
			return host_lost(io);
		else {
			io->shut_down |= v.kind == CL_HOST_EV_SHUTDOWN; /* not evidence: teardown's */
			continue;
		}
		memcpy(e.args, v.args, sizeof(e.args));
		if (e.kind == CL_SM_EV_STOPPED) /* how it ended, as the state machine asks */
			e.args[0] = v.detail == VIR_DOMAIN_EVENT_STOPPED_FAILED;
		if (e.kind == CL_SM_EV_REBOOT && io->qga)
			cl_qga_reset(io->qga);
		feed(io, &e);
	}
}

/* Restored guest: send the next piece of its delivery (the socket is non-blocking). */
static void deliver(struct io *io)
{
	ssize_t n = write(io->dlv, io->out + io->out_off, io->out_len - io->out_off);

	if (n > 0)
		io->out_off += (size_t)n;
	if (io->out_off == io->out_len || (n < 0 && errno != EAGAIN && errno != EINTR))
		io->out = NULL; /* sent, or the guest is gone: its silence decides */
}

/* The event loop of one domain, until the machine says finished. */
static void watch_domain(struct io *io)
{
	int interrupt_fed = 0;

	while (!io->sm->finished) {
		struct pollfd p[4]; /* console, agent, delivery, events */
		int np = 0, i;

		if (cl_run_interrupted() && !interrupt_fed) {
			interrupt_fed = 1;
			feed(io, &(struct cl_sm_event){ .kind = CL_SM_EV_INTERRUPT });
			continue;
		}
		if (cl_host_lost(io->r->host) && !io->lost) {
			host_lost(io); /* the pipe may have been full */
			continue;
		}
		if (io->qga && !io->qga_told && cl_qga_failure(io->qga)) {
			io->qga_told = 1; /* the machine stops the domain */
			io_tell(io, CL_SM_EV_INFRA, cl_qga_failure(io->qga));
		}
		if (io->con >= 0)
			p[np++] = (struct pollfd){ .fd = io->con, .events = POLLIN };
		if (io->agent >= 0)
			p[np++] = (struct pollfd){ .fd = io->agent, .events = POLLIN };
		if (io->out)
			p[np++] = (struct pollfd){ .fd = io->dlv, .events = POLLOUT };
		p[np++] = (struct pollfd){ .fd = io->evr, .events = POLLIN };
		if (poll(p, (nfds_t)np, (int)(cl_sm_wait(io->sm) * 1000) + 1) <= 0) {
			feed(io, &(struct cl_sm_event){ .kind = CL_SM_EV_TICK });
			continue;
		}
		for (i = 0; i < np; i++) {
			if (io->out && p[i].fd == io->dlv) {
				if (p[i].revents)
					deliver(io);
				continue;
			}
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (p[i].fd == io->con)
				pump(io, &io->con, 0);
			else if (p[i].fd == io->agent)
				pump(io, &io->agent, 1);
			else
				virt_events(io);
		}
	}
}

static char *domain_name(const struct cl_cell_run *r)
{
	static unsigned int seq;
	unsigned int n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);

	return cl_sprintf("crashlab-%d-%u-%.40s", (int)getpid(), n, r->spec->id);
}

/* The domain's XML; on a remote host (@io's volumes uploaded) its paths there. */
static char *cell_xml(const struct cl_cell_run *r, const struct cl_cell_media *m,
		      const char *name, const char *dir, const struct io *io)
{
	int remote = io && io->remote;
	char *con_sock = cl_path_join(dir, "console.sock"), *agent_sock = cl_path_join(dir, "agent.sock");
	char *dlv_sock = cl_path_join(dir, "delivery.sock"), *xml;
	const char *on_crash = r->vmcore ? "preserve" : m->reboot_on_crash ? "restart" : "destroy";
	const struct cl_arch *arch = cl_arch_of(r->spec->kernel);

	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = name, .virt_type = remote || !arch->kvm ? "qemu" : r->virt_type,
		.arch = arch,
		.memory_mib = r->spec->memory_mib, .vcpus = r->spec->vcpus,
		.kernel = remote ? io->remote_kernel : m->kernel,
		.initrd = remote ? io->remote_initrd : m->initrd,
		.cmdline = m->cmdline, .console_sock = con_sock, .pty_serials = remote,
		.disk = remote ? io->remote_disk : m->disk,
		.agent_sock = m->crashlab_agent ? agent_sock : NULL, .on_crash = on_crash,
		.panic_model = !strncmp(r->spec->os, "windows", 7) ? "hyperv" : "isa",
		.vmcoreinfo = r->vmcore, .efi = m->efi,
		.guest_agent = m->guest_agent, .delivery_sock = m->delivery ? dlv_sock : NULL });
	free(con_sock);
	free(agent_sock);
	free(dlv_sock);
	return xml;
}

static FILE *open_log(struct cl_cell_run *r, const char *name)
{
	char *path = cl_path_join(r->dir, name);
	FILE *f = fopen(path, "wbe");

	free(path);
	return f;
}

struct snap_ctx {
	const struct cl_cell_run *r;
	const struct cl_cell_media *m;
	const struct io *io;        /* its media's paths on a remote host */
};

/* The cell's domain XML for a name and a socket directory (the snapshot's key and guest). */
static char *snap_xml(void *ctx, const char *name, const char *dir)
{
	const struct snap_ctx *c = ctx;

	return cell_xml(c->r, c->m, name, dir, c->io);
}

/* The release's snapshot for this cell (built first when there is none), locked. */
static int get_snapshot(struct io *io, const struct cl_cell_media *m)
{
	struct cl_cell_run *r = io->r;
	struct snap_ctx c = { r, m, io };

	if (cl_snapshot_get(&io->snap, r->host, r->spec->kernel, m->snapshot_extra, snap_xml,
			    &c)) {
		io_tell(io, CL_SM_EV_INFRA, cl_err());
		return -1;
	}
	snprintf(r->snapshot_sha256, sizeof(r->snapshot_sha256), "%s", io->snap.sha256);
	r->snapshot_built = io->snap.built;
	if (io->snap.built)
		fprintf(stderr, "crashlab: %s: snapshot of %s saved in %.1f s\n", r->spec->id,
			r->spec->kernel, io->snap.build_s);
	io->out = m->delivery;
	io->out_len = m->delivery_len;
	return 0;
}

/* The content digest of cache file @path, as its directory's sums recorded
 * it when the cache verified it; else hashed now. */
static int file_digest(char out[CL_SHA256_HEX], const char *path)
{
	char *dir = cl_dirname(path), *sums = cl_path_join(dir, "sums"), *text = NULL, *line, *save;
	const char *leaf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int found = 0;

	if (cl_read_file(&text, NULL, sums, 65536) == 0)
		for (line = strtok_r(text, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save))
			if (strlen(line) == 66 + strlen(leaf) && line[64] == ' ' && line[65] == '*' &&
			    !strcmp(line + 66, leaf)) {
				memcpy(out, line, 64);
				out[64] = '\0';
				found = 1;
			}
	free(text);
	free(sums);
	free(dir);
	return found ? 0 : cl_sha256_file(out, path);
}

/* Cache file @path on the host, shared by every cell there; @known its
 * digest when the caller has it (else NULL). */
static char *shared_volume(virConnectPtr c, const char *path, const char *known)
{
	char digest[CL_SHA256_HEX];

	if (known && known[0])
		snprintf(digest, sizeof(digest), "%s", known);
	else if (file_digest(digest, path)) {
		cl_err_set(CL_EINFRA, "%s: cannot hash: %s", path, cl_err());
		return NULL;
	}
	return cl_volume_shared(c, path, digest);
}

/* The cell's overlay on the host: its backing file made the host's copy of
 * the base (the header only: qemu-img rebase -u), then uploaded. */
static char *upload_overlay(struct io *io, virConnectPtr c, const struct cl_cell_media *m,
			    const char *name)
{
	char *base = shared_volume(c, m->disk_base, m->disk_base_sha256), *vn, *remote = NULL;
	char *argv[] = { "qemu-img", "rebase", "-u", "-F", "qcow2", "-b", base, m->disk, NULL };

	if (!base)
		return NULL;
	if (cl_run(argv, NULL, 60) != 0) {
		cl_err_set(CL_EINFRA, "qemu-img rebase of %s failed", m->disk);
	} else {
		vn = cl_volume_name(name, "disk");
		remote = cl_volume_upload(c, m->disk, vn, &io->vols[1]);
		free(vn);
	}
	free(base);
	return remote;
}

/* A remote host: kernel, initrd and disk there as volumes; 0 or infra in sm. */
static int upload_media(struct io *io, const struct cl_cell_media *m, const char *name)
{
	virConnectPtr c = cl_host_conn(io->r->host);
	char *in = cl_volume_name(name, "initrd");
	int ok;

	io->remote = 1;
	/* a user's image boots from its own disk: no kernel to send */
	ok = !m->kernel || (io->remote_kernel = shared_volume(c, m->kernel, NULL)) != NULL;
	if (ok && m->initrd)
		/* the cell's own initramfs goes up for the cell; the image's is shared */
		ok = (io->remote_initrd = m->scratch_initrd
						  ? cl_volume_upload(c, m->initrd, in, &io->vols[0])
						  : shared_volume(c, m->initrd, NULL)) != NULL;
	if (ok && m->disk)
		ok = (io->remote_disk = upload_overlay(io, c, m, name)) != NULL;
	free(in);
	if (!ok) {
		io_tell(io, CL_SM_EV_INFRA, cl_err());
		return -1;
	}
	return 0;
}

/* A remote host: the console and agent serial ports as libvirt streams. */
static int open_pumps(struct io *io, const struct cl_cell_media *m)
{
	virConnectPtr c = cl_host_conn(io->r->host);

	if (!(io->pumps[0] = cl_pump_open(c, io->dom, "serial0", &io->con)) ||
	    (m->crashlab_agent && !(io->pumps[1] = cl_pump_open(c, io->dom, "serial1", &io->agent)))) {
		io_tell(io, CL_SM_EV_INFRA, cl_err());
		return -1;
	}
	/* a restored guest's delivery: sent by the event loop as the host takes it */
	if (m->delivery && !(io->pumps[2] = cl_pump_send(c, io->dom, "org.crashlab.delivery",
							  m->delivery, m->delivery_len))) {
		io_tell(io, CL_SM_EV_INFRA, cl_err());
		return -1;
	}
	io->out = NULL;
	return 0;
}

/* The domain's console, agent and (restored guests) delivery streams; 0 or infra in sm. */
static int connect_streams(struct io *io, const struct cl_cell_media *m, const char *scratch)
{
	if (io->remote)
		return open_pumps(io, m);
	io->con = cl_unix_stream(scratch, "console.sock", 10);
	io->agent = m->crashlab_agent ? cl_unix_stream(scratch, "agent.sock", 10) : -1;
	if (io->con < 0 || (m->crashlab_agent && io->agent < 0)) {
		io_tell(io, CL_SM_EV_INFRA, "cannot connect to the console sockets");
		return -1;
	}
	if (m->delivery && (io->dlv = cl_unix_stream(scratch, "delivery.sock", 10)) < 0) {
		io_tell(io, CL_SM_EV_INFRA, "cannot connect to the delivery socket");
		return -1;
	}
	return 0;
}

/* Create (or restore) the paused domain and connect its streams; 0 or an infra message in sm. */
static int start_domain(struct io *io, const struct cl_cell_media *m, const char *scratch,
			const char *name)
{
	struct cl_cell_run *r = io->r;
	char *xml, *xml_path;
	int rc = -1;

	xml = cell_xml(r, m, name, scratch, io);
	xml_path = cl_path_join(r->dir, "domain.xml");

	cl_write_file(xml_path, xml, strlen(xml));
	if (cl_host_watch(r->host, name, io->evw)) {
		io_tell(io, CL_SM_EV_INFRA, cl_err());
		goto out;
	}
	if (m->delivery)
		io->dom = cl_snapshot_restore(&io->snap, scratch);
	else
		io->dom = virDomainCreateXML(cl_host_conn(r->host), xml,
					     VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
	if (!io->dom) {
		char *msg = m->delivery ? cl_xstrdup(cl_err())
					: cl_sprintf("libvirt: cannot start the domain: %s",
						     cl_host_error());

		io_tell(io, CL_SM_EV_INFRA, msg);
		free(msg);
		goto out;
	}
	mark(r, CL_MARK_DOMAIN);
	rc = connect_streams(io, m, scratch);
	if (rc == 0)
		mark(r, CL_MARK_ATTACHED);
out:
	free(xml);
	free(xml_path);
	return rc;
}

/*
 * The guest powered itself off: libvirt said so (its SHUTDOWN event comes
 * before it stops the emulator) and the streams ended (qemu closes them as
 * it exits). libvirt finishes the stop by itself; any call on the domain now
 * would wait out its 200 ms poll of the dying process. (A leftover of the
 * same name is destroyed before the next restore of its snapshot.)
 */
static int guest_ended(struct io *io)
{
	struct cl_host_event v;

	while (!io->shut_down && read(io->evr, &v, sizeof(v)) == (ssize_t)sizeof(v))
		io->shut_down = v.kind == CL_HOST_EV_SHUTDOWN;
	return io->sm->stopped && io->shut_down;
}

static void close_io(struct io *io, const char *name)
{
	record_console_flush(io->log);
	cl_qga_stop(io->qga); /* before the domain goes: the thread uses it */
	io->qga = NULL;
	if (io->qga_w >= 0)
		close(io->qga_w);
	if (io->dom && io->lost) {
		/* the domain outlived its connection: destroy it through a new one */
		if (cl_host_forget(io->r->host, name))
			fprintf(stderr, "crashlab: %s: %s\n", io->r->spec->id, cl_err());
	} else if (io->dom && !guest_ended(io)) {
		virDomainDestroy(io->dom);
	}
	if (io->dom)
		virDomainFree(io->dom);
	cl_snapshot_clear(&io->snap); /* after its guest is gone */
	for (int i = 0; i < 3; i++)
		cl_pump_close(io->pumps[i]);
	for (int i = 0; i < 2; i++)
		cl_volume_remove(io->vols[i]);
	free(io->remote_kernel);
	free(io->remote_initrd);
	free(io->remote_disk);
	if (name)
		cl_host_unwatch(name);
	if (io->con >= 0)
		close(io->con);
	if (io->agent >= 0)
		close(io->agent);
	if (io->dlv >= 0)
		close(io->dlv);
	if (io->evr >= 0) {
		close(io->evr);
		close(io->evw);
	}
}

/* No crashlab agent channel: its lines come from the guest-agent driver's pipe. */
static int start_qga(struct io *io, const char *plan)
{
	char *bin = cl_xstrdup(cl_agent_path());
	int qfd[2];

	if (pipe2(qfd, O_CLOEXEC) != 0) {
		free(bin);
		io_tell(io, CL_SM_EV_INFRA, "pipe failed");
		return -1;
	}
	fcntl(qfd[0], F_SETFL, O_NONBLOCK);
	io->agent = qfd[0];
	io->qga_w = qfd[1];
	io->qga = cl_qga_start(io->dom, bin, plan, qfd[1]);
	free(bin);
	return 0;
}

/* A restored guest whose console was dead: the saved guest is what is broken. */
static void discard_snapshot(struct io *io)
{
	cl_snapshot_discard(&io->snap);
	fprintf(stderr, "crashlab: %s: the snapshot of %s restored with a dead console; "
		"discarded, built again on the retry\n", io->r->spec->id, io->r->spec->kernel);
}

/* One domain, from creation to the machine's FINISH, feeding @sm (recorded in @lg). */
static void run_domain(struct cl_cell_run *r, struct cl_sm *sm, const struct cl_cell_media *m,
		       const char *scratch, struct logs *lg)
{
	struct io io = { .r = r, .sm = sm, .log = &lg->ev, .con = -1, .agent = -1, .dlv = -1,
			 .evr = -1, .evw = -1, .qga_w = -1, .con_log = lg->con,
			 .agent_log = lg->agent, .con_max = console_max() };
	char *name = NULL;
	int pfd[2];

	lg->ev.t0 = 0; /* until this domain is resumed */
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
		io_tell(&io, CL_SM_EV_INFRA, "pipe failed");
		goto out;
	}
	io.evr = pfd[0];
	io.evw = pfd[1];
	name = domain_name(r);
	/* a remote host: the media there first (a snapshot's key names their paths) */
	if (!cl_host_local(r->host) && upload_media(&io, m, name))
		goto out;
	if (m->delivery && get_snapshot(&io, m))
		goto out;
	if (m->delivery) { /* a restored domain keeps the name it was saved with */
		mark(r, CL_MARK_SNAPSHOT);
		free(name);
		name = cl_xstrdup(io.snap.name);
	}
	if (start_domain(&io, m, scratch, name))
		goto out;
	lg->ev.t0 = cl_now();
	cl_cell_set_phase(r, CL_PHASE_BOOTING);
	if (virDomainResume(io.dom) < 0) {
		io_tell(&io, CL_SM_EV_INFRA, "libvirt: cannot resume the domain");
		goto out;
	}
	if (m->qga_plan && start_qga(&io, m->qga_plan))
		goto out;
	feed(&io, &(struct cl_sm_event){ .kind = m->delivery ? CL_SM_EV_RESTORED : CL_SM_EV_START });
	if (io.agent < 0) /* no agent stream to drain: its end is known now */
		feed(&io, &(struct cl_sm_event){ .kind = CL_SM_EV_AGENT_EOF });
	watch_domain(&io);
	mark(r, CL_MARK_FINISHED);
	if (sm->ev.console_dead && m->delivery)
		discard_snapshot(&io); /* the retry builds it again */
out:
	close_io(&io, name);
	mark(r, CL_MARK_TORN_DOWN);
	cl_sm_end(sm);
	free(name);
}

/*
 * --remediate: the cell boot-looped. Apply the vendor's steps to the same
 * overlay, offline, then boot again until the first healthy boot (or the
 * scenario's limits say it will not come).
 */
static void remediate(struct cl_cell_run *r, const struct cl_cell_media *m, const char *scratch,
		      struct logs *lg)
{
	struct cl_remediation_result *res = &r->remedy_result;
	struct cl_sm_config cfg = r->sm.cfg;
	struct cl_decision dec;
	struct cl_sm after;
	double t0 = cl_now(), applied;

	memset(res, 0, sizeof(*res));
	res->file = r->remedy->path;
	r->remedied = 1;
	if (cl_remedy_apply(r->remedy, m->disk, &res->removed)) {
		snprintf(res->outcome, sizeof(res->outcome), "not applied: %s", cl_err());
		return;
	}
	res->applied = 1;
	applied = cl_now() - t0;
	fprintf(stderr, "crashlab: %s: remediation %s applied offline in %.1f s (paths removed: %d); "
		"booting again\n", r->spec->id, r->remedy->name, applied, res->removed);
	if (lg->ev.f)
		fprintf(lg->ev.f, "# remediation applied: boots after it follow, as a new stream\n");
	cfg.stop_when_healthy = 1;
	cfg.dump = 0;
	sm_begin(&after, &lg->ev, &cfg);
	run_domain(r, &after, m, scratch, lg);
	res->recovered = after.ev.healthy_boot > 0;
	res->boots = res->recovered ? after.ev.healthy_boot : after.ev.boots;
	res->seconds = applied + after.ev.healthy_s;
	if (!res->recovered) {
		cl_sm_decide(&dec, &after, r->cand);
		snprintf(res->outcome, sizeof(res->outcome), "%s: %.280s",
			 cl_verdict_name(dec.verdict), dec.title);
	}
	cl_sm_clear(&after);
}

/* Did the first domain end in a boot loop? Asked of the decision, not restated. */
static int boot_looped(const struct cl_cell_run *r)
{
	struct cl_decision dec;

	cl_sm_decide(&dec, &r->sm, r->cand);
	return dec.verdict == CL_V_BOOT_LOOP;
}

/*
 * The runner's retry policy: a try that ended in infra_error (the lab's
 * fault) is tried once more, unless crashlab is stopping or the host is
 * gone (the scheduler moves the cell to another).
 */
static int try_again(const struct cl_decision *dec, int tried, int stopping, int host_gone)
{
	return dec->verdict == CL_V_INFRA_ERROR && tried < 2 && !stopping && !host_gone;
}

/* Move the cell's overlay into its directory (it still needs its base). */
static void keep_disk(const struct cl_cell_run *r, const char *disk)
{
	char *to = cl_path_join(r->dir, "disk.qcow2");

	if (rename(disk, to) == 0)
		fprintf(stderr, "crashlab: %s: disk overlay kept: %s (backing file %s)\n", r->spec->id,
			to, r->img->disk ? r->img->disk : "the user's image");
	free(to);
}

/*
 * A log that could not be saved whole (full disk) makes the cell unusable
 * evidence: the lab's failure, fed to the machine (and recorded in
 * events.log while it is still open).
 */
static void close_logs(struct cl_cell_run *r, struct logs *lg)
{
	static const char *const names[3] = { "console.log", "agent.log", "events.log" };
	FILE *f[3] = { lg->con, lg->agent, lg->ev.f };

	lg->con = lg->agent = NULL;
	for (int i = 0; i < 3; i++) {
		int bad;

		if (!f[i])
			continue;
		if (i == 2)
			lg->ev.f = NULL;
		bad = fflush(f[i]) != 0 || ferror(f[i]);
		bad = fclose(f[i]) != 0 || bad;
		if (bad) {
			char *msg = cl_sprintf("cannot save %s/%s: %s", r->dir, names[i],
					       strerror(errno));

			tell(&r->sm, &lg->ev, CL_SM_EV_INFRA, msg);
			free(msg);
		}
	}
}

/* reproduce: the cell's initramfs (base, candidate, plan) next to its domain.xml. */
static void keep_initrd(const struct cl_cell_run *r, const char *initrd)
{
	char *to = cl_path_join(r->dir, "initrd.img"), *data = NULL;
	size_t len;

	if (rename(initrd, to) != 0 && cl_read_file(&data, &len, initrd, 1u << 30) == 0)
		cl_write_file(to, data, len); /* another file system */
	chmod(to, 0644);
	free(data);
	free(to);
}

/*
 * One attempt: the kind's media, then the domain (and its remediation).
 * The machine begins once the media are known (they say whether the agent
 * echoes on the console). Infra trouble is an event, never a pass.
 */
static void attempt(struct cl_cell_run *r, const char *scratch, const struct cl_sm_config *cfg,
		    struct logs *lg)
{
	struct cl_cell_media m = { 0 };
	struct cl_cell_input in = { .spec = r->spec, .cand = r->cand, .scn = r->scn,
				    .img = r->img, .ko_path = r->ko_path, .vmcore = r->vmcore,
				    .rerun = r->rerun };
	struct cl_sm_config c = *cfg;
	char *why = NULL;

	lg->con = open_log(r, "console.log");
	lg->agent = open_log(r, "agent.log");
	if (!lg->con || !lg->agent || !lg->ev.f)
		why = cl_xstrdup("cannot write the cell's logs");
	else if (r->kind->setup(&m, &in, scratch))
		why = cl_xstrdup(cl_err());
	c.console_echo = m.console_echo;
	sm_begin(&r->sm, &lg->ev, &c);
	if (why) {
		tell(&r->sm, &lg->ev, CL_SM_EV_INFRA, why);
		goto out;
	}
	mark(r, CL_MARK_MEDIA);
	snprintf(r->cmdline, sizeof(r->cmdline), "%s", m.cmdline ? m.cmdline : "");
	run_domain(r, &r->sm, &m, scratch, lg);
	if (r->remedy && m.disk && boot_looped(r) && !cl_run_interrupted())
		remediate(r, &m, scratch, lg);
out:
	free(why);
	if (r->echo_console && m.disk)
		keep_disk(r, m.disk); /* reproduce: the disk as the crash left it */
	else if (r->echo_console && m.scratch_initrd)
		keep_initrd(r, m.scratch_initrd); /* reproduce: boot it again by hand */
	cl_kind_media_clear(&m);
}

/* Keep an earlier attempt's log @name as NAME.attemptN.log. */
static void keep_aside(const char *dir, const char *name, int n)
{
	char *from = cl_sprintf("%s/%s.log", dir, name);
	char *to = cl_sprintf("%s/%s.attempt%d.log", dir, name, n);

	rename(from, to);
	free(from);
	free(to);
}

/* A new attempt: the last one's console and agent logs set aside, its marks cleared. */
static void begin_attempt(struct cl_cell_run *r)
{
	if (r->tries > 0) {
		keep_aside(r->dir, "console", r->tries);
		keep_aside(r->dir, "agent", r->tries);
	}
	r->tries++;
	r->events_attempt = r->tries;
	r->attempt_t0 = cl_now();
	for (int i = 0; i < CL_MARK_LAST; i++)
		r->marks[i] = -1;
}

/* This try's events.log, headed by what the cell is; an attempt's stream set aside first. */
static FILE *open_events(struct cl_cell_run *r)
{
	FILE *f;

	if (r->events_attempt > 0)
		keep_aside(r->dir, "events", r->events_attempt);
	r->events_attempt = 0;
	if ((f = open_log(r, "events.log")))
		fprintf(f, "# crashlab events: cell %s, kernel %s, image %s\n", r->spec->id,
			r->spec->kernel, r->kind ? r->kind->name : r->spec->image);
	return f;
}

static struct cl_sm_config sm_config(const struct cl_cell_run *r)
{
	const struct cl_scenario *s = r->scn;
	const char *key = NULL;
	int i;

	for (i = 0; i < r->cand->ncontent && !key; i++)
		key = r->cand->content[i].reported_as;
	return (struct cl_sm_config){
		.on_crash = s->on_crash_reboot ? CL_CRASH_REBOOT : CL_CRASH_STOP,
		.loop_boots = s->loop_boots, .max_boots = s->max_boots, .boot_s = s->boot_s,
		.heartbeat_s = s->heartbeat_s, .step_s = s->step_s, .total_s = s->total_s,
		.fatal_warnings = s->fatal_warnings, .dump = r->vmcore, .digest_key = key,
		.no_panic_event = !cl_arch_of(r->spec->kernel)->panic_device,
		.module = r->cand->module_name,
		.mutants = r->cand->mutants, .nmutants = r->cand->nmutants,
	};
}

/*
 * Why this try cannot attempt the cell: the event that says so, its why in
 * @why; or CL_SM_EV_LAST with the attempt's scratch directory in @scratch.
 */
static enum cl_sm_ev cannot_attempt(struct cl_cell_run *r, char **scratch, char *why, size_t cap)
{
	why[0] = '\0';
	if (cl_run_interrupted())
		return CL_SM_EV_INTERRUPT; /* never started: not_run */
	if (!r->ko_path && r->cand->module_name) { /* a module it needs was not built */
		snprintf(why, cap, "%s", r->build_error ? r->build_error : "");
		return r->build_infra ? CL_SM_EV_INFRA : CL_SM_EV_BUILD_FAILED;
	}
	if (cl_host_ensure(r->host, cl_host_local(r->host) ? 60 : 20)) {
		r->host_gone = 1; /* the daemon did not come back */
		snprintf(why, cap, "%s", cl_err());
		return CL_SM_EV_INFRA;
	}
	if (!(*scratch = cl_scratch_new(""))) {
		snprintf(why, cap, "%s", cl_err());
		return CL_SM_EV_INFRA;
	}
	return CL_SM_EV_LAST;
}

/* One try: an attempt with its scratch directory, or the event that there was none. */
static void try_once(struct cl_cell_run *r, const struct cl_sm_config *cfg)
{
	struct logs lg = { 0 };
	char *scratch = NULL, why[512];
	enum cl_sm_ev kind;

	cl_cell_set_phase(r, CL_PHASE_PREPARING);
	cl_sm_clear(&r->sm);
	lg.ev.f = open_events(r);
	kind = cannot_attempt(r, &scratch, why, sizeof(why));
	if (kind != CL_SM_EV_LAST) {
		sm_begin(&r->sm, &lg.ev, cfg);
		tell(&r->sm, &lg.ev, kind, why[0] ? why : NULL);
	} else {
		begin_attempt(r);
		attempt(r, scratch, cfg, &lg);
		cl_rm_rf(scratch);
		free(scratch);
	}
	close_logs(r, &lg);
	cl_sm_end(&r->sm);
}

void cl_cell_run(struct cl_cell_run *r)
{
	struct cl_sm_config cfg = sm_config(r);
	double t0 = cl_now();
	int n;

	/* a cell directory holds one run: what an earlier run left there goes
	 * (but not what this run's lost host left: the cell moved, its logs stay) */
	if (!r->moved) {
		cl_rm_rf(r->dir);
		cl_mkdir_p(r->dir, 0755);
		r->duration_s = 0;
		r->events_attempt = 0;
	}
	r->host_gone = 0;
	for (n = 1;; n++) {
		try_once(r, &cfg);
		cl_sm_decide(&r->dec, &r->sm, r->cand);
		if (!try_again(&r->dec, n, cl_run_interrupted(), r->host_gone))
			break;
		snprintf(r->retried_because, sizeof(r->retried_because), "%s", r->dec.title);
		fprintf(stderr, "crashlab: %s: infra_error (%s); trying again\n", r->spec->id,
			r->dec.title);
	}
	if (r->host_gone)
		snprintf(r->retried_because, sizeof(r->retried_because), "host %s lost: %.260s",
			 r->host_uri ? r->host_uri : "?", r->dec.title);
	r->attempts = r->tries;
	r->duration_s += cl_now() - t0;
	cl_cell_set_phase(r, CL_PHASE_DONE);
}

void cl_cell_skip(struct cl_cell_run *r, const char *why)
{
	struct cl_sm_config cfg = sm_config(r);

	cl_sm_clear(&r->sm);
	sm_begin(&r->sm, NULL, &cfg); /* a skipped cell writes nothing in its directory */
	tell(&r->sm, NULL, CL_SM_EV_INTERRUPT, why);
	cl_sm_end(&r->sm);
	cl_sm_decide(&r->dec, &r->sm, r->cand);
	r->attempts = 0;
	cl_cell_set_phase(r, CL_PHASE_DONE);
}

int cl_cell_phases(const struct cl_cell_run *r, struct cl_phase_time out[CL_PHASES])
{
	const int restored = r->marks[CL_MARK_SNAPSHOT] >= 0;
	/* each phase runs from the first mark reached to the second */
	const struct { const char *name; enum cl_mark from, to; } ph[CL_PHASES] = {
		{ "prepare", CL_MARK_LAST, CL_MARK_MEDIA },
		{ "snapshot", CL_MARK_MEDIA, CL_MARK_SNAPSHOT },
		{ restored ? "restore" : "define", restored ? CL_MARK_SNAPSHOT : CL_MARK_MEDIA,
		  CL_MARK_DOMAIN },
		{ "attach", CL_MARK_DOMAIN, CL_MARK_ATTACHED },
		{ restored ? "delivery" : "boot", CL_MARK_ATTACHED, CL_MARK_READY },
		{ "install", CL_MARK_READY, CL_MARK_LOADING },
		{ "module_load", CL_MARK_LOADING, CL_MARK_LOADED },
		{ "workload", CL_MARK_LOADED, CL_MARK_DONE },
		{ "poweroff", CL_MARK_DONE, CL_MARK_STOPPED },
		{ "verdict", CL_MARK_STOPPED, CL_MARK_FINISHED },
		{ "teardown", CL_MARK_FINISHED, CL_MARK_TORN_DOWN },
	};

	for (int i = 0; i < CL_PHASES; i++) {
		double from = ph[i].from == CL_MARK_LAST ? 0 : r->marks[ph[i].from];
		double to = r->marks[ph[i].to];

		out[i].name = ph[i].name;
		out[i].s = from >= 0 && to >= 0 ? to - from : -1;
	}
	return CL_PHASES;
}

void cl_cell_set_phase(struct cl_cell_run *r, enum cl_cell_phase ph)
{
	__atomic_store_n(&r->phase, (int)ph, __ATOMIC_RELEASE); /* after dec and duration_s */
}

enum cl_cell_phase cl_cell_phase(const struct cl_cell_run *r)
{
	return (enum cl_cell_phase)__atomic_load_n(&r->phase, __ATOMIC_ACQUIRE);
}

void cl_cell_run_clear(struct cl_cell_run *r)
{
	cl_sm_clear(&r->sm);
}
