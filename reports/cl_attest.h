/*
 * cl_attest.h - keys and the signed qualification statement.
 *
 * `qualify --sign-key KEY` wraps the run's report in an in-toto Statement
 * (v1): its subjects are the candidate's artifacts (manifest, content files,
 * the module built for each kernel) by name and sha256, its predicate the
 * whole report (verdict, every cell, digests, times). The statement is the
 * payload of a DSSE envelope signed with Ed25519 (OpenSSL libcrypto) over
 * DSSE's pre-authentication encoding.
 *
 * The gate (cl_gate.h) opens the statement with cl_attest_open() and asks
 * the questions; the signer reads nothing but the report and the key.
 */
#ifndef CL_ATTEST_H
#define CL_ATTEST_H

#include <jansson.h>
#include <stddef.h>

#define CL_DSSE_TYPE "application/vnd.in-toto+json"
#define CL_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define CL_PREDICATE_TYPE "https://crashlab.dev/qualification/v1"

/* Write an Ed25519 key pair: PREFIX.key (PKCS#8 PEM, 0600) and PREFIX.pub. */
int cl_attest_keygen(const char *prefix);

/* Is @path an Ed25519 private key in PEM, readable by its owner only? 0 or
 * CL_EINPUT naming the file. */
int cl_attest_key_ok(const char *path);

/* Sign @report_path (report.json) with @key_path into @out_path. 0 or CL_E*. */
int cl_attest_write(const char *report_path, const char *key_path, const char *out_path);
/* Any @payload of @len bytes in a DSSE envelope signed with @key_path (the
 * gate's fuzz target signs what it makes up). 0 or CL_E*. */
int cl_attest_envelope(const char *payload, size_t len, const char *key_path, const char *out_path);

/*
 * The statement signed in the DSSE envelope at @path (a new reference in
 * *out) when one of its signatures verifies with the public key at
 * @pubkey_path; duplicate keys are refused in the envelope and in the
 * payload. 0; 1 when no signature verifies or the payload is not an in-toto
 * Statement v1 (cl_err() says which); CL_EINPUT for a file that is not an
 * envelope or a key that is not one.
 */
int cl_attest_open(json_t **out, const char *path, const char *pubkey_path);
/* The same, verified with the public half of the private key at @key_path. */
int cl_attest_open_key(json_t **out, const char *path, const char *key_path);

#endif
