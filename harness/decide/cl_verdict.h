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
#include "cl_decision.h"
#include "cl_evidence.h"
#include "cl_triage.h"

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
