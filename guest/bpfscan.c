/*
 * bpfscan.c - the kernel's own list of BPF programs, links and maps (see
 * bpfscan.h). Names the kernel returns are checked character by character
 * before they are said: the host parses these lines as untrusted anyway.
 */
#include "bpfscan.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define BTF_MAX (64u << 20)

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* The id after @id of the kind @cmd walks; 0 at the end (or on an error, in errno). */
static unsigned int next_id(int cmd, unsigned int id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.start_id = id;
	return sys_bpf(cmd, &a) == 0 ? a.next_id : 0;
}

/* A descriptor of object @id (@cmd: a GET_FD_BY_ID); -1 when it went away. */
static int fd_of(int cmd, unsigned int id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_id = id; /* the same place as map_id, link_id and btf_id */
	return sys_bpf(cmd, &a);
}

/* @fd's info into @info (@len bytes, zeroed first); the length the kernel filled, -1 on error. */
static long info_of(int fd, void *info, unsigned int len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (unsigned int)fd;
	a.info.info_len = len;
	a.info.info = (uint64_t)(uintptr_t)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0 ? (long)a.info.info_len : -1;
}

/*
 * Object @id's info (@cmd: its GET_FD_BY_ID) into @info (@len bytes,
 * zeroed first): the length the kernel filled, -1 when it went away. Its
 * descriptor stays open in *@keep when @keep is not NULL (the caller closes it).
 */
static long info_by_id(int cmd, unsigned int id, void *info, unsigned int len, int *keep)
{
	int fd = fd_of(cmd, id);
	long got;

	if (fd < 0)
		return -1; /* unloaded since it was listed */
	memset(info, 0, len);
	got = info_of(fd, info, len);
	if (keep && got >= 0)
		*keep = fd;
	else
		close(fd);
	return got;
}

/* @s (at most @n bytes) as a name of [A-Za-z0-9_.] into @out; "-" when empty. */
static void plain(char *out, size_t cap, const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && s[i] && k + 1 < cap; i++) {
		char c = s[i];

		out[k++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '.') ? c : '?';
	}
	if (k == 0 && cap > 1)
		out[k++] = '-';
	out[k] = '\0';
}

