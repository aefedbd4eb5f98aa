/*
 * test_strength.c - the passphrase estimate: what must fall short of
 * STRENGTH_MIN_BITS (patterns, short words, four list words) and what must
 * reach it (five and seven list words, random strings in several
 * scripts), plus odd input: empty, not UTF-8, longer than scored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codename.h"
#include "crypt.h"
#include "strength.h"

static double bits(const char *s)
{
	return strength_bits(s, strlen(s));
}

static void assert_weak(const char *s)
{
	double b = bits(s);

	if (b >= STRENGTH_MIN_BITS)
		fail_msg("\"%s\" scored %.1f bits, wanted below %.0f", s, b,
			 STRENGTH_MIN_BITS);
}

static void assert_strong(const char *s)
{
	double b = bits(s);

	if (b < STRENGTH_MIN_BITS)
		fail_msg("\"%s\" scored %.1f bits, wanted %.0f or more", s, b,
			 STRENGTH_MIN_BITS);
}

static void assert_near(const char *s, double want)
{
	double b = bits(s);

	if (b < want - 0.05 || b > want + 0.05)
		fail_msg("\"%s\" scored %.2f bits, not %.2f", s, b, want);
}

/* n list words by index, joined by sep, into out. */
static void join_words(char *out, size_t cap, const unsigned *idx, int n,
		       const char *sep)
{
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, sep, cap - strlen(out) - 1);
		strncat(out, codename_word(idx[i]), cap - strlen(out) - 1);
	}
}

static void test_empty(void **state)
{
	(void)state;
	assert_true(strength_bits("", 0) == 0.0);
	assert_true(strength_bits(NULL, 0) == 0.0);
}

static void test_short_and_common(void **state)
{
	(void)state;
	/* a, b: one letter each; c continues the step. */
	assert_near("abc", 4.70 + 4.70 + 1);
	/* A list word and a counted run: 12.92 + 3.32 * 2 + 1 + 1 + 5.04. */
	assert_near("Password1234!", 26.61);
	assert_weak("abc");
	assert_weak("password");
	assert_weak("Password1234!");
	assert_weak("P@ssw0rd");
	assert_weak("iloveyou123");
	assert_weak("Tr0ub4dor&3");
	/* Full-width letters are the same word. */
	assert_near("\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93"
		    "\xef\xbd\x97\xef\xbd\x8f\xef\xbd\x92\xef\xbd\x84", 12.92);
}

static void test_sequences_and_keyboard(void **state)
{
	(void)state;
	assert_weak("abcdefghijklmnopqrstuvwxyz");
	assert_weak("zyxwvutsrqponmlkjihgfedcba");
	assert_weak("12345678901234567890");
	assert_weak("qwertyuiopasdfghjklzxcvbnm");
	assert_weak("QWERTYUIOPASDFGHJKL");
	assert_weak("!@#$%^&*()qwertyuiop");
	assert_weak("poiuytrewqlkjhgfdsa");
	/* The first step is not a pattern; the second one is. */
	assert_near("qw", 2 * 4.70);
	assert_near("qwe", 2 * 4.70 + 1);
}

static void test_repeats_and_copies(void **state)
{
	(void)state;
	assert_weak("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_weak("zzzzzzzzzzzzzzzzzzzz!!!!!!!!!!!!!!!!!!!!");
	assert_weak("abcabcabcabcabcabcabcabcabcabc");
	assert_weak("xkcdxkcdxkcdxkcdxkcdxkcdxkcd");
	assert_weak("qzvjqzvjqzvjqzvjqzvjqzvjqzvj");
	/* The same list word five times is one word and some copying. */
	assert_weak("apple apple apple apple apple");
	assert_weak("zoom zoom zoom zoom zoom zoom zoom");
}

/* Many four- and five-word passphrases from a fixed walk over the list,
 * no word twice: four never reach the bar, five always do. */
static void test_four_and_five_words(void **state)
{
	static const char *const seps[] = { " ", "-", ".", " - ", "" };
	unsigned x = 12345, idx[5];
	char s[128];

	(void)state;
	for (int round = 0; round < 400; round++) {
		for (int i = 0; i < 5; i++) {
			int again;

			do {
				x = x * 1103515245u + 12345u;
				idx[i] = (x >> 8) % CODENAME_LIST;
				again = 0;
				for (int j = 0; j < i; j++)
					again |= idx[j] == idx[i];
			} while (again);
		}
		for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
			join_words(s, sizeof s, idx, 4, seps[k]);
			assert_weak(s);
			/* Run together, words can merge into fewer: only
			 * the separated ones are sure to pass. */
			if (seps[k][0] == '\0')
				continue;
			join_words(s, sizeof s, idx, 5, seps[k]);
			assert_strong(s);
		}
	}
	/* The arithmetic: 5 x 12.92 + 4 separators, 4 x 12.92 + 3. */
	assert_near("correct battery staple phrase abacus",
		    5 * 12.925 + 4);
	assert_near("correct battery staple phrase", 4 * 12.925 + 3);
	/* Case is no secret. */
	assert_near("Correct Battery STAPLE phrase Abacus", 5 * 12.925 + 4);
}

