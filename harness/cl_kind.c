/*
 * cl_kind.c - the table of image kinds (see cl_kind.h).
 */
#include "cl_kind.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cl_image_kind *const kinds[] = {
	&cl_kind_initramfs,
	&cl_kind_disk,
	&cl_kind_user,
};

const struct cl_image_kind *cl_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

void cl_cell_media_clear(struct cl_cell_media *m)
{
	free(m->kernel);
	free(m->initrd);
	free(m->cmdline);
	free(m->disk);
	free(m->scratch_initrd);
	free(m->qga_plan);
	memset(m, 0, sizeof(*m));
}
