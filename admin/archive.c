/*
 * archive.c - the SQLite archive of ciphertext.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "codename.h"
#include "crypt.h"
#include "fileio.h"

struct archive {
	sqlite3 *db;
};

/* Version 1. Clear columns are what `list` shows without the key; every
 * byte a source or journalist wrote is inside an envelope. An envelope's
 * kind (message or file) is inside it too, and is noted here once the
 * journalist has opened it: the server knew it anyway, from the form
 * field the bytes came in. */
static const char schema_v1[] =
	"CREATE TABLE sources ("
	" id INTEGER PRIMARY KEY,"
	" pk BLOB NOT NULL UNIQUE CHECK (length(pk) = 32),"
	" designation TEXT NOT NULL,"
	" day INTEGER NOT NULL);"
	"CREATE INDEX sources_designation ON sources (designation);"
	"CREATE TABLE submissions ("
	" id INTEGER PRIMARY KEY,"
	" uid BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),"
	" source INTEGER NOT NULL REFERENCES sources (id),"
	" day INTEGER NOT NULL,"
	" bytes INTEGER NOT NULL DEFAULT 0,"
	" unread INTEGER NOT NULL DEFAULT 1,"
	" starred INTEGER NOT NULL DEFAULT 0,"
	" acked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX submissions_source ON submissions (source);"
	"CREATE TABLE envelopes ("
	" id INTEGER PRIMARY KEY,"
	" submission INTEGER NOT NULL REFERENCES submissions (id)"
	"  ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" length INTEGER NOT NULL,"
	" kind INTEGER,"
	" UNIQUE (submission, idx));"
	"CREATE TABLE chunks ("
	" envelope INTEGER NOT NULL REFERENCES envelopes (id)"
	"  ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" data BLOB NOT NULL,"
	" PRIMARY KEY (envelope, seq)) WITHOUT ROWID;"
	"CREATE TABLE notes ("
	" id INTEGER PRIMARY KEY,"
	" submission INTEGER NOT NULL REFERENCES submissions (id)"
	"  ON DELETE CASCADE,"
	" day INTEGER NOT NULL,"
	" env BLOB NOT NULL);"
	"CREATE INDEX notes_submission ON notes (submission);"
	"CREATE TABLE replies ("
	" id INTEGER PRIMARY KEY,"
	" uid BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),"
	" source INTEGER NOT NULL REFERENCES sources (id),"
	" day INTEGER NOT NULL,"
	" env BLOB NOT NULL,"
	" delivered INTEGER NOT NULL DEFAULT 0);";

/* Version 2. Designations are unique, so `reply DESIGNATION` reaches one
 * source: a unique index is the UNIQUE column constraint SQLite would
 * build, without rebuilding a table that others reference (which needs
 * foreign keys off, and they cannot be turned off inside the migration's
 * transaction). unique_designations runs first and lengthens the names
 * that version 1 let two sources share. drops: the drop signing keys this
 * archive accepts exports from, by key id. */
static const char schema_v2[] =
	"DROP INDEX sources_designation;"
	"CREATE UNIQUE INDEX sources_designation ON sources (designation);"
	"CREATE TABLE drops ("
	" id BLOB PRIMARY KEY CHECK (length(id) = 8),"
	" pk BLOB NOT NULL UNIQUE CHECK (length(pk) = 32),"
	" day INTEGER NOT NULL,"
	" last_day INTEGER);";

/* Version 3: the journalist's desk. new marks what the last import
 * brought. A reply keeps a second envelope, copy, sealed to the newsroom
 * key, so the conversation stays readable here (replies from before this
 * version have none: they were sealed to their source alone). outboxed:
 * written to an outbox at least once. status and status_day: what the
 * drop last reported the source did with it (1 read, 2 deleted), and
 * status_acked whether an outbox has told the drop it may forget that. */
static const char schema_v3[] =
	"ALTER TABLE submissions ADD COLUMN new INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE replies ADD COLUMN copy BLOB;"
	"ALTER TABLE replies ADD COLUMN outboxed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE replies ADD COLUMN status INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE replies ADD COLUMN status_day INTEGER;"
	"ALTER TABLE replies ADD COLUMN status_acked INTEGER NOT NULL "
	"DEFAULT 1;";

