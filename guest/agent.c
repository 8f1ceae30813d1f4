/*
 * crashlab-agent - the crashlab agent inside every guest it runs in.
 *
 * As PID 1 of an initramfs it mounts the basic file systems, loads the
 * modules the image needs (pvpanic, so a panic reaches the host as an
 * event), announces itself on the agent channel (the second serial port,
 * /dev/ttyS1; with crashlab.chan=virtio, on machines with one UART such as
 * arm64's virt, the virtio-serial port org.crashlab.agent once the image's
 * virtio modules are loaded), keeps a heartbeat going from a child process, then follows
 * /crashlab/plan: set sysctls, install the candidate's artifacts at the
 * paths its manifest names, load its module, drive the IPC workload, report
 * what the sensor says it saw, power off.
 *
 * On disk images it is a systemd service (--service) started after
 * multi-user.target at every boot: the OS has loaded the candidate itself,
 * so the plan (/var/lib/crashlab/plan) checks that it is loaded instead of
 * loading it, and may end in "reboots N": the guest reboots until this is
 * boot N+1 (counted in /var/lib/crashlab/boot-count), then powers off.
 * --boot-ipc runs the scenario's boot workload (/var/lib/crashlab/boot-plan)
 * from a unit ordered before multi-user.target: the IPC a machine does while
 * it starts. --qga is --service for images that do not carry the agent: the
 * host uploaded it and its plan to /run through qemu-guest-agent, started
 * it with guest-exec, and reads its messages back from /run/crashlab-agent.out.
 *
 * With crashlab.mode=wait (snapshot cells) it also loads virtio_console,
 * says WAITING and blocks on its delivery port: the host saves the guest
 * there once, and each cell restored from that state sends the candidate's
 * files and the plan on the port (checked against their SHA-256) before
 * the plan runs as above.
 *
 * With --mutants the plan goes on after the workload: each malformed variant
 * of the content put in the content's place and the module loaded again
 * ("mutant"), a little IPC, "survived"; then the real content back
 * ("restore").
 *
 * The controller decides the verdict; the agent only reports facts, one line
 * per message, "CL <WORD> key=value ...". Anything it cannot do is reported,
 * never skipped: a missing report is a failed cell on the host side.
 * Statically linked so the initramfs needs nothing else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bpfscan.h"
#include "evidence.h"
#include "sha256.h"
#include "workload.h"

#define PLAN_PATH "/crashlab/plan"
#define SERVICE_PLAN "/var/lib/crashlab/plan"
#define BOOT_PLAN "/var/lib/crashlab/boot-plan"
#define BOOT_COUNT "/var/lib/crashlab/boot-count"
#define AGENT_TTY "/dev/ttyS1"
#define QGA_PLAN "/run/crashlab-plan"
#define QGA_OUT "/run/crashlab-agent.out"
#define QGA_ACK "/run/crashlab-ack"  /* the host read our final word */
#define DELIVERY_PORT "org.crashlab.delivery"
#define AGENT_PORT "org.crashlab.agent"
#define DELIVERY_WAIT_S 120 /* a restored guest waits this long for its host */

static int chan = -1;      /* agent channel */
static int on_console = 1; /* also write messages to stdout (PID 1: the console) */
static const char *work_word = "WORKLOAD"; /* BOOTWORK for the boot workload */
static int reboots_wanted; /* "reboots N" in the plan */
static int qga_mode;       /* --qga: the host reads QGA_OUT through qemu-guest-agent */


static void on_alarm(int sig)
{
	(void)sig; /* only to interrupt tcdrain() */
}

/*
 * Wait until every byte written to the serial port @fd has left its UART,
 * at most @s seconds: a port nobody drains must not hang the agent.
 */
static void drain_port(int fd, unsigned int s)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: tcdrain ends */

	if (fd < 0 || !isatty(fd))
		return;
	sigaction(SIGALRM, &sa, NULL);
	alarm(s);
	tcdrain(fd);
	alarm(0);
}

/*
 * One message to the host: a single write() so lines never interleave. The
 * console line goes first: the host takes an agent line with no console
 * byte before it as a dead console. @drained: each port's UART empty before
 * going on (CL WAITING: the host saves the guest at once, and a UART saved
 * mid-transmission has a dead port once restored).
 */
