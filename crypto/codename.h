/*
 * codename.h - a source's only secret, and what is derived from it.
 *
 * A codename is 7 words drawn uniformly from the EFF large wordlist (7,776
 * words, about 90.5 bits). Its canonical form is the sequence of word
 * indices, so the same secret may be written as words (any case, separated
 * by any run of spaces, hyphens or punctuation) or as 28 digits (the
 * indices read as one base-7776 number), and derives the same keys.
 *
 * Argon2id(canonical, instance salt, instance limits) gives 64 bytes: the
 * first half hashes to the lookup id the server stores; the second half
 * seeds the source's X25519 reply key pair.
 *
 * Ownership: a codename and a codename_keys hold secrets. Keep them in
 * sodium_malloc memory (codename_keys_new) or wipe them with
 * sodium_memzero when done.
 */
#ifndef SEALDROP_CODENAME_H
#define SEALDROP_CODENAME_H

#include <stddef.h>
#include <stdint.h>

#define CODENAME_WORDS 7
#define CODENAME_LIST 7776
#define CODENAME_DIGITS 28
#define CODENAME_SALT 16
/* Longest words form: 7 words of at most 9 letters, 6 spaces, NUL. */
#define CODENAME_TEXT_MAX 72
/* Digits form: 7 groups of 4 digits, 6 spaces, NUL. */
#define CODENAME_DIGITS_MAX 35
/* Longest input accepted for parsing: generous for stray spaces. */
#define CODENAME_INPUT_MAX 512
/* Two words and a hyphen, NUL. */
#define CODENAME_DESIG_MAX 20
/* The longest designation: one word from each 4 bytes of the hash. */
#define CODENAME_DESIG_WORDS 8
/* Eight words of at most 9 letters, 7 hyphens, NUL. */
#define CODENAME_DESIG_LONG_MAX 80

typedef struct codename {
	uint16_t idx[CODENAME_WORDS];
} codename;

typedef struct codename_params {
	uint8_t salt[CODENAME_SALT];
	unsigned long long opslimit;
	size_t memlimit;
} codename_params;

typedef struct codename_keys {
	uint8_t lookup[32];   /* what the server stores to find the source */
	uint8_t reply_pk[32]; /* replies are sealed to this */
	uint8_t reply_sk[32]; /* only ever in memory during a session */
} codename_keys;

/* Draws a fresh codename with randombytes_uniform. */
void codename_generate(codename *out);

/* The words form, "word word ... word", NUL-terminated. */
void codename_words(const codename *c, char out[CODENAME_TEXT_MAX]);

/* The digits form, "dddd dddd ... dddd" (28 digits), NUL-terminated. */
void codename_digits(const codename *c, char out[CODENAME_DIGITS_MAX]);

/* Normalises untrusted input (at most CODENAME_INPUT_MAX bytes) in either
 * form to the canonical one. Letters are folded to lower case; spaces,
 * hyphens and ASCII punctuation separate words; full-width and
 * Arabic-Indic digits count as digits. Returns 0, or CRYPT_EFORMAT when it
 * is not exactly 7 list words or a 28-digit number below 7776^7, or
 * CRYPT_ETOOBIG. Never says which word was wrong. */
int codename_parse(const char *in, size_t len, codename *out);

/* Word i of the list (0 <= i < CODENAME_LIST), or NULL. */
const char *codename_word(unsigned i);

/* The index of the list word w[len] (lower case, exactly as listed, e.g.
 * "yo-yo"), or -1 when it is not one. Wipes its scratch copy: w may be a
 * piece of a secret. */
int codename_find(const char *w, size_t len);

/* Fresh instance parameters: a random salt and the given limits. */
void codename_params_new(codename_params *p, unsigned long long opslimit,
			 size_t memlimit);

/* Runs Argon2id and fills k. Returns 0 or CRYPT_ENOMEM (Argon2 could not
 * get its memory). Takes memlimit bytes and about a second: callers on a
 * server bound how many run at once. */
int codename_derive(const codename *c, const codename_params *p,
		    codename_keys *k);

/* A codename_keys in sodium_malloc memory; free with codename_keys_free,
 * which wipes. NULL when out of memory. */
codename_keys *codename_keys_new(void);
void codename_keys_free(codename_keys *k);

/* The source's designation for journalists, e.g. "amber-falcon": two
 * words from a hash of the reply public key, so the air-gapped side
 * computes it itself and never prints a string the server chose. */
void codename_designation(const uint8_t reply_pk[32],
			  char out[CODENAME_DESIG_MAX]);

/* The designation of nwords words (2 <= nwords <= CODENAME_DESIG_WORDS;
 * others are clamped), word i from u32(h[4i..4i+4]) of the same hash: its
 * first two words are codename_designation's, and each length extends the
 * one before, so an archive can lengthen a designation another source
 * already has and still show only what the key gives. */
void codename_designation_n(const uint8_t reply_pk[32], unsigned nwords,
			    char out[CODENAME_DESIG_LONG_MAX]);

#endif
