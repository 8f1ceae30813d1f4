/*
 * cl_candidate.c - candidate manifest parser (format in cl_candidate.h). It
 * refuses a manifest whose content bytes do not match their declared sha256,
 * so what is qualified is provably what is published.
 */
#include "cl_candidate.h"
#include "cl_json.h"
#include "cl_matrix.h"
#include "cl_mutate.h"
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

static int parse_content(struct cl_candidate *c, struct cl_content_spec *cs, const char *path,
			 const char *dir, json_t *j, int idx)
{
	static const char *const keys[] = { "name", "file", "sha256", "install_path",
					    "reported_as", "description", "update_via", NULL };
	const char *name, *file, *sha, *inst, *rep = NULL, *desc, *via = NULL;
	char what[32], actual[CL_SHA256_HEX];
	struct stat st;
	int rc;

	snprintf(what, sizeof(what), "content[%d]", idx);
	if (!json_is_object(j))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object", path, what);
	if ((rc = cl_json_keys(path, what, j, keys)) ||
	    (rc = cl_json_str(&name, path, what, j, "name", 1)) ||
	    (rc = cl_json_str(&file, path, what, j, "file", 1)) ||
	    (rc = cl_json_str(&sha, path, what, j, "sha256", 1)) ||
	    (rc = cl_json_str(&inst, path, what, j, "install_path", 1)) ||
	    (rc = cl_json_str(&rep, path, what, j, "reported_as", 0)) ||
	    (rc = cl_json_str(&desc, path, what, j, "description", 0)) ||
	    (rc = cl_json_str(&via, path, what, j, "update_via", 0)))
		return rc;
	if (!cl_is_token(name))
		return cl_err_set(CL_EINPUT, "%s: %s: name must be a plain name of [A-Za-z0-9._+-]",
				  path, what);
	if (via && !cl_is_guest_path(via))
		return cl_err_set(CL_EINPUT, "%s: %s: update_via must be an absolute guest path", path,
				  what);
	if (!cl_is_sha256_hex(sha))
		return cl_err_set(CL_EINPUT, "%s: %s: sha256 must be 64 lower-case hex digits",
				  path, what);
	if (!cl_is_guest_path(inst))
		return cl_err_set(CL_EINPUT, "%s: %s: install_path must be an absolute guest path of [A-Za-z0-9/._+-]",
				  path, what);
	if (rep && !cl_is_token(rep))
		return cl_err_set(CL_EINPUT, "%s: %s: reported_as must be a plain key", path, what);
	cs->name = cl_xstrdup(name);
	cs->file = cl_path_join(dir, file);
	cs->install_path = cl_xstrdup(inst);
	cs->reported_as = rep ? cl_xstrdup(rep) : NULL;
	cs->update_via = via ? cl_xstrdup(via) : NULL;
	if (stat(cs->file, &st) != 0 || !S_ISREG(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: %s: content file %s does not exist", path, what,
				  cs->file);
	cs->size = (long)st.st_size;
	if (read_content(c, cs, actual))
		return CL_EINPUT;
	if (strcmp(actual, sha) != 0 && !c->record_digests)
		return cl_err_set(CL_EINPUT, "%s: %s: wrong digest: %s has sha256 %s, manifest says %s",
				  path, what, cs->file, actual, sha);
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
		if (!cl_is_token(key) || !json_is_string(v) || !cl_is_token(json_string_value(v)))
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
	if (!cl_is_token(name))
		return cl_err_set(CL_EINPUT, "%s: module: \"%s\" is not a plain module name", path,
				  name);
	if (strchr(args, '\n') || strlen(args) > 400)
		return cl_err_set(CL_EINPUT, "%s: module %s: args must be one line", path, name);
	c->mods[c->nmods] = cl_xstrdup(name);
	c->mods_args[c->nmods++] = cl_xstrdup(args);
	return 0;
}

/* "load": the modules in the order the OS loads them, names or { name, args }. */
static int parse_load(struct cl_candidate *c, const char *path, json_t *load)
{
	static const char *const keys[] = { "name", "args", NULL };
	json_t *v;
	size_t i;
	int rc;

	if (json_array_size(load) == 0)
		return cl_err_set(CL_EINPUT, "%s: module: load must list at least one module", path);
	json_array_foreach(load, i, v) {
		const char *name = json_string_value(v), *args = "";

		if (!name && (!json_is_object(v) ||
			      (rc = cl_json_keys(path, "module.load", v, keys)) ||
			      (rc = cl_json_str(&name, path, "module.load", v, "name", 1)) ||
			      (rc = cl_json_str(&args, path, "module.load", v, "args", 0))))
			return json_is_object(v) ? CL_EINPUT
						 : cl_err_set(CL_EINPUT, "%s: module: load[%zu] must be a name or { \"name\", \"args\" }",
							      path, i);
		if ((rc = add_load(c, path, name, args)))
			return rc;
	}
	return 0;
}

/* "dkms": { "tree": DIR } | { "file": DEB, "sha256" } | { "package", "version", "sha256" } */
static int parse_dkms(struct cl_candidate *c, const char *path, const char *dir, json_t *d)
{
	static const char *const keys[] = { "tree", "file", "package", "version", "sha256", NULL };
	const char *tree = NULL, *file = NULL, *pkg = NULL, *ver = NULL, *sha = NULL;
	char actual[CL_SHA256_HEX];
	struct stat st;
	int rc;

	if ((rc = cl_json_keys(path, "module.dkms", d, keys)) ||
	    (rc = cl_json_str(&tree, path, "module.dkms", d, "tree", 0)) ||
	    (rc = cl_json_str(&file, path, "module.dkms", d, "file", 0)) ||
	    (rc = cl_json_str(&pkg, path, "module.dkms", d, "package", 0)) ||
	    (rc = cl_json_str(&ver, path, "module.dkms", d, "version", 0)) ||
	    (rc = cl_json_str(&sha, path, "module.dkms", d, "sha256", 0)))
		return rc;
	if (!!tree + !!file + !!pkg != 1 || !!pkg != !!ver || !tree != !!sha)
		return cl_err_set(CL_EINPUT, "%s: module.dkms: needs a \"tree\", a \"file\" and its "
				  "\"sha256\", or a \"package\", its \"version\" and \"sha256\"", path);
	if (sha && !cl_is_sha256_hex(sha))
		return cl_err_set(CL_EINPUT, "%s: module.dkms: sha256 must be 64 lower-case hex digits",
				  path);
	if (pkg && (!cl_is_token(pkg) || *pkg == '-' || !*ver || /* '-': an apt-get option */
		    ver[strspn(ver, "0123456789.+~:-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")]))
		return cl_err_set(CL_EINPUT, "%s: module.dkms: package and version must be plain words",
				  path);
	snprintf(c->dkms_sha256, sizeof(c->dkms_sha256), "%s", sha ? sha : "");
	if (pkg) {
		c->dkms_package = cl_sprintf("%s=%s", pkg, ver);
		return 0;
	}
	c->dkms_source = cl_path_join(dir, tree ? tree : file);
	if (tree && (stat(c->dkms_source, &st) != 0 || !S_ISDIR(st.st_mode)))
		return cl_err_set(CL_EINPUT, "%s: module.dkms: tree %s is not a directory", path,
				  c->dkms_source);
	if (tree || (rc = file_digest_is(c, actual, path, "module.dkms", c->dkms_source, sha)))
		return rc;
	memcpy(c->dkms_sha256, actual, sizeof(actual));
	return 0;
}

/*
 * A file the manifest names by { "file", "sha256" } at @what: its name ends
 * in @ext, it is there (resolved against @dir into *out, which the caller
 * frees) and its bytes hash to "sha256" (into @actual).
 */
static int parse_file_entry(const struct cl_candidate *c, char **out, char actual[CL_SHA256_HEX],
			    const char *path, const char *what, const char *dir, json_t *j,
			    const char *ext)
{
	static const char *const keys[] = { "file", "sha256", NULL };
	const char *file, *sha;
	size_t len, elen = strlen(ext);
	int rc;

	*out = NULL;
	if (!json_is_object(j))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object { \"file\", \"sha256\" }", path,
				  what);
	if ((rc = cl_json_keys(path, what, j, keys)) ||
	    (rc = cl_json_str(&file, path, what, j, "file", 1)) ||
	    (rc = cl_json_str(&sha, path, what, j, "sha256", 1)))
		return rc;
	len = strlen(file);
	if (len <= elen || strcmp(file + len - elen, ext) || file[len - elen - 1] == '/')
		return cl_err_set(CL_EINPUT, "%s: %s: %s is not a %s file", path, what, file, ext);
	*out = cl_path_join(dir, file);
	return file_digest_is(c, actual, path, what, *out, sha);
}

/* One prebuilt module: a .ko named after the module, its bytes as the manifest says. */
static int parse_prebuilt_file(const struct cl_candidate *c, struct cl_prebuilt *p, const char *path,
			       const char *dir, json_t *j)
{
	char actual[CL_SHA256_HEX], what[96];
	const char *base;
	int rc;

	snprintf(what, sizeof(what), "module.prebuilt.%.64s", p->release);
	if (p->n == CL_MAX_MODULES)
		return cl_err_set(CL_EINPUT, "%s: %s: at most %d modules", path, what, CL_MAX_MODULES);
	rc = parse_file_entry(c, &p->file[p->n], actual, path, what, dir, j, ".ko");
	if (!p->file[p->n])
		return rc;
	base = strrchr(p->file[p->n], '/') + 1; /* joined with a directory: there is one */
	p->name[p->n] = cl_sprintf("%.*s", (int)(strlen(base) - 3), base);
	if (!cl_is_token(p->name[p->n++]))
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
		if (!cl_is_token(release) || !json_is_array(list) || json_array_size(list) == 0)
			return cl_err_set(CL_EINPUT, "%s: module.prebuilt: \"%.64s\" must be a kernel "
					  "release with a list of modules", path, release);
		json_array_foreach(list, i, v)
			if ((rc = parse_prebuilt_file(c, p, path, dir, v)))
				return rc;
	}
	return 0;
}

