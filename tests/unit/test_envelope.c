/*
 * test_envelope.c - envelopes: round trips, padding, recipients, vectors.
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
#include "envelope.h"
#include "fileio.h"
#include "keys.h"

/* A growing byte buffer: a sink for ciphertext or plaintext. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int
buf_sink(void *ctx, const uint8_t *data, size_t len)
{
	struct buf *b = ctx;

	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

struct pair {
	uint8_t pk[32], sk[32];
};

static struct pair
pair_new(void)
{
	struct pair k;

	crypto_box_keypair(k.pk, k.sk);
	return k;
}

static env_meta
meta_of(int kind, const char *name, const char *type)
{
	env_meta m = { .kind = kind };

	snprintf(m.name, sizeof m.name, "%s", name);
	snprintf(m.type, sizeof m.type, "%s", type);
	return m;
}

/* Seals len bytes of body to npk keys; returns the envelope. */
static struct buf
seal(const uint8_t (*pks)[32], size_t npk, const env_meta *m,
     const uint8_t *body, size_t len)
{
	struct buf out = { 0 };
	env_sealer *s;
	uint64_t stored = 0;

	assert_int_equal(env_seal_begin(&s, pks, npk, m, buf_sink, &out), 0);
	assert_int_equal(env_seal_push(s, body, len), 0);
	assert_int_equal(env_seal_finish(s, &stored), 0);
	assert_int_equal(stored, out.len);
	return out;
}

/* What an opener handed its callbacks. */
struct opened {
	int nmeta;
	env_meta meta;
	struct buf body;
	int data_before_meta;
};

static int
opened_meta(void *ctx, const env_meta *m)
{
	struct opened *o = ctx;

	o->nmeta++;
	o->meta = *m;
	return 0;
}

static int
opened_data(void *ctx, const uint8_t *p, size_t len)
{
	struct opened *o = ctx;

	assert_true(len > 0);
	if (o->nmeta == 0)
		o->data_before_meta = 1;
	return buf_sink(&o->body, p, len);
}

/*
 * Opens env with keys, feeding it in pieces: piece 0 means random sizes.
 * Returns the first error, of push or finish.
 */
static int
open_with(const struct pair *keys, size_t nkeys, const uint8_t *env,
	  size_t len, size_t piece, struct opened *out)
{
	env_key k[4];
	env_open_cb cb = { opened_meta, opened_data, out };
	env_opener *o;
	int rc = 0;

	memset(out, 0, sizeof *out);
	assert_true(nkeys <= 4);
	for (size_t i = 0; i < nkeys; i++)
		k[i] = (env_key){ keys[i].pk, keys[i].sk };
	assert_int_equal(env_open_begin(&o, k, nkeys, &cb), 0);
	for (size_t off = 0; off < len && rc == 0;) {
		size_t n = piece ? piece : 1 + randombytes_uniform(70000);

		if (n > len - off)
			n = len - off;
		rc = env_open_push(o, env + off, n);
		off += n;
	}
	if (rc != 0) {
		env_open_abort(o);
		return rc;
	}
	return env_open_finish(o);
}

static void
round_trip(size_t len, size_t piece)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_FILE, "notes.txt", "text/plain");
	uint8_t *body = malloc(len + 1);
	struct opened got;
	struct buf env;

	assert_non_null(body);
	randombytes_buf(body, len);
	env = seal(&k.pk, 1, &m, body, len);
	assert_int_equal(env.len,
			 env_stored_len(1, 3 + strlen(m.name) +
					   strlen(m.type) + len));
	assert_int_equal(open_with(&k, 1, env.p, env.len, piece, &got), 0);
	assert_int_equal(got.nmeta, 1);
	assert_false(got.data_before_meta);
	assert_int_equal(got.meta.kind, ENV_FILE);
	assert_string_equal(got.meta.name, "notes.txt");
	assert_string_equal(got.meta.type, "text/plain");
	assert_int_equal(got.body.len, len);
	if (len > 0)
		assert_memory_equal(got.body.p, body, len);
	free(got.body.p);
	free(env.p);
	free(body);
}

static void
test_round_trips(void **state)
{
	static const size_t sizes[] = {
		0, 1, 65535, 65536, 65537, 3 * 65536 + 5,
	};

	(void)state;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		round_trip(sizes[i], 1 << 20);
		round_trip(sizes[i], 0);
	}
}

