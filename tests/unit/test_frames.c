/*
 * The guilty-frame rules (harness/decide/cl_frames.c): one test per helper
 * family, each a synthetic x86-64 report whose stack has two of that
 * family's helpers on top of the caller my_driver_fn [mydrv]; the caller
 * must be named, and both helpers must belong to the family (so the test
 * fails if the family loses them). The class-only families are shown
 * skipped where their rule says and named where it does not. The classes
 * these rules serve are tested in test_triage_classes.c. Synthetic
 * reports, written here in the kernel's own formats: real consoles go to
 * tests/data/triage/ when they are captured (tests/crasher/capture.sh).
 */
#include "cl_test.h"
#include "cl_test_triage.h"
#include "cl_frames.h"

#define TS "[   41.093512] "

/* A WARNING whose WARN site and RIP are %1$s and whose trace has %2$s on top. */
static const char warn_fmt[] =
	TS "------------[ cut here ]------------\n"
	TS "WARNING: CPU: 1 PID: 4242 at drivers/misc/mydrv/core.c:88 %1$s+0x1c/0x60\n"
	TS "Modules linked in: mydrv(OE) pvpanic_mmio pvpanic\n"
	TS "CPU: 1 PID: 4242 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
	TS "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
	TS "RIP: 0010:%1$s+0x1c/0x60\n"
	TS "Code: 48 c7 c7 68 23 4e c0 e8 93 0a f2 dc 0f 1f 44 00 00 8b 05 a0 21 00 00 85 c0 75 0e <0f> 0b c3 cc\n"
	TS "RSP: 0018:ffffb1e2c0f3bcd8 EFLAGS: 00010246\n"
	TS "RAX: 0000000000000000 RBX: ffff9c41c2b8a000 RCX: 0000000000000000\n"
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " %2$s+0x2a/0x90\n"
	TS " my_driver_fn+0x12/0x40 [mydrv]\n"
	TS " mydrv_probe+0x5d/0x120 [mydrv]\n"
	TS " do_one_initcall+0x59/0x220\n"
	TS " do_init_module+0x4a/0x1f0\n"
	TS " __do_sys_finit_module+0xac/0x120\n"
	TS " do_syscall_64+0x5d/0xb0\n"
	TS " entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	TS " </TASK>\n"
	TS "---[ end trace 0000000000000000 ]---\n";

/* A NULL dereference whose RIP is %1$s and whose trace has %2$s on top. */
static const char null_fmt[] =
	TS "BUG: kernel NULL pointer dereference, address: 0000000000000010\n"
	TS "#PF: supervisor read access in kernel mode\n"
	TS "#PF: error_code(0x0000) - not-present page\n"
	TS "PGD 0 P4D 0 \n"
	TS "Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	TS "CPU: 1 PID: 4242 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
	TS "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
	TS "RIP: 0010:%1$s+0x1c/0x60\n"
	TS "Code: 89 e5 41 54 53 48 89 fb 48 83 ec 08 <48> 8b 47 10 48 85 c0 74 1a 48 89 df\n"
	TS "RSP: 0018:ffffb1e2c0f3bcd8 EFLAGS: 00010246\n"
	TS "RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000\n"
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " ? __die+0x23/0x70\n"
	TS " ? page_fault_oops+0x171/0x4e0\n"
	TS " ? exc_page_fault+0x7f/0x180\n"
	TS " ? asm_exc_page_fault+0x26/0x30\n"
	TS " %2$s+0x2a/0x90\n"
	TS " my_driver_fn+0x12/0x40 [mydrv]\n"
	TS " mydrv_probe+0x5d/0x120 [mydrv]\n"
	TS " do_one_initcall+0x59/0x220\n"
	TS " </TASK>\n"
	TS "Modules linked in: mydrv(OE) pvpanic_mmio pvpanic\n"
	TS "CR2: 0000000000000010\n"
	TS "---[ end trace 0000000000000000 ]---\n";

/*
 * A soft lockup reported from the timer interrupt with dump_stack(): %1$s
 * and %2$s in the interrupt's part, then the interrupted task spinning in
 * a delay loop called by my_driver_fn.
 */