static int unique_designations(archive *ar);

/* Each step takes the schema from version i to i + 1: its C part, when
 * the step needs one, then its SQL, in the same transaction. */
static const struct migration {
	int (*before)(archive *ar); /* 0, or -1 after an error line */
	const char *sql;
} migrations[] = {
	{ NULL, schema_v1 },
	{ unique_designations, schema_v2 },
	{ NULL, schema_v3 },
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

int archive_fail(archive *ar, const char *what)
{
	cli_err("archive: %s: %s", what, sqlite3_errmsg(ar->db));
	return -1;
}

static int exec(archive *ar, const char *sql, const char *what)
{
	if (sqlite3_exec(ar->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return archive_fail(ar, what);
	return 0;
}

int archive_exec(archive *ar, const char *sql, const char *what)
{
	return exec(ar, sql, what);
}

static int migrate(archive *ar)
{
	sqlite3_stmt *st;
	char sql[64];
	int v;

	if (exec(ar, "BEGIN IMMEDIATE", "begin") != 0)
		return -1;
	st = archive_prepare(ar, "PRAGMA user_version");
	if (!st)
		goto fail;
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (v < 0 || v > SCHEMA_VERSION) {
		cli_err("archive: schema version %d is not one this version "
			"knows (%d)", v, SCHEMA_VERSION);
		goto fail;
	}
	for (; v < SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((migrations[v].before && migrations[v].before(ar) != 0) ||
		    exec(ar, migrations[v].sql, "migrating the schema") != 0 ||
		    exec(ar, sql, "setting the schema version") != 0)
			goto fail;
	}
	return exec(ar, "COMMIT", "commit");
fail:
	archive_rollback(ar);
	return -1;
}

int archive_open(const char *home, archive **out)
{
	char path[PATH_MAX];
	archive *ar;

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/archive.db", home) >=
	    (int)sizeof(path)) {
		cli_err("%s: path too long", home);
		return -1;
	}
	/* import needs no key, so it may be the first to use DIR. */
	if (fileio_mkdir_private(home) != 0) {
		cli_err("%s: %s", home, strerror(errno));
		return -1;
	}
	ar = calloc(1, sizeof(*ar));
	if (!ar) {
		cli_err("out of memory");
		return -1;
	}
	/* FULLMUTEX: a large envelope is read by a thread of its own while
	 * the command's thread may write (archive_env_open). */
	if (sqlite3_open_v2(path, &ar->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		cli_err("%s: %s", path, ar->db ? sqlite3_errmsg(ar->db) :
			"out of memory");
		archive_close(ar);
		return -1;
	}
	sqlite3_busy_timeout(ar->db, 10000);
	/* WAL with FULL sync: a committed import survives a power cut;
	 * secure_delete: deleted rows are zeroed, not left in free pages.
	 * 16 KiB pages (for a new archive; an old one keeps its own): an
	 * envelope is read through its overflow pages one at a time, and
	 * extracting 256 MiB took 67,000 reads of 4 KiB. */
	if (exec(ar, "PRAGMA page_size = 16384;"
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		 "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;",
		 "opening") != 0 || migrate(ar) != 0) {
		archive_close(ar);
		return -1;
	}
	*out = ar;
	return 0;
}

void archive_close(archive *ar)
{
	if (!ar)
		return;
	sqlite3_close_v2(ar->db);
	free(ar);
}

int archive_begin(archive *ar)
{
	return exec(ar, "BEGIN IMMEDIATE", "begin");
}

int archive_commit(archive *ar)
{
	return exec(ar, "COMMIT", "commit");
}

void archive_rollback(archive *ar)
{
	sqlite3_exec(ar->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *archive_prepare(archive *ar, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(ar->db, sql, -1, &st, NULL) != SQLITE_OK) {
		archive_fail(ar, "query");
		return NULL;
	}
	return st;
}

/* Runs st (already bound) to completion and finalizes it. 0 or -1. */
static int run(archive *ar, sqlite3_stmt *st, const char *what)
{
	int r = sqlite3_step(st);

	sqlite3_finalize(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return archive_fail(ar, what);
	return 0;
}

/* Steps a one-row lookup: 0 and *id from column 0, 1 when no row, -1. */
static int lookup_id(archive *ar, sqlite3_stmt *st, int64_t *id)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r == SQLITE_ROW)
		return 0;
	if (r == SQLITE_DONE)
		return 1;
	return archive_fail(ar, "lookup");
}

/*
 * Writes to out the shortest designation of the source with key pk, of two
 * words and up, that no source with an id below `below` holds (0: no
 * source at all; ids are positive). Every name comes from the key, and the
 * first source to hold one keeps it: a source ground to collide with
 * another can only get a longer name, never take the other's. 0, or -1
 * after an error line, also when all CODENAME_DESIG_WORDS lengths are
 * taken (that needs about 100 bits of the hash to collide).
 */
static int designate(archive *ar, const uint8_t pk[32], int64_t below,
		     char out[CODENAME_DESIG_LONG_MAX])
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT 1 FROM sources "
					   "WHERE designation = ?1 AND "
					   "(?2 IS NULL OR id < ?2)");
	int r = SQLITE_ROW;
	char hex[17];

	if (!st)
		return -1;
	if (below != 0)
		sqlite3_bind_int64(st, 2, below);
	for (unsigned n = 2; r == SQLITE_ROW && n <= CODENAME_DESIG_WORDS;
	     n++) {
		codename_designation_n(pk, n, out);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, out, -1, SQLITE_STATIC);
		r = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW)
		return archive_fail(ar, "choosing a designation");
	crypt_hex(hex, pk, 8);
	cli_err("archive: refused the source with reply key %s...: every "
		"designation of up to %d words is already another source's",
		hex, CODENAME_DESIG_WORDS);
	return -1;
}

