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
 * T is seconds since the domain was resumed (%.3f), KIND an event name
 * (cl_sm_event_name), DATA the console bytes or agent line with '\\', every
 * byte outside printable ASCII and the space escaped as \xHH, or for
 * bugcheck the five arguments in hex. Lines starting with '#' are comments.
 */
#ifndef CL_SMLOG_H
#define CL_SMLOG_H

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

#endif
