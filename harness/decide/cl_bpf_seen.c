/*
 * cl_bpf_seen.c - the agent's BPF listing parsed (see cl_bpf_seen.h).
 */
#include "cl_bpf_seen.h"
#include "cl_token.h"

#include <stdio.h>
#include <string.h>

/* A kernel object name as the agent says it: [A-Za-z0-9_.?] or "-" for none. */
static int name_of(const char *rest, const char *key, char *out, size_t cap)
{
	if (!cl_kv(rest, key, out, cap) || !out[0])
		return -1;
	return strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.?-") ==
			       strlen(out) ? 0 : -1;
}

static int prog_line(struct cl_bpf_seen *s, const char *rest)
{
	struct cl_bpf_prog_seen *p = &s->progs[s->nprogs];
	long id = cl_kv_long(rest, "id", -1), type = cl_kv_long(rest, "type", -1);

	if (s->nprogs == CL_BPF_SEEN_MAX)
		return 1; /* the first ones are kept */
	if (id <= 0 || type < 0 || name_of(rest, "name", p->name, sizeof(p->name)))
		return -1;
	p->id = (unsigned int)id;
	p->type = (unsigned int)type;
	p->run_cnt = cl_kv_u64(rest, "run_cnt", 0);
	p->run_time_ns = cl_kv_u64(rest, "run_time_ns", 0);
	p->verified_insns = cl_kv_long(rest, "verified_insns", -1);
	s->nprogs++;
	return 1;
}

static int link_line(struct cl_bpf_seen *s, const char *rest)
{
	struct cl_bpf_link_seen *l = &s->links[s->nlinks];
	long id = cl_kv_long(rest, "id", -1), type = cl_kv_long(rest, "type", -1);
	long prog = cl_kv_long(rest, "prog", -1);

	if (s->nlinks == CL_BPF_SEEN_MAX)
		return 1;
	if (id <= 0 || type < 0 || prog < 0 || name_of(rest, "target", l->target, sizeof(l->target)))
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
		return 1;
	if (cl_kv_long(rest, "id", -1) <= 0 || name_of(rest, "name", s->maps[s->nmaps], 16))
		return -1;
	s->nmaps++;
	return 1;
}

static int end_line(struct cl_bpf_seen *s, const char *rest)
{
	s->listed = 1;
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
		{ "BPF_PROG", prog_line }, { "BPF_LINK", link_line }, { "BPF_MAP", map_line },
		{ "BPF_END", end_line },   { "START_LOG", start_log_line },
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
