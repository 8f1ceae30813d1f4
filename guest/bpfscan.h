/*
 * bpfscan.h - what the kernel has loaded of BPF, listed by the agent through
 * the bpf() system call itself (BPF_PROG_GET_NEXT_ID, BPF_OBJ_GET_INFO_BY_FD
 * and the same for links and maps): every program with its counters, every
 * link with the program it holds and, where the kernel says, its target;
 * every map. The host decides from these lines whether the candidate's
 * programs are loaded, attached and ran; nothing here knows the candidate.
 */
#ifndef CL_GUEST_BPFSCAN_H
#define CL_GUEST_BPFSCAN_H

#include <stddef.h>

typedef void (*bs_say_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Say, through @say, "CL BPF_BEGIN", one line per program ("CL BPF_PROG id=
 * type= name= run_cnt= run_time_ns= [verified_insns=]"), per link ("CL
 * BPF_LINK id= type= prog= target=": "-" where the kernel does not say, "?"
 * where it does and the name was not found) and per map ("CL BPF_MAP id=
 * type= name="), at most BS_MAX of each, then "CL BPF_END progs= links=
 * maps= btf= stats= errno= cut=" (cut=1: more were there than BS_MAX).
 * Returns 0, or -1 when the kernel would not list programs at all.
 */
#define BS_MAX 256
int bs_report(bs_say_fn say);

/*
 * Wait at most @timeout_s seconds until every program named in @names (@n
 * of them) is loaded (a candidate's unit may still be loading them at
 * boot). NULL when they all are, else the first name that is not (borrowed
 * from @names). Whether each is attached and runs is the host's to decide
 * from the listing after the workload: a program attached the old way
 * (perf_event_open and an ioctl, as older tracers do) has no link to show.
 */
const char *bs_wait_loaded(char *const *names, int n, int timeout_s);

/* The name of type @id in the BTF at @btf (@len bytes), into @out (a plain
 * name, at most @cap - 1 characters); -1 when there is none. */
int bs_btf_name(const unsigned char *btf, size_t len, unsigned int id, char *out, size_t cap);

#endif
