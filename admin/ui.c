/*
 * ui.c - text layout and drawing for review.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>
#include <sodium.h>

#include "ui.h"

/* The next character of s (n > 0 bytes): its length in bytes, *wc and
 * its columns *w. A byte that does not decode counts as one "?". */
static size_t next_char(const char *s, size_t n, wchar_t *wc, int *w)
{
	mbstate_t ms;
	size_t k;

	memset(&ms, 0, sizeof(ms));
	k = mbrtowc(wc, s, n, &ms);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*wc = L'?';
		*w = 1;
		return 1;
	}
	if (!iswprint((wint_t)*wc)) {
		*wc = L'?';
		*w = 1;
		return k;
	}
	*w = wcwidth(*wc);
	if (*w < 0) {
		*wc = L'?';
		*w = 1;
	}
	return k;
}

int ui_width(const char *s, size_t n)
{
	int cols = 0, w;
	wchar_t wc;

	while (n > 0) {
		size_t k = next_char(s, n, &wc, &w);

		cols += w;
		s += k;
		n -= k;
	}
	return cols;
}

size_t ui_fit(const char *s, size_t n, int cols)
{
	size_t used = 0;
	int c = 0, w;
	wchar_t wc;

	while (used < n) {
		size_t k = next_char(s + used, n - used, &wc, &w);

		if (c + w > cols)
			break;
		c += w;
		used += k;
	}
	return used;
}

/* Draws n bytes of s at the cursor in at most cols columns. */
static int put_n(const char *s, size_t n, int cols)
{
	wchar_t buf[256];
	size_t nb = 0;
	int used = 0, w;
	wchar_t wc;

	while (n > 0) {
		size_t k = next_char(s, n, &wc, &w);

		if (used + w > cols)
			break;
		/* A combining mark with nothing before it would join the
		 * previous cell: give it a base of its own. */
		if (w == 0 && nb == 0 && used == 0) {
			buf[nb++] = L' ';
			used++;
		}
		buf[nb++] = wc;
		used += w;
		s += k;
		n -= k;
		if (nb >= sizeof(buf) / sizeof(buf[0]) - 2) {
			addnwstr(buf, (int)nb);
			nb = 0;
		}
	}
	if (nb)
		addnwstr(buf, (int)nb);
	/* The characters were the source's words. */
	sodium_memzero(buf, sizeof(buf));
	return used;
}

int ui_put(int y, int x, const char *s, int cols)
{
	if (cols <= 0)
		return 0;
	move(y, x);
	return put_n(s, strlen(s), cols);
}

int ui_putn(int y, int x, const char *s, size_t n, int cols)
{
	if (cols <= 0)
		return 0;
	move(y, x);
	return put_n(s, n, cols);
}

/* Grows the text to hold n more bytes: a new locked block, the old one
 * wiped (sodium_free) after the copy. */
static int grow_text(struct ui_doc *d, size_t n)
{
	size_t cap = d->cap ? d->cap : 4096;
	char *t;

	while (cap < d->len + n)
		cap *= 2;
	if (cap == d->cap)
		return 0;
	t = sodium_malloc(cap);
	if (!t)
		return -1;
	if (d->len)
		memcpy(t, d->text, d->len);
	if (d->text)
		sodium_free(d->text);
	d->text = t;
	d->cap = cap;
	return 0;
}

static int new_line(struct ui_doc *d, int attr, int event)
{
	struct ui_line *l;

	if (d->nline == d->capline) {
		size_t cap = d->capline ? 2 * d->capline : 64;

		l = realloc(d->line, cap * sizeof(*l));
		if (!l)
			return -1;
		d->line = l;
		d->capline = cap;
	}
	l = &d->line[d->nline++];
	l->off = d->len;
	l->len = 0;
	l->attr = attr;
	l->event = event;
	d->open = 1;
	d->width = 0; /* to be laid out again */
	return 0;
}

static int add_bytes(struct ui_doc *d, const char *s, size_t n)
{
	if (grow_text(d, n) != 0)
		return -1;
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->line[d->nline - 1].len += n;
	d->width = 0;
	return 0;
}

/* Drops a '\r' that ends the open line (CRLF, or a lone CR the sanitiser
 * let through as a line end). */
static void drop_cr(struct ui_doc *d)
{
	struct ui_line *l = &d->line[d->nline - 1];

	if (l->len && d->text[l->off + l->len - 1] == '\r') {
		l->len--;
		d->len--;
		d->text[d->len] = '\0';
	}
}

static void mark_cut(struct ui_doc *d)
{
	static const char cut[] = "[cut: too long to show here]";

	if (d->cut)
		return;
	d->cut = 1;
	d->open = 0;
	/* Room for the mark is kept below the cap. */
	if (new_line(d, A_BOLD, d->last_event) == 0 &&
	    add_bytes(d, cut, sizeof(cut) - 1) == 0)
		d->open = 0;
}

