/*
 * cl_attest.c - the signed qualification and the release gate (see cl_attest.h).
 */
#include "cl_attest.h"
#include "cl_matrix.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- keys --------------------------------------------------------------- */

static int write_pem(const char *path, EVP_PKEY *k, int private_key)
{
	char *tmp = cl_sprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wx");
	int ok;

	if (!f) {
		free(tmp);
		return cl_err_set(CL_EINPUT, "%s: cannot create: %s", path, strerror(errno));
	}
	if (private_key)
		fchmod(fileno(f), 0600);
	ok = private_key ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_PUBKEY(f, k);
	ok = (fclose(f) == 0) && ok && rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : cl_err_set(CL_EINPUT, "%s: cannot write the key", path);
}

int cl_keygen(const char *prefix)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char *key = cl_sprintf("%s.key", prefix), *pub = cl_sprintf("%s.pub", prefix);
	int rc;

	if (!k)
		rc = cl_err_set(CL_EINFRA, "libcrypto cannot make an Ed25519 key");
	else if (cl_file_exists(key) || cl_file_exists(pub))
		rc = cl_err_set(CL_EINPUT, "%s: exists; not overwritten", cl_file_exists(key) ? key : pub);
	else
		rc = write_pem(key, k, 1) ? CL_EINPUT : write_pem(pub, k, 0);
	EVP_PKEY_free(k);
	free(key);
	free(pub);
	return rc;
}

static EVP_PKEY *read_key(const char *path, int private_key)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f) {
		cl_err_set(CL_EINPUT, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		cl_err_set(CL_EINPUT, "%s: not an Ed25519 %s key in PEM", path,
			   private_key ? "private" : "public");
		return NULL;
	}
	return k;
}

int cl_attest_key_ok(const char *path)
{
	EVP_PKEY *k = read_key(path, 1);

	EVP_PKEY_free(k);
	return k ? 0 : CL_EINPUT;
}

/* keyid: sha256 of the public key's DER encoding. */
static void key_id(char out[CL_SHA256_HEX], EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	cl_sha256_hex(out, der, n > 0 ? (size_t)n : 0);
	OPENSSL_free(der);
}

/* ---- DSSE --------------------------------------------------------------- */

/* DSSE's pre-authentication encoding of @body. */
static char *pae(const char *body, size_t len, size_t *out_len)
{
	char *head = cl_sprintf("DSSEv1 %zu %s %zu ", strlen(CL_DSSE_TYPE), CL_DSSE_TYPE, len);
	size_t h = strlen(head);
	char *p = cl_xmalloc(h + len + 1);

	memcpy(p, head, h);
	memcpy(p + h, body, len);
	p[h + len] = '\0';
	*out_len = h + len;
	free(head);
	return p;
}

