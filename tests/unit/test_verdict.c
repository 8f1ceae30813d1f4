/*
 * Verdict rules: fail closed. A cell passes only with every piece of
 * positive evidence; each missing piece or bad signal gives its own verdict.
 * Evidence is built by feeding real agent lines, as the runner does.
 */
#include "cl_test.h"
#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_util.h"
#include "cl_verdict.h"

static struct cl_candidate *cand;
static struct cl_triage_result no_crash;

static int setup(void **state)
{
	(void)state;
	memset(&no_crash, 0, sizeof(no_crash));
	return cl_candidate_load(&cand, "sensor/candidate.json");
}

static int teardown(void **state)
{
	(void)state;
	cl_candidate_free(cand);
	return 0;
}

/* Evidence of a good run: READY, LOADED, STATUS with the right digest, workload, DONE. */
static void good_lines(struct cl_evidence *ev)
{
	char line[200];

	ev->boots = 1;
	ev->console_bytes = 1000;
	cl_evidence_agent_line(ev, "CL READY release=6.1.0-56-amd64");
	cl_evidence_agent_line(ev, "CL HB n=0");
	cl_evidence_agent_line(ev, "CL LOADED module=/crashlab/candidate/clsensor.ko");
	cl_evidence_agent_line(ev, "CL WORKLOAD op=fifo created=8 opened=16 messages=32 errors=0");
	snprintf(line, sizeof(line), "CL STATUS content_sha256=%s", cand->content[0].sha256);
	cl_evidence_agent_line(ev, line);
	cl_evidence_agent_line(ev, "CL STATUS events_fifo_create=12");
	cl_evidence_agent_line(ev, "CL STATUS events_fifo_open=24");
	cl_evidence_agent_line(ev, "CL STATUS events_unix_connect=8");
	cl_evidence_agent_line(ev, "CL STATUS matches=3");
	cl_evidence_agent_line(ev, "CL DONE");
}

static void good_run(struct cl_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	good_lines(ev);
}

static enum cl_verdict decide(const struct cl_evidence *ev, const struct cl_triage_result *tr)
{
	struct cl_decision d;

	cl_verdict_decide(&d, ev, tr, cand, 1);
	assert_true(strlen(d.title) > 0);
	return d.verdict;
}

static void test_pass_needs_everything(void **state)
{
	struct cl_evidence ev;

	(void)state;
	good_run(&ev);
	assert_int_equal(decide(&ev, &no_crash), CL_V_PASS);
	assert_string_equal(ev.release, "6.1.0-56-amd64");
	/* each piece of evidence removed in turn */
	good_run(&ev);
	ev.done = 0;
	assert_int_equal(decide(&ev, &no_crash), CL_V_WORKLOAD_FAILED);
	good_run(&ev);
	ev.ready = 0;
	assert_int_equal(decide(&ev, &no_crash), CL_V_INFRA_ERROR);
	good_run(&ev);
	cl_evidence_agent_line(&ev, "CL STATUS matches=0");
	assert_int_equal(decide(&ev, &no_crash), CL_V_WORKLOAD_FAILED);
	good_run(&ev);
	cl_evidence_agent_line(&ev, "CL WORKLOAD op=unix connected=7 messages=28 errors=1");
	assert_int_equal(decide(&ev, &no_crash), CL_V_WORKLOAD_FAILED);
	good_run(&ev);
	ev.workload_steps = 0;
	assert_int_equal(decide(&ev, &no_crash), CL_V_WORKLOAD_FAILED);
}

