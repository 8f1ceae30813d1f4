/*
 * cl_report.h - the qualification report model and its writers.
 *
 * A report is bound to the exact bytes tested: the candidate's content files
 * and each per-kernel module build are listed with their sha256. The model
 * is plain data filled by the controller; writers turn it into
 * OUT/report.json (the source of truth, which later gates and HTML reports
 * read) and OUT/junit.xml (one testcase per cell, for CI).
 * Every string that came from a guest is escaped by the writer that emits it.
 */
#ifndef CL_REPORT_H
#define CL_REPORT_H

#include "cl_artifacts.h"
#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_matrix.h"
#include "cl_remediation.h"
#include "cl_scenario.h"
#include "cl_verdict.h"

#include <jansson.h>

struct cl_report_cell {
	const struct cl_cell_spec *spec;  /* borrowed */
	enum cl_verdict verdict;
	char title[320];
	char crash_class[32];
	char frame[128];
	char module[64];
	int corrupted;
	int boots;
	int attempts;
	int reruns, reruns_failed;   /* --reruns: runs again, and how many of them failed */
	const char *rerun_verdicts;  /* ... each one's verdict, space-separated (borrowed) */
	const char *retried_because; /* the first attempt's infra_error (borrowed), or NULL */
	const char *host;            /* the libvirt URI it last ran on (borrowed), or NULL */
	int moved;                   /* times moved to another host (its host was lost) */
	const char *snapshot_sha256; /* started from this saved state (borrowed), or NULL: booted */
	int snapshot_built;          /* ... which this run built */
	const char *cmdline;         /* the kernel command line it booted with (borrowed; "" if none) */
	double duration_s;
	struct cl_phase_time phases[CL_PHASES]; /* the last attempt, where its time went */
	int nphases;                       /* 0: it never started */
	char module_sha256[CL_SHA256_HEX]; /* the candidate module built for this kernel (DKMS:
					    * the digest of its module_list) */
	char *module_list;                 /* DKMS: "NAME SHA256" lines, a module each; or NULL */
	char loaded_digest[CL_SHA256_HEX]; /* what the sensor said it loaded, "" if nothing */
	char release_seen[64];             /* uname -r inside the guest */
	char media_sums[512];              /* what it booted: "SHA256 *NAME" lines (image sums) */
	char packages[256];                /* "PACKAGE VERSION" lines the image was made from */
	char *console;                     /* path relative to the report directory */
	char *excerpt;                     /* crash excerpt, owned, may be NULL */
	const struct cl_evidence *ev;      /* timeline and recovery, borrowed, may be NULL */
	const struct cl_remediation_result *remedy; /* --remediate outcome, borrowed, may be NULL */
};

struct cl_report {
	const struct cl_candidate *cand;   /* borrowed */
	const struct cl_matrix *matrix;    /* borrowed */
	const struct cl_scenario *scn;     /* borrowed */
	const char *accel;                 /* "kvm" or "tcg" */
	char started[32], finished[32];
	struct cl_report_cell *cells;      /* owned array: the cells this run owned */
	int ncells;
	int shard, nshards;                /* this report is shard @shard of @nshards (1 of 1) */
	const char *version;               /* crashlab's own version */
	const char *uri;                   /* the libvirt host it ran on */
	char module_source_sha256[65];     /* the candidate's module source tree */
	const struct cl_artifacts *arts;   /* every file the candidate ships (borrowed; NULL: none) */
	const char *agent;                 /* the guest agent binary (path) */
	const struct cl_preflight_result *preflight; /* borrowed, npreflight of them */
	int npreflight;
	int preflight_skipped;             /* the candidate names steps; this run skipped them */
};

/*
 * Failing cells grouped by verdict and title: the same bug has the same
 * title on every kernel, so a group is one distinct failure. @out gets
 * @ncells group numbers (one per cell, -1 for passing cells); returns the
 * number of groups. Groups are numbered in order of first appearance.
 */
int cl_report_groups(const struct cl_report *r, int *out);
/* "1 distinct crash on 9 of 12 cells" style summary (new string). */
char *cl_report_summary(const struct cl_report *r);

/* Overall verdict: "pass" (every pre-flight step and cell passed), "fail" (one
 * of them failed), "error". */
const char *cl_report_verdict(const struct cl_report *r);
/* Exit code for the verdict: 0 pass, 1 fail, 2 error. */
int cl_report_exit_code(const struct cl_report *r);

int cl_report_write_json(const struct cl_report *r, const char *path);
int cl_report_write_junit(const struct cl_report *r, const char *path);

/*
 * Blast radius: the fleet share of the failing configurations, of those not
 * run, and of all a report covers (the matrix's "fleet_share"), as
 * report.json writes it; shared by the run's report and the merge of shards.
 */
struct cl_report_blast {
	double failing, not_run, total;
};
void cl_report_blast_add(struct cl_report_blast *b, enum cl_verdict v, double share);
json_t *cl_report_blast_json(const struct cl_report_blast *b);

#endif
