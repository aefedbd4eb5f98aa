/*
 * test_bundle.c - export and outbox bundles: round trips, every refusal
 * of the readers and writers, damage at every offset, and the committed
 * vectors in tests/vectors/bundle/.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "bundle.h"
#include "crypt.h"
#include "dropkey.h"
#include "fileio.h"
#include "keys.h"

#define WHY 256
#define MiB (1u << 20)

/* --- what the readers' callbacks saw --- */

struct log {
	char text[4096];
	size_t n;
	unsigned calls;
	unsigned refuse_at; /* refuse the call with this number; 0: none */
	uint64_t bytes;
	size_t maxpiece;
	crypto_generichash_state data;
	const keys_pub *signer;
	uint8_t drop_pk[DROPKEY_PK]; /* what the export header named */
	int refuse_header;
};

static void log_init(struct log *l)
{
	memset(l, 0, sizeof *l);
	crypto_generichash_init(&l->data, NULL, 0, 32);
}

__attribute__((format(printf, 2, 3)))
static int log_add(struct log *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->text + l->n, sizeof l->text - l->n, fmt, ap);
	va_end(ap);
	assert_in_range(n, 0, (int)(sizeof l->text - l->n - 1));
	l->n += (size_t)n;
	return ++l->calls == l->refuse_at;
}

/* Not logged: every export has one, and the tests check it directly. */
static int on_drop(void *ctx, const uint8_t pk[DROPKEY_PK])
{
	struct log *l = ctx;

	memcpy(l->drop_pk, pk, DROPKEY_PK);
	return l->refuse_header;
}

static int on_source(void *ctx, const uint8_t pk[32], uint32_t day)
{
	return log_add(ctx, "source %02x %u\n", pk[0], day);
}

static int on_submission(void *ctx, const uint8_t id[BUNDLE_ID],
			 const uint8_t pk[32], uint32_t day, uint16_t nenv)
{
	return log_add(ctx, "submission %02x %02x %u %u\n", id[0], pk[0], day,
		       nenv);
}

static int on_envelope(void *ctx, uint16_t index, uint64_t len)
{
	return log_add(ctx, "envelope %u %llu\n", index,
		       (unsigned long long)len);
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct log *l = ctx;

	assert_true(len > 0);
	l->bytes += len;
	if (len > l->maxpiece)
		l->maxpiece = len;
	crypto_generichash_update(&l->data, buf, len);
	return ++l->calls == l->refuse_at;
}

static int on_receipt(void *ctx, const uint8_t id[BUNDLE_ID])
{
	return log_add(ctx, "receipt %02x\n", id[0]);
}

static int on_reply_status(void *ctx, const uint8_t id[BUNDLE_ID],
			   int status, uint32_t day)
{
	return log_add(ctx, "status %02x %d %u\n", id[0], status, day);
}

static int on_header(void *ctx, const uint8_t id[BUNDLE_ID], uint32_t day,
		     const keys_pub *signer)
{
	struct log *l = ctx;

	l->signer = signer;
	return log_add(ctx, "header %02x %u\n", id[0], day);
}

static int on_reply(void *ctx, const uint8_t id[BUNDLE_ID],
		    const uint8_t pk[32], const uint8_t *env, size_t len)
{
	struct log *l = ctx;

	crypto_generichash_update(&l->data, env, len);
	return log_add(ctx, "reply %02x %02x %zu\n", id[0], pk[0], len);
}

static int on_ack(void *ctx, const uint8_t id[BUNDLE_ID])
{
	return log_add(ctx, "ack %02x\n", id[0]);
}

static int on_status_ack(void *ctx, const uint8_t id[BUNDLE_ID], int status)
{
	return log_add(ctx, "status-ack %02x %d\n", id[0], status);
}

static bundle_export_cb export_cb(struct log *l)
{
	return (bundle_export_cb){ on_drop, on_source, on_submission,
				   on_envelope, on_data, on_receipt,
				   on_reply_status, l };
}

static bundle_outbox_cb outbox_cb(struct log *l)
{
	return (bundle_outbox_cb){ on_header, on_reply, on_ack, on_status_ack,
				   l };
}

/* The drop keys exports are signed with: dk, and another. */
static dropkey *dk, *dk_other;

/* --- bytes and files --- */

/* n bytes of tag; a few calls may share one expression. */
static const uint8_t *fill(uint8_t tag, size_t n)
{
	static uint8_t b[4][64];
	static unsigned next;
	uint8_t *p = b[next++ % 4];

	assert_true(n <= sizeof b[0]);
	memset(p, tag, n);
	return p;
}

/* Deterministic envelope bytes, any piece of an endless stream. */
static void pattern(uint8_t *p, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(((off + i) * 2654435761u) >> 13);
}