static void test_wrong_or_missing_digest(void **state)
{
	struct cl_evidence ev;
	struct cl_decision d;

	(void)state;
	good_run(&ev);
	cl_evidence_agent_line(&ev, "CL STATUS content_sha256=64043e5cdcd8be6af6afbe668b0d211a35f6f15971f31ca54676c3c588ff3a69");
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_INSTALL_FAILED);
	assert_contains(d.title, "manifest says");
	memset(&ev, 0, sizeof(ev));
	cl_evidence_agent_line(&ev, "CL READY release=x");
	cl_evidence_agent_line(&ev, "CL WORKLOAD op=fifo errors=0");
	cl_evidence_agent_line(&ev, "CL DONE");
	assert_int_equal(decide(&ev, &no_crash), CL_V_INSTALL_FAILED);
}

static void test_precedence(void **state)
{
	struct cl_evidence ev;
	struct cl_triage_result crash = { .crashed = 1, .title = "BUG: unable to handle page fault in f" };
	struct cl_decision d;

	(void)state;
	good_run(&ev);
	ev.timeout = CL_TIMEOUT_HEARTBEAT;
	ev.infra = 1;
	cl_verdict_decide(&d, &ev, &crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_CRASH);
	assert_string_equal(d.title, crash.title);
	good_run(&ev);
	ev.panic_event = 1;
	assert_int_equal(decide(&ev, &no_crash), CL_V_CRASH);
	good_run(&ev);
	cl_evidence_new_boot(&ev);
	assert_false(ev.done); /* the new boot starts from nothing */
	ev.boots = 2;
	assert_int_equal(decide(&ev, &no_crash), CL_V_BOOT_LOOP);
	/* a crash on every boot is a boot loop, named after the crash */
	cl_verdict_decide(&d, &ev, &crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_BOOT_LOOP);
	assert_contains(d.title, crash.title);
	assert_contains(d.title, "(2 boots)");
	good_run(&ev);
	ev.timeout = CL_TIMEOUT_STEP;
	ev.timeout_s = 15;
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_HANG);
	assert_contains(d.title, "plan step stuck");
	good_run(&ev);
	ev.timeout = CL_TIMEOUT_HEARTBEAT;
	ev.timeout_s = 30;
	assert_int_equal(decide(&ev, &no_crash), CL_V_HANG);
	memset(&ev, 0, sizeof(ev));
	ev.timeout = CL_TIMEOUT_BOOT;
	assert_int_equal(decide(&ev, &no_crash), CL_V_HANG);
	good_run(&ev);
	ev.infra = 1;
	snprintf(ev.infra_msg, sizeof(ev.infra_msg), "libvirt: gone");
	assert_int_equal(decide(&ev, &no_crash), CL_V_INFRA_ERROR);
	memset(&ev, 0, sizeof(ev));
	cl_evidence_agent_line(&ev, "CL READY release=x");
	cl_evidence_agent_line(&ev, "CL INSTALL_FAILED what=module rc=-22 error=Invalid argument");
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_INSTALL_FAILED);
	assert_contains(d.title, "Invalid argument");
	memset(&ev, 0, sizeof(ev));
	ev.build_failed = 1;
	assert_int_equal(decide(&ev, &no_crash), CL_V_INSTALL_FAILED);
}

static void test_untrusted_lines(void **state)
{
	struct cl_evidence ev;
	char longline[2000];
	int i;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	cl_evidence_agent_line(&ev, "hello");
	cl_evidence_agent_line(&ev, "CL ");
	cl_evidence_agent_line(&ev, "CL NONSENSE a=b");
	cl_evidence_agent_line(&ev, "CL THISWORDISFARTOOLONGTOBEAWORD x");
	assert_int_equal(ev.bad_lines, 4);
	cl_evidence_agent_line(&ev, "CL HB n=1");
	assert_int_equal(ev.progress, 0); /* heartbeats are not progress */
	assert_int_equal(ev.heartbeats, 1);
	assert_int_equal(ev.ready, 0);
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "CL STATUS k=", 12);
	longline[sizeof(longline) - 1] = '\0';
	cl_evidence_agent_line(&ev, longline);
	assert_true(strlen(cl_evidence_status(&ev, "k")) < 80);
	for (i = 0; i < 100; i++) {
		char l[64];

		snprintf(l, sizeof(l), "CL STATUS key%d=%d", i, i);
		cl_evidence_agent_line(&ev, l);
	}
	assert_int_equal(ev.nstatus, CL_MAX_STATUS);
	cl_evidence_agent_line(&ev, "CL WORKLOAD op=fifo errors=banana");
	assert_int_equal(ev.workload_errors, 1); /* unparsable error count is an error */
	cl_evidence_agent_line(&ev, "CL READY release=\x1b[2J");
	assert_null(strchr(ev.release, '\x1b'));
}

