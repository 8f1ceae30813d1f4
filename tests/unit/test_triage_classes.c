/*
 * Triage of the report kinds the guilty-frame rules (issue 26) added or
 * sharpened: ODEBUG, preemptible smp_processor_id(), bad usercopy, the
 * lockdep INFO/BUG variants, unwinder warnings, unregister_netdevice, tasks
 * that cannot die, zero-size vmalloc and oversized kmalloc WARNINGs,
 * arm64's unhandled faults, RCU stalls, hung tasks in every wait
 * primitive, kmemleak, soft lockups and KMSAN. Each is a synthetic report written
 * here in the format Debian's 6.1/6.12 kernels (or the debug kernel) print;
 * the real consoles tests/crasher/capture.sh captured are in
 * tests/data/triage/ (ODEBUG, preemptible smp_processor_id(), the lockdep
 * variants and the rest among them).
 */
#include "cl_test.h"
#include "cl_test_triage.h"

#define TS "[   12.404040] "
#define HW TS "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
#define CPU61 TS "CPU: 0 PID: 4242 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
#define CPUDBG TS "CPU: 0 PID: 4242 Comm: insmod Tainted: G           O       6.1.0-56-debug #1\n"
#define REGS                                                                                  \
	TS "Code: 48 89 e5 41 54 53 48 89 fb 48 83 ec 08 <0f> 0b 48 8b 47 10 48 85 c0 74 1a\n"  \
	TS "RSP: 0018:ffffb1e2c0f3bcd8 EFLAGS: 00010246\n"                                      \
	TS "RAX: 0000000000000000 RBX: ffff9c41c2b8a000 RCX: 0000000000000000\n"
#define INIT_TAIL                                         \
	TS "  do_one_initcall+0x59/0x220\n"                 \
	TS "  do_init_module+0x4a/0x1f0\n"                  \
	TS "  __do_sys_finit_module+0xac/0x120\n"           \
	TS "  do_syscall_64+0x5d/0xb0\n"                    \
	TS "  entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"   \
	TS "  </TASK>\n"

/* Triage @log and check class, title, frame and module ("" for none); a crash, not corrupted. */
static void expect(const char *log, int fatal_warnings, const char *cls, const char *title,
		   const char *frame, const char *module)
{
	struct cl_triage *t = cl_test_triage(log, fatal_warnings);
	struct cl_triage_result r = *cl_triage_result(t);

	cl_triage_free(t);
	if (strcmp(cl_triage_class_name(r.cls), cls) || strcmp(r.title, title) ||
	    strcmp(r.frame, frame) || strcmp(r.module, module) || r.corrupted || !r.crashed)
		fail_msg("got class=%s title='%s' frame='%s' module='%s' corrupted=%d crashed=%d; "
			 "want class=%s title='%s' frame='%s' module='%s'",
			 cl_triage_class_name(r.cls), r.title, r.frame, r.module, r.corrupted,
			 r.crashed, cls, title, frame, module);
}

/* debugobjects: a timer freed while armed (the debug kernel, 6.1 format). */
static const char odebug_free[] =
	TS "------------[ cut here ]------------\n"
	TS "ODEBUG: free active (active state 0) object type: timer_list hint: mydrv_timeout+0x0/0x30 [mydrv]\n"
	TS "WARNING: CPU: 0 PID: 4242 at lib/debugobjects.c:509 debug_print_object+0xd8/0x100\n"
	TS "Modules linked in: mydrv(OE)\n" CPUDBG HW
	TS "RIP: 0010:debug_print_object+0xd8/0x100\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " __debug_check_no_obj_freed+0x1f6/0x2b0\n"
	TS " slab_free_freelist_hook+0xc3/0x1e0\n"
	TS " __kmem_cache_free+0xc9/0x160\n"
	TS " mydrv_release+0x3c/0x70 [mydrv]\n"
	TS " mydrv_remove+0x21/0x40 [mydrv]\n" INIT_TAIL
	TS "---[ end trace 0000000000000000 ]---\n";

/* debugobjects inside the workqueue API it guards (6.12: "object: %p" too). */
static const char odebug_activate[] =
	TS "------------[ cut here ]------------\n"
	TS "ODEBUG: activate active (active state 1) object: 00000000a1b2c3d4 object type: work_struct hint: mydrv_work+0x0/0x40 [mydrv]\n"
	TS "WARNING: CPU: 0 PID: 4242 at lib/debugobjects.c:514 debug_print_object+0xda/0x100\n"
	TS "Modules linked in: mydrv(OE)\n" CPUDBG HW
	TS "RIP: 0010:debug_print_object+0xda/0x100\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " ? __warn+0x7d/0xc0\n"
	TS " debug_object_activate+0x2b4/0x3a0\n"
	TS " __queue_work+0x7c/0x6a0\n"
	TS " queue_work_on+0x6e/0x80\n"
	TS " mydrv_kick+0x2d/0x50 [mydrv]\n" INIT_TAIL
	TS "---[ end trace 0000000000000000 ]---\n";

