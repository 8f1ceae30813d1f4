/*
 * cmd_qualify.c - `crashlab qualify` and `crashlab reproduce`: one run, in
 * the order that keeps it honest.
 *
 * Every input is loaded and checked before anything is built; every file
 * the candidate ships is hashed before any of its code runs; the
 * candidate's own pre-flight steps run before any image or VM (a failure
 * ends the run with every cell not_run). Then the images and modules, the
 * libvirt hosts, the cells (the plan's runs handed to the scheduler), the
 * reports, and the signature last, after every candidate command has
 * finished. A signal at any point still leaves a whole report with the
 * unfinished cells not_run. reproduce is the same run with one cell, its
 * console on the terminal, and an epilogue saying where everything is.
 */
#include "cmd.h"
#include "cl_accel.h"
#include "cl_artifacts.h"
#include "cl_attest.h"
#include "cl_builder.h"
#include "cl_dkms.h"
#include "cl_host.h"
#include "cl_module.h"
#include "cl_outcome.h"
#include "cl_plan.h"
#include "cl_preflight_run.h"
#include "cl_pump.h"
#include "cl_run.h"
#include "cl_scratch.h"
#include "cl_arch.h"
#include "cl_util.h"
#include "cl_verdict.h"
#include "cl_volume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct qualify {
	struct cl_plan plan;             /* inputs, owned cells, kernels, runs */
	struct cl_matrix *matrix;        /* owned inputs */
	struct cl_candidate *cand;
	struct cl_artifacts arts;        /* every file the candidate ships, hashed at the start */
	struct cl_scenario *scn;
	struct cl_remediation *remedy;   /* --remediate */
	struct cl_sched_opts sched;      /* jobs (0: --jobs auto), fail_fast */
	const char *sign_key;            /* --sign-key */
	int skip_preflight;              /* --skip-preflight, and reproduce */
	const char *history;             /* the command recorded ("qualify", "reproduce"), NULL: none */
	const char *db;                  /* --db (NULL: the default) */
	const char *baseline;            /* --baseline */
	int reruns;                      /* --reruns */
	struct cl_host *hosts[CL_SCHED_MAX_HOSTS]; /* connected, one per --uri */
	const char *uris[CL_SCHED_MAX_HOSTS];      /* --uri (default CRASHLAB_URI, qemu:///system) */
	int nuris;
};

/* reproduce --vmcore: fetch the kernel's debug vmlinux, record in DIR/vmcore.json
 * how to open the dump, and say it. */
static void vmcore_epilogue(const struct cl_cell_run *r)
{
	char *script = cl_sprintf("%s/images/debug-symbols.sh", cl_data_dir());
	char *vmlinux = cl_sprintf("%s/debug/%s/vmlinux", cl_cache_dir(), r->spec->kernel);
	char *argv[] = { "bash", script, (char *)r->spec->kernel, (char *)cl_cache_dir(), NULL };
	char *meta = cl_sprintf("%s/vmcore.json", r->dir);
	char *cmd = cl_sprintf("crash %s %s/vmcore.kdump", vmlinux, r->dir);
	char *pkg = cl_sprintf("linux-image-%s-dbg", r->spec->kernel), *text;
	int have_symbols = cl_run(argv, NULL, 3600) == 0 && cl_file_exists(vmlinux);
	json_t *info = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "kernel_release",
				 r->spec->kernel, "dump", "vmcore.kdump", "format", "kdump-zlib",
				 "debug_package", pkg, "vmlinux", vmlinux, "crash_command", cmd,
				 "symbols_fetched", have_symbols);

	text = json_dumps(info, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	cl_write_file(meta, text, strlen(text));
	free(text);
	json_decref(info);
	printf("vmcore:  %s/vmcore.kdump (kernel %s)\nopen it: %s\n", r->dir, r->spec->kernel, cmd);
	free(pkg);
	free(script);
	free(vmlinux);
	free(meta);
	free(cmd);
}

/* reproduce: say where everything is and what triage found; with --vmcore, the dump. */
static void reproduce_epilogue(const struct cl_plan *q)
{
	const struct cl_cell_run *r = &q->runs[0];
	json_t *t = cl_triage_json(cl_triage_result(r->sm.tr));
	char *text = json_dumps(t, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);

	printf("triage: %s\n", text);
	free(text);
	json_decref(t);
	printf("console: %s/console.log\nagent:   %s/agent.log\ndomain:  %s/domain.xml\n",
	       r->dir, r->dir, r->dir);
	if (!q->vmcore)
		return;
	if (r->dumped)
		vmcore_epilogue(r);
	else
		printf("vmcore:  none (the guest did not panic)\n");
}

