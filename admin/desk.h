/*
 * desk.h - the journalist's actions, once, for both front ends: the
 * commands (cmd_*.c), which print, and review (review*.c), which draws.
 *
 * Nothing here prints to standard output: results come back in structs or
 * through callbacks, and errors as cli_err lines (cli.h; review routes
 * them to its status line with cli_sink). Where plaintext passes through a
 * callback it lives in the caller's or the opener's buffer, is sanitised
 * (term.h) unless said otherwise, and is wiped after the call: a callback
 * that keeps it copies it into memory of its own and wipes that.
 */
#ifndef SEALDROP_ADMIN_DESK_H
#define SEALDROP_ADMIN_DESK_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "cli.h"
#include "codename.h"
#include "contents.h"
#include "dropkey.h"
#include "keys.h"

/* One submission as the inbox lists it. Holds no plaintext but its size
 * and file count. */
struct desk_row {
	int64_t id;
	int64_t source;          /* the source's local id */
	uint32_t day;
	int is_new, unread, starred;
	enum contents_state state;
	uint64_t bytes;          /* plaintext, when state is CONTENTS_OK */
	long long files;
	int64_t message;         /* the message's envelope id, or 0 */
	char desig[CODENAME_DESIG_LONG_MAX]; /* sanitised */
};

/* The submissions, newest first (of the source named source only, when
 * not NULL), each opened with k to learn its size, files and state; the
 * content is discarded unseen (contents.h). *rows is malloc'd (free()),
 * *n its length. 0, or -1 after an error line. */
int desk_inbox(archive *ar, const keys_secret *k, const char *source,
	       struct desk_row **rows, size_t *n);

/* Reads row's new, unread and starred flags again (after the row's
 * submission was read or starred), without opening anything. 0, or -1
 * after an error line. */
int desk_row_flags(archive *ar, struct desk_row *row);

/* Longest first line desk_first_line gives, in bytes, with its NUL. */
#define DESK_LINE_MAX 1024

/* The first line of the message in envelope env (from desk_row.message),
 * sanitised, into out (DESK_LINE_MAX bytes, NUL-terminated; "" when the
 * message is empty or does not open). Plaintext: the caller keeps out in
 * sodium_malloc memory and wipes it. 0, or -1 after an error line for a
 * database error. */
int desk_first_line(archive *ar, int64_t env, const keys_secret *k,
		    char out[DESK_LINE_MAX]);

/* The source a word names: a submission number (as list prints it) names
 * its source, else a designation. 0 with *src and pk, 1 after an error
 * line when there is none, -1. *sub gets the submission number, or 0. */
int desk_source(archive *ar, const char *word, int64_t *src, uint8_t pk[32],
		int64_t *sub);

/* The kinds of event in a conversation. */
enum desk_event_kind { DESK_SUBMISSION, DESK_NOTE, DESK_REPLY };

/* One event of a conversation, as desk_thread gives it. */
struct desk_event {
	enum desk_event_kind kind;
	uint32_t day;
	int64_t id;        /* submission, note or reply id */
	int64_t sub;       /* a note's submission (DESK_NOTE) */
	/* DESK_SUBMISSION: its envelopes as contents_scan found them with
	 * CONTENTS_SKIP_MESSAGE (the message's text is for the callback to
	 * open, with show_text or desk_text). */
	const struct contents *c;
	/* DESK_NOTE and DESK_REPLY: the sealed text (NULL for a reply kept
	 * from before this archive sealed copies to the newsroom). */
	const uint8_t *env;
	size_t envlen;
	const char *status; /* DESK_REPLY: queued, outbox, held, read... */
	uint32_t status_day; /* DESK_REPLY, when has_status_day */
	int has_status_day;
};

/* The conversation's first line: designation (sanitised) and first day. */
struct desk_thread_head {
	char desig[CODENAME_DESIG_LONG_MAX];
	uint32_t day;
};

/* Calls head once, then fn for each event of source src's conversation in
 * order (by day; within a day the submissions, then the notes, then the
 * replies). A submission whose every envelope opened is marked read after
 * fn returns 0. A non-zero return of a callback stops and is returned;
 * -1 after an error line for a database error. */
int desk_thread(archive *ar, const keys_secret *k, int64_t src,
		int (*head)(void *ctx, const struct desk_thread_head *h),
		int (*fn)(void *ctx, const struct desk_event *ev), void *ctx);

/* Opens the text sealed in envelope env (or in the in-memory envelope
 * blob of len bytes when env is 0) and gives it to fn sanitised, in
 * pieces, the last ending the text (a newline is not added). Returns as
 * archive_env_open (a file is refused: CRYPT_ESINK). */
