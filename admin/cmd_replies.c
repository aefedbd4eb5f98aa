/*
 * cmd_replies.c - the newsroom's replies and what became of each; needs no
 * key (the statuses are clear facts: the drop reported them).
 */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "cli.h"

/* Width of the designation column: the longest designation shown. */
static int desig_width(archive *ar, const char *source)
{
	sqlite3_stmt *st = archive_prepare(ar, "SELECT max(length("
					   "src.designation)) FROM replies r "
					   "JOIN sources src ON src.id = "
					   "r.source WHERE ?1 IS NULL OR "
					   "src.designation = ?1");
	int w = 6;

	if (!st)
		return w;
	if (source)
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > w)
		w = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return w;
}

int cmd_replies(struct admin *a, int argc, char **argv)
{
	const char *source = NULL;
	sqlite3_stmt *st;
	archive *ar;
	char day[16], sday[16];
	int tsv = 0, r, w, rc = ADM_ERR;
	const struct cli_opt opts[] = {
		{ "--tsv", NULL, &tsv },
		{ "--source", &source, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	st = archive_prepare(ar, "SELECT r.id, src.designation, r.day, "
			     ARCHIVE_REPLY_STATUS_SQL ", r.status_day, "
			     "r.copy IS NOT NULL FROM replies r JOIN sources "
			     "src ON src.id = r.source WHERE ?1 IS NULL OR "
			     "src.designation = ?1 ORDER BY r.day DESC, "
			     "r.id DESC");
	if (!st)
		goto out;
	if (source)
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	w = desig_width(ar, source);
	if (tsv)
		printf("id\tsource\tday\tstatus\tstatus_day\treadable\n");
	else
		printf("%-5s %-10s %-*s %s\n", "ID", "DAY", w, "SOURCE",
		       "STATUS");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 1);
		const char *status = (const char *)sqlite3_column_text(st, 3);
		int has_day = sqlite3_column_type(st, 4) != SQLITE_NULL;

		cli_date((uint32_t)sqlite3_column_int64(st, 2), day);
		sday[0] = '\0';
		if (has_day)
			cli_date((uint32_t)sqlite3_column_int64(st, 4), sday);
		if (tsv)
			printf("%lld\t%s\t%s\t%s\t%s\t%s\n",
			       (long long)sqlite3_column_int64(st, 0),
			       d ? d : "", day, status ? status : "", sday,
			       sqlite3_column_int(st, 5) ? "yes" : "no");
		else
			printf("%-5lld %-10s %-*s %s%s%s\n",
			       (long long)sqlite3_column_int64(st, 0), day, w,
			       d ? d : "", status ? status : "",
			       has_day ? " " : "", sday);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		archive_fail(ar, "listing replies");
		goto out;
	}
	rc = ADM_OK;
out:
	archive_close(ar);
	return rc;
}
