/*
 * cl_frames.c - the helper families and the per-class rules (see cl_frames.h).
 *
 * Names are the kernel's own function names as stack traces print them,
 * after triage has cut ".cold", ".isra.0" and the like. A name ending in
 * '_' is a prefix ("kasan_" covers every KASAN function); any other name
 * matches whole. A function may sit in two families (schedule_timeout is
 * both a wait and the scheduler); it is skipped when any of its families is.
 * Limits: the lists are what Debian's 6.1 and 6.12 kernels (x86-64 and
 * arm64) and the debug kernel print; helpers of other releases may be
 * missing, and then the helper, not its caller, is named.
 */
#include "cl_frames.h"

#include <string.h>

static const char *const report_fns[] = {
	"panic", "vpanic", "nmi_panic", "dump_stack", "dump_stack_", "__dump_stack",
	"dump_backtrace", "show_stack", "show_trace", "show_trace_log_lvl", "show_regs",
	"__show_regs", "die", "__die", "__die_body", "die_addr", "oops_", "__stack_chk_fail",
	"out_of_memory", "oom_", "dump_header", "warn_alloc", NULL,
};

/* printk, and the printf machinery under it (vsprintf.c's own helpers) */
static const char *const printk_fns[] = {
	"printk", "_printk", "vprintk", "vprintk_", "_printk_deferred", "printk_deferred",
	"vsnprintf", "vscnprintf", "snprintf", "scnprintf", "sprintf", "vsprintf", "kvasprintf",
	"kasprintf", "format_decode", "string", "string_nocheck", "widen_string", "number",
	"pointer", "pointer_string", "hex_string", "special_hex_number", "put_dec", "put_dec_",
	NULL,
};

static const char *const exception_fns[] = {
	/* x86 */
	"do_trap", "do_error_trap", "exc_", "asm_exc_", "exc_int3", "do_int3",
	"kprobe_int3_handler", "kprobe_ftrace_handler", "page_fault_oops",
	"kernelmode_fixup_or_oops", "__bad_area", "bad_area", "__bad_area_nosemaphore",
	"bad_area_nosemaphore", "do_user_addr_fault", "handle_page_fault", "no_context",
	"fixup_exception",
	/* arm64 */
	"el1h_64_sync", "el1h_64_sync_handler", "el1_abort", "el1_dbg", "el1_interrupt",
	"el1h_64_irq", "do_mem_abort", "__do_kernel_fault", "die_kernel_fault", "do_page_fault",
	"do_translation_fault", "do_debug_exception", "brk_handler", "call_break_hook",
	"kprobe_breakpoint_handler", "arm64_notify_die", "do_el1_undef", NULL,
};

static const char *const warn_bug_fns[] = {
	"handle_bug", "report_bug", "__report_bug", "fixup_bug", "__warn", "warn_slowpath",
	"warn_slowpath_", "__warn_printk", "check_panic_on_warn", "bug_handler", NULL,
};

static const char *const entry_fns[] = {
	"entry_SYSCALL", "entry_SYSCALL_", "do_syscall_64", "x64_sys_call", "syscall_exit",
	"syscall_exit_", "ret_from_fork", "ret_from_fork_", "__x64_sys_", "__do_sys_",
	"__se_sys_", "kthread", "invoke_syscall", "el0_svc", "el0_svc_common", "do_el0_svc",
	"el0t_64_sync", "el0t_64_sync_handler", NULL,
};

static const char *const irq_fns[] = {
	"asm_sysvec", "asm_sysvec_", "sysvec_", "__sysvec", "__sysvec_", "irq_exit",
	"__irq_exit", "irq_exit_rcu", "__irq_exit_rcu", "asm_common_interrupt",
	"common_interrupt", "watchdog_timer_fn", "__hrtimer_run_queues", "hrtimer_interrupt",
	"update_process_times", "tick_", "nmi_", "default_do_nmi", "watchdog_overflow_callback",
	"watchdog_hardlockup_check", "__perf_event_overflow", "perf_event_nmi_handler", NULL,
};

static const char *const arch_fns[] = { "native_", NULL };

