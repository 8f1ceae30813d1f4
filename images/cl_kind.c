/*
 * cl_kind.c - the table of image kinds (see cl_kind.h).
 */
#include "cl_kind.h"
#include "cl_gfs.h"
#include "cl_install.h"
#include "cl_arch.h"
#include "cl_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cl_kind *const kinds[] = {
	&cl_kind_initramfs,
	&cl_kind_disk,
	&cl_kind_user,
	&cl_kind_snapshot,
};

const struct cl_kind *cl_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

char *cl_kind_scenario_cmdline(const struct cl_cell_input *in)
{
	char *line = cl_xstrdup(in->scn->cmdline);
	size_t len = strlen(line);

	for (int i = 0; i < in->scn->nif_config; i++)
		if (cl_image_has_config(in->img, in->scn->if_config[i]))
			cl_append(&line, &len, "%s%s", len ? " " : "", in->scn->if_option[i]);
	return line;
}

char *cl_kind_plan(const struct cl_cell_input *in, enum cl_plan_mode mode)
{
	char *plan = cl_scenario_plan(in->scn, in->cand, mode), *told;

	if (in->rerun <= 0)
		return plan;
	/* the rerun first: the flaky step draws from its seed and this number */
	told = cl_sprintf("rerun %d\n%s", in->rerun, plan);
	free(plan);
	return told;
}

char *cl_kind_cmdline(const struct cl_cell_input *in, const char *own)
{
	const struct cl_arch *arch = cl_arch_of(in->spec->kernel);
	char *scn = cl_kind_scenario_cmdline(in);
	/* one UART (arm64's virt): the agent speaks on its virtio port; nokaslr
	 * with --vmcore: the dump opens with the -dbg vmlinux as it is */
	char *line = cl_sprintf("console=%s %s%s%s%s", arch->console, own,
				arch->agent_uart ? "" : "crashlab.chan=virtio ",
				in->vmcore ? "nokaslr " : "", scn);

	free(scn);
	return line;
}

void cl_kind_agent_media(struct cl_cell_media *out, const struct cl_cell_input *in, char *initrd,
			 const char *mode)
{
	char *own = cl_sprintf("panic=-1 oops=panic loglevel=7 %s", mode);

	/* the PVH entry when the kernel has one: the same code, booted without
	 * firmware or decompression */
	out->kernel = cl_xstrdup(in->img->vmlinux ? in->img->vmlinux : in->img->vmlinuz);
	out->initrd = initrd;
	out->cmdline = cl_kind_cmdline(in, own);
	out->crashlab_agent = 1;
	out->console_echo = 1; /* PID 1: each agent line on the console first */
	free(own);
}

void cl_kind_media_clear(struct cl_cell_media *m)
{
	free(m->kernel);
	free(m->initrd);
	free(m->cmdline);
	free(m->disk);
	free(m->disk_base);
	free(m->scratch_initrd);
	free(m->qga_plan);
	free(m->delivery);
	free(m->snapshot_extra);
	memset(m, 0, sizeof(*m));
}

int cl_kind_overlay(char **out, char **out_base, const struct cl_cell_input *in,
		    const char *scratch, const struct cl_kind_base *base, int install,
		    int (*more)(struct cl_gfs *g, const struct cl_cell_input *in))
{
	char *disk = cl_path_join(scratch, "disk.qcow2");
	struct cl_depmod dm = { base->modules_tar, scratch, in->spec->kernel, NULL };
	struct cl_gfs *g = NULL;
	int rc;

	*out = NULL;
	if ((rc = cl_gfs_overlay(disk, base->path)))
		goto fail;
	chmod(disk, 0666); /* qemu runs as libvirt-qemu */
	if (install || more) {
		if ((rc = cl_gfs_open(&g, disk, base->root)) ||
		    (install && (rc = cl_install_candidate(g, in->cand, in->ko_path, in->spec->kernel,
							   base->modules_tar ? &dm : NULL))) ||
		    (more && (rc = more(g, in)))) {
			cl_gfs_close(g);
			goto fail;
		}
		if ((rc = cl_gfs_close(g)))
			goto fail;
	}
	*out = disk;
	*out_base = cl_xstrdup(base->path);
	return 0;
fail:
	cl_depmod_clear(&dm);
	free(disk);
	return rc;
}