static void vsay(int drained, const char *fmt, va_list ap)
{
	static const char tag[] = "crashlab-agent: ";
	char buf[1024];
	char *msg = buf + sizeof(tag) - 1; /* the message, after the console tag */
	int n;

	memcpy(buf, tag, sizeof(tag) - 1);
	n = vsnprintf(msg, sizeof(buf) - sizeof(tag), fmt, ap);
	if (n < 0)
		return;
	if (n > (int)(sizeof(buf) - sizeof(tag)) - 1)
		n = (int)(sizeof(buf) - sizeof(tag)) - 1;
	msg[n++] = '\n';
	/* one write per console line, so kernel messages cannot land inside it */
	if (on_console && write(STDOUT_FILENO, buf, sizeof(tag) - 1 + (size_t)n) < 0) {
		/* console gone */
	}
	if (drained && on_console)
		drain_port(STDOUT_FILENO, 5);
	if (chan >= 0 && write(chan, msg, (size_t)n) < 0) {
		/* nothing else to tell it to */
	}
	if (drained)
		drain_port(chan, 5);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, fmt, ap);
	va_end(ap);
}

static void say_drained(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(1, fmt, ap);
	va_end(ap);
}

/*
 * Say the final word of a boot (DONE, ABORTED, REBOOTING). Under --qga the
 * host reads our messages from a file: before powering off or rebooting,
 * wait (at most 30 s) until it says, by writing QGA_ACK, that it has read it.
 */
static void final_word(const char *msg)
{
	int i;

	if (qga_mode)
		unlink(QGA_ACK);
	say("%s", msg);
	for (i = 0; qga_mode && i < 300 && access(QGA_ACK, F_OK) != 0; i++)
		usleep(100000);
}

/*
 * Power off or restart (@how: RB_POWER_OFF, RB_AUTOBOOT), both ports
 * drained first: neither waits for a UART, and the bytes still in one (the
 * last STATUS lines, the final word) would be lost, the plan read as
 * unfinished.
 */
static void leave(int how)
{
	if (on_console)
		drain_port(STDOUT_FILENO, 5);
	drain_port(chan, 5);
	sync();
	reboot(how);
}

static void power_off(void)
{
	leave(RB_POWER_OFF);
	for (;;)
		pause();
}

static int cmdline_has(const char *word);

static void open_channel(void)
{
	struct termios t;

	if (chan >= 0 || cmdline_has("crashlab.chan=virtio"))
		return; /* --qga: the output file; virtio: opened once its modules load */
	chan = open(AGENT_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (chan < 0)
		return;
	if (tcgetattr(chan, &t) == 0) {
		cfmakeraw(&t);
		cfsetospeed(&t, B115200);
		tcsetattr(chan, TCSANOW, &t);
	}
}

static void mount_basics(void)
{
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	mount("tmpfs", "/run", "tmpfs", 0, NULL);
}

static int load_module(const char *path, const char *args)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = (int)syscall(SYS_finit_module, fd, args ? args : "", 0);
	rc = rc == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

static int cmdline_has(const char *word)
{
	char buf[2048];
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, word) != NULL;
}

/* Load the modules @order (a file under /lib/modules/crashlab) lists, in order. */
static void load_image_modules(const char *order)
{
	char name[128], path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/lib/modules/crashlab/%s", order);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(name, sizeof(name), f)) {
		int rc;

		name[strcspn(name, "\r\n")] = '\0';
		if (!name[0])
			continue;
		/* crashlab.pvpanic=0: let panics reboot the guest (boot-loop scenarios) */
		if (!strncmp(name, "pvpanic", 7) && cmdline_has("crashlab.pvpanic=0")) {
			say("CL MODULE name=%s skipped", name);
			continue;
		}
		snprintf(path, sizeof(path), "/lib/modules/crashlab/%s.ko", name);
		rc = load_module(path, "");
		if (rc != -ENOENT) /* not there: built into this kernel */
			say("CL MODULE name=%s rc=%d", name, rc);
	}
	fclose(f);
}

static pid_t start_heartbeat(unsigned int period_s)
{
	pid_t pid = fork();

	if (pid == 0) {
		unsigned long n = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			say("CL HB n=%lu", n++);
			sleep(period_s);
		}
	}
	return pid;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

static void do_sysctl(const char *name, const char *value)
{
	char path[256];
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	for (i = strlen("/proc/sys/"); path[i]; i++)
		if (path[i] == '.')
			path[i] = '/';
	rc = write_file(path, value);
	say("CL SYSCTL name=%s value=%s rc=%d", name, value, rc);
}

/* Create the directory @path is in. */
static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return wl_mkdir_p(dir);
}

/* Copy src to dst, creating dst's directory. */
static int install_file(const char *src, const char *dst)
{
	char buf[8192];
	int in, out, rc = mkdir_parent(dst);
	ssize_t n;

	if (rc)
		return rc;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	if (n < 0)
		rc = -errno;
	if (fsync(out) < 0 && rc == 0)
		rc = -errno;
	close(in);
	close(out);
	return rc;
}

