/*
 * clsensor.bpf.c - the reference sensor as a CO-RE BPF object: the module's
 * (sensor/kmod) events, input fields and channel-file interpreter, with the
 * content in maps the loader (clsensor-bpf.c) fills.
 *
 * Hooks: syscall tracepoints, the one kind of hook that Debian's 6.1 and
 * 6.12 and this lab's host kernel all attach: fentry/fexit and LSM programs
 * need BPF trampolines, which the host refuses (EPERM at load), and kprobes
 * need CONFIG_KPROBES, off there. A tracepoint's record is ABI (its tracefs
 * format, the same in 6.1 and 6.18), so the module's hooked functions'
 * signatures do not matter (vfs_mknod's first argument changed in 6.3).
 * The events, as close to the module's as a syscall boundary allows:
 *   fifo_create   mknod/mknodat returned 0 for an S_IFIFO mode: the name and
 *                 "parent/name" from the path given, the parent being the
 *                 component before the name, else the directory the path is
 *                 relative to (a parent reached through ".." or a symlink is
 *                 named as written); the mode as asked, before the umask.
 *   fifo_open     open/openat/openat2 returned a FIFO (not O_PATH): its
 *                 dentry, mode and flags as fifo_open() saw them, less
 *                 O_CREAT/O_EXCL/O_TRUNC/O_NOCTTY; an open that fails or is
 *                 interrupted is not counted (the module counts it).
 *   unix_connect  connect entered on an AF_UNIX socket with an address of
 *                 3..128 bytes, whatever its outcome, as the module's
 *                 unix_{stream,dgram}_connect kprobes: sun_path from the
 *                 caller's memory, the socket file's flags.
 * io_uring's openat and connect, open_by_handle_at and creat are not seen.
 *
 * The interpreter is the module's cl_interp_eval(): instances in order,
 * criteria in order until one fails, ops ANY, EQ, PREFIX, SUFFIX, CONTAINS
 * and GLOB ('*' and '?', the same backtracking walk as cl_glob()). Loops
 * over instances, criteria, substring positions, glob steps and path bytes
 * are bpf_loop() callbacks, so the verifier checks each body once whatever
 * the content; the state they carry lives in a per-CPU map, not on the
 * stack, so the verifier sees no loop-carried constants to unroll (the
 * program would be "too large" otherwise). Build choices:
 *   CL_BPF_UNBOUNDED  no bound on a criterion's field number before the
 *                     inputs are indexed, as Channel File 291's interpreter;
 *                     the verifier refuses the program on every kernel.
 *   CL_BPF_NEWER      the instance loop is an open-coded iterator
 *                     (bpf_iter_num_*, kernel 6.4+): loads on 6.12, not 6.1.
 *   CL_BPF_LOCKUP     each evaluation first spins 2^23 x 2^23 empty
 *                     iterations (a retry count never held to a budget):
 *                     bpf_loop() is bounded, so the verifier accepts it, and
 *                     the CPU spins in the program until the soft-lockup
 *                     watchdog fires - a BPF sensor that hangs the kernel.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/un.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "cl_kernel.h"
#include "clsensor_bpf.h"

#ifndef CL_BPF_UNBOUNDED
#define CL_BPF_UNBOUNDED 0
#endif
#ifndef CL_BPF_NEWER
#define CL_BPF_NEWER 0
#endif
#ifndef CL_BPF_LOCKUP
#define CL_BPF_LOCKUP 0
#endif

#define CL_UNUSED __attribute__((unused))
/* Bytes read of a path given to mknod (a longer path's name is cut short). */
#define CL_UPATH_LEN 256
/* Steps that decide any glob: the walk backtracks at most once per input
 * character, each pass at most the pattern's length. */
#define CL_GLOB_STEPS ((CL_BPF_VALUE_LEN + 1) * (CL_MAX_VALUE_LEN + 2))

char LICENSE[] SEC("license") = "GPL";

struct cl_scratch {
	u32 busy;         /* an event on this CPU holds the scratch */
	u32 inst;         /* instance being evaluated */
	u32 crit;         /* its criterion's key in cl_criteria */
	u32 all;          /* every criterion so far matched */
	u32 hit;          /* the running scan's verdict */
	u32 matched;      /* instances this event matched */
	u32 first_action; /* action of the first */
	u32 p, si, star, star_p, star_s; /* glob walk: pattern, string, last '*' */
	u32 end, last, prev;              /* scan of buf: length, last two slashes */
	u32 dst, at, from, to;            /* copy from buf to an input */
	char buf[CL_UPATH_LEN];           /* a path from user memory */
};

