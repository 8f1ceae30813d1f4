/*
 * cl_verdict.c - agent-line parsing and the verdict rules (see cl_verdict.h).
 * The order of the rules is the policy: a crash outranks everything (it is
 * the loudest positive evidence), then boot loops, infrastructure errors,
 * install failures, hangs; only a cell with nothing wrong and every piece
 * of positive evidence present passes.
 */
#include "cl_verdict.h"
#include "cl_token.h"
#include "cl_bugcheck.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <stdarg.h>
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

const char *cl_stage_name(enum cl_stage s)
{
	static const char *const names[] = {
		[CL_STAGE_FIRMWARE] = "firmware", [CL_STAGE_KERNEL] = "kernel",
		[CL_STAGE_INIT] = "init", [CL_STAGE_READY] = "ready",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_STAGE_LAST, "stage names");

	return (s >= 0 && s < CL_STAGE_LAST) ? names[s] : "unknown";
}

const char *cl_boot_end_name(enum cl_boot_end e)
{
	static const char *const names[] = {
		[CL_END_RUNNING] = "running", [CL_END_CRASH] = "crash", [CL_END_REBOOT] = "reboot",
		[CL_END_POWEROFF] = "poweroff", [CL_END_STOPPED] = "stopped",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_END_LAST, "boot end names");

	return (e >= 0 && e < CL_END_LAST) ? names[e] : "unknown";
}

int cl_evidence_timeline_len(const struct cl_evidence *ev)
{
	return ev->boots < CL_MAX_TIMELINE ? ev->boots : CL_MAX_TIMELINE;
}

int cl_verdict_is_failure(enum cl_verdict v)
{
	return v != CL_V_PASS && v != CL_V_INFRA_ERROR && v != CL_V_NOT_RUN;
}

/* Value of key=... in a space-separated line, copied into out. */
static int kv(const char *line, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " ");

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return 1;
		}
		p += klen;
	}
	return 0;
}

static long kv_long(const char *line, const char *key, long dflt)
{
	char buf[32], *end;
	long v;

	if (!kv(line, key, buf, sizeof(buf)))
		return dflt;
	v = strtol(buf, &end, 10);
	return (*end || end == buf) ? dflt : v;
}

static void set_status(struct cl_evidence *ev, const char *kvpair)
{
	const char *eq = strchr(kvpair, '=');
	size_t klen;
	int i;

	if (!eq || eq == kvpair)
		return;
	klen = (size_t)(eq - kvpair);
	if (klen >= sizeof(ev->status_key[0]))
		return;
	for (i = 0; i < ev->nstatus; i++)
		if (strlen(ev->status_key[i]) == klen && !strncmp(ev->status_key[i], kvpair, klen))
			break;
	if (i == ev->nstatus) {
		if (ev->nstatus == CL_MAX_STATUS)
			return;
		ev->nstatus++;
		memcpy(ev->status_key[i], kvpair, klen);
		ev->status_key[i][klen] = '\0';
	}
	snprintf(ev->status_value[i], sizeof(ev->status_value[i]), "%s", eq + 1);
}

void cl_evidence_expect_mutant(struct cl_evidence *ev, const char *name)
{
	if (ev->nmutants < CL_MAX_MUTANT_RESULTS)
		snprintf(ev->mutants[ev->nmutants++].name, CL_MUTANT_NAME_MAX, "%s", name);
}

/* "MUTANT name=N phase=install" / "result=refused|accepted|survived": a
 * mutant the plan named moves on; -1 (a bad line) for any other. */
