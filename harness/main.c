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
#include "cl_candidate.h"
#include "cl_cell.h"
#include "cl_image.h"
#include "cl_kind.h"
#include "cl_matrix.h"
#include "cl_remediate.h"
#include "cl_report.h"
#include "cl_scenario.h"
#include "cl_triage.h"
#include "cl_util.h"
#include "cl_virt.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRASHLAB_VERSION "0.1.0"

static const char usage_text[] =
	"usage: crashlab COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  qualify --matrix FILE --candidate FILE [--scenario FILE] [--out DIR] [--jobs N] [--vmcore]\n"
	"          [--remediate FILE]\n"
	"          boot every cell of the matrix, install the candidate, run the scenario,\n"
	"          write DIR/report.json and DIR/junit.xml; --remediate applies a vendor's\n"
	"          remediation offline to disk cells that boot-loop and boots them again\n"
	"  reproduce --kernel RELEASE --candidate FILE [--image initramfs|disk] [--scenario FILE]\n"
	"          [--out DIR] [--vmcore]\n"
	"          one cell, console streamed to the terminal, every artifact kept (the\n"
	"          disk overlay too);\n"
	"          --vmcore keeps a kdump-compressed memory dump of a crash\n"
	"  triage [FILE|-]...   classify kernel console logs, print JSON (one line per file)\n"
	"  images --matrix FILE   build the matrix's kernel images ahead of time\n"
	"  version\n"
	"\n"
	"exit codes: 0 every cell passed, 1 some cell failed (crash, hang, boot loop,\n"
	"install or workload failure), 2 bad input or infrastructure error\n"
	"\n"
	"environment: CRASHLAB_CACHE (image cache, default ROOT/.cache),\n"
	"  CRASHLAB_ACCEL=kvm|tcg (skip the KVM trial), CRASHLAB_URI (default qemu:///system)\n";

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


struct kernel_prep {
	const char *release;
	struct cl_image img;
	char *ko;
	char ko_sha[CL_SHA256_HEX];
	char *build_error;
	int build_infra;     /* the build ran out of time: not the candidate's fault */
};

struct qualify {
	struct cl_matrix *matrix;
	struct cl_candidate *cand;
	struct cl_scenario *scn;
	const char *out;
	struct kernel_prep *kernels;
	int nkernels;
	struct cl_cell_run *runs;
	const char *virt_type;
	int vmcore;          /* keep a memory dump of crashed cells */
	struct cl_remediation *remedy; /* --remediate */
	int echo_console;    /* stream consoles to the terminal (reproduce) */
	int jobs;            /* cells at a time; 0: one per core */
	int next, done;      /* work queue of the cell threads */
	pthread_mutex_t lock;
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

static struct kernel_prep *kernel_of(struct qualify *q, const char *release)
{
	int i;

