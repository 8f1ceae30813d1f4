/*
 * cl_candidate.h - the candidate manifest: exactly what is about to ship.
 *
 *   { "name": "crashlab-reference-sensor", "version": "1.0.0",
 *     "module": { "name": "clsensor", "source": "kmod",
 *                 "make_vars": { "BOUNDS_CHECK": "1" },
 *                 "args": "content=/var/lib/crashlab/channels/C-00000291.sys" },
 *     "content": [ { "name": "channel-291", "file": "content/C-00000291.bin",
 *                    "sha256": "<64 hex>",
 *                    "install_path": "/var/lib/crashlab/channels/C-00000291.sys",
 *                    "reported_as": "content_sha256" } ],
 *     "evidence": { "status_file": "/proc/clsensor",
 *                   "counters": [ "events_fifo_create", "matches" ] } }
 *
 * Relative paths are relative to the manifest's directory. "module.source"
 * is a kbuild directory that crashlab builds against each cell's kernel
 * headers. Every content file's bytes must hash to its "sha256" or the run
 * stops with exit 2: the report is bound to the exact bytes tested.
 * "reported_as" names the key under which the sensor publishes the digest of
 * the content it loaded; "counters" must all be non-zero after the workload.
 * A content entry with "update_via" is a live update (content that arrives
 * while the sensor runs, as from the vendor's cloud): it is staged, not
 * installed at boot, and a scenario step { "op": "update", "content": NAME }
 * installs it and writes its install_path to the "update_via" file; from
 * then on the sensor must report its digest.
 * "content" may be empty (a sensor without content files) but must be there,
 * so that forgetting it is an error rather than an untested release.
 *
 * Manifest v2 may describe a third-party driver instead of a kbuild source:
 *
 *     "image": "disk",
 *     "packages": [ "vendor-agent" ],
 *     "module": { "dkms": { "package": "vendor-driver-dkms", "version": "2.1-1",
 *                           "sha256": "<64 hex>" },
 *                 "load": [ { "name": "vendor_core", "args": "mode=strict" },
 *                           "vendor_net" ] }
 *
 * or, instead of "dkms", modules the vendor built for each kernel it supports:
 *
 *     "prebuilt": { "6.1.0-56-amd64": [ { "file": "6.1.0-56/vendor_core.ko",
 *                                         "sha256": "<64 hex>" }, ... ], ... }
 *
 * (a kernel not listed is install_failed: the vendor ships nothing for it),
 * or "from_packages": true when the modules come inside the candidate's own
 * packages (a vendor's .deb in "packages"): crashlab builds nothing, and a
 * kernel the package has no module for is install_failed at boot.
 * "dkms" is a DKMS source, built per kernel by its own dkms.conf
 * (images/dkms.sh): a source tree ({ "tree": DIR }), a vendor's package
 * holding one under /usr/src ({ "file": DEB, "sha256": ... }), or a Debian
 * package fetched from the archive by name and version and checked against
 * its sha256. "load" lists the modules the OS loads, in order, each with
 * its parameters; every one must be loaded in the guest. "image" names the
 * image kind the candidate needs (user space needs "disk": the matrix's
 * initramfs cells boot disk images instead), and "packages" are Debian
 * packages its user space needs, built into those disk images: names from
 * the archive, or a vendor's own packages { "file": DEB, "sha256": ... },
 * installed offline with their dependencies.
 *
 * "preflight" lists the candidate's own static checks, run on the host
 * before any VM (cl_preflight.h).
 *
 * "install" says how the OS loads the candidate at every boot on disk images
 * (the initramfs kind ignores it: its agent loads the module once):
 *
 *     "install": { "load": "units",
 *                  "units": [ { "name": "clsensor-loader.service",
 *                               "file": "loader/clsensor-loader.service",
 *                               "wanted_by": "sysinit.target" } ],
 *                  "files": [ { "file": "loader/clsensor-loader.sh",
 *                               "path": "/usr/lib/clsensor/loader.sh", "mode": "0755" } ] }
 *
 * The module always goes to /lib/modules/RELEASE/updates/NAME.ko (depmod is
 * run) and each content file to its install_path. "load": "modules-load"
 * (the default) writes /etc/modules-load.d/NAME.conf and the module's
 * "args" as options in /etc/modprobe.d/NAME.conf; "units" installs and
 * enables the manifest's systemd units instead, one of which loads the
 * module itself. "files" are further files placed on the image.
 */