static int mutant_line(struct cl_evidence *ev, const char *line)
{
	char name[CL_MUTANT_NAME_MAX], res[16] = "";
	int i;

	if (!kv(line, "name", name, sizeof(name)))
		return ev->bad_lines++, -1;
	for (i = 0; i < ev->nmutants && strcmp(ev->mutants[i].name, name); i++)
		;
	if (i == ev->nmutants)
		return ev->bad_lines++, -1;
	if (kv(line, "phase", res, sizeof(res)) && !strcmp(res, "install")) {
		ev->mutants[i].state = CL_MUT_INSTALLING;
		ev->mutant_last = i + 1;
	} else if (!kv(line, "result", res, sizeof(res))) {
		return ev->bad_lines++, -1;
	} else if (!strcmp(res, "refused") && ev->mutants[i].state == CL_MUT_INSTALLING) {
		ev->mutants[i].state = CL_MUT_REFUSED;
	} else if (!strcmp(res, "accepted") && ev->mutants[i].state == CL_MUT_INSTALLING) {
		ev->mutants[i].state = CL_MUT_ACCEPTED;
	} else if (!strcmp(res, "survived") && ev->mutants[i].state == CL_MUT_ACCEPTED) {
		ev->mutants[i].state = CL_MUT_SURVIVED;
	}
	return 0; /* "survived" after a refusal: the IPC ran, the refusal stands */
}

static int hex32(const char *line, const char *key, uint32_t *out)
{
	char buf[24], *end;
	unsigned long v;

	if (!kv(line, key, buf, sizeof(buf)))
		return 0;
	v = strtoul(buf, &end, 16);
	*out = (uint32_t)v;
	return !*end && end != buf && v <= 0xffffffffu;
}

/* "instances=N" (a new report begins), "instance=ID evaluated=E needed=N",
 * "fields evaluated=E needed=N" (hex masks); -1 (a bad line) for any other. */
static int coverage_line(struct cl_evidence *ev, const char *rest)
{
	struct cl_instance_cov c;
	long n;

	ev->cov_reported = 1;
	if (!strncmp(rest, "instances=", 10)) {
		n = kv_long(rest, "instances", -1);
		if (n < 0 || n > CL_MAX_COV_INSTANCES)
			return ev->bad_lines++, -1;
		ev->ncov = 0;
		ev->cov_expected = (int)n;
		ev->fields_evaluated = ev->fields_needed = 0;
	} else if (!strncmp(rest, "fields ", 7)) {
		char e[24], d[24];

		if (!kv(rest, "evaluated", e, sizeof(e)) || !kv(rest, "needed", d, sizeof(d)))
			return ev->bad_lines++, -1;
		ev->fields_evaluated = strtoull(e, NULL, 16);
		ev->fields_needed = strtoull(d, NULL, 16);
	} else if (hex32(rest, "evaluated", &c.evaluated) && hex32(rest, "needed", &c.needed) &&
		   (n = kv_long(rest, "instance", -1)) >= 0 && n <= 0xffffffffL &&
		   ev->ncov < ev->cov_expected) {
		c.id = (uint32_t)n;
		ev->cov[ev->ncov++] = c;
	} else {
		return ev->bad_lines++, -1;
	}
	return 0;
}

/* "CL WORKLOAD op=... step=wN generated=... seen.KEY=N ...": a scenario step's figures. */
static void work_line(struct cl_evidence *ev, const char *line)
{
	struct cl_work_step *w = &ev->work[ev->nwork];
	char label[16] = "", secs[24] = "";
	const char *p = line;

	if (!kv(line, "step", label, sizeof(label)) || label[0] != 'w' ||
	    ev->nwork == CL_MAX_WORK_STEPS)
		return; /* coverage, mutants' IPC, or an agent without step labels */
	memset(w, 0, sizeof(*w));
	w->step = (int)strtol(label + 1, NULL, 10) + 1;
	kv(line, "op", w->op, sizeof(w->op));
	w->generated = kv_long(line, "generated", -1);
	w->messages = kv_long(line, "messages", -1);
	w->errors = kv_long(line, "errors", 1);
	w->workers = (int)kv_long(line, "workers", 1);
	if (kv(line, "seconds", secs, sizeof(secs)))
		w->seconds = strtod(secs, NULL);
	while ((p = strstr(p, " seen.")) && w->nseen < CL_MAX_SEEN) {
		size_t klen = strcspn(p + 6, "= ");

		p += 6;
		if (p[klen] != '=' || klen == 0 || klen >= sizeof(w->seen_key[0]))
			continue;
		memcpy(w->seen_key[w->nseen], p, klen);
		w->seen_key[w->nseen][klen] = '\0';
		w->seen[w->nseen++] = strtoll(p + klen + 1, NULL, 10);
	}
	ev->nwork++;
}