#define CL_ARRAY(NAME, KIND, ENTRIES, VALUE)                                                       \
	struct {                                                                                   \
		__uint(type, KIND);                                                                \
		__uint(max_entries, ENTRIES);                                                      \
		__type(key, u32);                                                                  \
		__type(value, VALUE);                                                              \
	} NAME SEC(".maps")

CL_ARRAY(cl_meta, BPF_MAP_TYPE_ARRAY, 1, struct cl_bpf_meta);
CL_ARRAY(cl_instances, BPF_MAP_TYPE_ARRAY, CL_MAX_INSTANCES, struct cl_bpf_instance);
CL_ARRAY(cl_criteria, BPF_MAP_TYPE_ARRAY, CL_BPF_CRIT_SLOTS, struct cl_bpf_criterion);
CL_ARRAY(cl_counters, BPF_MAP_TYPE_ARRAY, CL_C_LAST, u64);
CL_ARRAY(cl_coverage, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct cl_bpf_coverage);
CL_ARRAY(cl_inputs, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct cl_bpf_inputs);
CL_ARRAY(cl_scratch, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct cl_scratch);

#if CL_BPF_NEWER
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
#endif

static __always_inline struct cl_scratch *scratch(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&cl_scratch, &zero);
}

/* Counters are shared by all CPUs: atomic adds keep them exact. */
static __always_inline void count(u32 which, u64 n)
{
	u64 *c = bpf_map_lookup_elem(&cl_counters, &which);

	if (c)
		__sync_fetch_and_add(c, n);
}

/* The input criterion @c reads. The bound is the one the July 2024
 * interpreter lacked; without it the verifier sees an index up to 255 into
 * 20 inputs and refuses the program. */
static __always_inline const struct cl_bpf_input *input_of(const struct cl_bpf_criterion *c)
{
	u32 zero = 0;
	struct cl_bpf_inputs *in = bpf_map_lookup_elem(&cl_inputs, &zero);

	if (!in)
		return NULL;
#if !CL_BPF_UNBOUNDED
	if (c->field >= CL_INPUT_FIELDS)
		return NULL;
#endif
	return &in->f[c->field];
}

/* @n bytes of @c's value equal @v's from @off on. barrier_var() keeps each
 * checked index in the register the access uses: clang would otherwise
 * fold off into the pointer once, out of the verifier's sight. */
static __always_inline int same(const struct cl_bpf_input *v, u32 off,
				const struct cl_bpf_criterion *c, u32 n)
{
	u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < CL_BPF_VALUE_LEN; i++) {
		u32 j = off + i;

		barrier_var(j);
		if (i >= n)
			return 1;
		if (j >= CL_BPF_VALUE_LEN || v->s[j] != c->value[i])
			return 0;
	}
	return 0; /* longer than any input */
}

/* The criterion a scan callback works on, and its input. */
static __always_inline int scan_args(struct cl_scratch *sc, const struct cl_bpf_criterion **c,
				     const struct cl_bpf_input **v)
{
	u32 key = sc->crit;

	*c = bpf_map_lookup_elem(&cl_criteria, &key);
	if (!*c)
		return -1;
	*v = input_of(*c);
	return *v ? 0 : -1;
}

/* CONTAINS: is the value at position @pos? */
static int contains_cb(u32 pos, void *ctx CL_UNUSED)
{
	struct cl_scratch *sc = scratch();
	const struct cl_bpf_criterion *c;
	const struct cl_bpf_input *v;

	if (!sc || scan_args(sc, &c, &v))
		return 1;
	if (!same(v, pos, c, c->len))
		return 0;
	sc->hit = 1;
	return 1;
}

