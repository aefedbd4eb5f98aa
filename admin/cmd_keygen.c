/*
 * cmd_keygen.c - makes the newsroom key pair.
 *
 * Whoever copies newsroom.key can guess its passphrase offline for as long
 * as they like, so keygen refuses one below STRENGTH_MIN_BITS (see
 * strength.h), or makes one of seven random list words itself.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "codename.h"
#include "crypt.h"
#include "fileio.h"
#include "keys.h"
#include "strength.h"
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

/* The Argon2id cost named by --cost (NULL: moderate). Every later unlock
 * pays it again: moderate is about a second and 256 MiB, sensitive
 * several seconds and 1 GiB. Returns 0, or -1 after a usage message. */
static int cost_limits(const struct admin *a, const char *name,
		       unsigned long long *ops, size_t *mem)
{
	if (name == NULL || strcmp(name, "moderate") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else if (strcmp(name, "sensitive") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
	} else {
		cli_usage(a, "--cost must be moderate or sensitive");
		return -1;
	}
	return 0;
}

/* Seven random list words, drawn as a codename's are (7 x 12.92 = 90.5
 * bits), into sodium_malloc memory for unlock_pass_free. ADM_OK or
 * ADM_ERR. */
static int generate_pass(char **pass, size_t *len)
{
	codename *c = sodium_malloc(sizeof *c);
	char *text = sodium_malloc(CODENAME_TEXT_MAX);

	if (!c || !text) {
		cli_err("out of locked memory for the passphrase");
		if (c)
			sodium_free(c);
		unlock_pass_free(text);
		return ADM_ERR;
	}
	codename_generate(c);
	codename_words(c, text);
	/* sodium_free wipes the indices. */
	sodium_free(c);
	*pass = text;
	*len = strlen(text);
	return ADM_OK;
}

/* Shows a generated passphrase, the only time it exists outside memory.
 * Straight to the descriptor, not through stdio, so no copy lingers in a
 * buffer nobody wipes. Before the key is made: if nobody could see the
 * passphrase, no key must be sealed under it. ADM_OK or ADM_ERR. */
static int show_pass(const char *pass, size_t len)
{
	static const char head[] =
		"Your new passphrase, seven random words. Write it down now, on "
		"paper:\nit is shown only this once and is stored nowhere.\n\n"
		"    ";
	static const char tail[] = "\n\n";

	if (fflush(stdout) != 0 ||
	    fileio_write_all(STDOUT_FILENO, head, sizeof head - 1) != 0 ||
	    fileio_write_all(STDOUT_FILENO, pass, len) != 0 ||
	    fileio_write_all(STDOUT_FILENO, tail, sizeof tail - 1) != 0) {
		cli_err("cannot show the new passphrase: no key was made");
		return ADM_ERR;
	}
	return ADM_OK;
}

int cmd_keygen(struct admin *a, int argc, char **argv)
{
	char keypath[PATH_MAX], pubpath[PATH_MAX];
	char keytext[KEYS_FILE_MAX], pubtext[KEYS_FILE_MAX];
	char fpr[KEYS_FPR_LEN], id[2 * KEYS_ID_BYTES + 1];
	char *pass = NULL;
	const char *cost = NULL;
	size_t plen, mem;
	unsigned long long ops;
	double bits;
	keys_secret *k = NULL;
	int force = 0, generate = 0, replacing, rc = ADM_ERR, r;
	struct stat st;
	const struct cli_opt opts[] = {
		{ "--force", NULL, &force },
		{ "--generate-passphrase", NULL, &generate },
		{ "--cost", &cost, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0 ||
	    cost_limits(a, cost, &ops, &mem) != 0)
		return ADM_ERR;
	if (generate && a->passfile)
		return cli_usage(a, "--generate-passphrase makes the "
				 "passphrase: drop --passphrase-file");
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

	if (generate) {
		rc = generate_pass(&pass, &plen);
		if (rc == ADM_OK)
			rc = show_pass(pass, plen);
	} else {
		rc = unlock_pass(a, "New passphrase for the newsroom key (five "
				 "random words or more): ", 1, &pass, &plen);
		/* Refused before any key exists, so nothing is written. A
		 * drawn one needs no check: it is random by construction. */
		if (rc == ADM_OK &&
		    (bits = strength_bits(pass, plen)) < STRENGTH_MIN_BITS) {
			cli_err("passphrase too weak (about %d bits, %d "
				"needed); use at least five random words, "
				"e.g. from --generate-passphrase", (int)bits,
				(int)STRENGTH_MIN_BITS);
			rc = ADM_ERR;
		}
	}
	if (rc != ADM_OK)
		goto out;
	rc = ADM_ERR;
	k = keys_generate();
	if (!k) {
		cli_err("out of locked memory for the key");
		goto out;
	}
	r = keys_secret_seal(k, pass, plen, ops, mem, keytext);
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
