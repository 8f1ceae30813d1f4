/*
 * cl_gate.h - the release gate: may these bytes ship?
 *
 * `crashlab gate` stands between a qualification and the fleet. It trusts
 * the signed statement (cl_attest.h) for what was tested and the disk for
 * what is about to ship, and nothing else: every file the candidate ships
 * is hashed again and must be an artifact of the statement with the same
 * digest (and the statement may list none the candidate no longer ships);
 * the release's own matrix, an input of the gate, must be in it cell by
 * cell with the same definition (kernel, flavour, architecture, OS, image
 * kind, memory, vCPUs, user image) and a pass; the scenario given must be
 * the one that ran; the statement must be young enough and not from the
 * future. The first "no" is the one reason given.
 *
 * Why --matrix is required rather than read from the statement: the matrix
 * a qualification names is chosen by whoever ran it. What the release
 * requires is the release engineer's decision, and a gate that took the
 * qualification's word for it would pass a run on a smaller matrix.
 */
#ifndef CL_GATE_H
#define CL_GATE_H

#define CL_GATE_DEFAULT_MAX_AGE_S (24.0 * 3600) /* a day: content ships several times a day */
#define CL_GATE_CLOCK_SKEW_S 300.0              /* "finished" may be this far ahead of us */

struct cl_gate_input {
	const char *attestation;  /* attestation.json (DSSE envelope) */
	const char *pubkey;       /* the signer's Ed25519 public key (PEM) */
	const char *candidate;    /* the manifest about to ship */
	const char *matrix;       /* the release's required matrix */
	const char *scenario;     /* the scenario the release requires */
	const char *modules;      /* DIR/RELEASE/NAME.ko as they ship, or NULL */
	double max_age_s;         /* > 0 */
	int no_regressions;       /* the signed report's baseline must show none */
};

/* 0: may ship; 1: refused (cl_err() says why); CL_EINPUT: bad input. */
int cl_gate(const struct cl_gate_input *in);

/*
 * A duration: "24h", "90m", "3600s", "2d" or plain seconds, positive and
 * finite; -1 for anything else (0, negative, junk after the unit).
 */
double cl_gate_parse_age(const char *s);

/*
 * A report time "YYYY-MM-DDTHH:MM:SSZ" exactly (nothing after the Z) as
 * seconds since the epoch into @out; -1 when it is not one.
 */
int cl_gate_parse_time(const char *s, double *out);

#endif
