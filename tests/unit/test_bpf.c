/*
 * A candidate of user space and BPF: the plan the agent follows, the
 * agent's listing of what the kernel loaded parsed (strictly: a malformed
 * line is counted, never taken), and the verdict it gives: pass only when
 * every program the manifest names is loaded, of its type, attached where
 * it says and ran; degraded when one is not; install_failed with the
 * verifier's reason when the candidate's loader was refused.
 */
#include "cl_test.h"
#include "cl_bpf.h"
#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_scenario.h"
#include "cl_util.h"
#include "cl_verdict.h"

#define MANIFEST                                                                               \
	"{\"manifest_version\": 2, \"name\": \"bpf-sensor\", \"version\": \"1\", \"content\": [], " \
	"\"install\": {\"files\": [{\"file\": \"kmod/Kbuild\", \"path\": \"/usr/lib/x/loader\", "    \
	"\"mode\": \"0755\"}]}, "                                                                   \
	"\"evidence\": {\"command\": {\"run\": [\"/usr/lib/x/loader\", \"status\"]}, "              \
	"\"require\": [{\"key\": \"events\", \"at_least\": 1}]}, "                                  \
	"\"bpf\": {\"btf\": true, \"start\": {\"run\": [\"/usr/lib/x/loader\", \"load\"], "         \
	"\"timeout_s\": 30}, \"programs\": [{\"name\": \"cl_fifo_create\", \"type\": \"tracing\", " \
	"\"attach\": \"vfs_mknod\"}, {\"name\": \"cl_unix_conn\", \"type\": \"kprobe\"}], "         \
	"\"maps\": [\"cl_counters\"]}}"

static struct cl_candidate *load_bpf(void)
{
	char *path = cl_test_manifest("bpf", MANIFEST);
	struct cl_candidate *c = NULL;

	assert_int_equal(cl_candidate_load(&c, path), 0);
	unlink(path);
	free(path);
	return c;
}

/* Installed and started by the agent, counted while the workload runs, listed after it. */
static void test_plan(void **state)
{
	struct cl_candidate *c = load_bpf();
	struct cl_scenario *s;
	char *plan;

	(void)state;
	assert_int_equal(cl_scenario_load(&s, "scenarios/ipc-basic.json"), 0);
	plan = cl_scenario_plan(s, c, CL_PLAN_ONCE);
	assert_contains(plan, "\nsysctl kernel.bpf_stats_enabled 1\n"
			      "install /crashlab/candidate/file-0 /usr/lib/x/loader 0755\n"
			      "start 30 /usr/lib/x/loader load\n");
	assert_null(strstr(plan, "\nmodule "));
	/* listed before the workload and after it: the runs in between are the workload's */
	assert_contains(plan, "start 30 /usr/lib/x/loader load\nbpf\n");
	assert_true(strstr(plan, "\nbpf\n") < strstr(plan, "\nfifo "));
	assert_contains(plan, "\nbpf\nevidence 60 /usr/lib/x/loader status\n");
	free(plan);
	plan = cl_scenario_plan(s, c, CL_PLAN_PERSISTENT); /* disk: its units start it */
	assert_null(strstr(plan, "\nstart "));
	assert_null(strstr(plan, "\ninstall "));
	assert_contains(plan, "\nprograms 60 cl_fifo_create cl_unix_conn\nbpf\n");
	free(plan);
	assert_int_equal(cl_scenario_check(s, c), 0);
	c->bpf.start_timeout_s = s->step_s; /* silent that long: the cell would be a hang */
	assert_int_equal(cl_scenario_check(s, c), CL_EINPUT);
	assert_contains(cl_err(), "bpf.start's timeout_s (120) must be below");
	cl_scenario_free(s);
	cl_candidate_free(c);
}

/*
 * The lines of a cell whose candidate started, ran the workload and was
 * listed (@lines, between BPF_BEGIN and a BPF_END that counts them, unless
 * @lines brings its own BPF_END); the verdict, its title in @title.
 */
