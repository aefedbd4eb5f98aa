/*
 * sess.c - sessions: tickets for visitors, a table for sources.
 *
 * The table is an array of slots, found through buckets chosen by a
 * keyed hash of the token (SipHash under a key made at start). A lookup
 * compares, in constant time, the tokens of the one bucket its token
 * falls in: how long that takes tells whether some session's token
 * falls in the same bucket, which without the key says nothing about
 * which tokens exist. (Comparing every slot, as this did before, cost
 * some 300 µs under the table's lock at 10,000 slots, on every request
 * of a logged-in source.) It holds logged-in sessions only.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "crypt.h"
#include "sess.h"

struct sess {
	int used;
	uint8_t token[SESS_TOKEN];
	char csrf[SESS_HEX];
	char lang[SESS_LANG];
	int64_t source_id;
	codename_keys *keys; /* sodium_malloc'd while logged in */
	time_t last;
	uint64_t order;      /* of last use: which is oldest, exactly */
	uint32_t next;       /* the next slot of its bucket, + 1; 0 ends */
};

/* An anonymous session is no slot at all but a ticket the visitor keeps:
 * nonce[8] || issued u32 (seconds since sess_init) || lang[8] || mac[12],
 * the MAC under a key made at start. Nothing a flood of visitors does
 * touches the table, so none of them can push a source out of it, and a
 * restart makes every ticket worthless, as it ends every session. */
#define T_NONCE 0
#define T_ISSUED 8
#define T_LANG 12
#define T_LANGLEN 8
#define T_MAC 20
#define T_MACLEN (SESS_TOKEN - T_MAC)

