/*
 * test_drop_sess.c - the session table: tokens, login, eviction, expiry.
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
	assert_int_equal(sess_init(MAX, 60), 0);
	assert_int_equal(sess_open(NULL, 0, &a), SESS_ENONE);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	assert_true(a.fresh);
	assert_int_equal(strlen(a.csrf), 64);
	assert_int_equal(a.source_id, 0);
	assert_int_equal(sess_open(a.token, 0, &b), 0);
	assert_false(b.fresh);
	assert_string_equal(a.csrf, b.csrf);
	assert_int_equal(sess_keys(a.token, &got), SESS_ENONE);

	memset(&k, 7, sizeof(k));
	assert_int_equal(sess_login(a.token, 42, &k, &b), 0);
	assert_true(b.fresh);
	assert_int_equal(b.source_id, 42);
	/* New token and new CSRF token: the old ones are worthless. */
	assert_memory_not_equal(a.token, b.token, SESS_TOKEN);
	assert_string_not_equal(a.csrf, b.csrf);
	assert_int_equal(sess_open(a.token, 0, &c), SESS_ENONE);
	assert_int_equal(sess_keys(b.token, &got), 0);
	assert_memory_equal(got.reply_sk, k.reply_sk, 32);
	/* The lookup hash is not kept. */
	uint8_t zero[32] = { 0 };
	assert_memory_equal(got.lookup, zero, 32);

	sess_set_lang(b.token, "kk");
	assert_int_equal(sess_open(b.token, 0, &c), 0);
	assert_string_equal(c.lang, "kk");
	sess_set_lang(b.token, "a-language-code-far-too-long");
	assert_int_equal(sess_open(b.token, 0, &c), 0);
	assert_string_equal(c.lang, "kk");

	sess_end(b.token);
	assert_int_equal(sess_open(b.token, 0, &c), SESS_ENONE);
	assert_int_equal(sess_keys(b.token, &got), SESS_ENONE);
	sess_shutdown();
}

static void test_bounded(void **state)
{
	sess_view v[MAX + 2], in, x;
	codename_keys k;
	(void)state;
	memset(&k, 1, sizeof(k));
	assert_int_equal(sess_init(MAX, 60), 0);
	for (int i = 0; i < MAX; i++)
		assert_int_equal(sess_open(NULL, 1, &v[i]), 0);
	/* One logged in; the oldest anonymous one makes way. */
	assert_int_equal(sess_login(v[0].token, 1, &k, &in), 0);
	assert_int_equal(sess_open(NULL, 1, &v[MAX]), 0);
	assert_int_equal(sess_open(v[1].token, 0, &x), SESS_ENONE);
	assert_int_equal(sess_open(in.token, 0, &x), 0);
	/* All logged in: no room, nobody evicted. */
	for (int i = 2; i < MAX; i++)
		assert_int_equal(sess_login(v[i].token, i, &k, &x), 0);
	assert_int_equal(sess_login(v[MAX].token, 9, &k, &x), 0);
	assert_int_equal(sess_open(NULL, 1, &v[MAX + 1]), SESS_EFULL);
	assert_int_equal(sess_sweep(), MAX);
	sess_shutdown();
}

static void test_expiry(void **state)
{
	sess_view a, b;
	(void)state;
	assert_int_equal(sess_init(MAX, 1), 0);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	assert_int_equal(sess_sweep(), 1);
	sleep(2);
	assert_int_equal(sess_open(a.token, 0, &b), SESS_ENONE);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	sleep(2);
	assert_int_equal(sess_sweep(), 0);
	sess_shutdown();
}

/* The table is sodium_malloc memory, locked where the limit allows: the
 * largest max_sessions the config takes still works under a small
 * RLIMIT_MEMLOCK, and a table freed and made again starts empty. */
static void test_largest_table(void **state)
{
	struct rlimit was, small;
	sess_view a, b;
	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &was), 0);
	small = was;
	if (small.rlim_cur > 64 << 10)
		small.rlim_cur = 64 << 10;
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &small), 0);
	assert_int_equal(sess_init(100000, 60), 0);
	assert_int_equal(sess_open(NULL, 1, &a), 0);
	assert_int_equal(sess_open(a.token, 0, &b), 0);
	assert_string_equal(a.csrf, b.csrf);
	assert_int_equal(sess_sweep(), 1);
	sess_shutdown();
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &was), 0);
	assert_int_equal(sess_init(MAX, 60), 0);
	assert_int_equal(sess_sweep(), 0);
	assert_int_equal(sess_open(a.token, 0, &b), SESS_ENONE);
	sess_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_login_end),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_largest_table),
	};
	if (crypt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