static enum cl_verdict verdict_of(const struct cl_candidate *c, const char *const *lines,
				  char *title, struct cl_evidence *ev)
{
	struct cl_triage_result no_crash = { 0 };
	static const char *const head[] = {
		"CL READY release=6.1.0-56-amd64", "CL LOADED start=/usr/lib/x/loader",
		"CL WORKLOAD op=fifo step=w0 generated=8 messages=8 errors=0",
		"CL EVIDENCE events=24", "CL EVIDENCE_END rc=0 pairs=1", "CL BPF_BEGIN", NULL,
	};
	int n[3] = { 0 }, own_end = 0;
	char end[128];
	struct cl_decision d;

	memset(ev, 0, sizeof(*ev));
	ev->boots = 1;
	ev->console_bytes = 100;
	for (int i = 0; head[i]; i++)
		cl_evidence_agent_line(ev, head[i]);
	for (; *lines; lines++) {
		if (!strcmp(*lines, "CL BPF_BEGIN"))
			n[0] = n[1] = n[2] = own_end = 0; /* a listing again */
		n[0] += !strncmp(*lines, "CL BPF_PROG ", 12);
		n[1] += !strncmp(*lines, "CL BPF_LINK ", 12);
		n[2] += !strncmp(*lines, "CL BPF_MAP ", 11);
		own_end |= !strncmp(*lines, "CL BPF_END ", 11) || !strcmp(*lines, "no end");
		if (strcmp(*lines, "no end"))
			cl_evidence_agent_line(ev, *lines);
	}
	snprintf(end, sizeof(end), "CL BPF_END progs=%d links=%d maps=%d btf=1 stats=1 errno=0 cut=0",
		 n[0], n[1], n[2]);
	if (!own_end && ev->bpf.nstart_log == 0) /* a start that failed lists nothing */
		cl_evidence_agent_line(ev, end);
	cl_evidence_agent_line(ev, "CL DONE");
	cl_verdict_decide(&d, ev, &no_crash, c, 1);
	strcpy(title, d.title);
	return d.verdict;
}

#define P1 "CL BPF_PROG id=41 type=26 name=cl_fifo_create run_cnt=24 run_time_ns=19500 verified_insns=812"
#define P2 "CL BPF_PROG id=42 type=2 name=cl_unix_conn run_cnt=8 run_time_ns=4000 verified_insns=77"
#define L1 "CL BPF_LINK id=7 type=2 prog=41 target=vfs_mknod"
#define L2 "CL BPF_LINK id=8 type=7 prog=42 target=-"
#define M1 "CL BPF_MAP id=12 type=2 name=cl_counters"

static void test_verdicts(void **state)
{
	struct cl_candidate *c = load_bpf();
	static struct cl_evidence ev;
	char t[400];

	(void)state;
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, NULL }, t, &ev),
			 CL_V_PASS);
	assert_string_equal(t, "2 BPF programs attached and ran in the workload; 1 evidence "
			       "condition held");
	assert_int_equal(ev.bad_lines, 0);
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, L1, L2, M1, NULL }, t, &ev),
			 CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_unix_conn not loaded");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, "CL BPF_PROG id=42 type=2 "
		"name=cl_unix_conn run_cnt=0 run_time_ns=0", L1, M1, NULL }, t, &ev),
		CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_unix_conn loaded but not attached");
	/* no link, yet it ran: attached the old way (perf_event_open and an ioctl, as bpftrace) */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, M1, NULL }, t, &ev),
			 CL_V_PASS);
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, "CL BPF_PROG id=42 type=2 "
		"name=cl_unix_conn run_cnt=0 run_time_ns=0", L1, L2, M1, NULL }, t, &ev),
		CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_unix_conn attached but never ran during the workload");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, "CL BPF_LINK id=7 type=2 "
		"prog=41 target=vfs_open", L2, M1, NULL }, t, &ev), CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_fifo_create attached to vfs_open, the manifest says "
			       "vfs_mknod");
	/* several links: one at the place named is enough */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, "CL BPF_LINK id=6 type=2 "
		"prog=41 target=vfs_open", L1, L2, M1, NULL }, t, &ev), CL_V_PASS);
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, "CL BPF_LINK id=6 type=2 "
		"prog=41 target=vfs_open", "CL BPF_LINK id=7 type=2 prog=41 target=vfs_rmdir", L2, M1,
		NULL }, t, &ev), CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_fifo_create attached to vfs_open, the manifest says "
			       "vfs_mknod");
	/* one link elsewhere and one that does not say where: not shown to be where it says */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, "CL BPF_LINK id=6 type=2 "
		"prog=41 target=vfs_open", "CL BPF_LINK id=7 type=7 prog=41 target=-", L2, M1,
		NULL }, t, &ev), CL_V_DEGRADED);
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL BPF_PROG id=41 type=2 "
		"name=cl_fifo_create run_cnt=1", P2, L1, L2, M1, NULL }, t, &ev), CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_fifo_create is of type kprobe, the manifest says tracing");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, NULL }, t, &ev),
			 CL_V_DEGRADED);
	assert_string_equal(t, "bpf map cl_counters not created");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "CL BPF_END progs=2 "
		"links=2 maps=1 btf=1 stats=0 errno=0 cut=0", NULL }, t, &ev), CL_V_DEGRADED);
	assert_contains(t, "kernel.bpf_stats_enabled is off");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "CL BPF_END progs=2 "
		"links=2 maps=1 btf=0 stats=1 errno=0 cut=0", NULL }, t, &ev), CL_V_INSTALL_FAILED);
	assert_contains(t, "needs the kernel's BTF");
	/* never listed (the agent's word alone is not evidence): not a pass */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "no end", NULL },
				    t, &ev), CL_V_WORKLOAD_FAILED);
	assert_string_equal(t, "the kernel's BPF programs were never listed");
	cl_candidate_free(c);
}