/* A kbuild source built by crashlab, and the one module it makes. */
static int parse_kbuild(struct cl_candidate *c, const char *path, const char *dir, json_t *m)
{
	const char *name, *source, *args = "";
	json_t *vars;
	struct stat st;
	int rc;

	if ((rc = cl_json_str(&name, path, "module", m, "name", 1)) ||
	    (rc = cl_json_str(&source, path, "module", m, "source", 1)) ||
	    (rc = cl_json_str(&args, path, "module", m, "args", 0)) ||
	    (rc = cl_json_object(&vars, path, "module", m, "make_vars", 0)) ||
	    (rc = add_load(c, path, name, args)))
		return rc;
	c->module_source = cl_path_join(dir, source);
	if (stat(c->module_source, &st) != 0 || !S_ISDIR(st.st_mode))
		return cl_err_set(CL_EINPUT, "%s: module: source directory %s does not exist", path,
				  c->module_source);
	return vars ? parse_make_vars(c, path, vars) : 0;
}

static int parse_module(struct cl_candidate *c, const char *path, const char *dir, json_t *m)
{
	static const char *const keys[] = { "name", "source", "make_vars", "args", "dkms",
					    "prebuilt", "from_packages", "load", NULL };
	json_t *dkms, *pb, *load, *fp = json_object_get(m, "from_packages");
	int rc, listed;

	if ((rc = cl_json_keys(path, "module", m, keys)) ||
	    (rc = cl_json_object(&dkms, path, "module", m, "dkms", 0)) ||
	    (rc = cl_json_object(&pb, path, "module", m, "prebuilt", 0)) ||
	    (rc = cl_json_array(&load, path, "module", m, "load", 0)))
		return rc;
	if (fp && !json_is_true(fp))
		return cl_err_set(CL_EINPUT, "%s: module: from_packages can only be true", path);
	c->from_packages = fp != NULL;
	listed = !!dkms + !!pb + c->from_packages; /* modules the OS loads from a "load" list */
	if (listed > 1 ||
	    (listed && (json_object_get(m, "source") || json_object_get(m, "make_vars") ||
			json_object_get(m, "name") || json_object_get(m, "args") || !load)))
		return cl_err_set(CL_EINPUT, "%s: module: a \"dkms\" source, \"prebuilt\" modules or "
				  "modules \"from_packages\" (one of them) are loaded by a \"load\" list "
				  "(no name, source, args or make_vars)", path);
	if (!listed && load)
		return cl_err_set(CL_EINPUT, "%s: module: \"load\" lists the modules of a \"dkms\" source "
				  "or \"prebuilt\" modules", path);
	if (listed && c->manifest_version < 2)
		return cl_err_set(CL_EINPUT, "%s: module: \"dkms\", \"prebuilt\" and \"from_packages\" "
				  "need \"manifest_version\": 2", path);
	rc = dkms ? parse_dkms(c, path, dir, dkms)
	     : pb ? parse_prebuilt(c, path, dir, pb)
	     : c->from_packages ? 0 : parse_kbuild(c, path, dir, m);
	if (rc == 0 && listed)
		rc = parse_load(c, path, load);
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
static int parse_needs(struct cl_candidate *c, const char *path, const char *dir, json_t *root)
{
	const char *image = NULL;
	json_t *pkgs, *v;
	size_t i;
	int rc;

	if ((rc = cl_json_str(&image, path, "candidate", root, "image", 0)) ||
	    (rc = cl_json_array(&pkgs, path, "candidate", root, "packages", 0)))
		return rc;
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
		    (p && (!cl_is_token(p) || *p == '-')))
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

static int parse_command(struct cl_candidate *c, const char *path, json_t *cmd)
{
	static const char *const keys[] = { "run", "timeout_s", NULL };
	long timeout = 60;
	json_t *run, *v;
	size_t i;
	int rc;

	if ((rc = cl_json_keys(path, "evidence.command", cmd, keys)) ||
	    (rc = cl_json_array(&run, path, "evidence.command", cmd, "run", 1)) ||
	    (rc = cl_json_int(&timeout, path, "evidence.command", cmd, "timeout_s", 1, 3600)))
		return rc;
	if (json_array_size(run) == 0 || json_array_size(run) > CL_MAX_EVIDENCE_ARGS)
		return cl_err_set(CL_EINPUT, "%s: evidence.command: run must list 1 to %d words", path,
				  CL_MAX_EVIDENCE_ARGS);
	json_array_foreach(run, i, v) {
		if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 1000 ||
		    strchr(json_string_value(v), '\n'))
			return cl_err_set(CL_EINPUT, "%s: evidence.command: run[%zu] must be one line of 1 to 1000 characters",
					  path, i);
		c->evidence_argv[i] = cl_xstrdup(json_string_value(v));
	}
	c->evidence_timeout_s = (int)timeout;
	return 0;
}

