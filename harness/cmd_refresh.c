/*
 * cmd_refresh.c - crashlab matrix refresh: the kernel crawler.
 *
 * Reads crashlab's own package index of every Debian release the matrix
 * covers (images/kernels.sh fetches it first) and compares it with the
 * matrix, within what the matrix covers: its releases and flavours (the
 * flavour names the architecture). New: a kernel of a covered release and
 * flavour the index offers with its headers (a module can be built for it)
 * that no cell runs. Gone: a cell's Debian kernel the index no longer has.
 * --write adds a cell per new kernel (after its release's and flavour's last
 * cell, with that cell's image kind, memory, vCPUs and fleet share, in the
 * matrix's last ring) and removes the gone ones; everything else in the file
 * is kept as it was. Exit 0: up to date; 1: something new or gone (written
 * with --write); 2: bad input or an index that cannot be read.
 */
#include "cmd.h"
#include "cl_image.h"
#include "cl_json.h"
#include "cl_matrix.h"
#include "cl_arch.h"
#include "cl_run.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const codenames[] = { [11] = "bullseye", [12] = "bookworm", [13] = "trixie" };

/* One kernel of the index: its release, whether its headers are there. */
struct offered {
	int release;
	char kernel[CL_ID_MAX];
	int headers;
};

struct index {
	struct offered *k;
	int n;
};

/* The releases @m's Debian cells run (bit N: Debian N). */
static unsigned releases_of(const struct cl_matrix *m)
{
	unsigned bits = 0;

	for (int i = 0; i < m->ncells; i++)
		if (!strncmp(m->cells[i].os, "debian-", 7) && !cl_image_is_debug(m->cells[i].kernel))
			bits |= 1u << m->cells[i].release;
	return bits;
}

/* Parse images/kernels.sh's lines ("CODENAME KERNEL HEADERS") into @ix. */
static int parse_index(struct index *ix, char *text)
{
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char code[16], kernel[CL_ID_MAX];
		int headers, rel = 0;

		if (!strncmp(line, "index: ", 7)) { /* its progress, on stderr */
			fprintf(stderr, "crashlab: %s\n", line + 7);
			continue;
		}
		if (sscanf(line, "%15s %63s %d", code, kernel, &headers) != 3)
			return cl_err_set(CL_EINFRA, "the package index listing has a bad line: %.80s",
					  line);
		for (int r = 11; r <= 13; r++)
			if (!strcmp(code, codenames[r]))
				rel = r;
		ix->k = realloc(ix->k, (size_t)(ix->n + 1) * sizeof(*ix->k));
		if (!ix->k)
			abort();
		ix->k[ix->n].release = rel;
		snprintf(ix->k[ix->n].kernel, sizeof(ix->k[ix->n].kernel), "%s", kernel);
		ix->k[ix->n++].headers = headers;
	}
	return 0;
}

/* The index of the releases in @bits, fetched again when older than 10 minutes. */
static int read_index(struct index *ix, unsigned bits)
{
	char *script = cl_sprintf("%s/images/kernels.sh", cl_data_dir());
	char *logdir = cl_sprintf("%s/logs", cl_cache_dir());
	char *log = cl_sprintf("%s/kernels.%d.log", logdir, (int)getpid());
	char *argv[8] = { "bash", script, (char *)cl_cache_dir() }, *text = NULL;
	int a = 3, status, rc;

	for (int r = 11; r <= 13; r++)
		if (bits & (1u << r))
			argv[a++] = (char *)codenames[r];
	argv[a] = NULL;
	unlink(log);
	status = cl_mkdir_p(logdir, 0755) ? -1 : cl_run(argv, log, 300);
	if (status != 0) {
		char *last = cl_log_last_line(log);

		rc = cl_err_set(CL_EINFRA, "reading the package index failed: %s",
				status < 0 ? cl_err() : last);
		free(last);
	} else if ((rc = cl_read_file(&text, NULL, log, 16u << 20)) == 0) {
		rc = parse_index(ix, text);
	}
	free(text);
	unlink(log);
	free(log);
	free(logdir);
	free(script);
	return rc;
}

static const struct offered *offered_find(const struct index *ix, const char *kernel)
{
	for (int i = 0; i < ix->n; i++)
		if (!strcmp(ix->k[i].kernel, kernel))
			return &ix->k[i];
	return NULL;
}

