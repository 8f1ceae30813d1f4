/*
 * evidence.h - the candidate's evidence command, run in the guest by the
 * agent after the workload: its output read as "key=value" lines (also
 * "key: value" and "key value") or as one flat JSON object, each pair
 * handed to a callback. The host decides what the values must be.
 */
#ifndef CL_GUEST_EVIDENCE_H
#define CL_GUEST_EVIDENCE_H

#include <stddef.h>

#define EV_KEY_MAX 48
#define EV_VALUE_MAX 200

typedef void (*ev_pair_fn)(void *ctx, const char *key, const char *value);

/*
 * Parse @len bytes of output @text, calling @fn for each pair (keys of
 * [A-Za-z0-9._+-] only, at most EV_KEY_MAX - 1 characters; values cut to
 * EV_VALUE_MAX - 1 and without control characters). Returns the pairs found.
 */
int ev_parse(const char *text, size_t len, ev_pair_fn fn, void *ctx);

/* Undo the plan's %XX encoding of @s in place; -1 when it is malformed. */
int ev_unescape(char *s);

/*
 * Run @argv (argv[0] looked up in PATH), at most @timeout_s seconds, its
 * stdout kept (at most @cap - 1 bytes, NUL-terminated) in @out.
 * Returns its exit status, 124 when it ran out of time, 127 when it could
 * not start.
 */
int ev_run(char *const argv[], int timeout_s, char *out, size_t cap, size_t *len);
/* ev_run with stderr kept too, in the same stream (a loader's log). */
int ev_run_merged(char *const argv[], int timeout_s, char *out, size_t cap, size_t *len);

#endif
