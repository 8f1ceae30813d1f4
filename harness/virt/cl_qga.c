/*
 * cl_qga.c - the qemu-guest-agent driver (see cl_qga.h). Every command is
 * one JSON request through libvirt with a short timeout; a guest agent that
 * does not answer is retried later, never waited for.
 */
#include "cl_qga.h"
#include "cl_util.h"

#include <jansson.h>
#include <pthread.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QGA_TIMEOUT_S 15
#define POLL_S 0.5
#define CHUNK 32768 /* bytes per guest-file-write */
#define START_TRIES 3
#define AGENT_PATH "/var/tmp/crashlab-agent"

enum qga_state { Q_PING = 0, Q_READ };

struct cl_qga {
	pthread_t thread;
	volatile int stop, reset;   /* set by the cell, taken up by the thread */
	int out_fd;
	char failure[512];          /* set once by the thread, then read by the cell */
	volatile int failed;
	virDomainPtr dom;
	char *agent_bin;
	char *plan;
	enum qga_state st;
	double next;
	long handle;               /* guest-file handle of the agent's output, -1 */
	int start_failures;
	char line[512];
	size_t len;
};

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t n)
{
	char *out = cl_xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* Decode in place; returns the length, or -1 for bad input. */
static long b64_decode(char *s)
{
	long o = 0;
	unsigned v = 0;
	int bits = 0;

	for (char *p = s; *p && *p != '='; p++) {
		const char *c = strchr(b64, *p);

		if (!c)
			return -1;
		v = v << 6 | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[o++] = (char)(v >> bits & 0xff);
		}
	}
	return o;
}

static void restart(struct cl_qga *q)
{
	q->st = Q_PING;
	q->handle = -1;
	q->len = 0;
	q->next = 0;
}

void cl_qga_reset(struct cl_qga *q)
{
	__atomic_store_n(&q->reset, 1, __ATOMIC_RELEASE);
}

const char *cl_qga_failure(struct cl_qga *q)
{
	return __atomic_load_n(&q->failed, __ATOMIC_ACQUIRE) ? q->failure : NULL;
}

/* One command; returns its "return" member (new reference) or NULL. */
static json_t *qga(struct cl_qga *q, json_t *cmd)
{
	char *text = json_dumps(cmd, JSON_COMPACT), *reply;
	json_t *j = NULL, *ret = NULL;

	json_decref(cmd);
	reply = virDomainQemuAgentCommand(q->dom, text, QGA_TIMEOUT_S, 0);
	free(text);
	/* a guest's reply: a key given twice is no reply, not its last value */
	if (reply && (j = json_loads(reply, JSON_REJECT_DUPLICATES, NULL)) &&
	    (ret = json_object_get(j, "return")))
		json_incref(ret);
	json_decref(j);
	free(reply);
	return ret;
}

static int write_guest_file(struct cl_qga *q, const char *path, const unsigned char *data,
			    size_t len)
{
	json_t *h = qga(q, json_pack("{s:s, s:{s:s, s:s}}", "execute", "guest-file-open",
				     "arguments", "path", path, "mode", "w"));
	json_int_t handle;
	size_t off;
	int rc = 0;

	if (!json_is_integer(h)) {
		json_decref(h);
		return -1;
	}
	handle = json_integer_value(h);
	json_decref(h);
	for (off = 0; off < len && rc == 0; off += CHUNK) {
		char *enc = b64_encode(data + off, len - off < CHUNK ? len - off : CHUNK);
		json_t *r = qga(q, json_pack("{s:s, s:{s:I, s:s}}", "execute", "guest-file-write",
					     "arguments", "handle", handle, "buf-b64", enc));

		rc = r ? 0 : -1;
		json_decref(r);
		free(enc);
	}
	json_decref(qga(q, json_pack("{s:s, s:{s:I}}", "execute", "guest-file-close",
				     "arguments", "handle", handle)));
	return rc;
}

static int exec_guest(struct cl_qga *q, const char *path, const char *arg1, const char *arg2)
{
	json_t *args = json_array(), *r;

	if (arg1)
		json_array_append_new(args, json_string(arg1));
	if (arg2)
		json_array_append_new(args, json_string(arg2));
	r = qga(q, json_pack("{s:s, s:{s:s, s:o, s:b}}", "execute", "guest-exec", "arguments",
			     "path", path, "arg", args, "capture-output", 0));
	json_decref(r);
	return r ? 0 : -1;
}

