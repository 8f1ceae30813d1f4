/*
 * cl_triage.c - the console crash classifier (see cl_triage.h).
 *
 * One pass, line by line, bounded memory. The patterns live in a table:
 * adding a crash class is adding a row, not a branch. The first crash line
 * fixes the class and the title stem; the guilty frame then comes from, in
 * order of preference, the crash line itself (WARNING, KASAN,
 * stack-protector), the report's RIP line, and the first reliable frame of
 * its Call Trace, skipping the helper frames the report's class skips
 * (exception entry, printk, locking, string and allocator helpers, ...:
 * cl_frames.c). A WARNING that is not (yet) a crash is followed all the
 * same, so panic_on_warn's panic later finds its frame. Limits: x86-64 and
 * arm64 report formats only; an interleaved second report is not separated
 * from the first.
 */
#include "cl_triage.h"
#include "cl_frames.h"
#include "cl_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 1024
#define REPORT_MAX_LINES 400

enum {
	P_STEM_LINE = 2,  /* title stem comes from the line ("BUG: KASAN: x in f") */
	P_FRAME_LINE = 4, /* guilty function is named on the line itself */
	P_PANIC = 8,      /* a "Kernel panic - not syncing" line */
	P_END_TASK = 16,  /* a dump_stack() report: it ends with its trace's </TASK> */
	P_END_RULE = 32,  /* a sanitizer report: it ends at its closing "=====" rule */
	P_BACKTRACE = 64, /* frames are kmemleak's "[<addr>] func+0x/0x" lines */
	P_ACCESS = 128,   /* the next "Read of size"/"Write of size" line joins the title */
	P_GATED = 256,    /* a WARNING: a crash only when warnings are fatal (panic_on_warn) */
	P_NO_FRAME = 512, /* the report is this one line: no stack, no frame to expect */
	P_LOCK_AT = 1024, /* the frame is where the first held lock was taken ("#0: ... at: f") */
	P_IN_TRACE = 2048, /* printed inside a stack dump: that trace's frames are the report's */
	P_STACK_NEXT = 4096, /* its stack follows the first line, with no "Call Trace:" line */
	P_SANITIZER = 8192, /* the title drops the line's "BUG: " ("KASAN: use-after-free Read in f") */
};

struct pattern {
	const char *match;
	const char *also;          /* second substring that must be present, or NULL */
	enum cl_crash_class cls;
	const char *stem;          /* title stem; with P_STEM_LINE, text after the line's stem */
	int flags;
};

/*
 * First match wins; specific rows before generic ones. Every pattern is
 * anchored at the start of the line (after the timestamp and the subsystem
 * prefixes strip_prefixes() removes), so text that merely mentions a crash
 * word - a file name, a test's own header line - is not a crash.
 */