static void test_odebug(void **state)
{
	(void)state;
	expect(odebug_free, 0, "odebug", "ODEBUG bug in mydrv_release", "mydrv_release", "mydrv");
	expect(odebug_activate, 0, "odebug", "ODEBUG bug in mydrv_kick", "mydrv_kick", "mydrv");
}

/* CONFIG_DEBUG_PREEMPT: a per-CPU access from preemptible code (no RIP; dump_stack). */
static const char preempt_fmt[] =
	TS "BUG: using %s in preemptible [00000000] code: kworker/0:1/31\n"
	TS "caller is %s+0x19/0x50 [mydrv]\n" CPUDBG HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x4c/0x5f\n"
	TS " check_preemption_disabled+0xd6/0xe0\n"
	TS " %s+0x11/0x20\n"
	TS " mydrv_pick_queue+0x19/0x50 [mydrv]\n"
	TS " mydrv_xmit+0x44/0x120 [mydrv]\n"
	TS " </TASK>\n"
	TS "Modules linked in: mydrv(OE)\n";

static void test_preempt(void **state)
{
	char log[4096];

	(void)state;
	snprintf(log, sizeof(log), preempt_fmt, "smp_processor_id()", "mydrv_pick_queue",
		 "debug_smp_processor_id");
	expect(log, 0, "bug", "BUG: using smp_processor_id() in preemptible code in mydrv_pick_queue",
	       "mydrv_pick_queue", "mydrv");
	snprintf(log, sizeof(log), preempt_fmt, "__this_cpu_read()", "mydrv_pick_queue",
		 "__this_cpu_preempt_check");
	expect(log, 0, "bug", "BUG: using __this_cpu_read() in preemptible code in mydrv_pick_queue",
	       "mydrv_pick_queue", "mydrv");
}

/* Hardened usercopy (Debian's production kernels): the copy, then its BUG(). */
static const char usercopy_fmt[] =
	TS "usercopy: Kernel memory %s attempt detected %s SLUB object 'kmalloc-64' (offset 0, size 128)!\n"
	TS "------------[ cut here ]------------\n"
	TS "kernel BUG at mm/usercopy.c:102!\n"
	TS "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n" CPU61 HW
	TS "RIP: 0010:usercopy_abort+0x6c/0x80\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " __check_heap_object+0xe0/0x110\n"
	TS " __check_object_size+0x208/0x220\n"
	TS " %s+0x5a/0x90 [mydrv]\n"
	TS " vfs_read+0xb0/0x2c0\n"
	TS " ksys_read+0x6b/0xf0\n"
	TS " do_syscall_64+0x5d/0xb0\n"
	TS " entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	TS "RIP: 0033:0x7f1c2e7a3b4d\n"
	TS " </TASK>\n"
	TS "Modules linked in: mydrv(OE) pvpanic_mmio pvpanic\n"
	TS "---[ end trace 0000000000000000 ]---\n"
	TS "RIP: 0010:usercopy_abort+0x6c/0x80\n"
	TS "Kernel panic - not syncing: Fatal exception\n";

#define BANNER "[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)\n"
#define LOADED "[    5.100000] mydrv: loaded\n"
#define RESTART "[   34.311676] reboot: Restarting system\n[   34.311860] reboot: machine restart\n"

/* A second kernel banner with no report and no "reboot:" line before it: the machine reset. */
static void test_unexpected_reboot(void **state)
{
	struct cl_triage *t;

	(void)state;
	expect(BANNER LOADED BANNER, 0, "unexpected_reboot", "unexpected kernel reboot", "", "");
	t = cl_test_triage(BANNER RESTART BANNER, 0);
	assert_false(cl_triage_result(t)->crashed);
	assert_int_equal(cl_triage_result(t)->boots, 2);
	cl_triage_free(t);
	t = cl_test_triage(BANNER "[   16.080148] Kernel panic - not syncing: Fatal exception\n" BANNER, 0);
	assert_string_equal(cl_triage_class_name(cl_triage_result(t)->cls), "panic");
	cl_triage_free(t);
	/* the host saw the reset before any banner: the same answer, the last line kept */
	t = cl_test_triage(BANNER LOADED, 0);
	cl_triage_reset(t);
	assert_string_equal(cl_triage_result(t)->title, "unexpected kernel reboot");
	assert_non_null(strstr(cl_triage_result(t)->excerpt, "reset after: mydrv: loaded"));
	cl_triage_free(t);
	/* after the kernel said it restarts, a reset the host sees is no crash */
	t = cl_test_triage(BANNER RESTART, 0);
	cl_triage_reset(t);
	assert_false(cl_triage_result(t)->crashed);
	cl_triage_free(t);
}

static void test_bad_usercopy(void **state)
{
	char log[8192];

	(void)state;
	snprintf(log, sizeof(log), usercopy_fmt, "exposure", "from", "mydrv_read");
	expect(log, 0, "bad_usercopy", "BUG: bad usercopy in mydrv_read", "mydrv_read", "mydrv");
	snprintf(log, sizeof(log), usercopy_fmt, "overwrite", "to", "mydrv_write");
	expect(log, 0, "bad_usercopy", "BUG: bad usercopy in mydrv_write", "mydrv_write", "mydrv");
}

