/*
 * envelope.c - sealing and opening envelopes (docs/formats.md, 2).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "envelope.h"

#define ENV_MAGIC "sdEV"
#define ENV_VERSION 1
#define ENV_FIXED 8                    /* magic, version, n, reserved */
#define ENV_STANZA (32 + crypto_box_SEALBYTES)
#define ENV_SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define ENV_MAC 32
#define ENV_HEADER_MAX (ENV_FIXED + ENV_MAX_RECIPIENTS * ENV_STANZA + \
			ENV_SS_HEADER + ENV_MAC)
#define ENV_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define ENV_FULL (4 + ENV_CHUNK)       /* plaintext of a non-final chunk */
#define ENV_CT_FULL (ENV_FULL + ENV_ABYTES)
_Static_assert(ENV_CT_FULL == ENV_CT_CHUNK, "envelope.h's chunk size");
/* kind, name_len, name, type_len, type */
#define ENV_RECORD_MAX (3 + ENV_NAME_MAX + ENV_TYPE_MAX)

#define ENV_TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define ENV_TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

/* The file key and what is derived from it; wiped as soon as used. */
struct env_keys {
	uint8_t file[32];
	uint8_t mac[32];
	uint8_t stream[crypto_secretstream_xchacha20poly1305_KEYBYTES];
};

/* Derives the MAC and stream keys from k->file. */
static void
env_derive(struct env_keys *k)
{
	crypto_kdf_derive_from_key(k->mac, sizeof k->mac, 1, "sdenvmac",
				   k->file);
	crypto_kdf_derive_from_key(k->stream, sizeof k->stream, 2, "sdenvstr",
				   k->file);
}

/* The MAC over a header's first len bytes, all but the MAC itself. */
static void
env_mac(uint8_t out[ENV_MAC], const uint8_t *hdr, size_t len,
	const uint8_t key[32])
{
	crypto_generichash(out, ENV_MAC, hdr, len, key, 32);
}

uint64_t
env_padme(uint64_t len)
{
	unsigned e, s;
	uint64_t mask;

	if (len <= 2)
		return len;
	e = 63 - (unsigned)__builtin_clzll(len);
	s = 32 - (unsigned)__builtin_clz(e);
	mask = (UINT64_C(1) << (e - s)) - 1;
	/* Only lengths within 2^57 of 2^64 could overflow; saturate. */
	if (len > UINT64_MAX - mask)
		return UINT64_MAX;
	return (len + mask) & ~mask;
}

size_t
env_header_len(size_t n)
{
	return ENV_FIXED + n * ENV_STANZA + ENV_SS_HEADER + ENV_MAC;
}

/*
 * After k full chunks, with r < ENV_CHUNK content bytes still to write,
 * the padded rest is q more full chunks and a FINAL chunk of f plaintext
 * bytes. Sealer and env_stored_len share this so they cannot disagree.
 */
static void
env_tail(uint64_t k, uint64_t r, uint64_t *q, uint64_t *f)
{
	uint64_t min = k * ENV_FULL + 4 + r;
	uint64_t rest = env_padme(min > ENV_PAD_FLOOR ? min : ENV_PAD_FLOOR) -
			k * ENV_FULL;

	*q = (rest - 1) / ENV_FULL;
	*f = rest - *q * ENV_FULL;
	/* Depends only on the padded total, so it leaks nothing more. */
	if (*f < 4)
		*f = 4;
}

uint64_t
env_stored_len(size_t nrecipients, uint64_t content_len)
{
	uint64_t k = content_len / ENV_CHUNK, q, f;

	env_tail(k, content_len % ENV_CHUNK, &q, &f);
	return env_header_len(nrecipients) + (k + q) * ENV_CT_FULL + f +
	       ENV_ABYTES;
}

/* --- sealing --- */

/* Only the secret part is in sodium memory: the stream state, the keys
 * and the plaintext chunk. Ciphertext is not secret and lives for an
 * instant, so it goes where room says, or into ct, ordinary memory
 * taken the first time it is needed: a held upload should not keep a
 * second locked, guarded chunk that is idle nearly all the time. */
struct env_sealer {
	crypto_secretstream_xchacha20poly1305_state st;
	struct env_keys keys;
	env_sink sink;
	env_room room;
	void *ctx;
	uint8_t *ct;      /* ENV_CT_FULL bytes (malloc), or NULL */
	uint64_t nfull;   /* full chunks written */
	uint64_t stored;  /* bytes given to the sink */
	size_t fill;      /* content bytes waiting in pt + 4 */
	int err;
	uint8_t pt[ENV_FULL];
};

