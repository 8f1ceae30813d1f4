/*
 * cl_attest.c - keys, and the signed statement: written (DSSE over an in-toto
 * Statement) and opened again with its signature verified (see cl_attest.h).
 */
#include "cl_attest.h"
#include "cl_json.h"
#include "cl_sha256.h"
#include "cl_util.h"

#include <errno.h>
#include <fcntl.h>
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

/*
 * The new file @tmp for a key, created with its final mode (0600 for a
 * private key, 0644 for a public one: no moment where it is readable by
 * others), never over an existing one; close-on-exec. NULL with errno set.
 */
static FILE *create_pem(const char *tmp, int private_key)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, private_key ? 0600 : 0644);
	FILE *f;
	int err;

	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "w")))
		return f;
	err = errno;
	close(fd);
	unlink(tmp);
	errno = err;
	return NULL;
}

static int write_pem(const char *path, EVP_PKEY *k, int private_key)
{
	char *tmp = cl_sprintf("%s.tmp", path);
	FILE *f = create_pem(tmp, private_key);
	int ok, err = errno;

	if (!f) {
		free(tmp);
		return cl_err_set(CL_EINPUT, "%s: cannot create: %s", path, strerror(err));
	}
	ok = private_key ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_PUBKEY(f, k);
	ok = ok == 1 && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok && rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : cl_err_set(CL_EINPUT, "%s: cannot write the key", path);
}

int cl_attest_keygen(const char *prefix)
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
	FILE *f = fopen(path, "re");
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
	struct stat st;
	EVP_PKEY *k;

	if (stat(path, &st) == 0 && (st.st_mode & 077))
		return cl_err_set(CL_EINPUT, "%s: readable by other users (mode %04o): chmod 600 it",
				  path, (unsigned)(st.st_mode & 07777));
	k = read_key(path, 1);
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

/* Subjects: every artifact the report lists (the manifest among them), by name and digest. */
static json_t *subjects_of(json_t *report)
{
	json_t *cand = json_object_get(report, "candidate"), *subjects = json_array(), *a;
	size_t i;

	json_array_foreach(json_object_get(cand, "artifacts"), i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		const char *digest = json_string_value(json_object_get(a, "sha256"));
		const char *name = json_string_value(json_object_get(a, "name"));
		char *subject;

		if (!kind || !digest || !name)
			continue;
		subject = !strcmp(kind, "module")
				  ? cl_sprintf("%s.ko@%s", name,
					       json_string_value(json_object_get(a, "kernel_release")) ?: "?")
				  : cl_sprintf("%s:%s", kind, name);
		add_subject(subjects, subject, digest);
		free(subject);
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

/* The DSSE envelope of @payload signed with @k, written to @out_path. */
static int write_envelope(const char *payload, size_t len, EVP_PKEY *k, const char *out_path)
{
	char *msg, *sig = NULL, *text = NULL, *p64 = NULL, kid[CL_SHA256_HEX];
	size_t mlen;
	json_t *env;
	int rc;

	msg = pae(payload, len, &mlen);
	key_id(kid, k);
	if ((rc = sign(&sig, k, msg, mlen)) == 0) {
		p64 = b64(payload, len);
		env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", CL_DSSE_TYPE, "payload",
				p64, "signatures", "keyid", kid, "sig", sig);
		text = json_dumps(env, JSON_INDENT(2));
		json_decref(env);
		rc = cl_write_file(out_path, text, strlen(text));
	}
	free(msg);
	free(sig);
	free(p64);
	free(text);
	return rc;
}

int cl_attest_envelope(const char *payload, size_t len, const char *key_path, const char *out_path)
{
	EVP_PKEY *k = read_key(key_path, 1);
	int rc = k ? write_envelope(payload, len, k, out_path) : CL_EINPUT;

	EVP_PKEY_free(k);
	return rc;
}

int cl_attest_write(const char *report_path, const char *key_path, const char *out_path)
{
	json_t *report = NULL, *st;
	EVP_PKEY *k = read_key(key_path, 1);
	char *payload;
	int rc;

	if (!k || (rc = cl_json_load(&report, report_path)) ||
	    json_integer_value(json_object_get(report, "crashlab_report")) != 1) {
		rc = !k ? CL_EINPUT : report ? cl_err_set(CL_EINPUT, "%s: not a crashlab report",
							   report_path) : CL_EINPUT;
		json_decref(report);
		EVP_PKEY_free(k);
		return rc;
	}
	st = json_pack("{s:s, s:o, s:s, s:O}", "_type", CL_STATEMENT_TYPE, "subject",
		       subjects_of(report), "predicateType", CL_PREDICATE_TYPE, "predicate", report);
	payload = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	rc = write_envelope(payload, strlen(payload), k, out_path);
	json_decref(st);
	json_decref(report);
	EVP_PKEY_free(k);
	free(payload);
	return rc;
}

/* The envelope at @path (read whole, duplicate keys refused); NULL and said. */
static json_t *load_envelope(const char *path)
{
	json_error_t err;
	char *text = NULL;
	size_t len = 0;
	json_t *env = NULL;

	if (cl_read_file(&text, &len, path, 64u << 20))
		cl_err_set(CL_EINPUT, "%s", cl_err());
	else if (!(env = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err)) || !json_is_object(env))
		cl_err_set(CL_EINPUT, "%s: not a DSSE envelope: %s", path, env ? "not an object" : err.text);
	free(text);
	if (env && !json_is_object(env)) {
		json_decref(env);
		env = NULL;
	}
	return env;
}

