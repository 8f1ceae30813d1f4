/*
 * cl_scratch.h - a run's scratch directories under /tmp, and the sweep of
 * those whose run is gone.
 *
 * A cell's sockets and disk overlay, and a snapshot build's, live in a
 * directory /tmp/crashlab-[TAG]XXXXXX that the run removes when the cell
 * ends. A run killed with SIGKILL (or a machine that lost power) cannot: its
 * overlay, tens of megabytes and more, would stay for good. So each scratch
 * directory holds an `owner` file, "PID STARTTIME" (the process start time
 * the kernel gives in /proc/PID/stat, which tells a reused pid apart), and
 * every run that starts guests first removes the directories whose owner is
 * no longer running. A directory without a readable owner file is never
 * touched: it may be one being created, or not crashlab's.
 */
#ifndef CL_SCRATCH_H
#define CL_SCRATCH_H

#define CL_SCRATCH_ROOT "/tmp"

/* A new scratch directory CL_SCRATCH_ROOT/crashlab-@tagXXXXXX (mode 0755: qemu
 * runs as libvirt-qemu and reads the media in it), owned by this process.
 * NULL, with cl_err() set, when it cannot be made. */
char *cl_scratch_new(const char *tag);

/* Remove every crashlab-* directory under @root whose owner process is gone,
 * one line each on stderr. Returns how many were removed. */
int cl_scratch_sweep(const char *root);

/* The start time of process @pid in clock ticks since boot (field 22 of
 * /proc/PID/stat), or -1 when there is no such process. */
long long cl_scratch_proc_start(int pid);

#endif
