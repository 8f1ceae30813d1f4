/*
 * cl_kind.h - image kinds: what a cell boots and how the candidate gets in.
 *
 * A matrix cell names its kind ("image"); each kind is one file filling
 * one struct cl_kind, and the runner knows only this interface:
 *
 *   initramfs  the release's kernel + a busybox initramfs whose PID 1 is the
 *              crashlab agent; the candidate rides in an overlay cpio and is
 *              loaded once by the agent (cl_kind_initramfs.c; the default)
 *   disk       a Debian 12 disk image built by images/mkdisk.sh, booted with
 *              its own kernel and initrd, root on a per-cell qcow2 overlay;
 *              the candidate is installed persistently into the overlay
 *              offline (libguestfs) and loaded by the OS at every boot; the
 *              agent runs as a systemd service (cl_kind_disk.c)
 *   snapshot   the initramfs guest saved once per release at the agent's
 *              waiting point and restored for every cell; the candidate and
 *              plan arrive over the agent channel (cl_kind_snapshot.c)
 *   user       a qcow2 a user brings (path + sha256), booted from its own
 *              boot loader; persistent install as for disk, no crashlab
 *              agent: the guest is driven through qemu-guest-agent
 *              (cl_kind_user.c)
 *
 * To add a kind: write cl_kind_NAME.c with its table and list it in
 * cl_kind.c. Nothing else changes.
 */
#ifndef CL_KIND_H
#define CL_KIND_H

#include "cl_candidate.h"
#include "cl_image.h"
#include "cl_matrix.h"
#include "cl_scenario.h"

/* What one cell boots, filled by the kind's setup; owned by the cell. */
struct cl_cell_media {
	char *kernel;        /* direct kernel boot, or NULL to boot from the disk */
	char *initrd;
	char *cmdline;       /* kernel command line (direct boot only) */
	char *disk;          /* the cell's qcow2 overlay, or NULL */
	char *disk_base;     /* ... its backing file (never written) */
	char disk_base_sha256[65]; /* ... its digest when the kind knows it ("" to look it up) */
	char *scratch_initrd;/* per-cell file to remove afterwards, or NULL */
	int efi;             /* UEFI (OVMF) instead of BIOS */
	int guest_agent;     /* give the domain a qemu-guest-agent channel */
	int crashlab_agent;  /* the crashlab agent speaks on the second serial port */
	int console_echo;    /* ... and writes each of its lines on the console before it */
	int reboot_on_crash; /* the guest restarts after a panic, as a fleet machine */
	char *qga_plan;      /* no crashlab agent: the plan the guest-agent driver runs */
	char *delivery;      /* restore a snapshot of this guest, then send this on the agent channel */
	size_t delivery_len;
	char *snapshot_extra;/* what else the snapshot depends on (kernel and initrd digests) */
};

/* Everything a kind's setup may read (borrowed). */
struct cl_cell_input {
	const struct cl_cell_spec *spec;
	const struct cl_candidate *cand;
	const struct cl_scenario *scn;
	const struct cl_image *img;   /* the release's images */
	const char *ko_path;          /* the candidate module built for this release */
	int vmcore;                   /* boot for a memory dump (nokaslr) */
	int rerun;                    /* 0, or which run again of the cell this is (--reruns) */
};

/* One image kind: a table of its name and what it does, one per cl_kind_NAME.c. */
struct cl_kind {
	const char *name;
	/* How its agent's plan gets the candidate: ONCE, the agent loads it (and
	 * can load it again, as --mutants needs); PERSISTENT, the OS did. */
	enum cl_plan_mode plan;
	/* Fast checks of a cell before anything is built (may be NULL); CL_EINPUT. */
	int (*check)(const struct cl_cell_spec *spec);
	/* Build or find the release's images this kind needs (planner thread); NULL
	 * when the release's kernel and base initramfs are all it needs. */
	int (*prepare)(struct cl_image *img, const struct cl_cell_spec *spec,
		       const struct cl_candidate *cand);
	/* Make the cell's writable layer in @scratch with the candidate in it. */
	int (*setup)(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch);
};

struct cl_gfs;

/* The disk a cell's overlay is over, and what crashlab knows of it. */
struct cl_kind_base {
	const char *path;        /* qcow2, never written */
	const char *root;        /* its root file system's device when crashlab built it
				  * ("/dev/sda1"), or NULL: found by libguestfs' inspection */
	const char *modules_tar; /* its /lib/modules/RELEASE as tar + zstd for depmod on
				  * the host (cl_depmod.h), or NULL */
};

/*
 * For kinds on a disk: @scratch/disk.qcow2 over @base, with the candidate
 * installed in it offline when @install, then @more (may be NULL) in the
 * same libguestfs session. *out gets the overlay's path, *out_base the
 * base's.
 */
int cl_kind_overlay(char **out, char **out_base, const struct cl_cell_input *in,
		    const char *scratch, const struct cl_kind_base *base, int install,
		    int (*more)(struct cl_gfs *g, const struct cl_cell_input *in));

/*
 * The release's kernel with @initrd (taken), the crashlab agent as PID 1 and
 * its command line with @mode words: what the initramfs kinds boot.
 */
/* The agent's plan for @in (cl_scenario_plan), told which rerun it is, if one. */
char *cl_kind_plan(const struct cl_cell_input *in, enum cl_plan_mode mode);
void cl_kind_agent_media(struct cl_cell_media *out, const struct cl_cell_input *in, char *initrd,
			 const char *mode);

/* The scenario's kernel command line for this cell: its "kernel_cmdline" and
 * each "kernel_cmdline_if_config" option the cell's kernel was built for. */
char *cl_kind_scenario_cmdline(const struct cl_cell_input *in);
/* The cell's kernel command line: its architecture's console and agent
 * channel, the kind's @own options (ending in a space), nokaslr with
 * --vmcore, then the scenario's. */
char *cl_kind_cmdline(const struct cl_cell_input *in, const char *own);

/* The kind named @name, or NULL. */
const struct cl_kind *cl_kind_find(const char *name);
/* Free what a setup filled in (files in scratch are removed with it). */
void cl_kind_media_clear(struct cl_cell_media *m);

extern const struct cl_kind cl_kind_initramfs;
extern const struct cl_kind cl_kind_disk;
extern const struct cl_kind cl_kind_user;
extern const struct cl_kind cl_kind_snapshot;

#endif
