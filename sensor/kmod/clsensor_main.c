/*
 * clsensor - crashlab's reference candidate: a small IPC-watching kernel
 * sensor with a content interpreter.
 *
 * It arms kprobes on FIFO creation (vfs_mknod with S_IFIFO), FIFO opening
 * (fifo_open) and unix-socket connect (unix_stream_connect,
 * unix_dgram_connect), builds the CL_INPUT_FIELDS input strings for each
 * event, and evaluates the loaded channel file against them (cl_content.c).
 * The channel file is read at load time from the path in the `content`
 * parameter; its sha256 and the event and match counters are published in
 * /proc/clsensor so the crashlab agent can prove what was loaded and seen.
 *
 * The input pointer array lives at the very end of a vmalloc'd page, so a
 * read of entry 21 lands in the vmalloc guard page and faults every time:
 * with CL_BOUNDS_CHECK=0 and Channel-File-291-style content the crash is
 * deterministic, not a matter of what happens to lie after the array.
 *
 * Built with CL_INPUTS_KMALLOC=1 (make INPUTS=kmalloc) the array is instead
 * an ordinary zeroed kmalloc object with nothing against it: 20 pointers in
 * a 192-byte slab object, so entry 21 reads the object's zeroed slack, the
 * interpreter takes the NULL for "no value", and a production kernel carries
 * on. Only a sanitizer (KASAN) sees the read.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/kernel_read_file.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/utsname.h>
#include <linux/un.h>
#include <linux/net.h>
#include <linux/dcache.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#include <crypto/sha.h> /* Debian 11's 5.10: sha256() before the header's rename */
#else
#include <crypto/sha2.h>
#endif
#include "cl_content.h"

static char *content = "";
module_param(content, charp, 0444);
MODULE_PARM_DESC(content, "path of the channel file to load");

#define CL_VALUE_LEN 112

enum { EV_FIFO_CREATE, EV_FIFO_OPEN, EV_UNIX_CONNECT, EV_LAST };
static const char *const ev_names[EV_LAST] = {
	[EV_FIFO_CREATE] = "fifo_create",
	[EV_FIFO_OPEN] = "fifo_open",
	[EV_UNIX_CONNECT] = "unix_connect",
};

static DEFINE_SPINLOCK(cl_lock);     /* guards everything below */
static void *cl_blob;                /* channel file bytes (vmalloc) */
static struct cl_content cl_parsed;
static u8 cl_digest[SHA256_DIGEST_SIZE];
#ifndef CL_INPUTS_KMALLOC
#define CL_INPUTS_KMALLOC 0
#endif

static void *cl_input_page;          /* one page; inputs at its end */
static const char **cl_inputs;       /* CL_INPUT_FIELDS pointers */
static char (*cl_values)[CL_VALUE_LEN]; /* backing strings */
static u64 cl_events[EV_LAST];
static u64 cl_evaluations, cl_matches;
static u64 cl_updates, cl_updates_rejected; /* live content updates */
static struct cl_coverage cl_cov;    /* what the content evaluated; reset with it */
static struct proc_dir_entry *cl_proc, *cl_proc_update;

/* Fill the inputs for one event and run the interpreter. Atomic context. */
static void cl_event(int ev, const char *name, const char *path, umode_t mode,
		     unsigned int flags)
{
	struct cl_eval_result res;
	unsigned long irqf;
	int i;

	spin_lock_irqsave(&cl_lock, irqf);
	for (i = 0; i < CL_INPUT_FIELDS; i++) {
		cl_values[i][0] = '\0';
		cl_inputs[i] = cl_values[i];
	}
	strscpy(cl_values[CL_F_EVENT], ev_names[ev], CL_VALUE_LEN);
	strscpy(cl_values[CL_F_NAME], name, CL_VALUE_LEN);
	strscpy(cl_values[CL_F_PATH], path, CL_VALUE_LEN);
	strscpy(cl_values[CL_F_COMM], current->comm, CL_VALUE_LEN);
	snprintf(cl_values[CL_F_PID], CL_VALUE_LEN, "%d", task_pid_nr(current));
	snprintf(cl_values[CL_F_TGID], CL_VALUE_LEN, "%d", task_tgid_nr(current));
	snprintf(cl_values[CL_F_UID], CL_VALUE_LEN, "%u",
		 from_kuid(&init_user_ns, current_uid()));
	rcu_read_lock();
	strscpy(cl_values[CL_F_PARENT_COMM], rcu_dereference(current->real_parent)->comm,
		CL_VALUE_LEN);
	rcu_read_unlock();
	snprintf(cl_values[CL_F_MODE], CL_VALUE_LEN, "%o", (unsigned int)mode);
	snprintf(cl_values[CL_F_FLAGS], CL_VALUE_LEN, "0x%x", flags);
	strscpy(cl_values[CL_F_HOST], utsname()->nodename, CL_VALUE_LEN);
	strscpy(cl_values[CL_F_RELEASE], utsname()->release, CL_VALUE_LEN);

	cl_events[ev]++;
	cl_evaluations++;
	cl_interp_eval(&cl_parsed, cl_inputs, &res, &cl_cov);
	cl_matches += res.matched;
	spin_unlock_irqrestore(&cl_lock, irqf);

	if (res.matched && res.first_match_action == CL_ACTION_ALERT)
		pr_info_ratelimited("clsensor: alert: instance %u matched %s '%s'\n",
				    res.first_match_id, ev_names[ev], name);
}

