/*
 * The cell state machine, replayed from event streams recorded by the real
 * runner (tests/data/sm/NAME.events: a cell's events.log headed by what the
 * machine must conclude), plus the recording format itself.
 *
 * Header lines, then a blank line, then the recorded stream:
 *   CONFIG: on_crash=reboot loop_boots=3 max_boots=8 boot_s=240 ...
 *           (for streams recorded before events.log had its "# config:"
 *           line; a stream that has one is replayed with it)
 *   CANDIDATE: sensor/candidate.json     (the manifest the cell ran)
 *   VERDICT: boot_loop
 *   BOOTS: 3     (0: the cell never started)
 *   TIMELINE: init/crash init/crash init/crash     (reached/ended per boot,
 *             "+" after the stage when the boot was healthy)
 *   TITLE: text the verdict title contains
 *   RECOVERED: N  or  RECOVERED: Y 2 3   (crashed boots, healthy boot)
 *   DESTROYED: Y|N   (the machine asked the runner to stop the domain)
 */
#include "cl_test.h"
#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_sm.h"
#include "cl_smlog.h"
#include "cl_util.h"

struct expect {
	char config[512], candidate[256], verdict[32], timeline[512], title[256];
	char recovered[32], destroyed[4];
	int boots;
};

/* What a test recording leaves unsaid, then its CONFIG header. */
static void parse_config(struct cl_smlog_config *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	c->cfg = (struct cl_sm_config){ .loop_boots = 3, .max_boots = 1, .boot_s = 240,
					.heartbeat_s = 30, .step_s = 120, .total_s = 600,
					.digest_key = "content_sha256", .module = "clsensor" };
	if (cl_smlog_parse_config(c, text))
		fail_msg("bad CONFIG: %s", text);
}

/* Read the header into @x; returns the offset of the stream. */
static size_t read_header(struct expect *x, const char *text)
{
	const char *p = text;

	memset(x, 0, sizeof(*x));
	x->boots = -1;
	while (*p && *p != '\n') {
		const char *nl = strchr(p, '\n');
		char line[600];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
#define FIELD(name, dst) \
	if (!strncmp(line, name ": ", strlen(name) + 2)) \
		snprintf(dst, sizeof(dst), "%.*s", (int)sizeof(dst) - 1, line + strlen(name) + 2)
		FIELD("CONFIG", x->config);
		FIELD("CANDIDATE", x->candidate);
		FIELD("VERDICT", x->verdict);
		FIELD("TIMELINE", x->timeline);
		FIELD("TITLE", x->title);
		FIELD("RECOVERED", x->recovered);
		FIELD("DESTROYED", x->destroyed);
#undef FIELD
		if (!strncmp(line, "BOOTS: ", 7))
			x->boots = atoi(line + 7);
		p += n + (nl != NULL);
	}
	return (size_t)(p - text) + (*p == '\n');
}

static void timeline_text(char *out, size_t len, const struct cl_evidence *ev)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < cl_evidence_timeline_len(ev); i++) {
		const struct cl_boot *b = &ev->timeline[i];

		o += (size_t)snprintf(out + o, len - o, "%s%s%s/%s", i ? " " : "",
				      cl_evidence_stage_name(b->stage), b->healthy ? "+" : "",
				      cl_evidence_boot_end_name(b->how));
	}
}

/*
 * Feed the recorded stream @text to @sm, begun from @c once the first event
 * comes (the stream's own "# config:" line, before it, applies over @c).
 * Returns the actions the machine asked for; @events counts the events.
 */
static int replay_stream(struct cl_sm *sm, struct cl_smlog_config *c, char *text,
			 const char *name, int *events)
{
	static char buf[CL_SM_LINE_MAX * 5];
	char *line, *save = NULL;
	const char *cfg_text;
	int acts = 0;

	*events = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct cl_sm_event e;
		int rc = cl_smlog_parse(&e, buf, sizeof(buf), line);

		if ((cfg_text = cl_smlog_config_text(line))) {
			if (*events > 0)
				fail_msg("%s: a config line after events (a second stream)", name);
			if (cl_smlog_parse_config(c, cfg_text))
				fail_msg("%s: bad config line: %.80s", name, line);
		}
		if (rc < 0)
			fail_msg("%s: malformed event line: %.80s", name, line);
		if (rc == 1 && (*events)++ == 0)
			cl_sm_init(sm, &c->cfg);
		if (rc == 1)
			acts |= cl_sm_feed(sm, &e);
	}
	if (*events == 0)
		cl_sm_init(sm, &c->cfg);
	cl_sm_end(sm);
	return acts;
}

