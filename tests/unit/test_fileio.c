/*
 * test_fileio.c - private files: modes, refusals, replace, slurp caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypt.h"
#include "fileio.h"

static char dir[] = "/tmp/test_fileio.XXXXXX";

static const char *
path_of(const char *name)
{
	static char buf[128];

	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	int fd = fileio_create_private(path, 1);

	assert_true(fd >= 0);
	assert_int_equal(fileio_write_all(fd, text, strlen(text)), 0);
	assert_int_equal(fileio_sync_close(fd), 0);
}

static void
test_create_private(void **state)
{
	const char *p = path_of("new");
	struct stat st;
	mode_t old = umask(0277);
	int fd;

	(void)state;
	fd = fileio_create_private(p, 0);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(fileio_write_all(fd, "abc", 3), 0);
	assert_int_equal(fileio_sync_close(fd), 0);
	errno = 0;
	assert_int_equal(fileio_create_private(p, 0), -1);
	assert_int_equal(errno, EEXIST);
	unlink(p);
}

static void
test_replace(void **state)
{
	const char *p = path_of("old");
	char *text;
	size_t len;

	(void)state;
	write_file(p, "first version");
	write_file(p, "second");
	assert_int_equal(fileio_slurp(p, 100, &text, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(text, "second");
	free(text);
	unlink(p);
}

/* A symlink is never followed nor removed, with or without replace. */
static void
test_symlink_refused(void **state)
{
	char target[128], link[128];
	struct stat st;

	(void)state;
	snprintf(target, sizeof target, "%s", path_of("target"));
	snprintf(link, sizeof link, "%s", path_of("link"));
	write_file(target, "keep");
	assert_int_equal(symlink(target, link), 0);
	for (int replace = 0; replace <= 1; replace++) {
		errno = 0;
		assert_int_equal(fileio_create_private(link, replace), -1);
		assert_int_equal(errno, EEXIST);
	}
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 4);
	/* A dangling symlink must not create its target either. */
	unlink(target);
	assert_int_equal(fileio_create_private(link, 1), -1);
	assert_int_equal(access(target, F_OK), -1);
	unlink(link);
	/* Nor is a directory removed. */
	assert_int_equal(mkdir(path_of("d"), 0700), 0);
	assert_int_equal(fileio_create_private(path_of("d"), 1), -1);
	assert_int_equal(rmdir(path_of("d")), 0);
}

static void
test_slurp(void **state)
{
	const char *p = path_of("s");
	char *text = (char *)1;
	size_t len = 1;

	(void)state;
	write_file(p, "0123456789");
	assert_int_equal(fileio_slurp(p, 10, &text, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(text, "0123456789");
	free(text);
	assert_int_equal(fileio_slurp(p, 9, &text, &len), CRYPT_ETOOBIG);
	assert_null(text);
	assert_int_equal(len, 0);
	write_file(p, "");
	assert_int_equal(fileio_slurp(p, 0, &text, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	free(text);
	unlink(p);
	errno = 0;
	assert_int_equal(fileio_slurp(p, 10, &text, &len), CRYPT_EIO);
	assert_int_equal(errno, ENOENT);
	/* Not a regular file. */
	assert_int_equal(fileio_slurp(dir, 10, &text, &len), CRYPT_EIO);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(fileio_slurp(p, 10, &text, &len), CRYPT_EIO);
	unlink(p);
}

static void
test_mkdir_private(void **state)
{
	const char *d = path_of("priv");
	struct stat st;

	(void)state;
	assert_int_equal(fileio_mkdir_private(d), 0);
	assert_int_equal(lstat(d, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0700, 0);
	assert_int_equal(fileio_mkdir_private(d), 0);
	assert_int_equal(symlink(d, path_of("plink")), 0);
	errno = 0;
	assert_int_equal(fileio_mkdir_private(path_of("plink")), -1);
	assert_int_equal(errno, ENOTDIR);
	unlink(path_of("plink"));
	rmdir(d);
	write_file(path_of("f"), "x");
	assert_int_equal(fileio_mkdir_private(path_of("f")), -1);
	unlink(path_of("f"));
}

static void
test_read_full(void **state)
{
	int fds[2];
	char buf[8];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fileio_write_all(fds[1], "abc", 3), 0);
	close(fds[1]);
	assert_int_equal(fileio_read_full(fds[0], buf, sizeof buf), 3);
	assert_int_equal(fileio_read_full(fds[0], buf, sizeof buf), 0);
	close(fds[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_private),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_slurp),
		cmocka_unit_test(test_mkdir_private),
		cmocka_unit_test(test_read_full),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