static const struct pattern patterns[] = {
	{ "BUG: unable to handle page fault", NULL, CL_CLASS_PAGE_FAULT,
	  "BUG: unable to handle page fault", 0 },
	{ "BUG: unable to handle kernel paging request", NULL, CL_CLASS_PAGE_FAULT,
	  "BUG: unable to handle page fault", 0 },
	{ "BUG: unable to handle kernel NULL pointer dereference", NULL, CL_CLASS_NULL_DEREF,
	  "BUG: kernel NULL pointer dereference", 0 },
	{ "BUG: kernel NULL pointer dereference", NULL, CL_CLASS_NULL_DEREF,
	  "BUG: kernel NULL pointer dereference", 0 },
	/* arm64's words for the same faults (arch/arm64/mm/fault.c), then its die() */
	{ "Unable to handle kernel NULL pointer dereference", NULL, CL_CLASS_NULL_DEREF,
	  "Unable to handle kernel NULL pointer dereference", 0 },
	{ "Unable to handle kernel paging request", NULL, CL_CLASS_PAGE_FAULT,
	  "Unable to handle kernel paging request", 0 },
	{ "Unable to handle kernel ", NULL, CL_CLASS_PAGE_FAULT, "Unable to handle kernel access",
	  0 },
	/* arm64's "Unhandled fault at 0x..." (older: "Unhandled fault: <name> (0x...)") */
	{ "Unhandled fault", NULL, CL_CLASS_PAGE_FAULT, "Unhandled fault", 0 },
	{ "Internal error: Oops - BUG", NULL, CL_CLASS_BUG, "kernel BUG", 0 },
	{ "Internal error: Oops - Undefined instruction", NULL, CL_CLASS_INVALID_OPCODE,
	  "invalid opcode", 0 },
	{ "Internal error: ", NULL, CL_CLASS_BUG, "Internal error", 0 },
	{ "general protection fault", NULL, CL_CLASS_GPF, "general protection fault", 0 },
	/* hardened usercopy names the copy before its BUG() at mm/usercopy.c */
	{ "usercopy: Kernel memory ", " attempt detected", CL_CLASS_BAD_USERCOPY,
	  "BUG: bad usercopy", 0 },
	{ "kernel BUG at ", NULL, CL_CLASS_BUG, "kernel BUG", 0 },
	{ "BUG: soft lockup", NULL, CL_CLASS_SOFT_LOCKUP, "BUG: soft lockup", 0 },
	{ "Watchdog detected hard LOCKUP", NULL, CL_CLASS_HARD_LOCKUP, "hard LOCKUP", 0 },
	{ "INFO: rcu_", "stall", CL_CLASS_RCU_STALL, "INFO: rcu detected stall", 0 },
	{ "INFO: task ", "blocked for more than", CL_CLASS_HUNG_TASK, "INFO: task hung",
	  P_END_TASK },
	{ "INFO: task ", "can't die for more than", CL_CLASS_HUNG_TASK, "INFO: task can't die",
	  P_END_TASK },
	/* a device reference never dropped: the line repeats, with no stack */
	{ "unregister_netdevice: waiting for ", " to become free", CL_CLASS_HUNG_TASK,
	  "unregister_netdevice: waiting for DEV to become free", P_NO_FRAME },
	{ "BUG: KASAN: ", NULL, CL_CLASS_KASAN, NULL,
	  P_STEM_LINE | P_FRAME_LINE | P_END_RULE | P_ACCESS | P_SANITIZER },
	{ "BUG: KFENCE: ", NULL, CL_CLASS_KFENCE, NULL,
	  P_STEM_LINE | P_FRAME_LINE | P_END_RULE | P_SANITIZER },
	{ "BUG: KMSAN: ", NULL, CL_CLASS_KMSAN, NULL,
	  P_STEM_LINE | P_FRAME_LINE | P_END_RULE | P_STACK_NEXT | P_SANITIZER },
	{ "UBSAN: ", NULL, CL_CLASS_UBSAN, NULL, P_STEM_LINE | P_END_RULE },
	/* a WARN's message line, before its "WARNING: CPU:" line */
	{ "ODEBUG: ", NULL, CL_CLASS_ODEBUG, "ODEBUG bug", 0 },
	{ "WARNING: possible circular locking dependency detected", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: possible circular locking dependency", P_END_TASK },
	{ "WARNING: possible recursive locking detected", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: possible recursive locking", P_END_TASK },
	{ "WARNING: inconsistent lock state", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: inconsistent lock state", P_END_TASK },
	{ "WARNING: bad unlock balance detected", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: bad unlock balance", P_END_TASK },
	{ "WARNING: held lock freed", NULL, CL_CLASS_LOCKDEP, "WARNING: held lock freed",
	  P_END_TASK },
	{ "WARNING: suspicious RCU usage", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: suspicious RCU usage", P_END_TASK },
	{ "WARNING: possible irq lock inversion dependency detected", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: possible irq lock inversion dependency", P_END_TASK },
	{ "WARNING: lock held when returning to user space", NULL, CL_CLASS_LOCKDEP,
	  "WARNING: lock held when returning to user space", P_END_TASK | P_LOCK_AT },
	/* older kernels' words for the same reports keep the same titles */
	{ "BUG: held lock freed", NULL, CL_CLASS_LOCKDEP, "WARNING: held lock freed", P_END_TASK },
	{ "WARNING: ", "still has locks held", CL_CLASS_LOCKDEP, "WARNING: still has locks held",
	  P_END_TASK | P_LOCK_AT },
	{ "INFO: ", "still has locks held", CL_CLASS_LOCKDEP, "WARNING: still has locks held",
	  P_END_TASK | P_LOCK_AT },
	{ "INFO: trying to register non-static key", NULL, CL_CLASS_LOCKDEP,
	  "INFO: trying to register non-static key", P_END_TASK },
	{ "unreferenced object 0x", NULL, CL_CLASS_KMEMLEAK, "memory leak", P_BACKTRACE },
	{ "list_add corruption", NULL, CL_CLASS_LIST_CORRUPTION, "BUG: corrupted list", 0 },
	{ "list_del corruption", NULL, CL_CLASS_LIST_CORRUPTION, "BUG: corrupted list", 0 },
	{ "list_add double add", NULL, CL_CLASS_LIST_CORRUPTION, "BUG: corrupted list", 0 },
	{ "refcount_t: ", NULL, CL_CLASS_REFCOUNT, NULL, P_STEM_LINE },
	{ "BUG: scheduling while atomic", NULL, CL_CLASS_SCHED_ATOMIC,
	  "BUG: scheduling while atomic", P_END_TASK },
	{ "BUG: sleeping function called from invalid context", NULL, CL_CLASS_SLEEP_INVALID,
	  "BUG: sleeping function called from invalid context", P_END_TASK },
	/* "BUG: using smp_processor_id() in preemptible [00000000] code: insmod/1" */
	{ "BUG: using ", " in preemptible", CL_CLASS_BUG, " in preemptible code",
	  P_STEM_LINE | P_END_TASK },
	{ "invalid opcode", NULL, CL_CLASS_INVALID_OPCODE, "invalid opcode", 0 },
	{ "divide error", NULL, CL_CLASS_DIVIDE_ERROR, "divide error", 0 },
	{ "PANIC: double fault", NULL, CL_CLASS_DOUBLE_FAULT, "double fault", 0 },
	{ "double fault", NULL, CL_CLASS_DOUBLE_FAULT, "double fault", 0 },
	{ "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: ", NULL,
	  CL_CLASS_STACK_PROTECTOR, "stack-protector: kernel stack is corrupted",
	  P_FRAME_LINE | P_PANIC },
	{ "BUG: ", "stack guard page was hit", CL_CLASS_STACK_OVERFLOW,
	  "BUG: stack guard page was hit", 0 },
	{ "kernel stack overflow", NULL, CL_CLASS_STACK_OVERFLOW, "kernel stack overflow", 0 },
	/* the frame-pointer unwinder's complaints: printed, never a panic; in the
	 * middle of the stack it was walking, whose frames before it count */
	{ "WARNING: kernel stack regs at ", " has bad ", CL_CLASS_WARNING,
	  "WARNING: kernel stack regs has bad value", P_END_TASK | P_IN_TRACE },
	{ "WARNING: kernel stack frame pointer at ", " has bad value", CL_CLASS_WARNING,
	  "WARNING: kernel stack frame pointer has bad value", P_END_TASK | P_IN_TRACE },
	{ "WARNING: CPU: ", NULL, CL_CLASS_WARNING, "WARNING", P_FRAME_LINE | P_GATED },
	{ "Out of memory and no killable processes", NULL, CL_CLASS_OOM,
	  "out of memory: no killable processes", 0 },
	{ "Kernel panic - not syncing: System is deadlocked on memory", NULL, CL_CLASS_OOM,
	  "out of memory: system is deadlocked on memory", P_PANIC },
	{ "Kernel panic - not syncing: Out of memory", NULL, CL_CLASS_OOM, "out of memory panic",
	  P_PANIC },
	{ "Kernel panic - not syncing: ", NULL, CL_CLASS_PANIC, NULL, P_STEM_LINE | P_PANIC },
	{ "BUG: ", NULL, CL_CLASS_BUG, NULL, P_STEM_LINE },
};

/* Subsystem prefixes printed before a report's first word. */
static const char *const line_prefixes[] = { "watchdog: ", "NMI watchdog: ", "rcu: ", "kmemleak: ",
					     NULL };

/*
 * A WARN's message (the line before its "WARNING: CPU:" line, or that line
 * itself) that names the bug better than "WARNING" does.
 */
static const struct {
	const char *text, *stem;
} warn_stems[] = {
	{ "zero-size vmalloc", "WARNING: zero-size vmalloc" },
};

/* Where one report's guilty frame can come from, gathered as its lines pass. */
struct frames {
	enum cl_crash_class cls;    /* whose rules (cl_frames.h) decide what is skipped */
	int in_trace;               /* inside its Call Trace (or kmemleak's backtrace) */
	int have_rip, have_trace_frame;
	char rip_frame[CL_FRAME_MAX], rip_module[64];
	char trace_frame[CL_FRAME_MAX], trace_module[64];
	char trace_oot_module[64];  /* first out-of-tree module in the reliable trace */
	char bpf_prog[32];          /* the outermost BPF program in the report's frames */
};

struct cl_triage {
	struct cl_triage_result r;
	int fatal_warnings;
	char line[LINE_MAX_LEN];
	size_t len;
	int overflow;          /* current line was cut */
	int in_report;         /* after the first crash line, before it ended */
	int report_lines;
	int frame_from_line;   /* frame already fixed by the crash line */
	struct frames f;       /* the report's */
	struct frames open;    /* before a report: the stack dump being printed, if any */
	char oot_modules[512]; /* " a b " out-of-tree modules from "Modules linked in" */
	char stem[CL_TITLE_MAX];
	int pflags;            /* the flags of the pattern that opened the report */
	int have_access;       /* P_ACCESS: the access line was seen */
	size_t excerpt_len;
	char prev[128];        /* the line before this one (a WARN's message) */
	/*
	 * The first WARNING seen while warnings are not fatal, followed until
	 * its end marker (warn_open) and adopted if panic_on_warn fires.
	 */
	int have_warning, warn_open;
	struct frames wf;
	char warn_frame[CL_FRAME_MAX], warn_module[64];
	char warn_stem[64];
	char warn_excerpt[CL_EXCERPT_MAX / 4];
	size_t warn_excerpt_len;
};

const char *cl_triage_class_name(enum cl_crash_class c)
{
	static const char *const names[] = {
		[CL_CLASS_NONE] = "none", [CL_CLASS_PANIC] = "panic",
		[CL_CLASS_PAGE_FAULT] = "page_fault", [CL_CLASS_NULL_DEREF] = "null_deref",
		[CL_CLASS_GPF] = "general_protection_fault", [CL_CLASS_BUG] = "bug",
		[CL_CLASS_INVALID_OPCODE] = "invalid_opcode",
		[CL_CLASS_DIVIDE_ERROR] = "divide_error", [CL_CLASS_DOUBLE_FAULT] = "double_fault",
		[CL_CLASS_STACK_PROTECTOR] = "stack_protector",
		[CL_CLASS_STACK_OVERFLOW] = "stack_overflow", [CL_CLASS_WARNING] = "warning",
		[CL_CLASS_SOFT_LOCKUP] = "soft_lockup", [CL_CLASS_HARD_LOCKUP] = "hard_lockup",
		[CL_CLASS_RCU_STALL] = "rcu_stall", [CL_CLASS_HUNG_TASK] = "hung_task",
		[CL_CLASS_OOM] = "oom", [CL_CLASS_KASAN] = "kasan", [CL_CLASS_UBSAN] = "ubsan",
		[CL_CLASS_KFENCE] = "kfence", [CL_CLASS_LOCKDEP] = "lockdep",
		[CL_CLASS_KMEMLEAK] = "kmemleak", [CL_CLASS_LIST_CORRUPTION] = "list_corruption",
		[CL_CLASS_REFCOUNT] = "refcount", [CL_CLASS_SCHED_ATOMIC] = "scheduling_while_atomic",
		[CL_CLASS_SLEEP_INVALID] = "sleep_in_atomic", [CL_CLASS_ODEBUG] = "odebug",
		[CL_CLASS_BAD_USERCOPY] = "bad_usercopy", [CL_CLASS_REBOOT] = "unexpected_reboot",
		[CL_CLASS_KMSAN] = "kmsan",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_CLASS_LAST, "class names");

	return (c >= 0 && c < CL_CLASS_LAST) ? names[c] : "unknown";
}

struct cl_triage *cl_triage_new(int fatal_warnings)
{
	struct cl_triage *t = cl_xcalloc(1, sizeof(*t));

	t->fatal_warnings = fatal_warnings;
	return t;
}

void cl_triage_free(struct cl_triage *t)
{
	free(t);
}

const struct cl_triage_result *cl_triage_result(const struct cl_triage *t)
{
	return &t->r;
}

/*
 * Parse "func+0x1a/0x30 [mod]" at @s. The function name is cut at its first
 * '.' (func.cold, func.isra.0, func.constprop.0 are the same function).
 * Returns 1 when a symbol with an offset was found.
 */
static int parse_symbol(const char *s, char *fn, size_t fnlen, char *mod, size_t modlen)
{
	size_t n = 0;
	const char *p = s, *plus;

	while (*p == ' ')
		p++;
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	plus = p;
	while (isalnum((unsigned char)*plus) || *plus == '_' || *plus == '.')
		plus++;
	if (*plus != '+' || strncmp(plus + 1, "0x", 2) != 0)
		return 0;
	while (n + 1 < fnlen && p + n < plus && p[n] != '.') {
		fn[n] = p[n];
		n++;
	}
	fn[n] = '\0';
	mod[0] = '\0';
	p = strchr(plus, ' ');
	if (p && p[1] == '[') {
		const char *end = strchr(p + 2, ']');
		size_t m = end ? (size_t)(end - (p + 2)) : 0;

		if (end && m > 0 && m < modlen) {
			memcpy(mod, p + 2, m);
			mod[m] = '\0';
		}
	}
	return n > 0;
}

/* A printk timestamp "[   12.345678]" at @p: 1 when it is one. */
static int timestamp_at(const char *p)
{
	const char *q = p + 1;

	if (*p != '[')
		return 0;
	while (*q == ' ')
		q++;
	if (!isdigit((unsigned char)*q))
		return 0;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q++ != '.' || !isdigit((unsigned char)*q))
		return 0;
	while (isdigit((unsigned char)*q))
		q++;
	return *q == ']';
}

/*
 * A printk timestamp "[   12.345678]" that is not at the start of the line:
 * user space wrote part of a line to the console (no newline yet; systemd's
 * "[  OK  ] Finished ..." starts with a bracket too) and the kernel's line
 * landed after it. Returns where the kernel's line starts.
 */
static const char *late_timestamp(const char *s)
{
	const char *p;

	for (p = strchr(s + 1, '['); p; p = strchr(p + 1, '['))
		if (timestamp_at(p))
			return p;
	return NULL;
}

/*
 * Strip "[   1.234] ", "[    T1] ", "<4>", "Oops: " and subsystem prefixes,
 * and anything user space wrote before a kernel line on the same line.
 */
static const char *strip_prefixes(const char *s)
{
	size_t i;

	if (!timestamp_at(s) && *s != '<') {
		const char *k = late_timestamp(s);

		if (k)
			s = k;
	}
	for (;;) {
		const char *p = s;

		if (*p == '<' && isdigit((unsigned char)p[1]) && p[2] == '>') {
			s = p + 3;
			continue;
		}
		if (*p == '[') {
			const char *end = strchr(p, ']');

			if (end && end - p < 24) {
				s = end + 1;
				while (*s == ' ')
					s++;
				continue;
			}
		}
		if (strncmp(p, "Oops: ", 6) == 0 && !isdigit((unsigned char)p[6])) {
			s = p + 6;
			continue;
		}
		for (i = 0; line_prefixes[i]; i++)
			if (!strncmp(p, line_prefixes[i], strlen(line_prefixes[i])))
				break;
		if (line_prefixes[i]) {
			s = p + strlen(line_prefixes[i]);
			while (*s == ' ') /* kmemleak indents after its prefix */
				s++;
			continue;
		}
		return s;
	}
}

/* Append @line and a newline to @buf (@size bytes, *@len of them used) if it fits whole. */
static void append_line(char *buf, size_t size, size_t *len, const char *line)
{
	size_t n = strlen(line);

	if (*len + n + 2 >= size)
		return;
	memcpy(buf + *len, line, n);
	*len += n;
	buf[(*len)++] = '\n';
	buf[*len] = '\0';
}

static void excerpt_add(struct cl_triage *t, const char *line)
{
	append_line(t->r.excerpt, sizeof(t->r.excerpt), &t->excerpt_len, line);
}

/* Normalise free text for a title: long hex numbers and decimals go. */
static void normalise(char *out, size_t outlen, const char *in, size_t inlen)
{
	size_t o = 0, i = 0;

	while (i < inlen && in[i] && o + 1 < outlen) {
		if (in[i] == '0' && in[i + 1] == 'x') {
			i += 2;
			while (i < inlen && isxdigit((unsigned char)in[i]))
				i++;
			if (o + 2 < outlen) {
				out[o++] = 'X';
			}
			continue;
		}
		if (isdigit((unsigned char)in[i]) && (o == 0 || !isalpha((unsigned char)out[o - 1]))) {
			while (i < inlen && isdigit((unsigned char)in[i]))
				i++;
			out[o++] = 'N';
			continue;
		}
		out[o++] = in[i++];
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ':' || out[o - 1] == ',' ||
			 out[o - 1] == '.'))
		o--;
	out[o] = '\0';
}

/* Title stem taken from the crash line itself (KASAN, UBSAN, panic, BUG:). */
static void stem_from_line(struct cl_triage *t, const struct pattern *p, const char *s)
{
	const char *start = p->flags & P_SANITIZER ? s + strlen("BUG: ") : s;
	const char *after = s + strlen(p->match), *end;

	if (p->flags & P_PANIC) {
		char reason[CL_TITLE_MAX];

		normalise(reason, sizeof(reason), after, strlen(after));
		if (snprintf(t->stem, sizeof(t->stem), "kernel panic: %s", reason) >= CL_TITLE_MAX)
			t->r.corrupted = 1; /* an overlong reason is cut */
		return;
	}
	end = strstr(after, " in ");
	if (!end) {
		const char *colon = strchr(after, ':');

		end = colon ? colon : start + strlen(start);
	}
	normalise(t->stem, sizeof(t->stem), start, (size_t)(end - start));
	if (p->stem) {
		size_t n = strlen(t->stem);

		snprintf(t->stem + n, sizeof(t->stem) - n, "%s", p->stem);
	}
}

/* First "func+0x../0x.. [mod]" on a line that starts a token. Returns 1 if found. */
static int symbol_on_line(const char *s, char *fn, size_t fnlen, char *mod, size_t modlen)
{
	const char *p;

	for (p = s; *p; p++)
		if ((p == s || p[-1] == ' ' || p[-1] == ':') &&
		    parse_symbol(p, fn, fnlen, mod, modlen))
			return 1;
	return 0;
}

/*
 * Function named on the crash line: "... at file:line func+0x/0x [mod]" or
 * "in: func+0x". A generic one (KASAN's double-free names the allocator's
 * free) leaves the choice to the trace.
 */
static void frame_from_line(struct cl_triage *t, const char *s)
{
	if (symbol_on_line(s, t->r.frame, sizeof(t->r.frame), t->r.module, sizeof(t->r.module)) &&
	    !cl_frames_skip(t->r.cls, t->r.frame))
		t->frame_from_line = 1;
	else
		t->r.frame[0] = t->r.module[0] = '\0';
}

/* A WARNING's stem: "WARNING", unless its message (@prev or @s) names the bug better. */
static void warn_stem(char *out, size_t len, const char *prev, const char *s)
{
	size_t i;

	snprintf(out, len, "WARNING");
	for (i = 0; i < sizeof(warn_stems) / sizeof(warn_stems[0]); i++)
		if (strstr(prev, warn_stems[i].text) || strstr(s, warn_stems[i].text))
			snprintf(out, len, "%s", warn_stems[i].stem);
}

static void end_report(struct cl_triage *t);

static void start_report(struct cl_triage *t, const struct pattern *p, const char *s,
			 const char *raw)
{
	t->r.crashed = 1;
	t->r.cls = t->f.cls = p->cls;
	t->in_report = 1;
	t->report_lines = 0;
	t->pflags = p->flags;
	t->warn_open = 0;
	if (p->flags & P_STEM_LINE)
		stem_from_line(t, p, s);
	else if (p->flags & P_GATED)
		warn_stem(t->stem, sizeof(t->stem), t->prev, s);
	else
		snprintf(t->stem, sizeof(t->stem), "%s", p->stem);
	if ((p->flags & P_IN_TRACE) && t->open.in_trace)
		t->f = t->open; /* the frames already printed are this report's */
	t->f.cls = p->cls;
	if (p->flags & P_STACK_NEXT)
		t->f.in_trace = 1;
	if (p->flags & P_FRAME_LINE)
		frame_from_line(t, s);
	excerpt_add(t, raw);
	if (p->flags & P_NO_FRAME)
		end_report(t);
}

/* The guilty frame by the report's class rules: a kept RIP, the trace's, any RIP. */
static void pick_frame(struct cl_triage *t)
{
	const struct frames *f = &t->f;
	const char *fn = "", *mod = "";

	if (f->have_rip && !cl_frames_skip(f->cls, f->rip_frame)) {
		fn = f->rip_frame;
		mod = f->rip_module;
	} else if (f->have_trace_frame) {
		fn = f->trace_frame;
		mod = f->trace_module;
	} else if (f->have_rip) {
		fn = f->rip_frame;
		mod = f->rip_module;
	}
	snprintf(t->r.frame, sizeof(t->r.frame), "%s", fn);
	snprintf(t->r.module, sizeof(t->r.module), "%s", mod);
}

static void finish_title(struct cl_triage *t)
{
	if (!t->frame_from_line)
		pick_frame(t);
	/*
	 * The guilty frame is built in but the trace passes through an
	 * out-of-tree module: blame that module (the candidate, usually); or
	 * through a BPF program: blame it ("bpf:NAME", the program the kernel
	 * ran, whose subprogram or helper went wrong), never "the kernel".
	 */
	if (!t->r.module[0] && t->f.trace_oot_module[0])
		snprintf(t->r.module, sizeof(t->r.module), "%s", t->f.trace_oot_module);
	if (!t->r.module[0] && t->f.bpf_prog[0])
		snprintf(t->r.module, sizeof(t->r.module), "bpf:%s", t->f.bpf_prog);
	/* a panic's or an OOM's frame is where it was noticed, not the bug: kept out of the title */
	if (t->r.frame[0] && t->r.cls != CL_CLASS_PANIC && t->r.cls != CL_CLASS_OOM) {
		if (snprintf(t->r.title, sizeof(t->r.title), "%s in %s", t->stem, t->r.frame) >=
		    CL_TITLE_MAX)
			t->r.corrupted = 1;
	} else {
		snprintf(t->r.title, sizeof(t->r.title), "%s", t->stem);
	}
}

static void end_report(struct cl_triage *t)
{
	t->in_report = 0;
	t->f.in_trace = 0;
	t->r.complete = 1;
	finish_title(t);
}

static const struct pattern *match_line(const char *s);

/*
 * "Modules linked in: crasher(OE+) pvpanic_mmio pvpanic": remember the
 * out-of-tree ones (taint flag O), the usual suspects when a trace is vague.
 */
static void note_oot_modules(struct cl_triage *t, const char *list)
{
	const char *p = list;

	while (*p) {
		char name[64];
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " (");
		if (n == 0 || n >= sizeof(name))
			break;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (*p == '(') {
			size_t f = strcspn(p, ")");

			if (memchr(p, 'O', f) && strlen(t->oot_modules) + n + 3 < sizeof(t->oot_modules)) {
				if (!t->oot_modules[0])
					strcat(t->oot_modules, " ");
				strcat(t->oot_modules, name);
				strcat(t->oot_modules, " ");
			}
			p += f + (p[f] == ')');
		}
	}
}

static int is_oot(const struct cl_triage *t, const char *mod)
{
	char key[70];

	snprintf(key, sizeof(key), " %s ", mod);
	return strstr(t->oot_modules, key) != NULL;
}

/* A sanitizer report's closing rule: a line of '=' and nothing else. */
static int is_rule(const char *s)
{
	size_t n = strspn(s, "=");

	return n >= 20 && s[n] == '\0';
}

/*
 * Lines only some kinds of report have: KASAN's access type, kmemleak's
 * backtrace, the end of a report without an end marker. Returns 1 when the
 * line was taken (the report may have ended).
 */
static int kind_line(struct cl_triage *t, const char *s)
{
	char fn[CL_FRAME_MAX], mod[64];

	if ((t->pflags & P_END_RULE) && is_rule(s)) {
		end_report(t);
		return 1;
	}
	if ((t->pflags & P_STACK_NEXT) && t->f.in_trace && !*s) {
		t->f.in_trace = 0; /* the stack of the use; an allocation's stack may follow */
		return 1;
	}
	if ((t->pflags & P_ACCESS) && !t->have_access &&
	    (!strncmp(s, "Read of size ", 13) || !strncmp(s, "Write of size ", 14))) {
		size_t n = strlen(t->stem);

		t->have_access = 1;
		snprintf(t->stem + n, sizeof(t->stem) - n, " %s", *s == 'R' ? "Read" : "Write");
		return 1;
	}
	if ((t->pflags & P_BACKTRACE) && !t->f.in_trace && !strncmp(s, "backtrace", 9)) {
		t->f.in_trace = 1; /* "backtrace:", "backtrace (crc 1234abcd):" */
		return 1;
	}
	if ((t->pflags & P_BACKTRACE) && t->f.in_trace && !parse_symbol(s, fn, sizeof(fn), mod, sizeof(mod))) {
		end_report(t);
		return 1;
	}
	/*
	 * lockdep's held locks, " #0: ffff... (&lock){+.+.}-{3:3}, at: f+0x1a/0x40 [m]":
	 * the first taken outside a helper names the frame and ends the
	 * report; with none, the stack that follows (if any) decides.
	 */
	if ((t->pflags & P_LOCK_AT) && !t->frame_from_line && s[0] == '#' &&
	    isdigit((unsigned char)s[1]) && strstr(s, "at: ")) {
		frame_from_line(t, strstr(s, "at: ") + 3);
		if (t->frame_from_line)
			end_report(t);
		return 1;
	}
	if ((t->pflags & P_END_TASK) && !strcmp(s, "</TASK>")) {
		end_report(t);
		return 1;
	}
	return 0;
}

/*
 * Another report starting after this one's RIP: two CPUs printing at once,
 * or a second fault inside the first report. The title stays the first
 * report's; the flag says not to trust the trace too much.
 */
static void note_second_report(struct cl_triage *t, const char *s)
{
	const struct pattern *again;

	if (!t->f.have_rip)
		return;
	again = match_line(s);
	if (again && !(again->flags & P_PANIC))
		t->r.corrupted = 1;
}

/*
 * A JIT-compiled BPF program's frame, "bpf_prog_<tag: 16 hex>_<name>": its
 * name noted, so the last one seen is the outermost (the program the
 * kernel ran; the frames before it are its subprograms and helpers).
 */
static void note_bpf_frame(struct frames *f, const char *fn)
{
	const char *tag = fn + 9, *name = tag + 17;

	if (strncmp(fn, "bpf_prog_", 9) || strlen(fn) < 27 || strspn(tag, "0123456789abcdef") != 16 ||
	    tag[16] != '_')
		return;
	snprintf(f->bpf_prog, sizeof(f->bpf_prog), "%.15s", name);
}

/*
 * "RIP: 0010:func+0x1/0x2 [mod]" (arm64: "pc : func+0x1/0x2 [mod]"): the
 * report's first RIP names the faulting function. Inside a Call Trace (an
 * interrupt's frame: the stalled task under a timer interrupt) the trace
 * goes on after it.
 */
static void rip_line(struct frames *f, const char *s)
{
	char fn[CL_FRAME_MAX], mod[64];
	const char *colon = s[0] == 'p' ? s + 3 : strchr(s + 5, ':');

	if (colon && parse_symbol(colon + 1, fn, sizeof(fn), mod, sizeof(mod))) {
		note_bpf_frame(f, fn);
		snprintf(f->rip_frame, sizeof(f->rip_frame), "%s", fn);
		snprintf(f->rip_module, sizeof(f->rip_module), "%s", mod);
		f->have_rip = 1;
	}
}

/*
 * A Call Trace line: the first reliable frame the class keeps, and the first
 * out-of-tree module. 1 when the line belongs to a trace (a frame, or a
 * marker such as <IRQ>), 0 when it is no trace line at all.
 */
static int trace_line(const struct cl_triage *t, struct frames *f, const char *s)
{
	char fn[CL_FRAME_MAX], mod[64];

	while (*s == ' ')
		s++;
	if (*s == '?' || *s == '<')
		return 1; /* unreliable frame, or <TASK>/<IRQ> marker */
	if (!parse_symbol(s, fn, sizeof(fn), mod, sizeof(mod)))
		return 0;
	note_bpf_frame(f, fn);
	if (mod[0] && !f->trace_oot_module[0] && is_oot(t, mod))
		snprintf(f->trace_oot_module, sizeof(f->trace_oot_module), "%s", mod);
	if (!f->have_trace_frame && !cl_frames_skip(f->cls, fn)) {
		snprintf(f->trace_frame, sizeof(f->trace_frame), "%s", fn);
		snprintf(f->trace_module, sizeof(f->trace_module), "%s", mod);
		f->have_trace_frame = 1;
	}
	return 1;
}

/* The lines every report has: RIP, Call Trace and its frames, modules. Returns 1 if taken. */
static int frames_line(struct cl_triage *t, struct frames *f, const char *s)
{
	if ((strncmp(s, "RIP: ", 5) == 0 || strncmp(s, "pc : ", 5) == 0) && !f->have_rip)
		rip_line(f, s);
	else if (strncmp(s, "Call Trace:", 11) == 0 || strncmp(s, "Call trace:", 11) == 0)
		f->in_trace = 1;
	else if (strncmp(s, "Modules linked in:", 18) == 0)
		note_oot_modules(t, s + 18);
	else if (f->in_trace)
		trace_line(t, f, s);
	else
		return 0;
	return 1;
}

static int is_end_marker(const char *s)
{
	return strncmp(s, "---[ end trace", 14) == 0 || strncmp(s, "---[ end Kernel panic", 21) == 0;
}

/* Inside a report: RIP, Call Trace frames, end markers. */
static void report_line(struct cl_triage *t, const char *s, const char *raw)
{
	excerpt_add(t, raw);
	note_second_report(t, s);
	if (++t->report_lines > REPORT_MAX_LINES) {
		t->r.corrupted = 1;
		end_report(t);
		return;
	}
	if (kind_line(t, s))
		return;
	if (is_end_marker(s))
		end_report(t);
	else
		frames_line(t, &t->f, s);
}

static const struct pattern *match_line(const char *s)
{
	size_t i;

	/* the first byte first: every line of the console meets every row */
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		const struct pattern *p = &patterns[i];

		if (s[0] == p->match[0] && !strncmp(s, p->match, strlen(p->match)) &&
		    (!p->also || strstr(s, p->also)))
			return p;
	}
	return NULL;
}

/* The first WARNING while warnings are not fatal: noted and followed, not (yet) a crash. */
static void warning_note(struct cl_triage *t, const char *s, const char *raw)
{
	if (t->have_warning) {
		t->warn_open = 0; /* a second one: the first's stack is over */
		return;
	}
	t->have_warning = t->warn_open = 1;
	memset(&t->wf, 0, sizeof(t->wf));
	t->wf.cls = CL_CLASS_WARNING;
	if (!symbol_on_line(s, t->warn_frame, sizeof(t->warn_frame), t->warn_module,
			    sizeof(t->warn_module)))
		t->warn_frame[0] = t->warn_module[0] = '\0';
	warn_stem(t->warn_stem, sizeof(t->warn_stem), t->prev, s);
	append_line(t->warn_excerpt, sizeof(t->warn_excerpt), &t->warn_excerpt_len, raw);
}

/* A line of the followed WARNING: its RIP and trace, until its end marker. */
static void warning_line(struct cl_triage *t, const char *s, const char *raw)
{
	append_line(t->warn_excerpt, sizeof(t->warn_excerpt), &t->warn_excerpt_len, raw);
	if (is_end_marker(s))
		t->warn_open = 0;
	else
		frames_line(t, &t->wf, s);
}

/* panic_on_warn fired: the followed WARNING becomes the report. */
static void warning_adopt(struct cl_triage *t)
{
	t->r.crashed = 1;
	t->r.cls = CL_CLASS_WARNING;
	snprintf(t->stem, sizeof(t->stem), "%s", t->warn_stem);
	t->f = t->wf;
	t->warn_open = 0;
	snprintf(t->r.frame, sizeof(t->r.frame), "%s", t->warn_frame);
	snprintf(t->r.module, sizeof(t->r.module), "%s", t->warn_module);
	t->frame_from_line = t->r.frame[0] && !cl_frames_skip(CL_CLASS_WARNING, t->r.frame);
	snprintf(t->r.excerpt, sizeof(t->r.excerpt), "%s", t->warn_excerpt);
	t->excerpt_len = strlen(t->r.excerpt);
}

/* Inside the first report: its lines, or the panic that ends it. */
static void in_report_line(struct cl_triage *t, const char *s, const char *raw)
{
	if (strncmp(s, "Kernel panic - not syncing", 26) == 0) {
		excerpt_add(t, raw);
		/*
		 * A report whose stack has not come yet (scheduling while
		 * atomic under panic_on_warn): the panic's own trace is it,
		 * and "---[ end Kernel panic" ends the report.
		 */
		if (t->f.have_rip || t->f.have_trace_frame || t->frame_from_line)
			end_report(t);
		return;
	}
	report_line(t, s, raw);
}

/* Before any report: follow the stack dump being printed (a dump_stack()). */
static void open_trace_line(struct cl_triage *t, const char *s)
{
	if (!strncmp(s, "Call Trace:", 11) || !strncmp(s, "Call trace:", 11)) {
		memset(&t->open, 0, sizeof(t->open));
		t->open.cls = CL_CLASS_WARNING;
		t->open.in_trace = 1;
	} else if (t->open.in_trace) {
		/* it ends at </TASK>, or (arm64, older x86, lost lines) at any other line */
		if (!strcmp(s + strspn(s, " "), "</TASK>") || !trace_line(t, &t->open, s))
			t->open.in_trace = 0;
	}
}

/* A line before the first report ended: it may start one. */
static void triage_line(struct cl_triage *t, const char *s, const char *raw)
{
	const struct pattern *p;

	if (t->in_report) {
		in_report_line(t, s, raw);
		return;
	}
	p = match_line(s);
	if (!p) {
		if (t->warn_open)
			warning_line(t, s, raw);
		open_trace_line(t, s);
		return;
	}
	if ((p->flags & P_GATED) && !t->fatal_warnings) {
		warning_note(t, s, raw);
		return;
	}
	if ((p->flags & P_PANIC) && t->have_warning && strstr(s, "panic_on_warn")) {
		warning_adopt(t);
		excerpt_add(t, raw);
		end_report(t);
		return;
	}
	start_report(t, p, s, raw);
	if (p->flags & P_PANIC) {
		/* the panic line opens a report of its own; its stack follows */
		t->r.panicked = 1;
	}
}

/* The kernel's own words before it restarts, halts or kexecs: a reset after them was asked for. */
static int orderly_restart(const char *s)
{
	static const char *const lines[] = { "reboot: Restarting system", "reboot: Power down",
					     "reboot: System halted", "Restarting system",
					     "kexec_core: Starting new kernel" };

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strncmp(s, lines[i], strlen(lines[i])))
			return 1;
	return 0;
}

static const struct pattern unexpected_reboot = {
	"Linux version ", NULL, CL_CLASS_REBOOT, "unexpected kernel reboot", P_NO_FRAME
};

int cl_triage_reset(struct cl_triage *t)
{
	char last[sizeof(t->prev) + 32];

	if (t->r.crashed || t->r.restarting || t->in_report)
		return 0;
	snprintf(last, sizeof(last), "(reset after: %s)", t->prev[0] ? t->prev : "no line");
	start_report(t, &unexpected_reboot, last, last);
	return 1;
}

void cl_triage_expect_reset(struct cl_triage *t)
{
	t->r.restarting = 1;
}

static void handle_line(struct cl_triage *t, char *raw)
{
	const char *s;
	size_t n;

	cl_sanitize(raw);
	s = strip_prefixes(raw);
	t->r.lines++;
	if (strncmp(s, "Linux version ", 14) == 0) {
		/* one banner per boot: the boot count libvirt events cannot give */
		if (t->r.boots++ > 0 && cl_triage_reset(t))
			excerpt_add(t, raw);
		t->r.restarting = 0;
		t->open.in_trace = 0; /* a new kernel: no dump of the last one is open */
	}
	if (orderly_restart(s))
		t->r.restarting = 1;
	if (strncmp(s, "Kernel panic - not syncing", 26) == 0)
		t->r.panicked = 1;
	if (t->r.complete)
		return;
	triage_line(t, s, raw);
	n = strnlen(s, sizeof(t->prev) - 1);
	memcpy(t->prev, s, n);
	t->prev[n] = '\0';
}

void cl_triage_feed(struct cl_triage *t, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			t->line[t->len] = '\0';
			if (t->overflow && t->in_report)
				t->r.corrupted = 1;
			handle_line(t, t->line);
			t->len = 0;
			t->overflow = 0;
			continue;
		}
		if (c == '\r')
			continue;
		if (c == '\0')
			c = '?';
		if (t->len + 1 < sizeof(t->line))
			t->line[t->len++] = c;
		else
			t->overflow = 1;
	}
}

