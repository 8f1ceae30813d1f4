/*
 * crasher - a test-only kernel module that fails in one chosen way when it
 * is loaded, so crashlab's triage corpus holds real console logs of every
 * failure class from Debian's own kernels. Never part of a candidate.
 *
 *   insmod crasher.ko mode=<null|pagefault|gpf|bug|divide|ud2|panic|warn|
 *                          softlockup|softlockup-mdelay|hungtask|hunginit|
 *                          stackprot|stackoverflow|oom|rcustall|kfence|
 *                          modtrace|listcorrupt|refcount|schedatomic|
 *                          sleepinvalid|kasan-oob|kasan-oob-write|kasan-uaf|
 *                          kasan-double-free|kasan-global|kasan-stack|
 *                          ubsan-bounds|ubsan-shift|lockdep-circular|
 *                          lockdep-recursive|lockdep-inconsistent|
 *                          lockdep-unlock|lockdep-freed|lockdep-rcu|
 *                          kmemleak|noisy|clean|hung-mutex|hung-completion|
 *                          warn-helper|odebug|preempt-smp|usercopy|
 *                          vmalloc-zero|kmalloc-huge|lockdep-nonstatic|
 *                          lockdep-held-return|lockdep-exit-held|netdev-leak|
 *                          reset|sea|asf|kmsan|badfp>
 *
 * The sanitizer and lock-checker modes report only on crashlab's debug
 * kernel (KASAN, UBSAN, lockdep, kmemleak, atomic-sleep checks, debug
 * objects, preemption checks); on a
 * production kernel most of them run to the end unseen. odebug needs
 * CONFIG_DEBUG_OBJECTS_FREE and _TIMERS, preempt-smp CONFIG_DEBUG_PREEMPT:
 * without them they report nothing and leave nothing armed. The hung-*
 * modes block the loading task for two minutes, then finish.
 *
 * Each mode lives in its own noinline function named crasher_<mode>, so the
 * expected title names a function we chose.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <linux/smp.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#ifdef CONFIG_ARM64
#include <asm/pgtable-hwdef.h>
#include <asm/sysreg.h>
#endif

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
#if defined(CONFIG_X86)
	asm volatile("ud2");
#elif defined(CONFIG_ARM64)
	asm volatile("udf #0"); /* arm64's permanently undefined instruction */
#endif
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

/* A soft lockup spent in the kernel's delay loop: blame this, not mdelay. */
static noinline void crasher_softlockup_mdelay(void)
{
	int i;

	preempt_disable();
	for (i = 0; i < 600; i++)
		mdelay(100);
	preempt_enable();
}

static DECLARE_COMPLETION(crasher_never);

/* list_del twice: the second finds the poison the first left. */
static noinline void crasher_listcorrupt(void)
{
	static struct list_head entry;
	LIST_HEAD(head);

	list_add(&entry, &head);
	list_del(&entry);
	list_del(&entry);
}

static noinline void crasher_refcount(void)
{
	static refcount_t ref = REFCOUNT_INIT(1);

	if (refcount_dec_and_test(&ref))          /* the last put ... */
		sink = (void *)(long)refcount_dec_and_test(&ref); /* ... and one more */
}

static noinline void crasher_schedatomic(void)
{
	preempt_disable();
	msleep(10);
	preempt_enable();
}

static DEFINE_SPINLOCK(crasher_spin);

static noinline void crasher_sleepinvalid(void)
{
	spin_lock(&crasher_spin);
	might_sleep();
	spin_unlock(&crasher_spin);
}

static noinline void crasher_kasan_oob(void)
{
	char *volatile p = kmalloc(32, GFP_KERNEL);

	sink = (void *)(long)p[32 + zero]; /* one past the object */
	kfree(p);
}

static noinline void crasher_kasan_oob_write(void)
{
	char *volatile p = kmalloc(32, GFP_KERNEL);

	p[40 + zero] = 1;
	kfree(p);
}

static noinline void crasher_kasan_uaf(void)
{
	char *volatile p = kmalloc(64, GFP_KERNEL);

	kfree(p);
	sink = (void *)(long)p[8 + zero];
}

static noinline void crasher_kasan_double_free(void)
{
	char *volatile p = kmalloc(64, GFP_KERNEL);

	kfree(p);
	kfree(p);
}

