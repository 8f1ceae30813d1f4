/*
 * cl_remedy.c - a remediation's steps on a disk, offline (see cl_remedy.h).
 */
#include "cl_remedy.h"
#include "cl_gfs.h"
#include "cl_util.h"

#include <stdlib.h>

static int apply_step(struct cl_gfs *g, const struct cl_remedy_step *st, int *removed)
{
	char *unit;
	int n = 0, rc;

	switch (st->op) {
	case CL_REMEDY_DELETE:
		rc = cl_gfs_delete_glob(g, st->arg, &n);
		*removed += n;
		return rc;
	case CL_REMEDY_WRITE:
		return cl_gfs_write(g, st->arg, st->text, 0644);
	case CL_REMEDY_DISABLE:
		/* masked: whatever enables it, systemd will not start it */
		unit = cl_sprintf("/etc/systemd/system/%s", st->arg);
		rc = cl_gfs_delete_glob(g, unit, &n);
		if (rc == 0)
			rc = cl_gfs_symlink(g, "/dev/null", unit);
		free(unit);
		return rc;
	}
	return 0;
}

int cl_remedy_apply(const struct cl_remediation *rm, const char *disk, int *removed)
{
	struct cl_gfs *g;
	int i, rc;

	*removed = 0;
	if ((rc = cl_gfs_open(&g, disk, NULL)))
		return rc;
	for (i = 0; i < rm->nsteps && rc == 0; i++)
		rc = apply_step(g, &rm->steps[i], removed);
	if (rc) {
		cl_gfs_close(g);
		return rc;
	}
	return cl_gfs_close(g);
}