/* Schema 2's C part: version 1 let sources share a designation, so each
 * source, in id order, gets the name designate gives it among the sources
 * before it. Only later duplicates change: what a journalist already
 * knows a source by stays. */
static int unique_designations(archive *ar)
{
	char old[CODENAME_DESIG_LONG_MAX], name[CODENAME_DESIG_LONG_MAX];
	sqlite3_stmt *next, *upd;
	int64_t id = 0;
	uint8_t pk[32];
	int r = SQLITE_ROW, rc = 0;

	/* One row at a time by id, rather than one SELECT left running
	 * while the rows it reads are updated. */
	next = archive_prepare(ar, "SELECT id, pk, designation FROM sources "
			       "WHERE id > ? ORDER BY id LIMIT 1");
	upd = archive_prepare(ar, "UPDATE sources SET designation = ? "
			      "WHERE id = ?");
	if (!next || !upd)
		rc = -1;
	while (rc == 0) {
		const unsigned char *d;

		sqlite3_reset(next);
		sqlite3_bind_int64(next, 1, id);
		if ((r = sqlite3_step(next)) != SQLITE_ROW)
			break;
		id = sqlite3_column_int64(next, 0);
		memcpy(pk, sqlite3_column_blob(next, 1), 32);
		d = sqlite3_column_text(next, 2);
		snprintf(old, sizeof(old), "%s", d ? (const char *)d : "");
		if ((rc = designate(ar, pk, id, name)) != 0 ||
		    strcmp(name, old) == 0)
			continue;
		sqlite3_reset(upd);
		sqlite3_bind_text(upd, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, id);
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = archive_fail(ar, "lengthening a designation");
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = archive_fail(ar, "reading sources");
	sqlite3_finalize(next);
	sqlite3_finalize(upd);
	return rc;
}

int archive_source_add(archive *ar, const uint8_t pk[32], uint32_t day,
		       int *added)
{
	char desig[CODENAME_DESIG_LONG_MAX];
	sqlite3_stmt *st;
	int64_t id;
	int r;

	*added = 0;
	r = archive_source_by_pk(ar, pk, &id);
	if (r <= 0)
		return r;
	if (designate(ar, pk, 0, desig) != 0)
		return -1;
	/* A plain INSERT: OR IGNORE would also swallow a clash on the
	 * unique designation, and lose the source. */
	st = archive_prepare(ar, "INSERT INTO sources "
			     "(pk, designation, day) VALUES (?, ?, ?)");
	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, desig, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, day);
	if (run(ar, st, "adding a source") != 0)
		return -1;
	*added = 1;
	return 0;
}

