/*
 * limit.c - per-circuit bounds and the global failed-login bucket.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limit.h"

struct circuit {
	limit_key key;
	int used;
	unsigned held[3];        /* by enum limit_what */
	uint64_t seen_ms;        /* last take or count */
	/* Buckets, refilled evenly: failed logins a minute, sign-ups an
	 * hour. A fixed window would let twice the bound through across
	 * its edge. */
	double fails, signups;
	uint64_t fails_ms, signups_ms;
};

/* One FIFO waiter for a login token. */
struct waiter {
	struct waiter *next, *prev;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct limit_settings s;
	struct circuit *tab;
	size_t cap, n;           /* slots (a power of two), entries */
	double tokens;
	uint64_t refilled_ms;
	struct waiter *head, *tail;
	unsigned queued;
} L = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int limit_init(const struct limit_settings *s)
{
	size_t cap = 16;
	pthread_condattr_t ca;
	while (cap < 2 * (size_t)s->circuits)
		cap *= 2;
	pthread_mutex_lock(&L.lock);
	free(L.tab);
	L.s = *s;
	L.tab = calloc(cap, sizeof(*L.tab));
	L.cap = L.tab ? cap : 0;
	L.n = 0;
	L.tokens = s->failed_logins_per_min;
	L.refilled_ms = now_ms();
	pthread_mutex_unlock(&L.lock);
	/* Waits are measured on the monotonic clock, like everything here:
	 * a clock set back must not stretch them. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&L.wake);
	pthread_cond_init(&L.wake, &ca);
	pthread_condattr_destroy(&ca);
	return L.tab ? 0 : -1;
}

void limit_shutdown(void)
{
	pthread_mutex_lock(&L.lock);
	if (L.tab)
		memset(L.tab, 0, L.cap * sizeof(*L.tab));
	free(L.tab);
	L.tab = NULL;
	L.cap = L.n = 0;
	pthread_mutex_unlock(&L.lock);
}

/* --- the table: open addressing, linear probing --- */

static size_t slot_of(const limit_key *k)
{
	/* FNV-1a: the keys are not secret and the table is bounded, so
	 * collisions cost time, not safety. */
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ k->b[i]) * 1099511628211ull;
	return (size_t)h & (L.cap - 1);
}

static int holds(const struct circuit *c)
{
	return c->held[0] || c->held[1] || c->held[2];
}

/* Removes slot i, shifting later entries of its run back (no tombstones). */
static void slot_remove(size_t i)
{
	size_t j = i;
	memset(&L.tab[i], 0, sizeof(L.tab[i]));
	L.n--;
	for (;;) {
		j = (j + 1) & (L.cap - 1);
		if (!L.tab[j].used)
			return;
		size_t want = slot_of(&L.tab[j].key);
		/* Move j into the hole at i unless its home lies between
		 * them (cyclically). */
		if ((i <= j) ? (i < want && want <= j) : (i < want || want <= j))
			continue;
		L.tab[i] = L.tab[j];
		memset(&L.tab[j], 0, sizeof(L.tab[j]));
		i = j;
	}
}

/* Forgets the circuit least recently seen that holds nothing. 0, or -1
 * when every one holds something. */
static int evict(void)
{
	size_t best = L.cap;
	for (size_t i = 0; i < L.cap; i++)
		if (L.tab[i].used && !holds(&L.tab[i]) &&
		    (best == L.cap || L.tab[i].seen_ms < L.tab[best].seen_ms))
			best = i;
	if (best == L.cap)
		return -1;
	slot_remove(best);
	return 0;
}

/* The entry for k, made if needed. NULL when the table is full of
 * circuits that hold something (or was never made). */
static struct circuit *find(const limit_key *k)
{
	if (!L.cap)
		return NULL;
	size_t i = slot_of(k);
	for (; L.tab[i].used; i = (i + 1) & (L.cap - 1))
		if (!memcmp(L.tab[i].key.b, k->b, sizeof(k->b)))
			goto found;
	if (L.n >= L.s.circuits) {
		if (evict())
			return NULL;
		/* The eviction may have moved entries: probe again. */
		for (i = slot_of(k); L.tab[i].used; i = (i + 1) & (L.cap - 1))
			;
	}
	memset(&L.tab[i], 0, sizeof(L.tab[i]));
	L.tab[i].used = 1;
	L.tab[i].key = *k;
	L.tab[i].fails = L.s.circuit_failed_logins_per_min;
	L.tab[i].signups = L.s.circuit_signups_per_hour;
	L.tab[i].fails_ms = L.tab[i].signups_ms = now_ms();
	L.n++;
found:
	L.tab[i].seen_ms = now_ms();
	return &L.tab[i];
}

static unsigned share(enum limit_what what)
{
	return what == LIMIT_CONN ? L.s.circuit_connections :
	       what == LIMIT_UPLOAD ? L.s.circuit_uploads :
				      L.s.circuit_derivations;
}

