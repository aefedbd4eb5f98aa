/*
 * mkvec_env.c - writes the envelope test vectors.
 *
 *	mkvec_env --write DIR
 *
 * Envelopes to the test newsroom key in DIR/../keys (see mkvec_keys):
 * good ones, each with NAME.b2 holding the BLAKE2b-256 of its body, and
 * damaged or malformed ones. tests/vectors/README.md says what each must
 * give; test_envelope asserts it.
 *
 * Most are made by the real sealer, then cut or flipped. Those that are
 * authentic but break a framing rule cannot come from it, so a small
 * writer below makes them by hand from docs/formats.md: they check the
 * opener against the format, not against the sealer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "envelope.h"
#include "fileio.h"
#include "keys.h"

#define HDR1 (8 + 80 + 24 + 32)       /* header for one recipient */
#define CT_FULL (4 + ENV_CHUNK + 17)  /* a full chunk's ciphertext */
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

struct buf {
	uint8_t *p;
	size_t len;
};

static const char *dir;
static uint8_t test_pk[32];

static int
buf_add(void *ctx, const uint8_t *data, size_t len)
{
	struct buf *b = ctx;

	if ((b->p = realloc(b->p, b->len + len + 1)) == NULL)
		exit(1);
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static void
put(const char *name, const void *p, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = fileio_create_private(path, 1)) < 0 ||
	    fileio_write_all(fd, p, len) != 0 || fileio_sync_close(fd) != 0) {
		perror(path);
		exit(1);
	}
}

/* name.env, and for a good one name.b2: the hash of the body. */
static void
put_env(const char *name, const struct buf *env, const uint8_t *body,
	size_t len)
{
	char file[256], hex[66];
	uint8_t h[32];

	snprintf(file, sizeof file, "%s.env", name);
	put(file, env->p, env->len);
	if (body == NULL)
		return;
	crypto_generichash(h, 32, body, len, NULL, 0);
	crypt_hex(hex, h, 32);
	strcat(hex, "\n");
	snprintf(file, sizeof file, "%s.b2", name);
	put(file, hex, strlen(hex));
}

static struct buf
seal(const uint8_t (*pks)[32], size_t n, int kind, const char *name,
     const char *type, const uint8_t *body, size_t len)
{
	env_meta m = { .kind = kind };
	struct buf b = { 0 };
	env_sealer *s;

	snprintf(m.name, sizeof m.name, "%s", name);
	snprintf(m.type, sizeof m.type, "%s", type);
	if (env_seal_begin(&s, pks, n, &m, buf_add, &b) != 0 ||
	    env_seal_push(s, body, len) != 0 || env_seal_finish(s, NULL) != 0)
		exit(1);
	return b;
}

static struct buf
copy(const struct buf *b, size_t len)
{
	struct buf c = { 0 };

	buf_add(&c, b->p, len);
	return c;
}

/* --- the hand writer: one recipient, chunks exactly as asked --- */

struct raw {
	struct buf b;
	crypto_secretstream_xchacha20poly1305_state st;
};

static void
raw_begin(struct raw *w)
{
	uint8_t hdr[HDR1], fk[32], mk[32], sk[32];

	memset(w, 0, sizeof *w);
	memcpy(hdr, "sdEV\x01\x01\x00\x00", 8);
	randombytes_buf(fk, sizeof fk);
	crypto_kdf_derive_from_key(mk, 32, 1, "sdenvmac", fk);
	crypto_kdf_derive_from_key(sk, 32, 2, "sdenvstr", fk);
	crypto_box_seal(hdr + 8, fk, 32, test_pk);
	crypto_secretstream_xchacha20poly1305_init_push(&w->st, hdr + 88, sk);
	crypto_generichash(hdr + 112, 32, hdr, 112, mk, 32);
	buf_add(&w->b, hdr, sizeof hdr);
}

/* A chunk whose plaintext is used || body. */
static void
raw_chunk(struct raw *w, uint32_t used, const uint8_t *body, size_t len,
	  uint8_t tag)
{
	uint8_t *pt = calloc(1, 4 + len), *ct = malloc(4 + len + 17);

	if (pt == NULL || ct == NULL)
		exit(1);
	crypt_put32(pt, used);
	memcpy(pt + 4, body, len);
	crypto_secretstream_xchacha20poly1305_push(&w->st, ct, NULL, pt,
						   4 + len, NULL, 0, tag);
	buf_add(&w->b, ct, 4 + len + 17);
	free(pt);
	free(ct);
}

