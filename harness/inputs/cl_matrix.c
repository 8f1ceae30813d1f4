/*
 * cl_matrix.c - matrix file parser (format in cl_matrix.h). Strict: unknown
 * keys, duplicate ids and kernel strings that are not Debian releases are
 * rejected with one line naming the file, before anything is booted.
 */
#include "cl_matrix.h"
#include "cl_arch.h"
#include "cl_json.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * Debian releases look like 6.1.0-56-amd64, 6.1.0-56-cloud-amd64,
 * 6.12.117+deb12-rt-amd64 or 6.1.0-0.deb11.52-arm64: a version, an ABI
 * ("-N" or "+debN", with ".X" parts for backports and rebuilds), a flavour.
 */
int cl_matrix_release_parse(const char *r, char *series, unsigned int series_len,
			    char *flavor, unsigned int flavor_len)
{
	const char *p = r, *dot1, *abi_end;
	int dots = 0;

	if (!cl_token_ok(r) || !isdigit((unsigned char)*r))
		return cl_err_set(CL_EINPUT, "'%s' is not a Debian kernel release", r);
	while (isdigit((unsigned char)*p) || *p == '.') {
		dots += *p == '.';
		p++;
	}
	dot1 = strchr(r, '.');
	if (dots < 1 || !dot1 || dot1 > p)
		return cl_err_set(CL_EINPUT, "'%s' is not a Debian kernel release", r);
	if (*p == '-' && isdigit((unsigned char)p[1])) {
		abi_end = p + 1;
		while (isdigit((unsigned char)*abi_end))
			abi_end++;
	} else if (strncmp(p, "+deb", 4) == 0 && isdigit((unsigned char)p[4])) {
		abi_end = p + 4;
		while (isdigit((unsigned char)*abi_end))
			abi_end++;
	} else {
		return cl_err_set(CL_EINPUT, "'%s' is not a Debian kernel release (no ABI)", r);
	}
	/* backports and rebuilds: 6.1.0-0.deb11.52, 6.12.115+deb13.1 */
	while (*abi_end == '.' && isalnum((unsigned char)abi_end[1])) {
		abi_end++;
		while (isalnum((unsigned char)*abi_end))
			abi_end++;
	}
	if (*abi_end != '-' || !abi_end[1])
		return cl_err_set(CL_EINPUT, "'%s' is not a Debian kernel release (no flavour)", r);
	/* series: major.minor */
	{
		const char *dot2 = strchr(dot1 + 1, '.');
		size_t n = (size_t)((dot2 && dot2 < p ? dot2 : p) - r);

		if (n >= series_len)
			n = series_len - 1;
		memcpy(series, r, n);
		series[n] = '\0';
	}
	snprintf(flavor, flavor_len, "%s", abi_end + 1);
	return 0;
}

int cl_matrix_debian_release(const char *kernel)
{
	if (strstr(kernel, "+deb13") || strstr(kernel, ".deb13."))
		return 13;
	if (strstr(kernel, "+deb11") || strstr(kernel, ".deb11.") || !strncmp(kernel, "5.10.", 5))
		return 11;
	return 12;
}

/* What a cell is when the matrix does not say. */
#define DEFAULT_MEMORY_MIB 512
#define DEFAULT_VCPUS 1

static int copy_field(char *dst, size_t len, const char *src, const char *path, const char *what,
		      const char *key)
{
	if (strlen(src) >= len)
		return cl_err_set(CL_EINPUT, "%s: %s: \"%s\" is longer than %zu characters", path,
				  what, key, len - 1);
	snprintf(dst, len, "%s", src);
	return 0;
}

/* A cell as the matrix writes it (and its "defaults"), borrowed from the JSON. */
struct cell_in {
	const char *id, *kernel, *os, *note, *ring, *arch;
	long memory_mib, vcpus, release;
	json_t *image;          /* a kind's name, or a user image object */
	double fleet_share;
};

#define MEMORY_FIELD CL_JSON_RANGE(struct cell_in, memory_mib, 0, 128, 16384)
#define VCPUS_FIELD CL_JSON_RANGE(struct cell_in, vcpus, 0, 1, 64)

static const struct cl_json_field defaults_fields[] = { MEMORY_FIELD, VCPUS_FIELD, { 0 } };

static const struct cl_json_field cell_fields[] = {
	CL_JSON_FIELD(struct cell_in, id, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct cell_in, kernel, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct cell_in, os, CL_JSON_STRING, 0),
	CL_JSON_RANGE(struct cell_in, release, 0, 11, 13),
	CL_JSON_FIELD(struct cell_in, arch, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct cell_in, note, CL_JSON_STRING, 0),
	MEMORY_FIELD,
	VCPUS_FIELD,
	CL_JSON_FIELD(struct cell_in, image, CL_JSON_ANY, 0),
	CL_JSON_FIELD(struct cell_in, ring, CL_JSON_STRING, 0),
	CL_JSON_REAL(struct cell_in, fleet_share, 0, 0, 1000000000),
	{ 0 }
};

