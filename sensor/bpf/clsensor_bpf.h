/*
 * clsensor_bpf.h - what the BPF sensor (clsensor.bpf.c) and its loader
 * (clsensor-bpf.c) share: the layout of every map value.
 *
 * The content format's constants, operators and field numbers come from
 * the module's cl_content.h, so the BPF interpreter, the module's and the
 * content compiler agree on them. The loader parses a channel file with
 * the module's parser and copies it into two array maps: one entry per
 * instance, and CL_MAX_CRITERIA criterion slots per instance (criterion k
 * of instance i at key i * CL_MAX_CRITERIA + k).
 */
#ifndef CL_BPF_H
#define CL_BPF_H

#include "cl_content.h"

/* One input value: as the module's CL_VALUE_LEN, at most 111 characters,
 * in a slot of a power of two so a masked index stays inside it. */
#define CL_BPF_VALUE_LEN 112
#define CL_BPF_SLOT 128
#define CL_BPF_CRIT_SLOTS (CL_MAX_INSTANCES * CL_MAX_CRITERIA)
#define CL_BPF_PIN_DIR "/sys/fs/bpf/clsensor"
#define CL_BPF_PATH_MAX 256

/* Inputs are length-prefixed: the interpreter never scans for a NUL. */
struct cl_bpf_input {
	u8 len;
	char s[CL_BPF_SLOT];
};

/* Exactly the CL_INPUT_FIELDS inputs, alone in their map value: an index
 * past the last one is past the value, which the verifier can see. */
struct cl_bpf_inputs {
	struct cl_bpf_input f[CL_INPUT_FIELDS];
};

struct cl_bpf_instance {
	u32 id;
	u16 action;
	u8 ncrit;
	u8 reserved;
};

struct cl_bpf_criterion {
	u8 field;
	u8 op;
	u16 len;
	u8 value[CL_MAX_VALUE_LEN + 1];
};

/* The loaded content, as the status command reports it. */
struct cl_bpf_meta {
	u32 ninstances;
	u32 channel;
	u32 version;
	u32 template_fields;
	u32 bytes;
	u32 bounds_check;
	u8 sha256[32];
	char path[CL_BPF_PATH_MAX];
};

/* Counter slots; the first three are the event kinds, in the module's order. */
enum cl_bpf_counter {
	CL_C_FIFO_CREATE,
	CL_C_FIFO_OPEN,
	CL_C_UNIX_CONNECT,
	CL_C_EVALUATIONS,
	CL_C_MATCHES,
	CL_C_ALERTS,  /* events whose first matching instance alerts */
	CL_C_SKIPPED, /* events not evaluated: this CPU's scratch was busy */
	CL_C_LAST
};

/* Per CPU: bit k of inst[i] once criterion k of instance i was evaluated,
 * bit f of fields once input f was read (the module's struct cl_coverage). */
struct cl_bpf_coverage {
	u32 inst[CL_MAX_INSTANCES];
	u64 fields;
};

#endif