static const char *const locking_fns[] = {
	"_raw_spin_", "raw_spin_", "queued_spin", "queued_spin_", "native_queued_spin",
	"native_queued_spin_", "do_raw_spin", "do_raw_spin_", "__pv_queued", "__pv_queued_spin_",
	"_raw_read_", "_raw_write_", "queued_read_", "queued_write_", "spin_dump", "spin_bug",
	"mutex_lock", "mutex_lock_", "mutex_unlock", "mutex_trylock", "__mutex", "__mutex_",
	"down", "down_", "__down", "__down_", "up", "up_read", "up_write", "__up_read",
	"__up_write", "rwsem_", "percpu_down_", "percpu_up_", "rt_mutex_", "__rt_mutex_",
	"rt_spin_", "rwbase_", "osq_lock", NULL,
};

static const char *const wait_fns[] = {
	"wait_for_completion", "wait_for_completion_", "__wait_for_common", "wait_for_common",
	"do_wait_for_common", "io_schedule", "io_schedule_", "schedule_timeout",
	"schedule_timeout_", "msleep", "msleep_interruptible", "usleep_range",
	"usleep_range_state", "prepare_to_wait", "prepare_to_wait_", "finish_wait", "wait_woken",
	"wait_on_page_bit", "wait_on_page_bit_", "folio_wait_bit", "folio_wait_bit_",
	"__folio_lock", "__folio_lock_", "__lock_page", "__lock_page_", "wait_on_page_writeback",
	"folio_wait_writeback", "folio_wait_writeback_", "__wait_on_bit", "__wait_on_bit_",
	"out_of_line_wait_on_bit", "out_of_line_wait_on_bit_", "bit_wait", "bit_wait_",
	"ldsem_down_", NULL,
};

static const char *const sched_fns[] = {
	"schedule", "__schedule", "schedule_", "__schedule_", "preempt_schedule",
	"preempt_schedule_", "__cond_resched", "_cond_resched", "__switch_to",
	"__switch_to_asm", NULL,
};

static const char *const delay_fns[] = {
	"delay_tsc", "delay_halt", "delay_halt_", "delay_loop", "__delay", "__const_udelay",
	"__udelay", "__ndelay", "mdelay", "udelay", "ndelay", NULL,
};

static const char *const alloc_fns[] = {
	"kmalloc", "kmalloc_", "__kmalloc", "__kmalloc_", "___kmalloc_", "__do_kmalloc_node",
	"kmalloc_large", "__kmalloc_large_node", "kmalloc_order", "__kmalloc_node", "kzalloc",
	"kcalloc", "krealloc", "krealloc_", "__krealloc", "kmemdup", "kmemdup_", "kstrdup",
	"kstrdup_", "kstrndup", "kmem_cache_", "__kmem_cache_", "kfree", "__kfree", "slab_",
	"___slab_", "__slab_", "allocate_slab", "new_slab", "alloc_slab_page", "__alloc_pages",
	"__alloc_pages_", "alloc_pages", "alloc_pages_", "get_page_from_freelist",
	"__get_free_pages", "__free_pages", "folio_alloc", "__folio_alloc", "kvmalloc",
	"kvmalloc_", "__kvmalloc_", "kvzalloc", "kvfree", "vmalloc", "vmalloc_", "__vmalloc",
	"__vmalloc_", "vzalloc", "vfree", "__vfree", NULL,
};

static const char *const string_fns[] = {
	"memcpy", "memcpy_", "__memcpy", "memcpy_orig", "memcpy_erms", "memmove", "memmove_",
	"__memmove", "memset", "memset_", "__memset", "memcmp", "memchr", "strlen", "strnlen",
	"strcmp", "strncmp", "strcpy", "strncpy", "strscpy", "sized_strscpy", "strlcpy",
	"strcat", "strncat", "strlcat", "strchr", "strrchr", "strstr", "strnstr", "fortify_panic",
	"__fortify_panic", "__fortify_report", NULL,
};

static const char *const usercopy_fns[] = {
	"_copy_from_user", "_copy_to_user", "copy_from_user", "copy_to_user",
	"__copy_from_user", "__copy_to_user", "raw_copy_from_user", "raw_copy_to_user",
	"copy_user_", "__copy_user_", "rep_movs_alternative", "strncpy_from_user",
	"strnlen_user", "__get_user_", "__put_user_", "memdup_user", "memdup_user_nul",
	"vmemdup_user", "_copy_to_iter", "_copy_from_iter", "copy_page_to_iter",
	"copy_page_from_iter", "copyout", "copyin", "__check_object_size", "check_object_size",
	"check_heap_object", "__check_heap_object", "usercopy_abort", NULL,
};

