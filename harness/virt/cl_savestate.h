/*
 * cl_savestate.h - a saved guest's state without the zero pages of its RAM.
 *
 * libvirt's save file is its own header and the domain XML, then QEMU's
 * migration stream. The stream's RAM section sends every page of guest
 * memory: a page of zeros as an address, a ZERO flag and a fill byte. QEMU's
 * loader reads each such page of the new guest's memory before it would
 * write it, and on a host that maps no shared zero page that read allocates
 * the page: restoring a 512 MiB guest allocated and cleared all 512 MiB
 * (0.3-1.2 s here, most of a restored cell). A guest being restored has all
 * its RAM zero already (QEMU copies no ROM into RAM while a migration is
 * incoming), so the zero pages of the guest's RAM (the stream's largest
 * block) can go from the stream: the memory the guest never used is then
 * never allocated. Other blocks (ROMs, flash: the new QEMU fills them from
 * their files) keep every page.
 *
 * The rewrite reads only what it knows: libvirt's header (version 2,
 * uncompressed), the stream's RAM records (zero, page, end-of-section, the
 * block list) in sections of the RAM section's id; everything after the RAM
 * sections is copied as it is. Anything else (another iterable section, a
 * compressed or XBZRLE page, a flag it does not know) leaves the file as
 * libvirt wrote it. The result is still proven by a test restore before the
 * cache takes it (cl_snapshot.c).
 */
#ifndef CL_SAVESTATE_H
#define CL_SAVESTATE_H

struct cl_savestate_stats {
	unsigned long long pages;   /* RAM records of the guest's RAM block read */
	unsigned long long dropped; /* ... of them zero pages, left out */
	long long bytes_in, bytes_out;
};

/* Rewrite the saved state at @path in place (through PATH.sparse and a
 * rename): 0; or 1 when it is left as it was, and *@why says why. @st gets
 * the counts. */
int cl_savestate_drop_zero_pages(const char *path, struct cl_savestate_stats *st,
				 const char **why);

#endif
