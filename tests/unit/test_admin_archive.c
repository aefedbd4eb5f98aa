/*
 * test_admin_archive.c - import into the archive: all or nothing, chunked
 * storage, idempotence, receipts; unique designations, the schema
 * migration, pinned drop keys; opening a large envelope read ahead.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "archive.h"
#include "bundle.h"
#include "cli.h"
#include "codename.h"
#include "crypt.h"
#include "dropkey.h"

static char home[] = "/tmp/test_admin_archive.XXXXXX";
static char bundle_path[300];
static const struct admin_cmd import_cmd = { "import", cmd_import, "BUNDLE",
					     0, "", 0 };

static const uint8_t pk_s[32] = { 1 }, pk_t[32] = { 2 };
static const uint8_t uid1[BUNDLE_ID] = { 1 }, uid2[BUNDLE_ID] = { 2 };

/* The drop key every bundle here is signed with; imports trust it. */
static dropkey *drop;

static dropkey *drop_key(void)
{
	if (drop == NULL)
		assert_non_null(drop = dropkey_generate());
	return drop;
}

static int import(void)
{
	struct admin a = { 0 };
	char fpr[KEYS_FPR_LEN];
	char *argv[] = { bundle_path, "--trust", fpr };
	int rc;

	dropkey_fingerprint(drop_key()->pk, fpr);
	a.home = home;
	a.cmd = &import_cmd;
	/* A key of its own, as if unlocked: these bundles' envelopes are
	 * placeholders, which count as damaged, not as another key's. */
	a.key = keys_generate();
	assert_non_null(a.key);
	rc = cmd_import(&a, 3, argv);
	keys_secret_free(a.key);
	return rc;
}

static long long count(const char *sql)
{
	archive *ar;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(archive_open(home, &ar), 0);
	st = archive_prepare(ar, sql);
	assert_non_null(st);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	archive_close(ar);
	return n;
}

static bundle_export *start(int *fd)
{
	bundle_export *b;

	*fd = open(bundle_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(*fd >= 0);
	assert_int_equal(bundle_export_begin(&b, *fd, drop_key()), 0);
	return b;
}

static void finish(bundle_export *b, int fd)
{
	assert_int_equal(bundle_export_finish(b), 0);
	assert_int_equal(close(fd), 0);
}

static void one_envelope(bundle_export *b, const uint8_t *buf, size_t len)
{
	assert_int_equal(bundle_export_envelope(b, len), 0);
	/* Odd pieces, so the 1 MiB chunk rows do not line up with them. */
	for (size_t o = 0; o < len; o += 700001) {
		size_t n = len - o < 700001 ? len - o : 700001;

		assert_int_equal(bundle_export_data(b, buf + o, n), 0);
	}
}

static void reset_archive(void)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/archive.db", home);
	unlink(path);
	snprintf(path, sizeof(path), "%s/archive.db-wal", home);
	unlink(path);
	snprintf(path, sizeof(path), "%s/archive.db-shm", home);
	unlink(path);
}

static void test_unknown_source_refused_whole(void **state)
{
	uint8_t env[100];
	bundle_export *b;
	int fd;

	(void)state;
	reset_archive();
	memset(env, 7, sizeof(env));
	b = start(&fd);
	assert_int_equal(bundle_export_source(b, pk_s, 100), 0);
	assert_int_equal(bundle_export_submission(b, uid1, pk_s, 101, 1), 0);
	one_envelope(b, env, sizeof(env));
	/* T was never introduced: the whole bundle must go. */
	assert_int_equal(bundle_export_submission(b, uid2, pk_t, 102, 1), 0);
	one_envelope(b, env, sizeof(env));
	finish(b, fd);

	assert_int_equal(import(), ADM_FAIL);
	assert_int_equal(count("SELECT count(*) FROM sources"), 0);
	assert_int_equal(count("SELECT count(*) FROM submissions"), 0);
	assert_int_equal(count("SELECT count(*) FROM chunks"), 0);
}

