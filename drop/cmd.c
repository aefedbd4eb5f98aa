/*
 * cmd.c - what the commands share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "crypt.h"
#include "dropkey.h"

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

void cmd_print_drop_key(FILE *f, const dropkey *k)
{
	char line[DROPKEY_LINE];
	dropkey_line(k->pk, line);
	fprintf(f, "%s\n", line);
}

int cmd_drop_key(const char *dir, dropkey **out)
{
	dropkey *k;
	int created;
	int r = dropkey_ensure(dir, &k, &created);
	if (r)
		return cmd_fail("%s/%s: %s", dir, DROPKEY_FILE,
				r == CRYPT_EIO ? strerror(errno) :
				crypt_strerror(r));
	if (created) {
		/* A drop made before exports were signed: the journalist
		 * must pin this key, so the operator must be told. */
		fprintf(stderr, "sealdrop: %s had no signing key; created "
			"%s/%s. Read this line to the journalist, who pins it "
			"at the next sealdrop-admin import:\n", dir, dir,
			DROPKEY_FILE);
		cmd_print_drop_key(stderr, k);
	}
	if (out)
		*out = k;
	else
		dropkey_free(k);
	return 0;
}
