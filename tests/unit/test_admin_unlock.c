/*
 * test_admin_unlock.c - passphrase files and the argument helpers.
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

#include "cli.h"
#include "crypt.h"
#include "unlock.h"

static void line_is(const char *buf, size_t len, int want_rc,
		    size_t want_len)
{
	size_t n = 12345;

	assert_int_equal(unlock_parse_line(buf, len, &n), want_rc);
	if (want_rc == 0)
		assert_int_equal(n, want_len);
}

static void test_parse_line(void **state)
{
	char big[UNLOCK_PASS_MAX + 2];

	(void)state;
	line_is("secret\n", 7, 0, 6);
	line_is("secret\r\n", 8, 0, 6);
	line_is("secret", 6, 0, 6);          /* no final newline */
	line_is("one two\nsecond line\n", 20, 0, 7);
	line_is(" spaced \n", 9, 0, 8);      /* spaces are the passphrase's */
	line_is("\n", 1, -1, 0);
	line_is("\r\n", 2, -1, 0);
	line_is("", 0, -1, 0);
	line_is("\nsecret\n", 8, -1, 0);     /* only the first line counts */
	line_is("a\rb\n", 4, 0, 3);          /* a lone CR inside is kept */

	memset(big, 'x', sizeof(big));
	line_is(big, UNLOCK_PASS_MAX, 0, UNLOCK_PASS_MAX);
	line_is(big, UNLOCK_PASS_MAX + 1, -2, 0);
	big[UNLOCK_PASS_MAX] = '\n';
	line_is(big, UNLOCK_PASS_MAX + 1, 0, UNLOCK_PASS_MAX);
}

static char tmpdir[] = "/tmp/test_admin_unlock.XXXXXX";

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const struct admin_cmd dummy = { "test", NULL, "", 1, "", 0 };

static void test_pass_from_file(void **state)
{
	char path[256], *pass;
	struct admin a = { 0 };
	size_t len;

	(void)state;
	a.cmd = &dummy;
	a.passfile = path;
	snprintf(path, sizeof(path), "%s/pp", tmpdir);

	write_file(path, "correct horse\r\nignored\n", 23);
	assert_int_equal(unlock_pass(&a, "p: ", 0, &pass, &len), ADM_OK);
	assert_int_equal(len, 13);
	assert_string_equal(pass, "correct horse");
	unlock_pass_free(pass);

	write_file(path, "\n", 1);
	assert_int_equal(unlock_pass(&a, "p: ", 0, &pass, &len), ADM_ERR);
	assert_null(pass);

	/* Over the file cap: refused before any line is looked at. */
	{
		size_t n = UNLOCK_FILE_MAX + 1;
		char *big = malloc(n);

		assert_non_null(big);
		memset(big, 'y', n);
		write_file(path, big, n);
		free(big);
	}
	assert_int_equal(unlock_pass(&a, "p: ", 0, &pass, &len), ADM_ERR);

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(unlock_pass(&a, "p: ", 0, &pass, &len), ADM_ERR);
}

static void test_cli_id(void **state)
{
	int64_t id;

	(void)state;
	assert_int_equal(cli_id(NULL, "1", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(cli_id(NULL, "42", &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(cli_id(NULL, "0", &id), -1);
	assert_int_equal(cli_id(NULL, "-3", &id), -1);
	assert_int_equal(cli_id(NULL, "+3", &id), -1);
	assert_int_equal(cli_id(NULL, " 3", &id), -1);
	assert_int_equal(cli_id(NULL, "3x", &id), -1);
	assert_int_equal(cli_id(NULL, "", &id), -1);
	assert_int_equal(cli_id(NULL, "99999999999999999999", &id), -1);
}

static void test_cli_args(void **state)
{
	const char *to = NULL;
	int force = 0;
	char *pos[2];
	struct admin a = { 0 };
	const struct cli_opt opts[] = {
		{ "--to", &to, NULL },
		{ "--force", NULL, &force },
		{ NULL, NULL, NULL },
	};
	char *v1[] = { "7", "--to", "out", "--force" };
	char *v2[] = { "--to=dir", "--", "--force" };
	char *v3[] = { "--bogus" };
	char *v4[] = { "--to" };
	char *v5[] = { "a", "b", "c" };

	(void)state;
	a.cmd = &dummy;
	assert_int_equal(cli_args(&a, 4, v1, opts, pos, 1, 1), 1);
	assert_string_equal(pos[0], "7");
	assert_string_equal(to, "out");
	assert_int_equal(force, 1);
	force = 0;
	assert_int_equal(cli_args(&a, 3, v2, opts, pos, 1, 1), 1);
	assert_string_equal(to, "dir");
	assert_string_equal(pos[0], "--force");
	assert_int_equal(force, 0);
	assert_int_equal(cli_args(&a, 1, v3, opts, pos, 0, 1), -1);
	assert_int_equal(cli_args(&a, 1, v4, opts, pos, 0, 1), -1);
	assert_int_equal(cli_args(&a, 3, v5, opts, pos, 0, 2), -1);
	assert_int_equal(cli_args(&a, 0, v5, opts, pos, 1, 2), -1);
}

static int setup(void **state)
{
	(void)state;
	if (crypt_init() != 0 || !mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/pp", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_pass_from_file),
		cmocka_unit_test(test_cli_id),
		cmocka_unit_test(test_cli_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