static void
test_one_byte_pieces(void **state)
{
	(void)state;
	round_trip(0, 1);
	round_trip(65537, 1);
}

/* Record boundaries: empty name and type, and the longest of each. */
static void
test_record_limits(void **state)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_MESSAGE, "", "");
	struct opened got;
	struct buf env;

	(void)state;
	env = seal(&k.pk, 1, &m, NULL, 0);
	assert_int_equal(open_with(&k, 1, env.p, env.len, 0, &got), 0);
	assert_int_equal(got.nmeta, 1);
	assert_int_equal(got.meta.kind, ENV_MESSAGE);
	assert_string_equal(got.meta.name, "");
	assert_string_equal(got.meta.type, "");
	assert_int_equal(got.body.len, 0);
	free(env.p);

	memset(m.name, 'n', ENV_NAME_MAX);
	m.name[ENV_NAME_MAX] = '\0';
	memset(m.type, 't', ENV_TYPE_MAX);
	m.type[ENV_TYPE_MAX] = '\0';
	m.kind = ENV_REPLY;
	env = seal(&k.pk, 1, &m, (const uint8_t *)"hi", 2);
	assert_int_equal(open_with(&k, 1, env.p, env.len, 1, &got), 0);
	assert_int_equal(got.meta.kind, ENV_REPLY);
	assert_string_equal(got.meta.name, m.name);
	assert_string_equal(got.meta.type, m.type);
	assert_int_equal(got.body.len, 2);
	free(got.body.p);
	free(env.p);
}

static int
null_sink(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	(void)p;
	(void)len;
	return 0;
}

static void
test_seal_usage(void **state)
{
	struct pair k = pair_new();
	uint8_t pks[ENV_MAX_RECIPIENTS + 1][32];
	env_meta m = meta_of(ENV_FILE, "a", "b");
	env_sealer *s = (env_sealer *)1;

	(void)state;
	for (size_t i = 0; i <= ENV_MAX_RECIPIENTS; i++)
		memcpy(pks[i], k.pk, 32);
	assert_int_equal(env_seal_begin(&s, pks, 0, &m, null_sink, NULL),
			 CRYPT_EUSAGE);
	assert_null(s);
	assert_int_equal(env_seal_begin(&s, pks, ENV_MAX_RECIPIENTS + 1, &m,
					null_sink, NULL), CRYPT_EUSAGE);
	m.kind = 4;
	assert_int_equal(env_seal_begin(&s, pks, 1, &m, null_sink, NULL),
			 CRYPT_EUSAGE);
	m = meta_of(ENV_FILE, "a", "b");
	memset(m.type, 't', sizeof m.type);
	assert_int_equal(env_seal_begin(&s, pks, 1, &m, null_sink, NULL),
			 CRYPT_EUSAGE);
	m = meta_of(ENV_FILE, "a", "b");
	memset(m.name, 'n', sizeof m.name);
	assert_int_equal(env_seal_begin(&s, pks, 1, &m, null_sink, NULL),
			 CRYPT_EUSAGE);
	/* The all-zero point makes no shared secret. */
	m = meta_of(ENV_FILE, "a", "b");
	memset(pks[1], 0, 32);
	assert_int_equal(env_seal_begin(&s, pks, 2, &m, null_sink, NULL),
			 CRYPT_EUSAGE);
	env_seal_abort(NULL);
	env_open_abort(NULL);
}

static int
refusing_sink(void *ctx, const uint8_t *p, size_t len)
{
	int *budget = ctx;

	(void)p;
	(void)len;
	return (*budget)-- <= 0;
}

/* A sink that says no stops the sealer with ESINK, at any point. */
static void
test_seal_sink_refuses(void **state)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_FILE, "a", "b");
	static uint8_t body[2 * ENV_CHUNK];
	env_sealer *s;
	int budget = 0;

	(void)state;
	assert_int_equal(env_seal_begin(&s, &k.pk, 1, &m, refusing_sink,
					&budget), CRYPT_ESINK);
	budget = 1;
	assert_int_equal(env_seal_begin(&s, &k.pk, 1, &m, refusing_sink,
					&budget), 0);
	assert_int_equal(env_seal_push(s, body, sizeof body), CRYPT_ESINK);
	assert_int_equal(env_seal_push(s, body, 1), CRYPT_ESINK);
	env_seal_abort(s);
	budget = 1;
	assert_int_equal(env_seal_begin(&s, &k.pk, 1, &m, refusing_sink,
					&budget), 0);
	assert_int_equal(env_seal_push(s, body, 10), 0);
	assert_int_equal(env_seal_finish(s, NULL), CRYPT_ESINK);
}

