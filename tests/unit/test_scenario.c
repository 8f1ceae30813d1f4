/* Scenarios: the shipped one, the agent plan it produces, and refusals. */
#include "cl_test.h"
#include "cl_kind.h"
#include "cl_scenario.h"
#include "cl_util.h"

static void test_plan(void **state)
{
	struct cl_scenario *s;
	struct cl_candidate *c;
	char *plan;

	(void)state;
	assert_int_equal(cl_scenario_load(&s, "scenarios/ipc-basic.json"), 0);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate.json"), 0);
	assert_int_equal(s->max_boots, 1);
	assert_true(s->heartbeat_s >= 3);
	plan = cl_scenario_plan(s, c, CL_PLAN_ONCE);
	assert_contains(plan, "\nsysctl kernel.panic_on_oops 1\n");
	assert_contains(plan, "\ninstall /crashlab/candidate/content-0 /var/lib/crashlab/channels/C-00000291.sys\n");
	assert_contains(plan, "\nmodule /crashlab/candidate/clsensor.ko content=/var/lib/crashlab/channels/C-00000291.sys\n");
	assert_contains(plan, "\nstatus /proc/clsensor\n"
			      "counters events_fifo_create events_fifo_open events_unix_connect matches\n");
	/* each scenario step labelled by its index: one worker, unpaced, one round */
	assert_contains(plan, "\nfifo /tmp/pipes msagent_%d 8 4 1 0 0 w0\n");
	assert_contains(plan, "\nunix /run/ipc postex_%d.sock 8 4 1 0 0 w2\n");
	assert_contains(plan, "\nsleep 0.250\n"); /* a fraction of a second, in milliseconds */
	/* order: install before module before workload */
	assert_true(strstr(plan, "install ") < strstr(plan, "module "));
	assert_true(strstr(plan, "module ") < strstr(plan, "fifo "));
	free(plan);
	cl_candidate_free(c);
	cl_scenario_free(s);
}

/* Disk images: the OS loads the candidate; the agent checks it, and reboots. */
static void test_persistent_plan(void **state)
{
	struct cl_scenario *s;
	struct cl_candidate *c;
	char *plan, *boot;

	(void)state;
	assert_int_equal(cl_scenario_load(&s, "scenarios/persistent.json"), 0);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate.json"), 0);
	assert_true(s->on_crash_reboot);
	assert_int_equal(s->loop_boots, 3);
	assert_int_equal(s->reboots, 3);
	assert_true(s->max_boots > s->reboots + 1);
	plan = cl_scenario_plan(s, c, CL_PLAN_PERSISTENT);
	assert_null(strstr(plan, "\ninstall "));
	assert_null(strstr(plan, "\nmodule "));
	assert_contains(plan, "\nloaded clsensor\nstatus /proc/clsensor\n");
	assert_true(strstr(plan, "\nreboots 3\n") > strstr(plan, "\nunix "));
	boot = cl_scenario_boot_plan(s);
	assert_string_equal(boot, "fifo /run/pipes msagent_boot_%d 4 2 1 0 0 b0\n"
				  "unix /run/ipc postex_boot_%d.sock 4 2 1 0 0 b1\n");
	free(boot);
	free(plan);
	cl_scenario_free(s);
	/* ipc-basic: one boot, stop at the first crash, no boot workload */
	assert_int_equal(cl_scenario_load(&s, "scenarios/ipc-basic.json"), 0);
	assert_false(s->on_crash_reboot);
	boot = cl_scenario_boot_plan(s);
	assert_string_equal(boot, "");
	plan = cl_scenario_plan(s, c, CL_PLAN_PERSISTENT);
	assert_null(strstr(plan, "reboots"));
	free(boot);
	free(plan);
	cl_candidate_free(c);
	cl_scenario_free(s);
}

/* Every IPC kind, with workers, a rate and a duration, as the agent gets it. */
static void test_ipc_kinds(void **state)
{
	struct cl_scenario *s;
	struct cl_candidate *c;
	char *plan;

	(void)state;
	assert_int_equal(cl_scenario_load(&s, "scenarios/ipc-storm.json"), 0);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate.json"), 0);
	assert_int_equal(s->nsteps, 7);
	assert_int_equal(s->steps[1].op, CL_STEP_DGRAM);
	assert_int_equal(s->steps[1].concurrency, 4);
	assert_int_equal(s->steps[1].rate, 200);
	assert_int_equal(s->steps[6].duration, 3);
	plan = cl_scenario_plan(s, c, CL_PLAN_ONCE);
	assert_contains(plan, "\ndgram /run/ipc log_%d.sock 16 4 4 200 0 w1\n");
	assert_contains(plan, "\npipe - - 64 4 2 0 0 w3\n");
	assert_contains(plan, "\nsocketpair - - 64 4 2 0 0 w4\n");
	assert_contains(plan, "\nspawn /tmp/pipes MSSE-%d-server 8 2 2 0 0 w5\n");
	assert_contains(plan, "\nfifo /tmp/pipes msagent_r%d 8 1 2 20 3 w6\n");
	assert_string_equal(cl_scenario_ipc_name(CL_STEP_SOCKETPAIR), "socketpair");
	assert_null(cl_scenario_ipc_name(CL_STEP_SLEEP));
	free(plan);
	cl_candidate_free(c);
	cl_scenario_free(s);
}

