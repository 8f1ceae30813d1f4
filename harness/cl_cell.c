/*
 * cl_cell.c - the cell runner (see cl_cell.h).
 *
 * One thread per running cell, one poll() loop per thread over three fds:
 * console socket, agent socket, and the pipe that cl_virt.c writes
 * lifecycle events into. Nothing is polled on a timer except deadlines.
 * Whatever happens, the domain is destroyed and the scratch directory
 * (sockets, overlay initrd) removed before the runner returns.
 */
#include "cl_cell.h"
#include "cl_domain.h"
#include "cl_util.h"
#include "cl_virt.h"

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

#define CRASH_GRACE_S 5.0   /* console crash seen, no panic event: wait this long */
#define DRAIN_S 3.0         /* after the domain stopped, read sockets this long at most */

static volatile sig_atomic_t interrupted;

/* CRASHLAB_DEBUG=1: trace the runner's events with timestamps on stderr. */
static void trace(const struct cl_cell_run *r, const char *what, int detail)
{
	static int on = -1;

	if (on < 0)
		on = getenv("CRASHLAB_DEBUG") != NULL;
	if (on)
		fprintf(stderr, "crashlab: debug %.3f %s: %s %d\n", cl_now(), r->spec->id, what,
			detail);
}

void cl_cell_interrupt(void)
{
	interrupted = 1;
}

int cl_cell_interrupted(void)
{
	return interrupted;
}

struct io {
	int con, agent, evr, evw;
	FILE *con_log, *agent_log;
	char agent_line[512];
	size_t agent_len;
	int agent_overflow;
};

static int connect_unix(const char *path, double deadline)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		if (cl_now() > deadline)
			return -1;
		usleep(50000);
	}
}

static void agent_bytes(struct cl_cell_run *r, struct io *io, const char *buf, size_t n)
{
	size_t i;

	if (io->agent_log)
		fwrite(buf, 1, n, io->agent_log);
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			io->agent_line[io->agent_len] = '\0';
			if (!io->agent_overflow)
				cl_evidence_agent_line(&r->ev, io->agent_line);
			else
				r->ev.bad_lines++;
			io->agent_len = 0;
			io->agent_overflow = 0;
		} else if (buf[i] != '\r') {
			if (io->agent_len + 1 < sizeof(io->agent_line))
				io->agent_line[io->agent_len++] = buf[i];
			else
				io->agent_overflow = 1;
		}
	}
}

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

static void console_bytes(struct cl_cell_run *r, struct io *io, const char *buf, size_t n)
{
	int banners;

	if (io->con_log)
		fwrite(buf, 1, n, io->con_log);
	if (r->echo_console)
		echo_sanitized(buf, n);
	r->ev.console_bytes += (long)n;
	cl_triage_feed(r->tr, buf, n);
	banners = cl_triage_result(r->tr)->boots;
	if (banners > r->ev.boots)
		r->ev.boots = banners;
}

/* Read what is there; returns 0 at EOF or error (and closes), 1 otherwise. */
static int pump(struct cl_cell_run *r, struct io *io, int *fd, int is_agent)
{
	char buf[8192];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n > 0) {
		if (is_agent)
			agent_bytes(r, io, buf, (size_t)n);
		else
			console_bytes(r, io, buf, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	close(*fd);
	*fd = -1;
	return 0;
}

static void set_infra(struct cl_evidence *ev, const char *fmt, const char *arg)
{
	ev->infra = 1;
	snprintf(ev->infra_msg, sizeof(ev->infra_msg), fmt, arg);
}

static char *domain_name(const struct cl_cell_run *r)
{
	static unsigned int seq;
	unsigned int n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);

	return cl_sprintf("crashlab-%d-%u-%.40s", (int)getpid(), n, r->spec->id);
}

/*
 * --vmcore: the domain was preserved after its panic; dump its memory in
 * kdump-compressed form (what crash(8) reads) before destroying it.
 */
