/*
 * crashlab - kernel-crash test lab and release qualification harness.
 *
 * The command line: `qualify` boots the matrix and decides whether the
 * candidate may ship; `triage` classifies a console log; `images` builds the
 * matrix's images ahead of time. Exit codes are the contract with CI:
 * 0 every cell passed, 1 some cell failed, 2 bad input or infrastructure
 * error.
 */
#include "cl_accel.h"
#include "cl_artifacts.h"
#include "cl_attest.h"
#include "cl_builder.h"
#include "cl_candidate.h"
#include "cl_cell.h"
#include "cl_dkms.h"
#include "cl_gate.h"
#include "cl_html.h"
#include "cl_image.h"
#include "cl_kind.h"
#include "cl_plan.h"
#include "cl_preflight_run.h"
#include "cl_sched.h"
#include "cl_matrix.h"
#include "cl_merge.h"
#include "cl_remediate.h"
#include "cl_report.h"
#include "cl_scenario.h"
#include "cl_scratch.h"
#include "cl_stream.h"
#include "cl_summary.h"
#include "cl_triage.h"
#include "cl_util.h"
#include "cl_virt.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRASHLAB_VERSION "0.1.0"

static const char usage_text[] =
	"usage: crashlab COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  qualify --matrix FILE --candidate FILE [--scenario FILE] [--out DIR] [--jobs N|auto]\n"
	"          [--vmcore] [--remediate FILE] [--shard K/N] [--fail-fast] [--sign-key KEY]\n"
	"          [--uri URI]... [--mutants N|all] [--skip-preflight]\n"
	"          boot every cell of the matrix, install the candidate, run the scenario,\n"
	"          write DIR/report.json, junit.xml, summary.md and report.html;\n"
	"          --remediate applies a vendor's remediation offline to disk cells that\n"
	"          boot-loop and boots them again;\n"
	"          --shard runs cells K, K+N, ... of the matrix (merge the shards after);\n"
	"          --fail-fast stops after a ring with a failing cell (the rest not_run);\n"
	"          --uri: a libvirt host, once per host (qemu:///system, qemu+ssh://,\n"
	"          qemu+tcp://, qemu+tls://); cells are spread by each host's capacity\n"
	"          (--jobs: per host), a lost host's cells go to the others;\n"
	"          --remediate and --vmcore need a local host (qemu:///...);\n"
	"          --sign-key KEY writes DIR/attestation.json: the report as an in-toto\n"
	"          statement about the candidate's artifacts, in a DSSE envelope (Ed25519)\n"
	"          --mutants: after the workload, each cell installs the first N malformed\n"
	"          variants of the candidate's content (written to DIR/mutants/: empty,\n"
	"          zeros, a field past the inputs, counts at their maximum, truncations,\n"
	"          bit flips, random bytes; the same every run) as it installs the real\n"
	"          content; each must be refused or survived (initramfs, snapshot cells)\n"
	"          before any VM, the candidate's \"preflight\" steps run on the host (its\n"
	"          validator, a bounded fuzz run of its parser); one that fails ends the run\n"
	"          (cells not_run, exit 1); --skip-preflight says in the report it was skipped\n"
	"  keygen --out PREFIX   an Ed25519 key pair: PREFIX.key (0600) and PREFIX.pub\n"
	"  gate --attestation FILE --pubkey FILE --candidate FILE --matrix FILE [--scenario FILE]\n"
	"          [--modules DIR] [--max-age 24h]\n"
	"          exit 0 only when the signature verifies, the verdict is pass, the pre-flight\n"
	"          was not skipped, every file the candidate ships hashes now as it did when\n"
	"          qualified (and --modules DIR/RELEASE/NAME.ko as built), every cell of the\n"
	"          required matrix was qualified as it defines it and passed, the scenario is\n"
	"          the one that ran and the statement is younger than --max-age (default 24h)\n"
	"          and not from the future; else exit 1 with the reason (2: bad input)\n"
	"  sign DIR --key KEY   sign DIR/report.json into DIR/attestation.json, a step of its own\n"
	"  reproduce --kernel RELEASE --candidate FILE [--image initramfs|snapshot|disk] [--scenario FILE]\n"
	"          [--out DIR] [--vmcore] [--mutants N|all]\n"
	"          one cell, console streamed to the terminal, every artifact kept (the\n"
	"          disk overlay too), the candidate's pre-flight skipped;\n"
	"          --vmcore keeps a kdump-compressed memory dump of a crash\n"
	"  triage [FILE|-]...   classify kernel console logs, print JSON (one line per file)\n"
	"  images --matrix FILE   build the matrix's kernel images ahead of time\n"
	"  matrix list --matrix FILE   the cells, in run order: kernel, flavour, image, ring\n"
	"  merge DIR... --out DIR [--sign-key KEY]   one report from the shard outputs of a\n"
	"          run; exit 2 when a shard is missing, empty or from another candidate, or the\n"
	"          cells do not cover the matrix once; --sign-key needs every shard signed\n"
	"  html REPORT.json OUT.html   the report page for a report.json\n"
	"  version\n"
	"\n"
	"exit codes: 0 every cell passed, 1 some cell failed (crash, hang, boot loop,\n"
	"install or workload failure), 2 bad input, infrastructure error or stopped\n"
	"(SIGINT, SIGTERM, SIGHUP: unfinished cells not_run)\n"
	"\n"
	"environment: CRASHLAB_CACHE (image cache, default ROOT/.cache),\n"
	"  CRASHLAB_ACCEL=kvm|tcg (skip the KVM trial), CRASHLAB_URI (default qemu:///system),\n"
	"  CRASHLAB_CMD_TIMEOUT=SECONDS (lower every external command's time limit),\n"
	"  CRASHLAB_CONSOLE_MAX=BYTES (cap of each saved console.log, default 64 MiB)\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "crashlab: %s\n%s", msg, usage_text);
	return 2;
}