/* "CL EVIDENCE key=value": one pair of the candidate's evidence command (the value may hold spaces). */
static int evidence_pair(struct cl_evidence *ev, const char *kvpair)
{
	const char *eq = strchr(kvpair, '=');
	size_t klen = eq ? (size_t)(eq - kvpair) : 0;

	if (!eq || klen == 0 || klen >= sizeof(ev->evid_key[0]))
		return -1;
	if (ev->nevid == CL_MAX_EVIDENCE)
		return 0; /* the first ones are kept */
	memcpy(ev->evid_key[ev->nevid], kvpair, klen);
	ev->evid_key[ev->nevid][klen] = '\0';
	if (!cl_is_token(ev->evid_key[ev->nevid]))
		return -1;
	snprintf(ev->evid_value[ev->nevid], sizeof(ev->evid_value[0]), "%s", eq + 1);
	ev->nevid++;
	return 0;
}

const char *cl_evidence_value(const struct cl_evidence *ev, const char *key)
{
	for (int i = 0; i < ev->nevid; i++)
		if (!strcmp(ev->evid_key[i], key))
			return ev->evid_value[i];
	return cl_evidence_status(ev, key);
}

int cl_require_holds(const struct cl_require *r, const struct cl_evidence *ev)
{
	const char *v = cl_evidence_value(ev, r->key);
	char *end;
	long long n;

	if (!v)
		return 0;
	if (r->op != CL_REQ_AT_LEAST)
		return !strcmp(v, r->equals);
	errno = 0;
	n = strtoll(v, &end, 10);
	return end != v && *end == '\0' && errno == 0 && n >= r->at_least;
}

const char *cl_evidence_mutant_at_fault(const struct cl_evidence *ev)
{
	const struct cl_mutant_result *m = ev->mutant_last ? &ev->mutants[ev->mutant_last - 1] : NULL;

	return m && (m->state == CL_MUT_INSTALLING || m->state == CL_MUT_ACCEPTED) ? m->name : NULL;
}

const char *cl_mutant_outcome(const struct cl_evidence *ev, int i, enum cl_verdict cell)
{
	static const char *const names[] = { "not_run", "incomplete", "refused", "incomplete",
					     "survived" };
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_MUT_LAST, "mutant states");

	if (i + 1 == ev->mutant_last && cl_evidence_mutant_at_fault(ev) && cl_verdict_is_failure(cell))
		return cl_verdict_name(cell);
	return names[ev->mutants[i].state];
}

/* What one agent line did to the evidence. */
enum line_effect {
	LINE_PROGRESS, /* a known step of the plan */
	LINE_QUIET,    /* taken, not a step: a heartbeat, or a bad line already counted */
	LINE_UNKNOWN,  /* not a word this group knows */
};

/*
 * "CL WORD rest": the line after "CL ", sanitised, into @line and its word
 * into @word; the rest (after the word's blank) through *@rest. -1 when it
 * is not an agent line or its word is empty or too long.
 */
static int split_agent_line(const char *raw, char *line, size_t cap, char *word, size_t wcap,
			    const char **rest)
{
	size_t n;

	if (strncmp(raw, "CL ", 3) != 0)
		return -1;
	snprintf(line, cap, "%s", raw + 3);
	cl_sanitize(line);
	n = strcspn(line, " ");
	if (n == 0 || n >= wcap)
		return -1;
	memcpy(word, line, n);
	word[n] = '\0';
	*rest = line + n + (line[n] != 0);
	return 0;
}

/* Words that only say the plan moved on: nothing to keep but the progress. */
static int progress_only(const char *word)
{
	static const char *const words[] = { "MODULE", "SYSCTL", "INSTALL", "LOADING", "REBOOTING",
					     "BOOTWORK", "CONSOLE" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(word, words[i]))
			return 1;
	return 0;
}