int archive_source_by_pk(archive *ar, const uint8_t pk[32], int64_t *id)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT id FROM sources "
					   "WHERE pk = ?");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
	return lookup_id(ar, st, id);
}

/* Steps a lookup of one (id, pk) row: 0 with it, 1 when none, -1. */
static int lookup_source(archive *ar, sqlite3_stmt *st, int64_t *id,
			 uint8_t pk[32])
{
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(pk, sqlite3_column_blob(st, 1), 32);
	}
	sqlite3_finalize(st);
	if (r == SQLITE_ROW)
		return 0;
	if (r == SQLITE_DONE)
		return 1;
	return archive_fail(ar, "finding the source");
}

int archive_source_by_name(archive *ar, const char *desig, int64_t *id,
			   uint8_t pk[32])
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT id, pk FROM sources "
					   "WHERE designation = ?");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, desig, -1, SQLITE_TRANSIENT);
	return lookup_source(ar, st, id, pk);
}

int archive_source_by_sub(archive *ar, int64_t sub, int64_t *id,
			  uint8_t pk[32])
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT src.id, src.pk "
					   "FROM submissions s JOIN sources src "
					   "ON src.id = s.source "
					   "WHERE s.id = ?");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sub);
	return lookup_source(ar, st, id, pk);
}

int archive_drop_pinned(archive *ar, const uint8_t pk[32])
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT rowid FROM drops "
					   "WHERE pk = ?");
	int64_t row;

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
	return lookup_id(ar, st, &row);
}

int archive_drop_pin(archive *ar, const uint8_t id[8], const uint8_t pk[32],
		     uint32_t day)
{
	sqlite3_stmt *st;
	char hex[17];
	int r, ext;

	/* Only the key's own row is a no-op: another key under the same id
	 * is refused, so a caller is never told a key is pinned when its id
	 * names a different one. */
	st = archive_prepare(ar, "INSERT INTO drops (id, pk, day) "
			     "VALUES (?, ?, ?) ON CONFLICT (pk) DO NOTHING");
	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, id, 8, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, day);
	r = sqlite3_step(st);
	ext = sqlite3_extended_errcode(ar->db);
	sqlite3_finalize(st);
	if (r == SQLITE_DONE)
		return 0;
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
		crypt_hex(hex, id, 8);
		cli_err("archive: another drop key is already pinned with the "
			"id %s", hex);
		return -1;
	}
	return archive_fail(ar, "pinning a drop key");
}

int archive_drop_seen(archive *ar, const uint8_t pk[32], uint32_t day)
{
	sqlite3_stmt *st = archive_prepare(ar, "UPDATE drops SET last_day = ? "
					   "WHERE pk = ?");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, day);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	return run(ar, st, "noting a drop key's export");
}

int archive_drops(archive *ar, archive_drop_fn fn, void *ctx)
{
	/* rowid is the order of insertion: the id is the primary key, but
	 * this is not a WITHOUT ROWID table. */
	sqlite3_stmt *st = archive_prepare(ar, "SELECT id, pk, day, last_day "
					   "FROM drops ORDER BY rowid");
	uint8_t id[8], pk[32];
	int r, rc = 0;

	if (!st)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		/* The CHECKs hold these lengths; copies keep fn's arrays
		 * whole whatever it does to the table. */
		if (sqlite3_column_bytes(st, 0) != 8 ||
		    sqlite3_column_bytes(st, 1) != 32) {
			cli_err("archive: a pinned drop key is malformed");
			rc = -1;
			break;
		}
		memcpy(id, sqlite3_column_blob(st, 0), 8);
		memcpy(pk, sqlite3_column_blob(st, 1), 32);
		rc = fn(ctx, id, pk, (uint32_t)sqlite3_column_int64(st, 2),
			sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(st, 3));
		if (rc != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc == 0 && r != SQLITE_DONE)
		return archive_fail(ar, "listing drop keys");
	return rc;
}