/* A listing that is not whole, a name twice, runs before the workload only: never a pass. */
static void test_fail_closed(void **state)
{
	struct cl_candidate *c = load_bpf();
	static struct cl_evidence ev;
	char t[400];

	(void)state;
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "CL BPF_END progs=2 "
		"links=2 maps=1 btf=1 stats=1 errno=0 cut=1", NULL }, t, &ev), CL_V_WORKLOAD_FAILED);
	assert_string_equal(t, "the kernel's BPF listing is not whole (more than the agent lists)");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "CL BPF_END progs=2 "
		"links=2 maps=1 btf=1 stats=1 errno=1", NULL }, t, &ev), CL_V_WORKLOAD_FAILED);
	assert_contains(t, "the kernel refused it");
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "CL BPF_END progs=3 "
		"links=2 maps=1 btf=1 stats=1 errno=0 cut=0", NULL }, t, &ev), CL_V_WORKLOAD_FAILED);
	assert_contains(t, "lines lost");
	/* another program of the same name, loaded but not attached: the name is not attached */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, "CL BPF_PROG id=50 type=26 "
		"name=cl_fifo_create run_cnt=0 run_time_ns=0", L1, L2, M1, NULL }, t, &ev),
		CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_fifo_create loaded but not attached");
	/* a target the agent could not resolve is not the one the manifest names */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, "CL BPF_LINK id=7 type=2 "
		"prog=41 target=?", L2, M1, NULL }, t, &ev), CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_fifo_create attached to ?, the manifest says vfs_mknod");
	/* it ran before the workload (the listing then), not during it */
	assert_int_equal(verdict_of(c, (const char *const[]){ P1, P2, L1, L2, M1, "CL BPF_END progs=2 "
		"links=2 maps=1 btf=1 stats=1 errno=0 cut=0", "CL BPF_BEGIN", P1, P2, L1, L2, M1,
		NULL }, t, &ev), CL_V_DEGRADED);
	assert_string_equal(t, "bpf program cl_fifo_create attached but never ran during the workload");
	cl_candidate_free(c);
}

/* Guest output is untrusted: a malformed listing line is counted, never taken. */
static void test_malformed_lines(void **state)
{
	struct cl_candidate *c = load_bpf();
	static struct cl_evidence ev;
	char t[400];

	(void)state;
	assert_int_equal(verdict_of(c, (const char *const[]){ "CL BPF_PROG id=x type=26 "
		"name=cl_fifo_create run_cnt=24", "CL BPF_PROG id=43 type=26 name=cl<fifo", P2,
		"CL BPF_LINK id=7 type=2 prog=41", L2, "CL BPF_MAP name=cl_counters",
		"CL BPF_PROG id=4294967306 type=26 name=cl_fifo_create run_cnt=1",
		"CL BPF_PROG id=44 type=26 name=cl_fifo_create_and_more run_cnt=1", NULL }, t, &ev),
		CL_V_WORKLOAD_FAILED); /* the listing lost lines: not whole */
	assert_int_equal(ev.bad_lines, 6);
	assert_int_equal(ev.bpf.nprogs, 1);
	assert_int_equal(ev.bpf.nlinks, 1);
	assert_int_equal(ev.bpf.nmaps, 0);
	cl_candidate_free(c);
}