/* Report every line of the sensor's status file as CL STATUS. */
static int report_status(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int lines = 0;

	if (!f) {
		say("CL ERROR what=status path=%s errno=%d", path, errno);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *sp;

		line[strcspn(line, "\r\n")] = '\0';
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		/* "coverage_instance ID EVALUATED NEEDED" and the like: what the
		 * content evaluated, one message each (cl_coverage.h) */
		if (strncmp(line, "coverage_", 9) == 0) {
			char a[24] = "", b[24] = "", c[24] = "";
			int n = sscanf(sp + 1, "%23s %23s %23s", a, b, c);

			if (n == 3)
				say("CL COVERAGE %s=%s evaluated=%s needed=%s", line + 9, a, b, c);
			else if (n == 2)
				say("CL COVERAGE %s evaluated=%s needed=%s", line + 9, a, b);
			else if (n == 1)
				say("CL COVERAGE %s=%s", line + 9, a);
		} else if (strcmp(line, "probe") == 0) {
			/* "probe NAME state" becomes probe_NAME=state */
			char *sp2 = strchr(sp + 1, ' ');

			if (sp2) {
				*sp2 = '\0';
				say("CL STATUS probe_%s=%s", sp + 1, sp2 + 1);
			}
		} else {
			say("CL STATUS %s=%s", line, sp + 1);
		}
		lines++;
	}
	fclose(f);
	return lines;
}

/* The sensor's counters ("counters" in the plan), read around each IPC step. */
#define MAX_SEEN 8
static char seen_keys[MAX_SEEN][48];
static int nseen;

static void set_counters(char **keys, int n)
{
	for (nseen = 0; nseen < n && nseen < MAX_SEEN; nseen++)
		snprintf(seen_keys[nseen], sizeof(seen_keys[0]), "%s", keys[nseen]);
}

/* Each counter's value in the status file at @path into @vals (-1: not there). */
static void read_counters(const char *path, long long *vals)
{
	char line[256];
	FILE *f = path[0] ? fopen(path, "r") : NULL;

	for (int k = 0; k < nseen; k++)
		vals[k] = -1;
	while (f && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		for (int k = 0; k < nseen; k++)
			if (!strcmp(line, seen_keys[k]))
				vals[k] = strtoll(sp + 1, NULL, 10);
	}
	if (f)
		fclose(f);
}

/*
 * One IPC step: "OP DIR NAME COUNT MSGS [CONC RATE SECONDS LABEL]" (see
 * workload.h), reported with what it made, and how far each of the
 * sensor's counters moved meanwhile ("seen.KEY=N"; -1 when it has none).
 */
static void ipc_step(char **argv, int argc, const char *status_path)
{
	struct wl_step s = { .op = argv[0], .dir = argv[1], .pattern = argv[2],
			     .count = atoi(argv[3]), .msgs = atoi(argv[4]), .conc = 1 };
	long long before[MAX_SEEN], after[MAX_SEEN];
	char seen[MAX_SEEN * 64] = "";
	const char *label = "-";
	struct wl_tally t;
	double t0;
	size_t off = 0;

	if (argc == 9) {
		s.conc = atoi(argv[5]);
		s.rate = atoi(argv[6]);
		s.duration = atoi(argv[7]);
		label = argv[8];
	}
	read_counters(status_path, before);
	t0 = wl_now();
	wl_run(&s, &t);
	t0 = wl_now() - t0;
	read_counters(status_path, after);
	for (int k = 0; k < nseen && off < sizeof(seen); k++)
		off += (size_t)snprintf(seen + off, sizeof(seen) - off, " seen.%s=%lld", seen_keys[k],
					before[k] < 0 || after[k] < 0 ? -1 : after[k] - before[k]);
	say("CL %s op=%s step=%s generated=%ld messages=%ld errors=%ld workers=%d seconds=%.2f%s",
	    work_word, s.op, label, t.generated, t.messages, t.errors, s.conc, t0, seen);
}

static void say_pair(void *ctx, const char *key, const char *value)
{
	(void)ctx;
	say("CL EVIDENCE %s=%s", key, value);
}

/* The plan's %XX-encoded @words of a command (@what) into @argv (12 entries); -1 when malformed. */
static int command_words(const char *what, char **words, int n, char **argv)
{
	int i;

	for (i = 0; i < n && i < 11; i++) {
		if (ev_unescape(words[i]) < 0) {
			say("CL ERROR what=%s-word index=%d", what, i);
			return -1;
		}
		argv[i] = words[i];
	}
	argv[i] = NULL;
	return 0;
}