static void test_chunks_and_idempotence(void **state)
{
	const size_t len = 2 * ARCHIVE_CHUNK + 12345;
	uint8_t *env = malloc(len), *back;
	bundle_export *b;
	archive *ar;
	sqlite3_stmt *st;
	size_t got = 0;
	int fd;

	(void)state;
	reset_archive();
	assert_non_null(env);
	randombytes_buf(env, len);
	b = start(&fd);
	assert_int_equal(bundle_export_source(b, pk_s, 100), 0);
	assert_int_equal(bundle_export_submission(b, uid1, pk_s, 101, 2), 0);
	one_envelope(b, env, len);
	one_envelope(b, env, 10);
	finish(b, fd);

	assert_int_equal(import(), ADM_OK);
	assert_int_equal(count("SELECT count(*) FROM chunks"), 3 + 1);
	assert_int_equal(count("SELECT max(length(data)) FROM chunks"),
			 ARCHIVE_CHUNK);
	assert_int_equal(count("SELECT bytes FROM submissions"), len + 10);
	assert_int_equal(count("SELECT unread FROM submissions"), 1);

	/* The stored bytes are the envelope's, in order. */
	back = malloc(len);
	assert_non_null(back);
	assert_int_equal(archive_open(home, &ar), 0);
	st = archive_prepare(ar, "SELECT c.data FROM chunks c JOIN envelopes e "
			     "ON e.id = c.envelope WHERE e.idx = 0 "
			     "ORDER BY c.seq");
	assert_non_null(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		assert_true(got + n <= len);
		memcpy(back + got, sqlite3_column_blob(st, 0), n);
		got += n;
	}
	sqlite3_finalize(st);
	archive_close(ar);
	assert_int_equal(got, len);
	assert_memory_equal(back, env, len);

	/* Twice changes nothing. */
	assert_int_equal(import(), ADM_OK);
	assert_int_equal(count("SELECT count(*) FROM submissions"), 1);
	assert_int_equal(count("SELECT count(*) FROM chunks"), 4);
	free(back);
	free(env);
}

static void test_receipt_marks_delivered(void **state)
{
	const uint8_t rid[BUNDLE_ID] = { 9, 9 }, env[4] = { 1, 2, 3, 4 };
	bundle_export *b;
	archive *ar;
	int64_t src;
	int added, fd;

	(void)state;
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, pk_s, 100, &added), 0);
	assert_int_equal(added, 1);
	assert_int_equal(archive_source_by_pk(ar, pk_s, &src), 0);
	assert_int_equal(archive_reply_add(ar, rid, src, env, sizeof(env),
					   env, sizeof(env)), 0);
	archive_close(ar);
	assert_int_equal(count("SELECT delivered FROM replies"), 0);

	b = start(&fd);
	assert_int_equal(bundle_export_receipt(b, rid), 0);
	finish(b, fd);
	assert_int_equal(import(), ADM_OK);
	assert_int_equal(count("SELECT delivered FROM replies"), 1);
}

/* A reported status is recorded and due for acknowledgement; a deletion
 * is never overwritten by a later report of reading; an unknown reply
 * changes nothing. */
static void test_reply_status(void **state)
{
	static const uint8_t rid[BUNDLE_ID] = { 9 }, other[BUNDLE_ID] = { 8 };
	uint8_t env[64] = { 0 };
	archive *ar;
	int64_t src;
	int added;

	(void)state;
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, pk_s, 100, &added), 0);
	assert_int_equal(archive_source_by_pk(ar, pk_s, &src), 0);
	assert_int_equal(archive_reply_add(ar, rid, src, env, sizeof(env),
					   env, sizeof(env)), 0);
	assert_int_equal(archive_reply_status(ar, rid, BUNDLE_REPLY_READ, 200),
			 0);
	assert_int_equal(archive_reply_status(ar, other, BUNDLE_REPLY_READ,
					      200), 0);
	archive_close(ar);
	assert_int_equal(count("SELECT status FROM replies"), 1);
	assert_int_equal(count("SELECT status_day FROM replies"), 200);
	assert_int_equal(count("SELECT status_acked FROM replies"), 0);
	assert_int_equal(count("SELECT count(*) FROM replies"), 1);

	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_reply_status(ar, rid, BUNDLE_REPLY_DELETED,
					      201), 0);
	assert_int_equal(archive_reply_status(ar, rid, BUNDLE_REPLY_READ, 202),
			 0);
	archive_close(ar);
	assert_int_equal(count("SELECT status FROM replies"), 2);
	assert_int_equal(count("SELECT status_day FROM replies"), 201);
}

