/*
 * cl_report_bpf.c - the report's view of a BPF candidate (see cl_report_bpf.h).
 */
#include "cl_report_bpf.h"
#include "cl_bpf.h"
#include "cl_bpf_manifest.h"

#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

/* One program the manifest names: null fields where the kernel did not list it. */
static json_t *prog_json(const struct cl_bpf_seen *s, const struct cl_bpf_prog_spec *want)
{
	const struct cl_bpf_prog_seen *p = cl_bpf_find_prog(s, want->name);
	const struct cl_bpf_link_seen *l = p ? cl_bpf_link_of(s, p->id) : NULL;
	json_t *links, *targets, *j = json_pack("{s:s, s:o, s:b, s:b}", "name", want->name,
						 "expected_attach", str_or_null(want->attach),
						 "loaded", p != NULL, "attached",
						 p && cl_bpf_attached(s, p));

	if (!p)
		return j;
	links = json_integer(0);
	targets = json_array();
	for (int i = 0; i < s->nlinks; i++) { /* the places its links say, where they say it */
		if (s->links[i].prog != p->id)
			continue;
		json_integer_set(links, json_integer_value(links) + 1);
		if (strcmp(s->links[i].target, "-"))
			json_array_append_new(targets, json_string(s->links[i].target));
	}
	json_object_set_new(j, "id", json_integer(p->id));
	json_object_set_new(j, "type", str_or_null(cl_bpf_prog_type_name((int)p->type)));
	json_object_set_new(j, "link_type", l ? str_or_null(cl_bpf_link_type_name((int)l->type))
					      : json_null());
	json_object_set_new(j, "links", links);
	json_object_set_new(j, "attach_targets", targets);
	json_object_set_new(j, "run_cnt", s->stats ? json_integer((json_int_t)p->run_cnt) : json_null());
	json_object_set_new(j, "runs_in_workload", s->stats ? json_integer((json_int_t)cl_bpf_runs(p))
							     : json_null());
	json_object_set_new(j, "run_time_ns", s->stats ? json_integer((json_int_t)p->run_time_ns)
						     : json_null());
	json_object_set_new(j, "ns_per_event", s->stats && p->run_cnt
		? json_real((double)(long long)((double)p->run_time_ns / (double)p->run_cnt * 10) / 10)
		: json_null());
	json_object_set_new(j, "verified_insns", p->verified_insns >= 0
		? json_integer(p->verified_insns) : json_null());
	json_object_set_new(j, "insns_limit", json_integer(CL_BPF_INSN_LIMIT));
	json_object_set_new(j, "insns_headroom_pct", p->verified_insns >= 0
		? json_real((double)(long)(1000.0 * (CL_BPF_INSN_LIMIT - p->verified_insns) /
					   CL_BPF_INSN_LIMIT) / 10)
		: json_null());
	return j;
}

/* The candidate did not start: the end of what it said, and the reason found in it. */
static void start_json(json_t *j, const struct cl_bpf_seen *s)
{
	char prog[64], why[200];
	json_t *log = json_array();

	for (int i = 0; i < s->nstart_log; i++)
		json_array_append_new(log, json_string(s->start_log[i]));
	json_object_set_new(j, "start_log", log);
	if (cl_bpf_start_reason(s, prog, sizeof(prog), why, sizeof(why)) == 0)
		json_object_set_new(j, "start_failure", json_pack("{s:o, s:s}", "program",
								  str_or_null(prog), "reason", why));
}

json_t *cl_report_bpf_json(const struct cl_evidence *ev, const struct cl_candidate *cand)
{
	const struct cl_bpf_seen *s = &ev->bpf;
	json_t *j, *progs = json_array(), *maps = json_array();

	if (!cand->bpf.present) {
		json_decref(progs);
		json_decref(maps);
		return NULL;
	}
	for (int i = 0; i < cand->bpf.nprogs; i++)
		json_array_append_new(progs, prog_json(s, &cand->bpf.progs[i]));
	for (int i = 0; i < cand->bpf.nmaps; i++)
		json_array_append_new(maps, json_pack("{s:s, s:b}", "name", cand->bpf.maps[i],
						      "created", cl_bpf_map_created(s, cand->bpf.maps[i])));
	j = json_pack("{s:b, s:o, s:o, s:o, s:o, s:i}", "listed", s->listed, "btf",
		      s->listed ? json_boolean(s->btf) : json_null(), "stats_enabled",
		      s->listed ? json_boolean(s->stats) : json_null(), "programs", progs, "maps", maps,
		      "kernel_programs", s->nprogs);
	if (ev->install_failed && !strncmp(ev->install_error, "what=start", 10))
		start_json(j, s);
	return j;
}