/*
 * "evidence TIMEOUT WORD...": the candidate's evidence command (words %XX
 * encoded in the plan), each key and value of its output reported, then
 * EVIDENCE_END with its exit status (124: out of time, 127: did not start).
 */
static int evidence_step(char **words, int n, int timeout_s)
{
	static char out[65536];
	char *argv[12];
	size_t len;
	int rc, pairs;

	if (command_words("evidence", words, n, argv))
		return -1;
	rc = ev_run(argv, timeout_s, out, sizeof(out), &len);
	pairs = ev_parse(out, len, say_pair, NULL);
	say("CL EVIDENCE_END rc=%d pairs=%d bytes=%zu", rc, pairs, len);
	return 0;
}

/* A name pattern from the plan holds exactly one %d and no other '%', or
 * none at all (one object of that very name). */
static int pattern_ok(const char *p)
{
	const char *pc = strchr(p, '%');

	return !pc || (pc[1] == 'd' && !strchr(pc + 2, '%'));
}

/*
 * "start TIMEOUT WORD...": the candidate's own start command (a BPF loader),
 * its output and errors reported as the last START_LOG lines (a verifier's
 * log ends with the reason), then LOADED, or INSTALL_FAILED with its status.
 */
#define START_LOG_LINES 60
static int start_step(char **words, int n, int timeout_s)
{
	static char out[65536];
	char *argv[12], *line, *save = NULL;
	size_t len;
	int rc, total = 0, k = 0;

	if (command_words("start", words, n, argv))
		return -1;
	say("CL LOADING start=%s", argv[0]);
	rc = ev_run_merged(argv, timeout_s, out, sizeof(out), &len);
	for (size_t i = 0; i < len; i++)
		total += out[i] == '\n';
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (k++ >= total - START_LOG_LINES)
			say("CL START_LOG %.300s", line);
	if (rc) {
		say("CL INSTALL_FAILED what=start rc=%d", rc);
		return -1;
	}
	say("CL LOADED start=%s", argv[0]);
	return 0;
}

static int module_step(const char *path, const char *args)
{
	int rc;

	say("CL LOADING module=%s", path);
	rc = load_module(path, args);
	if (rc) {
		say("CL INSTALL_FAILED what=module rc=%d error=%s", rc, strerror(-rc));
		return -1;
	}
	say("CL LOADED module=%s", path);
	return 0;
}

/*
 * "update N STAGED DEST CONTROL": content N arrives while the candidate runs
 * (as from its vendor's cloud): put it at DEST, tell the candidate through
 * CONTROL (write DEST's path to it), report what the candidate now says.
 */
static int update_step(const char *n, const char *staged, const char *dest, const char *control,
		       const char *status_path)
{
	int rc = install_file(staged, dest);

	if (rc == 0)
		rc = write_file(control, dest);
	say("CL UPDATE content=%s path=%s rc=%d", n, dest, rc);
	if (rc) {
		say("CL INSTALL_FAILED what=update content=%s rc=%d error=%s", n, rc, strerror(-rc));
		return -1;
	}
	if (status_path[0])
		report_status(status_path);
	return 0;
}

/*
 * Content as the candidate takes it at boot: put STAGED at DEST, unload
 * module MOD (if loaded) and load KO with ARGS again; *load_rc is what the
 * load returned (the candidate's answer). -1 when the agent could not do
 * its own part.
 */
static int swap_content(const char *what, char *rest, int *load_rc)
{
	char *argv[4] = { 0 }, *save = NULL;
	int i, rc;

	/* STAGED DEST MOD KO [ARGS...]: the arguments are the rest of the line */
	for (i = 0; i < 4; i++)
		argv[i] = strtok_r(i ? NULL : rest, " ", &save);
	if (!argv[3]) {
		say("CL ERROR what=plan-line word=%s", what);
		return -1;
	}
	rc = install_file(argv[0], argv[1]);
	if (rc == 0 && syscall(SYS_delete_module, argv[2], O_NONBLOCK) != 0 && errno != ENOENT)
		rc = -errno;
	if (rc) {
		say("CL ERROR what=%s path=%s rc=%d error=%s", what, argv[1], rc, strerror(-rc));
		return -1;
	}
	*load_rc = load_module(argv[3], save ? save : "");
	return 0;
}

/*
 * "mutant NAME STAGED DEST MOD KO [ARGS]": malformed content NAME installed
 * like the real content. The candidate must refuse it (its module does not
 * load) or survive the IPC the plan drives next ("survived NAME" says so).
 */
