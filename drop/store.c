/*
 * store.c - DIR/drop.db with SQLite.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "chunks.h"
#include "crypt.h"
#include "store.h"

/* Statements kept prepared per connection: preparing (parsing and
 * planning) costs more than running most of ours, and the writer runs the
 * same few for every submission. Found by their text. */
#define STORE_STMTS 48

struct store {
	sqlite3 *db;
	chunks *side; /* DIR/chunks.db, opened when first needed */
	/* Submissions acknowledged in the open transaction: their rows in
	 * chunks.db go once it has committed. */
	uint8_t (*gone)[BUNDLE_ID];
	size_t ngone;
	int side_failed; /* the last failure was chunks.db's */
	struct store *next; /* in the pool's idle list */
	struct {
		sqlite3_stmt *st;
		int busy; /* handed out, not yet given back by unprep */
	} stmt[STORE_STMTS];
	char dir[];
};

static const char schema_v1[] =
	"CREATE TABLE meta(id INTEGER PRIMARY KEY CHECK (id = 1),"
	" salt BLOB NOT NULL, opslimit INTEGER NOT NULL,"
	" memlimit INTEGER NOT NULL);"
	"CREATE TABLE newsroom_keys(id BLOB PRIMARY KEY,"
	" box_pk BLOB NOT NULL, sign_pk BLOB NOT NULL);"
	"CREATE TABLE sources(id INTEGER PRIMARY KEY,"
	" lookup BLOB NOT NULL UNIQUE, reply_pk BLOB NOT NULL UNIQUE,"
	" day INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE submissions(id INTEGER PRIMARY KEY,"
	" uid BLOB NOT NULL UNIQUE,"
	" source_id INTEGER NOT NULL REFERENCES sources(id)"
	"  ON DELETE CASCADE,"
	" day INTEGER NOT NULL, complete INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX submissions_source ON submissions(source_id);"
	"CREATE TABLE envelopes(id INTEGER PRIMARY KEY,"
	" submission INTEGER NOT NULL REFERENCES submissions(id)"
	"  ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, length INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (submission, idx));"
	"CREATE TABLE chunks(id INTEGER PRIMARY KEY,"
	" envelope INTEGER NOT NULL REFERENCES envelopes(id)"
	"  ON DELETE CASCADE,"
	" seq INTEGER NOT NULL, data BLOB NOT NULL,"
	" UNIQUE (envelope, seq));"
	"CREATE TABLE replies(id INTEGER PRIMARY KEY,"
	" uid BLOB NOT NULL UNIQUE,"
	" source_id INTEGER NOT NULL REFERENCES sources(id)"
	"  ON DELETE CASCADE,"
	" envelope BLOB NOT NULL, day INTEGER NOT NULL);"
	"CREATE INDEX replies_source ON replies(source_id);"
	"CREATE TABLE reply_uids(uid BLOB PRIMARY KEY);"
	"CREATE TABLE imported_bundles(id BLOB PRIMARY KEY);";

/* Version 2: the newsroom keys each submission was sealed to, so that
 * only an outbox signed by one of them can have it deleted. A key that
 * never held a submission cannot vouch that a journalist read it.
 * Submissions from before this version get every key configured when
 * the migration runs: the drop did not record the keys they were sealed
 * to, and that is the best that can be known. It can only be too many
 * (a key added after a submission was sealed): a key removed before
 * signs nothing the drop accepts, and sealdrop-admin acknowledges only
 * what its key opens. No reference to newsroom_keys: a removed key's
 * rows stay, harmless, until their submission goes. */
static const char schema_v2[] =
	"CREATE TABLE submission_keys("
	" submission INTEGER NOT NULL REFERENCES submissions(id)"
	"  ON DELETE CASCADE,"
	" key_id BLOB NOT NULL,"
	" PRIMARY KEY (submission, key_id)) WITHOUT ROWID;"
	"INSERT INTO submission_keys(submission, key_id)"
	" SELECT s.id, k.id FROM submissions s, newsroom_keys k;";

/* Version 3: what sources did that the newsroom may learn, each kept only
 * until the newsroom has it.
 * - One status fact per reply, in reply_uids (so it outlives the reply
 *   a source deleted): 0 none, 1 read, 2 deleted, with the day it
 *   happened; exports report it while day is set, and an outbox's
 *   STATUS_ACK clears day. A later fact replaces an earlier one: the
 *   drop never keeps a reply's history.
 * - One receipt per source and day: the newsroom acknowledged what the
 *   source sent that day. Its uid is what the source's delete form
 *   names; the source deletes it, or it goes with the source. */
static const char schema_v3[] =
	"ALTER TABLE reply_uids ADD COLUMN status INTEGER NOT NULL DEFAULT 0"
	" CHECK (status BETWEEN 0 AND 2);"
	"ALTER TABLE reply_uids ADD COLUMN day INTEGER;"
	"CREATE TABLE receipts(id INTEGER PRIMARY KEY,"
	" uid BLOB NOT NULL UNIQUE,"
	" source_id INTEGER NOT NULL REFERENCES sources(id)"
	"  ON DELETE CASCADE,"
	" day INTEGER NOT NULL,"
	" UNIQUE (source_id, day));";

/* Version 4: each source's stored bytes (of complete submissions, not
 * yet acknowledged) kept beside it, so that an upload's room is one row
 * to read, not a sum over all the source has sent, which made a
 * source's every submission slower than the one before. Triggers keep
 * it, whatever deletes or completes a submission: it is added when one
 * completes (its envelopes' lengths are final then) and taken away
 * before a complete one is deleted (its envelopes still there). A
 * source's deletion takes its count with it. */
static const char schema_v4[] =
	"ALTER TABLE sources ADD COLUMN stored INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sources SET stored = (SELECT coalesce(sum(e.length), 0)"
	" FROM envelopes e JOIN submissions u ON e.submission = u.id"
	" WHERE u.source_id = sources.id AND u.complete = 1);"
	"CREATE TRIGGER submission_completes AFTER UPDATE OF complete"
	" ON submissions WHEN NEW.complete = 1 AND OLD.complete = 0 BEGIN"
	" UPDATE sources SET stored = stored + (SELECT coalesce(sum(length),"
	"  0) FROM envelopes WHERE submission = NEW.id)"
	" WHERE id = NEW.source_id; END;"
	"CREATE TRIGGER submission_goes BEFORE DELETE ON submissions"
	" WHEN OLD.complete = 1 BEGIN"
	" UPDATE sources SET stored = stored - (SELECT coalesce(sum(length),"
	"  0) FROM envelopes WHERE submission = OLD.id)"
	" WHERE id = OLD.source_id; END;";

