/*
 * cl_savestate.c - a saved guest's state without the zero pages of its RAM
 * (see cl_savestate.h).
 *
 * The layout read here, as libvirt 9 and QEMU 7.2 write it:
 *   libvirt: "LibvirtQemudSave", 19 native 32-bit words (version, length of
 *            the XML that follows, was_running, compressed, ...), the XML;
 *   QEMU:    "QEVM", version 3, the configuration section, then sections.
 *            The RAM section starts with 0x01, its id, "ram", instance 0 and
 *            its version, then records until an end-of-section record; its
 *            later parts (0x02) and end (0x03) name the same id. A section
 *            may end with a footer: 0x7e and its id. Devices' sections
 *            (0x04) and the stream's end (0x00) follow the RAM sections.
 *   a record: a big-endian 64-bit page offset whose low 12 bits are flags;
 *            unless CONTINUE is set, the block's name follows (length byte,
 *            name); then a fill byte (ZERO) or the page's 4096 bytes (PAGE).
 *            The first record (MEM_SIZE) carries the RAM's total size and is
 *            followed by the blocks: name and 64-bit length each.
 */
#include "cl_savestate.h"
#include "cl_util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIBVIRT_MAGIC "LibvirtQemudSave"
#define LIBVIRT_HEAD 92 /* the magic and 19 32-bit words */
#define QEMU_MAGIC 0x5145564dU
#define PAGE 4096

enum { F_ZERO = 0x02, F_MEM_SIZE = 0x04, F_PAGE = 0x08, F_EOS = 0x10, F_CONTINUE = 0x20 };
enum { S_EOF = 0x00, S_START = 0x01, S_PART = 0x02, S_END = 0x03, S_FULL = 0x04,
       S_FOOTER = 0x7e };

struct rw {
	FILE *in, *out;
	const char *why;   /* set: stop, the file stays as libvirt wrote it */
	uint32_t ram_id;   /* the RAM section's id */
	char main[256];    /* the guest's RAM: the largest block */
	char in_blk[256];  /* the block of the last record read */
	char out_blk[256]; /* ... and of the last written ("": the next names its own) */
	struct cl_savestate_stats *st;
};

static int get(struct rw *w, void *buf, size_t n)
{
	if (!w->why && fread(buf, 1, n, w->in) != n)
		w->why = "the saved state ends early";
	return w->why ? -1 : 0;
}

static uint64_t get_be(struct rw *w, int bytes)
{
	unsigned char b[8];
	uint64_t v = 0;

	if (get(w, b, (size_t)bytes))
		return 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | b[i];
	return v;
}

static void put(struct rw *w, const void *buf, size_t n)
{
	if (!w->why && fwrite(buf, 1, n, w->out) != n)
		w->why = "cannot write the rewritten state";
}

