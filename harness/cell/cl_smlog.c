/*
 * cl_smlog.c - event stream recording and parsing (see cl_smlog.h).
 */
#include "cl_smlog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void cl_smlog_write(FILE *f, const struct cl_sm_event *e)
{
	size_t i;

	fprintf(f, "%.3f %s", e->t, cl_sm_event_name(e->kind));
	if (e->kind == CL_SM_EV_BUGCHECK) {
		for (i = 0; i < 5; i++)
			fprintf(f, " %" PRIx64, e->args[i]);
	} else if (e->data) {
		fputc(' ', f);
		for (i = 0; i < e->len; i++) {
			unsigned char c = (unsigned char)e->data[i];

			if (c > 0x20 && c < 0x7f && c != '\\')
				fputc(c, f);
			else
				fprintf(f, "\\x%02x", c);
		}
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

static long unescape(char *buf, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && *s != '\n'; s++) {
		int c = (unsigned char)*s;

		if (*s == '\\') {
			int hi, lo;

			if (s[1] != 'x' || (hi = hexval(s[2])) < 0 || (lo = hexval(s[3])) < 0)
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
	if (e->kind != CL_SM_EV_CONSOLE && e->kind != CL_SM_EV_AGENT &&
	    e->kind != CL_SM_EV_HOST_LOST)
		return 1;
	if ((n = unescape(buf, cap, p)) < 0)
		return -1;
	e->data = buf;
	e->len = (size_t)n;
	return 1;
}
