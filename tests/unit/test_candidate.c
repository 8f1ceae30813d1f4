/* Candidate manifests: the shipped ones load and verify; every way to be wrong is refused. */
#include "cl_test.h"
#include "cl_candidate.h"
#include "cl_util.h"

static void test_shipped_manifests(void **state)
{
	struct cl_candidate *c;

	(void)state;
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate.json"), 0);
	assert_string_equal(c->module_name, "clsensor");
	assert_int_equal(c->ncontent, 1);
	assert_string_equal(c->content[0].install_path, "/var/lib/crashlab/channels/C-00000291.sys");
	assert_string_equal(c->content[0].reported_as, "content_sha256");
	assert_string_equal(c->make_vars[0], "BOUNDS_CHECK=1");
	assert_string_equal(c->status_file, "/proc/clsensor");
	assert_int_equal(c->ncounters, 4);
	assert_true(cl_is_sha256_hex(c->content[0].sha256));
	cl_candidate_free(c);
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate-cf291.json"), 0);
	assert_string_equal(c->make_vars[0], "BOUNDS_CHECK=0");
	assert_int_equal(c->load, CL_LOAD_MODULES_LOAD); /* no install section: the default */
	cl_candidate_free(c);
	/* the recovering build: its own units and loader scripts */
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate-cf291-recovery.json"), 0);
	assert_int_equal(c->load, CL_LOAD_UNITS);
	assert_int_equal(c->nunits, 2);
	assert_string_equal(c->units[0].name, "clsensor-loader.service");
	assert_string_equal(c->units[0].wanted_by, "sysinit.target");
	assert_string_equal(c->units[1].wanted_by, "multi-user.target");
	assert_contains(c->units[0].file, "sensor/loader/clsensor-loader.service");
	assert_int_equal(c->nfiles, 2);
	assert_string_equal(c->files[0].path, "/usr/lib/clsensor/loader.sh");
	assert_int_equal(c->files[0].mode, 0755);
	assert_int_equal(c->ncontent, 2);
	assert_null(c->content[1].reported_as);
	cl_candidate_free(c);
	/* the BPF sensor's builds and a third party's BPF tool: no module, programs named */
	for (int i = 0; i < 6; i++) {
		static const char *const bpf[] = {
			"sensor/candidate-bpf.json", "sensor/candidate-bpf-unbounded.json",
			"sensor/candidate-bpf-newer.json", "sensor/candidate-bpf-degraded.json",
			"sensor/candidate-bpf-lockup.json", "candidates/bpftrace-ipc.json",
		};

		assert_int_equal(cl_candidate_load(&c, bpf[i]), 0);
		assert_null(c->module_name);
		assert_true(c->bpf.present && c->bpf.btf && c->bpf.nprogs >= 2);
		assert_int_equal(!!c->bpf.start_argv[0], i < 5); /* bpftrace: its unit, on disk only */
		cl_candidate_free(c);
	}
	/* a live update: staged, announced through the sensor's control file */
	assert_int_equal(cl_candidate_load(&c, "sensor/candidate-live-update.json"), 0);
	assert_null(c->content[0].update_via);
	assert_string_equal(c->content[1].update_via, "/proc/clsensor_update");
	cl_candidate_free(c);
	/* a third party's: a DKMS package from Debian, user space, services */
	assert_int_equal(cl_candidate_load(&c, "candidates/falco-scap.json"), 0);
	assert_null(c->module_source);
	assert_null(c->dkms_source); /* fetched when a run needs it */
	assert_string_equal(c->dkms_package,
			    "falcosecurity-scap-dkms=0.1.1dev+git20220316.e5c53d64-5.1");
	assert_true(cl_is_sha256_hex(c->dkms_sha256));
	assert_int_equal(c->nmods, 1);
	assert_string_equal(c->module_name, "scap");
	assert_string_equal(c->image, "disk");
	assert_int_equal(c->npackages, 1);
	assert_string_equal(c->packages[0], "sysdig");
	assert_int_equal(c->load, CL_LOAD_MODULES_LOAD); /* units beside it: its services */
	assert_int_equal(c->nunits, 1);
	assert_int_equal(c->ncontent, 0);
	assert_null(c->status_file);
	assert_int_equal(c->nrequire, 4);
	cl_candidate_free(c);
}

