/*
 * ui.h - laying out and drawing text with ncurses for review: UTF-8 in
 * any script, double-width characters counted as two columns and
 * combining ones as none, lines wrapped to the window's width.
 *
 * Every string drawn has been through the sanitiser (term.h) or is the
 * program's own, so no control character or escape sequence reaches the
 * terminal; ui still refuses anything iswprint() rejects, drawing "?".
 *
 * Ownership: a ui_doc's text is plaintext: it lives in sodium_malloc
 * memory, and ui_doc_clear / ui_doc_free wipe it. Its line and row tables
 * (offsets, lengths, attributes) are ordinary memory. What ncurses keeps
 * of a drawn screen is ncurses' own (see docs/threat-model.md): callers
 * erase the screen before they lock or leave.
 */
#ifndef SEALDROP_ADMIN_UI_H
#define SEALDROP_ADMIN_UI_H

#include <stddef.h>

/* A logical line of a document: bytes [off, off + len) of its text. */
struct ui_line {
	size_t off, len;
	int attr;   /* an ncurses attribute (A_BOLD...) for the line */
	int event;  /* the caller's index of what the line belongs to */
};

/* A screen row: part of a logical line, cut to the width. */
struct ui_row {
	size_t off, len;
	int attr, event;
	int head;   /* the first row of its event */
};

/* Longest text a document holds; more is cut and says so. */
#define UI_DOC_MAX (8u << 20)

struct ui_doc {
	char *text;            /* sodium_malloc, cap bytes */
	size_t len, cap;
	struct ui_line *line;
	size_t nline, capline;
	struct ui_row *row;
	size_t nrow, caprow;
	int open;              /* the last line has not ended */
	int cut;               /* UI_DOC_MAX was reached */
	int failed;            /* out of memory */
	int width;             /* the width rows were laid out for */
	int last_event;
};

/* Appends n bytes of text (lines end at '\n'; a '\r' before it and at
 * the end is dropped, a tab becomes spaces) to the current line, as attr
 * and event; text that goes on in a later call continues the line. 0, or
 * -1 when out of memory or over UI_DOC_MAX (the document says "[cut]"). */
int ui_doc_text(struct ui_doc *d, int attr, int event, const char *s,
		size_t n);

/* Ends the current line, if one is open. */
void ui_doc_endline(struct ui_doc *d);

/* One whole line of the program's own words, printf-style. */
int ui_doc_line(struct ui_doc *d, int attr, int event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Lays the document out in rows of width columns (again only when the
 * width changed or lines were added). 0 or -1 when out of memory. */
int ui_doc_layout(struct ui_doc *d, int width);

/* The first row of event ev, or -1. */
long ui_doc_find(const struct ui_doc *d, int event);

/* Draws rows [top, top + height) at screen rows y.. in width columns;
 * the first row of event sel is drawn reversed. Rows past the end are
 * blank. */
void ui_doc_draw(const struct ui_doc *d, long top, int y, int height,
		 int width, int sel);

/* Wipes the text and forgets every line; the memory stays for reuse. */
void ui_doc_clear(struct ui_doc *d);

/* Wipes and frees everything; d may be zeroed. */
void ui_doc_free(struct ui_doc *d);

/* Columns the UTF-8 string s (n bytes) takes. */
int ui_width(const char *s, size_t n);

/* Draws the UTF-8 string s at (y, x) in at most cols columns, cut at a
 * character; returns the columns drawn. */
int ui_put(int y, int x, const char *s, int cols);

/* The same for n bytes of s. */
int ui_putn(int y, int x, const char *s, size_t n, int cols);

/* How many bytes of s (n bytes) fit in cols columns, at a character
 * edge. */
size_t ui_fit(const char *s, size_t n, int cols);

#endif
