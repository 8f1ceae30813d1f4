/*
 * cl_bpf.h - a BPF candidate's verdict from what the kernel listed
 * (cl_bpf_seen.h) against the manifest's "bpf" section (cl_bpf_manifest.h):
 * every program it names loaded under that name, and every program of that
 * name of its type, attached (a link holds it, or it ran: a perf event's
 * ioctl attaches with no link) where it says when the kernel says where,
 * and run during the workload (run_cnt grew since the listing before it,
 * with kernel.bpf_stats_enabled); every map it names created; the
 * kernel's BTF there when it needs it; the listing whole. A program missing, not
 * attached or never run is `degraded`: the sensor runs blind where it
 * claims to see, and that is never a pass.
 */
#ifndef CL_BPF_H
#define CL_BPF_H

#include "cl_candidate.h"
#include "cl_evidence.h"
#include "cl_decision.h"

#include <stddef.h>

/* 1 with @out's verdict and title when the candidate's BPF evidence fails; 0 when it holds. */
int cl_bpf_decide(struct cl_decision *out, const struct cl_evidence *ev,
		  const struct cl_candidate *cand);

/*
 * Why the start command failed, from its output (a libbpf loader's log):
 * the program named in it ("" when none is) into @prog, and the reason into
 * @why: the verifier's last words on that program (its log's lines after
 * its walk through the program and before its statistics, joined) or else
 * the first error libbpf gave. 0 when the
 * log names a reason, -1 when it holds none.
 */
int cl_bpf_start_reason(const struct cl_bpf_seen *s, char *prog, size_t pcap, char *why,
			size_t wcap);

/* The first program of @s the kernel lists as @name; NULL when none. */
const struct cl_bpf_prog_seen *cl_bpf_find_prog(const struct cl_bpf_seen *s, const char *name);
/* The first link of @s that holds program @id, or NULL. */
const struct cl_bpf_link_seen *cl_bpf_link_of(const struct cl_bpf_seen *s, unsigned int id);
/* Its runs during the workload: since the listing before it, else all it counted. */
unsigned long long cl_bpf_runs(const struct cl_bpf_prog_seen *p);
/* Attached: a link holds it, or it ran during the workload (a perf event's ioctl attaches
 * a program with no link). */
int cl_bpf_attached(const struct cl_bpf_seen *s, const struct cl_bpf_prog_seen *p);
/* 1 when the kernel lists a map named @name. */
int cl_bpf_map_created(const struct cl_bpf_seen *s, const char *name);

/* The largest program the verifier takes (BPF_COMPLEXITY_LIMIT_INSNS, since 5.2). */
#define CL_BPF_INSN_LIMIT 1000000L

#endif
