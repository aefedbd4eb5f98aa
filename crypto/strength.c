/*
 * strength.c - the passphrase estimate: the cheapest way to spell it out.
 *
 * The passphrase, read as code points, is cut into pieces, each with a
 * price in bits; the estimate is the price of the cheapest cut, found by
 * dynamic programming over the positions (O(n^2) for n <= 1024 code
 * points). The pieces an attacker's guesser would use, and their prices:
 *
 *   - an EFF list word (any case, 3 to 9 letters, the hyphenated ones
 *     too): log2(7776) = 12.92 bits, however long it is;
 *   - between two list words, a separator of 1 to 3 spaces or ASCII
 *     punctuation characters: 1 bit each, for " " or "-" is barely a
 *     choice;
 *   - a copy of 3 or more characters that already occur earlier (abcabc,
 *     a word twice): log2(how many places it could be copied from) +
 *     log2(its length), at least 1 bit;
 *   - one character, by class: an ASCII letter log2(26) = 4.70, a digit
 *     log2(10) = 3.32, an ASCII symbol, space or control character
 *     log2(33) = 5.04, kana 6.5, any other character below U+3000 (Latin
 *     accents, Greek, Cyrillic, Arabic...) 5, U+3000 and above (CJK,
 *     Hangul, emoji) 11, a byte that is not UTF-8 5; full-width ASCII
 *     counts as ASCII. But only 1 bit when it repeats the character before
 *     it (aaa), or takes the same +1 or -1 step as the character before
 *     it did, in code points (abc, 321, абв: from the third character on)
 *     or along a US keyboard row (qwe, lkj, !@#). A first step alone is
 *     not charged as a pattern: random text is full of chance pairs.
 *
 * So five random list words with spaces score 5 x 12.92 + 4 = 68.6 bits,
 * four 54.7, and "Password1234!" about 27. Prices are lower bounds where
 * rounding was needed (log2 of a copy's place is taken on the chord), so
 * the estimate errs low.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "codename.h"
#include "strength.h"

#define BITS_WORD 12.924812503605781   /* log2(7776) */
#define BITS_LETTER 4.700439718141092  /* log2(26) */
#define BITS_DIGIT 3.321928094887362   /* log2(10) */
#define BITS_SYMBOL 5.044394119358453  /* log2(33): 32 symbols, space */
#define BITS_KANA 6.5
#define BITS_OTHER 5.0
#define BITS_CJK 11.0
/* A repeat, a step in a run, a separator's character. */
#define BITS_CHEAP 1.0
#define BITS_NONE 1e300

#define WORD_MIN 3
#define WORD_MAX 9
#define SEP_MAX 3
#define COPY_MIN 3
/* A byte that is not UTF-8 becomes NOT_UTF8 + byte: past Unicode, so it
 * never matches a real character. */
#define NOT_UTF8 0x110000u

enum char_class { C_LOWER, C_UPPER, C_DIGIT, C_SYMBOL, C_KANA, C_OTHER,
		  C_CJK };

static const double class_bits[] = {
	[C_LOWER] = BITS_LETTER, [C_UPPER] = BITS_LETTER,
	[C_DIGIT] = BITS_DIGIT,  [C_SYMBOL] = BITS_SYMBOL,
	[C_KANA] = BITS_KANA,    [C_OTHER] = BITS_OTHER,
	[C_CJK] = BITS_CJK,
};

/* Everything derived from the passphrase, in one place to wipe. */
struct work {
	uint32_t cp[STRENGTH_INPUT_MAX];   /* ASCII letters folded to lower */
	uint8_t cls[STRENGTH_INPUT_MAX];
	int8_t seq[STRENGTH_INPUT_MAX];    /* step from the one before, or 0 */
	int8_t kbd[STRENGTH_INPUT_MAX];    /* keyboard step, or 0 */
	uint16_t words[STRENGTH_INPUT_MAX]; /* bit L: a word of L at i */
	uint16_t copy[STRENGTH_INPUT_MAX]; /* longest earlier match at i */
	uint16_t row[2][STRENGTH_INPUT_MAX + 1];
	double best[STRENGTH_INPUT_MAX + 1];  /* cheapest prefix of i */
	double word[STRENGTH_INPUT_MAX + 1];  /* same, ending in a word */
	char w[WORD_MAX];
};

