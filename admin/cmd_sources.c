/*
 * cmd_sources.c - one line per source; needs no key.
 */
#include <stdio.h>

#include "archive.h"
#include "cli.h"

int cmd_sources(struct admin *a, int argc, char **argv)
{
	sqlite3_stmt *st;
	archive *ar;
	char date[16];
	int tsv = 0, r, rc = ADM_ERR, w = 6;
	const struct cli_opt opts[] = {
		{ "--tsv", NULL, &tsv },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	/* The designation column fits the longest: the rare names of three
	 * words and more must not push their rows out of line. */
	st = archive_prepare(ar, "SELECT max(length(designation)) "
			     "FROM sources");
	if (!st)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > w)
		w = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = archive_prepare(ar, "SELECT src.designation, src.day, "
			     "(SELECT count(*) FROM submissions s "
			     " WHERE s.source = src.id), "
			     "(SELECT count(*) FROM submissions s "
			     " WHERE s.source = src.id AND s.unread), "
			     "(SELECT count(*) FROM replies r "
			     " WHERE r.source = src.id AND NOT r.delivered) "
			     "FROM sources src ORDER BY src.designation, "
			     "src.id");
	if (!st)
		goto out;
	if (tsv)
		printf("source\tfirst\tsubmissions\tunread\tqueued\n");
	else
		printf("%-*s  %-10s  %11s  %6s  %6s\n", w, "SOURCE",
		       "FIRST SEEN", "SUBMISSIONS", "UNREAD", "QUEUED");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);

		cli_date((uint32_t)sqlite3_column_int64(st, 1), date);
		if (tsv)
			printf("%s\t%s\t%d\t%d\t%d\n", d ? d : "", date,
			       sqlite3_column_int(st, 2),
			       sqlite3_column_int(st, 3),
			       sqlite3_column_int(st, 4));
		else
			printf("%-*s  %-10s  %11d  %6d  %6d\n", w,
			       d ? d : "", date, sqlite3_column_int(st, 2),
			       sqlite3_column_int(st, 3),
			       sqlite3_column_int(st, 4));
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		archive_fail(ar, "listing sources");
		goto out;
	}
	rc = ADM_OK;
out:
	archive_close(ar);
	return rc;
}
