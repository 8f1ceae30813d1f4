/*
 * cl_token.c - names and guest paths (see cl_token.h).
 */
#include "cl_token.h"

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