/* Options a kernel gets only when its config has the symbol, read from its headers' .config. */
static void test_if_config(void **state)
{
	char dir[] = "/tmp/crashlab-cfg-XXXXXX", *cfg, *line;
	struct cl_image img = { 0 };
	struct cl_scenario *s;
	struct cl_cell_input in = { .scn = NULL, .img = &img };

	(void)state;
	assert_int_equal(cl_scenario_load(&s, "scenarios/hardened.json"), 0);
	assert_int_equal(s->nif_config, 3);
	assert_string_equal(s->if_config[2], "CONFIG_KFENCE");
	assert_string_equal(s->if_option[2], "kfence.sample_interval=10");
	assert_non_null(mkdtemp(dir));
	img.headers = dir;
	cfg = cl_sprintf("%s/.config", dir);
	assert_int_equal(cl_write_file(cfg, "CONFIG_SLUB_DEBUG=y\n# CONFIG_KFENCE is not set\n"
				       "CONFIG_PAGE_POISONING_X=y\n", 73), 0);
	assert_true(cl_image_has_config(&img, "CONFIG_SLUB_DEBUG")); /* on the first line too */
	assert_int_equal(cl_write_file(cfg, "#\nCONFIG_SLUB_DEBUG=y\n# CONFIG_KFENCE is not set\n"
				       "CONFIG_PAGE_POISONING_X=y\nCONFIG_KFENCE_X=m\n", 92), 0);
	assert_true(cl_image_has_config(&img, "CONFIG_SLUB_DEBUG"));
	assert_false(cl_image_has_config(&img, "CONFIG_KFENCE"));
	assert_false(cl_image_has_config(&img, "CONFIG_PAGE_POISONING"));
	in.scn = s;
	line = cl_kind_scenario_cmdline(&in);
	assert_string_equal(line, "watchdog_thresh=5 init_on_free=1 panic_on_taint=0x20 slub_debug=FZPU");
	free(line);
	img.headers = NULL; /* no headers: no option that needs them */
	line = cl_kind_scenario_cmdline(&in);
	assert_string_equal(line, "watchdog_thresh=5 init_on_free=1 panic_on_taint=0x20");
	free(line);
	unlink(cfg);
	free(cfg);
	rmdir(dir);
	cl_scenario_free(s);
}

/* A live update: staged content, installed and announced mid-workload. */
static void test_update_step(void **state)
{
	struct cl_scenario *s;
	struct cl_candidate *c, *plain;
	char *plan;

	(void)state;
	assert_int_equal(cl_scenario_load(&s, "scenarios/live-update.json"), 0);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate-live-update.json"), 0);
	assert_int_equal(cl_candidate_load(&plain, "sensor/candidate.json"), 0);
	assert_int_equal(cl_scenario_check(s, c), 0);
	assert_int_equal(cl_scenario_check(s, plain), CL_EINPUT);
	assert_contains(cl_err(), "no live-update content \"channel-291-v33\"");
	plan = cl_scenario_plan(s, c, CL_PLAN_ONCE);
	/* only the boot content is installed at boot */
	assert_contains(plan, "\ninstall /crashlab/candidate/content-0 ");
	assert_null(strstr(plan, "install /crashlab/candidate/content-1"));
	assert_contains(plan, "\nupdate 1 /crashlab/candidate/content-1 "
			      "/var/lib/crashlab/channels/C-00000291.sys /proc/clsensor_update\n");
	assert_true(strstr(plan, "\nupdate ") > strstr(plan, "\nunix "));
	free(plan);
	plan = cl_scenario_plan(s, c, CL_PLAN_PERSISTENT);
	assert_contains(plan, "\nupdate 1 /var/lib/crashlab/stage/content-1 ");
	free(plan);
	cl_candidate_free(plain);
	cl_candidate_free(c);
	cl_scenario_free(s);
}

