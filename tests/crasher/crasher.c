/*
 * crasher - a test-only kernel module that fails in one chosen way when it
 * is loaded, so crashlab's triage corpus holds real console logs of every
 * failure class from Debian's own kernels. Never part of a candidate.
 *
 *   insmod crasher.ko mode=<null|pagefault|gpf|bug|divide|ud2|panic|warn|
 *                          softlockup|hungtask|stackprot|stackoverflow|oom|
 *                          rcustall|kfence|modtrace|noisy|clean>
 *
 * Each mode lives in its own noinline function named crasher_<mode>, so the
 * expected title names a function we chose.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

static char *mode = "clean";
module_param(mode, charp, 0444);

static volatile int zero;
static void *volatile sink;

static noinline void crasher_null(void)
{
	int *volatile p = NULL;

	pr_info("crasher: reading *%p\n", p);
	sink = (void *)(long)*p;
}

static noinline void crasher_pagefault(void)
{
	char *page = vmalloc(PAGE_SIZE);
	char *volatile past = page + PAGE_SIZE + 8;

	sink = (void *)(long)*past; /* vmalloc guard page */
}

static noinline void crasher_gpf(void)
{
	unsigned long *volatile p = (unsigned long *)0xdead000000000100UL; /* non-canonical */

	sink = (void *)*p;
}

static noinline void crasher_bug(void)
{
	BUG_ON(zero == 0);
}

static noinline void crasher_divide(void)
{
	int a = 42;

	sink = (void *)(long)(a / zero);
}

static noinline void crasher_ud2(void)
{
	asm volatile("ud2");
}

static noinline void crasher_panic(void)
{
	panic("crasher: deliberate panic, code %d", 7);
}

static noinline void crasher_warn(void)
{
	WARN(zero == 0, "crasher: deliberate warning\n");
}

static noinline void crasher_softlockup(void)
{
	unsigned long end = jiffies + 60 * HZ;

	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
}

static noinline void crasher_hungtask(void)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(120 * HZ);
}

static noinline void crasher_stackprot(void)
{
	char buf[16];
	volatile char *volatile p = buf; /* volatile stores: not optimised away */
	int i;

	for (i = 0; i < 64; i++)
		p[i] = 'A'; /* over the canary */
}

static noinline int crasher_stackoverflow(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	return crasher_stackoverflow(depth + 1) + pad[0];
}

static noinline void crasher_oom(void)
{
	LIST_HEAD(held);

	for (;;) {
		struct list_head *l = kmalloc(PAGE_SIZE * 4, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);

		if (!l) {
			l = kmalloc(64, GFP_KERNEL);
			if (!l)
				continue;
		}
		list_add(l, &held);
	}
}

static noinline void crasher_rcustall(void)
{
	unsigned long end = jiffies + 90 * HZ;

	rcu_read_lock();
	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
	rcu_read_unlock();
}

static noinline void crasher_kfence(void)
{
	int i;

	/* with kfence.sample_interval=1 one of these lands in a KFENCE slot */
	for (i = 0; i < 100000; i++) {
		char *volatile p = kmalloc(32, GFP_KERNEL);

		if (!p)
			continue;
		sink = (void *)(long)p[32 + 16];
		kfree(p);
		msleep(1);
	}
}

/* A crash in core kernel code reached from this module: memcpy from NULL. */
static noinline void crasher_modtrace(void)
{
	char dst[8];
	const char *volatile src = NULL;

	memcpy(dst, src, sizeof(dst) + zero); /* variable size: a real memcpy call */
	sink = (void *)(long)dst[3];
}

/* Lines that mention crash words without being a crash report. */
static noinline void crasher_noisy(void)
{
	pr_info("no panic here: /var/log/kernel-panic-not-syncing.txt is a file name\n");
	pr_info("firmware: loading panic_handler.bin (BUG: none, Oops: none)\n");
	pr_warn("RIP: 0010:looks_like_a_frame+0x1/0x2 [crasher] (not in a report)\n");
	pr_info("Call Trace: is just text here; general protection is a policy\n");
	pr_info("a task can be blocked for more than a while without INFO: task\n");
}

static int __init crasher_init(void)
{
	pr_info("crasher: mode %s\n", mode);
	if (!strcmp(mode, "null")) crasher_null();
	else if (!strcmp(mode, "pagefault")) crasher_pagefault();
	else if (!strcmp(mode, "gpf")) crasher_gpf();
	else if (!strcmp(mode, "bug")) crasher_bug();
	else if (!strcmp(mode, "divide")) crasher_divide();
	else if (!strcmp(mode, "ud2")) crasher_ud2();
	else if (!strcmp(mode, "panic")) crasher_panic();
	else if (!strcmp(mode, "warn")) crasher_warn();
	else if (!strcmp(mode, "softlockup")) crasher_softlockup();
	else if (!strcmp(mode, "hungtask")) crasher_hungtask();
	else if (!strcmp(mode, "stackprot")) crasher_stackprot();
	else if (!strcmp(mode, "stackoverflow")) sink = (void *)(long)crasher_stackoverflow(0);
	else if (!strcmp(mode, "oom")) crasher_oom();
	else if (!strcmp(mode, "rcustall")) crasher_rcustall();
	else if (!strcmp(mode, "kfence")) crasher_kfence();
	else if (!strcmp(mode, "modtrace")) crasher_modtrace();
	else if (!strcmp(mode, "noisy")) crasher_noisy();
	return 0;
}

static void __exit crasher_exit(void)
{
}

module_init(crasher_init);
module_exit(crasher_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crashlab test-only crasher: one failure class per mode");