static int memfd(void)
{
	int fd = memfd_create("bundle", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* The whole content of a memfd, in a malloc'd buffer. */
static uint8_t *slurp_fd(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	uint8_t *buf;

	assert_true(end >= 0);
	assert_non_null(buf = malloc((size_t)end + 1));
	assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
	*len = (size_t)end;
	return buf;
}

static int fd_of(const uint8_t *buf, size_t len)
{
	int fd = memfd();

	assert_int_equal(fileio_write_all(fd, buf, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int export_bytes(const uint8_t *buf, size_t len, struct log *l,
			char *why)
{
	bundle_export_cb cb = export_cb(l);
	int fd = fd_of(buf, len), rc;

	log_init(l);
	rc = bundle_export_read(fd, &cb, why, WHY);
	close(fd);
	return rc;
}

/* --- hand-made bundles, for what the writers refuse to make --- */

struct raw {
	uint8_t b[8192];
	size_t n;
};

static void raw_put(struct raw *r, const void *p, size_t n)
{
	assert_true(n <= sizeof r->b - r->n);
	if (n > 0)
		memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void raw_header(struct raw *r, const char *magic, uint8_t version)
{
	r->n = 0;
	raw_put(r, magic, 4);
	raw_put(r, (uint8_t[4]){ version }, 4);
	if (memcmp(magic, "sdBO", 4) != 0)
		raw_put(r, dk->pk, DROPKEY_PK);
}

/* A record that claims len bytes and carries n. */
static void raw_rec(struct raw *r, uint8_t type, uint32_t len, const void *p,
		    size_t n)
{
	uint8_t h[5] = { type };

	crypt_put32(h + 1, len);
	raw_put(r, h, sizeof h);
	raw_put(r, p, n);
}

static void raw_fixed(struct raw *r, uint8_t type, size_t n, uint8_t tag)
{
	raw_rec(r, type, (uint32_t)n, fill(tag, n), n);
}

static void raw_submission(struct raw *r, uint16_t nenv)
{
	uint8_t p[54];

	memcpy(p, fill(0x21, 48), 48);
	crypt_put32(p + 48, 20001);
	crypt_put16(p + 52, nenv);
	raw_rec(r, 2, sizeof p, p, sizeof p);
}

static void raw_envelope(struct raw *r, uint16_t index, uint64_t len)
{
	uint8_t p[10];

	crypt_put16(p, index);
	crypt_put64(p + 2, len);
	raw_rec(r, 3, sizeof p, p, sizeof p);
}

/* Ed25519ph by sk over everything so far, appended. */
static void raw_sign_with(struct raw *r, const uint8_t *sk)
{
	crypto_sign_state st;
	uint8_t sig[64];

	crypto_sign_init(&st);
	crypto_sign_update(&st, r->b, r->n);
	crypto_sign_final_create(&st, sig, NULL, sk);
	raw_put(r, sig, sizeof sig);
}

static void raw_end(struct raw *r)
{
	raw_rec(r, 0x7f, 0, NULL, 0);
	raw_sign_with(r, dk->sk);
}

static void raw_outbox_version(struct raw *r, const keys_pub *pub,
			       uint8_t version)
{
	raw_header(r, "sdBO", version);
	raw_put(r, pub->id, KEYS_ID_BYTES);
	raw_put(r, fill(0x30, BUNDLE_ID), BUNDLE_ID);
	raw_put(r, (uint8_t[4]){ 0x20, 0x4e }, 4);
}

static void raw_outbox_header(struct raw *r, const keys_pub *pub)
{
	raw_outbox_version(r, pub, 2);
}

/* A REPLY_STATUS record (export) or, with day < 0, a STATUS_ACK record
 * (outbox), claiming len bytes and carrying the first n of the payload. */
static void raw_status(struct raw *r, uint8_t type, uint8_t status,
		       long long day, uint32_t len)
{
	uint8_t p[32] = { 0 };
	size_t n = day < 0 ? 17 : 21;

	memset(p, 0x61, BUNDLE_ID);
	p[BUNDLE_ID] = status;
	if (day >= 0)
		crypt_put32(p + BUNDLE_ID + 1, (uint32_t)day);
	raw_rec(r, type, len, p, len < n ? len : n);
	if (len > n)
		raw_put(r, fill(0, len - n), len - n);
}

static void raw_sign(struct raw *r, const keys_secret *k)
{
	raw_sign_with(r, k->sign_sk);
}

static void assert_export(const struct raw *r, int want)
{
	char why[WHY];
	struct log l;
	int rc = export_bytes(r->b, r->n, &l, why);

	if (rc != want)
		fail_msg("export read %d (%s), want %d", rc, why, want);
	if (want != 0)
		assert_true(why[0] != '\0');
}

static void assert_outbox(const struct raw *r, const keys_pub *pub, int want)
{
	bundle_outbox_cb cb;
	char why[WHY];
	struct log l;
	int rc;

	log_init(&l);
	cb = outbox_cb(&l);
	rc = bundle_outbox_parse(r->b, r->n, pub, 1, &cb, why, WHY);
	if (rc != want)
		fail_msg("outbox parse %d (%s), want %d", rc, why, want);
	if (want != 0)
		assert_int_equal(l.calls, 0);
}

/* --- export --- */

/* Writes a small bundle of every record kind to fd and returns what its
 * reader should log. */
static const char *write_small(int fd)
{
	bundle_export *b;
	uint8_t env[3000];

	pattern(env, sizeof env, 0);
	assert_int_equal(bundle_export_begin(&b, fd, dk), 0);
	assert_int_equal(bundle_export_source(b, fill(0x11, 32), 20000), 0);
	assert_int_equal(bundle_export_receipt(b, fill(0x41, 16)), 0);
	assert_int_equal(bundle_export_submission(b, fill(0x21, 16),
						  fill(0x11, 32), 20001, 2), 0);
	assert_int_equal(bundle_export_envelope(b, 1), 0);
	assert_int_equal(bundle_export_data(b, env, 1), 0);
	assert_int_equal(bundle_export_envelope(b, 2999), 0);
	assert_int_equal(bundle_export_data(b, env + 1, 1000), 0);
	assert_int_equal(bundle_export_data(b, env + 1001, 0), 0);
	assert_int_equal(bundle_export_data(b, env + 1001, 1999), 0);
	assert_int_equal(bundle_export_source(b, fill(0x12, 32), 20002), 0);
	assert_int_equal(bundle_export_receipt(b, fill(0x42, 16)), 0);
	assert_int_equal(bundle_export_reply_status(b, fill(0x42, 16),
						    BUNDLE_REPLY_READ, 20003),
			 0);
	assert_int_equal(bundle_export_reply_status(b, fill(0x43, 16),
						    BUNDLE_REPLY_DELETED,
						    0xfffffffe), 0);
	assert_int_equal(bundle_export_finish(b), 0);
	return "source 11 20000\n"
	       "receipt 41\n"
	       "submission 21 11 20001 2\n"
	       "envelope 0 1\n"
	       "envelope 1 2999\n"
	       "source 12 20002\n"
	       "receipt 42\n"
	       "status 42 1 20003\n"
	       "status 43 2 4294967294\n";
}

static uint8_t *small_export(size_t *len)
{
	int fd = memfd();
	uint8_t *buf;

	write_small(fd);
	buf = slurp_fd(fd, len);
	close(fd);
	return buf;
}

static void test_export_round_trip(void **state)
{
	uint8_t env[3000], want[32], got[32];
	const char *log;
	char why[WHY];
	size_t len;
	uint8_t *buf;
	struct log l;
	int fd = memfd();

	(void)state;
	log = write_small(fd);
	buf = slurp_fd(fd, &len);
	close(fd);
	assert_int_equal(export_bytes(buf, len, &l, why), 0);
	assert_string_equal(why, "");
	assert_string_equal(l.text, log);
	assert_int_equal(l.bytes, 3000);
	pattern(env, sizeof env, 0);
	crypto_generichash(want, 32, env, sizeof env, NULL, 0);
	crypto_generichash_final(&l.data, got, 32);
	assert_memory_equal(got, want, 32);

	/* Header, records, END and signature: nothing else. */
	assert_int_equal(len, 40 + 41 + 21 + 59 + 15 + 6 + 15 + 1005 + 2004 +
				  41 + 21 + 26 + 26 + 5 + 64);
	assert_memory_equal(buf, "sdBX\3\0\0\0", 8);
	/* REPLY_STATUS: reply_id || status u8 || day u32. */
	assert_memory_equal(buf + len - 64 - 5 - 2 * 26,
			    "\x06\x15\0\0\0BBBBBBBBBBBBBBBB\x01\x23\x4e\0\0",
			    26);
	assert_memory_equal(buf + 8, dk->pk, DROPKEY_PK);
	assert_memory_equal(l.drop_pk, dk->pk, DROPKEY_PK);
	/* No callbacks at all is fine too. */
	fd = fd_of(buf, len);
	assert_int_equal(bundle_export_read(fd, NULL, NULL, 0), 0);
	close(fd);
	free(buf);
}

/* An empty bundle is a bundle: the server had nothing to export. */
static void test_export_empty(void **state)
{
	bundle_export *b;
	char why[WHY];
	struct log l;
	size_t len;
	uint8_t *buf;
	int fd = memfd();

	(void)state;
	assert_int_equal(bundle_export_begin(&b, fd, dk), 0);
	assert_int_equal(bundle_export_finish(b), 0);
	buf = slurp_fd(fd, &len);
	close(fd);
	assert_int_equal(len, 40 + 5 + 64);
	assert_int_equal(export_bytes(buf, len, &l, why), 0);
	assert_int_equal(l.calls, 0);
	free(buf);
}

/* Several MiB through a pipe: the writer and reader both stream, so the
 * pipe's small buffer is enough, and no DATA piece exceeds the reader's
 * 64 KiB buffer. */
static void test_export_stream(void **state)
{
	enum { BIG = 5 * MiB + 3, PIECE = 100003 };
	crypto_generichash_state h;
	uint8_t *piece, want[32], got[32];
	int p[2], status, rc;
	bundle_export_cb cb;
	char why[WHY];
	struct log l;
	pid_t pid;

	(void)state;
	assert_non_null(piece = malloc(3 * MiB));
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		bundle_export *b;
		uint64_t off = 0;

		close(p[0]);
		rc = bundle_export_begin(&b, p[1], dk);
		rc |= bundle_export_source(b, fill(0x11, 32), 1);
		rc |= bundle_export_submission(b, fill(0x21, 16),
					       fill(0x11, 32), 1, 2);
		rc |= bundle_export_envelope(b, BIG);
		for (; off < BIG && rc == 0; off += PIECE) {
			size_t n = BIG - off < PIECE ? BIG - off : PIECE;

			pattern(piece, n, off);
			rc |= bundle_export_data(b, piece, n);
		}
		/* One call larger than a DATA record is split. */
		pattern(piece, 3 * MiB, 0);
		rc |= bundle_export_envelope(b, 3 * MiB);
		rc |= bundle_export_data(b, piece, 3 * MiB);
		rc |= bundle_export_finish(b);
		_exit(rc == 0 ? 0 : 1);
	}
	close(p[1]);
	log_init(&l);
	cb = export_cb(&l);
	rc = bundle_export_read(p[0], &cb, why, sizeof why);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (rc != 0)
		fail_msg("%s", why);
	assert_string_equal(l.text, "source 11 1\n"
				    "submission 21 11 1 2\n"
				    "envelope 0 5242883\n"
				    "envelope 1 3145728\n");
	assert_int_equal(l.bytes, (uint64_t)BIG + 3 * MiB);
	assert_true(l.maxpiece <= 65536);

	crypto_generichash_init(&h, NULL, 0, 32);
	for (uint64_t off = 0; off < BIG; off += PIECE) {
		size_t n = BIG - off < PIECE ? BIG - off : PIECE;

		pattern(piece, n, off);
		crypto_generichash_update(&h, piece, n);
	}
	pattern(piece, 3 * MiB, 0);
	crypto_generichash_update(&h, piece, 3 * MiB);
	crypto_generichash_final(&h, want, 32);
	crypto_generichash_final(&l.data, got, 32);
	assert_memory_equal(got, want, 32);
	free(piece);
}

static void test_export_writer_misuse(void **state)
{
	uint8_t byte = 0;
	bundle_export *b;
	int fd = memfd();

	(void)state;
	assert_int_equal(bundle_export_begin(&b, fd, dk), 0);
	/* Only the two statuses there are. */
	assert_int_equal(bundle_export_reply_status(b, fill(3, 16), 0, 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_reply_status(b, fill(3, 16), 3, 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_reply_status(b, fill(3, 16), -1, 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_envelope(b, 1), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_data(b, &byte, 1), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_submission(b, fill(1, 16),
						  fill(2, 32), 0, 0),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_submission(b, fill(1, 16), fill(2, 32),
						  0, BUNDLE_ENVELOPES_MAX + 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_submission(b, fill(1, 16), fill(2, 32),
						  0, 2), 0);
	assert_int_equal(bundle_export_data(b, &byte, 1), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_envelope(b, 0), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_envelope(b, BUNDLE_ENVELOPE_MAX + 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_source(b, fill(2, 32), 0),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_receipt(b, fill(3, 16)), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_reply_status(b, fill(3, 16),
						    BUNDLE_REPLY_READ, 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_export_submission(b, fill(1, 16), fill(2, 32),
						  0, 1), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_envelope(b, 2), 0);
	assert_int_equal(bundle_export_envelope(b, 2), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_data(b, fill(4, 3), 3), CRYPT_EUSAGE);
	assert_int_equal(bundle_export_data(b, fill(4, 2), 2), 0);
	assert_int_equal(bundle_export_data(b, &byte, 1), CRYPT_EUSAGE);
	/* One envelope of two still owed. */
	assert_int_equal(bundle_export_finish(b), CRYPT_EUSAGE);

	/* A writer whose fd refuses writes says so, at the latest when it
	 * finishes. */
	close(fd);
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 0);
	assert_int_equal(bundle_export_begin(&b, fd, dk), 0);
	assert_int_equal(bundle_export_source(b, fill(2, 32), 0), 0);
	assert_int_equal(bundle_export_finish(b), CRYPT_EIO);
	assert_int_equal(bundle_export_begin(&b, fd, dk), 0);
	bundle_export_abort(b);
	bundle_export_abort(NULL);
	close(fd);
}

static void test_export_refusals(void **state)
{
	static const struct {
		uint8_t type;
		size_t len;
	} bad[] = {
		{ 0x00, 0 }, { 0x06, 0 }, { 0x7e, 16 }, { 0x80, 0 },
		{ 0xff, 0 }, { 0x01, 35 }, { 0x01, 37 }, { 0x02, 53 },
		{ 0x02, 55 }, { 0x03, 9 }, { 0x03, 11 }, { 0x05, 15 },
		{ 0x05, 17 }, { 0x7f, 1 }, { 0x04, 0 }, { 0x06, 20 },
		{ 0x06, 22 }, { 0x07, 0 }, { 0x07, 21 },
	};
	/* Records that may not stand inside a submission, and their sizes. */
	static const struct {
		uint8_t type;
		size_t len;
	} inside[] = { { 1, 36 }, { 2, 54 }, { 5, 16 }, { 6, 21 },
		       { 0x7f, 0 } };
	struct raw r;

	(void)state;
	/* Both versions read: 2 (no REPLY_STATUS) and 3. */
	raw_header(&r, "sdBX", 2);
	raw_end(&r);
	assert_export(&r, 0);
	raw_header(&r, "sdBX", 3);
	raw_end(&r);
	assert_export(&r, 0);

	raw_header(&r, "sdBO", 1);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 4);
	raw_end(&r);
	assert_export(&r, CRYPT_EVERSION);
	raw_header(&r, "sdBX", 0xff);
	raw_end(&r);
	assert_export(&r, CRYPT_EVERSION);
	/* The unsigned exports of older drops are refused by name. */
	raw_header(&r, "sdBX", 1);
	raw_end(&r);
	assert_export(&r, CRYPT_EVERSION);
	raw_header(&r, "sdBX", 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EVERSION);
	raw_header(&r, "sdBX", 2);
	r.b[7] = 1;
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);

	/* Unknown types, and known ones of the wrong size, in both
	 * versions. */
	for (uint8_t v = 2; v <= 3; v++)
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			raw_header(&r, "sdBX", v);
			raw_fixed(&r, bad[i].type, bad[i].len, 0x55);
			raw_end(&r);
			assert_export(&r, CRYPT_EFORMAT);
		}

	/* Records out of place. */
	raw_header(&r, "sdBX", 2);
	raw_envelope(&r, 0, 1);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 2);
	raw_fixed(&r, 4, 1, 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);

	for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
		/* Between a SUBMISSION and its ENVELOPE, and between an
		 * ENVELOPE and its last DATA. */
		for (int half = 0; half < 2; half++) {
			raw_header(&r, "sdBX", 3);
			raw_submission(&r, 1);
			if (half) {
				raw_envelope(&r, 0, 2);
				raw_fixed(&r, 4, 1, 0);
			}
			raw_fixed(&r, inside[i].type, inside[i].len, 0);
			raw_end(&r);
			assert_export(&r, CRYPT_EFORMAT);
		}
	}

	/* Envelopes: count, order, sizes, and their DATA. */
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, BUNDLE_ENVELOPES_MAX + 1);
	raw_end(&r);
	assert_export(&r, CRYPT_ETOOBIG);
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 2);
	raw_envelope(&r, 1, 1);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 2);
	raw_envelope(&r, 0, 1);
	raw_fixed(&r, 4, 1, 0);
	raw_envelope(&r, 0, 1);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, BUNDLE_ENVELOPE_MAX + 1);
	raw_end(&r);
	assert_export(&r, CRYPT_ETOOBIG);
	/* Fewer envelopes than announced. */
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 2);
	raw_envelope(&r, 0, 1);
	raw_fixed(&r, 4, 1, 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	/* An envelope short of its bytes, before the next one... */
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 2);
	raw_envelope(&r, 0, 2);
	raw_fixed(&r, 4, 1, 0);
	raw_envelope(&r, 1, 1);
	raw_fixed(&r, 4, 1, 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	/* ...or overrun by one. */
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, 2);
	raw_fixed(&r, 4, 1, 0);
	raw_fixed(&r, 4, 2, 0);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
	/* Exactly filled in three pieces is right. */
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, 6);
	raw_fixed(&r, 4, 1, 0);
	raw_fixed(&r, 4, 2, 0);
	raw_fixed(&r, 4, 3, 0);
	raw_end(&r);
	assert_export(&r, 0);

	/* The end: nothing missing, nothing after, signature right. */
	raw_header(&r, "sdBX", 2);
	raw_fixed(&r, 1, 36, 0);
	assert_export(&r, CRYPT_ETRUNC);
	raw_end(&r);
	raw_put(&r, "", 1);
	assert_export(&r, CRYPT_ETRAIL);
	r.n--;
	r.b[r.n - 1] ^= 1;
	assert_export(&r, CRYPT_ESIG);
	r.n = 0;
	assert_export(&r, CRYPT_ETRUNC);

	/* A signature over the wrong bytes. */
	raw_header(&r, "sdBX", 2);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	{
		struct raw head = r;

		head.n = 8;
		raw_sign_with(&head, dk->sk);
		raw_put(&r, head.b + 8, 64);
	}
	assert_export(&r, CRYPT_ESIG);

	/* Naming one drop key and signed by another. */
	raw_header(&r, "sdBX", 2);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign_with(&r, dk_other->sk);
	assert_export(&r, CRYPT_ESIG);
	/* Naming the other key and signed by it: the reader accepts it and
	 * says which key it was; trusting it is the caller's decision. */
	raw_header(&r, "sdBX", 2);
	memcpy(r.b + 8, dk_other->pk, DROPKEY_PK);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign_with(&r, dk_other->sk);
	{
		char why[WHY];
		struct log l;

		assert_int_equal(export_bytes(r.b, r.n, &l, why), 0);
		assert_memory_equal(l.drop_pk, dk_other->pk, DROPKEY_PK);
		/* A header the caller refuses stops the read at once. */
		log_init(&l);
		l.refuse_header = 1;
		{
			bundle_export_cb cb = export_cb(&l);
			int fd = fd_of(r.b, r.n);

			assert_int_equal(bundle_export_read(fd, &cb, why,
							    WHY),
					 CRYPT_ESINK);
			close(fd);
		}
		assert_int_equal(l.calls, 0);
	}
	/* An outbox given to the export reader is named as such. */
	raw_header(&r, "sdBO", 1);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	{
		char why[WHY];
		struct log l;

		assert_int_equal(export_bytes(r.b, r.n, &l, why),
				 CRYPT_EFORMAT);
		assert_non_null(strstr(why, "outbox"));
	}
}

