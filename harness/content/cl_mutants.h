/*
 * cl_mutants.h - malformed content derived from the final content artifact.
 *
 * The July 2024 content passed its validator but its interpreter was never
 * fed a broken file. From the exact bytes a candidate publishes, crashlab
 * derives mutants with a fixed seed, in a fixed order, the same on every
 * run: every format gets the generic ones (empty, all zeros of the same
 * length, truncations, single bit flips, random bytes of the same length);
 * a format crashlab knows (a table of content formats, one file each, see
 * cl_format_clcf.c) adds mutants of its structure: truncations at each
 * structure boundary, counts and lengths at their maximum, a field index
 * equal to the number of inputs the sensor supplies (the 21st-field case).
 *
 * Each mutant is installed in a guest like the real content; the sensor
 * must refuse it or survive it (cl_scenario.c plans it, cl_verdict.c judges
 * it). Pure functions over bytes: no files, no clock.
 */
#ifndef CL_MUTANTS_H
#define CL_MUTANTS_H

#include "cl_minimize.h"

#include <stddef.h>
#include <stdint.h>

#define CL_MUTANT_NAME 40
#define CL_MUTANT_SEED 0x291u   /* fixed: the same mutants on every run */
#define CL_MAX_MUTANTS 64       /* per content file */
#define CL_MAX_MUTANT_BYTES (4u << 20) /* content larger than this is not mutated */

struct cl_mutant {
	char name[CL_MUTANT_NAME]; /* stable for the same input, [a-z0-9-] */
	char what[120];            /* one line: what was changed */
	unsigned char *data;       /* owned */
	size_t len;
};

struct cl_mutants {
	struct cl_mutant *m;
	int n, cap;
};

/* A content format crashlab knows the structure of. */
struct cl_mutants_format {
	const char *name;
	/* Is @data (probably) of this format? */
	int (*probe)(const unsigned char *data, size_t len);
	/* Add the mutants of its structure to @out, in a fixed order. */
	void (*derive)(struct cl_mutants *out, const unsigned char *data, size_t len);
	/* For crashlab minimize (cl_minimize.h), NULL when the format has no such
	 * structure: its instances and criteria (0, or -1 when @data is not
	 * well-formed); the content keeping only what @k keeps, written to @out
	 * (at least @len bytes), its length; criterion @crit of instance @inst
	 * (@crit -1: the instance itself) in words, as its author wrote it. */
	int (*parts)(struct cl_content_parts *out, const unsigned char *data, size_t len);
	size_t (*reduce)(unsigned char *out, const unsigned char *data, size_t len,
			 const struct cl_content_keep *k);
	void (*describe)(char *buf, size_t n, const unsigned char *data, size_t len, int inst,
			 int crit);
};

extern const struct cl_mutants_format cl_format_clcf;

/* The format of @data, or NULL when crashlab knows none. */
const struct cl_mutants_format *cl_mutants_format_of(const unsigned char *data, size_t len);

/*
 * Every mutant of @data (@len bytes) in order: empty, zeros, then the
 * format's own, then truncations, bit flips and random bytes drawn from
 * @seed. A mutant equal to the original or to an earlier one is dropped;
 * at most CL_MAX_MUTANTS. Returns the count.
 */
int cl_mutants_derive(struct cl_mutants *out, const unsigned char *data, size_t len,
		      uint64_t seed);
/* Add a copy of @data as mutant @name (printf-style @what); the format files use it. */
void cl_mutants_add(struct cl_mutants *s, const char *name, const void *data, size_t len,
		    const char *what, ...) __attribute__((format(printf, 5, 6)));
void cl_mutants_clear(struct cl_mutants *s);

#endif
