/*
 * cl_run.h - commands run as child processes, with a time limit, and the
 * interrupt that stops them.
 *
 * Every external command crashlab runs (the image recipes, kbuild, dkms,
 * the candidate's pre-flight steps, qemu-img, the libvirt daemons) goes
 * through cl_run_ex(): the child runs in a process group of its own, so the
 * whole group is killed when its time passes or the user stops the run, and
 * candidate code runs as the build user (cl_builder.h). Work that is no
 * child process (libguestfs, a saved guest) takes its limit from
 * cl_run_time_limit(). A signal (SIGINT, SIGTERM, SIGHUP) does not kill
 * crashlab: it sets the interrupt flag, which every command and every
 * waiting loop checks, so a stopped run still writes its report.
 */
#ifndef CL_RUN_H
#define CL_RUN_H

/*
 * Run argv (argv[0] looked up in PATH) and wait, at most @timeout_s seconds.
 * Its stdout and stderr go to @log_path when non-NULL (appended), else to
 * our stderr. The child runs in a process group of its own, killed whole
 * (TERM, then KILL) when the time passes or the run is interrupted; the
 * error then names the command and its log. $CRASHLAB_CMD_TIMEOUT (seconds)
 * lowers every limit. Returns the exit status (0-255), or a negative cl_rc
 * when it could not be started, timed out or died by a signal.
 */
int cl_run(char *const argv[], const char *log_path, double timeout_s);
/* cl_run() with more to say: @candidate_code runs the command as the build
 * user with its minimal environment (cl_builder.h). */
struct cl_run_opts {
	const char *log;          /* as cl_run's @log_path */
	double timeout_s;
	int candidate_code;       /* the candidate's own code: never as crashlab's user */
	const char *root;         /* run chrooted in this directory (a release's toolchain), or NULL */
};
int cl_run_ex(char *const argv[], const struct cl_run_opts *o);
/* @want seconds, or less when $CRASHLAB_CMD_TIMEOUT says so (limits of other kinds of work). */
double cl_run_time_limit(double want);

/* SIGINT, SIGTERM and SIGHUP stop a run the same way (cl_run_interrupt);
 * SIGPIPE is ignored. Called once, by each command that runs things. */
void cl_run_catch_signals(void);
/* The user asked the run to stop (SIGINT, SIGTERM, SIGHUP); async-signal-safe. */
void cl_run_interrupt(void);
/* 1 once the run was asked to stop. */
int cl_run_interrupted(void);

#endif
