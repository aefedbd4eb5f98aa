/*
 * review.c - the interactive terminal interface: the session, its lock,
 * the inbox, a conversation, files and their reports, help.
 *
 * Every action calls what the matching command calls (desk.h, archive.h):
 * only the drawing is review's own. Plaintext is held in locked memory
 * (ui_doc, the inbox's first lines, the editor's text) for as long as it
 * is on the screen, and wiped when the view closes, when the session
 * locks and when it ends; the screen is erased before either.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wctype.h>

#include <curses.h>
#include <sodium.h>

#include "crypt.h"
#include "envelope.h"
#include "review.h"
#include "ui.h"
#include "unlock.h"

#define CTRL(c) ((c) & 0x1f)

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

enum review_input review_key(struct review *rv, int idle, wint_t *ch)
{
	for (;;) {
		int r;

		*ch = 0;
		if (stop_signal)
			return REVIEW_STOP;
		if (idle && since(&rv->last) >= (double)rv->lock_secs)
			return REVIEW_IDLE;
		r = get_wch(ch);
		if (stop_signal)
			return REVIEW_STOP;
		if (r == ERR)
			continue; /* the half-second tick, or a signal */
		clock_gettime(CLOCK_MONOTONIC, &rv->last);
		if (r == KEY_CODE_YES)
			return *ch == KEY_RESIZE ? REVIEW_RESIZE : REVIEW_FUNC;
		if (*ch == CTRL('C'))
			return REVIEW_STOP;
		return REVIEW_CHAR;
	}
}

int review_leaves(enum review_input in, enum review_end *end)
{
	if (in != REVIEW_IDLE && in != REVIEW_STOP)
		return 0;
	*end = in == REVIEW_IDLE ? REVIEW_LOCK : REVIEW_QUIT;
	return 1;
}

void review_say(struct review *rv, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rv->status, sizeof(rv->status), fmt, ap);
	va_end(ap);
	rv->status_err = err;
}

void review_frame(struct review *rv, const char *title, const char *keys)
{
	int w = COLS;

	if (title) {
		move(0, 0);
		attron(A_REVERSE);
		for (int i = 0; i < w; i++)
			addch(' ');
		ui_put(0, 1, title, w - 2);
		attroff(A_REVERSE);
	}
	if (LINES >= 3) {
		/* A long line (an error that names a path) wraps upwards
		 * over the view, up to three rows, rather than lose its
		 * end. */
		const char *t = rv->status;
		size_t n = strlen(t), cut[3];
		int rows = 0;

		while (rows < 3 && (rows == 0 || n > 0)) {
			cut[rows] = ui_fit(t, n, w);
			if (cut[rows] == 0 && n > 0)
				break;
			t += cut[rows];
			n -= cut[rows];
			rows++;
		}
		if (rows >= LINES - 1)
			rows = 1;
		t = rv->status;
		if (rv->status_err)
			attron(A_BOLD);
		for (int i = 0; i < rows; i++) {
			int y = LINES - 1 - rows + i;

			move(y, 0);
			clrtoeol();
			ui_putn(y, 0, t, cut[i], w);
			t += cut[i];
		}
		if (rv->status_err)
			attroff(A_BOLD);
	}
	if (keys) {
		move(LINES - 1, 0);
		attron(A_REVERSE);
		for (int i = 0; i < w; i++)
			addch(' ');
		ui_put(LINES - 1, 1, keys, w - 2);
		attroff(A_REVERSE);
	}
}

/* The commands' error lines, on the status line instead of stderr. */
static void sink_err(void *ctx, const char *line)
{
	review_say(ctx, 1, "%s", line);
}

static void sink_progress(void *ctx, const char *what, uint64_t done,
			  uint64_t total)
{
	struct review *rv = ctx;

	if (!what || LINES < 3)
		return;
	if (total)
		review_say(rv, 0, "%s: %u%%", what,
			   (unsigned)(done * 100 / total));
	else
		review_say(rv, 0, "%s: %llu", what, (unsigned long long)done);
	review_frame(rv, NULL, NULL);
	refresh();
}

/* ---- questions on the status line ---- */

/* y/N on the status line: 1 for yes, 0 for no; REVIEW_LOCK or
 * REVIEW_QUIT in *end (and 0) when the session must stop. */
static int ask_yes(struct review *rv, enum review_end *end, const char *q)
{
	enum review_input in;
	wint_t ch;

	review_say(rv, 0, "%s y/N", q);
	review_frame(rv, NULL, NULL);
	refresh();
	in = review_key(rv, 1, &ch);
	review_say(rv, 0, " ");
	if (review_leaves(in, end))
		return 0;
	return in == REVIEW_CHAR && (ch == L'y' || ch == L'Y');
}

/* A line typed on screen row row (-1: the status line), after prompt,
 * into buf (cap bytes, NUL-terminated UTF-8). hidden shows nothing of it
 * (a passphrase: then buf is the caller's locked memory); idle lets the
 * idle timer end it. REVIEW_OK, REVIEW_BACK on Esc, REVIEW_LOCK or
 * REVIEW_QUIT. */
