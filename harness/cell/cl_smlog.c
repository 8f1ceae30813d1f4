/*
 * cl_smlog.c - event stream recording and parsing (see cl_smlog.h).
 *
 * One escaping for every text in a recording (event data, config values),
 * so what the runner writes is read back byte for byte; everything read is
 * checked, since a recording is a file anyone may hand to a replay.
 */
#include "cl_smlog.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_TAG "# config: "

/* The integers of struct cl_sm_config, by their name in a config line. */
#define INT_FIELD(f) { #f, offsetof(struct cl_sm_config, f) }
static const struct {
	const char *key;
	size_t off;
} ints[] = {
	INT_FIELD(loop_boots), INT_FIELD(max_boots), INT_FIELD(boot_s), INT_FIELD(heartbeat_s),
	INT_FIELD(step_s), INT_FIELD(total_s), INT_FIELD(fatal_warnings), INT_FIELD(dump),
	INT_FIELD(stop_when_healthy), INT_FIELD(console_echo), INT_FIELD(no_panic_event),
};
#undef INT_FIELD
#define NINTS (sizeof(ints) / sizeof(ints[0]))

/* @n bytes of @s, escaped: the space, '\\', @also and non-printables as \xHH. */
static void put_text(FILE *f, const char *s, size_t n, int also)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7f && c != '\\' && c != also)
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