/*
 * Spare sealers, wiped, kept for the next envelope: sodium_malloc maps,
 * guards and locks every allocation and sodium_free undoes it all, which
 * was a large part of what a small submission cost the drop. At most
 * ENV_SPARE_SEALERS wait here (some 70 KiB of locked memory each); more
 * are freed as before. A spare holds nothing secret: it is wiped as it
 * is put back, and sodium_free would wipe it the same way.
 */
#define ENV_SPARE_SEALERS 8

static pthread_mutex_t env_spare_lock = PTHREAD_MUTEX_INITIALIZER;
static env_sealer *env_spare[ENV_SPARE_SEALERS];
static size_t env_nspare;

/* A zeroed sealer: a spare, or a new one. NULL when out of memory. */
static env_sealer *
env_sealer_get(void)
{
	env_sealer *s = NULL;

	pthread_mutex_lock(&env_spare_lock);
	if (env_nspare > 0)
		s = env_spare[--env_nspare];
	pthread_mutex_unlock(&env_spare_lock);
	if (s == NULL && (s = sodium_malloc(sizeof *s)) != NULL)
		memset(s, 0, sizeof *s);
	return s;
}

/* Wipes s and keeps it as a spare, or frees it when there are enough. */
static void
env_sealer_put(env_sealer *s)
{
	sodium_memzero(s, sizeof *s);
	pthread_mutex_lock(&env_spare_lock);
	if (env_nspare < ENV_SPARE_SEALERS) {
		env_spare[env_nspare++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&env_spare_lock);
	sodium_free(s);
}

static int
env_emit(env_sealer *s, const uint8_t *buf, size_t len)
{
	if (s->sink(s->ctx, buf, len) != 0)
		return s->err = CRYPT_ESINK;
	s->stored += len;
	return 0;
}

/* Encrypts the first len bytes of pt, with used content bytes, and
 * writes them out. */
static int
env_chunk(env_sealer *s, size_t len, uint32_t used, uint8_t tag)
{
	uint8_t *ct = s->room != NULL ? s->room(s->ctx, len + ENV_ABYTES) :
					NULL;

	if (ct == NULL) {
		if (s->ct == NULL && (s->ct = malloc(ENV_CT_FULL)) == NULL)
			return s->err = CRYPT_ESINK;
		ct = s->ct;
	}
	crypt_put32(s->pt, used);
	crypto_secretstream_xchacha20poly1305_push(&s->st, ct, NULL, s->pt,
						   len, NULL, 0, tag);
	return env_emit(s, ct, len + ENV_ABYTES);
}

/* Writes the header; the record waits in pt as the first content. */
static int
env_seal_header(env_sealer *s, const uint8_t (*pks)[32], size_t npk)
{
	uint8_t hdr[ENV_HEADER_MAX];
	size_t len = env_header_len(npk);
	uint8_t *p = hdr + ENV_FIXED;

	memcpy(hdr, ENV_MAGIC, 4);
	hdr[4] = ENV_VERSION;
	hdr[5] = (uint8_t)npk;
	crypt_put16(hdr + 6, 0);
	randombytes_buf(s->keys.file, sizeof s->keys.file);
	env_derive(&s->keys);
	for (size_t i = 0; i < npk; i++, p += ENV_STANZA)
		if (crypto_box_seal(p, s->keys.file, sizeof s->keys.file,
				    pks[i]) != 0)
			return CRYPT_EUSAGE;
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, p,
							s->keys.stream);
	env_mac(hdr + len - ENV_MAC, hdr, len - ENV_MAC, s->keys.mac);
	sodium_memzero(&s->keys, sizeof s->keys);
	return env_emit(s, hdr, len);
}

int
env_seal_begin(env_sealer **out, const uint8_t (*pks)[32], size_t npk,
	       const env_meta *meta, env_sink sink, void *ctx)
{
	size_t nlen, tlen;
	env_sealer *s;
	uint8_t *rec;
	int rc;

	*out = NULL;
	if (pks == NULL || npk < 1 || npk > ENV_MAX_RECIPIENTS ||
	    meta == NULL || sink == NULL || meta->kind < ENV_MESSAGE ||
	    meta->kind > ENV_REPLY)
		return CRYPT_EUSAGE;
	nlen = strnlen(meta->name, sizeof meta->name);
	tlen = strnlen(meta->type, sizeof meta->type);
	if (nlen > ENV_NAME_MAX || tlen > ENV_TYPE_MAX)
		return CRYPT_EUSAGE;
	if ((s = env_sealer_get()) == NULL)
		return CRYPT_ENOMEM;
	s->sink = sink;
	s->ctx = ctx;
	if ((rc = env_seal_header(s, pks, npk)) != 0) {
		env_seal_abort(s);
		return rc;
	}
	rec = s->pt + 4;
	rec[0] = (uint8_t)meta->kind;
	rec[1] = (uint8_t)nlen;
	memcpy(rec + 2, meta->name, nlen);
	rec[2 + nlen] = (uint8_t)tlen;
	memcpy(rec + 3 + nlen, meta->type, tlen);
	s->fill = 3 + nlen + tlen;
	*out = s;
	return 0;
}

