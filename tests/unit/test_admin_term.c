/*
 * test_admin_term.c - what reaches the journalist's terminal and disk:
 * the text sanitiser and the file-name sanitiser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "term.h"

/* Sanitises s whole, in one feed. */
static char *san(const char *s, size_t len)
{
	term_state st = { { 0 }, 0, 0 };
	char *out = malloc(TERM_OUT_MAX(len) + 32);
	size_t o;

	assert_non_null(out);
	o = term_feed(&st, (const uint8_t *)s, len, out);
	o += term_end(&st, out + o);
	out[o] = '\0';
	return out;
}

/* Sanitises s one byte per feed: split sequences must decode the same. */
static char *san_bytewise(const char *s, size_t len)
{
	term_state st = { { 0 }, 0, 0 };
	char *out = malloc(TERM_OUT_MAX(len) + 32);
	size_t o = 0;

	assert_non_null(out);
	for (size_t i = 0; i < len; i++)
		o += term_feed(&st, (const uint8_t *)s + i, 1, out + o);
	o += term_end(&st, out + o);
	out[o] = '\0';
	return out;
}

static void expect(const char *in, size_t len, const char *want)
{
	char *a = san(in, len), *b = san_bytewise(in, len);

	assert_string_equal(a, want);
	assert_string_equal(b, want);
	free(a);
	free(b);
}

#define EXPECT(in, want) expect(in, sizeof(in) - 1, want)