/* A good run with mutants a, b, c expected; @lines then fed in order. */
static void mutant_run(struct cl_evidence *ev, const char *const *lines)
{
	memset(ev, 0, sizeof(*ev));
	cl_evidence_expect_mutant(ev, "c291.a");
	cl_evidence_expect_mutant(ev, "c291.b");
	cl_evidence_expect_mutant(ev, "c291.c");
	good_lines(ev);
	for (; *lines; lines++)
		cl_evidence_agent_line(ev, *lines);
}

#define A_REFUSED "CL MUTANT name=c291.a phase=install", "CL MUTANT name=c291.a result=refused rc=-22"
#define B_INSTALLED "CL MUTANT name=c291.b phase=install", "CL MUTANT name=c291.b result=accepted"

static void test_mutants(void **state)
{
	static const char *const all[] = {
		A_REFUSED, "CL MUTANT name=c291.a result=survived", /* the refusal stands */
		B_INSTALLED, "CL MUTANT name=c291.b result=survived",
		"CL MUTANT name=c291.c phase=install", "CL MUTANT name=c291.c result=refused rc=-22",
		"CL RESTORE rc=0", NULL };
	static const char *const c_missing[] = {
		A_REFUSED, B_INSTALLED, "CL MUTANT name=c291.b result=survived", "CL RESTORE rc=0", NULL };
	static const char *const b_crashed[] = { A_REFUSED, B_INSTALLED, NULL };
	static const char *const not_restored[] = {
		A_REFUSED, B_INSTALLED, "CL MUTANT name=c291.b result=survived",
		"CL MUTANT name=c291.c phase=install", "CL MUTANT name=c291.c result=refused rc=-22",
		"CL RESTORE rc=-22", NULL };
	static const char *const lies[] = {
		"CL MUTANT name=c291.z phase=install", "CL MUTANT name=c291.a result=survived",
		"CL MUTANT name=c291.a", "CL MUTANT phase=install", NULL };
	struct cl_triage_result oops = { .crashed = 1 };
	struct cl_decision d;
	struct cl_evidence ev;

	(void)state;
	mutant_run(&ev, all);
	assert_int_equal(decide(&ev, &no_crash), CL_V_PASS);
	assert_string_equal(cl_verdict_mutant_outcome(&ev, 0, CL_V_PASS), "refused");
	assert_string_equal(cl_verdict_mutant_outcome(&ev, 1, CL_V_PASS), "survived");
	assert_null(cl_evidence_mutant_at_fault(&ev));

	mutant_run(&ev, c_missing);
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_WORKLOAD_FAILED);
	assert_string_equal(d.title, "mutant c291.c: never installed");

	/* the crash came while b was installed: named, and b's outcome is the crash */
	mutant_run(&ev, b_crashed);
	snprintf(oops.title, sizeof(oops.title), "BUG: unable to handle page fault in cl_interp_eval");
	cl_verdict_decide(&d, &ev, &oops, cand, 1);
	assert_int_equal(d.verdict, CL_V_CRASH);
	assert_string_equal(d.title, "BUG: unable to handle page fault in cl_interp_eval [mutant c291.b]");
	assert_string_equal(cl_evidence_mutant_at_fault(&ev), "c291.b");
	assert_string_equal(cl_verdict_mutant_outcome(&ev, 0, CL_V_CRASH), "refused");
	assert_string_equal(cl_verdict_mutant_outcome(&ev, 1, CL_V_CRASH), "crash");
	assert_string_equal(cl_verdict_mutant_outcome(&ev, 2, CL_V_CRASH), "not_run");
	/* the host's trouble is not the mutant's */
	assert_string_equal(cl_verdict_mutant_outcome(&ev, 1, CL_V_INFRA_ERROR), "incomplete");

	mutant_run(&ev, not_restored);
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_WORKLOAD_FAILED);
	assert_contains(d.title, "real content again");

	/* names the plan did not give, and words out of order, change nothing */
	mutant_run(&ev, lies);
	assert_int_equal(ev.bad_lines, 3);
	assert_int_equal(ev.mutants[0].state, CL_MUT_NOT_RUN);
	assert_int_equal(ev.mutant_last, 0);
	assert_int_equal(decide(&ev, &no_crash), CL_V_WORKLOAD_FAILED);
}