/* The machine's conclusions against the header's. */
static void check_replay(const char *name, const struct expect *x, const struct cl_sm *sm,
			 const struct cl_decision *dec, int acts, int events)
{
	char got[512];

	timeline_text(got, sizeof(got), &sm->ev);
	if (strcmp(cl_verdict_name(dec->verdict), x->verdict) || sm->ev.boots != x->boots ||
	    (x->timeline[0] && strcmp(got, x->timeline)) ||
	    (x->title[0] && !strstr(dec->title, x->title)))
		fail_msg("%s (%d events): got %s \"%s\", %d boots, timeline \"%s\"; "
			 "want %s \"%s\", %d boots, \"%s\"", name, events,
			 cl_verdict_name(dec->verdict), dec->title, sm->ev.boots, got, x->verdict,
			 x->title, x->boots, x->timeline);
	if (x->recovered[0] == 'Y') {
		int k = 0, h = 0;

		sscanf(x->recovered + 1, "%d %d", &k, &h);
		if (!sm->ev.recovered || sm->ev.crashed_boots != k || sm->ev.recovery_boot != h)
			fail_msg("%s: recovered %d after %d crashed boots at boot %d; want Y %d %d",
				 name, sm->ev.recovered, sm->ev.crashed_boots, sm->ev.recovery_boot,
				 k, h);
	} else if (x->recovered[0] == 'N' && sm->ev.recovered) {
		fail_msg("%s: recovered, want not", name);
	}
	if (x->destroyed[0] && (x->destroyed[0] == 'Y') != ((acts & CL_SM_ACT_DESTROY) != 0))
		fail_msg("%s: destroy action %s, want %s", name,
			 (acts & CL_SM_ACT_DESTROY) ? "Y" : "N", x->destroyed);
}

static void replay_one(const char *name)
{
	char *path = cl_sprintf("tests/data/sm/%s", name), *text;
	static struct cl_smlog_config cfg;
	struct cl_candidate *cand;
	struct cl_decision dec;
	struct expect x;
	struct cl_sm sm;
	int acts, events;
	size_t off;

	assert_int_equal(cl_read_file(&text, NULL, path, 64u << 20), 0);
	off = read_header(&x, text);
	if (!x.verdict[0] || !x.candidate[0] || x.boots < 0)
		fail_msg("%s: header needs VERDICT, CANDIDATE and BOOTS", name);
	parse_config(&cfg, x.config);
	assert_int_equal(cl_candidate_load(&cand, x.candidate), 0);
	acts = replay_stream(&sm, &cfg, text + off, name, &events);
	cl_sm_decide(&dec, &sm, cand);
	check_replay(name, &x, &sm, &dec, acts, events);
	cl_sm_clear(&sm);
	cl_candidate_free(cand);
	free(text);
	free(path);
}

static void test_recorded_streams(void **state)
{
	(void)state;
	/* each stream is one real cell; there must be a few of each kind */
	assert_true(cl_test_each_file("tests/data/sm", ".events", replay_one) >= 6);
}

static void test_smlog_round_trip(void **state)
{
	static const char bytes[] = "a b\\c\n\x1b[0m\r\xff\x00z";
	struct cl_sm_event in = { .kind = CL_SM_EV_CONSOLE, .t = 12.25, .data = bytes,
				  .len = sizeof(bytes) - 1 }, out;
	char *rec = NULL, buf[256];
	size_t len = 0;
	FILE *f = open_memstream(&rec, &len);

	(void)state;
	cl_smlog_write(f, &in);
	in = (struct cl_sm_event){ .kind = CL_SM_EV_BUGCHECK, .t = 1, .args = { 0x50, 1, 2, 3, 4 } };
	cl_smlog_write(f, &in);
	in = (struct cl_sm_event){ .kind = CL_SM_EV_INFRA, .t = 2, .data = "no pipe", .len = 7 };
	cl_smlog_write(f, &in);
	fclose(f);
	assert_null(strchr(rec, '\r'));
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), strtok(rec, "\n")), 1);
	assert_int_equal(out.kind, CL_SM_EV_CONSOLE);
	assert_int_equal(out.len, sizeof(bytes) - 1);
	assert_memory_equal(out.data, bytes, out.len);
	assert_true(out.t > 12.24 && out.t < 12.26);
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), strtok(NULL, "\n")), 1);
	assert_int_equal(out.kind, CL_SM_EV_BUGCHECK);
	assert_int_equal(out.args[0], 0x50);
	assert_int_equal(out.args[4], 4);
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), strtok(NULL, "\n")), 1);
	assert_int_equal(out.kind, CL_SM_EV_INFRA);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.data, "no pipe", 7);
	/* an interrupt may come without its why */
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), "3.0 interrupt"), 1);
	assert_int_equal(out.kind, CL_SM_EV_INTERRUPT);
	assert_int_equal(out.len, 0);
	/* malformed lines are refused, not guessed at */
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), "x console a"), -1);
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), "1.0 nonsense"), -1);
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), "1.0 agent bad\\x4"), -1);
	assert_int_equal(cl_smlog_parse(&out, buf, 4, "1.0 agent toolong"), -1);
	assert_int_equal(cl_smlog_parse(&out, buf, sizeof(buf), "# comment"), 0);
	free(rec);
}