int ui_doc_text(struct ui_doc *d, int attr, int event, const char *s,
		size_t n)
{
	if (d->cut || d->failed)
		return -1;
	d->last_event = event;
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) : n;

		if (!d->open && new_line(d, attr, event) != 0)
			goto fail;
		if (d->len + k + 1024 > UI_DOC_MAX) {
			mark_cut(d);
			return -1;
		}
		for (size_t i = 0; i < k; i++) {
			size_t j = i;

			while (j < k && s[j] != '\t')
				j++;
			if (j > i && add_bytes(d, s + i, j - i) != 0)
				goto fail;
			if (j < k && add_bytes(d, "    ", 4) != 0)
				goto fail;
			i = j;
		}
		if (!nl)
			break;
		drop_cr(d);
		d->open = 0;
		s += k + 1;
		n -= k + 1;
	}
	return 0;
fail:
	d->failed = 1;
	return -1;
}

void ui_doc_endline(struct ui_doc *d)
{
	if (d->open && d->nline)
		drop_cr(d);
	d->open = 0;
}

int ui_doc_line(struct ui_doc *d, int attr, int event, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	ui_doc_endline(d);
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (ui_doc_text(d, attr, event, line, (size_t)n) != 0)
		return -1;
	/* An empty line opens nothing above: make it a line of its own. */
	if (n == 0 && !d->cut && new_line(d, attr, event) != 0)
		return -1;
	ui_doc_endline(d);
	return 0;
}

static int add_row(struct ui_doc *d, const struct ui_line *l, size_t off,
		   size_t len, int head)
{
	struct ui_row *r;

	if (d->nrow == d->caprow) {
		size_t cap = d->caprow ? 2 * d->caprow : 128;

		r = realloc(d->row, cap * sizeof(*r));
		if (!r)
			return -1;
		d->row = r;
		d->caprow = cap;
	}
	r = &d->row[d->nrow++];
	r->off = off;
	r->len = len;
	r->attr = l->attr;
	r->event = l->event;
	r->head = head;
	return 0;
}

/* Cuts one logical line into rows: at the last space that leaves the row
 * at least half full, else at the width. */
static int wrap_line(struct ui_doc *d, const struct ui_line *l, int width,
		     int head)
{
	const char *s = d->text + l->off;
	size_t pos = 0, end = l->len;

	if (end == 0)
		return add_row(d, l, l->off, 0, head);
	while (pos < end) {
		size_t p = pos, brk = 0;
		int col = 0, w;
		wchar_t wc;

		while (p < end) {
			size_t k = next_char(s + p, end - p, &wc, &w);

			if (col + w > width)
				break;
			col += w;
			p += k;
			if (wc == L' ' && col >= width / 2)
				brk = p;
		}
		if (p < end && brk > pos)
			p = brk;
		if (p == pos) /* one character wider than the window */
			p += next_char(s + p, end - p, &wc, &w);
		if (add_row(d, l, l->off + pos, p - pos, head) != 0)
			return -1;
		head = 0;
		pos = p;
	}
	return 0;
}

int ui_doc_layout(struct ui_doc *d, int width)
{
	int prev = -1;

	if (width < 1)
		width = 1;
	if (d->width == width)
		return 0;
	d->nrow = 0;
	for (size_t i = 0; i < d->nline; i++) {
		const struct ui_line *l = &d->line[i];

		if (wrap_line(d, l, width, l->event != prev) != 0) {
			d->failed = 1;
			return -1;
		}
		prev = l->event;
	}
	d->width = width;
	return 0;
}

long ui_doc_find(const struct ui_doc *d, int event)
{
	for (size_t i = 0; i < d->nrow; i++)
		if (d->row[i].event == event && d->row[i].head)
			return (long)i;
	return -1;
}

void ui_doc_draw(const struct ui_doc *d, long top, int y, int height,
		 int width, int sel)
{
	for (int i = 0; i < height; i++) {
		long r = top + i;

		move(y + i, 0);
		clrtoeol();
		if (r < 0 || (size_t)r >= d->nrow)
			continue;
		const struct ui_row *row = &d->row[r];
		int attr = row->attr;

		if (row->head && row->event == sel && sel >= 0)
			attr |= A_REVERSE;
		attron(attr);
		put_n(d->text + row->off, row->len, width);
		attroff(attr);
	}
}

void ui_doc_clear(struct ui_doc *d)
{
	if (d->text)
		sodium_memzero(d->text, d->cap);
	d->len = 0;
	d->nline = 0;
	d->nrow = 0;
	d->open = 0;
	d->cut = 0;
	d->failed = 0;
	d->width = 0;
	d->last_event = 0;
}

void ui_doc_free(struct ui_doc *d)
{
	if (d->text)
		sodium_free(d->text);
	free(d->line);
	free(d->row);
	memset(d, 0, sizeof(*d));
}