/* @body as a manifest beside a copy of sensor/ (so relative paths resolve): refused, naming it. */
static void expect_error(const char *body, const char *needle)
{
	char *path = cl_test_manifest("manifest", body);
	struct cl_candidate *c = NULL;

	assert_int_equal(cl_candidate_load(&c, path), CL_EINPUT);
	assert_null(c);
	if (!strstr(cl_err(), needle) || !strstr(cl_err(), path))
		fail_msg("error \"%s\" lacks \"%s\" or the file name", cl_err(), needle);
	unlink(path);
	free(path);
}

#define MODULE "\"module\": {\"name\": \"clsensor\", \"source\": \"kmod\"}, "
#define EVIDENCE "\"evidence\": {\"status_file\": \"/proc/clsensor\", \"counters\": [\"matches\"]}"
#define GOOD_SHA "4cc6ccfbe406cfa5fb881c0f9ba9ef58714032fc956cfaf050cfff82d0ac0b01"

static void test_refusals(void **state)
{
	(void)state;
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [{"
		     "\"name\": \"c\", \"file\": \"content/channel-291-good.bin\", \"sha256\": "
		     "\"0000000000000000000000000000000000000000000000000000000000000000\", "
		     "\"install_path\": \"/x\"}]}",
		     "wrong digest");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [{"
		     "\"name\": \"c\", \"file\": \"content/nope.bin\", \"sha256\": \"" GOOD_SHA "\", "
		     "\"install_path\": \"/x\"}]}",
		     "does not exist");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [{"
		     "\"name\": \"c\", \"file\": \"content/channel-291-good.bin\", \"sha256\": \"" GOOD_SHA
		     "\", \"install_path\": \"relative/path\"}]}",
		     "install_path");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [{"
		     "\"name\": \"c\", \"file\": \"content/channel-291-good.bin\", \"sha256\": \"ABC\", "
		     "\"install_path\": \"/x\"}]}",
		     "64 lower-case hex");
	expect_error("{\"name\": \"x\", \"version\": \"1\", \"module\": {\"name\": \"clsensor\", "
		     "\"source\": \"nope\"}, " EVIDENCE ", \"content\": []}",
		     "source directory");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE "}", "missing \"content\"");
	expect_error("{\"name\": \"x\", \"version\": \"1\", \"extra\": 1}", "unknown key \"extra\"");
	expect_error("{\"name\": \"x\",\n \"version\": }", ":2:");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [{"
		     "\"name\": \"c\", \"file\": \"content/channel-291-good.bin\", \"sha256\": \"" GOOD_SHA
		     "\", \"install_path\": \"/x\", \"update_via\": \"proc file\"}]}",
		     "update_via must be");
	/* the install section */
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [], "
		     "\"install\": {\"load\": \"insmod\"}}", "load must be");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [], "
		     "\"install\": {\"load\": \"units\"}}", "needs 1 to 4");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [], "
		     "\"install\": {\"units\": [{\"name\": \"a.service\", \"file\": \"candidate.json\"}]}}",
		     "and only it");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [], "
		     "\"install\": {\"load\": \"units\", \"units\": [{\"name\": \"a.service\", "
		     "\"file\": \"loader/nope.service\"}]}}", "does not exist");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [], "
		     "\"install\": {\"files\": [{\"file\": \"candidate.json\", \"path\": \"/a\", "
		     "\"mode\": \"rwx\"}]}}", "mode must be octal");
	expect_error("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", \"content\": [], "
		     "\"install\": {\"files\": [{\"file\": \"candidate.json\", \"path\": \"../a\"}]}}",
		     "absolute guest path");
}

#define V2 "{\"manifest_version\": 2, \"name\": \"x\", \"version\": \"1\", \"content\": [], "
#define CMD "\"evidence\": {\"command\": {\"run\": [\"true\"]}}"

