/*
 * cmd.c - what the commands share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "crypt.h"

int cmd_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("sealdrop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

int cmd_load_pubkey(const char *path, keys_pub *k)
{
	int r = keys_pub_load(path, k);
	if (r)
		return cmd_fail("%s: %s", path, r == CRYPT_EIO ?
				strerror(errno) : crypt_strerror(r));
	return 0;
}

void cmd_print_key(const keys_pub *k)
{
	char fpr[KEYS_FPR_LEN], id[2 * KEYS_ID_BYTES + 1];
	keys_fingerprint(k, fpr);
	keys_id_hex(k, id);
	printf("newsroom key %s fingerprint %s\n", id, fpr);
}
