/*
 * cl_decision.h - what a verdict rule decides: the verdict and its title.
 * The rules live in cl_verdict.c and, for BPF candidates, cl_bpf.c.
 */
#ifndef CL_DECISION_H
#define CL_DECISION_H

enum cl_verdict {
	CL_V_PASS = 0,
	CL_V_CRASH,           /* panic, oops, BUG: product failure */
	CL_V_BOOT_LOOP,       /* the guest kept rebooting */
	CL_V_HANG,            /* agent silent past a limit */
	CL_V_INSTALL_FAILED,  /* module not built/loaded, or wrong content loaded */
	CL_V_WORKLOAD_FAILED, /* sensor loaded but saw nothing, or workload errors */
	CL_V_DEGRADED,        /* loaded, but a BPF program it names is not there, not
			       * attached or never ran: blind where it claims to see */
	CL_V_INFRA_ERROR,     /* qemu/libvirt/image trouble: not the product's fault */
	CL_V_NOT_RUN,         /* stopped (Ctrl-C, SIGTERM, a failed ring) before it finished */
	CL_V_LAST
};

struct cl_decision {
	enum cl_verdict verdict;
	char title[320];
};

/* Decide @out: @v, with its title from @fmt. Returns 1, for the rule that decided to return. */
int cl_decision_set(struct cl_decision *out, enum cl_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