static int mutant_step(char *rest)
{
	char *name = rest, *sp = strchr(rest, ' ');
	int rc;

	if (!sp) {
		say("CL ERROR what=plan-line word=mutant");
		return -1;
	}
	*sp = '\0';
	say("CL MUTANT name=%s phase=install", name);
	if (swap_content("mutant", sp + 1, &rc))
		return -1;
	if (rc)
		say("CL MUTANT name=%s result=refused rc=%d", name, rc);
	else
		say("CL MUTANT name=%s result=accepted", name);
	return 0;
}

/* "restore STAGED DEST MOD KO [ARGS]": the real content back after the mutants. */
static int restore_step(char *rest)
{
	int rc;

	if (swap_content("restore", rest, &rc))
		return -1;
	say("CL RESTORE rc=%d", rc);
	return rc ? -1 : 0;
}

/* "loaded NAME": the OS was to load module NAME at boot; is it there? */
/*
 * console BYTES: write BYTES of noise to the console - escape sequences,
 * control and high bytes, no newline - as a misbehaving guest would; the
 * host must stay bounded and go on deciding from the agent channel.
 */
static void flood_console(long long bytes)
{
	static const char seq[] = "\x1b[2J\x1b[31;1mFLOOD\x1b]0;crashlab\x07\x1b[?25l\xff\xfe\x01\x7f";
	char buf[65536];
	long long left = bytes, sent = 0;
	size_t i;
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = seq[i % (sizeof(seq) - 1)];
	while (fd >= 0 && left > 0) {
		ssize_t n = write(fd, buf, left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf));

		if (n <= 0)
			break;
		left -= n;
		sent += n;
		if ((sent & ((1 << 24) - 1)) < n)
			say("CL CONSOLE sent=%lld", sent); /* progress every 16 MiB */
	}
	if (fd >= 0)
		close(fd);
	say("CL CONSOLE sent=%lld of=%lld", sent, bytes);
}

static int loaded_step(const char *name)
{
	char path[160];
	struct stat st;
	char *p;

	/* the kernel names /sys/module/ with '_' where a module's name has '-' */
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	for (p = path + strlen("/sys/module/"); *p; p++)
		if (*p == '-')
			*p = '_';
	if (stat(path, &st) != 0) {
		say("CL INSTALL_FAILED what=module-not-loaded name=%s", name);
		return -1;
	}
	say("CL LOADED module=%s", name);
	return 0;
}

static int dlv = -1; /* crashlab.mode=wait: the delivery port */

/* The virtio-serial port named @want, opened with @flags (it appears once
 * virtio_console probes): the delivery port, or the agent channel. */
static int open_port(const char *want, int flags)
{
	int i;

	for (i = 0; i < 200; i++) {
		char path[300], name[64];
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			int fd;
			ssize_t n;

			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			n = read(fd, name, sizeof(name) - 1);
			close(fd);
			name[n > 0 ? n : 0] = '\0';
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, want))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			closedir(d);
			return open(path, flags | O_CLOEXEC);
		}
		if (d)
			closedir(d);
		usleep(50000);
	}
	return -1;
}

/*
 * read() on the delivery port. With nobody connected on the host side the
 * port reads as end of file: the host is not there yet (the guest is being
 * saved, or was just restored), so wait for it, up to DELIVERY_WAIT_S.
 */
