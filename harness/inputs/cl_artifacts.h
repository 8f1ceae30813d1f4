/*
 * cl_artifacts.h - every file a candidate ships, by kind, name and sha256.
 *
 * The signed statement binds these and the gate hashes them again from the
 * bytes about to ship, so both must list the same files the same way: this
 * is the one place that walks a candidate for them. A kind is a row of a
 * table (cl_artifacts.c): the manifest itself, each content file, every file
 * of a kbuild or DKMS source tree, a DKMS package fetched by name, each
 * prebuilt module, each vendor .deb, each install file and unit.
 *
 * Names are what the statement calls a file: a path relative to the
 * manifest's directory when the file lies under it (so a gate run from
 * another checkout of the same tree finds the same names), else the absolute
 * path; a content file is named by its manifest name, a package by its file
 * name, a prebuilt module by RELEASE/FILE.ko.
 */
#ifndef CL_ARTIFACTS_H
#define CL_ARTIFACTS_H

#include "cl_sha256.h"

#include <jansson.h>

struct cl_candidate;

enum cl_artifact_kind {
	CL_ART_MANIFEST = 0,
	CL_ART_CONTENT,
	CL_ART_SOURCE_FILE,   /* a file of the kbuild module source */
	CL_ART_DKMS_FILE,     /* a file of a DKMS source tree */
	CL_ART_DKMS_DEB,      /* a DKMS source as a .deb (a vendor's, or fetched by name) */
	CL_ART_PREBUILT,      /* a module the vendor built for one kernel */
	CL_ART_PACKAGE,       /* a vendor's .deb installed in the image */
	CL_ART_INSTALL_FILE,
	CL_ART_UNIT,
	CL_ART_LAST
};

struct cl_artifact {
	enum cl_artifact_kind kind;
	char *name;                /* see above; unique within its kind */
	char *file;                /* the host path it was read from (NULL: fetched by name) */
	char sha256[CL_SHA256_HEX];
};

struct cl_artifacts {
	struct cl_artifact *v;     /* owned */
	int n, alloc;
};

/*
 * Every artifact of @c, hashed now from the files on disk (content, prebuilt
 * modules and vendor packages take the digests the loader computed from the
 * bytes it read). 0, or CL_EINPUT naming a file that cannot be read.
 */
int cl_artifacts_of(struct cl_artifacts *out, const struct cl_candidate *c);
void cl_artifacts_clear(struct cl_artifacts *a);

/* "manifest", "content", "module_source_file", ... (the report's "kind"). */
const char *cl_artifacts_kind_name(enum cl_artifact_kind k);
/* The kind named @name, or -1: only the kinds listed here, not "module". */
int cl_artifacts_kind_parse(const char *name);

/* One report entry { kind, name, file, sha256 } (a new reference). */
json_t *cl_artifacts_json(const struct cl_artifact *a);

/*
 * The sorted names of the regular files directly in @dir (a kbuild source is
 * flat); hidden files skipped. Caller frees each and the array.
 */
int cl_artifacts_source_files(char ***out, int *n, const char *dir);

#endif
