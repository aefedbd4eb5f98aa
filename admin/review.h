/*
 * review.h - `sealdrop-admin review`, the interactive terminal interface:
 * the second front end over desk.h (the commands are the first).
 *
 * One passphrase for the session; after lock_secs without a key pressed
 * the key is wiped (keys_secret_free) with every text held, the screen is
 * erased, and it stays locked until the passphrase is typed again.
 * Leaving (q, Ctrl-C, SIGTERM, SIGHUP) wipes the same way.
 *
 * Ownership: struct review owns the open archive, the inbox rows (no
 * plaintext) and their first lines (plaintext, sodium_malloc, wiped on
 * lock and exit). A view owns its ui_doc and frees it on every way out.
 */
#ifndef SEALDROP_ADMIN_REVIEW_H
#define SEALDROP_ADMIN_REVIEW_H

#include <limits.h>
#include <stddef.h>
#include <time.h>
#include <wchar.h>

#include "archive.h"
#include "cli.h"
#include "desk.h"
#include "keys.h"

/* Default idle time before the screen locks, in seconds. */
#define REVIEW_LOCK_DEFAULT (10 * 60)

/* How a view ended. */
enum review_end {
	REVIEW_OK,     /* done: the result is there */
	REVIEW_BACK,   /* went back, or cancelled */
	REVIEW_LOCK,   /* idle: the session locks */
	REVIEW_QUIT,   /* leave the program */
};

/* What review_key read. */
enum review_input {
	REVIEW_CHAR,   /* a character in *ch */
	REVIEW_FUNC,   /* a function key (KEY_UP...) in *ch */
	REVIEW_RESIZE, /* the window changed size: redraw */
	REVIEW_IDLE,   /* the idle time ran out */
	REVIEW_STOP,   /* Ctrl-C, or a signal to stop */
};

struct review {
	struct admin *a;
	archive *ar;
	keys_pub pub;
	unsigned lock_secs;
	struct timespec last;          /* the last key pressed */
	struct desk_row *rows;         /* the inbox */
	size_t nrows;
	char *lines;                   /* nrows first lines of DESK_LINE_MAX,
					* sodium_malloc */
	size_t sel, top;               /* the inbox's selection, scroll */
	char status[512];              /* the status line's text */
	int status_err;
	char outdir[PATH_MAX];         /* where extract writes, asked once */
	char realdir[PATH_MAX];
};

/* Runs the session on the terminal. Returns ADM_OK, or ADM_ERR after an
 * error line when the terminal cannot be used. a->key is wiped and NULL
 * on return. */
int review_run(struct admin *a, unsigned lock_secs);

/* Waits for a key: its kind, *ch the key. The idle timer counts from the
 * last key; REVIEW_IDLE when it ran out (only when idle is set). */
enum review_input review_key(struct review *rv, int idle, wint_t *ch);

/* 1 when in ends every view (the idle time ran out, or a stop), with
 * *end what the session does next (REVIEW_LOCK or REVIEW_QUIT); 0, *end
 * untouched, for any other input. */
int review_leaves(enum review_input in, enum review_end *end);

/* Says msg on the status line (err: as an error). */
void review_say(struct review *rv, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Draws the title bar (row 0), the status line and the key bar (the two
 * last rows). */
void review_frame(struct review *rv, const char *title, const char *keys);

/* The built-in editor: the journalist writes what ("reply", "note"), under
 * title. Nothing is written to disk: the
 * text lives in sodium_malloc memory. On REVIEW_OK *text holds it
 * (NUL-terminated, *len bytes, not empty; the caller sodium_free()s it);
 * if *text is already set, editing goes on from it. Any other end wipes
 * and frees it (*text NULL). */
enum review_end review_edit(struct review *rv, const char *what,
			    const char *title, char **text, size_t *len);

#endif