static void print_cells(const struct cl_report *rep)
{
	int i, wid = 2, wk = 6;

	for (i = 0; i < rep->ncells; i++) {
		if ((int)strlen(rep->cells[i].spec->id) > wid)
			wid = (int)strlen(rep->cells[i].spec->id);
		if ((int)strlen(rep->cells[i].spec->kernel) > wk)
			wk = (int)strlen(rep->cells[i].spec->kernel);
	}
	for (i = 0; i < rep->ncells; i++)
		printf("  %-*s  %-*s  %-15s %s\n", wid, rep->cells[i].spec->id, wk,
		       rep->cells[i].spec->kernel, cl_verdict_name(rep->cells[i].verdict),
		       rep->cells[i].title);
}

/* Write the reports and say the verdict; the exit code. */
static int conclude(struct cl_plan *p, struct cl_report *rep)
{
	int rc;

	cl_outcome_cells(rep, p);
	cl_utc_now(rep->finished, sizeof(rep->finished));
	if (cl_outcome_write(rep, p->out)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	} else {
		char *summary = cl_report_summary(rep);

		rc = cl_report_exit_code(rep);
		printf("%s: %s %s on %s: %s; report in %s (exit %d)\n", cl_report_verdict(rep),
		       p->cand->name, p->cand->version, p->matrix->name, summary, p->out, rc);
		free(summary);
		print_cells(rep);
	}
	cl_outcome_cells_free(rep);
	return rc;
}

/* Cells at a time on host @h: --jobs, else what it has for the plan's guests. */
static int host_slots(const struct qualify *q, struct cl_host *h)
{
	long cpus, free_mib;

	if (q->sched.jobs > 0)
		return q->sched.jobs;
	if (cl_host_local(h))
		return cl_sched_jobs_auto(cl_plan_guest_mib(&q->plan));
	cl_host_resources(h, &cpus, &free_mib);
	return cl_sched_slots_for(cpus, free_mib, cl_plan_guest_mib(&q->plan));
}

/* Connect to every --uri (a host that does not answer is left out, said so);
 * give each its slots. 0, or CL_EINFRA when no host answers. */
static int open_hosts(struct qualify *q)
{
	struct cl_sched_opts *o = &q->sched;
	int i;

	o->nhosts = 0;
	for (i = 0; i < q->nuris && !cl_run_interrupted(); i++) {
		struct cl_host *h;

		if (cl_host_open(&h, q->uris[i], 10)) {
			fprintf(stderr, "crashlab: %s; running without it\n", cl_err());
			cl_host_close(h);
			continue;
		}
		if (!cl_host_local(h))
			cl_volume_sweep(cl_host_conn(h)); /* what killed runs left there */
		q->hosts[o->nhosts] = h;
		o->hosts[o->nhosts] = (struct cl_sched_host){
			.host = h, .uri = q->uris[i], .local = cl_host_local(h), /* outlives h */
			.slots = host_slots(q, h) };
		o->nhosts++;
	}
	if (o->nhosts == 0 && !cl_run_interrupted())
		return cl_err_set(CL_EINFRA, "no libvirt host answered");
	return 0;
}

static void close_hosts(struct qualify *q)
{
	for (int i = 0; i < q->sched.nhosts; i++)
		cl_host_close(q->hosts[i]);
	q->sched.nhosts = 0;
	cl_host_loop_stop();
	cl_pump_release_all(); /* no stream callback can run now */
}

/* The run's reports written (and signed with --sign-key); the exit code. */
static int report_run(struct qualify *q, struct cl_report *rep)
{
	int rc;

	rep->accel = !strcmp(q->plan.virt_type, "kvm") ? "kvm" : "tcg";
	rep->shard = q->plan.shard;
	rep->nshards = q->plan.nshards;
	rc = conclude(&q->plan, rep);
	/* recorded before it is signed: the report's "history" is part of what is signed;
	 * a shard is part of a run, recorded whole by merge */
	if (q->history && rc >= 0 && q->plan.nshards <= 1) {
		char *written = cl_path_join(q->plan.out, "report.json");

		if (cl_file_exists(written) &&
		    cmd_history_record(q->plan.out, q->history, q->db, q->baseline))
			rc = 2; /* asked for a baseline, and none could be read */
		free(written);
	}
	return q->sign_key && rc >= 0 ? cl_outcome_sign(q->plan.out, q->sign_key, rc) : rc;
}

