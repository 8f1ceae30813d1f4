/*
 * The command line as a person meets it: a wrong one gets one line saying
 * what is wrong, then that command's usage, once, and exit 2; reproduce
 * refuses qualify's own options (and qualify reproduce's) by name. Runs the
 * built build/crashlab (make unit builds it first); every case here is
 * refused while parsing, so nothing is read, written or booted.
 */
#include "cl_test.h"
#include "cl_util.h"

#include <sys/wait.h>

/* build/crashlab @args: its stdout and stderr (caller frees), its exit code in @code. */
static char *crashlab(const char *args, int *code)
{
	char *cmd = cl_sprintf("build/crashlab %s 2>&1", args), *out = NULL;
	size_t len = 0;
	char buf[4096];
	FILE *p = popen(cmd, "r");
	int status;

	assert_non_null(p);
	out = cl_xstrdup("");
	while (fgets(buf, sizeof(buf), p))
		cl_append(&out, &len, "%s", buf);
	status = pclose(p);
	assert_true(WIFEXITED(status));
	*code = WEXITSTATUS(status);
	free(cmd);
	return out;
}

/* How often @needle is in @hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *at = hay; (at = strstr(at, needle)); at += strlen(needle))
		n++;
	return n;
}

/* @args refused: exit 2, @line first, then @command's usage alone, once. */
static void refused(const char *args, const char *line, const char *command)
{
	char *usage = cl_sprintf("\nusage: crashlab %s ", command), *first;
	int code;
	char *out = crashlab(args, &code);

	first = cl_sprintf("crashlab: %s\n", line);
	if (code != 2 || strncmp(out, first, strlen(first)) || count(out, "usage:") != 1 ||
	    count(out, usage) != 1)
		fail_msg("crashlab %s: exit %d, wanted 2, \"%s\" then one usage of %s; got:\n%s",
			 args, code, line, command, out);
	free(first);
	free(usage);
	free(out);
}

static void test_one_line_then_one_usage(void **state)
{
	(void)state;
	refused("keygen", "keygen needs --out PREFIX", "keygen");
	refused("sign out", "sign needs DIR and --key KEY", "sign");
	refused("merge a b", "merge needs shard directories and --out DIR", "merge");
	refused("merge a --out", "merge: --out: bad option, or one missing its value", "merge");
	refused("html report.json", "html needs REPORT.json and OUT.html", "html");
	refused("images", "images needs --matrix FILE", "images");
	refused("matrix list", "matrix needs list --matrix FILE or refresh --matrix FILE", "matrix");
	refused("matrix refresh", "matrix refresh needs --matrix FILE", "matrix");
	refused("matrix refresh --matrix m.json --out x.json",
		"matrix refresh: unknown or incomplete option", "matrix");
	refused("matrix refresh --matrix", "matrix refresh: unknown or incomplete option", "matrix");
}

/* One parser serves both; each refuses the other's options, naming them. */
static void test_reproduce_refuses_qualify_options(void **state)
{
	static const char *const theirs[][2] = {
		{ "--jobs 2", "--jobs" },            { "-j 2", "--jobs" },
		{ "--shard 1/2", "--shard" },        { "--fail-fast", "--fail-fast" },
		{ "--sign-key k.key", "--sign-key" }, { "--remediate r.json", "--remediate" },
		{ "--uri qemu:///system", "--uri" }, { "--skip-preflight", "--skip-preflight" },
		{ "--matrix m.json", "--matrix" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		char *args = cl_sprintf("reproduce --kernel 6.1.0-56-amd64 --candidate c.json %s",
					theirs[i][0]);
		char *line = cl_sprintf("reproduce: %s is an option of qualify", theirs[i][1]);

		refused(args, line, "reproduce");
		free(args);
		free(line);
	}
	refused("qualify --matrix m.json --candidate c.json --kernel 6.1.0-56-amd64",
		"qualify: --kernel is an option of reproduce", "qualify");
	refused("qualify --matrix m.json --candidate c.json --image disk",
		"qualify: --image is an option of reproduce", "qualify");
	refused("reproduce --candidate c.json", "reproduce needs --kernel and --candidate",
		"reproduce");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line_then_one_usage),
		cmocka_unit_test(test_reproduce_refuses_qualify_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
