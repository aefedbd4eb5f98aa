/*
 * test_drop_chunks.c - chunks.db: pieces written once, in order, by uid;
 * lost transactions counted; deletions leave nothing in the file or its
 * journal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "chunks.h"

static char dir[4096];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");
	(void)state;
	snprintf(dir, sizeof(dir), "%s/chunks.XXXXXX", t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char p[4200];
	(void)state;
	snprintf(p, sizeof(p), "%s/chunks.db", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/chunks.db-journal", dir);
	unlink(p);
	return rmdir(dir);
}

/* Collects what chunks_read gives. */
struct sink {
	uint8_t buf[1 << 20];
	size_t len;
};

static int take(void *ctx, const uint8_t *p, size_t n)
{
	struct sink *k = ctx;
	if (k->len + n > sizeof(k->buf))
		return -1;
	memcpy(k->buf + k->len, p, n);
	k->len += n;
	return 0;
}

struct lens {
	int n, env[4];
	int64_t len[4];
};

static int got_len(void *ctx, int env, int64_t len)
{
	struct lens *l = ctx;
	if (l->n == 4)
		return -1;
	l->env[l->n] = env;
	l->len[l->n++] = len;
	return 0;
}

static int count_uid(void *ctx, const uint8_t uid[BUNDLE_ID])
{
	(void)uid;
	++*(int *)ctx;
	return 0;
}

/* Whether the file holds the 32 bytes of pat anywhere. */
static int file_has(const char *name, const uint8_t *pat)
{
	char p[4200];
	static uint8_t b[4 << 20];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	if (!f)
		return 0;
	size_t n = fread(b, 1, sizeof(b), f);
	fclose(f);
	for (size_t i = 0; i + 32 <= n; i++)
		if (!memcmp(b + i, pat, 32))
			return 1;
	return 0;
}

