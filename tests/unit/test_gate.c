/*
 * The release gate over real signed statements: a copy of the reference
 * sensor, a statement made from its artifacts as crashlab lists them, and
 * each thing that must refuse: a changed or added source file, another
 * scenario, a cell defined otherwise, a pre-flight step failed or left out,
 * a statement from the future or with junk after its time, another key, a
 * duration of 0.
 */
#include "cl_test.h"
#include "cl_artifacts.h"
#include "cl_attest.h"
#include "cl_candidate.h"
#include "cl_gate.h"
#include "cl_matrix.h"
#include "cl_util.h"

#include <time.h>

struct fixture {
	char dir[64];               /* a temporary directory holding it all */
	char *sensor, *manifest, *matrix, *report, *att, *key, *pub, *other_pub;
	const char *scenario;
	/* how the next write_report writes the run */
	const char *verdict;        /* the run's overall verdict ("pass") */
	const char *step_status;    /* each pre-flight step's ("pass") */
	int steps_missing;          /* pre-flight steps left out of the report */
	json_t *baseline;           /* the report's "baseline" (qualify --baseline), or NULL */
};

static int put(const char *path, const char *text)
{
	return cl_write_file(path, text, strlen(text));
}

static void utc(char *buf, size_t len, long delta_s)
{
	time_t t = time(NULL) + delta_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* report.json for the sensor copy as crashlab would write it, finished at @finished. */
static void write_report(struct fixture *f, const char *finished)
{
	struct cl_candidate *c = NULL;
	struct cl_matrix *m = NULL;
	struct cl_artifacts arts;
	json_t *r, *a = json_array(), *cell, *steps = json_array();
	char sha[CL_SHA256_HEX], started[32] = "2026-01-01T00:00:00Z";
	char *text;

	assert_int_equal(cl_candidate_load(&c, f->manifest), 0);
	assert_int_equal(cl_matrix_load(&m, f->matrix), 0);
	assert_int_equal(cl_artifacts_of(&arts, c), 0);
	for (int i = 0; i < arts.n; i++)
		json_array_append_new(a, cl_artifacts_json(&arts.v[i]));
	assert_int_equal(cl_sha256_file(sha, f->scenario), 0);
	cell = json_pack("{s:s, s:s, s:o}", "id", m->cells[0].id, "verdict", "pass", "definition",
			 cl_matrix_cell_definition(&m->cells[0]));
	for (int i = 0; i < c->npreflight - f->steps_missing; i++)
		json_array_append_new(steps, json_pack("{s:s, s:s}", "name", c->preflight[i].name,
						       "status", f->step_status));
	r = json_pack("{s:i, s:s, s:{s:i, s:b, s:o}, s:s, s:s, s:{s:o}, s:{s:s}, s:[o]}",
		      "crashlab_report", 1, "verdict", f->verdict, "preflight", "declared",
		      c->npreflight, "skipped", 0, "steps", steps, "started", started, "finished",
		      finished, "candidate", "artifacts", a, "scenario", "sha256", sha, "cells", cell);
	if (f->baseline)
		json_object_set(r, "baseline", f->baseline);
	text = json_dumps(r, JSON_INDENT(2));
	assert_int_equal(cl_write_file(f->report, text, strlen(text)), 0);
	assert_int_equal(cl_attest_write(f->report, f->key, f->att), 0);
	free(text);
	json_decref(r);
	cl_artifacts_clear(&arts);
	cl_matrix_free(m);
	cl_candidate_free(c);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *prefix, *other, now[32];

	assert_non_null(f);
	f->verdict = "pass";
	f->step_status = "pass";
	snprintf(f->dir, sizeof(f->dir), "/tmp/crashlab-test-gate-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->sensor = cl_path_join(f->dir, "sensor");
	assert_int_equal(cl_copy_tree("sensor", f->sensor), 0);
	f->manifest = cl_path_join(f->sensor, "candidate.json");
	f->matrix = cl_path_join(f->dir, "matrix.json");
	f->report = cl_path_join(f->dir, "report.json");
	f->att = cl_path_join(f->dir, "attestation.json");
	f->scenario = "scenarios/ipc-basic.json";
	prefix = cl_path_join(f->dir, "k");
	other = cl_path_join(f->dir, "other");
	f->key = cl_sprintf("%s.key", prefix);
	f->pub = cl_sprintf("%s.pub", prefix);
	f->other_pub = cl_sprintf("%s.pub", other);
	assert_int_equal(cl_attest_keygen(prefix), 0);
	assert_int_equal(cl_attest_keygen(other), 0);
	free(prefix);
	free(other);
	assert_int_equal(put(f->matrix, "{\"name\":\"g\",\"cells\":[{\"id\":\"a\",\"kernel\":"
			 "\"6.1.0-56-amd64\",\"image\":\"snapshot\"}]}"), 0);
	utc(now, sizeof(now), -5);
	write_report(f, now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cl_rm_rf(f->dir);
	free(f->sensor);
	free(f->manifest);
	free(f->matrix);
	free(f->report);
	free(f->att);
	free(f->key);
	free(f->pub);
	free(f->other_pub);
	json_decref(f->baseline);
	free(f);
	return 0;
}

static int gate(const struct fixture *f, const char *pub, const char *matrix, const char *scenario)
{
	struct cl_gate_input in = { .attestation = f->att, .pubkey = pub, .candidate = f->manifest,
				    .matrix = matrix, .scenario = scenario, .max_age_s = 3600 };

	return cl_gate(&in);
}

static void test_good_statement_passes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 0);
	assert_int_equal(gate(f, f->other_pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "does not verify");
}

/* One byte in a module source file, then a new file in it: both named. */
static void test_module_source_is_bound(void **state)
{
	struct fixture *f = *state;
	char *src = cl_path_join(f->sensor, "kmod/cl_content.c"), *extra, *data;
	size_t len;

	assert_int_equal(cl_read_file(&data, &len, src, 1 << 20), 0);
	data[len - 1] ^= 1;
	assert_int_equal(cl_write_file(src, data, len), 0);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "kmod/cl_content.c");
	assert_contains(cl_err(), "changed since it was qualified");
	data[len - 1] ^= 1;
	assert_int_equal(cl_write_file(src, data, len), 0);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 0);
	extra = cl_path_join(f->sensor, "kmod/extra.h");
	assert_int_equal(put(extra, "x"), 0);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "was not qualified");
	unlink(extra);
	free(extra);
	free(src);
	free(data);
}