/* One step of cl_glob()'s walk; 1 once it has decided (sc->hit). */
static int glob_cb(u32 step CL_UNUSED, void *ctx CL_UNUSED)
{
	struct cl_scratch *sc = scratch();
	const struct cl_bpf_criterion *c;
	const struct cl_bpf_input *v;
	u32 p, si, plen;
	u8 ch;

	if (!sc || scan_args(sc, &c, &v))
		return 1;
	p = sc->p;
	si = sc->si;
	plen = c->len;
	if (p > CL_MAX_VALUE_LEN || si >= CL_BPF_VALUE_LEN)
		return 1;
	if (si < v->len) {
		ch = v->s[si & (CL_BPF_SLOT - 1)];
		if (p < plen && (c->value[p] == '?' || c->value[p] == ch)) {
			sc->p = p + 1;
			sc->si = si + 1;
		} else if (p < plen && c->value[p] == '*') {
			sc->star = 1;
			sc->p = sc->star_p = p + 1;
			sc->star_s = si;
		} else if (sc->star) {
			sc->p = sc->star_p;
			sc->si = sc->star_s = sc->star_s + 1;
		} else {
			return 1;
		}
		return 0;
	}
	if (p < plen && c->value[p] == '*') {
		sc->p = p + 1;
		return 0;
	}
	sc->hit = p == plen;
	return 1;
}

/* cl_match(): does input @v satisfy criterion @c? */
static __always_inline int match(struct cl_scratch *sc, const struct cl_bpf_criterion *c,
				 const struct cl_bpf_input *v)
{
	u32 slen = v->len, plen = c->len;

	sc->hit = 0;
	switch (c->op) {
	case CL_OP_EQ:
		return slen == plen && same(v, 0, c, plen);
	case CL_OP_PREFIX:
		return slen >= plen && same(v, 0, c, plen);
	case CL_OP_SUFFIX:
		return slen >= plen && same(v, slen - plen, c, plen);
	case CL_OP_CONTAINS:
		if (plen > slen)
			return 0;
		bpf_loop(slen - plen + 1, contains_cb, NULL, 0);
		return sc->hit;
	case CL_OP_GLOB:
		sc->p = sc->si = sc->star = sc->star_p = sc->star_s = 0;
		bpf_loop(CL_GLOB_STEPS, glob_cb, NULL, 0);
		return sc->hit;
	default:
		return 0;
	}
}

/* Criterion @k of instance sc->inst; 1 (stop) once one fails. */
static int crit_cb(u32 k, void *ctx CL_UNUSED)
{
	struct cl_scratch *sc = scratch();
	const struct cl_bpf_criterion *c;
	const struct cl_bpf_input *v;
	struct cl_bpf_coverage *cov;
	u32 key, zero = 0;

	if (!sc)
		return 1;
	key = sc->inst * CL_MAX_CRITERIA + k;
	c = bpf_map_lookup_elem(&cl_criteria, &key);
	if (c && c->op == CL_OP_ANY)
		return 0; /* a wildcard never looks at its input */
	if (!c || !(v = input_of(c)))
		goto fail;
	cov = bpf_map_lookup_elem(&cl_coverage, &zero);
	if (cov && sc->inst < CL_MAX_INSTANCES) {
		cov->inst[sc->inst] |= 1u << (k & 31);
		if (c->field < 64)
			cov->fields |= 1ull << c->field;
	}
	sc->crit = key;
	if (match(sc, c, v))
		return 0;
fail:
	sc->all = 0;
	return 1;
}

/* Instance @i: all its criteria, then the tally. */
static int inst_cb(u32 i, void *ctx CL_UNUSED)
{
	struct cl_scratch *sc = scratch();
	struct cl_bpf_instance *inst = bpf_map_lookup_elem(&cl_instances, &i);
	u32 n;

	if (!sc || !inst)
		return 1;
	n = inst->ncrit < CL_MAX_CRITERIA ? inst->ncrit : CL_MAX_CRITERIA;
	sc->inst = i;
	sc->all = 1;
	bpf_loop(n, crit_cb, NULL, 0);
	if (sc->all && sc->matched++ == 0)
		sc->first_action = inst->action;
	return 0;
}

#if CL_BPF_LOCKUP
static int spin_inner(u32 i CL_UNUSED, void *ctx CL_UNUSED)
{
	return 0;
}

static int spin_outer(u32 i CL_UNUSED, void *ctx CL_UNUSED)
{
	bpf_loop(1 << 23, spin_inner, NULL, 0);
	return 0;
}
#endif

