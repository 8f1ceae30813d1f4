/*
 * cl_report.c - the report model and report.json; junit.xml from it (see
 * cl_report.h), written by cl_junit.c.
 *
 * A product failure anywhere makes the run "fail" (exit 1) even when other
 * cells had infrastructure errors: a known crash must block the release.
 * Without product failures, any infrastructure error makes it "error"
 * (exit 2): an incomplete run is never a pass.
 */
#include "cl_report.h"
#include "cl_report_bpf.h"
#include "cl_evidence.h"
#include "cl_junit.h"
#include "cl_util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cl_report_verdict(const struct cl_report *r)
{
	int i, fail = 0, err = 0;

	for (i = 0; i < r->ncells; i++) {
		if (cl_verdict_is_failure(r->cells[i].verdict))
			fail = 1;
		else if (r->cells[i].verdict != CL_V_PASS)
			err = 1;
	}
	if (r->ncells == 0)
		err = 1;
	for (i = 0; i < r->npreflight; i++) {
		fail |= r->preflight[i].status == CL_PF_FAIL;
		err |= r->preflight[i].status == CL_PF_ERROR;
	}
	return fail ? "fail" : err ? "error" : "pass";
}

int cl_report_exit_code(const struct cl_report *r)
{
	const char *v = cl_report_verdict(r);

	return !strcmp(v, "pass") ? 0 : !strcmp(v, "fail") ? 1 : 2;
}

int cl_report_groups(const struct cl_report *r, int *out)
{
	int i, k, n = 0;

	for (i = 0; i < r->ncells; i++) {
		out[i] = -1;
		if (r->cells[i].verdict == CL_V_PASS || r->cells[i].verdict == CL_V_NOT_RUN)
			continue; /* a cell not run is no failure of its own: counted apart */
		for (k = 0; k < i; k++)
			if (out[k] >= 0 && r->cells[k].verdict == r->cells[i].verdict &&
			    !strcmp(r->cells[k].title, r->cells[i].title)) {
				out[i] = out[k];
				break;
			}
		if (out[i] < 0)
			out[i] = n++;
	}
	return n;
}

char *cl_report_summary(const struct cl_report *r)
{
	int *g = cl_xcalloc((size_t)r->ncells + 1, sizeof(int));
	int ngroups = cl_report_groups(r, g), failing = 0, per[CL_V_LAST] = { 0 }, i, k, kinds = 0;
	int not_run = 0;
	char *s, *parts = cl_xstrdup(""), *all;
	const struct cl_preflight_result *bad;

	for (i = 0; i < r->ncells; i++) {
		failing += r->cells[i].verdict != CL_V_PASS && r->cells[i].verdict != CL_V_NOT_RUN;
		not_run += r->cells[i].verdict == CL_V_NOT_RUN;
	}
	for (k = 0; k < ngroups; k++)
		for (i = 0; i < r->ncells; i++)
			if (g[i] == k) {
				per[r->cells[i].verdict]++;
				break;
			}
	for (i = 0; i < CL_V_LAST; i++)
		if (per[i]) {
			char *next = cl_sprintf("%s%s%d %s", parts, kinds ? ", " : "", per[i],
						cl_verdict_name((enum cl_verdict)i));
			free(parts);
			parts = next;
			kinds++;
		}
	if (ngroups == 0)
		s = cl_sprintf("no failure on %d cells", r->ncells);
	else if (kinds == 1 && per[CL_V_CRASH])
		s = cl_sprintf("%d distinct crash%s on %d of %d cells", ngroups, ngroups == 1 ? "" : "es",
			       failing, r->ncells);
	else
		s = cl_sprintf("%d distinct failure%s on %d of %d cells (%s)", ngroups,
			       ngroups == 1 ? "" : "s", failing, r->ncells, parts);
	free(parts);
	free(g);
	bad = cl_preflight_first_bad(r->preflight, r->npreflight);
	if (bad) {
		all = cl_sprintf("pre-flight %s %s; %s", bad->step,
				 bad->status == CL_PF_FAIL ? "failed" : "could not run", s);
		free(s);
		s = all;
	}
	if (!not_run)
		return s;
	all = cl_sprintf("%s; %d not run", s, not_run);
	free(s);
	return all;
}