/* "parent/name" of a dentry, bounded, without sleeping. */
static void cl_dentry_path(const struct dentry *d, char *buf, size_t len)
{
	const struct dentry *parent = READ_ONCE(d->d_parent);

	snprintf(buf, len, "%s/%s", parent ? (const char *)parent->d_name.name : "",
		 (const char *)d->d_name.name);
}

/* A probed function's argument @n (from 0), on every architecture. */
#define CL_ARG(regs, n) regs_get_kernel_argument((regs), (n))

/* vfs_mknod(idmap_or_userns, dir, dentry, mode, dev); before 5.12 (Debian
 * 11's 5.10) without the first argument: vfs_mknod(dir, dentry, mode, dev) */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 12, 0)
#define CL_MKNOD_DENTRY 1
#else
#define CL_MKNOD_DENTRY 2
#endif
static int cl_pre_mknod(struct kprobe *p, struct pt_regs *regs)
{
	const struct dentry *d = (const struct dentry *)CL_ARG(regs, CL_MKNOD_DENTRY);
	umode_t mode = (umode_t)CL_ARG(regs, CL_MKNOD_DENTRY + 1);
	char path[CL_VALUE_LEN];

	if (!d || !S_ISFIFO(mode))
		return 0;
	cl_dentry_path(d, path, sizeof(path));
	cl_event(EV_FIFO_CREATE, (const char *)d->d_name.name, path, mode, 0);
	return 0;
}

/* fifo_open(inode, file) */
static int cl_pre_fifo_open(struct kprobe *p, struct pt_regs *regs)
{
	const struct file *f = (const struct file *)CL_ARG(regs, 1);
	const struct dentry *d;
	char path[CL_VALUE_LEN];

	if (!f || !f->f_path.dentry)
		return 0;
	d = f->f_path.dentry;
	cl_dentry_path(d, path, sizeof(path));
	cl_event(EV_FIFO_OPEN, (const char *)d->d_name.name, path,
		 f->f_inode ? f->f_inode->i_mode : 0, f->f_flags);
	return 0;
}

/* unix_{stream,dgram}_connect(sock, uaddr, addr_len, flags): uaddr is a kernel copy */
static int cl_pre_unix_connect(struct kprobe *p, struct pt_regs *regs)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)CL_ARG(regs, 1);
	int alen = (int)CL_ARG(regs, 2);
	char path[CL_VALUE_LEN];
	const char *base;
	int n, i;

	if (!sun || alen <= (int)offsetof(struct sockaddr_un, sun_path))
		return 0;
	n = alen - (int)offsetof(struct sockaddr_un, sun_path);
	if (n > (int)sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (n > CL_VALUE_LEN - 1)
		n = CL_VALUE_LEN - 1;
	for (i = 0; i < n && (i == 0 || sun->sun_path[i]); i++)
		path[i] = sun->sun_path[i] ? sun->sun_path[i] : '@'; /* abstract */
	path[i] = '\0';
	base = strrchr(path, '/');
	cl_event(EV_UNIX_CONNECT, base ? base + 1 : path, path, 0,
		 (unsigned int)CL_ARG(regs, 3));
	return 0;
}

static struct kprobe cl_probes[] = {
	{ .symbol_name = "vfs_mknod", .pre_handler = cl_pre_mknod },
	{ .symbol_name = "fifo_open", .pre_handler = cl_pre_fifo_open },
	{ .symbol_name = "unix_stream_connect", .pre_handler = cl_pre_unix_connect },
	{ .symbol_name = "unix_dgram_connect", .pre_handler = cl_pre_unix_connect },
};
static bool cl_armed[ARRAY_SIZE(cl_probes)];

/*
 * "coverage_instances N", "coverage_instance ID EVALUATED NEEDED" per
 * instance and "coverage_fields EVALUATED NEEDED" (hex masks): which
 * non-wildcard criteria and input fields the workload made the running
 * content evaluate.
 */
