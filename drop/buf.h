/*
 * buf.h - a growing byte buffer with a hard cap, for pages and bodies.
 *
 * Errors are sticky: after an allocation failure or the cap, every append
 * is a no-op and buf_failed() says so, so page code can append freely and
 * check once. A secret buffer never leaves a copy behind: growing wipes
 * the old memory, and buf_free wipes before freeing.
 */
#ifndef SEALDROP_BUF_H
#define SEALDROP_BUF_H

#include <stddef.h>

typedef struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
	int secret;
	int failed;
} buf;

/* An empty buffer that will refuse to grow past max bytes. */
void buf_init(buf *b, size_t max, int secret);

/* Appends n bytes, or a C string, or printf output. Each returns 0, or -1
 * when the buffer failed (now or earlier). The content stays
 * NUL-terminated. */
int buf_add(buf *b, const void *s, size_t n);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends s HTML-escaped for text and attribute values (& < > " ').
 * Control characters other than tab and newline are dropped. */
int buf_html(buf *b, const char *s, size_t n);

/* Non-zero once an append has failed. */
int buf_failed(const buf *b);

/* Hands the memory to the caller (who frees it, wiping it first when the
 * buffer was secret) and leaves b empty. NULL when nothing was added. */
char *buf_take(buf *b, size_t *len);

/* Wipes (when secret) and frees; b may be reused after buf_init. */
void buf_free(buf *b);

#endif