/* The "# config:" line says every field of the machine's configuration. */
static void test_config_round_trip(void **state)
{
	struct cl_mutant_file m[2] = { { .name = "channel-291.empty" }, { .name = "a,b c\\" } };
	struct cl_sm_config in = { .on_crash = CL_CRASH_REBOOT, .loop_boots = 2, .max_boots = 8,
				   .boot_s = 240, .heartbeat_s = 60, .step_s = 120, .total_s = 1500,
				   .fatal_warnings = 1, .dump = 1, .stop_when_healthy = 1,
				   .console_echo = 1, .no_panic_event = 1, .digest_key = "-", .module = NULL,
				   .mutants = m, .nmutants = 2 };
	static struct cl_smlog_config out;
	const struct cl_sm_config *c = &out.cfg;
	char *rec = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&rec, &len);
	const char *text;

	(void)state;
	cl_smlog_write_config(f, &in);
	fclose(f);
	assert_non_null(text = cl_smlog_config_text(rec));
	memset(&out, 0, sizeof(out));
	assert_int_equal(cl_smlog_parse_config(&out, text), 0);
	assert_int_equal(c->on_crash, CL_CRASH_REBOOT);
	assert_true(c->loop_boots == 2 && c->max_boots == 8 && c->boot_s == 240);
	assert_true(c->heartbeat_s == 60 && c->step_s == 120 && c->total_s == 1500);
	assert_true(c->fatal_warnings && c->dump && c->stop_when_healthy && c->console_echo);
	assert_true(c->no_panic_event);
	assert_string_equal(c->digest_key, "-");
	assert_null(c->module);
	assert_int_equal(c->nmutants, 2);
	assert_string_equal(c->mutants[0].name, "channel-291.empty");
	assert_string_equal(c->mutants[1].name, "a,b c\\");
	/* refused, not guessed at */
	assert_int_equal(cl_smlog_parse_config(&out, "loop_boots=3x"), -1);
	assert_int_equal(cl_smlog_parse_config(&out, "colour=blue"), -1);
	assert_int_equal(cl_smlog_parse_config(&out, "on_crash=sometimes"), -1);
	assert_int_equal(cl_smlog_parse_config(&out, "module"), -1);
	assert_int_equal(cl_smlog_parse_config(&out, "module=bad\\x4"), -1);
	assert_null(cl_smlog_config_text("# crashlab events: cell x"));
	free(rec);
}

/* Feed @kind with @data at @t; returns the actions. */
static int ev(struct cl_sm *sm, enum cl_sm_ev kind, double t, const char *data)
{
	struct cl_sm_event e = { .kind = kind, .t = t, .data = data, .len = data ? strlen(data) : 0 };

	return cl_sm_feed(sm, &e);
}

/* Limits short enough to cross in a test; the reference candidate, loaded once. */
#define CRASH_GRACE_TEST_S 5.5 /* past cl_sm.c's CRASH_GRACE_S */
static const struct cl_sm_config quick = { .max_boots = 1, .boot_s = 10, .heartbeat_s = 5,
					   .step_s = 5, .total_s = 100, .loop_boots = 3 };
static struct cl_candidate *cand;

static int load_candidate(void **state)
{
	(void)state;
	return cl_candidate_load(&cand, "sensor/candidate.json");
}

static int free_candidate(void **state)
{
	(void)state;
	cl_candidate_free(cand);
	return 0;
}

