/*
 * cl_kcidb.c - a run's report.json as KCIDB I/O data (cl_kcidb.h).
 *
 * KCIDB never takes a null property, so what the report lacks is left out,
 * never written as null. Its ids are ORIGIN:..., its test paths dotted
 * words, its log excerpts at most 16384 characters: each is made to fit
 * here, from untrusted guest text as much as from crashlab's own.
 */
#include "cl_kcidb.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define KCIDB_EXCERPT_MAX 16384 /* characters; cut in bytes, so never more */

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Set @key to a copy of @v when @v is there (KCIDB has no nulls). */
static void put(json_t *o, const char *key, json_t *v)
{
	if (v && !json_is_null(v))
		json_object_set(o, key, v);
}

static void put_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

int cl_kcidb_origin_ok(const char *o)
{
	if (!o || !*o)
		return 0;
	for (; *o; o++)
		if (!islower((unsigned char)*o) && !isdigit((unsigned char)*o) && *o != '_')
			return 0;
	return 1;
}

/* The first 16 hex digits of SHA-256 over @text. */
static void short_digest(char out[17], const char *text)
{
	char hex[CL_SHA256_HEX];

	cl_sha256_hex(hex, text, strlen(text));
	memcpy(out, hex, 16);
	out[16] = '\0';
}

/* KCIDB's status for a crashlab verdict: the candidate's failures FAIL,
 * the lab's errors ERROR, a cell that never ran MISS. */
static const char *status_of(const char *verdict)
{
	if (!verdict || !strcmp(verdict, "infra_error"))
		return "ERROR";
	if (!strcmp(verdict, "pass"))
		return "PASS";
	return strcmp(verdict, "not_run") ? "FAIL" : "MISS";
}

