/*
 * cl_artifacts.c - a candidate's files by kind, name and digest (see
 * cl_artifacts.h). Each kind is a row of the table at the bottom: its name
 * in the report and the function that lists its files. A new kind of
 * shipped file is a new row, and the statement and the gate both see it.
 */
#include "cl_artifacts.h"
#include "cl_candidate.h"
#include "cl_util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The manifest's directory, resolved, for relative names. */
struct walk {
	struct cl_artifacts *out;
	const struct cl_candidate *c;
	char *dir;
};

static void add(struct cl_artifacts *a, enum cl_artifact_kind kind, const char *name,
		const char *file, const char *sha)
{
	struct cl_artifact *x;

	if (a->n == a->alloc) {
		a->alloc = a->alloc ? a->alloc * 2 : 16;
		a->v = realloc(a->v, sizeof(*a->v) * (size_t)a->alloc);
		if (!a->v)
			abort();
	}
	x = &a->v[a->n++];
	x->kind = kind;
	x->name = cl_xstrdup(name);
	x->file = file ? cl_xstrdup(file) : NULL;
	snprintf(x->sha256, sizeof(x->sha256), "%s", sha);
}

/* @path relative to @w's directory when it lies under it, else absolute (new string). */
static char *rel_name(const struct walk *w, const char *path)
{
	char *abs = realpath(path, NULL), *name;
	size_t n = w->dir ? strlen(w->dir) : 0;

	if (!abs)
		return cl_xstrdup(path);
	if (n && !strncmp(abs, w->dir, n) && abs[n] == '/')
		name = cl_xstrdup(abs + n + 1);
	else
		name = cl_xstrdup(abs);
	free(abs);
	return name;
}

/* A file hashed now, named by its path. */
static int add_file(struct walk *w, enum cl_artifact_kind kind, const char *path)
{
	char sha[CL_SHA256_HEX], *name;

	if (cl_sha256_file(sha, path))
		return cl_err_set(CL_EINPUT, "%s: %s", w->c->path, cl_err());
	name = rel_name(w, path);
	add(w->out, kind, name, path, sha);
	free(name);
	return 0;
}

static int manifest(struct walk *w)
{
	return add_file(w, CL_ART_MANIFEST, w->c->path);
}