/* cl_interp_eval() over this CPU's inputs; the totals into the counters. */
static __always_inline void evaluate(struct cl_scratch *sc)
{
	u32 zero = 0, n;
	struct cl_bpf_meta *m = bpf_map_lookup_elem(&cl_meta, &zero);

	if (!m)
		return;
#if CL_BPF_LOCKUP
	bpf_loop(1 << 23, spin_outer, NULL, 0);
#endif
	n = m->ninstances < CL_MAX_INSTANCES ? m->ninstances : CL_MAX_INSTANCES;
	sc->matched = 0;
	sc->first_action = 0;
#if CL_BPF_NEWER
	struct bpf_iter_num it;
	int *i;

	bpf_iter_num_new(&it, 0, (int)n);
	while ((i = bpf_iter_num_next(&it)))
		inst_cb((u32)*i, NULL);
	bpf_iter_num_destroy(&it);
#else
	bpf_loop(n, inst_cb, NULL, 0);
#endif
	count(CL_C_EVALUATIONS, 1);
	count(CL_C_MATCHES, sc->matched);
	if (sc->matched && sc->first_action == CL_ACTION_ALERT)
		count(CL_C_ALERTS, 1);
}

static __always_inline void put_len(struct cl_bpf_input *v, long n) /* n counts the NUL */
{
	if (n > CL_BPF_VALUE_LEN)
		n = CL_BPF_VALUE_LEN;
	v->len = n > 0 ? n - 1 : 0;
}

#define put_lit(v, str)                                                                            \
	do {                                                                                       \
		__builtin_memcpy((v)->s, str, sizeof(str) - 1);                                    \
		(v)->len = sizeof(str) - 1;                                                        \
	} while (0)
#define put_kstr(v, kptr) put_len(v, bpf_probe_read_kernel_str((v)->s, CL_BPF_VALUE_LEN, kptr))
#define put_fmt(v, fmt, args...) put_len(v, BPF_SNPRINTF((v)->s, CL_BPF_VALUE_LEN, fmt, args))

/* "%o" of a mode, which bpf_snprintf() does not know: at most 6 digits. */
static __always_inline void put_octal(struct cl_bpf_input *v, u32 mode)
{
	u32 digits = 1, k;

	mode &= 0177777;
	for (k = 3; k < 18; k += 3)
		if (mode >> k)
			digits++;
	for (k = 0; k < 6; k++)
		if (k < digits)
			v->s[(digits - 1 - k) & 7] = '0' + ((mode >> (3 * k)) & 7);
	v->len = digits;
}

/* The fields every event has: process, user, host. */
static __always_inline void put_common(struct cl_bpf_inputs *in)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	struct uts_namespace *uts = BPF_CORE_READ(t, nsproxy, uts_ns);
	u64 id = bpf_get_current_pid_tgid();

	put_kstr(&in->f[CL_F_COMM], &t->comm);
	put_fmt(&in->f[CL_F_PID], "%d", (u32)id);
	put_fmt(&in->f[CL_F_TGID], "%d", (u32)(id >> 32));
	put_fmt(&in->f[CL_F_UID], "%u", (u32)bpf_get_current_uid_gid());
	put_kstr(&in->f[CL_F_PARENT_COMM], &parent->comm);
	put_kstr(&in->f[CL_F_HOST], &uts->name.nodename);
	put_kstr(&in->f[CL_F_RELEASE], &uts->name.release);
}

/* The open file behind descriptor @fd of this task, NULL if none. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Name and "parent/name" of a dentry, as the module's cl_dentry_path(). */
static __always_inline void put_dentry(struct cl_bpf_inputs *in, const struct dentry *d)
{
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	const unsigned char *pname = BPF_CORE_READ(d, d_parent, d_name.name);

	put_kstr(&in->f[CL_F_NAME], name);
	put_fmt(&in->f[CL_F_PATH], "%s/%s", pname, name);
}

/* Byte @i of sc->buf: the length so far (up to the first NUL after the
 * first byte, which is NUL in an abstract socket name) and the last two
 * slashes, each as the index just past it. */
static int scan_cb(u32 i, void *ctx CL_UNUSED)
{
	struct cl_scratch *sc = scratch();
	char c;

	if (!sc)
		return 1;
	c = sc->buf[i & (CL_UPATH_LEN - 1)];
	if (i > 0 && !c)
		return 1;
	if (c == '/') {
		sc->prev = sc->last;
		sc->last = i + 1;
	}
	sc->end = i + 1;
	return 0;
}

