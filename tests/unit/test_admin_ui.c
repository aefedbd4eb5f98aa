/*
 * test_admin_ui.c - review's text layout: columns counted by width in any
 * script, lines wrapped to the window without splitting a character,
 * tabs and line ends, and the events rows belong to.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ui.h"

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || !setlocale(LC_CTYPE, "C.UTF-8"))
		return -1;
	return 0;
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(ui_width("abc", 3), 3);
	/* Cyrillic and Arabic: one column a letter; CJK: two. */
	assert_int_equal(ui_width("Свидетель", strlen("Свидетель")), 9);
	assert_int_equal(ui_width("شاهد", strlen("شاهد")), 4);
	assert_int_equal(ui_width("我看见", strlen("我看见")), 6);
	/* A combining accent takes no column. */
	assert_int_equal(ui_width("e\xcc\x81", 3), 1);
	/* A byte that does not decode, or a control, counts as one "?". */
	assert_int_equal(ui_width("\xff", 1), 1);
	assert_int_equal(ui_width("\x1b", 1), 1);
}

static void test_fit(void **state)
{
	const char *cjk = "我看见了";

	(void)state;
	/* Never half a double-width character. */
	assert_int_equal(ui_fit(cjk, strlen(cjk), 3), 3);
	assert_int_equal(ui_fit(cjk, strlen(cjk), 4), 6);
	assert_int_equal(ui_fit("Свидетель", strlen("Свидетель"), 2), 4);
	assert_int_equal(ui_fit("abc", 3, 10), 3);
}

/* The rows' texts, joined by '|'. */
static void rows_of(const struct ui_doc *d, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->nrow; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%.*s", i ? "|" : "",
				      (int)d->row[i].len,
				      d->text + d->row[i].off);
}

static void test_wrap(void **state)
{
	struct ui_doc d = { 0 };
	char got[512];

	(void)state;
	assert_int_equal(ui_doc_line(&d, 0, 1, "%s", "one two three four"), 0);
	assert_int_equal(ui_doc_layout(&d, 10), 0);
	rows_of(&d, got, sizeof(got));
	/* At a space that leaves the row half full or more. */
	assert_string_equal(got, "one two |three four");
	/* Double-width characters wrap by columns, whole. */
	ui_doc_clear(&d);
	ui_doc_text(&d, 0, 1, "我看见了营地", strlen("我看见了营地"));
	ui_doc_endline(&d);
	assert_int_equal(ui_doc_layout(&d, 5), 0);
	rows_of(&d, got, sizeof(got));
	assert_string_equal(got, "我看|见了|营地");
	for (size_t i = 0; i < d.nrow; i++)
		assert_true(ui_width(d.text + d.row[i].off, d.row[i].len) <= 5);
	/* One word longer than the window is cut at the width. */
	ui_doc_clear(&d);
	ui_doc_line(&d, 0, 1, "%s", "abcdefghij");
	assert_int_equal(ui_doc_layout(&d, 4), 0);
	rows_of(&d, got, sizeof(got));
	assert_string_equal(got, "abcd|efgh|ij");
	ui_doc_free(&d);
}

static void test_lines_tabs_and_events(void **state)
{
	struct ui_doc d = { 0 };
	char got[512];

	(void)state;
	ui_doc_line(&d, 0, 0, "%s", "head");
	/* Text streamed in pieces: CRLF ends a line, a tab is spaces, a
	 * line split across two pieces stays one line. */
	ui_doc_text(&d, 0, 1, "a\tb\r\nsec", 8);
	ui_doc_text(&d, 0, 1, "ond\n\nthird\r", 11);
	ui_doc_endline(&d);
	ui_doc_line(&d, 0, 2, "%s", "");
	ui_doc_line(&d, 0, 2, "%s", "next");
	assert_int_equal(ui_doc_layout(&d, 40), 0);
	rows_of(&d, got, sizeof(got));
	assert_string_equal(got, "head|a    b|second||third||next");
	/* Each event's first row is found, and marked as its head. */
	assert_int_equal(ui_doc_find(&d, 0), 0);
	assert_int_equal(ui_doc_find(&d, 1), 1);
	assert_int_equal(ui_doc_find(&d, 2), 5);
	assert_true(d.row[5].head);
	assert_false(d.row[6].head);
	assert_int_equal(ui_doc_find(&d, 9), -1);
	ui_doc_free(&d);
}

static void test_clear_wipes(void **state)
{
	struct ui_doc d = { 0 };

	(void)state;
	ui_doc_line(&d, 0, 0, "%s", "SECRET-TEXT");
	ui_doc_clear(&d);
	assert_int_equal(d.nline, 0);
	assert_int_equal(d.len, 0);
	for (size_t i = 0; i < d.cap; i++)
		assert_int_equal(d.text[i], 0);
	ui_doc_free(&d);
	assert_null(d.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_lines_tabs_and_events),
		cmocka_unit_test(test_clear_wipes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
