/*
 * cmd_list.c - submissions, newest first, with what each holds.
 *
 * Needs the key: only the envelopes know their plaintext size and which
 * of them are files. desk_inbox opens each to count its bytes, which are
 * discarded unseen; nothing learned is written back, so the archive holds
 * no more in clear than it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "codename.h"
#include "contents.h"
#include "desk.h"
#include "term.h"
#include "unlock.h"

static const char *const state_name[] = {
	[CONTENTS_OK] = "ok",
	[CONTENTS_OTHER_KEY] = "other-key",
	[CONTENTS_DAMAGED] = "damaged",
};

static void print_tsv(const struct desk_row *rows, size_t n)
{
	char date[16];

	printf("id\tsource\treceived\tbytes\tfiles\tunread\tstarred\tnew\t"
	       "state\n");
	for (size_t i = 0; i < n; i++) {
		const struct desk_row *w = &rows[i];

		printf("%lld\t%s\t%s\t", (long long)w->id, w->desig,
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

static void print_human(const struct desk_row *rows, size_t n)
{
	int idw = 2, srcw = 6;
	char date[16], size[CONTENTS_SIZE_MAX], line[512],
	     flags[FLAGS_MAX];

	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(rows[i].desig);

		if (digits(rows[i].id) > idw)
			idw = digits(rows[i].id);
		if (w > srcw)
			srcw = w;
	}
	printf("%*s  %-10s  %-*s  %5s  %*s  FLAGS\n", idw, "ID", "DAY", srcw,
	       "SOURCE", "FILES", CONTENTS_FIELD_WIDTH, "SIZE");
	for (size_t i = 0; i < n; i++) {
		const struct desk_row *w = &rows[i];
		int len;

		contents_size_field(w->bytes, w->state == CONTENTS_OK, size);
		len = snprintf(line, sizeof(line), "%*lld  %-10s  %-*s  %5lld  "
			       "%s", idw, (long long)w->id,
			       cli_date(w->day, date), srcw, w->desig,
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
	struct desk_row *rows = NULL;
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
	if (desk_inbox(ar, a->key, source, &rows, &n) != 0)
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