	for (i = 0; i < q->nkernels; i++)
		if (!strcmp(q->kernels[i].release, release))
			return &q->kernels[i];
	return NULL;
}

/* What each cell's image kind needs beyond the release's kernel (disk images). */
static int prepare_kinds(struct qualify *q)
{
	int i, rc;

	for (i = 0; i < q->matrix->ncells; i++) {
		const struct cl_cell_spec *c = &q->matrix->cells[i];
		struct kernel_prep *k = kernel_of(q, c->kernel);
		double t0 = cl_now();

		if (!strcmp(c->image, "initramfs") || (k->img.disk && !strcmp(c->image, "disk")))
			continue;
		fprintf(stderr, "crashlab: [%s image] %s: %s ...\n", c->image, c->id, c->kernel);
		if ((rc = cl_kind_find(c->image)->prepare(&k->img, c)))
			return rc == CL_EINPUT ? cl_err_set(rc, "%s: %s", q->matrix->path, cl_err()) : rc;
		fprintf(stderr, "crashlab: [%s image] %s ready (%.1f s)\n", c->image, c->id,
			cl_now() - t0);
	}
	return 0;
}

/*
 * The matrix's distinct kernels, checked all at once (nothing is downloaded
 * or booted when one is unknown), then their images built or found.
 */
static int prepare_images(struct qualify *q)
{
	int i, rc;

	q->kernels = cl_xcalloc((size_t)q->matrix->ncells, sizeof(*q->kernels));
	for (i = 0; i < q->matrix->ncells; i++)
		if (!kernel_of(q, q->matrix->cells[i].kernel))
			q->kernels[q->nkernels++].release = q->matrix->cells[i].kernel;
	for (i = 0; i < q->matrix->ncells; i++) {
		const struct cl_cell_spec *c = &q->matrix->cells[i];
		const struct cl_image_kind *kind = cl_kind_find(c->image);

		if (!kind)
			return cl_err_set(CL_EINPUT, "%s: cell %s: image kind \"%s\" is not available",
					  q->matrix->path, c->id, c->image);
		if (kind->check && (rc = kind->check(c)))
			return cl_err_set(rc, "%s: %s", q->matrix->path, cl_err());
	}
	for (i = 0; i < q->nkernels; i++)
		if ((rc = cl_image_check(q->kernels[i].release)))
			return cl_err_set(rc, "%s: %s", q->matrix->path, cl_err());
	for (i = 0; i < q->nkernels; i++) {
		struct kernel_prep *k = &q->kernels[i];
		double t0 = cl_now();

		fprintf(stderr, "crashlab: [image %d/%d] %s ...\n", i + 1, q->nkernels, k->release);
		if ((rc = cl_image_ensure(&k->img, k->release)))
			return rc == CL_EINPUT ? cl_err_set(rc, "%s: %s", q->matrix->path, cl_err()) : rc;
		fprintf(stderr, "crashlab: [image %d/%d] %s ready (%.1f s)\n", i + 1, q->nkernels,
			k->release, cl_now() - t0);
	}
	return prepare_kinds(q);
}

/* The candidate module for each kernel; a build failure fails that kernel's cells. */
static void build_modules(struct qualify *q)
{
	int i;

	for (i = 0; i < q->nkernels; i++) {
		struct kernel_prep *k = &q->kernels[i];
		double t0 = cl_now();
		int rc = cl_module_build(&k->ko, k->ko_sha, q->cand, &k->img, k->release);

		if (rc) {
			k->build_error = cl_xstrdup(cl_err());
			k->build_infra = rc == CL_ETIMEOUT;
			fprintf(stderr, "crashlab: [module %d/%d] %s: %s\n", i + 1, q->nkernels,
				k->release, k->build_error);
		} else {
			fprintf(stderr, "crashlab: [module %d/%d] %s %.12s (%.1f s)\n", i + 1,
				q->nkernels, k->release, k->ko_sha, cl_now() - t0);
		}
	}
}

static void free_kernels(struct qualify *q)
{
	int i;

	for (i = 0; i < q->nkernels; i++) {
		cl_image_clear(&q->kernels[i].img);
		free(q->kernels[i].ko);
		free(q->kernels[i].build_error);
	}
	free(q->kernels);
}

static void *worker(void *arg)
{
	struct qualify *q = arg;

	for (;;) {
		struct cl_cell_run *r;
		int idx;

		pthread_mutex_lock(&q->lock);
		idx = q->next < q->matrix->ncells ? q->next++ : -1;
		pthread_mutex_unlock(&q->lock);
		if (idx < 0)
			return NULL;
		r = &q->runs[idx];
		cl_cell_run(r);
		pthread_mutex_lock(&q->lock);
		q->done++;
		fprintf(stderr, "crashlab: [%d/%d] %s (%s): %s - %s (%.1f s)\n", q->done,
			q->matrix->ncells, r->spec->id, r->spec->kernel,
			cl_verdict_name(r->dec.verdict), r->dec.title, r->duration_s);
		pthread_mutex_unlock(&q->lock);
	}
}

static void fill_report_cell(struct cl_report_cell *rc, const struct cl_cell_run *r,
			     const struct kernel_prep *k)
{
	const struct cl_triage_result *tr = cl_triage_result(r->sm.tr);
	const char *loaded = NULL;
	int i;

	rc->spec = r->spec;
	rc->verdict = r->dec.verdict;
	snprintf(rc->title, sizeof(rc->title), "%s", r->dec.title);
	cl_sanitize(rc->title);
	rc->boots = r->sm.ev.boots;
	rc->ev = &r->sm.ev;
	rc->remedy = r->remedied ? &r->remedy_result : NULL;
	rc->attempts = r->attempts;
	rc->retried_because = r->retried_because[0] ? r->retried_because : NULL;
	rc->duration_s = r->duration_s;
	if (k->ko)
		snprintf(rc->module_sha256, sizeof(rc->module_sha256), "%s", k->ko_sha);
	for (i = 0; i < r->cand->ncontent && !loaded; i++)
		if (r->cand->content[i].reported_as)
			loaded = cl_evidence_status(&r->sm.ev, r->cand->content[i].reported_as);
	if (loaded && cl_is_sha256_hex(loaded))
		snprintf(rc->loaded_digest, sizeof(rc->loaded_digest), "%s", loaded);
	snprintf(rc->release_seen, sizeof(rc->release_seen), "%s", r->sm.ev.release);
	if (r->ko_path)
		rc->console = cl_sprintf("cells/%s/console.log", r->spec->id);
	if (tr->crashed) {
		snprintf(rc->crash_class, sizeof(rc->crash_class), "%s", cl_class_name(tr->cls));
		snprintf(rc->frame, sizeof(rc->frame), "%s", tr->frame);
		snprintf(rc->module, sizeof(rc->module), "%s", tr->module);
		rc->corrupted = tr->corrupted;
		rc->excerpt = cl_xstrdup(tr->excerpt);
	}
}

/*
 * reproduce: say where everything is and what triage found; with --vmcore,
 * fetch the kernel's debug vmlinux and record how to open the dump.
 */
static void reproduce_epilogue(const struct qualify *q)
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
	if (rc) {
		unlink(junit);
		unlink(json);
	}
	free(junit);
	free(json);
	return rc;
}