static void dump_core(struct cl_cell_run *r, virDomainPtr dom)
{
	char *path = cl_path_join(r->dir, "vmcore.kdump");
	double t0 = cl_now();

	trace(r, "dump", 0);
	if (virDomainCoreDumpWithFormat(dom, path, VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
					VIR_DUMP_MEMORY_ONLY) == 0) {
		r->dumped = 1;
		fprintf(stderr, "crashlab: %s: guest memory dumped to %s (%.1f s)\n", r->spec->id,
			path, cl_now() - t0);
	} else {
		fprintf(stderr, "crashlab: %s: memory dump failed: %s\n", r->spec->id,
			cl_virt_error());
	}
	free(path);
}

/* The event loop of one boot sequence of one domain. */
static void watch_domain(struct cl_cell_run *r, struct io *io, virDomainPtr dom, double start)
{
	const struct cl_scenario *s = r->scn;
	double last_agent = start, last_progress = start, crash_seen = 0, stopped_at = 0;
	long hb_seen = 0, progress_seen = 0;
	int was_ready = 0, rebooted = 0;

	for (;;) {
		struct pollfd p[3];
		double now = cl_now(), deadline;
		int np = 0, timeout_ms;

		if (r->ev.heartbeats != hb_seen || r->ev.ready != was_ready) {
			hb_seen = r->ev.heartbeats;
			was_ready = r->ev.ready;
			last_agent = now;
		}
		if (r->ev.progress != progress_seen) {
			progress_seen = r->ev.progress;
			last_progress = now;
		}
		if (stopped_at > 0) {
			if ((io->con < 0 && io->agent < 0) || now - stopped_at > DRAIN_S)
				return;
		} else {
			const struct cl_triage_result *tr = cl_triage_result(r->tr);

			if (interrupted) {
				set_infra(&r->ev, "%s", "interrupted");
				virDomainDestroy(dom);
				stopped_at = now;
			} else if (tr->crashed && tr->complete && crash_seen == 0 && !rebooted) {
				/*
				 * A crash in the first boot: wait a little for the
				 * panic event, then stop. After a reboot the crash
				 * is one of a loop, which max_boots decides.
				 */
				crash_seen = now;
			} else if (crash_seen > 0 && !rebooted && now - crash_seen > CRASH_GRACE_S) {
				virDomainDestroy(dom); /* oops without a panic: we have the report */
				stopped_at = now;
			} else if (r->ev.boots > s->max_boots) {
				virDomainDestroy(dom);
				stopped_at = now;
			} else if (now - start > s->total_s) {
				r->ev.timeout = CL_TIMEOUT_TOTAL;
				r->ev.timeout_s = s->total_s;
			} else if (!r->ev.ready && now - last_agent > s->boot_s) {
				r->ev.timeout = CL_TIMEOUT_BOOT;
				r->ev.timeout_s = s->boot_s;
			} else if (r->ev.ready && now - last_agent > s->heartbeat_s) {
				r->ev.timeout = CL_TIMEOUT_HEARTBEAT;
				r->ev.timeout_s = s->heartbeat_s;
			} else if (r->ev.ready && !r->ev.done && now - last_progress > s->step_s) {
				r->ev.timeout = CL_TIMEOUT_STEP;
				r->ev.timeout_s = s->step_s;
			}
			if (r->ev.timeout != CL_TIMEOUT_NONE && stopped_at == 0) {
				virDomainDestroy(dom);
				stopped_at = now;
			}
		}
		deadline = stopped_at > 0 ? stopped_at + DRAIN_S : now + 0.25;
		timeout_ms = (int)((deadline - now) * 1000) + 1;
		if (timeout_ms > 250)
			timeout_ms = 250;
		if (io->con >= 0)
			p[np++] = (struct pollfd){ .fd = io->con, .events = POLLIN };
		if (io->agent >= 0)
			p[np++] = (struct pollfd){ .fd = io->agent, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = io->evr, .events = POLLIN };
		if (poll(p, (nfds_t)np, timeout_ms) <= 0)
			continue;
		for (int i = 0; i < np; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (p[i].fd == io->con) {
				if (!pump(r, io, &io->con, 0))
					trace(r, "console EOF", 0);
			} else if (p[i].fd == io->agent) {
				if (!pump(r, io, &io->agent, 1))
					trace(r, "agent EOF", 0);
			} else {
				struct cl_virt_event e;

				while (read(io->evr, &e, sizeof(e)) == (ssize_t)sizeof(e)) {
					trace(r, "libvirt event", e.kind * 100 + e.detail);
					if (e.kind == CL_VEV_PANICKED) {
						r->ev.panic_event = 1;
						if (r->vmcore && !r->dumped && stopped_at == 0) {
							dump_core(r, dom);
							virDomainDestroy(dom);
							stopped_at = cl_now();
						}
					} else if (e.kind == CL_VEV_BUGCHECK) {
						r->ev.bugcheck = 1;
						r->ev.bugcheck_code = e.args[0];
						memcpy(r->ev.bugcheck_params, e.args + 1,
						       sizeof(r->ev.bugcheck_params));
					} else if (e.kind == CL_VEV_REBOOT) {
						cl_evidence_new_boot(&r->ev);
						rebooted = 1;
					} else if (e.kind == CL_VEV_STOPPED && stopped_at == 0) {
						stopped_at = cl_now();
					}
				}
			}
		}
	}
}

