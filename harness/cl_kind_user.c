/*
 * cl_kind_user.c - disk images users bring (qcow2, path + sha256 in the
 * matrix, checked when the matrix is read).
 *
 * The image is booted from its own boot loader under the firmware the
 * matrix names (SeaBIOS, or OVMF for UEFI), on a per-cell overlay: the
 * user's file is never written. The candidate is installed persistently,
 * offline, as on crashlab's own disk images; nothing of crashlab is added
 * to it. The guest is driven through its qemu-guest-agent (cl_qga.h);
 * Windows guests get the Hyper-V crash MSRs so a bugcheck arrives with its
 * stop code.
 */
#include "cl_kind.h"
#include "cl_guestfs.h"
#include "cl_install.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int prepare(struct cl_image *img, const struct cl_cell_spec *spec)
{
	(void)img;
	(void)spec; /* the image is the user's; its digest was checked with the matrix */
	return 0;
}

static int setup(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch)
{
	char *disk = cl_path_join(scratch, "disk.qcow2");
	struct cl_gfs *g = NULL;
	int rc;

	if ((rc = cl_gfs_overlay(disk, in->spec->user_path)))
		goto fail;
	chmod(disk, 0666); /* qemu runs as libvirt-qemu */
	if (!strcmp(in->spec->os, "linux")) {
		if ((rc = cl_gfs_open(&g, disk)) ||
		    (rc = cl_install_candidate(g, in->cand, in->ko_path, in->spec->kernel))) {
			cl_gfs_close(g);
			goto fail;
		}
		if ((rc = cl_gfs_close(g)))
			goto fail;
	}
	out->disk = disk;
	out->efi = in->spec->efi;
	out->guest_agent = 1;
	out->reboot_on_crash = in->scn->on_crash_reboot;
	out->qga_plan = cl_scenario_plan(in->scn, in->cand, CL_PLAN_PERSISTENT);
	return 0;
fail:
	free(disk);
	return rc;
}

const struct cl_image_kind cl_kind_user = {
	.name = "user",
	.prepare = prepare,
	.setup = setup,
};
