/*
 * The agent's listing of what the kernel loaded of BPF, run for real on
 * this machine's kernel (as root, as `make check` runs; skipped, and said,
 * for a user, as in a package build): a program this test
 * loads itself is listed by name and type, and a BTF type id resolves to
 * the name bpftool gives it in the kernel's own BTF.
 */
#include "cl_test.h"
#include "bpfscan.h"
#include "cl_util.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <sys/syscall.h>

static char said[1 << 16];
static size_t nsaid;

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nsaid += (size_t)vsnprintf(said + nsaid, sizeof(said) - nsaid, fmt, ap);
	va_end(ap);
	if (nsaid < sizeof(said) - 1)
		said[nsaid++] = '\n';
	said[nsaid] = '\0';
}

/* A socket filter that returns 0, named @name: loaded, its descriptor returned. */
static int load_prog(const char *name)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

static void test_lists_a_loaded_program(void **state)
{
	int fd;
	char *line;

	(void)state;
	if (geteuid() != 0) { /* a package build as a user: the guest runs it as root */
		print_message("not root: BPF listing not tried\n");
		skip();
	}
	fd = load_prog("cl_scan_test");
	if (fd < 0)
		fail_msg("cannot load a BPF program here (root is needed): %s", strerror(errno));
	nsaid = 0;
	assert_int_equal(bs_report(say), 0);
	line = strstr(said, " name=cl_scan_test ");
	if (!line)
		fail_msg("the program this test loaded is not listed:\n%s", said);
	while (line > said && line[-1] != '\n')
		line--;
	assert_true(!strncmp(line, "CL BPF_PROG id=", 15));
	assert_contains(line, " type=1 name=cl_scan_test run_cnt=0 run_time_ns=0");
	assert_contains(said, "\nCL BPF_END progs=");
	close(fd);
	nsaid = 0;
	assert_int_equal(bs_report(say), 0);
	assert_null(strstr(said, "name=cl_scan_test")); /* unloaded with its last descriptor */
}

/* The id bpftool gives FUNC @func in the kernel's BTF; 0 when it has none. */
static unsigned int bpftool_id(const char *func)
{
	char *cmd = cl_sprintf("bpftool btf dump file /sys/kernel/btf/vmlinux | "
			       "grep -m1 \"FUNC '%s'\" | sed 's/^\\[\\([0-9]*\\)\\].*/\\1/'", func);
	FILE *p = popen(cmd, "r");
	unsigned int id = 0;

	assert_non_null(p);
	if (fscanf(p, "%u", &id) != 1)
		id = 0;
	pclose(p);
	free(cmd);
	return id;
}

/* Names deep in the kernel's BTF: the walk over every kind before them kept its step. */
static void test_btf_names(void **state)
{
	static const char *const funcs[] = { "vfs_mknod", "unix_stream_connect", "do_sys_openat2" };
	char *btf = NULL, name[128];
	size_t len = 0;

	(void)state;
	assert_int_equal(cl_read_file(&btf, &len, "/sys/kernel/btf/vmlinux", 64u << 20), 0);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		unsigned int id = bpftool_id(funcs[i]);

		if (!id)
			fail_msg("bpftool lists no FUNC '%s' (is bpftool installed?)", funcs[i]);
		assert_int_equal(bs_btf_name((unsigned char *)btf, len, id, name, sizeof(name)), 0);
		assert_string_equal(name, funcs[i]);
	}
	assert_int_equal(bs_btf_name((unsigned char *)btf, len, 0x7fffffff, name, sizeof(name)), -1);
	btf[0] ^= 0xff; /* not BTF */
	assert_int_equal(bs_btf_name((unsigned char *)btf, len, 1, name, sizeof(name)), -1);
	assert_int_equal(bs_btf_name((unsigned char *)btf, 10, 1, name, sizeof(name)), -1);
	free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_a_loaded_program),
		cmocka_unit_test(test_btf_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