/* REPLY_STATUS: version 3 only, a status of 1 or 2, exactly 21 bytes,
 * between submissions. */
static void test_export_reply_status(void **state)
{
	static const uint8_t bad_status[] = { 0, 3, 0x80, 0xff };
	static const uint32_t bad_len[] = { 0, 16, 17, 20, 22, 0xffffffff };
	char why[WHY];
	struct raw r;
	struct log l;

	(void)state;
	raw_header(&r, "sdBX", 3);
	raw_status(&r, 6, BUNDLE_REPLY_READ, 20000, 21);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, 1);
	raw_fixed(&r, 4, 1, 0);
	raw_status(&r, 6, BUNDLE_REPLY_DELETED, 0xffffffffu, 21);
	raw_end(&r);
	assert_int_equal(export_bytes(r.b, r.n, &l, why), 0);
	assert_string_equal(l.text, "status 61 1 20000\n"
				    "submission 21 21 20001 1\n"
				    "envelope 0 1\n"
				    "status 61 2 4294967295\n");

	for (size_t i = 0; i < sizeof bad_status; i++) {
		raw_header(&r, "sdBX", 3);
		raw_status(&r, 6, bad_status[i], 20000, 21);
		raw_end(&r);
		assert_int_equal(export_bytes(r.b, r.n, &l, why),
				 CRYPT_EFORMAT);
		assert_non_null(strstr(why, "REPLY_STATUS status"));
		assert_int_equal(l.calls, 0);
	}
	for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++) {
		raw_header(&r, "sdBX", 3);
		raw_status(&r, 6, BUNDLE_REPLY_READ, 20000,
			   bad_len[i] < 64 ? bad_len[i] : 0);
		if (bad_len[i] >= 64)
			crypt_put32(r.b + r.n - 4, bad_len[i]);
		raw_end(&r);
		assert_int_equal(export_bytes(r.b, r.n, &l, why),
				 CRYPT_EFORMAT);
		assert_non_null(strstr(why, "REPLY_STATUS length"));
	}
	/* A version 2 export has no such record, however well made. */
	raw_header(&r, "sdBX", 2);
	raw_status(&r, 6, BUNDLE_REPLY_READ, 20000, 21);
	raw_end(&r);
	assert_int_equal(export_bytes(r.b, r.n, &l, why), CRYPT_EFORMAT);
	assert_string_equal(why, "record 1: REPLY_STATUS in a version 2 bundle "
				 "(it came with version 3)");
	assert_int_equal(l.calls, 0);
	/* The outbox's STATUS_ACK is no export record. */
	raw_header(&r, "sdBX", 3);
	raw_status(&r, 3, BUNDLE_REPLY_READ, -1, 17);
	raw_end(&r);
	assert_export(&r, CRYPT_EFORMAT);
}