static void test_seven_words(void **state)
{
	codename c;
	char s[CODENAME_TEXT_MAX];

	(void)state;
	for (int i = 0; i < 200; i++) {
		codename_generate(&c);
		codename_words(&c, s);
		/* 7 x 12.92 = 90.5; even a repeated word leaves plenty. */
		if (bits(s) < 80)
			fail_msg("\"%s\" scored %.1f", s, bits(s));
	}
	assert_near("abacus drop-down yo-yo zoom t-shirt felt-tip phrase",
		    7 * 12.925 + 6);
}

static void test_random_strings(void **state)
{
	(void)state;
	/* 14 random lower-case letters, none repeated in a row and no
	 * runs: 14 x 4.70 = 65.8. (A random string with a chance pattern
	 * in it scores less: 16 letters are safe.) */
	assert_near("tjzbvsufeayuxl", 14 * 4.7004);
	assert_strong("tjzbvsufeayuxl");
	assert_weak("tjzbvsufeayux");
	/* Each character is charged its own class, as a guesser who tries
	 * class patterns would: mixing classes buys no bits of its own. */
	assert_weak("Kd8#mQ2$vL9!xR");
	assert_strong("Kd8#mQ2$vL9!xRw7");
}

static void test_other_scripts(void **state)
{
	(void)state;
	/* Cyrillic: 5 bits a letter; "пароль" is short, a run is cheap. */
	assert_near("пароль", 6 * 5.0);
	assert_weak("пароль");
	assert_weak("абвгдежзийклмн");
	assert_strong("жщфэюрцкбйзшл");
	/* CJK: 11 bits a character. */
	assert_near("密码", 22.0);
	assert_weak("密码");
	assert_weak("丁丂七丄丅丆");
	assert_strong("縄鮫躍濁棚蛍");
	/* Kana: 6.5 bits. */
	assert_near("パスワード", 5 * 6.5);
}

static void test_not_utf8_and_long(void **state)
{
	char big[3 * STRENGTH_INPUT_MAX];
	double b;

	(void)state;
	/* Stray bytes count as characters of their own: 5 bits each. */
	assert_near("\xff\xfe\xc3", 15.0);
	assert_near("\xc0\xaf", 10.0);
	/* Longer than scored: only the first STRENGTH_INPUT_MAX bytes
	 * count, cut at a character, and that errs low. */
	for (size_t i = 0; i + 3 <= sizeof big; i += 3)
		memcpy(big + i, "\xe5\xaf\x86", 3); /* 密 */
	b = strength_bits(big, sizeof big);
	assert_true(b > 0 && b < STRENGTH_MIN_BITS);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + (i * 7 + i / 26) % 26);
	assert_true(strength_bits(big, sizeof big) ==
		    strength_bits(big, STRENGTH_INPUT_MAX));
}

/* The committed test key's passphrase is a good one. */
static void test_vector_passphrase(void **state)
{
	(void)state;
	assert_strong("sealdrop test key: never for real use");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_short_and_common),
		cmocka_unit_test(test_sequences_and_keyboard),
		cmocka_unit_test(test_repeats_and_copies),
		cmocka_unit_test(test_four_and_five_words),
		cmocka_unit_test(test_seven_words),
		cmocka_unit_test(test_random_strings),
		cmocka_unit_test(test_other_scripts),
		cmocka_unit_test(test_not_utf8_and_long),
		cmocka_unit_test(test_vector_passphrase),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