static char *b64(const void *data, size_t len)
{
	char *out = cl_xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* Decode standard base64; NULL when it is not. */
static unsigned char *unb64(const char *s, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out;
	int m;

	if (n == 0 || n % 4)
		return NULL;
	out = cl_xmalloc(n / 4 * 3 + 1);
	m = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (m < 0) {
		free(out);
		return NULL;
	}
	m -= (s[n - 1] == '=') + (s[n - 2] == '=');
	out[m] = '\0';
	*len = (size_t)m;
	return out;
}

/* ---- the statement ------------------------------------------------------ */

static void add_subject(json_t *subjects, const char *name, const char *sha)
{
	json_array_append_new(subjects, json_pack("{s:s, s:{s:s}}", "name", name, "digest", "sha256",
						  sha));
}

/* Subjects: every artifact the report lists, and the manifest itself. */
static json_t *subjects_of(json_t *report)
{
	json_t *cand = json_object_get(report, "candidate"), *subjects = json_array(), *a;
	const char *manifest = json_string_value(json_object_get(cand, "manifest"));
	char sha[CL_SHA256_HEX];
	size_t i;

	if (manifest && cl_sha256_file(sha, manifest) == 0)
		add_subject(subjects, manifest, sha);
	json_array_foreach(json_object_get(cand, "artifacts"), i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		const char *digest = json_string_value(json_object_get(a, "sha256"));
		char *name;

		if (!kind || !digest)
			continue;
		name = !strcmp(kind, "module")
			       ? cl_sprintf("%s.ko@%s", json_string_value(json_object_get(a, "name")),
					    json_string_value(json_object_get(a, "kernel_release")))
			       : cl_xstrdup(json_string_value(json_object_get(a, "file")) ?: json_string_value(json_object_get(a, "dir")) ?: kind);
		add_subject(subjects, name, digest);
		free(name);
	}
	return subjects;
}

static int sign(char **sig_b64, EVP_PKEY *k, const char *msg, size_t len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char sig[64];
	size_t n = sizeof(sig);
	int ok = c && EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestSign(c, sig, &n, (const unsigned char *)msg, len) == 1;

	EVP_MD_CTX_free(c);
	if (!ok)
		return cl_err_set(CL_EINFRA, "libcrypto cannot sign");
	*sig_b64 = b64(sig, n);
	return 0;
}

int cl_attest_write(const char *report_path, const char *key_path, const char *out_path)
{
	json_error_t err;
	json_t *report = json_load_file(report_path, 0, &err), *st, *env;
	EVP_PKEY *k = read_key(key_path, 1);
	char *payload = NULL, *msg = NULL, *sig = NULL, *text = NULL, *p64 = NULL;
	char kid[CL_SHA256_HEX];
	size_t mlen;
	int rc;

	if (!k || !report) {
		json_decref(report);
		EVP_PKEY_free(k);
		return k ? cl_err_set(CL_EINFRA, "%s: %s", report_path, err.text) : CL_EINPUT;
	}
	st = json_pack("{s:s, s:o, s:s, s:O}", "_type", CL_STATEMENT_TYPE, "subject",
		       subjects_of(report), "predicateType", CL_PREDICATE_TYPE, "predicate", report);
	payload = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	msg = pae(payload, strlen(payload), &mlen);
	key_id(kid, k);
	if ((rc = sign(&sig, k, msg, mlen)) == 0) {
		p64 = b64(payload, strlen(payload));
		env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", CL_DSSE_TYPE, "payload",
				p64, "signatures", "keyid", kid, "sig", sig);
		text = json_dumps(env, JSON_INDENT(2));
		json_decref(env);
		rc = cl_write_file(out_path, text, strlen(text));
	}
	json_decref(st);
	json_decref(report);
	EVP_PKEY_free(k);
	free(payload);
	free(msg);
	free(sig);
	free(p64);
	free(text);
	return rc;
}

/* ---- the gate ----------------------------------------------------------- */

/* The statement inside @path if a signature on it verifies with @pub; NULL otherwise. */
static json_t *verified_statement(const char *path, EVP_PKEY *pub, int *bad_input)
{
	json_error_t err;
	json_t *env = json_load_file(path, 0, &err), *s, *st = NULL;
	const char *p64 = json_string_value(json_object_get(env, "payload"));
	unsigned char *payload = NULL;
	size_t plen = 0, i;

	*bad_input = !env || !p64 || !json_is_array(json_object_get(env, "signatures")) ||
		     !(payload = unb64(p64, &plen));
	if (*bad_input) {
		cl_err_set(CL_EINPUT, "%s: not a DSSE envelope%s%s", path, env ? "" : ": ",
			   env ? "" : err.text);
		goto out;
	}
	cl_err_set(1, "the signature does not verify with this public key");
	json_array_foreach(json_object_get(env, "signatures"), i, s) {
		const char *sig64 = json_string_value(json_object_get(s, "sig"));
		size_t mlen, slen = 0;
		unsigned char *sig = sig64 ? unb64(sig64, &slen) : NULL;
		char *msg = pae((const char *)payload, plen, &mlen);
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		int ok = sig && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pub) == 1 &&
			 EVP_DigestVerify(c, sig, slen, (unsigned char *)msg, mlen) == 1;

		EVP_MD_CTX_free(c);
		free(sig);
		free(msg);
		if (ok && strcmp(json_string_value(json_object_get(env, "payloadType")) ?: "",
				 CL_DSSE_TYPE) == 0) {
			st = json_loadb((const char *)payload, plen, 0, &err);
			break;
		}
	}
	if (st && strcmp(json_string_value(json_object_get(st, "_type")) ?: "", CL_STATEMENT_TYPE)) {
		json_decref(st);
		st = NULL;
		cl_err_set(1, "the signed payload is not an in-toto Statement v1");
	}
out:
	json_decref(env);
	free(payload);
	return st;
}

static int is_subject(json_t *st, const char *sha)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(st, "subject"), i, s) {
		const char *d = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));

		if (d && !strcmp(d, sha))
			return 1;
	}
	return 0;
}

static int not_qualified(const char *path, const char *sha)
{
	return cl_err_set(1, "%s (sha256 %.12s...) was not qualified: no subject of the statement "
			  "has its digest", path, sha);
}