int desk_text(archive *ar, int64_t env, const uint8_t *blob, size_t len,
	      const keys_secret *k,
	      int (*fn)(void *ctx, const char *s, size_t n), void *ctx);

/* Seals a reply (len bytes of the journalist's text) twice, to the
 * source's reply key pk and to the newsroom key pub_box (so the
 * conversation stays readable here), and queues it for source src.
 * Only ciphertext is stored; the caller wipes text. 0, or -1 after an
 * error line. */
int desk_reply(archive *ar, const uint8_t pub_box[32], int64_t src,
	       const uint8_t pk[32], const char *text, size_t len);

/* Seals a note to the newsroom key pub_box and adds it to submission
 * sub. The caller wipes text. 0, or -1 after an error line. */
int desk_note(archive *ar, const uint8_t pub_box[32], int64_t sub,
	      const char *text, size_t len);

/* What desk_extract tells its caller, file by file. */
struct desk_extract_cb {
	/* A file was written, whole, at path. */
	void (*file)(void *ctx, const char *path);
	/* Its inspection report, sanitised (n bytes, not NUL-terminated:
	 * plaintext, wiped after the call), and where it was written beside
	 * the file (NULL when it could not be: an error line said why). */
	void (*report)(void *ctx, const char *text, size_t n,
		       const char *report_path);
	void *ctx;
};

/* Checks the folder files are extracted into, before anything is
 * decrypted: created 0700 when missing (*created), refused when it is a
 * symlink or not writable; its absolute path goes to real (PATH_MAX). 0,
 * or -1 after an error line. */
int desk_extract_dir(const char *dir, char *real, int *created);

/* Decrypts submission id's files into dir (checked by desk_extract_dir,
 * real its absolute path) under their sanitised names, never over an
 * existing file: each is written under a hidden name and given its own
 * only once whole and synced. First removes from dir what extracts
 * killed partway left there (ours, held by no process), with a line for
 * each.
 * Inspects each file through the launcher (spawn_inspect), with clean
 * also writing a cleaned copy, and writes its report to
 * NAME.report.txt beside it. *nfiles counts the files written. Returns 0;
 * a CRYPT_* error when an envelope failed (the file it was writing is
 * removed); or 1 after an error line (as archive_env_open). */
int desk_extract(archive *ar, const keys_secret *k, int64_t id,
		 const char *dir, const char *real, int clean,
		 const struct desk_extract_cb *cb, unsigned *nfiles);

/* What an import brought, or why the drop's key was refused. */
struct desk_import_result {
	int pinned;               /* trust pinned the drop key: line is it */
	int unpinned;             /* refused: signed by a key not pinned
				   * (line and fpr say which) */
	char line[DROPKEY_LINE];  /* the drop key's line */
	char fpr[KEYS_FPR_LEN];   /* its fingerprint, for trust */
	unsigned long new_sources, new_subs, known_subs, receipts, statuses;
	size_t foreign;           /* new submissions sealed to other keys */
};

/* Verifies the export bundle at path as it streams and adds it to the
 * archive in one transaction, committed only when the drop's signature
 * over the whole file verified, the key is pinned (or trust, a
 * fingerprint already checked by the caller, names it and pins it) and
 * some new submission opens under this home's key (unlock_key, asked
 * only then; no prompt when a->key is open). Opens its own connection
 * to the archive. ADM_OK with *res; otherwise the exit status after an
 * error line, nothing changed, and for a key not pinned (or not the one
 * trust names) res's line and fpr name it. */
int desk_import(struct admin *a, const char *path, const char *trust,
		struct desk_import_result *res);

/* What an outbox carries. */
struct desk_outbox_counts {
	unsigned long replies;  /* replies written */
	unsigned long held;     /* replies left for the next outbox */
	unsigned long acks;     /* submissions acknowledged */
	unsigned long statuses; /* reply statuses acknowledged */
	unsigned long foreign;  /* not acknowledged: not sealed to this key */
	unsigned long broken;   /* not acknowledged: damaged here */
};

/* Writes the signed outbox bundle out (through out.tmp, synced, renamed):
 * queued replies, acknowledgements of the submissions this key opens
 * whole (each damaged one named in an error line) and of reply statuses,
 * all marked in one transaction committed only once the file is in
 * place. Opens the key with unlock_key (no prompt when a->key is open)
 * and its own connection to the archive. ADM_OK with *counts, or the
 * exit status after an error line; on failure nothing is marked and no
 * file is left. */
int desk_outbox(struct admin *a, const char *out,
		struct desk_outbox_counts *counts);

#endif