/* The last Debian cell of @m of release @rel and flavour @flavor, or NULL. */
static const struct cl_cell_spec *group_last(const struct cl_matrix *m, int rel, const char *flavor)
{
	const struct cl_cell_spec *last = NULL;

	for (int i = 0; i < m->ncells; i++)
		if (!strncmp(m->cells[i].os, "debian-", 7) && m->cells[i].release == rel &&
		    !strcmp(m->cells[i].flavor, flavor))
			last = &m->cells[i];
	return last;
}

static int matrix_runs(const struct cl_matrix *m, const char *kernel)
{
	for (int i = 0; i < m->ncells; i++)
		if (!strcmp(m->cells[i].kernel, kernel))
			return 1;
	return 0;
}

/* What changed: for each index kernel, the cell it joins after (new), and
 * each cell whose kernel is gone. */
struct diff {
	const struct offered **fresh;
	const struct cl_cell_spec **after; /* parallel to fresh: the group's last cell */
	int nfresh;
	const struct cl_cell_spec **gone;
	int ngone;
};

static void diff_compute(struct diff *d, const struct cl_matrix *m, const struct index *ix)
{
	d->fresh = cl_xcalloc((size_t)ix->n + 1, sizeof(*d->fresh));
	d->after = cl_xcalloc((size_t)ix->n + 1, sizeof(*d->after));
	d->gone = cl_xcalloc((size_t)m->ncells, sizeof(*d->gone));
	for (int i = 0; i < ix->n; i++) {
		char series[16], flavor[CL_ID_MAX];
		const struct cl_cell_spec *g;

		if (!ix->k[i].headers || matrix_runs(m, ix->k[i].kernel) ||
		    cl_matrix_release_parse(ix->k[i].kernel, series, sizeof(series), flavor,
					    sizeof(flavor)))
			continue;
		if ((g = group_last(m, ix->k[i].release, flavor))) {
			d->after[d->nfresh] = g;
			d->fresh[d->nfresh++] = &ix->k[i];
		}
	}
	for (int i = 0; i < m->ncells; i++) {
		const struct cl_cell_spec *c = &m->cells[i];

		if (!strncmp(c->os, "debian-", 7) && !cl_image_is_debug(c->kernel) &&
		    !offered_find(ix, c->kernel))
			d->gone[d->ngone++] = c;
	}
}

static void diff_clear(struct diff *d)
{
	free(d->fresh);
	free(d->after);
	free(d->gone);
}

/* A new cell's id: "debN-" and the kernel without its "+debN". */
static void new_id(char *id, size_t len, const struct cl_matrix *m, const struct offered *k)
{
	char base[CL_ID_MAX], *p;

	snprintf(base, sizeof(base), "%s", k->kernel);
	if ((p = strstr(base, "+deb")) && p[4] >= '0' && p[4] <= '9') {
		char *end = p + 4;

		while (*end >= '0' && *end <= '9')
			end++;
		memmove(p, end, strlen(end) + 1);
	}
	snprintf(id, len, "deb%d-%.50s", k->release, base);
	for (int n = 2; n < 100; n++) {
		int taken = 0;

		for (int i = 0; i < m->ncells; i++)
			taken |= !strcmp(m->cells[i].id, id);
		if (!taken)
			return;
		snprintf(id, len, "deb%d-%.50s-%d", k->release, base, n);
	}
}

/* A cell for new kernel @k, shaped like @tmpl (its raw JSON @traw). */
static json_t *new_cell(const struct cl_matrix *m, const struct offered *k, json_t *traw,
			int explicit_rings)
{
	static const char *const copied[] = { "image", "memory_mib", "vcpus", "fleet_share" };
	char id[CL_ID_MAX];
	json_t *c = json_object();

	new_id(id, sizeof(id), m, k);
	json_object_set_new(c, "id", json_string(id));
	json_object_set_new(c, "kernel", json_string(k->kernel));
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		if (json_object_get(traw, copied[i]))
			json_object_set(c, copied[i], json_object_get(traw, copied[i]));
	if (explicit_rings)
		json_object_set_new(c, "ring", json_string(m->rings[m->nrings - 1]));
	return c;
}

