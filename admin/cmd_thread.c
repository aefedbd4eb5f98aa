/*
 * cmd_thread.c - the whole conversation with one source, in order.
 *
 * The archive keeps days, not times, so within a day the source's
 * submissions come first, then the notes on them, then the newsroom's
 * replies: the order in which a journalist works through a day's import.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "crypt.h"
#include "envelope.h"
#include "contents.h"
#include "show.h"
#include "unlock.h"

enum { EV_SUBMISSION, EV_NOTE, EV_REPLY };

struct thread {
	archive *ar;
	const keys_secret *key;
	int failed;   /* something did not open: the exit status says so */
};

static int say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line of our own (dates, numbers, designations: no plaintext), through
 * the same descriptor as the plaintext so that the order holds. */
static int say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return show_put(line, (size_t)n < sizeof(line) ? (size_t)n :
			sizeof(line) - 1);
}

/* The result of opening one thing, said where it would have stood. */
static int opened(struct thread *t, int r, int wrote)
{
	if (r == 0)
		return 0;
	if (r == 1)
		return -1;
	t->failed = 1;
	return say("[%s%s]\n", crypt_strerror(r), wrote ?
		   ": the text above is not trustworthy" : "");
}

static int show_submission(struct thread *t, int64_t sub, uint32_t day)
{
	struct contents c;
	char date[16], size[CONTENTS_SIZE_MAX];
	size_t files = 0;
	int r, wrote = 0;

	if (say("\n=== %s  the source  (submission %lld)\n",
		cli_date(day, date), (long long)sub) != 0)
		return -1;
	/* Files are opened only to be counted, their bytes dropped as they
	 * are decrypted; the message is streamed to the terminal. */
	if (contents_scan(t->ar, sub, t->key, 1, &c) != 0)
		return -1;
	r = 0;
	if (c.message >= 0) {
		r = show_text(t->ar, c.env[c.message].id, NULL, 0, t->key, 0,
			      &wrote);
		r = opened(t, r, wrote);
	}
	for (size_t i = 0; i < c.n && r == 0; i++) {
		const struct contents_env *e = &c.env[i];

		if ((long)i == c.message)
			continue;
		if (e->rc != 0)
			r = opened(t, e->rc, 0);
		else if (e->kind == ENV_FILE)
			r = say("%s %s (%s)\n", files++ ? "      " : "files:",
				e->name, contents_size(e->size, size));
	}
	if (r == 0 && contents_state(&c) == CONTENTS_OK &&
	    archive_sub_set_unread(t->ar, sub, 0) != 0)
		r = -1;
	contents_free(&c);
	return r;
}

static int show_blob(struct thread *t, const uint8_t *env, size_t len)
{
	int wrote, r = show_text(NULL, 0, env, len, t->key, 0, &wrote);

	return opened(t, r, wrote);
}

static int show_event(struct thread *t, sqlite3_stmt *st)
{
	int kind = sqlite3_column_int(st, 0);
	uint32_t day = (uint32_t)sqlite3_column_int64(st, 1);
	int64_t id = sqlite3_column_int64(st, 2);
	const uint8_t *env = sqlite3_column_blob(st, 3);
	size_t len = (size_t)sqlite3_column_bytes(st, 3);
	const char *status = (const char *)sqlite3_column_text(st, 4);
	char date[16], sday[16] = "";

	cli_date(day, date);
	if (kind == EV_SUBMISSION)
		return show_submission(t, id, day);
	if (kind == EV_NOTE) {
		if (say("--- %s  note on submission %lld\n", date,
			(long long)sqlite3_column_int64(st, 5)) != 0)
			return -1;
		return show_blob(t, env, len);
	}
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		cli_date((uint32_t)sqlite3_column_int64(st, 6), sday);
	if (say("\n>>> %s  the newsroom  (reply %lld: %s%s%s)\n", date,
		(long long)id, status ? status : "", sday[0] ? " " : "",
		sday) != 0)
		return -1;
	if (!env)
		return say("[not readable here: sealed to the source alone, "
			   "before this archive kept copies]\n");
	return show_blob(t, env, len);
}

static int say_header(struct thread *t, int64_t src)
{
	sqlite3_stmt *st = archive_prepare(t->ar, "SELECT designation, day "
					   "FROM sources WHERE id = ?");
	char date[16];
	int r = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, src);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = say("Conversation with %s (first seen %s)\n",
			(const char *)sqlite3_column_text(st, 0),
			cli_date((uint32_t)sqlite3_column_int64(st, 1), date));
	else
		archive_fail(t->ar, "reading the source");
	sqlite3_finalize(st);
	return r;
}

int cmd_thread(struct admin *a, int argc, char **argv)
{
	struct thread t = { 0 };
	sqlite3_stmt *st = NULL;
	char *pos[1];
	uint8_t pk[32];
	int64_t src, sub = 0;
	int r, rc = ADM_ERR;

	if (cli_args(a, argc, argv, NULL, pos, 1, 1) < 0)
		return ADM_ERR;
	/* The key first: a mistyped --home must not become an archive. */
	rc = unlock_key(a);
	if (rc != ADM_OK)
		return rc;
	rc = ADM_ERR;
	if (archive_open(a->home, &t.ar) != 0)
		return ADM_ERR;
	if (cli_id(NULL, pos[0], &sub) == 0)
		r = archive_source_by_sub(t.ar, sub, &src, pk);
	else
		r = archive_source_by_name(t.ar, pos[0], &src, pk);
	if (r < 0)
		goto out;
	if (r == 1) {
		cli_err("no %s '%s' (see 'list' or 'sources')", sub ?
			"submission" : "source", pos[0]);
		goto out;
	}
	t.key = a->key;
	st = archive_prepare(t.ar,
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
		goto out;
	sqlite3_bind_int64(st, 1, src);
	if (say_header(&t, src) != 0)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (show_event(&t, st) != 0)
			goto out;
	if (r != SQLITE_DONE) {
		archive_fail(t.ar, "reading the conversation");
		goto out;
	}
	rc = t.failed ? ADM_FAIL : ADM_OK;
out:
	sqlite3_finalize(st);
	archive_close(t.ar);
	return rc;
}