/* One condition of "require"; the content it names must be parsed already. */
static int parse_require(struct cl_candidate *c, struct cl_require *r, const char *path, json_t *j,
			 int idx)
{
	static const char *const keys[] = { "key", "at_least", "equals", "equals_sha256_of", NULL };
	const char *key, *eq = NULL, *of = NULL;
	long least = -1;
	char what[32];
	int rc, k;

	snprintf(what, sizeof(what), "evidence.require[%d]", idx);
	if (!json_is_object(j))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object", path, what);
	if ((rc = cl_json_keys(path, what, j, keys)) ||
	    (rc = cl_json_str(&key, path, what, j, "key", 1)) ||
	    (rc = cl_json_int(&least, path, what, j, "at_least", 0, 1L << 62)) ||
	    (rc = cl_json_str(&eq, path, what, j, "equals", 0)) ||
	    (rc = cl_json_str(&of, path, what, j, "equals_sha256_of", 0)))
		return rc;
	if (!cl_is_token(key) || strlen(key) >= 48)
		return cl_err_set(CL_EINPUT, "%s: %s: key must be a plain key", path, what);
	if ((least >= 0) + !!eq + !!of != 1)
		return cl_err_set(CL_EINPUT, "%s: %s: needs exactly one of at_least, equals, equals_sha256_of",
				  path, what);
	for (k = 0; of && k < c->ncontent && strcmp(c->content[k].name, of); k++)
		;
	if (of && k == c->ncontent)
		return cl_err_set(CL_EINPUT, "%s: %s: no content named \"%s\"", path, what, of);
	r->key = cl_xstrdup(key);
	r->op = least >= 0 ? CL_REQ_AT_LEAST : eq ? CL_REQ_EQUALS : CL_REQ_EQUALS_DIGEST;
	r->at_least = least;
	r->equals = cl_xstrdup(eq ? eq : of ? c->content[k].sha256 : "");
	r->content = of ? k : -1;
	return 0;
}

