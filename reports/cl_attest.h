/*
 * cl_attest.h - the signed qualification and the release gate.
 *
 * `qualify --sign-key KEY` wraps the run's report in an in-toto Statement
 * (v1): its subjects are the candidate's artifacts (manifest, content files,
 * the module built for each kernel) by name and sha256, its predicate the
 * whole report (verdict, every cell, digests, times). The statement is the
 * payload of a DSSE envelope signed with Ed25519 (OpenSSL libcrypto) over
 * DSSE's pre-authentication encoding.
 *
 * `gate` is the publishing step's question: may these bytes ship? It
 * verifies the envelope with the public key it is given, then asks of the
 * statement, in order: verdict pass; every content file of the candidate as
 * it is on disk now hashes to a subject; every cell of the required matrix
 * is in it and passed; it is younger than the limit. The first "no" is the
 * one reason printed.
 */
#ifndef CL_ATTEST_H
#define CL_ATTEST_H

#define CL_DSSE_TYPE "application/vnd.in-toto+json"
#define CL_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define CL_PREDICATE_TYPE "https://crashlab.dev/qualification/v1"

/* Write an Ed25519 key pair: PREFIX.key (PKCS#8 PEM, 0600) and PREFIX.pub. */
int cl_keygen(const char *prefix);

/* Is @path an Ed25519 private key in PEM? 0 or CL_EINPUT naming the file. */
int cl_attest_key_ok(const char *path);

/* Sign @report_path (report.json) with @key_path into @out_path. 0 or CL_E*. */
int cl_attest_write(const char *report_path, const char *key_path, const char *out_path);

struct cl_gate_input {
	const char *attestation, *pubkey, *candidate;
	const char *matrix;      /* NULL: the statement's own matrix */
	double max_age_s;        /* <= 0: no limit */
};

/* 0: may ship; 1: refused (cl_err() says why); 2 (CL_EINPUT): bad input. */
int cl_gate(const struct cl_gate_input *in);

#endif
