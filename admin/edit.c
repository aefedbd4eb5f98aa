/*
 * edit.c - the journalist's editor on a file in RAM, wiped after.
 *
 * The wiping is written for a signal handler too (system calls only, no
 * allocation, no stdio): a SIGHUP (the terminal closed) or SIGTERM while
 * the editor runs wipes the folder before the process dies of it. The
 * editor itself dies with the launcher (spawn.c), so it cannot write the
 * file again afterwards for long.
 *
 * A SIGKILL cannot be caught, so each folder is also locked (flock) by
 * the process that made it, for as long as it lives: a folder no process
 * holds is a dead one's, and the next sealdrop-admin wipes it
 * (edit_sweep).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "edit.h"
#include "fileio.h"
#include "spawn.h"

/* What each private folder is called in its RAM-backed parent: the
 * prefix, then mkdtemp's six characters. */
#define FOLDER_PREFIX "sealdrop-edit-"
#define FOLDER_TAIL 6

/* Deepest folder an editor may leave inside ours that is still wiped. */
#define WIPE_DEPTH 4

static const int wipe_signals[] = { SIGHUP, SIGTERM, SIGINT, SIGQUIT };
#define NSIGNALS (sizeof(wipe_signals) / sizeof(wipe_signals[0]))

/* The private folder while it exists: for the signal handler. */
static volatile sig_atomic_t folder_fd = -1;
static char folder[PATH_MAX];

static void zero_fill(int fd, off_t size)
{
	static const char zeros[4096];

	for (off_t done = 0; done < size;) {
		size_t n = size - done < (off_t)sizeof(zeros) ?
			   (size_t)(size - done) : sizeof(zeros);
		ssize_t w = write(fd, zeros, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		done += w;
	}
}

static void wipe_folder(int dirfd, int depth);

static void wipe_entry(int dirfd, const char *name, int depth)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (S_ISREG(st.st_mode)) {
		fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
		if (fd >= 0) {
			zero_fill(fd, st.st_size);
			fsync(fd);
			close(fd);
		}
		unlinkat(dirfd, name, 0);
	} else if (S_ISDIR(st.st_mode)) {
		if (depth < WIPE_DEPTH) {
			fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				wipe_folder(fd, depth + 1);
				close(fd);
			}
		}
		unlinkat(dirfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dirfd, name, 0);
	}
}

/* Every entry of dirfd, zeroed and removed; read again from the start
 * until it is empty, since removing entries while reading moves them. */