/* ---- qualify ---------------------------------------------------------- */

static json_t *triage_json(const struct cl_triage_result *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "crashed", json_boolean(r->crashed));
	json_object_set_new(j, "class", json_string(cl_class_name(r->cls)));
	json_object_set_new(j, "title", r->crashed ? json_string(r->title) : json_null());
	json_object_set_new(j, "frame", r->frame[0] ? json_string(r->frame) : json_null());
	json_object_set_new(j, "module", r->module[0] ? json_string(r->module) : json_null());
	json_object_set_new(j, "corrupted", json_boolean(r->corrupted));
	return j;
}


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
	struct cl_host *hosts[CL_SCHED_MAX_HOSTS]; /* connected, one per --uri */
	const char *uris[CL_SCHED_MAX_HOSTS];      /* --uri (default CRASHLAB_URI, qemu:///system) */
	int nuris;
};

static void on_signal(int sig)
{
	(void)sig;
	cl_interrupt();
}

/* Ctrl-C, SIGTERM and SIGHUP all stop the run the same way: cells end not_run. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * reproduce: say where everything is and what triage found; with --vmcore,
 * fetch the kernel's debug vmlinux and record how to open the dump.
 */
static void reproduce_epilogue(const struct cl_plan *q)
{
	const struct cl_cell_run *r = &q->runs[0];
	json_t *t = triage_json(cl_triage_result(r->sm.tr)), *info;
	char *text = json_dumps(t, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);

	printf("triage: %s\n", text);
	free(text);
	json_decref(t);
	printf("console: %s/console.log\nagent:   %s/agent.log\ndomain:  %s/domain.xml\n",
	       r->dir, r->dir, r->dir);
	if (!q->vmcore)
		return;
	if (!r->dumped) {
		printf("vmcore:  none (the guest did not panic)\n");
		return;
	}
	{
		char *script = cl_sprintf("%s/images/debug-symbols.sh", cl_project_root());
		char *vmlinux = cl_sprintf("%s/debug/%s/vmlinux", cl_cache_dir(), r->spec->kernel);
		char *argv[] = { "bash", script, (char *)r->spec->kernel, (char *)cl_cache_dir(), NULL };
		char *meta = cl_sprintf("%s/vmcore.json", r->dir);
		char *cmd = cl_sprintf("crash %s %s/vmcore.kdump", vmlinux, r->dir);
		char *pkg = cl_sprintf("linux-image-%s-dbg", r->spec->kernel);
		int have_symbols = cl_run(argv, NULL, 3600) == 0 && cl_file_exists(vmlinux);

		info = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "kernel_release",
				 r->spec->kernel, "dump", "vmcore.kdump", "format", "kdump-zlib",
				 "debug_package", pkg, "vmlinux", vmlinux, "crash_command", cmd,
				 "symbols_fetched", have_symbols);
		free(pkg);
		text = json_dumps(info, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		cl_write_file(meta, text, strlen(text));
		free(text);
		json_decref(info);
		printf("vmcore:  %s/vmcore.kdump (kernel %s)\nopen it: %s\n", r->dir, r->spec->kernel,
		       cmd);
		free(script);
		free(vmlinux);
		free(meta);
		free(cmd);
	}
}