/* End @sm and release it (its evidence stays readable); its verdict. */
static struct cl_decision settle(struct cl_sm *sm)
{
	struct cl_decision dec;

	cl_sm_end(sm);
	cl_sm_decide(&dec, sm, cand);
	cl_sm_clear(sm);
	return dec;
}

/* A kernel that prints its banner and nothing else: stopped at the boot limit. */
static void boot_and_hang(struct cl_sm *sm)
{
	ev(sm, CL_SM_EV_START, 0, NULL);
	ev(sm, CL_SM_EV_CONSOLE, 1, "[    0.000000] Linux version 6.1.0\n");
	assert_int_equal(ev(sm, CL_SM_EV_TICK, 9, NULL) & CL_SM_ACT_DESTROY, 0);
	assert_true(ev(sm, CL_SM_EV_TICK, 10.5, NULL) & CL_SM_ACT_DESTROY);
	assert_true(ev(sm, CL_SM_EV_TICK, 14, NULL) & CL_SM_ACT_FINISH);
}

static void test_silence_is_never_a_pass(void **state)
{
	struct cl_sm sm;

	(void)state;
	cl_sm_init(&sm, &quick);
	boot_and_hang(&sm);
	assert_int_equal(settle(&sm).verdict, CL_V_HANG);
	assert_int_equal(sm.ev.timeline[0].stage, CL_STAGE_KERNEL);
}

/* A guest that is ready and mid-plan when both its streams end (qemu gone). */
static void ready_then_gone(struct cl_sm *sm)
{
	cl_sm_init(sm, &quick);
	ev(sm, CL_SM_EV_START, 0, NULL);
	ev(sm, CL_SM_EV_CONSOLE, 1, "[    0.000000] Linux version 6.1.0\n");
	ev(sm, CL_SM_EV_AGENT, 2, "CL READY release=6.1.0-56-amd64");
	ev(sm, CL_SM_EV_AGENT, 2.1, "CL LOADED module=/crashlab/candidate/clsensor.ko");
	ev(sm, CL_SM_EV_CONSOLE_EOF, 2.4, NULL);
	/* both streams ended, the plan unfinished: libvirt must say how before the verdict */
	assert_int_equal(ev(sm, CL_SM_EV_AGENT_EOF, 2.4, NULL) & CL_SM_ACT_FINISH, 0);
}

/*
 * qemu killed under a guest mid-plan (a fault the fault table causes for
 * real; here its events as the runner feeds them): libvirt's STOPPED says
 * the emulator failed, or says nothing in time: the lab's, infra_error;
 * a guest that powered itself off mid-plan is the candidate's.
 */
static void test_emulator_death_is_the_labs(void **state)
{
	struct cl_sm_event stopped = { .kind = CL_SM_EV_STOPPED, .t = 4.2, .args = { 1 } };
	struct cl_sm sm;

	(void)state;
	ready_then_gone(&sm);
	assert_true(cl_sm_feed(&sm, &stopped) & CL_SM_ACT_FINISH);
	assert_int_equal(settle(&sm).verdict, CL_V_INFRA_ERROR);
	assert_contains(sm.ev.infra_msg, "emulator died");
	ready_then_gone(&sm);
	assert_int_equal(ev(&sm, CL_SM_EV_TICK, 3.0, NULL) & CL_SM_ACT_FINISH, 0);
	assert_true(ev(&sm, CL_SM_EV_TICK, 5.6, NULL) & CL_SM_ACT_FINISH);
	assert_int_equal(settle(&sm).verdict, CL_V_INFRA_ERROR);
	assert_contains(sm.ev.infra_msg, "libvirt never said how");
	ready_then_gone(&sm);
	stopped.args[0] = 0; /* shut down: the guest itself */
	assert_true(cl_sm_feed(&sm, &stopped) & CL_SM_ACT_FINISH);
	assert_int_equal(settle(&sm).verdict, CL_V_WORKLOAD_FAILED);
}