struct cl_cov_view {
	struct cl_coverage cov;
	u32 id[CL_MAX_INSTANCES], needed[CL_MAX_INSTANCES];
	u64 fields_needed;
};

static void cl_coverage_show(struct seq_file *m)
{
	struct cl_cov_view *v = kzalloc(sizeof(*v), GFP_KERNEL);
	unsigned long irqf;
	u32 i, n = 0;

	if (!v)
		return;
	spin_lock_irqsave(&cl_lock, irqf);
	if (cl_blob) {
		n = cl_parsed.ninstances;
		v->cov = cl_cov;
		for (i = 0; i < n; i++) {
			v->id[i] = cl_content_instance_id(&cl_parsed, i);
			v->needed[i] = cl_content_needed(&cl_parsed, i, &v->fields_needed);
		}
	}
	spin_unlock_irqrestore(&cl_lock, irqf);
	seq_printf(m, "coverage_instances %u\n", n);
	for (i = 0; i < n; i++)
		seq_printf(m, "coverage_instance %u %x %x\n", v->id[i], v->cov.instance[i] & v->needed[i],
			   v->needed[i]);
	seq_printf(m, "coverage_fields %llx %llx\n", v->cov.fields & v->fields_needed,
		   v->fields_needed);
	kfree(v);
}

static int cl_status_show(struct seq_file *m, void *v)
{
	unsigned long irqf;
	u64 ev[EV_LAST], evals, matches, updates, rejected;
	u8 digest[SHA256_DIGEST_SIZE];
	u32 len, channel, ninst;
	bool have;
	size_t i;

	spin_lock_irqsave(&cl_lock, irqf);
	memcpy(ev, cl_events, sizeof(ev));
	evals = cl_evaluations;
	matches = cl_matches;
	updates = cl_updates;
	rejected = cl_updates_rejected;
	have = cl_blob != NULL;
	memcpy(digest, cl_digest, sizeof(digest));
	len = cl_parsed.len;
	channel = cl_parsed.channel;
	ninst = cl_parsed.ninstances;
	spin_unlock_irqrestore(&cl_lock, irqf);

	seq_printf(m, "bounds_check %d\n", CL_BOUNDS_CHECK);
	if (have)
		seq_printf(m, "content_sha256 %*phN\n", SHA256_DIGEST_SIZE, digest);
	else
		seq_puts(m, "content_sha256 none\n");
	seq_printf(m, "content_path %s\n", content);
	seq_printf(m, "content_bytes %u\n", len);
	seq_printf(m, "channel %u\n", channel);
	seq_printf(m, "instances %u\n", ninst);
	seq_printf(m, "content_updates %llu\n", updates);
	seq_printf(m, "content_updates_rejected %llu\n", rejected);
	for (i = 0; i < ARRAY_SIZE(cl_probes); i++)
		seq_printf(m, "probe %s %s\n", cl_probes[i].symbol_name,
			   cl_armed[i] ? "armed" : "missing");
	for (i = 0; i < EV_LAST; i++)
		seq_printf(m, "events_%s %llu\n", ev_names[i], ev[i]);
	seq_printf(m, "evaluations %llu\n", evals);
	seq_printf(m, "matches %llu\n", matches);
	cl_coverage_show(m);
	return 0;
}

/*
 * Read and parse the channel file at @path into @buf, @parsed and @digest.
 * -ENOENT when there is none; the parser's verdict otherwise.
 */
static int cl_read_content(const char *path, void **buf, struct cl_content *parsed, u8 *digest)
{
	size_t size = 0;
	const char *why;
	ssize_t n;

	*buf = NULL;
	/*
	 * READING_FIRMWARE, not READING_UNKNOWN: on 6.12 the IPE LSM WARNs
	 * ("no rule setup for kernel_read_file enum 0") for unknown reads,
	 * which panics a panic_on_warn guest. crashlab found this.
	 */
	n = kernel_read_file_from_path(path, 0, buf, CL_MAX_CONTENT_LEN, &size, READING_FIRMWARE);
	if (n < 0) {
		*buf = NULL;
		if (n != -ENOENT)
			pr_err("clsensor: cannot read content %s: %zd\n", path, n);
		return (int)n;
	}
	if (cl_content_parse(parsed, *buf, (u32)n, &why) != 0) {
		pr_err("clsensor: rejected content %s: %s\n", path, why);
		vfree(*buf);
		*buf = NULL;
		return -EINVAL;
	}
	sha256(*buf, (unsigned int)n, digest);
	pr_info("clsensor: loaded content %s channel %u, %u instances, %u template fields, sha256 %*phN\n",
		path, parsed->channel, parsed->ninstances, parsed->template_fields,
		SHA256_DIGEST_SIZE, digest);
	return 0;
}

