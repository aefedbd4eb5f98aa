/*
 * keys.c - the newsroom's keys and their two files (docs/formats.md, 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "fileio.h"
#include "keys.h"

#define KEYS_COMMENT "untrusted comment: "
#define KEYS_COMMENT_MAX 256
#define KEYS_TAG "S1"
#define KEYS_KDF "A2"
/* A hostile or damaged file must not make us work forever. */
#define KEYS_OPSLIMIT_MAX 64ULL
#define KEYS_MEMLIMIT_MAX (4ULL << 30)

/* "S1" || keyid || box_pk || sign_pk */
#define KEYS_PUB_BYTES (2 + KEYS_ID_BYTES + KEYS_BOX_PK + KEYS_SIGN_PK)

/* "S1" || "A2" || opslimit || memlimit || salt || keyid, then nonce || c */
#define KEYS_SALT crypto_pwhash_SALTBYTES
#define KEYS_AT_OPS 4
#define KEYS_AT_MEM 12
#define KEYS_AT_SALT 20
#define KEYS_AT_ID (KEYS_AT_SALT + KEYS_SALT)
#define KEYS_AD_BYTES (KEYS_AT_ID + KEYS_ID_BYTES)
#define KEYS_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define KEYS_PLAIN (KEYS_BOX_SK + KEYS_SIGN_SK)
#define KEYS_SEC_BYTES (KEYS_AD_BYTES + KEYS_NONCE + KEYS_PLAIN + \
			crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* What opening or sealing a secret file holds in locked memory. */
struct keys_scratch {
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	uint8_t plain[KEYS_PLAIN];
};

/* The key id: BLAKE2b-256 of both public keys, truncated by the caller. */
static void
keys_hash(const uint8_t box_pk[KEYS_BOX_PK],
	  const uint8_t sign_pk[KEYS_SIGN_PK], uint8_t h[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, box_pk, KEYS_BOX_PK);
	crypto_generichash_update(&st, sign_pk, KEYS_SIGN_PK);
	crypto_generichash_final(&st, h, 32);
}

static void
keys_set_id(keys_pub *pub)
{
	uint8_t h[32];

	keys_hash(pub->box_pk, pub->sign_pk, h);
	memcpy(pub->id, h, KEYS_ID_BYTES);
}

static int
keys_id_matches(const keys_pub *pub)
{
	uint8_t h[32];

	keys_hash(pub->box_pk, pub->sign_pk, h);
	return memcmp(pub->id, h, KEYS_ID_BYTES) == 0;
}

keys_secret *
keys_generate(void)
{
	keys_secret *k = sodium_malloc(sizeof *k);

	if (k == NULL)
		return NULL;
	crypto_box_keypair(k->pub.box_pk, k->box_sk);
	crypto_sign_keypair(k->pub.sign_pk, k->sign_sk);
	keys_set_id(&k->pub);
	return k;
}

void
keys_secret_free(keys_secret *k)
{
	/* sodium_free wipes. */
	sodium_free(k);
}

void
keys_id_hex(const keys_pub *pub, char out[2 * KEYS_ID_BYTES + 1])
{
	crypt_hex(out, pub->id, KEYS_ID_BYTES);
}

void
keys_fingerprint(const keys_pub *pub, char out[KEYS_FPR_LEN])
{
	uint8_t h[32];

	keys_hash(pub->box_pk, pub->sign_pk, h);
	keys_fpr_format(h, out);
}

void
keys_fpr_format(const uint8_t h[KEYS_FPR_BYTES], char out[KEYS_FPR_LEN])
{
	char hex[2 * KEYS_FPR_BYTES + 1];

	crypt_hex(hex, h, KEYS_FPR_BYTES);
	for (int i = 0; i < 8; i++) {
		memcpy(out + 5 * i, hex + 4 * i, 4);
		out[5 * i + 4] = i < 7 ? ' ' : '\0';
	}
}

int
keys_fpr_parse(const char *text, uint8_t out[KEYS_FPR_BYTES])
{
	char hex[2 * KEYS_FPR_BYTES + 1];
	size_t n = 0;

	/* People copy fingerprints with and without the spaces, and in
	 * upper case from a screen; nothing else is let through. */
	for (; *text != '\0'; text++) {
		char c = *text;

		if (c == ' ')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) ||
		    n == 2 * KEYS_FPR_BYTES)
			return CRYPT_EFORMAT;
		hex[n++] = c;
	}
	if (n != 2 * KEYS_FPR_BYTES)
		return CRYPT_EFORMAT;
	hex[n] = '\0';
	return crypt_unhex(out, KEYS_FPR_BYTES, hex);
}

