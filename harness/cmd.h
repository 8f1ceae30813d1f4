/*
 * cmd.h - crashlab's commands, each a flow of its own.
 *
 * main.c is the command line: it parses, checks what each command needs
 * and prints the usage; the functions here are handed what it parsed and
 * run the command. Each returns the process's exit code, the contract with
 * CI: 0 pass, 1 fail (a cell failed, the gate refused), 2 bad input,
 * infrastructure error or stopped by a signal. They never print a usage.
 *
 *   cmd_qualify.c    qualify and reproduce: the whole run
 *   cmd_statement.c  keygen, sign, gate, merge, html: the signed statement
 *                    and what is made from reports after a run
 *   cmd_tools.c      triage, images, matrix list: the tools around a run
 *   cmd_refresh.c    matrix refresh: the kernel crawler
 *   cmd_history.c    history, crashes: memory across runs (history/)
 *   cmd_minimize.c   minimize: the smallest content that still crashes a cell
 *   cmd_bisect.c     bisect: the kernels between a crash's last good and first bad
 *   cmd_export.c     export --kcidb: a run's report as KernelCI's KCIDB data
 *   cmd_child.c      one qualify in a child process (minimize's and bisect's runs)
 */
#ifndef CMD_H
#define CMD_H

#include "cl_gate.h"
#include "cl_sched.h"
#include "cl_triage.h"

#include <jansson.h>

#define CRASHLAB_VERSION "0.1.0"

/* What the qualify and reproduce command lines say (NULL, 0: not given). */
struct cmd_qualify_args {
	const char *matrix, *candidate, *scenario, *out;
	const char *kernel, *image;      /* reproduce: the one cell (image "initramfs" by default) */
	const char *remedy, *shard, *sign_key;
	int jobs;                        /* --jobs N; 0: auto */
	int vmcore, fail_fast, mutants, skip_preflight;
	const char *db;                  /* --db: the history (NULL: the default) */
	const char *baseline;            /* --baseline last-pass|RUN */
	int reruns;                      /* --reruns N: a failed cell run N times more */
	int no_history;                  /* --no-history: record nothing */
	const char *uris[CL_SCHED_MAX_HOSTS]; /* --uri, in order */
	int nuris;
	/* not on qualify's command line: what crashlab minimize runs */
	const char *cell, *cell_image;   /* only this cell of the matrix, booting this image */
	const char *content_name, *content_file; /* this content entry's bytes from this file */
};

/* qualify (@reproduce 0) or reproduce (1); @a checked for what each needs. */
int cmd_qualify(const struct cmd_qualify_args *a, int reproduce);

/* An Ed25519 key pair: @prefix.key (0600) and @prefix.pub. */
int cmd_keygen(const char *prefix);
/* @dir/attestation.json over @dir/report.json, signed with @key. */
int cmd_sign(const char *dir, const char *key);
/* The release gate; @in->scenario NULL: the default scenario. */
int cmd_gate(struct cl_gate_input *in);
/* One report in @out from the shard outputs @dirs (@n); signed with @key, or NULL. */
int cmd_merge(const char **dirs, int n, const char *out, const char *key);
/* The report page @page for @report (a report.json). */
int cmd_html(const char *report, const char *page);

/* Classify the console logs @files (@n; none: stdin), one JSON line each. */
int cmd_triage(char **files, int n);
/* Build the kernel images of the matrix @matrix ahead of time. */
int cmd_images(const char *matrix);
/* The cells of the matrix @matrix, in run order. */
int cmd_matrix_list(const char *matrix);
/* The kernels new in Debian's index or gone from it since @matrix; with
 * @write, the matrix file written with them. */
int cmd_matrix_refresh(const char *matrix, int write);

/*
 * Record the run whose report is in @dir (@command: qualify, merge,
 * reproduce) in the history @db (NULL: the default); its report.json gains
 * "history", and with @baseline ("last-pass" or a run number) "baseline":
 * its regressions, fixes, new crash titles and new cells. A history that
 * cannot be written is said on stderr and is not the run's concern: 0.
 * 2 only when @baseline was asked for and cannot be had.
 */
int cmd_history_record(const char *dir, const char *command, const char *db, const char *baseline);
/* Before a run: the history @db has the baseline @spec for @candidate (0), or the error. */
int cmd_history_check_baseline(const char *db, const char *spec, const char *candidate);
/* crashlab history ... / crashlab crashes ...: @argv[0] is the command. */
int cmd_history(int argc, char **argv);
int cmd_crashes(int argc, char **argv);
/* A command's options, each --NAME VALUE into *value; a table ends with
 * { NULL }. 0, or -1 on an unknown option, one missing its value, or an
 * argument left over. */
struct cmd_opt {
	const char *name;
	const char **value;
};
int cmd_string_opts(int argc, char **argv, const struct cmd_opt *opts);
/* One qualify (or the one cell @a names) in a child process whose stdout and
 * stderr go to @log: its exit code, or -1 when it did not exit. */
int cmd_qualify_child(const struct cmd_qualify_args *a, const char *log);
/* The verdict and title of the first cell of @dir/report.json ("no report"
 * and -1 when there is none). */
int cmd_cell_result(const char *dir, char *verdict, size_t vn, char *title, size_t tn);
/* crashlab minimize ...: @argv[0] is the command. */
int cmd_minimize(int argc, char **argv);
extern const char cmd_minimize_usage[];
/* crashlab export --kcidb DIR ...: @argv[0] is the command. */
int cmd_export(int argc, char **argv);
extern const char cmd_export_usage[];
/* crashlab bisect ...: @argv[0] is the command. */
int cmd_bisect(int argc, char **argv);
extern const char cmd_bisect_usage[];
extern const char cmd_history_usage[], cmd_crashes_usage[]; /* their lines of the usage */

#endif
