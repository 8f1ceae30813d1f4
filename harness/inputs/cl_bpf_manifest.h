/*
 * cl_bpf_manifest.h - the "bpf" section of a candidate manifest (version 2): what
 * a sensor made of user space and BPF programs must have loaded in the
 * kernel once it runs, checked against what the kernel itself lists
 * (cl_bpf.h decides), never against the agent's word.
 *
 *   "bpf": { "btf": true,
 *            "start": { "run": [ "/usr/lib/x/loader", "load" ], "timeout_s": 60 },
 *            "programs": [ { "name": "cl_fifo_create", "type": "tracing",
 *                            "attach": "vfs_mknod" }, ... ],
 *            "maps": [ "cl_counters" ] }
 *
 * - programs: each by the name the kernel keeps (at most 15 characters, as
 *   BPF_OBJ_NAME_LEN cuts it), its program type as bpftool names it
 *   ("kprobe", "tracing", "lsm", "tracepoint", "raw_tracepoint", ...), and
 *   where it is attached when the kernel can say (a tracing or LSM link's
 *   target function, a raw tracepoint's name); left out, any.
 * - maps: names the kernel must list.
 * - btf: the candidate needs the kernel's BTF (/sys/kernel/btf/vmlinux);
 *   a kernel without it is install_failed.
 * - start: how a cell that boots no OS of its own (initramfs, snapshot)
 *   starts the candidate, after its files and content are installed; an
 *   exit status other than 0 is install_failed, its output (a libbpf
 *   loader's verifier log) in the report. Without it the candidate runs on
 *   disk images only, started by its own units.
 */
#ifndef CL_BPF_MANIFEST_H
#define CL_BPF_MANIFEST_H

#include "cl_command.h"

#include <jansson.h>

#define CL_MAX_BPF_PROGS 10  /* a plan line holds them all (guest/agent.c: 12 words) */
#define CL_MAX_BPF_MAPS 16
#define CL_BPF_NAME_MAX 16   /* BPF_OBJ_NAME_LEN: 15 characters and the NUL */
#define CL_BPF_ATTACH_MAX 64

struct cl_bpf_prog_spec {
	char name[CL_BPF_NAME_MAX];
	int type;                     /* enum bpf_prog_type, -1: any */
	char attach[CL_BPF_ATTACH_MAX]; /* "": anywhere */
};

struct cl_bpf_manifest {
	int present;                  /* the manifest has a "bpf" section */
	int btf;
	char *start_argv[CL_MAX_COMMAND_ARGS + 1]; /* [0] NULL: no start command */
	int start_timeout_s;
	struct cl_bpf_prog_spec progs[CL_MAX_BPF_PROGS];
	int nprogs;
	char maps[CL_MAX_BPF_MAPS][CL_BPF_NAME_MAX];
	int nmaps;
};

/* "bpf" (@j) of manifest @path into @b. CL_EINPUT naming the file and key. */
int cl_bpf_manifest_parse(struct cl_bpf_manifest *b, const char *path, json_t *j);
void cl_bpf_manifest_free(struct cl_bpf_manifest *b);

/* The kernel's program and link types by number, as bpftool names them;
 * NULL for a number this table does not know. */
const char *cl_bpf_prog_type_name(int type);
const char *cl_bpf_link_type_name(int type);
/* The number of program type @name; -1 when there is none. */
int cl_bpf_prog_type_parse(const char *name);

#endif
