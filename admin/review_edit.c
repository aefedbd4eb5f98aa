/*
 * review_edit.c - review's built-in editor for replies and notes.
 *
 * The text is in one sodium_malloc block (locked, wiped when freed) and
 * goes nowhere else but the screen: no file, no temporary file, no undo
 * history. Lines wrap at the window's width; the cursor moves by
 * character (UTF-8), and up and down keep their column.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>
#include <sodium.h>

#include "review.h"
#include "ui.h"

#define CTRL(c) ((c) & 0x1f)

struct span {
	size_t off, len;
};

struct editor {
	char *text;          /* CLI_TEXT_MAX + 1 bytes */
	size_t len, cur;
	int want;            /* the column up and down aim for, or -1 */
	long top;
	struct span *row;
	size_t nrow, caprow;
};

static int add_span(struct editor *e, size_t off, size_t len)
{
	if (e->nrow == e->caprow) {
		size_t cap = e->caprow ? 2 * e->caprow : 64;
		struct span *r = realloc(e->row, cap * sizeof(*r));

		if (!r)
			return -1;
		e->row = r;
		e->caprow = cap;
	}
	e->row[e->nrow].off = off;
	e->row[e->nrow].len = len;
	e->nrow++;
	return 0;
}

/* Cuts the text into rows of at most width columns, at characters. */
static int layout(struct editor *e, int width)
{
	size_t pos = 0;

	e->nrow = 0;
	for (;;) {
		const char *nl = memchr(e->text + pos, '\n', e->len - pos);
		size_t end = nl ? (size_t)(nl - e->text) : e->len;
		size_t p = pos;

		do {
			size_t k = ui_fit(e->text + p, end - p, width);

			if (k == 0 && p < end)
				k = 1;
			/* An exact fit leaves the cursor a row of its own. */
			if (add_span(e, p, k) != 0)
				return -1;
			p += k;
		} while (p < end);
		if (!nl)
			break;
		pos = end + 1;
	}
	return 0;
}

static size_t cursor_row(const struct editor *e)
{
	size_t r = 0;

	for (size_t i = 0; i < e->nrow; i++)
		if (e->row[i].off <= e->cur)
			r = i;
	return r;
}