int archive_drop_remove(archive *ar, const uint8_t id[8])
{
	sqlite3_stmt *st = archive_prepare(ar, "DELETE FROM drops "
					   "WHERE id = ?");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, id, 8, SQLITE_STATIC);
	if (run(ar, st, "unpinning a drop key") != 0)
		return -1;
	return sqlite3_changes(ar->db) > 0 ? 0 : 1;
}

int archive_sub_by_uid(archive *ar, const uint8_t uid[BUNDLE_ID],
		       int64_t *id)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT id FROM submissions "
					   "WHERE uid = ?");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	return lookup_id(ar, st, id);
}

int archive_sub_add(archive *ar, const uint8_t uid[BUNDLE_ID], int64_t src,
		    uint32_t day, int64_t *id)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT INTO submissions "
					   "(uid, source, day, new) "
					   "VALUES (?, ?, ?, 1)");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, src);
	sqlite3_bind_int64(st, 3, day);
	if (run(ar, st, "adding a submission") != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(ar->db);
	return 0;
}

/* UPDATE submissions SET <set> WHERE id = ?. 0 or -1. */
static int sub_update(archive *ar, int64_t id, const char *sql)
{
	sqlite3_stmt *st = archive_prepare(ar, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return run(ar, st, "updating a submission");
}

int archive_sub_unack(archive *ar, int64_t id)
{
	return sub_update(ar, id, "UPDATE submissions SET acked = 0 "
			  "WHERE id = ?");
}

int archive_sub_check(archive *ar, int64_t id)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT id FROM submissions "
					   "WHERE id = ?");
	int64_t found;
	int r;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	r = lookup_id(ar, st, &found);
	if (r == 1)
		cli_err("no submission %lld (see 'list')", (long long)id);
	return r;
}

int archive_sub_set_unread(archive *ar, int64_t id, int unread)
{
	return sub_update(ar, id, unread ?
			  "UPDATE submissions SET unread = 1 WHERE id = ?" :
			  "UPDATE submissions SET unread = 0 WHERE id = ?");
}

int archive_sub_toggle_star(archive *ar, int64_t id, int *starred)
{
	sqlite3_stmt *st;
	int64_t v;

	if (sub_update(ar, id, "UPDATE submissions SET starred = 1 - starred "
		       "WHERE id = ?") != 0)
		return -1;
	st = archive_prepare(ar, "SELECT starred FROM submissions "
			     "WHERE id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (lookup_id(ar, st, &v) != 0)
		return -1;
	*starred = v != 0;
	return 0;
}

int archive_env_add(archive *ar, int64_t sub, unsigned index, uint64_t len,
		    int64_t *id)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT INTO envelopes "
					   "(submission, idx, length) "
					   "VALUES (?, ?, ?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sub);
	sqlite3_bind_int64(st, 2, index);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
	if (run(ar, st, "adding an envelope") != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(ar->db);
	st = archive_prepare(ar, "UPDATE submissions SET bytes = bytes + ? "
			     "WHERE id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)len);
	sqlite3_bind_int64(st, 2, sub);
	return run(ar, st, "counting an envelope");
}

int archive_chunk_add(archive *ar, int64_t env, int64_t seq,
		      const uint8_t *buf, size_t len)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT INTO chunks "
					   "(envelope, seq, data) "
					   "VALUES (?, ?, ?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, env);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_blob(st, 3, buf, (int)len, SQLITE_STATIC);
	return run(ar, st, "storing an envelope");
}

int archive_env_set_kind(archive *ar, int64_t env, int kind)
{
	sqlite3_stmt *st = archive_prepare(ar, "UPDATE envelopes SET kind = ? "
					   "WHERE id = ?");

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_int64(st, 2, env);
	return run(ar, st, "noting an envelope's kind");
}

int archive_env_list(archive *ar, int64_t sub, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT id FROM envelopes "
					   "WHERE submission = ? "
					   "ORDER BY idx");
	int64_t *v = NULL, *nv;
	size_t cnt = 0;
	int r;

	*ids = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sub);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			sqlite3_finalize(st);
			cli_err("out of memory");
			return -1;
		}
		v = nv;
		v[cnt++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		free(v);
		return archive_fail(ar, "listing envelopes");
	}
	*ids = v;
	*n = cnt;
	return 0;
}

