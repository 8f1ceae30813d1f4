/*
 * The history store on real databases: an SQLite file always, and the
 * PostgreSQL server tests/run-unit.sh starts (CRASHLAB_TEST_PG, its URL) -
 * the same checks on both. Runs recorded from reports shaped like
 * report.json: new and known crash groups, the runs and a cell's rows,
 * crash groups across runs, the schema's migrations, and writers at once.
 */
#include "cl_test.h"
#include "cl_history.h"
#include "cl_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CF291_TITLE "BUG: unable to handle page fault in cl_interp_eval"

/* A report of 3 cells (kernels 6.1.0-5x-amd64); @crash: every cell crashed
 * (the bad content's digest), else passed but @crash < 0: cell c1 hung. */
static json_t *report(const char *version, int crash, const char *started)
{
	const int hang = crash < 0;

	json_t *cells = json_array(), *names = json_array();

	for (int i = 0; i < 3; i++) {
		char id[16], kernel[32];

		snprintf(id, sizeof(id), "c%d", i);
		snprintf(kernel, sizeof(kernel), "6.1.0-5%d-amd64", i);
		json_array_append_new(cells, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:f, s:i, s:i}",
						       "id", id, "kernel_release", kernel, "os", "debian-12",
						       "flavor", "amd64", "verdict",
						       crash > 0 ? "crash" : hang && i == 1 ? "hang" : "pass",
						       "title", crash > 0 ? CF291_TITLE : "sensor saw the workload",
						       "class", crash > 0 ? json_string("page_fault") : json_null(),
						       "duration_s", 2.5, "attempts", 1, "boots", 1));
		json_array_append_new(names, json_string(id));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:[{s:s, s:s, s:s}]},"
			 " s:o, s:o}",
			 "verdict", crash ? "fail" : "pass", "started", started, "finished", started,
			 "accelerator", "tcg", "crashlab", "version", "0.1.0", "matrix", "name", "smoke",
			 "sha256", "ab", "candidate", "name", "sensor", "version", version, "artifacts",
			 "kind", "content", "name", "channel-291", "sha256", crash > 0 ? "bad1" : "4cc6",
			 "groups", crash > 0 ? json_pack("[{s:s, s:o}]", "title", CF291_TITLE, "cells", names)
					 : (json_decref(names), json_array()),
			 "cells", cells);
}

static long record(struct cl_history *h, const char *version, int crash, const char *started,
		   struct cl_history_run *run)
{
	json_t *rep = report(version, crash, started);

	assert_int_equal(cl_history_record(h, rep, "qualify", "/tmp/out", run), 0);
	json_decref(rep);
	return run->id;
}

static long count(json_t *rows)
{
	long n = (long)json_array_size(rows);

	json_decref(rows);
	return n;
}

/* --reruns: a cell that failed 1 of its 3 runs is flaky; 3 of 3 is not. */
static void check_reruns(struct cl_history *h)
{
	struct cl_history_run run;
	json_t *rep = report("1.0.3", 1, "2026-12-04T11:30:00Z"), *rows, *r;
	size_t i;
	int seen = 0;

	json_object_set_new(json_array_get(json_object_get(rep, "cells"), 0), "reproduced",
			    json_pack("{s:i, s:i, s:[s,s]}", "failed", 1, "runs", 3, "reruns", "pass",
				      "pass"));
	json_object_set_new(json_array_get(json_object_get(rep, "cells"), 1), "reproduced",
			    json_pack("{s:i, s:i, s:[s,s]}", "failed", 3, "runs", 3, "reruns", "crash",
				      "crash"));
	assert_int_equal(cl_history_record(h, rep, "qualify", "/tmp/out", &run), 0);
	cl_history_run_clear(&run);
	json_decref(rep);
	assert_int_equal(cl_history_flaky(h, &rows), 0);
	json_array_foreach(rows, i, r)
		if (json_is_string(json_object_get(r, "reproduced"))) {
			assert_string_equal(json_string_value(json_object_get(r, "cell")), "c0");
			assert_string_equal(json_string_value(json_object_get(r, "reproduced")), "1/3");
			seen++;
		}
	assert_int_equal(seen, 1);
	json_decref(rows);
}

static int not_50(const char *kernel, const void *ctx)
{
	(void)ctx;
	return strcmp(kernel, "6.1.0-50-amd64") != 0;
}

