/*
 * cl_matrix.h - the OS matrix: which kernels crashlab boots.
 *
 * A matrix file is what a QA engineer edits to add an OS configuration:
 *
 *   { "name": "smoke",
 *     "defaults": { "memory_mib": 512, "vcpus": 1 },
 *     "cells": [ { "id": "6.1-n", "kernel": "6.1.0-56-amd64",
 *                  "os": "debian-12", "note": "newest 6.1 ABI" }, ... ] }
 *
 * "kernel" is a Debian kernel release; crashlab builds its image from the
 * package linux-image-RELEASE in its own index of that Debian release. The
 * flavour (amd64, cloud-amd64, rt-amd64, arm64, ...), the architecture and
 * the Debian release (11: 5.10 and 6.1.0-0.deb11.N; 12: 6.1.0-N and
 * 6.12.N+deb12; 13: 6.12.N+deb13) are read from the kernel's name; a cell
 * may say them too ("release": 13, "arch": "arm64", "os": "debian-13") and
 * must then agree. A cell may override memory_mib and vcpus.
 *
 * "image" names the image kind the cell boots (cl_kind.h): "initramfs" (the
 * default), "disk", or a user's own disk image:
 *
 *     { "id": "user-6.1", "kernel": "6.1.0-56-amd64", "os": "linux",
 *       "image": { "path": "images/my.qcow2", "sha256": "<64 hex>", "firmware": "bios" } }
 *
 * A user image is booted from its own boot loader ("firmware": "bios" or
 * "uefi"); "kernel" names the release it runs (the candidate module is built
 * against its headers); "os" is "linux" or "windows". The path is relative
 * to the matrix file; its bytes must hash to "sha256".
 *
 * Rings and weights: "rings": ["canary", "broad"] names the rings in the
 * order they run; a cell says which it is in ("ring": "canary"; a cell that
 * does not say is in the last ring). "fleet_share" (a number >= 0, the share
 * of the fleet that runs this configuration) weighs the cell in the report's
 * blast radius.
 */
#ifndef CL_MATRIX_H
#define CL_MATRIX_H

#include <jansson.h>

#define CL_ID_MAX 64

struct cl_cell_spec {
	char id[CL_ID_MAX];      /* unique in the matrix, [A-Za-z0-9._+-] */
	char kernel[CL_ID_MAX];  /* Debian kernel release, e.g. 6.1.0-56-amd64 */
	char flavor[CL_ID_MAX];  /* amd64, cloud-amd64, rt-amd64, ... */
	char series[16];         /* "6.1", "6.12" */
	char os[CL_ID_MAX];      /* "debian-N" (N = release), or a user image's "linux"/"windows" */
	int release;             /* Debian release: 11, 12, 13 (0: a user image that does not say) */
	char arch[8];            /* "amd64" or "arm64" */
	char note[128];          /* free text for the report */
	int memory_mib;
	int vcpus;
	char image[16];          /* image kind: "initramfs", "disk", "user" */
	char *user_path;         /* kind "user": the qcow2, resolved (owned) */
	char user_sha256[65];
	int efi;                 /* kind "user": boot with UEFI (OVMF) */
	int ring;                /* index into the matrix's rings (0 when it has none) */
	double fleet_share;      /* weight in the blast radius (0 when not given) */
	int index;               /* position in the matrix file */
};

#define CL_MAX_RINGS 8

struct cl_matrix {
	char *path;                  /* as given */
	char name[CL_ID_MAX];
	struct cl_cell_spec *cells;  /* owned */
	int ncells;
	int ncells_alloc;
	char rings[CL_MAX_RINGS][CL_ID_MAX]; /* in the order they run */
	int nrings;                  /* 1 when the matrix names none ("all") */
};

/* Parse @path into *out (caller frees with cl_matrix_free). CL_EINPUT on bad input. */
int cl_matrix_load(struct cl_matrix **out, const char *path);
void cl_matrix_free(struct cl_matrix *m);
/* A one-cell matrix for @release booting @image ("initramfs" or "disk"): crashlab reproduce. */
int cl_matrix_single(struct cl_matrix **out, const char *release, const char *image);
/* Only cell @id of @m is left, booting @image when not NULL:
 * crashlab minimize's one cell. CL_EINPUT: no such cell, or no such image kind. */
int cl_matrix_keep(struct cl_matrix *m, const char *id, const char *image);
/*
 * What defines cell @c, as report.json records it and the gate compares it
 * with the release's required matrix: kernel, flavour, architecture, OS,
 * image kind, memory, vCPUs and, for a user's image, its digest and
 * firmware (a new reference). Ring and fleet share weigh a cell; they do
 * not define it.
 */
json_t *cl_matrix_cell_definition(const struct cl_cell_spec *c);
/* The Debian release (11, 12, 13) whose archive carries @kernel, by Debian's naming. */
int cl_matrix_debian_release(const char *kernel);
/* Split a Debian kernel release into series and flavour; CL_EINPUT if it is not one. */
int cl_matrix_release_parse(const char *release, char *series, unsigned int series_len,
			    char *flavor, unsigned int flavor_len);

#endif
