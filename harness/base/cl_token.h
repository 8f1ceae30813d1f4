/*
 * cl_token.h - what a name and a guest path may be: every id, name and
 * path crashlab takes from its inputs or hands to a guest is checked here,
 * so that none can climb out of a directory (".", "..", "/") or break a
 * line of the agent's plan.
 */
#ifndef CL_TOKEN_H
#define CL_TOKEN_H

#include <stddef.h>

/* 1 when @c is one of [A-Za-z0-9._+-]. */
int cl_token_char_ok(char c);
/* 1 when @s is non-empty, only [A-Za-z0-9._+-] and neither "." nor ".." (a file name). */
int cl_token_ok(const char *s);
/* 1 when @p is an absolute guest path of [A-Za-z0-9/._+-], no "..", at most 200 chars. */
int cl_token_guest_path(const char *p);

/*
 * Agent lines are "WORD key=value key=value ...": the value of @key in
 * @line (up to the next blank) into @out, cut to @cap - 1; 1 when found.
 */
int cl_kv(const char *line, const char *key, char *out, size_t cap);
/* The value of @key as a decimal number; @dflt when absent or not a whole number. */
long cl_kv_long(const char *line, const char *key, long dflt);
/* ... as an unsigned 64-bit number; @dflt likewise. */
unsigned long long cl_kv_u64(const char *line, const char *key, unsigned long long dflt);

#endif
