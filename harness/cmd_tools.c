/*
 * cmd_tools.c - the tools around a run: `triage` (classify console logs
 * the way a cell's console is classified), `images` (build the matrix's
 * images ahead of time, so a qualification spends its time on cells) and
 * `matrix list` (the cells in the order a run takes them). None boots a VM.
 */
#include "cmd.h"
#include "cl_plan.h"
#include "cl_run.h"
#include "cl_scratch.h"
#include "cl_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Triage one stream; prints one JSON line (with "file" when several are given). */
static int triage_one(const char *path, int named)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct cl_triage *t;
	char buf[65536];
	size_t n;
	json_t *j;

	if (!f) {
		fprintf(stderr, "crashlab: %s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	t = cl_triage_new(0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cl_triage_feed(t, buf, n);
	if (f != stdin)
		fclose(f);
	cl_triage_finish(t);
	j = cl_triage_json(cl_triage_result(t));
	if (named)
		json_object_set_new(j, "file", json_string(path));
	json_dumpf(j, stdout, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(j);
	cl_triage_free(t);
	return 0;
}

int cmd_triage(char **files, int n)
{
	int rc = 0;

	if (n == 0)
		return triage_one("-", 0);
	for (int i = 0; i < n; i++)
		if (triage_one(files[i], n > 1))
			rc = 2;
	return rc;
}

int cmd_images(const char *matrix)
{
	struct cl_matrix *m = NULL;
	struct cl_plan p = { 0 };
	int rc = 0;

	cl_run_catch_signals();
	cl_scratch_sweep(CL_SCRATCH_ROOT);
	if (cl_matrix_load(&m, matrix) || (p.matrix = m, cl_plan_select(&p)) ||
	    cl_plan_check(&p) || cl_plan_prepare_images(&p)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		rc = 2;
	}
	cl_plan_clear(&p);
	cl_matrix_free(m);
	return rc;
}

int cmd_matrix_list(const char *matrix)
{
	struct cl_matrix *m = NULL;
	struct cl_plan p = { 0 };
	double total = 0;
	int i;

	if (cl_matrix_load(&m, matrix) || (p.matrix = m, cl_plan_select(&p))) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		cl_plan_clear(&p);
		cl_matrix_free(m);
		return 2;
	}
	for (i = 0; i < m->ncells; i++)
		total += m->cells[i].fleet_share;
	printf("%-28s %-30s %-12s %-10s %-10s %s\n", "id", "kernel", "flavour", "image", "ring",
	       "fleet_share");
	for (i = 0; i < p.ncells; i++) {
		const struct cl_cell_spec *c = p.cells[i];

		printf("%-28s %-30s %-12s %-10s %-10s %.2f\n", c->id, c->kernel, c->flavor, c->image,
		       m->rings[c->ring], c->fleet_share);
	}
	printf("%d cells, %d ring%s, fleet_share total %.2f\n", m->ncells, m->nrings,
	       m->nrings == 1 ? "" : "s", total);
	cl_plan_clear(&p);
	cl_matrix_free(m);
	return 0;
}
