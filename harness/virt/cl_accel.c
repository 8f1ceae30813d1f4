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

/*
 * Wait for the trial's qemu, killed when TRIAL_S pass: 0, or -1 when it
 * cannot be waited for (SIGCHLD ignored, say): the trial is then not
 * trusted, whatever its output says.
 */
static int wait_trial(pid_t pid)
{
	double deadline = cl_now() + TRIAL_S;
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return cl_err_set(CL_EINFRA, "qemu-system-x86_64 (KVM trial): waitpid: %s",
					  strerror(errno));
		if (cl_now() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return 0;
		}
		usleep(100000);
	}
}

/* 1 when KVM reached the agent, 0 when it did not, negative when the trial itself failed. */
static int trial_boot(const char *kernel, const char *initrd)
{
	char tmpl[] = "/tmp/crashlab-accel-XXXXXX";
	char *dir = mkdtemp(tmpl), *out, *text = NULL, *serial;
	pid_t pid;
	int ok = 0;

	if (!dir)
		return 0;
	out = cl_path_join(dir, "agent.out");
	serial = cl_sprintf("file:%s", out);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", "kvm",
		       "-m", "256", "-nodefaults", "-display", "none", "-no-reboot", "-serial",
		       "null", "-serial", serial, "-kernel", kernel, "-initrd", initrd, "-append",
		       "console=ttyS0 panic=-1 quiet crashlab.mode=probe", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		ok = cl_err_set(CL_EINFRA, "fork: %s", strerror(errno));
	else if (wait_trial(pid) != 0)
		ok = -1;
	else if (cl_read_file(&text, NULL, out, 65536) == 0 && strstr(text, "CL READY"))
		ok = 1;
	free(text);
	unlink(out);
	rmdir(dir);
	free(out);
	free(serial);
	return ok;
}

const char *cl_accel_pick(const char *kernel, const char *initrd, int verbose)
{
	const char *env = getenv("CRASHLAB_ACCEL");
	char *boot_id = NULL, *cache, *cached = NULL;
	const char *pick;
	double t0;
	int trial;

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
	trial = trial_boot(kernel, initrd);
	pick = trial > 0 ? "kvm" : "qemu";
	if (verbose)
		fprintf(stderr, "crashlab: %s (trial took %.1f s)\n",
			trial > 0 ? "KVM works" : "KVM unusable here, using TCG", cl_now() - t0);
	if (trial < 0) {
		fprintf(stderr, "crashlab: KVM trial failed, using TCG: %s\n", cl_err());
		goto out; /* not cached: the next run tries again */
	}
	cl_mkdir_p(cl_cache_dir(), 0755);
	cl_write_file(cache, pick, strlen(pick));
out:
	free(boot_id);
	free(cache);
	free(cached);
	return pick;
}