static enum review_end ask_line(struct review *rv, int row,
				const char *prompt, char *buf, size_t cap,
				int hidden, int idle)
{
	size_t n = strlen(buf);
	char mb[MB_LEN_MAX];
	mbstate_t ms;
	enum review_end end = REVIEW_BACK;

	for (;;) {
		enum review_input in;
		wint_t ch;
		int y = row >= 0 ? row : LINES - 2, x;

		move(y, 0);
		clrtoeol();
		x = ui_put(y, 0, prompt, COLS);
		if (!hidden && x < COLS - 1) {
			/* The end of what was typed, when it is long. */
			int room = COLS - 1 - x, w = ui_width(buf, n);
			size_t skip = 0;

			while (w > room && skip < n) {
				size_t k = 1;

				while (skip + k < n &&
				       ((unsigned char)buf[skip + k] & 0xc0) ==
				       0x80)
					k++;
				w -= ui_width(buf + skip, k);
				skip += k;
			}
			x += ui_putn(y, x, buf + skip, n - skip, room);
		}
		move(y, x < COLS ? x : COLS - 1);
		curs_set(1);
		refresh();
		in = review_key(rv, idle, &ch);
		if (review_leaves(in, &end))
			break;
		if (in == REVIEW_RESIZE)
			continue;
		if ((in == REVIEW_CHAR && (ch == L'\r' || ch == L'\n')) ||
		    (in == REVIEW_FUNC && ch == KEY_ENTER)) {
			end = REVIEW_OK;
			break;
		}
		if (in == REVIEW_CHAR && ch == 27)
			break;
		if ((in == REVIEW_FUNC && ch == KEY_BACKSPACE) ||
		    (in == REVIEW_CHAR && (ch == 127 || ch == CTRL('H')))) {
			while (n > 0) {
				unsigned char c = (unsigned char)buf[--n];

				buf[n] = '\0';
				if ((c & 0xc0) != 0x80)
					break;
			}
			continue;
		}
		if (in == REVIEW_CHAR && ch == CTRL('U')) {
			sodium_memzero(buf, cap);
			n = 0;
			continue;
		}
		if (in != REVIEW_CHAR || iswcntrl(ch) || !iswprint(ch))
			continue;
		memset(&ms, 0, sizeof(ms));
		{
			size_t k = wcrtomb(mb, (wchar_t)ch, &ms);

			if (k != (size_t)-1 && n + k < cap) {
				memcpy(buf + n, mb, k);
				n += k;
				buf[n] = '\0';
			}
		}
		sodium_memzero(mb, sizeof(mb));
		ch = 0;
	}
	curs_set(0);
	move(row >= 0 ? row : LINES - 2, 0);
	clrtoeol();
	return end;
}

/* ---- the lock ---- */

/* Wipes every text the session holds and the key, and erases the
 * screen (ncurses' copies of it included: they are redrawn blank). */
static void wipe_session(struct review *rv)
{
	if (rv->lines) {
		sodium_free(rv->lines);
		rv->lines = NULL;
	}
	free(rv->rows);
	rv->rows = NULL;
	rv->nrows = 0;
	keys_secret_free(rv->a->key);
	rv->a->key = NULL;
	erase();
	refresh();
	clear();
	refresh();
}

/* Asks for the passphrase until the key opens. REVIEW_OK, or
 * REVIEW_QUIT. */
static enum review_end unlock_screen(struct review *rv, int first)
{
	char *pass = sodium_malloc(UNLOCK_PASS_MAX + 1);
	char path[PATH_MAX + 64];
	enum review_end end = REVIEW_QUIT;

	if (!pass) {
		review_say(rv, 1, "out of locked memory for the passphrase");
		return REVIEW_QUIT;
	}
	snprintf(path, sizeof(path), "Passphrase for %s/newsroom.key:",
		 rv->a->home);
	for (;;) {
		enum review_end e;
		int rc;

		erase();
		review_frame(rv, first ? "sealdrop review - unlock" :
			     "sealdrop review - locked", "Enter:Unlock  "
			     "Ctrl-C:Leave");
		ui_put(2, 2, first ? "One passphrase opens the newsroom key "
		       "for this session." : "Locked: the key and every "
		       "text were wiped from memory.", COLS - 4);
		ui_put(3, 2, "Nothing of what you type is shown.", COLS - 4);
		ui_put(4, 2, path, COLS - 4);
		sodium_memzero(pass, UNLOCK_PASS_MAX + 1);
		e = ask_line(rv, 5, "  > ", pass, UNLOCK_PASS_MAX + 1, 1, 0);
		if (e == REVIEW_QUIT)
			break;
		if (e != REVIEW_OK || !pass[0])
			continue;
		review_say(rv, 0, "Opening the key...");
		review_frame(rv, NULL, NULL);
		refresh();
		rc = unlock_key_with(rv->a, pass, strlen(pass));
		sodium_memzero(pass, UNLOCK_PASS_MAX + 1);
		if (rc == ADM_OK) {
			review_say(rv, 0, "Unlocked. The screen locks after "
				   "%u s without a key pressed.",
				   rv->lock_secs);
			end = REVIEW_OK;
			break;
		}
		/* unlock_key_with said why on the status line. */
	}
	sodium_free(pass);
	return end;
}

/* ---- the inbox ---- */

static int load_inbox(struct review *rv)
{
	if (rv->lines)
		sodium_free(rv->lines);
	rv->lines = NULL;
	free(rv->rows);
	rv->rows = NULL;
	rv->nrows = 0;
	if (desk_inbox(rv->ar, rv->a->key, NULL, &rv->rows, &rv->nrows) != 0)
		return -1;
	if (rv->nrows == 0)
		return 0;
	rv->lines = sodium_allocarray(rv->nrows, DESK_LINE_MAX);
	if (!rv->lines) {
		review_say(rv, 1, "out of locked memory for the inbox");
		return -1;
	}
	for (size_t i = 0; i < rv->nrows; i++) {
		cli_progress("Reading first lines", i, rv->nrows);
		if (desk_first_line(rv->ar, rv->rows[i].message, rv->a->key,
				    rv->lines + i * DESK_LINE_MAX) != 0)
			return -1;
	}
	if (rv->sel >= rv->nrows)
		rv->sel = rv->nrows - 1;
	review_say(rv, 0, " ");
	return 0;
}

