/*
 * test_keys.c - newsroom keys: generation, both files, and bad files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypt.h"
#include "fileio.h"
#include "keys.h"

#define OPS crypto_pwhash_OPSLIMIT_MODERATE
#define MEM crypto_pwhash_MEMLIMIT_MODERATE

static void
test_pub_round_trip(void **state)
{
	keys_secret *k = keys_generate();
	char text[KEYS_FILE_MAX], id[17], line[80];
	keys_pub pub;

	(void)state;
	assert_non_null(k);
	keys_pub_format(&k->pub, text);
	keys_id_hex(&k->pub, id);
	snprintf(line, sizeof line,
		 "untrusted comment: sealdrop newsroom public key %s\n", id);
	assert_memory_equal(text, line, strlen(line));
	assert_int_equal(strlen(text), strlen(line) + 100 + 1);
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_int_equal(keys_pub_parse(text, strlen(text), &pub), 0);
	assert_memory_equal(&pub, &k->pub, sizeof pub);
	/* CRLF, and no final newline, are fine too. */
	strcpy(text + strlen(text) - 1, "\r\n");
	assert_int_equal(keys_pub_parse(text, strlen(text), &pub), 0);
	assert_int_equal(keys_pub_parse(text, strlen(text) - 2, &pub), 0);
	keys_secret_free(k);
	keys_secret_free(NULL);
}

