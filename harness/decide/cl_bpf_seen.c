/*
 * cl_bpf_seen.c - the agent's BPF listing parsed (see cl_bpf_seen.h).
 */
#include "cl_bpf_seen.h"
#include "cl_token.h"

#include <stdio.h>
#include <string.h>

/* A kernel object name as the agent says it: [A-Za-z0-9_.?] or "-" for none,
 * whole (a longer one is malformed, never taken as its prefix). */
static int name_of(const char *rest, const char *key, char *out, size_t cap)
{
	char v[128];
	size_t n;

	if (!cl_kv(rest, key, v, sizeof(v)) || !v[0] || (n = strlen(v)) >= cap || n >= sizeof(v) - 1)
		return -1;
	if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.?-") != n)
		return -1;
	memcpy(out, v, n + 1);
	return 0;
}

/* A kernel object id or type: a whole number of 32 bits (@min or more); -1 otherwise. */
static long u32_of(const char *rest, const char *key, long min)
{
	long v = cl_kv_long(rest, key, -1);

	return v >= min && v <= 0xffffffffL ? v : -1;
}

static int prog_line(struct cl_bpf_seen *s, const char *rest)
{
	struct cl_bpf_prog_seen *p = &s->progs[s->nprogs];
	long id = u32_of(rest, "id", 1), type = u32_of(rest, "type", 0);

	if (s->nprogs == CL_BPF_SEEN_MAX)
		return -1; /* more than a guest lists: not a listing to trust */
	if (id < 0 || type < 0 || name_of(rest, "name", p->name, sizeof(p->name)))
		return -1;
	p->id = (unsigned int)id;
	p->type = (unsigned int)type;
	p->run_cnt = cl_kv_u64(rest, "run_cnt", 0);
	p->run_time_ns = cl_kv_u64(rest, "run_time_ns", 0);
	p->verified_insns = cl_kv_long(rest, "verified_insns", -1);
	p->run_before = -1;
	for (int i = 0; i < s->nbefore; i++)
		if (s->before[i].id == p->id)
			p->run_before = (long long)s->before[i].run_cnt;
	s->nprogs++;
	return 1;
}

static int link_line(struct cl_bpf_seen *s, const char *rest)
{
	struct cl_bpf_link_seen *l = &s->links[s->nlinks];
	long id = u32_of(rest, "id", 1), type = u32_of(rest, "type", 0), prog = u32_of(rest, "prog", 0);

	if (s->nlinks == CL_BPF_SEEN_MAX)
		return -1;
	if (id < 0 || type < 0 || prog < 0 || name_of(rest, "target", l->target, sizeof(l->target)))
		return -1;
	l->id = (unsigned int)id;
	l->type = (unsigned int)type;
	l->prog = (unsigned int)prog;
	s->nlinks++;
	return 1;
}

static int map_line(struct cl_bpf_seen *s, const char *rest)
{
	if (s->nmaps == CL_BPF_SEEN_MAX)
		return -1;
	if (u32_of(rest, "id", 1) < 0 || name_of(rest, "name", s->maps[s->nmaps], 16))
		return -1;
	s->nmaps++;
	return 1;
}

/*
 * A new listing begins: the one before it (taken before the workload) is
 * kept as each program's run count then, and the lists start again.
 */
static int begin_line(struct cl_bpf_seen *s, const char *rest)
{
	(void)rest;
	if (s->listed) {
		s->nbefore = 0;
		for (int i = 0; i < s->nprogs; i++)
			s->before[s->nbefore++] = (struct cl_bpf_before){ s->progs[i].id,
									  s->progs[i].run_cnt };
	}
	s->listed = 0;
	s->nprogs = s->nlinks = s->nmaps = 0;
	s->cut = 0;
	return 1;
}

static int end_line(struct cl_bpf_seen *s, const char *rest)
{
	s->listed = 1;
	s->said[0] = (int)cl_kv_long(rest, "progs", -1);
	s->said[1] = (int)cl_kv_long(rest, "links", -1);
	s->said[2] = (int)cl_kv_long(rest, "maps", -1);
	s->cut = cl_kv_long(rest, "cut", 1) != 0;
	s->btf = cl_kv_long(rest, "btf", 0) == 1;
	s->stats = cl_kv_long(rest, "stats", 0) == 1;
	s->err = (int)cl_kv_long(rest, "errno", 0);
	return 1;
}

/* The last CL_START_LOG_MAX lines: the oldest goes when a new one comes. */
static int start_log_line(struct cl_bpf_seen *s, const char *rest)
{
	if (s->nstart_log == CL_START_LOG_MAX) {
		memmove(s->start_log[0], s->start_log[1], sizeof(s->start_log[0]) * (CL_START_LOG_MAX - 1));
		s->nstart_log--;
	}
	snprintf(s->start_log[s->nstart_log++], sizeof(s->start_log[0]), "%s", rest);
	return 1;
}

int cl_bpf_seen_line(struct cl_bpf_seen *s, const char *word, const char *rest)
{
	static const struct {
		const char *word;
		int (*take)(struct cl_bpf_seen *, const char *);
	} words[] = {
		{ "BPF_BEGIN", begin_line }, { "BPF_PROG", prog_line }, { "BPF_LINK", link_line },
		{ "BPF_MAP", map_line },     { "BPF_END", end_line },   { "START_LOG", start_log_line },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(word, words[i].word))
			return words[i].take(s, rest);
	return 0;
}

void cl_bpf_seen_reset(struct cl_bpf_seen *s)
{
	memset(s, 0, sizeof(*s));
}

int cl_bpf_seen_whole(const struct cl_bpf_seen *s)
{
	return s->listed && !s->cut && !s->err && s->said[0] == s->nprogs &&
	       s->said[1] == s->nlinks && s->said[2] == s->nmaps;
}