static struct {
	pthread_mutex_t lock;
	struct sess *s;
	unsigned max, idle_s, per_source;
	uint8_t *key;        /* sodium_malloc'd: the tickets' MAC key */
	uint8_t *hkey;       /* sodium_malloc'd: the buckets' hash key */
	uint32_t *head;      /* nb buckets: first slot + 1; 0 for none */
	uint32_t nb;         /* a power of two, at least max */
	time_t start;
	uint64_t uses;
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A monotonic clock: idle expiry must not jump with the wall clock. */
static time_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Frees what sess_init allocated (sodium_free wipes), leaving none. */
static void tab_free(void)
{
	sodium_free(tab.s);
	sodium_free(tab.key);
	sodium_free(tab.hkey);
	free(tab.head);
	tab.s = NULL;
	tab.key = NULL;
	tab.hkey = NULL;
	tab.head = NULL;
	tab.max = 0;
}

/* The table holds every logged-in token and CSRF token: sodium_malloc
 * memory, so it is never swapped out or dumped, and is wiped again when
 * freed. */
int sess_init(unsigned max, unsigned idle_s, unsigned per_source)
{
	uint32_t nb = 1;
	while (nb < max)
		nb <<= 1;
	tab.s = sodium_allocarray(max, sizeof(*tab.s));
	tab.key = sodium_malloc(32);
	tab.hkey = sodium_malloc(crypto_shorthash_KEYBYTES);
	tab.head = calloc(nb, sizeof(*tab.head));
	if (!tab.s || !tab.key || !tab.hkey || !tab.head) {
		tab_free();
		return SESS_ENOMEM;
	}
	memset(tab.s, 0, (size_t)max * sizeof(*tab.s));
	crypt_random(tab.key, 32);
	crypto_shorthash_keygen(tab.hkey);
	tab.nb = nb;
	tab.max = max;
	tab.idle_s = idle_s;
	tab.per_source = per_source ? per_source : 1;
	tab.start = now();
	return 0;
}

/* The bucket of a token. */
static uint32_t *bucket(const uint8_t token[SESS_TOKEN])
{
	uint8_t h[crypto_shorthash_BYTES];
	crypto_shorthash(h, token, SESS_TOKEN, tab.hkey);
	uint32_t b = crypt_get32(h) & (tab.nb - 1);
	sodium_memzero(h, sizeof(h));
	return &tab.head[b];
}

static uint32_t slot_ref(const struct sess *s)
{
	return (uint32_t)(s - tab.s) + 1;
}

/* Puts a used slot, its token set, in its bucket. */
static void link_slot(struct sess *s)
{
	uint32_t *h = bucket(s->token);
	s->next = *h;
	*h = slot_ref(s);
}

/* Takes a used slot out of its bucket (before its token changes or it
 * is wiped). */
static void unlink_slot(struct sess *s)
{
	if (!s->used)
		return;
	for (uint32_t *p = bucket(s->token); *p; p = &tab.s[*p - 1].next)
		if (*p == slot_ref(s)) {
			*p = s->next;
			break;
		}
	s->next = 0;
}

static void wipe(struct sess *s)
{
	unlink_slot(s);
	codename_keys_free(s->keys);
	sodium_memzero(s, sizeof(*s));
}

void sess_shutdown(void)
{
	pthread_mutex_lock(&tab.lock);
	for (unsigned i = 0; i < tab.max; i++)
		wipe(&tab.s[i]);
	tab_free();
	pthread_mutex_unlock(&tab.lock);
}

/* --- anonymous tickets --- */

static void ticket_mac(const uint8_t t[SESS_TOKEN], uint8_t mac[16])
{
	uint8_t msg[16 + T_MAC];
	memcpy(msg, "sealdrop anon v1", 16);
	memcpy(msg + 16, t, T_MAC);
	crypt_mac(mac, 16, tab.key, msg, sizeof(msg));
}

/* Issues a ticket: the nonce given (a language switch keeps it, and with
 * it the form's CSRF token), or a fresh one. */
static void ticket_make(uint8_t t[SESS_TOKEN], const uint8_t *nonce,
			const char *lang)
{
	uint8_t mac[16];
	if (nonce)
		memmove(t + T_NONCE, nonce, 8);
	else
		crypt_random(t + T_NONCE, 8);
	crypt_put32(t + T_ISSUED, (uint32_t)(now() - tab.start));
	memset(t + T_LANG, 0, T_LANGLEN);
	if (lang && strlen(lang) <= T_LANGLEN)
		memcpy(t + T_LANG, lang, strlen(lang));
	ticket_mac(t, mac);
	memcpy(t + T_MAC, mac, T_MACLEN);
	sodium_memzero(mac, sizeof(mac));
}

/* 1 when t is a ticket we issued, not past its idle time; *age gets its
 * age in seconds. */
static int ticket_ok(const uint8_t t[SESS_TOKEN], time_t *age)
{
	uint8_t mac[16];
	ticket_mac(t, mac);
	int ok = crypt_equal(mac, t + T_MAC, T_MACLEN);
	sodium_memzero(mac, sizeof(mac));
	if (!ok)
		return 0;
	*age = now() - tab.start - (time_t)crypt_get32(t + T_ISSUED);
	return *age >= 0 && *age < (time_t)tab.idle_s;
}

static void ticket_view(const uint8_t t[SESS_TOKEN], sess_view *v, int fresh)
{
	uint8_t msg[4 + 8], csrf[SESS_TOKEN];
	memcpy(v->token, t, SESS_TOKEN);
	memcpy(msg, "csrf", 4);
	memcpy(msg + 4, t + T_NONCE, 8);
	crypt_mac(csrf, sizeof(csrf), tab.key, msg, sizeof(msg));
	crypt_hex(v->csrf, csrf, sizeof(csrf));
	sodium_memzero(csrf, sizeof(csrf));
	memset(v->lang, 0, SESS_LANG);
	memcpy(v->lang, t + T_LANG, T_LANGLEN);
	v->source_id = 0;
	v->anon = 1;
	v->fresh = fresh;
}

/* --- the table of logged-in sessions --- */

static int expired(const struct sess *s, time_t t)
{
	return s->used && t - s->last >= (time_t)tab.idle_s;
}

_Static_assert(SESS_TOKEN == crypto_verify_32_BYTES, "tokens are 32 bytes");

/* Every slot of the token's bucket is compared, matched or not. Caller
 * holds the lock. */
static struct sess *find(const uint8_t *token)
{
	struct sess *hit = NULL;
	time_t t = now();
	for (uint32_t i = *bucket(token); i; i = tab.s[i - 1].next) {
		struct sess *s = &tab.s[i - 1];
		/* crypto_verify_32 is as constant-time as sodium_memcmp
		 * and some ten times faster. */
		int eq = crypto_verify_32(s->token, token) == 0;
		if (eq && s->used)
			hit = s;
	}
	if (hit && expired(hit, t)) {
		wipe(hit);
		hit = NULL;
	}
	return hit;
}

/* New tokens for a slot, free or in use: it moves to the new token's
 * bucket. */
static void fresh_secrets(struct sess *s)
{
	uint8_t csrf[SESS_TOKEN];
	unlink_slot(s);
	crypt_random(s->token, SESS_TOKEN);
	link_slot(s);
	crypt_random(csrf, sizeof(csrf));
	crypt_hex(s->csrf, csrf, sizeof(csrf));
	sodium_memzero(csrf, sizeof(csrf));
}

/* A free slot (expired ones are freed on the way), or NULL: the table
 * holds only logged-in sessions, and none makes way for another. */
static struct sess *slot(void)
{
	time_t t = now();
	for (unsigned i = 0; i < tab.max; i++) {
		struct sess *s = &tab.s[i];
		if (expired(s, t))
			wipe(s);
		if (!s->used)
			return s;
	}
	return NULL;
}

/* A source keeps at most per_source sessions: its oldest (but keep)
 * ends while it has that many. */
static void cap_source(int64_t source_id, const struct sess *keep)
{
	for (;;) {
		struct sess *oldest = NULL;
		unsigned n = 0;
		for (unsigned i = 0; i < tab.max; i++) {
			struct sess *s = &tab.s[i];
			if (!s->used || s->source_id != source_id || s == keep)
				continue;
			n++;
			if (!oldest || s->order < oldest->order)
				oldest = s;
		}
		if (n < tab.per_source)
			return;
		wipe(oldest);
	}
}

static void view(const struct sess *s, sess_view *v, int fresh)
{
	memcpy(v->token, s->token, SESS_TOKEN);
	memcpy(v->csrf, s->csrf, SESS_HEX);
	memcpy(v->lang, s->lang, SESS_LANG);
	v->source_id = s->source_id;
	v->anon = 0;
	v->fresh = fresh;
}

int sess_open(const uint8_t *token, int create, sess_view *v)
{
	int r = 0;
	time_t age;
	uint8_t t[SESS_TOKEN];
	pthread_mutex_lock(&tab.lock);
	if (!tab.key) {
		r = SESS_ENONE;
	} else if (token && ticket_ok(token, &age)) {
		/* Renewed while used, so the idle time counts from the
		 * last page, as it does for a logged-in session. */
		if (age > (time_t)tab.idle_s / 4) {
			char lang[T_LANGLEN + 1] = { 0 };
			memcpy(t, token, SESS_TOKEN);
			memcpy(lang, t + T_LANG, T_LANGLEN);
			ticket_make(t, t + T_NONCE, lang);
			ticket_view(t, v, 1);
		} else {
			ticket_view(token, v, 0);
		}
	} else {
		struct sess *s = token ? find(token) : NULL;
		if (s) {
			s->last = now();
			s->order = ++tab.uses;
			view(s, v, 0);
		} else if (create) {
			ticket_make(t, NULL, NULL);
			ticket_view(t, v, 1);
		} else {
			r = SESS_ENONE;
		}
	}
	sodium_memzero(t, sizeof(t));
	pthread_mutex_unlock(&tab.lock);
	return r;
}

int sess_login(const uint8_t token[SESS_TOKEN], int64_t source_id,
	       const codename_keys *keys, sess_view *v)
{
	int r = 0;
	time_t age;
	codename_keys *k = codename_keys_new();
	if (!k)
		return SESS_ENOMEM;
	*k = *keys;
	sodium_memzero(k->lookup, sizeof(k->lookup));
	pthread_mutex_lock(&tab.lock);
	struct sess *s = NULL;
	int valid = tab.key && (ticket_ok(token, &age) || (s = find(token)));
	if (valid && !s)
		s = slot();
	if (s) {
		fresh_secrets(s);
		codename_keys_free(s->keys);
		s->keys = k;
		k = NULL;
		s->used = 1;
		s->source_id = source_id;
		s->last = now();
		s->order = ++tab.uses;
		memcpy(s->lang, v->lang, SESS_LANG);
		s->lang[SESS_LANG - 1] = '\0';
		cap_source(source_id, s);
		view(s, v, 1);
	} else {
		r = valid ? SESS_EFULL : SESS_ENONE;
	}
	pthread_mutex_unlock(&tab.lock);
	codename_keys_free(k);
	return r;
}

int sess_keys(const uint8_t token[SESS_TOKEN], codename_keys *out)
{
	int r = SESS_ENONE;
	pthread_mutex_lock(&tab.lock);
	struct sess *s = find(token);
	if (s && s->keys) {
		*out = *s->keys;
		r = 0;
	}
	pthread_mutex_unlock(&tab.lock);
	return r;
}

void sess_set_lang(sess_view *v, const char *lang)
{
	if (strlen(lang) >= SESS_LANG)
		return;
	pthread_mutex_lock(&tab.lock);
	if (v->anon && tab.key) {
		uint8_t nonce[8];
		memcpy(nonce, v->token + T_NONCE, 8);
		ticket_make(v->token, nonce, lang);
		ticket_view(v->token, v, 1);
	} else {
		struct sess *s = find(v->token);
		if (s)
			strcpy(s->lang, lang);
		strcpy(v->lang, lang);
	}
	pthread_mutex_unlock(&tab.lock);
}

size_t sess_sources(int64_t *out, size_t max)
{
	size_t n = 0;
	time_t t = now();
	pthread_mutex_lock(&tab.lock);
	for (unsigned i = 0; i < tab.max && n < max; i++)
		if (tab.s[i].used && !expired(&tab.s[i], t))
			out[n++] = tab.s[i].source_id;
	pthread_mutex_unlock(&tab.lock);
	return n;
}

void sess_end(const uint8_t token[SESS_TOKEN])
{
	pthread_mutex_lock(&tab.lock);
	struct sess *s = find(token);
	if (s)
		wipe(s);
	pthread_mutex_unlock(&tab.lock);
}

unsigned sess_sweep(void)
{
	unsigned left = 0;
	time_t t = now();
	pthread_mutex_lock(&tab.lock);
	for (unsigned i = 0; i < tab.max; i++) {
		if (expired(&tab.s[i], t))
			wipe(&tab.s[i]);
		left += tab.s[i].used != 0;
	}
	pthread_mutex_unlock(&tab.lock);
	return left;
}

int sess_cookie_parse(const char *h, uint8_t token[SESS_TOKEN])
{
	size_t len = strnlen(h, SESS_COOKIE_MAX + 1);
	if (len > SESS_COOKIE_MAX)
		return SESS_ENONE;
	const char *p = h, *end = h + len;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == ';' || *p == '\t'))
			p++;
		const char *pair = p;
		while (p < end && *p != ';')
			p++;
		size_t n = (size_t)(p - pair);
		while (n && (pair[n - 1] == ' ' || pair[n - 1] == '\t'))
			n--;
		if (n == 3 + 2 * SESS_TOKEN && !memcmp(pair, "sd=", 3)) {
			char hex[SESS_HEX];
			memcpy(hex, pair + 3, 2 * SESS_TOKEN);
			hex[2 * SESS_TOKEN] = '\0';
			int r = crypt_unhex(token, SESS_TOKEN, hex);
			sodium_memzero(hex, sizeof(hex));
			if (r == 0)
				return 0;
		}
	}
	return SESS_ENONE;
}

void sess_token_hex(const uint8_t token[SESS_TOKEN], char out[SESS_HEX])
{
	crypt_hex(out, token, SESS_TOKEN);
}