/* One FINAL chunk holding exactly the given content, unpadded. */
static void
raw_single(const char *name, const void *content, size_t len)
{
	struct raw w;

	raw_begin(&w);
	raw_chunk(&w, (uint32_t)len, content, len, TAG_FINAL);
	put_env(name, &w.b, NULL, 0);
	free(w.b.p);
}

/* A message record with empty name and type. */
static const uint8_t rec0[] = { ENV_MESSAGE, 0, 0 };

static void
write_raw(void)
{
	static uint8_t body[ENV_CHUNK];
	const uint8_t hand[] = { ENV_MESSAGE, 0, 0, 'h', 'a', 'n', 'd' };
	struct raw w;

	/* Valid though unpadded: padding is the sealer's choice. */
	raw_begin(&w);
	raw_chunk(&w, sizeof hand, hand, sizeof hand, TAG_FINAL);
	put_env("hand-made", &w.b, hand + 3, 4);
	free(w.b.p);

	raw_single("bad-record", "\x09\x00\x00", 3);
	raw_single("record-nul", "\x02\x03" "a\0b" "\x00", 6);
	memset(body, 't', 140);
	memcpy(body, "\x02\x00\x80", 3);
	raw_single("record-long-type", body, 3 + 128);
	raw_single("record-cut", "\x02\x05" "ab", 4);

	/* Padding that is not zero. */
	memset(body, 0, sizeof body);
	memcpy(body, rec0, 3);
	body[10] = 1;
	raw_begin(&w);
	raw_chunk(&w, 3, body, 20, TAG_FINAL);
	put_env("nonzero-padding", &w.b, NULL, 0);
	free(w.b.p);

	/* used longer than the chunk's body. */
	body[10] = 0;
	raw_begin(&w);
	raw_chunk(&w, 21, body, 20, TAG_FINAL);
	put_env("used-too-large", &w.b, NULL, 0);
	free(w.b.p);

	/* Content again after a padded chunk. */
	raw_begin(&w);
	raw_chunk(&w, 3, body, ENV_CHUNK, TAG_MESSAGE);
	raw_chunk(&w, 1, body + 3, 1, TAG_FINAL);
	put_env("content-after-padding", &w.b, NULL, 0);
	free(w.b.p);

	/* A short chunk not tagged FINAL, then nothing. */
	raw_begin(&w);
	raw_chunk(&w, 3, body, 3, TAG_MESSAGE);
	put_env("short-message-chunk", &w.b, NULL, 0);
	free(w.b.p);

	/* Full chunks only, none tagged FINAL. */
	raw_begin(&w);
	raw_chunk(&w, 3, body, ENV_CHUNK, TAG_MESSAGE);
	put_env("missing-final", &w.b, NULL, 0);
	free(w.b.p);

	/* A full FINAL chunk, whose end the opener knows, then a byte. */
	raw_begin(&w);
	raw_chunk(&w, 3, body, ENV_CHUNK, TAG_FINAL);
	buf_add(&w.b, (const uint8_t *)"x", 1);
	put_env("data-after-final", &w.b, NULL, 0);
	free(w.b.p);
}

/* Writes b with its byte at off xor'ed with 1. */
static void
put_flipped(const char *name, const struct buf *b, size_t off)
{
	struct buf c = copy(b, b->len);

	c.p[off] ^= 1;
	put_env(name, &c, NULL, 0);
	free(c.p);
}

/* Writes b with the n bytes at a and at a + n swapped. */
static void
put_swapped(const char *name, const struct buf *b, size_t a, size_t n)
{
	struct buf c = copy(b, b->len);

	memcpy(c.p + a, b->p + a + n, n);
	memcpy(c.p + a + n, b->p + a, n);
	put_env(name, &c, NULL, 0);
	free(c.p);
}

