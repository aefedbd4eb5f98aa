/*
 * test_admin_contents.c - what list and read learn by opening a
 * submission: plaintext sizes, files and their safe names, the state of
 * a submission to a key; sizes for people.
 */
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
#include "contents.h"
#include "crypt.h"
#include "envelope.h"

static char home[] = "/tmp/test_admin_contents.XXXXXX";
static const uint8_t pk_s[32] = { 7 };

static void test_size(void **state)
{
	static const struct {
		uint64_t n;
		const char *s;
	} cases[] = {
		{ 0, "0 B" },
		{ 999, "999 B" },
		{ 1000, "1.0 KB" },
		{ 1500, "1.5 KB" },
		{ 1549, "1.5 KB" },
		{ 1550, "1.6 KB" },
		{ 9949, "9.9 KB" },
		{ 9950, "10 KB" },
		{ 150000, "150 KB" },
		{ 999499, "999 KB" },
		{ 999500, "1.0 MB" },
		{ 2300200, "2.3 MB" },
		{ 4999999999ull, "5.0 GB" },
		{ UINT64_MAX, "18 EB" },
	};
	char out[CONTENTS_SIZE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(contents_size(cases[i].n, out),
				    cases[i].s);
	/* As a column: every one as wide, the units in line. */
	assert_string_equal(contents_size_field(1500, 1, out), "  1.5 KB");
	assert_string_equal(contents_size_field(999, 1, out), "  999 B ");
	assert_string_equal(contents_size_field(150000, 1, out), "  150 KB");
	assert_string_equal(contents_size_field(1500, 0, out), "    ?   ");
	assert_int_equal(strlen(contents_size_field(UINT64_MAX, 1, out)),
			 CONTENTS_FIELD_WIDTH);
}

struct membuf {
	uint8_t *p;
	size_t len;
};

static int to_mem(void *ctx, const uint8_t *buf, size_t len)
{
	struct membuf *m = ctx;

	m->p = realloc(m->p, m->len + len);
	assert_non_null(m->p);
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* Seals len bytes of c as a file named name to pk. */
static struct membuf seal_file(const uint8_t pk[32], const char *name,
			       size_t len, char c)
{
	const uint8_t (*pks)[32] = (const uint8_t (*)[32])pk;
	struct membuf m = { NULL, 0 };
	uint8_t *body = malloc(len);
	env_meta meta;
	env_sealer *s;

	assert_non_null(body);
	memset(body, c, len);
	memset(&meta, 0, sizeof(meta));
	meta.kind = ENV_FILE;
	snprintf(meta.name, sizeof(meta.name), "%s", name);
	assert_int_equal(env_seal_begin(&s, pks, 1, &meta, to_mem, &m), 0);
	assert_int_equal(env_seal_push(s, body, len), 0);
	assert_int_equal(env_seal_finish(s, NULL), 0);
	free(body);
	return m;
}

/* Stores env as envelope number idx of sub, in two chunk rows. */
static int64_t store(archive *ar, int64_t sub, unsigned idx,
		     const uint8_t *env, size_t len)
{
	int64_t id;

	assert_int_equal(archive_env_add(ar, sub, idx, len, &id), 0);
	assert_int_equal(archive_chunk_add(ar, id, 0, env, len / 2), 0);
	assert_int_equal(archive_chunk_add(ar, id, 1, env + len / 2,
					   len - len / 2), 0);
	return id;
}

static void test_scan(void **state)
{
	keys_secret *k = keys_generate(), *other = keys_generate();
	uint8_t uid1[BUNDLE_ID] = { 1 }, uid2[BUNDLE_ID] = { 2 };
	struct membuf f1, f2;
	struct contents c;
	int64_t src, sub, empty, e2;
	uint8_t *msg;
	size_t msglen;
	archive *ar;
	int added;

	(void)state;
	assert_non_null(k);
	assert_non_null(other);
	assert_int_equal(archive_open(home, &ar), 0);
	assert_int_equal(archive_source_add(ar, pk_s, 1, &added), 0);
	assert_int_equal(archive_source_by_pk(ar, pk_s, &src), 0);
	assert_int_equal(archive_sub_add(ar, uid1, src, 1, &sub), 0);
	assert_int_equal(archive_sub_add(ar, uid2, src, 1, &empty), 0);
	assert_int_equal(archive_seal_text(k->pub.box_pk, ENV_MESSAGE,
					   "hello", 5, &msg, &msglen), 0);
	store(ar, sub, 0, msg, msglen);
	/* Bigger than a chunk of the stream, with a name to clean. */
	f1 = seal_file(k->pub.box_pk, "../.hidden\033[2Jname.pdf", 70000, 'a');
	store(ar, sub, 1, f1.p, f1.len);
	f2 = seal_file(k->pub.box_pk, "b.txt", 3, 'b');
	e2 = store(ar, sub, 2, f2.p, f2.len);

	assert_int_equal(contents_scan(ar, sub, k, 0, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.nfiles, 2);
	assert_int_equal(c.message, 0);
	assert_true(c.bytes == 5 + 70000 + 3);
	assert_true(c.env[0].whole && c.env[0].size == 5);
	assert_int_equal(c.env[0].kind, ENV_MESSAGE);
	assert_string_equal(c.env[0].name, "");
	assert_true(c.env[1].size == 70000);
	assert_string_equal(c.env[1].name, "hidden_[2Jname.pdf");
	assert_string_equal(c.env[2].name, "b.txt");
	assert_int_equal(c.env[2].id, e2);
	assert_int_equal(contents_state(&c), CONTENTS_OK);
	contents_free(&c);
	assert_null(c.env);
	assert_int_equal(c.message, -1);

	/* The message stopped at its record; then everything. */
	assert_int_equal(contents_scan(ar, sub, k, CONTENTS_SKIP_MESSAGE, &c),
			 0);
	assert_true(c.env[0].rc == 0 && !c.env[0].whole && c.env[0].size == 0);
	assert_true(c.env[1].whole && c.bytes == 70003);
	contents_free(&c);
	assert_int_equal(contents_scan(ar, sub, k, CONTENTS_SKIP_MESSAGE |
				       CONTENTS_RECORDS_ONLY, &c), 0);
	assert_int_equal(c.nfiles, 2);
	assert_true(c.bytes == 0 && !c.env[1].whole && c.env[1].rc == 0);
	assert_string_equal(c.env[2].name, "b.txt");
	assert_int_equal(contents_state(&c), CONTENTS_OK);
	contents_free(&c);

	/* Another key opens none of it. */
	assert_int_equal(contents_scan(ar, sub, other, 0, &c), 0);
	assert_int_equal(c.nokey, 3);
	assert_int_equal(c.nfiles, 0);
	assert_int_equal(c.message, -1);
	assert_true(c.bytes == 0);
	assert_int_equal(contents_state(&c), CONTENTS_OTHER_KEY);
	contents_free(&c);

	/* No envelopes at all is no submission this archive holds. */
	assert_int_equal(contents_scan(ar, empty, k, 0, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(contents_state(&c), CONTENTS_DAMAGED);
	contents_free(&c);

	/* The last byte of the first file changed: it was read to its
	 * record, counted, and then failed, so its size is not given; the
	 * rest still opens. */
	f1.p[f1.len - 1] ^= 1;
	{
		sqlite3_stmt *st = archive_prepare(ar, "UPDATE chunks SET "
						   "data = ? WHERE seq = 1 AND "
						   "envelope = (SELECT id FROM "
						   "envelopes WHERE idx = 1)");

		assert_non_null(st);
		sqlite3_bind_blob(st, 1, f1.p + f1.len / 2,
				  (int)(f1.len - f1.len / 2), SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	assert_int_equal(contents_scan(ar, sub, k, 0, &c), 0);
	assert_int_equal(c.nfailed, 1);
	assert_int_not_equal(c.env[1].rc, 0);
	assert_int_equal(c.env[1].kind, ENV_FILE);
	assert_true(!c.env[1].whole && c.env[1].size == 0);
	assert_true(c.bytes == 5 + 3);
	assert_int_equal(contents_state(&c), CONTENTS_DAMAGED);
	contents_free(&c);

	free(msg);
	free(f1.p);
	free(f2.p);
	archive_close(ar);
	keys_secret_free(k);
	keys_secret_free(other);
}

static int setup(void **state)
{
	(void)state;
	return crypt_init() != 0 || !mkdtemp(home) ? -1 : 0;
}

static int teardown(void **state)
{
	static const char *const files[] = { "archive.db", "archive.db-wal",
					     "archive.db-shm" };
	char path[300];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", home, files[i]);
		unlink(path);
	}
	rmdir(home);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