/* Manifest v2's third-party modules: every way to be wrong is refused. */
static void test_dkms_refusals(void **state)
{
	(void)state;
	expect_error("{\"name\": \"x\", \"version\": \"1\", \"content\": [], " CMD ", \"module\": "
		     "{\"dkms\": {\"tree\": \"kmod\"}, \"load\": [\"a\"]}}", "need \"manifest_version\": 2");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"name\": \"a\", "
		     "\"load\": [\"a\"]}}", "loaded by a \"load\" list");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}}}", "loaded by a");
	expect_error(V2 CMD ", \"module\": {\"name\": \"a\", \"source\": \"kmod\", \"load\": [\"a\"]}}",
		     "lists the modules of a \"dkms\" source");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\", \"file\": \"a.deb\"}, "
		     "\"load\": [\"a\"]}}", "needs a \"tree\"");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"package\": \"p\", \"sha256\": \"" GOOD_SHA
		     "\"}, \"load\": [\"a\"]}}", "needs a \"tree\"");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"package\": \"p\", \"version\": \"1 2\", "
		     "\"sha256\": \"" GOOD_SHA "\"}, \"load\": [\"a\"]}}", "plain words");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"nope\"}, \"load\": [\"a\"]}}",
		     "is not a directory");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"file\": \"content/channel-291-good.bin\", "
		     "\"sha256\": \"0000000000000000000000000000000000000000000000000000000000000000\"}, "
		     "\"load\": [\"a\"]}}", "wrong digest");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": []}}",
		     "at least one module");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": [\"a b\"]}}",
		     "not a plain module name");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": [{\"name\": "
		     "\"a\", \"args\": \"x\\ny\"}]}}", "args must be one line");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": [7]}}",
		     "must be a name or");
	expect_error(V2 CMD ", \"module\": {\"prebuilt\": {\"6.1.0-56-amd64\": [{\"file\": "
		     "\"content/channel-291-good.bin\", \"sha256\": \"" GOOD_SHA "\"}]}, \"load\": [\"a\"]}}",
		     "is not a .ko file");
	expect_error(V2 CMD ", \"module\": {\"prebuilt\": {\"6.1.0-56-amd64\": [{\"file\": "
		     "\"nope.ko\", \"sha256\": \"" GOOD_SHA "\"}]}, \"load\": [\"a\"]}}", "does not exist");
	expect_error(V2 CMD ", \"module\": {\"prebuilt\": {\"6.1.0-56-amd64\": []}, \"load\": [\"a\"]}}",
		     "with a list of modules");
	expect_error(V2 CMD ", \"module\": {\"prebuilt\": {}, \"load\": [\"a\"]}}", "1 to 32 kernel");
	expect_error(V2 CMD ", \"module\": {\"prebuilt\": {\"r\": [{\"file\": \"a.ko\", \"sha256\": \""
		     GOOD_SHA "\"}]}, \"dkms\": {\"tree\": \"kmod\"}, \"load\": [\"a\"]}}", "one of them");
	expect_error(V2 CMD ", \"module\": {\"from_packages\": true, \"load\": [\"a\"]}, \"image\": "
		     "\"disk\", \"packages\": [\"sysdig\"]}", "needs the vendor's own package");
	expect_error(V2 CMD ", \"module\": {\"from_packages\": false, \"load\": [\"a\"]}}",
		     "can only be true");
	expect_error(V2 CMD ", \"module\": {\"from_packages\": true, \"dkms\": {\"tree\": \"kmod\"}, "
		     "\"load\": [\"a\"]}}", "one of them");
	expect_error(V2 CMD ", " MODULE "\"packages\": [\"sysdig\"]}", "add \"image\": \"disk\"");
	expect_error(V2 CMD ", " MODULE "\"image\": \"disk\", \"packages\": [{\"file\": \"candidate.json\", "
		     "\"sha256\": \"" GOOD_SHA "\"}]}", "is not a .deb file");
	expect_error(V2 CMD ", " MODULE "\"image\": \"disk\", \"packages\": [{\"file\": \"agent.deb\", "
		     "\"sha256\": \"" GOOD_SHA "\"}]}", "does not exist");
	expect_error(V2 CMD ", " MODULE "\"image\": \"initramfs\"}", "can need \"disk\"");
	expect_error(V2 CMD ", " MODULE "\"image\": \"disk\", \"packages\": [\"-o\"]}",
		     "Debian package name");
	expect_error("{\"name\": \"x\", \"version\": \"1\", \"content\": [], " CMD ", " MODULE
		     "\"image\": \"disk\"}", "need \"manifest_version\": 2");
	/* modules the vendor's own service loads */
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": [\"a\"], "
		     "\"loaded_by\": \"systemd\"}}", "loaded_by can only be \"service\"");
	expect_error(V2 CMD ", \"module\": {\"name\": \"clsensor\", \"source\": \"kmod\", "
		     "\"loaded_by\": \"service\"}}", "loaded_by can only be \"service\"");
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": [\"a\"], "
		     "\"loaded_by\": \"service\"}}", "needs the service in \"install.units\"");
}