struct user_image_in {
	const char *path, *sha256, *firmware;
};

static const struct cl_json_field user_image_fields[] = {
	CL_JSON_FIELD(struct user_image_in, path, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct user_image_in, sha256, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct user_image_in, firmware, CL_JSON_STRING, 0),
	{ 0 }
};

/* A user's disk image: path (relative to the matrix), sha256, firmware. */
static int parse_user_image(struct cl_cell_spec *c, const char *path, const char *what, json_t *j)
{
	struct user_image_in in = { .firmware = "bios" };
	char *dir, actual[65];
	int rc;

	if ((rc = cl_json_fields(&in, path, what, j, user_image_fields)))
		return rc;
	if (strcmp(in.firmware, "bios") && strcmp(in.firmware, "uefi"))
		return cl_err_set(CL_EINPUT, "%s: %s: firmware must be \"bios\" or \"uefi\"", path, what);
	if (strcmp(c->os, "linux") && strcmp(c->os, "windows"))
		return cl_err_set(CL_EINPUT, "%s: %s: a user image needs \"os\": \"linux\" or \"windows\"",
				  path, what);
	if (!cl_is_sha256_hex(in.sha256))
		return cl_err_set(CL_EINPUT, "%s: %s: sha256 must be 64 lower-case hex digits", path, what);
	dir = cl_dirname(path);
	c->user_path = cl_path_join(dir, in.path);
	free(dir);
	if (!cl_file_exists(c->user_path))
		return cl_err_set(CL_EINPUT, "%s: %s: image %s does not exist", path, what, c->user_path);
	if (cl_sha256_file(actual, c->user_path))
		return CL_EINPUT;
	if (strcmp(actual, in.sha256))
		return cl_err_set(CL_EINPUT, "%s: %s: wrong digest: %s has sha256 %s, matrix says %s",
				  path, what, c->user_path, actual, in.sha256);
	snprintf(c->user_sha256, sizeof(c->user_sha256), "%s", in.sha256);
	snprintf(c->image, sizeof(c->image), "user");
	c->efi = !strcmp(in.firmware, "uefi");
	return 0;
}

/* The image kinds a matrix names by a word (a user image is an object). */
static int builtin_image(const char *name)
{
	return !strcmp(name, "initramfs") || !strcmp(name, "snapshot") || !strcmp(name, "disk");
}

static int parse_image(struct cl_cell_spec *c, const char *path, const char *what, json_t *img)
{
	char w[80];

	snprintf(c->image, sizeof(c->image), "initramfs");
	if (!img)
		return 0;
	snprintf(w, sizeof(w), "%s.image", what);
	if (json_is_object(img))
		return parse_user_image(c, path, w, img);
	if (!json_is_string(img) || !builtin_image(json_string_value(img)))
		return cl_err_set(CL_EINPUT, "%s: %s: image must be \"initramfs\", \"snapshot\", "
				  "\"disk\" or a user image object", path, what);
	snprintf(c->image, sizeof(c->image), "%s", json_string_value(img));
	return 0;
}

/* "ring" names one of the matrix's rings; no ring: the last one. */
static int parse_ring(struct cl_cell_spec *c, const struct cl_matrix *m, const char *path,
		      const char *what, const char *ring)
{
	int i;

	c->ring = m->nrings - 1;
	if (!ring)
		return 0;
	for (i = 0; i < m->nrings; i++)
		if (!strcmp(m->rings[i], ring)) {
			c->ring = i;
			return 0;
		}
	return cl_err_set(CL_EINPUT, "%s: %s: ring \"%s\" is not one of the matrix's \"rings\"",
			  path, what, ring);
}

/*
 * The Debian release and architecture of a Debian kernel follow from its
 * name; a cell that also names them ("release": 13, "arch": "arm64", "os":
 * "debian-13") must agree. A user's image (os "linux" or "windows") runs
 * what it runs: its release is the one the cell names, if any.
 */
static int parse_release_arch(struct cl_cell_spec *c, const char *path, const char *what,
			      const struct cell_in *in)
{
	int debian = !in->os || !strncmp(in->os, "debian-", 7);
	int rel = cl_matrix_debian_release(c->kernel);
	const char *arch = cl_arch_of(c->flavor)->name;

	if (in->arch && strcmp(in->arch, arch))
		return cl_err_set(CL_EINPUT, "%s: %s: arch \"%s\" but kernel %s is %s", path, what,
				  in->arch, c->kernel, arch);
	snprintf(c->arch, sizeof(c->arch), "%s", arch);
	if (!debian) {
		c->release = (int)in->release;
		return copy_field(c->os, sizeof(c->os), in->os, path, what, "os");
	}
	if (in->release && in->release != rel)
		return cl_err_set(CL_EINPUT, "%s: %s: release %ld but kernel %s is Debian %d's",
				  path, what, in->release, c->kernel, rel);
	c->release = rel;
	snprintf(c->os, sizeof(c->os), "debian-%d", rel);
	if (in->os && strcmp(in->os, c->os))
		return cl_err_set(CL_EINPUT, "%s: %s: os \"%s\" but kernel %s is Debian %d's", path,
				  what, in->os, c->kernel, rel);
	return 0;
}

