/*
 * desk.c - the journalist's actions, shared by the commands and review.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypt.h"
#include "desk.h"
#include "envelope.h"
#include "fileio.h"
#include "spawn.h"
#include "term.h"

/* ---- the inbox ---- */

/* Reads the rows to list, newest first, into a malloc'd *rows. 0 or -1
 * after an error line. */
static int inbox_load(archive *ar, const char *source, struct desk_row **rows,
		      size_t *n)
{
	struct desk_row *v = NULL, *nv;
	size_t cnt = 0;
	sqlite3_stmt *st;
	int r;

	/* The files estimate stands when the key opens nothing. */
	st = archive_prepare(ar, "SELECT s.id, src.designation, s.day, "
			     ARCHIVE_FILES_SQL ", s.new, s.unread, s.starred, "
			     "s.source FROM submissions s "
			     "JOIN sources src ON src.id = s.source "
			     "WHERE ?1 IS NULL OR src.designation = ?1 "
			     "ORDER BY s.day DESC, s.id DESC");
	if (!st)
		return -1;
	if (source)
		sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 1);
		struct desk_row *w;

		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			sqlite3_finalize(st);
			free(v);
			cli_err("out of memory");
			return -1;
		}
		v = nv;
		w = &v[cnt++];
		memset(w, 0, sizeof(*w));
		w->id = sqlite3_column_int64(st, 0);
		term_str(d ? d : "", w->desig, sizeof(w->desig));
		w->day = (uint32_t)sqlite3_column_int64(st, 2);
		w->files = sqlite3_column_int64(st, 3);
		w->is_new = sqlite3_column_int(st, 4) != 0;
		w->unread = sqlite3_column_int(st, 5) != 0;
		w->starred = sqlite3_column_int(st, 6) != 0;
		w->source = sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		free(v);
		return archive_fail(ar, "listing");
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int desk_inbox(archive *ar, const keys_secret *k, const char *source,
	       struct desk_row **rows, size_t *n)
{
	struct contents c;
	struct desk_row *v = NULL;
	size_t cnt = 0;

	*rows = NULL;
	*n = 0;
	if (inbox_load(ar, source, &v, &cnt) != 0)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		cli_progress("Opening submissions", i, cnt);
		/* Every byte is counted; the message's envelope is kept for
		 * desk_first_line. */
		if (contents_scan(ar, v[i].id, k, 0, &c) != 0) {
			free(v);
			return -1;
		}
		v[i].state = contents_state(&c);
		if (v[i].state == CONTENTS_OK) {
			v[i].bytes = c.bytes;
			v[i].files = (long long)c.nfiles;
		}
		if (c.message >= 0 && c.env[c.message].rc == 0)
			v[i].message = c.env[c.message].id;
		contents_free(&c);
	}
	cli_progress_end();
	*rows = v;
	*n = cnt;
	return 0;
}

int desk_row_flags(archive *ar, struct desk_row *row)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT new, unread, starred "
					   "FROM submissions WHERE id = ?");
	int r;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, row->id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		row->is_new = sqlite3_column_int(st, 0) != 0;
		row->unread = sqlite3_column_int(st, 1) != 0;
		row->starred = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : archive_fail(ar, "reading a submission");
}

/* Raw bytes kept for a first line: enough for a wide screen of any
 * script, and sanitised it fits DESK_LINE_MAX. */
#define LINE_RAW 240

struct first_line {
	char *out;
	size_t len;
	int done;
};

static int line_meta(void *ctx, const env_meta *meta)
{
	(void)ctx;
	return meta->kind == ENV_FILE ? -1 : 0;
}

/* Keeps the raw bytes up to the first line's end; stops the opener
 * there, so the rest is never decrypted. */
static int line_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct first_line *fl = ctx;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			if (fl->len > 0) {
				fl->done = 1;
				return -1;
			}
			continue; /* leading blank lines say nothing */
		}
		if (fl->len + 1 >= LINE_RAW) {
			fl->done = 1;
			return -1;
		}
		fl->out[fl->len++] = (char)buf[i];
	}
	return 0;
}

int desk_first_line(archive *ar, int64_t env, const keys_secret *k,
		    char out[DESK_LINE_MAX])
{
	char raw[LINE_RAW];
	struct first_line fl = { raw, 0, 0 };
	const env_open_cb cb = { line_meta, line_data, &fl };
	int r;

	out[0] = '\0';
	if (env == 0)
		return 0;
	r = archive_env_open(ar, env, k, &cb);
	if (r == 1) {
		sodium_memzero(raw, sizeof(raw));
		return -1;
	}
	/* Cut short on purpose, or whole: either way the line is what was
	 * read. A failure shows nothing: the conversation says why. */
	if (r == 0 || (r == CRYPT_ESINK && fl.done)) {
		raw[fl.len] = '\0';
		/* A line cut inside a character ends in U+FFFD: fine for a
		 * preview. term_str fits it in out at a character edge. */
		term_str(raw, out, DESK_LINE_MAX);
	}
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

/* ---- sources and conversations ---- */

int desk_source(archive *ar, const char *word, int64_t *src, uint8_t pk[32],
		int64_t *sub)
{
	int r;

	*sub = 0;
	/* Designations are words, so a number is a submission. */
	if (cli_id(NULL, word, sub) == 0)
		r = archive_source_by_sub(ar, *sub, src, pk);
	else
		r = archive_source_by_name(ar, word, src, pk);
	if (r == 1)
		cli_err("no %s '%s' (see 'list' or 'sources')", *sub ?
			"submission" : "source", word);
	return r;
}

static int thread_head(archive *ar, int64_t src, struct desk_thread_head *h)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT designation, day "
					   "FROM sources WHERE id = ?");
	int r = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, src);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);

		term_str(d ? d : "", h->desig, sizeof(h->desig));
		h->day = (uint32_t)sqlite3_column_int64(st, 1);
		r = 0;
	} else {
		archive_fail(ar, "reading the source");
	}
	sqlite3_finalize(st);
	return r;
}