static char crasher_global[10];

static noinline void crasher_kasan_global(void)
{
	char *volatile p = crasher_global;

	sink = (void *)(long)p[sizeof(crasher_global) + 3 + zero];
}

static noinline void crasher_kasan_stack(void)
{
	char buf[8];
	char *volatile p = buf;

	buf[0] = (char)zero;
	sink = (void *)(long)p[16 + zero];
}

static noinline void crasher_ubsan_bounds(void)
{
	int table[4] = { 1, 2, 3, 4 };
	int i = 4 + zero;

	sink = (void *)(long)table[i];
}

static noinline void crasher_ubsan_shift(void)
{
	int by = 40 + zero;

	sink = (void *)(long)(1 << by);
}

static DEFINE_MUTEX(crasher_lock_a);
static DEFINE_MUTEX(crasher_lock_b);

/* a then b, later b then a: lockdep sees the cycle without a deadlock. */
static noinline void crasher_lockdep_circular(void)
{
	mutex_lock(&crasher_lock_a);
	mutex_lock(&crasher_lock_b);
	mutex_unlock(&crasher_lock_b);
	mutex_unlock(&crasher_lock_a);
	mutex_lock(&crasher_lock_b);
	mutex_lock(&crasher_lock_a);
	mutex_unlock(&crasher_lock_a);
	mutex_unlock(&crasher_lock_b);
}

/* Two locks of one class (one init site), nested without a subclass. */
static noinline void crasher_lockdep_recursive(void)
{
	spinlock_t *locks = kmalloc_array(2, sizeof(*locks), GFP_KERNEL);
	int i;

	for (i = 0; i < 2; i++)
		spin_lock_init(&locks[i]);
	spin_lock(&locks[0]);
	spin_lock(&locks[1]);
	spin_unlock(&locks[1]);
	spin_unlock(&locks[0]);
	kfree(locks);
}

static DEFINE_SPINLOCK(crasher_irq_lock);
static struct timer_list crasher_timer;

static void crasher_timer_fn(struct timer_list *t)
{
	spin_lock(&crasher_irq_lock); /* in softirq */
	spin_unlock(&crasher_irq_lock);
}

/* Taken in a timer (softirq) and, with softirqs on, in process context. */
static noinline void crasher_lockdep_inconsistent(void)
{
	timer_setup(&crasher_timer, crasher_timer_fn, 0);
	mod_timer(&crasher_timer, jiffies + 1);
	msleep(100);
	spin_lock(&crasher_irq_lock);
	spin_unlock(&crasher_irq_lock);
	del_timer_sync(&crasher_timer);
}

static noinline void crasher_lockdep_unlock(void)
{
	mutex_unlock(&crasher_lock_a); /* never locked */
}

static noinline void crasher_lockdep_freed(void)
{
	struct { spinlock_t lock; long pad[4]; } *o = kmalloc(sizeof(*o), GFP_KERNEL);

	spin_lock_init(&o->lock);
	spin_lock(&o->lock);
	kfree(o); /* while held */
}

static int __rcu *crasher_rcu_ptr;

static noinline void crasher_lockdep_rcu(void)
{
	sink = rcu_dereference(crasher_rcu_ptr); /* outside rcu_read_lock() */
}

static noinline void crasher_kmemleak_alloc(void)
{
	char *volatile p = kmalloc(128, GFP_KERNEL);

	if (p)
		memset(p, 0x5a, 128);
	p = NULL;
}

/*
 * Overwrite the stack the allocation ran on: kmemleak scans whole task
 * stacks, and a stale copy of the pointer there (the loading task lives
 * on: it is the guest's init) would count as a reference.
 */
static noinline void crasher_scrub_stack(void)
{
	char buf[3072];

	memzero_explicit(buf, sizeof(buf));
}

/* An object nothing points to; kmemleak's scan (a minute after boot) finds it. */
static noinline void crasher_kmemleak(void)
{
	crasher_kmemleak_alloc();
	crasher_scrub_stack();
}

/*
 * A mutex a work item holds for two minutes, sleeping interruptibly (so it
 * is not itself a hung task); the loading task waits for it in
 * mutex_lock(), uninterruptibly: the hung-task report blames this.
 */
