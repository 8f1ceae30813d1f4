/*
 * cmd_statement.c - the signed statement and what is made from reports
 * after a run: `keygen`, `sign`, `gate`, `merge` and `html`.
 *
 * These run no candidate code and boot nothing, which is why `sign` and
 * `merge --sign-key` are where a key held apart from the lab is used, and
 * why `gate` can run where the release ships: it recomputes every digest
 * from the bytes about to ship and trusts nothing else.
 */
#include "cmd.h"
#include "cl_attest.h"
#include "cl_html.h"
#include "cl_merge.h"
#include "cl_outcome.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_keygen(const char *prefix)
{
	if (cl_attest_keygen(prefix)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		return 2;
	}
	printf("%s.key (private, 0600)\n%s.pub\n", prefix, prefix);
	return 0;
}

int cmd_sign(const char *dir, const char *key)
{
	char *json = cl_path_join(dir, "report.json"), *att = cl_path_join(dir, "attestation.json");
	int rc = cl_attest_write(json, key, att);

	if (rc)
		fprintf(stderr, "crashlab: cannot sign %s: %s\n", json, cl_err());
	else
		printf("signed statement in %s\n", att);
	free(json);
	free(att);
	return rc ? 2 : 0;
}

int cmd_gate(struct cl_gate_input *in)
{
	char *default_scn = cl_sprintf("%s/scenarios/ipc-basic.json", cl_data_dir());
	int rc;

	if (!in->scenario)
		in->scenario = default_scn;
	rc = cl_gate(in);
	if (rc == 0)
		printf("gate: pass: %s is qualified by %s\n", in->candidate, in->attestation);
	else
		fprintf(stderr, "gate: %s: %s\n", rc == 1 ? "refused" : "error", cl_err());
	if (in->scenario == default_scn)
		in->scenario = NULL; /* not left pointing at freed memory */
	free(default_scn);
	return rc == 0 ? 0 : rc == 1 ? 1 : 2;
}

int cmd_merge(const char **dirs, int n, const char *out, const char *key)
{
	int rc = key ? cl_attest_key_ok(key) : 0;

	if (rc == 0)
		rc = cl_merge(dirs, n, out, key);
	if (rc) {
		fprintf(stderr, "crashlab: merge: %s\n", cl_err());
		return 2;
	}
	cl_outcome_pages(out);
	rc = cl_merge_exit_code(out);
	cmd_history_record(out, "merge", NULL, NULL); /* the whole run; its shards were not */
	if (key)
		rc = cl_outcome_sign(out, key, rc);
	printf("%s: %d shards merged; report in %s (exit %d)\n",
	       rc == 0 ? "pass" : rc == 1 ? "fail" : "error", n, out, rc);
	return rc;
}

int cmd_html(const char *report, const char *page)
{
	if (cl_html_write(report, page)) {
		fprintf(stderr, "crashlab: %s\n", cl_err());
		return 2;
	}
	return 0;
}