/* bisect's edge, for one candidate version alone: 6.1.0-50 passed, 51 and
 * 52 crashed; another version's or candidate's rows never count. */
static void check_kernel_edge(struct cl_history *h)
{
	struct cl_history_run run;
	json_t *rep = report("1.0.6", 1, "2026-12-05T08:00:00Z"), *e;
	json_t *c0 = json_array_get(json_object_get(rep, "cells"), 0);

	json_object_set_new(c0, "verdict", json_string("pass"));
	json_object_set_new(c0, "title", json_string("sensor saw the workload"));
	assert_int_equal(cl_history_record(h, rep, "qualify", "/tmp/out", &run), 0);
	cl_history_run_clear(&run);
	json_decref(rep);
	assert_int_equal(cl_history_kernel_edge(h, CF291_TITLE, "sensor", "1.0.6", NULL, NULL, &e), 0);
	assert_string_equal(json_string_value(json_object_get(e, "first_bad")), "6.1.0-51-amd64");
	assert_string_equal(json_string_value(json_object_get(e, "last_good")), "6.1.0-50-amd64");
	json_decref(e);
	/* 1.0.1 crashed on every kernel: no good one below */
	assert_int_equal(cl_history_kernel_edge(h, CF291_TITLE, "sensor", "1.0.1", NULL, NULL, &e), 0);
	assert_string_equal(json_string_value(json_object_get(e, "first_bad")), "6.1.0-50-amd64");
	assert_true(json_is_null(json_object_get(e, "last_good")));
	json_decref(e);
	/* kept to the kernels a filter keeps: without 6.1.0-50, no good one below */
	assert_int_equal(cl_history_kernel_edge(h, CF291_TITLE, "sensor", "1.0.6", not_50, NULL, &e), 0);
	assert_string_equal(json_string_value(json_object_get(e, "first_bad")), "6.1.0-51-amd64");
	assert_true(json_is_null(json_object_get(e, "last_good")));
	json_decref(e);
	assert_int_equal(cl_history_kernel_edge(h, CF291_TITLE, "other", "1.0.6", NULL, NULL, &e), 0);
	assert_true(json_is_null(json_object_get(e, "first_bad")));
	json_decref(e);
}

/* Runs 1-2 good, 3-4 CF291: the baseline, the comparison, flaky cells. */
static void check_baseline(struct cl_history *h)
{
	struct cl_history_run run;
	json_t *b, *rows;
	long id;

	assert_int_equal(cl_history_baseline(h, "last-pass", "sensor", 4, &id), 0);
	assert_int_equal(id, 2);
	/* before any run (qualify asks before it has a number): the newest pass */
	assert_int_equal(cl_history_baseline(h, "last-pass", "sensor", LONG_MAX, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(cl_history_baseline(h, "3", "sensor", 4, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(cl_history_baseline(h, "99", "sensor", 4, &id), CL_EINPUT);
	assert_int_equal(cl_history_baseline(h, "last-pass", "other", 4, &id), CL_EINPUT);
	assert_int_equal(cl_history_baseline(h, "yesterday", "sensor", 4, &id), CL_EINPUT);
	/* CF291 against the last pass: every cell a regression, one new title */
	assert_int_equal(cl_history_compare(h, 2, 4, &b), 0);
	assert_int_equal(json_array_size(json_object_get(b, "regressions")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
				    json_object_get(b, "regressions"), 0), "now")), "crash");
	assert_int_equal(json_array_size(json_object_get(b, "fixes")), 0);
	assert_int_equal(json_array_size(json_object_get(b, "new_titles")), 1);
	assert_int_equal(json_array_size(json_object_get(b, "new_cells")), 0);
	json_decref(b);
	/* and the other way: every cell fixed, nothing new */
	assert_int_equal(cl_history_compare(h, 4, 2, &b), 0);
	assert_int_equal(json_array_size(json_object_get(b, "fixes")), 3);
	assert_int_equal(json_array_size(json_object_get(b, "regressions")), 0);
	assert_int_equal(json_array_size(json_object_get(b, "new_titles")), 0);
	json_decref(b);
	/* different inputs are never flaky; the same inputs with two verdicts are */
	assert_int_equal(cl_history_flaky(h, &rows), 0);
	assert_int_equal(count(rows), 0);
	assert_int_equal(record(h, "1.0.0", -1, "2026-12-04T11:00:00Z", &run), 5);
	cl_history_run_clear(&run);
	assert_int_equal(cl_history_flaky(h, &rows), 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "cell")), "c1");
	assert_int_equal(json_array_size(json_object_get(json_array_get(rows, 0), "verdicts")), 2);
	json_decref(rows);
	check_reruns(h);
}

