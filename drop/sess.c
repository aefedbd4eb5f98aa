/*
 * sess.c - the session table.
 *
 * A plain array searched from end to end: with every slot compared in
 * constant time, a token's lookup time says nothing about which tokens
 * exist, and ten thousand 32-byte compares cost microseconds.
 */
#include <pthread.h>
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
};

static struct {
	pthread_mutex_t lock;
	struct sess *s;
	unsigned max, idle_s;
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A monotonic clock: idle expiry must not jump with the wall clock. */
static time_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The table holds every token and CSRF token: sodium_malloc memory, so
 * it is never swapped out or dumped, and is wiped again when freed. */
int sess_init(unsigned max, unsigned idle_s)
{
	tab.s = sodium_allocarray(max, sizeof(*tab.s));
	if (!tab.s)
		return SESS_ENOMEM;
	memset(tab.s, 0, (size_t)max * sizeof(*tab.s));
	tab.max = max;
	tab.idle_s = idle_s;
	return 0;
}

static void wipe(struct sess *s)
{
	codename_keys_free(s->keys);
	sodium_memzero(s, sizeof(*s));
}

void sess_shutdown(void)
{
	pthread_mutex_lock(&tab.lock);
	for (unsigned i = 0; i < tab.max; i++)
		wipe(&tab.s[i]);
	sodium_free(tab.s);
	tab.s = NULL;
	tab.max = 0;
	pthread_mutex_unlock(&tab.lock);
}

static int expired(const struct sess *s, time_t t)
{
	return s->used && t - s->last >= (time_t)tab.idle_s;
}

_Static_assert(SESS_TOKEN == crypto_verify_32_BYTES, "tokens are 32 bytes");

/* Every slot is compared, matched or not. Caller holds the lock. */
static struct sess *find(const uint8_t *token)
{
	struct sess *hit = NULL;
	time_t t = now();
	for (unsigned i = 0; i < tab.max; i++) {
		struct sess *s = &tab.s[i];
		/* crypto_verify_32 is as constant-time as sodium_memcmp
		 * and some ten times faster: this loop runs under the
		 * table's lock on every request. */
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

static void fresh_secrets(struct sess *s)
{
	uint8_t csrf[SESS_TOKEN];
	crypt_random(s->token, SESS_TOKEN);
	crypt_random(csrf, sizeof(csrf));
	crypt_hex(s->csrf, csrf, sizeof(csrf));
	sodium_memzero(csrf, sizeof(csrf));
}

static struct sess *slot(void)
{
	struct sess *lru = NULL;
	time_t t = now();
	for (unsigned i = 0; i < tab.max; i++) {
		struct sess *s = &tab.s[i];
		if (expired(s, t))
			wipe(s);
		if (!s->used)
			return s;
		if (!s->source_id && (!lru || s->last < lru->last))
			lru = s;
	}
	if (lru)
		wipe(lru);
	return lru;
}

static void view(const struct sess *s, sess_view *v, int fresh)
{
	memcpy(v->token, s->token, SESS_TOKEN);
	memcpy(v->csrf, s->csrf, SESS_HEX);
	memcpy(v->lang, s->lang, SESS_LANG);
	v->source_id = s->source_id;
	v->fresh = fresh;
}

int sess_open(const uint8_t *token, int create, sess_view *v)
{
	int r = 0, fresh = 0;
	pthread_mutex_lock(&tab.lock);
	struct sess *s = token ? find(token) : NULL;
	if (!s && create) {
		s = slot();
		if (s) {
			s->used = 1;
			fresh_secrets(s);
			fresh = 1;
		}
	}
	if (s) {
		s->last = now();
		view(s, v, fresh);
	} else {
		r = create ? SESS_EFULL : SESS_ENONE;
	}
	pthread_mutex_unlock(&tab.lock);
	return r;
}

int sess_login(const uint8_t token[SESS_TOKEN], int64_t source_id,
	       const codename_keys *keys, sess_view *v)
{
	int r = 0;
	codename_keys *k = codename_keys_new();
	if (!k)
		return SESS_ENOMEM;
	*k = *keys;
	sodium_memzero(k->lookup, sizeof(k->lookup));
	pthread_mutex_lock(&tab.lock);
	struct sess *s = find(token);
	if (s) {
		codename_keys_free(s->keys);
		s->keys = k;
		k = NULL;
		s->source_id = source_id;
		s->last = now();
		fresh_secrets(s);
		view(s, v, 1);
	} else {
		r = SESS_ENONE;
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

void sess_set_lang(const uint8_t token[SESS_TOKEN], const char *lang)
{
	pthread_mutex_lock(&tab.lock);
	struct sess *s = find(token);
	if (s && strlen(lang) < SESS_LANG)
		strcpy(s->lang, lang);
	pthread_mutex_unlock(&tab.lock);
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
