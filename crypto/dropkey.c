/*
 * dropkey.c - the drop's signing key and its file (docs/formats.md, 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "crypt.h"
#include "dropkey.h"
#include "fileio.h"

#define DROPKEY_TAG "D1"
/* "D1" || keyid || sign_sk */
#define DROPKEY_BYTES (2 + KEYS_ID_BYTES + DROPKEY_SK)

static void
dropkey_hash(const uint8_t pk[DROPKEY_PK], uint8_t h[32])
{
	crypto_generichash(h, 32, pk, DROPKEY_PK, NULL, 0);
}

void
dropkey_id(const uint8_t pk[DROPKEY_PK], uint8_t id[KEYS_ID_BYTES])
{
	uint8_t h[32];

	dropkey_hash(pk, h);
	memcpy(id, h, KEYS_ID_BYTES);
}

void
dropkey_fpr_bytes(const uint8_t pk[DROPKEY_PK], uint8_t out[KEYS_FPR_BYTES])
{
	uint8_t h[32];

	dropkey_hash(pk, h);
	memcpy(out, h, KEYS_FPR_BYTES);
}

void
dropkey_fingerprint(const uint8_t pk[DROPKEY_PK], char out[KEYS_FPR_LEN])
{
	uint8_t h[32];

	dropkey_hash(pk, h);
	keys_fpr_format(h, out);
}

void
dropkey_id_hex(const uint8_t pk[DROPKEY_PK], char out[2 * KEYS_ID_BYTES + 1])
{
	uint8_t id[KEYS_ID_BYTES];

	dropkey_id(pk, id);
	crypt_hex(out, id, KEYS_ID_BYTES);
}

void
dropkey_line(const uint8_t pk[DROPKEY_PK], char out[DROPKEY_LINE])
{
	char id[2 * KEYS_ID_BYTES + 1], fpr[KEYS_FPR_LEN];

	dropkey_id_hex(pk, id);
	dropkey_fingerprint(pk, fpr);
	snprintf(out, DROPKEY_LINE, "drop key %s fingerprint %s", id, fpr);
}

dropkey *
dropkey_generate(void)
{
	dropkey *k = sodium_malloc(sizeof *k);

	if (k == NULL)
		return NULL;
	crypto_sign_keypair(k->pk, k->sk);
	dropkey_id(k->pk, k->id);
	return k;
}

void
dropkey_free(dropkey *k)
{
	sodium_free(k); /* wipes */
}

int
dropkey_write(const char *path, const dropkey *k)
{
	char *text, comment[64], id[2 * KEYS_ID_BYTES + 1];
	uint8_t *bin;
	int fd, rc = 0, saved;

	text = sodium_malloc(KEYS_FILE_MAX);
	bin = sodium_malloc(DROPKEY_BYTES);
	if (text == NULL || bin == NULL) {
		sodium_free(text);
		sodium_free(bin);
		return CRYPT_ENOMEM;
	}
	memcpy(bin, DROPKEY_TAG, 2);
	memcpy(bin + 2, k->id, KEYS_ID_BYTES);
	memcpy(bin + 2 + KEYS_ID_BYTES, k->sk, DROPKEY_SK);
	crypt_hex(id, k->id, KEYS_ID_BYTES);
	snprintf(comment, sizeof comment, "sealdrop drop signing key %s", id);
	keys_text_encode(text, comment, bin, DROPKEY_BYTES);

	fd = fileio_create_private(path, 0);
	if (fd < 0 ||
	    fileio_write_all(fd, text, strlen(text)) != 0) {
		saved = errno;
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		errno = saved;
		rc = CRYPT_EIO;
	} else if (fileio_sync_close(fd) != 0) {
		saved = errno;
		unlink(path);
		errno = saved;
		rc = CRYPT_EIO;
	}
	sodium_free(text);
	sodium_free(bin);
	return rc;
}

int
dropkey_load(const char *path, dropkey **out)
{
	uint8_t pk[DROPKEY_PK];
	uint8_t *bin;
	char *text;
	dropkey *k;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = fileio_slurp(path, KEYS_FILE_MAX, &text, &len)) != 0)
		return rc;
	bin = sodium_malloc(DROPKEY_BYTES);
	k = sodium_malloc(sizeof *k);
	if (bin == NULL || k == NULL) {
		rc = CRYPT_ENOMEM;
		goto out;
	}
	if ((rc = keys_text_decode(text, len, bin, DROPKEY_BYTES)) != 0)
		goto out;
	if (memcmp(bin, DROPKEY_TAG, 2) != 0) {
		rc = CRYPT_EVERSION;
		goto out;
	}
	memcpy(k->id, bin + 2, KEYS_ID_BYTES);
	memcpy(k->sk, bin + 2 + KEYS_ID_BYTES, DROPKEY_SK);
	memcpy(k->pk, k->sk + 32, DROPKEY_PK);
	/* The public half is stored inside the secret one: recompute it
	 * from the seed, so a damaged file is refused rather than signing
	 * exports no one can verify. */
	{
		uint8_t seedsk[DROPKEY_SK], id[KEYS_ID_BYTES];

		crypto_sign_seed_keypair(pk, seedsk, k->sk);
		sodium_memzero(seedsk, sizeof seedsk);
		dropkey_id(k->pk, id);
		if (sodium_memcmp(pk, k->pk, DROPKEY_PK) != 0 ||
		    memcmp(id, k->id, KEYS_ID_BYTES) != 0)
			rc = CRYPT_EFORMAT;
	}
out:
	sodium_memzero(text, len);
	free(text);
	sodium_free(bin);
	if (rc == 0)
		*out = k;
	else
		sodium_free(k);
	return rc;
}

int
dropkey_ensure(const char *dir, dropkey **out, int *created)
{
	char path[4096], tmp[4096 + 40], hex[17];
	uint8_t nonce[8];
	dropkey *k;
	int rc, saved;

	*created = 0;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, DROPKEY_FILE) >=
	    sizeof path) {
		errno = ENAMETOOLONG;
		return CRYPT_EIO;
	}
	rc = dropkey_load(path, out);
	if (rc != CRYPT_EIO || errno != ENOENT)
		return rc;
	if ((k = dropkey_generate()) == NULL)
		return CRYPT_ENOMEM;
	/* Written whole under a name of its own, then linked into place:
	 * link() refuses an existing name, so of two processes racing here
	 * one wins and the other reads the winner's complete file. */
	crypt_random(nonce, sizeof nonce);
	crypt_hex(hex, nonce, sizeof nonce);
	snprintf(tmp, sizeof tmp, "%s.%s", path, hex);
	rc = dropkey_write(tmp, k);
	if (rc == 0 && link(tmp, path) != 0)
		rc = CRYPT_EIO;
	saved = errno;
	unlink(tmp);
	errno = saved;
	if (rc == 0) {
		*out = k;
		*created = 1;
		return 0;
	}
	dropkey_free(k);
	if (rc == CRYPT_EIO && saved == EEXIST)
		return dropkey_load(path, out);
	return rc;
}