/* lockdep: a lock in kzalloc'd memory taken without spin_lock_init(). */
static const char nonstatic_key[] =
	TS "INFO: trying to register non-static key.\n"
	TS "The code is fine but needs lockdep annotation, or maybe\n"
	TS "you didn't initialize this object before use?\n"
	TS "turning off the locking correctness validator.\n" CPUDBG HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x4c/0x5f\n"
	TS " register_lock_class+0x88e/0x8b0\n"
	TS " ? is_dynamic_key+0x1a0/0x1a0\n"
	TS " __lock_acquire+0xd7/0x2c80\n"
	TS " lock_acquire+0x19a/0x4b0\n"
	TS " _raw_spin_lock+0x2f/0x40\n"
	TS " mydrv_start+0x3e/0x90 [mydrv]\n"
	TS " mydrv_probe+0x5d/0x120 [mydrv]\n" INIT_TAIL
	TS "BUG: spinlock bad magic on CPU#0, insmod/4242\n";

/* lockdep: a kthread exits holding a mutex (%s: the report's first line). */
static const char locks_held_fmt[] =
	TS "====================================\n"
	TS "%s\n"
	TS "6.1.0-56-debug #1 Tainted: G           O      \n"
	TS "------------------------------------\n"
	TS "1 lock held by mydrv_worker/77:\n"
	TS " #0: ffffffffc0a0b0d0 (mydrv_lock){+.+.}-{3:3}, at: mydrv_thread_fn+0x2e/0x90 [mydrv]\n"
	TS "\n"
	TS "stack backtrace:\n" CPUDBG HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x4c/0x5f\n"
	TS " debug_check_no_locks_held+0x63/0x70\n"
	TS " do_exit+0x9c1/0x12a0\n"
	TS " kthread+0x1c9/0x200\n"
	TS " ret_from_fork+0x22/0x30\n"
	TS " </TASK>\n";

/* lockdep: memory freed with a lock in it held (older kernels say "BUG:"). */
static const char held_lock_freed[] =
	TS "=========================\n"
	TS "BUG: held lock freed!\n"
	TS "-------------------------\n"
	TS "insmod/4242 is freeing memory ffff888006acd200-ffff888006acd25f, with a lock still held there!\n"
	TS "ffff888006acd218 (&ctx->lock){+.+.}-{2:2}, at: mydrv_teardown+0x58/0x70 [mydrv]\n"
	TS "1 lock held by insmod/4242:\n"
	TS " #0: ffff888006acd218 (&ctx->lock){+.+.}-{2:2}, at: mydrv_teardown+0x58/0x70 [mydrv]\n"
	TS "\n"
	TS "stack backtrace:\n" CPUDBG HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x4c/0x5f\n"
	TS " debug_check_no_locks_freed.cold+0xa5/0xb1\n"
	TS " slab_free_freelist_hook+0x12d/0x1e0\n"
	TS " __kmem_cache_free+0xc9/0x160\n"
	TS " mydrv_teardown+0x60/0x70 [mydrv]\n" INIT_TAIL;

/* lockdep: back to user space with a lock held; the report has no stack. */
static const char held_return[] =
	TS "================================================\n"
	TS "WARNING: lock held when returning to user space!\n"
	TS "6.1.0-56-debug #1 Tainted: G           O      \n"
	TS "------------------------------------------------\n"
	TS "insmod/4242 is leaving the kernel with locks still held!\n"
	TS "1 lock held by insmod/4242:\n"
	TS " #0: ffffffffc0a0b0d0 (mydrv_lock){+.+.}-{3:3}, at: mydrv_ioctl+0x3a/0x120 [mydrv]\n"
	TS "crashlab-agent: CL HB n=7\n";

static void test_lockdep_variants(void **state)
{
	char log[8192];

	(void)state;
	expect(nonstatic_key, 0, "lockdep", "INFO: trying to register non-static key in mydrv_start",
	       "mydrv_start", "mydrv");
	snprintf(log, sizeof(log), locks_held_fmt, "WARNING: mydrv_worker/77 still has locks held!");
	expect(log, 0, "lockdep", "WARNING: still has locks held in mydrv_thread_fn",
	       "mydrv_thread_fn", "mydrv");
	snprintf(log, sizeof(log), locks_held_fmt, "INFO: mydrv_worker/77 still has locks held!");
	expect(log, 0, "lockdep", "WARNING: still has locks held in mydrv_thread_fn",
	       "mydrv_thread_fn", "mydrv");
	expect(held_lock_freed, 0, "lockdep", "WARNING: held lock freed in mydrv_teardown",
	       "mydrv_teardown", "mydrv");
	expect(held_return, 0, "lockdep", "WARNING: lock held when returning to user space in mydrv_ioctl",
	       "mydrv_ioctl", "mydrv");
}