static int
refusing_data(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	(void)p;
	(void)len;
	return 1;
}

static int
refusing_meta(void *ctx, const env_meta *m)
{
	(void)ctx;
	(void)m;
	return 1;
}

/* A sink with room: every other chunk goes into its own memory, the
 * rest through the sealer's buffer, and it counts which it got. */
struct roomy {
	struct buf out;
	uint8_t *next;      /* what room last gave, or NULL */
	int calls, in_place, copied;
};

static uint8_t *
roomy_room(void *ctx, size_t len)
{
	struct roomy *r = ctx;

	assert_true(len <= ENV_CT_CHUNK);
	r->next = NULL;
	if (r->calls++ % 2 == 0)
		return NULL;
	if (r->out.len + len > r->out.cap) {
		r->out.cap = (r->out.len + len) * 2;
		r->out.p = realloc(r->out.p, r->out.cap);
		assert_non_null(r->out.p);
	}
	return r->next = r->out.p + r->out.len;
}

static int
roomy_sink(void *ctx, const uint8_t *data, size_t len)
{
	struct roomy *r = ctx;

	if (r->next != NULL && data == r->next) {
		r->in_place++;
		r->out.len += len;
		r->next = NULL;
		return 0;
	}
	r->copied++;
	return buf_sink(&r->out, data, len);
}

/* Sealing into the sink's room gives an envelope like any other, and
 * every chunk room took was sealed in place. */
static void
test_seal_room(void **state)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_FILE, "in-place.bin", "application/x-test");
	size_t len = 5 * ENV_CHUNK + 1234;
	uint8_t *body = malloc(len);
	struct roomy r = { 0 };
	struct opened o;
	env_sealer *s;
	uint64_t stored;

	(void)state;
	assert_non_null(body);
	randombytes_buf(body, len);
	assert_int_equal(env_seal_begin(&s, &k.pk, 1, &m, roomy_sink, &r), 0);
	env_seal_room(s, roomy_room);
	assert_int_equal(env_seal_push(s, body, len), 0);
	assert_int_equal(env_seal_finish(s, &stored), 0);
	assert_int_equal(stored, r.out.len);
	assert_int_equal(stored, env_stored_len(1, 3 + strlen(m.name) +
						strlen(m.type) + len));
	/* The header, then chunks alternately copied and in place. */
	assert_int_equal(r.in_place, r.calls / 2);
	assert_int_equal(r.copied, 1 + (r.calls + 1) / 2);
	assert_int_equal(open_with(&k, 1, r.out.p, r.out.len, 0, &o), 0);
	assert_int_equal(o.body.len, len);
	assert_memory_equal(o.body.p, body, len);
	free(o.body.p);
	free(r.out.p);
	free(body);
}

static void
test_open_sink_refuses(void **state)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_FILE, "a", "b");
	env_key key = { k.pk, k.sk };
	env_open_cb cb = { NULL, refusing_data, NULL };
	struct buf env;
	env_opener *o;

	(void)state;
	env = seal(&k.pk, 1, &m, (const uint8_t *)"x", 1);
	assert_int_equal(env_open_begin(&o, &key, 1, &cb), 0);
	assert_int_equal(env_open_push(o, env.p, env.len), 0);
	assert_int_equal(env_open_finish(o), CRYPT_ESINK);
	cb = (env_open_cb){ refusing_meta, NULL, NULL };
	assert_int_equal(env_open_begin(&o, &key, 1, &cb), 0);
	assert_int_equal(env_open_push(o, env.p, env.len), 0);
	assert_int_equal(env_open_finish(o), CRYPT_ESINK);
	assert_int_equal(env_open_begin(&o, &key, 0, &cb), CRYPT_EUSAGE);
	free(env.p);
}