/* An earlier run's report in the output directory must not outlive this run. */
static void forget_reports(const char *out)
{
	char *p = cl_sprintf("%s/report.json", out);

	unlink(p);
	free(p);
	p = cl_sprintf("%s/junit.xml", out);
	unlink(p);
	free(p);
}

static int run_qualify(struct qualify *q)
{
	struct cl_report rep = { 0 };
	int i, jobs = q->jobs, rc, nthreads;
	pthread_t *threads;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (jobs <= 0)
		jobs = ncpu > 0 ? (int)ncpu : 1;
	cl_utc_now(rep.started, sizeof(rep.started));
	forget_reports(q->out);
	/* stopped while images were built: still a report, every cell not_run */
	if ((rc = prepare_images(q)) && !cl_interrupted())
		return rc;
	if (!cl_interrupted())
		build_modules(q);
	if (!cl_interrupted() &&
	    (rc = cl_virt_open(getenv("CRASHLAB_URI") ? getenv("CRASHLAB_URI") : "qemu:///system")))
		return rc;
	q->virt_type = cl_interrupted() ? "qemu" : cl_accel_pick(&q->kernels[0].img, 1);
	q->runs = cl_xcalloc((size_t)q->matrix->ncells, sizeof(*q->runs));
	for (i = 0; i < q->matrix->ncells; i++) {
		struct cl_cell_run *r = &q->runs[i];
		struct kernel_prep *k = kernel_of(q, q->matrix->cells[i].kernel);

		r->spec = &q->matrix->cells[i];
		r->cand = q->cand;
		r->scn = q->scn;
		r->img = &k->img;
		r->kind = cl_kind_find(r->spec->image);
		r->ko_path = k->ko;
		r->build_error = k->build_error;
		r->build_infra = k->build_infra;
		r->virt_type = q->virt_type;
		r->dir = cl_sprintf("%s/cells/%s", q->out, r->spec->id);
		r->vmcore = q->vmcore;
		r->echo_console = q->echo_console;
		r->remedy = q->remedy;
	}
	fprintf(stderr, "crashlab: qualifying %s %s on %d cells of %s (%s, %d at a time)\n",
		q->cand->name, q->cand->version, q->matrix->ncells, q->matrix->name,
		!strcmp(q->virt_type, "kvm") ? "KVM" : "TCG", jobs);
	nthreads = jobs < q->matrix->ncells ? jobs : q->matrix->ncells;
	threads = cl_xcalloc((size_t)nthreads, sizeof(*threads));
	pthread_mutex_init(&q->lock, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_create(&threads[i], NULL, worker, q);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	cl_virt_close();

	rep.cand = q->cand;
	rep.matrix = q->matrix;
	rep.scn = q->scn;
	rep.accel = !strcmp(q->virt_type, "kvm") ? "kvm" : "tcg";
	rep.ncells = q->matrix->ncells;
	rep.cells = cl_xcalloc((size_t)rep.ncells, sizeof(*rep.cells));
	for (i = 0; i < rep.ncells; i++)
		fill_report_cell(&rep.cells[i], &q->runs[i], kernel_of(q, q->runs[i].spec->kernel));
	cl_utc_now(rep.finished, sizeof(rep.finished));
	rc = write_reports(&rep, q->out);
	if (rc) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	} else {
		char *summary = cl_report_summary(&rep);

		rc = cl_report_exit_code(&rep);
		printf("%s: %s %s on %s: %s; report in %s (exit %d)\n", cl_report_verdict(&rep),
		       q->cand->name, q->cand->version, q->matrix->name, summary, q->out, rc);
		free(summary);
		int wid = 2, wk = 6;

		for (i = 0; i < rep.ncells; i++) {
			if ((int)strlen(rep.cells[i].spec->id) > wid)
				wid = (int)strlen(rep.cells[i].spec->id);
			if ((int)strlen(rep.cells[i].spec->kernel) > wk)
				wk = (int)strlen(rep.cells[i].spec->kernel);
		}
		for (i = 0; i < rep.ncells; i++)
			printf("  %-*s  %-*s  %-15s %s\n", wid, rep.cells[i].spec->id, wk,
			       rep.cells[i].spec->kernel, cl_verdict_name(rep.cells[i].verdict),
			       rep.cells[i].title);
	}
	if (q->echo_console)
		reproduce_epilogue(q);
	for (i = 0; i < rep.ncells; i++) {
		free(rep.cells[i].console);
		free(rep.cells[i].excerpt);
		cl_cell_run_clear(&q->runs[i]);
		free((char *)q->runs[i].dir);
	}
	free(rep.cells);
	return rc;
}

