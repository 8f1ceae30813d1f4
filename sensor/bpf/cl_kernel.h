/*
 * cl_kernel.h - the few kernel types the BPF sensor reads, written by hand
 * instead of a generated vmlinux.h.
 *
 * Each struct lists only the members the sensor uses. preserve_access_index
 * makes every member access a CO-RE relocation: libbpf finds the member by
 * name in the running kernel's BTF (/sys/kernel/btf/vmlinux) and patches
 * the offset at load time, so one object reads 6.1's and 6.12's layouts.
 * Members that moved into anonymous unions since 6.1 (file.f_path,
 * dentry.d_name) are still found by name. All of them are in Debian's
 * 6.1.0 BTF and in 6.18's.
 */
#ifndef CL_KERNEL_H
#define CL_KERNEL_H

#include <linux/types.h>

#define CL_CORE __attribute__((preserve_access_index))

/* User ABI constants, the same in every kernel (x86-64 syscall numbers). */
#define CL_S_IFMT 0170000
#define CL_S_IFSOCK 0140000
#define CL_S_IFIFO 0010000
#define CL_O_PATH 010000000
#define CL_AT_FDCWD -100
#define CL_AF_UNIX 1
#define CL_NR_MKNOD 133
#define CL_NR_MKNODAT 259

/*
 * Records of the syscalls:sys_enter_* and sys_exit_* tracepoints, as their
 * tracefs format files publish them (identical in 6.1 and 6.18): the
 * common header, the syscall number, then the arguments or the result.
 */
struct cl_sys_enter {
	__u64 common;
	int nr;
	unsigned long args[6];
};

struct cl_sys_exit {
	__u64 common;
	int nr;
	long ret;
};

/* The registers a syscall entered with (x86-64 kernel names). */
struct pt_regs {
	unsigned long di;
	unsigned long si;
	unsigned long dx;
} CL_CORE;

struct qstr {
	const unsigned char *name;
} CL_CORE;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
} CL_CORE;

struct inode {
	unsigned short i_mode; /* umode_t */
} CL_CORE;

struct path {
	struct dentry *dentry;
} CL_CORE;

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
	void *private_data; /* a socket file's struct socket */
} CL_CORE;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} CL_CORE;

struct files_struct {
	struct fdtable *fdt;
} CL_CORE;

struct fs_struct {
	struct path pwd;
} CL_CORE;

struct sock_common {
	unsigned short skc_family;
} CL_CORE;

struct sock {
	struct sock_common __sk_common;
} CL_CORE;

struct socket {
	struct sock *sk;
} CL_CORE;

struct new_utsname {
	char nodename[65];
	char release[65];
} CL_CORE;

struct uts_namespace {
	struct new_utsname name;
} CL_CORE;

struct nsproxy {
	struct uts_namespace *uts_ns;
} CL_CORE;

struct task_struct {
	struct task_struct *real_parent;
	char comm[16];
	struct fs_struct *fs;
	struct files_struct *files;
	struct nsproxy *nsproxy;
} CL_CORE;

/*
 * The open-coded number iterator's state (kernel 6.4+, include/uapi/linux/
 * bpf.h there; Debian 12's 6.1 headers predate it). Only CL_BPF_NEWER uses it.
 */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

#endif
