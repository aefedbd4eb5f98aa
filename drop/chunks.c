/*
 * chunks.c - DIR/chunks.db with SQLite (chunks.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "chunks.h"

struct chunks {
	sqlite3 *db;
	sqlite3_stmt *add; /* kept: the writer runs it for every piece */
	int open;          /* chunks_add's transaction */
	unsigned lost;
	char journal[4096];
};

/* PERSIST keeps the journal file and marks it done by zeroing its
 * header, so that chunks_forget can zero the rest itself (a journal
 * deleted or truncated would leave its old pages in free blocks).
 * FULL: the commit that a completion waits for is on the disk. */
static const char setup[] =
	"PRAGMA page_size=16384;"
	"PRAGMA journal_mode=PERSIST;"
	"PRAGMA synchronous=FULL;"
	"PRAGMA secure_delete=ON;"
	"PRAGMA cache_size=-512;"
	"CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY,"
	" sub BLOB NOT NULL, env INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" data BLOB NOT NULL, UNIQUE (sub, env, seq));";

chunks *chunks_open(const char *dir)
{
	char path[4096];
	chunks *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (snprintf(path, sizeof(path), "%s/chunks.db", dir) >=
		    (int)sizeof(path) ||
	    snprintf(c->journal, sizeof(c->journal), "%s/chunks.db-journal",
		     dir) >= (int)sizeof(c->journal)) {
		free(c);
		return NULL;
	}
	/* SQLite would create it with the umask's mode; the journal then
	 * takes the database's. */
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (fd < 0) {
		free(c);
		return NULL;
	}
	close(fd);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(c->db, 15000) != SQLITE_OK ||
	    sqlite3_exec(c->db, setup, NULL, NULL, NULL) != SQLITE_OK) {
		chunks_close(c);
		return NULL;
	}
	return c;
}

void chunks_close(chunks *c)
{
	if (!c)
		return;
	chunks_rollback(c);
	sqlite3_finalize(c->add);
	sqlite3_close(c->db);
	free(c);
}

const char *chunks_errmsg(chunks *c)
{
	return sqlite3_errmsg(c->db);
}

