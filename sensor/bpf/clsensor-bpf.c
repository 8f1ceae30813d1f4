/*
 * clsensor-bpf - loader and status reader of the BPF reference sensor
 * (clsensor.bpf.c, embedded by `bpftool gen skeleton`).
 *
 *   clsensor-bpf load --content FILE   parse FILE with the module's parser,
 *                                      load, fill the maps, attach, pin
 *   clsensor-bpf status                the module's /proc/clsensor lines
 *   clsensor-bpf unload                remove the pins: programs detach
 *
 * The links, programs and maps are pinned under /sys/fs/bpf/clsensor, so
 * the sensor stays attached after the loader exits and `status` reads the
 * counters later; a second load replaces them once its programs have
 * loaded. Static (no libc in the guest's initramfs but this and the agent),
 * so it mounts bpffs, and tracefs where libbpf looks up tracepoints, when
 * nothing is mounted there. Exit 0 done, 1 failed, 2 bad usage. libbpf's
 * own messages (the verifier's log when a program is refused) go to stderr
 * as libbpf formats them.
 *
 * Built with CL_BPF_DEGRADED=1 it is a careless vendor's loader: it does not
 * attach the unix-connect program and says nothing; the program stays
 * loaded (pinned) with no link, and it exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clsensor_bpf.h"
#include "sha256.h"
#include "clsensor.skel.h"

#ifndef CL_BPF_DEGRADED
#define CL_BPF_DEGRADED 0
#endif
#ifndef CL_BPF_UNBOUNDED
#define CL_BPF_UNBOUNDED 0
#endif

#define BPFFS "/sys/fs/bpf"
#define PIN_PATH_LEN 512 /* the directory, a prefix and a file name */

/* Each tracepoint (syscalls:NAME), the program on it, and whether that is
 * a unix-connect one. A link per tracepoint, pinned as link_NAME. */
static const struct hook {
	const char *prog, *tp;
	int unix_connect;
} hooks[] = {
	{ "cl_fifo_create", "sys_exit_mknodat", 0 },
	{ "cl_fifo_create", "sys_exit_mknod", 0 },
	{ "cl_fifo_open", "sys_exit_openat", 0 },
	{ "cl_fifo_open", "sys_exit_open", 0 },
	{ "cl_fifo_open", "sys_exit_openat2", 0 },
	{ "cl_unix_connect", "sys_enter_connect", 1 },
};
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

