/*
 * cmd_reply.c - seals a reply to a source and queues it for the outbox.
 *
 * Sealing needs only public keys, so no passphrase is asked: the text is
 * sealed twice the moment it is read (to the source's reply key for the
 * drop, and to the newsroom key so that `thread` can show it later) and
 * only ciphertext is stored. On a terminal the journalist sees the text
 * once more and confirms: a reply cannot be recalled from the source.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "archive.h"
#include "cli.h"
#include "desk.h"
#include "unlock.h"

int cmd_reply(struct admin *a, int argc, char **argv)
{
	const char *file = NULL;
	char *pos[1], *text = NULL;
	uint8_t pk[32];
	size_t len;
	keys_pub pub;
	int64_t src, sub;
	archive *ar = NULL;
	int r, rc = ADM_ERR;
	const struct cli_opt opts[] = {
		{ "--message-file", &file, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	if (unlock_pub(a, &pub) != ADM_OK || archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	/* A number is a submission: the way to reply to what one has just
	 * read without looking up its source. */
	if (desk_source(ar, pos[0], &src, pk, &sub) != 0)
		goto out;
	if (cli_read_text(file, "reply", &text, &len) != ADM_OK)
		goto out;
	r = cli_confirm_text(text, len, "Seal this reply and queue it for "
			     "the source?");
	if (r != 0) {
		sodium_free(text);
		if (r > 0) {
			printf("Nothing queued.\n");
			rc = ADM_OK;
		}
		goto out;
	}
	r = desk_reply(ar, pub.box_pk, src, pk, text, len);
	sodium_free(text);
	if (r != 0)
		goto out;
	printf("Reply queued for %s%s (%zu bytes, sealed). 'outbox --out "
	       "FILE' writes it for the server.\n", sub ? "the source of "
	       "submission " : "", pos[0], len);
	rc = ADM_OK;
out:
	archive_close(ar);
	return rc;
}