/* The frame-pointer unwinder's complaint, then a stack dump it was walking. */
static const char unwind_fmt[] =
	TS "WARNING: kernel stack %s at 00000000e2a4b3f1 in mydrv_worker:77 has bad %s\n"
	TS "unwind stack type:0 next_sp:0000000000000000 mask:0x2 graph_idx:0\n"
	TS "ffffc90000abbd20: ffffc90000abbd50 (0xffffc90000abbd50)\n"
	TS "ffffc90000abbd28: ffffffff8110a5c1 (__save_stack_trace+0x91/0xd0)\n"
	"%s";
static const char unwind_stack[] =
	CPU61 HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x44/0x5c\n"
	TS " mydrv_dump_state+0x1e/0x40 [mydrv]\n"
	TS " mydrv_worker_fn+0x7a/0x110 [mydrv]\n"
	TS " </TASK>\n";

/* The same complaint as the kernel orders it: the dump's frames first (%s: its end, or none). */
static const char unwind_head[] =
	CPU61 HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x44/0x5c\n"
	TS " mydrv_dump_state+0x1e/0x40 [mydrv]\n"
	TS " mydrv_worker_fn+0x7a/0x110 [mydrv]\n";
static const char unwind_inside[] =
	TS "WARNING: kernel stack frame pointer at 00000000e2a4b3f1 in mydrv_worker:77 has bad value 000000000000beef\n"
	TS "unwind stack type:0 next_sp:0000000000000000 mask:0x2 graph_idx:0\n"
	TS " ? kthread+0xe8/0x110\n"
	TS " </TASK>\n";

static void test_unwinder_warnings(void **state)
{
	char log[4096];
	struct cl_triage *t;

	(void)state;
	snprintf(log, sizeof(log), unwind_fmt, "regs", "'bp' value 0000000000000001", unwind_stack);
	expect(log, 0, "warning", "WARNING: kernel stack regs has bad value in mydrv_dump_state",
	       "mydrv_dump_state", "mydrv");
	snprintf(log, sizeof(log), unwind_fmt, "frame pointer", "value 0000000000000001",
		 unwind_stack);
	expect(log, 0, "warning", "WARNING: kernel stack frame pointer has bad value in mydrv_dump_state",
	       "mydrv_dump_state", "mydrv");
	/* as the kernel prints it: inside the stack dump it was walking, after the frames it
	 * could follow; a dump that ended before it is not its stack */
	snprintf(log, sizeof(log), "%s%s", unwind_head, unwind_inside);
	expect(log, 0, "warning", "WARNING: kernel stack frame pointer has bad value in mydrv_dump_state",
	       "mydrv_dump_state", "mydrv");
	/* ended by its </TASK>, or by any line that is not a frame (arm64 prints no </TASK>) */
	for (int i = 0; i < 2; i++) {
		snprintf(log, sizeof(log), "%s%s%s", unwind_head,
			 i ? TS "mydrv: state dumped\n" : TS " </TASK>\n", unwind_inside);
		t = cl_test_triage(log, 0);
		assert_string_equal(cl_triage_result(t)->frame, "");
		assert_true(cl_triage_result(t)->corrupted);
		cl_triage_free(t);
	}
	/* no stack after it: the title stands alone and says it is incomplete */
	snprintf(log, sizeof(log), unwind_fmt, "regs", "'bp' value 0000000000000001", "");
	t = cl_test_triage(log, 0);
	assert_string_equal(cl_triage_result(t)->title, "WARNING: kernel stack regs has bad value");
	assert_true(cl_triage_result(t)->corrupted);
	cl_triage_free(t);
}

/* A reference never dropped: one line, repeated, no stack; the device's name is not the bug. */
static const char netdev_leak[] =
	TS "unregister_netdevice: waiting for mydrv0 to become free. Usage count = 2\n"
	"[  320.552010] unregister_netdevice: waiting for mydrv0 to become free. Usage count = 2\n";

/* A killed task stuck in the kernel (hung-task detector, "can't die" form). */
static const char cant_die[] =
	TS "INFO: task syz-executor:4242 can't die for more than 143 seconds.\n"
	TS "task:syz-executor    state:D stack:0     pid:4242  ppid:1      flags:0x00004004\n"
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " __schedule+0x34d/0xa00\n"
	TS " schedule+0x5a/0xd0\n"
	TS " schedule_timeout+0x11a/0x150\n"
	TS " wait_for_completion+0x8b/0x140\n"
	TS " mydrv_flush+0x41/0x80 [mydrv]\n"
	TS " mydrv_release+0x1c/0x40 [mydrv]\n"
	TS " __fput+0xff/0x290\n"
	TS " task_work_run+0x5d/0x90\n"
	TS " do_exit+0x35c/0xad0\n"
	TS " </TASK>\n"
	TS "Modules linked in: mydrv(OE)\n";

static void test_hangs_without_title_frame(void **state)
{
	struct cl_triage *t;

	(void)state;
	t = cl_test_triage(netdev_leak, 0);
	assert_string_equal(cl_triage_class_name(cl_triage_result(t)->cls), "hung_task");
	assert_string_equal(cl_triage_result(t)->title,
			    "unregister_netdevice: waiting for DEV to become free");
	assert_string_equal(cl_triage_result(t)->frame, "");
	assert_false(cl_triage_result(t)->corrupted);
	assert_true(cl_triage_result(t)->complete);
	cl_triage_free(t);
	expect(cant_die, 0, "hung_task", "INFO: task can't die in mydrv_flush", "mydrv_flush", "mydrv");
}

