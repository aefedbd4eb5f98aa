/*
 * cmd_fingerprint.c - the newsroom key's id and fingerprint, to compare
 * with what `sealdrop init` printed on the server.
 */
#include <stdio.h>

#include "cli.h"
#include "keys.h"
#include "unlock.h"

int cmd_fingerprint(struct admin *a, int argc, char **argv)
{
	char fpr[KEYS_FPR_LEN], id[2 * KEYS_ID_BYTES + 1];
	keys_pub pub;

	if (cli_args(a, argc, argv, NULL, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (unlock_pub(a, &pub) != ADM_OK)
		return ADM_ERR;
	keys_id_hex(&pub, id);
	keys_fingerprint(&pub, fpr);
	printf("Key id:      %s\nFingerprint: %s\n", id, fpr);
	return ADM_OK;
}
