/*
 * cl_candidate.c - candidate manifest parser (format in cl_candidate.h). It
 * refuses a manifest whose content bytes do not match their declared sha256,
 * so what is qualified is provably what is published.
 */
#include "cl_candidate.h"
#include "cl_json.h"
#include "cl_matrix.h"
#include "cl_mutants.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * @cs's digest into @actual; content small enough to read whole is read
 * once, for the digest and for the events that exercise every instance
 * when it is in the format crashlab knows (cl_coverage.h).
 */
static int read_content(struct cl_candidate *c, const struct cl_content_spec *cs,
			char actual[CL_SHA256_HEX])
{
	char *data = NULL;
	size_t len;

	if (cs->size > (long)CL_MAX_MUTANT_BYTES)
		return cl_sha256_file(actual, cs->file);
	if (cl_read_file(&data, &len, cs->file, CL_MAX_MUTANT_BYTES))
		return CL_EINPUT;
	cl_sha256_hex(actual, data, len);
	c->coverage_known += cl_coverage_plan(&c->coverage, (const unsigned char *)data, len) == 0;
	free(data);
	return 0;
}

/* A content entry as the manifest writes it, borrowed from the JSON. */
struct content_in {
	const char *name, *file, *sha256, *install_path, *reported_as, *description, *update_via;
};

static const struct cl_json_field content_fields[] = {
	CL_JSON_FIELD(struct content_in, name, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct content_in, file, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct content_in, sha256, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct content_in, install_path, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct content_in, reported_as, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct content_in, description, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct content_in, update_via, CL_JSON_STRING, 0),
	{ 0 }
};

