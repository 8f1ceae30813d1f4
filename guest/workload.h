/*
 * workload.h - the guest agent's IPC workloads, one step at a time.
 *
 * A step makes COUNT objects of one kind, each passing MSGS messages:
 *   fifo        mkfifo DIR/NAME, open both ends, messages through it, unlink
 *   unix        a stream socket listening at DIR/NAME, a client connecting,
 *               messages both ways
 *   dgram       a datagram socket bound at DIR/NAME; each message from a new
 *               short-lived client that connects, sends once and closes
 *   pipe        an anonymous pipe, messages through it
 *   socketpair  a connected pair of unix stream sockets, messages both ways
 *   spawn       a child process that starts a grandchild, which makes one
 *               FIFO and one unix socket of that index: IPC by process trees
 * NAME holds one %d, replaced by the object's index (pipe and socketpair
 * name nothing: DIR and NAME are "-"). CONC worker processes
 * share the indices; RATE (objects a second over the step, 0: as fast as it
 * goes) paces them; with DURATION seconds the indices are gone through
 * again, with new ones, until the time is up.
 */
#ifndef CL_WORKLOAD_H
#define CL_WORKLOAD_H

struct wl_step {
	const char *op, *dir, *pattern;
	int count, msgs, conc, rate, duration;
};

struct wl_tally {
	long generated; /* IPC objects made (FIFOs, sockets, connections, pipes, processes' objects) */
	long messages;  /* messages that arrived intact */
	long errors;
};

/* Monotonic seconds. */
double wl_now(void);
/* mkdir -p @dir (0755); 0 or -errno. The agent's too. */
int wl_mkdir_p(const char *dir);
/* 1 when @op is one of the kinds above. */
int wl_known(const char *op);
/* Run @s to the end; what it did into @t. */
void wl_run(const struct wl_step *s, struct wl_tally *t);

#endif
