/*
 * term.c - terminal-safe text and file names from untrusted bytes.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "term.h"

/* Bytes a sequence starting with lead has, or 0 when lead cannot start
 * one (a continuation byte, C0/C1 overlong leads, beyond U+10FFFF). */
static size_t utf8_len(uint8_t lead)
{
	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef)
		return 3;
	if (lead >= 0xf0 && lead <= 0xf4)
		return 4;
	return 0;
}

/* Whether b may follow at position pos (1..3) of a sequence led by lead.
 * The second byte carries the rules against overlong forms, surrogates
 * and code points past U+10FFFF. */
static int utf8_cont_ok(uint8_t lead, size_t pos, uint8_t b)
{
	uint8_t lo = 0x80, hi = 0xbf;

	if (pos == 1) {
		if (lead == 0xe0)
			lo = 0xa0;
		else if (lead == 0xed)
			hi = 0x9f;
		else if (lead == 0xf0)
			lo = 0x90;
		else if (lead == 0xf4)
			hi = 0x8f;
	}
	return b >= lo && b <= hi;
}

static uint32_t utf8_decode(const uint8_t *s, size_t n)
{
	static const uint8_t lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* Embeddings, overrides and isolates: the characters that can make text
 * display in an order other than the one it is stored in. */
static int is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The marks reorder nothing on their own and Arabic-script text uses them,
 * so text keeps them; a file name has no need of them. */
static int is_bidi_mark(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f;
}

static size_t put_fffd(char *out)
{
	memcpy(out, "\xef\xbf\xbd", 3);
	return 3;
}

/* One complete, valid sequence of n bytes: itself or its placeholder. */
static size_t put_char(const uint8_t *s, size_t n, char *out)
{
	uint32_t cp = utf8_decode(s, n);

	if (n == 1) {
		if (cp == '\n' || cp == '\t' || (cp >= 0x20 && cp < 0x7f)) {
			out[0] = (char)cp;
			return 1;
		}
		return (size_t)sprintf(out, "\\x%02x", (unsigned)cp);
	}
	if (cp >= 0x80 && cp <= 0x9f)
		return (size_t)sprintf(out, "\\u%04x", (unsigned)cp);
	if (is_bidi_control(cp))
		return (size_t)sprintf(out, "<U+%04X>", (unsigned)cp);
	memcpy(out, s, n);
	return n;
}

size_t term_feed(term_state *st, const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];

		if (st->cr) {
			st->cr = 0;
			if (b == '\n') {
				memcpy(out + o, "\r\n", 2);
				o += 2;
				continue;
			}
			o += put_char((const uint8_t *)"\r", 1, out + o);
		}
		if (st->npend > 0) {
			size_t want = utf8_len(st->pend[0]);

			if (utf8_cont_ok(st->pend[0], st->npend, b)) {
				st->pend[st->npend++] = b;
				if (st->npend == want) {
					o += put_char(st->pend, want, out + o);
					sodium_memzero(st->pend,
						       sizeof(st->pend));
					st->npend = 0;
				}
				continue;
			}
			/* A cut-off sequence: one placeholder, and b
			 * starts afresh. */
			o += put_fffd(out + o);
			sodium_memzero(st->pend, sizeof(st->pend));
			st->npend = 0;
		}
		switch (utf8_len(b)) {
		case 0:
			o += put_fffd(out + o);
			break;
		case 1:
			if (b == '\r')
				st->cr = 1;
			else
				o += put_char(&b, 1, out + o);
			break;
		default:
			st->pend[0] = b;
			st->npend = 1;
			break;
		}
	}
	return o;
}

size_t term_end(term_state *st, char *out)
{
	size_t o = 0;

	if (st->cr)
		o = put_char((const uint8_t *)"\r", 1, out);
	if (st->npend > 0)
		o = put_fffd(out);
	sodium_memzero(st, sizeof(*st));
	return o;
}

void term_str(const char *s, char *out, size_t outlen)
{
	term_state st = { { 0 }, 0, 0 };
	char piece[TERM_OUT_MAX(1)];
	size_t o = 0, n;

	if (outlen == 0)
		return;
	/* Byte by byte, so each piece is whole characters and truncation
	 * never splits one. */
	for (;; s++) {
		if (*s == '\0')
			n = term_end(&st, piece);
		else
			n = term_feed(&st, (const uint8_t *)s, 1, piece);
		if (o + n >= outlen)
			break;
		memcpy(out + o, piece, n);
		o += n;
		if (*s == '\0')
			break;
	}
	out[o] = '\0';
	sodium_memzero(&st, sizeof(st));
}

/* Longest extension kept whole when a name is shortened. */
#define EXT_MAX 16

void term_filename(const char *name, char out[TERM_NAME_MAX + 1])
{
	/* Room for a whole declared name; each input byte gives at most
	 * one output byte here. */
	char buf[1024];
	const uint8_t *s;
	const char *p;
	size_t len, o = 0, start, end, n;

	for (p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			name = p + 1;
	s = (const uint8_t *)name;
	len = strlen(name);
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;

	for (size_t i = 0; i < len; i += n) {
		size_t k;
		uint32_t cp;

		n = utf8_len(s[i]);
		for (k = 1; n > 1 && k < n; k++)
			if (i + k >= len || !utf8_cont_ok(s[i], k, s[i + k]))
				break;
		if (n == 0 || k < n) {
			buf[o++] = '_';
			n = 1;
			continue;
		}
		cp = utf8_decode(s + i, n);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
		    is_bidi_control(cp) || is_bidi_mark(cp)) {
			buf[o++] = '_';
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
	}

	for (start = 0; start < o && strchr(". -", buf[start]);)
		start++;
	for (end = o; end > start && (buf[end - 1] == ' ' ||
				      buf[end - 1] == '.');)
		end--;
	len = end - start;
	memmove(buf, buf + start, len);

	if (len > TERM_NAME_MAX) {
		size_t ext = 0, cut;

		for (size_t i = len; i > 1 && len - i < EXT_MAX; i--) {
			if (buf[i - 1] == '.') {
				ext = len - (i - 1);
				break;
			}
		}
		cut = TERM_NAME_MAX - ext;
		/* Back up to a character boundary. */
		while (cut > 0 && ((uint8_t)buf[cut] & 0xc0) == 0x80)
			cut--;
		memmove(buf + cut, buf + len - ext, ext);
		len = cut + ext;
	}
	if (len == 0) {
		memcpy(buf, "file", 4);
		len = 4;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
}
