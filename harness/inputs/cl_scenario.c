/*
 * cl_scenario.c - scenario parser and agent plan writer (see cl_scenario.h).
 * The plan is the only thing the agent reads, so every value that reaches it
 * is checked here to be a plain token or path without spaces.
 */
#include "cl_scenario.h"
#include "cl_json.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_pattern_ok(const char *n)
{
	const char *pc = strchr(n, '%');
	size_t i;

	if (!pc || pc[1] != 'd' || strchr(pc + 2, '%'))
		return 0;
	for (i = 0; n[i]; i++)
		if (!cl_token_char_ok(n[i]) && n[i] != '%')
			return 0;
	return 1;
}

static const char *const ipc_names[] = { "fifo", "unix", "dgram", "pipe", "socketpair", "spawn" };

const char *cl_scenario_ipc_name(enum cl_step_op op)
{
	return op <= CL_STEP_IPC_LAST ? ipc_names[op] : NULL;
}

/* A step as the scenario writes it, borrowed from the JSON. */
struct step_in {
	const char *op;
	const char *dir, *name;              /* IPC objects */
	long count, messages, concurrency, rate, duration;
	double seconds;                      /* "sleep" */
	const char *content;                 /* "update" */
	long bytes;                          /* "console" */
	long fail_percent, seed;             /* "flaky" */
};

static const struct cl_json_field step_fields[] = {
	CL_JSON_FIELD(struct step_in, op, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct step_in, dir, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct step_in, name, CL_JSON_STRING, 0),
	CL_JSON_RANGE(struct step_in, count, 0, 1, 10000),
	CL_JSON_RANGE(struct step_in, messages, 0, 0, 10000),
	CL_JSON_REAL(struct step_in, seconds, 0, 0, 3600),
	CL_JSON_FIELD(struct step_in, content, CL_JSON_STRING, 0),
	CL_JSON_RANGE(struct step_in, bytes, 0, 1, 1L << 32),
	CL_JSON_RANGE(struct step_in, concurrency, 0, 1, 64),
	CL_JSON_RANGE(struct step_in, rate, 0, 0, 100000),
	CL_JSON_RANGE(struct step_in, duration, 0, 0, 3600),
	CL_JSON_RANGE(struct step_in, fail_percent, 0, 0, 100),
	CL_JSON_RANGE(struct step_in, seed, 0, 0, 1000000000),
	{ 0 }
};

/* An IPC step's objects and pacing; @op is its kind. */
static int parse_ipc(struct cl_step *st, const char *path, const char *what,
		     const struct step_in *in, int op)
{
	int named = op != CL_STEP_PIPE && op != CL_STEP_SOCKETPAIR;
	const char *dir = in->dir ? in->dir : "/tmp/ipc";

	st->op = (enum cl_step_op)op;
	st->count = (int)in->count;
	st->messages = (int)in->messages;
	st->concurrency = (int)in->concurrency;
	st->rate = (int)in->rate;
	st->duration = (int)in->duration;
	if (!named) {
		if (in->name || in->dir)
			return cl_err_set(CL_EINPUT, "%s: %s: %s objects have no \"name\" or \"dir\"",
					  path, what, ipc_names[op]);
		strcpy(st->dir, "-");
		strcpy(st->name, "-");
		return 0;
	}
	if (!in->name || !name_pattern_ok(in->name) || strlen(in->name) >= sizeof(st->name))
		return cl_err_set(CL_EINPUT, "%s: %s: \"name\" must be a plain name with one %%d",
				  path, what);
	if (!cl_token_guest_path(dir) || strlen(dir) >= sizeof(st->dir))
		return cl_err_set(CL_EINPUT, "%s: %s: \"dir\" must be a plain absolute path", path,
				  what);
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	snprintf(st->name, sizeof(st->name), "%s", in->name);
	return 0;
}

