/*
 * cl_verdict.c - the verdict rules (see cl_verdict.h), over the evidence
 * cl_evidence.c gathered. The order of the rules is the policy: a crash
 * outranks everything (it is the loudest positive evidence), then boot
 * loops, infrastructure errors, install failures, hangs; only a cell with
 * nothing wrong and every piece of positive evidence present passes.
 */
#include "cl_verdict.h"
#include "cl_bpf.h"
#include "cl_bugcheck.h"
#include "cl_evidence.h"
#include "cl_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cl_verdict_name(enum cl_verdict v)
{
	static const char *const names[] = {
		[CL_V_PASS] = "pass",
		[CL_V_CRASH] = "crash",
		[CL_V_BOOT_LOOP] = "boot_loop",
		[CL_V_HANG] = "hang",
		[CL_V_INSTALL_FAILED] = "install_failed",
		[CL_V_WORKLOAD_FAILED] = "workload_failed",
		[CL_V_DEGRADED] = "degraded",
		[CL_V_INFRA_ERROR] = "infra_error",
		[CL_V_NOT_RUN] = "not_run",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_V_LAST, "verdict names");

	return (v >= 0 && v < CL_V_LAST) ? names[v] : "unknown";
}

int cl_verdict_parse(const char *name)
{
	int v;

	for (v = 0; name && v < CL_V_LAST; v++)
		if (!strcmp(cl_verdict_name((enum cl_verdict)v), name))
			return v;
	return -1;
}

int cl_verdict_is_failure(enum cl_verdict v)
{
	return v != CL_V_PASS && v != CL_V_INFRA_ERROR && v != CL_V_NOT_RUN;
}

const char *cl_verdict_mutant_outcome(const struct cl_evidence *ev, int i, enum cl_verdict cell)
{
	static const char *const names[] = { "not_run", "incomplete", "refused", "incomplete",
					     "survived" };
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_MUT_LAST, "mutant states");

	if (i + 1 == ev->mutant_last && cl_evidence_mutant_at_fault(ev) && cl_verdict_is_failure(cell))
		return cl_verdict_name(cell);
	return names[ev->mutants[i].state];
}


/* Every boot that reached ready must have reported the manifest's digest. */
static int check_boot_digests(struct cl_decision *out, const struct cl_evidence *ev,
			      const struct cl_content_spec *cs)
{
	int i, n = cl_evidence_timeline_len(ev);

	if (n < 2)
		return 0; /* one boot: the last STATUS is that boot's */
	for (i = 0; i < n; i++) {
		const struct cl_boot *b = &ev->timeline[i];

		if (b->stage < CL_STAGE_READY || !strcmp(b->digest, cs->sha256))
			continue;
		out->verdict = CL_V_INSTALL_FAILED;
		if (!b->digest[0])
			snprintf(out->title, sizeof(out->title),
				 "boot %d: sensor did not report the digest of content %.64s", i + 1,
				 cs->name);
		else
			snprintf(out->title, sizeof(out->title),
				 "boot %d: sensor loaded content sha256 %.64s, manifest says %.64s", i + 1,
				 b->digest, cs->sha256);
		return 1;
	}
	return 0;
}

/*
 * The content the candidate must report now: the last live update applied
 * for that key, or else the boot content.
 */
static int expected_now(const struct cl_evidence *ev, const struct cl_candidate *cand, int i)
{
	const struct cl_content_spec *cs = &cand->content[i], *up;

	if (!cs->reported_as)
		return 0;
	if (ev->last_update > 0 && ev->last_update <= cand->ncontent) {
		up = &cand->content[ev->last_update - 1];
		if (up->reported_as && !strcmp(up->reported_as, cs->reported_as))
			return up == cs;
	}
	return !cs->update_via;
}

/* When the candidate reports coverage: every criterion and field its running
 * content holds evaluated at least once. 1 with the verdict when not. */
