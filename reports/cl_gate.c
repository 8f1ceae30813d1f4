/*
 * cl_gate.c - the release gate (see cl_gate.h). Each check is a function
 * that returns 0 or sets the one reason; cl_gate() runs them in order.
 * Nothing here trusts a path or a name the statement gives: files are the
 * ones the caller names, hashed now.
 */
#include "cl_gate.h"
#include "cl_artifacts.h"
#include "cl_attest.h"
#include "cl_candidate.h"
#include "cl_matrix.h"
#include "cl_util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

double cl_gate_parse_age(const char *s)
{
	static const struct { const char *unit; double s; } units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	};
	char *end;
	double v;

	if (!s || !*s || !strchr("0123456789.", *s))
		return -1;
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v <= 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit))
			return v * units[i].s;
	return -1;
}

int cl_gate_parse_time(const char *s, double *out)
{
	struct tm tm = { 0 };
	const char *end;

	if (!s || strlen(s) != 20)
		return -1;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (double)timegm(&tm);
	return 0;
}

/*
 * What the statement claims of itself: a crashlab qualification whose
 * candidate passed every pre-flight step, none skipped. Its overall verdict
 * may be "fail" for cells the release does not require (a qualification
 * wider than the release): every cell the release requires is checked
 * on its own (check_cell), and only those decide.
 */
static int check_claims(json_t *st)
{
	json_t *pred = json_object_get(st, "predicate"), *pf = json_object_get(pred, "preflight");
	json_t *steps = json_object_get(pf, "steps"), *step;
	size_t i;

	if (strcmp(str(st, "predicateType") ?: "", CL_PREDICATE_TYPE))
		return cl_err_set(1, "the statement is not a crashlab qualification");
	if (!json_is_false(json_object_get(pf, "skipped")))
		return cl_err_set(1, "the qualification skipped the candidate's pre-flight checks");
	if (!json_is_array(steps))
		return cl_err_set(1, "the qualification does not show its pre-flight steps");
	json_array_foreach(steps, i, step)
		if (strcmp(str(step, "status") ?: "", "pass"))
			return cl_err_set(1, "pre-flight step %.64s: %.32s, not pass",
					  str(step, "name") ?: "(unnamed)", str(step, "status") ?: "no status");
	return 0;
}

/*
 * Every pre-flight step the candidate declares ran, as the statement shows:
 * once per content file for a step given {content}, else once (what passed
 * is check_claims'). The statement's own "declared" is not trusted.
 */
static int check_preflight_ran(json_t *pred, const struct cl_candidate *c)
{
	json_t *steps = json_object_get(json_object_get(pred, "preflight"), "steps"), *step;
	size_t i;

	for (int k = 0; k < c->npreflight; k++) {
		const struct cl_preflight_step *want = &c->preflight[k];
		int n = 0, need = want->per_content ? c->ncontent : 1;

		json_array_foreach(steps, i, step)
			n += !strcmp(str(step, "name") ?: "", want->name);
		if (n < need)
			return cl_err_set(1, "pre-flight step %.64s ran %d time%s, the candidate needs %d",
					  want->name, n, n == 1 ? "" : "s", need);
	}
	return 0;
}

/* Its "finished" time: well-formed, not in the future, younger than @max_age_s. */
static int check_age(json_t *pred, double max_age_s)
{
	const char *fin = str(pred, "finished"), *start = str(pred, "started");
	double f, s, now = (double)time(NULL);

	if (cl_gate_parse_time(fin, &f))
		return cl_err_set(1, "the statement's finishing time \"%.40s\" is not a UTC time "
				  "YYYY-MM-DDTHH:MM:SSZ", fin ?: "(none)");
	if (cl_gate_parse_time(start, &s) || s > f)
		return cl_err_set(1, "the statement's start \"%.40s\" is not a UTC time before its "
				  "finish", start ?: "(none)");
	if (f > now + CL_GATE_CLOCK_SKEW_S)
		return cl_err_set(1, "the qualification finished %s, %.0f s in the future", fin,
				  f - now);
	if (now - f > max_age_s)
		return cl_err_set(1, "the qualification is %.0f s old (finished %s); the limit is "
				  "%.0f s", now - f, fin, max_age_s);
	return 0;
}

/* The statement's artifact of @kind named @name, or NULL. */
static json_t *stated(json_t *arts, const char *kind, const char *name)
{
	json_t *a;
	size_t i;

	json_array_foreach(arts, i, a)
		if (!strcmp(str(a, "kind") ?: "", kind) && !strcmp(str(a, "name") ?: "", name))
			return a;
	return NULL;
}