static void test_ordinary_text_unchanged(void **state)
{
	static const char *texts[] = {
		"Hello, world.\n\tIndented line.\n",
		"Қазақ тілі — мемлекеттік тіл.\n",   /* Kazakh, Cyrillic */
		"ئۇيغۇر تىلى\n",                     /* Uyghur, Arabic script */
		"中文测试：新闻自由。\n",             /* Chinese */
		"emoji \xf0\x9f\x93\xb0 and \xe2\x82\xac 100\n",
		"Arabic with a mark \xd8\xa7\xe2\x80\x8f\xd8\xa8\n",
		"Line one\r\nline two\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		expect(texts[i], strlen(texts[i]), texts[i]);
}

static void test_escape_sequences(void **state)
{
	(void)state;
	EXPECT("a\033[2Jb", "a\\x1b[2Jb");
	EXPECT("\033]0;title\007", "\\x1b]0;title\\x07");
	EXPECT("cr\rlf", "cr\\x0dlf");
	/* CRLF from a browser's form is ordinary; a lone CR is not. */
	EXPECT("a\r\nb\r\n", "a\r\nb\r\n");
	EXPECT("a\r", "a\\x0d");
	EXPECT("\r\r\n", "\\x0d\r\n");
	EXPECT("x\r\033", "x\\x0d\\x1b");
	EXPECT("nul\0x", "nul\\x00x");
	EXPECT("bs\bdel\x7f", "bs\\x08del\\x7f");
}

static void test_c1_controls(void **state)
{
	(void)state;
	/* U+009B is CSI on terminals that take 8-bit controls. */
	EXPECT("x\xc2\x9b" "31m", "x\\u009b31m");
	EXPECT("\xc2\x80\xc2\x9f", "\\u0080\\u009f");
	/* Just past C1: ordinary. */
	EXPECT("\xc2\xa0", "\xc2\xa0");
}

static void test_bidi(void **state)
{
	(void)state;
	EXPECT("\xe2\x80\xae" "cba", "<U+202E>cba");
	EXPECT("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	       "<U+202A><U+202B><U+202C><U+202D>");
	EXPECT("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	       "<U+2066><U+2067><U+2068><U+2069>");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	EXPECT("a\xff" "b", "a\xef\xbf\xbd" "b");
	EXPECT("\x80", "\xef\xbf\xbd");
	/* Overlong "/" and overlong NUL. */
	EXPECT("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* A surrogate, and past U+10FFFF. */
	EXPECT("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT("\xf4\x90\x80\x80",
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Cut off mid-sequence, then ASCII; and at the very end. */
	EXPECT("\xe4\xb8" "a", "\xef\xbf\xbd" "a");
	EXPECT("z\xe4\xb8", "z\xef\xbf\xbd");
	/* A cut-off sequence must not swallow an escape after it. */
	EXPECT("\xe4\033[0m", "\xef\xbf\xbd\\x1b[0m");
}

static void test_expansion_bound(void **state)
{
	/* Worst cases for TERM_OUT_MAX: every byte a control, every pair a
	 * C1, every triple a bidi control. */
	char in[600], *out;

	(void)state;
	memset(in, 0x1b, sizeof(in));
	out = san(in, sizeof(in));
	assert_int_equal(strlen(out), 4 * sizeof(in));
	free(out);
	for (size_t i = 0; i + 2 < sizeof(in); i += 3)
		memcpy(in + i, "\xe2\x80\xae", 3);
	out = san(in, sizeof(in));
	assert_int_equal(strlen(out), 8 * (sizeof(in) / 3));
	free(out);
}

static void test_term_str_truncates_whole(void **state)
{
	char out[8];

	(void)state;
	term_str("ab\033cdef", out, sizeof(out));
	assert_string_equal(out, "ab\\x1bc");
	term_str("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", out, sizeof(out));
	assert_string_equal(out, "\xe4\xb8\xad\xe6\x96\x87");
}

/* What may reach the terminal: valid UTF-8 with no C0 (but \n, \t, and \r
 * before \n), no DEL, no C1, no bidi embedding, override or isolate. */
static void assert_safe(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = 0;

		if (p[i] < 0x80) {
			if (p[i] == '\r')
				assert_true(i + 1 < len && p[i + 1] == '\n');
			else
				assert_true(p[i] == '\n' || p[i] == '\t' ||
					    (p[i] >= 0x20 && p[i] < 0x7f));
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			fail_msg("bad lead byte %02x", p[i]);
		assert_true(i + n <= len);
		cp = p[i] & (0xff >> (n + 1));
		for (size_t k = 1; k < n; k++) {
			assert_int_equal(p[i + k] & 0xc0, 0x80);
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Shortest form, no surrogate, in range. */
		assert_true(cp >= (n == 2 ? 0x80u : n == 3 ? 0x800u :
				   0x10000u));
		assert_false(cp >= 0xd800 && cp <= 0xdfff);
		assert_true(cp <= 0x10ffff);
		assert_false(cp <= 0x9f);
		assert_false(cp >= 0x202a && cp <= 0x202e);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		i += n;
	}
}

static void test_random_input_is_safe(void **state)
{
	/* Random bytes, biased towards the interesting ones. */
	static const uint8_t pick[] = { 0x1b, 0x9b, 0xc2, 0xe2, 0x80, 0xae,
					0x81, 0xa6, 0x0d, 0x0a, 0xf4, 0xed,
					0xe0, 0xf0, 0xff, 'a' };
	uint8_t in[257];
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(in));
		char *a, *b;

		for (size_t i = 0; i < len; i++)
			in[i] = rand_r(&seed) % 2 ?
				pick[rand_r(&seed) % sizeof(pick)] :
				(uint8_t)rand_r(&seed);
		a = san((const char *)in, len);
		b = san_bytewise((const char *)in, len);
		assert_string_equal(a, b);
		assert_true(strlen(a) <= TERM_OUT_MAX(len));
		assert_safe(a, strlen(a));
		free(a);
		free(b);
	}
}

static void name_is(const char *in, const char *want)
{
	char out[TERM_NAME_MAX + 1];

	term_filename(in, out);
	assert_string_equal(out, want);
}

static void test_filename_paths(void **state)
{
	(void)state;
	name_is("../../etc/passwd", "passwd");
	name_is("/etc/shadow", "shadow");
	name_is("C:\\Users\\x\\doc.txt", "doc.txt");
	name_is("dir/", "file");
	name_is("..", "file");
	name_is(".", "file");
	name_is("", "file");
	name_is("...", "file");
}

static void test_filename_hidden_and_options(void **state)
{
	(void)state;
	name_is(".hidden", "hidden");
	name_is(".bashrc", "bashrc");
	name_is("-rf", "rf");
	name_is("  . spaced .  ", "spaced");
	name_is("report.pdf.", "report.pdf");
}

static void test_filename_controls(void **state)
{
	(void)state;
	name_is("a\nb.txt", "a_b.txt");
	name_is("red\033[31m.txt", "red_[31m.txt");
	name_is("tab\there", "tab_here");
	name_is("c1\xc2\x9bx", "c1_x");
	name_is("\xe2\x80\xaegpj.exe", "_gpj.exe");
	name_is("mark\xe2\x80\x8f.txt", "mark_.txt");
	name_is("bad\xff\xfe.txt", "bad__.txt");
	name_is("over\xc0\xaf", "over__");
	/* A NUL ends the declared name: what follows is never seen. */
	name_is("short\0.exe", "short");
}

static void test_filename_unicode_kept(void **state)
{
	(void)state;
	name_is("доклад 2026.pdf", "доклад 2026.pdf");
	name_is("خەۋەر.docx", "خەۋەر.docx");
	name_is("文件.txt", "文件.txt");
}

static void test_filename_long(void **state)
{
	char in[300], out[TERM_NAME_MAX + 1];

	(void)state;
	memset(in, 'a', sizeof(in));
	strcpy(in + 250, ".pdf");
	term_filename(in, out);
	assert_int_equal(strlen(out), TERM_NAME_MAX);
	assert_string_equal(out + TERM_NAME_MAX - 4, ".pdf");

	/* Three-byte characters: the cut must not split one. */
	in[0] = '\0';
	for (int i = 0; i < 60; i++)
		strcat(in, "\xe4\xb8\xad");
	term_filename(in, out);
	assert_true(strlen(out) <= TERM_NAME_MAX);
	assert_int_equal(strlen(out) % 3, 0);

	/* No extension to keep. */
	memset(in, 'b', 299);
	in[299] = '\0';
	term_filename(in, out);
	assert_int_equal(strlen(out), TERM_NAME_MAX);
}

static void test_filename_random_is_safe(void **state)
{
	static const uint8_t pick[] = { '/', '\\', '.', ' ', '-', 0x1b, 0xe2,
					0x80, 0xae, 0xc2, 0x9b, 0xff, 'a' };
	char in[400], out[TERM_NAME_MAX + 1];
	unsigned seed = 777;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (sizeof(in) - 1));
		size_t olen;

		for (size_t i = 0; i < len; i++) {
			in[i] = (char)(rand_r(&seed) % 2 ?
				       pick[rand_r(&seed) % sizeof(pick)] :
				       rand_r(&seed) % 255 + 1);
		}
		in[len] = '\0';
		term_filename(in, out);
		olen = strlen(out);
		assert_true(olen > 0 && olen <= TERM_NAME_MAX);
		assert_null(strchr(out, '/'));
		assert_null(strchr(out, '\\'));
		assert_false(out[0] == '.' || out[0] == '-' || out[0] == ' ');
		assert_safe(out, olen);
		assert_null(strchr(out, '\n'));
		assert_null(strchr(out, '\t'));
		assert_null(strstr(out, "\xe2\x80\x8f"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_text_unchanged),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_bidi),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_expansion_bound),
		cmocka_unit_test(test_term_str_truncates_whole),
		cmocka_unit_test(test_random_input_is_safe),
		cmocka_unit_test(test_filename_paths),
		cmocka_unit_test(test_filename_hidden_and_options),
		cmocka_unit_test(test_filename_controls),
		cmocka_unit_test(test_filename_unicode_kept),
		cmocka_unit_test(test_filename_long),
		cmocka_unit_test(test_filename_random_is_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
