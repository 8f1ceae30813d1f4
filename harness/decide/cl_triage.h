/*
 * cl_triage.h - streaming classification of a Linux kernel console.
 *
 * The console is untrusted input that arrives in arbitrary chunks. The
 * parser splits it into bounded lines, strips the printk timestamp and
 * caller prefixes, and walks a table of crash patterns (cl_triage.c) to
 * recognise the first crash report: its class, a title normalised so the
 * same bug has the same title on every kernel of a matrix, the guilty
 * function (helper frames such as printk, locking, memcpy and exception
 * entry are skipped, per class: cl_frames.h) and the module blamed by the
 * trace. It keeps an excerpt of the report for the reports, and never
 * needs the whole log.
 */
#ifndef CL_TRIAGE_H
#define CL_TRIAGE_H

#include <jansson.h>
#include <stddef.h>

enum cl_crash_class {
	CL_CLASS_NONE = 0,
	CL_CLASS_PANIC,          /* Kernel panic - not syncing, nothing more specific */
	CL_CLASS_PAGE_FAULT,
	CL_CLASS_NULL_DEREF,
	CL_CLASS_GPF,
	CL_CLASS_BUG,            /* kernel BUG at / BUG: */
	CL_CLASS_INVALID_OPCODE,
	CL_CLASS_DIVIDE_ERROR,
	CL_CLASS_DOUBLE_FAULT,
	CL_CLASS_STACK_PROTECTOR,
	CL_CLASS_STACK_OVERFLOW,
	CL_CLASS_WARNING,
	CL_CLASS_SOFT_LOCKUP,
	CL_CLASS_HARD_LOCKUP,
	CL_CLASS_RCU_STALL,
	CL_CLASS_HUNG_TASK,
	CL_CLASS_OOM,
	CL_CLASS_KASAN,
	CL_CLASS_UBSAN,
	CL_CLASS_KFENCE,
	CL_CLASS_LOCKDEP,        /* lockdep and RCU-lockdep reports */
	CL_CLASS_KMEMLEAK,
	CL_CLASS_LIST_CORRUPTION,
	CL_CLASS_REFCOUNT,
	CL_CLASS_SCHED_ATOMIC,   /* scheduling while atomic */
	CL_CLASS_SLEEP_INVALID,  /* sleeping function called from invalid context */
	CL_CLASS_ODEBUG,         /* debugobjects: an object freed or reused while active */
	CL_CLASS_BAD_USERCOPY,   /* hardened usercopy: a copy past its object */
	CL_CLASS_REBOOT,         /* the machine reset under the kernel: no report, no orderly
				  * restart before it (cl_triage_reset) */
	CL_CLASS_KMSAN,          /* KMSAN: a use of memory never initialised */
	CL_CLASS_LAST
};

#define CL_TITLE_MAX 256
#define CL_FRAME_MAX 128
#define CL_EXCERPT_MAX 16384

struct cl_triage_result {
	int crashed;                  /* a fatal kernel report was seen */
	int complete;                 /* the report ended (end trace / panic line) */
	int panicked;                 /* "Kernel panic - not syncing" seen */
	int corrupted;                /* report truncated or without a usable frame */
	enum cl_crash_class cls;
	char title[CL_TITLE_MAX];
	char frame[CL_FRAME_MAX];     /* guilty function, "" when unknown */
	char module[64];              /* module of that frame, "" when built in */
	char excerpt[CL_EXCERPT_MAX]; /* printable ASCII, first crash line onwards */
	size_t lines;                 /* console lines seen */
	int boots;                    /* kernel banners ("Linux version") seen */
	int restarting;               /* the kernel said it restarts or stops ("reboot: ...")
				       * since the last banner */
};

struct cl_triage;

/* @fatal_warnings: treat WARNING as a crash (panic_on_warn scenarios). */
struct cl_triage *cl_triage_new(int fatal_warnings);
void cl_triage_free(struct cl_triage *t);
/* Feed console bytes as they arrive; lines may be split across calls. */
void cl_triage_feed(struct cl_triage *t, const char *buf, size_t len);
/* End of stream: flush the last partial line and settle `corrupted`. */
void cl_triage_finish(struct cl_triage *t);
/*
 * The machine was reset: a new kernel banner on the console, or the host saw
 * the reset first (libvirt's reboot event; the banner may never come if the
 * domain is stopped at it). With no crash report before it and no orderly
 * restart ("reboot: Restarting system"), the reset is the crash itself:
 * "unexpected kernel reboot" (a triple fault, a watchdog, emergency_restart()).
 */
int cl_triage_reset(struct cl_triage *t); /* 1: the reset is the crash */
/* The next reset is known not to be a crash of its own (the plan asked for a
 * reboot, or this boot already crashed): as if the kernel had said it restarts. */
void cl_triage_expect_reset(struct cl_triage *t);
/* Borrowed view of the result so far. */
const struct cl_triage_result *cl_triage_result(const struct cl_triage *t);

const char *cl_triage_class_name(enum cl_crash_class c);
/* What triage found, as `crashlab triage` prints it and reproduce says it
 * (a new reference): crashed, class, title, frame, module, corrupted. */
json_t *cl_triage_json(const struct cl_triage_result *r);

#endif
