/*
 * desk_extract.c - decrypting a submission's files into a folder the
 * journalist names: the one place plaintext is written to disk, on their
 * explicit request.
 *
 * Each file written is then inspected, confined, by the launcher's
 * inspector (spawn.h): its type by content, a name that lies about it,
 * the identifying metadata it carries and, with clean, a cleaned copy
 * beside it. The report is the inspector's words about a hostile file:
 * sanitised here before it reaches the caller or NAME.report.txt.
 *
 * A file's bytes are written by a thread of their own: the command's
 * thread reads and decrypts the next chunks into one locked buffer while
 * the writer writes the ones filled before, so on two cores decrypting
 * and writing take the time of the slower, not of both. A third thread,
 * the flusher, asks the disk to make what was written durable every
 * FLUSH_STEP bytes while the rest is still being decrypted, so the fsync
 * that ends a large file waits for its tail only.
 *
 * A file is written under a hidden name of its own (PART_PREFIX), locked
 * (flock) while it is, and given its name only once it is whole and
 * durable: a process killed partway leaves no file that looks complete
 * and is not. The next extract into that folder removes what a killed
 * one left there (sweep).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypt.h"
#include "desk.h"
#include "envelope.h"
#include "fileio.h"
#include "spawn.h"
#include "term.h"

/* How many " (N)" variants are tried before giving up on a name. */
#define MAX_VARIANTS 1000

#define REPORT_SUFFIX ".report.txt"

/* A file being written: this, then PART_TAIL random hex digits. */
#define PART_PREFIX ".sealdrop-part-"
#define PART_TAIL 16

/* Plaintext handed to the writer at a time, in WBUFS buffers: few
 * enough hand-overs that they cost nothing, room for the writer to fall
 * behind for a moment, and all of it (1 MiB) small enough to be still in
 * the cache when the writer copies it out. Measured here, 1 MiB buffers
 * made that copy a second core's memory traffic and the extract slower
 * and far more variable on a loaded machine. */
#define WBUF_SIZE (1u << 18)
#define WBUFS 4
/* Written bytes whose writeback is started at once. */
#define SYNC_STEP ((off_t)1 << 20)
/* Written bytes after which the flusher makes them durable. Starting the
 * writeback is not enough: the disk may keep what it was sent in a
 * volatile cache, and the fsync at the end then waited for all of it to
 * be flushed from there (some 0.12 s for 256 MiB on a virtual disk),
 * with decryption long done. */
#define FLUSH_STEP ((off_t)32 << 20)

/* The writer of one file: WBUFS buffers in turn, each either the command
 * thread's to fill or the writer's to write (full); and its flusher. */
struct writer {
	pthread_t thread, flusher;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_cond_t flush_cv;    /* the flusher's: flush or flush_stop */
	int flush;                  /* written bytes wait to be flushed */
	int flush_stop;             /* the writer is done */
	int fd;
	uint8_t *buf[WBUFS];        /* sodium_malloc: plaintext */
	size_t len[WBUFS];
	int full[WBUFS];
	int fill;                   /* the buffer being filled */
	int stop;                   /* no more buffers will come */
	int err;                    /* errno of a failed write or flush,
				     * or 0 */
};

struct extractor {
	archive *ar;
	const char *outdir;         /* as the journalist typed it */
	const char *realdir;        /* the same, absolute, for the launcher */
	const struct desk_extract_cb *cb;
	int64_t env;
	int fd;                     /* the file being written, or -1 */
	struct writer *w;           /* its writer, or NULL */
	int err;                    /* a system error line was printed */
	int clean;
	int inspect;                /* 0 once the inspector cannot run */
	uint64_t done, total;       /* bytes of the current file, for
				     * progress (total: its envelope's) */
	char path[PATH_MAX];        /* its name in outdir, once named;
				     * until then the name it is for */
	char part[PATH_MAX];        /* its hidden name while written */
	char want[NAME_MAX + 1];    /* its sanitised name */
	const char *name;           /* path's last component */
	unsigned nfiles;
};

/* The n-th name tried for name in dir, into path: "name.ext", then
 * "name (2).ext", "name (3).ext"... 0, or -1 after a line. */
