/*
 * cl_kind_disk.c - Debian disk images built by images/mkdisk.sh (Debian 11,
 * 12 and 13; amd64 and arm64).
 *
 * Each cell boots a qcow2 overlay of the release's base image with the
 * image's own kernel and initramfs (direct kernel boot, root=/dev/vda1), so
 * systemd, udev and the candidate's boot-time loading run as on a fleet
 * machine. Before the first boot the candidate is installed persistently and
 * the crashlab agent added as systemd services, offline, through libguestfs.
 * After a panic the guest reboots (libvirt restarts it on the pvpanic event;
 * panic=5 if pvpanic is not loaded yet), into the same installed candidate.
 */
#include "cl_kind.h"
#include "cl_arch.h"
#include "cl_gfs.h"
#include "cl_install.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>

static int prepare(struct cl_image *img, const struct cl_cell_spec *spec,
		   const struct cl_candidate *cand)
{
	return cl_image_disk_ensure(img, spec->kernel, cand);
}

static int write_sysctls(struct cl_gfs *g, const struct cl_scenario *s)
{
	char *text = cl_xstrdup("# crashlab scenario sysctls, applied at every boot\n");
	size_t len = strlen(text);
	int i, rc;

	for (i = 0; i < s->nsysctl; i++)
		cl_append(&text, &len, "%s = %s\n", s->sysctl_name[i], s->sysctl_value[i]);
	rc = cl_gfs_write(g, "/etc/sysctl.d/90-crashlab.conf", text, 0644);
	free(text);
	return rc;
}

/* The agent, its plans and its two units. */
static int install_agent(struct cl_gfs *g, const struct cl_cell_input *in)
{
	const char *root = cl_data_dir();
	const struct cl_arch *arch = cl_arch_of(in->spec->kernel);
	char *agent = cl_xstrdup(cl_agent_path_arch(arch->name));
	char *unit = cl_sprintf("%s/guest/crashlab-agent.service", root);
	char *bunit = cl_sprintf("%s/guest/crashlab-boot-ipc.service", root);
	char *plan = cl_kind_plan(in, cl_kind_disk.plan);
	char *bplan = cl_scenario_boot_plan(in->scn);
	int rc;

	/* pvpanic early, so a panic reaches the host as an event, not only a
	 * reset (where the architecture's kernels have it) */
	if ((arch->panic_device &&
	     (rc = cl_gfs_write(g, "/etc/modules-load.d/crashlab-pvpanic.conf",
				"pvpanic\npvpanic-mmio\n", 0644))) ||
	    (rc = cl_gfs_upload(g, agent, "/usr/local/sbin/crashlab-agent", 0755)) ||
	    (rc = cl_gfs_write(g, "/var/lib/crashlab/plan", plan, 0644)) ||
	    (rc = cl_gfs_write(g, "/var/lib/crashlab/boot-plan", bplan, 0644)) ||
	    (rc = write_sysctls(g, in->scn)) ||
	    (rc = cl_gfs_upload(g, unit, "/etc/systemd/system/crashlab-agent.service", 0644)) ||
	    (rc = cl_gfs_upload(g, bunit, "/etc/systemd/system/crashlab-boot-ipc.service", 0644)) ||
	    (rc = cl_install_enable(g, "crashlab-agent.service", "multi-user.target")))
		goto out;
	if (in->scn->nboot_steps > 0)
		rc = cl_install_enable(g, "crashlab-boot-ipc.service", "multi-user.target");
out:
	free(agent);
	free(unit);
	free(bunit);
	free(plan);
	free(bplan);
	return rc;
}

static int setup(struct cl_cell_media *out, const struct cl_cell_input *in, const char *scratch)
{
	/* images/mkdisk.sh's layout: the root on the first partition. Its module
	 * tree is read on the host only when Debian's packages alone made it: a
	 * vendor's package shapes its own image's tree, and that stays in the
	 * appliance */
	const struct cl_kind_base base = { in->img->disk, "/dev/sda1",
					   in->cand->npackages ? NULL : in->img->disk_modules };
	int rc = cl_kind_overlay(&out->disk, &out->disk_base, in, scratch, &base, 1, install_agent);

	if (rc)
		return rc;
	out->kernel = cl_xstrdup(in->img->disk_vmlinuz);
	out->initrd = cl_xstrdup(in->img->disk_initrd);
	out->cmdline = cl_kind_cmdline(in, "root=/dev/vda1 ro loglevel=7 panic=5 oops=panic ");
	out->crashlab_agent = 1;
	out->reboot_on_crash = in->scn->on_crash_reboot;
	return 0;
}

const struct cl_kind cl_kind_disk = {
	.name = "disk",
	.plan = CL_PLAN_PERSISTENT,
	.prepare = prepare,
	.setup = setup,
};
