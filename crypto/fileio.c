/*
 * fileio.c - careful file handling shared by both programs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypt.h"
#include "fileio.h"

int
fileio_create_private(const char *path, int replace)
{
	struct stat st;
	int fd;

	/* O_EXCL below still refuses a symlink or anything else left. */
	if (replace && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    unlink(path) != 0 && errno != ENOENT)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -1;
	/* The umask may only have removed bits; make it exactly 0600. */
	if (fchmod(fd, 0600) != 0) {
		int saved = errno;

		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	return fd;
}

int
fileio_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
fileio_read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
fileio_sync_close(int fd)
{
	int rc = fsync(fd);
	int saved = errno;

	if (close(fd) != 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

int
fileio_slurp(const char *path, size_t cap, char **out, size_t *len)
{
	struct stat st;
	ssize_t got = -1;
	char *buf = NULL;
	int fd, rc = CRYPT_EIO, saved;

	*out = NULL;
	*len = 0;
	if (cap > SSIZE_MAX - 1) {
		errno = EINVAL;
		return CRYPT_EIO;
	}
	/* O_NONBLOCK: opening a FIFO must not hang before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return CRYPT_EIO;
	if (fstat(fd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	if ((uintmax_t)st.st_size > cap) {
		rc = CRYPT_ETOOBIG;
		goto out;
	}
	/* One byte past the cap tells a file that grew since fstat. */
	if ((buf = malloc(cap + 2)) == NULL ||
	    (got = fileio_read_full(fd, buf, cap + 1)) < 0)
		goto out;
	if ((size_t)got > cap) {
		rc = CRYPT_ETOOBIG;
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = (size_t)got;
	buf = NULL;
	rc = 0;
out:
	saved = errno;
	/* The file may be a secret: leave none of it in freed memory. */
	if (buf != NULL && got > 0)
		sodium_memzero(buf, (size_t)got);
	free(buf);
	close(fd);
	errno = saved;
	return rc;
}

int
fileio_mkdir_private(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (lstat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static void remove_tree(int dirfd, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return;
	if (depth > 16)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			remove_tree(fd, de->d_name, depth + 1);
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

void
fileio_remove_tree(int dirfd, const char *name)
{
	remove_tree(dirfd, name, 0);
}

/* Whether the folder fd has an entry besides . and .. (an error counts as
 * one: nothing is removed on a guess). */
static int has_entries(int fd)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return 1;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") != 0 &&
			    strcmp(d->d_name, "..") != 0)
				return 1;
		}
	}
	return n < 0;
}

int
fileio_sweep(const char *dir, const char *prefix, size_t tail, mode_t kind,
	     fileio_gone gone, void *ctx)
{
	size_t plen = strlen(prefix);
	int dfd, n = 0;
	DIR *d;
	struct dirent *e;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((e = readdir(d))) {
		struct stat st;
		int fd;

		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    strlen(e->d_name) != plen + tail)
			continue;
		fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == kind &&
		    st.st_uid == geteuid() &&
		    (kind == S_IFDIR ? has_entries(fd) : st.st_size > 0) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    gone(ctx, dfd, e->d_name, fd) == 0)
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}
