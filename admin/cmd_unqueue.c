/*
 * cmd_unqueue.c - takes back a reply before any outbox carries it.
 *
 * Once written to an outbox a reply may already be on the stick, or on
 * the server: taking it back here would only hide it from the newsroom.
 */
#include <stdio.h>

#include "archive.h"
#include "cli.h"

int cmd_unqueue(struct admin *a, int argc, char **argv)
{
	char *pos[1];
	archive *ar;
	int64_t id;
	int r, rc = ADM_ERR;

	if (cli_args(a, argc, argv, NULL, pos, 1, 1) < 0)
		return ADM_ERR;
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	r = archive_reply_unqueue(ar, id);
	if (r == 0) {
		printf("Reply %lld taken back; it was never written to an "
		       "outbox.\n", (long long)id);
		rc = ADM_OK;
	} else if (r == 1) {
		cli_err("no reply %lld (see 'replies')", (long long)id);
	} else if (r == 2) {
		cli_err("reply %lld was written to an outbox already and "
			"may be on its way to the source: it cannot be taken "
			"back", (long long)id);
	}
	archive_close(ar);
	return rc;
}
