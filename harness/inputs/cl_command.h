/*
 * cl_command.h - a command a manifest names for the guest to run: the
 * candidate's evidence command ("evidence.command"), its BPF loader
 * ("bpf.start"). Each is { "run": [argv...], "timeout_s": N }: 1 to
 * CL_MAX_COMMAND_ARGS words of one line each, a limit of 1 to 3600 s.
 */
#ifndef CL_COMMAND_H
#define CL_COMMAND_H

#include <jansson.h>

#define CL_MAX_COMMAND_ARGS 8

/*
 * @j (the object at @what of manifest @path) into @argv (NULL-terminated,
 * CL_MAX_COMMAND_ARGS + 1 entries, each allocated) and @timeout_s (60 when
 * absent). CL_EINPUT naming the file and the key on any problem; words
 * already copied are in @argv for the caller to free.
 */
int cl_command_parse(char **argv, int *timeout_s, const char *path, const char *what, json_t *j);
/* Free the words of @argv. */
void cl_command_free(char **argv);

#endif