/* More than the bounds: the first ones stay, the rest are bad lines; the end of the start log stays. */
static void test_bounds(void **state)
{
	static struct cl_evidence ev;
	char line[128];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	for (int i = 1; i <= CL_BPF_SEEN_MAX + 5; i++) {
		snprintf(line, sizeof(line), "CL BPF_PROG id=%d type=1 name=p%d run_cnt=1", i, i);
		cl_evidence_agent_line(&ev, line);
	}
	for (int i = 0; i < CL_START_LOG_MAX + 3; i++) {
		snprintf(line, sizeof(line), "CL START_LOG line %d", i);
		cl_evidence_agent_line(&ev, line);
	}
	assert_int_equal(ev.bpf.nprogs, CL_BPF_SEEN_MAX);
	assert_string_equal(ev.bpf.progs[0].name, "p1");
	assert_int_equal(ev.bpf.nstart_log, CL_START_LOG_MAX);
	assert_string_equal(ev.bpf.start_log[0], "line 3");
	assert_int_equal(ev.bad_lines, 5); /* more than a guest lists: counted, not taken */
}

/* A recorded cell (tests/data/bpf/NAME.agent.log, its agent channel as a
 * real guest wrote it) decided for the manifest @manifest. */
static enum cl_verdict replay(const char *manifest, const char *name, char *title)
{
	struct cl_triage_result no_crash = { 0 };
	static struct cl_evidence ev;
	struct cl_candidate *c = NULL;
	struct cl_decision d;
	char *path = cl_sprintf("tests/data/bpf/%s.agent.log", name), line[1024];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_int_equal(cl_candidate_load(&c, manifest), 0);
	memset(&ev, 0, sizeof(ev));
	ev.boots = 1;
	ev.console_bytes = 100;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		cl_evidence_agent_line(&ev, line);
	}
	fclose(f);
	assert_int_equal(ev.bad_lines, 0);
	cl_verdict_decide(&d, &ev, &no_crash, c, 1);
	strcpy(title, d.title);
	cl_candidate_free(c);
	free(path);
	return d.verdict;
}

/*
 * What real kernels said (captured from the reference BPF sensor's builds on
 * Debian's 6.1.0-56 and 6.12.117 kernels): the unbounded interpreter refused
 * by the verifier, its reason the log's last words before its statistics
 * (the log's beginning cut off: its last 60 lines are kept); the iterator
 * build refused by libbpf on 6.1 before the verifier saw it, and passing on
 * 6.12 with every program listed; the good build on 6.1.
 */
static void test_recorded_cells(void **state)
{
	static const char verifier[] = "bpf program cl_fifo_create refused: invalid access to map "
				       "value, value_size=2580 off=32895 size=1; R1 max value is "
				       "outside of the allowed memory range";
	char t[400];

	(void)state;
	assert_int_equal(replay("sensor/candidate-bpf-unbounded.json", "unbounded-6.1", t),
			 CL_V_INSTALL_FAILED);
	assert_string_equal(t, verifier);
	assert_int_equal(replay("sensor/candidate-bpf-unbounded.json", "unbounded-6.12", t),
			 CL_V_INSTALL_FAILED);
	assert_string_equal(t, verifier);
	assert_int_equal(replay("sensor/candidate-bpf-newer.json", "newer-6.1", t),
			 CL_V_INSTALL_FAILED);
	assert_string_equal(t, "candidate did not start: extern (func ksym) 'bpf_iter_num_destroy': "
			       "not found in kernel or module BTFs");
	assert_int_equal(replay("sensor/candidate-bpf-newer.json", "newer-6.12", t), CL_V_PASS);
	assert_string_equal(t, "3 BPF programs attached and ran in the workload; 5 evidence "
			       "conditions held");
	/* the good build on 6.1: listed before and after the workload, maps of 15 characters */
	assert_int_equal(replay("sensor/candidate-bpf.json", "good-6.1", t), CL_V_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_fail_closed),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_recorded_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