/* One entry per schema version: migrations[v] takes v to v + 1. */
static const char *const migrations[] = { schema_v1, schema_v2, schema_v3,
					  schema_v4 };
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA,
	       "one migration per schema version");

static void say(char *why, size_t whylen, const char *what, sqlite3 *db)
{
	snprintf(why, whylen, "%s: %s", what,
		 db ? sqlite3_errmsg(db) : "out of memory");
}

static int prep(store *s, sqlite3_stmt **st, const char *sql);
static void unprep(store *s, sqlite3_stmt *st);

/* Runs sql: one statement through the kept ones (the savepoints and
 * pragmas of every write), several (the schema) as they come. */
static int exec(store *s, const char *sql)
{
	sqlite3_stmt *st;
	if (strchr(sql, ';'))
		return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ?
			       0 : STORE_EDB;
	if (prep(s, &st, sql))
		return STORE_EDB;
	int r = sqlite3_step(st);
	unprep(s, st);
	return r == SQLITE_DONE || r == SQLITE_ROW ? 0 : STORE_EDB;
}

const char *store_errmsg(store *s)
{
	if (s->side_failed)
		return s->side ? chunks_errmsg(s->side) : "chunks.db: cannot open";
	return sqlite3_errmsg(s->db);
}

/* Settings of every connection. secure_delete overwrites deleted content;
 * the busy timeout lets short write transactions queue behind each
 * other instead of failing. */
static int configure(sqlite3 *db)
{
	sqlite3_busy_timeout(db, 15000);
	return sqlite3_exec(db,
			    /* For databases init creates (later it is a
			     * no-op): a 512 KiB chunk takes 32 overflow
			     * pages, not 128, which halves the time of a
			     * large upload; small submissions lose about a
			     * tenth to the larger pages they rewrite. */
			    "PRAGMA page_size=16384;"
			    "PRAGMA journal_mode=WAL;"
			    "PRAGMA synchronous=FULL;"
			    "PRAGMA secure_delete=ON;"
			    "PRAGMA foreign_keys=ON;"
			    "PRAGMA temp_store=MEMORY;"
			    /* Mostly large writes that are never read
			     * back: a small page cache keeps memory per
			     * upload low. */
			    "PRAGMA cache_size=-512;",
			    NULL, NULL, NULL);
}

/* PRAGMA user_version, or -1 when it cannot be read. */
static int schema_version(store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (prep(s, &st, "PRAGMA user_version"))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	unprep(s, st);
	return v;
}

static int migrate(store *s, char *why, size_t whylen)
{
	int v;
	/* Current already, as every connection but the first finds it: no
	 * write lock. Opening one must not queue behind the writer's
	 * commits (a burst of uploads opens many at once). */
	if (schema_version(s) == STORE_SCHEMA)
		return 0;
	if (exec(s, "BEGIN IMMEDIATE"))
		goto fail;
	v = schema_version(s);
	if (v < 0 || v > STORE_SCHEMA) {
		exec(s, "ROLLBACK");
		snprintf(why, whylen, "database schema %d is not one this "
			 "version knows (%d)", v, STORE_SCHEMA);
		return -1;
	}
	for (; v < STORE_SCHEMA; v++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if (exec(s, migrations[v]) || exec(s, sql)) {
			exec(s, "ROLLBACK");
			goto fail;
		}
	}
	if (exec(s, "COMMIT") == 0)
		return 0;
	exec(s, "ROLLBACK");
fail:
	say(why, whylen, "database", s->db);
	return -1;
}

/* Before SQLite's first use in the process: no bulk allocation of page
 * cache per connection. By default each connection takes 20 pages at
 * once (some 330 KiB at our page size) however few it reads; a burst of
 * uploads starting together opens hundreds of short-lived connections,
 * and what they took stays in malloc's arenas after they close. Pages
 * are then allocated as they are read: about 85 KiB a connection that
 * checks an upload's room. And no memory statistics, which nothing
 * here reads: keeping them takes one mutex of the whole process around
 * every allocation SQLite makes, on every thread. Fails harmlessly
 * (SQLITE_MISUSE) if SQLite was already initialised. */
static void configure_process(void)
{
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static store *open_path(const char *dir, const char *path, int flags,
			char *why, size_t whylen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_process);
	store *s = calloc(1, sizeof(*s) + strlen(dir) + 1);
	if (!s) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	strcpy(s->dir, dir);
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK ||
	    configure(s->db) != SQLITE_OK || migrate(s, why, whylen)) {
		if (s->db && !why[0])
			say(why, whylen, path, s->db);
		store_close(s);
		return NULL;
	}
	return s;
}

static void db_path(char *out, size_t n, const char *dir)
{
	snprintf(out, n, "%s/drop.db", dir);
}

store *store_open(const char *dir, char *why, size_t whylen)
{
	char path[4096];
	struct stat sb;
	why[0] = '\0';
	db_path(path, sizeof(path), dir);
	if (stat(path, &sb)) {
		snprintf(why, whylen, "%s: %s (run sealdrop init first)", path,
			 strerror(errno));
		return NULL;
	}
	return open_path(dir, path, SQLITE_OPEN_READWRITE, why, whylen);
}

void store_close(store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STORE_STMTS; i++)
		sqlite3_finalize(s->stmt[i].st);
	chunks_close(s->side);
	free(s->gone);
	sqlite3_close(s->db);
	free(s);
}

/* chunks.db, opened on first use (NULL when it cannot be). */
static chunks *side(store *s)
{
	if (!s->side)
		s->side = chunks_open(s->dir);
	return s->side;
}

/* r of a chunks.db call as a store result, remembering whose error to
 * report. */
static int side_result(store *s, int r)
{
	s->side_failed = r != 0;
	return r ? STORE_EDB : 0;
}

