/*
 * Triage on real console logs: every file in tests/data/triage/ starts with
 * header lines (CLASS, TITLE, FRAME, MODULE, CORRUPTED), a blank line, then
 * the raw console. Each log is fed whole, and again in small odd-sized
 * chunks, and must give the same expected answer both ways. Adding a case
 * is adding a file.
 */
#include "cl_test.h"
#include "cl_test_triage.h"
#include "cl_util.h"


#define DATA "tests/data/triage"

struct expect {
	char cls[64], title[CL_TITLE_MAX], frame[CL_FRAME_MAX], module[64];
	int corrupted;
};

static const char *header(const char *text, const char *key, char *out, size_t len)
{
	const char *p = strstr(text, key), *end;
	size_t n;

	out[0] = '\0';
	if (!p)
		return NULL;
	p += strlen(key);
	while (*p == ' ')
		p++;
	end = strchr(p, '\n');
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static void check(const char *name, const struct cl_triage_result *r, const struct expect *e,
		  const char *how)
{
	if (strcmp(cl_triage_class_name(r->cls), e->cls) ||
	    strcmp(r->crashed ? r->title : "", e->title) || strcmp(r->frame, e->frame) ||
	    strcmp(r->module, e->module) || r->corrupted != e->corrupted)
		fail_msg("%s (%s): got class=%s title='%s' frame='%s' module='%s' corrupted=%d; "
			 "want class=%s title='%s' frame='%s' module='%s' corrupted=%d",
			 name, how, cl_triage_class_name(r->cls), r->title, r->frame, r->module,
			 r->corrupted, e->cls, e->title, e->frame, e->module, e->corrupted);
	assert_int_equal(r->crashed, strcmp(e->cls, "none") != 0);
}

static void run_case(const char *name)
{
	char *path = cl_path_join(DATA, name), *text, chunked_first[CL_EXCERPT_MAX];
	const char *log;
	struct expect e;
	char cor[8];
	size_t len, off, step;
	struct cl_triage *t;

	assert_int_equal(cl_read_file(&text, &len, path, 16u << 20), 0);
	log = strstr(text, "\n\n");
	assert_non_null(log);
	log += 2;
	assert_non_null(header(text, "CLASS:", e.cls, sizeof(e.cls)));
	header(text, "TITLE:", e.title, sizeof(e.title));
	header(text, "FRAME:", e.frame, sizeof(e.frame));
	header(text, "MODULE:", e.module, sizeof(e.module));
	header(text, "CORRUPTED:", cor, sizeof(cor));
	e.corrupted = cor[0] == 'Y';

	t = cl_triage_new(0);
	cl_triage_feed(t, log, len - (size_t)(log - text));
	cl_triage_finish(t);
	check(name, cl_triage_result(t), &e, "whole");
	snprintf(chunked_first, sizeof(chunked_first), "%s", cl_triage_result(t)->excerpt);
	cl_triage_free(t);

	/* the same bytes in chunks of 1..7 bytes: a streaming parser must not care */
	t = cl_triage_new(0);
	for (off = (size_t)(log - text), step = 1; off < len; off += step, step = step % 7 + 1)
		cl_triage_feed(t, text + off, off + step > len ? len - off : step);
	cl_triage_finish(t);
	check(name, cl_triage_result(t), &e, "chunked");
	assert_string_equal(cl_triage_result(t)->excerpt, chunked_first);
	if (cl_triage_result(t)->crashed)
		assert_true(strlen(cl_triage_result(t)->excerpt) > 0);
	cl_triage_free(t);
	free(text);
	free(path);
}

static void test_corpus(void **state)
{
	int count = cl_test_each_file(DATA, "", run_case);

	(void)state;
	assert_true(count >= 8);
}

static void test_hostile_bytes(void **state)
{
	static const char junk[] = "\x01\x02\xff\xfe\n[ 1.0] BUG: unable to handle page fault for address: 0\n"
				   "[ 1.1] RIP: 0010:evil\x1b[31m+0x1/0x2 [m\x00d]\n";
	struct cl_triage *t = cl_triage_new(0);
	char big[5000];

	(void)state;
	cl_triage_feed(t, junk, sizeof(junk) - 1);
	memset(big, 'A', sizeof(big));
	cl_triage_feed(t, big, sizeof(big)); /* an overlong line is cut, not overflowed */
	cl_triage_finish(t);
	assert_true(cl_triage_result(t)->crashed);
	for (const char *p = cl_triage_result(t)->excerpt; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	assert_true(cl_triage_result(t)->corrupted);
	cl_triage_free(t);
}

static void test_warning_fatal_only_when_asked(void **state)
{
	static const char log[] =
		"[    2.478150] ------------[ cut here ]------------\n"
		"[    2.478576] WARNING: CPU: 0 PID: 1 at drivers/x.c:138 foo_bar+0x79/0x90 [foo]\n"
		"[    2.480449] Call Trace:\n"
		"[    2.484559]  foo_bar+0x79/0x90 [foo]\n"
		"[    2.490349] ---[ end trace 0000000000000000 ]---\n";
	struct cl_triage *t = cl_test_triage(log, 0);

	(void)state;
	assert_false(cl_triage_result(t)->crashed);
	cl_triage_free(t);
	t = cl_test_triage(log, 1);
	assert_true(cl_triage_result(t)->crashed);
	assert_string_equal(cl_triage_result(t)->title, "WARNING in foo_bar");
	assert_string_equal(cl_triage_result(t)->module, "foo");
	cl_triage_free(t);
}

/*
 * A WARNING in a helper while warnings are not fatal: followed all the
 * same, so when panic_on_warn's panic adopts it the helper is skipped and
 * its caller named, as when warnings are fatal from the start.
 */
static void test_adopted_warning_skips_helpers(void **state)
{
	static const char log[] =
		"[  2.4] ------------[ cut here ]------------\n"
		"[  2.4] WARNING: CPU: 0 PID: 1 at mm/page_alloc.c:5525 __alloc_pages+0x2e7/0x340\n"
		"[  2.4] Modules linked in: foo(OE+)\n"
		"[  2.4] RIP: 0010:__alloc_pages+0x2e7/0x340\n"
		"[  2.4] Call Trace:\n"
		"[  2.4]  <TASK>\n"
		"[  2.4]  __kmalloc_large_node+0x78/0x130\n"
		"[  2.4]  foo_alloc_ring+0x1d/0x40 [foo]\n"
		"[  2.4]  </TASK>\n"
		"[  2.4] Kernel panic - not syncing: kernel: panic_on_warn set ...\n"
		"[  2.4] Call Trace:\n"
		"[  2.4]  panic+0x118/0x2f4\n";
	int fatal;

	(void)state;
	for (fatal = 0; fatal <= 1; fatal++) {
		struct cl_triage *t = cl_test_triage(log, fatal);

		assert_string_equal(cl_triage_result(t)->title, "WARNING in foo_alloc_ring");
		assert_string_equal(cl_triage_result(t)->module, "foo");
		assert_contains(cl_triage_result(t)->excerpt, "__kmalloc_large_node");
		cl_triage_free(t);
	}
}

/* Built-in guilty frame, out-of-tree module further down the trace: blame it. */
static void test_blame_out_of_tree_module(void **state)
{
	static const char log[] =
		"[  2.1] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI\n"
		"[  2.1] Modules linked in: sensorx(OE) pvpanic_mmio pvpanic\n"
		"[  2.1] RIP: 0010:list_del_entry_valid+0x10/0x90\n"
		"[  2.1] Call Trace:\n"
		"[  2.1]  <TASK>\n"
		"[  2.1]  ? die_addr+0x36/0x90\n"
		"[  2.1]  __list_del_entry+0x9/0x20\n"
		"[  2.1]  pvpanic_remove+0x9/0x20 [pvpanic]\n"
		"[  2.1]  sensorx_event+0x55/0x90 [sensorx]\n"
		"[  2.1]  </TASK>\n"
		"[  2.1] ---[ end trace 0000000000000000 ]---\n";
	struct cl_triage *t = cl_test_triage(log, 0);

	(void)state;
	assert_string_equal(cl_triage_result(t)->title, "general protection fault in list_del_entry_valid");
	/* pvpanic is in the trace first but in-tree; sensorx is out-of-tree */
	assert_string_equal(cl_triage_result(t)->module, "sensorx");
	cl_triage_free(t);
}

/*
 * Two reports interleaved (two CPUs oopsing at once): the first report's
 * title stands and the result is flagged corrupted. Synthetic: a guest with
 * one vCPU under TCG cannot produce this for real.
 */
static void test_interleaved_reports(void **state)
{
	static const char log[] =
		"[  3.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"[  3.0] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
		"[  3.0] RIP: 0010:first_fault+0x10/0x40 [sensorx]\n"
		"[  3.0] BUG: unable to handle page fault for address: ffffc90000046000\n"
		"[  3.0] Call Trace:\n"
		"[  3.0]  first_caller+0x1/0x2 [sensorx]\n"
		"[  3.0] RIP: 0010:second_fault+0x1/0x2\n"
		"[  3.0] ---[ end trace 0000000000000000 ]---\n";
	struct cl_triage *t = cl_test_triage(log, 0);

	(void)state;
	assert_string_equal(cl_triage_result(t)->title,
			    "BUG: kernel NULL pointer dereference in first_fault");
	assert_true(cl_triage_result(t)->corrupted);
	cl_triage_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_warning_fatal_only_when_asked),
		cmocka_unit_test(test_adopted_warning_skips_helpers),
		cmocka_unit_test(test_blame_out_of_tree_module),
		cmocka_unit_test(test_interleaved_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