/* One attempt. Infra trouble is recorded in r->ev, never returned as a pass. */
static void attempt(struct cl_cell_run *r, const char *scratch)
{
	struct io io = { .con = -1, .agent = -1, .evr = -1, .evw = -1 };
	char *initrd = cl_path_join(scratch, "initrd.img");
	char *con_sock = cl_path_join(scratch, "console.sock");
	char *agent_sock = cl_path_join(scratch, "agent.sock");
	char *con_path = cl_path_join(r->dir, "console.log");
	char *agent_path = cl_path_join(r->dir, "agent.log");
	char *xml_path = cl_path_join(r->dir, "domain.xml");
	char *name = domain_name(r), *cmdline = NULL, *xml = NULL;
	virDomainPtr dom = NULL;
	int pfd[2], watching = 0;
	double start;

	if (cl_cell_initrd(initrd, r->img->base_initrd, r->cand, r->ko_path, r->plan)) {
		set_infra(&r->ev, "%s", cl_err());
		goto out;
	}
	/* nokaslr with --vmcore: the dump opens with the -dbg vmlinux as it is */
	cmdline = cl_sprintf("console=ttyS0,115200 panic=-1 oops=panic loglevel=7 %s%s",
			     r->vmcore ? "nokaslr " : "", r->scn->cmdline);
	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = name, .virt_type = r->virt_type, .memory_mib = r->spec->memory_mib,
		.vcpus = r->spec->vcpus, .kernel = r->img->vmlinuz, .initrd = initrd,
		.cmdline = cmdline, .console_sock = con_sock, .agent_sock = agent_sock,
		.on_crash = r->vmcore ? "preserve" : "destroy",
		.panic_model = !strncmp(r->spec->os, "windows", 7) ? "hyperv" : "isa",
		.vmcoreinfo = r->vmcore });
	cl_write_file(xml_path, xml, strlen(xml));
	io.con_log = fopen(con_path, "wb");
	io.agent_log = fopen(agent_path, "wb");
	if (!io.con_log || !io.agent_log) {
		set_infra(&r->ev, "cannot write logs in %s", r->dir);
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
		set_infra(&r->ev, "pipe: %s", strerror(errno));
		goto out;
	}
	io.evr = pfd[0];
	io.evw = pfd[1];
	if (cl_virt_watch(name, io.evw)) {
		set_infra(&r->ev, "%s", cl_err());
		goto out;
	}
	watching = 1;
	trace(r, "create", 0);
	dom = virDomainCreateXML(cl_virt_conn(), xml,
				 VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY);
	if (!dom) {
		set_infra(&r->ev, "libvirt: cannot start the domain: %s", cl_virt_error());
		goto out;
	}
	trace(r, "created", 0);
	io.con = connect_unix(con_sock, cl_now() + 10);
	io.agent = connect_unix(agent_sock, cl_now() + 10);
	if (io.con < 0 || io.agent < 0) {
		set_infra(&r->ev, "cannot connect to the console sockets in %s", scratch);
		goto out;
	}
	fcntl(io.con, F_SETFL, O_NONBLOCK);
	fcntl(io.agent, F_SETFL, O_NONBLOCK);
	r->ev.boots = 1;
	start = cl_now();
	trace(r, "resume", 0);
	if (virDomainResume(dom) < 0) {
		set_infra(&r->ev, "libvirt: cannot resume the domain: %s", cl_virt_error());
		goto out;
	}
	watch_domain(r, &io, dom, start);
	cl_triage_finish(r->tr);
	if (r->ev.console_bytes == 0 && !r->ev.infra && r->ev.timeout == CL_TIMEOUT_NONE)
		set_infra(&r->ev, "%s", "the guest printed nothing on its console");
	else if (r->ev.console_bytes == 0 && r->ev.timeout == CL_TIMEOUT_BOOT)
		set_infra(&r->ev, "%s", "no console output before the boot limit (emulator stuck?)");