static void test_export_caps(void **state)
{
	char why[WHY];
	struct raw r;
	struct log l;

	(void)state;
	/* The length is refused before any payload is read: these bundles
	 * end right after the record header. */
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, 3000000);
	raw_rec(&r, 4, 2000000, NULL, 0);
	assert_int_equal(export_bytes(r.b, r.n, &l, why), CRYPT_ETOOBIG);
	assert_string_equal(why,
			    "record 3: DATA length 2000000 over cap 1048576");
	assert_int_equal(l.calls, 2);
	assert_int_equal(l.bytes, 0);

	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, 0xffffffffull + 1);
	raw_rec(&r, 4, 0xffffffff, NULL, 0);
	assert_export(&r, CRYPT_ETOOBIG);
	raw_header(&r, "sdBX", 2);
	raw_submission(&r, 1);
	raw_envelope(&r, 0, BUNDLE_DATA_MAX);
	raw_rec(&r, 4, BUNDLE_DATA_MAX, NULL, 0);
	assert_export(&r, CRYPT_ETRUNC);
	raw_header(&r, "sdBX", 2);
	raw_rec(&r, 1, 0xffffffff, NULL, 0);
	assert_export(&r, CRYPT_EFORMAT);
	raw_header(&r, "sdBX", 2);
	raw_rec(&r, 0x7f, 0x80000000, NULL, 0);
	assert_export(&r, CRYPT_EFORMAT);
}