/* Byte @i of sc->buf[from, to) into input sc->dst at sc->at + @i. */
static int copy_cb(u32 i, void *ctx CL_UNUSED)
{
	struct cl_scratch *sc = scratch();
	u32 zero = 0, j, f;
	struct cl_bpf_inputs *in = bpf_map_lookup_elem(&cl_inputs, &zero);

	if (!sc || !in)
		return 1;
	j = sc->at + i;
	f = sc->dst;
	barrier_var(j);
	if (sc->from + i >= sc->to || j >= CL_BPF_VALUE_LEN - 1 || f >= CL_INPUT_FIELDS)
		return 1;
	in->f[f].s[j] = sc->buf[(sc->from + i) & (CL_UPATH_LEN - 1)];
	return 0;
}

/*
 * Scanning and copying strings of any length are callbacks too: a loop the
 * verifier walks would carry each slash position and length as a constant,
 * one verifier state per path shape.
 */
static __always_inline void scan(struct cl_scratch *sc, u32 n)
{
	sc->end = sc->last = sc->prev = 0;
	bpf_loop(n, scan_cb, NULL, 0);
}

/* sc->buf[from, to) appended to input @f at @at, within 111 characters; the new length. */
static __always_inline u32 append(struct cl_scratch *sc, u32 f, u32 at, u32 from, u32 to)
{
	u32 len = at + (to > from ? to - from : 0);

	sc->dst = f;
	sc->at = at;
	sc->from = from;
	sc->to = to;
	bpf_loop(CL_BPF_VALUE_LEN, copy_cb, NULL, 0);
	return len < CL_BPF_VALUE_LEN - 1 ? len : CL_BPF_VALUE_LEN - 1;
}

/* The name of the directory a path relative to @dfd starts from. */
static __always_inline const unsigned char *dir_name(long dfd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct file *f = dfd == CL_AT_FDCWD ? NULL : fd_file(dfd);
	struct dentry *d = f ? BPF_CORE_READ(f, f_path.dentry) : BPF_CORE_READ(t, fs, pwd.dentry);

	return BPF_CORE_READ(d, d_name.name);
}

/* Name and "parent/name" of the path a process gave, relative to @dfd. */
static __always_inline void put_upath(struct cl_bpf_inputs *in, struct cl_scratch *sc, long dfd,
				      const char *upath)
{
	struct cl_bpf_input *path = &in->f[CL_F_PATH];
	long n = bpf_probe_read_user_str(sc->buf, CL_UPATH_LEN, upath);
	u32 at;

	if (n <= 1)
		return;
	scan(sc, n - 1);
	in->f[CL_F_NAME].len = append(sc, CL_F_NAME, 0, sc->last, sc->end);
	if (sc->last > 1) {
		at = append(sc, CL_F_PATH, 0, sc->prev, sc->last - 1);
	} else if (sc->last == 1) {
		path->s[0] = '/'; /* in the root, whose name is "/" */
		at = 1;
	} else {
		n = bpf_probe_read_kernel_str(path->s, CL_BPF_VALUE_LEN, dir_name(dfd));
		at = n > 1 ? n - 1 : 0;
	}
	if (at < CL_BPF_VALUE_LEN - 1)
		path->s[at++] = '/';
	path->len = append(sc, CL_F_PATH, at, sc->last, sc->end);
}

/*
 * Count event @ev and take this CPU's inputs for it. Nothing promises one
 * run per CPU at a time (a preemptible kernel may switch tasks mid-run): an
 * event finding the scratch busy is counted, not evaluated (CL_C_SKIPPED),
 * rather than overwrite another event's inputs.
 */
static __always_inline struct cl_bpf_inputs *event_begin(u32 ev)
{
	u32 zero = 0, i;
	struct cl_scratch *sc = scratch();
	struct cl_bpf_inputs *in = bpf_map_lookup_elem(&cl_inputs, &zero);

	count(ev, 1);
	if (!sc || !in)
		return NULL;
	if (__sync_lock_test_and_set(&sc->busy, 1)) {
		count(CL_C_SKIPPED, 1);
		return NULL;
	}
	for (i = 0; i < CL_INPUT_FIELDS; i++)
		in->f[i].len = 0;
	return in;
}

static __always_inline void event_end(struct cl_bpf_inputs *in)
{
	struct cl_scratch *sc = scratch();

	if (!sc)
		return;
	put_common(in);
	evaluate(sc);
	sc->busy = 0;
}

/* mknodat(dfd, path, mode, dev) or mknod(path, mode, dev) returned: the
 * arguments from the registers the syscall entered with. */