/* Cell @idx from @j, each value the matrix's @defaults unless the cell says otherwise. */
static int parse_cell(struct cl_cell_spec *c, const struct cl_matrix *m, const char *path,
		      json_t *j, int idx, const struct cell_in *defaults)
{
	struct cell_in in = *defaults;
	char what[64];
	int rc;

	snprintf(what, sizeof(what), "cells[%d]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, cell_fields)))
		return rc;
	if (!in.id)
		in.id = in.kernel;
	if (!cl_token_ok(in.id))
		return cl_err_set(CL_EINPUT, "%s: %s: id \"%s\" may hold only letters, digits and "
				  "._+- (not . or ..)", path, what, in.id);
	if (cl_matrix_release_parse(in.kernel, c->series, sizeof(c->series), c->flavor,
				    sizeof(c->flavor)))
		return cl_err_set(CL_EINPUT, "%s: %s: unknown kernel: %s", path, what, cl_err());
	if ((rc = copy_field(c->id, sizeof(c->id), in.id, path, what, "id")) ||
	    (rc = copy_field(c->kernel, sizeof(c->kernel), in.kernel, path, what, "kernel")) ||
	    (rc = parse_release_arch(c, path, what, &in)) ||
	    (rc = copy_field(c->note, sizeof(c->note), in.note, path, what, "note")))
		return rc;
	c->memory_mib = (int)in.memory_mib;
	c->vcpus = (int)in.vcpus;
	c->fleet_share = in.fleet_share;
	c->index = idx;
	if ((rc = parse_ring(c, m, path, what, in.ring)))
		return rc;
	return parse_image(c, path, what, in.image);
}

/* "rings": distinct ids, run in the order given; none: one ring, "all". */
static int parse_rings(struct cl_matrix *m, const char *path, json_t *rings)
{
	size_t i;
	json_t *r;

	m->nrings = 1;
	snprintf(m->rings[0], sizeof(m->rings[0]), "all");
	if (!rings)
		return 0;
	if (json_array_size(rings) == 0 || json_array_size(rings) > CL_MAX_RINGS)
		return cl_err_set(CL_EINPUT, "%s: \"rings\" must list 1 to %d ring names", path,
				  CL_MAX_RINGS);
	json_array_foreach(rings, i, r) {
		const char *name = json_string_value(r);

		if (!name || !cl_token_ok(name) || strlen(name) >= CL_ID_MAX)
			return cl_err_set(CL_EINPUT, "%s: rings[%zu] must be a plain name", path, i);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(m->rings[k], name))
				return cl_err_set(CL_EINPUT, "%s: rings[%zu]: \"%s\" twice", path, i,
						  name);
		snprintf(m->rings[i], sizeof(m->rings[i]), "%s", name);
	}
	m->nrings = (int)json_array_size(rings);
	return 0;
}

/* A matrix file's top level, borrowed from the JSON. */
struct matrix_in {
	const char *name, *description;
	json_t *defaults, *rings, *cells;
};

static const struct cl_json_field matrix_fields[] = {
	CL_JSON_FIELD(struct matrix_in, name, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct matrix_in, description, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct matrix_in, defaults, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct matrix_in, rings, CL_JSON_ARRAY, 0),
	CL_JSON_FIELD(struct matrix_in, cells, CL_JSON_ARRAY, 1),
	{ 0 }
};

/* Every cell of @in into @m, ids distinct. */
static int parse_cells(struct cl_matrix *m, const char *path, const struct matrix_in *in,
		       const struct cell_in *defaults)
{
	size_t i;
	json_t *c;
	int rc;

	m->cells = cl_xcalloc(json_array_size(in->cells), sizeof(*m->cells));
	m->ncells_alloc = (int)json_array_size(in->cells);
	json_array_foreach(in->cells, i, c) {
		if ((rc = parse_cell(&m->cells[i], m, path, c, (int)i, defaults)))
			return rc;
		for (size_t k = 0; k < i; k++)
			if (strcmp(m->cells[k].id, m->cells[i].id) == 0)
				return cl_err_set(CL_EINPUT, "%s: cells[%zu]: duplicate id \"%s\"", path,
						  i, m->cells[i].id);
		m->ncells++;
	}
	return 0;
}

