/*
 * cl_evidence.c - the evidence of one cell (see cl_evidence.h): the agent
 * channel's lines parsed into it, strictly (a word of the plan moves it on,
 * a report of the plan's later steps fills it, anything else is a bad line
 * counted), and the questions the verdict rules and the report ask of it.
 */
#include "cl_evidence.h"
#include "cl_token.h"
#include "cl_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cl_evidence_stage_name(enum cl_stage s)
{
	static const char *const names[] = {
		[CL_STAGE_FIRMWARE] = "firmware", [CL_STAGE_KERNEL] = "kernel",
		[CL_STAGE_INIT] = "init", [CL_STAGE_READY] = "ready",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == CL_STAGE_LAST, "stage names");

	return (s >= 0 && s < CL_STAGE_LAST) ? names[s] : "unknown";
}

const char *cl_evidence_boot_end_name(enum cl_boot_end e)
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

	if (!cl_kv(line, "name", name, sizeof(name)))
		return ev->bad_lines++, -1;
	for (i = 0; i < ev->nmutants && strcmp(ev->mutants[i].name, name); i++)
		;
	if (i == ev->nmutants)
		return ev->bad_lines++, -1;
	if (cl_kv(line, "phase", res, sizeof(res)) && !strcmp(res, "install")) {
		ev->mutants[i].state = CL_MUT_INSTALLING;
		ev->mutant_last = i + 1;
	} else if (!cl_kv(line, "result", res, sizeof(res))) {
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

	if (!cl_kv(line, key, buf, sizeof(buf)))
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
		n = cl_kv_long(rest, "instances", -1);
		if (n < 0 || n > CL_MAX_COV_INSTANCES)
			return ev->bad_lines++, -1;
		ev->ncov = 0;
		ev->cov_expected = (int)n;
		ev->fields_evaluated = ev->fields_needed = 0;
	} else if (!strncmp(rest, "fields ", 7)) {
		char e[24], d[24];

		if (!cl_kv(rest, "evaluated", e, sizeof(e)) || !cl_kv(rest, "needed", d, sizeof(d)))
			return ev->bad_lines++, -1;
		ev->fields_evaluated = strtoull(e, NULL, 16);
		ev->fields_needed = strtoull(d, NULL, 16);
	} else if (hex32(rest, "evaluated", &c.evaluated) && hex32(rest, "needed", &c.needed) &&
		   (n = cl_kv_long(rest, "instance", -1)) >= 0 && n <= 0xffffffffL &&
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

	if (!cl_kv(line, "step", label, sizeof(label)) || label[0] != 'w' ||
	    ev->nwork == CL_MAX_WORK_STEPS)
		return; /* coverage, mutants' IPC, or an agent without step labels */
	memset(w, 0, sizeof(*w));
	w->step = (int)strtol(label + 1, NULL, 10) + 1;
	cl_kv(line, "op", w->op, sizeof(w->op));
	w->generated = cl_kv_long(line, "generated", -1);
	w->messages = cl_kv_long(line, "messages", -1);
	w->errors = cl_kv_long(line, "errors", 1);
	w->workers = (int)cl_kv_long(line, "workers", 1);
	if (cl_kv(line, "seconds", secs, sizeof(secs)))
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
	if (!cl_token_ok(ev->evid_key[ev->nevid]))
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

int cl_evidence_require_holds(const struct cl_require *r, const struct cl_evidence *ev)
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
					     "BOOTWORK", "CONSOLE", "BPF_MISSING" };

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
		cl_kv(line, "release", ev->release, sizeof(ev->release));
	} else if (!strcmp(word, "LOADED")) {
		ev->loaded = 1;
	} else if (!strcmp(word, "INSTALL_FAILED")) {
		ev->install_failed = 1;
		snprintf(ev->install_error, sizeof(ev->install_error), "%s", rest);
	} else if (!strcmp(word, "STATUS")) {
		set_status(ev, rest);
	} else if (!strcmp(word, "WORKLOAD")) {
		ev->workload_steps++;
		ev->workload_errors += (int)cl_kv_long(line, "errors", 1);
		work_line(ev, line);
	} else if (!strcmp(word, "UPDATE")) {
		long k = cl_kv_long(line, "content", -1);

		if (cl_kv_long(line, "rc", 1) == 0 && k >= 0 && k < CL_MAX_CONTENT) {
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
		ev->evid_rc = (int)cl_kv_long(line, "rc", -1);
	} else if (!strcmp(word, "RESTORE")) {
		ev->restore_seen = 1;
		ev->restore_rc = (int)cl_kv_long(line, "rc", -1);
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
	if (effect == LINE_UNKNOWN) {
		int took = cl_bpf_seen_line(&ev->bpf, word, rest);

		effect = took > 0 ? LINE_PROGRESS : took < 0 ? (ev->bad_lines++, LINE_QUIET) : LINE_UNKNOWN;
	}
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
	cl_bpf_seen_reset(&ev->bpf);
}
