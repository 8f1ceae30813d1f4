/*
 * cl_snapshot.h - guests saved at the agent's waiting point, started by restore.
 *
 * A snapshot is one (kernel, base initramfs, domain definition) booted once
 * with crashlab.mode=wait: the agent loads the image's modules, says
 * WAITING and blocks on the agent channel. libvirt saves the guest there
 * (virDomainSaveFlags) once the guest is quiet (both serial ports read
 * until nothing comes, the guest paused, read again): a UART saved while
 * handing a byte to its host restores dead. The saved state enters the
 * cache only after a test restore proves it (the agent answers a PROBE on
 * its channel and on the console; locally, no serial port in flight in the
 * state); a save that fails its proof is made again, up to three times. It
 * is cached like an image under CACHE/snapshots/, keyed by the digests of
 * everything that went into it, with its own digest checked on every reuse. A cell restores it
 * (virDomainRestoreFlags, its own sockets given in the alternate XML) and
 * delivers its candidate and plan over the agent channel, so qualifying new
 * content costs no boot. libvirt keeps a restored domain's name and UUID,
 * so one snapshot runs one guest at a time: the entry's lock is held from
 * cl_snapshot_get() until cl_snapshot_clear(), across processes.
 */
#ifndef CL_SNAPSHOT_H
#define CL_SNAPSHOT_H

#include "cl_sha256.h"

#include <libvirt/libvirt.h>

/* How a cell's domain XML is made for a name and a socket directory. */
typedef char *(*cl_snapshot_xml_fn)(void *ctx, const char *name, const char *dir);

struct cl_snapshot {
	char *path;                 /* the saved state */
	char *entry;                /* its cache entry (here: digest, names, build log) */
	char sha256[CL_SHA256_HEX]; /* its digest (checked before each restore; by a
				     * stat while the state is as it was hashed) */
	char *name;                 /* the domain name and socket directory it was saved with */
	char *dir;
	int lock_fd;                /* the entry's lock, held while its guest runs */
	struct cl_host *host;       /* the host that saves and restores it (borrowed) */
	int remote;                 /* @path is on that host, in its crashlab pool */
	int built;                  /* built by this call (not found in the cache) */
	double build_s;
};

/*
 * Find or build the snapshot of @release for the XML @xml makes. @extra
 * names what else the guest depends on (the kernel and initrd digests).
 * 0 with the entry locked, or CL_EINFRA with a message.
 */
int cl_snapshot_get(struct cl_snapshot *out, struct cl_host *host, const char *release,
		    const char *extra,
		    cl_snapshot_xml_fn xml, void *ctx);
/* Restore @s as a paused domain (named s->name) with its sockets in @dir. */
virDomainPtr cl_snapshot_restore(const struct cl_snapshot *s, const char *dir);
/*
 * @s restored with a dead console (the lab's fault, found by a cell): drop
 * it from the cache, so the next cl_snapshot_get() builds and proves it
 * again. Call while holding it (before cl_snapshot_clear()).
 */
void cl_snapshot_discard(struct cl_snapshot *s);
void cl_snapshot_clear(struct cl_snapshot *s);

#endif