int store_side_add(store *s, const uint8_t uid[BUNDLE_ID], int idx, int seq,
		   const void *data, size_t len)
{
	chunks *c = side(s);
	return side_result(s, !c || chunks_add(c, uid, idx, seq, data, len));
}

int store_side_pending(store *s)
{
	return s->side && chunks_pending(s->side);
}

int store_side_commit(store *s)
{
	return side_result(s, s->side && chunks_commit(s->side));
}

void store_side_rollback(store *s)
{
	if (s->side)
		chunks_rollback(s->side);
}

unsigned store_side_lost(store *s)
{
	return s->side ? chunks_lost(s->side) : 0;
}

/* A prepared statement for sql, to give back with unprep: a kept one
 * when it is there and free, else a new one, kept while there is room. */
static int prep(store *s, sqlite3_stmt **st, const char *sql)
{
	int room = -1;
	for (int i = 0; i < STORE_STMTS; i++) {
		if (!s->stmt[i].st) {
			if (room < 0)
				room = i;
		} else if (!s->stmt[i].busy &&
			   !strcmp(sqlite3_sql(s->stmt[i].st), sql)) {
			s->stmt[i].busy = 1;
			*st = s->stmt[i].st;
			return 0;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1,
			       room < 0 ? 0 : SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		return STORE_EDB;
	}
	if (room >= 0) {
		s->stmt[room].st = *st;
		s->stmt[room].busy = 1;
	}
	return 0;
}

/* Gives back a statement of prep: a kept one is reset and its bindings
 * cleared (so no blob of the caller's stays referenced), another is
 * finalized. NULL is fine. */
static void unprep(store *s, sqlite3_stmt *st)
{
	for (int i = 0; st && i < STORE_STMTS; i++)
		if (s->stmt[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->stmt[i].busy = 0;
			return;
		}
	sqlite3_finalize(st);
}

/* Steps a statement that returns no rows and gives it back. */
static int done(store *s, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);
	unprep(s, st);
	if (r == SQLITE_CONSTRAINT)
		return STORE_EEXIST;
	return r == SQLITE_DONE ? 0 : STORE_EDB;
}

int store_key_add(store *s, const keys_pub *k)
{
	sqlite3_stmt *st;
	/* The count and the insert are one statement: two adds at once
	 * cannot pass the cap together. */
	if (prep(s, &st, "INSERT INTO newsroom_keys(id, box_pk, sign_pk) "
		 "SELECT ?, ?, ? WHERE (SELECT count(*) FROM newsroom_keys) "
		 "< ?"))
		return STORE_EDB;
	sqlite3_bind_blob(st, 1, k->id, KEYS_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, k->box_pk, KEYS_BOX_PK, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->sign_pk, KEYS_SIGN_PK, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, STORE_MAX_KEYS);
	int r = done(s, st);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		return STORE_EFULL;
	return r;
}

int store_create(const char *dir, const codename_params *p,
		 const keys_pub *keys, size_t nkeys, char *why, size_t whylen)
{
	char path[4096];
	sqlite3_stmt *st;
	why[0] = '\0';
	db_path(path, sizeof(path), dir);
	/* The empty file claims the name, so two inits cannot race. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return errno == EEXIST ? STORE_EEXIST : STORE_EDB;
	}
	close(fd);
	store *s = open_path(dir, path, SQLITE_OPEN_READWRITE, why, whylen);
	if (!s)
		goto fail;
	if (store_begin(s) || prep(s, &st, "INSERT INTO meta VALUES "
				   "(1, ?, ?, ?)"))
		goto fail_db;
	sqlite3_bind_blob(st, 1, p->salt, CODENAME_SALT, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)p->opslimit);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)p->memlimit);
	if (done(s, st))
		goto fail_db;
	for (size_t i = 0; i < nkeys; i++) {
		int r = store_key_add(s, &keys[i]);
		if (r == STORE_EEXIST || r == STORE_EFULL) {
			store_rollback(s);
			snprintf(why, whylen, r == STORE_EEXIST ?
				 "the same key is given twice" :
				 "more than %d keys", STORE_MAX_KEYS);
			goto fail;
		}
		if (r)
			goto fail_db;
	}
	if (store_commit(s))
		goto fail_db;
	store_close(s);
	return 0;
fail_db:
	say(why, whylen, path, s->db);
	store_rollback(s);
fail:
	store_close(s);
	unlink(path);
	return STORE_EDB;
}

static int blob_eq(sqlite3_stmt *st, int col, void *out, size_t n)
{
	if (sqlite3_column_bytes(st, col) != (int)n)
		return -1;
	memcpy(out, sqlite3_column_blob(st, col), n);
	return 0;
}

int store_params(store *s, codename_params *p)
{
	sqlite3_stmt *st;
	int r = STORE_EDB;
	if (prep(s, &st, "SELECT salt, opslimit, memlimit FROM meta"))
		return STORE_EDB;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    blob_eq(st, 0, p->salt, CODENAME_SALT) == 0) {
		p->opslimit = (unsigned long long)sqlite3_column_int64(st, 1);
		p->memlimit = (size_t)sqlite3_column_int64(st, 2);
		r = 0;
	}
	unprep(s, st);
	return r;
}

int store_keys(store *s, keys_pub *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	int r;
	*n = 0;
	if (prep(s, &st, "SELECT id, box_pk, sign_pk FROM newsroom_keys "
		 "ORDER BY rowid"))
		return STORE_EDB;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		keys_pub *k = &out[*n];
		if (blob_eq(st, 0, k->id, KEYS_ID_BYTES) ||
		    blob_eq(st, 1, k->box_pk, 32) ||
		    blob_eq(st, 2, k->sign_pk, 32))
			break;
		++*n;
	}
	unprep(s, st);
	return r == SQLITE_DONE && *n ? 0 : STORE_EDB;
}

int store_source_add(store *s, const uint8_t lookup[32],
		     const uint8_t reply_pk[32], uint32_t day,
		     unsigned max_pending, int64_t *id)
{
	sqlite3_stmt *st;
	/* The count and the insert are one statement, under the write
	 * lock: sign-ups at once cannot pass the cap together. */
	if (prep(s, &st, "INSERT INTO sources(lookup, reply_pk, day) "
		 "SELECT ?, ?, ? WHERE (SELECT count(*) FROM sources "
		 "WHERE pending = 1) < ?"))
		return STORE_EDB;
	sqlite3_bind_blob(st, 1, lookup, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, reply_pk, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, day);
	sqlite3_bind_int64(st, 4, max_pending);
	int r = done(s, st);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		return STORE_EFULL;
	if (r == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	return r;
}

/* Runs a one-row, one-integer query with up to one blob and one integer
 * parameter (NULL / INT64_MIN mean "no such parameter"). */
static int query_int(store *s, const char *sql, const void *blob,
		     size_t bloblen, int64_t a, int64_t *out)
{
	sqlite3_stmt *st;
	int r;
	if (prep(s, &st, sql))
		return STORE_EDB;
	int i = 1;
	if (blob)
		sqlite3_bind_blob(st, i++, blob, (int)bloblen, SQLITE_STATIC);
	if (a != INT64_MIN)
		sqlite3_bind_int64(st, i, a);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		r = 0;
	} else {
		r = r == SQLITE_DONE ? STORE_ENOTFOUND : STORE_EDB;
	}
	unprep(s, st);
	return r;
}

int store_source_find(store *s, const uint8_t lookup[32], int64_t *id)
{
	return query_int(s, "SELECT id FROM sources WHERE lookup = ?", lookup,
			 32, INT64_MIN, id);
}

int store_source_bytes(store *s, int64_t source_id, uint64_t *n)
{
	int64_t v = 0;
	int r = query_int(s, "SELECT coalesce((SELECT stored FROM sources "
			  "WHERE id = ?), 0)", NULL, 0, source_id, &v);
	*n = r ? 0 : (uint64_t)v;
	return r;
}

int store_sources_pending(store *s, int64_t *n)
{
	return query_int(s, "SELECT count(*) FROM sources WHERE pending = 1",
			 NULL, 0, INT64_MIN, n);
}

/* Runs a statement with one integer or blob parameter; *n gets the number
 * of rows it changed. */
static int change(store *s, const char *sql, const void *blob, size_t len,
		  int64_t a, int *n)
{
	sqlite3_stmt *st;
	if (prep(s, &st, sql))
		return STORE_EDB;
	if (blob)
		sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, a);
	int r = done(s, st);
	if (n)
		*n = r ? 0 : sqlite3_changes(s->db);
	return r;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int store_prune_pending(store *s, uint32_t before_day, int64_t *keep,
			size_t nkeep, int *n)
{
	sqlite3_stmt *st;
	int r, gone = 0;
	*n = 0;
	if (nkeep)
		qsort(keep, nkeep, sizeof(*keep), cmp_id);
	if (store_begin(s))
		return STORE_EDB;
	if (prep(s, &st, "SELECT id FROM sources WHERE pending = 1 AND "
		 "day < ?")) {
		store_rollback(s);
		return STORE_EDB;
	}
	sqlite3_bind_int64(st, 1, before_day);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int d;
		if (nkeep && bsearch(&id, keep, nkeep, sizeof(*keep), cmp_id))
			continue;
		if (change(s, "DELETE FROM sources WHERE id = ?", NULL, 0, id,
			   &d))
			break;
		gone += d;
	}
	unprep(s, st);
	if (r != SQLITE_DONE || store_commit(s)) {
		store_rollback(s);
		return STORE_EDB;
	}
	*n = gone;
	return 0;
}