/* A reply is taken back only while no outbox has carried it. */
static void test_reply_unqueue(void **state)
{
	static const uint8_t r1[BUNDLE_ID] = { 5 }, r2[BUNDLE_ID] = { 6 };
	uint8_t env[64] = { 0 };
	archive *ar;
	int64_t src;
	int added;

	(void)state;
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, pk_s, 100, &added), 0);
	assert_int_equal(archive_source_by_pk(ar, pk_s, &src), 0);
	assert_int_equal(archive_reply_add(ar, r1, src, env, sizeof(env),
					   env, sizeof(env)), 0);
	assert_int_equal(archive_reply_add(ar, r2, src, env, sizeof(env),
					   env, sizeof(env)), 0);
	assert_int_equal(archive_exec(ar, "UPDATE replies SET outboxed = 1 "
				      "WHERE id = 2", "test"), 0);
	assert_int_equal(archive_reply_unqueue(ar, 1), 0);
	assert_int_equal(archive_reply_unqueue(ar, 1), 1);
	assert_int_equal(archive_reply_unqueue(ar, 2), 2);
	assert_int_equal(archive_reply_unqueue(ar, 99), 1);
	archive_close(ar);
	assert_int_equal(count("SELECT count(*) FROM replies"), 1);
}

static void test_truncated_refused(void **state)
{
	uint8_t env[5000];
	bundle_export *b;
	int fd;

	(void)state;
	reset_archive();
	memset(env, 3, sizeof(env));
	b = start(&fd);
	assert_int_equal(bundle_export_source(b, pk_s, 100), 0);
	assert_int_equal(bundle_export_submission(b, uid1, pk_s, 101, 1), 0);
	one_envelope(b, env, sizeof(env));
	finish(b, fd);
	assert_int_equal(truncate(bundle_path, 3000), 0);
	assert_int_equal(import(), ADM_FAIL);
	assert_int_equal(count("SELECT count(*) FROM sources"), 0);
}

/* Key number i of a deterministic series, so a collision found once is
 * found the same way every run. */
static void series_key(uint32_t i, uint8_t pk[32])
{
	memset(pk, 0, 32);
	pk[0] = 0x5d;
	crypt_put32(pk + 1, i);
}

/* Two word indices of a key's two-word designation, as one number. */
static uint32_t two_words(const uint8_t pk[32])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), pk, 32, NULL, 0);
	return crypt_get32(h) % CODENAME_LIST * CODENAME_LIST +
	       crypt_get32(h + 4) % CODENAME_LIST;
}

/* Two keys with the same two-word designation: a birthday search over
 * about 26 bits, some ten thousand keys. */
static void find_collision(uint8_t a[32], uint8_t b[32])
{
	enum { SLOTS = 1 << 20 };
	struct slot {
		uint32_t words, i; /* i == 0: empty */
	} *tab = calloc(SLOTS, sizeof(*tab));
	char da[CODENAME_DESIG_MAX], db[CODENAME_DESIG_MAX];

	assert_non_null(tab);
	for (uint32_t i = 1; i < SLOTS / 2; i++) {
		uint32_t w, at;

		series_key(i, b);
		w = two_words(b);
		at = (w * 2654435761u) & (SLOTS - 1);
		while (tab[at].i != 0 && tab[at].words != w)
			at = (at + 1) & (SLOTS - 1);
		if (tab[at].i != 0) {
			series_key(tab[at].i, a);
			free(tab);
			codename_designation(a, da);
			codename_designation(b, db);
			assert_string_equal(da, db);
			assert_memory_not_equal(a, b, 32);
			return;
		}
		tab[at].words = w;
		tab[at].i = i;
	}
	free(tab);
	fail_msg("no collision in %d keys", SLOTS / 2);
}

/* The designation the archive holds for key pk, into out. */
static void stored_name(archive *ar, const uint8_t pk[32],
			char out[CODENAME_DESIG_LONG_MAX])
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT designation "
					   "FROM sources WHERE pk = ?");

	assert_non_null(st);
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, CODENAME_DESIG_LONG_MAX, "%s",
		 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* desig reaches the source with key pk and no other. */
static void assert_reaches(archive *ar, const char *desig,
			   const uint8_t pk[32])
{
	uint8_t got[32];
	int64_t id, want;

	assert_int_equal(archive_source_by_pk(ar, pk, &want), 0);
	assert_int_equal(archive_source_by_name(ar, desig, &id, got), 0);
	assert_int_equal(id, want);
	assert_memory_equal(got, pk, 32);
}