static void test_scenario_and_matrix_are_inputs(void **state)
{
	struct fixture *f = *state;
	char *mem = cl_path_join(f->dir, "mem.json"), *more = cl_path_join(f->dir, "more.json");

	assert_int_equal(gate(f, f->pub, f->matrix, "scenarios/ipc-storm.json"), 1);
	assert_contains(cl_err(), "is not the scenario that ran");
	assert_int_equal(put(mem, "{\"name\":\"g\",\"cells\":[{\"id\":\"a\",\"kernel\":"
			 "\"6.1.0-56-amd64\",\"image\":\"snapshot\",\"memory_mib\":1024}]}"), 0);
	assert_int_equal(gate(f, f->pub, mem, f->scenario), 1);
	assert_contains(cl_err(), "memory_mib");
	assert_int_equal(put(more, "{\"name\":\"g\",\"cells\":[{\"id\":\"a\",\"kernel\":"
			 "\"6.1.0-56-amd64\",\"image\":\"snapshot\"},{\"id\":\"b\",\"kernel\":"
			 "\"6.1.0-55-amd64\"}]}"), 0);
	assert_int_equal(gate(f, f->pub, more, f->scenario), 1);
	assert_contains(cl_err(), "cell b");
	free(mem);
	free(more);
}

static void test_time_is_checked(void **state)
{
	struct fixture *f = *state;
	char when[64];

	utc(when, sizeof(when), 3600);
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "in the future");
	utc(when, sizeof(when), -7200);
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "old");
	utc(when, sizeof(when), -5);
	strcat(when, "junk");
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "not a UTC time");
}

/*
 * The pre-flight: every step the candidate declares in the statement, each
 * passed. A run whose overall verdict is "fail" gates when every cell the
 * release requires passed (cells beyond it failed).
 */
static void test_preflight_and_cells_decide(void **state)
{
	struct fixture *f = *state;
	char when[64];

	utc(when, sizeof(when), -5);
	f->verdict = "fail";
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 0);
	f->step_status = "fail";
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "pre-flight step content-validator: fail, not pass");
	f->step_status = "pass";
	f->steps_missing = 1;
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 1);
	assert_contains(cl_err(), "pre-flight step content-parser-fuzz ran 0 times, the candidate needs 1");
	f->steps_missing = 0;
	f->verdict = "pass";
	write_report(f, when);
	assert_int_equal(gate(f, f->pub, f->matrix, f->scenario), 0);
}

/* --no-regressions: only a signed report compared with a baseline, and clean. */
static void test_no_regressions(void **state)
{
	struct fixture *f = *state;
	struct cl_gate_input in = { .attestation = f->att, .pubkey = f->pub, .candidate = f->manifest,
				    .matrix = f->matrix, .scenario = f->scenario, .max_age_s = 3600,
				    .no_regressions = 1 };
	char when[64];

	utc(when, sizeof(when), -5);
	assert_int_equal(cl_gate(&in), 1);
	assert_contains(cl_err(), "has no baseline");
	f->baseline = json_pack("{s:i, s:[{s:s, s:s, s:s}], s:[], s:[], s:[]}", "run", 7,
				"regressions", "cell", "a", "was", "pass", "now", "crash", "fixes",
				"new_titles", "new_cells");
	write_report(f, when);
	assert_int_equal(cl_gate(&in), 1);
	assert_contains(cl_err(), "1 regression against run 7, first a (pass -> crash)");
	in.no_regressions = 0; /* not asked: the baseline is the report's, the gate's rules as before */
	assert_int_equal(cl_gate(&in), 0);
	in.no_regressions = 1;
	json_array_clear(json_object_get(f->baseline, "regressions"));
	write_report(f, when);
	assert_int_equal(cl_gate(&in), 0);
}

static void test_durations(void **state)
{
	double t;

	(void)state;
	assert_true(cl_gate_parse_age("24h") == 86400);
	assert_true(cl_gate_parse_age("90m") == 5400);
	assert_true(cl_gate_parse_age("2d") == 172800);
	assert_true(cl_gate_parse_age("3600") == 3600);
	assert_true(cl_gate_parse_age("0") < 0);
	assert_true(cl_gate_parse_age("0h") < 0);
	assert_true(cl_gate_parse_age("-1h") < 0);
	assert_true(cl_gate_parse_age("1hx") < 0);
	assert_true(cl_gate_parse_age("inf") < 0);
	assert_true(cl_gate_parse_age("") < 0);
	assert_int_equal(cl_gate_parse_time("2026-12-06T06:00:00Z", &t), 0);
	assert_int_equal(cl_gate_parse_time("2026-12-06T06:00:00Zx", &t), -1);
	assert_int_equal(cl_gate_parse_time("2026-12-06 06:00:00Z", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_statement_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_source_is_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scenario_and_matrix_are_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preflight_and_cells_decide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_regressions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_is_checked, setup, teardown),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