int store_key_remove(store *s, const uint8_t id[KEYS_ID_BYTES])
{
	int64_t one;
	int n;
	/* The count and the delete are one statement, so two removals at
	 * once cannot leave the drop with no key to seal to. */
	int r = change(s, "DELETE FROM newsroom_keys WHERE id = ? AND "
		       "(SELECT count(*) FROM newsroom_keys) > 1", id,
		       KEYS_ID_BYTES, 0, &n);
	if (r || n)
		return r;
	r = query_int(s, "SELECT 1 FROM newsroom_keys WHERE id = ?", id,
		      KEYS_ID_BYTES, INT64_MIN, &one);
	return r == 0 ? STORE_ELAST : r;
}

static int lazy(store *s);
static int lazily(store *s, int r);

int store_sub_begin(store *s, int64_t source_id, uint32_t day, int64_t *sub,
		    uint8_t uid[BUNDLE_ID])
{
	sqlite3_stmt *st;
	crypt_random(uid, BUNDLE_ID);
	if (prep(s, &st, "INSERT INTO submissions(uid, source_id, day) "
		 "VALUES (?, ?, ?)"))
		return STORE_EDB;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int64(st, 3, day);
	int r = done(s, st);
	if (r == 0)
		*sub = sqlite3_last_insert_rowid(s->db);
	return r ? STORE_EDB : 0;
}

int store_sub_keys(store *s, int64_t sub, const uint8_t (*pks)[32],
		   size_t npk)
{
	for (size_t i = 0; i < npk; i++) {
		sqlite3_stmt *st;
		/* By the box key, the half a sealer knows. A key removed
		 * since the upload began is left out: it signs nothing the
		 * drop accepts any more. */
		if (prep(s, &st, "INSERT OR IGNORE INTO submission_keys"
			 "(submission, key_id) SELECT ?, id "
			 "FROM newsroom_keys WHERE box_pk = ?"))
			return STORE_EDB;
		sqlite3_bind_int64(st, 1, sub);
		sqlite3_bind_blob(st, 2, pks[i], 32, SQLITE_STATIC);
		if (done(s, st))
			return STORE_EDB;
	}
	return 0;
}

