/*
 * cl_smlog.h - recorded event streams: the state machine's input as text.
 *
 * The runner writes every event it feeds to the cell's state machine to
 * DIR/events.log; tests replay such recordings (tests/data/sm/) through
 * cl_sm_feed() and check the verdict, the timeline and the actions. One
 * event per line:
 *
 *     T KIND [DATA]
 *
 * T is seconds since the domain was resumed (%.3f; 0.000 before it was),
 * KIND an event name (cl_sm_event_name), DATA the text of the kinds that
 * carry one (cl_sm_event_has_text: console bytes, an agent line, why) with
 * '\\', every byte outside printable ASCII and the space escaped as \xHH,
 * or for bugcheck the five arguments in hex. Lines starting with '#' are
 * comments, but for one: the stream's header
 *
 *     # config: on_crash=stop loop_boots=3 max_boots=1 ... console_echo=1
 *
 * is the machine's configuration (struct cl_sm_config), written before its
 * first event so that a recording says how to replay it (a remediation's
 * new stream, after "# remediation applied", has its own). Its values are
 * escaped like DATA (and ',' in the list of mutant names); "-" is a string
 * that is not set.
 */
#ifndef CL_SMLOG_H
#define CL_SMLOG_H

#include "cl_candidate.h"
#include "cl_sm.h"

#include <stdio.h>

/* Write @e as one line to @f. */
void cl_smlog_write(FILE *f, const struct cl_sm_event *e);
/*
 * Parse one line into @e; decoded data goes to @buf (@cap bytes, e->data
 * points into it). Returns 1 for an event, 0 for a comment or blank line,
 * -1 for a malformed line.
 */
int cl_smlog_parse(struct cl_sm_event *e, char *buf, size_t cap, const char *line);

/* A configuration read back from text, and the strings its cfg borrows. */
struct cl_smlog_config {
	struct cl_sm_config cfg;
	char digest_key[64], module[64];
	struct cl_mutant_file mutants[CL_MAX_MUTANT_FILES]; /* names only */
	char names[CL_MAX_MUTANT_FILES][CL_MUTANT_NAME_MAX];
};

/* Write the "# config: ..." line of @c to @f. */
void cl_smlog_write_config(FILE *f, const struct cl_sm_config *c);
/* The text after "# config: " when @line is the config line, else NULL (borrowed). */
const char *cl_smlog_config_text(const char *line);
/*
 * Parse "key=value ..." (a config line's text, or a test's CONFIG header)
 * over @out->cfg: keys not named keep their value. Returns 0, or -1 for an
 * unknown key or a bad value (@out partly set).
 */
int cl_smlog_parse_config(struct cl_smlog_config *out, const char *text);

#endif