SEC("tracepoint/syscalls/sys_exit_mknodat")
int cl_fifo_create(struct cl_sys_exit *ctx)
{
	struct pt_regs *regs;
	struct cl_bpf_inputs *in;
	struct cl_scratch *sc;
	const char *upath;
	long dfd = CL_AT_FDCWD;
	u32 mode;

	if (ctx->ret != 0)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (ctx->nr == CL_NR_MKNODAT) {
		dfd = (int)BPF_CORE_READ(regs, di);
		upath = (const char *)BPF_CORE_READ(regs, si);
		mode = BPF_CORE_READ(regs, dx) & 0xffff;
	} else {
		upath = (const char *)BPF_CORE_READ(regs, di);
		mode = BPF_CORE_READ(regs, si) & 0xffff;
	}
	if ((mode & CL_S_IFMT) != CL_S_IFIFO || !(sc = scratch()) ||
	    !(in = event_begin(CL_C_FIFO_CREATE)))
		return 0;
	put_lit(&in->f[CL_F_EVENT], "fifo_create");
	put_upath(in, sc, dfd, upath);
	put_octal(&in->f[CL_F_MODE], mode);
	put_lit(&in->f[CL_F_FLAGS], "0x0");
	event_end(in);
	return 0;
}

/* open, openat or openat2 returned descriptor ctx->ret. */
SEC("tracepoint/syscalls/sys_exit_openat")
int cl_fifo_open(struct cl_sys_exit *ctx)
{
	struct file *f = ctx->ret >= 0 ? fd_file(ctx->ret) : NULL;
	const struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	u32 mode = BPF_CORE_READ(f, f_inode, i_mode);
	u32 flags = BPF_CORE_READ(f, f_flags);
	struct cl_bpf_inputs *in;

	if (!d || (mode & CL_S_IFMT) != CL_S_IFIFO || (flags & CL_O_PATH) ||
	    !(in = event_begin(CL_C_FIFO_OPEN)))
		return 0;
	put_lit(&in->f[CL_F_EVENT], "fifo_open");
	put_dentry(in, d);
	put_octal(&in->f[CL_F_MODE], mode);
	put_fmt(&in->f[CL_F_FLAGS], "0x%x", flags);
	event_end(in);
	return 0;
}

/* sun_path up to its first NUL after the first byte ('@' for an abstract
 * name's leading NUL), and its last component, as the module does. */
static __always_inline void put_sun(struct cl_bpf_inputs *in, struct cl_scratch *sc,
				    const char *sun_path, u32 n)
{
	if (bpf_probe_read_user(sc->buf, n & 127, sun_path))
		return;
	scan(sc, n);
	if (sc->end && !sc->buf[0])
		sc->buf[0] = '@';
	in->f[CL_F_PATH].len = append(sc, CL_F_PATH, 0, 0, sc->end);
	in->f[CL_F_NAME].len = append(sc, CL_F_NAME, 0, sc->last, sc->end);
}

/* connect(fd, addr, alen) entered: addr is still the caller's. */
SEC("tracepoint/syscalls/sys_enter_connect")
int cl_unix_connect(struct cl_sys_enter *ctx)
{
	struct file *f = fd_file((int)ctx->args[0]);
	struct socket *sock = BPF_CORE_READ(f, private_data);
	const char *addr = (const char *)ctx->args[1];
	int alen = (int)ctx->args[2];
	u32 off = __builtin_offsetof(struct sockaddr_un, sun_path), n = alen - off;
	struct cl_bpf_inputs *in;
	struct cl_scratch *sc;

	if ((BPF_CORE_READ(f, f_inode, i_mode) & CL_S_IFMT) != CL_S_IFSOCK ||
	    BPF_CORE_READ(sock, sk, __sk_common.skc_family) != CL_AF_UNIX ||
	    alen <= (int)off || alen > 128 || !(sc = scratch()) ||
	    !(in = event_begin(CL_C_UNIX_CONNECT)))
		return 0;
	put_lit(&in->f[CL_F_EVENT], "unix_connect");
	put_sun(in, sc, addr + off, n < UNIX_PATH_MAX ? n : UNIX_PATH_MAX);
	put_lit(&in->f[CL_F_MODE], "0");
	put_fmt(&in->f[CL_F_FLAGS], "0x%x", BPF_CORE_READ(f, f_flags));
	event_end(in);
	return 0;
}