static json_t *groups_json(const struct cl_report *r)
{
	int *g = cl_xcalloc((size_t)r->ncells + 1, sizeof(int));
	int n = cl_report_groups(r, g), i, k;
	json_t *arr = json_array();

	for (k = 0; k < n; k++) {
		json_t *grp = json_object(), *cells = json_array();
		const struct cl_report_cell *first = NULL;

		for (i = 0; i < r->ncells; i++)
			if (g[i] == k) {
				if (!first)
					first = &r->cells[i];
				json_array_append_new(cells, json_string(r->cells[i].spec->id));
			}
		json_object_set_new(grp, "verdict", json_string(cl_verdict_name(first->verdict)));
		json_object_set_new(grp, "title", json_string(first->title));
		json_object_set_new(grp, "module", first->module[0] ? json_string(first->module)
								   : json_null());
		json_object_set_new(grp, "count", json_integer((json_int_t)json_array_size(cells)));
		json_object_set_new(grp, "cells", cells);
		json_array_append_new(arr, grp);
	}
	free(g);
	return arr;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *round1(double v)
{
	return json_real((double)(long)(v * 10 + (v >= 0 ? 0.5 : -0.5)) / 10);
}

/* One entry per boot: start, how far it got, how it ended, its crash, its digest. */
static json_t *timeline_json(const struct cl_evidence *ev)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < cl_evidence_timeline_len(ev); i++) {
		const struct cl_boot *b = &ev->timeline[i];
		json_t *j = json_object();

		json_object_set_new(j, "boot", json_integer(i + 1));
		json_object_set_new(j, "start_s", round1(b->start));
		json_object_set_new(j, "duration_s", round1(b->end - b->start));
		json_object_set_new(j, "reached", json_string(cl_evidence_stage_name(b->stage)));
		json_object_set_new(j, "healthy", json_boolean(b->healthy));
		json_object_set_new(j, "ended", json_string(cl_evidence_boot_end_name(b->how)));
		json_object_set_new(j, "crash", str_or_null(b->title));
		json_object_set_new(j, "content_sha256", str_or_null(b->digest));
		json_array_append_new(arr, j);
	}
	return arr;
}

/* Which content the candidate reported, from when: boots and live updates. */
static json_t *content_history_json(const struct cl_evidence *ev, const struct cl_candidate *cand)
{
	json_t *arr = json_array();
	int i, k;

	for (i = 0; i < ev->ncontent_log; i++) {
		const struct cl_content_change *c = &ev->content_log[i];
		const char *name = NULL;

		for (k = 0; k < cand->ncontent && !name; k++)
			if (!strcmp(cand->content[k].sha256, c->sha256))
				name = cand->content[k].name;
		json_array_append_new(arr, json_pack("{s:i, s:o, s:s, s:o}", "boot", c->boot,
						     "from_s", round1(c->t), "sha256", c->sha256,
						     "content", name ? json_string(name) : json_null()));
	}
	return arr;
}

static void recovery_json(json_t *j, const struct cl_evidence *ev)
{
	json_t *rec = json_object();

	json_object_set_new(rec, "recovered", json_boolean(ev->recovered));
	json_object_set_new(rec, "crashed_boots", ev->recovered ? json_integer(ev->crashed_boots)
								: json_null());
	json_object_set_new(rec, "healthy_boot", ev->recovered ? json_integer(ev->recovery_boot)
							       : json_null());
	json_object_set_new(rec, "seconds", ev->recovered ? round1(ev->recovery_s) : json_null());
	json_object_set_new(j, "recovery", rec);
}

static json_t *remediation_json(const struct cl_remediation_result *m)
{
	json_t *j = json_object();

	json_object_set_new(j, "file", json_string(m->file));
	json_object_set_new(j, "applied", json_boolean(m->applied));
	json_object_set_new(j, "removed", json_integer(m->removed));
	json_object_set_new(j, "recovered", json_boolean(m->recovered));
	json_object_set_new(j, "boots", json_integer(m->boots));
	json_object_set_new(j, "seconds", m->recovered ? round1(m->seconds) : json_null());
	json_object_set_new(j, "outcome", str_or_null(m->outcome));
	return j;
}