static const char irq_fmt[] =
	TS "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [insmod:4242]\n"
	TS "Modules linked in: mydrv(OE) pvpanic_mmio pvpanic\n"
	TS "CPU: 1 PID: 4242 Comm: insmod Tainted: G           OEL     6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
	TS "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
	TS "Call Trace:\n"
	TS " <IRQ>\n"
	TS " dump_stack_lvl+0x44/0x5c\n"
	TS " %1$s+0x93/0x120\n"
	TS " %2$s+0x2e/0x60\n"
	CL_TEST_TIMER_IRQ(TS)
	TS "RIP: 0010:delay_tsc+0x4e/0xb0\n"
	TS "Code: 6f 0f 01 f9 66 90 48 c1 e2 20 48 09 c2 41 89 d0 eb 1c <f3> 90 bf 01 00 00 00 e8\n"
	TS "RSP: 0018:ffffb1e2c0f3bcc0 EFLAGS: 00000283\n"
	TS "RAX: 0000000000000000 RBX: 00000000000f4240 RCX: 0000000000000001\n"
	TS " __const_udelay+0x43/0x50\n"
	TS " my_driver_fn+0x12/0x40 [mydrv]\n"
	TS " mydrv_probe+0x5d/0x120 [mydrv]\n"
	TS " do_one_initcall+0x59/0x220\n"
	TS " </TASK>\n";

struct family_case {
	enum cl_frame_family family;
	const char *fmt;       /* warn_fmt, null_fmt or irq_fmt */
	const char *a, *b;     /* two helpers of the family */
};

static const struct family_case family_cases[] = {
	{ CL_FAMILY_REPORT, null_fmt, "__show_regs", "dump_stack_lvl" },
	{ CL_FAMILY_PRINTK, null_fmt, "vprintk_emit", "_printk" },
	{ CL_FAMILY_EXCEPTION, null_fmt, "fixup_exception", "exc_page_fault" },
	{ CL_FAMILY_WARN_BUG, warn_fmt, "__warn_printk", "warn_slowpath_fmt" },
	{ CL_FAMILY_ENTRY, null_fmt, "do_syscall_64", "entry_SYSCALL_64_after_hwframe" },
	{ CL_FAMILY_IRQ, irq_fmt, "watchdog_timer_fn", "tick_sched_timer" },
	{ CL_FAMILY_ARCH, null_fmt, "native_write_msr", "native_safe_halt" },
	{ CL_FAMILY_LOCKING, null_fmt, "_raw_spin_lock_irqsave", "__mutex_lock" },
	{ CL_FAMILY_WAIT, null_fmt, "__wait_for_common", "wait_for_completion_killable" },
	{ CL_FAMILY_SCHED, null_fmt, "__schedule", "schedule_preempt_disabled" },
	{ CL_FAMILY_DELAY, null_fmt, "delay_tsc", "__const_udelay" },
	{ CL_FAMILY_ALLOC, warn_fmt, "__alloc_pages", "__kmalloc_large_node" },
	{ CL_FAMILY_STRING, null_fmt, "memcpy_orig", "sized_strscpy" },
	{ CL_FAMILY_USERCOPY, null_fmt, "rep_movs_alternative", "_copy_to_user" },
	{ CL_FAMILY_SANITIZER, null_fmt, "__sanitizer_cov_trace_pc", "kasan_check_range" },
	{ CL_FAMILY_LOCKDEP, warn_fmt, "__lock_acquire", "lock_acquire" },
	{ CL_FAMILY_DEBUGOBJECTS, warn_fmt, "debug_print_object", "__debug_check_no_obj_freed" },
	{ CL_FAMILY_RCU_STALL, irq_fmt, "rcu_dump_cpu_stacks", "rcu_sched_clock_irq" },
	{ CL_FAMILY_PREEMPT, warn_fmt, "__might_sleep", "check_preemption_disabled" },
	{ CL_FAMILY_REFCOUNT, warn_fmt, "refcount_warn_saturate", "__refcount_sub_and_test" },
	{ CL_FAMILY_LIST, warn_fmt, "__list_add_valid_or_report", "__list_del_entry_valid_or_report" },
};
_Static_assert(sizeof(family_cases) / sizeof(family_cases[0]) == CL_FAMILY_GENERAL_LAST,
	       "a test per general family");

