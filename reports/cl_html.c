/*
 * cl_html.c - report.html: one self-contained page for people, written from
 * report.json with libxml2's text writer (every string it writes is escaped
 * by the writer; guest text is also stripped of control characters). No
 * script, no external style, font or image: it reads offline and can be
 * attached to a ticket.
 */
#include "cl_html.h"
#include "cl_json.h"
#include "cl_util.h"
#include "cl_xmlw.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define W(x) CL_XC(x)

const char cl_html_css[] =
	"body{font:14px/1.4 sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;"
	"text-align:left;vertical-align:top}code,pre{font:12px monospace}"
	"pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap}"
	".v-pass{background:#c8efc8}.v-crash,.v-boot_loop,.v-hang{background:#f4b4b4}"
	".v-install_failed,.v-workload_failed,.v-degraded{background:#f8d49a}"
	".v-infra_error,.v-not_run,.v-error{background:#ddd}.v-fail{background:#f4b4b4}.verdict{font-weight:bold;padding:2px 8px}"
	".grid td{text-align:center;min-width:5em}.grid a{color:#000}";

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* @key of @o as an integer (jansson's integer_value: 0 when absent or null). */
static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* @key of @o is JSON true (absent, null and false are not). */
static int is_true(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* The plural ending of a count: "1 boot", "2 boots". */
static const char *plural(long long n)
{
	return n == 1 ? "" : "s";
}

/*
 * What --remediate did for a cell (NULL @m: nothing), as one sentence:
 * "FILE: applied (paths removed: 2); recovered in 1 boot, 45.0 s after
 * applying it", or why it was not applied or did not help.
 */
static char *remediation_text(json_t *m)
{
	const char *outcome = str(m, "outcome");

	if (!json_is_object(m))
		return cl_xstrdup("none");
	if (!is_true(m, "applied"))
		return cl_sprintf("%s: %s", str(m, "file"), *outcome ? outcome : "not applied");
	if (is_true(m, "recovered"))
		return cl_sprintf("%s: applied (paths removed: %lld); recovered in %lld boot%s, "
				  "%.1f s after applying it", str(m, "file"), num(m, "removed"),
				  num(m, "boots"), plural(num(m, "boots")),
				  json_number_value(json_object_get(m, "seconds")));
	return cl_sprintf("%s: applied (paths removed: %lld); not recovered after %lld boot%s: %s",
			  str(m, "file"), num(m, "removed"), num(m, "boots"),
			  plural(num(m, "boots")), *outcome ? outcome : "no healthy boot");
}

/*
 * Whether the cell's machine came back by itself after crashing (the
 * candidate's own recovery): "recovered after 2 crashed boots: boot 3
 * healthy, 55.5 s after the first crash", or how many boots crashed.
 */
static char *recovery_text(json_t *c)
{
	json_t *rec = json_object_get(c, "recovery"), *b;
	size_t i, crashed = 0;

	if (!json_is_object(rec))
		return cl_xstrdup("not reported");
	if (is_true(rec, "recovered"))
		return cl_sprintf("recovered after %lld crashed boot%s: boot %lld healthy, %.1f s after the "
				  "first crash", num(rec, "crashed_boots"),
				  plural(num(rec, "crashed_boots")), num(rec, "healthy_boot"),
				  json_number_value(json_object_get(rec, "seconds")));
	json_array_foreach(json_object_get(c, "timeline"), i, b)
		crashed += !strcmp(str(b, "ended"), "crash");
	if (!crashed)
		return cl_xstrdup("no boot crashed");
	return cl_sprintf("none (%zu of %zu boots crashed)", crashed,
			  json_array_size(json_object_get(c, "timeline")));
}

/* <NAME ATTR="VALUE">TEXT</NAME> */
static void el_with(xmlTextWriterPtr w, const char *name, const char *attr, const char *value,
		    const char *s)
{
	xmlTextWriterStartElement(w, W(name));
	cl_xmlw_attr(w, attr, value);
	cl_xmlw_text(w, s);
	xmlTextWriterFullEndElement(w);
}

/* <span class="verdict v-VERDICT">VERDICT</span> */
static void badge(xmlTextWriterPtr w, const char *verdict)
{
	char *cls = cl_sprintf("verdict v-%s", verdict);

	el_with(w, "span", "class", cls, verdict);
	free(cls);
}

/* <TAG>BEFORE VERDICT-BADGE AFTER</TAG> */
static void heading(xmlTextWriterPtr w, const char *tag, const char *before, const char *verdict,
		    const char *after)
{
	xmlTextWriterStartElement(w, W(tag));
	cl_xmlw_text(w, before);
	cl_xmlw_text(w, *after ? "" : " ");
	badge(w, verdict);
	cl_xmlw_text(w, after);
	xmlTextWriterFullEndElement(w);
}

static void row(xmlTextWriterPtr w, const char *key, const char *value)
{
	xmlTextWriterStartElement(w, W("tr"));
	cl_xmlw_el(w, "th", key);
	cl_xmlw_el(w, "td", value);
	xmlTextWriterFullEndElement(w);
}

/* row() with a value made for it, which it frees. */
static void row_take(xmlTextWriterPtr w, const char *key, char *value)
{
	row(w, key, value);
	free(value);
}

/*
 * A reference the page may link to: a "#fragment", or a relative path (no
 * scheme: no ':' before the first '/', '?' or '#'; not "//host"; no
 * backslash, blank or control byte, which browsers drop or turn into '/').
 */
static int href_ok(const char *h)
{
	const unsigned char *p;

	if (h[0] == '#')
		return 1; /* within the page */
	if (!*h || !strncmp(h, "//", 2) || h[strcspn(h, ":/?#")] == ':')
		return 0;
	for (p = (const unsigned char *)h; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}

/* <a href="HREF">LABEL</a>; any other kind of reference is written as text, no link. */
static void a_link(xmlTextWriterPtr w, const char *href, const char *label)
{
	if (href_ok(href))
		el_with(w, "a", "href", href, label);
	else
		cl_xmlw_text(w, href);
}

static void cell_link(xmlTextWriterPtr w, const char *id, const char *label)
{
	char *href = cl_sprintf("#cell-%s", id);

	a_link(w, href, label);
	free(href);
}

/* Over every cell: what --remediate came to, and how many machines recovered by themselves. */
static void outcome_rows(xmlTextWriterPtr w, json_t *cells)
{
	int tried = 0, applied = 0, healed = 0, recovered = 0;
	json_t *c, *m;
	size_t i;

	json_array_foreach(cells, i, c) {
		m = json_object_get(c, "remediation");
		tried += json_is_object(m);
		applied += is_true(m, "applied");
		healed += is_true(m, "recovered");
		recovered += is_true(json_object_get(c, "recovery"), "recovered");
	}
	if (tried)
		row_take(w, "remediation", cl_sprintf("tried on %d cell%s: applied on %d, recovered on %d",
						      tried, plural(tried), applied, healed));
	if (recovered)
		row_take(w, "automatic recovery", cl_sprintf("%d cell%s recovered after crashed boots",
							     recovered, plural(recovered)));
}

static void header(xmlTextWriterPtr w, json_t *rep)
{
	json_t *cand = json_object_get(rep, "candidate"), *blast = json_object_get(rep, "blast_radius");
	char *host, *h = cl_sprintf(" %s %s on %s", str(cand, "name"), str(cand, "version"),
			     str(json_object_get(rep, "matrix"), "name"));

	heading(w, "h1", "crashlab: ", str(rep, "verdict"), h);
	xmlTextWriterStartElement(w, W("table"));
	row(w, "summary", str(rep, "summary_text"));
	outcome_rows(w, json_object_get(rep, "cells"));
	row(w, "ran", str(rep, "started"));
	row(w, "finished", str(rep, "finished"));
	row(w, "accelerator", str(rep, "accelerator"));
	host = cl_sprintf("%s (%s)", str(json_object_get(rep, "host"), "name"),
			  str(json_object_get(rep, "host"), "uri"));
	row(w, "host", host);
	free(host);
	row(w, "crashlab", str(json_object_get(rep, "crashlab"), "version"));
	row(w, "matrix file", str(json_object_get(rep, "matrix"), "file"));
	row(w, "scenario", str(json_object_get(rep, "scenario"), "file"));
	if (json_number_value(json_object_get(blast, "total_share")) > 0) {
		char *b = cl_sprintf("%.1f%% of the fleet share fails",
				     json_number_value(json_object_get(blast, "failing_percent")));

		row(w, "blast radius", b);
		free(b);
	}
	xmlTextWriterFullEndElement(w);
	free(h);
}

/* <table> and its heading row of @cols (NULL-terminated); the caller ends the table. */
static void table_head(xmlTextWriterPtr w, const char *const *cols)
{
	xmlTextWriterStartElement(w, W("table"));
	xmlTextWriterStartElement(w, W("tr"));
	while (*cols)
		cl_xmlw_el(w, "th", *cols++);
	xmlTextWriterFullEndElement(w);
}

static void artifacts(xmlTextWriterPtr w, json_t *rep)
{
	json_t *a;
	size_t i;

	cl_xmlw_el(w, "h2", "Artifacts");
	table_head(w, (const char *const[]){ "kind", "name", "file, directory or kernel", "sha256",
					     NULL });
	json_array_foreach(json_object_get(json_object_get(rep, "candidate"), "artifacts"), i, a) {
		xmlTextWriterStartElement(w, W("tr"));
		cl_xmlw_el(w, "td", str(a, "kind"));
		cl_xmlw_el(w, "td", str(a, "name"));
		cl_xmlw_el(w, "td", *str(a, "file") ? str(a, "file")
				    : *str(a, "dir") ? str(a, "dir") : str(a, "kernel_release"));
		cl_xmlw_el(w, "td", str(a, "sha256"));
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterFullEndElement(w);
}

/* The candidate's pre-flight steps, when it declares any. */
static void preflight(xmlTextWriterPtr w, json_t *rep)
{
	json_t *pf = json_object_get(rep, "preflight"), *st;
	size_t i;

	if (json_integer_value(json_object_get(pf, "declared")) == 0)
		return;
	cl_xmlw_el(w, "h2", json_is_true(json_object_get(pf, "skipped")) ? "Pre-flight (skipped)"
									    : "Pre-flight");
	if (!json_array_size(json_object_get(pf, "steps")))
		return;
	table_head(w, (const char *const[]){ "step", "content", "status", "what it said", NULL });
	json_array_foreach(json_object_get(pf, "steps"), i, st) {
		xmlTextWriterStartElement(w, W("tr"));
		cl_xmlw_el(w, "td", str(st, "name"));
		cl_xmlw_el(w, "td", str(st, "content"));
		xmlTextWriterStartElement(w, W("td"));
		badge(w, str(st, "status"));
		xmlTextWriterFullEndElement(w);
		xmlTextWriterStartElement(w, W("td"));
		cl_xmlw_text(w, str(st, "detail"));
		cl_xmlw_text(w, " ");
		a_link(w, str(st, "log"), "log");
		xmlTextWriterFullEndElement(w);
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterFullEndElement(w);
}

/* The patch level: the release without its flavour ("6.1.0-56" of "6.1.0-56-amd64"). */
static char *abi_of(json_t *c)
{
	const char *k = str(c, "kernel_release"), *f = str(c, "flavor");
	size_t n = strlen(k), m = strlen(f);

	if (m && n > m + 1 && !strcmp(k + n - m, f) && k[n - m - 1] == '-')
		n -= m + 1;
	return cl_sprintf("%.*s", (int)n, k);
}

static char *row_of(json_t *c)
{
	return cl_sprintf("%s %s (%s)", str(c, "series"), str(c, "flavor"), str(c, "image"));
}

/* Add @s to the set @a (a JSON array of strings) unless it is there. */
static void add_once(json_t *a, char *s)
{
	json_t *x;
	size_t i;

	json_array_foreach(a, i, x)
		if (!strcmp(json_string_value(x), s)) {
			free(s);
			return;
		}
	json_array_append_new(a, json_string(s));
	free(s);
}

static void grid_cell(xmlTextWriterPtr w, json_t *cells, const char *r, const char *col)
{
	json_t *c;
	size_t i;

	xmlTextWriterStartElement(w, W("td"));
	json_array_foreach(cells, i, c) {
		char *cr = row_of(c), *cc = abi_of(c), *cls;
		int here = !strcmp(cr, r) && !strcmp(cc, col);

		free(cr);
		free(cc);
		if (!here)
			continue;
		cls = cl_sprintf("v-%s", str(c, "verdict"));
		cl_xmlw_attr(w, "class", cls); /* report text: cleaned like any other */
		free(cls);
		cell_link(w, str(c, "id"), str(c, "verdict"));
		break;
	}
	xmlTextWriterFullEndElement(w);
}

/* Rows: series, flavour and image kind; columns: patch level; one link per cell. */
static void grid(xmlTextWriterPtr w, json_t *cells)
{
	json_t *rows = json_array(), *cols = json_array(), *c, *r, *col;
	size_t i, j;

	json_array_foreach(cells, i, c) {
		add_once(rows, row_of(c));
		add_once(cols, abi_of(c));
	}
	cl_xmlw_el(w, "h2", "Matrix");
	xmlTextWriterStartElement(w, W("table"));
	xmlTextWriterWriteAttribute(w, W("class"), W("grid"));
	xmlTextWriterStartElement(w, W("tr"));
	cl_xmlw_el(w, "th", "");
	json_array_foreach(cols, j, col)
		cl_xmlw_el(w, "th", json_string_value(col));
	xmlTextWriterFullEndElement(w);
	json_array_foreach(rows, i, r) {
		xmlTextWriterStartElement(w, W("tr"));
		cl_xmlw_el(w, "th", json_string_value(r));
		json_array_foreach(cols, j, col)
			grid_cell(w, cells, json_string_value(r), json_string_value(col));
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterFullEndElement(w);
	json_decref(rows);
	json_decref(cols);
}

/* The history's word on crash group @i (recorded in the report's order):
 * "new", "known since run R (DATE)", or NULL when the run was not recorded. */
static char *standing(json_t *rep, size_t i)
{
	json_t *g = json_array_get(json_object_get(json_object_get(rep, "history"), "groups"), i);

	if (!g)
		return NULL;
	if (strcmp(str(g, "status"), "known"))
		return cl_xstrdup("new");
	return cl_sprintf("known since run %lld (%s)",
			  (long long)json_integer_value(json_object_get(g, "first_run")),
			  str(g, "first_seen"));
}

static void groups(xmlTextWriterPtr w, json_t *rep)
{
	json_t *g, *id;
	size_t i, j;

	if (!json_array_size(json_object_get(rep, "groups")))
		return;
	cl_xmlw_el(w, "h2", "Crash groups");
	xmlTextWriterStartElement(w, W("table"));
	json_array_foreach(json_object_get(rep, "groups"), i, g) {
		xmlTextWriterStartElement(w, W("tr"));
		xmlTextWriterStartElement(w, W("td"));
		badge(w, str(g, "verdict"));
		xmlTextWriterFullEndElement(w);
		cl_xmlw_el(w, "td", str(g, "title"));
		cl_xmlw_el(w, "td", *str(g, "module") ? str(g, "module") : "(no module)");
		char *known = standing(rep, i);

		if (known)
			cl_xmlw_el(w, "td", known);
		free(known);
		xmlTextWriterStartElement(w, W("td"));
		json_array_foreach(json_object_get(g, "cells"), j, id) {
			if (j)
				cl_xmlw_text(w, " ");
			cell_link(w, json_string_value(id), json_string_value(id));
		}
		xmlTextWriterFullEndElement(w);
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterFullEndElement(w);
}

/* Where the run was recorded, and how it compares with its baseline. */
static void history(xmlTextWriterPtr w, json_t *rep)
{
	json_t *h = json_object_get(rep, "history"), *b = json_object_get(rep, "baseline"), *r;
	size_t i;

	if (!json_is_object(h) && !json_is_object(b))
		return;
	cl_xmlw_el(w, "h2", "History");
	xmlTextWriterStartElement(w, W("table"));
	if (json_is_true(json_object_get(h, "recorded")))
		row_take(w, "recorded", cl_sprintf("run %lld in %s",
						   (long long)json_integer_value(json_object_get(h, "run")),
						   str(h, "db")));
	else if (json_is_object(h))
		row_take(w, "not recorded", cl_sprintf("%s: %s", str(h, "db"), str(h, "error")));
	if (json_is_object(b))
		row_take(w, "baseline", cl_sprintf("run %lld: %zu regressions, %zu fixes, %zu new crash "
						   "titles, %zu new cells",
						   (long long)json_integer_value(json_object_get(b, "run")),
						   json_array_size(json_object_get(b, "regressions")),
						   json_array_size(json_object_get(b, "fixes")),
						   json_array_size(json_object_get(b, "new_titles")),
						   json_array_size(json_object_get(b, "new_cells"))));
	json_array_foreach(json_object_get(b, "regressions"), i, r)
		row_take(w, "regression", cl_sprintf("%s: %s -> %s", str(r, "cell"), str(r, "was"),
						     str(r, "now")));
	xmlTextWriterFullEndElement(w);
}

/* "boot 2 at 24.6 s, 26.3 s: reached init, ended crash"; the boot it recovered in says so. */
static void boot_row(xmlTextWriterPtr w, json_t *b, long long healthy_boot)
{
	long long n = num(b, "boot");
	char *line = cl_sprintf("boot %lld at %.1f s, %.1f s: reached %s, ended %s%s%s", n,
				json_number_value(json_object_get(b, "start_s")),
				json_number_value(json_object_get(b, "duration_s")), str(b, "reached"),
				str(b, "ended"), is_true(b, "healthy") ? ", healthy" : "",
				n == healthy_boot ? ", recovered" : "");

	xmlTextWriterStartElement(w, W("tr"));
	cl_xmlw_el(w, "td", line);
	cl_xmlw_el(w, "td", str(b, "crash"));
	xmlTextWriterFullEndElement(w);
	free(line);
}

/*
 * Every boot of a cell that booted more than once, or recovered, or was
 * remediated: how far each got and how it ended, through the recovery; a
 * remediation's boots are not in the timeline, its last row sums them up.
 */
static void timeline(xmlTextWriterPtr w, json_t *c)
{
	json_t *boots = json_object_get(c, "timeline"), *m = json_object_get(c, "remediation"), *b;
	json_t *rec = json_object_get(c, "recovery");
	long long healthy = is_true(rec, "recovered") ? num(rec, "healthy_boot") : 0;
	size_t i;

	if (json_array_size(boots) < 2 && !healthy && !json_is_object(m))
		return;
	xmlTextWriterStartElement(w, W("table"));
	json_array_foreach(boots, i, b)
		boot_row(w, b, healthy);
	if (json_is_object(m)) {
		char *text = remediation_text(m), *line = cl_sprintf("then the remediation %s", text);

		xmlTextWriterStartElement(w, W("tr"));
		cl_xmlw_el(w, "td", line);
		cl_xmlw_el(w, "td", is_true(m, "recovered") ? "recovered" : "not recovered");
		xmlTextWriterFullEndElement(w);
		free(line);
		free(text);
	}
	xmlTextWriterFullEndElement(w);
}

/* One row per file the cell booted (name and digest), one for its packages. */
static void media_rows(xmlTextWriterPtr w, json_t *media)
{
	json_t *v;
	const char *name;
	char *pkgs = NULL;
	size_t len = 0, i;

	json_object_foreach(json_object_get(media, "files"), name, v) {
		char *key = cl_sprintf("booted %s", name);

		row(w, key, json_string_value(v));
		free(key);
	}
	json_array_foreach(json_object_get(media, "packages"), i, v)
		cl_append(&pkgs, &len, "%s%s", i ? ", " : "", json_string_value(v));
	if (pkgs)
		row(w, "packages", pkgs);
	free(pkgs);
}

/* --mutants: "41 refused, 1 survived, 1 crash" and the one installed at a failure. */
static void mutant_rows(xmlTextWriterPtr w, json_t *c)
{
	static const char *const outcomes[] = { "refused", "survived", "crash", "hang", "boot_loop",
						"install_failed", "workload_failed", "degraded", "incomplete",
						"not_run" };
	json_t *m;
	char *text = NULL;
	size_t len = 0, i, k;

	if (!json_object_get(c, "mutants"))
		return;
	for (k = 0; k < sizeof(outcomes) / sizeof(outcomes[0]); k++) {
		int n = 0;

		json_array_foreach(json_object_get(c, "mutants"), i, m)
			n += !strcmp(str(m, "outcome"), outcomes[k]);
		if (n)
			cl_append(&text, &len, "%s%d %s", text ? ", " : "", n, outcomes[k]);
	}
	row(w, "mutants", text ? text : "none");
	if (*str(c, "mutant"))
		row(w, "mutant installed at the failure", str(c, "mutant"));
	free(text);
}

/* "4 of 4 instances, 3 of 3 input fields exercised" */
static void coverage_row(xmlTextWriterPtr w, json_t *c)
{
	json_t *cov = json_object_get(c, "coverage"), *x;
	int inst = 0, fields = 0;
	size_t i;
	char *text;

	if (!json_is_object(cov))
		return;
	json_array_foreach(json_object_get(cov, "instances"), i, x)
		inst += json_is_true(json_object_get(x, "exercised"));
	json_array_foreach(json_object_get(cov, "fields"), i, x)
		fields += json_is_true(json_object_get(x, "exercised"));
	text = cl_sprintf("%d of %zu instances, %d of %zu input fields exercised", inst,
			  json_array_size(json_object_get(cov, "instances")), fields,
			  json_array_size(json_object_get(cov, "fields")));
	row(w, "coverage", text);
	free(text);
}

/* One row per IPC step: what it made, and how the candidate's counters moved. */
static void workload_rows(xmlTextWriterPtr w, json_t *c)
{
	json_t *st, *v;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(c, "workload"), i, st) {
		char *text = cl_sprintf("%lld made, %lld messages, %lld errors, %lld workers, %.1f s;",
					(long long)json_integer_value(json_object_get(st, "generated")),
					(long long)json_integer_value(json_object_get(st, "messages")),
					(long long)json_integer_value(json_object_get(st, "errors")),
					(long long)json_integer_value(json_object_get(st, "workers")),
					json_number_value(json_object_get(st, "seconds")));
		char *key = cl_sprintf("step %lld: %s",
				       (long long)json_integer_value(json_object_get(st, "step")),
				       str(st, "op"));

		json_object_foreach(json_object_get(st, "counters_moved"), k, v) {
			char *more = json_is_integer(v)
				? cl_sprintf("%s %s +%lld", text, k, (long long)json_integer_value(v))
				: cl_sprintf("%s %s not reported", text, k);

			free(text);
			text = more;
		}
		row(w, key, text);
		free(key);
		free(text);
	}
}

/* The candidate's evidence command: its exit, and each condition with what it got. */
static void evidence_row(xmlTextWriterPtr w, json_t *c)
{
	json_t *ev = json_object_get(c, "evidence"), *q;
	char *text;
	size_t i;

	if (!json_is_object(ev))
		return;
	text = json_is_integer(json_object_get(ev, "command_exit"))
		? cl_sprintf("command exit %lld;",
			     (long long)json_integer_value(json_object_get(ev, "command_exit")))
		: cl_xstrdup("no command exit reported;");
	json_array_foreach(json_object_get(ev, "require"), i, q) {
		char *more = cl_sprintf("%s %s = %.80s %s", text, str(q, "key"),
					json_is_string(json_object_get(q, "got")) ? str(q, "got") : "(missing)",
					json_is_true(json_object_get(q, "held")) ? "held" : "NOT held");
		free(text);
		text = more;
	}
	row(w, "evidence", text);
	free(text);
}

/* "tracepoint, attached by 2 links to sys_exit_mknodat sys_exit_mknod, ran 24 times, ..." */
static char *bpf_prog_text(json_t *p)
{
	json_t *ns = json_object_get(p, "ns_per_event"), *insns = json_object_get(p, "verified_insns");
	json_t *t;
	char *text = cl_xstrdup("");
	size_t len = 0, i;

	if (!is_true(p, "loaded"))
		return cl_append(&text, &len, "NOT loaded"), text;
	cl_append(&text, &len, "%s, ", *str(p, "type") ? str(p, "type") : "type unknown");
	if (!is_true(p, "attached"))
		cl_append(&text, &len, "NOT attached");
	else if (num(p, "links") == 0)
		cl_append(&text, &len, "attached without a link (it ran)");
	else
		cl_append(&text, &len, "attached by %lld link%s%s", num(p, "links"),
			  plural(num(p, "links")),
			  json_array_size(json_object_get(p, "attach_targets")) ? " to" : "");
	json_array_foreach(json_object_get(p, "attach_targets"), i, t)
		cl_append(&text, &len, " %s", json_string_value(t) ? json_string_value(t) : "?");
	if (json_is_integer(json_object_get(p, "runs_in_workload")))
		cl_append(&text, &len, ", ran %lld times in the workload", num(p, "runs_in_workload"));
	if (json_is_number(ns))
		cl_append(&text, &len, ", %.1f ns per event", json_number_value(ns));
	if (json_is_integer(insns))
		cl_append(&text, &len, ", verifier processed %lld instructions (%.1f%% headroom)",
			  (long long)json_integer_value(insns),
			  json_number_value(json_object_get(p, "insns_headroom_pct")));
	return text;
}

/* A BPF candidate: each program as the kernel listed it, and why it did not start. */
static void bpf_rows(xmlTextWriterPtr w, json_t *c)
{
	json_t *b = json_object_get(c, "bpf"), *p, *f;
	size_t i;

	if (!json_is_object(b))
		return;
	json_array_foreach(json_object_get(b, "programs"), i, p) {
		char *key = cl_sprintf("bpf program %s", str(p, "name"));

		row_take(w, key, bpf_prog_text(p));
		free(key);
	}
	json_array_foreach(json_object_get(b, "maps"), i, p)
		if (!is_true(p, "created"))
			row(w, "bpf map NOT created", str(p, "name"));
	if ((f = json_object_get(b, "start_failure")))
		row_take(w, "start failed", cl_sprintf("%s%s%s", str(f, "program"),
						       *str(f, "program") ? ": " : "", str(f, "reason")));
}

/* The end of what the candidate's start command said (a verifier's log), when it failed. */
static void start_log(xmlTextWriterPtr w, json_t *c)
{
	json_t *log = json_object_get(json_object_get(c, "bpf"), "start_log"), *l;
	char *text = cl_xstrdup("");
	size_t len = 0, i;

	json_array_foreach(log, i, l)
		cl_append(&text, &len, "%s\n", json_string_value(l) ? json_string_value(l) : "");
	if (len)
		cl_xmlw_el(w, "pre", text);
	free(text);
}

static void cell_details(xmlTextWriterPtr w, json_t *c)
{
	char *anchor = cl_sprintf("cell-%s", str(c, "id"));
	json_t *snap = json_object_get(c, "snapshot");

	xmlTextWriterStartElement(w, W("section"));
	cl_xmlw_attr(w, "id", anchor);
	heading(w, "h3", str(c, "id"), str(c, "verdict"), "");
	xmlTextWriterStartElement(w, W("table"));
	row(w, "title", str(c, "title"));
	row(w, "kernel", str(c, "kernel_release"));
	row(w, "guilty function", str(c, "frame"));
	row(w, "module", str(c, "module"));
	row(w, "module sha256", str(c, "module_sha256"));
	row(w, "started from", snap ? str(snap, "sha256") : str(c, "started_from"));
	row(w, "console", str(c, "console"));
	row_take(w, "remediation", remediation_text(json_object_get(c, "remediation")));
	row_take(w, "automatic recovery", recovery_text(c));
	media_rows(w, json_object_get(c, "boot_media"));
	coverage_row(w, c);
	workload_rows(w, c);
	evidence_row(w, c);
	bpf_rows(w, c);
	mutant_rows(w, c);
	xmlTextWriterFullEndElement(w);
	start_log(w, c);
	timeline(w, c);
	if (*str(c, "excerpt"))
		cl_xmlw_el(w, "pre", str(c, "excerpt"));
	xmlTextWriterFullEndElement(w);
	free(anchor);
}

static void write_page(xmlTextWriterPtr w, json_t *rep)
{
	json_t *cells = json_object_get(rep, "cells"), *c;
	char *title = cl_sprintf("crashlab: %s - %s", str(rep, "verdict"),
				 str(json_object_get(rep, "candidate"), "name"));
	size_t i;

	xmlTextWriterWriteDTD(w, W("html"), NULL, NULL, NULL);
	xmlTextWriterStartElement(w, W("html"));
	xmlTextWriterWriteAttribute(w, W("lang"), W("en"));
	xmlTextWriterStartElement(w, W("head"));
	xmlTextWriterStartElement(w, W("meta"));
	xmlTextWriterWriteAttribute(w, W("charset"), W("utf-8"));
	xmlTextWriterEndElement(w); /* a void element: <meta .../> */
	cl_xmlw_el(w, "title", title);
	cl_xmlw_el(w, "style", cl_html_css);
	xmlTextWriterFullEndElement(w);
	xmlTextWriterStartElement(w, W("body"));
	header(w, rep);
	preflight(w, rep);
	artifacts(w, rep);
	grid(w, cells);
	groups(w, rep);
	history(w, rep);
	cl_xmlw_el(w, "h2", "Cells");
	json_array_foreach(cells, i, c)
		cell_details(w, c);
	xmlTextWriterFullEndElement(w);
	xmlTextWriterFullEndElement(w);
	free(title);
}

int cl_html_write(const char *report_path, const char *out_path)
{
	json_t *rep;
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	int rc;

	/* strict: a key given twice is refused, not read as its last value */
	if ((rc = cl_json_load(&rep, report_path)))
		return rc;
	buf = xmlBufferCreate();
	w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!w) {
		xmlBufferFree(buf);
		json_decref(rep);
		return cl_err_set(CL_EINFRA, "%s: out of memory", report_path);
	}
	write_page(w, rep);
	rc = cl_xmlw_save(w, buf, out_path);
	json_decref(rep);
	return rc;
}