static void test_colliding_designations(void **state)
{
	char a2[CODENAME_DESIG_LONG_MAX], b3[CODENAME_DESIG_LONG_MAX];
	char got[CODENAME_DESIG_LONG_MAX];
	uint8_t a[32], b[32], pk[32];
	archive *ar;
	int64_t id;
	int added;

	(void)state;
	find_collision(a, b);
	codename_designation_n(a, 2, a2);
	codename_designation_n(b, 3, b3);

	/* The first keeps the two words; the second gets a third. */
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, a, 100, &added), 0);
	assert_int_equal(added, 1);
	assert_int_equal(archive_source_add(ar, b, 101, &added), 0);
	assert_int_equal(added, 1);
	stored_name(ar, a, got);
	assert_string_equal(got, a2);
	stored_name(ar, b, got);
	assert_string_equal(got, b3);
	assert_reaches(ar, a2, a);
	assert_reaches(ar, b3, b);
	/* Known keys are not added again, nor renamed. */
	assert_int_equal(archive_source_add(ar, b, 102, &added), 0);
	assert_int_equal(added, 0);
	assert_int_equal(archive_source_add(ar, a, 102, &added), 0);
	assert_int_equal(added, 0);
	stored_name(ar, a, got);
	assert_string_equal(got, a2);
	assert_int_equal(archive_source_by_name(ar, "no-such", &id, pk), 1);
	archive_close(ar);
	assert_int_equal(count("SELECT count(*) FROM sources"), 2);

	/* The order of arrival decides, not the key. */
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, b, 100, &added), 0);
	assert_int_equal(archive_source_add(ar, a, 101, &added), 0);
	assert_reaches(ar, a2, b);
	codename_designation_n(a, 3, got);
	assert_reaches(ar, got, a);
	archive_close(ar);
}

/* Holds name under a key of its own, as a source ground to take it would. */
static void squat(archive *ar, const char *name, uint8_t tag)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT INTO sources "
					   "(pk, designation, day) "
					   "VALUES (?, ?, 1)");
	uint8_t pk[32];

	assert_non_null(st);
	memset(pk, tag, sizeof(pk));
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void test_designation_lengthens_to_refusal(void **state)
{
	const uint8_t pk[32] = { 0x77, 1 }, pk2[32] = { 0x77, 2 };
	char name[CODENAME_DESIG_LONG_MAX], got[CODENAME_DESIG_LONG_MAX];
	archive *ar;
	int added;

	(void)state;
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	/* Two and three words taken: four. */
	for (unsigned n = 2; n <= 3; n++) {
		codename_designation_n(pk, n, name);
		squat(ar, name, (uint8_t)n);
	}
	assert_int_equal(archive_source_add(ar, pk, 100, &added), 0);
	stored_name(ar, pk, got);
	codename_designation_n(pk, 4, name);
	assert_string_equal(got, name);
	assert_reaches(ar, name, pk);

	/* Every length taken: that source is refused, nothing stored. */
	for (unsigned n = 2; n <= CODENAME_DESIG_WORDS; n++) {
		codename_designation_n(pk2, n, name);
		squat(ar, name, (uint8_t)(0x80 + n));
	}
	assert_int_equal(archive_source_add(ar, pk2, 100, &added), -1);
	assert_int_equal(added, 0);
	archive_close(ar);
	assert_int_equal(count("SELECT count(*) FROM sources WHERE pk = "
			       "x'7702000000000000000000000000000000000000"
			       "000000000000000000000000'"), 0);
}

/* Version 1's sources, submissions and replies, as older archives hold
 * them (v2 and v3 leave or extend them). */
static const char schema_v1_part[] =
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
	"CREATE TABLE replies ("
	" id INTEGER PRIMARY KEY,"
	" uid BLOB NOT NULL UNIQUE CHECK (length(uid) = 16),"
	" source INTEGER NOT NULL REFERENCES sources (id),"
	" day INTEGER NOT NULL,"
	" env BLOB NOT NULL,"
	" delivered INTEGER NOT NULL DEFAULT 0);"
	"PRAGMA user_version = 1;";