#define PROG "{\"name\": \"cl_fifo_create\", \"type\": \"tracing\", \"attach\": \"vfs_mknod\"}"
#define BPF_WITH(progs) "\"bpf\": {\"programs\": [" progs "]}"

/* A candidate of user space and BPF alone: the "bpf" section, every way to be wrong refused. */
static void test_bpf_refusals(void **state)
{
	(void)state;
	expect_error(V2 CMD "}", "needs a \"module\", a \"bpf\" section or both");
	expect_error("{\"name\": \"x\", \"version\": \"1\", \"content\": [], " CMD ", "
		     BPF_WITH(PROG) "}", "bpf: needs \"manifest_version\": 2");
	expect_error(V2 CMD ", \"bpf\": {}}", "missing \"programs\"");
	expect_error(V2 CMD ", " BPF_WITH("") "}", "1 to 10 programs");
	expect_error(V2 CMD ", " BPF_WITH("{\"name\": \"a_name_past_fifteen\"}") "}",
		     "1 to 15 characters");
	expect_error(V2 CMD ", " BPF_WITH("{\"name\": \"a b\"}") "}", "1 to 15 characters");
	expect_error(V2 CMD ", " BPF_WITH("{\"name\": \"p\", \"type\": \"kprob\"}") "}",
		     "type \"kprob\" is not a BPF program type");
	expect_error(V2 CMD ", " BPF_WITH("{\"name\": \"p\", \"attach\": \"a/b\"}") "}",
		     "attach must be");
	expect_error(V2 CMD ", " BPF_WITH(PROG ", " PROG) "}", "cl_fifo_create is listed twice");
	expect_error(V2 CMD ", " BPF_WITH("{\"name\": \"p\", \"section\": \"x\"}") "}",
		     "bpf.programs[0]: unknown key \"section\"");
	expect_error(V2 CMD ", \"bpf\": {\"programs\": [" PROG "], \"maps\": [\"m\", \"m\"]}}",
		     "m is listed twice");
	expect_error(V2 CMD ", \"bpf\": {\"programs\": [" PROG "], \"start\": {\"run\": []}}}",
		     "bpf.start: run must list 1 to 8 words");
	expect_error(V2 CMD ", \"bpf\": {\"programs\": [" PROG "], \"btf\": \"yes\"}}", "btf");
}

/* A BPF candidate loads without a module; where it is started decides its image kind. */
static void test_bpf_candidate(void **state)
{
	char *path = cl_test_manifest("bpf", V2 CMD ", \"bpf\": {\"btf\": true, \"programs\": ["
				      PROG ", {\"name\": \"cl_unix\"}], \"maps\": [\"cl_counters\"], "
				      "\"start\": {\"run\": [\"/usr/bin/loader\", \"load\"], "
				      "\"timeout_s\": 30}}}");
	struct cl_candidate *c = NULL;

	(void)state;
	assert_int_equal(cl_candidate_load(&c, path), 0);
	assert_null(c->module_name);
	assert_int_equal(c->nmods, 0);
	assert_true(c->bpf.present && c->bpf.btf);
	assert_int_equal(c->bpf.nprogs, 2);
	assert_string_equal(c->bpf.progs[0].name, "cl_fifo_create");
	assert_string_equal(cl_bpf_prog_type_name(c->bpf.progs[0].type), "tracing");
	assert_string_equal(c->bpf.progs[0].attach, "vfs_mknod");
	assert_int_equal(c->bpf.progs[1].type, -1);
	assert_string_equal(c->bpf.progs[1].attach, "");
	assert_string_equal(c->bpf.maps[0], "cl_counters");
	assert_string_equal(c->bpf.start_argv[1], "load");
	assert_null(c->bpf.start_argv[2]);
	assert_int_equal(c->bpf.start_timeout_s, 30);
	assert_int_equal(cl_bpf_prog_type_parse("lsm"), 29);
	assert_int_equal(cl_bpf_prog_type_parse("unspec"), -1);
	assert_string_equal(cl_bpf_link_type_name(2), "tracing");
	assert_null(cl_bpf_prog_type_name(999));
	cl_candidate_free(c);
	unlink(path);
	free(path);
}

