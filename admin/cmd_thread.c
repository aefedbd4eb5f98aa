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
#include "desk.h"
#include "show.h"
#include "unlock.h"

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

/* A submission: its header, its message streamed to the terminal, then
 * one line per file. */
static int show_submission(struct thread *t, const struct desk_event *ev)
{
	const struct contents *c = ev->c;
	char date[16], size[CONTENTS_SIZE_MAX];
	size_t files = 0;
	int r, wrote = 0;

	if (say("\n=== %s  the source  (submission %lld)\n",
		cli_date(ev->day, date), (long long)ev->id) != 0)
		return -1;
	r = 0;
	if (c->message >= 0) {
		r = show_text(t->ar, c->env[c->message].id, NULL, 0, t->key, 0,
			      &wrote);
		r = opened(t, r, wrote);
	}
	for (size_t i = 0; i < c->n && r == 0; i++) {
		const struct contents_env *e = &c->env[i];

		if ((long)i == c->message)
			continue;
		if (e->rc != 0)
			r = opened(t, e->rc, 0);
		else if (e->kind == ENV_FILE)
			r = say("%s %s (%s)\n", files++ ? "      " : "files:",
				e->name, contents_size(e->size, size));
	}
	return r;
}

static int show_blob(struct thread *t, const uint8_t *env, size_t len)
{
	int wrote, r = show_text(NULL, 0, env, len, t->key, 0, &wrote);

	return opened(t, r, wrote);
}

static int show_event(void *ctx, const struct desk_event *ev)
{
	struct thread *t = ctx;
	char date[16], sday[16] = "";

	cli_date(ev->day, date);
	if (ev->kind == DESK_SUBMISSION)
		return show_submission(t, ev);
	if (ev->kind == DESK_NOTE) {
		if (say("--- %s  note on submission %lld\n", date,
			(long long)ev->sub) != 0)
			return -1;
		return show_blob(t, ev->env, ev->envlen);
	}
	if (ev->has_status_day)
		cli_date(ev->status_day, sday);
	if (say("\n>>> %s  the newsroom  (reply %lld: %s%s%s)\n", date,
		(long long)ev->id, ev->status ? ev->status : "",
		sday[0] ? " " : "", sday) != 0)
		return -1;
	if (!ev->env)
		return say("[not readable here: sealed to the source alone, "
			   "before this archive kept copies]\n");
	return show_blob(t, ev->env, ev->envlen);
}

static int say_header(void *ctx, const struct desk_thread_head *h)
{
	char date[16];

	(void)ctx;
	return say("Conversation with %s (first seen %s)\n", h->desig,
		   cli_date(h->day, date));
}

int cmd_thread(struct admin *a, int argc, char **argv)
{
	struct thread t = { 0 };
	char *pos[1];
	uint8_t pk[32];
	int64_t src, sub;
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
	if (desk_source(t.ar, pos[0], &src, pk, &sub) != 0)
		goto out;
	t.key = a->key;
	r = desk_thread(t.ar, a->key, src, say_header, show_event, &t);
	if (r != 0)
		goto out;
	rc = t.failed ? ADM_FAIL : ADM_OK;
out:
	archive_close(t.ar);
	return rc;
}