static void v1_source(sqlite3 *db, int64_t id, const uint8_t pk[32])
{
	char d[CODENAME_DESIG_MAX];
	sqlite3_stmt *st;

	codename_designation(pk, d);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO sources "
					    "(id, pk, designation, day) "
					    "VALUES (?, ?, ?, 100)", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, d, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO submissions "
					    "(uid, source, day) VALUES "
					    "(randomblob(16), ?, 101)", -1,
					    &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void test_migrate_v1_collision(void **state)
{
	const uint8_t c[32] = { 0x33 };
	char path[400], name[CODENAME_DESIG_LONG_MAX];
	uint8_t a[32], b[32], got[32];
	sqlite3_stmt *st;
	sqlite3 *db;
	archive *ar;
	int64_t id, src;

	(void)state;
	find_collision(a, b);
	reset_archive();
	snprintf(path, sizeof(path), "%s/archive.db", home);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema_v1_part, NULL, NULL, NULL),
			 SQLITE_OK);
	/* Ids out of key order: the older row keeps the name. */
	v1_source(db, 3, b);
	v1_source(db, 5, c);
	v1_source(db, 9, a);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(DISTINCT "
					    "designation) FROM sources", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	sqlite3_close(db);

	assert_int_equal(archive_open(home, &ar), 0);
	codename_designation_n(b, 2, name);
	assert_reaches(ar, name, b);
	codename_designation_n(c, 2, name);
	assert_reaches(ar, name, c);
	codename_designation_n(a, 3, name);
	assert_reaches(ar, name, a);
	/* Rows, ids and what refers to them are kept. */
	assert_int_equal(archive_source_by_pk(ar, a, &id), 0);
	assert_int_equal(id, 9);
	assert_int_equal(archive_source_by_sub(ar, 3, &src, got), 0);
	assert_int_equal(src, 9);
	assert_memory_equal(got, a, 32);
	archive_close(ar);
	assert_int_equal(count("PRAGMA user_version"), 3);
	assert_int_equal(count("SELECT count(*) FROM submissions"), 3);
	assert_int_equal(count("SELECT count(DISTINCT designation) "
			       "FROM sources"), 3);
	assert_int_equal(count("SELECT count(*) FROM drops"), 0);
	/* The database itself now refuses a shared name. */
	assert_int_equal(archive_open(home, &ar), 0);
	st = archive_prepare(ar, "UPDATE sources SET designation = "
			     "(SELECT designation FROM sources WHERE id = 3) "
			     "WHERE id = 5");
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_CONSTRAINT);
	sqlite3_finalize(st);
	archive_close(ar);
}

struct seen {
	int n, stop_at;
	uint8_t id[4][8];
	uint32_t day[4];
	int64_t last[4];
};

static int on_drop(void *ctx, const uint8_t id[8], const uint8_t pk[32],
		   uint32_t day, int64_t last_day)
{
	struct seen *s = ctx;

	assert_true(s->n < 4);
	assert_memory_equal(pk + 1, id + 1, 7); /* the test's keys */
	memcpy(s->id[s->n], id, 8);
	s->day[s->n] = day;
	s->last[s->n] = last_day;
	return ++s->n == s->stop_at ? 7 : 0;
}

static void test_drops(void **state)
{
	uint8_t id1[8] = { 1, 'x', 'y' }, pk1[32] = { 0x10, 'x', 'y' };
	uint8_t id2[8] = { 2, 'p', 'q' }, pk2[32] = { 0x20, 'p', 'q' };
	uint8_t pk3[32] = { 0x30, 'x', 'y' };
	struct seen s;
	archive *ar;

	(void)state;
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_drop_pinned(ar, pk1), 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(archive_drops(ar, on_drop, &s), 0);
	assert_int_equal(s.n, 0);

	/* Pinned second, but by a later day: still listed second. */
	assert_int_equal(archive_drop_pin(ar, id2, pk2, 200), 0);
	assert_int_equal(archive_drop_pin(ar, id1, pk1, 100), 0);
	assert_int_equal(archive_drop_pinned(ar, pk1), 0);
	assert_int_equal(archive_drop_pinned(ar, pk2), 0);
	/* Again: a no-op, the first pin's day stays. */
	assert_int_equal(archive_drop_pin(ar, id1, pk1, 150), 0);
	/* Another key under a pinned id is refused. */
	assert_int_equal(archive_drop_pin(ar, id1, pk3, 150), -1);
	assert_int_equal(archive_drop_pinned(ar, pk3), 1);

	assert_int_equal(archive_drop_seen(ar, pk1, 300), 0);
	assert_int_equal(archive_drop_seen(ar, pk1, 301), 0);
	assert_int_equal(archive_drop_seen(ar, pk3, 301), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(archive_drops(ar, on_drop, &s), 0);
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.id[0], id2, 8);
	assert_int_equal(s.day[0], 200);
	assert_int_equal(s.last[0], -1);
	assert_memory_equal(s.id[1], id1, 8);
	assert_int_equal(s.day[1], 100);
	assert_int_equal(s.last[1], 301);

	/* A non-zero return stops the walk and comes back. */
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	assert_int_equal(archive_drops(ar, on_drop, &s), 7);
	assert_int_equal(s.n, 1);

	assert_int_equal(archive_drop_remove(ar, id2), 0);
	assert_int_equal(archive_drop_remove(ar, id2), 1);
	assert_int_equal(archive_drop_pinned(ar, pk2), 1);
	assert_int_equal(archive_drop_pinned(ar, pk1), 0);
	archive_close(ar);
	assert_int_equal(count("SELECT count(*) FROM drops"), 1);
}

