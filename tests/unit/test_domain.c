/*
 * Domain XML against the expected file beside it, escaping, and the
 * overlay cpio read back by the real cpio(1).
 */
#include "cl_test.h"
#include "cl_candidate.h"
#include "cl_cpio.h"
#include "cl_domain.h"
#include "cl_image.h"
#include "cl_media.h"
#include "cl_util.h"

static void test_xml_matches_expected(void **state)
{
	char *xml, *expected;

	(void)state;
	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = "crashlab-1-1-deb12-6.1-n", .virt_type = "qemu", .memory_mib = 512,
		.vcpus = 1, .kernel = "/cache/images/6.1.0-56-amd64/vmlinuz",
		.initrd = "/tmp/crashlab-x/initrd.img",
		.cmdline = "console=ttyS0,115200 panic=-1 oops=panic loglevel=7 watchdog_thresh=5",
		.console_sock = "/tmp/crashlab-x/console.sock",
		.agent_sock = "/tmp/crashlab-x/agent.sock", .on_crash = "destroy" });
	assert_int_equal(cl_read_file(&expected, NULL, "tests/data/domxml/basic.xml", 65536), 0);
	assert_string_equal(xml, expected);
	free(xml);
	free(expected);
	/* Windows with stop codes, kept for a dump */
	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = "crashlab-1-2-win", .virt_type = "kvm", .memory_mib = 4096,
		.vcpus = 2, .kernel = "/k", .initrd = "/i", .cmdline = "",
		.console_sock = "/tmp/c.sock", .agent_sock = "/tmp/a.sock",
		.on_crash = "preserve", .panic_model = "hyperv", .vmcoreinfo = 1 });
	assert_int_equal(cl_read_file(&expected, NULL, "tests/data/domxml/hyperv-vmcore.xml", 65536), 0);
	assert_string_equal(xml, expected);
	free(xml);
	free(expected);
	/* a disk image: its own kernel and initrd, root on the cell's overlay, restart on panic */
	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = "crashlab-1-1-disk-6.1", .virt_type = "qemu", .memory_mib = 1024, .vcpus = 1,
		.kernel = "/cache/disks/6.1.0-56-amd64/vmlinuz",
		.initrd = "/cache/disks/6.1.0-56-amd64/initrd.img",
		.cmdline = "root=/dev/vda1 ro console=ttyS0,115200 loglevel=7 panic=5 oops=panic watchdog_thresh=5",
		.console_sock = "/tmp/crashlab-x/console.sock",
		.agent_sock = "/tmp/crashlab-x/agent.sock", .on_crash = "restart",
		.disk = "/tmp/crashlab-x/disk.qcow2" });
	assert_int_equal(cl_read_file(&expected, NULL, "tests/data/domxml/disk.xml", 65536), 0);
	assert_string_equal(xml, expected);
	free(xml);
	free(expected);
	/* arm64: virt machine, maximum CPU, no ACPI or panic device, the agent on a virtio port */
	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = "crashlab-1-2-deb12-6.1.0-56-arm64", .virt_type = "qemu", .memory_mib = 512,
		.vcpus = 1, .kernel = "/cache/images/6.1.0-56-arm64/vmlinuz",
		.initrd = "/tmp/crashlab-z/initrd.img",
		.cmdline = "console=ttyAMA0 panic=-1 oops=panic loglevel=7 crashlab.chan=virtio watchdog_thresh=5",
		.console_sock = "/tmp/crashlab-z/console.sock",
		.agent_sock = "/tmp/crashlab-z/agent.sock", .on_crash = "destroy",
		.arch = cl_arch_find("arm64") });
	assert_int_equal(cl_read_file(&expected, NULL, "tests/data/domxml/arm64.xml", 65536), 0);
	assert_string_equal(xml, expected);
	free(xml);
	free(expected);
	/* a user's UEFI image: its own boot loader, no crashlab channel, a guest-agent channel */
	xml = cl_domain_xml(&(struct cl_domain_spec){
		.name = "crashlab-1-2-user-uefi", .virt_type = "qemu", .memory_mib = 2048, .vcpus = 2,
		.console_sock = "/tmp/crashlab-y/console.sock", .on_crash = "destroy",
		.disk = "/tmp/crashlab-y/disk.qcow2", .efi = 1, .guest_agent = 1 });
	assert_int_equal(cl_read_file(&expected, NULL, "tests/data/domxml/user-uefi-qga.xml", 65536), 0);
	assert_string_equal(xml, expected);
	free(xml);
	free(expected);
}

static void test_escaping(void **state)
{
	char *e = cl_xml_escape("a<b>&\"c'\x01\x1b]]>");

	(void)state;
	assert_string_equal(e, "a&lt;b&gt;&amp;&quot;c&apos;]]&gt;");
	free(e);
}

static void test_cell_initrd_readable_by_cpio(void **state)
{
	struct cl_candidate *c;
	char dir[] = "/tmp/crashlab-test-initrd-XXXXXX";
	char *base, *out, *ko, *cmd, *listing;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate.json"), 0);
	base = cl_path_join(dir, "base.cpio");
	out = cl_path_join(dir, "initrd.img");
	ko = cl_path_join(dir, "clsensor.ko");
	/* a base archive made by cpio itself, 3 bytes off alignment on purpose */
	cmd = cl_sprintf("cd %s && mkdir -p r/etc && echo hi > r/etc/motd && cd r && "
			 "find . | cpio -o -H newc --quiet > ../base.cpio && printf 'xyz' >> ../base.cpio",
			 dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	f = fopen(ko, "w");
	fputs("not really a module", f);
	fclose(f);
	assert_int_equal(cl_media_initrd(out, base, c, ko, "plan line\n"), 0);
	/* the kernel reads archives back to back; skip the base the way it does */
	cmd = cl_sprintf("cd %s && mkdir x && cd x && "
			 "python3 -c \"import sys;d=open('../initrd.img','rb').read();"
			 "i=d.index(b'070701',d.index(b'TRAILER!!!'));sys.stdout.buffer.write(d[i:])\" "
			 "| cpio -id --quiet 2>/dev/null; find . -type f | sort > ../listing; "
			 "cat crashlab/plan >> ../listing; cmp -s crashlab/candidate/content-0 "
			 "%s/sensor/content/channel-291-good.bin && echo content-ok >> ../listing",
			 dir, cl_data_dir());
	assert_int_equal(system(cmd), 0);
	free(cmd);
	cmd = cl_path_join(dir, "listing");
	assert_int_equal(cl_read_file(&listing, NULL, cmd, 65536), 0);
	assert_string_equal(listing, "./crashlab/candidate/clsensor.ko\n./crashlab/candidate/content-0\n"
				     "./crashlab/plan\nplan line\ncontent-ok\n");
	free(listing);
	free(cmd);
	cl_rm_rf(dir);
	free(base);
	free(out);
	free(ko);
	cl_candidate_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_matches_expected),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_cell_initrd_readable_by_cpio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