void
env_seal_room(env_sealer *s, env_room room)
{
	s->room = room;
}

int
env_seal_push(env_sealer *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (s->err != 0)
		return s->err;
	while (len > 0) {
		size_t take = ENV_CHUNK - s->fill;

		if (take > len)
			take = len;
		memcpy(s->pt + 4 + s->fill, p, take);
		s->fill += take;
		p += take;
		len -= take;
		if (s->fill == ENV_CHUNK) {
			if (env_chunk(s, ENV_FULL, ENV_CHUNK,
				      ENV_TAG_MESSAGE) != 0)
				return s->err;
			s->nfull++;
			s->fill = 0;
		}
	}
	return 0;
}

int
env_seal_finish(env_sealer *s, uint64_t *stored)
{
	uint64_t q, f;
	int rc = s->err;

	env_tail(s->nfull, s->fill, &q, &f);
	/* The first tail chunk carries the rest of the content. */
	for (uint64_t i = 0; i <= q && rc == 0; i++) {
		size_t len = i < q ? ENV_FULL : (size_t)f;
		size_t used = i == 0 ? s->fill : 0;

		memset(s->pt + 4 + used, 0, len - 4 - used);
		rc = env_chunk(s, len, (uint32_t)used,
			       i < q ? ENV_TAG_MESSAGE : ENV_TAG_FINAL);
	}
	if (rc == 0 && stored != NULL)
		*stored = s->stored;
	env_seal_abort(s);
	return rc;
}

void
env_seal_abort(env_sealer *s)
{
	if (s == NULL)
		return;
	free(s->ct);
	/* Wipes the state, the keys and the plaintext. */
	env_sealer_put(s);
}

/* --- opening --- */

enum env_phase { ENV_HEAD, ENV_BODY, ENV_DONE };

struct env_pair {
	uint8_t pk[32];
	uint8_t sk[32];
};

struct env_opener {
	crypto_secretstream_xchacha20poly1305_state st;
	struct env_keys keys;
	env_open_cb cb;
	enum env_phase phase;
	int err;
	size_t hlen;          /* header bytes so far */
	size_t ctlen;         /* ciphertext bytes of the current chunk */
	int padded;           /* a chunk with padding was seen */
	int have_meta;        /* the record was complete and reported */
	size_t rlen;          /* record bytes so far */
	uint8_t rec[ENV_RECORD_MAX];
	env_meta meta;
	uint8_t hdr[ENV_HEADER_MAX];
	uint8_t ct[ENV_CT_FULL];
	uint8_t pt[ENV_FULL];
	size_t nkeys;
	struct env_pair pairs[];
};

int
env_open_begin(env_opener **out, const env_key *keys, size_t nkeys,
	       const env_open_cb *cb)
{
	env_opener *o;

	*out = NULL;
	if (keys == NULL || nkeys == 0 || cb == NULL ||
	    nkeys > (SIZE_MAX - sizeof *o) / sizeof o->pairs[0])
		return CRYPT_EUSAGE;
	o = sodium_malloc(sizeof *o + nkeys * sizeof o->pairs[0]);
	if (o == NULL)
		return CRYPT_ENOMEM;
	memset(o, 0, sizeof *o);
	o->cb = *cb;
	o->nkeys = nkeys;
	/* Copied so that the caller's keys need not outlive this call. */
	for (size_t i = 0; i < nkeys; i++) {
		memcpy(o->pairs[i].pk, keys[i].pk, 32);
		memcpy(o->pairs[i].sk, keys[i].sk, 32);
	}
	*out = o;
	return 0;
}

