/*
 * The candidate's evidence command: the agent's reading of its output and
 * its running (for real, on this machine), the manifest's conditions, and
 * the verdict they give, fed with agent lines as the runner feeds them.
 */
#include "cl_test.h"
#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_scenario.h"
#include "cl_util.h"
#include "cl_verdict.h"
#include "evidence.h"

struct pairs {
	char text[2048];
	int n;
};

static void collect(void *ctx, const char *key, const char *value)
{
	struct pairs *p = ctx;
	size_t len = strlen(p->text);

	snprintf(p->text + len, sizeof(p->text) - len, "%s=[%s];", key, value);
	p->n++;
}

static void test_parse_lines(void **state)
{
	static const char out[] = "events=1204\nstate: running\nsession cl-42 active\r\n"
				  "  padded = 7\nbad key=1\n=nokey\n\nctl=a\x01" "b\x7f\n";
	struct pairs p = { "", 0 };

	(void)state;
	assert_int_equal(ev_parse(out, sizeof(out) - 1, collect, &p), 6);
	assert_string_equal(p.text, "events=[1204];state=[running];session=[cl-42 active];"
				    "padded=[7];bad=[key=1];ctl=[a b];");
}

static void test_parse_json(void **state)
{
	static const char out[] = " {\"events\": 1204, \"name\": \"tr\\\"ace\", \"nested\": {\"a\": [1, {\"b\": 2}]},"
				  " \"ok\": true, \"bad key\": 1, \"list\": [\"x,y\"], \"last\": null}";
	struct pairs p = { "", 0 };

	(void)state;
	assert_int_equal(ev_parse(out, sizeof(out) - 1, collect, &p), 4);
	assert_string_equal(p.text, "events=[1204];name=[tr\"ace];ok=[true];last=[null];");
	p.text[0] = '\0';
	assert_int_equal(ev_parse("{\"a\": \"unterminated", 19, collect, &p), 0);
}

static void test_unescape(void **state)
{
	char a[] = "sh%20-c", b[] = "100%25", c[] = "bad%2", d[] = "nul%00";

	(void)state;
	assert_int_equal(ev_unescape(a), 0);
	assert_string_equal(a, "sh -c");
	assert_int_equal(ev_unescape(b), 0);
	assert_string_equal(b, "100%");
	assert_int_equal(ev_unescape(c), -1);
	assert_int_equal(ev_unescape(d), -1);
}

static void test_run(void **state)
{
	char out[64];
	size_t len;
	char *ok[] = { "sh", "-c", "echo a=1; echo b=two words; echo noise >&2", NULL };
	char *fails[] = { "sh", "-c", "echo partial=1; exit 3", NULL };
	char *slow[] = { "sh", "-c", "echo started=1; sleep 30", NULL };
	char *none[] = { "/nonexistent/evidence-cli", NULL };
	char *big[] = { "sh", "-c", "yes x=1 | head -c 100000", NULL };

	(void)state;
	assert_int_equal(ev_run(ok, 10, out, sizeof(out), &len), 0);
	assert_string_equal(out, "a=1\nb=two words\n");
	assert_int_equal(ev_run(fails, 10, out, sizeof(out), &len), 3);
	assert_string_equal(out, "partial=1\n");
	assert_int_equal(ev_run(slow, 1, out, sizeof(out), &len), 124);
	assert_string_equal(out, "started=1\n");
	assert_int_equal(ev_run(none, 10, out, sizeof(out), &len), 127);
	assert_int_equal(ev_run(big, 10, out, sizeof(out), &len), 0); /* drained past the cap */
	assert_int_equal(len, sizeof(out) - 1);
}

/* A manifest in sensor/ (relative paths resolve) with evidence @evidence; its rc. */
static int load(struct cl_candidate **c, const char *evidence)
{
	char *body = cl_sprintf("{\"manifest_version\": 2, \"name\": \"ev\", \"version\": \"1\", \"module\": "
				"{\"name\": \"clsensor\", \"source\": \"kmod\"}, \"content\": [{\"name\": "
				"\"channel-291\", \"file\": \"content/channel-291-good.bin\", \"sha256\": "
				"\"4cc6ccfbe406cfa5fb881c0f9ba9ef58714032fc956cfaf050cfff82d0ac0b01\", "
				"\"install_path\": \"/x\"}], \"evidence\": %s}", evidence);
	char *path = cl_test_manifest("evidence", body);
	int rc = cl_candidate_load(c, path);

	unlink(path);
	free(path);
	free(body);
	return rc;
}

static void refused(const char *evidence, const char *needle)
{
	struct cl_candidate *c = NULL;

	assert_int_equal(load(&c, evidence), CL_EINPUT);
	assert_contains(cl_err(), needle);
	assert_contains(cl_err(), "sensor/.test-evidence-");
}