void
keys_text_encode(char out[KEYS_FILE_MAX], const char *comment,
		 const uint8_t *bin, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(KEYS_SEC_BYTES,
				sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof b64, bin, len,
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, KEYS_FILE_MAX, "%s%s\n%s\n", KEYS_COMMENT, comment, b64);
	sodium_memzero(b64, sizeof b64);
}

/* Writes the two lines of a newsroom key file. */
static void
keys_format(char out[KEYS_FILE_MAX], const char *what, const keys_pub *pub,
	    const uint8_t *bin, size_t len)
{
	char id[2 * KEYS_ID_BYTES + 1], comment[64];

	keys_id_hex(pub, id);
	snprintf(comment, sizeof comment, "sealdrop newsroom %s key %s", what,
		 id);
	keys_text_encode(out, comment, bin, len);
}

int
keys_text_decode(const char *text, size_t tlen, uint8_t *bin, size_t len)
{
	const char *nl, *b64, *end, *stop;
	size_t got;

	if (tlen > KEYS_FILE_MAX)
		return CRYPT_ETOOBIG;
	nl = memchr(text, '\n', tlen);
	if (nl == NULL || (size_t)(nl - text) > KEYS_COMMENT_MAX ||
	    tlen < strlen(KEYS_COMMENT) ||
	    memcmp(text, KEYS_COMMENT, strlen(KEYS_COMMENT)) != 0)
		return CRYPT_EFORMAT;
	b64 = nl + 1;
	end = text + tlen;
	if (end > b64 && end[-1] == '\n') {
		end--;
		if (end > b64 && end[-1] == '\r')
			end--;
	}
	if ((size_t)(end - b64) + 1 !=
	    sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) ||
	    sodium_base642bin(bin, len, b64, (size_t)(end - b64), NULL, &got,
			      &stop, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != len || stop != end)
		return CRYPT_EFORMAT;
	return 0;
}

void
keys_pub_format(const keys_pub *pub, char out[KEYS_FILE_MAX])
{
	uint8_t bin[KEYS_PUB_BYTES];

	memcpy(bin, KEYS_TAG, 2);
	memcpy(bin + 2, pub->id, KEYS_ID_BYTES);
	memcpy(bin + 2 + KEYS_ID_BYTES, pub->box_pk, KEYS_BOX_PK);
	memcpy(bin + 2 + KEYS_ID_BYTES + KEYS_BOX_PK, pub->sign_pk,
	       KEYS_SIGN_PK);
	keys_format(out, "public", pub, bin, sizeof bin);
}

int
keys_pub_parse(const char *text, size_t len, keys_pub *out)
{
	uint8_t bin[KEYS_PUB_BYTES];
	keys_pub pub;
	int rc;

	if ((rc = keys_text_decode(text, len, bin, sizeof bin)) != 0)
		return rc;
	if (memcmp(bin, KEYS_TAG, 2) != 0)
		return CRYPT_EVERSION;
	memcpy(pub.id, bin + 2, KEYS_ID_BYTES);
	memcpy(pub.box_pk, bin + 2 + KEYS_ID_BYTES, KEYS_BOX_PK);
	memcpy(pub.sign_pk, bin + 2 + KEYS_ID_BYTES + KEYS_BOX_PK,
	       KEYS_SIGN_PK);
	if (!keys_id_matches(&pub))
		return CRYPT_EFORMAT;
	*out = pub;
	return 0;
}

int
keys_pub_load(const char *path, keys_pub *out)
{
	char *text;
	size_t len;
	int rc;

	if ((rc = fileio_slurp(path, KEYS_FILE_MAX, &text, &len)) != 0)
		return rc;
	rc = keys_pub_parse(text, len, out);
	free(text);
	return rc;
}

/* The Argon2id cost stored in a secret file: neither weak nor absurd. */
static int
keys_limits_ok(unsigned long long opslimit, unsigned long long memlimit)
{
	return opslimit >= crypto_pwhash_OPSLIMIT_MODERATE &&
	       opslimit <= KEYS_OPSLIMIT_MAX &&
	       memlimit >= crypto_pwhash_MEMLIMIT_MODERATE &&
	       memlimit <= KEYS_MEMLIMIT_MAX && memlimit <= SIZE_MAX;
}

