/*
 * cl_outcome.c - from finished runs to the files a run leaves (see
 * cl_outcome.h). The report cells only copy what the runs found and what
 * the images recorded when they were built: the report is made after the
 * cells ran, and reading the cache then would report what is there now, not
 * what was booted. The writers keep the rule that a report on disk is
 * always a whole run's.
 */
#include "cl_outcome.h"
#include "cl_attest.h"
#include "cl_evidence.h"
#include "cl_html.h"
#include "cl_summary.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the cell booted, as the image cache verified it (sums), and its packages. */
static void media_of(struct cl_report_cell *rc, const struct cl_cell_run *r)
{
	const struct cl_image *img = r->img;
	int disk = !strcmp(r->spec->image, "disk");

	if (r->spec->user_path) {
		const char *base = strrchr(r->spec->user_path, '/');

		snprintf(rc->media_sums, sizeof(rc->media_sums), "%s *%s\n", r->spec->user_sha256,
			 base ? base + 1 : r->spec->user_path);
		return;
	}
	if (!img->vmlinuz || (disk && !img->disk))
		return; /* not built: nothing was booted */
	snprintf(rc->media_sums, sizeof(rc->media_sums), "%s", disk ? img->disk_sums : img->media_sums);
	snprintf(rc->packages, sizeof(rc->packages), "%s", img->packages);
}

/* The candidate as this cell had it: the module built for its kernel, what the sensor loaded. */
static void candidate_of(struct cl_report_cell *rc, const struct cl_cell_run *r,
			 const struct cl_kernel_prep *k)
{
	const char *loaded = NULL;

	if (k->ko && !r->cand->from_packages) /* those are bound by their package's digest */
		snprintf(rc->module_sha256, sizeof(rc->module_sha256), "%s", k->ko_sha);
	if (k->ko && k->module_list)
		rc->module_list = cl_xstrdup(k->module_list);
	for (int i = 0; i < r->cand->ncontent && !loaded; i++)
		if (r->cand->content[i].reported_as)
			loaded = cl_evidence_status(&r->sm.ev, r->cand->content[i].reported_as);
	if (loaded && cl_is_sha256_hex(loaded))
		snprintf(rc->loaded_digest, sizeof(rc->loaded_digest), "%s", loaded);
}

/* What triage made of the console, when the guest crashed. */
static void crash_of(struct cl_report_cell *rc, const struct cl_cell_run *r)
{
	const struct cl_triage_result *tr = cl_triage_result(r->sm.tr);

	if (!tr->crashed)
		return;
	snprintf(rc->crash_class, sizeof(rc->crash_class), "%s", cl_triage_class_name(tr->cls));
	snprintf(rc->frame, sizeof(rc->frame), "%s", tr->frame);
	snprintf(rc->module, sizeof(rc->module), "%s", tr->module);
	rc->corrupted = tr->corrupted;
	rc->excerpt = cl_xstrdup(tr->excerpt);
}

static void fill_cell(struct cl_report_cell *rc, const struct cl_cell_run *r,
		      const struct cl_kernel_prep *k)
{
	rc->spec = r->spec;
	rc->verdict = r->dec.verdict;
	snprintf(rc->title, sizeof(rc->title), "%s", r->dec.title);
	cl_sanitize(rc->title);
	rc->boots = r->sm.ev.boots;
	rc->ev = &r->sm.ev;
	rc->remedy = r->remedied ? &r->remedy_result : NULL;
	rc->attempts = r->attempts;
	rc->reruns = r->reruns;
	rc->reruns_failed = r->reruns_failed;
	rc->rerun_verdicts = r->rerun_verdicts;
	rc->retried_because = r->retried_because[0] ? r->retried_because : NULL;
	rc->host = r->host_uri;
	rc->moved = r->moved;
	rc->snapshot_sha256 = r->snapshot_sha256[0] ? r->snapshot_sha256 : NULL;
	rc->snapshot_built = r->snapshot_built;
	rc->cmdline = r->cmdline;
	rc->duration_s = r->duration_s;
	rc->nphases = r->tries > 0 ? cl_cell_phases(r, rc->phases) : 0;
	media_of(rc, r);
	candidate_of(rc, r, k);
	snprintf(rc->release_seen, sizeof(rc->release_seen), "%s", r->sm.ev.release);
	if ((r->ko_path || !r->cand->module_name) && r->attempts > 0)
		rc->console = cl_sprintf("cells/%s/console.log", r->spec->id);
	crash_of(rc, r);
}

void cl_outcome_cells(struct cl_report *rep, const struct cl_plan *p)
{
	rep->ncells = p->ncells;
	rep->cells = cl_xcalloc((size_t)p->ncells, sizeof(*rep->cells));
	for (int i = 0; i < p->ncells; i++)
		fill_cell(&rep->cells[i], &p->runs[i], cl_plan_kernel(p, p->runs[i].spec->kernel));
}

void cl_outcome_cells_free(struct cl_report *rep)
{
	for (int i = 0; rep->cells && i < rep->ncells; i++) {
		free(rep->cells[i].console);
		free(rep->cells[i].module_list);
		free(rep->cells[i].excerpt);
	}
	free(rep->cells);
	rep->cells = NULL;
}

void cl_outcome_forget(const char *out)
{
	static const char *const names[] = { "report.json", "junit.xml", "summary.md",
					      "report.html", "attestation.json" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = cl_path_join(out, names[i]);

		unlink(p);
		free(p);
	}
}

void cl_outcome_pages(const char *out)
{
	char *json = cl_path_join(out, "report.json"), *md = cl_path_join(out, "summary.md");
	char *html = cl_path_join(out, "report.html");

	if (cl_summary_write(json, md) || cl_html_write(json, html))
		fprintf(stderr, "crashlab: cannot write the pages in %s: %s\n", out, cl_err());
	free(json);
	free(md);
	free(html);
}

int cl_outcome_write(const struct cl_report *rep, const char *out)
{
	char *junit = cl_sprintf("%s/junit.xml", out), *json = cl_sprintf("%s/report.json", out);
	int rc = cl_report_write_junit(rep, junit);

	if (rc == 0)
		rc = cl_report_write_json(rep, json);
	if (rc)
		cl_outcome_forget(out);
	else
		cl_outcome_pages(out);
	free(junit);
	free(json);
	return rc;
}

int cl_outcome_sign(const char *out, const char *key, int rc)
{
	char *json = cl_sprintf("%s/report.json", out), *att = cl_sprintf("%s/attestation.json", out);

	unlink(att);
	if (cl_file_exists(json) && cl_attest_write(json, key, att) == 0) {
		fprintf(stderr, "crashlab: signed statement in %s\n", att);
	} else {
		fprintf(stderr, "crashlab: cannot sign the report: %s\n", cl_err());
		rc = 2;
	}
	free(json);
	free(att);
	return rc;
}