static void expect_error(const char *json, const char *needle)
{
	struct cl_scenario *s = NULL;
	char *p = cl_test_tmpfile(json);

	assert_int_equal(cl_scenario_load(&s, p), CL_EINPUT);
	assert_null(s);
	if (!strstr(cl_err(), needle) || !strstr(cl_err(), p))
		fail_msg("error \"%s\" lacks \"%s\" or the file name", cl_err(), needle);
	unlink(p);
	free(p);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_error("{\"workload\": [{\"op\": \"fork-bomb\"}]}", "unknown op");
	expect_error("{\"workload\": [{\"op\": \"fifo\", \"name\": \"a b %d\"}]}", "one %d");
	expect_error("{\"workload\": [{\"op\": \"fifo\", \"name\": \"x%s\"}]}", "one %d");
	expect_error("{\"workload\": [{\"op\": \"fifo\", \"name\": \"x%d\", \"dir\": \"/tmp/../etc\"}]}",
		     "plain absolute path");
	expect_error("{\"workload\": []}", "1 to 32 steps");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"kernel_cmdline_if_config\": "
		     "{\"KFENCE\": \"kfence.sample_interval=1\"}}", "not a CONFIG_ symbol");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"kernel_cmdline_if_config\": "
		     "{\"CONFIG_KFENCE\": \"a b\"}}", "one option word");
	expect_error("{\"workload\": [{\"op\": \"pipe\", \"name\": \"p%d\"}]}", "no \"name\" or \"dir\"");
	expect_error("{\"workload\": [{\"op\": \"dgram\", \"name\": \"d%d\", \"concurrency\": 65}]}",
		     "concurrency");
	expect_error("{\"workload\": [{\"op\": \"unix\", \"name\": \"u%d\", \"rate\": -1}]}", "rate");
	expect_error("{\"workload\": [{\"op\": \"spawn\", \"name\": \"s%d\", \"duration\": 7200}]}",
		     "duration");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"sysctl\": {\"kernel.x\": \"1 2\"}}",
		     "plain string");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"limits\": {\"boot_s\": 1}}",
		     "between 5 and 3600");
	expect_error("{\"workload\": [{\"op\": \"sleep\", \"seconds\": -0.5}]}", "seconds");
	expect_error("{\"workload\": [{\"op\": \"flaky\", \"fail_percent\": 101}]}", "fail_percent");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"kernel_cmdline\": \"a;b\"}",
		     "unsupported character");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"on_crash\": \"ignore\"}",
		     "on_crash must be");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"reboots\": 99}", "between 0 and 20");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"boot_workload\": [{\"op\": \"x\"}]}",
		     "boot_workload[0]: unknown op");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"limits\": {\"loop_boots\": 0}}",
		     "loop_boots");
	expect_error("{\"workload\": [{\"op\": \"update\"}]}", "update needs \"content\"");
}

/* The scenario's name is a word of the guest's plan and the report: a plain name. */
static void test_name_is_plain(void **state)
{
	(void)state;
	expect_error("{\"name\": \"..\", \"workload\": [{\"op\": \"sleep\"}]}", "plain name");
	expect_error("{\"name\": \"a/b\", \"workload\": [{\"op\": \"sleep\"}]}", "plain name");
	expect_error("{\"name\": \"a\\nmodule /x.ko\", \"workload\": [{\"op\": \"sleep\"}]}",
		     "plain name");
}

/* A key no table lists is refused with the path of its object; a wrong type names the key. */
static void test_keys_named_with_their_path(void **state)
{
	(void)state;
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"limit\": {}}",
		     ": scenario: unknown key \"limit\"");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"limits\": {\"boot\": 5}}",
		     ": limits: unknown key \"boot\"");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}, {\"op\": \"fifo\", \"name\": \"f%d\", "
		     "\"workers\": 2}]}", ": workload[1]: unknown key \"workers\"");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"boot_workload\": [{\"op\": \"sleep\", "
		     "\"secs\": 2}]}", ": boot_workload[0]: unknown key \"secs\"");
	expect_error("{\"workload\": [{\"op\": \"fifo\", \"name\": \"f%d\", \"count\": \"8\"}]}",
		     ": workload[0]: \"count\" must be an integer");
	expect_error("{\"workload\": [{\"op\": \"sleep\", \"rate\": 1.5}]}",
		     ": workload[0]: \"rate\" must be an integer");
	expect_error("{\"workload\": [{\"op\": 1}]}", ": workload[0]: \"op\" must be a non-empty string");
	expect_error("{\"workload\": [{\"seconds\": 1}]}", ": workload[0]: missing \"op\"");
	expect_error("{\"workload\": [[]]}", ": workload[0] must be an object");
	expect_error("{\"workload\": {}}", ": scenario: \"workload\" must be an array");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"limits\": []}",
		     ": scenario: \"limits\" must be an object");
	expect_error("{\"workload\": [{\"op\": \"sleep\"}], \"on_crash\": true}",
		     ": scenario: \"on_crash\" must be a non-empty string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_persistent_plan),
		cmocka_unit_test(test_ipc_kinds),
		cmocka_unit_test(test_if_config),
		cmocka_unit_test(test_update_step),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_name_is_plain),
		cmocka_unit_test(test_keys_named_with_their_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