static const char *const sanitizer_fns[] = {
	"kasan_", "__kasan_", "____kasan_", "__asan_", "check_memory_region", "print_report",
	"print_address_description", "ubsan_", "__ubsan_", "kfence_", "__kfence_", "kmemleak_",
	"__kmemleak_", "kcsan_", "__kcsan_", "__tsan_", "kmsan_", "__msan_", "__hwasan_",
	"__sanitizer_", "__sanitizer_cov_trace_pc", NULL,
};

static const char *const lockdep_fns[] = {
	"lock_acquire", "lock_acquire_", "__lock_acquire", "lock_release", "__lock_release",
	"lock_acquired", "lock_contended", "lock_is_held_type", "check_noncircular",
	"check_prev_add", "check_prevs_add", "validate_chain", "print_circular_bug",
	"print_usage_bug", "print_deadlock_bug", "check_deadlock", "mark_lock", "mark_lock_irq",
	"mark_usage", "mark_held_locks", "lockdep_", "__lockdep_", "print_unlock_imbalance_bug",
	"debug_check_no_locks_freed", "debug_check_no_locks_held", "print_held_locks_bug",
	"register_lock_class", "assign_lock_key", "look_up_lock_class", "print_lock_",
	"debug_show_all_locks", "debug_show_held_locks", NULL,
};

static const char *const debugobjects_fns[] = {
	"debug_print_object", "debug_object_", "__debug_object_", "debug_objects_",
	"debug_check_no_obj_freed", "__debug_check_no_obj_freed", "timer_fixup_", "work_fixup_",
	"hrtimer_fixup_", "debug_timer_", "debug_work_", "debug_hrtimer_", "debug_rcu_head_",
	"debug_activate", "debug_deactivate", "debug_init", "debug_assert_init", NULL,
};

static const char *const rcu_stall_fns[] = {
	"rcu_dump_cpu_stacks", "rcu_sched_clock_irq", "print_cpu_stall", "print_other_cpu_stall",
	"check_cpu_stall", "rcu_pending", "rcu_check_gp_kthread_starvation",
	"rcu_check_gp_kthread_expired_fqs_timer", "rcu_stall_kick_kthreads", "panic_on_rcu_stall",
	"rcu_print_task_stall", "rcu_check_callbacks", "sched_show_task", "dump_cpu_task",
	"arch_trigger_cpumask_backtrace", "nmi_trigger_cpumask_backtrace",
	"trigger_single_cpu_backtrace", NULL,
};

static const char *const preempt_fns[] = {
	"check_preemption_disabled", "debug_smp_processor_id", "__this_cpu_preempt_check",
	"__might_", "might_", "__might_sleep", "__might_resched", "__might_fault",
	"__cant_sleep", "__cant_migrate", "__schedule_bug", "schedule_debug",
	"preempt_count_add", "preempt_count_sub", NULL,
};

static const char *const refcount_fns[] = {
	"refcount_", "__refcount_", "refcount_warn_saturate", NULL,
};

static const char *const list_fns[] = {
	"__list_", "__list_add_valid_or_report", "__list_del_entry_valid_or_report", NULL,
};

/* Class-only: where the debugobjects hooks sit (ODEBUG reports fire in them). */
static const char *const object_api_fns[] = {
	"__mod_timer", "mod_timer", "mod_timer_pending", "add_timer", "add_timer_on",
	"del_timer", "del_timer_sync", "try_to_del_timer_sync", "timer_delete",
	"timer_delete_sync", "__timer_delete", "__timer_delete_sync", "init_timer_key",
	"destroy_timer_on_stack", "hrtimer_init", "__hrtimer_init", "hrtimer_start_range_ns",
	"hrtimer_cancel", "hrtimer_try_to_cancel", "__init_work", "destroy_work_on_stack",
	"__queue_work", "queue_work_on", "__queue_delayed_work", "queue_delayed_work_on",
	"mod_delayed_work_on", "call_rcu", "__call_rcu", "__call_rcu_common", "kvfree_call_rcu",
	NULL,
};

/* Class-only: the grace-period kthread, the starved victim of an RCU stall. */
static const char *const rcu_gp_fns[] = { "rcu_gp_", NULL };

struct family {
	const char *name;
	const char *const *fns;
};