static int variant(const char *dir, const char *name, unsigned n,
		   char *path, size_t pathlen)
{
	const char *dot = strrchr(name, '.');
	int stem = dot && dot != name ? (int)(dot - name) : (int)strlen(name);
	int len;

	if (n == 1)
		len = snprintf(path, pathlen, "%s/%s", dir, name);
	else
		len = snprintf(path, pathlen, "%s/%.*s (%u)%s", dir, stem,
			       name, n, name + stem);
	if (len < 0 || (size_t)len >= pathlen) {
		cli_err("%s: path too long", dir);
		return -1;
	}
	return 0;
}

/* Gives the whole file at part the first free variant of name in dir,
 * never replacing a file: path gets it. A file system that cannot rename
 * without replacing (NFS, some FUSE ones) gets a hard link, then part is
 * removed; one without hard links either (FAT through FUSE) a look
 * first, then a plain rename. 0, or -1 after a line (part is left to
 * the caller). */
static int name_unique(const char *part, const char *dir, const char *name,
		       char *path, size_t pathlen)
{
	for (unsigned n = 1; n <= MAX_VARIANTS; n++) {
		int r;

		if (variant(dir, name, n, path, pathlen) != 0)
			return -1;
		r = renameat2(AT_FDCWD, part, AT_FDCWD, path, RENAME_NOREPLACE);
		if (r != 0 && errno == EINVAL) {
			r = link(part, path);
			if (r == 0)
				unlink(part);
		}
		if (r != 0 && (errno == EPERM || errno == EOPNOTSUPP ||
			       errno == ENOSYS)) {
			struct stat st;

			if (lstat(path, &st) == 0)
				errno = EEXIST;
			else if (errno == ENOENT)
				r = rename(part, path);
		}
		if (r == 0)
			return 0;
		if (errno != EEXIST) {
			cli_err("%s: %s", path, strerror(errno));
			return -1;
		}
	}
	cli_err("%s: too many files named like %s", dir, name);
	return -1;
}

/* Creates a hidden file in dir to write under (its path into part),
 * locked, which fileio_sweep sees. The fd, or -1 after a line. */
static int create_part(const char *dir, char *part, size_t partlen)
{
	for (int tries = 0; tries < 8; tries++) {
		uint8_t r[PART_TAIL / 2];
		char hex[2 * sizeof(r) + 1];
		int fd;

		randombytes_buf(r, sizeof(r));
		sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
		if (snprintf(part, partlen, "%s/" PART_PREFIX "%s", dir,
			     hex) >= (int)partlen) {
			cli_err("%s: path too long", dir);
			return -1;
		}
		fd = fileio_create_private(part, 0);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0 || flock(fd, LOCK_EX) != 0) {
			cli_err("%s: %s", part, strerror(errno));
			if (fd >= 0) {
				unlink(part);
				close(fd);
			}
			return -1;
		}
		return fd;
	}
	cli_err("%s: cannot make a new file's name", dir);
	return -1;
}

/* Ends a file written under part through fd (create_part's): when ok,
 * syncs it and names it the first free variant of name in dir (path
 * gets it), then syncs the folder, so the name is as durable as the
 * bytes; named while still locked, so no sweep can take it between.
 * Otherwise, or when that fails (after a line), part is removed. fd is
 * closed either way. 0 when named, else -1. */
static int part_finish(int fd, int ok, const char *part, const char *dir,
		       const char *name, char *path, size_t pathlen)
{
	if (ok && fsync(fd) != 0) {
		cli_err("%s/%s: %s", dir, name, strerror(errno));
		ok = 0;
	} else if (ok && name_unique(part, dir, name, path, pathlen) != 0) {
		ok = 0;
	}
	if (ok)
		cli_sync_parent(path);
	else
		unlink(part);
	close(fd);
	return ok ? 0 : -1;
}

/* fileio_sweep's gone: a killed extract's unfinished file, removed. */
static int sweep_one(void *ctx, int dirfd, const char *name, int fd)
{
	(void)fd;
	if (unlinkat(dirfd, name, 0) != 0)
		return -1;
	cli_err("%s/%s: removed the unfinished file of an extract that was "
		"killed", (const char *)ctx, name);
	return 0;
}

/* fileio_sweep's gone: the cleaning inspector's folder of a killed
 * extract, removed with the partial copy in it. */