/* One family's row: both helpers are the family's, and skipped for the caller. */
static void test_family(void **state)
{
	const struct family_case *c = *state;
	unsigned bit = CL_FAMILY_BIT(c->family);
	char log[8192];
	struct cl_triage *t;
	struct cl_triage_result r;

	if (!(cl_frames_families(c->a) & bit) || !(cl_frames_families(c->b) & bit))
		fail_msg("%s or %s is not in family %s", c->a, c->b,
			 cl_frames_family_name(c->family));
	snprintf(log, sizeof(log), c->fmt, c->a, c->b);
	t = cl_test_triage(log, 1);
	r = *cl_triage_result(t);
	cl_triage_free(t);
	if (strcmp(r.frame, "my_driver_fn") || strcmp(r.module, "mydrv") || r.corrupted)
		fail_msg("family %s: frame '%s' module '%s' corrupted %d, want my_driver_fn mydrv 0 "
			 "(title '%s')", cl_frames_family_name(c->family), r.frame, r.module,
			 r.corrupted, r.title);
}

/*
 * The control: the same reports name a helper that no rule skips. Here
 * the class-only object-API family, which a WARNING keeps ("WARNING in
 * __queue_work" is a bug of its own), and a plain function.
 */
static void test_unskipped_helper_is_named(void **state)
{
	char log[8192];
	struct cl_triage *t;

	(void)state;
	snprintf(log, sizeof(log), warn_fmt, "__queue_work", "queue_work_on");
	t = cl_test_triage(log, 1);
	assert_string_equal(cl_triage_result(t)->title, "WARNING in __queue_work");
	cl_triage_free(t);
	snprintf(log, sizeof(log), null_fmt, "mydrv_parse", "mydrv_read");
	t = cl_test_triage(log, 1);
	assert_string_equal(cl_triage_result(t)->frame, "mydrv_parse");
	cl_triage_free(t);
	snprintf(log, sizeof(log), null_fmt, "memcpy_orig", "mydrv_read");
	t = cl_test_triage(log, 1);
	assert_string_equal(cl_triage_result(t)->frame, "mydrv_read");
	cl_triage_free(t);
}

/* The tables themselves: named families, the default row, the class-only ones. */
static void test_rules_table(void **state)
{
	unsigned general = CL_FAMILY_BIT(CL_FAMILY_GENERAL_LAST) - 1u;
	int f;

	(void)state;
	for (f = 0; f < CL_FAMILY_LAST; f++)
		assert_non_null(cl_frames_family_name(f));
	assert_null(cl_frames_family_name(CL_FAMILY_LAST));
	/* the default row: every general family, no class-only one */
	assert_int_equal(cl_frames_rule(CL_CLASS_NULL_DEREF), general);
	assert_int_equal(cl_frames_rule(CL_CLASS_WARNING), general);
	assert_int_equal(cl_frames_rule(CL_CLASS_ODEBUG),
			 general | CL_FAMILY_BIT(CL_FAMILY_OBJECT_API));
	assert_int_equal(cl_frames_rule(CL_CLASS_RCU_STALL),
			 general | CL_FAMILY_BIT(CL_FAMILY_RCU_GP));
	/* whole names and prefixes */
	assert_true(cl_frames_skip(CL_CLASS_BUG, "kasan_report"));
	assert_true(cl_frames_skip(CL_CLASS_BUG, "down"));
	assert_false(cl_frames_skip(CL_CLASS_BUG, "downgrade_write_fn"));
	assert_false(cl_frames_skip(CL_CLASS_BUG, "my_driver_fn"));
	assert_false(cl_frames_skip(CL_CLASS_WARNING, "__mod_timer"));
	assert_true(cl_frames_skip(CL_CLASS_ODEBUG, "__mod_timer"));
	assert_false(cl_frames_skip(CL_CLASS_WARNING, "rcu_gp_cleanup"));
	assert_true(cl_frames_skip(CL_CLASS_RCU_STALL, "rcu_gp_kthread"));
	/* printf's own machinery, under a printk of a value nobody wrote (KMSAN) */
	assert_true(cl_frames_skip(CL_CLASS_KMSAN, "vsnprintf"));
	assert_true(cl_frames_skip(CL_CLASS_KASAN, "string"));
	assert_false(cl_frames_skip(CL_CLASS_KMSAN, "stringify_fn"));
}

int main(void)
{
	enum { N = CL_FAMILY_GENERAL_LAST };
	static char names[N][48];
	struct CMUnitTest tests[N + 2] = {
		[N] = cmocka_unit_test(test_unskipped_helper_is_named),
		[N + 1] = cmocka_unit_test(test_rules_table),
	};
	int i;

	/* a test per row of family_cases, named after its family */
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "test_family_%s",
			 cl_frames_family_name(family_cases[i].family));
		tests[i] = (struct CMUnitTest){ names[i], test_family, NULL, NULL,
						(void *)&family_cases[i] };
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
