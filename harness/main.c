/*
 * crashlab - kernel-crash test lab and release qualification harness.
 *
 * The command line and nothing else: the usage, the parsing of each
 * command's arguments and the dispatch to its flow (cmd.h: `qualify` boots
 * the matrix and decides whether the candidate may ship, `gate` decides from
 * its signed statement, ...). `crashlab --help` lists every command,
 * `crashlab COMMAND --help` shows one. Exit codes are the contract with CI:
 * 0 every cell passed, 1 some cell failed, 2 bad input or infrastructure error.
 */
#include "cmd.h"
#include "cl_candidate.h"
#include "cl_util.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a command's arguments (argv[0] is the command's name) and runs it. */
typedef int command_fn(int argc, char **argv);
static command_fn parse_qualify, parse_keygen, parse_gate, parse_sign, parse_triage,
	parse_images, parse_matrix, parse_merge, parse_html;

static const struct command {
	const char *name;
	command_fn *parse;
	const char *usage;   /* its lines of the usage, each command's starting "  NAME" */
} commands[] = {
	{ "qualify", parse_qualify,
	  "  qualify --matrix FILE --candidate FILE [--scenario FILE] [--out DIR] [--jobs N|auto]\n"
	  "          [--vmcore] [--remediate FILE] [--shard K/N] [--fail-fast] [--sign-key KEY]\n"
	  "          [--uri URI]... [--mutants N|all] [--skip-preflight] [--db DB|--no-history]\n"
	  "          [--baseline last-pass|RUN] [--reruns N]\n"
	  "          boot every cell of the matrix, install the candidate, run the scenario,\n"
	  "          write DIR/report.json, junit.xml, summary.md and report.html;\n"
	  "          --remediate applies a vendor's remediation offline to disk cells that\n"
	  "          boot-loop and boots them again; --reruns N runs a failed cell N times more;\n"
	  "          --shard runs cells K, K+N, ... of the matrix (merge the shards after);\n"
	  "          --fail-fast stops after a ring with a failing cell (the rest not_run);\n"
	  "          --uri: a libvirt host, once per host (qemu:///system, qemu+ssh://,\n"
	  "          qemu+tcp://, qemu+tls://); cells are spread by each host's capacity\n"
	  "          (--jobs: per host), a lost host's cells go to the others;\n"
	  "          --remediate and --vmcore need a local host (qemu:///...);\n"
	  "          --sign-key KEY writes DIR/attestation.json: the report as an in-toto\n"
	  "          statement about the candidate's artifacts, in a DSSE envelope (Ed25519);\n"
	  "          --mutants: after the workload, each cell installs the first N malformed\n"
	  "          variants of the candidate's content (written to DIR/mutants/: empty,\n"
	  "          zeros, a field past the inputs, counts at their maximum, truncations,\n"
	  "          bit flips, random bytes; the same every run) as it installs the real\n"
	  "          content; each must be refused or survived (initramfs, snapshot cells);\n"
	  "          before any VM, the candidate's \"preflight\" steps run on the host (its\n"
	  "          validator, a bounded fuzz run of its parser); one that fails ends the run\n"
	  "          (cells not_run, exit 1; exit 2 when one cannot run or runs out of time);\n"
	  "          --skip-preflight skips them and the report says so\n" },
	{ "keygen", parse_keygen,
	  "  keygen --out PREFIX   an Ed25519 key pair: PREFIX.key (0600) and PREFIX.pub\n" },
	{ "gate", parse_gate,
	  "  gate --attestation FILE --pubkey FILE --candidate FILE --matrix FILE [--scenario FILE]\n"
	  "          [--modules DIR] [--max-age 24h]\n"
	  "          exit 0 only when the signature verifies, every pre-flight step ran and\n"
	  "          passed, every file the candidate ships hashes now as it did when\n"
	  "          qualified (and --modules DIR/RELEASE/NAME.ko as built), every cell of the\n"
	  "          required matrix was qualified as it defines it and passed (cells beyond it\n"
	  "          do not count), the scenario is the one that ran and the statement is\n"
	  "          younger than --max-age (default 24h) and not from the future; else exit 1\n"
	  "          with the reason (2: bad input)\n" },
	{ "sign", parse_sign,
	  "  sign DIR --key KEY   sign DIR/report.json into DIR/attestation.json, a step of its own\n" },
	{ "reproduce", parse_qualify,
	  "  reproduce --kernel RELEASE --candidate FILE [--image initramfs|snapshot|disk] [--scenario FILE]\n"
	  "          [--out DIR] [--vmcore] [--mutants N|all]\n"
	  "          one cell, console streamed to the terminal, every artifact kept (the\n"
	  "          disk overlay too), the candidate's pre-flight skipped;\n"
	  "          --vmcore keeps a kdump-compressed memory dump of a crash\n" },
	{ "triage", parse_triage,
	  "  triage [FILE|-]... [--match DIR|DB]   classify kernel console logs: JSON, a line\n"
	  "          per file (crashed, class, title, frame, module, corrupted; file when several);\n"
	  "          --match: its crash group in a report (DIR) or history, and a reproduce line\n" },
	{ "images", parse_images, "  images --matrix FILE   build the matrix's kernel images ahead of time\n" },
	{ "matrix", parse_matrix,
	  "  matrix list --matrix FILE   the cells, in run order: id, kernel, flavour, image,\n"
	  "          ring, fleet share\n"
	  "  matrix refresh --matrix FILE [--write]   Debian's kernels new since FILE (its\n"
	  "          releases and flavours) and gone from Debian; --write writes them into\n"
	  "          FILE; exit 0 up to date, 1 new or gone, 2 error\n" },
	{ "merge", parse_merge,
	  "  merge DIR... --out DIR [--sign-key KEY]   one report from the shard outputs of a\n"
	  "          run, their cells/ and modules/ copied; exit 2 when a shard is missing, empty\n"
	  "          or from another candidate, the cells do not cover the matrix once, or two\n"
	  "          shards' RELEASE/NAME.ko differ; --sign-key needs every shard signed\n" },
	{ "html", parse_html, "  html REPORT.json OUT.html   the report page for a report.json\n" },
	{ "history", cmd_history, cmd_history_usage }, { "crashes", cmd_crashes, cmd_crashes_usage },
	{ "minimize", cmd_minimize, cmd_minimize_usage }, { "bisect", cmd_bisect, cmd_bisect_usage },
	{ "export", cmd_export, cmd_export_usage },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char usage_tail[] =
	"  version\n"
	"  help [COMMAND]   this list; COMMAND --help or help COMMAND: that command's alone\n"
	"\n"
	"exit codes: 0 every cell passed, 1 some cell failed (crash, hang, boot loop,\n"
	"install or workload failure), 2 bad input, infrastructure error or stopped\n"
	"(SIGINT, SIGTERM, SIGHUP: unfinished cells not_run)\n"
	"\n"
	"environment: CRASHLAB_CACHE (image cache; default ROOT/.cache from a checkout,\n"
	"  installed /var/cache/crashlab as root, else $XDG_CACHE_HOME/crashlab or\n"
	"  ~/.cache/crashlab), CRASHLAB_ROOT (the checkout; default: found from the binary),\n"
	"  CRASHLAB_ACCEL=kvm|tcg (skip the KVM trial), CRASHLAB_URI (default qemu:///system),\n"
	"  CRASHLAB_CMD_TIMEOUT=SECONDS (lower every external command's time limit),\n"
	"  CRASHLAB_CONSOLE_MAX=BYTES (cap of each saved console.log, default 64 MiB),\n"
	"  CI (progress one line per state change, not a live table)\n";

static const struct command *current; /* the command being parsed; NULL: none yet */

/* @c's usage alone, or (@c NULL) every command's. */
static int print_usage(FILE *f, const struct command *c)
{
	if (c)
		return fprintf(f, "usage: crashlab %s", c->usage + 2) < 0;
	fputs("usage: crashlab COMMAND [OPTIONS]\n\ncommands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fputs(commands[i].usage, f);
	return fputs(usage_tail, f) < 0;
}

/* What is wrong with the command line (one line, printf's @fmt), then the
 * usage of the command (all, before one is known); exit 2. */
static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("crashlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr, current);
	return 2;
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* ---- qualify, reproduce ------------------------------------------------ */

static const struct option qualify_opts[] = {
	{ "matrix", required_argument, NULL, 'm' },    { "candidate", required_argument, NULL, 'c' },
	{ "scenario", required_argument, NULL, 's' },  { "out", required_argument, NULL, 'o' },
	{ "jobs", required_argument, NULL, 'j' },      { "kernel", required_argument, NULL, 'k' },
	{ "image", required_argument, NULL, 'i' },     { "vmcore", no_argument, NULL, 'v' },
	{ "remediate", required_argument, NULL, 'r' }, { "shard", required_argument, NULL, 'S' },
	{ "fail-fast", no_argument, NULL, 'f' },       { "sign-key", required_argument, NULL, 'K' },
	{ "uri", required_argument, NULL, 'u' },       { "mutants", required_argument, NULL, 'M' },
	{ "skip-preflight", no_argument, NULL, 'P' },  { "help", no_argument, NULL, 'h' },
	{ "db", required_argument, NULL, 'D' },        { "no-history", no_argument, NULL, 'H' },
	{ "baseline", required_argument, NULL, 'B' },  { "reruns", required_argument, NULL, 'R' },
	{ NULL, 0, NULL, 0 },
};

/* One parser for both; the options of one alone (by value), which the other refuses. */
static const char qualify_only[] = "mjrSfKuPBR", reproduce_only[] = "ki";

/* -1 when option @c is one of this command's (@reproduce: reproduce, else
 * qualify); else the exit code of its refusal, naming the command it is of. */
static int foreign_option(int c, int reproduce)
{
	const char *mine = reproduce ? "reproduce" : "qualify";

	if (c <= 0 || !strchr(reproduce ? qualify_only : reproduce_only, c))
		return -1;
	for (const struct option *o = qualify_opts; o->name; o++)
		if (o->val == c)
			return usage_error("%s: --%s is an option of %s", mine, o->name,
					   reproduce ? "qualify" : "reproduce");
	return -1;
}

/* A number from 1 to @max, or @word for @word_means; -1 for anything else. */
static int count_arg(const char *v, int max, const char *word, int word_means)
{
	int n = atoi(v);

	return !strcmp(v, word) ? word_means : n >= 1 && n <= max ? n : -1;
}

/* One option @c (its value @v) of qualify's command line into @a; -1 to go
 * on, else the exit code (--help, a usage error). */
static int qualify_option(struct cmd_qualify_args *a, int c, const char *v)
{
	switch (c) {
	case 'm': a->matrix = v; break;
	case 'c': a->candidate = v; break;
	case 's': a->scenario = v; break;
	case 'o': a->out = v; break;
	case 'k': a->kernel = v; break;
	case 'i': a->image = v; break;
	case 'v': a->vmcore = 1; break;
	case 'r': a->remedy = v; break;
	case 'S': a->shard = v; break;
	case 'f': a->fail_fast = 1; break;
	case 'P': a->skip_preflight = 1; break;
	case 'K': a->sign_key = v; break;
	case 'D': a->db = v; break;
	case 'H': a->no_history = 1; break;
	case 'B': a->baseline = v; break;
	case 'R':
		return (a->reruns = count_arg(v, 10, "0", 0)) < 0 ? usage_error("--reruns: 0 to 10") : -1;
	case 'j':
		if ((a->jobs = count_arg(v, 64, "auto", 0)) < 0)
			return usage_error("--jobs takes a number from 1 to 64, or auto");
		break;
	case 'M':
		if ((a->mutants = count_arg(v, CL_MAX_MUTANT_FILES, "all", CL_MAX_MUTANT_FILES)) < 0)
			return usage_error("--mutants takes a number from 1 to 64, or all");
		break;
	case 'u':
		if (a->nuris == CL_SCHED_MAX_HOSTS)
			return usage_error("--uri: at most 16 hosts");
		a->uris[a->nuris++] = v;
		break;
	case 'h': return print_usage(stdout, current);
	default: return usage_error("bad option");
	}
	return -1;
}

static int parse_qualify(int argc, char **argv)
{
	const int reproduce = !strcmp(argv[0], "reproduce");
	struct cmd_qualify_args a = { .image = "initramfs" };
	int c, rc;

	while ((c = getopt_long(argc, argv, "m:c:s:o:j:h", qualify_opts, NULL)) != -1)
		if ((rc = foreign_option(c, reproduce)) >= 0 || (rc = qualify_option(&a, c, optarg)) >= 0)
			return rc;
	if (optind < argc)
		return usage_error("unexpected argument");
	if (reproduce ? (!a.kernel || !a.candidate) : (!a.matrix || !a.candidate))
		return usage_error(reproduce ? "reproduce needs --kernel and --candidate"
					     : "qualify needs --matrix and --candidate");
	return cmd_qualify(&a, reproduce);
}

/* ---- the statement: keygen, gate, sign, merge, html ---------------------- */

static int parse_keygen(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--out"))
		return usage_error("keygen needs --out PREFIX");
	return cmd_keygen(argv[2]);
}

static const char gate_usage[] =
	"usage: crashlab gate --attestation FILE --pubkey FILE --candidate FILE --matrix FILE\n"
	"                     [--scenario FILE] [--modules DIR] [--max-age AGE] [--no-regressions]";

/* The gate's option at @a (@left words from there) into @in: the words it took, or -1. */
static int gate_option(struct cl_gate_input *in, char **a, int left)
{
	const struct { const char *name; const char **to; } paths[] = {
		{ "--attestation", &in->attestation }, { "--pubkey", &in->pubkey },
		{ "--candidate", &in->candidate },     { "--matrix", &in->matrix },
		{ "--scenario", &in->scenario },       { "--modules", &in->modules },
	};

	if (!strcmp(a[0], "--no-regressions"))
		return in->no_regressions = 1;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && left > 1; i++)
		if (!strcmp(a[0], paths[i].name)) {
			*paths[i].to = a[1];
			return 2;
		}
	return left > 1 && !strcmp(a[0], "--max-age") && (in->max_age_s = cl_gate_parse_age(a[1])) > 0
		       ? 2 : -1;
}

static int parse_gate(int argc, char **argv)
{
	struct cl_gate_input in = { .max_age_s = CL_GATE_DEFAULT_MAX_AGE_S };
	int i, n;

	for (i = 1; i < argc && (n = gate_option(&in, argv + i, argc - i)) > 0; i += n)
		;
	if (i != argc || !in.attestation || !in.pubkey || !in.candidate || !in.matrix) {
		fprintf(stderr, "crashlab: %s\n%s\n", i != argc ? "gate: bad option, or a --max-age "
			"that is not a positive 24h, 90m, 3600s or 2d" : "gate needs --attestation, "
			"--pubkey, --candidate and the release's required --matrix", gate_usage);
		return 2;
	}
	return cmd_gate(&in);
}

static int parse_sign(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "--key"))
		return usage_error("sign needs DIR and --key KEY");
	return cmd_sign(argv[1], argv[3]);
}