static void
test_recipients(void **state)
{
	struct pair k[4] = { pair_new(), pair_new(), pair_new(), pair_new() };
	uint8_t pks[3][32];
	env_meta m = meta_of(ENV_MESSAGE, "", "");
	struct opened got;
	struct buf env;

	(void)state;
	for (int i = 0; i < 3; i++)
		memcpy(pks[i], k[i].pk, 32);
	env = seal(pks, 3, &m, (const uint8_t *)"three", 5);
	assert_int_equal(env.len, env_stored_len(3, 3 + 5));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(open_with(&k[i], 1, env.p, env.len, 0, &got),
				 0);
		assert_int_equal(got.body.len, 5);
		assert_memory_equal(got.body.p, "three", 5);
		free(got.body.p);
	}
	/* A stranger, alone or beside a recipient. */
	assert_int_equal(open_with(&k[3], 1, env.p, env.len, 0, &got),
			 CRYPT_ENOKEY);
	assert_int_equal(open_with(&k[2], 2, env.p, env.len, 0, &got), 0);
	free(got.body.p);
	/* The last stanza cut out, the count left at 3: the rest shifts. */
	memmove(env.p + 8 + 160, env.p + 8 + 240, env.len - 8 - 240);
	env.len -= 80;
	assert_int_equal(open_with(&k[0], 1, env.p, env.len, 0, &got),
			 CRYPT_EAUTH);
	assert_int_equal(open_with(&k[2], 1, env.p, env.len, 0, &got),
			 CRYPT_ENOKEY);
	free(env.p);
}

/* A probe answers as opening would, from the header alone or the whole. */
static void
test_probe(void **state)
{
	struct pair k[3] = { pair_new(), pair_new(), pair_new() };
	env_key mine = { k[1].pk, k[1].sk }, other = { k[2].pk, k[2].sk };
	env_key both[2] = { other, mine };
	uint8_t pks[2][32];
	env_meta m = meta_of(ENV_MESSAGE, "", "");
	size_t hlen = env_header_len(2);
	struct buf env;

	(void)state;
	memcpy(pks[0], k[0].pk, 32);
	memcpy(pks[1], k[1].pk, 32);
	env = seal(pks, 2, &m, (const uint8_t *)"probe", 5);
	assert_true(env.len > hlen);
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), 0);
	assert_int_equal(env_probe(env.p, hlen, &mine, 1), 0);
	assert_int_equal(env_probe(env.p, hlen, both, 2), 0);
	assert_int_equal(env_probe(env.p, env.len, &other, 1), CRYPT_ENOKEY);
	assert_int_equal(env_probe(env.p, hlen, &mine, 0), CRYPT_ENOKEY);
	/* Short of the header, even by one byte. */
	assert_int_equal(env_probe(env.p, hlen - 1, &mine, 1), CRYPT_ETRUNC);
	assert_int_equal(env_probe(env.p, 7, &mine, 1), CRYPT_ETRUNC);
	assert_int_equal(env_probe(env.p, 0, &mine, 1), CRYPT_ETRUNC);
	/* A flipped byte in the other stanza, in the stream header or in
	 * the MAC: our stanza still opens, the MAC does not verify. */
	for (size_t at = 8; at < hlen; at += 40) {
		if (at >= 8 + 80 && at < 8 + 160)
			continue;
		env.p[at] ^= 1;
		assert_int_equal(env_probe(env.p, hlen, &mine, 1),
				 CRYPT_EAUTH);
		env.p[at] ^= 1;
	}
	env.p[hlen - 1] ^= 0x80;
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), CRYPT_EAUTH);
	env.p[hlen - 1] ^= 0x80;
	/* A flipped byte in our own stanza: it no longer opens. */
	env.p[8 + 80 + 3] ^= 1;
	assert_int_equal(env_probe(env.p, hlen, &mine, 1), CRYPT_ENOKEY);
	env.p[8 + 80 + 3] ^= 1;
	/* The payload is not the probe's business. */
	env.p[env.len - 1] ^= 1;
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), 0);
	env.p[env.len - 1] ^= 1;
	/* The fixed part, checked before any key is tried. */
	env.p[0] ^= 1;
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), CRYPT_EFORMAT);
	env.p[0] ^= 1;
	env.p[4] = 2;
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), CRYPT_EVERSION);
	env.p[4] = 1;
	env.p[5] = 0;
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), CRYPT_EFORMAT);
	env.p[5] = 2;
	assert_int_equal(env_probe(env.p, env.len, &mine, 1), 0);
	free(env.p);
}

