/*
 * cmd_import.c - adds an export bundle to the archive, all or nothing
 * (desk_import does the work), and says what it brought.
 */
#include <stdio.h>

#include "cli.h"
#include "desk.h"
#include "keys.h"

int cmd_import(struct admin *a, int argc, char **argv)
{
	struct desk_import_result res;
	char *pos[1];
	const char *trust = NULL;
	const struct cli_opt opts[] = {
		{ "--trust", &trust, NULL },
		{ NULL, NULL, NULL },
	};
	uint8_t fpr[KEYS_FPR_BYTES];
	int rc;

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	if (trust != NULL && keys_fpr_parse(trust, fpr) != 0)
		return cli_usage(a, "--trust takes a fingerprint: 32 hex "
				 "digits, spaces optional");
	rc = desk_import(a, pos[0], trust, &res);
	if (rc != ADM_OK)
		return rc;
	if (res.pinned)
		printf("Pinned %s: exports must be signed by it from now "
		       "on.\n", res.line);
	printf("Imported %s: %lu new source%s, %lu new submission%s "
	       "(%lu already archived), %lu receipt%s, %lu reply "
	       "status%s.\n", pos[0],
	       res.new_sources, res.new_sources == 1 ? "" : "s", res.new_subs,
	       res.new_subs == 1 ? "" : "s", res.known_subs, res.receipts,
	       res.receipts == 1 ? "" : "s", res.statuses,
	       res.statuses == 1 ? "" : "es");
	if (res.foreign)
		printf("%zu of them %s sealed to another newsroom key and "
		       "cannot be read here.\n", res.foreign,
		       res.foreign == 1 ? "is" : "are");
	printf("Delete %s from the stick now: it is archived, and a bundle "
	       "left there tells whoever finds it how much was sent.\n",
	       pos[0]);
	return ADM_OK;
}
