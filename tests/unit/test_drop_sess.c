/*
 * test_drop_sess.c - sessions: tickets, login, bounds, expiry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "codename.h"
#include "crypt.h"
#include "sess.h"

#define MAX 4

static void test_open_login_end(void **state)
{
	sess_view a, b, c;
	codename_keys k, got;
	(void)state;
	assert_int_equal(sess_init(MAX, 60, 2), 0);
	assert_int_equal(sess_open(NULL, 0, &a), SESS_ENONE);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	assert_true(a.fresh);
	assert_true(a.anon);
	assert_int_equal(strlen(a.csrf), 64);
	assert_int_equal(a.source_id, 0);
	assert_int_equal(sess_open(a.token, 0, &b), 0);
	assert_false(b.fresh);
	assert_string_equal(a.csrf, b.csrf);
	assert_int_equal(sess_keys(a.token, &got), SESS_ENONE);
	/* A ticket takes no slot. */
	assert_int_equal(sess_sweep(), 0);

	/* The language choice lives in the ticket; the form's CSRF token
	 * survives it. */
	sess_set_lang(&b, "kk");
	assert_true(b.fresh);
	assert_string_equal(b.lang, "kk");
	assert_string_equal(b.csrf, a.csrf);
	assert_int_equal(sess_open(b.token, 0, &c), 0);
	assert_string_equal(c.lang, "kk");
	sess_set_lang(&b, "kk-Arab");
	assert_int_equal(sess_open(b.token, 0, &c), 0);
	assert_string_equal(c.lang, "kk-Arab");
	assert_string_equal(c.csrf, a.csrf);

	memset(&k, 7, sizeof(k));
	assert_int_equal(sess_login(c.token, 42, &k, &c), 0);
	assert_true(c.fresh);
	assert_false(c.anon);
	assert_int_equal(c.source_id, 42);
	assert_string_equal(c.lang, "kk-Arab");
	/* New token and new CSRF token: the old ones are worthless. */
	assert_memory_not_equal(a.token, c.token, SESS_TOKEN);
	assert_string_not_equal(a.csrf, c.csrf);
	assert_int_equal(sess_keys(c.token, &got), 0);
	assert_memory_equal(got.reply_sk, k.reply_sk, 32);
	/* The lookup hash is not kept. */
	uint8_t zero[32] = { 0 };
	assert_memory_equal(got.lookup, zero, 32);

	sess_set_lang(&c, "ru");
	assert_int_equal(sess_open(c.token, 0, &b), 0);
	assert_string_equal(b.lang, "ru");
	sess_set_lang(&c, "a-language-code-far-too-long");
	assert_int_equal(sess_open(c.token, 0, &b), 0);
	assert_string_equal(b.lang, "ru");

	sess_end(c.token);
	assert_int_equal(sess_open(c.token, 0, &b), SESS_ENONE);
	assert_int_equal(sess_keys(c.token, &got), SESS_ENONE);
	sess_shutdown();
}

/* A forged or altered ticket is no session. */
static void test_tickets_forged(void **state)
{
	sess_view a, b;
	(void)state;
	assert_int_equal(sess_init(MAX, 60, 2), 0);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	for (int i = 0; i < SESS_TOKEN; i++) {
		uint8_t t[SESS_TOKEN];
		memcpy(t, a.token, SESS_TOKEN);
		t[i] ^= 0x01;
		assert_int_equal(sess_open(t, 0, &b), SESS_ENONE);
	}
	uint8_t zero[SESS_TOKEN] = { 0 };
	assert_int_equal(sess_open(zero, 0, &b), SESS_ENONE);
	sess_shutdown();
	/* A restart makes every ticket worthless. */
	assert_int_equal(sess_init(MAX, 60, 2), 0);
	assert_int_equal(sess_open(a.token, 0, &b), SESS_ENONE);
	sess_shutdown();
}

static void test_bounded(void **state)
{
	sess_view v[MAX + 2], x, y;
	codename_keys k;
	(void)state;
	memset(&k, 1, sizeof(k));
	assert_int_equal(sess_init(MAX, 60, 2), 0);
	/* Any number of visitors: none takes a slot, none is refused. */
	for (int i = 0; i < 10000; i++)
		assert_int_equal(sess_open(NULL, 1, &x), 0);
	for (int i = 0; i < MAX + 2; i++)
		assert_int_equal(sess_open(NULL, 1, &v[i]), 0);
	assert_int_equal(sess_sweep(), 0);
	/* Logins fill the table; a full one refuses the next login and
	 * evicts nobody. */
	for (int i = 0; i < MAX; i++)
		assert_int_equal(sess_login(v[i].token, i + 1, &k, &v[i]), 0);
	assert_int_equal(sess_login(v[MAX].token, 99, &k, &x), SESS_EFULL);
	for (int i = 0; i < MAX; i++)
		assert_int_equal(sess_open(v[i].token, 0, &y), 0);
	/* Still no ticket is refused. */
	assert_int_equal(sess_open(NULL, 1, &y), 0);
	assert_int_equal(sess_sweep(), MAX);
	sess_shutdown();
}