int limit_take(const limit_key *k, enum limit_what what)
{
	int ok = 0;
	if (!k)
		return 1;
	pthread_mutex_lock(&L.lock);
	struct circuit *c = find(k);
	if (c && c->held[what] < share(what)) {
		c->held[what]++;
		ok = 1;
	}
	pthread_mutex_unlock(&L.lock);
	return ok;
}

void limit_put(const limit_key *k, enum limit_what what)
{
	if (!k)
		return;
	pthread_mutex_lock(&L.lock);
	struct circuit *c = find(k);
	if (c && c->held[what])
		c->held[what]--;
	pthread_mutex_unlock(&L.lock);
}

/* Refills a bucket of max tokens that fills in period_ms. */
static void bucket_fill(double *tokens, uint64_t *at, unsigned max,
			uint64_t period_ms)
{
	uint64_t now = now_ms();
	*tokens += (double)(now - *at) * max / (double)period_ms;
	if (*tokens > max)
		*tokens = max;
	*at = now;
}

/* Spends a token of circuit k's failed-login bucket (signup 0) or its
 * sign-up bucket (signup 1), or gives one back (give 1). 1 when spent. */
static int circuit_bucket(const limit_key *k, int signup, int give)
{
	int ok = 0;
	if (!k)
		return 1;
	pthread_mutex_lock(&L.lock);
	struct circuit *c = find(k);
	if (c) {
		double *t = signup ? &c->signups : &c->fails;
		unsigned max = signup ? L.s.circuit_signups_per_hour :
					L.s.circuit_failed_logins_per_min;
		bucket_fill(t, signup ? &c->signups_ms : &c->fails_ms, max,
			    signup ? 3600000 : 60000);
		if (give) {
			*t = *t + 1 > max ? max : *t + 1;
		} else if (*t >= 1) {
			*t -= 1;
			ok = 1;
		}
	}
	pthread_mutex_unlock(&L.lock);
	return ok;
}

int limit_circuit_fail(const limit_key *k)
{
	return circuit_bucket(k, 0, 0);
}

int limit_circuit_signup(const limit_key *k)
{
	return circuit_bucket(k, 1, 0);
}

void limit_circuit_unfail(const limit_key *k)
{
	circuit_bucket(k, 0, 1);
}

/* --- the global bucket --- */

static double rate_per_ms(void)
{
	return L.s.failed_logins_per_min / 60000.0;
}

static void refill(void)
{
	uint64_t now = now_ms();
	double burst = L.s.failed_logins_per_min;
	L.tokens += (double)(now - L.refilled_ms) * rate_per_ms();
	if (L.tokens > burst)
		L.tokens = burst;
	L.refilled_ms = now;
}

static void unqueue(struct waiter *me)
{
	if (me->prev)
		me->prev->next = me->next;
	else
		L.head = me->next;
	if (me->next)
		me->next->prev = me->prev;
	else
		L.tail = me->prev;
	L.queued--;
}

int limit_login_take(unsigned wait_ms, unsigned *retry_s)
{
	struct waiter me = { NULL, NULL };
	uint64_t deadline = now_ms() + wait_ms;
	int ok = 0;
	pthread_mutex_lock(&L.lock);
	me.prev = L.tail;
	if (L.tail)
		L.tail->next = &me;
	else
		L.head = &me;
	L.tail = &me;
	L.queued++;
	for (;;) {
		refill();
		if (L.head == &me && L.tokens >= 1) {
			L.tokens -= 1;
			ok = 1;
			break;
		}
		uint64_t now = now_ms();
		if (now >= deadline)
			break;
		/* Wake when a token is due, or when woken: a refund, or the
		 * one ahead leaving the queue. */
		uint64_t until = deadline;
		if (L.head == &me) {
			uint64_t due = now + (uint64_t)((1 - L.tokens) /
							rate_per_ms()) + 1;
			if (due < until)
				until = due;
		}
		struct timespec ts = { (time_t)(until / 1000),
				       (long)(until % 1000) * 1000000 };
		pthread_cond_timedwait(&L.wake, &L.lock, &ts);
	}
	unqueue(&me);
	if (!ok && retry_s) {
		/* Room for one more arrival once those still queued had
		 * theirs. */
		double s = (L.queued + 1 - L.tokens) / (rate_per_ms() * 1000);
		*retry_s = s < 1 ? 1 : s > 3600 ? 3600 : (unsigned)s + 1;
	}
	pthread_cond_broadcast(&L.wake);
	pthread_mutex_unlock(&L.lock);
	return ok;
}

void limit_login_refund(void)
{
	pthread_mutex_lock(&L.lock);
	refill();
	L.tokens += 1;
	if (L.tokens > L.s.failed_logins_per_min)
		L.tokens = L.s.failed_logins_per_min;
	pthread_cond_broadcast(&L.wake);
	pthread_mutex_unlock(&L.lock);
}