int cl_matrix_load(struct cl_matrix **out, const char *path)
{
	struct cell_in defaults = { .note = "", .memory_mib = DEFAULT_MEMORY_MIB,
				    .vcpus = DEFAULT_VCPUS };
	struct matrix_in in = { .name = "matrix" };
	struct cl_matrix *m = NULL;
	json_t *root = NULL;
	int rc;

	*out = NULL;
	if ((rc = cl_json_load(&root, path)) ||
	    (rc = cl_json_fields(&in, path, "matrix", root, matrix_fields)) ||
	    (in.defaults &&
	     (rc = cl_json_fields(&defaults, path, "defaults", in.defaults, defaults_fields))))
		goto out;
	if (json_array_size(in.cells) == 0 || json_array_size(in.cells) > 4096) {
		rc = cl_err_set(CL_EINPUT, "%s: \"cells\" must hold 1 to 4096 cells", path);
		goto out;
	}
	m = cl_xcalloc(1, sizeof(*m));
	m->path = cl_xstrdup(path);
	snprintf(m->name, sizeof(m->name), "%s", in.name);
	if ((rc = parse_rings(m, path, in.rings)) || (rc = parse_cells(m, path, &in, &defaults)))
		goto out;
	*out = m;
	m = NULL;
out:
	cl_matrix_free(m);
	json_decref(root);
	return rc;
}

void cl_matrix_free(struct cl_matrix *m)
{
	if (!m)
		return;
	for (int i = 0; m->cells && i < m->ncells_alloc; i++)
		free(m->cells[i].user_path);
	free(m->cells);
	free(m->path);
	free(m);
}

/* --image @image names a kind a cell may boot: 0, else CL_EINPUT saying so. */
static int image_arg(const char *image)
{
	return builtin_image(image) ? 0 : cl_err_set(CL_EINPUT, "--image: \"%s\" is not "
						       "\"initramfs\", \"snapshot\" or \"disk\"", image);
}

int cl_matrix_single(struct cl_matrix **out, const char *release, const char *image)
{
	struct cl_matrix *m;
	struct cl_cell_spec *c;

	*out = NULL;
	if (strlen(release) >= CL_ID_MAX)
		return cl_err_set(CL_EINPUT, "--kernel: release too long");
	if (image_arg(image))
		return CL_EINPUT;
	m = cl_xcalloc(1, sizeof(*m));
	c = m->cells = cl_xcalloc(1, sizeof(*c));
	if (cl_matrix_release_parse(release, c->series, sizeof(c->series), c->flavor,
				    sizeof(c->flavor))) {
		cl_matrix_free(m);
		return cl_err_set(CL_EINPUT, "--kernel: unknown kernel: %s", cl_err());
	}
	m->path = cl_sprintf("--kernel %s", release);
	snprintf(m->name, sizeof(m->name), "reproduce");
	snprintf(c->id, sizeof(c->id), "%s", release);
	snprintf(c->kernel, sizeof(c->kernel), "%s", release);
	c->release = cl_matrix_debian_release(release);
	snprintf(c->os, sizeof(c->os), "debian-%d", c->release);
	snprintf(c->arch, sizeof(c->arch), "%s", cl_arch_of(c->flavor)->name);
	snprintf(c->image, sizeof(c->image), "%s", image);
	c->memory_mib = strcmp(image, "disk") ? DEFAULT_MEMORY_MIB : 1024;
	c->vcpus = DEFAULT_VCPUS;
	m->ncells = 1;
	m->nrings = 1;
	snprintf(m->rings[0], sizeof(m->rings[0]), "all");
	*out = m;
	return 0;
}

int cl_matrix_keep(struct cl_matrix *m, const char *id, const char *image)
{
	int i, rc;

	for (i = 0; i < m->ncells && strcmp(m->cells[i].id, id); i++)
		;
	if (i == m->ncells)
		return cl_err_set(CL_EINPUT, "%s: no cell %s", m->path, id);
	if (image && (rc = image_arg(image)))
		return rc;
	if (i) {
		struct cl_cell_spec keep = m->cells[i];

		m->cells[i] = m->cells[0]; /* both stay owned: freed by index */
		m->cells[0] = keep;
	}
	m->ncells = 1;
	if (image)
		snprintf(m->cells[0].image, sizeof(m->cells[0].image), "%s", image);
	return 0;
}

json_t *cl_matrix_cell_definition(const struct cl_cell_spec *c)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "kernel", c->kernel, "flavor",
			      c->flavor, "arch", c->arch,
			      "os", c->os, "image", c->image, "memory_mib", c->memory_mib, "vcpus",
			      c->vcpus);

	if (!strcmp(c->image, "user"))
		json_object_set_new(j, "user_image", json_pack("{s:s, s:s}", "sha256", c->user_sha256,
							       "firmware", c->efi ? "uefi" : "bios"));
	return j;
}