static void wipe_folder(int dirfd, int depth)
{
	char buf[4096] __attribute__((aligned(8)));

	for (int pass = 0; pass < 64; pass++) {
		ssize_t n;
		int any = 0;

		if (lseek(dirfd, 0, SEEK_SET) < 0)
			return;
		while ((n = getdents64(dirfd, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < n;) {
				struct dirent64 *d = (void *)(buf + off);

				off += d->d_reclen;
				if (strcmp(d->d_name, ".") == 0 ||
				    strcmp(d->d_name, "..") == 0)
					continue;
				any = 1;
				wipe_entry(dirfd, d->d_name, depth);
			}
		}
		if (!any)
			return;
	}
}

/* Wipes and removes the folder, once. Safe in a signal handler. */
static void wipe(void)
{
	int fd = folder_fd;

	if (fd < 0)
		return;
	folder_fd = -1;
	wipe_folder(fd, 0);
	close(fd);
	rmdir(folder);
}

static void on_signal(int sig)
{
	wipe();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Whether path (absolute; NULL is fine) is on a tmpfs. */
static int on_tmpfs(const char *path)
{
	struct statfs sf;

	return path && path[0] == '/' && statfs(path, &sf) == 0 &&
	       sf.f_type == TMPFS_MAGIC;
}

/* A private folder's parent on a tmpfs: $XDG_RUNTIME_DIR, /dev/shm. */
static const char *ram_base(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");

	if (on_tmpfs(x))
		return x;
	return on_tmpfs("/dev/shm") ? "/dev/shm" : NULL;
}

/* fileio_sweep's gone: a killed process's folder, wiped and removed. */
static int sweep_one(void *ctx, int dirfd, const char *name, int fd)
{
	const char *base = ctx;

	wipe_folder(fd, 0);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
		return -1;
	cli_err("wiped %s/%s: a reply or note left in memory by a "
		"sealdrop-admin that was killed, never sealed", base, name);
	return 0;
}

static int sweep_base(const char *base)
{
	return fileio_sweep(base, FOLDER_PREFIX, FOLDER_TAIL, S_IFDIR,
			    sweep_one, (void *)base);
}

int edit_sweep(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	int n = 0;

	/* Both places ram_base may have given, whatever the environment
	 * of the process that was killed. */
	if (on_tmpfs(x) && strcmp(x, "/dev/shm") != 0)
		n += sweep_base(x);
	if (on_tmpfs("/dev/shm"))
		n += sweep_base("/dev/shm");
	return n;
}

/* Whether the n bytes at s are all white space. */
static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			return 0;
	return 1;
}

/* Reads the file back into locked memory: ADM_OK or ADM_ERR. */
static int read_back(int dirfd, const char *name, const char *what,
		     char **text, size_t *len)
{
	char *buf = sodium_malloc(CLI_TEXT_MAX + 1);
	struct stat st;
	ssize_t n = -1;
	int fd;

	if (!buf) {
		cli_err("out of locked memory");
		return ADM_ERR;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = fileio_read_full(fd, buf, CLI_TEXT_MAX + 1);
	else if (fd >= 0)
		errno = EINVAL;
	if (n < 0)
		cli_err("reading back the %s: %s", what, strerror(errno));
	else if (n > CLI_TEXT_MAX)
		cli_err("the %s is longer than %d bytes: nothing kept", what,
			CLI_TEXT_MAX);
	else if (blank(buf, (size_t)n))
		cli_err("the %s is empty: nothing kept", what);
	if (fd >= 0)
		close(fd);
	if (n < 0 || n > CLI_TEXT_MAX || blank(buf, (size_t)n)) {
		sodium_free(buf);
		return ADM_ERR;
	}
	buf[n] = '\0';
	*text = buf;
	*len = (size_t)n;
	return ADM_OK;
}

int edit_text(const char *what, char **text, size_t *len)
{
	struct sigaction sa = { .sa_handler = on_signal }, old[NSIGNALS];
	char name[32], path[PATH_MAX + 32];
	const char *base = ram_base();
	int rc = ADM_ERR, fd, dirfd, r;
	size_t i;

	*text = NULL;
	if (!spawn_ready()) {
		cli_err("no editor can be started by this command: use "
			"--message-file FILE or standard input");
		return ADM_ERR;
	}
	if (!base) {
		cli_err("no RAM-backed folder exists (neither "
			"$XDG_RUNTIME_DIR nor /dev/shm is a tmpfs), and the "
			"%s must not touch the disk: use --message-file FILE "
			"or standard input", what);
		return ADM_ERR;
	}
	/* The file's name tells the editor it is text. */
	snprintf(name, sizeof(name), "%s.txt",
		 strspn(what, "abcdefghijklmnopqrstuvwxyz") == strlen(what) &&
		 strlen(what) < 16 ? what : "text");
	if (snprintf(folder, sizeof(folder), "%s/" FOLDER_PREFIX "XXXXXX",
		     base) >= (int)sizeof(folder)) {
		cli_err("%s: path too long", base);
		return ADM_ERR;
	}
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		sigaddset(&sa.sa_mask, wipe_signals[i]);
	for (i = 0; i < NSIGNALS; i++)
		sigaction(wipe_signals[i], &sa, &old[i]);
	if (!mkdtemp(folder)) {
		cli_err("%s: %s", base, strerror(errno));
		goto out;
	}
	dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		cli_err("%s: %s", folder, strerror(errno));
		rmdir(folder);
		goto out;
	}
	folder_fd = dirfd;
	/* Held until the process ends or wipe() closes dirfd: how
	 * edit_sweep tells a live folder from a killed process's. */
	if (flock(dirfd, LOCK_EX) != 0) {
		cli_err("%s: %s", folder, strerror(errno));
		goto out;
	}
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		cli_err("%s/%s: %s", folder, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (snprintf(path, sizeof(path), "%s/%s", folder, name) >=
	    (int)sizeof(path)) {
		cli_err("%s: path too long", folder);
		goto out;
	}
	r = spawn_edit(path);
	if (r == 0)
		rc = read_back(dirfd, name, what, text, len);
	else if (r == 1)
		cli_err("the editor failed: nothing kept");
out:
	wipe();
	for (i = 0; i < NSIGNALS; i++)
		sigaction(wipe_signals[i], &old[i], NULL);
	return rc;
}