int store_env_begin(store *s, int64_t sub, int idx, int64_t *env)
{
	sqlite3_stmt *st;
	if (prep(s, &st, "INSERT INTO envelopes(submission, idx) "
		 "VALUES (?, ?)"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, sub);
	sqlite3_bind_int(st, 2, idx);
	int r = done(s, st);
	if (r == 0)
		*env = sqlite3_last_insert_rowid(s->db);
	return r ? STORE_EDB : 0;
}

int store_chunk_add(store *s, int64_t env, int seq, const void *data,
		    size_t len)
{
	sqlite3_stmt *st;
	if (prep(s, &st, "INSERT INTO chunks(envelope, seq, data) "
		 "VALUES (?, ?, ?)"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, env);
	sqlite3_bind_int(st, 2, seq);
	sqlite3_bind_blob(st, 3, data, (int)len, SQLITE_STATIC);
	return done(s, st) ? STORE_EDB : 0;
}

/* Writes to an incomplete submission need no fsync: nothing depends on
 * them until store_sub_complete, whose fsync of the WAL carries every
 * earlier frame to disk with it, and a crash before that is swept.
 * (SQLite refuses to change the setting inside a transaction.) */
static int lazily(store *s, int r)
{
	if (exec(s, "PRAGMA synchronous=FULL"))
		return STORE_EDB;
	return r;
}

static int lazy(store *s)
{
	return exec(s, "PRAGMA synchronous=NORMAL");
}

int store_stage_begin(store *s)
{
	if (lazy(s))
		return STORE_EDB;
	return store_begin(s) ? lazily(s, STORE_EDB) : 0;
}

int store_stage_end(store *s, int commit)
{
	int r = commit ? store_commit(s) : STORE_EDB;
	store_rollback(s);
	return lazily(s, r ? STORE_EDB : 0);
}

/* Deletes the rows in chunks.db of submission uid (of its envelope idx
 * alone when idx >= 0). */
static int side_forget(store *s, const uint8_t uid[BUNDLE_ID], int idx)
{
	chunks *c = side(s);
	return side_result(s, !c || chunks_forget(c, (const uint8_t (*)
							  [BUNDLE_ID])uid, 1,
						  idx));
}

/* The uid of incomplete submission sub and, when env is not 0, the idx
 * of its envelope env: STORE_ENOTFOUND when there is none. */
static int incomplete_uid(store *s, int64_t sub, int64_t env,
			  uint8_t uid[BUNDLE_ID], int *idx)
{
	sqlite3_stmt *st;
	if (prep(s, &st, env ? "SELECT u.uid, e.idx FROM envelopes e JOIN "
		 "submissions u ON u.id = e.submission WHERE e.id = ? AND "
		 "u.complete = 0" : "SELECT uid, -1 FROM submissions WHERE "
		 "id = ? AND complete = 0"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, env ? env : sub);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		r = blob_eq(st, 0, uid, BUNDLE_ID) ? SQLITE_ERROR : SQLITE_DONE;
		*idx = sqlite3_column_int(st, 1);
	} else if (r == SQLITE_DONE) {
		r = SQLITE_NOTFOUND;
	}
	unprep(s, st);
	return r == SQLITE_DONE ? 0 : r == SQLITE_NOTFOUND ? STORE_ENOTFOUND :
							     STORE_EDB;
}

int store_env_discard(store *s, int64_t env)
{
	uint8_t uid[BUNDLE_ID];
	int idx, r = incomplete_uid(s, 0, env, uid, &idx);
	if (r == STORE_ENOTFOUND)
		return 0;
	if (r || side_forget(s, uid, idx) || lazy(s))
		return STORE_EDB;
	return lazily(s, change(s, "DELETE FROM envelopes WHERE id = ?",
				NULL, 0, env, NULL));
}

/* Sets each envelope's length from its rows in chunks.db. */
struct lengths {
	store *s;
	int64_t sub;
};

static int set_length(void *ctx, int idx, int64_t len)
{
	struct lengths *l = ctx;
	sqlite3_stmt *st;
	if (prep(l->s, &st, "UPDATE envelopes SET length = ? "
		 "WHERE submission = ? AND idx = ?"))
		return -1;
	sqlite3_bind_int64(st, 1, len);
	sqlite3_bind_int64(st, 2, l->sub);
	sqlite3_bind_int(st, 3, idx);
	return done(l->s, st) ? -1 : 0;
}

int store_sub_complete(store *s, int64_t sub, int64_t source_id,
		       const uint8_t *side_uid)
{
	struct lengths l = { s, sub };
	int n = 0;
	if (side_uid) {
		chunks *c = side(s);
		if (side_result(s, !c || chunks_lengths(c, side_uid, set_length,
							&l)))
			return STORE_EDB;
	} else if (change(s, "UPDATE envelopes SET length = (SELECT "
			  "coalesce(sum(length(data)), 0) FROM chunks "
			  "WHERE envelope = envelopes.id) WHERE submission = ?",
			  NULL, 0, sub, NULL)) {
		return STORE_EDB;
	}
	/* n checks the rows are still there to complete: nothing else
	 * should ever delete them, but a 200 must never rest on a guess. */
	if (change(s, "UPDATE submissions SET complete = 1 WHERE id = ? "
		   "AND complete = 0", NULL, 0, sub, &n) || n != 1 ||
	    change(s, "UPDATE sources SET pending = 0 WHERE id = ?", NULL, 0,
		   source_id, NULL))
		return STORE_EDB;
	return 0;
}

/* Deletes the chunks of incomplete submission sub (of every incomplete
 * one when sub is 0), one chunk per transaction. secure_delete rewrites
 * each freed page through the WAL: in one transaction a large upload's
 * pages would all have to fit in the WAL at once, which on a disk that
 * has filled up they do not; one at a time, checkpoints reuse it. */
static int drop_chunks(store *s, int64_t sub)
{
	for (;;) {
		sqlite3_stmt *st;
		if (prep(s, &st, "DELETE FROM chunks WHERE id = (SELECT c.id "
			 "FROM chunks c JOIN envelopes e ON c.envelope = e.id "
			 "JOIN submissions u ON e.submission = u.id "
			 "WHERE u.complete = 0 AND (?1 = 0 OR u.id = ?1) "
			 "LIMIT 1)"))
			return STORE_EDB;
		sqlite3_bind_int64(st, 1, sub);
		if (done(s, st))
			return STORE_EDB;
		if (sqlite3_changes(s->db) == 0)
			return 0;
	}
}

int store_sub_discard(store *s, int64_t sub)
{
	uint8_t uid[BUNDLE_ID];
	int idx, r = incomplete_uid(s, sub, 0, uid, &idx);
	if (r == STORE_ENOTFOUND)
		return 0;
	if (r || side_forget(s, uid, -1) || lazy(s))
		return STORE_EDB;
	return lazily(s, drop_chunks(s, sub) ? STORE_EDB :
			 change(s, "DELETE FROM submissions WHERE id = ? "
				"AND complete = 0", NULL, 0, sub, NULL));
}

/* Adds uid to the submissions whose rows in chunks.db are to go. */
static int gone_add(store *s, const uint8_t uid[BUNDLE_ID])
{
	uint8_t (*g)[BUNDLE_ID] = realloc(s->gone, (s->ngone + 1) *
					  sizeof(*g));
	if (!g)
		return STORE_EDB;
	s->gone = g;
	memcpy(g[s->ngone++], uid, BUNDLE_ID);
	return 0;
}

/* Deletes the chunks.db rows of the submissions in gone, and forgets
 * them. */
static int gone_forget(store *s)
{
	chunks *c = s->ngone ? side(s) : NULL;
	int r = s->ngone ? side_result(s, !c || chunks_forget(c, (const uint8_t
						(*)[BUNDLE_ID])s->gone,
						s->ngone, -1)) : 0;
	free(s->gone);
	s->gone = NULL;
	s->ngone = 0;
	return r;
}

/* chunks_uids' callback: a uid of no complete submission is gone. */
static int sweep_uid(void *ctx, const uint8_t uid[BUNDLE_ID])
{
	store *s = ctx;
	int64_t one;
	int r = query_int(s, "SELECT 1 FROM submissions WHERE uid = ? AND "
			  "complete = 1", uid, BUNDLE_ID, INT64_MIN, &one);
	if (r == STORE_ENOTFOUND)
		return gone_add(s, uid) ? -1 : 0;
	return r ? -1 : 0;
}

int store_sweep(store *s, int *n)
{
	chunks *c;
	if (drop_chunks(s, 0) ||
	    change(s, "DELETE FROM submissions WHERE complete = 0", NULL, 0, 0,
		   n))
		return STORE_EDB;
	/* What a crash left in chunks.db: rows of submissions that never
	 * completed, or that were acknowledged before their rows went. */
	if (side_result(s, !(c = side(s)) || chunks_uids(c, sweep_uid, s))) {
		gone_forget(s);
		return STORE_EDB;
	}
	return gone_forget(s);
}

int store_replies(store *s, int64_t source_id, store_reply_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int r;
	if (prep(s, &st, "SELECT uid, envelope FROM replies "
		 "WHERE source_id = ? ORDER BY id"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, source_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID)
			continue;
		int stop = fn(ctx, sqlite3_column_blob(st, 0),
			      sqlite3_column_blob(st, 1),
			      (size_t)sqlite3_column_bytes(st, 1));
		if (stop) {
			unprep(s, st);
			return stop;
		}
	}
	unprep(s, st);
	return r == SQLITE_DONE ? 0 : STORE_EDB;
}

/* Runs sql with a uid (?1; NULL leaves it NULL), an integer a (?2: a
 * source id, or a status) and, unless day is negative, a day (?3); *n
 * gets the number of rows it changed. */
static int change_uid(store *s, const char *sql, const uint8_t *uid,
		      int64_t a, int64_t day, int *n)
{
	sqlite3_stmt *st;
	if (prep(s, &st, sql))
		return STORE_EDB;
	if (uid)
		sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a);
	if (day >= 0)
		sqlite3_bind_int64(st, 3, day);
	int r = done(s, st);
	if (n)
		*n = r ? 0 : sqlite3_changes(s->db);
	return r;
}

int store_replies_read(store *s, int64_t source_id,
		       const uint8_t (*uids)[BUNDLE_ID], size_t n,
		       uint32_t day)
{
	if (n == 0)
		return 0;
	if (store_begin(s))
		return STORE_EDB;
	for (size_t i = 0; i < n; i++)
		/* Only a first fact: a reply read before, or read and its
		 * reading acknowledged, is not read again. */
		if (change_uid(s, "UPDATE reply_uids SET status = 1, day = ?3 "
			       "WHERE uid = ?1 AND status = 0 AND uid IN "
			       "(SELECT uid FROM replies WHERE source_id = ?2)",
			       uids[i], source_id, day, NULL)) {
			store_rollback(s);
			return STORE_EDB;
		}
	if (store_commit(s)) {
		store_rollback(s);
		return STORE_EDB;
	}
	return 0;
}

/* Deleted, on day: the fact that replaces any earlier one of the
 * source's replies uid names (all of them when uid is NULL). Before the
 * replies go, since the source is known only through them. */
static const char mark_deleted[] =
	"UPDATE reply_uids SET status = 2, day = ?3 WHERE uid IN (SELECT uid "
	"FROM replies WHERE source_id = ?2 AND (?1 IS NULL OR uid = ?1))";

int store_reply_delete(store *s, int64_t source_id,
		       const uint8_t uid[BUNDLE_ID], uint32_t day)
{
	int n = 0;
	if (store_begin(s))
		return STORE_EDB;
	if (change_uid(s, mark_deleted, uid, source_id, day, NULL) ||
	    change_uid(s, "DELETE FROM replies WHERE uid = ?1 AND "
		       "source_id = ?2", uid, source_id, -1, &n) ||
	    (n && store_commit(s))) {
		store_rollback(s);
		return STORE_EDB;
	}
	store_rollback(s);
	return n ? 0 : STORE_ENOTFOUND;
}

int store_replies_delete_all(store *s, int64_t source_id, uint32_t day)
{
	if (store_begin(s))
		return STORE_EDB;
	if (change_uid(s, mark_deleted, NULL, source_id, day, NULL) ||
	    change(s, "DELETE FROM replies WHERE source_id = ?", NULL, 0,
		   source_id, NULL) ||
	    change(s, "DELETE FROM receipts WHERE source_id = ?", NULL, 0,
		   source_id, NULL) ||
	    store_commit(s)) {
		store_rollback(s);
		return STORE_EDB;
	}
	return 0;
}

int store_receipts(store *s, int64_t source_id, store_receipt_fn fn,
		   void *ctx)
{
	sqlite3_stmt *st;
	int r;
	if (prep(s, &st, "SELECT uid, day FROM receipts WHERE source_id = ? "
		 "ORDER BY day"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, source_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID)
			continue;
		int stop = fn(ctx, sqlite3_column_blob(st, 0),
			      (uint32_t)sqlite3_column_int64(st, 1));
		if (stop) {
			unprep(s, st);
			return stop;
		}
	}
	unprep(s, st);
	return r == SQLITE_DONE ? 0 : STORE_EDB;
}

int store_receipt_delete(store *s, int64_t source_id,
			 const uint8_t uid[BUNDLE_ID])
{
	int n = 0;
	int r = change_uid(s, "DELETE FROM receipts WHERE uid = ?1 AND "
			   "source_id = ?2", uid, source_id, -1, &n);
	return r ? r : n ? 0 : STORE_ENOTFOUND;
}

/* Writes one piece of an envelope into the bundle (ctx). */
static int export_piece(void *ctx, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += BUNDLE_DATA_MAX) {
		size_t k = n - off < BUNDLE_DATA_MAX ? n - off : BUNDLE_DATA_MAX;
		if (bundle_export_data(ctx, p + off, k))
			return -1;
	}
	return 0;
}

