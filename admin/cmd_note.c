/*
 * cmd_note.c - a journalist's private note on a submission, sealed to the
 * newsroom's own key: writing one needs only newsroom.pub, reading it
 * (with `read`) needs the passphrase.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "archive.h"
#include "cli.h"
#include "desk.h"
#include "unlock.h"

int cmd_note(struct admin *a, int argc, char **argv)
{
	const char *file = NULL;
	char *pos[2], *text = NULL;
	size_t len;
	keys_pub pub;
	archive *ar = NULL;
	int64_t id;
	int n, r, rc = ADM_ERR;
	const struct cli_opt opts[] = {
		{ "--message-file", &file, NULL },
		{ NULL, NULL, NULL },
	};

	n = cli_args(a, argc, argv, opts, pos, 1, 2);
	if (n < 0)
		return ADM_ERR;
	/* A note on the command line would stay in the shell's history and
	 * show in the process list. */
	if (n == 2)
		return cli_usage(a, "the note's text comes from --message-file, "
				 "standard input or an editor, never from the "
				 "command line");
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	if (unlock_pub(a, &pub) != ADM_OK || archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	if (archive_sub_check(ar, id) != 0)
		goto out;
	if (cli_read_text(file, "note", &text, &len) != ADM_OK)
		goto out;
	r = desk_note(ar, pub.box_pk, id, text, len);
	sodium_free(text);
	if (r != 0)
		goto out;
	printf("Note added to submission %lld.\n", (long long)id);
	rc = ADM_OK;
out:
	archive_close(ar);
	return rc;
}
