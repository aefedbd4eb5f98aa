/*
 * cmd_list.c - submissions, newest first, with what each holds.
 *
 * Needs the key: only the envelopes know their plaintext size and which
 * of them are files. Each is opened to count its bytes, which are
 * discarded unseen (contents.h); nothing learned is written back, so the
 * archive holds no more in clear than it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "codename.h"
#include "contents.h"
#include "term.h"
#include "unlock.h"

struct row {
	int64_t id;
	uint32_t day;
	int is_new, unread, starred;
	enum contents_state state;
	uint64_t bytes;          /* plaintext, when state is CONTENTS_OK */
	long long files;
	char source[CODENAME_DESIG_LONG_MAX];
};

static const char *const state_name[] = {
	[CONTENTS_OK] = "ok",
	[CONTENTS_OTHER_KEY] = "other-key",
	[CONTENTS_DAMAGED] = "damaged",
};

/* Reads the rows to list, newest first, into a malloc'd *rows. 0 or -1
 * after an error line. */
static int load(archive *ar, const char *source, struct row **rows,
		size_t *n)
{
	struct row *v = NULL, *nv;
	size_t cnt = 0;
	sqlite3_stmt *st;
	int r;

	/* The files estimate stands when the key opens nothing. */
	st = archive_prepare(ar, "SELECT s.id, src.designation, s.day, "
			     ARCHIVE_FILES_SQL ", s.new, s.unread, s.starred "
			     "FROM submissions s "
			     "JOIN sources src ON src.id = s.source "
			     "WHERE ?1 IS NULL OR src.designation = ?1 "
			     "ORDER BY s.day DESC, s.id DESC");
	if (!st)
		return -1;
	if (source)
		sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 1);
		struct row *w;

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
		term_str(d ? d : "", w->source, sizeof(w->source));
		w->day = (uint32_t)sqlite3_column_int64(st, 2);
		w->files = sqlite3_column_int64(st, 3);
		w->is_new = sqlite3_column_int(st, 4) != 0;
		w->unread = sqlite3_column_int(st, 5) != 0;
		w->starred = sqlite3_column_int(st, 6) != 0;
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

/* Opens each row's envelopes for its size, files and state. 0 or -1. */
static int measure(archive *ar, const keys_secret *k, struct row *rows,
		   size_t n)
{
	struct contents c;

	for (size_t i = 0; i < n; i++) {
		cli_progress("Opening submissions", i, n);
		if (contents_scan(ar, rows[i].id, k, 0, &c) != 0)
			return -1;
		rows[i].state = contents_state(&c);
		if (rows[i].state == CONTENTS_OK) {
			rows[i].bytes = c.bytes;
			rows[i].files = (long long)c.nfiles;
		}
		contents_free(&c);
	}
	cli_progress_end();
	return 0;
}

static void print_tsv(const struct row *rows, size_t n)
{
	char date[16];

	printf("id\tsource\treceived\tbytes\tfiles\tunread\tstarred\tnew\t"
	       "state\n");
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];

		printf("%lld\t%s\t%s\t", (long long)w->id, w->source,
		       cli_date(w->day, date));
		if (w->state == CONTENTS_OK)
			printf("%llu", (unsigned long long)w->bytes);
		printf("\t%lld\t%d\t%d\t%d\t%s\n", w->files, w->unread,
		       w->starred, w->is_new, state_name[w->state]);
	}
}

static int digits(int64_t v)
{
	int d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

/* Room for every flag at once. */
#define FLAGS_MAX 64

/* Appends word to the space-separated flags when on. */
static void flag(char flags[FLAGS_MAX], int on, const char *word)
{
	size_t len = strlen(flags);

	if (on)
		snprintf(flags + len, FLAGS_MAX - len, "%s%s", len ? " " : "",
			 word);
}

static void print_human(const struct row *rows, size_t n)
{
	int idw = 2, srcw = 6;
	char date[16], size[CONTENTS_SIZE_MAX], line[512],
	     flags[FLAGS_MAX];

	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(rows[i].source);

		if (digits(rows[i].id) > idw)
			idw = digits(rows[i].id);
		if (w > srcw)
			srcw = w;
	}
	printf("%*s  %-10s  %-*s  %5s  %*s  FLAGS\n", idw, "ID", "DAY", srcw,
	       "SOURCE", "FILES", CONTENTS_FIELD_WIDTH, "SIZE");
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		int len;

		contents_size_field(w->bytes, w->state == CONTENTS_OK, size);
		len = snprintf(line, sizeof(line), "%*lld  %-10s  %-*s  %5lld  "
			       "%s", idw, (long long)w->id,
			       cli_date(w->day, date), srcw, w->source,
			       w->files, size);
		if (len < 0 || (size_t)len >= sizeof(line))
			len = (int)strlen(line);
		flags[0] = '\0';
		flag(flags, w->is_new, "new");
		flag(flags, w->unread, "unread");
		flag(flags, w->starred, "starred");
		flag(flags, w->state == CONTENTS_OTHER_KEY, "other-key");
		flag(flags, w->state == CONTENTS_DAMAGED, "damaged");
		if (!flags[0])
			while (len > 0 && line[len - 1] == ' ')
				line[--len] = '\0';
		printf("%s%s%s\n", line, flags[0] ? "  " : "", flags);
	}
}

int cmd_list(struct admin *a, int argc, char **argv)
{
	const char *source = NULL;
	struct row *rows = NULL;
	size_t n = 0;
	int tsv = 0, rc;
	archive *ar;
	const struct cli_opt opts[] = {
		{ "--tsv", NULL, &tsv },
		{ "--source", &source, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	/* The key first: a mistyped --home is named as such, not made. */
	rc = unlock_key(a);
	if (rc != ADM_OK)
		return rc;
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	rc = ADM_ERR;
	if (load(ar, source, &rows, &n) != 0 ||
	    measure(ar, a->key, rows, n) != 0)
		goto out;
	if (tsv) {
		print_tsv(rows, n);
	} else if (n > 0) {
		print_human(rows, n);
	} else if (source) {
		char safe[256];

		term_str(source, safe, sizeof(safe));
		printf("No submissions from %s.\n", safe);
	} else {
		printf("No submissions.\n");
	}
	rc = ADM_OK;
out:
	free(rows);
	archive_close(ar);
	return rc;
}
