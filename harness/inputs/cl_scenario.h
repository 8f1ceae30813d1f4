/*
 * cl_scenario.h - what the guest does once the candidate is in.
 *
 *   { "name": "ipc-basic",
 *     "limits": { "boot_s": 240, "heartbeat_s": 30, "total_s": 600, "max_boots": 1 },
 *     "kernel_cmdline": "watchdog_thresh=5",
 *     "sysctl": { "kernel.panic_on_oops": "1" },
 *     "workload": [ { "op": "fifo", "dir": "/tmp/pipes", "name": "msagent_%d",
 *                     "count": 8, "messages": 4 },
 *                   { "op": "dgram", "dir": "/run/ipc", "name": "log_%d.sock", "count": 16,
 *                     "messages": 4, "concurrency": 4, "rate": 200, "duration": 5 },
 *                   { "op": "unix", "dir": "/run/ipc", "name": "postex_%d.sock",
 *                     "count": 8, "messages": 4 },
 *                   { "op": "sleep", "seconds": 1 },
 *                   { "op": "update", "content": "channel-291-v33" } ] }
 *
 * boot_s: from start to the agent's READY; heartbeat_s: longest silence of
 * the agent after that (the heartbeat comes from a process of its own, so
 * it stops when the guest kernel stops scheduling); step_s: longest time
 * without progress through the plan (a step stuck in the kernel, e.g. a
 * module load blocked forever, while the heartbeat goes on); total_s: the
 * whole cell; max_boots: more boots than this is a boot loop.
 *
 * "kernel_cmdline_if_config": { "CONFIG_KFENCE": "kfence.sample_interval=10" }
 * adds an option only where the cell's kernel was built with that config
 * symbol (read from its headers' .config): memory-debugging options differ
 * between Debian's kernel series and flavours.
 *
 * IPC steps (the agent's guest/workload.h says what each does): "fifo",
 * "unix" (stream), "dgram" (a short-lived client per message), "pipe",
 * "socketpair" (no "dir" or "name") and "spawn" (process trees doing FIFO
 * and socket IPC); "count" objects of "messages" each, shared by
 * "concurrency" worker processes, paced to "rate" objects a second, gone
 * through again until "duration" seconds have passed. Each step reports
 * what it made and how far each of the candidate's counters moved. The scenario is turned into a line-based plan the
 * agent follows (cl_scenario_plan), so the agent needs no JSON parser.
 *
 * Multi-boot scenarios (disk images, where the candidate is installed on
 * the image and the OS loads it at every boot):
 *   "on_crash": "reboot"   the guest reboots after a panic, as a fleet machine
 *                          does ("stop", the default, ends the cell at the
 *                          first crash);
 *   "limits": { "loop_boots": K }   K consecutive boots that crash before
 *                          they are ready make a boot loop (default 3);
 *   "boot_workload": [ steps ]   IPC the machine does while it starts, run
 *                          at every boot before multi-user.target (as the
 *                          services of a real machine do): a crash there is
 *                          a crash before ready;
 *   "reboots": N           after the workload the guest reboots N times,
 *                          running the plan again at every boot.
 */
#ifndef CL_SCENARIO_H
#define CL_SCENARIO_H

#include "cl_candidate.h"

#define CL_MAX_STEPS 32
#define CL_MAX_SYSCTL 16
#define CL_MAX_IF_CONFIG 8

enum cl_step_op { CL_STEP_FIFO, CL_STEP_UNIX, CL_STEP_DGRAM, CL_STEP_PIPE, CL_STEP_SOCKETPAIR,
		  CL_STEP_SPAWN, CL_STEP_SLEEP, CL_STEP_UPDATE, CL_STEP_CONSOLE, CL_STEP_FLAKY };
/* The IPC kinds, CL_STEP_FIFO .. CL_STEP_SPAWN, as the agent's plan and the scenario name them. */
#define CL_STEP_IPC_LAST CL_STEP_SPAWN
const char *cl_scenario_ipc_name(enum cl_step_op op);

struct cl_step {
	enum cl_step_op op;
	char dir[96];
	char name[64];   /* holds exactly one %d */
	int count;
	int messages;
	int concurrency; /* worker processes sharing the objects (1..64) */
	int rate;        /* objects a second over the step, 0: unpaced */
	int duration;    /* seconds to keep going round, 0: one round */
	int ms;          /* CL_STEP_SLEEP: milliseconds ("seconds" may have a fraction) */
	long long bytes; /* CL_STEP_CONSOLE: noise written to the guest's console */
	char content[64];/* CL_STEP_UPDATE: the candidate's live-update content, by name */
	int percent;     /* CL_STEP_FLAKY: the chance the step fails, 0..100 */
	long seed;       /* ... drawn from this seed (and the cell's rerun number) */
};

struct cl_scenario {
	char *path;
	char name[64];
	int boot_s, heartbeat_s, step_s, total_s, max_boots;
	char cmdline[256];
	/* "kernel_cmdline_if_config": { "CONFIG_X": "option", ... }: an option
	 * added only on kernels built with CONFIG_X (=y or =m) */
	char if_config[CL_MAX_IF_CONFIG][48];
	char if_option[CL_MAX_IF_CONFIG][64];
	int nif_config;
	int fatal_warnings;  /* kernel.panic_on_warn is set: a WARNING is a crash */
	char *sysctl_name[CL_MAX_SYSCTL];
	char *sysctl_value[CL_MAX_SYSCTL];
	int nsysctl;
	struct cl_step steps[CL_MAX_STEPS];
	int nsteps;
	struct cl_step boot_steps[CL_MAX_STEPS];
	int nboot_steps;
	int on_crash_reboot;  /* "on_crash": "reboot" */
	int loop_boots;       /* K */
	int reboots;
};

enum cl_plan_mode {
	CL_PLAN_ONCE = 0,    /* initramfs: the agent installs and loads the candidate */
	CL_PLAN_PERSISTENT,  /* disk: the OS loaded it at boot; the agent checks it is there */
};

int cl_scenario_load(struct cl_scenario **out, const char *path);
void cl_scenario_free(struct cl_scenario *s);
/*
 * The agent's plan for @cand under @s as a new string: sysctls, install
 * lines (guest staging path -> install path), the module, the status
 * report, then the workload. Staged files are /crashlab/candidate/content-N
 * and /crashlab/candidate/MODULE.ko. CL_PLAN_PERSISTENT: no install or module
 * step but "loaded MODULE" (fails when the OS did not load it), and
 * "reboots N" at the end. CL_PLAN_ONCE with --mutants (cand->mutants): then
 * each mutant (/crashlab/mutants/N) in place of its content, the module
 * loaded again, a little IPC, and the real content back at the end.
 */
char *cl_scenario_plan(const struct cl_scenario *s, const struct cl_candidate *cand,
		       enum cl_plan_mode mode);
/*
 * Steps that name the candidate's content ("update") must name a live-update
 * entry of @cand (one with "update_via"). CL_EINPUT naming the scenario.
 */
int cl_scenario_check(const struct cl_scenario *s, const struct cl_candidate *cand);

/* Where staged content N lives in the guest for @mode (new string). */
char *cl_scenario_staged(enum cl_plan_mode mode, int n);

/* The boot workload as a plan of its own (new string; "" when there is none). */
char *cl_scenario_boot_plan(const struct cl_scenario *s);

#endif