static int cl_load_content(void)
{
	int err;

	if (!content || !*content) {
		pr_err("clsensor: no content= path given\n");
		return -EINVAL;
	}
	err = cl_read_content(content, &cl_blob, &cl_parsed, cl_digest);
	if (err == -ENOENT) {
		/* deleted (e.g. by a remediation): run without rules, as vendors' sensors do */
		pr_warn("clsensor: content %s not found, running without rules\n", content);
		return 0;
	}
	return err;
}

/*
 * Live update, as content arrives from the vendor's cloud: write the path of
 * the new channel file to /proc/clsensor_update. It is read and parsed
 * first; only content the parser accepts replaces the running content, in
 * one step under the lock the probes take, and the old bytes are freed
 * after. Refused content leaves the running content as it was.
 */
static ssize_t cl_update_write(struct file *f, const char __user *ubuf, size_t len, loff_t *off)
{
	char path[256];
	struct cl_content parsed;
	u8 digest[SHA256_DIGEST_SIZE];
	unsigned long irqf;
	void *buf, *old;
	int err;

	if (len == 0 || len >= sizeof(path))
		return -EINVAL;
	if (copy_from_user(path, ubuf, len))
		return -EFAULT;
	path[len] = '\0';
	strim(path);
	err = cl_read_content(path, &buf, &parsed, digest);
	spin_lock_irqsave(&cl_lock, irqf);
	if (err) {
		cl_updates_rejected++;
		spin_unlock_irqrestore(&cl_lock, irqf);
		return err;
	}
	old = cl_blob;
	cl_blob = buf;
	cl_parsed = parsed;
	memset(&cl_cov, 0, sizeof(cl_cov));
	memcpy(cl_digest, digest, sizeof(digest));
	cl_updates++;
	spin_unlock_irqrestore(&cl_lock, irqf);
	vfree(old);
	return (ssize_t)len;
}

static const struct proc_ops cl_update_ops = {
	.proc_write = cl_update_write,
};

static void cl_free(void)
{
	vfree(cl_blob);
	cl_blob = NULL;
	kvfree(cl_input_page); /* kcalloc'd or vmalloc'd, as INPUTS says */
	cl_input_page = NULL;
	kfree(cl_values);
	cl_values = NULL;
}

static int __init clsensor_init(void)
{
	size_t i, armed = 0;
	int err;

	if (CL_INPUTS_KMALLOC)
		cl_input_page = kcalloc(CL_INPUT_FIELDS, sizeof(char *), GFP_KERNEL);
	else
		cl_input_page = vmalloc(PAGE_SIZE);
	cl_values = kcalloc(CL_INPUT_FIELDS, CL_VALUE_LEN, GFP_KERNEL);
	if (!cl_input_page || !cl_values) {
		cl_free();
		return -ENOMEM;
	}
	cl_inputs = CL_INPUTS_KMALLOC ? (const char **)cl_input_page :
		(const char **)((char *)cl_input_page + PAGE_SIZE - CL_INPUT_FIELDS * sizeof(char *));
	err = cl_load_content();
	if (err) {
		cl_free();
		return err;
	}
	cl_proc = proc_create_single("clsensor", 0444, NULL, cl_status_show);
	cl_proc_update = proc_create("clsensor_update", 0200, NULL, &cl_update_ops);
	if (!cl_proc || !cl_proc_update) {
		proc_remove(cl_proc);
		proc_remove(cl_proc_update);
		cl_free();
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(cl_probes); i++) {
		err = register_kprobe(&cl_probes[i]);
		cl_armed[i] = err == 0;
		armed += cl_armed[i];
		if (err)
			pr_warn("clsensor: cannot probe %s: %d\n", cl_probes[i].symbol_name, err);
	}
	pr_info("clsensor: %zu of %zu probes armed, bounds check %s, inputs %s\n", armed,
		ARRAY_SIZE(cl_probes), CL_BOUNDS_CHECK ? "on" : "OFF",
		CL_INPUTS_KMALLOC ? "kmalloc" : "page end");
	return 0;
}

static void __exit clsensor_exit(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cl_probes); i++)
		if (cl_armed[i])
			unregister_kprobe(&cl_probes[i]);
	proc_remove(cl_proc);
	proc_remove(cl_proc_update);
	cl_free();
}

module_init(clsensor_init);
module_exit(clsensor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crashlab reference IPC sensor with a content interpreter");
