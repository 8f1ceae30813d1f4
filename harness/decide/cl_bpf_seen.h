/*
 * cl_bpf_seen.h - what the kernel of one cell had loaded of BPF, as the
 * agent listed it through the bpf() system call (guest/bpfscan.h: CL
 * BPF_PROG, BPF_LINK, BPF_MAP, BPF_END), and the output of the candidate's
 * start command (CL START_LOG): all of it untrusted guest output, parsed
 * strictly, kept within fixed bounds. cl_bpf.h decides from it.
 */
#ifndef CL_BPF_SEEN_H
#define CL_BPF_SEEN_H

#define CL_BPF_SEEN_MAX 256   /* of each kind: all a guest lists (guest/bpfscan.h BS_MAX) */
#define CL_START_LOG_MAX 60   /* the last lines of the start command's output */

struct cl_bpf_prog_seen {
	unsigned int id, type;
	char name[16];
	unsigned long long run_cnt, run_time_ns;
	long verified_insns;          /* -1: the kernel does not say (before 5.16) */
	long long run_before;         /* run_cnt in the listing before the workload; -1: none */
};

/* A program as the listing before the workload had it. */
struct cl_bpf_before {
	unsigned int id;
	unsigned long long run_cnt;
};

struct cl_bpf_link_seen {
	unsigned int id, type, prog;
	char target[64];              /* "-": the kernel does not say; "?": it did, not resolved */
};

struct cl_bpf_seen {
	int listed;                   /* BPF_END came after the last BPF_BEGIN */
	int btf, stats, err;          /* vmlinux BTF there, bpf_stats_enabled, errno listing */
	int said[3];                  /* programs, links, maps BPF_END says it listed */
	int cut;                      /* the guest stopped at its bound: more were there */
	struct cl_bpf_before before[CL_BPF_SEEN_MAX]; /* the listing before the workload */
	int nbefore;
	struct cl_bpf_prog_seen progs[CL_BPF_SEEN_MAX];
	int nprogs;
	struct cl_bpf_link_seen links[CL_BPF_SEEN_MAX];
	int nlinks;
	char maps[CL_BPF_SEEN_MAX][16];
	int nmaps;
	char start_log[CL_START_LOG_MAX][200];
	int nstart_log;               /* kept, the last ones */
};

/*
 * Agent line @word (BPF_BEGIN, BPF_PROG, BPF_LINK, BPF_MAP, BPF_END,
 * START_LOG) with
 * the rest of its line @rest into @s: 1 taken, -1 malformed (the caller
 * counts it), 0 when @word is none of these.
 */
int cl_bpf_seen_line(struct cl_bpf_seen *s, const char *word, const char *rest);
/* Forget what a previous boot listed. */
void cl_bpf_seen_reset(struct cl_bpf_seen *s);
/* 1 when the last listing is whole: ended, every line it says it sent kept, nothing cut. */
int cl_bpf_seen_whole(const struct cl_bpf_seen *s);

#endif