#ifndef CL_CANDIDATE_H
#define CL_CANDIDATE_H

#include "cl_bpf_manifest.h"
#include "cl_coverage.h"
#include "cl_preflight.h"
#include "cl_sha256.h"

#define CL_MAX_CONTENT 16
#define CL_MAX_COUNTERS 16
#define CL_MAX_SEEN 8 /* counters the agent reads around each workload step: the first 8 */
#define CL_MAX_MAKE_VARS 16
#define CL_MAX_MODULES 16
#define CL_MAX_PREBUILT 32   /* kernels with prebuilt modules */
#define CL_MAX_PACKAGES 16

struct cl_content_spec {
	char *name;
	char *file;          /* absolute or relative to cwd, resolved */
	char *install_path;  /* absolute path in the guest */
	char *reported_as;   /* status key with the loaded digest, or NULL */
	char *update_via;    /* live update: not installed at boot; delivered by a scenario
			      * "update" step, which writes install_path to this guest
			      * file (e.g. /proc/clsensor_update); NULL for boot content */
	char sha256[CL_SHA256_HEX];
	long size;
};

#define CL_MAX_INSTALL_FILES 8
#define CL_MAX_UNITS 4

enum cl_load { CL_LOAD_MODULES_LOAD = 0, CL_LOAD_UNITS };

struct cl_unit {
	char *name;          /* unit file name */
	char *file;          /* host path, resolved */
	char *wanted_by;     /* target that pulls it in */
};

struct cl_install_file {
	char *file;          /* host path, resolved */
	char *path;          /* absolute guest path */
	int mode;
};

/*
 * Evidence the candidate gives by a command run in the guest after the
 * workload (any vendor's: its own CLI, a status query): its output, as
 * "key=value" lines or one flat JSON object, and the conditions a pass
 * needs on it (or on the status file's keys):
 *
 *   "evidence": { "command": { "run": ["sh", "-c", "..."], "timeout_s": 60 },
 *                 "require": [ { "key": "events", "at_least": 1 },
 *                              { "key": "state", "equals": "running" },
 *                              { "key": "content", "equals_sha256_of": "channel-291" } ] }
 *
 * "status_file" and "counters" may be left out when there is a command.
 */
#define CL_MAX_EVIDENCE_ARGS 8
#define CL_MAX_REQUIRE 16
enum cl_require_op { CL_REQ_AT_LEAST, CL_REQ_EQUALS, CL_REQ_EQUALS_DIGEST };
struct cl_require {
	char *key;
	enum cl_require_op op;
	long long at_least;  /* CL_REQ_AT_LEAST */
	char *equals;        /* CL_REQ_EQUALS: the value; CL_REQ_EQUALS_DIGEST: the content's sha256 */
	int content;         /* CL_REQ_EQUALS_DIGEST: index into content[] */
};

/* Malformed content derived from boot content entry @content (--mutants):
 * installed in its place and the module loaded again; see cl_mutants.h. */
#define CL_MAX_MUTANT_FILES 64
struct cl_mutant_file {
	char *name;          /* "CONTENT.MUTANT", as the agent and the report say it */
	char *file;          /* written under the run's directory (OUT/mutants/) */
	char *what;          /* what was changed */
	int content;         /* index into content[] */
	char sha256[CL_SHA256_HEX];
};

/* The modules a vendor built for one kernel release (manifest v2 "prebuilt"). */
struct cl_prebuilt {
	char *release;
	char *name[CL_MAX_MODULES];          /* file name without .ko */
	char *file[CL_MAX_MODULES];          /* host path, resolved, digest checked */
	char sha256[CL_MAX_MODULES][CL_SHA256_HEX];
	int n;
};

