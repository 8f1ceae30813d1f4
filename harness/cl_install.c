/*
 * cl_install.c - persistent install of a candidate (see cl_install.h).
 */
#include "cl_install.h"
#include "cl_scenario.h"
#include "cl_util.h"

#include <stdlib.h>

int cl_install_enable(struct cl_gfs *g, const char *unit, const char *target)
{
	char *link = cl_sprintf("/etc/systemd/system/%s.wants/%s", target, unit);
	char *dest = cl_sprintf("/etc/systemd/system/%s", unit);
	int rc = cl_gfs_symlink(g, dest, link);

	free(link);
	free(dest);
	return rc;
}

/* How the OS loads the module at boot. */
static int install_loader(struct cl_gfs *g, const struct cl_candidate *c)
{
	char *path, *text;
	int rc;

	if (c->load == CL_LOAD_UNITS) {
		int i;

		for (i = 0, rc = 0; i < c->nunits && rc == 0; i++) {
			path = cl_sprintf("/etc/systemd/system/%s", c->units[i].name);
			rc = cl_gfs_upload(g, c->units[i].file, path, 0644);
			free(path);
			if (rc == 0)
				rc = cl_install_enable(g, c->units[i].name, c->units[i].wanted_by);
		}
		return rc;
	}
	path = cl_sprintf("/etc/modules-load.d/%s.conf", c->module_name);
	text = cl_sprintf("%s\n", c->module_name);
	rc = cl_gfs_write(g, path, text, 0644);
	free(path);
	free(text);
	if (rc || !c->module_args[0])
		return rc;
	path = cl_sprintf("/etc/modprobe.d/%s.conf", c->module_name);
	text = cl_sprintf("options %s %s\n", c->module_name, c->module_args);
	rc = cl_gfs_write(g, path, text, 0644);
	free(path);
	free(text);
	return rc;
}

int cl_install_candidate(struct cl_gfs *g, const struct cl_candidate *c, const char *ko_path,
			 const char *release)
{
	char *dest = cl_sprintf("/lib/modules/%s/updates/%s.ko", release, c->module_name);
	const char *depmod[] = { "depmod", "-a", release, NULL };
	int rc, i;

	rc = cl_gfs_upload(g, ko_path, dest, 0644);
	free(dest);
	if (rc || (rc = cl_gfs_run(g, depmod)))
		return rc;
	for (i = 0; i < c->ncontent && rc == 0; i++) {
		/* live updates arrive later: staged for the agent, not installed */
		char *dst = c->content[i].update_via ? cl_scenario_staged(CL_PLAN_PERSISTENT, i)
						     : cl_xstrdup(c->content[i].install_path);

		rc = cl_gfs_upload(g, c->content[i].file, dst, 0644);
		free(dst);
	}
	for (i = 0; i < c->nfiles && rc == 0; i++)
		rc = cl_gfs_upload(g, c->files[i].file, c->files[i].path, c->files[i].mode);
	return rc ? rc : install_loader(g, c);
}