/* Each pre-flight step's result, a line each on stderr. */
static void print_preflight(const struct cl_preflight_result *res, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(stderr, "crashlab: pre-flight %s%s%s: %s (%.1f s)%s%.200s\n", res[i].step,
			res[i].content ? " on " : "", res[i].content ? res[i].content : "",
			cl_preflight_status_name(res[i].status), res[i].seconds,
			res[i].detail[0] ? ": " : "", res[i].detail);
}

/*
 * The candidate's pre-flight steps, before any image or VM. 0 to go on;
 * else the exit code of a run whose cells are all not_run, its report
 * written.
 */
static int preflight(struct qualify *q, struct cl_report *rep)
{
	static struct cl_preflight_result res[CL_MAX_PREFLIGHT_RESULTS];
	const struct cl_preflight_result *bad;
	char why[320];

	rep->preflight = res;
	rep->preflight_skipped = q->skip_preflight && q->cand->npreflight > 0;
	if (q->skip_preflight || q->cand->npreflight == 0)
		return 0;
	rep->npreflight = cl_preflight_run(q->cand, q->plan.out, res);
	print_preflight(res, rep->npreflight);
	bad = cl_preflight_first_bad(res, rep->npreflight);
	if (!bad && !cl_run_interrupted())
		return 0;
	if (bad)
		snprintf(why, sizeof(why), "not run: pre-flight %s%s%s %s", bad->step,
			 bad->content ? " on " : "", bad->content ? bad->content : "",
			 bad->status == CL_PF_FAIL ? "failed" : "could not run");
	else
		snprintf(why, sizeof(why), "not run: stopped by a signal");
	q->plan.virt_type = "qemu";
	cl_plan_make_runs(&q->plan);
	for (int i = 0; i < q->plan.ncells; i++)
		cl_cell_skip(&q->plan.runs[i], why);
	return report_run(q, rep);
}

/* "qualifying NAME VERSION on N cells of MATRIX (KVM, J at a time on ...)". */
static void announce(const struct qualify *q)
{
	const struct cl_plan *p = &q->plan;
	char shard_label[40] = "";

	if (p->nshards > 1)
		snprintf(shard_label, sizeof(shard_label), " (shard %d/%d)", p->shard, p->nshards);
	fprintf(stderr, "crashlab: qualifying %s %s on %d cells of %s%s (%s, %d at a time",
		p->cand->name, p->cand->version, p->ncells, p->matrix->name,
		shard_label, !strcmp(p->virt_type, "kvm") ? "KVM" : "TCG", cl_sched_slots(&q->sched));
	for (int i = 0; q->sched.nhosts > 1 && i < q->sched.nhosts; i++)
		fprintf(stderr, "%s%s: %d", i ? ", " : " on ", q->sched.hosts[i].uri,
			q->sched.hosts[i].slots);
	fprintf(stderr, ")\n");
}

/* Did @r fail the candidate (a verdict worth a rerun: not the lab's, not unrun)? */
static int failed(const struct cl_cell_run *r)
{
	return r->dec.verdict != CL_V_PASS && r->dec.verdict != CL_V_INFRA_ERROR &&
	       r->dec.verdict != CL_V_NOT_RUN;
}

/* Rerun @m (of cell @of) counted into @of: its verdict kept in order. */
static void count_rerun(struct cl_cell_run *of, const struct cl_cell_run *m)
{
	size_t used = strlen(of->rerun_verdicts);

	of->reruns++;
	of->reruns_failed += failed(m);
	snprintf(of->rerun_verdicts + used, sizeof(of->rerun_verdicts) - used, "%s%s",
		 used ? " " : "", cl_verdict_name(m->dec.verdict));
}

/*
 * --reruns N: each cell that failed, run N times more (its directory's
 * rerun-K), all of them at once on the hosts, whatever the rings said.
 * The cell keeps its verdict, never turned into a pass: its report says
 * how many of its runs failed ("reproduced"), and the history tells a
 * flaky cell from a real crash by it.
 */