static int parse_content(struct cl_candidate *c, struct cl_content_spec *cs, const char *path,
			 const char *dir, json_t *j, int idx)
{
	struct content_in in = { 0 };
	char what[32], actual[CL_SHA256_HEX];
	struct stat st;
	int rc;

	snprintf(what, sizeof(what), "content[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, content_fields)))
		return rc;
	if (!cl_token_ok(in.name))
		return cl_err_set(CL_EINPUT, "%s: %s: name must be a plain name of [A-Za-z0-9._+-]",
				  path, what);
	if (in.update_via && !cl_token_guest_path(in.update_via))
		return cl_err_set(CL_EINPUT, "%s: %s: update_via must be an absolute guest path", path,
				  what);
	if (!cl_is_sha256_hex(in.sha256))
		return cl_err_set(CL_EINPUT, "%s: %s: sha256 must be 64 lower-case hex digits",
				  path, what);
	if (!cl_token_guest_path(in.install_path))
		return cl_err_set(CL_EINPUT, "%s: %s: install_path must be an absolute guest path of [A-Za-z0-9/._+-]",
				  path, what);
	if (in.reported_as && !cl_token_ok(in.reported_as))
		return cl_err_set(CL_EINPUT, "%s: %s: reported_as must be a plain key", path, what);
	cs->name = cl_xstrdup(in.name);
	cs->file = cl_path_join(dir, in.file);
	cs->install_path = cl_xstrdup(in.install_path);
	cs->reported_as = in.reported_as ? cl_xstrdup(in.reported_as) : NULL;
	cs->update_via = in.update_via ? cl_xstrdup(in.update_via) : NULL;
	if (stat(cs->file, &st) != 0 || !S_ISREG(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: %s: content file %s does not exist", path, what,
				  cs->file);
	cs->size = (long)st.st_size;
	if (read_content(c, cs, actual))
		return CL_EINPUT;
	if (strcmp(actual, in.sha256) != 0 && !c->record_digests)
		return cl_err_set(CL_EINPUT, "%s: %s: wrong digest: %s has sha256 %s, manifest says %s",
				  path, what, cs->file, actual, in.sha256);
	memcpy(cs->sha256, actual, sizeof(actual));
	return 0;
}

/* "make_vars" of a kbuild module: plain KEY=VALUE words for make. */
static int parse_make_vars(struct cl_candidate *c, const char *path, json_t *vars)
{
	const char *key;
	json_t *v;

	json_object_foreach(vars, key, v) {
		if (c->nmake_vars == CL_MAX_MAKE_VARS)
			return cl_err_set(CL_EINPUT, "%s: module: too many make_vars", path);
		if (!cl_token_ok(key) || !json_is_string(v) || !cl_token_ok(json_string_value(v)))
			return cl_err_set(CL_EINPUT, "%s: module: make_vars \"%s\" must be a plain string",
					  path, key);
		c->make_vars[c->nmake_vars++] = cl_sprintf("%s=%s", key, json_string_value(v));
	}
	return 0;
}

/*
 * @file (named in the manifest at @what) is there and its bytes hash to @sha
 * (unless @c only records the digests it finds).
 */
static int file_digest_is(const struct cl_candidate *c, char actual[CL_SHA256_HEX],
			  const char *path, const char *what, const char *file, const char *sha)
{
	if (cl_sha256_file(actual, file))
		return cl_err_set(CL_EINPUT, "%s: %s: file %s does not exist", path, what, file);
	if (strcmp(actual, sha) && !c->record_digests)
		return cl_err_set(CL_EINPUT, "%s: %s: wrong digest: %s has sha256 %s, manifest says %s",
				  path, what, file, actual, sha);
	return 0;
}

static int add_load(struct cl_candidate *c, const char *path, const char *name, const char *args)
{
	if (c->nmods == CL_MAX_MODULES)
		return cl_err_set(CL_EINPUT, "%s: module: at most %d modules to load", path,
				  CL_MAX_MODULES);
	if (!cl_token_ok(name))
		return cl_err_set(CL_EINPUT, "%s: module: \"%s\" is not a plain module name", path,
				  name);
	if (strchr(args, '\n') || strlen(args) > 400)
		return cl_err_set(CL_EINPUT, "%s: module %s: args must be one line", path, name);
	c->mods[c->nmods] = cl_xstrdup(name);
	c->mods_args[c->nmods++] = cl_xstrdup(args);
	return 0;
}

/* An entry of "load" written as an object. */
struct load_in {
	const char *name, *args;
};

static const struct cl_json_field load_fields[] = {
	CL_JSON_FIELD(struct load_in, name, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct load_in, args, CL_JSON_STRING, 0),
	{ 0 }
};

/* "load": the modules in the order the OS loads them, names or { name, args }. */
static int parse_load(struct cl_candidate *c, const char *path, json_t *load)
{
	char what[40];
	json_t *v;
	size_t i;
	int rc;

	if (json_array_size(load) == 0)
		return cl_err_set(CL_EINPUT, "%s: module: load must list at least one module", path);
	json_array_foreach(load, i, v) {
		struct load_in in = { .name = json_string_value(v), .args = "" };

		snprintf(what, sizeof(what), "module.load[%zu]", i);
		if (!in.name && !json_is_object(v))
			return cl_err_set(CL_EINPUT, "%s: module: load[%zu] must be a name or { \"name\", \"args\" }",
					  path, i);
		if ((!in.name && (rc = cl_json_fields(&in, path, what, v, load_fields))) ||
		    (rc = add_load(c, path, in.name, in.args)))
			return rc;
	}
	return 0;
}

/* "dkms" as the manifest writes it, borrowed from the JSON. */
struct dkms_in {
	const char *tree, *file, *package, *version, *sha256;
};

static const struct cl_json_field dkms_fields[] = {
	CL_JSON_FIELD(struct dkms_in, tree, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct dkms_in, file, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct dkms_in, package, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct dkms_in, version, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct dkms_in, sha256, CL_JSON_STRING, 0),
	{ 0 }
};

/* "dkms": { "tree": DIR } | { "file": DEB, "sha256" } | { "package", "version", "sha256" } */
static int parse_dkms(struct cl_candidate *c, const char *path, const char *dir, json_t *d)
{
	struct dkms_in in = { 0 };
	const char *sha;
	char actual[CL_SHA256_HEX];
	struct stat st;
	int rc;

	if ((rc = cl_json_fields(&in, path, "module.dkms", d, dkms_fields)))
		return rc;
	sha = in.sha256;
	if (!!in.tree + !!in.file + !!in.package != 1 || !!in.package != !!in.version ||
	    !in.tree != !!sha)
		return cl_err_set(CL_EINPUT, "%s: module.dkms: needs a \"tree\", a \"file\" and its "
				  "\"sha256\", or a \"package\", its \"version\" and \"sha256\"", path);
	if (sha && !cl_is_sha256_hex(sha))
		return cl_err_set(CL_EINPUT, "%s: module.dkms: sha256 must be 64 lower-case hex digits",
				  path);
	if (in.package && (!cl_token_ok(in.package) || *in.package == '-' || /* an apt-get option */
			   in.version[strspn(in.version, "0123456789.+~:-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")]))
		return cl_err_set(CL_EINPUT, "%s: module.dkms: package and version must be plain words",
				  path);
	snprintf(c->dkms_sha256, sizeof(c->dkms_sha256), "%s", sha ? sha : "");
	if (in.package) {
		c->dkms_package = cl_sprintf("%s=%s", in.package, in.version);
		return 0;
	}
	c->dkms_source = cl_path_join(dir, in.tree ? in.tree : in.file);
	if (in.tree && (stat(c->dkms_source, &st) != 0 || !S_ISDIR(st.st_mode)))
		return cl_err_set(CL_EINPUT, "%s: module.dkms: tree %s is not a directory", path,
				  c->dkms_source);
	if (in.tree || (rc = file_digest_is(c, actual, path, "module.dkms", c->dkms_source, sha)))
		return rc;
	memcpy(c->dkms_sha256, actual, sizeof(actual));
	return 0;
}

/* A { "file", "sha256" } entry (prebuilt modules, vendor packages). */
struct file_entry_in {
	const char *file, *sha256;
};

static const struct cl_json_field file_entry_fields[] = {
	CL_JSON_FIELD(struct file_entry_in, file, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct file_entry_in, sha256, CL_JSON_STRING, 1),
	{ 0 }
};

/*
 * A file the manifest names by { "file", "sha256" } at @what: its name ends
 * in @ext, it is there (resolved against @dir into *out, which the caller
 * frees) and its bytes hash to "sha256" (into @actual).
 */
static int parse_file_entry(const struct cl_candidate *c, char **out, char actual[CL_SHA256_HEX],
			    const char *path, const char *what, const char *dir, json_t *j,
			    const char *ext)
{
	struct file_entry_in in;
	size_t len, elen = strlen(ext);
	int rc;

	*out = NULL;
	if (!json_is_object(j))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object { \"file\", \"sha256\" }", path,
				  what);
	if ((rc = cl_json_fields(&in, path, what, j, file_entry_fields)))
		return rc;
	len = strlen(in.file);
	if (len <= elen || strcmp(in.file + len - elen, ext) || in.file[len - elen - 1] == '/')
		return cl_err_set(CL_EINPUT, "%s: %s: %s is not a %s file", path, what, in.file, ext);
	*out = cl_path_join(dir, in.file);
	return file_digest_is(c, actual, path, what, *out, in.sha256);
}

/* One prebuilt module: a .ko named after the module, its bytes as the manifest says. */
static int parse_prebuilt_file(const struct cl_candidate *c, struct cl_prebuilt *p, const char *path,
			       const char *dir, json_t *j)
{
	char actual[CL_SHA256_HEX], what[96];
	const char *base;
	int rc;

	snprintf(what, sizeof(what), "module.prebuilt.%.64s[%d]", p->release, p->n);
	if (p->n == CL_MAX_MODULES)
		return cl_err_set(CL_EINPUT, "%s: %s: at most %d modules", path, what, CL_MAX_MODULES);
	rc = parse_file_entry(c, &p->file[p->n], actual, path, what, dir, j, ".ko");
	if (!p->file[p->n])
		return rc;
	base = strrchr(p->file[p->n], '/') + 1; /* joined with a directory: there is one */
	p->name[p->n] = cl_sprintf("%.*s", (int)(strlen(base) - 3), base);
	if (!cl_token_ok(p->name[p->n++]))
		return cl_err_set(CL_EINPUT, "%s: %s: %s is not a plain module name", path, what, base);
	if (rc == 0)
		memcpy(p->sha256[p->n - 1], actual, CL_SHA256_HEX);
	return rc;
}

/* "prebuilt": { RELEASE: [ { "file", "sha256" }, ... ], ... } */
static int parse_prebuilt(struct cl_candidate *c, const char *path, const char *dir, json_t *pb)
{
	const char *release;
	json_t *list, *v;
	size_t i;
	int rc;

	if (json_object_size(pb) == 0 || json_object_size(pb) > CL_MAX_PREBUILT)
		return cl_err_set(CL_EINPUT, "%s: module.prebuilt: 1 to %d kernel releases", path,
				  CL_MAX_PREBUILT);
	json_object_foreach(pb, release, list) {
		struct cl_prebuilt *p = &c->prebuilt[c->nprebuilt++];

		p->release = cl_xstrdup(release);
		if (!cl_token_ok(release) || !json_is_array(list) || json_array_size(list) == 0)
			return cl_err_set(CL_EINPUT, "%s: module.prebuilt: \"%.64s\" must be a kernel "
					  "release with a list of modules", path, release);
		json_array_foreach(list, i, v)
			if ((rc = parse_prebuilt_file(c, p, path, dir, v)))
				return rc;
	}
	return 0;
}

/* "module" as the manifest writes it, borrowed from the JSON. */
struct module_in {
	const char *name, *source, *args;   /* a kbuild source */
	json_t *make_vars;
	json_t *dkms, *prebuilt;            /* or modules listed in "load" */
	int from_packages;                  /* -1 when absent */
	json_t *load;
	const char *loaded_by;              /* "os" (the default) or "service" */
};

static const struct cl_json_field module_fields[] = {
	CL_JSON_FIELD(struct module_in, name, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct module_in, source, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct module_in, make_vars, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct module_in, args, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct module_in, dkms, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct module_in, prebuilt, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct module_in, from_packages, CL_JSON_BOOL, 0),
	CL_JSON_FIELD(struct module_in, load, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct module_in, loaded_by, CL_JSON_STRING, 0),
	{ 0 }
};

/* A kbuild source built by crashlab, and the one module it makes. */
static int parse_kbuild(struct cl_candidate *c, const char *path, const char *dir,
			const struct module_in *in)
{
	struct stat st;
	int rc;

	if (!in->name || !in->source)
		return cl_err_set(CL_EINPUT, "%s: module: missing \"%s\"", path,
				  in->name ? "source" : "name");
	if ((rc = add_load(c, path, in->name, in->args ? in->args : "")))
		return rc;
	c->module_source = cl_path_join(dir, in->source);
	if (stat(c->module_source, &st) != 0 || !S_ISDIR(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: module: source directory %s does not exist", path,
				  c->module_source);
	return in->make_vars ? parse_make_vars(c, path, in->make_vars) : 0;
}

static int parse_module(struct cl_candidate *c, const char *path, const char *dir, json_t *m)
{
	struct module_in in = { .from_packages = -1 };
	int rc, listed;

	if ((rc = cl_json_fields(&in, path, "module", m, module_fields)))
		return rc;
	if (in.from_packages == 0)
		return cl_err_set(CL_EINPUT, "%s: module: from_packages can only be true", path);
	c->from_packages = in.from_packages == 1;
	listed = !!in.dkms + !!in.prebuilt + c->from_packages; /* modules the OS loads from a "load" list */
	if (listed > 1 ||
	    (listed && (in.source || in.make_vars || in.name || in.args || !in.load)))
		return cl_err_set(CL_EINPUT, "%s: module: a \"dkms\" source, \"prebuilt\" modules or "
				  "modules \"from_packages\" (one of them) are loaded by a \"load\" list "
				  "(no name, source, args or make_vars)", path);
	if (!listed && in.load)
		return cl_err_set(CL_EINPUT, "%s: module: \"load\" lists the modules of a \"dkms\" source "
				  "or \"prebuilt\" modules", path);
	if (listed && c->manifest_version < 2)
		return cl_err_set(CL_EINPUT, "%s: module: \"dkms\", \"prebuilt\" and \"from_packages\" "
				  "need \"manifest_version\": 2", path);
	/* a vendor's service loads them (after the file systems, say): checked loaded all the same */
	if (in.loaded_by && (strcmp(in.loaded_by, "service") || !listed))
		return cl_err_set(CL_EINPUT, "%s: module: loaded_by can only be \"service\", for a "
				  "\"load\" list whose modules an \"install.units\" service loads",
				  path);
	c->loaded_by_service = in.loaded_by != NULL;
	rc = in.dkms ? parse_dkms(c, path, dir, in.dkms)
	     : in.prebuilt ? parse_prebuilt(c, path, dir, in.prebuilt)
	     : c->from_packages ? 0 : parse_kbuild(c, path, dir, &in);
	if (rc == 0 && listed)
		rc = parse_load(c, path, in.load);
	if (rc == 0) {
		c->module_name = cl_xstrdup(c->mods[0]);
		c->module_args = cl_xstrdup(c->mods_args[0]);
	}
	return rc;
}

/* A vendor's package { "file": DEB, "sha256" }, kept by its absolute path. */
static int parse_deb_file(struct cl_candidate *c, const char *path, const char *dir, json_t *j,
			  size_t idx)
{
	char what[32], actual[CL_SHA256_HEX], *file, *abs;
	int rc;

	snprintf(what, sizeof(what), "packages[%zu]", idx);
	rc = parse_file_entry(c, &file, actual, path, what, dir, j, ".deb");
	if (rc) {
		free(file);
		return rc;
	}
	abs = realpath(file, NULL); /* mmdebstrap is handed the path: absolute */
	c->packages[c->npackages] = abs ? abs : file;
	if (abs)
		free(file);
	memcpy(c->package_sha256[c->npackages++], actual, CL_SHA256_HEX);
	return 0;
}

/* "image" and "packages": what the candidate's user space needs (v2). */
static int parse_needs(struct cl_candidate *c, const char *path, const char *dir,
		       const char *image, json_t *pkgs)
{
	json_t *v;
	size_t i;
	int rc;

	if ((image || pkgs) && c->manifest_version < 2)
		return cl_err_set(CL_EINPUT, "%s: \"image\" and \"packages\" need \"manifest_version\": 2",
				  path);
	if (image && strcmp(image, "disk"))
		return cl_err_set(CL_EINPUT, "%s: image: a candidate can need \"disk\" (or nothing)", path);
	if (pkgs && !image)
		return cl_err_set(CL_EINPUT, "%s: packages are installed into disk images: add \"image\": \"disk\"",
				  path);
	c->image = image ? cl_xstrdup(image) : NULL;
	json_array_foreach(pkgs, i, v) {
		const char *p = json_string_value(v);

		if (c->npackages == CL_MAX_PACKAGES || (!p && !json_is_object(v)) ||
		    (p && (!cl_token_ok(p) || *p == '-')))
			return cl_err_set(CL_EINPUT, "%s: packages[%zu] must be a Debian package name or "
					  "{ \"file\", \"sha256\" } (at most %d)", path, i, CL_MAX_PACKAGES);
		if (p)
			c->packages[c->npackages++] = cl_xstrdup(p);
		else if ((rc = parse_deb_file(c, path, dir, v, i)))
			return rc;
	}
	for (i = 0; c->from_packages && i < (size_t)c->npackages && !c->package_sha256[i][0]; i++)
		;
	if (c->from_packages && i == (size_t)c->npackages)
		return cl_err_set(CL_EINPUT, "%s: module: from_packages needs the vendor's own package "
				  "in \"packages\" ({ \"file\", \"sha256\" })", path);
	return 0;
}

/* A condition of "evidence.require", borrowed from the JSON. */
struct require_in {
	const char *key;
	long at_least;                       /* -1 when absent */
	const char *equals, *equals_sha256_of;
};

static const struct cl_json_field require_fields[] = {
	CL_JSON_FIELD(struct require_in, key, CL_JSON_STRING, 1),
	CL_JSON_RANGE(struct require_in, at_least, 0, 0, 1L << 62),
	CL_JSON_FIELD(struct require_in, equals, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct require_in, equals_sha256_of, CL_JSON_STRING, 0),
	{ 0 }
};

/* One condition of "require"; the content it names must be parsed already. */
static int parse_require(struct cl_candidate *c, struct cl_require *r, const char *path, json_t *j,
			 int idx)
{
	struct require_in in = { .at_least = -1 };
	const char *of;
	char what[32];
	int rc, k;

	snprintf(what, sizeof(what), "evidence.require[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, require_fields)))
		return rc;
	of = in.equals_sha256_of;
	if (!cl_token_ok(in.key) || strlen(in.key) >= 48)
		return cl_err_set(CL_EINPUT, "%s: %s: key must be a plain key", path, what);
	if ((in.at_least >= 0) + !!in.equals + !!of != 1)
		return cl_err_set(CL_EINPUT, "%s: %s: needs exactly one of at_least, equals, equals_sha256_of",
				  path, what);
	for (k = 0; of && k < c->ncontent && strcmp(c->content[k].name, of); k++)
		;
	if (of && k == c->ncontent)
		return cl_err_set(CL_EINPUT, "%s: %s: no content named \"%s\"", path, what, of);
	r->key = cl_xstrdup(in.key);
	r->op = in.at_least >= 0 ? CL_REQ_AT_LEAST : in.equals ? CL_REQ_EQUALS : CL_REQ_EQUALS_DIGEST;
	r->at_least = in.at_least;
	r->equals = cl_xstrdup(in.equals ? in.equals : of ? c->content[k].sha256 : "");
	r->content = of ? k : -1;
	return 0;
}

static int parse_counters(struct cl_candidate *c, const char *path, json_t *counters)
{
	json_t *v;
	size_t i;

	json_array_foreach(counters, i, v) {
		if (c->ncounters == CL_MAX_COUNTERS || !json_is_string(v) ||
		    !cl_token_ok(json_string_value(v)))
			return cl_err_set(CL_EINPUT, "%s: evidence: counters[%zu] must be a plain key (at most %d)",
					  path, i, CL_MAX_COUNTERS);
		c->counters[c->ncounters++] = cl_xstrdup(json_string_value(v));
	}
	return 0;
}

/* "evidence" as the manifest writes it, borrowed from the JSON. */
struct evidence_in {
	const char *status_file;
	json_t *counters, *command, *require;
};

static const struct cl_json_field evidence_fields[] = {
	CL_JSON_FIELD(struct evidence_in, status_file, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct evidence_in, counters, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct evidence_in, command, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct evidence_in, require, CL_JSON_ARRAY, 0),
	{ 0 }
};

/* "evidence", after "content" (a condition may name a content file). */
static int parse_evidence(struct cl_candidate *c, const char *path, json_t *e)
{
	struct evidence_in in = { 0 };
	json_t *v;
	size_t i;
	int rc;

	if ((rc = cl_json_fields(&in, path, "evidence", e, evidence_fields)))
		return rc;
	if (!in.status_file && !in.command)
		return cl_err_set(CL_EINPUT, "%s: evidence: needs a \"status_file\", a \"command\" or both",
				  path);
	if (in.status_file && !cl_token_guest_path(in.status_file))
		return cl_err_set(CL_EINPUT, "%s: evidence: status_file must be an absolute guest path",
				  path);
	if (in.counters && !in.status_file)
		return cl_err_set(CL_EINPUT, "%s: evidence: counters are read from a status_file", path);
	c->status_file = in.status_file ? cl_xstrdup(in.status_file) : NULL;
	if ((in.counters && (rc = parse_counters(c, path, in.counters))) ||
	    (in.command && (rc = cl_command_parse(c->evidence_argv, &c->evidence_timeout_s, path,
						   "evidence.command", in.command))))
		return rc;
	if (json_array_size(in.require) > CL_MAX_REQUIRE)
		return cl_err_set(CL_EINPUT, "%s: evidence.require: at most %d conditions", path,
				  CL_MAX_REQUIRE);
	json_array_foreach(in.require, i, v) {
		c->nrequire++;
		if ((rc = parse_require(c, &c->require[i], path, v, (int)i)))
			return rc;
	}
	return 0;
}

/* A host file named in the manifest, resolved against its directory; must exist. */
static int host_file(char **out, const char *path, const char *dir, const char *what,
		     const char *file)
{
	struct stat st;

	*out = cl_path_join(dir, file);
	if (stat(*out, &st) != 0 || !S_ISREG(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: %s: file %s does not exist", path, what, *out);
	return 0;
}

/* An entry of "install.files", borrowed from the JSON. */
struct install_file_in {
	const char *file, *path, *mode;
};

static const struct cl_json_field install_file_fields[] = {
	CL_JSON_FIELD(struct install_file_in, file, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct install_file_in, path, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct install_file_in, mode, CL_JSON_STRING, 0),
	{ 0 }
};

static int parse_install_file(struct cl_install_file *f, const char *path, const char *dir,
			      json_t *j, int idx)
{
	struct install_file_in in = { .mode = "0644" };
	char what[32], *end;
	long m;
	int rc;

	snprintf(what, sizeof(what), "install.files[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, install_file_fields)))
		return rc;
	m = strtol(in.mode, &end, 8);
	if (*end || end == in.mode || m < 0 || m > 07777)
		return cl_err_set(CL_EINPUT, "%s: %s: mode must be octal, e.g. \"0755\"", path, what);
	if (!cl_token_guest_path(in.path))
		return cl_err_set(CL_EINPUT, "%s: %s: path must be an absolute guest path", path, what);
	f->path = cl_xstrdup(in.path);
	f->mode = (int)m;
	return host_file(&f->file, path, dir, what, in.file);
}

/* An entry of "install.units", borrowed from the JSON. */
struct unit_in {
	const char *name, *file, *wanted_by;
};

static const struct cl_json_field unit_fields[] = {
	CL_JSON_FIELD(struct unit_in, name, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct unit_in, file, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct unit_in, wanted_by, CL_JSON_STRING, 0),
	{ 0 }
};

static int parse_unit(struct cl_unit *unit, const char *path, const char *dir, json_t *u,
		      int idx)
{
	struct unit_in in = { .wanted_by = "multi-user.target" };
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "install.units[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, u, unit_fields)))
		return rc;
	if (!cl_token_ok(in.name) || !strchr(in.name, '.') || !cl_token_ok(in.wanted_by))
		return cl_err_set(CL_EINPUT, "%s: %s: name and wanted_by must be unit names", path,
				  what);
	unit->name = cl_xstrdup(in.name);
	unit->wanted_by = cl_xstrdup(in.wanted_by);
	return host_file(&unit->file, path, dir, what, in.file);
}

/* "install" as the manifest writes it, borrowed from the JSON. */
struct install_in {
	const char *load;
	json_t *units, *files;
};

static const struct cl_json_field install_fields[] = {
	CL_JSON_FIELD(struct install_in, load, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct install_in, units, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct install_in, files, CL_JSON_ARRAY, 0),
	{ 0 }
};

static int parse_install(struct cl_candidate *c, const char *path, const char *dir, json_t *j)
{
	struct install_in in = { .load = "modules-load" };
	json_t *v;
	size_t i;
	int rc;

	if ((rc = cl_json_fields(&in, path, "install", j, install_fields)))
		return rc;
	if (!strcmp(in.load, "units"))
		c->load = CL_LOAD_UNITS;
	else if (strcmp(in.load, "modules-load"))
		return cl_err_set(CL_EINPUT, "%s: install: load must be \"modules-load\" or \"units\"",
				  path);
	/* v2: units beside modules-load are the candidate's user-space services */
	if ((c->load == CL_LOAD_UNITS && json_array_size(in.units) == 0) ||
	    (c->load != CL_LOAD_UNITS && json_array_size(in.units) > 0 && c->manifest_version < 2) ||
	    json_array_size(in.units) > CL_MAX_UNITS)
		return cl_err_set(CL_EINPUT, "%s: install: load \"units\" needs 1 to %d \"units\" (and "
				  "only it, before manifest_version 2)", path, CL_MAX_UNITS);
	json_array_foreach(in.units, i, v) {
		c->nunits++;
		if ((rc = parse_unit(&c->units[i], path, dir, v, (int)i)))
			return rc;
	}
	if (json_array_size(in.files) > CL_MAX_INSTALL_FILES)
		return cl_err_set(CL_EINPUT, "%s: install.files: at most %d files", path,
				  CL_MAX_INSTALL_FILES);
	json_array_foreach(in.files, i, v) {
		c->nfiles++;
		if ((rc = parse_install_file(&c->files[i], path, dir, v, (int)i)))
			return rc;
	}
	return 0;
}

/* A manifest's top level, borrowed from the JSON. */
struct manifest_in {
	long manifest_version;
	const char *name, *version, *description;
	json_t *module, *content, *evidence, *install, *preflight, *bpf;
	const char *image;
	json_t *packages;
};

static const struct cl_json_field manifest_fields[] = {
	CL_JSON_RANGE(struct manifest_in, manifest_version, 0, 1, 2),
	CL_JSON_FIELD(struct manifest_in, name, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct manifest_in, version, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct manifest_in, description, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct manifest_in, module, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct manifest_in, content, CL_JSON_ARRAY, 1),
	CL_JSON_FIELD(struct manifest_in, evidence, CL_JSON_OBJECT, 1),
	CL_JSON_FIELD(struct manifest_in, install, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct manifest_in, preflight, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct manifest_in, image, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct manifest_in, packages, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct manifest_in, bpf, CL_JSON_OBJECT, 0),
	{ 0 }
};

/*
 * What the candidate is made of: a module, BPF programs (version 2) or both;
 * one of them at least.
 */
static int parse_parts(struct cl_candidate *c, const char *path, const char *dir,
		       const struct manifest_in *in)
{
	int rc = 0;

	if (!in->module && !in->bpf)
		return cl_err_set(CL_EINPUT, "%s: candidate: needs a \"module\", a \"bpf\" section "
				  "or both", path);
	if (in->bpf && in->manifest_version < 2)
		return cl_err_set(CL_EINPUT, "%s: bpf: needs \"manifest_version\": 2", path);
	if (in->module)
		rc = parse_module(c, path, dir, in->module);
	return rc ? rc : in->bpf ? cl_bpf_manifest_parse(&c->bpf, path, in->bpf) : 0;
}

int cl_candidate_load(struct cl_candidate **out, const char *path)
{
	return cl_candidate_load_flags(out, path, 0);
}

int cl_candidate_load_flags(struct cl_candidate **out, const char *path, int flags)
{
	struct manifest_in in = { .manifest_version = 1 };
	struct cl_candidate *c = cl_xcalloc(1, sizeof(*c));
	char *dir = cl_dirname(path);
	json_t *root = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	c->path = cl_xstrdup(path);
	c->record_digests = !!(flags & CL_CAND_RECORD_DIGESTS);
	if ((rc = cl_json_load(&root, path)) ||
	    (rc = cl_json_fields(&in, path, "candidate", root, manifest_fields)) ||
	    (!cl_token_ok(in.name) && /* a directory of the pre-flight cache */
	     (rc = cl_err_set(CL_EINPUT, "%s: candidate: name must be a plain name of [A-Za-z0-9._+-]",
			      path))))
		goto out;
	c->name = cl_xstrdup(in.name);
	c->version = cl_xstrdup(in.version);
	c->manifest_version = (int)in.manifest_version;
	if ((rc = parse_parts(c, path, dir, &in)) ||
	    (rc = parse_needs(c, path, dir, in.image, in.packages)) ||
	    (in.install && (rc = parse_install(c, path, dir, in.install))))
		goto out;
	if (c->loaded_by_service && !c->nunits) {
		rc = cl_err_set(CL_EINPUT, "%s: module: loaded_by \"service\" needs the service in "
				"\"install.units\"", path);
		goto out;
	}
	if (json_array_size(in.content) > CL_MAX_CONTENT) {
		rc = cl_err_set(CL_EINPUT, "%s: \"content\" lists more than %d files", path,
				CL_MAX_CONTENT);
		goto out;
	}
	json_array_foreach(in.content, i, v) {
		c->ncontent++; /* counted first so a half-parsed entry is freed */
		if ((rc = parse_content(c, &c->content[i], path, dir, v, (int)i)))
			goto out;
	}
	if ((rc = parse_evidence(c, path, in.evidence)) ||
	    (in.preflight && (rc = cl_preflight_parse(c, path, in.preflight))))
		goto out;
	*out = c;
	c = NULL;
out:
	cl_candidate_free(c);
	free(dir);
	json_decref(root);
	return rc;
}

/* What the module section and "image" and "packages" hold. */
static void free_modules(struct cl_candidate *c)
{
	int i;

	for (i = 0; i < c->nmake_vars; i++)
		free(c->make_vars[i]);
	for (i = 0; i < c->nmods; i++) {
		free(c->mods[i]);
		free(c->mods_args[i]);
	}
	for (i = 0; i < c->npackages; i++)
		free(c->packages[i]);
	for (i = 0; i < c->nprebuilt; i++) {
		for (int k = 0; k < c->prebuilt[i].n; k++) {
			free(c->prebuilt[i].name[k]);
			free(c->prebuilt[i].file[k]);
		}
		free(c->prebuilt[i].release);
	}
	free(c->dkms_source);
	free(c->dkms_package);
	free(c->image);
	free(c->module_name);
	free(c->module_source);
	free(c->module_args);
}

void cl_candidate_free(struct cl_candidate *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->ncontent; i++) {
		free(c->content[i].name);
		free(c->content[i].file);
		free(c->content[i].install_path);
		free(c->content[i].reported_as);
		free(c->content[i].update_via);
	}
	free_modules(c);
	cl_bpf_manifest_free(&c->bpf);
	for (i = 0; i < c->nfiles; i++) {
		free(c->files[i].file);
		free(c->files[i].path);
	}
	for (i = 0; i < c->nunits; i++) {
		free(c->units[i].name);
		free(c->units[i].file);
		free(c->units[i].wanted_by);
	}
	for (i = 0; i < c->ncounters; i++)
		free(c->counters[i]);
	for (i = 0; c->evidence_argv[i]; i++)
		free(c->evidence_argv[i]);
	for (i = 0; i < c->nrequire; i++) {
		free(c->require[i].key);
		free(c->require[i].equals);
	}
	cl_preflight_free(c);
	for (i = 0; i < c->nmutants; i++) {
		free(c->mutants[i].name);
		free(c->mutants[i].file);
		free(c->mutants[i].what);
	}
	free(c->path);
	free(c->name);
	free(c->version);
	free(c->status_file);
	free(c);
}

/* The mutants of content entry @k, up to @max, written and listed. */
static int mutate_one(struct cl_candidate *c, int k, const char *dir, int max)
{
	const struct cl_content_spec *cs = &c->content[k];
	struct cl_mutants ms;
	char *data = NULL;
	size_t len;
	int rc, i;

	if ((rc = cl_read_file(&data, &len, cs->file, CL_MAX_MUTANT_BYTES)))
		return cl_err_set(CL_EINPUT, "%s: %s", c->path, cl_err());
	cl_mutants_derive(&ms, (const unsigned char *)data, len, CL_MUTANT_SEED);
	free(data);
	for (i = 0; i < ms.n && i < max && c->nmutants < CL_MAX_MUTANT_FILES && rc == 0; i++) {
		struct cl_mutant_file *mf = &c->mutants[c->nmutants];

		mf->name = cl_sprintf("%.40s.%s", cs->name, ms.m[i].name);
		for (char *q = mf->name; *q; q++)
			if (!cl_token_char_ok(*q))
				*q = '_'; /* a plan token and a report key */
		mf->file = cl_sprintf("%s/mutants/%s.bin", dir, mf->name);
		mf->what = cl_xstrdup(ms.m[i].what);
		mf->content = k;
		cl_sha256_hex(mf->sha256, ms.m[i].data, ms.m[i].len);
		c->nmutants++;
		rc = cl_write_file(mf->file, ms.m[i].data, ms.m[i].len);
	}
	cl_mutants_clear(&ms);
	return rc;
}

int cl_candidate_mutate(struct cl_candidate *c, const char *dir, int max)
{
	char *sub;
	int rc = 0, any = 0, k;

	if (!c->module_name) /* a mutant is put in place and the module loaded again */
		return cl_err_set(CL_EINPUT, "%s: --mutants: the candidate has no module to load each "
				  "mutant with", c->path);
	sub = cl_sprintf("%s/mutants", dir);
	if (cl_mkdir_p(sub, 0755))
		rc = cl_err_set(CL_EINFRA, "%s: cannot create: %s", sub, cl_err());
	free(sub);
	for (k = 0; k < c->ncontent && rc == 0; k++) {
		if (c->content[k].update_via)
			continue; /* arrives while the candidate runs: not boot content */
		any = 1;
		rc = mutate_one(c, k, dir, max);
	}
	if (rc == 0 && !any)
		rc = cl_err_set(CL_EINPUT, "%s: --mutants: the candidate has no content loaded at boot",
				c->path);
	return rc;
}

int cl_candidate_use_content(struct cl_candidate *c, const char *name, const char *file)
{
	struct cl_content_spec *cs = NULL;
	char actual[CL_SHA256_HEX];
	struct stat st;
	int k;

	for (k = 0; k < c->ncontent && !cs; k++)
		if (!strcmp(c->content[k].name, name))
			cs = &c->content[k];
	if (!cs)
		return cl_err_set(CL_EINPUT, "%s: no content entry named %s", c->path, name);
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: content %s: %s does not exist", c->path, name, file);
	free(cs->file);
	cs->file = cl_xstrdup(file);
	cs->size = (long)st.st_size;
	/* the events that exercise every instance are those of the content now in place */
	memset(&c->coverage, 0, sizeof(c->coverage));
	c->coverage_known = 0;
	for (k = 0; k < c->ncontent; k++) {
		if (read_content(c, &c->content[k], actual))
			return CL_EINPUT;
		memcpy(c->content[k].sha256, actual, sizeof(actual));
	}
	return 0;
}

int cl_candidate_fit_matrix(struct cl_matrix *m, const struct cl_candidate *c)
{
	int i;

	/* a module crashlab builds, BPF the agent starts: any image; else disk images */
	if (!c->image && (c->module_source || !c->nmods) &&
	    (!c->bpf.present || c->bpf.start_argv[0]))
		return 0;
	for (i = 0; i < m->ncells; i++) {
		struct cl_cell_spec *cell = &m->cells[i];

		if (!strcmp(cell->image, "initramfs"))
			snprintf(cell->image, sizeof(cell->image), "disk");
		else if (strcmp(cell->image, "disk"))
			return cl_err_set(CL_EINPUT, "%s: cell %s: candidate %s is installed on disk "
					  "images (it has %s), not on a %s image", m->path, cell->id,
					  c->name, c->module_source || !c->nmods ? "user space" : "modules the OS loads",
					  cell->image);
	}
	return 0;
}
