/*
 * cl_accel.c - the KVM trial boot (see cl_accel.h). The trial runs
 * qemu-system-x86_64 directly, outside libvirt, with a hard time limit and
 * SIGKILL: whatever KVM does, the controller does not hang on it.
 */
#include "cl_accel.h"
#include "cl_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRIAL_S 15.0

static int trial_boot(const struct cl_image *img)
{
	char tmpl[] = "/tmp/crashlab-accel-XXXXXX";
	char *dir = mkdtemp(tmpl), *out, *text = NULL, *serial;
	double deadline;
	pid_t pid;
	int ok = 0, status;

	if (!dir)
		return 0;
	out = cl_path_join(dir, "agent.out");
	serial = cl_sprintf("file:%s", out);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", "kvm",
		       "-m", "256", "-nodefaults", "-display", "none", "-no-reboot", "-serial",
		       "null", "-serial", serial, "-kernel", img->vmlinuz, "-initrd",
		       img->base_initrd, "-append",
		       "console=ttyS0 panic=-1 quiet crashlab.mode=probe", (char *)NULL);
		_exit(127);
	}
	deadline = cl_now() + TRIAL_S;
	while (pid > 0) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (cl_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(100000);
	}
	if (cl_read_file(&text, NULL, out, 65536) == 0 && strstr(text, "CL READY"))
		ok = 1;
	free(text);
	unlink(out);
	rmdir(dir);
	free(out);
	free(serial);
	return ok;
}

const char *cl_accel_pick(const struct cl_image *img, int verbose)
{
	const char *env = getenv("CRASHLAB_ACCEL");
	char *boot_id = NULL, *cache, *cached = NULL;
	const char *pick;
	double t0;

	if (env && !strcmp(env, "kvm"))
		return "kvm";
	if (env && !strcmp(env, "tcg"))
		return "qemu";
	if (access("/dev/kvm", R_OK | W_OK) != 0)
		return "qemu";
	if (cl_read_file(&boot_id, NULL, "/proc/sys/kernel/random/boot_id", 128) != 0)
		boot_id = cl_xstrdup("unknown\n");
	boot_id[strcspn(boot_id, "\n")] = '\0';
	cache = cl_sprintf("%s/accel-%s", cl_cache_dir(), boot_id);
	if (cl_read_file(&cached, NULL, cache, 64) == 0 &&
	    (!strcmp(cached, "kvm") || !strcmp(cached, "qemu"))) {
		pick = !strcmp(cached, "kvm") ? "kvm" : "qemu";
		goto out;
	}
	if (verbose)
		fprintf(stderr, "crashlab: probing KVM with a trial boot (at most %.0f s)...\n",
			TRIAL_S);
	t0 = cl_now();
	pick = trial_boot(img) ? "kvm" : "qemu";
	if (verbose)
		fprintf(stderr, "crashlab: %s (trial took %.1f s)\n",
			!strcmp(pick, "kvm") ? "KVM works" : "KVM unusable here, using TCG",
			cl_now() - t0);
	cl_mkdir_p(cl_cache_dir(), 0755);
	cl_write_file(cache, pick, strlen(pick));
out:
	free(boot_id);
	free(cache);
	free(cached);
	return pick;
}