static int sweep_scratch(void *ctx, int dirfd, const char *name, int fd)
{
	(void)fd;
	fileio_remove_tree(dirfd, name);
	if (faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return -1;
	cli_err("%s/%s: removed the inspector's folder of an extract that "
		"was killed", (const char *)ctx, name);
	return 0;
}

/* Removes from dir the unfinished files that extracts killed partway
 * left there (ours, not empty, held by no process), and the cleaning
 * inspector's folders they left (spawn.h), with a line for each. */
static void sweep(const char *dir)
{
	fileio_sweep(dir, PART_PREFIX, PART_TAIL, S_IFREG, sweep_one,
		     (void *)dir);
	fileio_sweep(dir, SPAWN_SCRATCH_PREFIX, SPAWN_SCRATCH_TAIL, S_IFDIR,
		     sweep_scratch, (void *)dir);
}

/* The writer thread: writes each full buffer in turn until told to
 * stop. After a failed write it writes nothing more but still hands the
 * buffers back, so the command thread never waits forever. */
static void *writer_run(void *arg)
{
	struct writer *w = arg;
	off_t off = 0, end = 0, flushed = 0;
	int b = 0, err = 0;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->full[b] && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->full[b]) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		pthread_mutex_unlock(&w->mu);
		if (!err && fileio_write_all(w->fd, w->buf[b], w->len[b]) != 0)
			err = errno ? errno : EIO;
		/* Starts writing each MiB out now, while the next are
		 * decrypted, so the fsync at the end waits for little more
		 * than the last one. Only a hint: the fsync reports any
		 * error, and a file system without it just waits there. */
		if (!err) {
			end += (off_t)w->len[b];
			if (end - off >= SYNC_STEP) {
				(void)sync_file_range(w->fd, off, end - off,
						      SYNC_FILE_RANGE_WRITE);
				off = end;
			}
		}
		pthread_mutex_lock(&w->mu);
		w->full[b] = 0;
		w->len[b] = 0;
		if (err)
			w->err = err;
		else
			err = w->err; /* the flusher's */
		if (!err && end - flushed >= FLUSH_STEP) {
			w->flush = 1;
			flushed = end;
			pthread_cond_signal(&w->flush_cv);
		}
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		b = (b + 1) % WBUFS;
	}
	return NULL;
}

/* The flusher: an fdatasync each time the writer asks, while the writer
 * goes on. Its error is the file's: the fsync at the end would not see
 * it again (the kernel reports a failed writeback once per open file). */
static void *flusher_run(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->flush && !w->flush_stop)
			pthread_cond_wait(&w->flush_cv, &w->mu);
		/* A flush asked for and not begun is left to the fsync
		 * that ends the file (or to its removal). */
		if (w->flush_stop)
			break;
		w->flush = 0;
		pthread_mutex_unlock(&w->mu);
		int r = fdatasync(w->fd) != 0 ? errno : 0;
		pthread_mutex_lock(&w->mu);
		if (r && !w->err)
			w->err = r;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Stops the flusher, once the flush under way, if any, is done. */
static void flusher_end(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->flush_stop = 1;
	pthread_cond_signal(&w->flush_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->flusher, NULL);
}

/* Frees a writer whose threads have ended (or never started);
 * sodium_free wipes the plaintext the buffers still hold. */