static int setup(void **state)
{
	(void)state;
	if (crypt_init() != 0 || !mkdtemp(home))
		return -1;
	snprintf(bundle_path, sizeof(bundle_path), "%s/bundle", home);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	reset_archive();
	unlink(bundle_path);
	rmdir(home);
	return 0;
}

/* Writes buf as row seq of envelope env, over what is there. */
static void put_chunk(archive *ar, int64_t env, int64_t seq,
		      const uint8_t *buf, size_t len)
{
	sqlite3_stmt *st = archive_prepare(ar, "INSERT OR REPLACE INTO chunks "
					   "(envelope, seq, data) "
					   "VALUES (?, ?, ?)");

	assert_non_null(st);
	sqlite3_bind_int64(st, 1, env);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_blob(st, 3, buf, (int)len, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* What outbox acknowledges, the server deletes: archive_sub_verify must
 * open every envelope to its end, not stop at the headers. */
static void test_sub_verify(void **state)
{
	keys_secret *k = keys_generate(), *other = keys_generate();
	int64_t src, sub, e0, e1;
	uint8_t *env;
	size_t len, cut;
	archive *ar;
	int added;

	(void)state;
	assert_non_null(k);
	assert_non_null(other);
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, pk_s, 1, &added), 0);
	assert_int_equal(archive_source_by_pk(ar, pk_s, &src), 0);
	assert_int_equal(archive_sub_add(ar, uid1, src, 1, &sub), 0);
	/* No envelopes: nothing here vouches for the server's copy. */
	assert_int_equal(archive_sub_verify(ar, sub, k), CRYPT_EFORMAT);

	assert_int_equal(archive_seal_text(k->pub.box_pk, ENV_MESSAGE, "hi", 2,
					   &env, &len), 0);
	cut = len / 3;
	assert_true(cut > env_header_len(1));
	assert_int_equal(archive_env_add(ar, sub, 0, len, &e0), 0);
	put_chunk(ar, e0, 0, env, len);
	assert_int_equal(archive_env_add(ar, sub, 1, len, &e1), 0);
	put_chunk(ar, e1, 0, env, cut);
	put_chunk(ar, e1, 1, env + cut, len - cut);
	assert_int_equal(archive_sub_verify(ar, sub, k), 0);
	assert_int_equal(archive_sub_verify(ar, sub, other), CRYPT_ENOKEY);

	/* One payload byte of the second envelope: its headers still
	 * verify, the whole does not (the opener calls a last chunk that
	 * fails CRYPT_ETRUNC: it cannot tell a cut one from a changed one). */
	env[len - 100] ^= 1;
	put_chunk(ar, e1, 1, env + cut, len - cut);
	assert_int_equal(archive_sub_verify(ar, sub, k), CRYPT_ETRUNC);
	env[len - 100] ^= 1;
	put_chunk(ar, e1, 1, env + cut, len - cut);
	assert_int_equal(archive_sub_verify(ar, sub, k), 0);

	/* The last row a byte short: its FINAL chunk does not open. */
	put_chunk(ar, e1, 1, env + cut, len - cut - 1);
	assert_int_not_equal(archive_sub_verify(ar, sub, k), 0);

	free(env);
	archive_close(ar);
	keys_secret_free(k);
	keys_secret_free(other);
}

