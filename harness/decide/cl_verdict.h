/*
 * cl_verdict.h - the verdict one cell's evidence supports.
 *
 * cl_verdict_decide() is a pure function of the evidence (cl_evidence.h),
 * the console triage and the candidate: fail closed, a cell passes only on
 * positive evidence from inside the guest (agent ready, the sensor reports
 * the manifest's content digest, every declared counter non-zero, the
 * workload done without errors). Silence, timeouts and infrastructure
 * trouble are never a pass.
 */
#ifndef CL_VERDICT_H
#define CL_VERDICT_H

#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_triage.h"

enum cl_verdict {
	CL_V_PASS = 0,
	CL_V_CRASH,           /* panic, oops, BUG: product failure */
	CL_V_BOOT_LOOP,       /* the guest kept rebooting */
	CL_V_HANG,            /* agent silent past a limit */
	CL_V_INSTALL_FAILED,  /* module not built/loaded, or wrong content loaded */
	CL_V_WORKLOAD_FAILED, /* sensor loaded but saw nothing, or workload errors */
	CL_V_INFRA_ERROR,     /* qemu/libvirt/image trouble: not the product's fault */
	CL_V_NOT_RUN,         /* stopped (Ctrl-C, SIGTERM, a failed ring) before it finished */
	CL_V_LAST
};

struct cl_decision {
	enum cl_verdict verdict;
	char title[320];
};

void cl_verdict_decide(struct cl_decision *out, const struct cl_evidence *ev,
		       const struct cl_triage_result *tr, const struct cl_candidate *cand,
		       int max_boots);

const char *cl_verdict_name(enum cl_verdict v);
/* The verdict a name stands for (reports being merged); -1 when none. */
int cl_verdict_parse(const char *name);
/* 1 for verdicts that are the candidate's fault (exit code 1). */
int cl_verdict_is_failure(enum cl_verdict v);
/* Mutant @i of @ev as the report names its outcome: "refused", "survived",
 * "not_run"; for one without its final word, the cell's verdict @cell when
 * it is the one at fault, else "incomplete". */
const char *cl_verdict_mutant_outcome(const struct cl_evidence *ev, int i, enum cl_verdict cell);

#endif
