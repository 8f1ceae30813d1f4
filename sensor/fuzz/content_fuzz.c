/*
 * content_fuzz.c - libFuzzer target over the reference sensor's content
 * parser and interpreter, compiled from the same cl_content.c as the module
 * with the module's own CL_BOUNDS_CHECK. The inputs are a heap array of
 * exactly CL_INPUT_FIELDS pointers, as the module's are an array at the end
 * of a page, so AddressSanitizer reports any read past it. For each instance
 * the event is built from that instance's own criterion values, so every
 * criterion is reached the way matching events reach it in the kernel.
 * Built and run by sensor/fuzz/run (the candidate's pre-flight step).
 */
#include "cl_content.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs that satisfy instance @i's criteria where a value can (copies in @vals). */
static void event_for(const struct cl_content *c, u32 i, const char **in,
		      char vals[CL_INPUT_FIELDS][CL_MAX_VALUE_LEN + 1])
{
	const u8 *value;
	u16 vlen;
	u8 field, op;

	for (int f = 0; f < CL_INPUT_FIELDS; f++)
		in[f] = "";
	for (u32 k = 0; cl_content_criterion(c, i, k, &field, &op, &value, &vlen) == 0; k++) {
		if (field >= CL_INPUT_FIELDS)
			continue; /* no input to set: the sensor supplies none */
		memcpy(vals[field], value, vlen);
		vals[field][vlen] = '\0';
		in[field] = vals[field];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char vals[CL_INPUT_FIELDS][CL_MAX_VALUE_LEN + 1];
	struct cl_eval_result res;
	struct cl_coverage cov;
	struct cl_content c;
	const char **in;
	const char *why;

	if (size > CL_MAX_CONTENT_LEN || cl_content_parse(&c, data, (u32)size, &why) != 0)
		return 0;
	in = malloc(CL_INPUT_FIELDS * sizeof(*in));
	memset(&cov, 0, sizeof(cov));
	for (u32 i = 0; i < c.ninstances; i++) {
		event_for(&c, i, in, vals);
		cl_interp_eval(&c, in, &res, &cov);
	}
	free(in);
	return 0;
}