out:
	trace(r, "cleanup", 0);
	if (dom) {
		virDomainDestroy(dom);
		virDomainFree(dom);
	}
	trace(r, "destroyed", 0);
	if (watching)
		cl_virt_unwatch(name);
	if (io.con >= 0)
		close(io.con);
	if (io.agent >= 0)
		close(io.agent);
	if (io.evr >= 0) {
		close(io.evr);
		close(io.evw);
	}
	if (io.con_log)
		fclose(io.con_log);
	if (io.agent_log)
		fclose(io.agent_log);
	unlink(initrd);
	free(initrd);
	free(con_sock);
	free(agent_sock);
	free(con_path);
	free(agent_path);
	free(xml_path);
	free(name);
	free(cmdline);
	free(xml);
}

/* Before a retry: keep the first attempt's log as NAME.attempt1.log. */
static void keep_aside(const char *dir, const char *name)
{
	char *from = cl_sprintf("%s/%s.log", dir, name);
	char *to = cl_sprintf("%s/%s.attempt1.log", dir, name);

	rename(from, to);
	free(from);
	free(to);
}

void cl_cell_run(struct cl_cell_run *r)
{
	double t0 = cl_now();

	/* a cell directory holds one run: what an earlier run left there goes */
	cl_rm_rf(r->dir);
	cl_mkdir_p(r->dir, 0755);
	for (r->attempts = 1; r->attempts <= 2; r->attempts++) {
		char tmpl[] = "/tmp/crashlab-XXXXXX";
		char *scratch;

		memset(&r->ev, 0, sizeof(r->ev));
		cl_triage_free(r->tr);
		r->tr = cl_triage_new(r->scn->fatal_warnings);
		if (!r->ko_path) {
			r->ev.build_failed = 1;
			snprintf(r->ev.build_error, sizeof(r->ev.build_error), "%s",
				 r->build_error ? r->build_error : "module not built");
		} else if (!(scratch = mkdtemp(tmpl))) {
			set_infra(&r->ev, "mkdtemp: %s", strerror(errno));
		} else {
			chmod(scratch, 0755); /* qemu runs as libvirt-qemu and reads the initrd */
			if (r->attempts > 1) {
				keep_aside(r->dir, "console");
				keep_aside(r->dir, "agent");
			}
			attempt(r, scratch);
			cl_rm_rf(scratch);
		}
		cl_decide(&r->dec, &r->ev, cl_triage_result(r->tr), r->cand, r->scn->max_boots);
		if (r->dec.verdict != CL_V_INFRA_ERROR || interrupted || r->attempts == 2)
			break;
	}
	r->duration_s = cl_now() - t0;
}

void cl_cell_run_clear(struct cl_cell_run *r)
{
	cl_triage_free(r->tr);
	r->tr = NULL;
}
