/*
 * The saved state without the zero pages of the guest's RAM: a small save
 * file written here byte by byte in libvirt's and QEMU's layout (header,
 * XML, configuration, RAM start with its block list, a part, an end, then
 * device state), rewritten, and compared byte by byte with what it must
 * become; and the shapes the rewrite must leave alone. The real states are
 * rewritten and proven by a test restore in every snapshot build.
 */
#include "cl_test.h"
#include "cl_savestate.h"
#include "cl_util.h"

struct buf {
	unsigned char b[32768];
	size_t n;
};

static void raw(struct buf *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void be(struct buf *f, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		f->b[f->n++] = (unsigned char)(v >> (8 * i));
}

static void name(struct buf *f, const char *s)
{
	be(f, strlen(s), 1);
	raw(f, s, strlen(s));
}

static void page(struct buf *f, unsigned char fill)
{
	unsigned char p[4096];

	memset(p, fill, sizeof(p));
	raw(f, p, sizeof(p));
}

/* libvirt's header (native words) and 16 bytes of XML, QEMU's magic and configuration */
static void head(struct buf *f)
{
	uint32_t words[19] = { 2, 16 };

	raw(f, "LibvirtQemudSave", 16);
	raw(f, words, sizeof(words));
	raw(f, "<domain/>\0\0\0\0\0\0\0", 16);
	raw(f, "QEVM", 4);
	be(f, 3, 4);
	be(f, 0x07, 1);
	be(f, 13, 4);
	raw(f, "pc-i440fx-7.2", 13);
}

/* The RAM section's start: pc.ram (3 pages) and pc.rom (1 page), id 2, with its footer. */
static void ram_start(struct buf *f)
{
	be(f, 0x01, 1);
	be(f, 2, 4);
	name(f, "ram");
	be(f, 0, 4);
	be(f, 4, 4);
	be(f, 0x4000 | 0x04, 8);
	name(f, "pc.ram");
	be(f, 0x3000, 8);
	name(f, "pc.rom");
	be(f, 0x1000, 8);
	be(f, 0x10, 8);
	be(f, 0x7e, 1);
	be(f, 2, 4);
}

static void section_end(struct buf *f)
{
	be(f, 0x10, 8);
	be(f, 0x7e, 1);
	be(f, 2, 4);
}

/* devices' state and the stream's end, copied as they are */
static void tail(struct buf *f)
{
	static const char rest[] = "\x04 device state \x00{\"vmdesc\":1}";

	raw(f, rest, sizeof(rest) - 1);
}

/* The state as libvirt writes it; @xbzrle: its page record is an XBZRLE one. */
static void saved(struct buf *f, int xbzrle)
{
	f->n = 0;
	head(f);
	ram_start(f);
	be(f, 0x02, 1); /* a part */
	be(f, 2, 4);
	be(f, 0x0000 | 0x02, 8); /* zero page of pc.ram, naming it: left out */
	name(f, "pc.ram");
	be(f, 0, 1);
	be(f, 0x1000 | (xbzrle ? 0x40 : 0x08) | 0x20, 8); /* data, continuing pc.ram */
	page(f, 0xab);
	be(f, 0x2000 | 0x02 | 0x20, 8); /* zero, continuing: left out */
	be(f, 0, 1);
	be(f, 0x0000 | 0x02, 8); /* a zero page of the ROM: kept */
	name(f, "pc.rom");
	be(f, 0, 1);
	section_end(f);
	be(f, 0x03, 1); /* the end */
	be(f, 2, 4);
	be(f, 0x2000 | 0x02, 8); /* pc.ram filled with 0x5a, not zero: kept */
	name(f, "pc.ram");
	be(f, 0x5a, 1);
	be(f, 0x0000 | 0x08 | 0x20, 8); /* data, continuing pc.ram: kept, continuing */
	page(f, 0xcd);
	section_end(f);
	tail(f);
}

/* What saved(f, 0) must become. */
static void expected(struct buf *f)
{
	f->n = 0;
	head(f);
	ram_start(f);
	be(f, 0x02, 1);
	be(f, 2, 4);
	be(f, 0x1000 | 0x08, 8); /* the section's first record written names its block */
	name(f, "pc.ram");
	page(f, 0xab);
	be(f, 0x0000 | 0x02, 8);
	name(f, "pc.rom");
	be(f, 0, 1);
	section_end(f);
	be(f, 0x03, 1);
	be(f, 2, 4);
	be(f, 0x2000 | 0x02, 8);
	name(f, "pc.ram");
	be(f, 0x5a, 1);
	be(f, 0x0000 | 0x08 | 0x20, 8);
	page(f, 0xcd);
	section_end(f);
	tail(f);
}

static char *write_state(const struct buf *f)
{
	char *path = cl_sprintf("%s/state.save", cl_test_sensor_dir());

	assert_int_equal(cl_write_file(path, f->b, f->n), 0);
	return path;
}

static void test_zero_pages_of_the_ram_go(void **state)
{
	static struct buf in, want;
	struct cl_savestate_stats st;
	const char *why = "unset";
	char *path, *out, *sparse;
	size_t n;

	(void)state;
	saved(&in, 0);
	expected(&want);
	path = write_state(&in);
	assert_int_equal(cl_savestate_drop_zero_pages(path, &st, &why), 0);
	assert_null(why);
	assert_int_equal(st.pages, 5);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.bytes_in, (long long)in.n);
	assert_int_equal(st.bytes_out, (long long)want.n);
	assert_int_equal(cl_read_file(&out, &n, path, 1 << 20), 0);
	assert_int_equal(n, want.n);
	assert_memory_equal(out, want.b, n);
	sparse = cl_sprintf("%s.sparse", path);
	assert_false(cl_file_exists(sparse));
	free(sparse);
	free(out);
	free(path);
}

/* @f, written and given to the rewrite: it must stay byte for byte, saying @reason. */
static void left_alone(const struct buf *f, const char *reason)
{
	struct cl_savestate_stats st;
	const char *why = NULL;
	char *path = write_state(f), *out, *sparse = cl_sprintf("%s.sparse", path);
	size_t n;

	assert_int_equal(cl_savestate_drop_zero_pages(path, &st, &why), 1);
	assert_non_null(why);
	assert_contains(why, reason);
	assert_int_equal(cl_read_file(&out, &n, path, 1 << 20), 0);
	assert_int_equal(n, f->n);
	assert_memory_equal(out, f->b, n);
	assert_false(cl_file_exists(sparse));
	free(out);
	free(sparse);
	free(path);
}

static void test_what_it_does_not_know_stays(void **state)
{
	static struct buf f;

	(void)state;
	saved(&f, 1);
	left_alone(&f, "does not know");
	saved(&f, 0);
	f.n -= 8300; /* cut inside the part's data page */
	left_alone(&f, "ends early");
	saved(&f, 0);
	f.b[16] = 3; /* libvirt's header version */
	left_alone(&f, "version 2");
	saved(&f, 0);
	f.b[92 + 16] = 'X'; /* no stream after the XML */
	left_alone(&f, "no QEMU migration stream");
	saved(&f, 0);
	f.b[92 + 16 + 8 + 18 + 1 + 4] = 4; /* the start names "ram" with 4 letters */
	left_alone(&f, "no RAM section");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_pages_of_the_ram_go),
		cmocka_unit_test(test_what_it_does_not_know_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
