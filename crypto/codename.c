/*
 * codename.c - codenames: drawing, writing, parsing and deriving keys.
 *
 * The input to codename_parse is a source's only secret, typed by a person
 * on whatever keyboard they have. Parsing is strict about encoding and
 * lenient about layout, and every scratch copy of the input is wiped.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "codename.h"
#include "crypt.h"

/* Longest list word, in bytes. */
#define WORD_MAX 9

static const char *const words[CODENAME_LIST] = {
#include "wordlist.inc"
};

_Static_assert(CODENAME_SALT == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(CODENAME_LIST <= UINT16_MAX, "indices fit in u16");

void codename_generate(codename *out)
{
	for (int i = 0; i < CODENAME_WORDS; i++)
		out->idx[i] = (uint16_t)randombytes_uniform(CODENAME_LIST);
}

const char *codename_word(unsigned i)
{
	return i < CODENAME_LIST ? words[i] : NULL;
}

void codename_words(const codename *c, char out[CODENAME_TEXT_MAX])
{
	char *p = out;

	for (int i = 0; i < CODENAME_WORDS; i++) {
		const char *w = words[c->idx[i] % CODENAME_LIST];
		size_t n = strlen(w);

		if (i > 0)
			*p++ = ' ';
		memcpy(p, w, n);
		p += n;
	}
	*p = '\0';
}

void codename_digits(const codename *c, char out[CODENAME_DIGITS_MAX])
{
	unsigned __int128 v = 0;

	for (int i = 0; i < CODENAME_WORDS; i++)
		v = v * CODENAME_LIST + c->idx[i] % CODENAME_LIST;
	for (int k = CODENAME_DIGITS - 1; k >= 0; k--) {
		out[k + k / 4] = (char)('0' + (int)(v % 10));
		v /= 10;
		if (k % 4 == 0 && k > 0)
			out[k + k / 4 - 1] = ' ';
	}
	out[CODENAME_DIGITS_MAX - 1] = '\0';
	sodium_memzero(&v, sizeof v);
}

/*
 * One UTF-8 sequence of at most n bytes at p. Strict: no overlong forms,
 * surrogates or values past U+10FFFF, so one code point has one spelling.
 * Returns its length, or 0 when the bytes are not UTF-8.
 */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2, c = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, c = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that stand for a letter or digit, and what they fold to. */
static const struct {
	uint32_t lo, hi;
	char base;
} folds[] = {
	{ 'a', 'z', 'a' },       { 'A', 'Z', 'a' },
	{ '0', '9', '0' },
	{ 0xff41, 0xff5a, 'a' }, /* full-width Latin small letters */
	{ 0xff21, 0xff3a, 'a' }, /* full-width Latin capital letters */
	{ 0xff10, 0xff19, '0' }, /* full-width digits */
	{ 0x0660, 0x0669, '0' }, /* Arabic-Indic digits */
	{ 0x06f0, 0x06f9, '0' }, /* Extended Arabic-Indic digits */
};

/* A code point as 'a'..'z', '0'..'9', ' ' for a separator, or 0 when it
 * has no place in a codename. */
static char fold(uint32_t c)
{
	for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++)
		if (c >= folds[i].lo && c <= folds[i].hi)
			return (char)(folds[i].base + (int)(c - folds[i].lo));
	/* ASCII whitespace, ASCII punctuation (letters and digits are
	 * taken above), no-break space, ideographic space. */
	if (c == ' ' || (c >= '\t' && c <= '\r') || (c > ' ' && c < 0x7f) ||
	    c == 0xa0 || c == 0x3000)
		return ' ';
	return 0;
}

/*
 * Folds in[len] into out as lower-case letters and ASCII digits, tokens
 * separated by single spaces, none leading or trailing; out holds len + 1
 * bytes. Says whether letters and digits were seen. Returns 0 or
 * CRYPT_EFORMAT.
 */
