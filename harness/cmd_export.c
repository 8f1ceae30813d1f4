/*
 * cmd_export.c - crashlab export: a run's report in another lab's format,
 * for the dashboards a team already reads. --kcidb: KernelCI's KCIDB I/O
 * data (reports/cl_kcidb.h), from DIR/report.json alone.
 */
#include "cmd.h"
#include "cl_kcidb.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>

const char cmd_export_usage[] =
	"  export --kcidb DIR [--origin NAME] [--out FILE]   the run whose report is in DIR\n"
	"          as KernelCI KCIDB I/O data (schema 5.3): the candidate a checkout, each\n"
	"          kernel a build, each cell a test (FAIL the candidate's failures, ERROR\n"
	"          the lab's, MISS not run), each crash group an issue with its incidents;\n"
	"          NAME (default crashlab): the KCIDB origin, [a-z0-9_]+; FILE default stdout\n";

static int write_out(json_t *k, const char *out)
{
	const size_t flags = JSON_INDENT(2) | JSON_ENSURE_ASCII;

	int bad;

	if (out)
		bad = json_dump_file(k, out, flags);
	else /* a full disk or a closed pipe shows only at the flush */
		bad = json_dumpf(k, stdout, flags) || putchar('\n') == EOF || fflush(stdout);
	return bad ? cl_err_set(CL_EINFRA, "%s: cannot write", out ? out : "stdout") : 0;
}

int cmd_export(int argc, char **argv)
{
	const char *dir = NULL, *origin = "crashlab", *out = NULL;
	const struct cmd_opt opts[] = { { "kcidb", &dir }, { "origin", &origin }, { "out", &out },
					{ NULL, NULL } };
	char *path, *abs;
	json_error_t jerr;
	json_t *rep, *k = NULL;
	int rc;

	int bad = cmd_string_opts(argc, argv, opts);

	if (bad || !dir) {
		fprintf(stderr, "crashlab: export: %s\nusage: crashlab %s",
			bad ? "bad option, or one missing its value" : "needs --kcidb DIR",
			cmd_export_usage + 2);
		return 2;
	}
	if (!cl_kcidb_origin_ok(origin)) {
		fprintf(stderr, "crashlab: export: --origin %.40s: a KCIDB origin is [a-z0-9_]+\n",
			origin);
		return 2;
	}
	path = cl_path_join(dir, "report.json");
	abs = realpath(dir, NULL);
	if (!(rep = json_load_file(path, 0, &jerr)))
		rc = cl_err_set(CL_EINPUT, "%s", jerr.text);
	else if ((rc = cl_kcidb_from_report(rep, origin, abs, &k)) == 0 && (rc = write_out(k, out)))
		path[0] = '\0'; /* the output's error names the output */
	if (rc)
		fprintf(stderr, "crashlab: export: %s%s%s\n", path, path[0] ? ": " : "", cl_err());
	json_decref(rep);
	json_decref(k);
	free(path);
	free(abs);
	return rc ? 2 : 0;
}