static int cmd_qualify(int argc, char **argv)
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const int reproduce = !strcmp(argv[0], "reproduce");
	const char *matrix = NULL, *candidate = NULL, *scenario = NULL, *out = NULL, *kernel = NULL;
	const char *remedy = NULL, *image = "initramfs";
	char *default_out = NULL;
	struct qualify q = { 0 };
	char *default_scn = NULL, *cells_dir;
	int c, rc, jobs = 0;

	while ((c = getopt_long(argc, argv, "m:c:s:o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': matrix = optarg; break;
		case 'c': candidate = optarg; break;
		case 's': scenario = optarg; break;
		case 'o': out = optarg; break;
		case 'j':
			jobs = atoi(optarg);
			if (jobs < 1 || jobs > 64)
				return usage_error("--jobs takes a number from 1 to 64");
			break;
		case 'k': kernel = optarg; break;
		case 'i': image = optarg; break;
		case 'v': q.vmcore = 1; break;
		case 'r': remedy = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return usage_error("bad option");
		}
	}
	if (reproduce ? (!kernel || !candidate || matrix) : (!matrix || !candidate || kernel))
		return usage_error(reproduce ? "reproduce needs --kernel and --candidate"
					     : "qualify needs --matrix and --candidate");
	if (optind < argc)
		return usage_error("unexpected argument");
	if (!scenario)
		scenario = default_scn = cl_sprintf("%s/scenarios/ipc-basic.json", cl_project_root());
	if (!out)
		out = default_out = reproduce ? cl_sprintf("crashlab-out/reproduce-%s", kernel)
					      : cl_xstrdup("crashlab-out");
	q.echo_console = reproduce;
	if ((rc = reproduce ? cl_matrix_single(&q.matrix, kernel, image) : cl_matrix_load(&q.matrix, matrix)) ||
	    (rc = cl_candidate_load(&q.cand, candidate)) ||
	    (rc = cl_scenario_load(&q.scn, scenario)) ||
	    (rc = cl_scenario_check(q.scn, q.cand)) ||
	    (remedy && (rc = cl_remediation_load(&q.remedy, remedy)))) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
		goto out;
	}
	cells_dir = cl_sprintf("%s/cells", out);
	rc = cl_mkdir_p(cells_dir, 0755);
	free(cells_dir);
	if (rc) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
		goto out;
	}
	catch_signals();
	q.out = out;
	q.jobs = jobs;
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
	free_kernels(&q);
	free(q.runs);
	cl_matrix_free(q.matrix);
	cl_candidate_free(q.cand);
	cl_scenario_free(q.scn);
	cl_remediation_free(q.remedy);
	free(default_scn);
	free(default_out);
	return rc;
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
	struct qualify q = { 0 };
	int rc = 0;

	if (argc != 3 || strcmp(argv[1], "--matrix"))
		return usage_error("usage: crashlab images --matrix FILE");
	if (cl_matrix_load(&q.matrix, argv[2]) || prepare_images(&q)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	}
	free_kernels(&q);
	cl_matrix_free(q.matrix);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command");
	if (!strcmp(argv[1], "qualify") || !strcmp(argv[1], "reproduce"))
		return cmd_qualify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "triage"))
		return cmd_triage(argc - 1, argv + 1);
	if (!strcmp(argv[1], "images"))
		return cmd_images(argc - 1, argv + 1);
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
