/*
 * mkvec_codename.c - writes the codename test vectors.
 *
 *	mkvec_codename --write DIR
 *
 * DIR/derive.txt: one codename in both forms, a fixed salt and the
 * INTERACTIVE limits, and what they derive. The vector pins the
 * derivation: rewriting it is a format change (docs/formats.md, 3).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "codename.h"
#include "crypt.h"

static const char words[] =
	"abacus drop-down yo-yo zoom t-shirt felt-tip yoyo";

static int write_derive(const char *dir)
{
	char path[4096], text[CODENAME_TEXT_MAX], digits[CODENAME_DIGITS_MAX];
	char salt[2 * CODENAME_SALT + 1], lookup[65], pk[65];
	char desig[CODENAME_DESIG_MAX], zero[CODENAME_DESIG_MAX];
	codename_params p;
	codename_keys *k;
	codename c;
	FILE *f;
	int ok;

	if (codename_parse(words, strlen(words), &c) != 0 ||
	    (k = codename_keys_new()) == NULL)
		return -1;
	for (int i = 0; i < CODENAME_SALT; i++)
		p.salt[i] = (uint8_t)i;
	p.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	p.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if (codename_derive(&c, &p, k) != 0) {
		codename_keys_free(k);
		return -1;
	}
	codename_words(&c, text);
	codename_digits(&c, digits);
	crypt_hex(salt, p.salt, sizeof p.salt);
	crypt_hex(lookup, k->lookup, 32);
	crypt_hex(pk, k->reply_pk, 32);
	codename_designation(k->reply_pk, desig);
	codename_designation((const uint8_t[32]){ 0 }, zero);
	codename_keys_free(k);

	snprintf(path, sizeof path, "%s/derive.txt", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "# A test-only codename and what it derives "
		   "(docs/formats.md, section 3).\n"
		   "words = %s\ndigits = %s\nsalt = %s\nopslimit = %llu\n"
		   "memlimit = %zu\nlookup = %s\nreply_pk = %s\n"
		   "designation = %s\ndesignation_of_zero_key = %s\n",
		text, digits, salt, p.opslimit, p.memlimit, lookup, pk, desig,
		zero);
	ok = ferror(f) == 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--write") != 0) {
		printf("usage: mkvec_codename --write DIR\n"
		       "writes DIR/derive.txt, the codename derivation "
		       "vector\n");
		return 0;
	}
	if (crypt_init() != 0 || write_derive(argv[2]) != 0) {
		fprintf(stderr, "mkvec_codename: cannot write %s/derive.txt\n",
			argv[2]);
		return 1;
	}
	return 0;
}
