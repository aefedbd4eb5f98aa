/*
 * cmd_keygen.c - makes the newsroom key pair.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypt.h"
#include "fileio.h"
#include "keys.h"
#include "unlock.h"

/* Writes text to path through a temporary name, so a crash never leaves a
 * half-written key file under the real name. */
static int write_atomic(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		cli_err("%s: path too long", path);
		return -1;
	}
	fd = fileio_create_private(tmp, 1);
	if (fd < 0) {
		cli_err("%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fileio_write_all(fd, text, strlen(text)) != 0 ||
	    fchmod(fd, mode) != 0) {
		cli_err("%s: %s", tmp, strerror(errno));
		fileio_sync_close(fd);
		unlink(tmp);
		return -1;
	}
	if (fileio_sync_close(fd) != 0 || rename(tmp, path) != 0) {
		cli_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cmd_keygen(struct admin *a, int argc, char **argv)
{
	char keypath[PATH_MAX], pubpath[PATH_MAX];
	char keytext[KEYS_FILE_MAX], pubtext[KEYS_FILE_MAX];
	char fpr[KEYS_FPR_LEN], id[2 * KEYS_ID_BYTES + 1];
	char *pass = NULL;
	size_t plen;
	keys_secret *k = NULL;
	int force = 0, replacing, rc = ADM_ERR, r;
	struct stat st;
	const struct cli_opt opts[] = {
		{ "--force", NULL, &force },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (cli_path(a, "newsroom.key", keypath, sizeof(keypath)) != 0 ||
	    cli_path(a, "newsroom.pub", pubpath, sizeof(pubpath)) != 0)
		return ADM_ERR;
	if (fileio_mkdir_private(a->home) != 0) {
		cli_err("%s: %s", a->home, strerror(errno));
		return ADM_ERR;
	}
	replacing = lstat(keypath, &st) == 0;
	if (replacing && !force) {
		cli_err("%s exists: refusing to overwrite it (--force "
			"replaces it, and what was sealed to it is lost "
			"without a backup)", keypath);
		return ADM_ERR;
	}

	rc = unlock_pass(a, "New passphrase for the newsroom key: ", 1, &pass,
			 &plen);
	if (rc != ADM_OK)
		return rc;
	rc = ADM_ERR;
	k = keys_generate();
	if (!k) {
		cli_err("out of locked memory for the key");
		goto out;
	}
	r = keys_secret_seal(k, pass, plen, crypto_pwhash_OPSLIMIT_MODERATE,
			     crypto_pwhash_MEMLIMIT_MODERATE, keytext);
	if (r != 0) {
		cli_err("sealing the key: %s", crypt_strerror(r));
		goto out;
	}
	keys_pub_format(&k->pub, pubtext);
	/* The public file first: a key without its public half is useless,
	 * a public half without the key is harmless and gets replaced. */
	if (write_atomic(pubpath, pubtext, 0644) != 0 ||
	    write_atomic(keypath, keytext, 0600) != 0)
		goto out;
	cli_sync_parent(keypath);
	if (replacing)
		cli_err("the previous key in %s was replaced: what was sealed "
			"to it opens only with its backup", a->home);

	keys_id_hex(&k->pub, id);
	keys_fingerprint(&k->pub, fpr);
	printf("Created %s (secret, mode 0600) and %s.\n"
	       "Key id:      %s\n"
	       "Fingerprint: %s\n\n"
	       "Carry %s to the server (a fresh USB stick) and run\n"
	       "  sealdrop init --pubkey newsroom.pub\n"
	       "then compare the fingerprint it prints with the one above, "
	       "aloud.\nKeep the passphrase and a backup of %s apart from "
	       "this machine's disk.\n",
	       keypath, pubpath, id, fpr, pubpath, keypath);
	rc = ADM_OK;
out:
	sodium_memzero(keytext, sizeof(keytext));
	keys_secret_free(k);
	unlock_pass_free(pass);
	return rc;
}