static int parse_counters(struct cl_candidate *c, const char *path, json_t *counters)
{
	json_t *v;
	size_t i;

	json_array_foreach(counters, i, v) {
		if (c->ncounters == CL_MAX_COUNTERS || !json_is_string(v) ||
		    !cl_is_token(json_string_value(v)))
			return cl_err_set(CL_EINPUT, "%s: evidence: counters[%zu] must be a plain key (at most %d)",
					  path, i, CL_MAX_COUNTERS);
		c->counters[c->ncounters++] = cl_xstrdup(json_string_value(v));
	}
	return 0;
}

/* "evidence", after "content" (a condition may name a content file). */
static int parse_evidence(struct cl_candidate *c, const char *path, json_t *e)
{
	static const char *const keys[] = { "status_file", "counters", "command", "require", NULL };
	const char *status = NULL;
	json_t *counters, *cmd, *req, *v;
	size_t i;
	int rc;

	if ((rc = cl_json_keys(path, "evidence", e, keys)) ||
	    (rc = cl_json_str(&status, path, "evidence", e, "status_file", 0)) ||
	    (rc = cl_json_array(&counters, path, "evidence", e, "counters", 0)) ||
	    (rc = cl_json_object(&cmd, path, "evidence", e, "command", 0)) ||
	    (rc = cl_json_array(&req, path, "evidence", e, "require", 0)))
		return rc;
	if (!status && !cmd)
		return cl_err_set(CL_EINPUT, "%s: evidence: needs a \"status_file\", a \"command\" or both",
				  path);
	if (status && !cl_is_guest_path(status))
		return cl_err_set(CL_EINPUT, "%s: evidence: status_file must be an absolute guest path",
				  path);
	if (counters && !status)
		return cl_err_set(CL_EINPUT, "%s: evidence: counters are read from a status_file", path);
	c->status_file = status ? cl_xstrdup(status) : NULL;
	if ((counters && (rc = parse_counters(c, path, counters))) ||
	    (cmd && (rc = parse_command(c, path, cmd))))
		return rc;
	if (json_array_size(req) > CL_MAX_REQUIRE)
		return cl_err_set(CL_EINPUT, "%s: evidence.require: at most %d conditions", path,
				  CL_MAX_REQUIRE);
	json_array_foreach(req, i, v) {
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

static int parse_install_file(struct cl_install_file *f, const char *path, const char *dir,
			      json_t *j, int idx)
{
	static const char *const keys[] = { "file", "path", "mode", NULL };
	const char *file, *gpath, *mode = "0644";
	char what[32], *end;
	long m;
	int rc;

	snprintf(what, sizeof(what), "install.files[%d]", idx);
	if (!json_is_object(j))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object", path, what);
	if ((rc = cl_json_keys(path, what, j, keys)) ||
	    (rc = cl_json_str(&file, path, what, j, "file", 1)) ||
	    (rc = cl_json_str(&gpath, path, what, j, "path", 1)) ||
	    (rc = cl_json_str(&mode, path, what, j, "mode", 0)))
		return rc;
	m = strtol(mode, &end, 8);
	if (*end || end == mode || m < 0 || m > 07777)
		return cl_err_set(CL_EINPUT, "%s: %s: mode must be octal, e.g. \"0755\"", path, what);
	if (!cl_is_guest_path(gpath))
		return cl_err_set(CL_EINPUT, "%s: %s: path must be an absolute guest path", path, what);
	f->path = cl_xstrdup(gpath);
	f->mode = (int)m;
	return host_file(&f->file, path, dir, what, file);
}

static int parse_unit(struct cl_unit *unit, const char *path, const char *dir, json_t *u,
		      int idx)
{
	static const char *const keys[] = { "name", "file", "wanted_by", NULL };
	const char *name, *file, *wanted = "multi-user.target";
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "install.units[%d]", idx);
	if (!json_is_object(u))
		return cl_err_set(CL_EINPUT, "%s: %s must be an object", path, what);
	if ((rc = cl_json_keys(path, what, u, keys)) ||
	    (rc = cl_json_str(&name, path, what, u, "name", 1)) ||
	    (rc = cl_json_str(&file, path, what, u, "file", 1)) ||
	    (rc = cl_json_str(&wanted, path, what, u, "wanted_by", 0)))
		return rc;
	if (!cl_is_token(name) || !strchr(name, '.') || !cl_is_token(wanted))
		return cl_err_set(CL_EINPUT, "%s: %s: name and wanted_by must be unit names", path,
				  what);
	unit->name = cl_xstrdup(name);
	unit->wanted_by = cl_xstrdup(wanted);
	return host_file(&unit->file, path, dir, what, file);
}

static int parse_install(struct cl_candidate *c, const char *path, const char *dir, json_t *in)
{
	static const char *const keys[] = { "load", "units", "files", NULL };
	const char *load = "modules-load";
	json_t *units, *files, *v;
	size_t i;
	int rc;

	if ((rc = cl_json_keys(path, "install", in, keys)) ||
	    (rc = cl_json_str(&load, path, "install", in, "load", 0)) ||
	    (rc = cl_json_array(&units, path, "install", in, "units", 0)) ||
	    (rc = cl_json_array(&files, path, "install", in, "files", 0)))
		return rc;
	if (!strcmp(load, "units"))
		c->load = CL_LOAD_UNITS;
	else if (strcmp(load, "modules-load"))
		return cl_err_set(CL_EINPUT, "%s: install: load must be \"modules-load\" or \"units\"",
				  path);
	/* v2: units beside modules-load are the candidate's user-space services */
	if ((c->load == CL_LOAD_UNITS && json_array_size(units) == 0) ||
	    (c->load != CL_LOAD_UNITS && json_array_size(units) > 0 && c->manifest_version < 2) ||
	    json_array_size(units) > CL_MAX_UNITS)
		return cl_err_set(CL_EINPUT, "%s: install: load \"units\" needs 1 to %d \"units\" (and "
				  "only it, before manifest_version 2)", path, CL_MAX_UNITS);
	json_array_foreach(units, i, v) {
		c->nunits++;
		if ((rc = parse_unit(&c->units[i], path, dir, v, (int)i)))
			return rc;
	}
	if (json_array_size(files) > CL_MAX_INSTALL_FILES)
		return cl_err_set(CL_EINPUT, "%s: install.files: at most %d files", path,
				  CL_MAX_INSTALL_FILES);
	json_array_foreach(files, i, v) {
		c->nfiles++;
		if ((rc = parse_install_file(&c->files[i], path, dir, v, (int)i)))
			return rc;
	}
	return 0;
}

int cl_candidate_load(struct cl_candidate **out, const char *path)
{
	return cl_candidate_load_flags(out, path, 0);
}

int cl_candidate_load_flags(struct cl_candidate **out, const char *path, int flags)
{
	static const char *const keys[] = { "manifest_version", "name", "version", "description",
					    "module", "content", "evidence", "install", "preflight",
					    "image", "packages", NULL };
	long mv = 1;
	json_t *root = NULL, *module, *content, *evidence, *install, *preflight, *v;
	struct cl_candidate *c = cl_xcalloc(1, sizeof(*c));
	const char *name, *version, *desc;
	char *dir = cl_dirname(path);
	size_t i;
	int rc;

	*out = NULL;
	c->path = cl_xstrdup(path);
	c->record_digests = !!(flags & CL_CAND_RECORD_DIGESTS);
	if ((rc = cl_json_load(&root, path)) ||
	    (rc = cl_json_keys(path, "candidate", root, keys)) ||
	    (rc = cl_json_int(&mv, path, "candidate", root, "manifest_version", 1, 2)) ||
	    (rc = cl_json_str(&name, path, "candidate", root, "name", 1)) ||
	    (rc = cl_json_str(&version, path, "candidate", root, "version", 1)) ||
	    (rc = cl_json_str(&desc, path, "candidate", root, "description", 0)) ||
	    (rc = cl_json_object(&module, path, "candidate", root, "module", 1)) ||
	    (rc = cl_json_array(&content, path, "candidate", root, "content", 1)) ||
	    (rc = cl_json_object(&evidence, path, "candidate", root, "evidence", 1)) ||
	    (rc = cl_json_object(&install, path, "candidate", root, "install", 0)) ||
	    (rc = cl_json_array(&preflight, path, "candidate", root, "preflight", 0)) ||
	    (!cl_is_token(name) && /* a directory of the pre-flight cache */
	     (rc = cl_err_set(CL_EINPUT, "%s: candidate: name must be a plain name of [A-Za-z0-9._+-]",
			      path))))
		goto out;
	c->name = cl_xstrdup(name);
	c->version = cl_xstrdup(version);
	c->manifest_version = (int)mv;
	if ((rc = parse_module(c, path, dir, module)) || (rc = parse_needs(c, path, dir, root)) ||
	    (install && (rc = parse_install(c, path, dir, install))))
		goto out;
	if (json_array_size(content) > CL_MAX_CONTENT) {
		rc = cl_err_set(CL_EINPUT, "%s: \"content\" lists more than %d files", path,
				CL_MAX_CONTENT);
		goto out;
	}
	json_array_foreach(content, i, v) {
		c->ncontent++; /* counted first so a half-parsed entry is freed */
		if ((rc = parse_content(c, &c->content[i], path, dir, v, (int)i)))
			goto out;
	}
	if ((rc = parse_evidence(c, path, evidence)) ||
	    (preflight && (rc = cl_preflight_parse(c, path, preflight))))
		goto out;
	*out = c;
	c = NULL;
out:
	cl_candidate_free(c);
	free(dir);
	json_decref(root);
	return rc;
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
	for (i = 0; i < c->nmake_vars; i++)
		free(c->make_vars[i]);
	for (i = 0; i < c->nmods; i++) {
		free(c->mods[i]);
		free(c->mods_args[i]);
	}
	for (i = 0; i < c->npackages; i++)
		free(c->packages[i]);
	for (i = 0; i < c->nprebuilt; i++)
		for (int k = 0; k < c->prebuilt[i].n; k++) {
			free(c->prebuilt[i].name[k]);
			free(c->prebuilt[i].file[k]);
		}
	for (i = 0; i < c->nprebuilt; i++)
		free(c->prebuilt[i].release);
	free(c->dkms_source);
	free(c->dkms_package);
	free(c->image);
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
	free(c->module_name);
	free(c->module_source);
	free(c->module_args);
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
			if (!cl_is_token_char(*q))
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
	char *sub = cl_sprintf("%s/mutants", dir);
	int rc = 0, any = 0, k;

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

int cl_candidate_fit_matrix(struct cl_matrix *m, const struct cl_candidate *c)
{
	int i;

	if (!c->image && c->module_source)
		return 0;
	for (i = 0; i < m->ncells; i++) {
		struct cl_cell_spec *cell = &m->cells[i];

		if (!strcmp(cell->image, "initramfs"))
			snprintf(cell->image, sizeof(cell->image), "disk");
		else if (strcmp(cell->image, "disk"))
			return cl_err_set(CL_EINPUT, "%s: cell %s: candidate %s is installed on disk "
					  "images (it has %s), not on a %s image", m->path, cell->id,
					  c->name, c->module_source ? "user space" : "modules the OS loads",
					  cell->image);
	}
	return 0;
}