static int decide_coverage(struct cl_decision *out, const struct cl_evidence *ev)
{
	uint64_t fields = ev->fields_needed & ~ev->fields_evaluated;

	if (!ev->cov_reported)
		return 0;
	out->verdict = CL_V_WORKLOAD_FAILED;
	if (ev->ncov != ev->cov_expected) {
		snprintf(out->title, sizeof(out->title), "coverage: the candidate reported %d of %d instances",
			 ev->ncov, ev->cov_expected);
		return 1;
	}
	for (int i = 0; i < ev->ncov; i++) {
		uint32_t missed = ev->cov[i].needed & ~ev->cov[i].evaluated;

		if (missed) {
			snprintf(out->title, sizeof(out->title),
				 "coverage: instance %u: criterion %d never evaluated", ev->cov[i].id,
				 __builtin_ctz(missed) + 1);
			return 1;
		}
	}
	if (fields) {
		snprintf(out->title, sizeof(out->title), "coverage: input field %d never evaluated",
			 __builtin_ctzll(fields) + 1);
		return 1;
	}
	out->verdict = CL_V_PASS;
	return 0;
}

/* The evidence command ran to the end, and every condition holds. 1 with the verdict when not. */
static int decide_evidence(struct cl_decision *out, const struct cl_evidence *ev,
			   const struct cl_candidate *cand)
{
	out->verdict = CL_V_WORKLOAD_FAILED;
	if (cand->evidence_argv[0] && !ev->evid_done) {
		snprintf(out->title, sizeof(out->title), "evidence command %.64s never reported",
			 cand->evidence_argv[0]);
		return 1;
	}
	if (cand->evidence_argv[0] && ev->evid_rc != 0) {
		snprintf(out->title, sizeof(out->title), ev->evid_rc == 124
			 ? "evidence command %.64s ran past its %d s" : "evidence command %.64s exited %d",
			 cand->evidence_argv[0], ev->evid_rc == 124 ? cand->evidence_timeout_s : ev->evid_rc);
		return 1;
	}
	for (int i = 0; i < cand->nrequire; i++) {
		const struct cl_require *r = &cand->require[i];
		const char *v = cl_evidence_value(ev, r->key);

		if (cl_evidence_require_holds(r, ev))
			continue;
		if (r->op == CL_REQ_EQUALS_DIGEST)
			out->verdict = CL_V_INSTALL_FAILED;
		if (!v)
			snprintf(out->title, sizeof(out->title), "evidence %.48s missing", r->key);
		else if (r->op == CL_REQ_AT_LEAST)
			snprintf(out->title, sizeof(out->title), "evidence %.48s is %.40s, needs at least %lld",
				 r->key, v, r->at_least);
		else
			snprintf(out->title, sizeof(out->title), "evidence %.48s is %.64s, not %.64s%s%.64s",
				 r->key, v, r->equals, r->op == CL_REQ_EQUALS_DIGEST ? ", the sha256 of " : "",
				 r->op == CL_REQ_EQUALS_DIGEST ? cand->content[r->content].name : "");
		return 1;
	}
	out->verdict = CL_V_PASS;
	return 0;
}

/* Every content the candidate must run now reported with the manifest's digest, in every boot. */
static int decide_content(struct cl_decision *out, const struct cl_evidence *ev,
			  const struct cl_candidate *cand)
{
	for (int i = 0; i < cand->ncontent; i++) {
		const struct cl_content_spec *cs = &cand->content[i];
		const char *got;

		if (!expected_now(ev, cand, i))
			continue;
		got = cl_evidence_status(ev, cs->reported_as);
		if (!got)
			return cl_decision_set(out, CL_V_INSTALL_FAILED,
				      "sensor did not report the digest of content %.64s", cs->name);
		if (strcmp(got, cs->sha256) != 0)
			return cl_decision_set(out, CL_V_INSTALL_FAILED,
				      "sensor loaded content sha256 %.64s, manifest says %.64s", got,
				      cs->sha256);
		if (!ev->updates && check_boot_digests(out, ev, cs))
			return 1;
	}
	return 0;
}

/* --mutants: each one refused, or accepted and survived. */
static int decide_mutants(struct cl_decision *out, const struct cl_evidence *ev)
{
	for (int i = 0; i < ev->nmutants; i++) {
		const struct cl_mutant_result *m = &ev->mutants[i];

		if (m->state == CL_MUT_REFUSED || m->state == CL_MUT_SURVIVED)
			continue;
		return cl_decision_set(out, CL_V_WORKLOAD_FAILED, "mutant %.96s: %s", m->name,
			      m->state == CL_MUT_NOT_RUN ? "never installed"
							 : "no word after it was installed");
	}
	return 0;
}