void cl_triage_finish(struct cl_triage *t)
{
	if (t->len > 0) {
		t->line[t->len] = '\0';
		handle_line(t, t->line);
		t->len = 0;
	}
	if (t->in_report) {
		/*
		 * The stream ended inside a report. That is the normal end when
		 * the guest is stopped at its panic; the report is only corrupt
		 * if it never got as far as a RIP or a Call Trace.
		 */
		if (!t->f.have_rip && !t->f.in_trace && !t->f.have_trace_frame && !t->frame_from_line)
			t->r.corrupted = 1;
		finish_title(t);
		t->in_report = 0;
	}
	if (t->r.crashed && !t->r.frame[0] && t->r.cls != CL_CLASS_PANIC &&
	    t->r.cls != CL_CLASS_OOM && !(t->pflags & P_NO_FRAME))
		t->r.corrupted = 1;
}

json_t *cl_triage_json(const struct cl_triage_result *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "crashed", json_boolean(r->crashed));
	json_object_set_new(j, "class", json_string(cl_triage_class_name(r->cls)));
	json_object_set_new(j, "title", r->crashed ? json_string(r->title) : json_null());
	json_object_set_new(j, "frame", r->frame[0] ? json_string(r->frame) : json_null());
	json_object_set_new(j, "module", r->module[0] ? json_string(r->module) : json_null());
	json_object_set_new(j, "corrupted", json_boolean(r->corrupted));
	return j;
}
