/*
 * cl_bpf_manifest.c - the manifest's "bpf" section (see cl_bpf_manifest.h), and the
 * kernel's names for program and link types (uapi enum bpf_prog_type and
 * bpf_link_type, in their order).
 */
#include "cl_bpf_manifest.h"
#include "cl_json.h"
#include "cl_token.h"
#include "cl_util.h"

#include <stdio.h>
#include <string.h>

static const char *const prog_types[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
	"sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
	"lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
	"raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
	"sk_lookup", "syscall", "netfilter",
};

static const char *const link_types[] = {
	"unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event",
	"kprobe_multi", "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit",
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *cl_bpf_prog_type_name(int type)
{
	return type >= 0 && type < COUNT(prog_types) ? prog_types[type] : NULL;
}

const char *cl_bpf_link_type_name(int type)
{
	return type >= 0 && type < COUNT(link_types) ? link_types[type] : NULL;
}

int cl_bpf_prog_type_parse(const char *name)
{
	for (int i = 1; i < COUNT(prog_types); i++)
		if (!strcmp(prog_types[i], name))
			return i;
	return -1;
}

/* A name the kernel keeps whole: 1 to 15 characters of [A-Za-z0-9_.]. */
static int kernel_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CL_BPF_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") == n;
}

/* A program of "bpf.programs", borrowed from the JSON. */
struct prog_in {
	const char *name, *type, *attach;
};

static const struct cl_json_field prog_fields[] = {
	CL_JSON_FIELD(struct prog_in, name, CL_JSON_STRING, 1),
	CL_JSON_FIELD(struct prog_in, type, CL_JSON_STRING, 0),
	CL_JSON_FIELD(struct prog_in, attach, CL_JSON_STRING, 0),
	{ 0 }
};

static int parse_prog(struct cl_bpf_prog_spec *p, const char *path, json_t *j, size_t idx)
{
	struct prog_in in = { 0 };
	char what[48];
	int rc;

	snprintf(what, sizeof(what), "bpf.programs[%zu]", idx);
	if ((rc = cl_json_fields(&in, path, what, j, prog_fields)))
		return rc;
	if (!kernel_name_ok(in.name))
		return cl_err_set(CL_EINPUT, "%s: %s: name must be 1 to %d characters of "
				  "[A-Za-z0-9_.], as the kernel keeps it", path, what,
				  CL_BPF_NAME_MAX - 1);
	p->type = in.type ? cl_bpf_prog_type_parse(in.type) : -1;
	if (in.type && p->type < 0)
		return cl_err_set(CL_EINPUT, "%s: %s: type \"%.40s\" is not a BPF program type "
				  "(kprobe, tracepoint, raw_tracepoint, tracing, lsm, ...)", path,
				  what, in.type);
	if (in.attach && (!cl_token_ok(in.attach) || strlen(in.attach) >= CL_BPF_ATTACH_MAX))
		return cl_err_set(CL_EINPUT, "%s: %s: attach must be a function or tracepoint name",
				  path, what);
	memcpy(p->name, in.name, strlen(in.name) + 1); /* fits: kernel_name_ok */
	if (in.attach)
		memcpy(p->attach, in.attach, strlen(in.attach) + 1);
	return 0;
}

/* "bpf.maps": names, each once. */
static int parse_maps(struct cl_bpf_manifest *b, const char *path, json_t *maps)
{
	json_t *v;
	size_t i;

	if (json_array_size(maps) > CL_MAX_BPF_MAPS)
		return cl_err_set(CL_EINPUT, "%s: bpf.maps: at most %d maps", path, CL_MAX_BPF_MAPS);
	json_array_foreach(maps, i, v) {
		if (!json_is_string(v) || !kernel_name_ok(json_string_value(v)))
			return cl_err_set(CL_EINPUT, "%s: bpf.maps[%zu]: a map name of 1 to %d "
					  "characters of [A-Za-z0-9_.]", path, i, CL_BPF_NAME_MAX - 1);
		for (int k = 0; k < b->nmaps; k++)
			if (!strcmp(b->maps[k], json_string_value(v)))
				return cl_err_set(CL_EINPUT, "%s: bpf.maps[%zu]: %s is listed twice",
						  path, i, b->maps[k]);
		memcpy(b->maps[b->nmaps++], json_string_value(v), json_string_length(v) + 1);
	}
	return 0;
}

/* "bpf" as the manifest writes it, borrowed from the JSON. */
struct bpf_in {
	int btf;
	json_t *start, *programs, *maps;
};

static const struct cl_json_field bpf_fields[] = {
	CL_JSON_FIELD(struct bpf_in, btf, CL_JSON_BOOL, 0),
	CL_JSON_FIELD(struct bpf_in, start, CL_JSON_OBJECT, 0),
	CL_JSON_FIELD(struct bpf_in, programs, CL_JSON_ARRAY, 1),
	CL_JSON_FIELD(struct bpf_in, maps, CL_JSON_ARRAY, 0),
	{ 0 }
};

int cl_bpf_manifest_parse(struct cl_bpf_manifest *b, const char *path, json_t *j)
{
	struct bpf_in in = { 0 };
	json_t *v;
	size_t i;
	int rc;

	if ((rc = cl_json_fields(&in, path, "bpf", j, bpf_fields)))
		return rc;
	b->present = 1;
	b->btf = in.btf;
	if (json_array_size(in.programs) == 0 || json_array_size(in.programs) > CL_MAX_BPF_PROGS)
		return cl_err_set(CL_EINPUT, "%s: bpf.programs: 1 to %d programs", path,
				  CL_MAX_BPF_PROGS);
	json_array_foreach(in.programs, i, v) {
		if ((rc = parse_prog(&b->progs[i], path, v, i)))
			return rc;
		for (int k = 0; k < (int)i; k++)
			if (!strcmp(b->progs[k].name, b->progs[i].name))
				return cl_err_set(CL_EINPUT, "%s: bpf.programs[%zu]: %s is listed twice",
						  path, i, b->progs[k].name);
		b->nprogs++;
	}
	if (in.maps && (rc = parse_maps(b, path, in.maps)))
		return rc;
	return in.start ? cl_command_parse(b->start_argv, &b->start_timeout_s, path, "bpf.start",
					   in.start)
			: 0;
}

void cl_bpf_manifest_free(struct cl_bpf_manifest *b)
{
	cl_command_free(b->start_argv);
}