static void test_in_order_by_uid(void **state)
{
	uint8_t a[BUNDLE_ID], b[BUNDLE_ID], data[3][1000];
	static struct sink k;
	struct lens l = { 0 };
	uint64_t total;
	int n = 0;
	(void)state;
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	for (int i = 0; i < 3; i++)
		memset(data[i], 'x' + i, sizeof(data[i]));
	chunks *c = chunks_open(dir);
	assert_non_null(c);
	assert_false(chunks_pending(c));
	/* Out of order on purpose: seq, not insertion, is the order. */
	assert_int_equal(chunks_add(c, a, 0, 1, data[1], 1000), 0);
	assert_true(chunks_pending(c));
	assert_int_equal(chunks_add(c, a, 0, 0, data[0], 1000), 0);
	assert_int_equal(chunks_add(c, a, 1, 0, data[2], 500), 0);
	assert_int_equal(chunks_add(c, b, 0, 0, data[2], 1000), 0);
	/* The same piece twice is refused, and loses the transaction. */
	assert_int_equal(chunks_add(c, b, 0, 0, data[2], 1000), -1);
	assert_false(chunks_pending(c));
	assert_int_equal(chunks_lost(c), 1);
	assert_int_equal(chunks_uids(c, count_uid, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(chunks_add(c, a, 0, 1, data[1], 1000), 0);
	assert_int_equal(chunks_add(c, a, 0, 0, data[0], 1000), 0);
	assert_int_equal(chunks_add(c, a, 1, 0, data[2], 500), 0);
	assert_int_equal(chunks_add(c, b, 0, 0, data[2], 1000), 0);
	/* Its own transaction sees its rows. */
	assert_int_equal(chunks_lengths(c, a, got_len, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.env[0], 0);
	assert_int_equal(l.len[0], 2000);
	assert_int_equal(l.env[1], 1);
	assert_int_equal(l.len[1], 500);
	assert_int_equal(chunks_commit(c), 0);
	assert_false(chunks_pending(c));
	assert_int_equal(chunks_commit(c), 0); /* nothing open */
	assert_int_equal(chunks_lost(c), 1);
	chunks_close(c);

	/* Another connection reads what was committed, in order. */
	c = chunks_open(dir);
	assert_non_null(c);
	assert_int_equal(chunks_read(c, a, 0, take, &k, &total), 0);
	assert_int_equal(total, 2000);
	assert_int_equal(k.len, 2000);
	assert_memory_equal(k.buf, data[0], 1000);
	assert_memory_equal(k.buf + 1000, data[1], 1000);
	k.len = 0;
	assert_int_equal(chunks_read(c, b, 1, take, &k, &total), 0);
	assert_int_equal(total, 0);
	n = 0;
	assert_int_equal(chunks_uids(c, count_uid, &n), 0);
	assert_int_equal(n, 2);

	/* One envelope, then the rest. */
	assert_int_equal(chunks_forget(c, (const uint8_t (*)[BUNDLE_ID])a, 1,
				       1), 0);
	assert_int_equal(chunks_read(c, a, 1, take, &k, &total), 0);
	assert_int_equal(total, 0);
	assert_int_equal(chunks_read(c, a, 0, take, &k, &total), 0);
	assert_int_equal(total, 2000);
	uint8_t both[2][BUNDLE_ID];
	memcpy(both[0], a, BUNDLE_ID);
	memcpy(both[1], b, BUNDLE_ID);
	assert_int_equal(chunks_forget(c, (const uint8_t (*)[BUNDLE_ID])both,
				       2, -1), 0);
	n = 0;
	assert_int_equal(chunks_uids(c, count_uid, &n), 0);
	assert_int_equal(n, 0);
	chunks_close(c);
}

/* What an uncommitted transaction wrote is gone when it is rolled back
 * or its connection closes (a crash before the commit). */
static void test_rollback(void **state)
{
	uint8_t a[BUNDLE_ID], data[100] = { 7 };
	int n = 0;
	(void)state;
	memset(a, 3, sizeof(a));
	chunks *c = chunks_open(dir), *d = chunks_open(dir);
	assert_non_null(c);
	assert_non_null(d);
	assert_int_equal(chunks_add(c, a, 0, 0, data, sizeof(data)), 0);
	chunks_rollback(c);
	assert_int_equal(chunks_lost(c), 1);
	chunks_rollback(c); /* nothing open: no loss */
	assert_int_equal(chunks_lost(c), 1);
	assert_int_equal(chunks_add(c, a, 0, 0, data, sizeof(data)), 0);
	chunks_close(c);
	assert_int_equal(chunks_uids(d, count_uid, &n), 0);
	assert_int_equal(n, 0);
	chunks_close(d);
}

/* secure_delete zeroes the freed pages, and what the journal held of
 * them is zeroed too: a deleted piece is in neither file. */
static void test_forget_leaves_nothing(void **state)
{
	uint8_t a[BUNDLE_ID], pat[32];
	static uint8_t piece[256 << 10];
	(void)state;
	memset(a, 4, sizeof(a));
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(0xa5 ^ (i * 37));
	for (size_t off = 0; off + 32 <= sizeof(piece); off += 32)
		memcpy(piece + off, pat, 32);
	chunks *c = chunks_open(dir);
	assert_non_null(c);
	for (int seq = 0; seq < 8; seq++)
		assert_int_equal(chunks_add(c, a, 0, seq, piece,
					    sizeof(piece)), 0);
	assert_int_equal(chunks_commit(c), 0);
	assert_true(file_has("chunks.db", pat));
	assert_int_equal(chunks_forget(c, (const uint8_t (*)[BUNDLE_ID])a, 1,
				       -1), 0);
	assert_false(file_has("chunks.db", pat));
	assert_false(file_has("chunks.db-journal", pat));
	chunks_close(c);

	char p[4200];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/chunks.db", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order_by_uid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_leaves_nothing,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