/* @s as one dotted-path word: [A-Za-z0-9_-], anything else '_'. */
static char *path_word(const char *s)
{
	char *w = cl_xstrdup(s && *s ? s : "default");

	for (char *p = w; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			*p = '_';
	return w;
}

/* At most KCIDB_EXCERPT_MAX bytes of @s, cut at a UTF-8 character's start. */
static json_t *excerpt(const char *s)
{
	size_t n = strlen(s);

	if (n > KCIDB_EXCERPT_MAX) {
		n = KCIDB_EXCERPT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return json_stringn(s, n);
}

/* file://@dir/@rel, every byte but unreserved ones and '/' percent-encoded. */
static char *file_url(const char *dir, const char *rel)
{
	char *path = cl_sprintf("%s/%s", dir, rel), *url = cl_xcalloc(strlen(path) * 3 + 8, 1);
	char *o = url + sprintf(url, "file://");

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		o += isalnum(*p) || strchr("-._~/", *p) ? sprintf(o, "%c", *p)
							: sprintf(o, "%%%02X", *p);
	free(path);
	return url;
}

/* The run's checkout: the candidate under test. */
static json_t *checkout(json_t *rep, const char *id, const char *origin)
{
	json_t *cand = json_object_get(rep, "candidate"), *arts = json_array(), *a;
	json_t *co = json_pack("{s:s, s:s, s:b}", "id", id, "origin", origin, "valid", 1), *misc;
	size_t i;

	put_str(co, "tree_name", str(cand, "name"));
	put_str(co, "git_commit_name", str(cand, "version"));
	put_str(co, "start_time", str(rep, "started"));
	json_array_foreach(json_object_get(cand, "artifacts"), i, a)
		json_array_append_new(arts, json_pack("{s:s*, s:s*, s:s*}", "kind", str(a, "kind"),
						      "name", str(a, "name"), "sha256",
						      str(a, "sha256")));
	misc = json_pack("{s:o, s:s*}", "artifacts", arts, "verdict", str(rep, "verdict"));
	put(misc, "crashlab", json_object_get(rep, "crashlab"));
	put(misc, "matrix", json_object_get(rep, "matrix"));
	put(misc, "scenario", json_object_get(rep, "scenario"));
	put(misc, "accelerator", json_object_get(rep, "accelerator"));
	put(misc, "finished", json_object_get(rep, "finished"));
	json_object_set_new(co, "misc", misc);
	json_object_set_new(co, "comment", json_string("crashlab qualification of a kernel sensor "
						       "and its content"));
	return co;
}

/* The build of cell @c's kernel under checkout @co_id, unless one is in @builds. */
static void add_build(json_t *builds, json_t *c, const char *co_id, const char *origin)
{
	json_t *def = json_object_get(c, "definition"), *b, *old;
	char *id = cl_sprintf("%s:%s", co_id, str(c, "kernel_release"));
	size_t i;

	json_array_foreach(builds, i, old)
		if (!strcmp(str(old, "id"), id)) {
			free(id);
			return;
		}
	b = json_pack("{s:s, s:s, s:s}", "id", id, "checkout_id", co_id, "origin", origin);
	put_str(b, "architecture", str(def, "arch"));
	put_str(b, "config_name", str(c, "flavor"));
	json_object_set_new(b, "comment", json_sprintf("Debian's linux-image-%s, the candidate's "
						       "module built against its headers",
						       str(c, "kernel_release")));
	if (str(c, "module_sha256"))
		json_object_set_new(b, "status", json_string("PASS"));
	json_object_set_new(b, "misc", json_pack("{s:s*, s:s*, s:s*}", "kernel_release",
						 str(c, "kernel_release"), "os", str(def, "os"),
						 "module_sha256", str(c, "module_sha256")));
	json_array_append_new(builds, b);
	free(id);
}

/* What a test's misc keeps of its cell. */
static json_t *test_misc(json_t *c)
{
	static const char *const keys[] = { "verdict", "title", "class", "frame", "module",
					    "attempts", "boots", "started_from", "image",
					    "kernel_release_seen", "module_sha256", NULL };
	json_t *m = json_object();

	for (int k = 0; keys[k]; k++)
		put(m, keys[k], json_object_get(c, keys[k]));
	return m;
}

/* Cell @c as a test of its kernel's build. */
static json_t *test(json_t *rep, json_t *c, const char *co_id, const char *origin, const char *dir)
{
	json_t *def = json_object_get(c, "definition");
	char *path = path_word(str(json_object_get(rep, "scenario"), "name"));
	json_t *t = json_pack("{s:s++, s:s++, s:s, s:s+, s:s}", "id", co_id, ":", str(c, "id"),
			      "build_id", co_id, ":", str(c, "kernel_release"), "origin", origin,
			      "path", "crashlab.", path, "status", status_of(str(c, "verdict")));

	put_str(t, "comment", str(c, "title"));
	put(t, "duration", json_object_get(c, "duration_s"));
	put_str(t, "start_time", str(rep, "started"));
	if (str(c, "excerpt") && *str(c, "excerpt"))
		json_object_set_new(t, "log_excerpt", excerpt(str(c, "excerpt")));
	if (dir && str(c, "console")) {
		char *url = file_url(dir, str(c, "console"));

		json_object_set_new(t, "log_url", json_string(url));
		json_object_set_new(t, "output_files", json_pack("[{s:s, s:s}]", "name", "console.log",
								  "url", url));
		free(url);
	}
	json_object_set_new(t, "environment", json_pack("{s:o, s:o}", "comment",
		json_sprintf("QEMU (%s), %s image, %lld MiB, %lld vCPU",
			     str(rep, "accelerator") ? str(rep, "accelerator") : "?",
			     str(def, "image") ? str(def, "image") : "?",
			     json_integer_value(json_object_get(def, "memory_mib")),
			     json_integer_value(json_object_get(def, "vcpus"))),
		"misc", def ? json_deep_copy(def) : json_object()));
	json_object_set_new(t, "misc", test_misc(c));
	free(path);
	return t;
}

/* The issue @id in @issues, or NULL. */
static json_t *issue_of(json_t *issues, const char *id)
{
	json_t *x;
	size_t i;

	json_array_foreach(issues, i, x)
		if (!strcmp(str(x, "id"), id))
			return x;
	return NULL;
}

/*
 * A failing cell @c as an incident of its crash group's issue, the issue
 * added the first time. A group is a verdict and a title, as the report's
 * groups are; built from the cells, so a merged report (whose groups are
 * not kept) exports its issues all the same.
 */
static void add_incident(json_t *out, json_t *c, const char *co_id, const char *key,
			 const char *origin)
{
	const char *verdict = str(c, "verdict"), *title = str(c, "title");
	int lab = !strcmp(verdict, "infra_error");
	char d[17], *seed = cl_sprintf("%s\n%s", verdict, title ? title : ""), *iid;

	short_digest(d, seed);
	iid = cl_sprintf("%s:%s", origin, d);
	if (!issue_of(json_object_get(out, "issues"), iid))
		json_array_append_new(json_object_get(out, "issues"),
			json_pack("{s:s, s:i, s:s, s:s, s:s, s:{s:b, s:b, s:b}, s:{s:s, s:s*}}", "id",
				  iid, "version", 0, "origin", origin, "comment",
				  title && *title ? title : verdict, "report_subject",
				  title && *title ? title : verdict, "culprit", "code", !lab, "tool", 0,
				  "harness", lab, "misc", "verdict", verdict, "module",
				  str(c, "module")));
	json_array_append_new(json_object_get(out, "incidents"),
		json_pack("{s:s++++, s:s, s:s, s:i, s:s++, s:b}", "id", iid, ":", key, ":",
			  str(c, "id"), "origin", origin, "issue_id", iid, "issue_version", 0,
			  "test_id", co_id, ":", str(c, "id"), "present", 1));
	free(seed);
	free(iid);
}

int cl_kcidb_from_report(json_t *rep, const char *origin, const char *report_dir, json_t **out)
{
	json_t *cand = json_object_get(rep, "candidate"), *c, *g;
	char key[17], *seed, *co_id;
	size_t i;

	*out = NULL;
	if (!cl_kcidb_origin_ok(origin))
		return cl_err_set(CL_EINPUT, "KCIDB origin \"%.40s\": not [a-z0-9_]+", origin);
	if (!json_is_array(json_object_get(rep, "cells")) || !str(cand, "name") || !str(rep, "started"))
		return cl_err_set(CL_EINPUT, "not a crashlab report: no cells, candidate or start");
	/* the run's key: its start and end, candidate and matrix */
	g = json_pack("[O?, O?, O?, O?, O?]", json_object_get(rep, "started"),
		      json_object_get(rep, "finished"), json_object_get(cand, "name"),
		      json_object_get(cand, "version"),
		      json_object_get(json_object_get(rep, "matrix"), "sha256"));
	seed = json_dumps(g, 0);
	json_decref(g);
	short_digest(key, seed);
	co_id = cl_sprintf("%s:%s", origin, key);
	*out = json_pack("{s:{s:i, s:i}, s:[o], s:[], s:[], s:[], s:[]}", "version", "major",
			 CL_KCIDB_MAJOR, "minor", CL_KCIDB_MINOR, "checkouts",
			 checkout(rep, co_id, origin), "builds", "tests", "issues", "incidents");
	json_array_foreach(json_object_get(rep, "cells"), i, c) {
		json_t *t = str(c, "id") && str(c, "kernel_release")
				    ? test(rep, c, co_id, origin, report_dir) : NULL;

		if (!t) { /* never a run with a cell silently left out */
			json_decref(*out);
			*out = NULL;
			break;
		}
		add_build(json_object_get(*out, "builds"), c, co_id, origin);
		json_array_append_new(json_object_get(*out, "tests"), t);
		if (str(c, "verdict") && strcmp(str(c, "verdict"), "pass") &&
		    strcmp(str(c, "verdict"), "not_run"))
			add_incident(*out, c, co_id, key, origin);
	}
	free(seed);
	free(co_id);
	return *out ? 0 : cl_err_set(CL_EINPUT, "cell %zu has no id or kernel_release", i + 1);
}