static int exec(chunks *c, const char *sql)
{
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int chunks_pending(const chunks *c)
{
	return c->open;
}

unsigned chunks_lost(const chunks *c)
{
	return c->lost;
}

void chunks_rollback(chunks *c)
{
	if (!c->open)
		return;
	/* SQLite may have rolled back already (a full disk, say). */
	if (!sqlite3_get_autocommit(c->db))
		exec(c, "ROLLBACK");
	c->open = 0;
	c->lost++;
}

int chunks_add(chunks *c, const uint8_t uid[BUNDLE_ID], int env, int seq,
	       const void *data, size_t len)
{
	if (!c->open) {
		if (exec(c, "BEGIN IMMEDIATE"))
			return -1;
		c->open = 1;
	}
	if (!c->add && sqlite3_prepare_v3(c->db, "INSERT INTO chunks(sub, env, "
					  "seq, data) VALUES (?, ?, ?, ?)", -1,
					  SQLITE_PREPARE_PERSISTENT, &c->add,
					  NULL) != SQLITE_OK) {
		chunks_rollback(c);
		return -1;
	}
	sqlite3_bind_blob(c->add, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_int(c->add, 2, env);
	sqlite3_bind_int(c->add, 3, seq);
	sqlite3_bind_blob(c->add, 4, data, (int)len, SQLITE_STATIC);
	int r = sqlite3_step(c->add);
	sqlite3_reset(c->add);
	sqlite3_clear_bindings(c->add);
	if (r != SQLITE_DONE) {
		chunks_rollback(c);
		return -1;
	}
	return 0;
}

int chunks_commit(chunks *c)
{
	if (!c->open)
		return 0;
	if (exec(c, "COMMIT")) {
		chunks_rollback(c);
		return -1;
	}
	c->open = 0;
	return 0;
}

int chunks_lengths(chunks *c, const uint8_t uid[BUNDLE_ID],
		   chunks_len_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int r;
	/* length() of a blob reads its size, not its pages. */
	if (sqlite3_prepare_v2(c->db, "SELECT env, sum(length(data)) FROM "
			       "chunks WHERE sub = ? GROUP BY env ORDER BY env",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int stop = fn(ctx, sqlite3_column_int(st, 0),
			      sqlite3_column_int64(st, 1));
		if (stop) {
			sqlite3_finalize(st);
			return stop;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int chunks_read(chunks *c, const uint8_t uid[BUNDLE_ID], int env,
		chunks_data_fn fn, void *ctx, uint64_t *total)
{
	sqlite3_stmt *st;
	int r = 0;
	*total = 0;
	if (sqlite3_prepare_v2(c->db, "SELECT data FROM chunks WHERE sub = ? "
			       "AND env = ? AND seq = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, env);
	for (int seq = 0;; seq++) {
		sqlite3_bind_int(st, 3, seq);
		int s = sqlite3_step(st);
		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			r = -1;
			break;
		}
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		*total += n;
		if ((r = fn(ctx, sqlite3_column_blob(st, 0), n)))
			break;
		/* Ends the read transaction before the next piece. */
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return r;
}

/* Overwrites the journal with zeros and syncs it, under the write lock
 * so no transaction is writing it meanwhile. Its header is zero already
 * (PERSIST), so SQLite reads it as empty either way. */
static int zero_journal(chunks *c)
{
	static const uint8_t zero[65536];
	struct stat sb;
	int r = 0;
	if (exec(c, "BEGIN IMMEDIATE"))
		return -1;
	int fd = open(c->journal, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		exec(c, "COMMIT");
		return errno == ENOENT ? 0 : -1;
	}
	if (fstat(fd, &sb))
		r = -1;
	for (off_t off = 0; !r && off < sb.st_size;) {
		size_t n = sb.st_size - off < (off_t)sizeof(zero) ?
				   (size_t)(sb.st_size - off) : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, off);
		if (w <= 0)
			r = -1;
		else
			off += w;
	}
	if (!r && fdatasync(fd))
		r = -1;
	close(fd);
	exec(c, "COMMIT");
	return r;
}

int chunks_forget(chunks *c, const uint8_t (*uids)[BUNDLE_ID], size_t n,
		  int env)
{
	sqlite3_stmt *st;
	int r = 0, gone = 0;
	if (!n)
		return 0;
	if (sqlite3_prepare_v2(c->db, "DELETE FROM chunks WHERE id = (SELECT "
			       "id FROM chunks WHERE sub = ?1 AND (?2 < 0 OR "
			       "env = ?2) LIMIT 1)", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; !r && i < n; i++) {
		sqlite3_bind_blob(st, 1, uids[i], BUNDLE_ID, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, env);
		for (;;) {
			/* The lock first: reading before it would make
			 * a wait for the writer a deadlock SQLite refuses
			 * at once. */
			if (exec(c, "BEGIN IMMEDIATE")) {
				r = -1;
				break;
			}
			int s = sqlite3_step(st);
			int one = sqlite3_changes(c->db);
			sqlite3_reset(st);
			if (s != SQLITE_DONE || exec(c, "COMMIT")) {
				exec(c, "ROLLBACK");
				r = -1;
				break;
			}
			if (!one)
				break;
			gone = 1;
		}
	}
	sqlite3_finalize(st);
	if (gone && zero_journal(c))
		r = -1;
	return r;
}

int chunks_uids(chunks *c, chunks_uid_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int r;
	if (sqlite3_prepare_v2(c->db, "SELECT DISTINCT sub FROM chunks", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID)
			continue;
		int stop = fn(ctx, sqlite3_column_blob(st, 0));
		if (stop) {
			sqlite3_finalize(st);
			return stop;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}