/* What the candidate said its running content evaluated: each instance's
 * criteria and each input field (1-based) a criterion names. */
static json_t *coverage_json(const struct cl_evidence *ev)
{
	json_t *inst = json_array(), *fields = json_array();
	int complete = ev->ncov == ev->cov_expected &&
		       !(ev->fields_needed & ~ev->fields_evaluated);

	for (int i = 0; i < ev->ncov; i++) {
		const struct cl_instance_cov *c = &ev->cov[i];
		int done = !(c->needed & ~c->evaluated);

		complete &= done;
		json_array_append_new(inst, json_pack("{s:I, s:i, s:i, s:b}", "id", (json_int_t)c->id,
						      "criteria", __builtin_popcount(c->needed),
						      "evaluated", __builtin_popcount(c->needed & c->evaluated),
						      "exercised", done));
	}
	for (int f = 0; f < 64; f++)
		if (ev->fields_needed >> f & 1)
			json_array_append_new(fields, json_pack("{s:i, s:b}", "field", f + 1, "exercised",
								(int)(ev->fields_evaluated >> f & 1)));
	return json_pack("{s:b, s:o, s:o}", "complete", complete, "instances", inst, "fields", fields);
}

/* --mutants: what became of each in this cell, and the one a failure came with. */
/* The scenario's IPC steps as the agent ran them in the last boot, with the
 * candidate's counters' movement during each. */
static json_t *workload_json(const struct cl_evidence *ev)
{
	json_t *arr = json_array();

	for (int i = 0; i < ev->nwork; i++) {
		const struct cl_work_step *w = &ev->work[i];
		json_t *seen = json_object();

		for (int k = 0; k < w->nseen; k++)
			json_object_set_new(seen, w->seen_key[k],
					    w->seen[k] < 0 ? json_null() : json_integer(w->seen[k]));
		json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:I, s:I, s:i, s:f, s:o}", "step",
						     w->step, "op", w->op, "generated",
						     (json_int_t)w->generated, "messages",
						     (json_int_t)w->messages, "errors",
						     (json_int_t)w->errors, "workers", w->workers,
						     "seconds", w->seconds, "counters_moved", seen));
	}
	return arr;
}

/* The candidate's evidence command and conditions, as the last boot left them. */
static json_t *evidence_json(const struct cl_evidence *ev, const struct cl_candidate *cand)
{
	json_t *values = json_object(), *req = json_array();

	for (int i = 0; i < ev->nevid; i++)
		json_object_set_new(values, ev->evid_key[i], json_string(ev->evid_value[i]));
	for (int i = 0; i < cand->nrequire; i++) {
		const struct cl_require *r = &cand->require[i];
		const char *got = cl_evidence_value(ev, r->key);
		json_t *want = r->op == CL_REQ_AT_LEAST
			? json_pack("{s:I}", "at_least", (json_int_t)r->at_least)
			: r->op == CL_REQ_EQUALS ? json_pack("{s:s}", "equals", r->equals)
			: json_pack("{s:s, s:s}", "equals_sha256_of", cand->content[r->content].name,
				    "sha256", r->equals);

		json_array_append_new(req, json_pack("{s:s, s:o, s:o, s:b}", "key", r->key, "want", want,
						     "got", got ? json_string(got) : json_null(),
						     "held", cl_evidence_require_holds(r, ev)));
	}
	return json_pack("{s:o, s:o, s:o}", "command_exit",
			 cand->evidence_argv[0] && ev->evid_done ? json_integer(ev->evid_rc) : json_null(),
			 "values", values, "require", req);
}

static void mutants_json(json_t *j, const struct cl_report_cell *c, const struct cl_candidate *cand)
{
	json_t *arr = json_array();
	const char *at_fault = c->ev && cl_verdict_is_failure(c->verdict)
				       ? cl_evidence_mutant_at_fault(c->ev) : NULL;

	for (int i = 0; i < cand->nmutants; i++) {
		const struct cl_mutant_file *m = &cand->mutants[i];
		int seen = c->ev && i < c->ev->nmutants;
		const char *outcome = seen ? cl_verdict_mutant_outcome(c->ev, i, c->verdict)
					   : "not_run";
		char *file = cl_sprintf("mutants/%s.bin", m->name);

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", m->name,
						     "outcome", outcome,
						     "what", m->what, "sha256", m->sha256, "file", file));
		free(file);
	}
	json_object_set_new(j, "mutants", arr);
	json_object_set_new(j, "mutant", str_or_null(at_fault));
}