static int prog_line(bs_say_fn say, unsigned int id)
{
	struct bpf_prog_info info;
	char name[sizeof(info.name) + 1], insns[40] = "";
	long got = info_by_id(BPF_PROG_GET_FD_BY_ID, id, &info, sizeof(info), NULL);

	if (got < 0)
		return 0;
	plain(name, sizeof(name), info.name, sizeof(info.name));
	/* verified_insns: 5.16 and later; an older kernel fills less of the struct */
	if ((size_t)got >= offsetof(struct bpf_prog_info, verified_insns) + sizeof(info.verified_insns))
		snprintf(insns, sizeof(insns), " verified_insns=%u", info.verified_insns);
	say("CL BPF_PROG id=%u type=%u name=%s run_cnt=%llu run_time_ns=%llu%s", info.id, info.type,
	    name, (unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns, insns);
	return 1;
}

/* The name of BTF type @type_id of BTF object @obj_id, when that object is vmlinux's. */
static void tracing_target(char *out, size_t cap, unsigned int obj_id, unsigned int type_id)
{
	static unsigned char *btf;
	static size_t len;
	struct bpf_btf_info bi;
	char objname[64] = "";
	int fd = fd_of(BPF_BTF_GET_FD_BY_ID, obj_id);

	snprintf(out, cap, "?"); /* the kernel says where: "?" until it is resolved */
	if (fd < 0)
		return;
	memset(&bi, 0, sizeof(bi));
	bi.name = (uint64_t)(uintptr_t)objname;
	bi.name_len = sizeof(objname) - 1;
	if (info_of(fd, &bi, sizeof(bi)) < 0 || strcmp(objname, "vmlinux")) {
		close(fd);
		return; /* a module's BTF: its ids continue vmlinux's; not resolved here */
	}
	close(fd);
	if (!btf) {
		int vf = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
		ssize_t r;

		btf = vf >= 0 ? malloc(BTF_MAX) : NULL;
		while (btf && (r = read(vf, btf + len, BTF_MAX - len)) > 0)
			len += (size_t)r;
		if (vf >= 0)
			close(vf);
	}
	if (btf && bs_btf_name(btf, len, type_id, out, cap) < 0)
		snprintf(out, cap, "?");
}

/*
 * Where a perf_event link (kprobe, tracepoint) is attached, by the layout of
 * bpf_link_info.perf_event that kernels 6.6 and later fill (this build's
 * headers predate it): the event kind at byte 16, the name's buffer at 24
 * and its length at 32. An older kernel returns our own zeroes: "-".
 */
#define PERF_KIND_OFF 16
#define PERF_NAME_OFF 24
#define PERF_LEN_OFF 32
static void perf_target(char *out, size_t cap, int fd)
{
	unsigned char info[sizeof(struct bpf_link_info) > 64 ? sizeof(struct bpf_link_info) : 64];
	char name[128] = "";
	uint64_t ptr = (uint64_t)(uintptr_t)name;
	uint32_t len = sizeof(name) - 1, kind = 0;

	memset(info, 0, sizeof(info));
	memcpy(info + PERF_NAME_OFF, &ptr, sizeof(ptr));
	memcpy(info + PERF_LEN_OFF, &len, sizeof(len));
	snprintf(out, cap, "-");
	if (info_of(fd, info, sizeof(info)) < 0)
		return;
	memcpy(&kind, info + PERF_KIND_OFF, sizeof(kind));
	/* 3, 4: kprobe, kretprobe; 5: tracepoint (enum bpf_perf_event_type) */
	if (kind >= 3 && kind <= 5 && name[0])
		plain(out, cap, name, sizeof(name));
}

static int link_line(bs_say_fn say, unsigned int id)
{
	struct bpf_link_info info;
	char tp[128] = "", target[128] = "-";
	int fd = -1;

	/* first its kind, with nothing of ours in the union: a kind reads its own part of it */
	if (info_by_id(BPF_LINK_GET_FD_BY_ID, id, &info, sizeof(info), &fd) < 0)
		return 0;
	if (info.type == BPF_LINK_TYPE_RAW_TRACEPOINT) {
		info.raw_tracepoint.tp_name = (uint64_t)(uintptr_t)tp;
		info.raw_tracepoint.tp_name_len = sizeof(tp) - 1;
		if (info_of(fd, &info, sizeof(info)) >= 0)
			plain(target, sizeof(target), tp, sizeof(tp));
	} else if (info.type == BPF_LINK_TYPE_TRACING) {
		tracing_target(target, sizeof(target), info.tracing.target_obj_id,
			       info.tracing.target_btf_id);
	} else if (info.type == BPF_LINK_TYPE_PERF_EVENT) {
		perf_target(target, sizeof(target), fd);
	}
	close(fd);
	say("CL BPF_LINK id=%u type=%u prog=%u target=%s", info.id, info.type, info.prog_id, target);
	return 1;
}

static int map_line(bs_say_fn say, unsigned int id)
{
	struct bpf_map_info info;
	char name[sizeof(info.name) + 1];

	if (info_by_id(BPF_MAP_GET_FD_BY_ID, id, &info, sizeof(info), NULL) < 0)
		return 0;
	plain(name, sizeof(name), info.name, sizeof(info.name));
	say("CL BPF_MAP id=%u type=%u name=%s", info.id, info.type, name);
	return 1;
}

/* Each object of one kind, by @next (a GET_NEXT_ID), through @line; how
 * many were said. *@cut set when it stopped at its bound with more there. */
static int each(bs_say_fn say, int next, int (*line)(bs_say_fn, unsigned int), int *err,
		int *cut)
{
	unsigned int id = 0;
	int n = 0, walked = 0;

	errno = 0;
	while (walked++ < 4 * BS_MAX && n < BS_MAX && (id = next_id(next, id)) != 0)
		n += line(say, id);
	if (id != 0)
		*cut = 1;
	else if (errno != ENOENT && errno != 0 && !*err)
		*err = errno;
	return n;
}

static int read_flag(const char *path)
{
	char c = '0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = '0';
	if (fd >= 0)
		close(fd);
	return c == '1';
}

/* 1 when a program named @name is loaded. */
static int loaded(const char *name)
{
	unsigned int id = 0;

	while ((id = next_id(BPF_PROG_GET_NEXT_ID, id)) != 0) {
		struct bpf_prog_info pi;
		char got[sizeof(pi.name) + 1];

		if (info_by_id(BPF_PROG_GET_FD_BY_ID, id, &pi, sizeof(pi), NULL) < 0)
			continue;
		plain(got, sizeof(got), pi.name, sizeof(pi.name));
		if (!strcmp(got, name))
			return 1;
	}
	return 0;
}

const char *bs_wait_loaded(char *const *names, int n, int timeout_s)
{
	time_t deadline = time(NULL) + timeout_s;
	int i;

	for (;;) {
		for (i = 0; i < n && loaded(names[i]); i++)
			;
		if (i == n || time(NULL) >= deadline)
			return i == n ? NULL : names[i];
		usleep(250000);
	}
}

int bs_report(bs_say_fn say)
{
	int err = 0, cut = 0, progs, links, maps;

	say("CL BPF_BEGIN");
	progs = each(say, BPF_PROG_GET_NEXT_ID, prog_line, &err, &cut);
	links = each(say, BPF_LINK_GET_NEXT_ID, link_line, &err, &cut);
	maps = each(say, BPF_MAP_GET_NEXT_ID, map_line, &err, &cut);
	say("CL BPF_END progs=%d links=%d maps=%d btf=%d stats=%d errno=%d cut=%d", progs, links,
	    maps, access(VMLINUX_BTF, R_OK) == 0, read_flag("/proc/sys/kernel/bpf_stats_enabled"),
	    err, cut);
	return progs == 0 && err ? -1 : 0;
}

/* Bytes that follow a type of @kind with @vlen entries (linux/btf.h); -1: a kind not known. */
static long btf_extra(unsigned int kind, unsigned int vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

int bs_btf_name(const unsigned char *btf, size_t len, unsigned int id, char *out, size_t cap)
{
	struct btf_header h;
	size_t types, types_end, strs, at;
	unsigned int cur = 1;

	if (len < sizeof(h))
		return -1;
	memcpy(&h, btf, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > len)
		return -1;
	types = (size_t)h.hdr_len + h.type_off;
	types_end = types + h.type_len;
	strs = (size_t)h.hdr_len + h.str_off;
	if (types_end > len || strs + h.str_len > len || types_end < types)
		return -1;
	for (at = types; at + sizeof(struct btf_type) <= types_end && cur <= id; cur++) {
		struct btf_type t;
		long extra;

		memcpy(&t, btf + at, sizeof(t));
		if (cur == id) {
			if (t.name_off >= h.str_len)
				return -1;
			plain(out, cap, (const char *)btf + strs + t.name_off, h.str_len - t.name_off);
			return out[0] == '-' ? -1 : 0;
		}
		if ((extra = btf_extra(BTF_INFO_KIND(t.info), BTF_INFO_VLEN(t.info))) < 0)
			return -1;
		at += sizeof(t) + (size_t)extra;
	}
	return -1;
}