static void test_duplicate_reboot_events_are_one_boot(void **state)
{
	struct cl_sm_config cfg = { .max_boots = 8, .boot_s = 100, .heartbeat_s = 50, .step_s = 50,
				    .total_s = 1000, .loop_boots = 3, .on_crash = CL_CRASH_REBOOT };
	struct cl_sm sm;

	(void)state;
	cl_sm_init(&sm, &cfg);
	ev(&sm, CL_SM_EV_START, 0, NULL);
	ev(&sm, CL_SM_EV_CONSOLE, 1, "[    0.000000] Linux version 6.1.0\n");
	ev(&sm, CL_SM_EV_CONSOLE, 4, "[    4.000000] reboot: Restarting system\n");
	ev(&sm, CL_SM_EV_REBOOT, 5, NULL);
	ev(&sm, CL_SM_EV_REBOOT, 5.01, NULL);
	ev(&sm, CL_SM_EV_CONSOLE, 6, "[    0.000000] Linux version 6.1.0\n");
	assert_int_equal(sm.ev.boots, 2);
	assert_int_equal(sm.ev.timeline[0].how, CL_END_REBOOT);
	assert_int_equal(sm.ev.timeline[1].stage, CL_STAGE_KERNEL);
	cl_sm_end(&sm);
	cl_sm_clear(&sm);
}

/*
 * A reset the kernel did not announce and the plan did not ask for (no
 * "reboot:" line, no CL REBOOTING): the crash of that boot, titled as
 * kernel developers title it; the next banner is awaited before the stop.
 */
static void test_unannounced_reset_is_a_crash(void **state)
{
	struct cl_decision dec;
	struct cl_sm sm;
	int act;

	(void)state;
	cl_sm_init(&sm, &quick);
	ev(&sm, CL_SM_EV_START, 0, NULL);
	ev(&sm, CL_SM_EV_CONSOLE, 1, "[    0.000000] Linux version 6.1.0\n[    3.2] crasher: mode reset\n");
	act = ev(&sm, CL_SM_EV_REBOOT, 5, NULL);
	assert_false(act & CL_SM_ACT_DESTROY);
	assert_true(ev(&sm, CL_SM_EV_TICK, 5 + CRASH_GRACE_TEST_S, NULL) & CL_SM_ACT_DESTROY);
	assert_int_equal(sm.ev.timeline[0].how, CL_END_CRASH);
	assert_string_equal(sm.ev.timeline[0].title, "unexpected kernel reboot");
	dec = settle(&sm);
	assert_int_equal(dec.verdict, CL_V_CRASH);
	assert_string_equal(dec.title, "unexpected kernel reboot");
	/* the next banner in: stopped there, before the reset comes round again */
	cl_sm_init(&sm, &quick);
	ev(&sm, CL_SM_EV_START, 0, NULL);
	ev(&sm, CL_SM_EV_CONSOLE, 1, "[    0.000000] Linux version 6.1.0\n");
	assert_false(ev(&sm, CL_SM_EV_REBOOT, 5, NULL) & CL_SM_ACT_DESTROY);
	assert_true(ev(&sm, CL_SM_EV_CONSOLE, 5.2, "[    0.000000] Linux version 6.1.0\n") &
		    CL_SM_ACT_DESTROY);
	dec = settle(&sm);
	assert_int_equal(dec.verdict, CL_V_CRASH);
}

/*
 * What the run knows beside the console: resets at every boot of a disk-like
 * cell are a boot loop; a reboot the plan asked for is none even when the
 * kernel's "reboot:" line is missing; a reset event later than the banner
 * of the boot it opened does not crash that boot.
 */
static void booted(struct cl_sm *sm, const struct cl_sm_config *cfg, const char *banner)
{
	cl_sm_init(sm, cfg);
	ev(sm, CL_SM_EV_START, 0, NULL);
	ev(sm, CL_SM_EV_CONSOLE, 1, banner);
}

static void test_resets_the_plan_knows(void **state)
{
	const struct cl_sm_config disk = { .max_boots = 2, .boot_s = 100, .heartbeat_s = 50,
					   .step_s = 50, .total_s = 1000, .loop_boots = 3,
					   .on_crash = CL_CRASH_REBOOT };
	const char *banner = "[    0.000000] Linux version 6.1.0\n";
	struct cl_decision dec;
	struct cl_sm sm;

	(void)state;
	cl_sm_init(&sm, &disk);
	ev(&sm, CL_SM_EV_START, 0, NULL);
	for (int i = 0; i < 3; i++) {
		ev(&sm, CL_SM_EV_CONSOLE, 10 * i + 1, banner);
		ev(&sm, CL_SM_EV_REBOOT, 10 * i + 5, NULL);
	}
	dec = settle(&sm);
	assert_int_equal(dec.verdict, CL_V_BOOT_LOOP);
	assert_non_null(strstr(dec.title, "unexpected kernel reboot"));

	booted(&sm, &disk, banner);
	ev(&sm, CL_SM_EV_AGENT, 3, "CL REBOOTING");
	ev(&sm, CL_SM_EV_REBOOT, 5, NULL);
	ev(&sm, CL_SM_EV_CONSOLE, 6, banner);
	assert_int_equal(sm.ev.timeline[0].how, CL_END_REBOOT);
	assert_false(cl_triage_result(sm.tr)->crashed);
	cl_sm_end(&sm);
	cl_sm_clear(&sm);

	booted(&sm, &disk, banner);
	ev(&sm, CL_SM_EV_CONSOLE, 4, "[    4.0] reboot: Restarting system\n");
	ev(&sm, CL_SM_EV_CONSOLE, 5, banner);
	ev(&sm, CL_SM_EV_REBOOT, 5.5, NULL);
	assert_false(sm.ev.timeline[1].crashed);
	assert_false(cl_triage_result(sm.tr)->crashed);
	cl_sm_end(&sm);
	cl_sm_clear(&sm);
}