static const struct family families[] = {
	[CL_FAMILY_REPORT] = { "report", report_fns },
	[CL_FAMILY_PRINTK] = { "printk", printk_fns },
	[CL_FAMILY_EXCEPTION] = { "exception", exception_fns },
	[CL_FAMILY_WARN_BUG] = { "warn_bug", warn_bug_fns },
	[CL_FAMILY_ENTRY] = { "entry", entry_fns },
	[CL_FAMILY_IRQ] = { "irq", irq_fns },
	[CL_FAMILY_ARCH] = { "arch", arch_fns },
	[CL_FAMILY_LOCKING] = { "locking", locking_fns },
	[CL_FAMILY_WAIT] = { "wait", wait_fns },
	[CL_FAMILY_SCHED] = { "sched", sched_fns },
	[CL_FAMILY_DELAY] = { "delay", delay_fns },
	[CL_FAMILY_ALLOC] = { "alloc", alloc_fns },
	[CL_FAMILY_STRING] = { "string", string_fns },
	[CL_FAMILY_USERCOPY] = { "usercopy", usercopy_fns },
	[CL_FAMILY_SANITIZER] = { "sanitizer", sanitizer_fns },
	[CL_FAMILY_LOCKDEP] = { "lockdep", lockdep_fns },
	[CL_FAMILY_DEBUGOBJECTS] = { "debugobjects", debugobjects_fns },
	[CL_FAMILY_RCU_STALL] = { "rcu_stall", rcu_stall_fns },
	[CL_FAMILY_PREEMPT] = { "preempt", preempt_fns },
	[CL_FAMILY_REFCOUNT] = { "refcount", refcount_fns },
	[CL_FAMILY_LIST] = { "list", list_fns },
	[CL_FAMILY_OBJECT_API] = { "object_api", object_api_fns },
	[CL_FAMILY_RCU_GP] = { "rcu_gp", rcu_gp_fns },
};
_Static_assert(sizeof(families) / sizeof(families[0]) == CL_FAMILY_LAST, "a row per family");
_Static_assert(CL_FAMILY_LAST <= 32, "family masks are unsigned");

#define GENERAL (CL_FAMILY_BIT(CL_FAMILY_GENERAL_LAST) - 1u)

struct rule {
	enum cl_crash_class cls;
	unsigned skip;
};

/*
 * Which families each class skips; the first row for a class wins, the
 * last row (CL_CLASS_NONE) is every other class's. An ODEBUG report fires
 * inside the timer and workqueue API it guards: the API's caller is the
 * bug. An RCU stall report dumps the starved grace-period kthread first:
 * a victim, not the stalled code.
 */
static const struct rule rules[] = {
	{ CL_CLASS_ODEBUG, GENERAL | CL_FAMILY_BIT(CL_FAMILY_OBJECT_API) },
	{ CL_CLASS_RCU_STALL, GENERAL | CL_FAMILY_BIT(CL_FAMILY_RCU_GP) },
	{ CL_CLASS_NONE, GENERAL },
};

const char *cl_frames_family_name(enum cl_frame_family f)
{
	return (f >= 0 && f < CL_FAMILY_LAST) ? families[f].name : NULL;
}

/* @fn matches @name: whole, or as a prefix when @name ends in '_'. */
static int name_matches(const char *fn, const char *name)
{
	size_t n = strlen(name);

	return name[n - 1] == '_' ? strncmp(fn, name, n) == 0 : strcmp(fn, name) == 0;
}

unsigned cl_frames_families(const char *fn)
{
	unsigned mask = 0;
	size_t f, i;

	for (f = 0; f < CL_FAMILY_LAST; f++)
		for (i = 0; families[f].fns[i]; i++)
			if (name_matches(fn, families[f].fns[i])) {
				mask |= CL_FAMILY_BIT(f);
				break;
			}
	return mask;
}

unsigned cl_frames_rule(enum cl_crash_class cls)
{
	size_t i, last = sizeof(rules) / sizeof(rules[0]) - 1;

	for (i = 0; i < last; i++)
		if (rules[i].cls == cls)
			return rules[i].skip;
	return rules[last].skip;
}

/* Only the families the class skips are searched: this runs on every trace line. */
int cl_frames_skip(enum cl_crash_class cls, const char *fn)
{
	unsigned skip = cl_frames_rule(cls);
	size_t f, i;

	for (f = 0; f < CL_FAMILY_LAST; f++)
		for (i = 0; (skip & CL_FAMILY_BIT(f)) && families[f].fns[i]; i++)
			if (name_matches(fn, families[f].fns[i]))
				return 1;
	return 0;
}