/* Every counter the candidate names moved during the workload. */
static int decide_counters(struct cl_decision *out, const struct cl_evidence *ev,
			   const struct cl_candidate *cand)
{
	for (int i = 0; i < cand->ncounters; i++) {
		const char *v = cl_evidence_status(ev, cand->counters[i]);

		if (!v || strtoll(v, NULL, 10) <= 0)
			return cl_decision_set(out, CL_V_WORKLOAD_FAILED,
				      "sensor counter %.48s is %.32s after the workload",
				      cand->counters[i], v ? v : "missing");
	}
	return 0;
}

/* The plan ran to its end: the positive evidence decides between pass and a failure. */
static void decide_pass_or_not(struct cl_decision *out, const struct cl_evidence *ev,
			       const struct cl_candidate *cand)
{
	if (cl_bpf_decide(out, ev, cand) || decide_content(out, ev, cand) ||
	    decide_mutants(out, ev) || decide_coverage(out, ev) || decide_counters(out, ev, cand))
		return;
	if (ev->workload_errors > 0 || ev->workload_steps == 0) {
		cl_decision_set(out, CL_V_WORKLOAD_FAILED, "workload: %d steps, %d errors", ev->workload_steps,
		       ev->workload_errors);
		return;
	}
	if (decide_evidence(out, ev, cand))
		return;
	if (cand->bpf.present)
		cl_decision_set(out, CL_V_PASS, "%d BPF program%s attached and ran in the workload; %d "
		       "evidence condition%s held", cand->bpf.nprogs, cand->bpf.nprogs == 1 ? "" : "s",
		       cand->nrequire + cand->ncounters, cand->nrequire + cand->ncounters == 1 ? "" : "s");
	else if (cand->ncounters > 0)
		cl_decision_set(out, CL_V_PASS, "sensor loaded the manifest's content and saw the workload");
	else
		cl_decision_set(out, CL_V_PASS,
		       "candidate loaded; its evidence held after the workload (%d condition%s)",
		       cand->nrequire, cand->nrequire == 1 ? "" : "s");
}

/* K crashed boots in a row, or more boots than the scenario allows. */
static int decide_boot_loop(struct cl_decision *out, const struct cl_evidence *ev,
			    const struct cl_triage_result *tr, int max_boots)
{
	if (ev->boot_loop) {
		out->verdict = CL_V_BOOT_LOOP;
		snprintf(out->title, sizeof(out->title), "boot loop: %.200s (%d boots crashed before ready)",
			 tr->crashed ? tr->title : "guest panicked", ev->boot_loop);
		return 1;
	}
	/* one reset the kernel did not ask for is a crash of its own, not a loop */
	if (ev->boots <= max_boots || (ev->reset_stopped && tr->crashed &&
				       tr->cls == CL_CLASS_REBOOT && ev->boots <= max_boots + 1))
		return 0;
	out->verdict = CL_V_BOOT_LOOP;
	if (tr->crashed)
		snprintf(out->title, sizeof(out->title), "boot loop: %.200s (%d boots)", tr->title,
			 ev->boots);
	else
		snprintf(out->title, sizeof(out->title), "boot loop: %d boots, at most %d expected",
			 ev->boots, max_boots);
	return 1;
}

static void decide_hang(struct cl_decision *out, const struct cl_evidence *ev)
{
	static const char *const what[] = {
		[CL_TIMEOUT_NONE] = "", [CL_TIMEOUT_BOOT] = "agent not ready",
		[CL_TIMEOUT_HEARTBEAT] = "agent silent",
		[CL_TIMEOUT_STEP] = "plan step stuck (heartbeat still going)",
		[CL_TIMEOUT_TOTAL] = "cell not finished",
	};
	_Static_assert(sizeof(what) / sizeof(what[0]) == CL_TIMEOUT_LAST, "timeouts");

	out->verdict = CL_V_HANG;
	snprintf(out->title, sizeof(out->title), "hang: %s after %d s%s", what[ev->timeout],
		 ev->timeout_s, ev->loaded ? " (candidate loaded)" : "");
}

