/*
 * dropkey.h - the drop's own Ed25519 signing key, DIR/drop.key.
 *
 * The drop signs every export with it, so the air-gapped machine can tell
 * an export the drop wrote from one rewritten on the USB stick. The key
 * never leaves the server. It is not passphrase-protected: the server runs
 * unattended, so whoever holds the running server holds this key too
 * (docs/threat-model.md, C). The file is two lines in the signify manner;
 * docs/formats.md, 1 gives its bytes.
 *
 * Key id and fingerprint: h = BLAKE2b-256(sign_pk); the id is h[0..8),
 * the fingerprint h[0..16) in the newsroom keys' form.
 *
 * Ownership: a dropkey lives in sodium_malloc memory, made by
 * dropkey_generate() or dropkey_load() and wiped by dropkey_free().
 */
#ifndef SEALDROP_DROPKEY_H
#define SEALDROP_DROPKEY_H

#include <stdint.h>

#include "keys.h"

#define DROPKEY_PK 32
#define DROPKEY_SK 64
#define DROPKEY_FILE "drop.key"

typedef struct dropkey {
	uint8_t id[KEYS_ID_BYTES];
	uint8_t pk[DROPKEY_PK];
	uint8_t sk[DROPKEY_SK]; /* libsodium's: seed, then pk */
} dropkey;

/* A fresh key pair. NULL when out of locked memory. */
dropkey *dropkey_generate(void);

/* Wipes and frees k. NULL is fine. */
void dropkey_free(dropkey *k);

/* Writes k to path, created 0600 with O_EXCL|O_NOFOLLOW and synced.
 * Returns 0, or CRYPT_EIO with errno (EEXIST: never overwritten). */
int dropkey_write(const char *path, const dropkey *k);

/* Reads path. Returns 0 with *out, CRYPT_EIO with errno (ENOENT: no key
 * yet), CRYPT_ETOOBIG, CRYPT_EFORMAT (bad text, a key id or public key
 * that does not follow from the secret), CRYPT_EVERSION, CRYPT_ENOMEM. */
int dropkey_load(const char *path, dropkey **out);

/* Loads DIR/drop.key, creating it when there is none (created tells).
 * Two processes that race here end with the same key. Returns as
 * dropkey_load, or as dropkey_write. */
int dropkey_ensure(const char *dir, dropkey **out, int *created);

/* The id, fingerprint and hex id of a drop public key. */
void dropkey_id(const uint8_t pk[DROPKEY_PK], uint8_t id[KEYS_ID_BYTES]);
void dropkey_fingerprint(const uint8_t pk[DROPKEY_PK],
			 char out[KEYS_FPR_LEN]);
void dropkey_fpr_bytes(const uint8_t pk[DROPKEY_PK],
		       uint8_t out[KEYS_FPR_BYTES]);
void dropkey_id_hex(const uint8_t pk[DROPKEY_PK],
		    char out[2 * KEYS_ID_BYTES + 1]);

/* "drop key KEYID fingerprint XXXX ... XXXX": the line `sealdrop init`
 * and `status` print and the admin tool's messages repeat, so the two
 * can be compared by eye. */
#define DROPKEY_LINE (9 + 2 * KEYS_ID_BYTES + 13 + KEYS_FPR_LEN)
void dropkey_line(const uint8_t pk[DROPKEY_PK], char out[DROPKEY_LINE]);

#endif
