/*
 * mkvec_keys.c - writes the newsroom key test vectors.
 *
 *	mkvec_keys --write DIR
 *
 * A fresh, test-only newsroom key (test.pub, test.key under the
 * passphrase in test.pass, its X25519 secret in test.box_sk.hex) and
 * damaged copies of its files. tests/vectors/README.md says what each
 * must give; test_keys asserts it. Rewriting them changes the test key.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "fileio.h"
#include "keys.h"

#define PASS "sealdrop test key: never for real use"
#define PUB_BYTES 74
#define SEC_BYTES 180
#define SEC_AD 44

static const char *dir;

static void
put(const char *name, const void *buf, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = fileio_create_private(path, 1)) < 0 ||
	    fileio_write_all(fd, buf, len) != 0 || fileio_sync_close(fd) != 0) {
		perror(path);
		exit(1);
	}
}

static void
put_text(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

/* Writes text, a key file, with its key line's len bytes edited by f. */
static void
put_edited(const char *name, const char *text, size_t len,
	   void (*f)(uint8_t *bin))
{
	char out[KEYS_FILE_MAX];
	const char *b64 = strchr(text, '\n') + 1;
	size_t head = (size_t)(b64 - text);
	uint8_t bin[SEC_BYTES];

	if (sodium_base642bin(bin, len, b64, strlen(b64), "\n", NULL, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		exit(1);
	f(bin);
	memcpy(out, text, head);
	sodium_bin2base64(out + head, sizeof out - head, bin, len,
			  sodium_base64_VARIANT_ORIGINAL);
	strcat(out, "\n");
	put_text(name, out);
}

static void
edit_tag(uint8_t *bin)
{
	bin[1] = '2';
}

static void
edit_keyid(uint8_t *bin)
{
	bin[2] ^= 0x01;
}

static void
edit_kdf(uint8_t *bin)
{
	bin[3] = '3';
}

static void
edit_memlimit(uint8_t *bin)
{
	crypt_put64(bin + 12, 8ULL << 30);
}

/*
 * A secret file made the right way but with INTERACTIVE limits, which
 * keys_secret_seal refuses to write: so this one is sealed by hand,
 * following docs/formats.md.
 */
static void
put_weak(const keys_secret *k)
{
	uint8_t bin[SEC_BYTES], key[32], plain[96];
	char text[KEYS_FILE_MAX], id[17];
	uint8_t *nonce = bin + SEC_AD;

	memcpy(bin, "S1A2", 4);
	crypt_put64(bin + 4, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	crypt_put64(bin + 12, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	randombytes_buf(bin + 20, 16);
	memcpy(bin + 36, k->pub.id, 8);
	randombytes_buf(nonce, 24);
	if (crypto_pwhash(key, 32, PASS, strlen(PASS), bin + 20,
			  crypto_pwhash_OPSLIMIT_INTERACTIVE,
			  crypto_pwhash_MEMLIMIT_INTERACTIVE,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		exit(1);
	memcpy(plain, k->box_sk, 32);
	memcpy(plain + 32, k->sign_sk, 64);
	crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + 24, NULL, plain,
			sizeof plain, bin, SEC_AD, NULL, nonce, key);
	keys_id_hex(&k->pub, id);
	snprintf(text, sizeof text,
		 "untrusted comment: sealdrop newsroom secret key %s\n", id);
	sodium_bin2base64(text + strlen(text), sizeof text - strlen(text),
			  bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
	strcat(text, "\n");
	put_text("weak-params.key", text);
}

static void
write_all(void)
{
	char pub[KEYS_FILE_MAX], sec[KEYS_FILE_MAX], big[KEYS_FILE_MAX + 2];
	char hex[66], fpr[KEYS_FPR_LEN];
	keys_secret *k = keys_generate();

	if (k == NULL || keys_secret_seal(k, PASS, strlen(PASS),
					  crypto_pwhash_OPSLIMIT_MODERATE,
					  crypto_pwhash_MEMLIMIT_MODERATE,
					  sec) != 0)
		exit(1);
	keys_pub_format(&k->pub, pub);
	put_text("test.pub", pub);
	put_text("test.key", sec);
	put_text("test.pass", PASS "\n");
	crypt_hex(hex, k->box_sk, 32);
	strcat(hex, "\n");
	put_text("test.box_sk.hex", hex);

	strcpy(big, pub);
	big[strchr(pub, '\n') - pub + 11] = '*';
	put_text("bad-base64.pub", big);
	put_edited("wrong-tag.pub", pub, PUB_BYTES, edit_tag);
	put_edited("keyid-mismatch.pub", pub, PUB_BYTES, edit_keyid);
	/* One byte over the cap: a valid file and blank lines. */
	memset(big, '\n', KEYS_FILE_MAX + 1);
	memcpy(big, pub, strlen(pub));
	put("oversized.pub", big, KEYS_FILE_MAX + 1);
	put_text("no-comment.pub", strchr(pub, '\n') + 1);

	put_weak(k);
	put_edited("unknown-kdf.key", sec, SEC_BYTES, edit_kdf);
	put_edited("huge-params.key", sec, SEC_BYTES, edit_memlimit);
	put_text("wrong-passphrase.pass", "not the passphrase\n");

	keys_fingerprint(&k->pub, fpr);
	printf("test key fingerprint: %s\n", fpr);
	keys_secret_free(k);
}

int
main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--write") != 0) {
		printf("usage: mkvec_keys --write DIR\n"
		       "writes a new test-only newsroom key and the key "
		       "file vectors into DIR\n");
		return 0;
	}
	if (crypt_init() != 0)
		return 1;
	dir = argv[2];
	write_all();
	return 0;
}
