/*
 * cl_test.h - what every crashlab unit test includes: cmocka and a few
 * helpers for test data. Tests run from the project root (make unit).
 */
#ifndef CL_TEST_H
#define CL_TEST_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
 * Write candidate manifest @body into sensor/ (so its relative paths
 * resolve against the reference sensor's files); returns its path, which
 * names @tag (caller frees and unlinks).
 */
static inline char *cl_test_manifest(const char *tag, const char *body)
{
	char *path = malloc(strlen(tag) + 40);
	int fd;

	assert_non_null(path);
	sprintf(path, "sensor/.test-%s-XXXXXX.json", tag);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	close(fd);
	return path;
}

#endif