/* Streams one envelope's chunks into the bundle: from drop.db, or from
 * chunks.db when it was uploaded in pieces. Fewer bytes than its length
 * (rows deleted under the export) fail it. */
static int export_envelope(store *s, bundle_export *b, int64_t env,
			   const uint8_t uid[BUNDLE_ID], int idx, int64_t len)
{
	sqlite3_stmt *st;
	uint64_t total = 0;
	int r;
	if (bundle_export_envelope(b, (uint64_t)len) ||
	    prep(s, &st, "SELECT data FROM chunks WHERE envelope = ? "
		 "ORDER BY seq"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, env);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		total += n;
		if (export_piece(b, sqlite3_column_blob(st, 0), n)) {
			unprep(s, st);
			return STORE_EDB;
		}
	}
	unprep(s, st);
	if (r != SQLITE_DONE)
		return STORE_EDB;
	if (!total && len) {
		chunks *c = side(s);
		if (side_result(s, !c || chunks_read(c, uid, idx, export_piece,
						     b, &total)))
			return STORE_EDB;
	}
	return total == (uint64_t)len ? 0 : STORE_EDB;
}

static int export_submission(store *s, bundle_export *b, int64_t sub,
			     const uint8_t uid[BUNDLE_ID],
			     const uint8_t pk[32], uint32_t day,
			     struct store_counts *n)
{
	sqlite3_stmt *st;
	int64_t nenv = 0;
	int r;
	if (query_int(s, "SELECT count(*) FROM envelopes WHERE submission = ?",
		      NULL, 0, sub, &nenv) || nenv < 1 ||
	    nenv > BUNDLE_ENVELOPES_MAX)
		return STORE_EDB;
	if (bundle_export_submission(b, uid, pk, day, (uint16_t)nenv) ||
	    prep(s, &st, "SELECT id, length, idx FROM envelopes "
		 "WHERE submission = ? ORDER BY idx"))
		return STORE_EDB;
	sqlite3_bind_int64(st, 1, sub);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t len = sqlite3_column_int64(st, 1);
		if (export_envelope(s, b, sqlite3_column_int64(st, 0), uid,
				    sqlite3_column_int(st, 2), len)) {
			unprep(s, st);
			return STORE_EDB;
		}
		n->envelopes++;
		n->bytes += (uint64_t)len;
	}
	unprep(s, st);
	n->submissions++;
	return r == SQLITE_DONE ? 0 : STORE_EDB;
}