static int parse_merge(int argc, char **argv)
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
	if (i < argc)
		rc = usage_error("merge: %s: bad option, or one missing its value", argv[i]);
	else if (!out || n == 0)
		rc = usage_error("merge needs shard directories and --out DIR");
	else
		rc = cmd_merge(dirs, n, out, key);
	free(dirs);
	return rc;
}

static int parse_html(int argc, char **argv)
{
	if (argc != 3)
		return usage_error("html needs REPORT.json and OUT.html");
	return cmd_html(argv[1], argv[2]);
}

/* ---- the tools: triage, images, matrix list and refresh ------------------ */

static int parse_triage(int argc, char **argv)
{
	return cmd_triage(argv + 1, argc - 1);
}

static int parse_images(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--matrix"))
		return usage_error("images needs --matrix FILE");
	return cmd_images(argv[2]);
}

static int parse_matrix(int argc, char **argv)
{
	const char *matrix = NULL, *sub = argc > 1 ? argv[1] : "";
	int refresh = !strcmp(sub, "refresh"), write = 0;

	for (int a = 2; a < argc && (refresh || !strcmp(sub, "list")); a++) {
		if (refresh && !strcmp(argv[a], "--write"))
			write = 1;
		else if (!strcmp(argv[a], "--matrix") && a + 1 < argc && !matrix)
			matrix = argv[++a];
		else
			return usage_error("matrix %s: unknown or incomplete option", sub);
	}
	if (!matrix)
		return usage_error(refresh ? "matrix refresh needs --matrix FILE"
				   : "matrix needs list --matrix FILE or refresh --matrix FILE");
	return refresh ? cmd_matrix_refresh(matrix, write) : cmd_matrix_list(matrix);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	/* a parent that ignored SIGCHLD would make waitpid() fail with ECHILD */
	signal(SIGCHLD, SIG_DFL);
	if (argc < 2)
		return usage_error("no command");
	if ((current = find_command(argv[1]))) {
		for (int a = 2; a < argc; a++)
			if (is_help(argv[a]))
				return print_usage(stdout, current);
		return current->parse(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("crashlab %s\n", CRASHLAB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || is_help(argv[1])) /* help COMMAND: that one's */
		return print_usage(stdout, argc > 2 ? find_command(argv[2]) : NULL);
	return usage_error("unknown command");
}
