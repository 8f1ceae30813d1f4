/*
 * cl_content.h - the crashlab reference sensor's content ("channel") file
 * format and its interpreter.
 *
 * A channel file is a list of template instances. Each instance carries a few
 * matching criteria; a criterion names one of the input values the sensor
 * supplies for every IPC event (event type, object name, process name, ...)
 * and how to match it (wildcard, exact, prefix, suffix, substring, glob). An
 * instance whose criteria all match counts a hit (and may log an alert).
 *
 * The sensor supplies CL_INPUT_FIELDS (20) values per event. The header of a
 * channel file declares how many fields its template type has; a template
 * type with 21 fields, one more than the sensor supplies, is exactly the July
 * 2024 Channel File 291 mismatch. With CL_BOUNDS_CHECK=1 (the default) the
 * parser refuses such content and the evaluator never indexes past the input
 * array; built with CL_BOUNDS_CHECK=0, a non-wildcard criterion on field 21
 * makes cl_interp_eval() read one pointer past the end of the inputs.
 *
 * This file and cl_content.c compile both in the kernel module and in user
 * space (the content compiler and the unit tests), so the exact bytes the
 * compiler emits are the bytes this parser accepts.
 *
 * Binary layout, all integers little-endian:
 *   header   magic "CLCF", u16 format (1), u16 template_fields, u32 channel,
 *            u32 content_version, u32 instance_count, u32 total_len   (24 B)
 *   instance u32 id, u16 action, u8 ncrit, u8 reserved                 (8 B)
 *            then ncrit criteria
 *   criterion u8 field (0-based), u8 op, u16 len, then len value bytes
 */
#ifndef CL_CONTENT_H
#define CL_CONTENT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#ifndef CL_BOUNDS_CHECK
#define CL_BOUNDS_CHECK 1
#endif

#define CL_INPUT_FIELDS 20        /* values the sensor supplies per event */
#define CL_MAX_TEMPLATE_FIELDS 64 /* largest field count a header may declare */
#define CL_MAX_INSTANCES 256
#define CL_MAX_CRITERIA 32
#define CL_MAX_VALUE_LEN 255
#define CL_CONTENT_FORMAT 1
#define CL_HEADER_LEN 24
#define CL_INSTANCE_LEN 8
#define CL_CRITERION_LEN 4
#define CL_MAX_CONTENT_LEN (1u << 20)

/* Matching operators; CL_OP_ANY is the wildcard and reads no input. */
enum cl_op {
	CL_OP_ANY = 0,
	CL_OP_EQ,
	CL_OP_PREFIX,
	CL_OP_SUFFIX,
	CL_OP_CONTAINS,
	CL_OP_GLOB,
	CL_OP_LAST
};

/* What a matching instance does. */
enum cl_action {
	CL_ACTION_COUNT = 1, /* count the hit */
	CL_ACTION_ALERT,     /* count it and log an alert line */
	CL_ACTION_LAST
};

/* Input fields the sensor fills for every event (the rest are reserved). */
enum cl_field {
	CL_F_EVENT = 0,   /* "fifo_create", "fifo_open", "unix_connect" */
	CL_F_NAME,        /* object name: FIFO or socket basename */
	CL_F_PATH,        /* parent/name for FIFOs, sun_path for sockets */
	CL_F_COMM,        /* current->comm */
	CL_F_PID,
	CL_F_TGID,
	CL_F_UID,
	CL_F_PARENT_COMM,
	CL_F_MODE,        /* octal file mode (FIFO create) */
	CL_F_FLAGS,       /* hex open/connect flags */
	CL_F_HOST,        /* utsname nodename */
	CL_F_RELEASE,     /* kernel release */
	CL_F_USED_LAST    /* fields from here to CL_INPUT_FIELDS-1 are "" */
};

#ifndef __KERNEL__
/* The names the content compiler's JSON gives fields and operators (user space). */
static const char *const cl_field_names[CL_F_USED_LAST] = {
	"event", "name", "path", "comm", "pid", "tgid", "uid", "parent_comm", "mode", "flags",
	"host", "release",
};
static const char *const cl_op_names[CL_OP_LAST] = { "any", "eq", "prefix", "suffix",
						     "contains", "glob" };
#endif

/* A parsed channel file: borrowed view of the caller's bytes. */
struct cl_content {
	const u8 *data;      /* whole file, owned by the caller */
	u32 len;
	u16 template_fields; /* as declared by the header */
	u32 channel;
	u32 version;
	u32 ninstances;
	u32 offsets[CL_MAX_INSTANCES]; /* byte offset of each instance */
};

/*
 * What the interpreter evaluated, kept by the caller across events (reset
 * when the content changes): bit k of instance[i] once criterion k of
 * instance i was matched against an input; bit f of fields once input field
 * f was read by a criterion. A criterion is reached only when the ones
 * before it in its instance matched, so full coverage needs events chosen
 * for every instance.
 */
struct cl_coverage {
	u32 instance[CL_MAX_INSTANCES];
	u64 fields;
};

/* Result of evaluating one event against every instance. */
struct cl_eval_result {
	u32 matched;                 /* instances that matched */
	u32 first_match_id;          /* id of the first, 0 if none */
	u16 first_match_action;
};

/*
 * Parse and validate @data. Returns 0, or a negative code with a static
 * message in *why: truncated or inconsistent structure, unknown operator or
 * action, and (with CL_BOUNDS_CHECK) a template wider than the sensor's inputs
 * or a criterion naming a field the sensor does not supply.
 */
int cl_content_parse(struct cl_content *out, const u8 *data, u32 len, const char **why);

/*
 * Evaluate every instance against one event's @inputs (CL_INPUT_FIELDS
 * strings), recording what was evaluated in @cov (may be NULL). Never
 * inlined so a fault in it names it in the oops.
 */
void cl_interp_eval(const struct cl_content *c, const char *const *inputs,
		    struct cl_eval_result *res, struct cl_coverage *cov);

/* Instance @i of parsed content @c (i < c->ninstances): its id; its
 * non-wildcard criteria as a mask (bit k: criterion k), the fields they
 * name or-ed into *@fields (may be NULL). */
u32 cl_content_instance_id(const struct cl_content *c, u32 i);
u32 cl_content_needed(const struct cl_content *c, u32 i, u64 *fields);
/* Criterion @k of instance @i: 0 with its field, operator and value, or -1
 * when the instance has no such criterion. */
int cl_content_criterion(const struct cl_content *c, u32 i, u32 k, u8 *field, u8 *op,
			 const u8 **value, u16 *vlen);

/* Match helpers, exposed for tests. @pat is not NUL-terminated. */
int cl_match(enum cl_op op, const char *s, const u8 *pat, u16 plen);
int cl_glob(const char *s, const u8 *pat, u16 plen);

#endif