/* One source logged in again and again keeps per_source sessions: each
 * new login ends its oldest, and no one else's. */
static void test_per_source(void **state)
{
	sess_view other, v[6], t;
	codename_keys k;
	(void)state;
	memset(&k, 2, sizeof(k));
	assert_int_equal(sess_init(MAX, 60, 2), 0);
	assert_int_equal(sess_open(NULL, 1, &other), 0);
	assert_int_equal(sess_login(other.token, 7, &k, &other), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(sess_open(NULL, 1, &v[i]), 0);
		assert_int_equal(sess_login(v[i].token, 5, &k, &v[i]), 0);
	}
	assert_int_equal(sess_sweep(), 3);
	assert_int_equal(sess_open(other.token, 0, &t), 0);
	assert_int_equal(sess_open(v[5].token, 0, &t), 0);
	assert_int_equal(sess_open(v[4].token, 0, &t), 0);
	assert_int_equal(sess_open(v[3].token, 0, &t), SESS_ENONE);
	assert_int_equal(sess_open(v[0].token, 0, &t), SESS_ENONE);
	sess_shutdown();
}

static void test_expiry(void **state)
{
	sess_view a, b;
	codename_keys k;
	(void)state;
	memset(&k, 3, sizeof(k));
	assert_int_equal(sess_init(MAX, 1, 2), 0);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	sleep(2);
	/* An idle ticket is refused, and cannot log in. */
	assert_int_equal(sess_open(a.token, 0, &b), SESS_ENONE);
	assert_int_equal(sess_login(a.token, 1, &k, &b), SESS_ENONE);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	assert_int_equal(sess_login(a.token, 1, &k, &a), 0);
	assert_int_equal(sess_sweep(), 1);
	sleep(2);
	assert_int_equal(sess_sweep(), 0);
	sess_shutdown();
}

/* Sessions are found through buckets of a keyed hash: with as many
 * sessions as buckets, many share one, and each token still finds its
 * own session, and only it, through logins, re-logins and ends. */
#define MANY 256

/* Logs in every step-th of v, from the first, as source i + 1. */
static void login_every(sess_view *v, int step, const codename_keys *k)
{
	for (int i = 0; i < MANY; i += step) {
		assert_int_equal(sess_open(NULL, 1, &v[i]), 0);
		assert_int_equal(sess_login(v[i].token, i + 1, k, &v[i]), 0);
	}
}

/* Each of v finds its own source, but every ended-th (none if 0). */
static void check_found(const sess_view *v, int ended)
{
	sess_view t;
	for (int i = 0; i < MANY; i++) {
		int r = sess_open(v[i].token, 0, &t);
		if (ended && i % ended == 0) {
			assert_int_equal(r, SESS_ENONE);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(t.source_id, i + 1);
		assert_string_equal(t.csrf, v[i].csrf);
	}
}

static void test_buckets(void **state)
{
	static sess_view v[MANY];
	sess_view t, again;
	codename_keys k;
	(void)state;
	memset(&k, 5, sizeof(k));
	assert_int_equal(sess_init(MANY, 60, 1), 0);
	login_every(v, 1, &k);
	assert_int_equal(sess_sweep(), MANY);
	check_found(v, 0);
	for (int i = 0; i < MANY; i += 3)
		sess_end(v[i].token);
	/* A logged-in session logged in again gets new tokens: the old
	 * token finds nothing, the new one the same source. */
	for (int i = 1; i < MANY; i += 3) {
		memcpy(&again, &v[i], sizeof(again));
		assert_int_equal(sess_login(v[i].token, i + 1, &k, &v[i]), 0);
		assert_int_equal(sess_open(again.token, 0, &t), SESS_ENONE);
	}
	check_found(v, 3);
	/* The slots ended are free again, and found again. */
	login_every(v, 3, &k);
	assert_int_equal(sess_sweep(), MANY);
	check_found(v, 0);
	sess_shutdown();
}

/* The table is sodium_malloc memory, locked where the limit allows: the
 * largest max_sessions the config takes still works under a small
 * RLIMIT_MEMLOCK, and a table freed and made again starts empty. */
static void test_largest_table(void **state)
{
	struct rlimit was, small;
	sess_view a, b;
	codename_keys k;
	(void)state;
	memset(&k, 4, sizeof(k));
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &was), 0);
	small = was;
	if (small.rlim_cur > 64 << 10)
		small.rlim_cur = 64 << 10;
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &small), 0);
	assert_int_equal(sess_init(100000, 60, 3), 0);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	assert_int_equal(sess_login(a.token, 1, &k, &a), 0);
	assert_int_equal(sess_open(a.token, 0, &b), 0);
	assert_string_equal(a.csrf, b.csrf);
	assert_int_equal(sess_sweep(), 1);
	sess_shutdown();
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &was), 0);
	assert_int_equal(sess_init(MAX, 60, 3), 0);
	assert_int_equal(sess_sweep(), 0);
	assert_int_equal(sess_open(a.token, 0, &b), SESS_ENONE);
	sess_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_login_end),
		cmocka_unit_test(test_tickets_forged),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_per_source),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_largest_table),
	};
	if (crypt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
