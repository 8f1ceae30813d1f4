/*
 * cl_kind_initramfs.c - the release's kernel and a busybox initramfs whose
 * PID 1 is the crashlab agent. Fast (a cell boots in seconds under TCG), so
 * it is the default for smoke matrices; it tests the candidate loaded once,
 * after boot, not the boot path of a real OS.
 */
#include "cl_kind.h"
#include "cl_media.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

static int setup(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch)
{
	char *plan = cl_kind_plan(in, cl_kind_initramfs.plan);
	char *initrd = cl_path_join(scratch, "initrd.img");
	int rc = cl_media_initrd(initrd, in->img->base_initrd, in->cand, in->ko_path, plan);

	free(plan);
	if (rc) {
		free(initrd);
		return cl_err_set(CL_EINFRA, "%s", cl_err());
	}
	out->scratch_initrd = cl_xstrdup(initrd);
	cl_kind_agent_media(out, in, initrd, "");
	return 0;
}

const struct cl_kind cl_kind_initramfs = {
	.name = "initramfs",
	.plan = CL_PLAN_ONCE,
	.setup = setup,
};