/*
 * A WARNING in an allocator (%1$s: the WARN site and RIP; %3$s: a message
 * line before it, or ""), called through %2$s by mydrv_init_tables; then
 * what panic_on_warn prints.
 */
static const char alloc_warn_fmt[] =
	TS "------------[ cut here ]------------\n"
	"%3$s"
	TS "WARNING: CPU: 0 PID: 4242 at mm/vmalloc.c:3146 %1$s+0x6a9/0x7c0\n"
	TS "Modules linked in: mydrv(OE+) pvpanic_mmio pvpanic\n" CPU61 HW
	TS "RIP: 0010:%1$s+0x6a9/0x7c0\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " ? mydrv_init_tables+0x1d/0x40 [mydrv]\n"
	TS " %2$s+0x4a/0x70\n"
	TS " mydrv_init_tables+0x1d/0x40 [mydrv]\n"
	TS " mydrv_init+0x33/0x1000 [mydrv]\n" INIT_TAIL
	TS "Kernel panic - not syncing: kernel: panic_on_warn set ...\n"
	CPU61 HW
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " dump_stack_lvl+0x44/0x5c\n"
	TS " panic+0x118/0x2f4\n"
	TS " check_panic_on_warn.cold+0x19/0x19\n"
	TS " __warn+0x7d/0xc0\n";

/* Each case as the cell triages it (warnings fatal) and as `crashlab triage` does. */
static void expect_alloc_warning(const char *site, const char *via, const char *msg,
				 const char *title)
{
	char log[8192];

	snprintf(log, sizeof(log), alloc_warn_fmt, site, via, msg);
	expect(log, 1, "warning", title, "mydrv_init_tables", "mydrv");
	expect(log, 0, "warning", title, "mydrv_init_tables", "mydrv");
}

static void test_allocation_warnings(void **state)
{
	(void)state;
	/* vmalloc(0): 6.1's and 6.12's names; the WARN says nothing more */
	expect_alloc_warning("__vmalloc_node_range", "__vmalloc_node", "",
			     "WARNING in mydrv_init_tables");
	expect_alloc_warning("__vmalloc_node_range_noprof", "vmalloc_noprof", "",
			     "WARNING in mydrv_init_tables");
	/* a kernel whose WARN says what it is */
	expect_alloc_warning("__vmalloc_node_range", "__vmalloc_node",
			     TS "zero-size vmalloc\n", "WARNING: zero-size vmalloc in mydrv_init_tables");
	/* kmalloc above KMALLOC_MAX_SIZE, kvmalloc above INT_MAX */
	expect_alloc_warning("__alloc_pages", "__kmalloc_large_node", "",
			     "WARNING in mydrv_init_tables");
	expect_alloc_warning("__alloc_pages_noprof", "__kmalloc_noprof", "",
			     "WARNING in mydrv_init_tables");
	expect_alloc_warning("kvmalloc_node", "kvmalloc_node", "", "WARNING in mydrv_init_tables");
}

/* A WARN_ON in a small helper: the helper that asserted is the title's, not its caller. */
static const char warn_in_helper[] =
	TS "------------[ cut here ]------------\n"
	TS "WARNING: CPU: 0 PID: 4242 at drivers/misc/mydrv/core.c:42 mydrv_check_state+0x1b/0x30 [mydrv]\n"
	TS "Modules linked in: mydrv(OE+)\n" CPU61 HW
	TS "RIP: 0010:mydrv_check_state+0x1b/0x30 [mydrv]\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " mydrv_start+0x22/0x40 [mydrv]\n" INIT_TAIL
	TS "Kernel panic - not syncing: kernel: panic_on_warn set ...\n";

static void test_warn_in_helper(void **state)
{
	(void)state;
	expect(warn_in_helper, 0, "warning", "WARNING in mydrv_check_state", "mydrv_check_state",
	       "mydrv");
}

/* arm64: an unhandled fault, then its die(). */
static const char arm64_unhandled[] =
	TS "Unhandled fault at 0xffff800008d3c000\n"
	TS "Mem abort info:\n"
	TS "  ESR = 0x0000000096000010\n"
	TS "  EC = 0x25: DABT (current EL), IL = 32 bits\n"
	TS "Internal error: Oops: 0000000096000010 [#1] PREEMPT SMP\n"
	TS "Modules linked in: mydrv(OE)\n"
	TS "CPU: 0 PID: 4242 Comm: insmod Tainted: G           OE      6.1.0-56-arm64 #1  Debian 6.1.192-2\n"
	TS "Hardware name: linux,dummy-virt (DT)\n"
	TS "pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	TS "pc : mydrv_read_reg+0x24/0x60 [mydrv]\n"
	TS "lr : mydrv_probe+0x30/0x80 [mydrv]\n"
	TS "sp : ffff80000a3b3b20\n"
	TS "Call trace:\n"
	TS " mydrv_read_reg+0x24/0x60 [mydrv]\n"
	TS " mydrv_probe+0x30/0x80 [mydrv]\n"
	TS " do_one_initcall+0x4c/0x2b0\n"
	TS "Code: f9400260 b9400000 d50331bf 2a0003e1 (b9400021) \n"
	TS "---[ end trace 0000000000000000 ]---\n";