static int opener_start(env_opener **o, const keys_secret *k,
			const env_open_cb *cb)
{
	env_key key = { k->pub.box_pk, k->box_sk };

	return env_open_begin(o, &key, 1, cb);
}

int archive_sub_verify(archive *ar, int64_t sub, const keys_secret *k)
{
	/* No callbacks: the content never leaves the opener's own buffer,
	 * which is wiped chunk by chunk and freed wiped. */
	const env_open_cb discard = { NULL, NULL, NULL };
	int64_t *envs;
	size_t n, i;
	int rc = 0;

	if (archive_env_list(ar, sub, &envs, &n) != 0)
		return 1;
	/* A submission that lost its envelopes is not one this archive
	 * holds: acknowledging it would delete the only copy. */
	if (n == 0)
		rc = CRYPT_EFORMAT;
	for (i = 0; rc == 0 && i < n; i++)
		rc = archive_env_open(ar, envs[i], k, &discard);
	free(envs);
	return rc;
}

uint64_t archive_env_length(archive *ar, int64_t env)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT length FROM envelopes "
					   "WHERE id = ?");
	uint64_t n = 0;

	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, env);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Envelopes at least this long are read ahead (below). */
#define AHEAD_MIN (2u << 20)
#define AHEAD_PIECE (256u << 10)
#define AHEAD_PIECES 4

/* A large envelope's rows are read by a thread of their own, into a ring
 * of pieces the command's thread opens them from: reading the archive
 * (a system call per 16 KiB page, and SQLite's copy of each row) and
 * decrypting then take the time of the slower on two cores, not of both.
 * Only ciphertext passes through the ring. The callbacks still run on
 * the command's thread, and may use the archive meanwhile: the archive's
 * connection is opened serialised (SQLITE_OPEN_FULLMUTEX). */
struct ahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sqlite3_stmt *st;
	uint8_t *buf[AHEAD_PIECES];
	size_t len[AHEAD_PIECES];
	int full[AHEAD_PIECES];
	int done;                   /* no more pieces will come */
	int step;                   /* sqlite3_step's last result */
	int stop;                   /* the opener wants no more */
};