static int thread_event(archive *ar, const keys_secret *k, sqlite3_stmt *st,
			int (*fn)(void *ctx, const struct desk_event *ev),
			void *ctx)
{
	struct desk_event ev;
	struct contents c;
	int r;

	memset(&ev, 0, sizeof(ev));
	ev.kind = (enum desk_event_kind)sqlite3_column_int(st, 0);
	ev.day = (uint32_t)sqlite3_column_int64(st, 1);
	ev.id = sqlite3_column_int64(st, 2);
	ev.env = sqlite3_column_blob(st, 3);
	ev.envlen = (size_t)sqlite3_column_bytes(st, 3);
	ev.status = (const char *)sqlite3_column_text(st, 4);
	ev.sub = sqlite3_column_int64(st, 5);
	if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
		ev.status_day = (uint32_t)sqlite3_column_int64(st, 6);
		ev.has_status_day = 1;
	}
	if (ev.kind != DESK_SUBMISSION)
		return fn(ctx, &ev);
	/* Files are opened only to be counted, their bytes dropped as they
	 * are decrypted; the message is the callback's to open. */
	if (contents_scan(ar, ev.id, k, CONTENTS_SKIP_MESSAGE, &c) != 0)
		return -1;
	ev.c = &c;
	r = fn(ctx, &ev);
	if (r == 0 && contents_state(&c) == CONTENTS_OK &&
	    archive_sub_set_unread(ar, ev.id, 0) != 0)
		r = -1;
	contents_free(&c);
	return r;
}

int desk_thread(archive *ar, const keys_secret *k, int64_t src,
		int (*head)(void *ctx, const struct desk_thread_head *h),
		int (*fn)(void *ctx, const struct desk_event *ev), void *ctx)
{
	struct desk_thread_head h;
	sqlite3_stmt *st;
	int r;

	if (thread_head(ar, src, &h) != 0)
		return -1;
	r = head(ctx, &h);
	if (r != 0)
		return r;
	st = archive_prepare(ar,
		"SELECT 0, s.day, s.id, NULL, NULL, NULL, NULL "
		"FROM submissions s WHERE s.source = ?1 "
		"UNION ALL SELECT 1, n.day, n.id, n.env, NULL, n.submission, "
		"NULL FROM notes n JOIN submissions s ON s.id = n.submission "
		"WHERE s.source = ?1 "
		"UNION ALL SELECT 2, r.day, r.id, r.copy, "
		ARCHIVE_REPLY_STATUS_SQL ", NULL, r.status_day "
		"FROM replies r WHERE r.source = ?1 "
		"ORDER BY 2, 1, 3");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, src);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int e = thread_event(ar, k, st, fn, ctx);

		if (e != 0) {
			sqlite3_finalize(st);
			return e;
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return archive_fail(ar, "reading the conversation");
	return 0;
}

/* Input bytes sanitised per step; the output is at most 8 times this. */
#define TEXT_STEP 4096

struct texter {
	int (*fn)(void *ctx, const char *s, size_t n);
	void *ctx;
	term_state ts;
};

static int texter_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct texter *t = ctx;
	char out[TERM_OUT_MAX(TEXT_STEP)];
	int r = 0;

	while (len > 0 && r == 0) {
		size_t n = len < TEXT_STEP ? len : TEXT_STEP;
		size_t o = term_feed(&t->ts, buf, n, out);

		r = o ? t->fn(t->ctx, out, o) : 0;
		buf += n;
		len -= n;
	}
	sodium_memzero(out, sizeof(out));
	return r;
}

int desk_text(archive *ar, int64_t env, const uint8_t *blob, size_t len,
	      const keys_secret *k,
	      int (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
	struct texter t = { fn, ctx, { .npend = 0 } };
	const env_open_cb cb = { line_meta, texter_data, &t };
	char out[32];
	size_t o;
	int r;

	r = env ? archive_env_open(ar, env, k, &cb) :
		  archive_blob_open(blob, len, k, &cb);
	o = term_end(&t.ts, out);
	if (r == 0 && o && fn(ctx, out, o) != 0)
		r = CRYPT_ESINK;
	sodium_memzero(out, sizeof(out));
	return r;
}

/* ---- writing ---- */

int desk_reply(archive *ar, const uint8_t pub_box[32], int64_t src,
	       const uint8_t pk[32], const char *text, size_t len)
{
	uint8_t uid[BUNDLE_ID], *env = NULL, *copy = NULL;
	size_t envlen, copylen;
	int r;

	r = archive_seal_text(pk, ENV_REPLY, text, len, &env, &envlen);
	if (r == 0)
		r = archive_seal_text(pub_box, ENV_REPLY, text, len, &copy,
				      &copylen);
	if (r != 0) {
		cli_err("sealing the reply: %s", crypt_strerror(r));
		free(env);
		return -1;
	}
	crypt_random(uid, sizeof(uid));
	r = archive_reply_add(ar, uid, src, env, envlen, copy, copylen);
	free(env);
	free(copy);
	return r;
}

int desk_note(archive *ar, const uint8_t pub_box[32], int64_t sub,
	      const char *text, size_t len)
{
	uint8_t *env = NULL;
	size_t envlen;
	int r;

	r = archive_seal_text(pub_box, ENV_MESSAGE, text, len, &env, &envlen);
	if (r != 0) {
		cli_err("sealing the note: %s", crypt_strerror(r));
		return -1;
	}
	r = archive_note_add(ar, sub, env, envlen);
	free(env);
	return r;
}