/* The designation column's width. */
#define DESIG_COLS 20

static void draw_inbox(struct review *rv)
{
	size_t nnew = 0, nunread = 0, nstar = 0;
	int height = LINES - 4;
	char title[256], date[16], size[CONTENTS_SIZE_MAX], head[64];

	for (size_t i = 0; i < rv->nrows; i++) {
		nnew += (size_t)rv->rows[i].is_new;
		nunread += (size_t)rv->rows[i].unread;
		nstar += (size_t)rv->rows[i].starred;
	}
	snprintf(title, sizeof(title), "sealdrop review - Inbox: %zu "
		 "submission%s, %zu new, %zu unread, %zu starred", rv->nrows,
		 rv->nrows == 1 ? "" : "s", nnew, nunread, nstar);
	erase();
	review_frame(rv, title, "q:Quit  Enter:Open  s:Star  r:Reply  "
		     "i:Import  o:Outbox  L:Lock  ?:Help");
	if (height < 1)
		return;
	if (rv->nrows == 0) {
		ui_put(2, 2, "No submissions. Press i to import a bundle from "
		       "the drop.", COLS - 4);
		return;
	}
	attron(A_BOLD);
	ui_put(1, 0, "     ID DAY         SOURCE               FILES     SIZE "
	       " FIRST LINE", COLS);
	attroff(A_BOLD);
	if (rv->sel < rv->top)
		rv->top = rv->sel;
	if (rv->sel >= rv->top + (size_t)height)
		rv->top = rv->sel - (size_t)height + 1;
	for (int i = 0; i < height && rv->top + (size_t)i < rv->nrows; i++) {
		size_t k = rv->top + (size_t)i;
		const struct desk_row *w = &rv->rows[k];
		const char *line = rv->lines + k * DESK_LINE_MAX;
		int x, y = 2 + i;

		if (k == rv->sel)
			attron(A_REVERSE);
		else if (w->unread)
			attron(A_BOLD);
		move(y, 0);
		for (int c = 0; c < COLS; c++)
			addch(' ');
		contents_size_field(w->bytes, w->state == CONTENTS_OK, size);
		snprintf(head, sizeof(head), "%c%c%c%4lld %s  ",
			 w->is_new ? 'N' : ' ', w->unread ? 'U' : ' ',
			 w->starred ? '*' : ' ', (long long)w->id,
			 cli_date(w->day, date));
		x = ui_put(y, 0, head, COLS);
		ui_put(y, x, w->desig, DESIG_COLS);
		x += DESIG_COLS + 1;
		snprintf(head, sizeof(head), "%5lld %s  ", w->files, size);
		x += ui_put(y, x, head, COLS - x);
		if (w->state == CONTENTS_OTHER_KEY)
			line = "[sealed to another newsroom key]";
		else if (w->state == CONTENTS_DAMAGED)
			line = "[damaged: does not open whole]";
		ui_put(y, x, line, COLS - x);
		attroff(A_REVERSE | A_BOLD);
	}
	/* A long status line may cover the last rows. */
	review_frame(rv, NULL, NULL);
}

static enum review_end conversation(struct review *rv, int64_t src);
static enum review_end help_view(struct review *rv);
static enum review_end compose(struct review *rv, int64_t src, int64_t sub);
static enum review_end import_bundle(struct review *rv);
static enum review_end write_outbox(struct review *rv);

static enum review_end toggle_star(struct review *rv, int64_t sub)
{
	int starred;

	if (archive_sub_toggle_star(rv->ar, sub, &starred) == 0)
		review_say(rv, 0, "Submission %lld %s.", (long long)sub,
			   starred ? "starred" : "unstarred");
	for (size_t i = 0; i < rv->nrows; i++)
		if (rv->rows[i].id == sub)
			desk_row_flags(rv->ar, &rv->rows[i]);
	return REVIEW_BACK;
}

static enum review_end inbox(struct review *rv)
{
	if (load_inbox(rv) != 0)
		review_frame(rv, NULL, NULL);
	for (;;) {
		enum review_end end = REVIEW_BACK;
		enum review_input in;
		struct desk_row *w;
		wint_t ch;
		size_t page = LINES > 6 ? (size_t)LINES - 5 : 1;

		draw_inbox(rv);
		refresh();
		in = review_key(rv, 1, &ch);
		if (review_leaves(in, &end))
			return end;
		if (in == REVIEW_RESIZE)
			continue;
		w = rv->nrows ? &rv->rows[rv->sel] : NULL;
		if (in == REVIEW_FUNC) {
			if (ch == KEY_UP && rv->sel > 0)
				rv->sel--;
			else if (ch == KEY_DOWN && rv->sel + 1 < rv->nrows)
				rv->sel++;
			else if (ch == KEY_PPAGE)
				rv->sel = rv->sel > page ? rv->sel - page : 0;
			else if (ch == KEY_NPAGE && rv->nrows)
				rv->sel = rv->sel + page < rv->nrows ?
					  rv->sel + page : rv->nrows - 1;
			else if (ch == KEY_HOME)
				rv->sel = 0;
			else if (ch == KEY_END && rv->nrows)
				rv->sel = rv->nrows - 1;
			else if (ch == KEY_ENTER && w)
				end = conversation(rv, w->source);
		} else {
			switch (ch) {
			case L'q': return REVIEW_QUIT;
			case L'k':
				if (rv->sel > 0)
					rv->sel--;
				break;
			case L'j':
				if (rv->sel + 1 < rv->nrows)
					rv->sel++;
				break;
			case L'\r': case L'\n':
				if (w)
					end = conversation(rv, w->source);
				break;
			case L's':
				if (w)
					end = toggle_star(rv, w->id);
				break;
			case L'r':
				if (w)
					end = compose(rv, w->source, 0);
				break;
			case L'i': end = import_bundle(rv); break;
			case L'o': end = write_outbox(rv); break;
			case L'L': return REVIEW_LOCK;
			case L'?': end = help_view(rv); break;
			default: break;
			}
		}
		if (end == REVIEW_LOCK || end == REVIEW_QUIT)
			return end;
		/* Opening a conversation marks it read. */
		for (size_t i = 0; i < rv->nrows; i++)
			desk_row_flags(rv->ar, &rv->rows[i]);
	}
}