static int normalise(const char *in, size_t len, char *out, int *letters,
		     int *digits)
{
	const uint8_t *p = (const uint8_t *)in;
	size_t o = 0, n;
	uint32_t cp = 0;
	char ch;

	*letters = *digits = 0;
	for (size_t i = 0; i < len; i += n) {
		if ((n = utf8_next(p + i, len - i, &cp)) == 0 ||
		    (ch = fold(cp)) == 0)
			return CRYPT_EFORMAT;
		if (ch == ' ') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		if (ch >= 'a')
			*letters = 1;
		else
			*digits = 1;
		out[o++] = ch;
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return 0;
}

/* The index of a[alen], or of "a-b" when b is not NULL; -1 if no word. */
static int word_find(const char *a, size_t alen, const char *b, size_t blen)
{
	char w[WORD_MAX + 1];
	size_t n = alen + (b != NULL ? 1 + blen : 0);
	int lo = 0, hi = CODENAME_LIST - 1, found = -1;

	if (alen == 0 || n > WORD_MAX)
		return -1;
	memcpy(w, a, alen);
	if (b != NULL) {
		w[alen] = '-';
		memcpy(w + alen + 1, b, blen);
	}
	w[n] = '\0';
	while (lo <= hi && found < 0) {
		int mid = lo + (hi - lo) / 2;
		int cmp = strcmp(w, words[mid]);

		if (cmp == 0)
			found = mid;
		else if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	sodium_memzero(w, sizeof w);
	return found;
}

int codename_find(const char *w, size_t len)
{
	return word_find(w, len, NULL, 0);
}

/*
 * Seven list words. Hyphens separate like spaces do, so the four
 * hyphenated words arrive as two tokens: a token that is a word is taken,
 * else it must join the next one to form a word. No first half (drop,
 * felt, t, yo) is itself a word, so this never has to backtrack.
 */
static int parse_words(const char *s, codename *c)
{
	const char *p = s;
	int n = 0, i;

	while (*p != '\0' && n < CODENAME_WORDS) {
		size_t a = strcspn(p, " ");
		const char *q = p + a + (p[a] == ' ');
		size_t b = strcspn(q, " ");

		if ((i = word_find(p, a, NULL, 0)) >= 0)
			p = q;
		else if (b > 0 && (i = word_find(p, a, q, b)) >= 0)
			p = q + b + (q[b] == ' ');
		else
			return CRYPT_EFORMAT;
		c->idx[n++] = (uint16_t)i;
	}
	return n == CODENAME_WORDS && *p == '\0' ? 0 : CRYPT_EFORMAT;
}

/* Exactly 28 digits, separators ignored, read as a base-7776 number. */
static int parse_digits(const char *s, codename *c)
{
	unsigned __int128 v = 0;
	int n = 0, rc = CRYPT_EFORMAT;

	for (; *s != '\0' && n <= CODENAME_DIGITS; s++) {
		if (*s == ' ')
			continue;
		v = v * 10 + (unsigned)(*s - '0');
		n++;
	}
	if (n == CODENAME_DIGITS) {
		for (int i = CODENAME_WORDS - 1; i >= 0; i--) {
			c->idx[i] = (uint16_t)(v % CODENAME_LIST);
			v /= CODENAME_LIST;
		}
		/* Anything left over means the value was not below 7776^7. */
		if (v == 0)
			rc = 0;
	}
	sodium_memzero(&v, sizeof v);
	return rc;
}

int codename_parse(const char *in, size_t len, codename *out)
{
	char norm[CODENAME_INPUT_MAX + 1];
	codename c;
	int letters, digits, rc;

	if (len > CODENAME_INPUT_MAX)
		return CRYPT_ETOOBIG;
	rc = normalise(in, len, norm, &letters, &digits);
	if (rc == 0) {
		if (letters)
			rc = parse_words(norm, &c);
		else if (digits)
			rc = parse_digits(norm, &c);
		else
			rc = CRYPT_EFORMAT;
	}
	if (rc == 0)
		*out = c;
	sodium_memzero(norm, sizeof norm);
	sodium_memzero(&c, sizeof c);
	return rc;
}

void codename_params_new(codename_params *p, unsigned long long opslimit,
			 size_t memlimit)
{
	randombytes_buf(p->salt, sizeof p->salt);
	p->opslimit = opslimit;
	p->memlimit = memlimit;
}

int codename_derive(const codename *c, const codename_params *p,
		    codename_keys *k)
{
	static const char tag[] = "sealdrop-codename-v1";
	static const char lookup_msg[] = "sealdrop lookup v1";
	uint8_t pw[sizeof tag - 1 + 2 * CODENAME_WORDS];
	uint8_t out[64];
	int rc = 0;

	memcpy(pw, tag, sizeof tag - 1);
	for (int i = 0; i < CODENAME_WORDS; i++)
		crypt_put16(pw + sizeof tag - 1 + 2 * i, c->idx[i]);
	if (crypto_pwhash(out, sizeof out, (const char *)pw, sizeof pw,
			  p->salt, p->opslimit, p->memlimit,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = CRYPT_ENOMEM;
	} else {
		crypto_generichash(k->lookup, sizeof k->lookup,
				   (const uint8_t *)lookup_msg,
				   sizeof lookup_msg - 1, out, 32);
		crypto_box_seed_keypair(k->reply_pk, k->reply_sk, out + 32);
	}
	sodium_memzero(pw, sizeof pw);
	sodium_memzero(out, sizeof out);
	return rc;
}

codename_keys *codename_keys_new(void)
{
	codename_keys *k = sodium_malloc(sizeof *k);

	if (k != NULL)
		sodium_memzero(k, sizeof *k);
	return k;
}

void codename_keys_free(codename_keys *k)
{
	/* sodium_free wipes before it unmaps. */
	sodium_free(k);
}

void codename_designation(const uint8_t reply_pk[32],
			  char out[CODENAME_DESIG_MAX])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof h, reply_pk, 32, NULL, 0);
	snprintf(out, CODENAME_DESIG_MAX, "%s-%s",
		 words[crypt_get32(h) % CODENAME_LIST],
		 words[crypt_get32(h + 4) % CODENAME_LIST]);
}

void codename_designation_n(const uint8_t reply_pk[32], unsigned nwords,
			    char out[CODENAME_DESIG_LONG_MAX])
{
	uint8_t h[32];
	size_t o = 0;

	_Static_assert(4 * CODENAME_DESIG_WORDS <= sizeof h, "words in hash");
	if (nwords < 2)
		nwords = 2;
	if (nwords > CODENAME_DESIG_WORDS)
		nwords = CODENAME_DESIG_WORDS;
	crypto_generichash(h, sizeof h, reply_pk, 32, NULL, 0);
	for (unsigned i = 0; i < nwords; i++) {
		const char *w = words[crypt_get32(h + 4 * i) % CODENAME_LIST];
		size_t n = strlen(w);

		if (i > 0)
			out[o++] = '-';
		memcpy(out + o, w, n);
		o += n;
	}
	out[o] = '\0';
}