/* Each file of the candidate now is an artifact of the statement with its digest. */
static int compare_present(const struct cl_artifacts *now, json_t *arts)
{
	for (int i = 0; i < now->n; i++) {
		const struct cl_artifact *a = &now->v[i];
		const char *kind = cl_artifacts_kind_name(a->kind);
		json_t *s = stated(arts, kind, a->name);
		const char *what = a->file ? a->file : a->name;

		if (!s)
			return cl_err_set(1, "%s (%s) was not qualified: the statement has no %s of "
					  "that name", what, kind, kind);
		if (strcmp(str(s, "sha256") ?: "", a->sha256))
			return cl_err_set(1, "%s (%s) changed since it was qualified: sha256 %.16s... "
					  "now, %.16s... qualified", what, kind, a->sha256,
					  str(s, "sha256") ?: "?");
	}
	return 0;
}

/* No artifact of a shipped kind in the statement that the candidate no longer has. */
static int compare_absent(const struct cl_artifacts *now, json_t *arts)
{
	json_t *s;
	size_t i;

	json_array_foreach(arts, i, s) {
		int kind = cl_artifacts_kind_parse(str(s, "kind"));
		int found = kind < 0;

		for (int k = 0; k < now->n && !found; k++)
			found = (int)now->v[k].kind == kind && !strcmp(now->v[k].name, str(s, "name") ?: "");
		if (!found)
			return cl_err_set(1, "%s (%s) was qualified but is not part of the candidate "
					  "any more", str(s, "name") ?: "?", str(s, "kind"));
	}
	return 0;
}

/* Every file the candidate ships, hashed now, is what the statement bound. */
static int check_artifacts(json_t *pred, const struct cl_candidate *c)
{
	json_t *arts = json_object_get(json_object_get(pred, "candidate"), "artifacts");
	struct cl_artifacts now;
	int rc;

	if (!json_is_array(arts))
		return cl_err_set(1, "the statement lists no artifacts");
	if ((rc = cl_artifacts_of(&now, c)))
		return rc;
	rc = compare_present(&now, arts);
	if (rc == 0)
		rc = compare_absent(&now, arts);
	cl_artifacts_clear(&now);
	return rc;
}

/* DIR/RELEASE/NAME.ko: one module as it ships, a module artifact of that kernel. */
static int check_module(json_t *arts, const char *dir, const char *release, const char *leaf)
{
	char *path = cl_sprintf("%s/%s/%s", dir, release, leaf), sha[CL_SHA256_HEX];
	char *name = cl_sprintf("%.*s", (int)(strlen(leaf) - 3), leaf);
	int rc = cl_sha256_file(sha, path) ? CL_EINPUT : 0, found = 0;
	json_t *a;
	size_t i;

	json_array_foreach(arts, i, a)
		if (rc == 0 && !found && !strcmp(str(a, "kind") ?: "", "module") &&
		    !strcmp(str(a, "name") ?: "", name) &&
		    !strcmp(str(a, "kernel_release") ?: "", release)) {
			found = 1;
			if (strcmp(str(a, "sha256") ?: "", sha))
				rc = cl_err_set(1, "%s changed since it was qualified: sha256 %.16s... "
						"now, %.16s... qualified", path, sha, str(a, "sha256"));
		}
	if (rc == 0 && !found)
		rc = cl_err_set(1, "%s was not qualified: the statement has no module %s for "
				"kernel %s", path, name, release);
	free(path);
	free(name);
	return rc;
}

/* The .ko files of one kernel's directory; @count grows by what it checked. */
static int check_release_dir(json_t *arts, const char *dir, const char *release, int *count)
{
	char *sub = cl_path_join(dir, release);
	DIR *d = opendir(sub);
	struct dirent *e;
	int rc = d ? 0 : cl_err_set(CL_EINPUT, "%s: cannot open: %s", sub, strerror(errno));

	while (rc == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (n <= 3 || !cl_ends_with(e->d_name, ".ko"))
			rc = cl_err_set(1, "%s/%s: not a module; the modules directory holds "
					"RELEASE/NAME.ko only", sub, e->d_name);
		else if ((rc = check_module(arts, dir, release, e->d_name)) == 0)
			(*count)++;
	}
	if (d)
		closedir(d);
	free(sub);
	return rc;
}

/* --modules DIR: every module about to ship is one the statement binds. */
static int check_modules(json_t *pred, const char *dir)
{
	json_t *arts = json_object_get(json_object_get(pred, "candidate"), "artifacts");
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = d ? 0 : cl_err_set(CL_EINPUT, "%s: cannot open: %s", dir, strerror(errno));
	int count = 0;

	while (rc == 0 && (e = readdir(d)))
		if (e->d_name[0] != '.')
			rc = check_release_dir(arts, dir, e->d_name, &count);
	if (d)
		closedir(d);
	if (rc == 0 && count == 0)
		rc = cl_err_set(CL_EINPUT, "%s: no RELEASE/NAME.ko in it: nothing to check", dir);
	return rc;
}

/* The first key whose value differs between two definitions, or NULL. */
static const char *differs(json_t *want, json_t *got)
{
	const char *key;
	json_t *v;

	json_object_foreach(want, key, v)
		if (!json_equal(v, json_object_get(got, key)))
			return key;
	json_object_foreach(got, key, v)
		if (!json_object_get(want, key))
			return key;
	return NULL;
}