/* ---- a document on the screen: conversations, reports, help ---- */

struct pager {
	struct ui_doc doc;
	long top;
	int sel;        /* the selected event, or -1 */
	int nevents;
};

static int pager_height(void)
{
	return LINES - 3 > 1 ? LINES - 3 : 1;
}

static void pager_draw(struct review *rv, struct pager *p, const char *title,
		       const char *keys)
{
	int height = pager_height();

	if (ui_doc_layout(&p->doc, COLS) != 0)
		review_say(rv, 1, "out of memory");
	if (p->top > (long)p->doc.nrow - 1)
		p->top = (long)p->doc.nrow - 1;
	if (p->top < 0)
		p->top = 0;
	erase();
	ui_doc_draw(&p->doc, p->top, 1, height, COLS, p->sel);
	/* Last: a long status line may cover the view's last rows. */
	review_frame(rv, title, keys);
}

/* Scrolls so that the selected event's first row shows. */
static void pager_show_sel(struct pager *p)
{
	long r;

	ui_doc_layout(&p->doc, COLS);
	r = ui_doc_find(&p->doc, p->sel);
	if (r < 0)
		return;
	if (r < p->top || r >= p->top + pager_height())
		p->top = r > 1 ? r - 1 : 0;
}

/* The keys every document takes: scrolling. 1 when the key was one. */
static int pager_scroll(struct pager *p, enum review_input in, wint_t ch)
{
	long h = pager_height();

	if (in == REVIEW_CHAR && ch == L' ') {
		p->top += h - 1;
		return 1;
	}
	if (in != REVIEW_FUNC)
		return 0;
	switch (ch) {
	case KEY_PPAGE: p->top -= h - 1; return 1;
	case KEY_NPAGE: p->top += h - 1; return 1;
	case KEY_HOME: p->top = 0; return 1;
	case KEY_END: p->top = (long)p->doc.nrow - h; return 1;
	default: return 0;
	}
}

/* Shows a document that only scrolls, until q. */
static enum review_end show_doc(struct review *rv, struct pager *p,
				const char *title)
{
	for (;;) {
		enum review_end end;
		enum review_input in;
		wint_t ch;

		pager_draw(rv, p, title, "q:Back  Up Down PgUp PgDn:Scroll");
		refresh();
		in = review_key(rv, 1, &ch);
		if (review_leaves(in, &end))
			return end;
		if (in == REVIEW_RESIZE || pager_scroll(p, in, ch))
			continue;
		if (in == REVIEW_FUNC && ch == KEY_UP)
			p->top--;
		else if (in == REVIEW_FUNC && ch == KEY_DOWN)
			p->top++;
		else if (in == REVIEW_CHAR && (ch == L'q' || ch == 27))
			return REVIEW_BACK;
	}
}

static enum review_end help_view(struct review *rv)
{
	static const char *const text[] = {
		"Everywhere",
		"  q        go back; in the inbox, leave (the key and every "
		"text are wiped)",
		"  Ctrl-C   leave at once, wiping the same way",
		"  ?        this help",
		"  Up Down PgUp PgDn Home End   move and scroll",
		"",
		"The inbox (newest first; N new since the last import, "
		"U unread, * starred)",
		"  Enter    open the source's conversation",
		"  s        star or unstar the submission",
		"  r        write a reply to its source",
		"  i        import a bundle from the drop (asks its path)",
		"  o        write the outbox bundle for the drop (asks its "
		"path)",
		"  L        lock now",
		"",
		"A conversation (Up and Down select an item)",
		"  r        write a reply to the source",
		"  n        write a note on the selected submission",
		"  s        star or unstar the selected submission",
		"  e        extract its files, with each file's report",
		"  E        the same, and write cleaned copies beside them",
		"  u        take back the selected reply (if no outbox "
		"carried it)",
		"",
		"Writing (nothing is written to disk)",
		"  Ctrl-X   done: see it once more, then seal it or edit again",
		"  Esc      cancel",
		"",
		"The screen locks by itself after a while without a key "
		"pressed",
		"(review --lock-after MINUTES, or SEALDROP_ADMIN_LOCK_AFTER); "
		"the key is",
		"wiped then, and the passphrase opens it again.",
	};
	struct pager p = { .sel = -1 };
	enum review_end end;

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		ui_doc_line(&p.doc, text[i][0] && text[i][0] != ' ' ?
			    A_BOLD : 0, 0, "%s", text[i]);
	end = show_doc(rv, &p, "sealdrop review - Help");
	ui_doc_free(&p.doc);
	return end;
}

/* ---- a conversation ---- */

struct conv_event {
	enum desk_event_kind kind;
	int64_t id, sub;
};

struct conv {
	struct review *rv;
	struct pager p;
	struct conv_event *ev;
	size_t nev, capev;
	int64_t src;
	uint8_t pk[32];
	char desig[CODENAME_DESIG_LONG_MAX];
	int64_t last_sub;
};

static int conv_text(void *ctx, const char *s, size_t n)
{
	struct conv *cv = ctx;

	ui_doc_text(&cv->p.doc, 0, (int)cv->nev - 1, s, n);
	return 0;
}