/* Each key file's base64 line, rewritten by f, then parsed again. */
static int
pub_edited(const keys_pub *pub, void (*f)(uint8_t *bin))
{
	char text[KEYS_FILE_MAX], *b64;
	uint8_t bin[74];
	keys_pub out;

	keys_pub_format(pub, text);
	b64 = strchr(text, '\n') + 1;
	assert_int_equal(sodium_base642bin(bin, sizeof bin, b64, 100, NULL,
					   NULL, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	f(bin);
	sodium_bin2base64(b64, 101, bin, sizeof bin,
			  sodium_base64_VARIANT_ORIGINAL);
	strcat(text, "\n");
	return keys_pub_parse(text, strlen(text), &out);
}

static void
edit_tag(uint8_t *bin)
{
	bin[1] = '2';
}

static void
edit_box_pk(uint8_t *bin)
{
	bin[10] ^= 1;
}

static void
edit_nothing(uint8_t *bin)
{
	(void)bin;
}

static const char b64abc[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
test_pub_bad(void **state)
{
	keys_secret *k = keys_generate();
	char text[KEYS_FILE_MAX + 2], bad[KEYS_FILE_MAX + 2];
	const char *b64;
	size_t len;
	keys_pub pub;

	(void)state;
	assert_int_equal(pub_edited(&k->pub, edit_nothing), 0);
	assert_int_equal(pub_edited(&k->pub, edit_tag), CRYPT_EVERSION);
	assert_int_equal(pub_edited(&k->pub, edit_box_pk), CRYPT_EFORMAT);
	keys_pub_format(&k->pub, text);
	len = strlen(text);

	/* Not base64, or base64 of the wrong length. */
	memcpy(bad, text, len + 1);
	bad[len - 5] = '*';
	assert_int_equal(keys_pub_parse(bad, len, &pub), CRYPT_EFORMAT);
	memcpy(bad, text, len + 1);
	strcpy(bad + len - 5, "=\n");
	assert_int_equal(keys_pub_parse(bad, strlen(bad), &pub),
			 CRYPT_EFORMAT);
	/* Padding missing, or the unused low bits of the last digit set. */
	memcpy(bad, text, len + 1);
	strcpy(bad + len - 2, "\n");
	assert_int_equal(keys_pub_parse(bad, len - 1, &pub), CRYPT_EFORMAT);
	memcpy(bad, text, len + 1);
	assert_int_equal(bad[len - 2], '=');
	bad[len - 3] = b64abc[(strchr(b64abc, bad[len - 3]) - b64abc) | 1];
	assert_int_equal(keys_pub_parse(bad, len, &pub), CRYPT_EFORMAT);
	/* Anything after the key line. */
	memcpy(bad, text, len + 1);
	strcat(bad, "\n");
	assert_int_equal(keys_pub_parse(bad, len + 1, &pub), CRYPT_EFORMAT);
	bad[len - 1] = ' ';
	assert_int_equal(keys_pub_parse(bad, len, &pub), CRYPT_EFORMAT);
	/* No comment line, or the wrong one, or only a comment. */
	b64 = strchr(text, '\n') + 1;
	assert_int_equal(keys_pub_parse(b64, strlen(b64), &pub),
			 CRYPT_EFORMAT);
	memcpy(bad, text, len + 1);
	bad[0] = 'U';
	assert_int_equal(keys_pub_parse(bad, len, &pub), CRYPT_EFORMAT);
	assert_int_equal(keys_pub_parse(text, (size_t)(b64 - text), &pub),
			 CRYPT_EFORMAT);
	assert_int_equal(keys_pub_parse("", 0, &pub), CRYPT_EFORMAT);
	/* A comment line of 256 bytes is the most. */
	memset(bad, 'c', 300);
	memcpy(bad, "untrusted comment: ", 19);
	bad[256] = '\n';
	strcpy(bad + 257, b64);
	assert_int_equal(keys_pub_parse(bad, strlen(bad), &pub), 0);
	memset(bad, 'c', 300);
	memcpy(bad, "untrusted comment: ", 19);
	bad[257] = '\n';
	strcpy(bad + 258, b64);
	assert_int_equal(keys_pub_parse(bad, strlen(bad), &pub),
			 CRYPT_EFORMAT);
	/* Over the cap, whatever it holds. */
	memset(bad, ' ', sizeof bad);
	memcpy(bad, text, len);
	assert_int_equal(keys_pub_parse(bad, KEYS_FILE_MAX + 1, &pub),
			 CRYPT_ETOOBIG);
	keys_secret_free(k);
}

static void
test_fingerprint(void **state)
{
	keys_secret *k = keys_generate();
	char fpr[KEYS_FPR_LEN], id[17], hex[65];
	uint8_t both[64], h[32];

	(void)state;
	keys_fingerprint(&k->pub, fpr);
	assert_int_equal(strlen(fpr), KEYS_FPR_LEN - 1);
	for (int i = 0; i < KEYS_FPR_LEN - 1; i++)
		if (i % 5 == 4)
			assert_int_equal(fpr[i], ' ');
		else
			assert_non_null(strchr("0123456789abcdef", fpr[i]));
	/* BLAKE2b-256(box_pk || sign_pk): the id is its head. */
	memcpy(both, k->pub.box_pk, 32);
	memcpy(both + 32, k->pub.sign_pk, 32);
	crypto_generichash(h, 32, both, 64, NULL, 0);
	crypt_hex(hex, h, 32);
	keys_id_hex(&k->pub, id);
	assert_memory_equal(id, hex, 16);
	for (int i = 0; i < 8; i++)
		assert_memory_equal(fpr + 5 * i, hex + 4 * i, 4);
	keys_secret_free(k);
}

/* The keys a secret file opens to are the ones sealed, and they work. */
static void
test_secret_round_trip(void **state)
{
	keys_secret *k = keys_generate(), *got = NULL;
	char text[KEYS_FILE_MAX], *b64;
	uint8_t sig[crypto_sign_BYTES];
	uint8_t bin[180];

	(void)state;
	assert_int_equal(keys_secret_seal(k, "correct horse", 13, OPS, MEM,
					  text), 0);
	assert_non_null(strstr(text, "sealdrop newsroom secret key "));
	assert_int_equal(keys_secret_open(text, strlen(text), "correct horse",
					  13, &got), 0);
	assert_memory_equal(got, k, sizeof *k);
	crypto_sign_detached(sig, NULL, (const uint8_t *)"m", 1, got->sign_sk);
	assert_int_equal(crypto_sign_verify_detached(sig,
			 (const uint8_t *)"m", 1, k->pub.sign_pk), 0);
	keys_secret_free(got);
	got = (keys_secret *)1;
	assert_int_equal(keys_secret_open(text, strlen(text), "correct horsf",
					  13, &got), CRYPT_EPASS);
	assert_null(got);

	/* opslimit 3 -> 4: in range, so Argon2 runs, and the AD differs. */
	b64 = strchr(text, '\n') + 1;
	assert_int_equal(sodium_base642bin(bin, sizeof bin, b64, 240, NULL,
					   NULL, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(crypt_get64(bin + 4), OPS);
	crypt_put64(bin + 4, OPS + 1);
	sodium_bin2base64(b64, 241, bin, sizeof bin,
			  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(keys_secret_open(text, strlen(text), "correct horse",
					  13, &got), CRYPT_EPASS);
	/* Out of range: refused before any work. */
	crypt_put64(bin + 4, 65);
	sodium_bin2base64(b64, 241, bin, sizeof bin,
			  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(keys_secret_open(text, strlen(text), "", 0, &got),
			 CRYPT_EFORMAT);
	crypt_put64(bin + 4, OPS);
	crypt_put64(bin + 12, 1ull << 20);
	sodium_bin2base64(b64, 241, bin, sizeof bin,
			  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(keys_secret_open(text, strlen(text), "", 0, &got),
			 CRYPT_EFORMAT);
	crypt_put64(bin + 12, MEM);
	bin[3] = '3';
	sodium_bin2base64(b64, 241, bin, sizeof bin,
			  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(keys_secret_open(text, strlen(text), "", 0, &got),
			 CRYPT_EVERSION);
	keys_secret_free(k);
}

static void
test_secret_weak(void **state)
{
	keys_secret *k = keys_generate();
	char text[KEYS_FILE_MAX];

	(void)state;
	assert_int_equal(keys_secret_seal(k, "p", 1, OPS - 1, MEM, text),
			 CRYPT_EUSAGE);
	assert_int_equal(keys_secret_seal(k, "p", 1, OPS, MEM / 2, text),
			 CRYPT_EUSAGE);
	assert_int_equal(keys_secret_seal(k, "p", 1, 65, MEM, text),
			 CRYPT_EUSAGE);
	keys_secret_free(k);
}

static const char *
vec(const char *name)
{
	static char path[4096];
	const char *top = getenv("SEALDROP_TOP");

	snprintf(path, sizeof path, "%s/tests/vectors/keys/%s",
		 top ? top : ".", name);
	return path;
}

/* A vector file's text, with one final newline removed. */
static char *
vec_text(const char *name, size_t *len)
{
	char *text;

	assert_int_equal(fileio_slurp(vec(name), KEYS_FILE_MAX, &text, len),
			 0);
	if (*len > 0 && text[*len - 1] == '\n')
		text[--*len] = '\0';
	return text;
}

static void
test_vectors_pub(void **state)
{
	static const struct {
		const char *name;
		int rc;
	} bad[] = {
		{ "bad-base64.pub", CRYPT_EFORMAT },
		{ "wrong-tag.pub", CRYPT_EVERSION },
		{ "keyid-mismatch.pub", CRYPT_EFORMAT },
		{ "oversized.pub", CRYPT_ETOOBIG },
		{ "no-comment.pub", CRYPT_EFORMAT },
		{ "test.key", CRYPT_EFORMAT },
	};
	char id[17], *text;
	keys_pub pub;
	size_t len;

	(void)state;
	assert_int_equal(keys_pub_load(vec("test.pub"), &pub), 0);
	keys_id_hex(&pub, id);
	text = vec_text("test.pub", &len);
	assert_non_null(strstr(text, id));
	free(text);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("%s\n", bad[i].name);
		assert_int_equal(keys_pub_load(vec(bad[i].name), &pub),
				 bad[i].rc);
	}
	assert_int_equal(keys_pub_load(vec("absent.pub"), &pub), CRYPT_EIO);
}

/* Opens a secret key vector with the passphrase in a .pass vector. */
static int
open_vec(const char *key, const char *pass, keys_secret **out)
{
	size_t klen, plen;
	char *k = vec_text(key, &klen), *p = vec_text(pass, &plen);
	int rc = keys_secret_open(k, klen, p, plen, out);

	free(k);
	free(p);
	return rc;
}

static void
test_vectors_secret(void **state)
{
	static const struct {
		const char *key, *pass;
		int rc;
	} bad[] = {
		{ "test.key", "wrong-passphrase.pass", CRYPT_EPASS },
		{ "weak-params.key", "test.pass", CRYPT_EFORMAT },
		{ "unknown-kdf.key", "test.pass", CRYPT_EVERSION },
		{ "huge-params.key", "test.pass", CRYPT_EFORMAT },
	};
	keys_secret *k;
	keys_pub pub;
	uint8_t sk[32];
	size_t len;
	char *hex;

	(void)state;
	assert_int_equal(open_vec("test.key", "test.pass", &k), 0);
	assert_int_equal(keys_pub_load(vec("test.pub"), &pub), 0);
	assert_memory_equal(&k->pub, &pub, sizeof pub);
	hex = vec_text("test.box_sk.hex", &len);
	assert_int_equal(crypt_unhex(sk, 32, hex), 0);
	assert_memory_equal(k->box_sk, sk, 32);
	free(hex);
	keys_secret_free(k);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("%s with %s\n", bad[i].key, bad[i].pass);
		assert_int_equal(open_vec(bad[i].key, bad[i].pass, &k),
				 bad[i].rc);
		assert_null(k);
	}
}

static void
test_hex(void **state)
{
	uint8_t b[2];
	char h[5];

	(void)state;
	crypt_hex(h, (const uint8_t *)"\x01\xab", 2);
	assert_string_equal(h, "01ab");
	assert_int_equal(crypt_unhex(b, 2, "01AB"), 0);
	assert_memory_equal(b, "\x01\xab", 2);
	assert_int_equal(crypt_unhex(b, 2, "01a"), CRYPT_EFORMAT);
	assert_int_equal(crypt_unhex(b, 2, "01abc"), CRYPT_EFORMAT);
	assert_int_equal(crypt_unhex(b, 2, "01ag"), CRYPT_EFORMAT);
	assert_int_equal(crypt_unhex(b, 2, "01 a"), CRYPT_EFORMAT);
	assert_string_equal(crypt_strerror(CRYPT_EPASS), "wrong passphrase");
	assert_string_equal(crypt_strerror(12345), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pub_round_trip),
		cmocka_unit_test(test_pub_bad),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_secret_round_trip),
		cmocka_unit_test(test_secret_weak),
		cmocka_unit_test(test_vectors_pub),
		cmocka_unit_test(test_vectors_secret),
		cmocka_unit_test(test_hex),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
