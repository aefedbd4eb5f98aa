/*
 * test_fileio.c - private files: modes, refusals, replace, slurp caps;
 * the sweep of what killed processes left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
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

/* fileio_sweep's gone: records the name and removes the file. */
static int
gone_file(void *ctx, int dirfd, const char *name, int fd)
{
	char *seen = ctx;

	(void)fd;
	strcat(seen, name);
	strcat(seen, " ");
	return unlinkat(dirfd, name, 0);
}

/* fileio_sweep's gone for a folder holding one file f. */
static int
gone_dir(void *ctx, int dirfd, const char *name, int fd)
{
	char *seen = ctx;

	strcat(seen, name);
	strcat(seen, " ");
	if (unlinkat(fd, "f", 0) != 0)
		return -1;
	return unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void
test_sweep(void **state)
{
	char seen[256] = "", target[128];
	int held;

	(void)state;
	/* Swept; locked by a live holder; names of the wrong length and
	 * prefix; empty; a folder (not the kind asked for). */
	write_file(path_of("x-dead1"), "left");
	write_file(path_of("x-held1"), "in use");
	write_file(path_of("x-toolong"), "name");
	write_file(path_of("y-dead2"), "prefix");
	close(fileio_create_private(path_of("x-new01"), 0));
	assert_int_equal(mkdir(path_of("x-dir01"), 0700), 0);
	write_file(path_of("x-dir01/f"), "inside");
	write_file(path_of("target"), "not ours to follow");
	snprintf(target, sizeof target, "%s", path_of("target"));
	assert_int_equal(symlink(target, path_of("x-link1")), 0);
	held = open(path_of("x-held1"), O_RDONLY);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);

	assert_int_equal(fileio_sweep(dir, "x-", 5, S_IFREG, gone_file, seen),
			 1);
	assert_string_equal(seen, "x-dead1 ");
	assert_int_equal(access(path_of("x-dead1"), F_OK), -1);
	assert_int_equal(access(path_of("x-held1"), F_OK), 0);
	assert_int_equal(access(path_of("x-toolong"), F_OK), 0);
	assert_int_equal(access(path_of("y-dead2"), F_OK), 0);
	assert_int_equal(access(path_of("x-new01"), F_OK), 0);
	assert_int_equal(access(path_of("x-dir01/f"), F_OK), 0);
	assert_int_equal(access(path_of("target"), F_OK), 0);

	/* Its holder gone, the held one goes at the next sweep; a sweep
	 * that finds nothing calls nothing. */
	close(held);
	seen[0] = '\0';
	assert_int_equal(fileio_sweep(dir, "x-", 5, S_IFREG, gone_file, seen),
			 1);
	assert_string_equal(seen, "x-held1 ");
	seen[0] = '\0';
	assert_int_equal(fileio_sweep(dir, "x-", 5, S_IFREG, gone_file, seen),
			 0);
	assert_string_equal(seen, "");
	assert_int_equal(fileio_sweep(path_of("missing"), "x-", 5, S_IFREG,
				      gone_file, seen), 0);

	/* Folders: one with entries goes, an empty one stays. */
	assert_int_equal(mkdir(path_of("x-dir02"), 0700), 0);
	assert_int_equal(fileio_sweep(dir, "x-", 5, S_IFDIR, gone_dir, seen),
			 1);
	assert_string_equal(seen, "x-dir01 ");
	assert_int_equal(access(path_of("x-dir01"), F_OK), -1);
	assert_int_equal(access(path_of("x-dir02"), F_OK), 0);

	rmdir(path_of("x-dir02"));
	unlink(path_of("x-toolong"));
	unlink(path_of("y-dead2"));
	unlink(path_of("x-new01"));
	unlink(path_of("x-link1"));
	unlink(path_of("target"));
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
		cmocka_unit_test(test_sweep),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