static int conv_head(void *ctx, const struct desk_thread_head *h)
{
	struct conv *cv = ctx;
	char date[16];

	snprintf(cv->desig, sizeof(cv->desig), "%s", h->desig);
	return ui_doc_line(&cv->p.doc, A_BOLD, -1, "Conversation with %s "
			   "(first seen %s)", h->desig,
			   cli_date(h->day, date)) ? 1 : 0;
}

static int starred(const struct review *rv, int64_t sub)
{
	for (size_t i = 0; i < rv->nrows; i++)
		if (rv->rows[i].id == sub)
			return rv->rows[i].starred;
	return 0;
}

/* One opened text, or why it did not open, where it would have stood. */
static void conv_opened(struct conv *cv, int r)
{
	ui_doc_endline(&cv->p.doc);
	if (r != 0 && r != 1)
		ui_doc_line(&cv->p.doc, A_BOLD, (int)cv->nev - 1, "[%s]",
			    crypt_strerror(r));
}

static int conv_event(void *ctx, const struct desk_event *ev)
{
	struct conv *cv = ctx;
	struct ui_doc *d = &cv->p.doc;
	char date[16], sday[16] = "", size[CONTENTS_SIZE_MAX];
	struct conv_event *e;
	int k;

	if (cv->nev == cv->capev) {
		size_t cap = cv->capev ? 2 * cv->capev : 32;

		e = realloc(cv->ev, cap * sizeof(*e));
		if (!e)
			return 1;
		cv->ev = e;
		cv->capev = cap;
	}
	e = &cv->ev[cv->nev++];
	e->kind = ev->kind;
	e->id = ev->id;
	e->sub = ev->kind == DESK_NOTE ? ev->sub : ev->kind ==
		 DESK_SUBMISSION ? ev->id : cv->last_sub;
	k = (int)cv->nev - 1;
	cli_date(ev->day, date);
	if (ev->kind == DESK_SUBMISSION) {
		const struct contents *c = ev->c;
		size_t files = 0;

		cv->last_sub = ev->id;
		ui_doc_line(d, 0, -1, "%s", "");
		ui_doc_line(d, A_BOLD, k, "=== %s  the source  (submission "
			    "%lld)%s", date, (long long)ev->id,
			    starred(cv->rv, ev->id) ? "  [starred]" : "");
		if (c->message >= 0)
			conv_opened(cv, desk_text(cv->rv->ar,
						  c->env[c->message].id, NULL,
						  0, cv->rv->a->key, conv_text,
						  cv));
		for (size_t i = 0; i < c->n; i++) {
			const struct contents_env *f = &c->env[i];

			if ((long)i == c->message)
				continue;
			if (f->rc != 0)
				conv_opened(cv, f->rc);
			else if (f->kind == ENV_FILE)
				ui_doc_line(d, 0, k, "%s %s (%s)", files++ ?
					    "      " : "files:", f->name,
					    contents_size(f->size, size));
		}
		return 0;
	}
	if (ev->kind == DESK_NOTE) {
		ui_doc_line(d, A_BOLD, k, "--- %s  note on submission %lld",
			    date, (long long)ev->sub);
	} else {
		if (ev->has_status_day)
			cli_date(ev->status_day, sday);
		ui_doc_line(d, 0, -1, "%s", "");
		ui_doc_line(d, A_BOLD, k, ">>> %s  the newsroom  (reply %lld: "
			    "%s%s%s)", date, (long long)ev->id, ev->status ?
			    ev->status : "", sday[0] ? " " : "", sday);
		if (!ev->env)
			return ui_doc_line(d, 0, k, "[not readable here: "
					   "sealed to the source alone, "
					   "before this archive kept copies]")
				? 1 : 0;
	}
	conv_opened(cv, desk_text(NULL, 0, ev->env, ev->envlen,
				  cv->rv->a->key, conv_text, cv));
	return 0;
}

static int conv_load(struct conv *cv)
{
	ui_doc_clear(&cv->p.doc);
	cv->nev = 0;
	cv->last_sub = 0;
	if (desk_thread(cv->rv->ar, cv->rv->a->key, cv->src, conv_head,
			conv_event, cv) != 0)
		return -1;
	if (cv->p.sel < 0 || cv->p.sel >= (int)cv->nev)
		cv->p.sel = (int)cv->nev - 1;
	return 0;
}

/* The files of submission sub, into the folder asked once a session,
 * each with its report: the work of `extract` (desk_extract). */
struct extract_view {
	struct pager p;
	unsigned n;
};

static void ex_file(void *ctx, const char *path)
{
	struct extract_view *x = ctx;

	ui_doc_line(&x->p.doc, 0, -1, "%s", "");
	ui_doc_line(&x->p.doc, A_BOLD, -1, "%s", path);
}

static void ex_report(void *ctx, const char *text, size_t n,
		      const char *report_path)
{
	struct extract_view *x = ctx;

	ui_doc_text(&x->p.doc, 0, -1, text, n);
	ui_doc_endline(&x->p.doc);
	if (report_path)
		ui_doc_line(&x->p.doc, 0, -1, "Report: %s", report_path);
}

static enum review_end extract(struct review *rv, int64_t sub, int clean)
{
	struct extract_view x = { .p = { .sel = -1 } };
	const struct desk_extract_cb cb = { ex_file, ex_report, &x };
	enum review_end end = REVIEW_BACK;
	int created = 0, r;
	unsigned nfiles = 0;

