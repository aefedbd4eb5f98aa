/*
 * buf.c - a growing byte buffer with a hard cap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"

void buf_init(buf *b, size_t max, int secret)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->secret = secret;
}

int buf_failed(const buf *b)
{
	return b->failed;
}

/* Makes room for n more bytes and a NUL. realloc is not used for secret
 * buffers: it could leave the old block unwiped. */
static int reserve(buf *b, size_t n)
{
	if (b->failed)
		return -1;
	if (n > b->max || b->len > b->max - n) {
		b->failed = 1;
		return -1;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p = malloc(cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	if (b->p) {
		memcpy(p, b->p, b->len);
		if (b->secret)
			sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int buf_add(buf *b, const void *s, size_t n)
{
	if (reserve(b, n))
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int buf_puts(buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return -1;
	}
	if ((size_t)n < sizeof(small)) {
		int r = buf_add(b, small, (size_t)n);
		if (b->secret)
			sodium_memzero(small, sizeof(small));
		return r;
	}
	if (reserve(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_html(buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				rep = "";
		}
		if (!rep)
			continue;
		buf_add(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	return buf_add(b, s + start, n - start);
}

char *buf_take(buf *b, size_t *len)
{
	char *p = b->p;
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_free(buf *b)
{
	if (b->p && b->secret)
		sodium_memzero(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