static void test_export_sink_and_io(void **state)
{
	char why[WHY];
	size_t len;
	uint8_t *buf = small_export(&len);
	struct log l;
	int fd;

	(void)state;
	/* Each callback in turn refuses: the read stops there. */
	for (unsigned at = 1; at <= 12; at++) {
		bundle_export_cb cb;

		log_init(&l);
		l.refuse_at = at;
		cb = export_cb(&l);
		fd = fd_of(buf, len);
		assert_int_equal(bundle_export_read(fd, &cb, why, WHY),
				 CRYPT_ESINK);
		assert_int_equal(l.calls, at);
		close(fd);
	}
	assert_true((fd = open("/", O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(bundle_export_read(fd, NULL, why, WHY), CRYPT_EIO);
	close(fd);
	free(buf);
}

/* Any byte changed, or any prefix alone, is refused. */
static void test_export_damage(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	char why[WHY];
	size_t len;
	uint8_t *buf = small_export(&len);
	struct log l;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			buf[i] ^= masks[m];
			if (export_bytes(buf, len, &l, why) == 0)
				fail_msg("byte %zu ^ %02x accepted", i,
					 masks[m]);
			buf[i] ^= masks[m];
		}
	}
	for (size_t n = 0; n < len; n++)
		if (export_bytes(buf, n, &l, why) != CRYPT_ETRUNC)
			fail_msg("prefix of %zu bytes: %s", n, why);
	assert_int_equal(export_bytes(buf, len, &l, why), 0);
	free(buf);
}

/* --- outbox --- */

static keys_secret *key_a, *key_b;

static int keys_setup(void **state)
{
	(void)state;
	key_a = keys_generate();
	key_b = keys_generate();
	dk = dropkey_generate();
	dk_other = dropkey_generate();
	return key_a != NULL && key_b != NULL && dk != NULL &&
	       dk_other != NULL ? 0 : -1;
}

static int keys_teardown(void **state)
{
	(void)state;
	keys_secret_free(key_a);
	keys_secret_free(key_b);
	dropkey_free(dk);
	dropkey_free(dk_other);
	return 0;
}

static uint8_t *small_outbox(const keys_secret *k, size_t *len)
{
	uint8_t env[1000];
	bundle_outbox *b;
	uint8_t *buf;
	int fd = memfd();

	pattern(env, sizeof env, 0);
	assert_int_equal(bundle_outbox_begin(&b, fd, k, fill(0x30, 16), 20000),
			 0);
	assert_int_equal(bundle_outbox_reply(b, fill(0x51, 16), fill(0x11, 32),
					     env, 1), 0);
	assert_int_equal(bundle_outbox_ack(b, fill(0x21, 16)), 0);
	assert_int_equal(bundle_outbox_reply(b, fill(0x52, 16), fill(0x12, 32),
					     env, sizeof env), 0);
	assert_int_equal(bundle_outbox_status_ack(b, fill(0x41, 16),
						  BUNDLE_REPLY_READ), 0);
	assert_int_equal(bundle_outbox_status_ack(b, fill(0x42, 16),
						  BUNDLE_REPLY_DELETED), 0);
	assert_int_equal(bundle_outbox_finish(b), 0);
	buf = slurp_fd(fd, len);
	close(fd);
	return buf;
}

static const char small_outbox_log[] =
	"header 30 20000\n"
	"reply 51 11 1\n"
	"ack 21\n"
	"reply 52 12 1000\n"
	"status-ack 41 1\n"
	"status-ack 42 2\n";

static void test_outbox_round_trip(void **state)
{
	keys_pub trusted[2] = { key_b->pub, key_a->pub };
	bundle_outbox_cb cb;
	char why[WHY];
	struct log l;
	size_t len;
	uint8_t *buf = small_outbox(key_a, &len);
	int fd, p[2];

	(void)state;
	assert_int_equal(len, 36 + (5 + 49) + (5 + 16) + (5 + 1048) +
				  2 * (5 + 17) + 5 + 64);
	assert_memory_equal(buf, "sdBO\2\0\0\0", 8);
	/* STATUS_ACK: reply_id || status u8. */
	assert_memory_equal(buf + len - 64 - 5 - 22,
			    "\x03\x11\0\0\0BBBBBBBBBBBBBBBB\x02", 22);
	assert_memory_equal(buf + 8, key_a->pub.id, KEYS_ID_BYTES);

	log_init(&l);
	cb = outbox_cb(&l);
	assert_int_equal(bundle_outbox_parse(buf, len, trusted, 2, &cb, why,
					     WHY), 0);
	assert_string_equal(why, "");
	assert_string_equal(l.text, small_outbox_log);
	assert_ptr_equal(l.signer, &trusted[1]);

	log_init(&l);
	fd = fd_of(buf, len);
	assert_int_equal(bundle_outbox_read(fd, trusted, 2, &cb, why, WHY), 0);
	close(fd);
	assert_string_equal(l.text, small_outbox_log);
	assert_int_equal(bundle_outbox_parse(buf, len, trusted, 2, NULL, NULL,
					     0), 0);

	/* Through a pipe, which has no size to ask for. */
	log_init(&l);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fileio_write_all(p[1], buf, len), 0);
	close(p[1]);
	assert_int_equal(bundle_outbox_read(p[0], trusted, 2, &cb, why, WHY),
			 0);
	close(p[0]);
	assert_string_equal(l.text, small_outbox_log);
	free(buf);
}