/* The plan's own steps: ready, the candidate loaded or not, status, workload, updates, the end. */
static enum line_effect plan_word(struct cl_evidence *ev, const char *word, const char *line,
				  const char *rest)
{
	if (!strcmp(word, "READY")) {
		ev->ready = 1;
		kv(line, "release", ev->release, sizeof(ev->release));
	} else if (!strcmp(word, "LOADED")) {
		ev->loaded = 1;
	} else if (!strcmp(word, "INSTALL_FAILED")) {
		ev->install_failed = 1;
		snprintf(ev->install_error, sizeof(ev->install_error), "%s", rest);
	} else if (!strcmp(word, "STATUS")) {
		set_status(ev, rest);
	} else if (!strcmp(word, "WORKLOAD")) {
		ev->workload_steps++;
		ev->workload_errors += (int)kv_long(line, "errors", 1);
		work_line(ev, line);
	} else if (!strcmp(word, "UPDATE")) {
		long k = kv_long(line, "content", -1);

		if (kv_long(line, "rc", 1) == 0 && k >= 0 && k < CL_MAX_CONTENT) {
			ev->updates++;
			ev->last_update = (int)k + 1;
		}
	} else if (!strcmp(word, "DONE")) {
		ev->done = 1;
	} else if (!strcmp(word, "ABORTED")) {
		ev->aborted = 1;
	} else if (!strcmp(word, "ERROR")) {
		ev->agent_errors++;
	} else if (!progress_only(word)) {
		return LINE_UNKNOWN;
	}
	return LINE_PROGRESS;
}

/* What the plan's later steps report: mutants, coverage, evidence, restore, delivery. */
static enum line_effect report_word(struct cl_evidence *ev, const char *word, const char *line,
				    const char *rest)
{
	if (!strcmp(word, "MUTANT")) {
		if (mutant_line(ev, line))
			return LINE_QUIET;
	} else if (!strcmp(word, "COVERAGE")) {
		if (coverage_line(ev, rest))
			return LINE_QUIET;
	} else if (!strcmp(word, "EVIDENCE")) {
		if (evidence_pair(ev, rest))
			return ev->bad_lines++, LINE_QUIET;
	} else if (!strcmp(word, "EVIDENCE_END")) {
		ev->evid_done = 1;
		ev->evid_rc = (int)kv_long(line, "rc", -1);
	} else if (!strcmp(word, "RESTORE")) {
		ev->restore_seen = 1;
		ev->restore_rc = (int)kv_long(line, "rc", -1);
	} else if (!strcmp(word, "RECEIVED")) {
		ev->received++;
	} else if (!strcmp(word, "DELIVERY_FAILED")) {
		ev->delivery_failed = 1;
		snprintf(ev->delivery_error, sizeof(ev->delivery_error),
			 "the restored guest did not receive its files intact: %.140s", rest);
	} else {
		return LINE_UNKNOWN;
	}
	return LINE_PROGRESS;
}

void cl_evidence_agent_line(struct cl_evidence *ev, const char *raw)
{
	char line[512], word[24];
	const char *rest;
	enum line_effect effect;

	if (split_agent_line(raw, line, sizeof(line), word, sizeof(word), &rest)) {
		ev->bad_lines++;
		return;
	}
	if (!strcmp(word, "HB")) {
		ev->heartbeats++;
		return;
	}
	effect = plan_word(ev, word, line, rest);
	if (effect == LINE_UNKNOWN)
		effect = report_word(ev, word, line, rest);
	if (effect == LINE_UNKNOWN)
		ev->bad_lines++;
	else if (effect == LINE_PROGRESS)
		ev->progress++;
}

const char *cl_evidence_status(const struct cl_evidence *ev, const char *key)
{
	int i;

	for (i = 0; i < ev->nstatus; i++)
		if (!strcmp(ev->status_key[i], key))
			return ev->status_value[i];
	return NULL;
}