/* The page: a square per cell and run, guest text escaped. */
static void check_page(struct cl_history *h)
{
	struct cl_history_run run;
	json_t *rep = report("1.0.2", 1, "2026-12-04T12:00:00Z");
	char path[] = "/tmp/cl-history-page-XXXXXX", *html = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	json_object_set_new(json_array_get(json_object_get(rep, "cells"), 0), "title",
			    json_string("</td><script>alert(1)</script>"));
	assert_int_equal(cl_history_record(h, rep, "qualify", "/tmp/out", &run), 0);
	json_decref(rep);
	cl_history_run_clear(&run);
	assert_int_equal(cl_history_page(h, 50, path), 0);
	assert_int_equal(cl_read_file(&html, NULL, path, 1 << 20), 0);
	assert_non_null(strstr(html, ">run 1<"));
	assert_non_null(strstr(html, ">run 7<"));
	assert_non_null(strstr(html, "class=\"v-crash\""));
	assert_non_null(strstr(html, "class=\"v-hang\""));
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;/td&gt;&lt;script&gt;"));
	assert_non_null(strstr(html, CF291_TITLE));
	free(html);
	unlink(path);
}

/* The sequence of the done-when: good twice, CF291 twice. */
static void check_store(const char *where)
{
	struct cl_history h;
	struct cl_history_run run;
	struct cl_history_filter all = { 0 }, cell = { .cell = "c1" }, other = { .candidate = "x" };
	json_t *rows, *g;

	assert_int_equal(cl_history_open(&h, where), 0);
	assert_int_equal(cl_history_version(&h), CL_HISTORY_SCHEMA);
	assert_int_equal(record(&h, "1.0.0", 0, "2026-12-01T10:00:00Z", &run), 1);
	assert_int_equal(run.ngroups, 0);
	cl_history_run_clear(&run);
	assert_int_equal(record(&h, "1.0.0", 0, "2026-12-02T10:00:00Z", &run), 2);
	cl_history_run_clear(&run);
	assert_int_equal(record(&h, "1.0.1", 1, "2026-12-03T10:00:00Z", &run), 3);
	assert_int_equal(run.ngroups, 1);
	assert_false(run.groups[0].known); /* new the first time */
	assert_int_equal(run.groups[0].first_run, 3);
	cl_history_run_clear(&run);
	assert_int_equal(record(&h, "1.0.1", 1, "2026-12-04T10:00:00Z", &run), 4);
	assert_true(run.groups[0].known); /* and known after */
	assert_int_equal(run.groups[0].first_run, 3);
	assert_string_equal(run.groups[0].first_seen, "2026-12-03T10:00:00Z");
	cl_history_run_clear(&run);

	assert_int_equal(cl_history_runs(&h, &all, &rows), 0);
	assert_int_equal(json_array_size(rows), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "run")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 3), "passed")), 3);
	json_decref(rows);
	assert_int_equal(cl_history_runs(&h, &cell, &rows), 0);
	assert_int_equal(count(rows), 4);
	assert_int_equal(cl_history_runs(&h, &other, &rows), 0);
	assert_int_equal(count(rows), 0);
	all.since = "2026-12-03";
	assert_int_equal(cl_history_runs(&h, &all, &rows), 0);
	assert_int_equal(count(rows), 2);

	assert_int_equal(cl_history_crashes(&h, &rows), 0);
	assert_int_equal(json_array_size(rows), 1);
	g = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(g, "title")), CF291_TITLE);
	assert_int_equal(json_integer_value(json_object_get(g, "runs")), 2);
	assert_int_equal(json_integer_value(json_object_get(g, "cells")), 6);
	assert_int_equal(json_integer_value(json_object_get(g, "first_run")), 3);
	assert_int_equal(json_array_size(json_object_get(g, "kernels")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(g, "candidate_versions"), 0)),
			    "1.0.1");
	json_decref(rows);
	/* first bad, last good: the content release that brought it, on every kernel it met */
	assert_int_equal(cl_history_edges(&h, CF291_TITLE, &g), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(g, "candidate_version"),
							      "first_bad")), "1.0.1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(g, "candidate_version"),
							      "last_good")), "1.0.0");
	assert_string_equal(json_string_value(json_object_get(json_object_get(g, "kernel"), "first_bad")),
			    "6.1.0-50-amd64");
	assert_true(json_is_null(json_object_get(json_object_get(g, "kernel"), "last_good")));
	json_decref(g);
	assert_int_equal(cl_history_edges(&h, "no such crash", &g), CL_EINPUT);
	check_baseline(&h);
	check_page(&h);
	cl_history_close(&h);

	/* opened again: migrated already, the runs kept */
	assert_int_equal(cl_history_open(&h, where), 0);
	assert_int_equal(cl_history_runs(&h, &(struct cl_history_filter){ 0 }, &rows), 0);
	assert_int_equal(count(rows), 7);
	check_kernel_edge(&h);
	cl_history_close(&h);
}