static int parse_step(struct cl_step *st, const char *path, json_t *j, const char *list, int idx)
{
	struct step_in in = { .count = 1, .messages = 1, .concurrency = 1, .seconds = 1,
			      .bytes = 1 << 20 };
	char what[32];
	int rc, k;

	snprintf(what, sizeof(what), "%s[%d]", list, idx);
	if ((rc = cl_json_fields(&in, path, what, j, step_fields)))
		return rc;
	if (strcmp(in.op, "console") == 0) {
		/* a guest that floods its console: crashlab must stay bounded */
		st->op = CL_STEP_CONSOLE;
		st->bytes = in.bytes;
		return 0;
	}
	if (strcmp(in.op, "update") == 0) {
		if (!in.content || !cl_token_ok(in.content) || strlen(in.content) >= sizeof(st->content))
			return cl_err_set(CL_EINPUT, "%s: %s: update needs \"content\": the name of a "
					  "live-update content of the candidate", path, what);
		st->op = CL_STEP_UPDATE;
		snprintf(st->content, sizeof(st->content), "%s", in.content);
		return 0;
	}
	if (strcmp(in.op, "flaky") == 0) {
		/* a guest step that fails at random: a flaky guest for --reruns */
		st->op = CL_STEP_FLAKY;
		st->percent = (int)in.fail_percent;
		st->seed = in.seed;
		return 0;
	}
	if (strcmp(in.op, "sleep") == 0) {
		st->op = CL_STEP_SLEEP;
		st->ms = (int)(in.seconds * 1000 + 0.5);
		return 0;
	}
	for (k = 0; k <= CL_STEP_IPC_LAST && strcmp(in.op, ipc_names[k]); k++)
		;
	if (k > CL_STEP_IPC_LAST)
		return cl_err_set(CL_EINPUT, "%s: %s: unknown op \"%s\" (fifo, unix, dgram, pipe, socketpair, spawn, sleep, update, console, flaky)",
				  path, what, in.op);
	return parse_ipc(st, path, what, &in, k);
}

static int parse_sysctl(struct cl_scenario *s, const char *path, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *val = json_is_string(v) ? json_string_value(v) : NULL;

		if (s->nsysctl == CL_MAX_SYSCTL)
			return cl_err_set(CL_EINPUT, "%s: sysctl: at most %d settings", path,
					  CL_MAX_SYSCTL);
		if (!cl_token_ok(key) || !val || !cl_token_ok(val))
			return cl_err_set(CL_EINPUT, "%s: sysctl: \"%s\" must map to a plain string",
					  path, key);
		s->sysctl_name[s->nsysctl] = cl_xstrdup(key);
		s->sysctl_value[s->nsysctl++] = cl_xstrdup(val);
		if (!strcmp(key, "kernel.panic_on_warn"))
			s->fatal_warnings = strcmp(val, "0") != 0;
	}
	return 0;
}

/* "limits", borrowed from the JSON. */
struct limits_in {
	long boot_s, heartbeat_s, step_s, total_s, max_boots, loop_boots;
};

static const struct cl_json_field limits_fields[] = {
	CL_JSON_RANGE(struct limits_in, boot_s, 0, 5, 3600),
	CL_JSON_RANGE(struct limits_in, heartbeat_s, 0, 3, 3600),
	CL_JSON_RANGE(struct limits_in, step_s, 0, 3, 86400),
	CL_JSON_RANGE(struct limits_in, total_s, 0, 10, 86400),
	CL_JSON_RANGE(struct limits_in, max_boots, 0, 1, 100),
	CL_JSON_RANGE(struct limits_in, loop_boots, 0, 1, 20),
	{ 0 }
};

/* "limits": every one optional, each with its default. */
static int parse_limits(struct cl_scenario *s, const char *path, json_t *limits)
{
	struct limits_in in = { .boot_s = 240, .heartbeat_s = 30, .step_s = 120, .total_s = 900,
				.max_boots = 1, .loop_boots = 3 };
	int rc;

	if (limits && (rc = cl_json_fields(&in, path, "limits", limits, limits_fields)))
		return rc;
	s->boot_s = (int)in.boot_s;
	s->heartbeat_s = (int)in.heartbeat_s;
	s->step_s = (int)in.step_s;
	s->total_s = (int)in.total_s;
	s->max_boots = (int)in.max_boots;
	s->loop_boots = (int)in.loop_boots;
	return 0;
}