/* What a data callback saw: a running hash and a byte count; stop_at, if
 * not 0, is the count at which it asks the opener to stop. */
struct got_data {
	crypto_generichash_state h;
	size_t n, stop_at;
};

static int got_data_cb(void *ctx, const uint8_t *buf, size_t len)
{
	struct got_data *s = ctx;

	crypto_generichash_update(&s->h, buf, len);
	s->n += len;
	return s->stop_at && s->n >= s->stop_at ? -1 : 0;
}

/* Opens env, returning the opener's result; digest gets what it gave. */
static int open_hashed(archive *ar, int64_t env, const keys_secret *k,
		     size_t stop_at, uint8_t digest[32], size_t *n)
{
	struct got_data s = { .stop_at = stop_at };
	const env_open_cb cb = { NULL, got_data_cb, &s };
	int r;

	crypto_generichash_init(&s.h, NULL, 0, 32);
	r = archive_env_open(ar, env, k, &cb);
	crypto_generichash_final(&s.h, digest, 32);
	*n = s.n;
	return r;
}

/* An envelope of some MiB is read by a thread of its own, in pieces of
 * another size than its rows: what comes out must be exactly what went
 * in, whatever the rows' sizes (one of them empty), and a stop or a bad
 * row partway must end it cleanly, with the opener's own answer. */
static void test_read_ahead(void **state)
{
	static const size_t rows[] = { 1, 700001, 0, 262144, 1048576 + 17,
				       65553 };
	const size_t text_len = 3u << 20;
	keys_secret *k = keys_generate();
	uint8_t want[32], got[32], *text, *env;
	int64_t src, sub, e;
	size_t len, off = 0, last_off = 0, n;
	archive *ar;
	int added, seq = 0;

	(void)state;
	assert_non_null(k);
	text = malloc(text_len);
	assert_non_null(text);
	randombytes_buf(text, text_len);
	crypto_generichash(want, 32, text, text_len, NULL, 0);
	assert_int_equal(archive_seal_text(k->pub.box_pk, ENV_FILE,
					   (const char *)text, text_len, &env,
					   &len), 0);
	reset_archive();
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, pk_s, 1, &added), 0);
	assert_int_equal(archive_source_by_pk(ar, pk_s, &src), 0);
	assert_int_equal(archive_sub_add(ar, uid1, src, 1, &sub), 0);
	assert_int_equal(archive_env_add(ar, sub, 0, len, &e), 0);
	assert_true(archive_env_length(ar, e) == len);
	for (size_t i = 0; off < len; i++) {
		size_t take = i < sizeof(rows) / sizeof(*rows) ? rows[i] :
			      len - off;

		if (take > len - off)
			take = len - off;
		put_chunk(ar, e, seq++, env + off, take);
		last_off = off;
		off += take;
	}
	assert_true(len - last_off > 200000);

	assert_int_equal(open_hashed(ar, e, k, 0, got, &n), 0);
	assert_true(n == text_len);
	assert_memory_equal(got, want, 32);

	/* The callback stops it in the second MiB: the reader, ahead,
	 * must be told and the opener's answer kept. */
	assert_int_equal(open_hashed(ar, e, k, 1500000, got, &n), CRYPT_ESINK);
	assert_true(n >= 1500000 && n < text_len);

	/* A byte changed early in the last row: what came before it came
	 * out, then the opener refuses the chunk that holds it. */
	env[last_off + 100] ^= 1;
	put_chunk(ar, e, seq - 1, env + last_off, len - last_off);
	assert_int_equal(open_hashed(ar, e, k, 0, got, &n), CRYPT_EAUTH);
	assert_true(n > 0 && n < text_len);

	free(env);
	archive_close(ar);
	keys_secret_free(k);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_source_refused_whole),
		cmocka_unit_test(test_chunks_and_idempotence),
		cmocka_unit_test(test_receipt_marks_delivered),
		cmocka_unit_test(test_reply_status),
		cmocka_unit_test(test_reply_unqueue),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_colliding_designations),
		cmocka_unit_test(test_designation_lengthens_to_refusal),
		cmocka_unit_test(test_migrate_v1_collision),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_sub_verify),
		cmocka_unit_test(test_read_ahead),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