/* "SHA256 *NAME" and "PACKAGE VERSION" lines as {"files": {NAME: SHA256}, "packages": [...]}. */
static json_t *media_json(const struct cl_report_cell *c)
{
	json_t *files = json_object(), *pkgs = json_array();
	char buf[512], *line, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", c->media_sums);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *star = strstr(line, " *");

		if (star && star - line == 64) {
			*star = '\0';
			json_object_set_new(files, star + 2, json_string(line));
		}
	}
	snprintf(buf, sizeof(buf), "%s", c->packages);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(pkgs, json_string(line));
	return json_pack("{s:o, s:o}", "files", files, "packages", pkgs);
}

/* Where the cell's time went, phase by phase (null: a phase it did not have). */
/* "reproduced": {"failed": K, "runs": N, "reruns": [verdict...]}: of the
 * cell's N runs (this one and its reruns), K failed. */
static json_t *reproduced_json(const struct cl_report_cell *c)
{
	json_t *list = json_array();
	char *words = cl_xstrdup(c->rerun_verdicts ? c->rerun_verdicts : ""), *save = NULL;

	for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		json_array_append_new(list, json_string(w));
	free(words);
	return json_pack("{s:i, s:i, s:o}", "failed", 1 + c->reruns_failed, "runs", 1 + c->reruns,
			 "reruns", list);
}

static json_t *phases_json(const struct cl_report_cell *c)
{
	json_t *j = json_object();

	for (int i = 0; i < c->nphases; i++)
		json_object_set_new(j, c->phases[i].name,
				    c->phases[i].s < 0 ? json_null()
						       : json_real((double)(long)(c->phases[i].s * 1000 + 0.5) / 1000));
	return j;
}

static json_t *cell_json(const struct cl_report_cell *c, const struct cl_candidate *cand,
			 const struct cl_matrix *m)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(c->spec->id));
	json_object_set_new(j, "os", json_string(c->spec->os));
	json_object_set_new(j, "kernel_release", json_string(c->spec->kernel));
	json_object_set_new(j, "series", json_string(c->spec->series));
	json_object_set_new(j, "flavor", json_string(c->spec->flavor));
	json_object_set_new(j, "verdict", json_string(cl_verdict_name(c->verdict)));
	json_object_set_new(j, "title", json_string(c->title));
	json_object_set_new(j, "class", str_or_null(c->crash_class));
	json_object_set_new(j, "frame", str_or_null(c->frame));
	json_object_set_new(j, "module", str_or_null(c->module));
	json_object_set_new(j, "corrupted", json_boolean(c->corrupted));
	json_object_set_new(j, "boots", json_integer(c->boots));
	json_object_set_new(j, "attempts", json_integer(c->attempts));
	if (c->reruns > 0) /* this run and its reruns: how many failed, of how many */
		json_object_set_new(j, "reproduced", reproduced_json(c));
	json_object_set_new(j, "duration_s", json_real((double)(long)(c->duration_s * 10) / 10));
	json_object_set_new(j, "phases", phases_json(c));
	json_object_set_new(j, "module_sha256", str_or_null(c->module_sha256));
	json_object_set_new(j, "loaded_content_sha256", str_or_null(c->loaded_digest));
	json_object_set_new(j, "kernel_release_seen", str_or_null(c->release_seen));
	json_object_set_new(j, "console", str_or_null(c->console));
	json_object_set_new(j, "excerpt", str_or_null(c->excerpt));
	json_object_set_new(j, "image", json_string(c->spec->image));
	json_object_set_new(j, "definition", cl_matrix_cell_definition(c->spec));
	json_object_set_new(j, "ring", json_string(m->rings[c->spec->ring]));
	json_object_set_new(j, "fleet_share", json_real(c->spec->fleet_share));
	json_object_set_new(j, "matrix_index", json_integer(c->spec->index));
	json_object_set_new(j, "retried_because", str_or_null(c->retried_because));
	json_object_set_new(j, "host", str_or_null(c->host));
	json_object_set_new(j, "moved", json_integer(c->moved));
	json_object_set_new(j, "started_from", json_string(c->snapshot_sha256 ? "snapshot" : "boot"));
	json_object_set_new(j, "boot_media", media_json(c));
	json_object_set_new(j, "kernel_cmdline", str_or_null(c->cmdline));
	if (c->snapshot_sha256)
		json_object_set_new(j, "snapshot", json_pack("{s:s,s:b}", "sha256", c->snapshot_sha256,
							     "built_by_this_run", c->snapshot_built));
	if (c->ev) {
		json_object_set_new(j, "console_bytes", json_integer(c->ev->console_bytes));
		json_object_set_new(j, "timeline", timeline_json(c->ev));
		json_object_set_new(j, "content_history", content_history_json(c->ev, cand));
		recovery_json(j, c->ev);
		json_object_set_new(j, "coverage", c->ev->cov_reported ? coverage_json(c->ev) : json_null());
		json_object_set_new(j, "workload", workload_json(c->ev));
		if (cand->evidence_argv[0] || cand->nrequire)
			json_object_set_new(j, "evidence", evidence_json(c->ev, cand));
		if (cand->bpf.present)
			json_object_set_new(j, "bpf", cl_report_bpf_json(c->ev, cand));
	}
	if (c->remedy)
		json_object_set_new(j, "remediation", remediation_json(c->remedy));
	if (cand->nmutants)
		mutants_json(j, c, cand);
	return j;
}