/* The guest agent answered: put the crashlab agent in and start it. */
static int start_agent(struct cl_qga *q)
{
	char *bin = NULL;
	size_t len = 0;
	int rc;

	if (cl_read_file(&bin, &len, q->agent_bin, 64u << 20))
		return -1;
	rc = write_guest_file(q, AGENT_PATH, (unsigned char *)bin, len);
	free(bin);
	if (rc || write_guest_file(q, "/run/crashlab-plan", (unsigned char *)q->plan,
				   strlen(q->plan)) ||
	    exec_guest(q, "/bin/chmod", "0755", AGENT_PATH))
		return -1;
	usleep(300000); /* chmod is quick; guest-exec does not wait for it */
	return exec_guest(q, AGENT_PATH, "--qga", NULL);
}

/* The agent's final word of a boot: let it power off or reboot now. */
static int is_final(const char *l)
{
	return !strcmp(l, "CL DONE") || !strcmp(l, "CL ABORTED") || !strncmp(l, "CL REBOOTING", 12);
}

/* One agent line to the cell: one write, so lines never interleave. */
static void emit(struct cl_qga *q)
{
	q->line[q->len] = '\n';
	if (write(q->out_fd, q->line, q->len + 1) < 0) {
		/* the cell is gone; it stops us */
	}
	q->line[q->len] = '\0';
}

static void split_lines(struct cl_qga *q, const char *buf, long n)
{
	for (long i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			emit(q);
			if (is_final(q->line))
				write_guest_file(q, "/run/crashlab-ack", (const unsigned char *)"1", 1);
			q->len = 0;
		} else if (q->len + 2 < sizeof(q->line)) {
			q->line[q->len++] = buf[i];
		}
	}
}

/* Read what the agent wrote since the last read. */
static void read_output(struct cl_qga *q)
{
	json_t *r, *data;
	char *buf;
	long n;

	if (q->handle < 0) {
		r = qga(q, json_pack("{s:s, s:{s:s, s:s}}", "execute", "guest-file-open",
				     "arguments", "path", "/run/crashlab-agent.out", "mode", "r"));
		if (json_is_integer(r))
			q->handle = (long)json_integer_value(r);
		json_decref(r);
		return;
	}
	r = qga(q, json_pack("{s:s, s:{s:I, s:i}}", "execute", "guest-file-read", "arguments",
			     "handle", (json_int_t)q->handle, "count", 65536));
	data = json_object_get(r, "buf-b64");
	if (json_is_string(data)) {
		buf = cl_xstrdup(json_string_value(data));
		if ((n = b64_decode(buf)) > 0)
			split_lines(q, buf, n);
		free(buf);
	}
	json_decref(r);
}

/* Do what is due at @now; 0, or -1 when the agent cannot be started. */
static int step(struct cl_qga *q, double now)
{
	json_t *r;

	if (now < q->next)
		return 0;
	q->next = now + POLL_S;
	if (q->st == Q_READ) {
		read_output(q);
		return 0;
	}
	r = qga(q, json_pack("{s:s}", "execute", "guest-ping"));
	if (!r) {
		q->next = now + 1.0;
		return 0;
	}
	json_decref(r);
	if (start_agent(q) == 0) {
		q->st = Q_READ;
		return 0;
	}
	if (++q->start_failures < START_TRIES)
		return 0;
	snprintf(q->failure, sizeof(q->failure),
		 "qemu-guest-agent answers but the crashlab agent could not be started in the "
		 "guest (%d tries): %s", START_TRIES, virGetLastErrorMessage());
	return -1;
}

static void *run(void *arg)
{
	struct cl_qga *q = arg;

	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		if (__atomic_exchange_n(&q->reset, 0, __ATOMIC_ACQ_REL))
			restart(q);
		if (step(q, cl_now()) != 0) {
			__atomic_store_n(&q->failed, 1, __ATOMIC_RELEASE);
			break;
		}
		usleep(100000);
	}
	return NULL;
}

struct cl_qga *cl_qga_start(virDomainPtr dom, const char *agent_bin, const char *plan,
			    int out_fd)
{
	struct cl_qga *q = cl_xcalloc(1, sizeof(*q));

	q->dom = dom;
	q->out_fd = out_fd;
	q->agent_bin = cl_xstrdup(agent_bin);
	q->plan = cl_xstrdup(plan);
	restart(q);
	if (pthread_create(&q->thread, NULL, run, q) != 0) {
		snprintf(q->failure, sizeof(q->failure), "cannot start the guest-agent thread");
		q->failed = 1;
		q->stop = -1; /* no thread to join */
	}
	return q;
}

void cl_qga_stop(struct cl_qga *q)
{
	if (!q)
		return;
	if (q->stop != -1) {
		__atomic_store_n(&q->stop, 1, __ATOMIC_RELEASE);
		pthread_join(q->thread, NULL);
	}
	free(q->agent_bin);
	free(q->plan);
	free(q);
}