static void test_outbox_largest_reply(void **state)
{
	uint8_t *env, *buf;
	bundle_outbox *b;
	bundle_outbox_cb cb;
	struct log l;
	size_t len;
	int fd = memfd();

	(void)state;
	assert_non_null(env = calloc(1, BUNDLE_REPLY_MAX + 1));
	assert_int_equal(bundle_outbox_begin(&b, fd, key_a, fill(0x30, 16), 1),
			 0);
	assert_int_equal(bundle_outbox_reply(b, fill(1, 16), fill(2, 32), env,
					     0), CRYPT_EUSAGE);
	assert_int_equal(bundle_outbox_reply(b, fill(1, 16), fill(2, 32), env,
					     BUNDLE_REPLY_MAX + 1),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_outbox_reply(b, fill(1, 16), fill(2, 32), env,
					     BUNDLE_REPLY_MAX), 0);
	assert_int_equal(bundle_outbox_finish(b), 0);
	buf = slurp_fd(fd, &len);
	close(fd);
	log_init(&l);
	cb = outbox_cb(&l);
	assert_int_equal(bundle_outbox_parse(buf, len, &key_a->pub, 1, &cb,
					     NULL, 0), 0);
	assert_string_equal(l.text, "header 30 1\nreply 01 02 1048576\n");

	/* A writer that cannot write says so when it finishes. */
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 0);
	assert_int_equal(bundle_outbox_begin(&b, fd, key_a, fill(0x30, 16), 1),
			 0);
	assert_int_equal(bundle_outbox_finish(b), CRYPT_EIO);
	assert_int_equal(bundle_outbox_begin(&b, fd, key_a, fill(0x30, 16), 1),
			 0);
	bundle_outbox_abort(b);
	bundle_outbox_abort(NULL);
	close(fd);
	free(buf);
	free(env);
}

static void test_outbox_signers(void **state)
{
	keys_pub impostor = key_a->pub;
	bundle_outbox_cb cb;
	char why[WHY];
	struct raw r;
	struct log l;
	size_t len;
	uint8_t *buf = small_outbox(key_b, &len);

	(void)state;
	log_init(&l);
	cb = outbox_cb(&l);
	/* Signed by a key we do not trust. */
	assert_int_equal(bundle_outbox_parse(buf, len, &key_a->pub, 1, &cb,
					     why, WHY), CRYPT_ESIG);
	assert_int_equal(bundle_outbox_parse(buf, len, NULL, 0, &cb, why, WHY),
			 CRYPT_ESIG);
	/* A trusted entry that claims the signer's id is not enough. */
	memcpy(impostor.id, key_b->pub.id, KEYS_ID_BYTES);
	assert_int_equal(bundle_outbox_parse(buf, len, &impostor, 1, &cb, why,
					     WHY), CRYPT_ESIG);
	/* The header names key_b, but key_a signed. */
	memcpy(r.b, buf, len - 64);
	r.n = len - 64;
	raw_sign(&r, key_a);
	assert_outbox(&r, &key_a->pub, CRYPT_ESIG);
	assert_outbox(&r, &key_b->pub, CRYPT_ESIG);
	assert_int_equal(l.calls, 0);
	free(buf);
}

static void test_outbox_damage(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	bundle_outbox_cb cb;
	char why[WHY];
	struct log l;
	size_t len;
	uint8_t *buf = small_outbox(key_a, &len), *more;

	(void)state;
	log_init(&l);
	cb = outbox_cb(&l);
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			buf[i] ^= masks[m];
			if (bundle_outbox_parse(buf, len, &key_a->pub, 1, &cb,
						why, WHY) == 0)
				fail_msg("byte %zu ^ %02x accepted", i,
					 masks[m]);
			buf[i] ^= masks[m];
		}
	}
	for (size_t n = 0; n < len; n++)
		if (bundle_outbox_parse(buf, n, &key_a->pub, 1, &cb, why,
					WHY) == 0)
			fail_msg("prefix of %zu bytes accepted", n);
	assert_int_equal(l.calls, 0);
	assert_int_equal(bundle_outbox_parse(buf, 104, &key_a->pub, 1, &cb,
					     why, WHY), CRYPT_ETRUNC);

	/* Bytes after the signature break it. */
	assert_non_null(more = malloc(len + 1));
	memcpy(more, buf, len);
	more[len] = 0;
	assert_int_equal(bundle_outbox_parse(more, len + 1, &key_a->pub, 1,
					     &cb, why, WHY), CRYPT_ESIG);
	assert_int_equal(l.calls, 0);
	free(more);
	free(buf);
}

/* What only a signer could make: the structure behind the signature is
 * checked whole before any callback runs. */
