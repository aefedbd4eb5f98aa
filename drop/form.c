/*
 * form.c - url-encoded form bodies.
 */
#include <string.h>

#include <sodium.h>

#include "form.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into out; returns the length or an error. */
static int decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (i + 2 >= n ||
			    (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return FORM_EBAD;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0)
			return FORM_EBAD;
		if (o + 1 >= cap)
			return FORM_ETOOBIG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

int form_get(const char *body, size_t len, const char *name, char *out,
	     size_t cap)
{
	size_t nl = strlen(name);
	if (cap)
		out[0] = '\0';
	if (!cap)
		return FORM_ETOOBIG;
	if (len > FORM_MAX)
		return FORM_ETOOBIG;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && body[i] != '&')
			i++;
		const char *pair = body + start;
		size_t n = i - start;
		i++;
		const char *eq = memchr(pair, '=', n);
		size_t kl = eq ? (size_t)(eq - pair) : n;
		if (kl != nl || memcmp(pair, name, nl))
			continue;
		if (!eq)
			return decode("", 0, out, cap);
		int r = decode(eq + 1, n - kl - 1, out, cap);
		if (r < 0)
			sodium_memzero(out, cap);
		return r;
	}
	return FORM_EABSENT;
}

int form_csrf_ok(const char *given, const char *expected)
{
	if (!given || !expected)
		return 0;
	size_t n = strlen(expected);
	if (!n || strnlen(given, n + 1) != n)
		return 0;
	return sodium_memcmp(given, expected, n) == 0;
}