/* The statement's cell of id @id, or NULL (a second one is an error in @dup). */
static json_t *cell_of(json_t *pred, const char *id, int *dup)
{
	json_t *c, *found = NULL;
	size_t i;

	*dup = 0;
	json_array_foreach(json_object_get(pred, "cells"), i, c)
		if (!strcmp(str(c, "id") ?: "", id)) {
			*dup |= found != NULL;
			found = c;
		}
	return found;
}

/* One cell the release requires: qualified once, as defined here, and passed. */
static int check_cell(json_t *pred, const struct cl_matrix *m, const struct cl_cell_spec *spec)
{
	json_t *want = cl_matrix_cell_definition(spec), *got;
	int dup, rc = 0;
	const char *key;

	got = cell_of(pred, spec->id, &dup);
	if (!got)
		rc = cl_err_set(1, "cell %s of %s (%s) was not qualified", spec->id, m->path,
				spec->kernel);
	else if (dup)
		rc = cl_err_set(1, "cell %s is in the statement twice", spec->id);
	else if ((key = differs(want, json_object_get(got, "definition")))) {
		char *a = json_dumps(json_object_get(want, key), JSON_ENCODE_ANY | JSON_COMPACT);
		char *b = json_dumps(json_object_get(json_object_get(got, "definition"), key),
				     JSON_ENCODE_ANY | JSON_COMPACT);

		rc = cl_err_set(1, "cell %s: %s is %.80s in %s but %.80s in the qualification",
				spec->id, key, a ?: "absent", m->path, b ?: "absent");
		free(a);
		free(b);
	} else if (strcmp(str(got, "verdict") ?: "", "pass"))
		rc = cl_err_set(1, "cell %s (%s): %s", spec->id, spec->kernel,
				str(got, "verdict") ?: "no verdict");
	json_decref(want);
	return rc;
}

/* The release's matrix, in the image kinds the candidate needs, cell by cell. */
static int check_matrix(json_t *pred, const char *path, const struct cl_candidate *c)
{
	struct cl_matrix *m = NULL;
	int rc = cl_matrix_load(&m, path);

	if (rc == 0)
		rc = cl_candidate_fit_matrix(m, c);
	for (int i = 0; rc == 0 && i < m->ncells; i++)
		rc = check_cell(pred, m, &m->cells[i]);
	cl_matrix_free(m);
	return rc;
}

/* The scenario the release requires is, byte for byte, the one that ran. */
static int check_scenario(json_t *pred, const char *path)
{
	const char *qualified = str(json_object_get(pred, "scenario"), "sha256");
	char sha[CL_SHA256_HEX];

	if (cl_sha256_file(sha, path))
		return CL_EINPUT;
	if (strcmp(qualified ?: "", sha))
		return cl_err_set(1, "%s (sha256 %.16s...) is not the scenario that ran (%.16s...)",
				  path, sha, qualified ?: "none");
	return 0;
}

/* --no-regressions: the signed report was compared with a baseline
 * (qualify --baseline) and no cell that passed there fails here. */
static int check_regressions(json_t *pred)
{
	json_t *b = json_object_get(pred, "baseline"), *regs = json_object_get(b, "regressions");
	json_t *first = json_array_get(regs, 0);

	if (!json_is_object(b) || !json_is_array(regs))
		return cl_err_set(1, "--no-regressions: the signed report has no "
				  "baseline (qualify --baseline last-pass|RUN)");
	if (first)
		return cl_err_set(1, "%zu regression%s against run %lld, first %.80s (%.20s -> "
				  "%.20s)", json_array_size(regs), json_array_size(regs) == 1 ? "" : "s",
				  (long long)json_integer_value(json_object_get(b, "run")),
				  json_string_value(json_object_get(first, "cell")),
				  json_string_value(json_object_get(first, "was")),
				  json_string_value(json_object_get(first, "now")));
	return 0;
}

int cl_gate(const struct cl_gate_input *in)
{
	struct cl_candidate *c = NULL;
	json_t *st = NULL, *pred;
	int rc;

	if (in->max_age_s <= 0)
		return cl_err_set(CL_EINPUT, "gate: the maximum age must be positive");
	if ((rc = cl_attest_open(&st, in->attestation, in->pubkey)))
		return rc;
	pred = json_object_get(st, "predicate");
	if ((rc = check_claims(st)) == 0 && (rc = check_age(pred, in->max_age_s)) == 0 &&
	    (rc = cl_candidate_load_flags(&c, in->candidate, CL_CAND_RECORD_DIGESTS)) == 0 &&
	    (rc = check_preflight_ran(pred, c)) == 0 && (rc = check_artifacts(pred, c)) == 0 &&
	    (!in->modules || (rc = check_modules(pred, in->modules)) == 0) &&
	    (rc = check_matrix(pred, in->matrix, c)) == 0 &&
	    (!in->no_regressions || (rc = check_regressions(pred)) == 0))
		rc = check_scenario(pred, in->scenario);
	cl_candidate_free(c);
	json_decref(st);
	return rc < 0 ? rc : rc ? 1 : 0;
}
