/*
 * cl_frames.h - which stack frames explain a crash, per crash class.
 *
 * A kernel report's stack starts in the code that noticed the problem and
 * printed it (panic, WARN, lockdep, KASAN), passes through the helpers the
 * guilty code called (a lock, memcpy, kmalloc, a wait) and only then
 * reaches the guilty function. Triage names that function by skipping the
 * helpers. The helpers are kept as data: named families of function names
 * (cl_frames.c), and one row per crash class saying which families that
 * class skips. A new helper is a new name in a family; a new rule is a new
 * row, not a branch.
 */
#ifndef CL_FRAMES_H
#define CL_FRAMES_H

#include "cl_triage.h"

/*
 * The families. The general ones are skipped by every class (the default
 * row); the class-only ones after CL_FAMILY_GENERAL_LAST only by the rows
 * that name them, because elsewhere those functions are a real title
 * ("WARNING in __queue_work").
 */
enum cl_frame_family {
	CL_FAMILY_REPORT = 0,     /* panic, dump_stack, die, oops, show_regs */
	CL_FAMILY_PRINTK,         /* printk and vprintk */
	CL_FAMILY_EXCEPTION,      /* x86 and arm64 exception entry, fault handling */
	CL_FAMILY_WARN_BUG,       /* the WARN and BUG machinery */
	CL_FAMILY_ENTRY,          /* syscall and kernel-thread entry */
	CL_FAMILY_IRQ,            /* watchdog, timer and NMI interrupt entry */
	CL_FAMILY_ARCH,           /* paravirt native_* primitives */
	CL_FAMILY_LOCKING,        /* spinlocks, mutexes, rwsems, rt_mutexes, semaphores */
	CL_FAMILY_WAIT,           /* completions, wait queues, page and folio waits */
	CL_FAMILY_SCHED,          /* the scheduler itself */
	CL_FAMILY_DELAY,          /* busy-wait delay loops */
	CL_FAMILY_ALLOC,          /* slab, kmalloc, kvmalloc, page allocator, vmalloc */
	CL_FAMILY_STRING,         /* mem* and str* */
	CL_FAMILY_USERCOPY,       /* user copies and the hardened-usercopy checks */
	CL_FAMILY_SANITIZER,      /* KASAN, KCSAN, KMSAN, UBSAN, KFENCE, kmemleak, coverage */
	CL_FAMILY_LOCKDEP,        /* lockdep */
	CL_FAMILY_DEBUGOBJECTS,   /* debugobjects (ODEBUG) and its fixups */
	CL_FAMILY_RCU_STALL,      /* the RCU stall report's own machinery */
	CL_FAMILY_PREEMPT,        /* preemption and atomic-context checks */
	CL_FAMILY_REFCOUNT,       /* refcount_t checks */
	CL_FAMILY_LIST,           /* list debugging */
	CL_FAMILY_GENERAL_LAST,
	CL_FAMILY_OBJECT_API = CL_FAMILY_GENERAL_LAST, /* timer/work/rcu APIs that call debugobjects */
	CL_FAMILY_RCU_GP,         /* the RCU grace-period kthread a stall report dumps */
	CL_FAMILY_LAST
};

#define CL_FAMILY_BIT(f) (1u << (f))

/* The family's name as docs and tests say it ("locking"); NULL when out of range. */
const char *cl_frames_family_name(enum cl_frame_family f);
/* Bit mask (CL_FAMILY_BIT) of the families @fn belongs to; 0 for none. */
unsigned cl_frames_families(const char *fn);
/* Bit mask of the families crash class @cls skips (its row, or the default row). */
unsigned cl_frames_rule(enum cl_crash_class cls);
/* 1 when @fn is a helper class @cls skips when choosing the guilty frame. */
int cl_frames_skip(enum cl_crash_class cls, const char *fn);

#endif