static void writer_free(struct writer *w)
{
	for (int i = 0; i < WBUFS; i++)
		sodium_free(w->buf[i]);
	pthread_cond_destroy(&w->flush_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

/* Starts a writer for fd: NULL (errno set) when its buffers or its
 * thread cannot be had. */
static struct writer *writer_start(int fd)
{
	struct writer *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int rc;

	if (!w)
		return NULL;
	w->fd = fd;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->flush_cv, NULL);
	for (int i = 0; i < WBUFS; i++) {
		w->buf[i] = sodium_malloc(WBUF_SIZE);
		if (!w->buf[i]) {
			writer_free(w);
			errno = ENOMEM;
			return NULL;
		}
	}
	/* Signals stay the command's: the threads start with all blocked
	 * (the review's handlers set flags its own loop reads). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->flusher, NULL, flusher_run, w);
	if (rc == 0) {
		rc = pthread_create(&w->thread, NULL, writer_run, w);
		if (rc != 0)
			flusher_end(w);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		writer_free(w);
		errno = rc;
		return NULL;
	}
	return w;
}

/* Hands the buffer being filled to the writer and waits until the next
 * one is free to fill. 0, or -1 with errno when a write failed. */
static int writer_pass(struct writer *w)
{
	int b = w->fill, err;

	pthread_mutex_lock(&w->mu);
	w->full[b] = 1;
	pthread_cond_broadcast(&w->cv);
	while (w->full[(b + 1) % WBUFS])
		pthread_cond_wait(&w->cv, &w->mu);
	err = w->err;
	pthread_mutex_unlock(&w->mu);
	w->fill = (b + 1) % WBUFS;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Copies len bytes of plaintext to the writer. 0, or -1 with errno when
 * a write failed. */
static int writer_put(struct writer *w, const uint8_t *p, size_t len)
{
	while (len > 0) {
		int b = w->fill;
		size_t take = WBUF_SIZE - w->len[b];

		if (take > len)
			take = len;
		memcpy(w->buf[b] + w->len[b], p, take);
		w->len[b] += take;
		p += take;
		len -= take;
		if (w->len[b] == WBUF_SIZE && writer_pass(w) != 0)
			return -1;
	}
	return 0;
}

/* Ends the writer: with flush, what is left is written first; without,
 * it is dropped (the file is going anyway). Joins the thread, wipes and
 * frees the buffers. 0, or -1 with errno when a write failed. */
static int writer_end(struct writer *w, int flush)
{
	int err;

	if (flush && w->len[w->fill] > 0)
		(void)writer_pass(w);
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	flusher_end(w);
	err = w->err;
	writer_free(w);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static int on_meta(void *ctx, const env_meta *meta)
{
	struct extractor *ex = ctx;
	char name[TERM_NAME_MAX + 1];

	if (archive_env_set_kind(ex->ar, ex->env, meta->kind) != 0) {
		ex->err = 1;
		return -1;
	}
	/* The message is read's business: stop before decrypting it. */
	if (meta->kind != ENV_FILE)
		return -1;
	term_filename(meta->name, name);
	snprintf(ex->want, sizeof(ex->want), "%s", name);
	snprintf(ex->path, sizeof(ex->path), "%s/%s", ex->outdir, ex->want);
	ex->name = ex->want;
	ex->fd = create_part(ex->outdir, ex->part, sizeof(ex->part));
	if (ex->fd < 0) {
		ex->err = 1;
		return -1;
	}
	ex->w = writer_start(ex->fd);
	if (!ex->w) {
		cli_err("%s: %s", ex->path, strerror(errno));
		ex->err = 1;
		return -1;
	}
	ex->done = 0;
	/* The stored length: what progress counts up to. */
	ex->total = archive_env_length(ex->ar, ex->env);
	return 0;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct extractor *ex = ctx;
	uint64_t before = ex->done;

	if (writer_put(ex->w, buf, len) != 0) {
		cli_err("%s: %s", ex->path, strerror(errno));
		ex->err = 1;
		return -1;
	}
	ex->done += len;
	/* Once a buffer, not once a chunk: each call asks whether stderr is
	 * a terminal, some 4,000 system calls for 256 MiB. */
	if (before / WBUF_SIZE != ex->done / WBUF_SIZE)
		cli_progress(ex->name, ex->done, ex->total);
	return 0;
}

/* Inspects the file just written, hands the report to the caller and
 * writes it to NAME.report.txt beside it. A report that cannot be made or
 * written is said in an error line; the file stays. */
static void inspect_file(struct extractor *ex)
{
	static char raw[SPAWN_REPORT_MAX];
	static char safe[TERM_OUT_MAX(SPAWN_REPORT_MAX)];
	static const char not_inspected[] =
		"NOT INSPECTED: the inspector could not run (sealdrop-admin "
		"extract said why).\nTreat the file as unchecked: its type "
		"and its metadata are unknown.\n";
	char rname[NAME_MAX + 1], rpath[PATH_MAX], part[PATH_MAX];
	term_state ts = { .npend = 0 };
	size_t rlen = 0, n = 0;
	const char *written = NULL;
	int fd;

	if (ex->inspect && spawn_inspect(ex->realdir, ex->name, ex->clean,
					 raw, &rlen) != 0)
		ex->inspect = 0;
	if (ex->inspect) {
		n = term_feed(&ts, (const uint8_t *)raw, rlen, safe);
		n += term_end(&ts, safe + n);
	} else {
		memcpy(safe, not_inspected, sizeof(not_inspected) - 1);
		n = sizeof(not_inspected) - 1;
	}
	if (snprintf(rname, sizeof(rname), "%s" REPORT_SUFFIX, ex->name) >=
	    (int)sizeof(rname)) {
		cli_err("%s: name too long for a report beside it", ex->path);
		goto out;
	}
	/* Named whole, as the file is: a report cut short could lack the
	 * very line that warns of a GPS position. */
	fd = create_part(ex->outdir, part, sizeof(part));
	if (fd < 0)
		goto out;
	if (fileio_write_all(fd, safe, n) != 0) {
		cli_err("%s/%s: %s", ex->outdir, rname, strerror(errno));
		part_finish(fd, 0, part, ex->outdir, rname, rpath,
			    sizeof(rpath));
	} else if (part_finish(fd, 1, part, ex->outdir, rname, rpath,
			       sizeof(rpath)) == 0) {
		written = rpath;
	}
out:
	if (ex->cb->report)
		ex->cb->report(ex->cb->ctx, safe, n, written);
	/* The report quotes the file's metadata: plaintext. */
	sodium_memzero(raw, rlen);
	sodium_memzero(safe, n);
}

/* Ends the current file: kept only when the envelope authenticated. */
static int finish_file(struct extractor *ex, int r)
{
	int ok;

	if (ex->fd < 0)
		return 0;
	cli_progress_end();
	/* A file that failed is not written further: it goes below. */
	if (ex->w && writer_end(ex->w, r == 0 && !ex->err) != 0 && r == 0 &&
	    !ex->err) {
		cli_err("%s: %s", ex->path, strerror(errno));
		ex->err = 1;
	}
	ex->w = NULL;
	/* A failed envelope's file is removed; only a failure to keep a
	 * whole one is a system error of the extract's own. */
	ok = r == 0 && !ex->err;
	if (part_finish(ex->fd, ok, ex->part, ex->outdir, ex->want, ex->path,
			sizeof(ex->path)) != 0 && ok)
		ex->err = 1;
	ex->fd = -1;
	if (r != 0 || ex->err)
		return -1;
	ex->name = strrchr(ex->path, '/') + 1;
	if (ex->cb->file)
		ex->cb->file(ex->cb->ctx, ex->path);
	ex->nfiles++;
	inspect_file(ex);
	return 0;
}

int desk_extract_dir(const char *dir, char *real, int *created)
{
	struct stat st;

	*created = lstat(dir, &st) != 0 && errno == ENOENT;
	if (fileio_mkdir_private(dir) != 0 || lstat(dir, &st) != 0) {
		cli_err("%s: %s", dir, strerror(errno));
		*created = 0;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_err("%s: not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		cli_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!realpath(dir, real)) {
		cli_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int desk_extract(archive *ar, const keys_secret *k, int64_t id,
		 const char *dir, const char *real, int clean,
		 const struct desk_extract_cb *cb, unsigned *nfiles)
{
	struct extractor ex;
	const env_open_cb ocb = { on_meta, on_data, &ex };
	int64_t *envs = NULL;
	size_t nenv = 0;
	int r = 0;

	memset(&ex, 0, sizeof(ex));
	ex.ar = ar;
	ex.fd = -1;
	ex.outdir = dir;
	ex.realdir = real;
	ex.cb = cb;
	ex.clean = clean;
	ex.inspect = 1;
	*nfiles = 0;
	if (archive_sub_check(ar, id) != 0 ||
	    archive_env_list(ar, id, &envs, &nenv) != 0)
		return 1;
	sweep(dir);
	for (size_t i = 0; i < nenv; i++) {
		ex.env = envs[i];
		r = archive_env_open(ar, envs[i], k, &ocb);
		if (r == CRYPT_ESINK && ex.fd < 0 && !ex.err)
			r = 0; /* the message, skipped on purpose */
		if (finish_file(&ex, r) != 0 || r != 0)
			break;
	}
	cli_progress_end();
	free(envs);
	*nfiles = ex.nfiles;
	if (r == 1 || ex.err)
		return 1;
	return r;
}
