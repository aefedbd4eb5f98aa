/*
 * keys.h - the newsroom's keys and their two files.
 *
 * A newsroom key is an X25519 pair (submissions are sealed to it) and an
 * Ed25519 pair (outbox bundles are signed with it), made together on the
 * air-gapped machine. newsroom.pub and newsroom.key are two-line text files
 * in the signify manner; docs/formats.md gives their bytes.
 *
 * Ownership: a keys_secret is always in sodium_malloc memory, made by
 * keys_generate() or keys_secret_open() and wiped by keys_secret_free().
 */
#ifndef SEALDROP_KEYS_H
#define SEALDROP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_ID_BYTES 8
#define KEYS_BOX_PK 32
#define KEYS_BOX_SK 32
#define KEYS_SIGN_PK 32
#define KEYS_SIGN_SK 64
/* "xxxx xxxx ... xxxx": 8 groups of 4 hex digits, 128 bits to read aloud */
#define KEYS_FPR_LEN 40
#define KEYS_FPR_BYTES 16
/* Generous upper bound for either key file's text. */
#define KEYS_FILE_MAX 1024

typedef struct keys_pub {
	uint8_t id[KEYS_ID_BYTES]; /* first 8 bytes of BLAKE2b of both keys */
	uint8_t box_pk[KEYS_BOX_PK];
	uint8_t sign_pk[KEYS_SIGN_PK];
} keys_pub;

typedef struct keys_secret {
	keys_pub pub;
	uint8_t box_sk[KEYS_BOX_SK];
	uint8_t sign_sk[KEYS_SIGN_SK];
} keys_secret;

/* Makes a fresh key pair in sodium_malloc memory. NULL when out of memory. */
keys_secret *keys_generate(void);

/* Wipes and frees k. NULL is fine. */
void keys_secret_free(keys_secret *k);

/* Writes the newsroom.pub text (two lines, NUL-terminated) into out, which
 * holds KEYS_FILE_MAX bytes. */
void keys_pub_format(const keys_pub *pub, char out[KEYS_FILE_MAX]);

/* Parses newsroom.pub text of len bytes (len <= KEYS_FILE_MAX). Checks the
 * tag and that the key id matches the keys. Returns 0, CRYPT_EFORMAT,
 * CRYPT_EVERSION or CRYPT_ETOOBIG. */
int keys_pub_parse(const char *text, size_t len, keys_pub *out);

/* Reads and parses a newsroom.pub file. Returns as keys_pub_parse, or
 * CRYPT_EIO (errno set) when the file cannot be read. */
int keys_pub_load(const char *path, keys_pub *out);

/* Encrypts k under pass with Argon2id(opslimit, memlimit) and writes the
 * newsroom.key text into out (KEYS_FILE_MAX bytes). The limits are stored
 * in the file; below crypto_pwhash's MODERATE they are refused
 * (CRYPT_EUSAGE). Returns 0 or CRYPT_ENOMEM. */
int keys_secret_seal(const keys_secret *k, const char *pass, size_t passlen,
		     unsigned long long opslimit, size_t memlimit,
		     char out[KEYS_FILE_MAX]);

/* Parses newsroom.key text and decrypts it with pass. On success *out is a
 * new keys_secret (caller frees). Returns 0, CRYPT_EPASS for a wrong
 * passphrase (or a tampered file: the two cannot be told apart),
 * CRYPT_EFORMAT/EVERSION/ETOOBIG for a malformed file, CRYPT_ENOMEM. */
int keys_secret_open(const char *text, size_t len, const char *pass,
		     size_t passlen, keys_secret **out);

/* The fingerprint people compare aloud: BLAKE2b of the public file's key
 * bytes, first 16 bytes as 8 space-separated groups of 4 hex digits. */
void keys_fingerprint(const keys_pub *pub, char out[KEYS_FPR_LEN]);

/* Formats the first KEYS_FPR_BYTES of a key's hash as a fingerprint. */
void keys_fpr_format(const uint8_t h[KEYS_FPR_BYTES], char out[KEYS_FPR_LEN]);

/* Parses a fingerprint as people type it: 32 hex digits, either case,
 * spaces anywhere or nowhere. Returns 0 or CRYPT_EFORMAT. */
int keys_fpr_parse(const char *text, uint8_t out[KEYS_FPR_BYTES]);

/* The two lines of a key file: "untrusted comment: " comment, then bin
 * (at most 180 bytes) in base64, into out (NUL-terminated). */
void keys_text_encode(char out[KEYS_FILE_MAX], const char *comment,
		      const uint8_t *bin, size_t len);

/* Checks a key file's comment line (never interpreted) and decodes its
 * base64 line into exactly len bytes, as docs/formats.md, 1 says.
 * Returns 0, CRYPT_ETOOBIG or CRYPT_EFORMAT. */
int keys_text_decode(const char *text, size_t tlen, uint8_t *bin, size_t len);

/* The key id as 16 hex digits, as printed in the files' comment lines. */
void keys_id_hex(const keys_pub *pub, char out[2 * KEYS_ID_BYTES + 1]);

#endif