/* The events crashlab drives so that every instance is evaluated, and the
 * instances no event it can drive satisfies (null: no content in a format it knows). */
static json_t *coverage_plan_json(const struct cl_candidate *cand)
{
	const struct cl_cov_plan *p = &cand->coverage;
	json_t *evs, *missed;

	if (!cand->coverage_known)
		return json_null();
	evs = json_array();
	missed = json_array();
	for (int i = 0; i < p->n; i++)
		json_array_append_new(evs, json_pack("{s:I, s:s, s:s, s:s}", "instance",
						     (json_int_t)p->ev[i].instance, "event",
						     p->ev[i].unix_socket ? "unix_connect" : "fifo",
						     "dir", p->ev[i].dir, "name", p->ev[i].name));
	for (int i = 0; i < p->nmissed; i++)
		json_array_append_new(missed, json_pack("{s:I, s:s}", "instance",
							(json_int_t)p->missed[i].instance, "why",
							p->missed[i].why));
	return json_pack("{s:o, s:o}", "events", evs, "undrivable", missed);
}

/* The candidate: name, version, and every artifact tested with its digest. */
/* A DKMS cell's modules, one artifact each, from its "NAME SHA256" list. */
static void module_list_artifacts(json_t *arts, const struct cl_report_cell *c)
{
	char *text = cl_xstrdup(c->module_list), *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sha = strchr(line, ' ');

		if (!sha || !cl_is_sha256_hex(sha + 1))
			continue;
		*sha++ = '\0';
		json_array_append_new(arts, json_pack("{s:s, s:s, s:s, s:s}", "kind", "module", "name",
						      line, "kernel_release", c->spec->kernel,
						      "sha256", sha));
	}
	free(text);
}

