/*
 * cmd_read.c - decrypts a submission's message, and its notes, to stdout,
 * after a header: the source, the day and the files (show.h streams the
 * text; contents.h opens the files only to count them).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "archive.h"
#include "cli.h"
#include "codename.h"
#include "contents.h"
#include "crypt.h"
#include "show.h"
#include "term.h"
#include "unlock.h"

struct reader {
	const keys_secret *key;
	int raw;
	int werr; /* writing stdout failed: show.h printed the line */
};

static int show_note(void *ctx, uint32_t day, const uint8_t *env, size_t len)
{
	struct reader *rd = ctx;
	char head[64], date[16];
	int r;

	snprintf(head, sizeof(head), "\n--- note, %s ---\n",
		 cli_date(day, date));
	if (show_put(head, strlen(head)) != 0) {
		rd->werr = 1;
		return -1;
	}
	r = show_text(NULL, 0, env, len, rd->key, rd->raw, NULL);
	if (r == CRYPT_ESINK)
		rd->werr = 1;
	else if (r != 0)
		cli_err("a note failed to open: %s", crypt_strerror(r));
	return r ? -1 : 0;
}

/* The submission's source and day, as the header shows them. 0 or -1. */
static int sub_facts(archive *ar, int64_t id, char *source, size_t srclen,
		     uint32_t *day)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT src.designation, "
					   "s.day FROM submissions s "
					   "JOIN sources src "
					   "ON src.id = s.source "
					   "WHERE s.id = ?");
	int r;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);

		term_str(d ? d : "", source, srclen);
		*day = (uint32_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : archive_fail(ar, "reading a submission");
}

/* One line of the header per file, and per envelope that did not open
 * far enough to say what it is. */
static int put_header(const char *source, uint32_t day,
		      const struct contents *c)
{
	char line[TERM_NAME_MAX + 128], date[16], size[CONTENTS_SIZE_MAX];
	int r;

	snprintf(line, sizeof(line), "Source: %s\nDay:    %s\nFiles:  %zu\n",
		 source, cli_date(day, date), c->nfiles);
	r = show_put(line, strlen(line));
	for (size_t i = 0; i < c->n && r == 0; i++) {
		const struct contents_env *e = &c->env[i];

		if (e->kind == ENV_MESSAGE && e->rc == 0)
			continue;
		contents_size_field(e->size, e->whole, size);
		if (e->kind == ENV_FILE && e->rc == 0)
			snprintf(line, sizeof(line), "  %s  %s\n", size,
				 e->name);
		else if (e->kind == ENV_FILE)
			snprintf(line, sizeof(line), "  %s  %s (does not open: "
				 "%s)\n", size, e->name, crypt_strerror(e->rc));
		else
			snprintf(line, sizeof(line), "  %s  (an envelope that "
				 "does not open: %s)\n", size,
				 crypt_strerror(e->rc));
		r = show_put(line, strlen(line));
	}
	/* The names are the source's words. */
	sodium_memzero(line, sizeof(line));
	return r == 0 ? show_put("\n", 1) : -1;
}

int cmd_read(struct admin *a, int argc, char **argv)
{
	struct reader rd = { 0 };
	struct contents c = { 0 };
	char source[CODENAME_DESIG_LONG_MAX], *pos[1];
	const struct contents_env *bad = NULL;
	size_t nbad = 0;
	uint32_t day = 0;
	int64_t id;
	int raw = 0, r, rc, wrote = 0, shown = 0;
	archive *ar = NULL;
	const struct cli_opt opts[] = {
		{ "--raw", NULL, &raw },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	/* The key first: a mistyped --home is named as such, not made. */
	rc = unlock_key(a);
	if (rc != ADM_OK)
		return rc;
	rd.raw = raw;
	rd.key = a->key;
	rc = ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		goto out;
	if (archive_sub_check(ar, id) != 0 ||
	    sub_facts(ar, id, source, sizeof(source), &day) != 0)
		goto out;
	/* --raw prints the message only: its files' records say enough to
	 * find it, without decrypting the files. */
	if (contents_scan(ar, id, a->key, CONTENTS_SKIP_MESSAGE |
			  (raw ? CONTENTS_RECORDS_ONLY : 0), &c) != 0)
		goto out;
	for (size_t i = 0; i < c.n; i++)
		if (c.env[i].rc != 0 && nbad++ == 0)
			bad = &c.env[i];
	if (!raw && put_header(source, day, &c) != 0)
		goto out;
	if (c.message >= 0 && c.env[c.message].rc == 0) {
		r = show_text(ar, c.env[c.message].id, NULL, 0, a->key, raw,
			      &wrote);
		/* The scan saw a message: a refusal is a failed write. */
		if (r == 1 || r == CRYPT_ESINK)
			goto out;
		if (r != 0) {
			cli_err("submission %lld: %s%s", (long long)id,
				crypt_strerror(r), wrote ?
				": the output above is not trustworthy" : "");
			rc = ADM_FAIL;
			goto out;
		}
		shown = 1;
	} else if (nbad == 0) {
		cli_err("submission %lld has no message (its files: "
			"extract %lld --to DIR)", (long long)id, (long long)id);
	}
	if (archive_note_each(ar, id, show_note, &rd) != 0) {
		rc = rd.werr ? ADM_ERR : ADM_FAIL;
		goto out;
	}
	/* Read is what the journalist has seen: not a message that did not
	 * open. */
	if ((shown || nbad == 0) && archive_sub_set_unread(ar, id, 0) != 0)
		goto out;
	rc = ADM_OK;
	if (bad) {
		cli_err("submission %lld: %zu envelope%s that do%s not open: "
			"%s", (long long)id, nbad, nbad == 1 ? "" : "s",
			nbad == 1 ? "es" : "", crypt_strerror(bad->rc));
		rc = ADM_FAIL;
	}
out:
	contents_free(&c);
	archive_close(ar);
	return rc;
}