/* Deterministic bytes for the long stream, so both ends can agree. */
static void
fill_pattern(uint8_t *p, size_t len, uint64_t *pos)
{
	for (size_t i = 0; i < len; i++, (*pos)++)
		p[i] = (uint8_t)((*pos * 2654435761u) >> 13);
}

struct pipe {
	env_opener *o;
	crypto_generichash_state out;
	uint64_t ct_bytes;
};

static int
pipe_ct(void *ctx, const uint8_t *p, size_t len)
{
	struct pipe *pp = ctx;

	pp->ct_bytes += len;
	return env_open_push(pp->o, p, len) != 0;
}

static int
pipe_pt(void *ctx, const uint8_t *p, size_t len)
{
	struct pipe *pp = ctx;

	return crypto_generichash_update(&pp->out, p, len);
}

/* 50 MiB through sealer and opener at once, hashed at both ends. */
static void
test_long_stream(void **state)
{
	const uint64_t total = 50ull << 20;
	struct pair k = pair_new();
	env_key key = { k.pk, k.sk };
	env_meta m = meta_of(ENV_FILE, "big.bin", "application/octet-stream");
	struct pipe pp = { 0 };
	env_open_cb cb = { NULL, pipe_pt, &pp };
	crypto_generichash_state in;
	uint8_t hin[32], hout[32];
	static uint8_t piece[100003];
	env_sealer *s;
	uint64_t pos = 0, stored;

	(void)state;
	crypto_generichash_init(&in, NULL, 0, 32);
	crypto_generichash_init(&pp.out, NULL, 0, 32);
	assert_int_equal(env_open_begin(&pp.o, &key, 1, &cb), 0);
	assert_int_equal(env_seal_begin(&s, &k.pk, 1, &m, pipe_ct, &pp), 0);
	for (size_t n = 1; pos < total; n = n * 7 % sizeof piece + 1) {
		if (n > total - pos)
			n = (size_t)(total - pos);
		fill_pattern(piece, n, &pos);
		crypto_generichash_update(&in, piece, n);
		assert_int_equal(env_seal_push(s, piece, n), 0);
	}
	assert_int_equal(env_seal_finish(s, &stored), 0);
	assert_int_equal(env_open_finish(pp.o), 0);
	assert_int_equal(stored, pp.ct_bytes);
	assert_int_equal(stored,
			 env_stored_len(1, 3 + strlen(m.name) +
					   strlen(m.type) + total));
	crypto_generichash_final(&in, hin, 32);
	crypto_generichash_final(&pp.out, hout, 32);
	assert_memory_equal(hin, hout, 32);
}

/* What finish reports is env_stored_len, for sizes around every edge. */
static void
test_stored_len(void **state)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_MESSAGE, "", "");
	static uint8_t body[5 * ENV_CHUNK];
	uint64_t sizes[64], n = 0, stored;
	env_sealer *s;

	(void)state;
	for (uint64_t c = 0; c <= 4; c++)
		for (int d = -4; d <= 4; d++)
			if ((int64_t)(c * ENV_CHUNK) + d >= 3)
				sizes[n++] = c * ENV_CHUNK + (uint64_t)d - 3;
	sizes[n++] = 0;
	sizes[n++] = ENV_PAD_FLOOR;
	sizes[n++] = 16380 - 3;
	for (uint64_t i = 0; i < n; i++) {
		assert_true(sizes[i] <= sizeof body);
		assert_int_equal(env_seal_begin(&s, &k.pk, 1, &m, null_sink,
						NULL), 0);
		assert_int_equal(env_seal_push(s, body, sizes[i]), 0);
		assert_int_equal(env_seal_finish(s, &stored), 0);
		assert_int_equal(stored, env_stored_len(1, sizes[i] + 3));
	}
}

/* Contents whose padded sizes coincide store the same number of bytes. */
static void
test_sizes_hidden(void **state)
{
	struct pair k = pair_new();
	env_meta m = meta_of(ENV_MESSAGE, "", "");
	static uint8_t body[200];
	struct buf a, b;
	uint64_t floor_len = env_header_len(1) + ENV_PAD_FLOOR +
			     crypto_secretstream_xchacha20poly1305_ABYTES;

	(void)state;
	a = seal(&k.pk, 1, &m, body, 100);
	b = seal(&k.pk, 1, &m, body, 200);
	assert_int_equal(a.len, b.len);
	assert_int_equal(a.len, floor_len);
	assert_int_equal(env_stored_len(1, 0), floor_len);
	assert_int_equal(env_stored_len(1, ENV_PAD_FLOOR - 4), floor_len);
	assert_true(env_stored_len(1, ENV_PAD_FLOOR - 3) > floor_len);
	assert_int_equal(env_stored_len(2, 5),
			 floor_len + env_header_len(2) - env_header_len(1));
	free(a.p);
	free(b.p);
}