/* Checks the fixed part of the header, before the rest is read. */
static int
env_head_fixed(const uint8_t *h)
{
	if (memcmp(h, ENV_MAGIC, 4) != 0)
		return CRYPT_EFORMAT;
	if (h[4] != ENV_VERSION)
		return CRYPT_EVERSION;
	if (h[5] < 1 || h[5] > ENV_MAX_RECIPIENTS || crypt_get16(h + 6) != 0)
		return CRYPT_EFORMAT;
	return 0;
}

/*
 * Opens hdr's stanzas (a complete header of len bytes) with the key pair
 * pk, sk; when one opens, derives k from its file key and checks the MAC.
 * Returns 0 with k holding the keys (the caller wipes them), or
 * CRYPT_ENOKEY or CRYPT_EAUTH with k wiped. Shared by the opener and
 * env_probe, so that a probe says yes exactly when opening would start.
 */
static int
env_head_unlock(const uint8_t *hdr, size_t len, const uint8_t *pk,
		const uint8_t *sk, struct env_keys *k)
{
	const uint8_t *stanza = hdr + ENV_FIXED;
	uint8_t mac[ENV_MAC];
	int found = 0;

	for (size_t i = 0; i < hdr[5] && !found; i++, stanza += ENV_STANZA)
		found = crypto_box_seal_open(k->file, stanza, ENV_STANZA, pk,
					     sk) == 0;
	if (!found) {
		sodium_memzero(k, sizeof *k);
		return CRYPT_ENOKEY;
	}
	env_derive(k);
	env_mac(mac, hdr, len - ENV_MAC, k->mac);
	if (crypto_verify_32(mac, hdr + len - ENV_MAC) != 0) {
		sodium_memzero(k, sizeof *k);
		return CRYPT_EAUTH;
	}
	return 0;
}

/* Finds our stanza, checks the MAC and starts the stream. */
static int
env_head_open(env_opener *o, size_t len)
{
	int rc = CRYPT_ENOKEY;

	for (size_t j = 0; j < o->nkeys && rc == CRYPT_ENOKEY; j++)
		rc = env_head_unlock(o->hdr, len, o->pairs[j].pk,
				     o->pairs[j].sk, &o->keys);
	if (rc != 0)
		return rc;
	crypto_secretstream_xchacha20poly1305_init_pull(&o->st,
			o->hdr + len - ENV_MAC - ENV_SS_HEADER, o->keys.stream);
	sodium_memzero(&o->keys, sizeof o->keys);
	return 0;
}

int
env_probe(const uint8_t *hdr, size_t len, const env_key *keys, size_t nkeys)
{
	struct env_keys k;
	size_t need;
	int rc;

	if (len < ENV_FIXED)
		return CRYPT_ETRUNC;
	if ((rc = env_head_fixed(hdr)) != 0)
		return rc;
	need = env_header_len(hdr[5]);
	if (len < need)
		return CRYPT_ETRUNC;
	rc = CRYPT_ENOKEY;
	for (size_t j = 0; j < nkeys && rc == CRYPT_ENOKEY; j++)
		rc = env_head_unlock(hdr, need, keys[j].pk, keys[j].sk, &k);
	/* The file key is not needed: a probe only answers yes or no. */
	sodium_memzero(&k, sizeof k);
	return rc;
}

/* Bytes of the record needed so far as its length bytes tell, or 0 when
 * the declared type is too long. */
static size_t
env_record_need(const env_opener *o)
{
	size_t need;

	if (o->rlen < 2)
		return 2;
	need = 3 + o->rec[1];
	if (o->rlen < need)
		return need;
	if (o->rec[need - 1] > ENV_TYPE_MAX)
		return 0;
	return need + o->rec[need - 1];
}

/* The record is complete: check it and report it. */
static int
env_record_done(env_opener *o)
{
	const uint8_t *name = o->rec + 2, *type;
	size_t nlen = o->rec[1], tlen = o->rec[2 + nlen];

	type = name + nlen + 1;
	if (o->rec[0] < ENV_MESSAGE || o->rec[0] > ENV_REPLY ||
	    memchr(name, 0, nlen) != NULL || memchr(type, 0, tlen) != NULL)
		return CRYPT_EFORMAT;
	o->meta.kind = o->rec[0];
	memcpy(o->meta.name, name, nlen);
	o->meta.name[nlen] = '\0';
	memcpy(o->meta.type, type, tlen);
	o->meta.type[tlen] = '\0';
	o->have_meta = 1;
	if (o->cb.meta != NULL && o->cb.meta(o->cb.ctx, &o->meta) != 0)
		return CRYPT_ESINK;
	return 0;
}

