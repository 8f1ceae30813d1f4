/*
 * libFuzzer target for everything crashlab reads from a guest: the console
 * triage (fed in chunks the fuzzer chooses), agent lines, the content
 * parser/interpreter and QEMU panic events. Built with clang
 * -fsanitize=fuzzer,address,undefined by `make fuzz`; CI runs it for a
 * bounded time from the real console corpus.
 */
#include "cl_bugcheck.h"
#include "cl_content.h"
#include "cl_triage.h"
#include "cl_verdict.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cl_triage *t = cl_triage_new(size & 1);
	struct cl_evidence ev;
	struct cl_content c;
	struct cl_bugcheck b;
	const char *why;
	size_t off = 0, step = 1;
	char *line;

	/* console triage, chunk sizes driven by the data itself */
	while (off < size) {
		step = (size_t)(data[off] % 61) + 1;
		if (off + step > size)
			step = size - off;
		cl_triage_feed(t, (const char *)data + off, step);
		off += step;
	}
	cl_triage_finish(t);
	cl_triage_free(t);

	/* agent line */
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	memset(&ev, 0, sizeof(ev));
	cl_evidence_agent_line(&ev, line);
	cl_bugcheck_from_qmp(&b, line);
	free(line);

	/* content: parse, and when it parses, evaluate against fixed inputs */
	if (size <= CL_MAX_CONTENT_LEN && cl_content_parse(&c, data, (u32)size, &why) == 0) {
		const char *inputs[CL_INPUT_FIELDS];
		struct cl_eval_result res;
		int i;

		for (i = 0; i < CL_INPUT_FIELDS; i++)
			inputs[i] = "msagent_1";
		cl_interp_eval(&c, inputs, &res);
	}
	return 0;
}
