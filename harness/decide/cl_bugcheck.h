/*
 * cl_bugcheck.h - Windows stop codes ("blue screens") from the hypervisor.
 *
 * A Windows guest with the Hyper-V crash enlightenment (libvirt
 * <panic model='hyperv'/>) writes its bugcheck code and four parameters to
 * the crash MSRs; QEMU turns that into a GUEST_PANICKED event whose data
 * is {"action": ..., "info": {"type": "hyper-v", "arg1": CODE,
 * "arg2".."arg5": P1..P4}}. crashlab receives it as a QEMU monitor event
 * through libvirt and turns it into a crash titled with the bugcheck's
 * name, e.g. "PAGE_FAULT_IN_NONPAGED_AREA (0x50)".
 */
#ifndef CL_BUGCHECK_H
#define CL_BUGCHECK_H

#include <stdint.h>

struct cl_bugcheck {
	uint64_t code;
	uint64_t params[4];
	char name[64];    /* symbolic name, or "BUGCHECK" when not in the table */
	char title[160];  /* "NAME (0xCODE)" */
};

/*
 * Parse the data of a GUEST_PANICKED event (the JSON object libvirt passes
 * as details). Returns 0 for a hyper-v panic with a code; -1 for anything
 * else (other panic types, malformed JSON: untrusted input).
 */
int cl_bugcheck_from_qmp(struct cl_bugcheck *out, const char *details_json);
/* Fill name and title for out->code. */
void cl_bugcheck_describe(struct cl_bugcheck *out);

#endif