/* A list of steps ("workload" needs at least one). */
static int parse_steps(struct cl_step *steps, int *n, const char *path, json_t *arr,
		       const char *list, size_t min)
{
	json_t *v;
	size_t i;
	int rc;

	if (json_array_size(arr) < min || json_array_size(arr) > CL_MAX_STEPS)
		return cl_err_set(CL_EINPUT, "%s: \"%s\" must hold %zu to %d steps", path, list, min,
				  CL_MAX_STEPS);
	json_array_foreach(arr, i, v) {
		if ((rc = parse_step(&steps[i], path, v, list, (int)i)))
			return rc;
		(*n)++;
	}
	return 0;
}

/* 1 when @s is made only of what a kernel command line word may hold here (and @space). */
static int cmdline_chars(const char *s, int space)
{
	for (size_t k = 0; s[k]; k++)
		if (!cl_token_char_ok(s[k]) && !strchr(space ? " =," : "=,", s[k]))
			return 0;
	return 1;
}

static int parse_if_config(struct cl_scenario *s, const char *path, json_t *obj)
{
	const char *sym;
	json_t *v;

	json_object_foreach(obj, sym, v) {
		const char *opt = json_is_string(v) ? json_string_value(v) : "";

		if (s->nif_config == CL_MAX_IF_CONFIG)
			return cl_err_set(CL_EINPUT, "%s: kernel_cmdline_if_config: at most %d options",
					  path, CL_MAX_IF_CONFIG);
		if (strncmp(sym, "CONFIG_", 7) || strlen(sym) >= sizeof(s->if_config[0]) ||
		    strspn(sym, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(sym))
			return cl_err_set(CL_EINPUT, "%s: kernel_cmdline_if_config: \"%s\" is not a CONFIG_ symbol",
					  path, sym);
		if (!*opt || !cmdline_chars(opt, 0) || strlen(opt) >= sizeof(s->if_option[0]))
			return cl_err_set(CL_EINPUT, "%s: kernel_cmdline_if_config: %s must map to one option word",
					  path, sym);
		snprintf(s->if_config[s->nif_config], sizeof(s->if_config[0]), "%s", sym);
		snprintf(s->if_option[s->nif_config++], sizeof(s->if_option[0]), "%s", opt);
	}
	return 0;
}

static int check_text(const char *path, const char *name, const char *cmdline)
{
	if (!cl_token_ok(name)) /* a word of the guest's plan and the report */
		return cl_err_set(CL_EINPUT, "%s: name must be a plain name of [A-Za-z0-9._+-]",
				  path);
	if (!cmdline_chars(cmdline, 1))
		return cl_err_set(CL_EINPUT, "%s: kernel_cmdline holds an unsupported character",
				  path);
	if (strlen(cmdline) >= sizeof(((struct cl_scenario *)0)->cmdline) ||
	    strlen(name) >= sizeof(((struct cl_scenario *)0)->name))
		return cl_err_set(CL_EINPUT, "%s: name or kernel_cmdline too long", path);
	return 0;
}

/* A scenario's top level, borrowed from the JSON. */
struct scenario_in {
	const char *name, *description, *kernel_cmdline;
	json_t *kernel_cmdline_if_config, *limits, *sysctl, *workload, *boot_workload;
	const char *on_crash;
	long reboots;
};

static const struct cl_json_field scenario_fields[] = {
	CL_JSON_FIELD(struct scenario_in, name, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct scenario_in, description, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct scenario_in, kernel_cmdline, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct scenario_in, kernel_cmdline_if_config, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct scenario_in, limits, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct scenario_in, sysctl, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct scenario_in, workload, CL_JSON_ARRAY, 1),
	CL_JSON_FIELD(struct scenario_in, boot_workload, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct scenario_in, on_crash, CL_JSON_STRING, 0),
	CL_JSON_RANGE(struct scenario_in, reboots, 0, 0, 20),
	{ 0 }
};

int cl_scenario_load(struct cl_scenario **out, const char *path)
{
	struct scenario_in in = { .name = "scenario", .kernel_cmdline = "", .on_crash = "stop" };
	struct cl_scenario *s = cl_xcalloc(1, sizeof(*s));
	json_t *root = NULL;
	int rc;

	*out = NULL;
	s->path = cl_xstrdup(path);
	if ((rc = cl_json_load(&root, path)) ||
	    (rc = cl_json_fields(&in, path, "scenario", root, scenario_fields)))
		goto out;
	if (strcmp(in.on_crash, "stop") && strcmp(in.on_crash, "reboot")) {
		rc = cl_err_set(CL_EINPUT, "%s: on_crash must be \"stop\" or \"reboot\"", path);
		goto out;
	}
	if ((rc = parse_limits(s, path, in.limits)) ||
	    (rc = check_text(path, in.name, in.kernel_cmdline)) ||
	    (in.sysctl && (rc = parse_sysctl(s, path, in.sysctl))) ||
	    (in.kernel_cmdline_if_config &&
	     (rc = parse_if_config(s, path, in.kernel_cmdline_if_config))) ||
	    (rc = parse_steps(s->steps, &s->nsteps, path, in.workload, "workload", 1)) ||
	    (rc = parse_steps(s->boot_steps, &s->nboot_steps, path, in.boot_workload,
			      "boot_workload", 0)))
		goto out;
	s->on_crash_reboot = !strcmp(in.on_crash, "reboot");
	s->reboots = (int)in.reboots;
	snprintf(s->name, sizeof(s->name), "%s", in.name);
	snprintf(s->cmdline, sizeof(s->cmdline), "%s", in.kernel_cmdline);
	*out = s;
	s = NULL;
out:
	cl_scenario_free(s);
	json_decref(root);
	return rc;
}

void cl_scenario_free(struct cl_scenario *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->nsysctl; i++) {
		free(s->sysctl_name[i]);
		free(s->sysctl_value[i]);
	}
	free(s->path);
	free(s);
}

