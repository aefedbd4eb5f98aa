/*
 * test_drop_parse.c - the small parsers of untrusted bytes: the session
 * cookie, url-encoded forms and CSRF tokens, tor's PROXY line; HTML
 * escaping, the QR code.
 * (The language choice is in test_drop_i18n.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "codename.h"
#include "crypt.h"
#include "door.h"
#include "form.h"
#include "page.h"
#include "qr.h"
#include "sess.h"

#define HEX64 "00112233445566778899aabbccddeeff" \
	      "00112233445566778899aabbccddeeff"

static void test_cookie(void **state)
{
	uint8_t t[SESS_TOKEN];
	(void)state;
	assert_int_equal(sess_cookie_parse("sd=" HEX64, t), 0);
	assert_int_equal(t[0], 0x00);
	assert_int_equal(t[1], 0x11);
	assert_int_equal(sess_cookie_parse("a=b; sd=" HEX64 "; c=d", t), 0);
	assert_int_equal(sess_cookie_parse("a=b;sd=" HEX64 "  ", t), 0);
	/* Near misses. */
	static const char *const bad[] = {
		"", ";;;", "sd=", "sd=" HEX64 "0", "sd=" HEX64 "x",
		"xsd=" HEX64, "SD=" HEX64, "sd =" HEX64,
		"sd=0g112233445566778899aabbccddeeff"
		"00112233445566778899aabbccddeeff",
		"sd=" HEX64 "\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (sess_cookie_parse(bad[i], t) != SESS_ENONE)
			fail_msg("accepted '%s'", bad[i]);
	/* Over the cap, even with a good cookie inside. */
	char *big = malloc(SESS_COOKIE_MAX + 100);
	assert_non_null(big);
	memset(big, ' ', SESS_COOKIE_MAX + 99);
	memcpy(big, "sd=" HEX64, 67);
	big[SESS_COOKIE_MAX + 99] = '\0';
	assert_int_equal(sess_cookie_parse(big, t), SESS_ENONE);
	free(big);
}