	while (!rv->realdir[0]) {
		end = ask_line(rv, -1, "Extract files into folder: ", rv->outdir,
			       sizeof(rv->outdir), 0, 1);
		if (end != REVIEW_OK)
			return end;
		if (rv->outdir[0] &&
		    desk_extract_dir(rv->outdir, rv->realdir, &created) != 0) {
			rv->realdir[0] = '\0';
			return REVIEW_BACK; /* the status line says why */
		}
		if (!rv->outdir[0])
			return REVIEW_BACK;
	}
	/* Checked again: it may have gone since. */
	if (desk_extract_dir(rv->outdir, rv->realdir, &created) != 0)
		return REVIEW_BACK;
	ui_doc_line(&x.p.doc, A_BOLD, -1, "Files of submission %lld, in %s%s",
		    (long long)sub, rv->outdir, clean ?
		    " (with cleaned copies)" : "");
	review_say(rv, 0, "Extracting...");
	review_frame(rv, NULL, NULL);
	refresh();
	r = desk_extract(rv->ar, rv->a->key, sub, rv->outdir, rv->realdir,
			 clean, &cb, &nfiles);
	if (r == 1) {
		/* desk_extract said why on the status line. */
	} else if (r != 0) {
		review_say(rv, 1, "submission %lld: %s: the file it was "
			   "writing was removed", (long long)sub,
			   crypt_strerror(r));
	} else if (nfiles == 0) {
		review_say(rv, 0, "Submission %lld has no files.",
			   (long long)sub);
	} else {
		review_say(rv, 0, "%u file%s extracted into %s.", nfiles,
			   nfiles == 1 ? "" : "s", rv->outdir);
		ui_doc_line(&x.p.doc, 0, -1, "%s", "");
		ui_doc_line(&x.p.doc, A_BOLD, -1, "Careful: files from sources "
			    "may be hostile. Open them only on this machine, "
			    "in a viewer that runs no scripts or macros. Read "
			    "each file's report: what the file carries may "
			    "identify the source. Publish only a cleaned copy "
			    "(E), after checking it by hand; keep the "
			    "original.");
	}
	if (nfiles > 0)
		end = show_doc(rv, &x.p, "sealdrop review - Files and their "
			       "reports");
	else
		end = REVIEW_BACK;
	ui_doc_free(&x.p.doc);
	return end;
}

static enum review_end unqueue(struct review *rv, const struct conv_event *e)
{
	enum review_end end = REVIEW_BACK;
	char q[128];
	int r;

	if (!e || e->kind != DESK_REPLY) {
		review_say(rv, 1, "Select a reply (Up, Down) to take it back.");
		return REVIEW_BACK;
	}
	snprintf(q, sizeof(q), "Take back reply %lld?", (long long)e->id);
	if (!ask_yes(rv, &end, q))
		return end;
	/* What `unqueue` does, with its words. */
	r = archive_reply_unqueue(rv->ar, e->id);
	if (r == 0)
		review_say(rv, 0, "Reply %lld taken back; it was never written "
			   "to an outbox.", (long long)e->id);
	else if (r == 1)
		review_say(rv, 1, "no reply %lld", (long long)e->id);
	else if (r == 2)
		review_say(rv, 1, "reply %lld was written to an outbox already "
			   "and may be on its way to the source: it cannot be "
			   "taken back", (long long)e->id);
	return REVIEW_BACK;
}

static enum review_end conversation(struct review *rv, int64_t src)
{
	struct conv cv;
	enum review_end end = REVIEW_BACK;
	char title[CODENAME_DESIG_LONG_MAX + 64];
	int64_t sub;

	memset(&cv, 0, sizeof(cv));
	cv.rv = rv;
	cv.src = src;
	cv.p.sel = -1;
	review_say(rv, 0, "Opening the conversation...");
	review_frame(rv, NULL, NULL);
	refresh();
	if (conv_load(&cv) != 0)
		goto out;
	review_say(rv, 0, " ");
	pager_show_sel(&cv.p);
	for (;;) {
		const struct conv_event *e;
		enum review_input in;
		wint_t ch;
		int reload = 0;

		snprintf(title, sizeof(title), "sealdrop review - %s",
			 cv.desig);
		pager_draw(rv, &cv.p, title, "q:Back  Up/Down:Select  r:Reply  "
			   "n:Note  s:Star  e:Extract  u:Unqueue  ?:Help");
		refresh();
		in = review_key(rv, 1, &ch);
		if (review_leaves(in, &end))
			goto out;
		if (in == REVIEW_RESIZE) {
			pager_show_sel(&cv.p);
			continue;
		}
		if (pager_scroll(&cv.p, in, ch))
			continue;
		e = cv.p.sel >= 0 && (size_t)cv.p.sel < cv.nev ?
		    &cv.ev[cv.p.sel] : NULL;
		sub = e ? e->sub : cv.last_sub;
		if (in == REVIEW_FUNC) {
			if (ch == KEY_UP && cv.p.sel > 0)
				cv.p.sel--;
			else if (ch == KEY_DOWN && cv.p.sel + 1 < (int)cv.nev)
				cv.p.sel++;
			pager_show_sel(&cv.p);
			continue;
		}
		end = REVIEW_BACK;
		switch (ch) {
		case L'q': case 27: goto out;
		case L'k':
			if (cv.p.sel > 0)
				cv.p.sel--;
			pager_show_sel(&cv.p);
			break;
		case L'j':
			if (cv.p.sel + 1 < (int)cv.nev)
				cv.p.sel++;
			pager_show_sel(&cv.p);
			break;
		case L'?': end = help_view(rv); break;
		case L'r':
			end = compose(rv, src, 0);
			reload = 1;
			break;
		case L'n':
			if (sub) {
				end = compose(rv, src, sub);
				reload = 1;
			}
			break;
		case L's':
			if (sub) {
				end = toggle_star(rv, sub);
				reload = 1;
			}
			break;
		case L'e': case L'E':
			if (sub)
				end = extract(rv, sub, ch == L'E');
			break;
		case L'u':
			end = unqueue(rv, e);
			reload = 1;
			break;
		default: break;
		}
		if (end == REVIEW_LOCK || end == REVIEW_QUIT)
			goto out;
		if (reload) {
			int was = (int)cv.nev;
			char keep[sizeof(rv->status)];
			int kerr = rv->status_err;

			memcpy(keep, rv->status, sizeof(keep));
			if (conv_load(&cv) != 0)
				goto out;
			memcpy(rv->status, keep, sizeof(keep));
			rv->status_err = kerr;
			/* What was just written is the last item. */
			if ((int)cv.nev > was)
				cv.p.sel = (int)cv.nev - 1;
			pager_show_sel(&cv.p);
		}
	}
out:
	ui_doc_free(&cv.p.doc);
	free(cv.ev);
	return end;
}