static void *ahead_run(void *arg)
{
	struct ahead *a = arg;
	int b = 0, r;

	while ((r = sqlite3_step(a->st)) == SQLITE_ROW) {
		const uint8_t *p = sqlite3_column_blob(a->st, 0);
		size_t n = (size_t)sqlite3_column_bytes(a->st, 0);

		while (n > 0) {
			size_t take = n < AHEAD_PIECE ? n : AHEAD_PIECE;

			pthread_mutex_lock(&a->mu);
			while (a->full[b] && !a->stop)
				pthread_cond_wait(&a->cv, &a->mu);
			if (a->stop) {
				pthread_mutex_unlock(&a->mu);
				goto out;
			}
			pthread_mutex_unlock(&a->mu);
			memcpy(a->buf[b], p, take);
			pthread_mutex_lock(&a->mu);
			a->len[b] = take;
			a->full[b] = 1;
			pthread_cond_broadcast(&a->cv);
			pthread_mutex_unlock(&a->mu);
			b = (b + 1) % AHEAD_PIECES;
			p += take;
			n -= take;
		}
	}
out:
	pthread_mutex_lock(&a->mu);
	a->step = r;
	a->done = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void ahead_free(struct ahead *a)
{
	for (int i = 0; i < AHEAD_PIECES; i++)
		free(a->buf[i]);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

/* Starts reading st's rows ahead; NULL when memory or a thread cannot be
 * had (the caller then reads them itself). */
static struct ahead *ahead_start(sqlite3_stmt *st)
{
	struct ahead *a = calloc(1, sizeof(*a));
	sigset_t all, old;
	int rc;

	/* A library built without threads reads inline. */
	if (!a || !sqlite3_threadsafe()) {
		free(a);
		return NULL;
	}
	a->st = st;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	for (int i = 0; i < AHEAD_PIECES; i++) {
		a->buf[i] = malloc(AHEAD_PIECE);
		if (!a->buf[i]) {
			ahead_free(a);
			return NULL;
		}
	}
	/* Signals stay the command's (the review's handlers set flags its
	 * own loop reads). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&a->thread, NULL, ahead_run, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ahead_free(a);
		return NULL;
	}
	return a;
}

/* Pushes the pieces into o as they come, until the rows end or o fails.
 * Stops and joins the reader and frees a. *step gets the reader's last
 * sqlite3_step result; returns env_open_push's. */
static int ahead_push(struct ahead *a, env_opener *o, int *step)
{
	int b = 0, rc = 0;

	for (;;) {
		pthread_mutex_lock(&a->mu);
		while (!a->full[b] && !a->done)
			pthread_cond_wait(&a->cv, &a->mu);
		if (!a->full[b]) {
			pthread_mutex_unlock(&a->mu);
			break;
		}
		pthread_mutex_unlock(&a->mu);
		rc = env_open_push(o, a->buf[b], a->len[b]);
		pthread_mutex_lock(&a->mu);
		a->full[b] = 0;
		if (rc != 0)
			a->stop = 1;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (rc != 0)
			break;
		b = (b + 1) % AHEAD_PIECES;
	}
	pthread_join(a->thread, NULL);
	*step = a->step;
	ahead_free(a);
	return rc;
}

int archive_env_open(archive *ar, int64_t env, const keys_secret *k,
		     const env_open_cb *cb)
{
	sqlite3_stmt *st;
	struct ahead *a = NULL;
	env_opener *o;
	int r, rc = 0;

	st = archive_prepare(ar, "SELECT data FROM chunks WHERE envelope = ? "
			     "ORDER BY seq");
	if (!st)
		return 1;
	sqlite3_bind_int64(st, 1, env);
	rc = opener_start(&o, k, cb);
	if (rc != 0) {
		sqlite3_finalize(st);
		return rc;
	}
	if (archive_env_length(ar, env) >= AHEAD_MIN)
		a = ahead_start(st);
	if (a) {
		rc = ahead_push(a, o, &r);
	} else {
		/* One chunk row in memory at a time: the opener keeps no
		 * more than its own chunk buffer. */
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			rc = env_open_push(o, sqlite3_column_blob(st, 0),
					   (size_t)sqlite3_column_bytes(st, 0));
			if (rc != 0)
				break;
		}
	}
	sqlite3_finalize(st);
	if (rc != 0) {
		env_open_abort(o);
		return rc;
	}
	if (r != SQLITE_DONE) {
		env_open_abort(o);
		archive_fail(ar, "reading an envelope");
		return 1;
	}
	return env_open_finish(o);
}

int archive_blob_open(const uint8_t *env, size_t len, const keys_secret *k,
		      const env_open_cb *cb)
{
	env_opener *o;
	int rc = opener_start(&o, k, cb);

	if (rc != 0)
		return rc;
	rc = env_open_push(o, env, len);
	if (rc != 0) {
		env_open_abort(o);
		return rc;
	}
	return env_open_finish(o);
}

struct membuf {
	uint8_t *p;
	size_t len, cap;
};

static int membuf_sink(void *ctx, const uint8_t *buf, size_t len)
{
	struct membuf *m = ctx;

	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		uint8_t *np;

		while (cap < m->len + len)
			cap *= 2;
		np = realloc(m->p, cap);
		if (!np)
			return -1;
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

int archive_seal_text(const uint8_t pk[32], int kind, const char *text,
		      size_t len, uint8_t **env, size_t *envlen)
{
	const uint8_t (*pks)[32] = (const uint8_t (*)[32])pk;
	struct membuf m = { NULL, 0, 0 };
	env_meta meta;
	env_sealer *s;
	int rc;

	memset(&meta, 0, sizeof(meta));
	meta.kind = kind;
	rc = env_seal_begin(&s, pks, 1, &meta, membuf_sink, &m);
	if (rc == 0) {
		rc = env_seal_push(s, text, len);
		if (rc != 0)
			env_seal_abort(s);
		else
			rc = env_seal_finish(s, NULL);
	}
	if (rc != 0) {
		free(m.p);
		return rc;
	}
	*env = m.p;
	*envlen = m.len;
	return 0;
}

int archive_note_add(archive *ar, int64_t sub, const uint8_t *env,
		     size_t len)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT INTO notes "
					   "(submission, day, env) "
					   "VALUES (?, ?, ?)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sub);
	sqlite3_bind_int64(st, 2, crypt_today());
	sqlite3_bind_blob(st, 3, env, (int)len, SQLITE_STATIC);
	return run(ar, st, "adding a note");
}

int archive_note_each(archive *ar, int64_t sub,
		      int (*fn)(void *ctx, uint32_t day, const uint8_t *env,
				size_t len),
		      void *ctx)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT day, env FROM notes "
					   "WHERE submission = ? "
					   "ORDER BY id");
	int r, rc = 0;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sub);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn(ctx, (uint32_t)sqlite3_column_int64(st, 0),
			sqlite3_column_blob(st, 1),
			(size_t)sqlite3_column_bytes(st, 1));
		if (rc != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc == 0 && r != SQLITE_DONE)
		return archive_fail(ar, "reading notes");
	return rc;
}

