/*
 * test_codename.c - codenames: the list, both written forms, the parser's
 * normalisation and refusals, the generator's spread, and derivation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "codename.h"
#include "crypt.h"
#include "fileio.h"

/* abacus drop-down yo-yo zoom t-shirt felt-tip yoyo */
static const codename mixed = { { 0, 2008, 7747, 7775, 6639, 2527, 7752 } };

static void assert_parses(const char *text, const codename *want)
{
	codename got;

	memset(&got, 0xff, sizeof got);
	if (codename_parse(text, strlen(text), &got) != 0)
		fail_msg("did not parse: \"%s\"", text);
	assert_memory_equal(&got, want, sizeof got);
}

static void assert_refused(const char *text, size_t len, int want)
{
	codename got, untouched;

	memset(&got, 0xa5, sizeof got);
	untouched = got;
	if (codename_parse(text, len, &got) != want)
		fail_msg("\"%.*s\" not refused with %d", (int)len, text, want);
	assert_memory_equal(&got, &untouched, sizeof got);
}

/* Writes code point c as UTF-8 at p; returns the byte count. */
static size_t utf8_put(char *p, uint32_t c)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xc0 | c >> 6);
		p[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	p[0] = (char)(0xe0 | c >> 12);
	p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	p[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* in with its ASCII digits moved to the block starting at zero, its
 * lower-case letters to the one starting at a, and its spaces to space
 * (0 leaves a class alone). */
static void transcribe(char *out, const char *in, uint32_t zero, uint32_t a,
		       uint32_t space)
{
	for (; *in != '\0'; in++) {
		uint32_t c = (uint8_t)*in;

		if (zero != 0 && c >= '0' && c <= '9')
			c = zero + (c - '0');
		else if (a != 0 && c >= 'a' && c <= 'z')
			c = a + (c - 'a');
		else if (space != 0 && c == ' ')
			c = space;
		out += utf8_put(out, c);
	}
	*out = '\0';
}

static void test_list_sorted_unique(void **state)
{
	(void)state;
	for (unsigned i = 0; i < CODENAME_LIST; i++) {
		const char *w = codename_word(i);

		assert_non_null(w);
		assert_in_range(strlen(w), 1, 9);
		/* Sorted strictly by strcmp: binary search works, and no
		 * word appears twice, so the list holds 7776 distinct. */
		if (i > 0 && strcmp(codename_word(i - 1), w) >= 0)
			fail_msg("list not sorted at %u: %s", i, w);
	}
	assert_null(codename_word(CODENAME_LIST));
	assert_string_equal(codename_word(0), "abacus");
	assert_string_equal(codename_word(CODENAME_LIST - 1), "zoom");
}

/* The parser takes a token that is a word without looking further; that
 * is only right when no hyphenated word's first half is a word itself. */
static void test_hyphen_halves_not_words(void **state)
{
	int hyphenated = 0;

	(void)state;
	for (unsigned i = 0; i < CODENAME_LIST; i++) {
		const char *w = codename_word(i), *h = strchr(w, '-');

		if (h == NULL)
			continue;
		hyphenated++;
		assert_null(strchr(h + 1, '-'));
		for (unsigned j = 0; j < CODENAME_LIST; j++) {
			const char *v = codename_word(j);

			if (strlen(v) == (size_t)(h - w) &&
			    memcmp(v, w, (size_t)(h - w)) == 0)
				fail_msg("first half of %s is a word", w);
		}
	}
	assert_int_equal(hyphenated, 4);
}

static void test_forms(void **state)
{
	codename zero = { { 0 } }, top;
	char text[CODENAME_TEXT_MAX], digits[CODENAME_DIGITS_MAX];

	(void)state;
	codename_words(&mixed, text);
	assert_string_equal(text, "abacus drop-down yo-yo zoom t-shirt "
				  "felt-tip yoyo");
	codename_digits(&zero, digits);
	assert_string_equal(digits, "0000 0000 0000 0000 0000 0000 0000");
	for (int i = 0; i < CODENAME_WORDS; i++)
		top.idx[i] = CODENAME_LIST - 1;
	codename_digits(&top, digits);
	/* 7776^7 - 1 */
	assert_string_equal(digits, "1719 0707 9974 8422 5910 2865 8175");
	assert_parses(digits, &top);
	assert_parses("0000000000000000000000000000", &zero);
}

static void test_round_trip(void **state)
{
	char text[CODENAME_TEXT_MAX], digits[CODENAME_DIGITS_MAX];
	codename c;

	(void)state;
	for (int n = 0; n < 1000; n++) {
		codename_generate(&c);
		codename_words(&c, text);
		assert_parses(text, &c);
		codename_digits(&c, digits);
		assert_int_equal(strlen(digits), CODENAME_DIGITS_MAX - 1);
		for (int i = 0; i < CODENAME_DIGITS_MAX - 1; i++)
			assert_true(i % 5 == 4 ? digits[i] == ' ' :
				    digits[i] >= '0' && digits[i] <= '9');
		assert_parses(digits, &c);
	}
}

static void test_normalisation(void **state)
{
	char digits[CODENAME_DIGITS_MAX], buf[4 * CODENAME_INPUT_MAX];

	(void)state;
	assert_parses("ABACUS Drop-Down YO-YO zOOm T-Shirt FELT-TIP YoYo",
		      &mixed);
	assert_parses("abacus\tdrop-down\t\tyo-yo zoom\r\nt-shirt felt-tip "
		      "yoyo", &mixed);
	assert_parses("abacus    drop-down  yo-yo zoom t-shirt felt-tip  yoyo",
		      &mixed);
	assert_parses("abacus-drop-down-yo-yo-zoom-t-shirt-felt-tip-yoyo",
		      &mixed);
	assert_parses("abacus.drop.down.yo.yo.zoom.t.shirt.felt.tip.yoyo",
		      &mixed);
	assert_parses("abacus,drop down;yo_yo/zoom!t'shirt \"felt tip\" yoyo",
		      &mixed);
	assert_parses(" -- abacus drop-down yo-yo zoom t-shirt felt-tip "
		      "yoyo.\n", &mixed);
	assert_parses("abacus\xc2\xa0" "drop-down\xe3\x80\x80yo-yo zoom "
		      "t-shirt felt-tip yoyo", &mixed);

	transcribe(buf, "abacus drop-down yo-yo zoom t-shirt felt-tip yoyo", 0,
		   0xff41, 0x3000);
	assert_parses(buf, &mixed);
	transcribe(buf, "abacus drop-down yo-yo zoom t-shirt felt-tip yoyo", 0,
		   0xff21, 0);
	assert_parses(buf, &mixed);

	codename_digits(&mixed, digits);
	transcribe(buf, digits, 0xff10, 0, 0x3000);
	assert_parses(buf, &mixed);
	transcribe(buf, digits, 0x0660, 0, 0);
	assert_parses(buf, &mixed);
	transcribe(buf, digits, 0x06f0, 0, 0);
	assert_parses(buf, &mixed);
	/* Digits separated any way at all, or not at all. */
	snprintf(buf, sizeof buf, "%.14s-%s.", digits, digits + 14);
	assert_parses(buf, &mixed);
}

static void test_hyphenated_words(void **state)
{
	codename c = { { 6639, 6639, 7747, 7752, 2008, 2527, 0 } };

	(void)state;
	assert_parses("t-shirt t-shirt yo-yo yoyo drop-down felt-tip abacus",
		      &c);
	assert_parses("t shirt T-SHIRT yo yo yoyo drop down felt tip abacus",
		      &c);
	assert_parses("T SHIRT t.shirt YO-YO YOYO DROP-DOWN Felt-Tip Abacus",
		      &c);
	/* "yoyo" is its own word, not yo-yo. */
	c.idx[2] = 7752;
	assert_parses("t-shirt t-shirt yoyo yoyo drop-down felt-tip abacus",
		      &c);
}

static void test_refusals(void **state)
{
	static const char *const bad[] = {
		"abacus abacus abacus abacus abacus abacus",
		"abacus abacus abacus abacus abacus abacus abacus abacus",
		"abacus abacus abacus abacus abacus abacus xyzzy",
		"abacus abacus abacus abacus abacus abacus abacu",
		"abacus abacus abacus abacus abacus abacus abacus1",
		"abacus abacus abacus abacus abacus abacus 1234",
		"1234 1234 1234 1234 1234 1234 1234 abacus",
		"abacus abacus abacus abacus abacus abacus drop",
		"abacus abacus abacus abacus abacus drop abacus",
		"abacus abacus abacus abacus abacus abacus yo yo yo",
		"abacus abacus abacus abacus abacus abacus t-shirt-x",
		"000 0000 0000 0000 0000 0000 0000",
		"00000 0000 0000 0000 0000 0000 0000",
		"1719 0707 9974 8422 5910 2865 8176",
		"9999 9999 9999 9999 9999 9999 9999",
		"",
		" - . ",
		"abacus abacus abacus abacus abacus abacus \xd0\xb0" "bacus",
		"abacus abacus abacus abacus abacus abacus ab\xc3\xa1" "cus",
		"abacus abacus abacus abacus abacus abacus abacus\xe2\x80\x8b",
		"\xef\xbc\x91\xef\xbc\x92 abacus",
		"abacus abacus abacus abacus abacus abacus \xff" "abacus",
		"abacus abacus abacus abacus abacus abacus\xc0\xa0" "abacus",
		"abacus abacus abacus abacus abacus abacus abacus \xef\xbc",
		"abacus abacus abacus abacus abacus abacus \xed\xa0\x80",
		"abacus abacus abacus abacus abacus abacus \xf4\x90\x80\x80",
		"abacus abacus abacus abacus abacus abacus \xe0\x80\xa0",
	};
	char big[CODENAME_INPUT_MAX + 2];
	codename c;
	const char *ok = "abacus abacus abacus abacus abacus abacus abacus";

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_refused(bad[i], strlen(bad[i]), CRYPT_EFORMAT);
	/* A NUL is not a separator. */
	assert_refused("abacus abacus abacus abacus abacus abacus\0abacus", 49,
		       CRYPT_EFORMAT);

	/* The cap counts bytes, separators included. */
	memset(big, ' ', sizeof big);
	memcpy(big, ok, strlen(ok));
	assert_int_equal(codename_parse(big, CODENAME_INPUT_MAX, &c), 0);
	assert_refused(big, CODENAME_INPUT_MAX + 1, CRYPT_ETOOBIG);
}

/* Pearson's chi-square over all indices of 70,000 draws. With 7775
 * degrees of freedom it has mean 7775 and deviation about 125; the bound
 * is ten deviations either way, which a sound generator never crosses and
 * a generator stuck on few values, or cycling through all, does. */
static void test_spread(void **state)
{
	enum { DRAWS = 70000 };
	static unsigned count[CODENAME_LIST];
	double expect = (double)DRAWS * CODENAME_WORDS / CODENAME_LIST;
	double chi = 0;
	codename c;

	(void)state;
	for (int n = 0; n < DRAWS; n++) {
		codename_generate(&c);
		for (int i = 0; i < CODENAME_WORDS; i++) {
			assert_true(c.idx[i] < CODENAME_LIST);
			count[c.idx[i]]++;
		}
	}
	for (int i = 0; i < CODENAME_LIST; i++) {
		assert_true(count[i] > 0);
		chi += (count[i] - expect) * (count[i] - expect) / expect;
	}
	assert_true(chi > 7775 - 1250 && chi < 7775 + 1250);
}

/* The value of key in a "key = value" vector file, into out. */
static void vec_get(const char *text, const char *key, char *out,
		    size_t outlen)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (n > klen + 3 && memcmp(p, key, klen) == 0 &&
		    memcmp(p + klen, " = ", 3) == 0) {
			assert_true(n - klen - 3 < outlen);
			memcpy(out, p + klen + 3, n - klen - 3);
			out[n - klen - 3] = '\0';
			return;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	fail_msg("vector has no %s", key);
}

/* The derivation as docs/formats.md states it, from libsodium directly. */
static void derive_by_hand(const codename *c, const codename_params *p,
			   uint8_t lookup[32], uint8_t pk[32])
{
	uint8_t pw[34], out[64], sk[32];

	memcpy(pw, "sealdrop-codename-v1", 20);
	for (int i = 0; i < CODENAME_WORDS; i++)
		crypt_put16(pw + 20 + 2 * i, c->idx[i]);
	assert_int_equal(crypto_pwhash(out, 64, (const char *)pw, sizeof pw,
				       p->salt, p->opslimit, p->memlimit,
				       crypto_pwhash_ALG_ARGON2ID13), 0);
	crypto_generichash(lookup, 32, (const uint8_t *)"sealdrop lookup v1",
			   18, out, 32);
	crypto_box_seed_keypair(pk, sk, out + 32);
}

static void test_derive_vector(void **state)
{
	const char *top = getenv("SEALDROP_TOP");
	char path[4096], *text, val[256], hex[65], desig[CODENAME_DESIG_MAX];
	uint8_t lookup[32], pk[32];
	codename_params p;
	codename_keys *k;
	codename c;
	size_t len;

	(void)state;
	snprintf(path, sizeof path, "%s/tests/vectors/codename/derive.txt",
		 top != NULL ? top : ".");
	assert_int_equal(fileio_slurp(path, 4096, &text, &len), 0);
	assert_non_null(k = codename_keys_new());

	vec_get(text, "words", val, sizeof val);
	assert_int_equal(codename_parse(val, strlen(val), &c), 0);
	vec_get(text, "digits", val, sizeof val);
	assert_parses(val, &c);
	vec_get(text, "salt", val, sizeof val);
	assert_int_equal(crypt_unhex(p.salt, sizeof p.salt, val), 0);
	vec_get(text, "opslimit", val, sizeof val);
	p.opslimit = strtoull(val, NULL, 10);
	vec_get(text, "memlimit", val, sizeof val);
	p.memlimit = strtoull(val, NULL, 10);
	assert_int_equal(p.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	assert_int_equal(p.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);

	assert_int_equal(codename_derive(&c, &p, k), 0);
	vec_get(text, "lookup", val, sizeof val);
	crypt_hex(hex, k->lookup, 32);
	assert_string_equal(hex, val);
	vec_get(text, "reply_pk", val, sizeof val);
	crypt_hex(hex, k->reply_pk, 32);
	assert_string_equal(hex, val);
	/* reply_sk belongs to reply_pk. */
	crypto_scalarmult_base(pk, k->reply_sk);
	assert_memory_equal(pk, k->reply_pk, 32);

	derive_by_hand(&c, &p, lookup, pk);
	assert_memory_equal(lookup, k->lookup, 32);
	assert_memory_equal(pk, k->reply_pk, 32);

	vec_get(text, "designation", val, sizeof val);
	codename_designation(k->reply_pk, desig);
	assert_string_equal(desig, val);
	vec_get(text, "designation_of_zero_key", val, sizeof val);
	codename_designation((const uint8_t[32]){ 0 }, desig);
	assert_string_equal(desig, val);

	codename_keys_free(k);
	free(text);
}

static void test_derive_forms_and_salt(void **state)
{
	char text[CODENAME_TEXT_MAX], digits[CODENAME_DIGITS_MAX];
	codename_keys *a, *b;
	codename_params p, q;
	codename c, w, d;

	(void)state;
	assert_non_null(a = codename_keys_new());
	assert_non_null(b = codename_keys_new());
	codename_generate(&c);
	codename_words(&c, text);
	codename_digits(&c, digits);
	assert_int_equal(codename_parse(text, strlen(text), &w), 0);
	assert_int_equal(codename_parse(digits, strlen(digits), &d), 0);
	codename_params_new(&p, crypto_pwhash_OPSLIMIT_MIN,
			    crypto_pwhash_MEMLIMIT_MIN);
	assert_int_equal(p.opslimit, crypto_pwhash_OPSLIMIT_MIN);
	assert_int_equal(p.memlimit, crypto_pwhash_MEMLIMIT_MIN);

	assert_int_equal(codename_derive(&w, &p, a), 0);
	assert_int_equal(codename_derive(&d, &p, b), 0);
	assert_memory_equal(a, b, sizeof *a);

	codename_params_new(&q, p.opslimit, p.memlimit);
	assert_memory_not_equal(p.salt, q.salt, sizeof p.salt);
	assert_int_equal(codename_derive(&c, &q, b), 0);
	assert_memory_not_equal(a->lookup, b->lookup, 32);
	assert_memory_not_equal(a->reply_pk, b->reply_pk, 32);
	assert_memory_not_equal(a->reply_sk, b->reply_sk, 32);

	/* Another codename, same salt: other keys. */
	c.idx[6] = (uint16_t)((c.idx[6] + 1) % CODENAME_LIST);
	assert_int_equal(codename_derive(&c, &p, b), 0);
	assert_memory_not_equal(a->lookup, b->lookup, 32);

	/* Argon2 refuses limits below its floor: reported, not ignored. */
	p.memlimit = 1024;
	assert_int_equal(codename_derive(&c, &p, b), CRYPT_ENOMEM);
	codename_keys_free(a);
	codename_keys_free(b);
	codename_keys_free(NULL);
}

static void test_designation(void **state)
{
	uint8_t pk[32], h[32];
	char d[CODENAME_DESIG_MAX], want[CODENAME_DESIG_MAX];

	(void)state;
	for (int n = 0; n < 100; n++) {
		randombytes_buf(pk, sizeof pk);
		codename_designation(pk, d);
		crypto_generichash(h, sizeof h, pk, sizeof pk, NULL, 0);
		snprintf(want, sizeof want, "%s-%s",
			 codename_word(crypt_get32(h) % CODENAME_LIST),
			 codename_word(crypt_get32(h + 4) % CODENAME_LIST));
		assert_string_equal(d, want);
	}
}

static void test_designation_n(void **state)
{
	char two[CODENAME_DESIG_MAX], d[CODENAME_DESIG_LONG_MAX];
	char want[CODENAME_DESIG_LONG_MAX], longest[CODENAME_DESIG_LONG_MAX];
	uint8_t pk[32], h[32];
	size_t o;

	(void)state;
	for (int n = 0; n < 100; n++) {
		randombytes_buf(pk, sizeof pk);
		crypto_generichash(h, sizeof h, pk, sizeof pk, NULL, 0);
		/* Two words are exactly the short designation, so names
		 * already in archives and vectors stay what they were. */
		codename_designation(pk, two);
		codename_designation_n(pk, 2, d);
		assert_string_equal(d, two);
		o = 0;
		want[0] = '\0';
		for (unsigned w = 0; w < CODENAME_DESIG_WORDS; w++) {
			o += (size_t)snprintf(want + o, sizeof want - o,
					      "%s%s", w > 0 ? "-" : "",
					      codename_word(crypt_get32(h + 4 * w)
							    % CODENAME_LIST));
			if (w < 1)
				continue;
			codename_designation_n(pk, w + 1, d);
			assert_string_equal(d, want);
		}
		/* Out-of-range lengths are clamped, never overrun. */
		codename_designation_n(pk, 0, d);
		assert_string_equal(d, two);
		codename_designation_n(pk, 99, longest);
		assert_string_equal(longest, want);
	}
	/* Eight nine-letter words, seven hyphens and a NUL fit. */
	assert_true(CODENAME_DESIG_LONG_MAX >=
		    CODENAME_DESIG_WORDS * 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_sorted_unique),
		cmocka_unit_test(test_hyphen_halves_not_words),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_hyphenated_words),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_derive_vector),
		cmocka_unit_test(test_derive_forms_and_salt),
		cmocka_unit_test(test_designation),
		cmocka_unit_test(test_designation_n),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
