/*
 * test_admin_archive.c - import into the archive: all or nothing, chunked
 * storage, idempotence, receipts.
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
#include "crypt.h"

static char home[] = "/tmp/test_admin_archive.XXXXXX";
static char bundle_path[300];
static const struct admin_cmd import_cmd = { "import", cmd_import, "BUNDLE",
					     0, "" };

static const uint8_t pk_s[32] = { 1 }, pk_t[32] = { 2 };
static const uint8_t uid1[BUNDLE_ID] = { 1 }, uid2[BUNDLE_ID] = { 2 };

static int import(void)
{
	struct admin a = { 0 };
	char *argv[] = { bundle_path };

	a.home = home;
	a.cmd = &import_cmd;
	return cmd_import(&a, 1, argv);
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
	assert_int_equal(bundle_export_begin(&b, *fd), 0);
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
	assert_int_equal(archive_reply_add(ar, rid, src, env, sizeof(env)), 0);
	archive_close(ar);
	assert_int_equal(count("SELECT delivered FROM replies"), 0);

	b = start(&fd);
	assert_int_equal(bundle_export_receipt(b, rid), 0);
	finish(b, fd);
	assert_int_equal(import(), ADM_OK);
	assert_int_equal(count("SELECT delivered FROM replies"), 1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_source_refused_whole),
		cmocka_unit_test(test_chunks_and_idempotence),
		cmocka_unit_test(test_receipt_marks_delivered),
		cmocka_unit_test(test_truncated_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