/* Does @sig64 sign @payload (DSSE PAE) with @pub? */
static int sig_ok(EVP_PKEY *pub, const char *sig64, const unsigned char *payload, size_t plen)
{
	size_t mlen, slen = 0;
	unsigned char *sig = sig64 ? unb64(sig64, &slen) : NULL;
	char *msg = pae((const char *)payload, plen, &mlen);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = sig && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pub) == 1 &&
		 EVP_DigestVerify(c, sig, slen, (unsigned char *)msg, mlen) == 1;

	EVP_MD_CTX_free(c);
	free(sig);
	free(msg);
	return ok;
}

/*
 * The statement inside the envelope at @path if one of its signatures
 * verifies with @pub: 0 with *out set, 1 when none does (or what it signs
 * is not a Statement), CL_EINPUT when it is not an envelope.
 */
static int open_with(json_t **out, const char *path, EVP_PKEY *pub)
{
	json_t *env = load_envelope(path), *s, *st = NULL;
	const char *p64 = json_string_value(json_object_get(env, "payload"));
	unsigned char *payload = NULL;
	size_t plen = 0, i;
	json_error_t err;
	int rc = 1;

	*out = NULL;
	if (!env)
		return CL_EINPUT;
	if (!p64 || !json_is_array(json_object_get(env, "signatures")) ||
	    strcmp(json_string_value(json_object_get(env, "payloadType")) ?: "", CL_DSSE_TYPE) ||
	    !(payload = unb64(p64, &plen))) {
		json_decref(env);
		return cl_err_set(CL_EINPUT, "%s: not a DSSE envelope of an in-toto statement", path);
	}
	cl_err_set(1, "the signature does not verify with this public key");
	json_array_foreach(json_object_get(env, "signatures"), i, s)
		if (!st && sig_ok(pub, json_string_value(json_object_get(s, "sig")), payload, plen) &&
		    !(st = json_loadb((const char *)payload, plen, JSON_REJECT_DUPLICATES, &err)))
			cl_err_set(1, "the signed payload is not JSON: %s", err.text);
	if (st && (!json_is_object(st) ||
		   strcmp(json_string_value(json_object_get(st, "_type")) ?: "", CL_STATEMENT_TYPE))) {
		json_decref(st);
		st = NULL;
		cl_err_set(1, "the signed payload is not an in-toto Statement v1");
	}
	if (st) {
		*out = st;
		rc = 0;
	}
	json_decref(env);
	free(payload);
	return rc;
}

int cl_attest_open(json_t **out, const char *path, const char *pubkey_path)
{
	EVP_PKEY *pub = read_key(pubkey_path, 0);
	int rc;

	*out = NULL;
	if (!pub)
		return CL_EINPUT;
	rc = open_with(out, path, pub);
	EVP_PKEY_free(pub);
	return rc;
}

int cl_attest_open_key(json_t **out, const char *path, const char *key_path)
{
	EVP_PKEY *k = read_key(key_path, 1);
	int rc;

	*out = NULL;
	if (!k)
		return CL_EINPUT;
	rc = open_with(out, path, k); /* a private key verifies with its public half */
	EVP_PKEY_free(k);
	return rc;
}
