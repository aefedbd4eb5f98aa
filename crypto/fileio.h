/*
 * fileio.h - careful file handling shared by both programs.
 *
 * Secrets and bundles are written the signify way: created 0600 with
 * O_EXCL|O_NOFOLLOW, never through a symlink, never over an existing file
 * unless the caller says so, and synced before they count as written.
 */
#ifndef SEALDROP_FILEIO_H
#define SEALDROP_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Creates path for writing, mode 0600, O_EXCL|O_NOFOLLOW|O_CLOEXEC. With
 * replace, an existing regular file is removed first (a symlink or other
 * file type is still refused). Returns the fd, or -1 with errno (EEXIST
 * when it exists and replace is 0). */
int fileio_create_private(const char *path, int replace);

/* Writes all len bytes, retrying short writes and EINTR. 0 or -1/errno. */
int fileio_write_all(int fd, const void *buf, size_t len);

/* Reads up to len bytes, retrying short reads and EINTR; returns the count
 * (less than len only at end of file) or -1/errno. */
ssize_t fileio_read_full(int fd, void *buf, size_t len);

/* fsync and close; 0 or -1/errno (the fd is closed either way). */
int fileio_sync_close(int fd);

/* Reads a whole regular file of at most cap bytes into a new malloc'd,
 * NUL-terminated buffer. Returns 0, CRYPT_EIO (errno) or CRYPT_ETOOBIG.
 * For secrets, the caller wipes *out before freeing it. */
int fileio_slurp(const char *path, size_t cap, char **out, size_t *len);

/* Creates dir with mode 0700 if it does not exist; an existing directory
 * is accepted only when it is a real directory. 0 or -1/errno. */
int fileio_mkdir_private(const char *dir);

/* Removes name under dirfd: a file, or a folder with all it holds (up
 * to 16 folders deep; symlinks are removed, never followed). Best
 * effort: what cannot be removed stays. */
void fileio_remove_tree(int dirfd, const char *name);

/* What fileio_sweep found: the entry name in the folder dirfd, opened as
 * fd and locked. Removes it (and says so); 0 when it did. */
typedef int (*fileio_gone)(void *ctx, int dirfd, const char *name, int fd);

/* For files and folders a process keeps locked (flock) while it uses
 * them, under names of its own: calls gone for each entry of dir named
 * prefix and then exactly tail more characters, of type kind (S_IFREG or
 * S_IFDIR), ours (by owner), not empty, and locked by no process, which
 * makes it a killed process's. An empty one is skipped: that is also how
 * a new one looks between its making and its maker's lock, and its maker
 * then waits for ours. The number of entries gone removed. */
int fileio_sweep(const char *dir, const char *prefix, size_t tail,
		 mode_t kind, fileio_gone gone, void *ctx);

#endif
