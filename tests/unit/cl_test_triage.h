/*
 * cl_test_triage.h - what the triage tests share: triaging a whole text,
 * and the pieces of kernel reports that several synthetic reports are
 * built from.
 */
#ifndef CL_TEST_TRIAGE_H
#define CL_TEST_TRIAGE_H

#include <string.h>
#include "cl_triage.h"

/* Triage @log as one chunk; the caller frees. */
static inline struct cl_triage *cl_test_triage(const char *log, int fatal_warnings)
{
	struct cl_triage *t = cl_triage_new(fatal_warnings);

	cl_triage_feed(t, log, strlen(log));
	cl_triage_finish(t);
	return t;
}

/*
 * The timer interrupt under a watchdog's or RCU's stall report (x86-64,
 * each line after the timestamp @ts), down to the interrupted task's frame.
 */
#define CL_TEST_TIMER_IRQ(ts)                                   \
	ts " __hrtimer_run_queues+0x112/0x2b0\n"                \
	ts " hrtimer_interrupt+0xf8/0x230\n"                    \
	ts " __sysvec_apic_timer_interrupt+0x5f/0x110\n"        \
	ts " sysvec_apic_timer_interrupt+0x69/0x90\n"           \
	ts " </IRQ>\n"                                          \
	ts " <TASK>\n"                                          \
	ts " asm_sysvec_apic_timer_interrupt+0x16/0x20\n"

#endif