static void test_outbox_structure(void **state)
{
	static const struct {
		uint8_t type;
		uint32_t len;
		int want;
	} bad[] = {
		{ 0x00, 0, CRYPT_EFORMAT }, { 0x03, 0, CRYPT_EFORMAT },
		{ 0x03, 16, CRYPT_EFORMAT }, { 0x03, 18, CRYPT_EFORMAT },
		{ 0x04, 0, CRYPT_EFORMAT }, { 0x05, 16, CRYPT_EFORMAT },
		{ 0x7e, 0, CRYPT_EFORMAT }, { 0x01, 48, CRYPT_EFORMAT },
		{ 0x01, 0, CRYPT_EFORMAT }, { 0x02, 15, CRYPT_EFORMAT },
		{ 0x02, 17, CRYPT_EFORMAT }, { 0x7f, 1, CRYPT_EFORMAT },
		{ 0x01, 48 + BUNDLE_REPLY_MAX + 1, CRYPT_ETOOBIG },
		{ 0x01, 0xffffffff, CRYPT_ETOOBIG },
		{ 0x01, 200, CRYPT_ETRUNC }, /* runs past the END */
	};
	const keys_pub *pub = &key_a->pub;
	uint8_t ok[48 + 1] = { 0 };
	struct raw r;

	(void)state;
	raw_outbox_header(&r, pub);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, 0);

	raw_header(&r, "sdBX", 2);
	raw_put(&r, pub->id, KEYS_ID_BYTES);
	raw_put(&r, fill(0, 20), 20);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_EFORMAT);
	/* Versions 1 and 2 are read; 0 and 3 are not. */
	raw_outbox_version(&r, pub, 1);
	raw_rec(&r, 2, 16, fill(0, 16), 16);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, 0);
	for (int v = 0; v <= 3; v += 3) {
		raw_outbox_version(&r, pub, (uint8_t)v);
		raw_rec(&r, 0x7f, 0, NULL, 0);
		raw_sign(&r, key_a);
		assert_outbox(&r, pub, CRYPT_EVERSION);
	}
	raw_outbox_header(&r, pub);
	r.b[6] = 1;
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_EFORMAT);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		raw_outbox_header(&r, pub);
		/* A good record first: its callback must not run either. */
		raw_rec(&r, 1, sizeof ok, ok, sizeof ok);
		raw_rec(&r, bad[i].type, bad[i].len, fill(0, 16),
			bad[i].len < 16 ? bad[i].len : 16);
		raw_rec(&r, 0x7f, 0, NULL, 0);
		raw_sign(&r, key_a);
		assert_outbox(&r, pub, bad[i].want);
	}

	/* No END, and bytes after it. */
	raw_outbox_header(&r, pub);
	raw_rec(&r, 2, 16, fill(0, 16), 16);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_ETRUNC);
	raw_outbox_header(&r, pub);
	raw_rec(&r, 2, 16, fill(0, 16), 16);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_put(&r, "x", 1);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_ETRAIL);
	raw_outbox_header(&r, pub);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_rec(&r, 2, 16, fill(0, 16), 16);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_ETRAIL);
}

/* STATUS_ACK: version 2 only, a status of 1 or 2, exactly 17 bytes; a
 * bad one anywhere stops every callback. */
static void test_outbox_status_ack(void **state)
{
	static const uint8_t bad_status[] = { 0, 3, 0x80, 0xff };
	const keys_pub *pub = &key_a->pub;
	uint8_t ok[48 + 1] = { 0 };
	bundle_outbox_cb cb;
	bundle_outbox *b;
	struct raw r;
	struct log l;
	char why[WHY], want[WHY];
	int fd;

	(void)state;
	raw_outbox_header(&r, pub);
	raw_status(&r, 3, BUNDLE_REPLY_DELETED, -1, 17);
	raw_rec(&r, 2, 16, fill(0x21, 16), 16);
	raw_status(&r, 3, BUNDLE_REPLY_READ, -1, 17);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	log_init(&l);
	cb = outbox_cb(&l);
	assert_int_equal(bundle_outbox_parse(r.b, r.n, pub, 1, &cb, why, WHY),
			 0);
	assert_string_equal(l.text, "header 30 20000\n"
				    "status-ack 61 2\n"
				    "ack 21\n"
				    "status-ack 61 1\n");

	for (size_t i = 0; i < sizeof bad_status; i++) {
		raw_outbox_header(&r, pub);
		raw_rec(&r, 1, sizeof ok, ok, sizeof ok);
		raw_status(&r, 3, bad_status[i], -1, 17);
		raw_rec(&r, 0x7f, 0, NULL, 0);
		raw_sign(&r, key_a);
		assert_outbox(&r, pub, CRYPT_EFORMAT);
		assert_int_equal(bundle_outbox_parse(r.b, r.n, pub, 1, NULL,
						     why, WHY), CRYPT_EFORMAT);
		snprintf(want, sizeof want, "record 2: STATUS_ACK status %u, "
			 "must be 1 (read) or 2 (deleted)", bad_status[i]);
		assert_string_equal(why, want);
	}
	/* A version 1 outbox has no such record. */
	raw_outbox_version(&r, pub, 1);
	raw_rec(&r, 1, sizeof ok, ok, sizeof ok);
	raw_status(&r, 3, BUNDLE_REPLY_READ, -1, 17);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_EFORMAT);
	assert_int_equal(bundle_outbox_parse(r.b, r.n, pub, 1, NULL, why, WHY),
			 CRYPT_EFORMAT);
	assert_string_equal(why, "record 2: STATUS_ACK in a version 1 bundle "
				 "(it came with version 2)");
	/* The export's REPLY_STATUS is no outbox record. */
	raw_outbox_header(&r, pub);
	raw_status(&r, 6, BUNDLE_REPLY_READ, 20000, 21);
	raw_rec(&r, 0x7f, 0, NULL, 0);
	raw_sign(&r, key_a);
	assert_outbox(&r, pub, CRYPT_EFORMAT);

	/* The writer makes only the two statuses there are. */
	fd = memfd();
	assert_int_equal(bundle_outbox_begin(&b, fd, key_a, fill(0x30, 16), 1),
			 0);
	assert_int_equal(bundle_outbox_status_ack(b, fill(1, 16), 0),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_outbox_status_ack(b, fill(1, 16), 3),
			 CRYPT_EUSAGE);
	assert_int_equal(bundle_outbox_status_ack(b, fill(1, 16), -1),
			 CRYPT_EUSAGE);
	bundle_outbox_abort(b);
	close(fd);
}

