/*
 * cl_qga.c - the qemu-guest-agent driver (see cl_qga.h). Every command is
 * one JSON request through libvirt with a short timeout; a guest agent that
 * does not answer is retried later, never waited for.
 */
#include "cl_qga.h"
#include "cl_util.h"

#include <jansson.h>
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

struct cl_qga *cl_qga_new(virDomainPtr dom, const char *agent_bin, const char *plan)
{
	struct cl_qga *q = cl_xcalloc(1, sizeof(*q));

	q->dom = dom;
	q->agent_bin = cl_xstrdup(agent_bin);
	q->plan = cl_xstrdup(plan);
	q->handle = -1;
	return q;
}

void cl_qga_free(struct cl_qga *q)
{
	if (!q)
		return;
	free(q->agent_bin);
	free(q->plan);
	free(q);
}

void cl_qga_reset(struct cl_qga *q)
{
	q->st = Q_PING;
	q->handle = -1;
	q->len = 0;
	q->next = 0;
}

/* One command; returns its "return" member (new reference) or NULL. */
static json_t *qga(struct cl_qga *q, json_t *cmd)
{
	char *text = json_dumps(cmd, JSON_COMPACT), *reply;
	json_t *j = NULL, *ret = NULL;

	json_decref(cmd);
	reply = virDomainQemuAgentCommand(q->dom, text, QGA_TIMEOUT_S, 0);
	free(text);
	if (reply && (j = json_loads(reply, 0, NULL)) && (ret = json_object_get(j, "return")))
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

static void split_lines(struct cl_qga *q, const char *buf, long n,
			void (*line)(void *, const char *), void *ctx)
{
	for (long i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			q->line[q->len] = '\0';
			line(ctx, q->line);
			if (is_final(q->line))
				write_guest_file(q, "/run/crashlab-ack", (const unsigned char *)"1", 1);
			q->len = 0;
		} else if (q->len + 1 < sizeof(q->line)) {
			q->line[q->len++] = buf[i];
		}
	}
}

/* Read what the agent wrote since the last read. */
static void read_output(struct cl_qga *q, void (*line)(void *, const char *), void *ctx)
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
			split_lines(q, buf, n, line, ctx);
		free(buf);
	}
	json_decref(r);
}

int cl_qga_step(struct cl_qga *q, double now, void (*line)(void *ctx, const char *text),
		void *ctx)
{
	json_t *r;

	if (now < q->next)
		return 0;
	q->next = now + POLL_S;
	if (q->st == Q_READ) {
		read_output(q, line, ctx);
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
	return cl_err_set(CL_EINFRA, "qemu-guest-agent answers but the crashlab agent could not be "
			  "started in the guest (%d tries): %s", START_TRIES,
			  virGetLastErrorMessage());
}
