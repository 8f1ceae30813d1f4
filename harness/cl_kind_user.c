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
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

static int prepare(struct cl_image *img, const struct cl_cell_spec *spec)
{
	(void)img;
	(void)spec; /* the image is the user's; its digest was checked with the matrix */
	return 0;
}

static int setup(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch)
{
	/* a Windows image gets no Linux module; it is booted as it is */
	int rc = cl_kind_overlay(&out->disk, in, scratch, in->spec->user_path,
				 !strcmp(in->spec->os, "linux"), NULL);

	if (rc)
		return rc;
	out->efi = in->spec->efi;
	out->guest_agent = 1;
	out->reboot_on_crash = in->scn->on_crash_reboot;
	out->qga_plan = cl_scenario_plan(in->scn, in->cand, CL_PLAN_PERSISTENT);
	return 0;
}

const struct cl_image_kind cl_kind_user = {
	.name = "user",
	.prepare = prepare,
	.setup = setup,
};