/* Content in order: the record first, then the body for the caller. */
static int
env_content(env_opener *o, const uint8_t *p, size_t len)
{
	while (!o->have_meta) {
		size_t need = env_record_need(o), take;

		if (need == 0)
			return CRYPT_EFORMAT;
		if (o->rlen == need) {
			int rc = env_record_done(o);

			if (rc != 0)
				return rc;
			break;
		}
		if (len == 0)
			return 0;
		take = need - o->rlen < len ? need - o->rlen : len;
		memcpy(o->rec + o->rlen, p, take);
		o->rlen += take;
		p += take;
		len -= take;
	}
	if (len > 0 && o->cb.data != NULL && o->cb.data(o->cb.ctx, p, len))
		return CRYPT_ESINK;
	return 0;
}

/* Decrypts the chunk of o->ctlen bytes at ct (o->ct, or the caller's
 * input when a whole chunk is there) and checks its framing and
 * padding. */
static int
env_open_chunk(env_opener *o, const uint8_t *ct, int at_end)
{
	unsigned long long mlen;
	uint32_t used;
	size_t body;
	uint8_t tag;
	int rc;

	/* At the end, a chunk that does not authenticate is a cut one. */
	if (crypto_secretstream_xchacha20poly1305_pull(&o->st, o->pt, &mlen,
	    &tag, ct, o->ctlen, NULL, 0) != 0)
		return at_end ? CRYPT_ETRUNC : CRYPT_EAUTH;
	o->ctlen = 0;
	if (mlen < 4 || (tag != ENV_TAG_FINAL &&
	    (tag != ENV_TAG_MESSAGE || mlen != ENV_FULL)))
		return CRYPT_EFORMAT;
	used = crypt_get32(o->pt);
	body = (size_t)mlen - 4;
	if (used > body || (o->padded && used != 0) ||
	    !sodium_is_zero(o->pt + 4 + used, body - used))
		return CRYPT_EFORMAT;
	o->padded |= used < body;
	rc = env_content(o, o->pt + 4, used);
	sodium_memzero(o->pt, (size_t)mlen);
	if (rc == 0 && tag == ENV_TAG_FINAL) {
		if (!o->have_meta)
			return CRYPT_EFORMAT;
		o->phase = ENV_DONE;
	}
	return rc;
}

/* Moves bytes from *p into buf until it holds need of them. */
static void
env_fill(uint8_t *buf, size_t *have, size_t need, const uint8_t **p,
	 size_t *len)
{
	size_t take = need - *have < *len ? need - *have : *len;

	memcpy(buf + *have, *p, take);
	*have += take;
	*p += take;
	*len -= take;
}

int
env_open_push(env_opener *o, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int rc = o->err;

	while (len > 0 && rc == 0) {
		if (o->phase == ENV_DONE) {
			rc = CRYPT_ETRAIL;
		} else if (o->phase == ENV_BODY && o->ctlen == 0 &&
			   len >= ENV_CT_FULL) {
			/* A whole chunk in the input: opened where it is,
			 * not copied first, exactly as if it had been. */
			o->ctlen = ENV_CT_FULL;
			rc = env_open_chunk(o, p, 0);
			p += ENV_CT_FULL;
			len -= ENV_CT_FULL;
		} else if (o->phase == ENV_BODY) {
			env_fill(o->ct, &o->ctlen, ENV_CT_FULL, &p, &len);
			if (o->ctlen == ENV_CT_FULL)
				rc = env_open_chunk(o, o->ct, 0);
		} else if (o->hlen < ENV_FIXED) {
			env_fill(o->hdr, &o->hlen, ENV_FIXED, &p, &len);
			if (o->hlen == ENV_FIXED)
				rc = env_head_fixed(o->hdr);
		} else {
			size_t need = env_header_len(o->hdr[5]);

			env_fill(o->hdr, &o->hlen, need, &p, &len);
			if (o->hlen < need)
				continue;
			if ((rc = env_head_open(o, need)) == 0)
				o->phase = ENV_BODY;
		}
	}
	return o->err = rc;
}

int
env_open_finish(env_opener *o)
{
	int rc = o->err;

	if (rc == 0 && o->phase == ENV_BODY && o->ctlen > 0)
		rc = env_open_chunk(o, o->ct, 1);
	if (rc == 0 && o->phase != ENV_DONE)
		rc = CRYPT_ETRUNC;
	env_open_abort(o);
	return rc;
}

void
env_open_abort(env_opener *o)
{
	/* sodium_free wipes keys, state, record and buffers. */
	sodium_free(o);
}