/* The manifest and every content file it names, as they are on disk now, are subjects. */
static int check_content(json_t *st, const char *manifest)
{
	json_error_t err;
	json_t *m = json_load_file(manifest, 0, &err), *c;
	char *dir = cl_dirname(manifest), sha[CL_SHA256_HEX];
	size_t i;
	int rc = m && json_array_size(json_object_get(m, "content")) ? 0
			 : cl_err_set(CL_EINPUT, "%s: not a candidate manifest with content", manifest);

	if (rc == 0 && cl_sha256_file(sha, manifest) == 0 && !is_subject(st, sha))
		rc = not_qualified(manifest, sha);
	json_array_foreach(json_object_get(m, "content"), i, c) {
		const char *file = json_string_value(json_object_get(c, "file"));
		char *path;

		if (rc || !file) {
			rc = rc ? rc : cl_err_set(CL_EINPUT, "%s: content[%zu] has no file", manifest, i);
			break;
		}
		path = file[0] == '/' ? cl_xstrdup(file) : cl_path_join(dir, file);
		if (cl_sha256_file(sha, path))
			rc = cl_err_set(CL_EINPUT, "%s", cl_err());
		else if (!is_subject(st, sha))
			rc = not_qualified(path, sha);
		free(path);
	}
	json_decref(m);
	free(dir);
	return rc;
}

/* Every cell of @matrix_path is in the predicate and passed. */
static int check_matrix(json_t *pred, const char *matrix_path)
{
	struct cl_matrix *m;
	json_t *cells = json_object_get(pred, "cells"), *c;
	int i, rc = 0;
	size_t j;

	if (cl_matrix_load(&m, matrix_path))
		return CL_EINPUT;
	for (i = 0; i < m->ncells && !rc; i++) {
		const char *verdict = NULL;

		json_array_foreach(cells, j, c)
			if (!strcmp(json_string_value(json_object_get(c, "id")) ?: "", m->cells[i].id) &&
			    !strcmp(json_string_value(json_object_get(c, "kernel_release")) ?: "",
				    m->cells[i].kernel))
				verdict = json_string_value(json_object_get(c, "verdict"));
		if (!verdict)
			rc = cl_err_set(1, "matrix cell %s (%s) was not qualified", m->cells[i].id,
					m->cells[i].kernel);
		else if (strcmp(verdict, "pass"))
			rc = cl_err_set(1, "matrix cell %s (%s): %s", m->cells[i].id,
					m->cells[i].kernel, verdict);
	}
	cl_matrix_free(m);
	return rc;
}

/* The statement's age from the report's "finished" (UTC, ISO 8601). */
static int check_age(json_t *pred, double max_age_s)
{
	const char *fin = json_string_value(json_object_get(pred, "finished"));
	struct tm tm = { 0 };
	double age;

	if (max_age_s <= 0)
		return 0;
	if (!fin || !strptime(fin, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return cl_err_set(1, "the statement has no finishing time");
	age = difftime(time(NULL), timegm(&tm));
	if (age > max_age_s)
		return cl_err_set(1, "the qualification is %.0f s old; the limit is %.0f s", age,
				  max_age_s);
	return 0;
}

int cl_gate(const struct cl_gate_input *in)
{
	EVP_PKEY *pub = read_key(in->pubkey, 0);
	json_t *st = NULL, *pred;
	int bad = 0, rc;

	if (!pub)
		return CL_EINPUT;
	st = verified_statement(in->attestation, pub, &bad);
	EVP_PKEY_free(pub);
	if (!st)
		return bad ? CL_EINPUT : 1;
	pred = json_object_get(st, "predicate");
	if (strcmp(json_string_value(json_object_get(st, "predicateType")) ?: "", CL_PREDICATE_TYPE))
		rc = cl_err_set(1, "the statement is not a crashlab qualification");
	else if (strcmp(json_string_value(json_object_get(pred, "verdict")) ?: "", "pass"))
		rc = cl_err_set(1, "the qualification's verdict is %s, not pass",
				json_string_value(json_object_get(pred, "verdict")) ?: "missing");
	else if (json_is_true(json_object_get(json_object_get(pred, "preflight"), "skipped")))
		rc = cl_err_set(1, "the qualification skipped the candidate's pre-flight checks");
	else if ((rc = check_content(st, in->candidate)) == 0 &&
		 (rc = check_matrix(pred, in->matrix ? in->matrix
				    : json_string_value(json_object_get(json_object_get(pred, "matrix"), "file")) ?: "")) == 0)
		rc = check_age(pred, in->max_age_s);
	json_decref(st);
	return rc == CL_EINPUT ? CL_EINPUT : rc ? 1 : 0;
}