static int export_receipts(store *s, bundle_export *b, struct store_counts *n)
{
	sqlite3_stmt *st;
	int r;
	if (prep(s, &st, "SELECT uid FROM reply_uids ORDER BY uid"))
		return STORE_EDB;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID ||
		    bundle_export_receipt(b, sqlite3_column_blob(st, 0))) {
			unprep(s, st);
			return STORE_EDB;
		}
		n->receipts++;
	}
	unprep(s, st);
	return r == SQLITE_DONE ? 0 : STORE_EDB;
}

/* Every status fact not yet acknowledged. */
static int export_statuses(store *s, bundle_export *b, struct store_counts *n)
{
	sqlite3_stmt *st;
	int r;
	if (prep(s, &st, "SELECT uid, status, day FROM reply_uids "
		 "WHERE status > 0 AND day IS NOT NULL ORDER BY uid"))
		return STORE_EDB;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID ||
		    bundle_export_reply_status(b, sqlite3_column_blob(st, 0),
					       sqlite3_column_int(st, 1),
					       (uint32_t)
					       sqlite3_column_int64(st, 2))) {
			unprep(s, st);
			return STORE_EDB;
		}
		n->statuses++;
	}
	unprep(s, st);
	return r == SQLITE_DONE ? 0 : STORE_EDB;
}

/* Sources first, then their submissions: the order is by source so each
 * source record is written once, just before its first submission. */
static int export_all(store *s, bundle_export *b, struct store_counts *n)
{
	sqlite3_stmt *st;
	int64_t last = -1;
	int r;
	if (prep(s, &st, "SELECT sub.id, sub.uid, sub.day, src.id, "
		 "src.reply_pk, src.day FROM submissions sub "
		 "JOIN sources src ON src.id = sub.source_id "
		 "WHERE sub.complete = 1 ORDER BY src.id, sub.id"))
		return STORE_EDB;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t uid[BUNDLE_ID], pk[32];
		int64_t src = sqlite3_column_int64(st, 3);
		if (blob_eq(st, 1, uid, sizeof(uid)) ||
		    blob_eq(st, 4, pk, sizeof(pk)))
			break;
		if (src != last) {
			if (bundle_export_source(b, pk, (uint32_t)
						 sqlite3_column_int64(st, 5)))
				break;
			n->sources++;
			last = src;
		}
		if (export_submission(s, b, sqlite3_column_int64(st, 0), uid,
				      pk, (uint32_t)sqlite3_column_int64(st, 2),
				      n))
			break;
	}
	unprep(s, st);
	if (r != SQLITE_DONE || export_receipts(s, b, n))
		return STORE_EDB;
	return export_statuses(s, b, n);
}

int store_export(store *s, bundle_export *b, struct store_counts *n)
{
	memset(n, 0, sizeof(*n));
	/* A read transaction: one snapshot while uploads go on. */
	if (exec(s, "BEGIN"))
		return STORE_EDB;
	int r = export_all(s, b, n);
	exec(s, "COMMIT");
	return r;
}

