/*
 * cl_test.h - what every crashlab unit test includes: cmocka and a few
 * helpers for test data. Tests run from the project root (make unit) and
 * write only under /tmp, never into the source tree.
 */
#ifndef CL_TEST_H
#define CL_TEST_H

#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* @hay contains @needle; on failure both are shown. */
#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!h_ || !strstr(h_, n_))                                            \
			fail_msg("\"%.300s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_); \
	} while (0)

/*
 * Tests as data: call @fn on every file of @dir whose name ends in @suffix
 * (hidden files skipped); returns how many there were.
 */
static inline int cl_test_each_file(const char *dir, const char *suffix,
				    void (*fn)(const char *name))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);

		if (e->d_name[0] == '.' || len < sl || strcmp(e->d_name + len - sl, suffix))
			continue;
		fn(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* Write @text to a new temporary file; returns its path (caller frees, unlinks). */
static inline char *cl_test_tmpfile(const char *text)
{
	char *path = strdup("/tmp/crashlab-test-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/*
 * The reference sensor's files (sensor/) copied into DIR/sensor, where DIR
 * is a new directory /tmp/crashlab-test-XXXXXX of this test process: made at
 * the first call, removed at exit; readable by all (a pre-flight step runs
 * as the build user from the candidate's directory). Returns DIR/sensor
 * (borrowed). So a test's manifest resolves its relative paths ("kmod",
 * "content/...") as in the tree, its path still names sensor/, and nothing
 * is written into the source tree.
 */
static inline char *cl_test_dir_(void)
{
	static char dir[] = "/tmp/crashlab-test-XXXXXX";

	return dir;
}

static inline int cl_test_rm_(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void cl_test_dir_rm_(void)
{
	nftw(cl_test_dir_(), cl_test_rm_, 16, FTW_DEPTH | FTW_PHYS);
}

static inline const char *cl_test_sensor_dir(void)
{
	static char sensor[64];
	char cmd[128];

	if (!sensor[0]) {
		assert_non_null(mkdtemp(cl_test_dir_()));
		atexit(cl_test_dir_rm_);
		assert_int_equal(chmod(cl_test_dir_(), 0755), 0);
		snprintf(cmd, sizeof(cmd), "cp -a sensor '%s/'", cl_test_dir_());
		assert_int_equal(system(cmd), 0);
		snprintf(sensor, sizeof(sensor), "%s/sensor", cl_test_dir_());
	}
	return sensor;
}

/*
 * Write candidate manifest @body beside a copy of the reference sensor's
 * files (cl_test_sensor_dir()), so its relative paths resolve against them;
 * returns its path, DIR/sensor/.test-@tag-XXXXXX.json (caller frees and
 * unlinks; the copy goes at exit).
 */
static inline char *cl_test_manifest(const char *tag, const char *body)
{
	const char *dir = cl_test_sensor_dir();
	char *path = malloc(strlen(dir) + strlen(tag) + 40);
	int fd;

	assert_non_null(path);
	sprintf(path, "%s/.test-%s-XXXXXX.json", dir, tag);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	close(fd);
	return path;
}

#endif