static void rerun_failures(struct qualify *q)
{
	struct cl_plan *p = &q->plan;
	struct cl_sched_opts o = q->sched;
	struct cl_cell_run *more;
	int n = 0, k = 0;

	for (int i = 0; i < p->ncells; i++)
		n += failed(&p->runs[i]);
	if (q->reruns <= 0 || n == 0 || cl_run_interrupted())
		return;
	more = cl_xcalloc((size_t)n * (size_t)q->reruns, sizeof(*more));
	for (int i = 0; i < p->ncells; i++)
		for (int j = 1; failed(&p->runs[i]) && j <= q->reruns; j++)
			cl_plan_rerun(p, i, j, &more[k++]);
	fprintf(stderr, "crashlab: --reruns: %d failed cell%s, %d run%s more\n", n,
		n == 1 ? "" : "s", k, k == 1 ? "" : "s");
	o.fail_fast = 0;
	cl_sched_run(more, k, p->matrix->rings, &o);
	for (int i = 0; i < k; i++) {
		for (int c = 0; c < p->ncells; c++)
			if (p->runs[c].spec == more[i].spec)
				count_rerun(&p->runs[c], &more[i]);
		cl_cell_run_clear(&more[i]);
		free((char *)more[i].dir);
	}
	free(more);
}

/* The cells on the hosts, the hosts closed after; the reports. */
static int run_cells(struct qualify *q, struct cl_report *rep)
{
	struct cl_plan *p = &q->plan;
	int rc;

	if ((rc = open_hosts(q))) {
		close_hosts(q);
		return rc;
	}
	p->virt_type = "qemu";
	for (int i = 0; i < p->nkernels && !cl_run_interrupted(); i++)
		if (cl_arch_of(p->kernels[i].release)->kvm) { /* probed with a kernel that may use it */
			p->virt_type = cl_accel_pick(p->kernels[i].img.vmlinuz,
						     p->kernels[i].img.base_initrd, 1);
			break;
		}
	cl_plan_make_runs(p);
	announce(q);
	if (!cl_run_interrupted() && (rc = cl_sched_check_hosts(p->runs, p->ncells, &q->sched))) {
		close_hosts(q);
		return rc;
	}
	cl_sched_run(p->runs, p->ncells, p->matrix->rings, &q->sched);
	rerun_failures(q);
	close_hosts(q);
	rc = report_run(q, rep);
	if (p->echo_console)
		reproduce_epilogue(p);
	return rc;
}

static int run_qualify(struct qualify *q)
{
	struct cl_plan *p = &q->plan;
	struct cl_report rep = { .cand = q->cand, .matrix = q->matrix, .scn = q->scn,
				 .version = CRASHLAB_VERSION, .agent = cl_agent_path(),
				 .arts = &q->arts };
	int rc;

	rep.uri = q->uris[0];
	if (cl_module_source_digest(rep.module_source_sha256, q->cand))
		rep.module_source_sha256[0] = '\0'; /* unreadable: the build says so per cell */
	cl_utc_now(rep.started, sizeof(rep.started));
	cl_outcome_forget(p->out);
	cl_scratch_sweep(CL_SCRATCH_ROOT); /* what killed runs could not remove */
	/* every shipped file hashed before any of the candidate's code runs */
	if ((rc = cl_plan_check(p)) || (rc = cl_dkms_fetch(q->cand)) ||
	    (rc = cl_artifacts_of(&q->arts, q->cand)) || (rc = preflight(q, &rep)))
		return rc;
	/* stopped while images were built: still a report, every cell not_run */
	if ((rc = cl_plan_prepare_images(p)) && !cl_run_interrupted())
		return rc;
	return run_cells(q, &rep);
}

/*
 * qualify --sign-key: the key is read only when the report is signed, after
 * every candidate command has finished, and no candidate code may reach it
 * meanwhile: that needs the build user (crashlab runs as root) and no vendor
 * package, whose maintainer scripts run as root while its image is built.
 */
static int sign_key_ok(const char *key, const struct cl_candidate *c)
{
	const struct cl_builder *b;
	int rc = cl_attest_key_ok(key);

	if (rc == 0 && cl_builder_get(&b)) /* root, with no user to build as */
		rc = cl_err_set(CL_EINPUT, "--sign-key: %s, away from %s; create the user %s "
				"(scripts/deps.sh does), or sign in a step of its own: crashlab "
				"sign DIR --key KEY", cl_err(), key, CL_BUILDER_USER);
	else if (rc == 0 && !b->separate)
		rc = cl_err_set(CL_EINPUT, "--sign-key: the candidate's code would run as this "
				"user, who can read %s; run as root, or sign in a step of its own: "
				"crashlab sign DIR --key KEY", key);
	for (int i = 0; rc == 0 && i < c->npackages; i++)
		if (c->package_sha256[i][0])
			rc = cl_err_set(CL_EINPUT, "--sign-key: %s's maintainer scripts run as root "
					"while its image is built; sign in a step of its own: crashlab "
					"sign DIR --key KEY", c->packages[i]);
	return rc;
}