/*
 * Padme by hand: E = floor(log2 L), S = floor(log2 E) + 1, and the low
 * E - S bits of the result are zero.
 */
#define BIT(n) (UINT64_C(1) << (n))

static void
test_padme(void **state)
{
	static const uint64_t table[][2] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 },
		{ 7, 7 },          /* E 2, S 2: no bit to clear */
		{ 9, 10 },         /* E 3, S 2: 1 bit */
		{ 17, 18 },        /* E 4, S 3: 1 bit */
		{ 33, 36 },        /* E 5, S 3: 2 bits */
		{ 100, 104 },      /* E 6, S 3: 3 bits */
		{ 255, 256 },      /* E 7, S 3: 4 bits */
		{ 256, 256 },
		{ 1000, 1024 },    /* E 9, S 4: 5 bits */
		{ 16384, 16384 },  /* E 14, S 4: 10 bits */
		{ 16385, 17408 },
		{ 65544, 67584 },  /* E 16, S 5: 11 bits */
		{ 1000000, 1015808 }, /* E 19, S 5: 14 bits */
		{ 52428800, 52428800 }, /* 50 MiB = 25 * 2^21 */
		{ 52428801, 53477376 }, /* E 25, S 5: 20 bits */
		{ BIT(40), BIT(40) },
		{ BIT(40) + 1, BIT(40) + BIT(34) }, /* E 40, S 6: 34 bits */
		{ UINT64_MAX, UINT64_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		assert_int_equal(env_padme(table[i][0]), table[i][1]);
}

static void
test_header_len(void **state)
{
	(void)state;
	assert_int_equal(env_header_len(1), 8 + 80 + 24 + 32);
	assert_int_equal(env_header_len(16), 8 + 16 * 80 + 24 + 32);
}

/* --- vectors: tests/vectors/envelope, to the test key in keys/ --- */

static const char *
vec(const char *rel)
{
	static char path[4096];
	const char *top = getenv("SEALDROP_TOP");

	snprintf(path, sizeof path, "%s/tests/vectors/%s", top ? top : ".",
		 rel);
	return path;
}

static struct buf
vec_read(const char *name, const char *ext)
{
	char rel[256], *text;
	struct buf b = { 0 };

	snprintf(rel, sizeof rel, "envelope/%s%s", name, ext);
	assert_int_equal(fileio_slurp(vec(rel), 1 << 20, &text, &b.len), 0);
	b.p = (uint8_t *)text;
	return b;
}

/* A key pair from a public key and the hex of its secret. */
static struct pair
vec_pair(const uint8_t pk[32], const char *skfile)
{
	struct pair k;
	char *hex;
	size_t len;

	assert_int_equal(fileio_slurp(vec(skfile), 100, &hex, &len), 0);
	assert_int_equal(len, 65);
	hex[64] = '\0';
	assert_int_equal(crypt_unhex(k.sk, 32, hex), 0);
	free(hex);
	if (pk != NULL)
		memcpy(k.pk, pk, 32);
	else
		crypto_scalarmult_base(k.pk, k.sk);
	return k;
}

static struct pair
test_key(void)
{
	keys_pub pub;

	assert_int_equal(keys_pub_load(vec("keys/test.pub"), &pub), 0);
	return vec_pair(pub.box_pk, "keys/test.box_sk.hex");
}

/* Opens a vector whole and byte by byte: the same answer both ways. */
static int
vec_open(const char *name, const struct pair *k, struct opened *got)
{
	struct buf env = vec_read(name, ".env");
	int rc = open_with(k, 1, env.p, env.len, env.len, got);
	struct opened again;

	assert_int_equal(open_with(k, 1, env.p, env.len, 1, &again), rc);
	free(again.body.p);
	free(env.p);
	return rc;
}

