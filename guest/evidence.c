/*
 * evidence.c - run the candidate's evidence command and read its output
 * (evidence.h). The output is untrusted: keys are checked, values cleaned
 * and cut, a JSON object is read flat (nested values are skipped).
 */
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

static int plain_key(const char *k)
{
	size_t n = 0;

	while (key_char(k[n]))
		n++;
	return n > 0 && k[n] == '\0' && n < EV_KEY_MAX;
}

/* @n bytes at @v as a clean value into @out. */
static void clean(char out[EV_VALUE_MAX], const char *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < EV_VALUE_MAX - 1; i++)
		out[k++] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? ' ' : v[i];
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

/* One "key=value" / "key: value" / "key value" line. */
static int parse_line(const char *p, size_t n, ev_pair_fn fn, void *ctx)
{
	char key[EV_KEY_MAX], value[EV_VALUE_MAX];
	size_t k = 0;

	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (k < n && key_char(p[k]))
		k++;
	if (k == 0 || k >= EV_KEY_MAX || k == n || !strchr("=: \t", p[k]))
		return 0;
	memcpy(key, p, k);
	key[k] = '\0';
	p += k;
	n -= k;
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (n > 0 && (*p == '=' || *p == ':'))
		p++, n--; /* "key = value", "key: value" */
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	clean(value, p, n);
	fn(ctx, key, value);
	return 1;
}

/* A JSON string at *@p (after its quote) into @out (escapes kept simple); past its end. */
static const char *json_string(const char *p, const char *end, char *out, size_t cap)
{
	size_t k = 0;

	while (p < end && *p != '"') {
		char c = *p++;

		if (c == '\\' && p < end)
			c = *p++ == 'n' ? ' ' : p[-1];
		if (k < cap - 1)
			out[k++] = (unsigned char)c < 0x20 ? ' ' : c;
	}
	out[k] = '\0';
	return p < end ? p + 1 : NULL;
}

/* A nested value or a scalar at @p: skipped over; its text (scalars) into @out. */
static const char *json_value(const char *p, const char *end, char *out, size_t cap)
{
	int depth = 0;
	const char *s = p;

	out[0] = '\0';
	if (p < end && *p == '"')
		return json_string(p + 1, end, out, cap);
	for (; p < end; p++) {
		if (*p == '"') {
			char skip[2];

			if (!(p = json_string(p + 1, end, skip, sizeof(skip))))
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']' || *p == ',') {
			if (depth == 0)
				break;
			if (*p != ',')
				depth--;
		}
	}
	if (s[0] != '{' && s[0] != '[')
		clean(out, s, (size_t)(p - s) < cap ? (size_t)(p - s) : cap - 1);
	return p;
}

/* One flat JSON object: each member with a plain key and a scalar value. */
static int parse_json(const char *p, const char *end, ev_pair_fn fn, void *ctx)
{
	char key[EV_KEY_MAX + 8], value[EV_VALUE_MAX];
	int n = 0;

	for (p++; p && p < end;) {
		while (p < end && strchr(" \t\r\n,", *p))
			p++;
		if (p >= end || *p != '"')
			break;
		if (!(p = json_string(p + 1, end, key, sizeof(key))))
			break;
		while (p < end && (*p == ' ' || *p == ':'))
			p++;
		if (!(p = json_value(p, end, value, sizeof(value))))
			break;
		if (plain_key(key) && value[0]) {
			fn(ctx, key, value);
			n++;
		}
	}
	return n;
}

int ev_parse(const char *text, size_t len, ev_pair_fn fn, void *ctx)
{
	const char *p = text, *end = text + len;
	int n = 0;

	while (p < end && strchr(" \t\r\n", *p))
		p++;
	if (p < end && *p == '{')
		return parse_json(p, end, fn, ctx);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (linelen > 0 && p[linelen - 1] == '\r')
			linelen--;
		n += parse_line(p, linelen, fn, ctx);
		p = nl ? nl + 1 : end;
	}
	return n;
}

int ev_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		unsigned int x;

		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		if (!r[1] || !r[2] || sscanf(r + 1, "%2x", &x) != 1 || x == 0)
			return -1;
		*w++ = (char)x;
		r += 2;
	}
	*w = '\0';
	return 0;
}

static int run_cmd(char *const argv[], int timeout_s, char *out, size_t cap, size_t *len,
		   int with_stderr)
{
	time_t deadline = time(NULL) + timeout_s;
	int p[2], status = 0, timed_out = 0;
	pid_t pid;

	*len = 0;
	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		return 127;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		dup2(p[1], STDOUT_FILENO);
		if (with_stderr)
			dup2(p[1], STDERR_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			if (!with_stderr)
				dup2(devnull, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t r = *len < cap - 1 ? read(p[0], out + *len, cap - 1 - *len) : 0;
		char sink[512];

		if (*len >= cap - 1 && with_stderr) { /* a log: its end says most, keep that */
			memmove(out, out + (cap - 1) / 2, *len - (cap - 1) / 2);
			*len -= (cap - 1) / 2;
			continue;
		}
		if (*len >= cap - 1)
			r = read(p[0], sink, sizeof(sink)); /* past the cap: drained, not kept */
		else if (r > 0)
			*len += (size_t)r;
		if (r == 0)
			break;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (time(NULL) > deadline) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		if (r < 0)
			usleep(20000);
	}
	out[*len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return 124;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ev_run(char *const argv[], int timeout_s, char *out, size_t cap, size_t *len)
{
	return run_cmd(argv, timeout_s, out, cap, len, 0);
}

int ev_run_merged(char *const argv[], int timeout_s, char *out, size_t cap, size_t *len)
{
	return run_cmd(argv, timeout_s, out, cap, len, 1);
}