int store_begin(store *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int store_commit(store *s)
{
	if (exec(s, "COMMIT"))
		return STORE_EDB;
	/* Committed: what is left in chunks.db of the submissions it
	 * deleted is nobody's. Should that fail, the next start sweeps
	 * it. */
	gone_forget(s);
	return 0;
}

void store_rollback(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
	free(s->gone);
	s->gone = NULL;
	s->ngone = 0;
}

int store_bundle_mark(store *s, const uint8_t id[BUNDLE_ID])
{
	return change(s, "INSERT INTO imported_bundles VALUES (?)", id,
		      BUNDLE_ID, 0, NULL);
}

int store_reply_add(store *s, const uint8_t uid[BUNDLE_ID],
		    const uint8_t source_pk[32], const uint8_t *env,
		    size_t len, uint32_t day)
{
	sqlite3_stmt *st;
	int64_t src;
	int r = query_int(s, "SELECT id FROM sources WHERE reply_pk = ?",
			  source_pk, 32, INT64_MIN, &src);
	if (r)
		return r;
	r = change(s, "INSERT INTO reply_uids(uid) VALUES (?)", uid,
		   BUNDLE_ID, 0, NULL);
	if (r)
		return r;
	if (prep(s, &st, "INSERT INTO replies(uid, source_id, envelope, day) "
		 "VALUES (?, ?, ?, ?)"))
		return STORE_EDB;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, src);
	sqlite3_bind_blob(st, 3, env, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, day);
	return done(s, st) ? STORE_EDB : 0;
}

/* The receipt for what source sent on day; one per source and day, so a
 * day's second acknowledgement adds nothing. */
static int receipt_add(store *s, int64_t source_id, int64_t day)
{
	uint8_t uid[BUNDLE_ID];
	crypt_random(uid, sizeof(uid));
	return change_uid(s, "INSERT OR IGNORE INTO receipts(uid, source_id, "
			  "day) VALUES (?1, ?2, ?3)", uid, source_id, day,
			  NULL);
}

int store_ack(store *s, const uint8_t uid[BUNDLE_ID],
	      const uint8_t signer[KEYS_ID_BYTES])
{
	sqlite3_stmt *st;
	int64_t one, sub = 0, src = 0, day = 0;
	int r;
	/* In the import's transaction, so the recipient check, the receipt
	 * and the delete are one change. */
	if (prep(s, &st, "SELECT id, source_id, day FROM submissions "
		 "WHERE uid = ? AND complete = 1 AND id IN (SELECT submission "
		 "FROM submission_keys WHERE key_id = ?)"))
		return STORE_EDB;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, signer, KEYS_ID_BYTES, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		sub = sqlite3_column_int64(st, 0);
		src = sqlite3_column_int64(st, 1);
		day = sqlite3_column_int64(st, 2);
	}
	unprep(s, st);
	if (r == SQLITE_ROW)
		return receipt_add(s, src, day) ||
		       change(s, "DELETE FROM submissions WHERE id = ?", NULL,
			      0, sub, NULL) || gone_add(s, uid) ? STORE_EDB : 0;
	if (r != SQLITE_DONE)
		return STORE_EDB;
	r = query_int(s, "SELECT 1 FROM submissions WHERE uid = ? "
		      "AND complete = 1", uid, BUNDLE_ID, INT64_MIN, &one);
	return r == 0 ? STORE_EDENIED : r;
}

int store_status_ack(store *s, const uint8_t uid[BUNDLE_ID], int status)
{
	int n = 0;
	/* Only the fact the newsroom has: a newer, different one stays to
	 * be reported. */
	int r = change_uid(s, "UPDATE reply_uids SET day = NULL WHERE uid = ?1 "
			   "AND status = ?2 AND day IS NOT NULL", uid, status,
			   -1, &n);
	return r ? r : n ? 0 : STORE_ENOTFOUND;
}

int store_status(store *s, struct store_status *st)
{
	int64_t v[5] = { 0 };
	static const char *const q[] = {
		"PRAGMA user_version",
		"SELECT count(*) FROM sources",
		"SELECT count(*) FROM sources WHERE pending = 1",
		"SELECT count(*) FROM submissions WHERE complete = 1",
		"SELECT count(*) FROM replies",
	};
	for (size_t i = 0; i < 5; i++)
		if (query_int(s, q[i], NULL, 0, INT64_MIN, &v[i]))
			return STORE_EDB;
	st->schema = (int)v[0];
	st->sources = (int)v[1];
	st->pending = (int)v[2];
	st->submissions = (int)v[3];
	st->replies = (int)v[4];
	return 0;
}

/* --- savepoints (writer.c) ---
 * One name serves: a batch's jobs run one after the other, never
 * nested. */

int store_savepoint(store *s)
{
	return exec(s, "SAVEPOINT job");
}

int store_savepoint_end(store *s, int keep)
{
	int r = keep ? 0 : exec(s, "ROLLBACK TO job");
	return exec(s, "RELEASE job") || r ? STORE_EDB : 0;
}

struct store_pool {
	pthread_mutex_t lock;
	store *idle;
	unsigned nidle, keep;
	char dir[];
};

store_pool *store_pool_new(const char *dir, unsigned keep)
{
	store_pool *p = calloc(1, sizeof(*p) + strlen(dir) + 1);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->keep = keep;
	strcpy(p->dir, dir);
	return p;
}

store *store_pool_get(store_pool *p)
{
	char why[256];
	pthread_mutex_lock(&p->lock);
	store *s = p->idle;
	if (s) {
		p->idle = s->next;
		p->nidle--;
	}
	pthread_mutex_unlock(&p->lock);
	return s ? s : store_open(p->dir, why, sizeof(why));
}

void store_pool_put(store_pool *p, store *s)
{
	if (!s)
		return;
	store_rollback(s);
	pthread_mutex_lock(&p->lock);
	if (p->nidle < p->keep) {
		s->next = p->idle;
		p->idle = s;
		p->nidle++;
		s = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	store_close(s);
}

void store_pool_free(store_pool *p)
{
	if (!p)
		return;
	while (p->idle) {
		store *s = p->idle;
		p->idle = s->next;
		store_close(s);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
}