struct cl_candidate {
	char *path;
	char *name;
	char *version;
	char *module_name;                 /* the first module loaded; NULL: none (BPF alone) */
	char *module_source;               /* kbuild: resolved directory; NULL with dkms */
	char *module_args;                 /* may be "" */
	/* modules the OS loads, in order, with their parameters (kbuild: one) */
	char *mods[CL_MAX_MODULES];
	char *mods_args[CL_MAX_MODULES];
	int nmods;
	/* DKMS source (v2): a tree, a .deb file, or a package fetched by
	 * cl_dkms_fetch(); dkms_source is the tree or the .deb once known */
	char *dkms_source;
	char *dkms_package;                /* "NAME=VERSION" to fetch, or NULL */
	char dkms_sha256[CL_SHA256_HEX];   /* of the .deb; "" for a tree */
	struct cl_prebuilt prebuilt[CL_MAX_PREBUILT]; /* v2: modules per kernel release */
	int nprebuilt;
	int from_packages;                 /* v2: the modules come in its own packages */
	int loaded_by_service;             /* v2: its own service loads them, not modules-load.d */
	char *image;                       /* image kind the candidate needs, or NULL */
	char *packages[CL_MAX_PACKAGES];   /* Debian packages for its user space: names,
					    * or a vendor's .deb files (absolute paths) */
	char package_sha256[CL_MAX_PACKAGES][CL_SHA256_HEX]; /* a .deb file's, checked; else "" */
	int npackages;
	char *make_vars[CL_MAX_MAKE_VARS]; /* "KEY=VALUE" */
	int nmake_vars;
	struct cl_content_spec content[CL_MAX_CONTENT];
	int ncontent;
	int manifest_version;              /* 1, or 2 */
	char *status_file;                 /* guest path the agent reports, or NULL */
	char *counters[CL_MAX_COUNTERS];
	int ncounters;
	char *evidence_argv[CL_MAX_EVIDENCE_ARGS + 1]; /* NULL-terminated; [0] NULL: none */
	int evidence_timeout_s;
	struct cl_require require[CL_MAX_REQUIRE];
	int nrequire;
	/* persistent install (disk images) */
	enum cl_load load;
	struct cl_unit units[CL_MAX_UNITS];  /* CL_LOAD_UNITS */
	int nunits;
	struct cl_install_file files[CL_MAX_INSTALL_FILES];
	int nfiles;
	/* v2: BPF programs it must have loaded and attached (cl_bpf_manifest.h) */
	struct cl_bpf_manifest bpf;
	/* static checks before any VM (cl_preflight.h) */
	struct cl_preflight_step preflight[CL_MAX_PREFLIGHT];
	int npreflight;
	/* not in the manifest: the events that exercise every instance of the
	 * content entries in the reference sensor's format (cl_coverage.h) */
	struct cl_cov_plan coverage;
	int coverage_known;                /* content entries of that format */
	/* not in the manifest: load with CL_CAND_RECORD_DIGESTS */
	int record_digests;
	/* not in the manifest: what --mutants derived for this run */
	struct cl_mutant_file mutants[CL_MAX_MUTANT_FILES];
	int nmutants;
};

/*
 * Content entry @name's bytes are those of @file from now on (crashlab
 * minimize runs each reduced content so): its digest is that file's, and
 * the report records that digest, so a statement made of the run is about
 * those bytes, never the manifest's. CL_EINPUT: no such entry or file.
 */
int cl_candidate_use_content(struct cl_candidate *c, const char *name, const char *file);
/* Parse @path and verify every content digest. CL_EINPUT on any problem. */
int cl_candidate_load(struct cl_candidate **out, const char *path);
/*
 * The gate's load: every file's digest is the one of the bytes found, kept
 * without comparing it with the manifest's (the gate compares every digest
 * with the signed statement, and names the file that differs).
 */
#define CL_CAND_RECORD_DIGESTS 1
int cl_candidate_load_flags(struct cl_candidate **out, const char *path, int flags);
void cl_candidate_free(struct cl_candidate *c);
/*
 * Derive up to @max mutants (cl_mutants.h) of each boot content entry, in
 * order, at most CL_MAX_MUTANT_FILES in all; write them to @dir/mutants/
 * and list them in c->mutants. CL_EINPUT when the candidate has no boot
 * content; CL_EINFRA when a file cannot be written.
 */
int cl_candidate_mutate(struct cl_candidate *c, const char *dir, int max);

/*
 * Cells in the image kind the candidate needs: a candidate with user space
 * or DKMS modules ("image": "disk", or "module.dkms") turns the matrix's
 * initramfs cells into disk cells; a cell of another kind it cannot run in
 * is CL_EINPUT naming the matrix. Qualify fits its matrix before planning;
 * the gate fits the release's matrix the same way before comparing cells.
 */
struct cl_matrix;
int cl_candidate_fit_matrix(struct cl_matrix *m, const struct cl_candidate *c);

#endif