static void put_be(struct rw *w, uint64_t v, int bytes)
{
	unsigned char b[8];

	for (int i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	put(w, b, (size_t)bytes);
}

static void get_name(struct rw *w, char out[256])
{
	size_t n = (size_t)get_be(w, 1);

	out[get(w, out, n) == 0 ? n : 0] = '\0';
}

static void put_name(struct rw *w, const char *s)
{
	put_be(w, strlen(s), 1);
	put(w, s, strlen(s));
}

/* After MEM_SIZE: the blocks, until their lengths make @total; the largest is the guest's RAM. */
static void block_list(struct rw *w, uint64_t total)
{
	uint64_t sum = 0, largest = 0;

	while (!w->why && sum < total) {
		char name[256];
		uint64_t len;

		get_name(w, name);
		len = get_be(w, 8);
		put_name(w, name);
		put_be(w, len, 8);
		if (!w->why && (len == 0 || len > total - sum))
			w->why = "its RAM blocks do not add up to the RAM's size";
		sum += len;
		if (len > largest) {
			largest = len;
			snprintf(w->main, sizeof(w->main), "%s", name);
		}
	}
}

/* A page record of block w->in_blk: kept (written, naming its block unless it continues one) or not. */
static void page_record(struct rw *w, uint64_t addr, uint64_t kind)
{
	unsigned char data[PAGE];
	size_t len = kind == F_ZERO ? 1 : PAGE;
	int in_ram = !strcmp(w->in_blk, w->main);

	if (get(w, data, len))
		return;
	w->st->pages += (unsigned long long)in_ram;
	if (kind == F_ZERO && data[0] == 0 && in_ram) {
		w->st->dropped++; /* the new guest's RAM is zero there already */
		return;
	}
	if (!strcmp(w->out_blk, w->in_blk)) {
		put_be(w, addr | kind | F_CONTINUE, 8);
	} else {
		put_be(w, addr | kind, 8);
		put_name(w, w->in_blk);
		snprintf(w->out_blk, sizeof(w->out_blk), "%s", w->in_blk);
	}
	put(w, data, len);
}

/* One section's records, up to and with its end-of-section record. */
static void records(struct rw *w)
{
	w->out_blk[0] = '\0'; /* a section's first record names its block */
	while (!w->why) {
		uint64_t a = get_be(w, 8), flags = a & (PAGE - 1), addr = a - flags;
		uint64_t kind = flags & ~(uint64_t)F_CONTINUE;

		if (w->why)
			return;
		if (flags == F_EOS || flags == F_MEM_SIZE) {
			put_be(w, a, 8);
			if (flags == F_EOS)
				return;
			block_list(w, addr);
		} else if (kind != F_ZERO && kind != F_PAGE) {
			w->why = "a RAM record it does not know (compressed, XBZRLE, ...)";
		} else if (!(flags & F_CONTINUE)) {
			get_name(w, w->in_blk);
			page_record(w, addr, kind);
		} else if (!w->in_blk[0]) {
			w->why = "a RAM record continues no block";
		} else {
			page_record(w, addr, kind);
		}
	}
}

/* The footer a section may end with: 0x7e and the section's id. */
static void footer(struct rw *w)
{
	int c = fgetc(w->in);

	if (c != S_FOOTER) {
		if (c != EOF)
			ungetc(c, w->in);
		return;
	}
	if (get_be(w, 4) != w->ram_id && !w->why)
		w->why = "a RAM section's footer names another section";
	put_be(w, S_FOOTER, 1);
	put_be(w, w->ram_id, 4);
}

/* Everything from the current position on, as it is. */
static void copy_rest(struct rw *w)
{
	char buf[65536];
	size_t n;

	while (!w->why && (n = fread(buf, 1, sizeof(buf), w->in)) > 0)
		put(w, buf, n);
	if (!w->why && ferror(w->in))
		w->why = "cannot read the saved state";
}

/* The sections after the RAM section's start: its parts and end, then the rest as it is. */
static void later_sections(struct rw *w)
{
	while (!w->why) {
		int c = fgetc(w->in);

		if (c == S_PART || c == S_END) {
			if (get_be(w, 4) != w->ram_id && !w->why) {
				w->why = "another iterable section (block or dirty-bitmap migration)";
				return;
			}
			put_be(w, (uint64_t)c, 1);
			put_be(w, w->ram_id, 4);
			records(w);
			footer(w);
		} else if (c == S_FULL || c == S_EOF) {
			ungetc(c, w->in);
			copy_rest(w);
			return;
		} else {
			w->why = "a section it does not know between the RAM sections";
		}
	}
}

/* QEMU's stream at offset @base of the file: copied up to the RAM section, then rewritten. */
static void stream(struct rw *w, off_t base)
{
	static const unsigned char ram[] = { 3, 'r', 'a', 'm', 0, 0, 0, 0 }; /* instance 0 */
	unsigned char buf[4096], *p;
	size_t n = fread(buf, 1, sizeof(buf), w->in), head;

	if (n < 8 || memcmp(buf, "QEVM", 4)) {
		w->why = "no QEMU migration stream after libvirt's header";
		return;
	}
	p = memmem(buf + 8, n - 8, ram, sizeof(ram));
	if (!p || p - buf < 13 || p[-5] != S_START || (size_t)(p - buf) + sizeof(ram) + 4 > n) {
		w->why = "no RAM section at the stream's start";
		return;
	}
	w->ram_id = (uint32_t)p[-4] << 24 | (uint32_t)p[-3] << 16 | (uint32_t)p[-2] << 8 | p[-1];
	head = (size_t)(p - buf) + sizeof(ram) + 4; /* and the section's version */
	put(w, buf, head);
	if (fseeko(w->in, base + (off_t)head, SEEK_SET) != 0)
		w->why = "cannot seek in the saved state";
	records(w);
	footer(w);
	later_sections(w);
}

/* libvirt's header and XML, as they are; then the stream. */
static void save_file(struct rw *w)
{
	unsigned char head[LIBVIRT_HEAD];
	uint32_t version, xml_len, compressed;
	char buf[65536];

	if (get(w, head, sizeof(head)))
		return;
	memcpy(&version, head + 16, 4);
	memcpy(&xml_len, head + 20, 4);
	memcpy(&compressed, head + 28, 4);
	if (memcmp(head, LIBVIRT_MAGIC, 16) || version != 2 || compressed != 0) {
		w->why = "not an uncompressed libvirt save file of version 2";
		return;
	}
	put(w, head, sizeof(head));
	for (uint32_t left = xml_len, k; !w->why && left > 0; left -= k) {
		k = left < sizeof(buf) ? left : (uint32_t)sizeof(buf);
		if (get(w, buf, k) == 0)
			put(w, buf, k);
	}
	stream(w, (off_t)LIBVIRT_HEAD + xml_len);
}

static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int cl_savestate_drop_zero_pages(const char *path, struct cl_savestate_stats *st,
				 const char **why)
{
	char *tmp = cl_sprintf("%s.sparse", path);
	struct rw w = { .st = st };
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	memset(st, 0, sizeof(*st));
	w.in = fopen(path, "rbe");
	w.out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!w.in || !w.out)
		w.why = "cannot open the saved state and its rewrite";
	else
		save_file(&w);
	if (w.in)
		fclose(w.in);
	if (w.out ? fclose(w.out) != 0 : fd >= 0 && close(fd) != 0)
		w.why = w.why ? w.why : "cannot write the rewritten state";
	st->bytes_in = size_of(path);
	st->bytes_out = size_of(tmp);
	if (!w.why && rename(tmp, path) != 0)
		w.why = "cannot put the rewritten state in place";
	if (w.why)
		unlink(tmp);
	free(tmp);
	*why = w.why;
	return w.why ? 1 : 0;
}