static DEFINE_MUTEX(crasher_held);
static DECLARE_COMPLETION(crasher_held_taken);

static void crasher_holder_fn(struct work_struct *work)
{
	mutex_lock(&crasher_held);
	complete(&crasher_held_taken);
	msleep_interruptible(120 * 1000);
	mutex_unlock(&crasher_held);
}

static DECLARE_WORK(crasher_holder, crasher_holder_fn);

static noinline void crasher_hung_mutex(void)
{
	schedule_work(&crasher_holder);
	wait_for_completion(&crasher_held_taken);
	mutex_lock(&crasher_held);
	mutex_unlock(&crasher_held);
	flush_work(&crasher_holder);
}

/* A completion a delayed work item completes two minutes from now. */
static DECLARE_COMPLETION(crasher_late);

static void crasher_late_fn(struct work_struct *work)
{
	complete(&crasher_late);
}

static DECLARE_DELAYED_WORK(crasher_late_work, crasher_late_fn);

static noinline void crasher_hung_completion(void)
{
	schedule_delayed_work(&crasher_late_work, 120 * HZ);
	wait_for_completion(&crasher_late);
	flush_delayed_work(&crasher_late_work);
}

/* The WARN_ON sits in a small helper: the helper that asserted is the title's. */
static noinline void crasher_warn_helper_check(int state)
{
	WARN_ON(state == 0);
}

static noinline void crasher_warn_helper(void)
{
	crasher_warn_helper_check(zero);
}

struct crasher_timed {
	struct timer_list timer;
	long pad[4];
};

static void crasher_odebug_fn(struct timer_list *t)
{
}

/*
 * An armed timer freed with its object. debugobjects reports it, and its
 * fixup disarms the timer before the memory goes; without debugobjects
 * nothing would, so then the timer is disarmed here first.
 */
static noinline void crasher_odebug(void)
{
	struct crasher_timed *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return;
	timer_setup(&o->timer, crasher_odebug_fn, 0);
	mod_timer(&o->timer, jiffies + 60 * HZ);
	if (!IS_ENABLED(CONFIG_DEBUG_OBJECTS_FREE) || !IS_ENABLED(CONFIG_DEBUG_OBJECTS_TIMERS)) {
		pr_info("crasher: odebug needs CONFIG_DEBUG_OBJECTS_FREE and _TIMERS\n");
		del_timer_sync(&o->timer);
	}
	kfree(o);
}

/* The CPU number from preemptible code (CONFIG_DEBUG_PREEMPT reports it). */
static noinline void crasher_preempt_smp(void)
{
	sink = (void *)(long)smp_processor_id();
}

/*
 * 128 bytes of a 64-byte kmalloc object copied to user memory (a page
 * mapped in the loading task): hardened usercopy stops the copy with a
 * BUG. The volatile pointer hides the object's size from the compiler, so
 * the check is the runtime one.
 */
static noinline void crasher_usercopy(void)
{
	char *volatile obj = kmalloc(64, GFP_KERNEL);
	unsigned long addr;

	if (!obj)
		return;
	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (!IS_ERR_VALUE(addr)) {
		if (copy_to_user((void __user *)addr, obj, 128 + zero))
			pr_info("crasher: copy_to_user failed\n");
		vm_munmap(addr, PAGE_SIZE);
	}
	kfree(obj);
}

/* vmalloc(0): a WARNING in the vmalloc core, whose caller is this. */
static noinline void crasher_vmalloc_zero(void)
{
	void *p = vmalloc(zero);

	vfree(p);
}

/* One byte more than kmalloc can give, without __GFP_NOWARN: the page allocator WARNs. */
static noinline void crasher_kmalloc_huge(void)
{
	void *p = kmalloc(KMALLOC_MAX_SIZE + 1 + zero, GFP_KERNEL);

	kfree(p);
}

/* A spinlock in zeroed kmalloc memory, never spin_lock_init()ed: lockdep has no key for it. */
static noinline void crasher_lockdep_nonstatic(void)
{
	struct { spinlock_t lock; long pad[4]; } *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return;
	spin_lock(&o->lock);
	spin_unlock(&o->lock);
	kfree(o);
}