static void test_arm64_unhandled_fault(void **state)
{
	(void)state;
	expect(arm64_unhandled, 0, "page_fault", "Unhandled fault in mydrv_read_reg",
	       "mydrv_read_reg", "mydrv");
}

/*
 * An RCU stall the stalled CPU reports itself: the NMI backtrace's
 * interrupt part is the report's own machinery; the interrupted task spins
 * on a lock (the RIP is a lock helper) for mydrv_poll.
 */
static const char rcu_self_detected[] =
	TS "rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	TS "rcu: \t0-....: (5249 ticks this GP) idle=1b4c/1/0x4000000000000000 softirq=2211/2211 fqs=2443\n"
	TS "\t(t=5250 jiffies g=3769 q=201 ncpus=2)\n"
	TS "NMI backtrace for cpu 0\n" CPU61 HW
	TS "Call Trace:\n"
	TS " <IRQ>\n"
	TS " dump_stack_lvl+0x44/0x5c\n"
	TS " nmi_cpu_backtrace.cold+0x30/0x70\n"
	TS " ? lapic_can_unplug_cpu+0x80/0x80\n"
	TS " nmi_trigger_cpumask_backtrace+0xe1/0xf0\n"
	TS " rcu_dump_cpu_stacks+0xe8/0x120\n"
	TS " print_cpu_stall.cold+0x2f/0xd8\n"
	TS " __sanitizer_cov_trace_pc+0x1a/0x40\n"
	TS " rcu_sched_clock_irq.cold+0x3f/0x1e1\n"
	TS " update_process_times+0x8c/0xc0\n"
	TS " tick_sched_handle+0x22/0x60\n"
	TS " tick_sched_timer+0x7a/0x90\n"
	CL_TEST_TIMER_IRQ(TS)
	TS "RIP: 0010:native_queued_spin_lock_slowpath+0x6a/0x2b0\n" REGS
	TS " _raw_spin_lock+0x29/0x30\n"
	TS " mydrv_poll+0x51/0xb0 [mydrv]\n"
	TS " mydrv_thread+0x37/0x70 [mydrv]\n"
	TS " kthread+0xda/0x100\n"
	TS " ret_from_fork+0x22/0x30\n"
	TS " </TASK>\n";

/*
 * An RCU stall seen from the grace-period kthread (6.1, one CPU): the
 * starved kthread's stack first, then where it last ran: a delay loop of
 * mydrv_busy_wait.
 */
static const char rcu_gp_starved[] =
	TS "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	TS "\t(detected by 0, t=1252 jiffies, g=-955, q=1 ncpus=1)\n"
	TS "rcu: All QSes seen, last rcu_preempt kthread activity 1252 (4294894060-4294892808), jiffies_till_next_fqs=1, root ->qsmask 0x0\n"
	TS "rcu: rcu_preempt kthread starved for 1252 jiffies! g-955 f0x2 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=0\n"
	TS "rcu: \tUnless rcu_preempt kthread gets sufficient CPU time, OOM is now expected behavior.\n"
	TS "rcu: RCU grace-period kthread stack dump:\n"
	TS "task:rcu_preempt     state:R  running task     stack:0     pid:15    ppid:2      flags:0x00004000\n"
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " __schedule+0x34d/0xa00\n"
	TS " schedule+0x5a/0xd0\n"
	TS " schedule_timeout+0x94/0x150\n"
	TS " ? __bpf_trace_tick_stop+0x10/0x10\n"
	TS " rcu_gp_fqs_loop+0x141/0x560\n"
	TS " rcu_gp_kthread+0xd8/0x1b0\n"
	TS " kthread+0xda/0x100\n"
	TS " ? kthread_complete_and_exit+0x20/0x20\n"
	TS " ret_from_fork+0x22/0x30\n"
	TS " </TASK>\n"
	TS "rcu: Stack dump where RCU GP kthread last ran:\n" CPU61 HW
	TS "RIP: 0010:delay_tsc+0x4e/0xb0\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " __const_udelay+0x43/0x50\n"
	TS " mydrv_busy_wait+0x2c/0x60 [mydrv]\n"
	TS " mydrv_init+0x41/0x1000 [mydrv]\n" INIT_TAIL
	TS "Kernel panic - not syncing: RCU Stall\n";

static void test_rcu_stall(void **state)
{
	(void)state;
	expect(rcu_self_detected, 0, "rcu_stall", "INFO: rcu detected stall in mydrv_poll",
	       "mydrv_poll", "mydrv");
	expect(rcu_gp_starved, 0, "rcu_stall", "INFO: rcu detected stall in mydrv_busy_wait",
	       "mydrv_busy_wait", "mydrv");
}