static void test_manifest(void **state)
{
	(void)state;
	refused("{}", "needs a \"status_file\", a \"command\" or both");
	refused("{\"counters\": [\"a\"], \"command\": {\"run\": [\"x\"]}}", "read from a status_file");
	refused("{\"command\": {\"run\": []}}", "1 to 8 words");
	refused("{\"command\": {\"run\": [\"a\\nb\"]}}", "one line");
	refused("{\"command\": {\"run\": [\"x\"], \"timeout_s\": 0}}", "timeout_s");
	refused("{\"command\": {\"run\": [\"x\"]}, \"require\": [{\"key\": \"a\"}]}", "exactly one of");
	refused("{\"command\": {\"run\": [\"x\"]}, \"require\": [{\"key\": \"a\", \"at_least\": 1, "
		"\"equals\": \"b\"}]}", "exactly one of");
	refused("{\"command\": {\"run\": [\"x\"]}, \"require\": [{\"key\": \"a b\", \"equals\": \"b\"}]}",
		"plain key");
	refused("{\"command\": {\"run\": [\"x\"]}, \"require\": [{\"key\": \"a\", "
		"\"equals_sha256_of\": \"channel-9\"}]}", "no content named \"channel-9\"");
}

/* An evidence-command candidate's lines: ready, loaded, a workload step, then @extra. */
static enum cl_verdict verdict_of(const struct cl_candidate *c, const char *const *extra,
				  char *title)
{
	struct cl_triage_result no_crash = { 0 };
	static struct cl_evidence ev;
	struct cl_decision d;

	memset(&ev, 0, sizeof(ev));
	ev.boots = 1;
	ev.console_bytes = 100;
	cl_evidence_agent_line(&ev, "CL READY release=6.1.0-56-amd64");
	cl_evidence_agent_line(&ev, "CL LOADED module=/crashlab/candidate/clsensor.ko");
	cl_evidence_agent_line(&ev, "CL WORKLOAD op=fifo step=w0 generated=8 messages=8 errors=0");
	for (; *extra; extra++)
		cl_evidence_agent_line(&ev, *extra);
	cl_evidence_agent_line(&ev, "CL DONE");
	cl_verdict_decide(&d, &ev, &no_crash, c, 1);
	strcpy(title, d.title);
	return d.verdict;
}

static void test_verdict(void **state)
{
	struct cl_candidate *c;
	char title[400], digest[128], *plan;
	struct cl_scenario *s;

	(void)state;
	assert_int_equal(load(&c, "{\"command\": {\"run\": [\"sh\", \"-c\", \"tracer-cli stats --json\"], "
				  "\"timeout_s\": 30}, \"require\": [{\"key\": \"events\", \"at_least\": 100}, "
				  "{\"key\": \"state\", \"equals\": \"tracing\"}, {\"key\": \"content\", "
				  "\"equals_sha256_of\": \"channel-291\"}]}"), 0);
	assert_null(c->status_file);
	assert_int_equal(c->nrequire, 3);
	/* the plan: no status line, the command as one token a word */
	assert_int_equal(cl_scenario_load(&s, "scenarios/ipc-basic.json"), 0);
	plan = cl_scenario_plan(s, c, CL_PLAN_ONCE);
	assert_null(strstr(plan, "\nstatus "));
	assert_contains(plan, "\nevidence 30 sh -c tracer-cli%20stats%20--json\n");
	free(plan);
	cl_scenario_free(s);
	snprintf(digest, sizeof(digest), "CL EVIDENCE content=%s", c->content[0].sha256);
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=1204",
		"CL EVIDENCE state=tracing", digest, "CL EVIDENCE_END rc=0 pairs=3", NULL }, title),
		CL_V_PASS);
	assert_contains(title, "its evidence held after the workload (3 conditions)");
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=99",
		"CL EVIDENCE state=tracing", digest, "CL EVIDENCE_END rc=0", NULL }, title),
		CL_V_WORKLOAD_FAILED);
	assert_string_equal(title, "evidence events is 99, needs at least 100");
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=12x",
		"CL EVIDENCE state=tracing", digest, "CL EVIDENCE_END rc=0", NULL }, title),
		CL_V_WORKLOAD_FAILED);
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=1204",
		"CL EVIDENCE_END rc=0", NULL }, title), CL_V_WORKLOAD_FAILED);
	assert_string_equal(title, "evidence state missing");
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=1204",
		"CL EVIDENCE state=tracing", "CL EVIDENCE content=00", "CL EVIDENCE_END rc=0", NULL },
		title), CL_V_INSTALL_FAILED);
	assert_contains(title, "the sha256 of channel-291");
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=1204",
		"CL EVIDENCE_END rc=124", NULL }, title), CL_V_WORKLOAD_FAILED);
	assert_string_equal(title, "evidence command sh ran past its 30 s");
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL EVIDENCE events=1204", NULL },
		title), CL_V_WORKLOAD_FAILED); /* never said it ended: fail closed */
	assert_string_equal(title, "evidence command sh never reported");
	cl_candidate_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_parse_json),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
