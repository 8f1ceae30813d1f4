/*
 * cl_remediation.h - a vendor's published remediation, tested before
 * customers need it.
 *
 *   { "name": "CF291 workaround",
 *     "steps": [ { "op": "delete", "glob": "/var/lib/crashlab/channels/C-00000291*.sys" },
 *                { "op": "write", "path": "/etc/clsensor/safe-mode", "text": "1\n" },
 *                { "op": "disable", "unit": "clsensor-loader.service" } ] }
 *
 * `qualify --remediate FILE`: a cell that ends in a boot loop has its disk
 * changed offline, as a technician with the disk in hand would (libguestfs
 * on the cell's overlay): delete what a glob matches, write a file, disable
 * a systemd unit (masked). Then it boots again; the report says whether the
 * machine recovered, in how many boots and seconds.
 */
#ifndef CL_REMEDIATION_H
#define CL_REMEDIATION_H

#define CL_MAX_REMEDY_STEPS 16

enum cl_remedy_op { CL_REMEDY_DELETE = 0, CL_REMEDY_WRITE, CL_REMEDY_DISABLE };

struct cl_remedy_step {
	enum cl_remedy_op op;
	char *arg;           /* glob, path or unit */
	char *text;          /* CL_REMEDY_WRITE */
};

struct cl_remediation {
	char *path;
	char name[64];
	struct cl_remedy_step steps[CL_MAX_REMEDY_STEPS];
	int nsteps;
};

int cl_remediation_load(struct cl_remediation **out, const char *path);
void cl_remediation_free(struct cl_remediation *rm);

/* What --remediate did for one cell that boot-looped. */
struct cl_remediation_result {
	const char *file;      /* the remediation file (borrowed) */
	int applied;           /* its steps were carried out offline */
	int removed;           /* paths its delete steps removed */
	int recovered;         /* a boot afterwards was healthy */
	int boots;             /* boots afterwards, up to that healthy one */
	double seconds;        /* from applying it to the healthy boot */
	char outcome[320];     /* why not, when it did not recover */
};

#endif