static ssize_t port_read(void *buf, size_t len)
{
	int idle;

	for (idle = 0; idle < DELIVERY_WAIT_S * 50; idle++) {
		ssize_t r = read(dlv, buf, len);

		if (r > 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			return r;
		usleep(20000);
	}
	return 0;
}

/* One line from the delivery port, without its newline; -1 on EOF or a line too long. */
static int read_line(char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		char c;

		if (port_read(&c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 >= cap)
			return -1;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* A delivered name: relative, no "..", plain characters only. */
static int name_ok(const char *name)
{
	const char *p;

	if (!name[0] || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-/", *p)))
			return 0;
	return 1;
}

/* Take @size bytes from the channel into /@name; their digest into @hex. */
static int receive_file(const char *name, long long size, char hex[65])
{
	char path[260], buf[8192]; /* "/" and a name of up to 255 */
	struct ga_sha256 h;
	int out, rc = 0;

	snprintf(path, sizeof(path), "/%s", name);
	mkdir_parent(path); /* a failure shows at open() */
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		rc = -errno; /* still read the bytes: the stream stays in step */
	ga_sha256_init(&h);
	while (size > 0) {
		ssize_t r = port_read(buf, size < (long long)sizeof(buf) ? (size_t)size : sizeof(buf));

		if (r <= 0)
			return -EIO;
		ga_sha256_update(&h, buf, (size_t)r);
		if (out >= 0 && write(out, buf, (size_t)r) != r && rc == 0)
			rc = -EIO;
		size -= r;
	}
	if (out >= 0)
		close(out);
	ga_sha256_hex(hex, &h);
	return rc;
}

/* /proc/meminfo's @key ("MemFree:"), in KiB; 0 when it cannot be read. */
static long meminfo_kb(const char *key)
{
	char line[128];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			kb = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/*
 * Before the guest is saved: its free memory handed back zeroed. Pages the
 * kernel freed during boot keep what they held (the compressed initramfs,
 * init sections), and QEMU saves every page that is not zero: restored,
 * each 2 MiB holding one is host memory to clear. A child faults in all of
 * MemFree but 32 MiB (the kernel clears each page it hands out) and exits,
 * leaving those pages free and zero, as a freshly booted guest's are.
 * Measured on a 512 MiB Debian 12 guest: 43 of its 256 2-MiB regions hold
 * data after this, the saved state is 63 MB, not 73. Reclaim is never
 * asked for: page cache and the kernel's reserves stay as they are.
 */
static void zero_free_memory(void)
{
	long kb = meminfo_kb("MemFree:") - 32 * 1024;
	pid_t pid;

	if (kb <= 0 || (pid = fork()) < 0)
		return;
	if (pid == 0) {
		void *p = mmap(NULL, (size_t)kb * 1024, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE, -1, 0);

		_exit(p == MAP_FAILED);
	}
	waitpid(pid, NULL, 0);
}

/*
 * crashlab.mode=wait: the guest of a snapshot. The host saved the guest
 * while it waited here; every cell restored from it gets its candidate and
 * plan on the delivery port (virtio-serial: the serial port takes ~40 KB/s
 * host to guest under TCG): "PUT SIZE SHA256 NAME" and SIZE bytes per
 * file, then "GO". A file whose bytes do not hash to what the host sent is
 * a failed delivery (the host's fault, never the candidate's).
 */
static int receive_delivery(void)
{
	char line[400], name[256], want[65], got[65];
	long long size;
	int files = 0;

	for (;;) {
		if (read_line(line, sizeof(line)) != 0) {
			say("CL DELIVERY_FAILED what=stream files=%d", files);
			return -1;
		}
		if (!strcmp(line, "GO"))
			return 0;
		if (!strcmp(line, "PROBE")) { /* the host proving a saved guest: both ports answer */
			struct utsname un;

			uname(&un);
			say_drained("CL PROBE release=%s", un.release);
			return -1;
		}
		if (sscanf(line, "PUT %lld %64s %255s", &size, want, name) != 3 || size < 0 ||
		    size > (256LL << 20) || strlen(want) != 64 || !name_ok(name)) {
			say("CL DELIVERY_FAILED what=header files=%d", files);
			return -1;
		}
		if (receive_file(name, size, got) != 0 || strcmp(got, want) != 0) {
			say("CL DELIVERY_FAILED what=file path=/%s bytes=%lld sha256=%s", name, size, got);
			return -1;
		}
		files++;
		say("CL RECEIVED path=/%s bytes=%lld sha256=%s", name, size, got);
	}
}

/*
 * The steps that take the rest of the line as it is: "module PATH [ARGS...]",
 * "mutant ...", "restore ...". 0 done, -1 failed, 1 when @line is none of them.
 */
static int whole_line_step(char *line)
{
	if (strncmp(line, "module ", 7) == 0) {
		char *args = strchr(line + 7, ' ');

		if (args)
			*args++ = '\0';
		return module_step(line + 7, args ? args : "") != 0 ? -1 : 0;
	}
	if (strncmp(line, "mutant ", 7) == 0)
		return mutant_step(line + 7) != 0 ? -1 : 0;
	if (strncmp(line, "restore ", 8) == 0)
		return restore_step(line + 8) != 0 ? -1 : 0;
	return 1;
}

/*
 * The candidate's setup: sysctls, installed files, the sensor's status file,
 * live updates, the module the OS loaded. 0 done, -1 failed, 1 when the
 * word is not one of these.
 */
static int setup_step(char **argv, int argc, char *status_path, size_t cap)
{
	if (strcmp(argv[0], "sysctl") == 0 && argc == 3) {
		do_sysctl(argv[1], argv[2]);
	} else if (strcmp(argv[0], "install") == 0 && (argc == 3 || argc == 4)) {
		int rc = install_file(argv[1], argv[2]);

		if (rc == 0 && argc == 4 && chmod(argv[2], (mode_t)strtol(argv[3], NULL, 8)) < 0)
			rc = -errno;

		say("CL INSTALL path=%s rc=%d", argv[2], rc);
		if (rc) {
			say("CL INSTALL_FAILED what=copy path=%s rc=%d", argv[2], rc);
			return -1;
		}
	} else if (strcmp(argv[0], "status") == 0 && argc == 2) {
		snprintf(status_path, cap, "%s", argv[1]);
		if (report_status(status_path) <= 0)
			return -1;
	} else if (strcmp(argv[0], "update") == 0 && argc == 5) {
		if (update_step(argv[1], argv[2], argv[3], argv[4], status_path) != 0)
			return -1;
	} else if (strcmp(argv[0], "start") == 0 && argc >= 3) {
		if (start_step(argv + 2, argc - 2, atoi(argv[1])) != 0)
			return -1;
	} else if (strcmp(argv[0], "programs") == 0 && argc >= 3) {
		/* the programs a candidate's own unit loads at boot, named in the manifest */
		const char *missing = bs_wait_loaded(argv + 2, argc - 2, atoi(argv[1]));

		if (missing)
			say("CL BPF_MISSING name=%s", missing); /* the final listing decides */
		else
			say("CL LOADED bpf=%d", argc - 2);
	} else if (strcmp(argv[0], "loaded") == 0 && argc == 2) {
		if (loaded_step(argv[1]) != 0)
			return -1;
	} else {
		return 1;
	}
	return 0;
}

/* "sleep S": S seconds, with a fraction (the plan writes milliseconds), at most an hour. */
static void pause_for(const char *arg)
{
	double s = strtod(arg, NULL);
	struct timespec ts;

	if (!(s > 0))
		return;
	if (s > 3600)
		s = 3600;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long rerun_index; /* "rerun K": this cell's K-th run again (--reruns) */

/*
 * "flaky PERCENT SEED": a guest step that fails at random, PERCENT in 100
 * times, drawn from SEED and the rerun number (the same draw every time
 * the same run is made): a flaky guest, for telling flaky from real.
 */
static int flaky_step(const char *percent, const char *seed)
{
	unsigned int s = (unsigned int)(strtoul(seed, NULL, 10) + (unsigned long)rerun_index);
	int draw = rand_r(&s) % 100, p = atoi(percent);

	if (draw < p) {
		say("CL ERROR what=flaky draw=%d percent=%d rerun=%ld", draw, p, rerun_index);
		return -1;
	}
	return 0;
}

/*
 * What the guest does once set up: IPC steps, counters, the evidence
 * command, pauses, console floods, mutants that survived, reboots. 0 done,
 * -1 failed, 1 when the word is not one of these.
 */
static int work_step(char **argv, int argc, const char *status_path)
{
	if (wl_known(argv[0]) && (argc == 5 || argc == 9) && pattern_ok(argv[2]))
		ipc_step(argv, argc, status_path);
	else if (strcmp(argv[0], "counters") == 0)
		set_counters(argv + 1, argc - 1);
	else if (strcmp(argv[0], "evidence") == 0 && argc >= 3)
		return evidence_step(argv + 2, argc - 2, atoi(argv[1])) != 0 ? -1 : 0;
	else if (strcmp(argv[0], "bpf") == 0)
		bs_report(say); /* what it found, or that it could not list: the host decides */
	else if (strcmp(argv[0], "sleep") == 0 && argc == 2)
		pause_for(argv[1]);
	else if (strcmp(argv[0], "console") == 0 && argc == 2)
		flood_console(strtoll(argv[1], NULL, 10));
	else if (strcmp(argv[0], "flaky") == 0 && argc == 3)
		return flaky_step(argv[1], argv[2]);
	else if (strcmp(argv[0], "rerun") == 0 && argc == 2)
		rerun_index = strtol(argv[1], NULL, 10);
	else if (strcmp(argv[0], "survived") == 0 && argc == 2)
		say("CL MUTANT name=%s result=survived", argv[1]);
	else if (strcmp(argv[0], "reboots") == 0 && argc == 2)
		reboots_wanted = atoi(argv[1]);
	else
		return 1;
	return 0;
}

/* One line of the plan (its newline gone); -1 when its step failed or it is not a step. */
static int plan_line(char *line, char *status_path, size_t cap)
{
	char *argv[12] = { 0 }, *save = NULL, *tok;
	int argc = 0, rc;

	if ((rc = whole_line_step(line)) != 1)
		return rc;
	for (tok = strtok_r(line, " ", &save); tok && argc < 12; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	if (argc == 0 || argv[0][0] == '#')
		return 0;
	if ((rc = setup_step(argv, argc, status_path, cap)) != 1)
		return rc;
	if ((rc = work_step(argv, argc, status_path)) != 1)
		return rc;
	say("CL ERROR what=plan-line word=%s", argv[0]);
	return -1;
}

/* Run the plan line by line; returns 0 when every step was carried out. */
static int run_plan(const char *plan_path)
{
	char line[8192], status_path[128] = "";
	FILE *f = fopen(plan_path, "r");
	int failed = 0;

	if (!f) {
		say("CL ERROR what=plan errno=%d", errno);
		return -1;
	}
	while (!failed && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		failed = plan_line(line, status_path, sizeof(status_path)) != 0;
	}
	fclose(f);
	if (!failed && status_path[0])
		report_status(status_path);
	return failed ? -1 : 0;
}

/* Count this boot in BOOT_COUNT (on the guest's disk); returns its number. */
static int count_boot(void)
{
	char buf[32] = "";
	int fd = open(BOOT_COUNT, O_RDWR | O_CREAT | O_CLOEXEC, 0644), n = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	if (r > 0) {
		buf[r] = '\0';
		n = atoi(buf);
	}
	n++;
	r = snprintf(buf, sizeof(buf), "%d\n", n);
	if (pwrite(fd, buf, (size_t)r, 0) != r || fsync(fd) != 0)
		n = 0;
	close(fd);
	return n;
}

static void stop_heartbeat(pid_t hb)
{
	if (hb > 0) {
		kill(hb, SIGKILL);
		waitpid(hb, NULL, 0);
	}
}

/* With crashlab.chan=virtio (one UART: arm64's virt) the agent channel is
 * the virtio-serial port, there once virtio_console is loaded (by the
 * image's modules, or by udev on a disk image). */
static void open_virtio_channel(void)
{
	if (chan < 0 && cmdline_has("crashlab.chan=virtio"))
		chan = open_port(AGENT_PORT, O_WRONLY | O_NOCTTY);
}

/* --service: one boot of a disk image, after multi-user.target (@plan). */
static int service_main(const char *plan)
{
	struct utsname u;
	int boot, rc;
	pid_t hb;

	on_console = 0;
	open_channel();
	open_virtio_channel();
	uname(&u);
	boot = count_boot();
	say("CL READY release=%s boot=%d", u.release, boot);
	hb = start_heartbeat(1);
	rc = run_plan(plan);
	if (rc == 0 && boot > 0 && boot <= reboots_wanted) {
		char msg[64];

		snprintf(msg, sizeof(msg), "CL REBOOTING boot=%d of=%d", boot, reboots_wanted + 1);
		stop_heartbeat(hb);
		final_word(msg);
		leave(RB_AUTOBOOT);
		return 1;
	}
	stop_heartbeat(hb);
	final_word(rc == 0 ? "CL DONE" : "CL ABORTED");
	power_off();
	return 0;
}

/* --boot-ipc: the IPC a machine does while it starts. */
static int boot_ipc_main(void)
{
	on_console = 0;
	work_word = "BOOTWORK";
	open_channel();
	open_virtio_channel();
	return run_plan(BOOT_PLAN) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct utsname u;
	pid_t hb;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "--service"))
		return service_main(SERVICE_PLAN);
	if (argc > 1 && !strcmp(argv[1], "--qga")) {
		chan = open(QGA_OUT, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (chan < 0)
			return 2;
		qga_mode = 1;
		/* detach from guest-exec: the host reads the file, not our exit */
		if (fork() != 0)
			return 0;
		setsid();
		return service_main(QGA_PLAN);
	}
	if (argc > 1 && !strcmp(argv[1], "--boot-ipc"))
		return boot_ipc_main();
	mount_basics();
	open_channel();
	uname(&u);
	if (cmdline_has("crashlab.mode=probe")) {
		say("CL READY release=%s mode=probe", u.release);
		power_off();
	}
	load_image_modules("order");
	open_virtio_channel();
	if (cmdline_has("crashlab.mode=wait")) {
		load_image_modules("order.wait");
		if ((dlv = open_port(DELIVERY_PORT, O_RDONLY)) < 0) {
			say("CL DELIVERY_FAILED what=port name=%s errno=%d", DELIVERY_PORT, errno);
			power_off(); /* before WAITING: the host saves no guest without its port */
		}
		zero_free_memory();
		/* the host saves the guest here: both ports drained first */
		say_drained("CL WAITING release=%s", u.release);
		if (receive_delivery() != 0)
			power_off();
		say("CL READY release=%s restored=1", u.release);
	} else {
		say("CL READY release=%s", u.release);
	}
	hb = start_heartbeat(1);
	rc = run_plan(PLAN_PATH);
	stop_heartbeat(hb);
	final_word(rc == 0 ? "CL DONE" : "CL ABORTED");
	power_off();
	return 0;
}