/* Neither report of @out: one that cannot be this run's whole result must not stay. */
static void forget_reports(const char *out)
{
	static const char *const names[] = { "report.json", "junit.xml", "summary.md",
					      "report.html", "attestation.json" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = cl_path_join(out, names[i]);

		unlink(p);
		free(p);
	}
}

/*
 * summary.md and report.html from the report just written (either missing
 * leaves the report standing).
 */
static void write_pages(const char *out)
{
	char *json = cl_path_join(out, "report.json"), *md = cl_path_join(out, "summary.md");
	char *html = cl_path_join(out, "report.html");

	if (cl_summary_write(json, md) || cl_html_write(json, html))
		fprintf(stderr, "crashlab: cannot write the pages in %s: %s\n", out, cl_err());
	free(json);
	free(md);
	free(html);
}

/*
 * junit.xml, then report.json last: each is written whole or not at all, and
 * when either cannot be written (full disk) neither is left behind to be
 * taken for this run's result.
 */
static int write_reports(const struct cl_report *rep, const char *out)
{
	char *junit = cl_sprintf("%s/junit.xml", out), *json = cl_sprintf("%s/report.json", out);
	int rc = cl_report_write_junit(rep, junit);

	if (rc == 0)
		rc = cl_report_write_json(rep, json);
	if (rc)
		forget_reports(out);
	else
		write_pages(out);
	free(junit);
	free(json);
	return rc;
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
	int rc, i;

	cl_plan_report_cells(p, rep);
	cl_utc_now(rep->finished, sizeof(rep->finished));
	if (write_reports(rep, p->out)) {
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
	for (i = 0; i < rep->ncells; i++) {
		free(rep->cells[i].console);
		free(rep->cells[i].module_list);
		free(rep->cells[i].excerpt);
	}
	free(rep->cells);
	return rc;
}

/* --sign-key: DIR/attestation.json over the report just written; @rc stays the run's. */
static int sign_report(const char *out, const char *key, int rc)
{
	char *json = cl_sprintf("%s/report.json", out), *att = cl_sprintf("%s/attestation.json", out);

	unlink(att);
	if (cl_file_exists(json) && cl_attest_write(json, key, att) == 0) {
		fprintf(stderr, "crashlab: signed statement in %s\n", att);
	} else {
		fprintf(stderr, "crashlab: cannot sign the report: %s\n", cl_err());
		rc = 2;
	}
	free(json);
	free(att);
	return rc;
}

/* Cells at a time on host @h: --jobs, else what it has for the plan's guests. */
static int host_slots(const struct qualify *q, struct cl_host *h)
{
	long cpus, free_mib;

	if (q->sched.jobs > 0)
		return q->sched.jobs;
	if (cl_host_local(h))
		return cl_sched_jobs_auto(&q->plan);
	cl_host_resources(h, &cpus, &free_mib);
	return cl_sched_slots_for(cpus, free_mib, cl_sched_guest_mib(&q->plan));
}

/* Connect to every --uri (a host that does not answer is left out, said so);
 * give each its slots. 0, or CL_EINFRA when no host answers. */
static int open_hosts(struct qualify *q)
{
	struct cl_sched_opts *o = &q->sched;
	int i;

	o->nhosts = 0;
	for (i = 0; i < q->nuris && !cl_interrupted(); i++) {
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
	if (o->nhosts == 0 && !cl_interrupted())
		return cl_err_set(CL_EINFRA, "no libvirt host answered");
	return 0;
}

static void close_hosts(struct qualify *q)
{
	for (int i = 0; i < q->sched.nhosts; i++)
		cl_host_close(q->hosts[i]);
	q->sched.nhosts = 0;
	cl_virt_stop();
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
	return q->sign_key && rc >= 0 ? sign_report(q->plan.out, q->sign_key, rc) : rc;
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
	int i;

	rep->preflight = res;
	rep->preflight_skipped = q->skip_preflight && q->cand->npreflight > 0;
	if (q->skip_preflight || q->cand->npreflight == 0)
		return 0;
	rep->npreflight = cl_preflight_run(q->cand, q->plan.out, res);
	for (i = 0; i < rep->npreflight; i++)
		fprintf(stderr, "crashlab: pre-flight %s%s%s: %s (%.1f s)%s%.200s\n", res[i].step,
			res[i].content ? " on " : "", res[i].content ? res[i].content : "",
			cl_preflight_status_name(res[i].status), res[i].seconds,
			res[i].detail[0] ? ": " : "", res[i].detail);
	bad = cl_preflight_first_bad(res, rep->npreflight);
	if (!bad && !cl_interrupted())
		return 0;
	if (bad)
		snprintf(why, sizeof(why), "not run: pre-flight %s%s%s %s", bad->step,
			 bad->content ? " on " : "", bad->content ? bad->content : "",
			 bad->status == CL_PF_FAIL ? "failed" : "could not run");
	else
		snprintf(why, sizeof(why), "not run: stopped by a signal");
	q->plan.virt_type = "qemu";
	cl_plan_make_runs(&q->plan);
	for (i = 0; i < q->plan.ncells; i++)
		cl_cell_skip(&q->plan.runs[i], why);
	return report_run(q, rep);
}

static int run_qualify(struct qualify *q)
{
	struct cl_plan *p = &q->plan;
	char agent[4096];
	struct cl_report rep = { .cand = q->cand, .matrix = q->matrix, .scn = q->scn,
				 .version = CRASHLAB_VERSION, .agent = agent, .arts = &q->arts };
	char shard_label[40] = "";
	int rc;

	snprintf(agent, sizeof(agent), "%s/build/guest/crashlab-agent", cl_project_root());
	rep.uri = q->uris[0];
	if (cl_module_source_digest(rep.module_source_sha256, q->cand))
		rep.module_source_sha256[0] = '\0'; /* unreadable: the build says so per cell */
	cl_utc_now(rep.started, sizeof(rep.started));
	forget_reports(p->out);
	cl_scratch_sweep(CL_SCRATCH_ROOT); /* what killed runs could not remove */
	/* every shipped file hashed before any of the candidate's code runs */
	if ((rc = cl_plan_check(p)) || (rc = cl_dkms_fetch(q->cand)) ||
	    (rc = cl_artifacts_of(&q->arts, q->cand)) || (rc = preflight(q, &rep)))
		return rc;
	/* stopped while images were built: still a report, every cell not_run */
	if ((rc = cl_plan_prepare_images(p)) && !cl_interrupted())
		return rc;
	if ((rc = open_hosts(q))) {
		close_hosts(q);
		return rc;
	}
	p->virt_type = cl_interrupted() ? "qemu" : cl_accel_pick(p->kernels[0].img.vmlinuz, p->kernels[0].img.base_initrd, 1);
	cl_plan_make_runs(p);
	if (p->nshards > 1)
		snprintf(shard_label, sizeof(shard_label), " (shard %d/%d)", p->shard, p->nshards);
	fprintf(stderr, "crashlab: qualifying %s %s on %d cells of %s%s (%s, %d at a time",
		p->cand->name, p->cand->version, p->ncells, p->matrix->name,
		shard_label, !strcmp(p->virt_type, "kvm") ? "KVM" : "TCG", cl_sched_slots(&q->sched));
	for (int i = 0; q->sched.nhosts > 1 && i < q->sched.nhosts; i++)
		fprintf(stderr, "%s%s: %d", i ? ", " : " on ", q->sched.hosts[i].uri,
			q->sched.hosts[i].slots);
	fprintf(stderr, ")\n");
	if (!cl_interrupted() && (rc = cl_sched_check_hosts(p, &q->sched))) {
		close_hosts(q);
		return rc;
	}
	cl_sched_run(p, &q->sched);
	close_hosts(q);
	rc = report_run(q, &rep);
	if (p->echo_console)
		reproduce_epilogue(p);
	return rc;
}

/* What the qualify and reproduce command lines say. */
struct qualify_args {
	const char *matrix, *candidate, *scenario, *out, *kernel, *remedy, *image, *shard, *sign_key;
	int jobs, vmcore, fail_fast, mutants, skip_preflight;
	const char *uris[CL_SCHED_MAX_HOSTS];
	int nuris;
};

static int parse_qualify_args(struct qualify_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "matrix", required_argument, NULL, 'm' },
		{ "candidate", required_argument, NULL, 'c' },
		{ "scenario", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "image", required_argument, NULL, 'i' },
		{ "vmcore", no_argument, NULL, 'v' },
		{ "remediate", required_argument, NULL, 'r' },
		{ "shard", required_argument, NULL, 'S' },
		{ "fail-fast", no_argument, NULL, 'f' },
		{ "sign-key", required_argument, NULL, 'K' },
		{ "uri", required_argument, NULL, 'u' },
		{ "mutants", required_argument, NULL, 'M' },
		{ "skip-preflight", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->image = "initramfs";
	while ((c = getopt_long(argc, argv, "m:c:s:o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': a->matrix = optarg; break;
		case 'c': a->candidate = optarg; break;
		case 's': a->scenario = optarg; break;
		case 'o': a->out = optarg; break;
		case 'j':
			a->jobs = strcmp(optarg, "auto") ? atoi(optarg) : 0;
			if (strcmp(optarg, "auto") && (a->jobs < 1 || a->jobs > 64))
				return usage_error("--jobs takes a number from 1 to 64, or auto");
			break;
		case 'k': a->kernel = optarg; break;
		case 'i': a->image = optarg; break;
		case 'v': a->vmcore = 1; break;
		case 'r': a->remedy = optarg; break;
		case 'S': a->shard = optarg; break;
		case 'f': a->fail_fast = 1; break;
		case 'P': a->skip_preflight = 1; break;
		case 'K': a->sign_key = optarg; break;
		case 'M':
			a->mutants = strcmp(optarg, "all") ? atoi(optarg) : CL_MAX_MUTANT_FILES;
			if (a->mutants < 1 || a->mutants > CL_MAX_MUTANT_FILES)
				return usage_error("--mutants takes a number from 1 to 64, or all");
			break;
		case 'u':
			if (a->nuris == CL_SCHED_MAX_HOSTS)
				return usage_error("--uri: at most 16 hosts");
			a->uris[a->nuris++] = optarg;
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return usage_error("bad option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	return -1;
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

	if (rc == 0 && (cl_builder_get(&b) || !b->separate))
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
static int load_inputs(struct qualify *q, const struct qualify_args *a, int reproduce)
{
	struct cl_plan *p = &q->plan;
	int rc;

	if ((rc = reproduce ? cl_matrix_single(&q->matrix, a->kernel, a->image)
			    : cl_matrix_load(&q->matrix, a->matrix)) ||
	    (rc = cl_candidate_load(&q->cand, a->candidate)) ||
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

static int cmd_qualify(int argc, char **argv)
{
	const int reproduce = !strcmp(argv[0], "reproduce");
	struct qualify_args a = { 0 };
	struct qualify q = { 0 };
	char *default_scn = NULL, *default_out = NULL, *cells_dir;
	int rc = parse_qualify_args(&a, argc, argv);

	if (rc >= 0)
		return rc;
	if (reproduce ? (!a.kernel || !a.candidate || a.matrix) : (!a.matrix || !a.candidate || a.kernel))
		return usage_error(reproduce ? "reproduce needs --kernel and --candidate"
					     : "qualify needs --matrix and --candidate");
	if (!a.scenario)
		a.scenario = default_scn = cl_sprintf("%s/scenarios/ipc-basic.json", cl_project_root());
	if (!a.out)
		a.out = default_out = reproduce ? cl_sprintf("crashlab-out/reproduce-%s", a.kernel)
						: cl_xstrdup("crashlab-out");
	cells_dir = cl_sprintf("%s/cells", a.out);
	if ((rc = load_inputs(&q, &a, reproduce)) || (rc = cl_mkdir_p(cells_dir, 0755))) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
		goto out;
	}
	catch_signals();
	q.sign_key = a.sign_key;
	q.skip_preflight = a.skip_preflight || reproduce;
	q.nuris = a.nuris;
	memcpy(q.uris, a.uris, sizeof(q.uris));
	if (!q.nuris)
		q.uris[q.nuris++] = getenv("CRASHLAB_URI") ? getenv("CRASHLAB_URI") : "qemu:///system";
	q.sched = (struct cl_sched_opts){ .jobs = a.jobs, .fail_fast = a.fail_fast,
					  .live_table = isatty(STDERR_FILENO) && !reproduce &&
							!getenv("CI") };
	rc = run_qualify(&q);
	if (rc < 0) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	}
	if (cl_interrupted()) {
		fprintf(stderr, "crashlab: stopped by a signal; unfinished cells are not_run\n");
		rc = 2;
	}
out:
	cl_plan_clear(&q.plan);
	cl_artifacts_clear(&q.arts);
	cl_matrix_free(q.matrix);
	cl_candidate_free(q.cand);
	cl_scenario_free(q.scn);
	cl_remediation_free(q.remedy);
	free(cells_dir);
	free(default_scn);
	free(default_out);
	return rc;
}

/* ---- keygen, gate ------------------------------------------------------ */

static int cmd_keygen(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--out"))
		return usage_error("usage: crashlab keygen --out PREFIX");
	if (cl_keygen(argv[2])) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		return 2;
	}
	printf("%s.key (private, 0600)\n%s.pub\n", argv[2], argv[2]);
	return 0;
}

static const char gate_usage[] =
	"usage: crashlab gate --attestation FILE --pubkey FILE --candidate FILE --matrix FILE\n"
	"                     [--scenario FILE] [--modules DIR] [--max-age AGE]";

/* One "--name value" of the gate's command line into @in; 0, or -1 when unknown. */
static int gate_option(struct cl_gate_input *in, const char *k, const char *v)
{
	const struct { const char *name; const char **to; } paths[] = {
		{ "--attestation", &in->attestation }, { "--pubkey", &in->pubkey },
		{ "--candidate", &in->candidate },     { "--matrix", &in->matrix },
		{ "--scenario", &in->scenario },       { "--modules", &in->modules },
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!strcmp(k, paths[i].name)) {
			*paths[i].to = v;
			return 0;
		}
	if (!strcmp(k, "--max-age") && (in->max_age_s = cl_gate_parse_age(v)) > 0)
		return 0;
	return -1;
}

static int cmd_gate(int argc, char **argv)
{
	struct cl_gate_input in = { .max_age_s = CL_GATE_DEFAULT_MAX_AGE_S };
	char *default_scn = cl_sprintf("%s/scenarios/ipc-basic.json", cl_project_root());
	int i, rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("%s\n", gate_usage);
		free(default_scn);
		return 0;
	}
	for (i = 1; i + 1 < argc && gate_option(&in, argv[i], argv[i + 1]) == 0; i += 2)
		;
	if (i != argc || !in.attestation || !in.pubkey || !in.candidate || !in.matrix) {
		fprintf(stderr, "crashlab: %s\n%s\n", i != argc ? "gate: bad option, or a --max-age "
			"that is not a positive 24h, 90m, 3600s or 2d" : "gate needs --attestation, "
			"--pubkey, --candidate and the release's required --matrix", gate_usage);
		free(default_scn);
		return 2;
	}
	if (!in.scenario)
		in.scenario = default_scn;
	rc = cl_gate(&in);
	if (rc == 0)
		printf("gate: pass: %s is qualified by %s\n", in.candidate, in.attestation);
	else
		fprintf(stderr, "gate: %s: %s\n", rc == 1 ? "refused" : "error", cl_err());
	free(default_scn);
	return rc == 0 ? 0 : rc == 1 ? 1 : 2;
}

/* sign DIR --key KEY: DIR/attestation.json over DIR/report.json, as a step of its own. */
static int cmd_sign(int argc, char **argv)
{
	char *json, *att;
	int rc;

	if (argc != 4 || strcmp(argv[2], "--key"))
		return usage_error("usage: crashlab sign DIR --key KEY");
	json = cl_path_join(argv[1], "report.json");
	att = cl_path_join(argv[1], "attestation.json");
	rc = cl_attest_write(json, argv[3], att);
	if (rc)
		fprintf(stderr, "crashlab: cannot sign %s: %s\n", json, cl_err());
	else
		printf("signed statement in %s\n", att);
	free(json);
	free(att);
	return rc ? 2 : 0;
}

/* html REPORT.json OUT.html: the page for a report (one merged or kept elsewhere). */
static int cmd_html(int argc, char **argv)
{
	if (argc != 3)
		return usage_error("usage: crashlab html REPORT.json OUT.html");
	if (cl_html_write(argv[1], argv[2])) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		return 2;
	}
	return 0;
}

/* ---- triage ----------------------------------------------------------- */

/* Triage one stream; prints one JSON line (with "file" when several are given). */
static int triage_one(const char *path, int named)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct cl_triage *t;
	char buf[65536];
	size_t n;
	json_t *j;

	if (!f) {
		fprintf(stderr, "crashlab: %s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	t = cl_triage_new(0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cl_triage_feed(t, buf, n);
	if (f != stdin)
		fclose(f);
	cl_triage_finish(t);
	j = triage_json(cl_triage_result(t));
	if (named)
		json_object_set_new(j, "file", json_string(path));
	json_dumpf(j, stdout, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(j);
	cl_triage_free(t);
	return 0;
}

static int cmd_triage(int argc, char **argv)
{
	int i, rc = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs("usage: crashlab triage [FILE|-]...\n"
		      "prints {\"crashed\", \"class\", \"title\", \"frame\", \"module\", \"corrupted\"}\n"
		      "per file, one JSON object per line (with \"file\" when several are given)\n",
		      stdout);
		return 0;
	}
	if (argc < 2)
		return triage_one("-", 0);
	for (i = 1; i < argc; i++)
		if (triage_one(argv[i], argc > 2))
			rc = 2;
	return rc;
}

/* ---- images ----------------------------------------------------------- */

static int cmd_images(int argc, char **argv)
{
	struct cl_matrix *m = NULL;
	struct cl_plan p = { 0 };
	int rc = 0;

	if (argc != 3 || strcmp(argv[1], "--matrix"))
		return usage_error("usage: crashlab images --matrix FILE");
	catch_signals();
	cl_scratch_sweep(CL_SCRATCH_ROOT);
	if (cl_matrix_load(&m, argv[2]) || (p.matrix = m, cl_plan_select(&p)) ||
	    cl_plan_check(&p) || cl_plan_prepare_images(&p)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	}
	cl_plan_clear(&p);
	cl_matrix_free(m);
	return rc;
}

/* merge DIR... --out DIR: one report from the shards of a run. */
static int cmd_merge(int argc, char **argv)
{
	const char **dirs = cl_xcalloc((size_t)argc + 1, sizeof(*dirs));
	const char *out = NULL, *key = NULL;
	int i, n = 0, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--sign-key") && i + 1 < argc)
			key = argv[++i];
		else if (argv[i][0] == '-')
			break;
		else
			dirs[n++] = argv[i];
	}
	if (!out || n == 0 || i < argc) {
		free(dirs);
		return usage_error("usage: crashlab merge DIR... --out DIR [--sign-key KEY]");
	}
	rc = key ? cl_attest_key_ok(key) : 0;
	if (rc == 0)
		rc = cl_merge(dirs, n, out, key);
	free(dirs);
	if (rc) {
		fprintf(stderr, "crashlab: merge: %s\n", cl_err());
		return 2;
	}
	write_pages(out);
	rc = cl_merge_exit_code(out);
	if (key)
		rc = sign_report(out, key, rc);
	printf("%s: %d shards merged; report in %s (exit %d)\n",
	       rc == 0 ? "pass" : rc == 1 ? "fail" : "error", n, out, rc);
	return rc;
}

/* matrix list: one line per cell, in the order a run takes them. */
static int cmd_matrix(int argc, char **argv)
{
	struct cl_matrix *m = NULL;
	struct cl_plan p = { 0 };
	double total = 0;
	int i;

	if (argc != 4 || strcmp(argv[1], "list") || strcmp(argv[2], "--matrix"))
		return usage_error("usage: crashlab matrix list --matrix FILE");
	if (cl_matrix_load(&m, argv[3]) || (p.matrix = m, cl_plan_select(&p))) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		cl_matrix_free(m);
		return 2;
	}
	for (i = 0; i < m->ncells; i++)
		total += m->cells[i].fleet_share;
	printf("%-28s %-30s %-12s %-10s %-10s %s\n", "id", "kernel", "flavour", "image", "ring",
	       "fleet_share");
	for (i = 0; i < p.ncells; i++) {
		const struct cl_cell_spec *c = p.cells[i];

		printf("%-28s %-30s %-12s %-10s %-10s %.2f\n", c->id, c->kernel, c->flavor, c->image,
		       m->rings[c->ring], c->fleet_share);
	}
	printf("%d cells, %d ring%s, fleet_share total %.2f\n", m->ncells, m->nrings,
	       m->nrings == 1 ? "" : "s", total);
	cl_plan_clear(&p);
	cl_matrix_free(m);
	return 0;
}

/* The commands, by the word that names them ("reproduce" is qualify's other face). */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "qualify", cmd_qualify }, { "reproduce", cmd_qualify }, { "triage", cmd_triage },
	{ "images", cmd_images },   { "matrix", cmd_matrix },     { "html", cmd_html },
	{ "keygen", cmd_keygen },   { "gate", cmd_gate },         { "merge", cmd_merge },
	{ "sign", cmd_sign },
};

int main(int argc, char **argv)
{
	size_t i;

	/* a parent that ignored SIGCHLD would make waitpid() fail with ECHILD */
	signal(SIGCHLD, SIG_DFL);
	if (argc < 2)
		return usage_error("no command");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("crashlab %s\n", CRASHLAB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage_error("unknown command");
}