/* A vendor's service loads its modules: no modules-load.d entry, each still checked loaded. */
static void test_loaded_by_service(void **state)
{
	char *path = cl_test_manifest("svc", V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, "
				      "\"load\": [\"clsensor\"], \"loaded_by\": \"service\"}, "
				      "\"install\": {\"units\": [{\"name\": \"vendor.service\", "
				      "\"file\": \"loader/clsensor-loader.service\"}]}}");
	struct cl_candidate *c = NULL;

	(void)state;
	assert_int_equal(cl_candidate_load(&c, path), 0);
	assert_true(c->loaded_by_service);
	assert_int_equal(c->nmods, 1);
	assert_string_equal(c->mods[0], "clsensor");
	cl_candidate_free(c);
	unlink(path);
	free(path);
}

#define CONTENT_NAMED(n) "\"content\": [{\"name\": \"" n "\", \"file\": " \
	"\"content/channel-291-good.bin\", \"sha256\": \"" GOOD_SHA "\", \"install_path\": \"/x\"}]"

/*
 * Names that become directories and files (the pre-flight cache and output,
 * module and unit files): never "." or "..", no '/'.
 */
static void test_dot_and_slash_names_refused(void **state)
{
	static const char *const bad[] = { "..", ".", "a/b" };
	char *body;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		body = cl_sprintf("{\"name\": \"%s\", \"version\": \"1\", " MODULE EVIDENCE ", "
				  "\"content\": []}", bad[i]);
		expect_error(body, "candidate: name must be a plain name");
		free(body);
		body = cl_sprintf("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", "
				  CONTENT_NAMED("%s") "}", bad[i]);
		expect_error(body, "content[0]: name must be a plain name");
		free(body);
		body = cl_sprintf(V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, "
				  "\"load\": [\"%s\"]}}", bad[i]);
		expect_error(body, "not a plain module name");
		free(body);
		body = cl_sprintf("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", "
				  "\"content\": [], \"install\": {\"load\": \"units\", \"units\": "
				  "[{\"name\": \"%s\", \"file\": \"loader/clsensor-loader.service\"}]}}",
				  bad[i]);
		expect_error(body, "must be unit names");
		free(body);
		body = cl_sprintf("{\"name\": \"x\", \"version\": \"1\", " MODULE EVIDENCE ", "
				  "\"content\": [], \"preflight\": [{\"name\": \"%s\", \"run\": "
				  "[\"true\"]}]}", bad[i]);
		expect_error(body, "name must be a plain name");
		free(body);
	}
	/* a package name is an argument of apt-get: not one of its options */
	expect_error(V2 CMD ", \"module\": {\"dkms\": {\"package\": \"--allow-unauthenticated\", \"version\": "
		     "\"1\", \"sha256\": \"" GOOD_SHA "\"}, \"load\": [\"a\"]}}", "plain words");
}

#define HEAD "{\"name\": \"x\", \"version\": \"1\", "
#define INSTALL(x) HEAD MODULE EVIDENCE ", \"content\": [], \"install\": " x "}"

/*
 * A key no table lists is refused with the path of its object, at every
 * level of the manifest; a wrong type names the key.
 */