/* Load every input; one line naming the file and exit 2 on the first bad one. */
static int load_inputs(struct qualify *q, const struct cmd_qualify_args *a, int reproduce)
{
	struct cl_plan *p = &q->plan;
	int rc;

	if ((rc = reproduce ? cl_matrix_single(&q->matrix, a->kernel, a->image)
			    : cl_matrix_load(&q->matrix, a->matrix)) ||
	    (a->cell && (rc = cl_matrix_keep(q->matrix, a->cell, a->cell_image))) ||
	    (rc = cl_candidate_load(&q->cand, a->candidate)) ||
	    (a->content_file &&
	     (rc = cl_candidate_use_content(q->cand, a->content_name, a->content_file))) ||
	    (rc = cl_candidate_fit_matrix(q->matrix, q->cand)) ||
	    (rc = cl_scenario_load(&q->scn, a->scenario)) ||
	    (rc = cl_scenario_check(q->scn, q->cand)) ||
	    (a->mutants && (rc = cl_candidate_mutate(q->cand, a->out, a->mutants))) ||
	    (a->remedy && (rc = cl_remediation_load(&q->remedy, a->remedy))) ||
	    (a->shard && (rc = cl_plan_parse_shard(a->shard, &p->shard, &p->nshards))) ||
	    (a->sign_key && (rc = sign_key_ok(a->sign_key, q->cand))))
		return rc;
	p->matrix = q->matrix;
	p->cand = q->cand;
	p->scn = q->scn;
	p->remedy = q->remedy;
	p->out = a->out;
	p->vmcore = a->vmcore;
	p->echo_console = reproduce;
	return cl_plan_select(p);
}

/* The run's settings beside its inputs: signing, pre-flight, hosts, scheduling. */
static void settle_options(struct qualify *q, const struct cmd_qualify_args *a, int reproduce)
{
	q->sign_key = a->sign_key;
	q->skip_preflight = a->skip_preflight || reproduce;
	q->history = a->no_history ? NULL : reproduce ? "reproduce" : "qualify";
	q->db = a->db;
	q->baseline = a->baseline;
	q->reruns = a->reruns;
	q->nuris = a->nuris;
	memcpy(q->uris, a->uris, sizeof(q->uris));
	if (!q->nuris)
		q->uris[q->nuris++] = cl_host_default_uri();
	q->sched = (struct cl_sched_opts){ .jobs = a->jobs, .fail_fast = a->fail_fast,
					   .live_table = isatty(STDERR_FILENO) && !reproduce &&
							 !getenv("CI") };
}

static void qualify_clear(struct qualify *q)
{
	cl_plan_clear(&q->plan);
	cl_artifacts_clear(&q->arts);
	cl_matrix_free(q->matrix);
	cl_candidate_free(q->cand);
	cl_scenario_free(q->scn);
	cl_remediation_free(q->remedy);
}

int cmd_qualify(const struct cmd_qualify_args *args, int reproduce)
{
	struct cmd_qualify_args a = *args;
	struct qualify q = { 0 };
	char *default_scn = NULL, *default_out = NULL, *cells_dir;
	int rc;

	if (!a.scenario)
		a.scenario = default_scn = cl_sprintf("%s/scenarios/ipc-basic.json", cl_data_dir());
	if (!a.out)
		a.out = default_out = reproduce ? cl_sprintf("crashlab-out/reproduce-%s", a.kernel)
						: cl_xstrdup("crashlab-out");
	cells_dir = cl_sprintf("%s/cells", a.out);
	if (a.baseline && (a.no_history || a.shard))
		rc = cl_err_set(CL_EINPUT, "--baseline compares a whole run in the history: not with %s",
				a.no_history ? "--no-history" : "--shard (the merged run is recorded)");
	else if (!(rc = load_inputs(&q, &a, reproduce)) && a.baseline)
		rc = cmd_history_check_baseline(a.db, a.baseline, q.cand->name);
	if (rc || (rc = cl_mkdir_p(cells_dir, 0755))) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
		goto out;
	}
	cl_run_catch_signals();
	settle_options(&q, &a, reproduce);
	rc = run_qualify(&q);
	if (rc < 0) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	}
	if (cl_run_interrupted()) {
		fprintf(stderr, "crashlab: stopped by a signal; unfinished cells are not_run\n");
		rc = 2;
	}
out:
	qualify_clear(&q);
	free(cells_dir);
	free(default_scn);
	free(default_out);
	return rc;
}