/* The candidate reports what its content evaluated: every criterion and
 * field must have been, or the cell cannot pass. */
static void test_coverage(void **state)
{
	static const char *const full[] = {
		"CL COVERAGE instances=2", "CL COVERAGE instance=1 evaluated=3 needed=3",
		"CL COVERAGE instance=7 evaluated=1f needed=5", "CL COVERAGE fields evaluated=7 needed=7" };
	struct cl_decision d;
	struct cl_evidence ev;

	(void)state;
	good_run(&ev);
	assert_int_equal(decide(&ev, &no_crash), CL_V_PASS); /* not reported: not required */
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		cl_evidence_agent_line(&ev, full[i]);
	assert_int_equal(ev.bad_lines, 0);
	assert_int_equal(decide(&ev, &no_crash), CL_V_PASS);

	/* a later report replaces the earlier one: instance 7's third criterion never reached */
	cl_evidence_agent_line(&ev, "CL COVERAGE instances=2");
	cl_evidence_agent_line(&ev, "CL COVERAGE instance=1 evaluated=3 needed=3");
	cl_evidence_agent_line(&ev, "CL COVERAGE instance=7 evaluated=1 needed=5");
	cl_evidence_agent_line(&ev, "CL COVERAGE fields evaluated=7 needed=7");
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_int_equal(d.verdict, CL_V_WORKLOAD_FAILED);
	assert_string_equal(d.title, "coverage: instance 7: criterion 3 never evaluated");

	/* a report cut short, or a field never read */
	cl_evidence_agent_line(&ev, "CL COVERAGE instances=2");
	cl_evidence_agent_line(&ev, "CL COVERAGE instance=1 evaluated=3 needed=3");
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_string_equal(d.title, "coverage: the candidate reported 1 of 2 instances");
	cl_evidence_agent_line(&ev, "CL COVERAGE instance=7 evaluated=5 needed=5");
	cl_evidence_agent_line(&ev, "CL COVERAGE fields evaluated=3 needed=7");
	cl_verdict_decide(&d, &ev, &no_crash, cand, 1);
	assert_string_equal(d.title, "coverage: input field 3 never evaluated");

	/* more instances than announced, garbage and huge counts are not trusted */
	cl_evidence_agent_line(&ev, "CL COVERAGE instance=8 evaluated=1 needed=1");
	cl_evidence_agent_line(&ev, "CL COVERAGE instance=9 evaluated=zz needed=1");
	cl_evidence_agent_line(&ev, "CL COVERAGE instances=100000");
	cl_evidence_agent_line(&ev, "CL COVERAGE fields evaluated=7");
	assert_int_equal(ev.bad_lines, 4);
	assert_int_equal(ev.ncov, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_needs_everything),
		cmocka_unit_test(test_wrong_or_missing_digest),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_untrusted_lines),
		cmocka_unit_test(test_mutants),
		cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