static size_t prev_char(const struct editor *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)e->text[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const struct editor *e, size_t at)
{
	if (at >= e->len)
		return e->len;
	at++;
	while (at < e->len && ((unsigned char)e->text[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void delete_range(struct editor *e, size_t from, size_t to)
{
	memmove(e->text + from, e->text + to, e->len - to);
	e->len -= to - from;
	sodium_memzero(e->text + e->len, to - from);
	e->text[e->len] = '\0';
	e->cur = from;
}

static int insert(struct editor *e, const char *s, size_t n)
{
	if (e->len + n > CLI_TEXT_MAX)
		return -1;
	memmove(e->text + e->cur + n, e->text + e->cur, e->len - e->cur);
	memcpy(e->text + e->cur, s, n);
	e->len += n;
	e->cur += n;
	e->text[e->len] = '\0';
	return 0;
}

/* Moves to row r (up or down), at the column wanted. */
static void to_row(struct editor *e, size_t from, size_t r)
{
	const struct span *s = &e->row[from];

	if (e->want < 0)
		e->want = ui_width(e->text + s->off, e->cur - s->off);
	s = &e->row[r];
	e->cur = s->off + ui_fit(e->text + s->off, s->len, e->want);
}

static int blank(const struct editor *e)
{
	for (size_t i = 0; i < e->len; i++)
		if (!strchr(" \t\n", e->text[i]))
			return 0;
	return 1;
}

static void draw(struct review *rv, struct editor *e, const char *title,
		 int width)
{
	int height = LINES - 3;
	size_t cr;
	int x;

	if (height < 1)
		height = 1;
	cr = cursor_row(e);
	if ((long)cr < e->top)
		e->top = (long)cr;
	if ((long)cr >= e->top + height)
		e->top = (long)cr - height + 1;
	erase();
	for (int i = 0; i < height; i++) {
		long r = e->top + i;

		if (r >= (long)e->nrow)
			break;
		ui_putn(1 + i, 0, e->text + e->row[r].off, e->row[r].len,
			width);
	}
	review_frame(rv, title, "Ctrl-X:Done (preview)  Esc:Cancel  "
		     "Arrows Home End:Move  Bksp Del:Delete");
	x = ui_width(e->text + e->row[cr].off, e->cur - e->row[cr].off);
	move(1 + (int)((long)cr - e->top), x < width ? x : width);
	curs_set(1);
	refresh();
}

/* Asks on the status line; 1 for y. REVIEW_LOCK or REVIEW_QUIT end. */
static int ask_discard(struct review *rv, enum review_end *end)
{
	wint_t ch;
	enum review_input in;

	review_say(rv, 0, "Discard this text? y/N");
	review_frame(rv, NULL, NULL);
	refresh();
	in = review_key(rv, 1, &ch);
	if (review_leaves(in, end))
		return 1;
	review_say(rv, 0, " ");
	return in == REVIEW_CHAR && (ch == L'y' || ch == L'Y');
}

enum review_end review_edit(struct review *rv, const char *what,
			    const char *title, char **text, size_t *len)
{
	struct editor e;
	enum review_end end = REVIEW_BACK;
	char mb[MB_LEN_MAX];
	mbstate_t ms;

	memset(&e, 0, sizeof(e));
	e.want = -1;
	e.text = sodium_malloc(CLI_TEXT_MAX + 1);
	if (!e.text) {
		review_say(rv, 1, "out of locked memory for the text");
		goto out;
	}
	e.text[0] = '\0';
	if (*text) {
		memcpy(e.text, *text, *len);
		e.len = e.cur = *len;
		e.text[e.len] = '\0';
		sodium_free(*text);
		*text = NULL;
	}
	review_say(rv, 0, "Type the %s. Nothing is written to disk.", what);
	for (;;) {
		int width = COLS - 1 > 1 ? COLS - 1 : 1;
		enum review_input in;
		size_t cr;
		wint_t ch;

		if (layout(&e, width) != 0) {
			review_say(rv, 1, "out of memory");
			goto out;
		}
		draw(rv, &e, title, width);
		in = review_key(rv, 1, &ch);
		cr = cursor_row(&e);
		if (review_leaves(in, &end))
			goto out;
		if (in == REVIEW_RESIZE)
			continue;
		if (in == REVIEW_FUNC) {
			if (ch != KEY_UP && ch != KEY_DOWN)
				e.want = -1;
			switch (ch) {
			case KEY_LEFT: e.cur = prev_char(&e, e.cur); break;
			case KEY_RIGHT: e.cur = next_char(&e, e.cur); break;
			case KEY_UP:
				if (cr > 0)
					to_row(&e, cr, cr - 1);
				break;
			case KEY_DOWN:
				if (cr + 1 < e.nrow)
					to_row(&e, cr, cr + 1);
				break;
			case KEY_HOME: e.cur = e.row[cr].off; break;
			case KEY_END: e.cur = e.row[cr].off + e.row[cr].len;
				break;
			case KEY_BACKSPACE:
				if (e.cur > 0)
					delete_range(&e, prev_char(&e, e.cur),
						     e.cur);
				break;
			case KEY_DC:
				if (e.cur < e.len)
					delete_range(&e, e.cur,
						     next_char(&e, e.cur));
				break;
			case KEY_ENTER:
				if (insert(&e, "\n", 1) != 0)
					review_say(rv, 1, "the text is at its "
						   "limit (%d bytes)",
						   CLI_TEXT_MAX);
				break;
			default: break;
			}
			continue;
		}
		e.want = -1;
		if (ch == CTRL('X') || ch == CTRL('D')) {
			if (blank(&e)) {
				review_say(rv, 1, "The text is empty: type it, "
					   "or Esc to cancel.");
				continue;
			}
			end = REVIEW_OK;
			goto out;
		}
		if (ch == 27) {
			if (e.len == 0 || ask_discard(rv, &end))
				goto out;
			continue;
		}
		if (ch == 127 || ch == CTRL('H')) {
			if (e.cur > 0)
				delete_range(&e, prev_char(&e, e.cur), e.cur);
			continue;
		}
		if (ch == L'\r' || ch == L'\n')
			ch = L'\n';
		else if (iswcntrl(ch) || !iswprint(ch))
			continue; /* nothing that could steer a terminal */
		memset(&ms, 0, sizeof(ms));
		{
			size_t k = wcrtomb(mb, (wchar_t)ch, &ms);

			if (k != (size_t)-1 && insert(&e, mb, k) != 0)
				review_say(rv, 1, "the text is at its limit "
					   "(%d bytes)", CLI_TEXT_MAX);
		}
		sodium_memzero(mb, sizeof(mb));
		ch = 0;
	}
out:
	curs_set(0);
	free(e.row);
	if (end == REVIEW_OK) {
		*text = e.text;
		*len = e.len;
	} else if (e.text) {
		sodium_free(e.text);
	}
	return end;
}