static const char *const counter_keys[CL_C_LAST] = {
	"events_fifo_create", "events_fifo_open", "events_unix_connect", "evaluations",
	"matches", "alerts", "evaluations_skipped",
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("clsensor-bpf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int usage(FILE *out, int rc)
{
	fputs("usage: clsensor-bpf load --content FILE   load the sensor with channel file FILE\n"
	      "       clsensor-bpf status                counters, as /proc/clsensor\n"
	      "       clsensor-bpf unload                detach and remove " CL_BPF_PIN_DIR "\n",
	      out);
	return rc;
}

/* libbpf's own format, INFO and WARN (the verifier's log is WARN). */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void pin_path(char *buf, size_t len, const char *kind, const char *name)
{
	snprintf(buf, len, CL_BPF_PIN_DIR "/%s%s", kind, name);
}

/* The whole channel file, at most CL_MAX_CONTENT_LEN bytes. */
static int read_content(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return fail("%s: cannot open: %s", path, strerror(errno));
	*buf = malloc(CL_MAX_CONTENT_LEN + 1);
	*len = *buf ? fread(*buf, 1, CL_MAX_CONTENT_LEN + 1, f) : 0;
	if (!*buf || ferror(f)) {
		fclose(f);
		return fail("%s: cannot read: %s", path, *buf ? strerror(errno) : "out of memory");
	}
	fclose(f);
	if (*len > CL_MAX_CONTENT_LEN)
		return fail("%s: larger than %u bytes", path, CL_MAX_CONTENT_LEN);
	return 0;
}

/* @fstype at @dir: mounted here if sysfs's empty directory is all there is. */
static int ensure_mounted(const char *dir, const char *fstype, long magic)
{
	struct statfs st;

	if (statfs(dir, &st) != 0)
		return fail("%s: %s", dir, strerror(errno));
	if (st.f_type == magic)
		return 0;
	if (st.f_type != SYSFS_MAGIC)
		return fail("%s: another file system than %s is mounted there", dir, fstype);
	if (mount(fstype, dir, fstype, 0, "mode=0700") != 0)
		return fail("%s: cannot mount %s: %s", dir, fstype, strerror(errno));
	return 0;
}

/* bpffs for the pins; tracefs, where libbpf finds a tracepoint's id (under
 * debugfs if that is mounted, else /sys/kernel/tracing). */
static int ensure_mounts(void)
{
	if (ensure_mounted(BPFFS, "bpf", BPF_FS_MAGIC) != 0)
		return 1;
	if (access("/sys/kernel/debug/tracing", F_OK) == 0)
		return 0;
	return ensure_mounted("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC);
}

/* Remove every pin, then the directory; 0 also when there was none. */
static int unpin_all(void)
{
	DIR *d = opendir(CL_BPF_PIN_DIR);
	struct dirent *e;
	char path[PIN_PATH_LEN];
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : fail(CL_BPF_PIN_DIR ": %s", strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		pin_path(path, sizeof(path), "", e->d_name);
		if (unlink(path) != 0)
			rc = fail("%s: cannot unpin: %s", path, strerror(errno));
	}
	closedir(d);
	if (rc == 0 && rmdir(CL_BPF_PIN_DIR) != 0)
		rc = fail(CL_BPF_PIN_DIR ": %s", strerror(errno));
	return rc;
}

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

/* Instance @i of @c and its criteria into the maps. */
static int put_instance(struct clsensor_bpf *skel, const struct cl_content *c, u32 i)
{
	const u8 *raw = c->data + c->offsets[i];
	struct cl_bpf_instance inst = { .id = cl_content_instance_id(c, i),
					.action = rd16(raw + 4), .ncrit = raw[6] };
	struct cl_bpf_criterion crit;
	const u8 *value;
	u32 k, key;
	int err;

	err = bpf_map__update_elem(skel->maps.cl_instances, &i, sizeof(i), &inst, sizeof(inst), 0);
	for (k = 0; !err && k < inst.ncrit; k++) {
		memset(&crit, 0, sizeof(crit));
		if (cl_content_criterion(c, i, k, &crit.field, &crit.op, &value, &crit.len))
			return -EINVAL;
		memcpy(crit.value, value, crit.len);
		key = i * CL_MAX_CRITERIA + k;
		err = bpf_map__update_elem(skel->maps.cl_criteria, &key, sizeof(key), &crit,
					   sizeof(crit), 0);
	}
	return err;
}

/* The content and its description into the maps, before anything attaches. */
static int fill_maps(struct clsensor_bpf *skel, const struct cl_content *c, const char *path)
{
	struct cl_bpf_meta meta = { .ninstances = c->ninstances, .channel = c->channel,
				    .version = c->version, .template_fields = c->template_fields,
				    .bytes = c->len, .bounds_check = !CL_BPF_UNBOUNDED };
	struct ga_sha256 h;
	u32 i, zero = 0;
	int err = 0;

	ga_sha256_init(&h);
	ga_sha256_update(&h, c->data, c->len);
	ga_sha256_final(&h, meta.sha256);
	snprintf(meta.path, sizeof(meta.path), "%s", path);
	for (i = 0; !err && i < c->ninstances; i++)
		err = put_instance(skel, c, i);
	if (!err)
		err = bpf_map__update_elem(skel->maps.cl_meta, &zero, sizeof(zero), &meta,
					   sizeof(meta), 0);
	return err ? fail("cannot fill the content maps: %s", strerror(-err)) : 0;
}

/* Attach one tracepoint's program and pin the link. */
static int attach_hook(struct bpf_object *obj, const struct hook *h)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, h->prog);
	struct bpf_link *link;
	char path[PIN_PATH_LEN];
	int err;

	if (!prog)
		return fail("%s: no such program in the object", h->prog);
	if (CL_BPF_DEGRADED && h->unix_connect)
		return 0; /* the careless loader: no attach, no word */
	link = bpf_program__attach_tracepoint(prog, "syscalls", h->tp);
	if (!link)
		return fail("%s: cannot attach to syscalls:%s: %s", h->prog, h->tp, strerror(errno));
	pin_path(path, sizeof(path), "link_", h->tp);
	err = bpf_link__pin(link, path);
	bpf_link__disconnect(link); /* pinned, it outlives this process */
	bpf_link__destroy(link);
	return err ? fail("%s: cannot pin: %s", path, strerror(-err)) : 0;
}

/* Pin the object's maps (as NAME) and programs (as prog_NAME). */
static int pin_all(struct clsensor_bpf *skel)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[PIN_PATH_LEN];
	int err;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue; /* .rodata: the programs hold it; bpffs refuses dots */
		pin_path(path, sizeof(path), "", bpf_map__name(map));
		if ((err = bpf_map__pin(map, path)))
			return fail("%s: cannot pin: %s", path, strerror(-err));
	}
	/* Programs too: one left without a link stays loaded, for all to see. */
	bpf_object__for_each_program(prog, skel->obj) {
		pin_path(path, sizeof(path), "prog_", bpf_program__name(prog));
		if ((err = bpf_program__pin(prog, path)))
			return fail("%s: cannot pin: %s", path, strerror(-err));
	}
	return 0;
}

