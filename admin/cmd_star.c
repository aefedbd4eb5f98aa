/*
 * cmd_star.c - toggles a submission's star.
 */
#include <stdio.h>

#include "archive.h"
#include "cli.h"

int cmd_star(struct admin *a, int argc, char **argv)
{
	char *pos[1];
	archive *ar;
	int64_t id;
	int starred, rc = ADM_ERR;

	if (cli_args(a, argc, argv, NULL, pos, 1, 1) < 0)
		return ADM_ERR;
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	if (archive_sub_check(ar, id) == 0 &&
	    archive_sub_toggle_star(ar, id, &starred) == 0) {
		printf("Submission %lld %s.\n", (long long)id,
		       starred ? "starred" : "unstarred");
		rc = ADM_OK;
	}
	archive_close(ar);
	return rc;
}