/* A hung task (%s: the wait primitives it sits in) that mydrv_wait_for_hw called. */
static const char hung_fmt[] =
	TS "INFO: task insmod:4242 blocked for more than 120 seconds.\n"
	TS "      Tainted: G           OE      6.1.0-56-amd64 #1 Debian 6.1.192-2\n"
	TS "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	TS "task:insmod          state:D stack:0     pid:4242  ppid:1      flags:0x00004002\n"
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " __schedule+0x34d/0xa00\n"
	"%s"
	TS " mydrv_wait_for_hw+0x3a/0x90 [mydrv]\n"
	TS " mydrv_init+0x41/0x1000 [mydrv]\n" INIT_TAIL
	TS "Kernel panic - not syncing: hung_task: blocked tasks\n";

static const char *const hung_waits[] = {
	/* a mutex (the debug kernel's lockdep variant) */
	TS " schedule+0x5a/0xd0\n" TS " schedule_preempt_disabled+0x14/0x30\n"
	TS " __mutex_lock.constprop.0+0x3a1/0x7c0\n" TS " mutex_lock_nested+0x1b/0x30\n",
	/* an rwsem */
	TS " schedule+0x5a/0xd0\n" TS " rwsem_down_write_slowpath+0x2c1/0x640\n"
	TS " down_write+0x53/0x60\n",
	/* a semaphore */
	TS " schedule+0x5a/0xd0\n" TS " schedule_timeout+0x11a/0x150\n"
	TS " __down_common+0x10e/0x210\n" TS " down+0x47/0x60\n",
	/* a completion */
	TS " schedule+0x5a/0xd0\n" TS " schedule_timeout+0x11a/0x150\n"
	TS " __wait_for_common+0x94/0x1e0\n" TS " ? usleep_range_state+0x90/0x90\n"
	TS " wait_for_completion_interruptible+0x1d/0x40\n",
	/* a folio lock and writeback (6.1) */
	TS " schedule+0x5a/0xd0\n" TS " io_schedule+0x42/0x70\n"
	TS " folio_wait_bit_common+0x13d/0x350\n" TS " __folio_lock+0x17/0x20\n"
	TS " folio_wait_writeback+0x28/0x80\n",
	/* a page lock (5.10) */
	TS " schedule+0x5a/0xd0\n" TS " io_schedule+0x42/0x70\n"
	TS " wait_on_page_bit_common+0x113/0x390\n" TS " wait_on_page_writeback+0x25/0x70\n",
	/* a tty's line-discipline semaphore */
	TS " schedule+0x5a/0xd0\n" TS " schedule_timeout+0x11a/0x150\n"
	TS " ldsem_down_read+0x1f5/0x2d0\n",
	/* an rt_mutex (PREEMPT_RT's mutexes) */
	TS " rt_mutex_schedule+0x20/0x40\n" TS " rt_mutex_slowlock_block.constprop.0+0x3d/0x180\n"
	TS " __rt_mutex_slowlock_locked.constprop.0+0xbe/0x1d0\n"
	TS " rt_mutex_slowlock.constprop.0+0x4a/0x90\n",
	/* a wait queue and a sleep */
	TS " schedule+0x5a/0xd0\n" TS " prepare_to_wait_event+0x5c/0x180\n"
	TS " finish_wait+0x3f/0x80\n" TS " msleep+0x2d/0x40\n",
};

static void test_hung_task_waits(void **state)
{
	char log[8192];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hung_waits) / sizeof(hung_waits[0]); i++) {
		snprintf(log, sizeof(log), hung_fmt, hung_waits[i]);
		expect(log, 0, "hung_task", "INFO: task hung in mydrv_wait_for_hw",
		       "mydrv_wait_for_hw", "mydrv");
	}
}

/* kmemleak: the allocation's first frame outside the allocator (%s: its helpers). */
static const char kmemleak_fmt[] =
	"[   36.146173] kmemleak: unreferenced object 0xffff888006b35600 (size 128):\n"
	"[   36.147209] kmemleak:   comm \"insmod\", pid 4242, jiffies 4294894690\n"
	"[   36.147456] kmemleak:   hex dump (first 32 bytes):\n"
	"[   36.148225] kmemleak:     5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ\n"
	"[   36.148743] kmemleak:   %s:\n"
	"%s"
	"[   36.149822] kmemleak:     [<ffffffffc0a01068>] mydrv_alloc_ctx+0x68/0xc0 [mydrv]\n"
	"[   36.150662] kmemleak:     [<ffffffffc0a010e5>] mydrv_open+0x25/0x70 [mydrv]\n"
	"[   36.151163] kmemleak:     [<ffffffff8f4d6f2a>] do_one_initcall+0xc0/0x320\n"
	"[   36.152848] kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n";