void cl_smlog_write(FILE *f, const struct cl_sm_event *e)
{
	fprintf(f, "%.3f %s", e->t, cl_sm_event_name(e->kind));
	if (e->kind == CL_SM_EV_BUGCHECK) {
		for (int i = 0; i < 5; i++)
			fprintf(f, " %" PRIx64, e->args[i]);
	} else if (e->data && cl_sm_event_has_text(e->kind)) {
		fputc(' ', f);
		put_text(f, e->data, e->len, 0);
	}
	fputc('\n', f);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the @n bytes at @s into @buf (NUL-terminated); its length, or -1. */
static long unescape(char *buf, size_t cap, const char *s, size_t n)
{
	const char *end = s + n;
	size_t o = 0;

	for (; s < end; s++) {
		int c = (unsigned char)*s;

		if (*s == '\\') {
			int hi, lo;

			if (end - s < 4 || s[1] != 'x' || (hi = hexval(s[2])) < 0 ||
			    (lo = hexval(s[3])) < 0)
				return -1;
			c = hi * 16 + lo;
			s += 3;
		}
		if (o + 1 >= cap)
			return -1;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return (long)o;
}

int cl_smlog_parse(struct cl_sm_event *e, char *buf, size_t cap, const char *line)
{
	char kind[32], *end;
	const char *p;
	long n;
	int k, i;

	memset(e, 0, sizeof(*e));
	if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
		return 0;
	e->t = strtod(line, &end);
	if (end == line || *end != ' ')
		return -1;
	p = end + 1;
	n = (long)strcspn(p, " \n");
	if (n == 0 || n >= (long)sizeof(kind))
		return -1;
	memcpy(kind, p, (size_t)n);
	kind[n] = '\0';
	if ((k = cl_sm_event_parse(kind)) < 0)
		return -1;
	e->kind = (enum cl_sm_ev)k;
	p += n;
	if (*p == ' ')
		p++;
	if (e->kind == CL_SM_EV_BUGCHECK) {
		for (i = 0; i < 5; i++) {
			e->args[i] = strtoull(p, &end, 16);
			if (end == p)
				return -1;
			p = end;
		}
		return 1;
	}
	if (!cl_sm_event_has_text(e->kind))
		return 1;
	if ((n = unescape(buf, cap, p, strcspn(p, "\n"))) < 0)
		return -1;
	e->data = buf;
	e->len = (size_t)n;
	return 1;
}

static void put_string(FILE *f, const char *key, const char *s)
{
	fprintf(f, " %s=", key);
	if (!s)
		fputc('-', f);
	else if (!strcmp(s, "-"))
		fputs("\\x2d", f); /* the string "-", not "not set" */
	else
		put_text(f, s, strlen(s), 0);
}

void cl_smlog_write_config(FILE *f, const struct cl_sm_config *c)
{
	size_t i;

	fprintf(f, CONFIG_TAG "on_crash=%s", c->on_crash == CL_CRASH_REBOOT ? "reboot" : "stop");
	for (i = 0; i < NINTS; i++)
		fprintf(f, " %s=%d", ints[i].key, *(const int *)(const void *)((const char *)c +
									     ints[i].off));
	put_string(f, "digest_key", c->digest_key);
	put_string(f, "module", c->module);
	if (c->nmutants > 0)
		fputs(" mutants=", f);
	for (i = 0; i < (size_t)c->nmutants; i++) {
		if (i)
			fputc(',', f);
		put_text(f, c->mutants[i].name, strlen(c->mutants[i].name), ',');
	}
	fputc('\n', f);
}

const char *cl_smlog_config_text(const char *line)
{
	return strncmp(line, CONFIG_TAG, strlen(CONFIG_TAG)) ? NULL : line + strlen(CONFIG_TAG);
}

static int config_int(int *out, const char *v, size_t n)
{
	char num[16], *end;
	long x;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, v, n);
	num[n] = '\0';
	x = strtol(num, &end, 10);
	if (*end || x < -1000000000L || x > 1000000000L)
		return -1;
	*out = (int)x;
	return 0;
}

/* A string value into @buf, which *@out then borrows ("-": NULL). */
static int config_string(const char **out, char *buf, size_t cap, const char *v, size_t n)
{
	if (n == 1 && v[0] == '-') {
		*out = NULL;
		return 0;
	}
	if (unescape(buf, cap, v, n) < 0)
		return -1;
	*out = buf;
	return 0;
}

/* "a,b,c": the names of the mutants the machine expects, in order. */
static int config_mutants(struct cl_smlog_config *o, const char *v, size_t n)
{
	const char *end = v + n;
	int k = 0;

	while (v < end) {
		size_t len = strcspn(v, ",");

		if (len > (size_t)(end - v))
			len = (size_t)(end - v);
		if (k == CL_MAX_MUTANT_FILES ||
		    unescape(o->names[k], sizeof(o->names[k]), v, len) < 0)
			return -1;
		o->mutants[k].name = o->names[k];
		k++;
		v += len + 1;
	}
	o->cfg.mutants = k ? o->mutants : NULL;
	o->cfg.nmutants = k;
	return 0;
}

static int key_is(const char *key, size_t klen, const char *name)
{
	return klen == strlen(name) && !strncmp(key, name, klen);
}

/* One "key=value" of a config line (the value: @n bytes at @v). */
static int config_pair(struct cl_smlog_config *o, const char *key, size_t klen, const char *v,
		       size_t n)
{
	struct cl_sm_config *c = &o->cfg;

	if (key_is(key, klen, "on_crash")) {
		if (n != 4 && n != 6)
			return -1;
		if (strncmp(v, n == 4 ? "stop" : "reboot", n))
			return -1;
		c->on_crash = n == 4 ? CL_CRASH_STOP : CL_CRASH_REBOOT;
		return 0;
	}
	if (key_is(key, klen, "digest_key"))
		return config_string(&c->digest_key, o->digest_key, sizeof(o->digest_key), v, n);
	if (key_is(key, klen, "module"))
		return config_string(&c->module, o->module, sizeof(o->module), v, n);
	if (key_is(key, klen, "mutants"))
		return config_mutants(o, v, n);
	for (size_t i = 0; i < NINTS; i++)
		if (key_is(key, klen, ints[i].key))
			return config_int((int *)(void *)((char *)c + ints[i].off), v, n);
	return -1;
}

int cl_smlog_parse_config(struct cl_smlog_config *out, const char *text)
{
	const char *p = text;

	while (*p && *p != '\n') {
		size_t n = strcspn(p, " \n");

		if (n > 0) {
			const char *eq = memchr(p, '=', n);

			if (!eq || config_pair(out, p, (size_t)(eq - p), eq + 1,
					       n - (size_t)(eq - p) - 1))
				return -1;
		}
		p += n;
		p += *p == ' ';
	}
	return 0;
}