/* @root's cells without the gone ones, each new one after its group's last cell. */
static json_t *new_cells(const struct cl_matrix *m, json_t *root, const struct diff *d)
{
	json_t *cells = json_object_get(root, "cells"), *out = json_array();
	int explicit_rings = json_object_get(root, "rings") != NULL;

	for (int i = 0; i < m->ncells; i++) {
		int gone = 0;

		for (int g = 0; g < d->ngone; g++)
			gone |= d->gone[g] == &m->cells[i];
		if (!gone)
			json_array_append(out, json_array_get(cells, (size_t)i));
		for (int f = 0; f < d->nfresh; f++)
			if (d->after[f] == &m->cells[i])
				json_array_append_new(out, new_cell(m, d->fresh[f],
								    json_array_get(cells, (size_t)i),
								    explicit_rings));
	}
	return out;
}

/* @root as a matrix file: a key a line, a cell a line. */
static char *dump_matrix(json_t *root)
{
	const size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10);
	char *buf = NULL, *v;
	size_t len = 0, i, n = 0;
	const char *key;
	json_t *val, *cell;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fputs("{\n", f);
	json_object_foreach(root, key, val) {
		json_t *k = json_string(key);
		char *ks = json_dumps(k, JSON_ENCODE_ANY);

		fprintf(f, "%s  %s: ", n++ ? ",\n" : "", ks);
		if (!strcmp(key, "cells") && json_is_array(val)) {
			fputs("[\n", f);
			json_array_foreach(val, i, cell) {
				v = json_dumps(cell, flags);
				fprintf(f, "    %s%s\n", v, i + 1 < json_array_size(val) ? "," : "");
				free(v);
			}
			fputs("  ]", f);
		} else {
			v = json_dumps(val, flags);
			fputs(v, f);
			free(v);
		}
		free(ks);
		json_decref(k);
	}
	fputs("\n}\n", f);
	fclose(f);
	return buf;
}

static int write_matrix(const struct cl_matrix *m, const struct diff *d, const char *out)
{
	json_t *root = NULL;
	struct cl_matrix *check = NULL;
	char *text;
	int rc;

	if ((rc = cl_json_load(&root, m->path)))
		return rc;
	json_object_set_new(root, "cells", new_cells(m, root, d));
	text = dump_matrix(root);
	json_decref(root);
	rc = cl_write_file(out, text, strlen(text));
	free(text);
	if (rc == 0 && (rc = cl_matrix_load(&check, out)) == 0)
		printf("written: %s (%d cells)\n", out, check->ncells);
	cl_matrix_free(check);
	return rc;
}

static void print_diff(const struct cl_matrix *m, const struct diff *d, unsigned bits)
{
	char id[CL_ID_MAX], series[16], flavor[CL_ID_MAX];

	for (int i = 0; i < d->nfresh; i++) {
		new_id(id, sizeof(id), m, d->fresh[i]);
		cl_matrix_release_parse(d->fresh[i]->kernel, series, sizeof(series), flavor,
					sizeof(flavor));
		printf("new   %-32s %-32s Debian %d %s\n", id, d->fresh[i]->kernel,
		       d->fresh[i]->release, cl_arch_of(flavor)->name);
	}
	for (int i = 0; i < d->ngone; i++)
		printf("gone  %-32s %-32s Debian %d %s\n", d->gone[i]->id, d->gone[i]->kernel,
		       d->gone[i]->release, d->gone[i]->arch);
	printf("%s: %d new, %d gone against the package index of", m->path, d->nfresh, d->ngone);
	for (int r = 11; r <= 13; r++)
		if (bits & (1u << r))
			printf(" %s", codenames[r]);
	printf(" (its releases and flavours only)\n");
}

int cmd_matrix_refresh(const char *matrix, int write)
{
	struct cl_matrix *m = NULL;
	struct index ix = { 0 };
	struct diff d = { 0 };
	unsigned bits;
	int rc;

	if ((rc = cl_matrix_load(&m, matrix)))
		goto fail;
	if (!(bits = releases_of(m))) {
		rc = cl_err_set(CL_EINPUT, "%s: no cell runs a Debian kernel package: nothing to "
				"refresh", matrix);
		goto fail;
	}
	if ((rc = read_index(&ix, bits)))
		goto fail;
	diff_compute(&d, m, &ix);
	print_diff(m, &d, bits);
	if (write && (d.nfresh || d.ngone) && (rc = write_matrix(m, &d, matrix)))
		goto fail;
	rc = d.nfresh || d.ngone ? 1 : 0;
	goto done;
fail:
	fprintf(stderr, "crashlab: %s\n", cl_err());
	rc = 2;
done:
	diff_clear(&d);
	free(ix.k);
	cl_matrix_free(m);
	return rc;
}
