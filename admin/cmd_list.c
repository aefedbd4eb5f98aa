/*
 * cmd_list.c - submissions grouped by source; needs no key.
 */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "codename.h"

int cmd_list(struct admin *a, int argc, char **argv)
{
	const char *source = NULL;
	char date[16], last[CODENAME_DESIG_LONG_MAX] = "";
	int tsv = 0, r, rc = ADM_ERR;
	unsigned long n = 0;
	archive *ar;
	sqlite3_stmt *st;
	const struct cli_opt opts[] = {
		{ "--tsv", NULL, &tsv },
		{ "--source", &source, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	st = archive_prepare(ar, "SELECT s.id, src.designation, s.day, "
			     "s.bytes, " ARCHIVE_FILES_SQL ", s.unread, "
			     "s.starred FROM submissions s "
			     "JOIN sources src ON src.id = s.source "
			     "WHERE ?1 IS NULL OR src.designation = ?1 "
			     "ORDER BY src.designation, src.id, s.id");
	if (!st)
		goto out;
	if (source)
		sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	if (tsv)
		printf("id\tsource\treceived\tbytes\tfiles\tunread\tstarred\n");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *desig = (const char *)sqlite3_column_text(st, 1);
		long long id = sqlite3_column_int64(st, 0);
		long long bytes = sqlite3_column_int64(st, 3);
		int files = sqlite3_column_int(st, 4);
		int unread = sqlite3_column_int(st, 5) != 0;
		int starred = sqlite3_column_int(st, 6) != 0;

		/* Designations are computed here from a hash: list words
		 * and hyphens, nothing a source chose. */
		desig = desig ? desig : "";
		cli_date((uint32_t)sqlite3_column_int64(st, 2), date);
		n++;
		if (tsv) {
			printf("%lld\t%s\t%s\t%lld\t%d\t%d\t%d\n", id, desig,
			       date, bytes, files, unread, starred);
			continue;
		}
		if (strcmp(last, desig) != 0) {
			printf("%s%s\n", n > 1 ? "\n" : "", desig);
			snprintf(last, sizeof(last), "%s", desig);
		}
		printf("  %6lld  %s  %12lld bytes  %3d file%s%s%s\n", id,
		       date, bytes, files, files == 1 ? " " : "s",
		       unread ? "  unread" : "", starred ? "  *" : "");
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		archive_fail(ar, "listing");
		goto out;
	}
	if (!tsv && n == 0)
		printf(source ? "No submissions from %s.\n" :
		       "No submissions.\n", source);
	rc = ADM_OK;
out:
	archive_close(ar);
	return rc;
}