/* Two writers at once, 15 runs each: every run recorded, numbered once. */
static void check_writers(const char *where)
{
	struct cl_history h;
	json_t *rows;
	pid_t kids[2];

	for (int k = 0; k < 2; k++) {
		if ((kids[k] = fork()) == 0) {
			struct cl_history mine;
			int bad = cl_history_open(&mine, where);

			for (int i = 0; i < 15 && !bad; i++) {
				struct cl_history_run run;
				json_t *rep = report("2.0.0", i % 2, "2026-12-05T10:00:00Z");

				bad = cl_history_record(&mine, rep, "qualify", "/tmp/out", &run);
				if (bad)
					fprintf(stderr, "writer %d: %s\n", k, cl_err());
				cl_history_run_clear(&run);
				json_decref(rep);
			}
			if (!bad)
				cl_history_close(&mine);
			_exit(bad != 0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int st;

		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(cl_history_open(&h, where), 0);
	assert_int_equal(cl_history_runs(&h, &(struct cl_history_filter){ .candidate = "sensor" },
					 &rows), 0);
	assert_int_equal(json_array_size(rows), 8 + 30); /* the 8 before, then 15 each */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "run")), 38);
	json_decref(rows);
	cl_history_close(&h);
}

static void test_sqlite(void **state)
{
	char dir[] = "/tmp/cl-history-XXXXXX", *db;
	struct cl_history h;

	(void)state;
	assert_non_null(mkdtemp(dir));
	db = cl_sprintf("%s/history.db", dir);
	check_store(db);
	check_writers(db);
	/* a database from a newer crashlab is refused, not rewritten */
	assert_int_equal(cl_history_open(&h, db), 0);
	assert_int_equal(cl_store_exec(h.store, "INSERT INTO crashlab_schema VALUES (99)", 0, NULL,
				       NULL, NULL), 0);
	cl_history_close(&h);
	assert_int_equal(cl_history_open(&h, db), CL_EINFRA);
	assert_non_null(strstr(cl_err(), "schema version 99"));
	char *rm = cl_sprintf("rm -rf %s", dir);

	assert_int_equal(system(rm), 0);
	free(rm);
	free(db);
}

static void test_postgresql(void **state)
{
	const char *url = getenv("CRASHLAB_TEST_PG");
	struct cl_history h;

	(void)state;
	if (!url || !*url)
		fail_msg("CRASHLAB_TEST_PG is not set: tests/run-unit.sh starts a server for this test");
	check_store(url);
	check_writers(url);
	/* a server that is not there: one line naming it, CL_EINFRA */
	assert_int_equal(cl_history_open(&h, "postgresql:///x?host=/nonexistent"), CL_EINFRA);
	assert_non_null(strstr(cl_err(), "cannot connect"));
}

static void test_display(void **state)
{
	char *s = cl_store_display("postgresql://ci:s3cret@db.example:5432/crashlab");

	(void)state;
	assert_string_equal(s, "postgresql://ci@db.example:5432/crashlab");
	free(s);
	s = cl_store_display("/var/lib/crashlab/history.db");
	assert_string_equal(s, "/var/lib/crashlab/history.db");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_postgresql),
		cmocka_unit_test(test_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