/* ---- writing: edit, preview, confirm, seal ---- */

static int preview_text(void *ctx, const char *s, size_t n)
{
	return ui_doc_text(ctx, 0, 0, s, n) ? -1 : 0;
}

/* A reply to source src (sub 0), or a note on submission sub. */
static enum review_end compose(struct review *rv, int64_t src, int64_t sub)
{
	enum review_end end;
	char title[CODENAME_DESIG_LONG_MAX + 64];
	char desig[CODENAME_DESIG_LONG_MAX];
	char *text = NULL;
	uint8_t pk[32];
	size_t len = 0;
	int64_t id, s2;

	/* The source's designation and reply key, as `reply` finds them:
	 * the inbox knows the designation of every source it lists. */
	desig[0] = '\0';
	for (size_t i = 0; i < rv->nrows && !desig[0]; i++)
		if (rv->rows[i].source == src)
			snprintf(desig, sizeof(desig), "%s", rv->rows[i].desig);
	if (!desig[0] || desk_source(rv->ar, desig, &id, pk, &s2) != 0)
		return REVIEW_BACK;
	if (sub)
		snprintf(title, sizeof(title), "sealdrop review - Note on "
			 "submission %lld (only the newsroom reads it)",
			 (long long)sub);
	else
		snprintf(title, sizeof(title), "sealdrop review - Reply to "
			 "%s", desig);
	for (;;) {
		struct pager p = { .sel = -1 };
		enum review_input in;
		wint_t ch;
		int r;

		end = review_edit(rv, sub ? "note" : "reply", title, &text,
				  &len);
		if (end != REVIEW_OK)
			return end;
		/* The preview: the text as it will be sealed, sanitised as
		 * everything shown is. */
		{
			term_state ts = { .npend = 0 };
			char *out = sodium_malloc(TERM_OUT_MAX(len));
			size_t o;

			if (!out) {
				sodium_free(text);
				review_say(rv, 1, "out of locked memory");
				return REVIEW_BACK;
			}
			o = term_feed(&ts, (const uint8_t *)text, len, out);
			o += term_end(&ts, out + o);
			ui_doc_line(&p.doc, A_BOLD, -1, "%s", sub ?
				    "This note will be sealed to the newsroom "
				    "key:" : "This reply will be sealed and "
				    "queued for the source:");
			ui_doc_line(&p.doc, 0, -1, "%s", "");
			preview_text(&p.doc, out, o);
			ui_doc_endline(&p.doc);
			sodium_free(out);
		}
		review_say(rv, 0, sub ? "Seal this note? y: seal  e: edit "
			   "again  n: discard" : "Seal this reply and queue "
			   "it for the source? y: seal  e: edit again  n: "
			   "discard");
		do {
			pager_draw(rv, &p, title, "y:Seal  e:Edit again  "
				   "n:Discard  PgUp PgDn:Scroll");
			refresh();
			in = review_key(rv, 1, &ch);
		} while (in == REVIEW_RESIZE || pager_scroll(&p, in, ch));
		ui_doc_free(&p.doc);
		if (review_leaves(in, &end)) {
			sodium_free(text);
			return end;
		}
		if (in == REVIEW_CHAR && (ch == L'e' || ch == L'E'))
			continue;
		if (in != REVIEW_CHAR || (ch != L'y' && ch != L'Y')) {
			sodium_free(text);
			review_say(rv, 0, "Nothing %s.", sub ? "kept" :
				   "queued");
			return REVIEW_BACK;
		}
		r = sub ? desk_note(rv->ar, rv->pub.box_pk, sub, text, len) :
			  desk_reply(rv->ar, rv->pub.box_pk, src, pk, text,
				     len);
		sodium_free(text);
		if (r == 0 && sub)
			review_say(rv, 0, "Note added to submission %lld.",
				   (long long)sub);
		else if (r == 0)
			review_say(rv, 0, "Reply queued for %s (%zu bytes, "
				   "sealed). o in the inbox writes the outbox.",
				   desig, len);
		return REVIEW_BACK;
	}
}

/* ---- import and outbox ---- */

/* The drop's key is not pinned: its line and fingerprint, to compare
 * with what the drop's operator read out, and a question. 1 to pin. */
static int ask_pin(struct review *rv, const struct desk_import_result *res,
		   enum review_end *end)
{
	struct pager p = { .sel = -1 };
	enum review_input in;
	wint_t ch;