/* A cell that never started ends through an event too, titled by its why. */
static void test_outcome_before_start_ends_the_cell(void **state)
{
	struct cl_decision dec;
	struct cl_sm sm;

	(void)state;
	cl_sm_init(&sm, &quick);
	assert_true(ev(&sm, CL_SM_EV_INTERRUPT, 0, "not run: ring 0 failed (--fail-fast)") &
		    CL_SM_ACT_FINISH);
	assert_int_equal(ev(&sm, CL_SM_EV_START, 0, NULL), CL_SM_ACT_FINISH); /* too late */
	dec = settle(&sm);
	assert_int_equal(dec.verdict, CL_V_NOT_RUN);
	assert_string_equal(dec.title, "not run: ring 0 failed (--fail-fast)");
	assert_int_equal(sm.ev.boots, 0);
	cl_sm_init(&sm, &quick);
	assert_true(ev(&sm, CL_SM_EV_BUILD_FAILED, 0, NULL) & CL_SM_ACT_FINISH);
	dec = settle(&sm);
	assert_int_equal(dec.verdict, CL_V_INSTALL_FAILED);
	assert_string_equal(dec.title, "module not built");
}

/* The lab's failure stops the domain; one told after the machine finished still counts. */
static void test_lab_failure_is_an_event(void **state)
{
	char line[CL_SM_AGENT_MAX + 2];
	struct cl_decision dec;
	struct cl_sm sm;

	(void)state;
	cl_sm_init(&sm, &quick);
	ev(&sm, CL_SM_EV_START, 0, NULL);
	/* an agent line longer than the machine trusts is a bad line, whatever it says */
	memset(line, 'x', sizeof(line) - 1);
	memcpy(line, "CL HB n=1 ", 10);
	line[sizeof(line) - 1] = '\0';
	ev(&sm, CL_SM_EV_AGENT, 0.5, line);
	assert_true(sm.ev.bad_lines == 1 && sm.ev.heartbeats == 0);
	assert_true(ev(&sm, CL_SM_EV_INFRA, 1, "the guest agent went away") & CL_SM_ACT_DESTROY);
	assert_true(ev(&sm, CL_SM_EV_TICK, 4.5, NULL) & CL_SM_ACT_FINISH);
	ev(&sm, CL_SM_EV_INFRA, 5, "cannot save events.log"); /* the first message stays */
	dec = settle(&sm);
	assert_int_equal(dec.verdict, CL_V_INFRA_ERROR);
	assert_string_equal(dec.title, "the guest agent went away");
	/* a hang, then its logs not saved: the lab's failure, not the candidate's */
	cl_sm_init(&sm, &quick);
	boot_and_hang(&sm);
	ev(&sm, CL_SM_EV_INFRA, 15, "cannot save console.log");
	assert_int_equal(settle(&sm).verdict, CL_V_INFRA_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_streams),
		cmocka_unit_test(test_smlog_round_trip),
		cmocka_unit_test(test_config_round_trip),
		cmocka_unit_test(test_outcome_before_start_ends_the_cell),
		cmocka_unit_test(test_lab_failure_is_an_event),
		cmocka_unit_test(test_silence_is_never_a_pass),
		cmocka_unit_test(test_emulator_death_is_the_labs),
		cmocka_unit_test(test_duplicate_reboot_events_are_one_boot),
		cmocka_unit_test(test_unannounced_reset_is_a_crash),
		cmocka_unit_test(test_resets_the_plan_knows),
	};

	return cmocka_run_group_tests(tests, load_candidate, free_candidate);
}