static void
test_vectors_good(void **state)
{
	static const struct {
		const char *name, *fname, *type;
		int kind;
	} good[] = {
		{ "message", "message.txt", "text/plain; charset=utf-8",
		  ENV_MESSAGE },
		{ "empty-file", "empty.bin", "application/octet-stream",
		  ENV_FILE },
		{ "three-chunks", "three.bin", "application/octet-stream",
		  ENV_FILE },
		{ "two-recipients", "", "", ENV_REPLY },
		{ "hand-made", "", "", ENV_MESSAGE },
	};
	struct pair k = test_key();
	struct pair second = vec_pair(NULL, "envelope/second.box_sk.hex");
	struct opened got;
	uint8_t h[32];
	char hex[65];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct buf want = vec_read(good[i].name, ".b2");

		print_message("%s\n", good[i].name);
		assert_int_equal(vec_open(good[i].name, &k, &got), 0);
		assert_int_equal(got.nmeta, 1);
		assert_int_equal(got.meta.kind, good[i].kind);
		assert_string_equal(got.meta.name, good[i].fname);
		assert_string_equal(got.meta.type, good[i].type);
		crypto_generichash(h, 32, got.body.p, got.body.len, NULL, 0);
		crypt_hex(hex, h, 32);
		assert_int_equal(want.len, 65);
		assert_memory_equal(want.p, hex, 64);
		free(want.p);
		free(got.body.p);
	}
	assert_int_equal(vec_open("two-recipients", &second, &got), 0);
	free(got.body.p);
	assert_int_equal(vec_open("message", &second, &got), CRYPT_ENOKEY);
}

static void
test_vectors_bad(void **state)
{
	static const struct {
		const char *name;
		int rc;
	} bad[] = {
		{ "truncated-after-header", CRYPT_ETRUNC },
		{ "truncated-at-chunk-boundary", CRYPT_ETRUNC },
		{ "truncated-mid-chunk", CRYPT_ETRUNC },
		{ "bitflip-header", CRYPT_EAUTH },
		{ "bitflip-mac", CRYPT_EAUTH },
		{ "bitflip-stanza", CRYPT_EAUTH },
		{ "swapped-stanzas", CRYPT_EAUTH },
		{ "dropped-stanza", CRYPT_EAUTH },
		{ "bitflip-payload", CRYPT_EAUTH },
		{ "reordered-chunks", CRYPT_EAUTH },
		{ "missing-final", CRYPT_ETRUNC },
		{ "data-after-final", CRYPT_ETRAIL },
		{ "data-after-short-final", CRYPT_ETRUNC },
		{ "wrong-key", CRYPT_ENOKEY },
		{ "wrong-version", CRYPT_EVERSION },
		{ "bad-magic", CRYPT_EFORMAT },
		{ "bad-recipient-count", CRYPT_EFORMAT },
		{ "too-many-recipients", CRYPT_EFORMAT },
		{ "reserved-set", CRYPT_EFORMAT },
		{ "bad-record", CRYPT_EFORMAT },
		{ "record-nul", CRYPT_EFORMAT },
		{ "record-long-type", CRYPT_EFORMAT },
		{ "record-cut", CRYPT_EFORMAT },
		{ "nonzero-padding", CRYPT_EFORMAT },
		{ "used-too-large", CRYPT_EFORMAT },
		{ "content-after-padding", CRYPT_EFORMAT },
		{ "short-message-chunk", CRYPT_EFORMAT },
	};
	struct pair k = test_key();

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct opened got;

		print_message("%s\n", bad[i].name);
		assert_int_equal(vec_open(bad[i].name, &k, &got), bad[i].rc);
		/* Nothing but a good record ever reached the caller. */
		assert_true(got.nmeta <= 1);
		free(got.body.p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_padme),
		cmocka_unit_test(test_header_len),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_one_byte_pieces),
		cmocka_unit_test(test_record_limits),
		cmocka_unit_test(test_seal_usage),
		cmocka_unit_test(test_seal_sink_refuses),
		cmocka_unit_test(test_seal_room),
		cmocka_unit_test(test_open_sink_refuses),
		cmocka_unit_test(test_recipients),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_stored_len),
		cmocka_unit_test(test_sizes_hidden),
		cmocka_unit_test(test_long_stream),
		cmocka_unit_test(test_vectors_good),
		cmocka_unit_test(test_vectors_bad),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
