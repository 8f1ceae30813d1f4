/*
 * cl_bpf.c - a BPF candidate's verdict (see cl_bpf.h).
 */
#include "cl_bpf.h"
#include "cl_bpf_manifest.h"
#include "cl_decision.h"

#include <stdio.h>
#include <string.h>

const struct cl_bpf_link_seen *cl_bpf_link_of(const struct cl_bpf_seen *s, unsigned int id)
{
	for (int i = 0; i < s->nlinks; i++)
		if (s->links[i].prog == id)
			return &s->links[i];
	return NULL;
}

unsigned long long cl_bpf_runs(const struct cl_bpf_prog_seen *p)
{
	if (p->run_before < 0)
		return p->run_cnt; /* no listing before the workload: all it ran */
	return p->run_cnt > (unsigned long long)p->run_before
		       ? p->run_cnt - (unsigned long long)p->run_before : 0;
}

int cl_bpf_attached(const struct cl_bpf_seen *s, const struct cl_bpf_prog_seen *p)
{
	/* no link: attached the old way (a perf event's ioctl) only if it ran */
	return cl_bpf_link_of(s, p->id) || (s->stats && cl_bpf_runs(p) > 0);
}

const struct cl_bpf_prog_seen *cl_bpf_find_prog(const struct cl_bpf_seen *s, const char *name)
{
	for (int i = 0; i < s->nprogs; i++)
		if (!strcmp(s->progs[i].name, name))
			return &s->progs[i];
	return NULL;
}


/*
 * Whether program @id is attached at @attach: 1 when a link of it says so,
 * or when no link says where (the kernel does not tell for every link
 * kind: "-"); 0 when its links name other places or one the agent could
 * not resolve ("?"), the first of them in @where.
 */
static int attached_at(const struct cl_bpf_seen *s, unsigned int id, const char *attach,
		       const char **where)
{
	*where = NULL;
	for (int i = 0; i < s->nlinks; i++) {
		if (s->links[i].prog != id)
			continue;
		if (!strcmp(s->links[i].target, attach))
			return 1;
		if (!*where && strcmp(s->links[i].target, "-"))
			*where = s->links[i].target;
	}
	return !*where;
}

/* One program the kernel lists under a name the manifest gives: 1 with the verdict when it fails. */
static int decide_one(struct cl_decision *out, const struct cl_bpf_seen *s,
		      const struct cl_bpf_prog_spec *want, const struct cl_bpf_prog_seen *p)
{
	const char *type = cl_bpf_prog_type_name((int)p->type), *where;

	if (want->type >= 0 && (int)p->type != want->type)
		return cl_decision_set(out, CL_V_DEGRADED, "bpf program %s is of type %s, the manifest says %s",
			      want->name, type ? type : "unknown", cl_bpf_prog_type_name(want->type));
	if (!cl_bpf_attached(s, p))
		return cl_decision_set(out, CL_V_DEGRADED, "bpf program %s loaded but not attached", want->name);
	if (want->attach[0] && !attached_at(s, p->id, want->attach, &where))
		return cl_decision_set(out, CL_V_DEGRADED, "bpf program %s attached to %s, the manifest says %s",
			      want->name, where, want->attach);
	if (!s->stats)
		return cl_decision_set(out, CL_V_DEGRADED, "bpf program %s: whether it ran is unknown "
			      "(kernel.bpf_stats_enabled is off)", want->name);
	if (cl_bpf_runs(p) == 0)
		return cl_decision_set(out, CL_V_DEGRADED, "bpf program %s attached but never ran during the "
			      "workload", want->name);
	return 0;
}

/*
 * A program of the manifest: loaded, and every program of that name (the
 * kernel keeps 15 characters of a name; another of the same name may be
 * there too) of its type, attached where it says, run during the workload.
 */
static int decide_prog(struct cl_decision *out, const struct cl_bpf_seen *s,
		       const struct cl_bpf_prog_spec *want)
{
	int found = 0;

	for (int i = 0; i < s->nprogs; i++) {
		if (strcmp(s->progs[i].name, want->name))
			continue;
		found = 1;
		if (decide_one(out, s, want, &s->progs[i]))
			return 1;
	}
	return found ? 0 : cl_decision_set(out, CL_V_DEGRADED, "bpf program %s not loaded", want->name);
}

int cl_bpf_map_created(const struct cl_bpf_seen *s, const char *name)
{
	for (int k = 0; k < s->nmaps; k++)
		if (!strcmp(s->maps[k], name))
			return 1;
	return 0;
}