/* One character at p (n > 0 bytes): strict UTF-8 as codename.c reads it,
 * else the first byte alone. Returns the bytes taken. */
static size_t next_char(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, c = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, c = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, c = p[0] & 0x07, min = 0x10000;
	else
		goto bad;
	if (n < len)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	/* Full-width ASCII (an East Asian keyboard's) is ASCII. */
	if (c >= 0xff01 && c <= 0xff5e)
		c -= 0xfee0;
	*cp = c;
	return len;
bad:
	*cp = NOT_UTF8 + p[0];
	return 1;
}

static enum char_class classify(uint32_t c)
{
	if (c < 0x80) {
		if (c >= 'a' && c <= 'z')
			return C_LOWER;
		if (c >= 'A' && c <= 'Z')
			return C_UPPER;
		if (c >= '0' && c <= '9')
			return C_DIGIT;
		return C_SYMBOL;
	}
	if (c >= NOT_UTF8)
		return C_OTHER;
	if (c == 0x3000) /* ideographic space: a separator */
		return C_SYMBOL;
	if (c >= 0x3040 && c <= 0x30ff)
		return C_KANA;
	return c < 0x3000 ? C_OTHER : C_CJK;
}

/* The row (0..3) and column of an ASCII character on a US keyboard, shift
 * or not; 0 when it has none. */
static int key_at(uint32_t c, int *row, int *col)
{
	static const char *const rows[] = {
		"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
		"~!@#$%^&*()_+", "QWERTYUIOP{}|", "ASDFGHJKL:\"", "ZXCVBNM<>?",
	};
	const char *hit;

	if (c == 0 || c >= 0x80)
		return 0;
	for (int r = 0; r < 8; r++) {
		if ((hit = strchr(rows[r], (int)c)) != NULL) {
			*row = r % 4;
			*col = (int)(hit - rows[r]);
			return 1;
		}
	}
	return 0;
}

/* +1 or -1 when b is a's neighbour on the same keyboard row, else 0. */
static int key_step(uint32_t a, uint32_t b)
{
	int ra, ca, rb, cb;

	if (!key_at(a, &ra, &ca) || !key_at(b, &rb, &cb) || ra != rb)
		return 0;
	return cb - ca == 1 ? 1 : cb - ca == -1 ? -1 : 0;
}

/* log2(x) for x >= 1 on the chord between powers of two: never above the
 * true value, so a copy is never priced too high. */
static double log2_low(unsigned x)
{
	int f = 0;

	while (x >> (f + 1) != 0)
		f++;
	return f + (double)(x - (1u << f)) / (double)(1u << f);
}

static void relax(double *slot, double bits)
{
	if (bits < *slot)
		*slot = bits;
}

/* Reads pass[len] into w's characters; returns how many. */
static size_t decode(struct work *w, const char *pass, size_t len)
{
	const uint8_t *p = (const uint8_t *)pass;
	size_t n = 0;

	if (len > STRENGTH_INPUT_MAX) {
		/* Cut before the character the limit falls inside. */
		len = STRENGTH_INPUT_MAX;
		for (int k = 0; k < 3 && len > 0 && (p[len] & 0xc0) == 0x80;
		     k++)
			len--;
	}
	for (size_t i = 0; i < len; n++) {
		uint32_t c;

		i += next_char(p + i, len - i, &c);
		w->cls[n] = (uint8_t)classify(c);
		if (w->cls[n] == C_UPPER)
			c += 'a' - 'A';
		w->cp[n] = c;
		if (n > 0) {
			int64_t d = (int64_t)c - (int64_t)w->cp[n - 1];
			uint32_t raw_prev = w->cp[n - 1], raw = c;

			/* The keyboard knows case: undo the fold. */
			if (w->cls[n - 1] == C_UPPER)
				raw_prev -= 'a' - 'A';
			if (w->cls[n] == C_UPPER)
				raw -= 'a' - 'A';
			w->seq[n] = (int8_t)(d == 1 || d == -1 ? d : 0);
			w->kbd[n] = (int8_t)key_step(raw_prev, raw);
		}
	}
	return n;
}