static json_t *candidate_json(const struct cl_report *r)
{
	json_t *cand = json_object(), *arts = json_array();
	int i;

	json_object_set_new(cand, "name", json_string(r->cand->name));
	json_object_set_new(cand, "version", json_string(r->cand->version));
	json_object_set_new(cand, "manifest", json_string(r->cand->path));
	for (i = 0; i < r->cand->ncontent; i++) {
		const struct cl_content_spec *cs = &r->cand->content[i];

		json_array_append_new(arts, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "kind",
						      "content", "name", cs->name, "file", cs->file,
						      "sha256", cs->sha256, "bytes",
						      (json_int_t)cs->size, "install_path",
						      cs->install_path, "delivered",
						      cs->update_via ? "live update" : "boot"));
	}
	for (i = 0; r->arts && i < r->arts->n; i++)
		if (r->arts->v[i].kind != CL_ART_CONTENT) /* content: above, with its details */
			json_array_append_new(arts, cl_artifacts_json(&r->arts->v[i]));
	if (r->module_source_sha256[0])
		json_array_append_new(arts, json_pack("{s:s, s:s, s:s, s:s}", "kind", "module_source",
						      "name", r->cand->dkms_package ? r->cand->dkms_package
										    : r->cand->module_name,
						      "dir", r->cand->module_source ? r->cand->module_source
										    : r->cand->dkms_source ? r->cand->dkms_source : "",
						      "sha256", r->module_source_sha256));
	for (i = 0; i < r->ncells; i++) {
		const struct cl_report_cell *c = &r->cells[i];

		if (c->module_list)
			module_list_artifacts(arts, c);
		else if (c->module_sha256[0])
			json_array_append_new(arts, json_pack("{s:s, s:s, s:s, s:s}", "kind", "module",
							      "name", r->cand->module_name,
							      "kernel_release", c->spec->kernel,
							      "sha256", c->module_sha256));
	}
	json_object_set_new(cand, "artifacts", arts);
	json_object_set_new(cand, "coverage_plan", coverage_plan_json(r->cand));
	return cand;
}

void cl_report_blast_add(struct cl_report_blast *b, enum cl_verdict v, double share)
{
	b->total += share;
	if (cl_verdict_is_failure(v))
		b->failing += share;
	else if (v == CL_V_NOT_RUN)
		b->not_run += share;
}

json_t *cl_report_blast_json(const struct cl_report_blast *b)
{
	return json_pack("{s:f, s:f, s:f, s:f}", "failing_share", b->failing, "not_run_share",
			 b->not_run, "total_share", b->total, "failing_percent",
			 b->total > 0 ? (double)(long)(b->failing / b->total * 1000 + 0.5) / 10 : 0.0);
}

static json_t *blast_json(const struct cl_report *r)
{
	struct cl_report_blast b = { 0 };
	int i;

	for (i = 0; i < r->ncells; i++)
		cl_report_blast_add(&b, r->cells[i].verdict, r->cells[i].spec->fleet_share);
	return cl_report_blast_json(&b);
}

static json_t *rings_json(const struct cl_matrix *m)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < m->nrings; i++)
		json_array_append_new(a, json_string(m->rings[i]));
	return a;
}

/* The digest of the file at @path, or null when it cannot be read. */
static json_t *digest_of(const char *path)
{
	char sha[CL_SHA256_HEX];

	return path && cl_sha256_file(sha, path) == 0 ? json_string(sha) : json_null();
}

/* What else decided the verdict: crashlab itself (these bytes) and its guest agent. */
static json_t *tool_json(const struct cl_report *r)
{
	return json_pack("{s:s, s:o, s:{s:o}}", "version", r->version ? r->version : "unknown",
			 "sha256", digest_of("/proc/self/exe"), "agent", "sha256",
			 digest_of(r->agent));
}

/* Where it ran: this machine's name and the libvirt URI. */
static json_t *host_json(const struct cl_report *r)
{
	char name[256] = "";

	gethostname(name, sizeof(name) - 1);
	return json_pack("{s:s, s:s}", "name", name, "uri", r->uri ? r->uri : "qemu:///system");
}

/* The candidate's pre-flight steps as this run carried them out (or skipped them). */
static json_t *preflight_json(const struct cl_report *r)
{
	json_t *steps = json_array();
	int i;

	for (i = 0; i < r->npreflight; i++) {
		const struct cl_preflight_result *p = &r->preflight[i];

		json_array_append_new(steps, json_pack("{s:s, s:o, s:s, s:o, s:f, s:s, s:s, s:s}",
						       "name", p->step, "content",
						       p->content ? json_string(p->content) : json_null(),
						       "status", cl_preflight_status_name(p->status),
						       "exit_code", p->exit_code < 0 ? json_null()
										: json_integer(p->exit_code),
						       "seconds", p->seconds, "log", p->log, "dir",
						       p->dir, "detail", p->detail));
	}
	return json_pack("{s:i, s:b, s:o}", "declared", r->cand->npreflight, "skipped",
			 r->preflight_skipped, "steps", steps);
}