static int content_index(const struct cl_candidate *cand, const char *name)
{
	int i;

	for (i = 0; cand && i < cand->ncontent; i++)
		if (!strcmp(cand->content[i].name, name))
			return i;
	return -1;
}

int cl_scenario_check(const struct cl_scenario *s, const struct cl_candidate *cand)
{
	int i, k;

	for (i = 0; i < s->nsteps; i++) {
		if (s->steps[i].op != CL_STEP_UPDATE)
			continue;
		k = content_index(cand, s->steps[i].content);
		if (k < 0 || !cand->content[k].update_via)
			return cl_err_set(CL_EINPUT, "%s: workload[%d]: %s has no live-update content "
					  "\"%s\" (a content entry with \"update_via\")", s->path, i,
					  cand->path, s->steps[i].content);
	}
	for (i = 0; i < s->nboot_steps; i++)
		if (s->boot_steps[i].op == CL_STEP_UPDATE)
			return cl_err_set(CL_EINPUT, "%s: boot_workload[%d]: updates belong in the "
					  "workload", s->path, i);
	/* the start says nothing until it ends: past step_s the cell would be a hang */
	if (cand->bpf.start_argv[0] && cand->bpf.start_timeout_s >= s->step_s)
		return cl_err_set(CL_EINPUT, "%s: bpf.start's timeout_s (%d) must be below %s's "
				  "step_s (%d)", cand->path, cand->bpf.start_timeout_s, s->path,
				  s->step_s);
	return 0;
}

char *cl_scenario_staged(enum cl_plan_mode mode, int n)
{
	return mode == CL_PLAN_PERSISTENT ? cl_sprintf("/var/lib/crashlab/stage/content-%d", n)
					  : cl_sprintf("/crashlab/candidate/content-%d", n);
}