	ui_doc_line(&p.doc, A_BOLD, -1, "This bundle is signed by a drop key "
		    "this home has not pinned:");
	ui_doc_line(&p.doc, 0, -1, "%s", "");
	ui_doc_line(&p.doc, 0, -1, "    %s", res->line);
	ui_doc_line(&p.doc, 0, -1, "%s", "");
	ui_doc_line(&p.doc, 0, -1, "Compare the fingerprint with the line "
		    "`sealdrop init` or `sealdrop status` printed on the drop, "
		    "read out by its operator. Pin it only if they match: "
		    "from then on, exports must be signed by it.");
	review_say(rv, 0, "Pin this drop key and import? y/N");
	do {
		pager_draw(rv, &p, "sealdrop review - A new drop key",
			   "y:Pin and import  n:Cancel");
		refresh();
		in = review_key(rv, 1, &ch);
	} while (in == REVIEW_RESIZE);
	ui_doc_free(&p.doc);
	review_say(rv, 0, " ");
	if (review_leaves(in, end))
		return 0;
	return in == REVIEW_CHAR && (ch == L'y' || ch == L'Y');
}

/* What `import` does, from a path typed here. */
static enum review_end import_bundle(struct review *rv)
{
	struct desk_import_result res;
	enum review_end end;
	char path[PATH_MAX] = "";
	int rc;

	end = ask_line(rv, -1, "Import the bundle at: ", path, sizeof(path),
		       0, 1);
	if (end != REVIEW_OK || !path[0])
		return end == REVIEW_OK ? REVIEW_BACK : end;
	rc = desk_import(rv->a, path, NULL, &res);
	if (rc != ADM_OK && res.line[0]) {
		char fpr[KEYS_FPR_LEN];

		end = REVIEW_BACK;
		if (!ask_pin(rv, &res, &end))
			return end;
		/* desk_import starts by clearing res. */
		memcpy(fpr, res.fpr, sizeof(fpr));
		rc = desk_import(rv->a, path, fpr, &res);
	}
	if (rc != ADM_OK)
		return REVIEW_BACK; /* the status line says why */
	if (load_inbox(rv) == 0)
		rv->sel = 0;
	review_say(rv, 0, "Imported %lu new submission%s, %lu new source%s%s. "
		   "Delete the bundle from the stick now.", res.new_subs,
		   res.new_subs == 1 ? "" : "s", res.new_sources,
		   res.new_sources == 1 ? "" : "s", res.pinned ?
		   "; drop key pinned" : "");
	return REVIEW_BACK;
}

/* What `outbox` does, to a path typed here. */
static enum review_end write_outbox(struct review *rv)
{
	struct desk_outbox_counts c;
	enum review_end end;
	char path[PATH_MAX] = "";

	end = ask_line(rv, -1, "Write the outbox bundle to: ", path,
		       sizeof(path), 0, 1);
	if (end != REVIEW_OK || !path[0])
		return end == REVIEW_OK ? REVIEW_BACK : end;
	if (desk_outbox(rv->a, path, &c) != ADM_OK)
		return REVIEW_BACK;
	review_say(rv, 0, "Wrote the outbox: %lu repl%s, %lu acknowledgement%s"
		   "%s. Carry it to the drop.", c.replies, c.replies == 1 ?
		   "y" : "ies", c.acks, c.acks == 1 ? "" : "s", c.held ?
		   "; more replies wait for the next one" : "");
	return REVIEW_BACK;
}

/* ---- the session ---- */

static int utf8_locale(void)
{
	if (setlocale(LC_ALL, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return 1;
	return setlocale(LC_CTYPE, "C.UTF-8") &&
	       strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

int review_run(struct admin *a, unsigned lock_secs)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct review rv;
	struct sigaction sa;
	SCREEN *scr;
	enum review_end end;
	char why[sizeof(rv.status)] = "";
	int first = 1;

	memset(&rv, 0, sizeof(rv));
	rv.a = a;
	rv.lock_secs = lock_secs;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_err("review needs a terminal (the commands work without "
			"one: see --help)");
		return ADM_ERR;
	}
	if (!utf8_locale()) {
		cli_err("review needs a UTF-8 locale (for example "
			"LANG=C.UTF-8)");
		return ADM_ERR;
	}
	/* The home is checked before the screen is taken: a mistyped
	 * --home is named as such, and no archive is made in it. */
	if (access(a->home, F_OK) != 0) {
		cli_err("%s: %s", a->home, strerror(errno));
		return ADM_ERR;
	}
	if (unlock_pub(a, &rv.pub) != ADM_OK)
		return ADM_ERR;
	/* A passphrase file opens the first session without a prompt; the
	 * lock screen always asks on the keyboard. */
	if (a->passfile) {
		int rc = unlock_key(a);

		if (rc != ADM_OK)
			return rc;
	}
	/* Before ncurses: it installs handlers only where none is. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		keys_secret_free(a->key);
		a->key = NULL;
		cli_err("cannot use this terminal (check TERM)");
		return ADM_ERR;
	}
	set_term(scr);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	timeout(500);
	cli_sink(sink_err, sink_progress, &rv);
	clock_gettime(CLOCK_MONOTONIC, &rv.last);

	for (;;) {
		if (!a->key && unlock_screen(&rv, first) != REVIEW_OK)
			break;
		first = 0;
		if (!rv.ar && archive_open(a->home, &rv.ar) != 0) {
			/* Said again once the screen is given back. */
			memcpy(why, rv.status, sizeof(why));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &rv.last);
		end = inbox(&rv);
		if (end != REVIEW_LOCK)
			break;
		wipe_session(&rv);
		review_say(&rv, 0, " ");
	}
	wipe_session(&rv);
	cli_sink(NULL, NULL, NULL);
	endwin();
	delscreen(scr);
	archive_close(rv.ar);
	sodium_memzero(&rv, sizeof(rv));
	printf("review: the key and every text it showed were wiped from "
	       "memory, and the screen cleared.\n");
	if (why[0]) {
		cli_err("%s", why);
		return ADM_ERR;
	}
	return ADM_OK;
}