static DEFINE_MUTEX(crasher_lock_kept);

/* Back to user space with a mutex held (insmod returns); nothing else ever takes it. */
static noinline void crasher_lockdep_held_return(void)
{
	mutex_lock(&crasher_lock_kept);
}

static DEFINE_MUTEX(crasher_lock_exit);
static DECLARE_COMPLETION(crasher_exit_done);

/* A kernel thread that ends holding a mutex: lockdep names it at its exit. */
static noinline int crasher_lockdep_exit_held_fn(void *unused)
{
	mutex_lock(&crasher_lock_exit);
	complete(&crasher_exit_done);
	return 0;
}

/* Start that thread and wait until it holds the mutex (it exits right after). */
static noinline void crasher_lockdep_exit_held(void)
{
	struct task_struct *t = kthread_run(crasher_lockdep_exit_held_fn, NULL, "crasher_exit");

	if (!IS_ERR(t))
		wait_for_completion(&crasher_exit_done);
}

/*
 * A network device unregistered while a reference to it is still held:
 * the unregister waits for the reference, saying so on the console every
 * 10 seconds, and the loading task never returns.
 */
static const struct net_device_ops crasher_netdev_ops;

static noinline void crasher_netdev_leak(void)
{
	struct net_device *dev = alloc_etherdev(0);

	if (!dev)
		return;
	dev->netdev_ops = &crasher_netdev_ops; /* registering reads them */
	strscpy(dev->name, "crasher%d", IFNAMSIZ);
	if (register_netdev(dev)) {
		free_netdev(dev);
		return;
	}
	dev_hold(dev);
	unregister_netdev(dev);
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

/* The machine reset under the kernel, as a triple fault or a watchdog does: no report, no "reboot:" line. */
static noinline void crasher_reset(void)
{
	emergency_restart();
}

/*
 * A read nothing answers: on arm64 (qemu's virt machine) a physical address
 * between the virtio-mmio slots and the platform bus that no device decodes;
 * the bus's error comes back as a synchronous external abort, which the
 * kernel reports as "Internal error: synchronous external abort". Other
 * architectures: nothing.
 */
static noinline void crasher_sea(void)
{
#ifdef CONFIG_ARM64
	void __iomem *p = ioremap(0x0b000000, PAGE_SIZE);

	if (p) {
		pr_info("crasher: read %#x\n", readl(p));
		iounmap(p);
	}
#endif
}

/*
 * A mapping wider than the MMU is told to translate (arm64): the output
 * address size (TCR_EL1.IPS) cut to 32 bits, then a read through a mapping
 * of 4 GiB. The walk raises an address size fault, which arm64 kernels up
 * to 5.10 have no handler for: "Unhandled fault at ...", then "Internal
 * error: level 3 address size fault". Later kernels say "Unable to handle
 * kernel level 3 address size fault". The size is put back only if the
 * read returns (it does not: the oops panics). Other architectures: nothing.
 */
static noinline void crasher_asf(void)
{
#ifdef CONFIG_ARM64
	void __iomem *p = ioremap(0x100000000ULL, PAGE_SIZE);
	unsigned long flags;
	u64 tcr;

	if (!p)
		return;
	local_irq_save(flags);
	tcr = read_sysreg(tcr_el1);
	write_sysreg(tcr & ~TCR_IPS_MASK, tcr_el1); /* IPS 0: 32-bit physical addresses */
	isb();
	pr_info("crasher: read %#x\n", readl(p));
	write_sysreg(tcr, tcr_el1);
	isb();
	local_irq_restore(flags);
	iounmap(p);
#endif
}

/*
 * The use of memory never written (heap, kmalloc without zeroing), on a
 * kernel built with KMSAN (crashlab's -kmsan kernel); elsewhere it goes
 * either way and nothing is said. clang makes the branch a choice between
 * the two formats, so KMSAN reports the use inside printk's vsnprintf: the
 * printf machinery is skipped and this function is named.
 */
static noinline void crasher_kmsan(void)
{
	volatile int *p = kmalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return;
	if (*p)
		pr_info("crasher: the new memory holds a value\n");
	else
		pr_info("crasher: the new memory holds zero\n");
	kfree((void *)p);
}

/*
 * A saved frame pointer the frame-pointer unwinder cannot follow: this
 * function's own link to its caller is replaced while it prints its stack,
 * then put back. Kernels that unwind with frame pointers (crashlab's -kmsan
 * kernel) warn "kernel stack frame pointer ... has bad value"; ORC kernels
 * (Debian's) never read it.
 */
static noinline void crasher_badfp(void)
{
	unsigned long *fp = __builtin_frame_address(0);
	unsigned long saved = READ_ONCE(*fp);

	WRITE_ONCE(*fp, 0x0000dead0000beefUL);
	barrier();
	dump_stack();
	barrier();
	WRITE_ONCE(*fp, saved);
}

static const struct {
	const char *name;
	void (*fn)(void);
} crasher_modes[] = {
	{ "null", crasher_null }, { "pagefault", crasher_pagefault }, { "gpf", crasher_gpf },
	{ "bug", crasher_bug }, { "divide", crasher_divide }, { "ud2", crasher_ud2 },
	{ "panic", crasher_panic }, { "warn", crasher_warn }, { "softlockup", crasher_softlockup },
	{ "softlockup-mdelay", crasher_softlockup_mdelay }, { "hungtask", crasher_hungtask },
	{ "stackprot", crasher_stackprot }, { "oom", crasher_oom }, { "rcustall", crasher_rcustall },
	{ "kfence", crasher_kfence }, { "modtrace", crasher_modtrace },
	{ "listcorrupt", crasher_listcorrupt }, { "refcount", crasher_refcount },
	{ "schedatomic", crasher_schedatomic }, { "sleepinvalid", crasher_sleepinvalid },
	{ "kasan-oob", crasher_kasan_oob }, { "kasan-oob-write", crasher_kasan_oob_write },
	{ "kasan-uaf", crasher_kasan_uaf }, { "kasan-double-free", crasher_kasan_double_free },
	{ "kasan-global", crasher_kasan_global }, { "kasan-stack", crasher_kasan_stack },
	{ "ubsan-bounds", crasher_ubsan_bounds }, { "ubsan-shift", crasher_ubsan_shift },
	{ "lockdep-circular", crasher_lockdep_circular },
	{ "lockdep-recursive", crasher_lockdep_recursive },
	{ "lockdep-inconsistent", crasher_lockdep_inconsistent },
	{ "lockdep-unlock", crasher_lockdep_unlock }, { "lockdep-freed", crasher_lockdep_freed },
	{ "lockdep-rcu", crasher_lockdep_rcu }, { "kmemleak", crasher_kmemleak },
	{ "noisy", crasher_noisy }, { "hung-mutex", crasher_hung_mutex },
	{ "hung-completion", crasher_hung_completion }, { "warn-helper", crasher_warn_helper },
	{ "odebug", crasher_odebug }, { "preempt-smp", crasher_preempt_smp },
	{ "usercopy", crasher_usercopy }, { "vmalloc-zero", crasher_vmalloc_zero },
	{ "kmalloc-huge", crasher_kmalloc_huge }, { "lockdep-nonstatic", crasher_lockdep_nonstatic },
	{ "lockdep-held-return", crasher_lockdep_held_return },
	{ "lockdep-exit-held", crasher_lockdep_exit_held }, { "netdev-leak", crasher_netdev_leak },
	{ "reset", crasher_reset }, { "sea", crasher_sea }, { "asf", crasher_asf },
	{ "kmsan", crasher_kmsan },
	{ "badfp", crasher_badfp },
};

static int __init crasher_init(void)
{
	size_t i;

	pr_info("crasher: mode %s\n", mode);
	if (!strcmp(mode, "stackoverflow"))
		sink = (void *)(long)crasher_stackoverflow(0);
	else if (!strcmp(mode, "hunginit"))
		wait_for_completion(&crasher_never); /* init itself waits: blame init */
	for (i = 0; i < ARRAY_SIZE(crasher_modes); i++)
		if (!strcmp(mode, crasher_modes[i].name))
			crasher_modes[i].fn();
	return 0;
}

static void __exit crasher_exit(void)
{
}

module_init(crasher_init);
module_exit(crasher_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crashlab test-only crasher: one failure class per mode");