/* Replace what is pinned: maps and programs, then a link per tracepoint;
 * on failure nothing stays pinned. */
static int attach_and_pin(struct clsensor_bpf *skel)
{
	size_t i;
	int err;

	if (unpin_all() != 0)
		return 1;
	if (mkdir(CL_BPF_PIN_DIR, 0700) != 0)
		return fail(CL_BPF_PIN_DIR ": %s", strerror(errno));
	err = pin_all(skel);
	for (i = 0; !err && i < NHOOKS; i++)
		err = attach_hook(skel->obj, &hooks[i]);
	if (err)
		unpin_all();
	return err ? 1 : 0;
}

static int cmd_load(const char *path)
{
	struct cl_content *c = calloc(1, sizeof(*c));
	struct clsensor_bpf *skel = NULL;
	unsigned char *buf = NULL;
	const char *why;
	size_t len = 0;
	int rc = 1, err;

	if (!c || read_content(path, &buf, &len) != 0)
		goto out;
	if (cl_content_parse(c, buf, (u32)len, &why) != 0) {
		fail("%s: rejected content: %s", path, why);
		goto out;
	}
	if (ensure_mounts() != 0)
		goto out;
	skel = clsensor_bpf__open();
	if (!skel) {
		fail("cannot open the BPF object: %s", strerror(errno));
		goto out;
	}
	if ((err = clsensor_bpf__load(skel))) {
		fail("cannot load the BPF programs: %s (libbpf's messages above say why)",
		     strerror(-err));
		goto out;
	}
	if (fill_maps(skel, c, path) != 0 || attach_and_pin(skel) != 0)
		goto out;
	fprintf(stderr, "clsensor-bpf: loaded content %s channel %u version %u, %u instances\n",
		path, c->channel, c->version, c->ninstances);
	rc = 0;
out:
	clsensor_bpf__destroy(skel);
	free(buf);
	free(c);
	return rc;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* A pinned map's fd, -1 when it is not there. */
static int pinned_map(const char *name)
{
	char path[PIN_PATH_LEN];

	pin_path(path, sizeof(path), "", name);
	return bpf_obj_get(path);
}

/* What the module prints of its content, and the version too. */
static void status_content(const struct cl_bpf_meta *m)
{
	int i;

	printf("bounds_check %u\ncontent_sha256 ", m->bounds_check);
	for (i = 0; i < 32; i++)
		printf("%02x", m->sha256[i]);
	printf("\ncontent_path %s\ncontent_bytes %u\nchannel %u\ncontent_version %u\n"
	       "instances %u\n", m->path, m->bytes, m->channel, m->version, m->ninstances);
}

/* "probe TRACEPOINT armed" when its link is pinned, "missing" when not
 * (the module's probe lines), then the counters (events_*, matches, ...). */
static void status_probes_and_counters(void)
{
	char path[PIN_PATH_LEN];
	int fd = pinned_map("cl_counters");
	u64 v;
	u32 i;

	for (i = 0; i < NHOOKS; i++) {
		pin_path(path, sizeof(path), "link_", hooks[i].tp);
		printf("probe %s %s\n", hooks[i].tp, access(path, F_OK) == 0 ? "armed" : "missing");
	}
	for (i = 0; i < CL_C_LAST; i++) {
		v = 0;
		if (fd >= 0)
			bpf_map_lookup_elem(fd, &i, &v);
		printf("%s %llu\n", counter_keys[i], (unsigned long long)v);
	}
	close_fd(fd);
}

/* Which non-wildcard criteria of instance @i there are, from the maps. */
static u32 needed(int inst_fd, int crit_fd, u32 i, u32 *id, u64 *fields)
{
	struct cl_bpf_instance inst = { 0 };
	struct cl_bpf_criterion c;
	u32 k, key, mask = 0;

	bpf_map_lookup_elem(inst_fd, &i, &inst);
	*id = inst.id;
	for (k = 0; k < inst.ncrit && k < CL_MAX_CRITERIA; k++) {
		key = i * CL_MAX_CRITERIA + k;
		if (bpf_map_lookup_elem(crit_fd, &key, &c) != 0 || c.op == CL_OP_ANY)
			continue;
		mask |= 1u << k;
		if (c.field < 64)
			*fields |= 1ull << c.field;
	}
	return mask;
}

/* The module's coverage lines: evaluated (or-ed over CPUs) and needed masks. */
static void status_coverage(u32 n)
{
	int cov_fd = pinned_map("cl_coverage"), inst_fd = pinned_map("cl_instances");
	int crit_fd = pinned_map("cl_criteria"), ncpu = libbpf_num_possible_cpus();
	struct cl_bpf_coverage *per = NULL, sum = { { 0 }, 0 };
	u64 fields = 0;
	u32 i, id, mask, zero = 0;
	int c;

	if (ncpu > 0)
		per = calloc((size_t)ncpu, sizeof(*per));
	if (per && cov_fd >= 0 && bpf_map_lookup_elem(cov_fd, &zero, per) == 0)
		for (c = 0; c < ncpu; c++) {
			for (i = 0; i < CL_MAX_INSTANCES; i++)
				sum.inst[i] |= per[c].inst[i];
			sum.fields |= per[c].fields;
		}
	printf("coverage_instances %u\n", n);
	for (i = 0; i < n && i < CL_MAX_INSTANCES; i++) {
		mask = needed(inst_fd, crit_fd, i, &id, &fields);
		printf("coverage_instance %u %x %x\n", id, sum.inst[i] & mask, mask);
	}
	printf("coverage_fields %llx %llx\n", (unsigned long long)(sum.fields & fields),
	       (unsigned long long)fields);
	free(per);
	close_fd(cov_fd);
	close_fd(inst_fd);
	close_fd(crit_fd);
}

static int cmd_status(void)
{
	struct cl_bpf_meta m;
	u32 zero = 0;
	int fd = pinned_map("cl_meta");

	if (fd < 0)
		return fail("nothing loaded (no " CL_BPF_PIN_DIR "/cl_meta)");
	if (bpf_map_lookup_elem(fd, &zero, &m) != 0) {
		close(fd);
		return fail(CL_BPF_PIN_DIR "/cl_meta: %s", strerror(errno));
	}
	close(fd);
	status_content(&m);
	status_probes_and_counters();
	status_coverage(m.ninstances);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout, 0);
	libbpf_set_print(libbpf_print);
	if (argc == 4 && !strcmp(argv[1], "load") && !strcmp(argv[2], "--content"))
		return cmd_load(argv[3]);
	if (argc == 2 && !strcmp(argv[1], "status"))
		return cmd_status();
	if (argc == 2 && !strcmp(argv[1], "unload"))
		return unpin_all();
	if (argc >= 2 && !strcmp(argv[1], "load"))
		fputs("clsensor-bpf: load needs --content FILE\n", stderr);
	else if (argc >= 2)
		fprintf(stderr, "clsensor-bpf: unknown command '%s'\n", argv[1]);
	return usage(stderr, 2);
}
