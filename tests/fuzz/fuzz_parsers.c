/*
 * libFuzzer target for everything crashlab reads from a guest: the console
 * triage (fed in chunks the fuzzer chooses), agent lines, the cell state
 * machine that both feed (with libvirt events and time between them), the
 * content parser/interpreter, QEMU panic events, the recorded-event
 * format and its config line, and the walk over content structure that
 * derives mutants. Built with clang
 * -fsanitize=fuzzer,address,undefined by `make fuzz`; CI runs it for a
 * bounded time from the real console corpus.
 */
#include "cl_bugcheck.h"
#include "cl_content.h"
#include "cl_evidence.h"
#include "cl_mutants.h"
#include "cl_sm.h"
#include "cl_smlog.h"
#include "cl_triage.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The state machine: the data as console chunks and agent lines, events between. */
static void fuzz_sm(const uint8_t *data, size_t size)
{
	struct cl_sm_config cfg = { .on_crash = size & 2 ? CL_CRASH_REBOOT : CL_CRASH_STOP,
				    .loop_boots = 3, .max_boots = 4, .boot_s = 30, .heartbeat_s = 10,
				    .step_s = 10, .total_s = 100, .fatal_warnings = (int)(size & 1),
				    .digest_key = "content_sha256", .module = "clsensor" };
	struct cl_sm sm;
	size_t off = 0;
	double t = 0;

	cl_sm_init(&sm, &cfg);
	cl_sm_feed(&sm, &(struct cl_sm_event){ .kind = CL_SM_EV_START });
	while (off < size) {
		uint8_t op = data[off++];
		size_t n = (size_t)(op % 97) + 1;
		struct cl_sm_event e = { .t = t += (op & 7) * 0.5 };

		if (off + n > size)
			n = size - off;
		e.kind = op < 160 ? CL_SM_EV_CONSOLE : op < 220 ? CL_SM_EV_AGENT
						    : (enum cl_sm_ev)(op % CL_SM_EV_LAST);
		e.data = (const char *)data + off;
		e.len = cl_sm_event_has_text(e.kind) ? n : 0;
		cl_sm_feed(&sm, &e);
		off += e.len;
	}
	cl_sm_end(&sm);
	cl_sm_clear(&sm);
}

/* The data as one line: an agent line, a QMP event, a recorded event, a config line. */
static void fuzz_line(const uint8_t *data, size_t size)
{
	static struct cl_smlog_config cfg;
	struct cl_evidence ev;
	struct cl_bugcheck b;
	struct cl_sm_event e;
	char buf[512], *line = malloc(size + 1);

	if (!line)
		return;
	memcpy(line, data, size);
	line[size] = 0;
	memset(&ev, 0, sizeof(ev));
	cl_evidence_expect_mutant(&ev, "channel-291.empty");
	cl_evidence_expect_mutant(&ev, "channel-291.zeros");
	cl_evidence_agent_line(&ev, line);
	cl_bugcheck_from_qmp(&b, line);
	cl_smlog_parse(&e, buf, sizeof(buf), line);
	memset(&cfg, 0, sizeof(cfg));
	cl_smlog_parse_config(&cfg, line);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cl_triage *t = cl_triage_new(size & 1);
	struct cl_content c;
	const char *why;
	size_t off = 0, step = 1;

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

	fuzz_sm(data, size);
	fuzz_line(data, size);

	/* the structure walk of content formats, over small inputs (each mutant is a copy) */
	if (size <= 4096) {
		struct cl_mutants ms;

		cl_mutants_derive(&ms, data, size, CL_MUTANT_SEED);
		cl_mutants_clear(&ms);
	}

	/* content: parse, and when it parses, evaluate against fixed inputs */
	if (size <= CL_MAX_CONTENT_LEN && cl_content_parse(&c, data, (u32)size, &why) == 0) {
		const char *inputs[CL_INPUT_FIELDS];
		struct cl_eval_result res;
		int i;

		for (i = 0; i < CL_INPUT_FIELDS; i++)
			inputs[i] = "msagent_1";
		cl_interp_eval(&c, inputs, &res, NULL);
	}
	return 0;
}