void cl_evidence_new_boot(struct cl_evidence *ev)
{
	ev->ready = 0;
	ev->loaded = 0;
	ev->done = 0;
	ev->aborted = 0;
	ev->nstatus = 0;
	ev->workload_steps = 0;
	ev->workload_errors = 0;
	ev->nwork = 0;
	ev->nevid = 0;
	ev->evid_done = 0;
}

/* Decide @out: @v, with its title from @fmt. 1, for the rule that decided to return. */
static int settle(struct cl_decision *out, enum cl_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int settle(struct cl_decision *out, enum cl_verdict v, const char *fmt, ...)
{
	va_list ap;

	out->verdict = v;
	va_start(ap, fmt);
	vsnprintf(out->title, sizeof(out->title), fmt, ap);
	va_end(ap);
	return 1;
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

		if (cl_require_holds(r, ev))
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
			return settle(out, CL_V_INSTALL_FAILED,
				      "sensor did not report the digest of content %.64s", cs->name);
		if (strcmp(got, cs->sha256) != 0)
			return settle(out, CL_V_INSTALL_FAILED,
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
		return settle(out, CL_V_WORKLOAD_FAILED, "mutant %.96s: %s", m->name,
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
			return settle(out, CL_V_WORKLOAD_FAILED,
				      "sensor counter %.48s is %.32s after the workload",
				      cand->counters[i], v ? v : "missing");
	}
	return 0;
}

/* The plan ran to its end: the positive evidence decides between pass and a failure. */
static void decide_pass_or_not(struct cl_decision *out, const struct cl_evidence *ev,
			       const struct cl_candidate *cand)
{
	if (decide_content(out, ev, cand) || decide_mutants(out, ev) || decide_coverage(out, ev) ||
	    decide_counters(out, ev, cand))
		return;
	if (ev->workload_errors > 0 || ev->workload_steps == 0) {
		settle(out, CL_V_WORKLOAD_FAILED, "workload: %d steps, %d errors", ev->workload_steps,
		       ev->workload_errors);
		return;
	}
	if (decide_evidence(out, ev, cand))
		return;
	if (cand->ncounters > 0)
		settle(out, CL_V_PASS, "sensor loaded the manifest's content and saw the workload");
	else
		settle(out, CL_V_PASS,
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
	if (ev->boots <= max_boots)
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
		return settle(out, CL_V_CRASH, "%s", tr->title[0] ? tr->title : "kernel crash");
	if (ev->bugcheck) {
		struct cl_bugcheck b = { .code = ev->bugcheck_code };

		cl_bugcheck_describe(&b);
		return settle(out, CL_V_CRASH, "%s", b.title);
	}
	if (ev->panic_event)
		return settle(out, CL_V_CRASH, "guest panicked (pvpanic event, no console report)");
	return 0;
}

/* The candidate never ran: stopped, an infrastructure error, it did not build or did not load. */
static int decide_not_started(struct cl_decision *out, const struct cl_evidence *ev)
{
	if (ev->interrupted)
		return settle(out, CL_V_NOT_RUN, "not run: stopped before the cell finished");
	if (ev->infra)
		return settle(out, CL_V_INFRA_ERROR, "%s",
			      ev->infra_msg[0] ? ev->infra_msg : "infrastructure error");
	if (ev->build_failed)
		return settle(out, CL_V_INSTALL_FAILED, "%s",
			      ev->build_error[0] ? ev->build_error : "candidate module did not build");
	if (ev->install_failed)
		return settle(out, CL_V_INSTALL_FAILED, "%s: %s",
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
		return settle(out, CL_V_INFRA_ERROR, "guest stopped before the agent was ready");
	if (ev->restore_seen && ev->restore_rc != 0)
		return settle(out, CL_V_WORKLOAD_FAILED,
			      "the module did not load its real content again after the mutants (rc=%d)",
			      ev->restore_rc);
	if (!ev->done)
		return settle(out, CL_V_WORKLOAD_FAILED, "agent %s before finishing the plan",
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

void cl_decide(struct cl_decision *out, const struct cl_evidence *ev,
	       const struct cl_triage_result *tr, const struct cl_candidate *cand, int max_boots)
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