/* Scenario steps: labelled @label and their index, so the agent's report names them. */
static void steps_plan(char **buf, size_t *len, const struct cl_step *steps, int n,
		       const struct cl_candidate *cand, enum cl_plan_mode mode, char label)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct cl_step *st = &steps[i];

		if (st->op == CL_STEP_UPDATE) {
			int k = content_index(cand, st->content);
			char *staged;

			if (k < 0 || !cand->content[k].update_via)
				continue; /* refused by cl_scenario_check before any plan is made */
			staged = cl_scenario_staged(mode, k);
			cl_append(buf, len, "update %d %s %s %s\n", k, staged,
				  cand->content[k].install_path, cand->content[k].update_via);
			free(staged);
		} else if (st->op == CL_STEP_SLEEP)
			cl_append(buf, len, "sleep %d.%03d\n", st->ms / 1000, st->ms % 1000);
		else if (st->op == CL_STEP_CONSOLE)
			cl_append(buf, len, "console %lld\n", st->bytes);
		else if (st->op == CL_STEP_FLAKY)
			cl_append(buf, len, "flaky %d %ld\n", st->percent, st->seed);
		else
			cl_append(buf, len, "%s %s %s %d %d %d %d %d %c%d\n", ipc_names[st->op], st->dir,
				  st->name, st->count, st->messages, st->concurrency, st->rate,
				  st->duration, label, i);
	}
}

/* A little of the workload's IPC: each FIFO and socket step, two objects, one message. */
static void taste_of_workload(char **buf, size_t *len, const struct cl_scenario *s)
{
	for (int i = 0; i < s->nsteps; i++) {
		const struct cl_step *st = &s->steps[i];

		if (st->op <= CL_STEP_IPC_LAST)
			cl_append(buf, len, "%s %s %s %d 1\n", ipc_names[st->op], st->dir, st->name,
				  st->count < 2 ? st->count : 2);
	}
}

/* One FIFO or socket per event that exercises an instance of the content (cl_coverage.h). */
static void coverage_plan(char **buf, size_t *len, const struct cl_candidate *c)
{
	for (int i = 0; i < c->coverage.n; i++) {
		const struct cl_cov_event *e = &c->coverage.ev[i];

		cl_append(buf, len, "%s %s %s 1 1\n", e->unix_socket ? "unix" : "fifo", e->dir, e->name);
	}
}

/* A guest command as one plan line, "WORD TIMEOUT ARGV...", each word
 * %XX-encoded so it is one plan token. Nothing when @argv is empty. */
static void command_plan(char **buf, size_t *len, const char *word, char *const *argv,
			 int timeout_s)
{
	if (!argv[0])
		return;
	cl_append(buf, len, "%s %d", word, timeout_s);
	for (int i = 0; argv[i]; i++) {
		cl_append(buf, len, " ");
		for (const unsigned char *p = (const unsigned char *)argv[i]; *p; p++)
			if (cl_token_char_ok((char)*p) || *p == '/' || *p == '=' || *p == ',' || *p == ':')
				cl_append(buf, len, "%c", *p);
			else
				cl_append(buf, len, "%%%02X", *p);
	}
	cl_append(buf, len, "\n");
}

/*
 * How the agent installs and starts the candidate in a guest with no OS of
 * its own: content at its paths, a BPF candidate's files and its start
 * command, the module.
 */
static void install_plan(char **buf, size_t *len, const struct cl_candidate *cand)
{
	int i;

	for (i = 0; i < cand->ncontent; i++)
		if (!cand->content[i].update_via)
			cl_append(buf, len, "install /crashlab/candidate/content-%d %s\n", i,
				  cand->content[i].install_path);
	if (cand->bpf.start_argv[0]) {
		for (i = 0; i < cand->nfiles; i++)
			cl_append(buf, len, "install /crashlab/candidate/file-%d %s %04o\n", i,
				  cand->files[i].path, (unsigned)cand->files[i].mode);
		command_plan(buf, len, "start", cand->bpf.start_argv, cand->bpf.start_timeout_s);
	}
	if (!cand->module_name)
		return;
	if (cand->module_args[0])
		cl_append(buf, len, "module /crashlab/candidate/%s.ko %s\n", cand->module_name,
			  cand->module_args);
	else
		cl_append(buf, len, "module /crashlab/candidate/%s.ko\n", cand->module_name);
}