int cl_bpf_decide(struct cl_decision *out, const struct cl_evidence *ev,
		  const struct cl_candidate *cand)
{
	const struct cl_bpf_seen *s = &ev->bpf;

	if (!cand->bpf.present)
		return 0;
	if (!s->listed)
		return cl_decision_set(out, CL_V_WORKLOAD_FAILED, "the kernel's BPF programs were never listed");
	if (!cl_bpf_seen_whole(s))
		return cl_decision_set(out, CL_V_WORKLOAD_FAILED, "the kernel's BPF listing is not whole (%s)",
			      s->err ? "the kernel refused it" : s->cut ? "more than the agent lists"
								   : "lines lost");
	if (cand->bpf.btf && !s->btf)
		return cl_decision_set(out, CL_V_INSTALL_FAILED, "the candidate needs the kernel's BTF "
			      "(/sys/kernel/btf/vmlinux), this kernel has none");
	for (int i = 0; i < cand->bpf.nprogs; i++)
		if (decide_prog(out, s, &cand->bpf.progs[i]))
			return 1;
	for (int i = 0; i < cand->bpf.nmaps; i++)
		if (!cl_bpf_map_created(s, cand->bpf.maps[i]))
			return cl_decision_set(out, CL_V_DEGRADED, "bpf map %s not created", cand->bpf.maps[i]);
	return 0;
}

/*
 * The quoted program name of a libbpf line "libbpf: prog 'NAME': ..." into
 * @prog: the line that says which program failed (its load log, its load
 * failure) wins over an earlier line naming another (a warning).
 */
static void prog_named(const char *line, char *prog, size_t cap, int *decided)
{
	const char *at = strstr(line, "prog '"), *end;
	int failed = strstr(line, "-- BEGIN PROG LOAD LOG --") || strstr(line, "load failed") ||
		     strstr(line, ": failed to load");

	if (*decided || !at || !(end = strchr(at + 6, '\'')) || (prog[0] && !failed))
		return;
	snprintf(prog, cap, "%.*s", (int)(end - at - 6), at + 6);
	*decided = failed;
}

/* A verifier log's own bookkeeping after its reason: statistics, not the reason. */
static int log_statistics(const char *line)
{
	static const char *const starts[] = { "processed ", "verification time", "stack depth" };

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!strncmp(line, starts[i], strlen(starts[i])))
			return 1;
	return !line[0];
}

/* A line of the log's walk through the program ("12: (bf) r1 = r9 ...") or a marker: not the reason. */
static int log_walk(const char *line)
{
	size_t n = strspn(line, "0123456789");

	return (n > 0 && line[n] == ':') || !strncmp(line, "-- ", 3) || !strncmp(line, "libbpf: ", 8);
}

/* libbpf's line that gives up on the whole object, which says no reason. */
static int giving_up(const char *line)
{
	return strstr(line, "failed to load object") || strstr(line, "failed to load BPF skeleton") ||
	       strstr(line, "BPF program load failed") || strstr(line, ": failed to load:");
}

/*
 * The verifier's reason: the lines after its walk through the program and
 * before its statistics, at the end of the log that ends before line @end,
 * joined into @why. 0 when there are any.
 */
static int verifier_reason(const struct cl_bpf_seen *s, int end, char *why, size_t cap)
{
	int last = end - 1, first;
	size_t len = 0;

	while (last >= 0 && log_statistics(s->start_log[last]))
		last--;
	for (first = last; first >= 0 && !log_walk(s->start_log[first]); first--)
		;
	why[0] = '\0';
	for (int i = first + 1; i <= last && len + 1 < cap; i++)
		len += (size_t)snprintf(why + len, cap - len, "%s%s", len ? "; " : "", s->start_log[i]);
	return why[0] ? 0 : -1;
}

int cl_bpf_start_reason(const struct cl_bpf_seen *s, char *prog, size_t pcap, char *why,
			size_t wcap)
{
	int i, end = -1, first = -1, decided = 0;

	prog[0] = why[0] = '\0';
	for (i = 0; i < s->nstart_log; i++) {
		const char *l = s->start_log[i];

		prog_named(l, prog, pcap, &decided);
		/* the log's beginning may be cut off (its last lines are kept), never its end */
		if (strstr(l, "-- END PROG LOAD LOG --") && end < 0)
			end = i;
		else if (first < 0 && !strncmp(l, "libbpf: ", 8) && !giving_up(l) && !strstr(l, "-- "))
			first = i;
	}
	if (end >= 0 && verifier_reason(s, end, why, wcap) == 0)
		return 0;
	if (first >= 0) {
		snprintf(why, wcap, "%s", s->start_log[first] + 8);
		return 0;
	}
	return -1;
}