int cl_report_write_json(const struct cl_report *r, const char *path)
{
	json_t *root = json_object(), *cells = json_array(), *counts = json_object();
	int i, rc, n[CL_V_LAST] = { 0 };
	char *text;

	json_object_set_new(root, "crashlab_report", json_integer(1));
	json_object_set_new(root, "verdict", json_string(cl_report_verdict(r)));
	json_object_set_new(root, "candidate", candidate_json(r));
	json_object_set_new(root, "preflight", preflight_json(r));
	json_object_set_new(root, "crashlab", tool_json(r));
	json_object_set_new(root, "host", host_json(r));
	json_object_set_new(root, "matrix", json_pack("{s:s, s:s, s:o, s:i, s:o}", "name",
						      r->matrix->name, "file", r->matrix->path,
						      "sha256", digest_of(r->matrix->path), "cells",
						      r->matrix->ncells, "rings",
						      rings_json(r->matrix)));
	json_object_set_new(root, "shard", json_pack("{s:i, s:i}", "index", r->nshards ? r->shard : 1,
						     "count", r->nshards ? r->nshards : 1));
	json_object_set_new(root, "scenario", json_pack("{s:s, s:s, s:o}", "name", r->scn->name,
							"file", r->scn->path, "sha256",
							digest_of(r->scn->path)));
	json_object_set_new(root, "accelerator", json_string(r->accel));
	json_object_set_new(root, "started", json_string(r->started));
	json_object_set_new(root, "finished", json_string(r->finished));
	for (i = 0; i < r->ncells; i++) {
		json_array_append_new(cells, cell_json(&r->cells[i], r->cand, r->matrix));
		n[r->cells[i].verdict]++;
	}
	for (i = 0; i < CL_V_LAST; i++)
		if (n[i])
			json_object_set_new(counts, cl_verdict_name((enum cl_verdict)i), json_integer(n[i]));
	json_object_set_new(root, "summary", counts);
	text = cl_report_summary(r);
	json_object_set_new(root, "summary_text", json_string(text));
	free(text);
	json_object_set_new(root, "blast_radius", blast_json(r));
	json_object_set_new(root, "groups", groups_json(r));
	json_object_set_new(root, "cells", cells);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(root);
	if (!text)
		return cl_err_set(CL_EINFRA, "%s: cannot encode the report", path);
	rc = cl_write_file(path, text, strlen(text));
	free(text);
	return rc;
}

int cl_report_write_junit(const struct cl_report *r, const char *path)
{
	struct cl_junit_case *cases = cl_xcalloc((size_t)r->ncells + 1, sizeof(*cases));
	struct cl_junit_prop props[2 + CL_MAX_CONTENT];
	char *names[CL_MAX_CONTENT];
	int i, rc, np = 0;

	props[np++] = (struct cl_junit_prop){ "candidate", r->cand->name };
	props[np++] = (struct cl_junit_prop){ "candidate_version", r->cand->version };
	for (i = 0; i < r->cand->ncontent; i++) {
		names[i] = cl_sprintf("content_sha256:%s", r->cand->content[i].name);
		props[np++] = (struct cl_junit_prop){ names[i], r->cand->content[i].sha256 };
	}
	for (i = 0; i < r->ncells; i++) {
		const struct cl_report_cell *c = &r->cells[i];

		cases[i] = (struct cl_junit_case){ .id = c->spec->id, .kernel = c->spec->kernel,
						   .title = c->title, .excerpt = c->excerpt,
						   .console = c->console, .verdict = c->verdict,
						   .duration_s = c->duration_s,
						   .module_sha256 = c->module_sha256,
						   .snapshot_sha256 = c->snapshot_sha256 };
	}
	rc = cl_junit_write(path, r->matrix->name, r->cand->name, props, np, cases, r->ncells);
	for (i = 0; i < r->cand->ncontent; i++)
		free(names[i]);
	free(cases);
	return rc;
}