static int content(struct walk *w)
{
	for (int i = 0; i < w->c->ncontent; i++) {
		const struct cl_content_spec *cs = &w->c->content[i];

		add(w->out, CL_ART_CONTENT, cs->name, cs->file, cs->sha256);
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cl_artifacts_source_files(char ***out, int *n, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	int count = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return cl_err_set(CL_EINPUT, "%s: cannot open: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		p = cl_path_join(dir, e->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			names = realloc(names, sizeof(*names) * (size_t)(count + 1));
			if (!names)
				abort();
			names[count++] = cl_xstrdup(e->d_name);
		}
		free(p);
	}
	closedir(d);
	qsort(names, (size_t)count, sizeof(*names), name_cmp);
	*out = names;
	*n = count;
	return 0;
}

static int kbuild_source(struct walk *w)
{
	char **names;
	int n, i, rc;

	if (!w->c->module_source)
		return 0;
	if ((rc = cl_artifacts_source_files(&names, &n, w->c->module_source)))
		return rc;
	for (i = 0; i < n; i++) {
		char *p = cl_path_join(w->c->module_source, names[i]);

		rc = rc ? rc : add_file(w, CL_ART_SOURCE_FILE, p);
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* nftw has no context argument: the walk in progress (one at a time). */
static _Thread_local struct walk *tree_walk;
static _Thread_local int tree_rc;

static int tree_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_F && S_ISREG(st->st_mode))
		tree_rc = add_file(tree_walk, CL_ART_DKMS_FILE, path);
	else if (type == FTW_DNR || type == FTW_NS)
		tree_rc = cl_err_set(CL_EINPUT, "%s: cannot read", path);
	return tree_rc;
}

static int by_name(const void *a, const void *b)
{
	const struct cl_artifact *x = a, *y = b;

	return x->kind != y->kind ? (int)x->kind - (int)y->kind : strcmp(x->name, y->name);
}

/* A DKMS source: every regular file of its tree (in name order), or its .deb. */
static int dkms_source(struct walk *w)
{
	const struct cl_candidate *c = w->c;
	struct stat st;
	int first = w->out->n;

	if (c->dkms_package && !c->dkms_source) /* not fetched yet: its manifest digest */
		add(w->out, CL_ART_DKMS_DEB, c->dkms_package, NULL, c->dkms_sha256);
	if (!c->dkms_source)
		return 0;
	if (stat(c->dkms_source, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *name = c->dkms_package ? cl_xstrdup(c->dkms_package) : rel_name(w, c->dkms_source);

		add(w->out, CL_ART_DKMS_DEB, name, c->dkms_source, c->dkms_sha256);
		free(name);
		return 0;
	}
	tree_walk = w;
	tree_rc = 0;
	if (nftw(c->dkms_source, tree_entry, 16, FTW_PHYS) != 0 && tree_rc == 0)
		tree_rc = cl_err_set(CL_EINPUT, "%s: cannot read: %s", c->dkms_source, strerror(errno));
	qsort(w->out->v + first, (size_t)(w->out->n - first), sizeof(*w->out->v), by_name);
	return tree_rc;
}

static int prebuilt(struct walk *w)
{
	for (int i = 0; i < w->c->nprebuilt; i++) {
		const struct cl_prebuilt *p = &w->c->prebuilt[i];

		for (int k = 0; k < p->n; k++) {
			char *name = cl_sprintf("%s/%s.ko", p->release, p->name[k]);

			add(w->out, CL_ART_PREBUILT, name, p->file[k], p->sha256[k]);
			free(name);
		}
	}
	return 0;
}

static int packages(struct walk *w)
{
	for (int i = 0; i < w->c->npackages; i++) {
		const char *f = w->c->packages[i], *base = strrchr(f, '/');

		if (w->c->package_sha256[i][0]) /* a vendor's own .deb, by its bytes */
			add(w->out, CL_ART_PACKAGE, base ? base + 1 : f, f, w->c->package_sha256[i]);
	}
	return 0;
}

static int install_files(struct walk *w)
{
	int rc = 0;

	for (int i = 0; i < w->c->nfiles && rc == 0; i++)
		rc = add_file(w, CL_ART_INSTALL_FILE, w->c->files[i].file);
	return rc;
}

static int units(struct walk *w)
{
	int rc = 0;

	for (int i = 0; i < w->c->nunits && rc == 0; i++)
		rc = add_file(w, CL_ART_UNIT, w->c->units[i].file);
	return rc;
}

static const struct {
	const char *name;
	int (*list)(struct walk *w);
} kinds[] = {
	[CL_ART_MANIFEST] = { "manifest", manifest },
	[CL_ART_CONTENT] = { "content", content },
	[CL_ART_SOURCE_FILE] = { "module_source_file", kbuild_source },
	[CL_ART_DKMS_FILE] = { "dkms_source_file", dkms_source },
	[CL_ART_DKMS_DEB] = { "dkms_package", NULL }, /* listed by dkms_source */
	[CL_ART_PREBUILT] = { "prebuilt_module", prebuilt },
	[CL_ART_PACKAGE] = { "package", packages },
	[CL_ART_INSTALL_FILE] = { "install_file", install_files },
	[CL_ART_UNIT] = { "unit", units },
};
_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == CL_ART_LAST, "a row per artifact kind");

const char *cl_artifacts_kind_name(enum cl_artifact_kind k)
{
	return k >= 0 && k < CL_ART_LAST ? kinds[k].name : "unknown";
}

int cl_artifacts_kind_parse(const char *name)
{
	for (int k = 0; name && k < CL_ART_LAST; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

int cl_artifacts_of(struct cl_artifacts *out, const struct cl_candidate *c)
{
	char *d = cl_dirname(c->path);
	struct walk w = { .out = out, .c = c, .dir = realpath(d, NULL) };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (int k = 0; k < CL_ART_LAST && rc == 0; k++)
		if (kinds[k].list)
			rc = kinds[k].list(&w);
	free(w.dir);
	free(d);
	if (rc)
		cl_artifacts_clear(out);
	return rc;
}

void cl_artifacts_clear(struct cl_artifacts *a)
{
	for (int i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].file);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

json_t *cl_artifacts_json(const struct cl_artifact *a)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "kind", cl_artifacts_kind_name(a->kind), "name",
			      a->name, "sha256", a->sha256);

	json_object_set_new(j, "file", a->file ? json_string(a->file) : json_null());
	return j;
}
