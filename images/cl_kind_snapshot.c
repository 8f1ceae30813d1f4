/*
 * cl_kind_snapshot.c - the initramfs guest, started from a saved state.
 *
 * The release's kernel and base initramfs boot once with crashlab.mode=wait
 * and are saved at the agent's waiting point (cl_snapshot.c); every cell
 * restores that state and hands the agent its candidate and plan over the
 * agent channel. The boot is not tested (the snapshot was booted without
 * the candidate), so this kind is for content and workload qualification;
 * scenarios about the boot path need initramfs or disk cells.
 */
#include "cl_kind.h"
#include "cl_media.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

static int setup(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch)
{
	char *plan = cl_kind_plan(in, cl_kind_snapshot.plan);
	char *dir = cl_dirname(in->img->base_initrd), *sums = cl_path_join(dir, "sums");
	size_t len;
	int rc;

	(void)scratch;
	rc = cl_media_delivery(&out->delivery, &out->delivery_len, in->cand, in->ko_path, plan);
	/* the kernel and initramfs digests, as the image cache verified them */
	if (rc == 0 && cl_read_file(&out->snapshot_extra, &len, sums, 4096) != 0)
		rc = cl_err_set(CL_EINFRA, "%s", cl_err());
	free(plan);
	free(dir);
	free(sums);
	if (rc)
		return rc;
	cl_kind_agent_media(out, in, cl_xstrdup(in->img->base_initrd), "crashlab.mode=wait ");
	return 0;
}

const struct cl_kind cl_kind_snapshot = {
	.name = "snapshot",
	.plan = CL_PLAN_ONCE,
	.setup = setup,
};