/* The file key from pass and the parameters at the head of the file. */
static int
keys_derive(uint8_t key[32], const char *pass, size_t passlen,
	    const uint8_t *ad)
{
	if (crypto_pwhash(key, 32, pass, passlen, ad + KEYS_AT_SALT,
			  crypt_get64(ad + KEYS_AT_OPS),
			  (size_t)crypt_get64(ad + KEYS_AT_MEM),
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CRYPT_ENOMEM;
	return 0;
}

int
keys_secret_seal(const keys_secret *k, const char *pass, size_t passlen,
		 unsigned long long opslimit, size_t memlimit,
		 char out[KEYS_FILE_MAX])
{
	uint8_t bin[KEYS_SEC_BYTES];
	uint8_t *nonce = bin + KEYS_AD_BYTES;
	struct keys_scratch *s;
	int rc;

	if (!keys_limits_ok(opslimit, memlimit))
		return CRYPT_EUSAGE;
	if ((s = sodium_malloc(sizeof *s)) == NULL)
		return CRYPT_ENOMEM;
	memcpy(bin, KEYS_TAG, 2);
	memcpy(bin + 2, KEYS_KDF, 2);
	crypt_put64(bin + KEYS_AT_OPS, opslimit);
	crypt_put64(bin + KEYS_AT_MEM, memlimit);
	randombytes_buf(bin + KEYS_AT_SALT, KEYS_SALT);
	memcpy(bin + KEYS_AT_ID, k->pub.id, KEYS_ID_BYTES);
	randombytes_buf(nonce, KEYS_NONCE);
	if ((rc = keys_derive(s->key, pass, passlen, bin)) == 0) {
		memcpy(s->plain, k->box_sk, KEYS_BOX_SK);
		memcpy(s->plain + KEYS_BOX_SK, k->sign_sk, KEYS_SIGN_SK);
		crypto_aead_xchacha20poly1305_ietf_encrypt(
			nonce + KEYS_NONCE, NULL, s->plain, KEYS_PLAIN, bin,
			KEYS_AD_BYTES, NULL, nonce, s->key);
		keys_format(out, "secret", &k->pub, bin, sizeof bin);
	}
	sodium_free(s);
	return rc;
}

int
keys_secret_open(const char *text, size_t len, const char *pass,
		 size_t passlen, keys_secret **out)
{
	uint8_t bin[KEYS_SEC_BYTES];
	const uint8_t *nonce = bin + KEYS_AD_BYTES;
	struct keys_scratch *s = NULL;
	keys_secret *k = NULL;
	int rc;

	*out = NULL;
	if ((rc = keys_text_decode(text, len, bin, sizeof bin)) != 0)
		goto out;
	rc = CRYPT_EVERSION;
	if (memcmp(bin, KEYS_TAG, 2) != 0 || memcmp(bin + 2, KEYS_KDF, 2) != 0)
		goto out;
	rc = CRYPT_EFORMAT;
	if (!keys_limits_ok(crypt_get64(bin + KEYS_AT_OPS),
			    crypt_get64(bin + KEYS_AT_MEM)))
		goto out;
	rc = CRYPT_ENOMEM;
	if ((s = sodium_malloc(sizeof *s)) == NULL ||
	    (k = sodium_malloc(sizeof *k)) == NULL)
		goto out;
	if ((rc = keys_derive(s->key, pass, passlen, bin)) != 0)
		goto out;
	rc = CRYPT_EPASS;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(s->plain, NULL, NULL,
	    nonce + KEYS_NONCE, sizeof bin - KEYS_AD_BYTES - KEYS_NONCE,
	    bin, KEYS_AD_BYTES, nonce, s->key) != 0)
		goto out;
	memcpy(k->box_sk, s->plain, KEYS_BOX_SK);
	memcpy(k->sign_sk, s->plain + KEYS_BOX_SK, KEYS_SIGN_SK);
	crypto_scalarmult_base(k->pub.box_pk, k->box_sk);
	crypto_sign_ed25519_sk_to_pk(k->pub.sign_pk, k->sign_sk);
	memcpy(k->pub.id, bin + KEYS_AT_ID, KEYS_ID_BYTES);
	/* A file sealed by anything but keys_secret_seal is not ours. */
	rc = CRYPT_EFORMAT;
	if (!keys_id_matches(&k->pub))
		goto out;
	*out = k;
	k = NULL;
	rc = 0;
out:
	sodium_memzero(bin, sizeof bin);
	sodium_free(s);
	sodium_free(k);
	return rc;
}