/* The guest crashed: a boot loop, a console report, a bugcheck or a pvpanic event alone. */
static int decide_crash(struct cl_decision *out, const struct cl_evidence *ev,
			const struct cl_triage_result *tr, int max_boots)
{
	if (decide_boot_loop(out, ev, tr, max_boots))
		return 1;
	if (tr->crashed)
		return cl_decision_set(out, CL_V_CRASH, "%s", tr->title[0] ? tr->title : "kernel crash");
	if (ev->bugcheck) {
		struct cl_bugcheck b = { .code = ev->bugcheck_code };

		cl_bugcheck_describe(&b);
		return cl_decision_set(out, CL_V_CRASH, "%s", b.title);
	}
	if (ev->panic_event)
		return cl_decision_set(out, CL_V_CRASH, "guest panicked (pvpanic event, no console report)");
	return 0;
}

/* The candidate's start command failed: the program the verifier refused, and why. */
static int decide_start_failed(struct cl_decision *out, const struct cl_evidence *ev)
{
	char prog[64], why[200];

	if (cl_bpf_start_reason(&ev->bpf, prog, sizeof(prog), why, sizeof(why)))
		return cl_decision_set(out, CL_V_INSTALL_FAILED, "candidate did not start (%s)",
			      strchr(ev->install_error, ' ') ? strchr(ev->install_error, ' ') + 1
							     : "no status");
	if (prog[0])
		return cl_decision_set(out, CL_V_INSTALL_FAILED, "bpf program %s refused: %s", prog, why);
	return cl_decision_set(out, CL_V_INSTALL_FAILED, "candidate did not start: %s", why);
}

/* The candidate never ran: stopped, an infrastructure error, it did not build or did not load. */
static int decide_not_started(struct cl_decision *out, const struct cl_evidence *ev)
{
	if (ev->interrupted)
		return cl_decision_set(out, CL_V_NOT_RUN, "not run: stopped before the cell finished");
	if (ev->infra)
		return cl_decision_set(out, CL_V_INFRA_ERROR, "%s",
			      ev->infra_msg[0] ? ev->infra_msg : "infrastructure error");
	if (ev->build_failed)
		return cl_decision_set(out, CL_V_INSTALL_FAILED, "%s",
			      ev->build_error[0] ? ev->build_error : "candidate module did not build");
	if (ev->install_failed && !strncmp(ev->install_error, "what=start", 10))
		return decide_start_failed(out, ev);
	if (ev->install_failed)
		return cl_decision_set(out, CL_V_INSTALL_FAILED, "%s: %s",
			      strncmp(ev->install_error, "what=update", 11) ? "candidate did not load"
									    : "live content update not applied",
			      ev->install_error);
	return 0;
}

/* The plan did not run to its end: a timeout, no agent, the real content not back, no DONE. */
static int decide_unfinished(struct cl_decision *out, const struct cl_evidence *ev)
{
	if (ev->timeout != CL_TIMEOUT_NONE) {
		decide_hang(out, ev);
		return 1;
	}
	if (!ev->ready)
		return cl_decision_set(out, CL_V_INFRA_ERROR, "guest stopped before the agent was ready");
	if (ev->restore_seen && ev->restore_rc != 0)
		return cl_decision_set(out, CL_V_WORKLOAD_FAILED,
			      "the module did not load its real content again after the mutants (rc=%d)",
			      ev->restore_rc);
	if (!ev->done)
		return cl_decision_set(out, CL_V_WORKLOAD_FAILED, "agent %s before finishing the plan",
			      ev->aborted ? "aborted" : "stopped");
	return 0;
}

/* The rules in the order of the policy (see the top of this file). */
static void decide(struct cl_decision *out, const struct cl_evidence *ev,
		   const struct cl_triage_result *tr, const struct cl_candidate *cand, int max_boots)
{
	if (decide_crash(out, ev, tr, max_boots) || decide_not_started(out, ev) ||
	    decide_unfinished(out, ev))
		return;
	decide_pass_or_not(out, ev, cand);
}

void cl_verdict_decide(struct cl_decision *out, const struct cl_evidence *ev,
		       const struct cl_triage_result *tr, const struct cl_candidate *cand,
		       int max_boots)
{
	const char *mutant = cl_evidence_mutant_at_fault(ev);
	size_t n;

	memset(out, 0, sizeof(*out));
	decide(out, ev, tr, cand, max_boots);
	/* the same crash with another mutant installed is another failure */
	n = strlen(out->title);
	if (mutant && cl_verdict_is_failure(out->verdict) && strncmp(out->title, "mutant ", 7) &&
	    n < sizeof(out->title) - 16)
		snprintf(out->title + n, sizeof(out->title) - n, " [mutant %s]", mutant);
}