static void
write_sealed(void)
{
	static const char msg[] = "A short message for the newsroom.\n";
	static const char two[] = "One envelope, two recipients.\n";
	uint8_t pks[2][32], sk[32], *big;
	size_t biglen = 2 * ENV_CHUNK + 1000;
	struct buf m, t, r, c;
	char hex[66];

	/* message.env and its damaged copies. */
	m = seal(&test_pk, 1, ENV_MESSAGE, "message.txt",
		 "text/plain; charset=utf-8", (const uint8_t *)msg,
		 strlen(msg));
	put_env("message", &m, (const uint8_t *)msg, strlen(msg));
	put_flipped("bitflip-header", &m, 88);
	put_flipped("bitflip-mac", &m, HDR1 - 1);
	put_flipped("wrong-version", &m, 4);
	put_flipped("bad-magic", &m, 3);
	put_flipped("reserved-set", &m, 6);
	c = copy(&m, m.len);
	c.p[5] = 0;
	put_env("bad-recipient-count", &c, NULL, 0);
	c.p[5] = ENV_MAX_RECIPIENTS + 1;
	put_env("too-many-recipients", &c, NULL, 0);
	free(c.p);
	c = copy(&m, HDR1);
	put_env("truncated-after-header", &c, NULL, 0);
	free(c.p);
	c = copy(&m, m.len);
	buf_add(&c, (const uint8_t *)"x", 1);
	put_env("data-after-short-final", &c, NULL, 0);
	free(c.p);
	free(m.p);

	t = seal(&test_pk, 1, ENV_FILE, "empty.bin",
		 "application/octet-stream", NULL, 0);
	put_env("empty-file", &t, (const uint8_t *)"", 0);
	free(t.p);

	/* Three chunks: two full, one FINAL. */
	if ((big = malloc(biglen)) == NULL)
		exit(1);
	for (size_t i = 0; i < biglen; i++)
		big[i] = (uint8_t)(i * 31 + 7);
	t = seal(&test_pk, 1, ENV_FILE, "three.bin",
		 "application/octet-stream", big, biglen);
	put_env("three-chunks", &t, big, biglen);
	c = copy(&t, HDR1 + CT_FULL);
	put_env("truncated-at-chunk-boundary", &c, NULL, 0);
	free(c.p);
	c = copy(&t, HDR1 + CT_FULL + 30000);
	put_env("truncated-mid-chunk", &c, NULL, 0);
	free(c.p);
	put_flipped("bitflip-payload", &t, HDR1 + 100);
	put_swapped("reordered-chunks", &t, HDR1, CT_FULL);
	free(t.p);
	free(big);

	/* To the test key and a second one, whose secret is kept too. */
	memcpy(pks[0], test_pk, 32);
	crypto_box_keypair(pks[1], sk);
	crypt_hex(hex, sk, 32);
	strcat(hex, "\n");
	put("second.box_sk.hex", hex, strlen(hex));
	r = seal(pks, 2, ENV_REPLY, "", "", (const uint8_t *)two,
		 strlen(two));
	put_env("two-recipients", &r, (const uint8_t *)two, strlen(two));
	put_flipped("bitflip-stanza", &r, 8 + 80 + 40);
	put_swapped("swapped-stanzas", &r, 8, 80);
	c = copy(&r, 8 + 80);
	c.p[5] = 1;
	buf_add(&c, r.p + 8 + 160, r.len - 8 - 160);
	put_env("dropped-stanza", &c, NULL, 0);
	free(c.p);
	free(r.p);

	/* To a key whose secret is thrown away. */
	crypto_box_keypair(pks[1], sk);
	r = seal(&pks[1], 1, ENV_MESSAGE, "", "", (const uint8_t *)"x", 1);
	put_env("wrong-key", &r, NULL, 0);
	free(r.p);
	sodium_memzero(sk, sizeof sk);
}

int
main(int argc, char **argv)
{
	char path[4096];
	keys_pub pub;

	if (argc != 3 || strcmp(argv[1], "--write") != 0) {
		printf("usage: mkvec_env --write DIR\n"
		       "writes the envelope vectors into DIR, sealed to "
		       "DIR/../keys/test.pub\n");
		return 0;
	}
	dir = argv[2];
	snprintf(path, sizeof path, "%s/../keys/test.pub", dir);
	if (crypt_init() != 0 || keys_pub_load(path, &pub) != 0) {
		fprintf(stderr, "mkvec_env: cannot load %s\n", path);
		return 1;
	}
	memcpy(test_pk, pub.box_pk, 32);
	write_sealed();
	write_raw();
	return 0;
}
