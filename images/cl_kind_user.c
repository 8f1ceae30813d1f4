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

#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QEMU_USER "libvirt-qemu" /* Debian's libvirt runs qemu as this user */

/* May @pw (owner, group, other bits) do @what (R_OK/X_OK) on what @st describes? */
static int may(const struct stat *st, const struct passwd *pw, int what)
{
	int shift = st->st_uid == pw->pw_uid ? 6 : st->st_gid == pw->pw_gid ? 3 : 0;
	int bit = what == R_OK ? 4 : 1;

	return (st->st_mode >> shift) & bit;
}

/*
 * qemu opens the user's image (the overlay's backing file) as the qemu user,
 * not as us: say so before anything boots, naming the file, rather than let
 * every cell fail to start.
 */
static int check(const struct cl_cell_spec *spec)
{
	const struct passwd *pw = getpwnam(QEMU_USER);
	char *path = realpath(spec->user_path, NULL), *p;
	struct stat st;
	int rc = 0;

	if (!pw || !path) {
		free(path);
		return 0; /* no such user here (another libvirt setup): libvirt will say */
	}
	for (p = path; rc == 0 && (p = strchr(p + 1, '/'));) {
		*p = '\0';
		if (stat(path, &st) == 0 && !may(&st, pw, X_OK))
			rc = cl_err_set(CL_EINPUT, "cell %s: user image %s: directory %s is not searchable "
					"by the qemu user (%s)", spec->id, spec->user_path, path, QEMU_USER);
		*p = '/';
	}
	if (rc == 0 && stat(path, &st) == 0 && !may(&st, pw, R_OK))
		rc = cl_err_set(CL_EINPUT, "cell %s: user image %s is not readable by the qemu user (%s)",
				spec->id, spec->user_path, QEMU_USER);
	free(path);
	return rc;
}

static int prepare(struct cl_image *img, const struct cl_cell_spec *spec,
		   const struct cl_candidate *cand)
{
	(void)img;
	(void)cand;
	(void)spec; /* the image is the user's; its digest was checked with the matrix */
	return 0;
}

static int setup(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch)
{
	/* a Windows image gets no Linux module; it is booted as it is */
	const struct cl_kind_base base = { in->spec->user_path, NULL, NULL };
	int rc = cl_kind_overlay(&out->disk, &out->disk_base, in, scratch, &base,
				 !strcmp(in->spec->os, "linux"), NULL);

	if (rc)
		return rc;
	/* checked against the matrix when it was loaded: not hashed again */
	snprintf(out->disk_base_sha256, sizeof(out->disk_base_sha256), "%s", in->spec->user_sha256);
	out->efi = in->spec->efi;
	out->guest_agent = 1;
	out->reboot_on_crash = in->scn->on_crash_reboot;
	out->qga_plan = cl_kind_plan(in, cl_kind_user.plan);
	return 0;
}

const struct cl_kind cl_kind_user = {
	.name = "user",
	.plan = CL_PLAN_PERSISTENT,
	.check = check,
	.prepare = prepare,
	.setup = setup,
};