/*
 * After the workload, each mutant in turn installed like the real content
 * (in its place, the module loaded again) with a little IPC while it is
 * loaded; then the real content back, with IPC again, so the final status
 * is the real content's.
 */
static void mutants_plan(char **buf, size_t *len, const struct cl_scenario *s,
			 const struct cl_candidate *c)
{
	char *load = cl_sprintf("%s /crashlab/candidate/%s.ko%s%s", c->module_name, c->module_name,
				c->module_args[0] ? " " : "", c->module_args);
	int i, k, used[CL_MAX_CONTENT] = { 0 };

	for (i = 0; i < c->nmutants; i++) {
		const struct cl_mutant_file *m = &c->mutants[i];

		cl_append(buf, len, "mutant %s /crashlab/mutants/%d %s %s\n", m->name, i,
			  c->content[m->content].install_path, load);
		taste_of_workload(buf, len, s);
		cl_append(buf, len, "survived %s\n", m->name);
		used[m->content] = 1;
	}
	for (k = 0; k < c->ncontent; k++)
		if (used[k])
			cl_append(buf, len, "restore /crashlab/candidate/content-%d %s %s\n", k,
				  c->content[k].install_path, load);
	taste_of_workload(buf, len, s);
	coverage_plan(buf, len, c);
	free(load);
}

char *cl_scenario_plan(const struct cl_scenario *s, const struct cl_candidate *cand,
		       enum cl_plan_mode mode)
{
	char *buf = NULL;
	size_t len = 0;
	int i;

	cl_append(&buf, &len, "# crashlab agent plan: scenario %s, candidate %s %s\n", s->name,
		  cand->name, cand->version);
	for (i = 0; i < s->nsysctl; i++)
		cl_append(&buf, &len, "sysctl %s %s\n", s->sysctl_name[i], s->sysctl_value[i]);
	if (cand->bpf.present) /* run_cnt and run_time_ns count only while this is on */
		cl_append(&buf, &len, "sysctl kernel.bpf_stats_enabled 1\n");
	if (mode == CL_PLAN_PERSISTENT) {
		for (i = 0; i < cand->nmods; i++)
			cl_append(&buf, &len, "loaded %s\n", cand->mods[i]);
		/* its units load its programs at boot: each loaded before the workload */
		if (cand->bpf.nprogs)
			cl_append(&buf, &len, "programs 60");
		for (i = 0; i < cand->bpf.nprogs; i++)
			cl_append(&buf, &len, " %s", cand->bpf.progs[i].name);
		if (cand->bpf.nprogs)
			cl_append(&buf, &len, "\n");
	} else {
		install_plan(&buf, &len, cand);
	}
	if (cand->status_file)
		cl_append(&buf, &len, "status %s\n", cand->status_file);
	if (cand->ncounters > 0) {
		cl_append(&buf, &len, "counters");
		for (i = 0; i < cand->ncounters && i < CL_MAX_SEEN; i++)
			cl_append(&buf, &len, " %s", cand->counters[i]);
		cl_append(&buf, &len, "\n");
	}
	if (cand->bpf.present) /* what ran before the workload does not count as running in it */
		cl_append(&buf, &len, "bpf\n");
	steps_plan(&buf, &len, s->steps, s->nsteps, cand, mode, 'w');
	coverage_plan(&buf, &len, cand);
	if (cand->bpf.present) /* what the kernel has loaded, once the workload ran it */
		cl_append(&buf, &len, "bpf\n");
	command_plan(&buf, &len, "evidence", cand->evidence_argv, cand->evidence_timeout_s);
	if (mode == CL_PLAN_ONCE && cand->nmutants)
		mutants_plan(&buf, &len, s, cand);
	if (mode == CL_PLAN_PERSISTENT && s->reboots > 0)
		cl_append(&buf, &len, "reboots %d\n", s->reboots);
	return buf;
}

char *cl_scenario_boot_plan(const struct cl_scenario *s)
{
	char *buf = cl_xstrdup("");
	size_t len = 0;

	steps_plan(&buf, &len, s->boot_steps, s->nboot_steps, NULL, CL_PLAN_PERSISTENT, 'b');
	return buf;
}