static void test_outbox_caps_and_sink(void **state)
{
	bundle_outbox_cb cb;
	char why[WHY];
	struct log l;
	size_t len;
	uint8_t *buf = small_outbox(key_a, &len), *huge;
	int fd;

	(void)state;
	/* Refused by size alone, unread. */
	assert_non_null(huge = calloc(1, BUNDLE_OUTBOX_MAX + 1));
	memcpy(huge, buf, len);
	assert_int_equal(bundle_outbox_parse(huge, BUNDLE_OUTBOX_MAX + 1,
					     &key_a->pub, 1, NULL, why, WHY),
			 CRYPT_ETOOBIG);
	free(huge);
	fd = memfd();
	assert_int_equal(ftruncate(fd, BUNDLE_OUTBOX_MAX + 1), 0);
	assert_int_equal(bundle_outbox_read(fd, &key_a->pub, 1, NULL, why,
					    WHY), CRYPT_ETOOBIG);
	close(fd);
	assert_true((fd = open("/", O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(bundle_outbox_read(fd, &key_a->pub, 1, NULL, why,
					    WHY), CRYPT_EIO);
	close(fd);

	for (unsigned at = 1; at <= 6; at++) {
		log_init(&l);
		l.refuse_at = at;
		cb = outbox_cb(&l);
		assert_int_equal(bundle_outbox_parse(buf, len, &key_a->pub, 1,
						     &cb, why, WHY),
				 CRYPT_ESINK);
		assert_int_equal(l.calls, at);
	}
	free(buf);
}

/* --- committed vectors --- */

static void vector_path(char *out, size_t n, const char *name)
{
	const char *top = getenv("SEALDROP_TOP");

	snprintf(out, n, "%s/tests/vectors/bundle/%s", top ? top : ".", name);
}

static void test_vectors(void **state)
{
	static const struct {
		const char *name;
		int want;
		const char *why; /* in the reason, when the fault is subtle */
	} vec[] = {
		{ "export.bin", 0, NULL },
		{ "export-empty.bin", 0, NULL },
		{ "other-drop.bin", 0, NULL },
		{ "bad-magic.bin", CRYPT_EFORMAT, NULL },
		{ "wrong-version.bin", CRYPT_EVERSION, NULL },
		{ "version-1.bin", CRYPT_EVERSION, NULL },
		{ "truncated.bin", CRYPT_ETRUNC, NULL },
		{ "truncated-signature.bin", CRYPT_ETRUNC, NULL },
		{ "flipped-byte.bin", CRYPT_ESIG, NULL },
		{ "wrong-signer.bin", CRYPT_ESIG, NULL },
		{ "another-signature.bin", CRYPT_ESIG, NULL },
		{ "oversized-length.bin", CRYPT_ETOOBIG, NULL },
		{ "data-after-signature.bin", CRYPT_ETRAIL, NULL },
		{ "missing-end.bin", CRYPT_ETRUNC, NULL },
		{ "envelope-short.bin", CRYPT_EFORMAT, NULL },
		{ "unknown-record.bin", CRYPT_EFORMAT, NULL },
		{ "export-v3.bin", 0, NULL },
		{ "reply-status-bad-status.bin", CRYPT_EFORMAT,
		  "record 4: REPLY_STATUS status 3" },
		{ "reply-status-bad-length.bin", CRYPT_EFORMAT,
		  "REPLY_STATUS length 20, must be 21" },
		{ "reply-status-in-v2.bin", CRYPT_EFORMAT,
		  "record 4: REPLY_STATUS in a version 2 bundle" },
		{ "reply-status-inside.bin", CRYPT_EFORMAT,
		  "REPLY_STATUS inside an unfinished submission" },
		{ "outbox.bin", 0, NULL },
		{ "outbox-wrong-signer.bin", CRYPT_ESIG, NULL },
		{ "outbox-flipped.bin", CRYPT_ESIG, NULL },
		{ "outbox-trailing.bin", CRYPT_ESIG, NULL },
		{ "outbox-v2.bin", 0, NULL },
		{ "outbox-status-bad.bin", CRYPT_EFORMAT,
		  "record 3: STATUS_ACK status 0" },
		{ "outbox-status-length.bin", CRYPT_EFORMAT,
		  "STATUS_ACK length 16, must be 17" },
		{ "outbox-status-in-v1.bin", CRYPT_EFORMAT,
		  "record 3: STATUS_ACK in a version 1 bundle" },
		{ "outbox-wrong-version.bin", CRYPT_EVERSION,
		  "outbox bundle version 3 not supported" },
	};
	char path[4096], why[WHY];
	keys_pub signer;
	dropkey *drop;
	struct log l;

	(void)state;
	vector_path(path, sizeof path, "../keys/test.pub");
	assert_int_equal(keys_pub_load(path, &signer), 0);
	vector_path(path, sizeof path, "drop.key");
	assert_int_equal(dropkey_load(path, &drop), 0);
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		int fd, rc;

		vector_path(path, sizeof path, vec[i].name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			fail_msg("cannot open %s", path);
		log_init(&l);
		if (strncmp(vec[i].name, "outbox", 6) == 0) {
			bundle_outbox_cb cb = outbox_cb(&l);

			rc = bundle_outbox_read(fd, &signer, 1, &cb, why, WHY);
		} else {
			bundle_export_cb cb = export_cb(&l);

			rc = bundle_export_read(fd, &cb, why, WHY);
		}
		close(fd);
		if (rc != vec[i].want)
			fail_msg("%s: %d (%s), want %d", vec[i].name, rc, why,
				 vec[i].want);
		if (vec[i].why != NULL && strstr(why, vec[i].why) == NULL)
			fail_msg("%s: \"%s\", not \"%s\"", vec[i].name, why,
				 vec[i].why);
		/* Every export that verifies names the test drop key, but
		 * the one a stick attacker signed with a key of their own. */
		if (rc == 0 && strncmp(vec[i].name, "outbox", 6) != 0)
			assert_int_equal(memcmp(l.drop_pk, drop->pk,
						DROPKEY_PK) == 0,
					 strcmp(vec[i].name,
						"other-drop.bin") != 0);
		if (strcmp(vec[i].name, "export.bin") == 0) {
			assert_string_equal(l.text, "source 11 20000\n"
						    "source 12 20001\n"
						    "receipt 41\n"
						    "submission 21 11 20002 2\n"
						    "envelope 0 100\n"
						    "envelope 1 5000\n");
			assert_int_equal(l.bytes, 5100);
		} else if (strcmp(vec[i].name, "export-v3.bin") == 0) {
			assert_string_equal(l.text, "source 11 20000\n"
						    "source 12 20001\n"
						    "receipt 41\n"
						    "status 41 1 20004\n"
						    "submission 21 11 20002 2\n"
						    "envelope 0 100\n"
						    "envelope 1 5000\n"
						    "status 42 2 20005\n");
			assert_int_equal(l.bytes, 5100);
		} else if (strcmp(vec[i].name, "outbox.bin") == 0) {
			assert_string_equal(l.text, "header 30 20003\n"
						    "reply 51 11 300\n"
						    "ack 21\n");
		} else if (strcmp(vec[i].name, "outbox-v2.bin") == 0) {
			assert_string_equal(l.text, "header 30 20003\n"
						    "reply 51 11 300\n"
						    "ack 21\n"
						    "status-ack 41 1\n"
						    "status-ack 42 2\n");
		} else if (strncmp(vec[i].name, "outbox", 6) == 0) {
			assert_int_equal(l.calls, 0);
		}
	}
	dropkey_free(drop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_round_trip),
		cmocka_unit_test(test_export_empty),
		cmocka_unit_test(test_export_stream),
		cmocka_unit_test(test_export_writer_misuse),
		cmocka_unit_test(test_export_refusals),
		cmocka_unit_test(test_export_reply_status),
		cmocka_unit_test(test_export_caps),
		cmocka_unit_test(test_export_sink_and_io),
		cmocka_unit_test(test_export_damage),
		cmocka_unit_test(test_outbox_round_trip),
		cmocka_unit_test(test_outbox_largest_reply),
		cmocka_unit_test(test_outbox_signers),
		cmocka_unit_test(test_outbox_damage),
		cmocka_unit_test(test_outbox_structure),
		cmocka_unit_test(test_outbox_status_ack),
		cmocka_unit_test(test_outbox_caps_and_sink),
		cmocka_unit_test(test_vectors),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