int archive_reply_add(archive *ar, const uint8_t uid[BUNDLE_ID], int64_t src,
		      const uint8_t *env, size_t len, const uint8_t *copy,
		      size_t copylen)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT INTO replies "
					   "(uid, source, day, env, copy) "
					   "VALUES (?, ?, ?, ?, ?)");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, src);
	sqlite3_bind_int64(st, 3, crypt_today());
	sqlite3_bind_blob(st, 4, env, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, copy, (int)copylen, SQLITE_STATIC);
	return run(ar, st, "queueing the reply");
}

int archive_reply_status(archive *ar, const uint8_t uid[BUNDLE_ID],
			 int status, uint32_t day)
{
	/* A deletion outranks a reading; the same fact reported again is
	 * due to be acknowledged again, as a submission exported again is. */
	sqlite3_stmt *st = archive_prepare(ar, "UPDATE replies SET status = "
					   "?1, status_day = ?2, "
					   "status_acked = 0 WHERE uid = ?3 "
					   "AND status <= ?1");

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, status);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_blob(st, 3, uid, BUNDLE_ID, SQLITE_STATIC);
	return run(ar, st, "recording a reply's status");
}

int archive_reply_unqueue(archive *ar, int64_t id)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT outboxed FROM replies "
					   "WHERE id = ?");
	int r, outboxed = 0;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		outboxed = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (r == SQLITE_DONE)
		return 1;
	if (r != SQLITE_ROW)
		return archive_fail(ar, "finding the reply");
	if (outboxed)
		return 2;
	st = archive_prepare(ar, "DELETE FROM replies WHERE id = ? AND "
			     "outboxed = 0");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return run(ar, st, "taking back the reply");
}

int archive_reply_delivered(archive *ar, const uint8_t uid[BUNDLE_ID])
{
	sqlite3_stmt *st = archive_prepare(ar, "UPDATE replies "
					   "SET delivered = 1 WHERE uid = ?");

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, uid, BUNDLE_ID, SQLITE_STATIC);
	return run(ar, st, "marking a reply delivered");
}
