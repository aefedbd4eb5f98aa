/*
 * cmd_drops.c - the drop keys this home trusts exports from.
 *
 * A key is pinned by `import BUNDLE --trust FINGERPRINT`. Replacing a
 * drop's key (a rebuilt server) is pinning the new one the same way, then
 * removing the old one here, so that the old key, which may be in someone
 * else's hands, signs nothing this home accepts.
 */
#include <stdio.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "crypt.h"
#include "dropkey.h"

static int print_drop(void *ctx, const uint8_t id[KEYS_ID_BYTES],
		      const uint8_t pk[DROPKEY_PK], uint32_t day,
		      int64_t last_day)
{
	char line[DROPKEY_LINE], pinned[16], last[16];
	int *n = ctx;

	(void)id;
	dropkey_line(pk, line);
	cli_date(day, pinned);
	if (last_day >= 0)
		cli_date((uint32_t)last_day, last);
	else
		snprintf(last, sizeof last, "never");
	printf("%s  pinned %s  last import %s\n", line, pinned, last);
	++*n;
	return 0;
}

int cmd_drops(struct admin *a, int argc, char **argv)
{
	const char *remove = NULL;
	const struct cli_opt opts[] = {
		{ "--remove", &remove, NULL },
		{ NULL, NULL, NULL },
	};
	uint8_t id[KEYS_ID_BYTES];
	archive *ar;
	int n = 0, r, rc = ADM_ERR;

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (remove != NULL && (strlen(remove) != 2 * KEYS_ID_BYTES ||
			       crypt_unhex(id, sizeof id, remove) != 0))
		return cli_usage(a, "--remove takes a drop key id: 16 hex "
				 "digits, as drops lists it");
	if (archive_open(a->home, &ar) != 0)
		return ADM_ERR;
	if (remove != NULL) {
		r = archive_drop_remove(ar, id);
		if (r == 0) {
			printf("Removed drop key %s: exports it signs are "
			       "refused from now on.\n", remove);
			rc = ADM_OK;
		} else if (r == 1) {
			cli_err("no pinned drop key has id %s", remove);
		}
	} else if (archive_drops(ar, print_drop, &n) == 0) {
		if (n == 0)
			printf("No drop key is pinned yet: the first import "
			       "asks for one.\n");
		rc = ADM_OK;
	}
	archive_close(ar);
	return rc;
}