/* Marks, for each i, the lengths of the list words that start at i. */
static void find_words(struct work *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t got = 0;

		while (got < WORD_MAX && i + got < n &&
		       (w->cls[i + got] == C_LOWER ||
			w->cls[i + got] == C_UPPER || w->cp[i + got] == '-')) {
			w->w[got] = (char)w->cp[i + got];
			got++;
		}
		for (size_t l = WORD_MIN; l <= got; l++)
			if (codename_find(w->w, l) >= 0)
				w->words[i] |= (uint16_t)(1u << l);
	}
}

/* For each i, the longest run at i that also starts somewhere before i
 * (overlap allowed): lcp(i, p) = lcp(i + 1, p + 1) + 1 when the
 * characters at i and p match, one row of p at a time. */
static void find_copies(struct work *w, size_t n)
{
	uint16_t *next = w->row[0], *cur = w->row[1], *t;

	memset(next, 0, sizeof w->row[0]);
	for (size_t i = n; i-- > 0;) {
		uint16_t longest = 0;

		for (size_t p = 0; p < i; p++) {
			cur[p] = w->cp[i] == w->cp[p] ?
				(uint16_t)(next[p + 1] + 1) : 0;
			if (cur[p] > longest)
				longest = cur[p];
		}
		w->copy[i] = longest;
		t = next, next = cur, cur = t;
	}
}

/* One character's price, knowing the two before it. */
static double char_bits(const struct work *w, size_t i)
{
	if (i > 0 && w->cp[i] == w->cp[i - 1] &&
	    w->cls[i] == w->cls[i - 1])
		return BITS_CHEAP;
	if (i > 1 && w->seq[i] != 0 && w->seq[i] == w->seq[i - 1])
		return BITS_CHEAP;
	if (i > 1 && w->kbd[i] != 0 && w->kbd[i] == w->kbd[i - 1])
		return BITS_CHEAP;
	return class_bits[w->cls[i]];
}

double strength_bits(const char *pass, size_t len)
{
	struct work w;
	size_t n;
	double bits;

	memset(&w, 0, sizeof w);
	n = decode(&w, pass, len);
	find_words(&w, n);
	find_copies(&w, n);
	for (size_t i = 0; i <= n; i++)
		w.best[i] = w.word[i] = BITS_NONE;
	w.best[0] = 0;
	for (size_t i = 0; i < n; i++) {
		relax(&w.best[i], w.word[i]);
		relax(&w.best[i + 1], w.best[i] + char_bits(&w, i));
		for (size_t l = WORD_MIN; l <= WORD_MAX; l++)
			if (w.words[i] & (1u << l))
				relax(&w.word[i + l], w.best[i] + BITS_WORD);
		/* A word, a short separator, a word: the separator is
		 * nearly free. */
		for (size_t s = 1; w.word[i] < BITS_NONE && s <= SEP_MAX &&
		     i + s < n && w.cls[i + s - 1] == C_SYMBOL; s++)
			for (size_t l = WORD_MIN; l <= WORD_MAX; l++)
				if (w.words[i + s] & (1u << l))
					relax(&w.word[i + s + l], w.word[i] +
					      (double)s * BITS_CHEAP +
					      BITS_WORD);
		for (size_t k = COPY_MIN; k <= w.copy[i]; k++) {
			double c = log2_low((unsigned)i) + log2_low((unsigned)k);

			relax(&w.best[i + k], w.best[i] +
			      (c > BITS_CHEAP ? c : BITS_CHEAP));
		}
	}
	relax(&w.best[n], w.word[n]);
	bits = w.best[n];
	sodium_memzero(&w, sizeof w);
	return bits;
}