static void test_keys_named_with_their_path(void **state)
{
	static const struct { const char *body, *says; } bad[] = {
		{ HEAD MODULE EVIDENCE ", \"content\": [], \"images\": \"disk\"}",
		  ": candidate: unknown key \"images\"" },
		{ HEAD "\"module\": {\"name\": \"clsensor\", \"source\": \"kmod\", \"arg\": \"a\"}, "
		  EVIDENCE ", \"content\": []}", ": module: unknown key \"arg\"" },
		{ V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\", \"sha\": \"x\"}, "
		  "\"load\": [\"a\"]}}", ": module.dkms: unknown key \"sha\"" },
		{ V2 CMD ", \"module\": {\"dkms\": {\"tree\": \"kmod\"}, \"load\": [\"a\", "
		  "{\"name\": \"b\", \"params\": \"x\"}]}}", ": module.load[1]: unknown key \"params\"" },
		{ V2 CMD ", \"module\": {\"prebuilt\": {\"6.1.0-56-amd64\": [{\"file\": \"a.ko\", "
		  "\"sha\": \"x\"}]}, \"load\": [\"a\"]}}",
		  ": module.prebuilt.6.1.0-56-amd64[0]: unknown key \"sha\"" },
		{ V2 CMD ", " MODULE "\"image\": \"disk\", \"packages\": [\"sysdig\", {\"file\": "
		  "\"a.deb\", \"digest\": \"x\"}]}", ": packages[1]: unknown key \"digest\"" },
		{ HEAD MODULE EVIDENCE ", \"content\": [{\"name\": \"c\", \"file\": \"content/"
		  "channel-291-good.bin\", \"sha256\": \"" GOOD_SHA "\", \"install_path\": \"/x\", "
		  "\"installpath\": \"/y\"}]}", ": content[0]: unknown key \"installpath\"" },
		{ HEAD MODULE "\"evidence\": {\"status_file\": \"/proc/x\", \"counter\": []}, "
		  "\"content\": []}", ": evidence: unknown key \"counter\"" },
		{ HEAD MODULE "\"evidence\": {\"command\": {\"run\": [\"true\"], \"timeout\": 5}}, "
		  "\"content\": []}", ": evidence.command: unknown key \"timeout\"" },
		{ HEAD MODULE "\"evidence\": {\"command\": {\"run\": [\"true\"]}, \"require\": "
		  "[{\"key\": \"a\", \"at_least\": 1}, {\"key\": \"b\", \"equal\": \"x\"}]}, "
		  "\"content\": []}", ": evidence.require[1]: unknown key \"equal\"" },
		{ INSTALL("{\"loader\": \"units\"}"), ": install: unknown key \"loader\"" },
		{ INSTALL("{\"load\": \"units\", \"units\": [{\"name\": \"a.service\", \"file\": "
			  "\"candidate.json\", \"wantedby\": \"x\"}]}"),
		  ": install.units[0]: unknown key \"wantedby\"" },
		{ INSTALL("{\"files\": [{\"file\": \"candidate.json\", \"path\": \"/a\", "
			  "\"perm\": \"0644\"}]}"), ": install.files[0]: unknown key \"perm\"" },
		/* wrong types name the key */
		{ "{\"manifest_version\": \"2\", \"name\": \"x\", \"version\": \"1\"}",
		  ": candidate: \"manifest_version\" must be an integer" },
		{ HEAD "\"module\": [], " EVIDENCE ", \"content\": []}",
		  ": candidate: \"module\" must be an object" },
		{ HEAD MODULE EVIDENCE ", \"content\": {}}", ": candidate: \"content\" must be an array" },
		{ V2 CMD ", \"module\": {\"from_packages\": \"yes\", \"load\": [\"a\"]}}",
		  ": module: \"from_packages\" must be true or false" },
		{ HEAD MODULE "\"evidence\": {\"command\": {\"run\": [\"true\"], \"timeout_s\": 0}}, "
		  "\"content\": []}", ": evidence.command: \"timeout_s\" must be between 1 and 3600" },
		{ HEAD MODULE "\"evidence\": {\"command\": {\"run\": [\"true\"]}, \"require\": "
		  "[{\"key\": 5, \"at_least\": 1}]}, \"content\": []}",
		  ": evidence.require[0]: \"key\" must be a non-empty string" },
		{ INSTALL("{\"files\": [{\"file\": \"candidate.json\", \"path\": \"/a\", \"mode\": 420}]}"),
		  ": install.files[0]: \"mode\" must be a non-empty string" },
		{ INSTALL("{\"load\": \"units\", \"units\": [7]}"), ": install.units[0] must be an object" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].body, bad[i].says);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_manifests),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_dkms_refusals),
		cmocka_unit_test(test_dot_and_slash_names_refused),
		cmocka_unit_test(test_bpf_refusals),
		cmocka_unit_test(test_bpf_candidate),
		cmocka_unit_test(test_loaded_by_service),
		cmocka_unit_test(test_keys_named_with_their_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
