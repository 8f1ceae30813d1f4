/*
 * libFuzzer target for the release gate's verify path: what an attacker
 * who can write the statement, a shard or the matrix controls. Each input
 * is used three ways:
 *   - as a DSSE envelope file, opened with the test key (parse and verify);
 *   - as a statement payload *signed* with the test key, then gated: the
 *     signature holds, so every check of the predicate runs on it
 *     (artifacts, cells, times) against the reference candidate and matrix;
 *   - as a matrix file, and as the report time and duration strings.
 * Built with clang -fsanitize=fuzzer,address,undefined by `make fuzz`,
 * seeded with real statements and matrices.
 */
#include "cl_attest.h"
#include "cl_gate.h"
#include "cl_matrix.h"
#include "cl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/crashlab-fuzz-gate-XXXXXX";
static char *key, *pub, *file, *signed_env;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *prefix;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	prefix = cl_path_join(dir, "k");
	if (cl_attest_keygen(prefix))
		abort();
	key = cl_sprintf("%s.key", prefix);
	pub = cl_sprintf("%s.pub", prefix);
	file = cl_path_join(dir, "input");
	signed_env = cl_path_join(dir, "signed.json");
	free(prefix);
	return 0;
}

static void as_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	double t;

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	cl_gate_parse_time(s, &t);
	cl_gate_parse_age(s);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cl_gate_input in = { .attestation = signed_env, .pubkey = pub,
				    .candidate = "sensor/candidate.json", .matrix = "matrix/ci.json",
				    .scenario = "scenarios/ipc-basic.json", .max_age_s = 86400 };
	struct cl_matrix *m = NULL;
	json_t *st = NULL;

	if (cl_write_file(file, data, size))
		return 0;
	cl_attest_open(&st, file, pub);
	json_decref(st);
	if (cl_matrix_load(&m, file) == 0)
		cl_matrix_free(m);
	if (cl_attest_envelope((const char *)data, size, key, signed_env) == 0)
		cl_gate(&in);
	as_string(data, size);
	return 0;
}