static void test_form(void **state)
{
	char out[32];
	const char *body = "csrf=abc&codename=two+words%21&empty=&flag&x=%41";
	size_t n = strlen(body);
	(void)state;
	assert_int_equal(form_get(body, n, "csrf", out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(form_get(body, n, "codename", out, sizeof(out)), 10);
	assert_string_equal(out, "two words!");
	assert_int_equal(form_get(body, n, "empty", out, sizeof(out)), 0);
	assert_int_equal(form_get(body, n, "flag", out, sizeof(out)), 0);
	assert_int_equal(form_get(body, n, "x", out, sizeof(out)), 1);
	assert_string_equal(out, "A");
	assert_int_equal(form_get(body, n, "missing", out, sizeof(out)),
			 FORM_EABSENT);
	assert_int_equal(form_get(body, n, "csr", out, sizeof(out)),
			 FORM_EABSENT);
	/* The first of repeated fields. */
	assert_int_equal(form_get("a=1&a=2", 7, "a", out, sizeof(out)), 1);
	assert_string_equal(out, "1");
	/* Broken escapes, NUL, too long, too big. */
	assert_int_equal(form_get("a=%4", 4, "a", out, sizeof(out)),
			 FORM_EBAD);
	assert_int_equal(form_get("a=%zz", 5, "a", out, sizeof(out)),
			 FORM_EBAD);
	assert_int_equal(form_get("a=%", 3, "a", out, sizeof(out)), FORM_EBAD);
	assert_int_equal(form_get("a=%00", 5, "a", out, sizeof(out)),
			 FORM_EBAD);
	assert_int_equal(form_get("a=x\0y", 5, "a", out, sizeof(out)),
			 FORM_EBAD);
	assert_int_equal(form_get("a=12345", 7, "a", out, 4), FORM_ETOOBIG);
	assert_int_equal(form_get("a=123", 5, "a", out, 4), 3);
	char *big = calloc(1, FORM_MAX + 10);
	assert_non_null(big);
	memset(big, 'a', FORM_MAX + 1);
	big[0] = 'a';
	big[1] = '=';
	assert_int_equal(form_get(big, FORM_MAX + 1, "a", out, sizeof(out)),
			 FORM_ETOOBIG);
	free(big);
	/* A body that stops in the middle of a key. */
	assert_int_equal(form_get("csrf", 2, "csrf", out, sizeof(out)),
			 FORM_EABSENT);
}

static void test_csrf(void **state)
{
	(void)state;
	assert_true(form_csrf_ok(HEX64, HEX64));
	assert_false(form_csrf_ok(HEX64 "0", HEX64));
	assert_false(form_csrf_ok("00", HEX64));
	assert_false(form_csrf_ok("", HEX64));
	assert_false(form_csrf_ok(NULL, HEX64));
	assert_false(form_csrf_ok("", ""));
	char other[] = HEX64;
	other[63] = '1';
	assert_false(form_csrf_ok(other, HEX64));
}

static void test_html(void **state)
{
	buf b;
	const char in[] = "<a href=\"x\">'&'</a>\x01\x7f\tok\n";
	(void)state;
	buf_init(&b, 1024, 0);
	buf_html(&b, in, sizeof(in) - 1);
	assert_false(buf_failed(&b));
	assert_string_equal(b.p, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
			    "&lt;/a&gt;\tok\n");
	buf_free(&b);
	/* The cap is hard and sticky. */
	buf_init(&b, 8, 1);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_puts(&b, "9"), -1);
	assert_true(buf_failed(&b));
	assert_int_equal(buf_puts(&b, ""), -1);
	assert_int_equal(b.len, 8);
	buf_free(&b);
	buf_init(&b, 3, 0);
	assert_int_equal(buf_html(&b, "<", 1), -1);
	buf_free(&b);
	/* printf output larger than the small stack buffer. */
	buf_init(&b, 4096, 1);
	assert_int_equal(buf_printf(&b, "%1000d|", 7), 0);
	assert_int_equal(b.len, 1001);
	buf_free(&b);
}

static void test_qr(void **state)
{
	buf b;
	char text[QR_TEXT_MAX + 2];
	(void)state;
	buf_init(&b, 1 << 20, 1);
	assert_int_equal(qr_svg(&b, "abacus abdomen abdominal abide abiding "
				"ability ablaze", "QR <code>"), 0);
	assert_true(strncmp(b.p, "<svg ", 5) == 0);
	assert_non_null(strstr(b.p, "aria-label=\"QR &lt;code&gt;\""));
	assert_null(strstr(b.p, "style="));
	assert_null(strstr(b.p, "abacus"));
	assert_true(b.len < 20000);
	assert_true(strcmp(b.p + b.len - 6, "</svg>") == 0);
	buf_free(&b);
	/* The longest codename fits; text past the cap is refused. */
	memset(text, 'w', sizeof(text) - 1);
	text[CODENAME_TEXT_MAX - 1] = '\0';
	buf_init(&b, 1 << 20, 1);
	assert_int_equal(qr_svg(&b, text, ""), 0);
	buf_free(&b);
	memset(text, 'w', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	buf_init(&b, 1 << 20, 1);
	assert_int_equal(qr_svg(&b, text, ""), -1);
	buf_free(&b);
	/* A buffer too small fails cleanly. */
	buf_init(&b, 100, 1);
	assert_int_equal(qr_svg(&b, "abc", ""), -1);
	buf_free(&b);
}

/* tor's PROXY v1 line: what it sends is taken, anything else is not. */
static void test_proxy(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	(void)state;
#define OK(l) assert_int_equal(door_proxy_parse(l, strlen(l), &ss, &sl), 0)
#define BAD(l) assert_int_equal(door_proxy_parse(l, strlen(l), &ss, &sl), -1)
	OK("PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 42\r\n");
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(sl, sizeof(struct sockaddr_in6));
	const uint8_t *a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
	assert_int_equal(a[0], 0xfc);
	assert_int_equal(a[15], 0xff);
	OK("PROXY TCP6 fc00:dead:beef:4dad::0:1 ::1 0 80\r\n");
	OK("PROXY TCP4 127.0.0.1 127.0.0.1 12345 80\r\n");
	assert_int_equal(ss.ss_family, AF_INET);
	/* The line as tor would write it: 107 bytes at most. */
	char longest[DOOR_PROXY_MAX + 2];
	memset(longest, 'a', sizeof(longest));
	memcpy(longest, "PROXY TCP6 ", 11);
	longest[DOOR_PROXY_MAX] = '\r';
	longest[DOOR_PROXY_MAX + 1] = '\n';
	assert_int_equal(door_proxy_parse(longest, sizeof(longest), &ss, &sl),
			 -1);
	static const char *const bad[] = {
		"", "\r\n", "PROXY\r\n", "PROXY UNKNOWN\r\n",
		"PROXY UNKNOWN ::1 ::1 1 2\r\n",
		"PROXY TCP6 fc00::1 ::1 65535 42\n",
		"PROXY TCP6 fc00::1 ::1 65535 42",
		"PROXY TCP6 fc00::1 ::1 65535 42\r\n\r\n",
		"PROXY  TCP6 fc00::1 ::1 65535 42\r\n",
		"PROXY TCP6 fc00::1  ::1 65535 42\r\n",
		"PROXY TCP6 fc00::1 ::1 65535 42 \r\n",
		"PROXY TCP6 fc00::1 ::1 65536 42\r\n",
		"PROXY TCP6 fc00::1 ::1 -1 42\r\n",
		"PROXY TCP6 fc00::1 ::1 0042 42\r\n",
		"PROXY TCP6 fc00::1 ::1 65535\r\n",
		"PROXY TCP6 127.0.0.1 ::1 1 2\r\n",
		"PROXY TCP4 fc00::1 127.0.0.1 1 2\r\n",
		"PROXY TCP4 127.0.0.1 127.0.0.256 1 2\r\n",
		"PROXY TCP5 127.0.0.1 127.0.0.1 1 2\r\n",
		"proxy TCP4 127.0.0.1 127.0.0.1 1 2\r\n",
		"GET / HTTP/1.1\r\n",
		"PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\nGET",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		BAD(bad[i]);
	/* A NUL inside is refused, not cut at. */
	const char nul[] = "PROXY TCP4 127.0.0.1\0 127.0.0.1 1 2\r\n";
	assert_int_equal(door_proxy_parse(nul, sizeof(nul) - 1, &ss, &sl), -1);
#undef OK
#undef BAD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_qr),
	};
	if (crypt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
