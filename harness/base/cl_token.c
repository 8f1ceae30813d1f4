/*
 * cl_token.c - names and guest paths (see cl_token.h).
 */
#include "cl_token.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cl_token_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._+-", c));
}

int cl_token_ok(const char *s)
{
	/* "." and ".." name directories that exist already: never a new file's name */
	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!cl_token_char_ok(*s))
			return 0;
	return 1;
}

int cl_token_guest_path(const char *p)
{
	size_t i;

	if (!p || p[0] != '/' || strstr(p, "..") || strlen(p) > 200)
		return 0;
	for (i = 0; p[i]; i++)
		if (p[i] != '/' && !cl_token_char_ok(p[i]))
			return 0;
	return 1;
}

int cl_kv(const char *line, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " ");

			if (n >= cap)
				n = cap - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return 1;
		}
		p += klen;
	}
	return 0;
}

long cl_kv_long(const char *line, const char *key, long dflt)
{
	char buf[32], *end;
	long v;

	if (!cl_kv(line, key, buf, sizeof(buf)))
		return dflt;
	errno = 0;
	v = strtol(buf, &end, 10);
	return (*end || end == buf || errno) ? dflt : v;
}

unsigned long long cl_kv_u64(const char *line, const char *key, unsigned long long dflt)
{
	char buf[32], *end;
	unsigned long long v;

	if (!cl_kv(line, key, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return dflt;
	errno = 0;
	v = strtoull(buf, &end, 10);
	return (*end || errno) ? dflt : v;
}