static void test_kmemleak(void **state)
{
	char log[4096];

	(void)state;
	/* 6.1: "backtrace:", [<(____ptrval____)>] */
	snprintf(log, sizeof(log), kmemleak_fmt, "backtrace",
		 "[   36.148899] kmemleak:     [<(____ptrval____)>] kmalloc_trace+0x21/0xc0\n");
	expect(log, 0, "kmemleak", "memory leak in mydrv_alloc_ctx", "mydrv_alloc_ctx", "mydrv");
	/* 6.12: "backtrace (crc ...):", the _noprof allocators, kmemdup and kvmalloc */
	snprintf(log, sizeof(log), kmemleak_fmt, "backtrace (crc 7ab3e1f0)",
		 "[   36.148899] kmemleak:     [<ffffffff8f6c1e2b>] __kmalloc_cache_noprof+0x2ab/0x3a0\n"
		 "[   36.148901] kmemleak:     [<ffffffff8f6c2a11>] kmemdup_noprof+0x21/0x50\n"
		 "[   36.148903] kmemleak:     [<ffffffff8f6a0c31>] __kvmalloc_node_noprof+0x51/0x120\n");
	expect(log, 0, "kmemleak", "memory leak in mydrv_alloc_ctx", "mydrv_alloc_ctx", "mydrv");
}

/* A soft lockup from show_regs(): the RIP in a delay loop or a lock, %s the helper's caller. */
static const char softlockup_fmt[] =
	TS "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:4242]\n"
	TS "Modules linked in: mydrv(OE+) pvpanic_mmio pvpanic\n" CPU61 HW
	TS "RIP: 0010:%s+0x4e/0xb0\n" REGS
	TS "Call Trace:\n"
	TS " <TASK>\n"
	TS " %s+0x29/0x50\n"
	TS " mydrv_reset_hw+0x51/0xb0 [mydrv]\n"
	TS " mydrv_init+0x41/0x1000 [mydrv]\n" INIT_TAIL
	TS "Kernel panic - not syncing: softlockup: hung tasks\n";

static void test_soft_lockup(void **state)
{
	char log[8192];

	(void)state;
	snprintf(log, sizeof(log), softlockup_fmt, "delay_tsc", "__const_udelay");
	expect(log, 0, "soft_lockup", "BUG: soft lockup in mydrv_reset_hw", "mydrv_reset_hw", "mydrv");
	snprintf(log, sizeof(log), softlockup_fmt, "native_queued_spin_lock_slowpath",
		 "_raw_spin_lock_irqsave");
	expect(log, 0, "soft_lockup", "BUG: soft lockup in mydrv_reset_hw", "mydrv_reset_hw", "mydrv");
}

/* KMSAN (6.1's mm/kmsan/report.c): the use, the stack of the use, then where the memory came from. */
static const char kmsan_uninit[] =
	TS "=====================================================\n"
	TS "BUG: KMSAN: uninit-value in mydrv_parse+0x1a4/0x2c0 [mydrv]\n"
	TS " mydrv_parse+0x1a4/0x2c0 [mydrv]\n"
	TS " mydrv_write+0x8e/0x120 [mydrv]\n"
	TS " vfs_write+0x2fb/0x14c0\n"
	TS " ksys_write+0x20f/0x4c0\n"
	TS " do_syscall_64+0x3d/0xb0\n"
	TS "\n"
	TS "Uninit was created at:\n"
	TS " slab_post_alloc_hook+0x12d/0xb60\n"
	TS " __kmalloc+0x121/0x3c0\n"
	TS " mydrv_open+0x51/0x1c0 [mydrv]\n"
	TS "\n"
	TS "CPU: 0 PID: 4242 Comm: mydrv-test Tainted: G           OE      6.1.0-56-kmsan #1\n" HW
	TS "=====================================================\n"
	TS "Kernel panic - not syncing: kmsan.panic set ...\n";

static void test_kmsan(void **state)
{
	char log[4096];

	(void)state;
	expect(kmsan_uninit, 0, "kmsan", "KMSAN: uninit-value in mydrv_parse", "mydrv_parse", "mydrv");
	/* a report never closed (the console cut) is still KMSAN's, flagged incomplete */
	snprintf(log, sizeof(log), "%.*s", (int)(strstr(kmsan_uninit, "Uninit was") - kmsan_uninit),
		 kmsan_uninit);
	struct cl_triage *t = cl_test_triage(log, 0);

	assert_string_equal(cl_triage_class_name(cl_triage_result(t)->cls), "kmsan");
	assert_false(cl_triage_result(t)->complete);
	cl_triage_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odebug),
		cmocka_unit_test(test_preempt),
		cmocka_unit_test(test_bad_usercopy),
		cmocka_unit_test(test_unexpected_reboot),
		cmocka_unit_test(test_lockdep_variants),
		cmocka_unit_test(test_unwinder_warnings),
		cmocka_unit_test(test_hangs_without_title_frame),
		cmocka_unit_test(test_allocation_warnings),
		cmocka_unit_test(test_warn_in_helper),
		cmocka_unit_test(test_arm64_unhandled_fault),
		cmocka_unit_test(test_rcu_stall),
		cmocka_unit_test(test_hung_task_waits),
		cmocka_unit_test(test_kmemleak),
		cmocka_unit_test(test_soft_lockup),
		cmocka_unit_test(test_kmsan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
