/*
 * cl_install.c - persistent install of a candidate (see cl_install.h).
 */
#include "cl_install.h"
#include "cl_arch.h"
#include "cl_depmod.h"
#include "cl_dkms.h"
#include "cl_scenario.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

int cl_install_enable(struct cl_gfs *g, const char *unit, const char *target)
{
	char *link = cl_sprintf("/etc/systemd/system/%s.wants/%s", target, unit);
	char *dest = cl_sprintf("/etc/systemd/system/%s", unit);
	int rc = cl_gfs_symlink(g, dest, link);

	free(link);
	free(dest);
	return rc;
}

/* The modules the OS loads, in order, and their parameters. */
static int install_modules_load(struct cl_gfs *g, const struct cl_candidate *c)
{
	char *path = cl_sprintf("/etc/modules-load.d/%s.conf", c->module_name);
	char *text = cl_xstrdup(""), *opts = cl_xstrdup("");
	size_t len = 0, olen = 0;
	int i, rc;

	for (i = 0; i < c->nmods; i++) {
		cl_append(&text, &len, "%s\n", c->mods[i]);
		if (c->mods_args[i][0])
			cl_append(&opts, &olen, "options %s %s\n", c->mods[i], c->mods_args[i]);
	}
	rc = cl_gfs_write(g, path, text, 0644);
	free(path);
	if (rc == 0 && olen) {
		path = cl_sprintf("/etc/modprobe.d/%s.conf", c->module_name);
		rc = cl_gfs_write(g, path, opts, 0644);
		free(path);
	}
	free(text);
	free(opts);
	return rc;
}

/* How the OS loads the modules at boot, and the candidate's own services. */
static int install_loader(struct cl_gfs *g, const struct cl_candidate *c)
{
	int i, rc = c->load == CL_LOAD_UNITS || !c->nmods || c->loaded_by_service
			    ? 0 : install_modules_load(g, c);

	for (i = 0; i < c->nunits && rc == 0; i++) {
		char *path = cl_sprintf("/etc/systemd/system/%s", c->units[i].name);

		rc = cl_gfs_upload(g, c->units[i].file, path, 0644);
		free(path);
		if (rc == 0)
			rc = cl_install_enable(g, c->units[i].name, c->units[i].wanted_by);
	}
	return rc;
}

/* A module into the guest, and into the host's depmod tree when there is one. */
static int put_module(struct cl_gfs *g, struct cl_depmod *dm, const char *path, const char *dest)
{
	int rc = cl_gfs_upload(g, path, dest, 0644);

	return rc == 0 && dm ? cl_depmod_add(dm, path, dest) : rc;
}

struct dkms_install {
	struct cl_gfs *g;
	struct cl_depmod *dm;
	const char *release;
	int prebuilt;
};

/* One module of a list (DKMS or prebuilt). */
static int install_dkms_module(void *ctx, const char *name, const char *path)
{
	struct dkms_install *d = ctx;
	/* where Debian's dkms puts what it builds; a vendor's own builds beside it */
	char *dest = cl_sprintf("/lib/modules/%s/updates/%s%s.ko", d->release,
				d->prebuilt ? "" : "dkms/", name);
	int rc = put_module(d->g, d->dm, path, dest);

	free(dest);
	return rc;
}

/*
 * depmod, as the package's postinst would run it: on the host over the
 * image's own module tree (@dm, cl_depmod.h) or in the appliance when it
 * runs the image's binaries (an image of the host's architecture), else at
 * the image's first boot, before systemd loads modules.
 */
static int install_depmod(struct cl_gfs *g, struct cl_depmod *dm, const char *release)
{
	const char *depmod[] = { "depmod", "-a", release, NULL };
	char *unit;
	struct utsname u;
	int rc;

	if (dm)
		return cl_depmod_write(dm, g);
	if (uname(&u) == 0 && !strcmp(u.machine, cl_arch_of(release)->qemu_arch))
		return cl_gfs_run(g, depmod);
	unit = cl_sprintf("%s/guest/crashlab-depmod.service", cl_data_dir());
	if ((rc = cl_gfs_write(g, "/var/lib/crashlab/depmod", "", 0644)) == 0 &&
	    (rc = cl_gfs_upload(g, unit, "/etc/systemd/system/crashlab-depmod.service", 0644)) == 0)
		rc = cl_install_enable(g, "crashlab-depmod.service", "sysinit.target");
	free(unit);
	return rc;
}

int cl_install_candidate(struct cl_gfs *g, const struct cl_candidate *c, const char *ko_path,
			 const char *release, struct cl_depmod *dm)
{
	int rc, i;

	if (!ko_path) {
		rc = 0; /* user space and BPF alone: no module, nothing for depmod */
	} else if (c->module_source) {
		char *dest = cl_sprintf("/lib/modules/%s/updates/%s.ko", release, c->module_name);

		rc = put_module(g, dm, ko_path, dest);
		free(dest);
	} else {
		struct dkms_install d = { g, dm, release, c->nprebuilt > 0 };

		rc = cl_dkms_each(ko_path, install_dkms_module, &d);
	}
	if (rc || (ko_path && (rc = install_depmod(g, dm, release))))
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
