/*
 * bundle.c - export and outbox bundles: writers and readers.
 *
 * Both formats are a header and records of `type u8 || len u32 ||
 * payload`. The readers are the air-gapped machine's and the server's
 * only door for foreign bytes, so each record's length is checked against
 * its type before the payload is touched, and the export reader never
 * holds more than one 64 KiB buffer whatever the file claims.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"
#include "dropkey.h"
#include "fileio.h"

#define IO_BUF 65536
#define HDR 8      /* magic[4] || version u8 || three zero bytes */
#define REC_HDR 5  /* type u8 || len u32 */
/* Version 1 exports carried an unkeyed checksum that anyone could redo
 * and are refused; version 2 is signed by the drop's key; version 3 adds
 * REPLY_STATUS. Outbox version 2 adds STATUS_ACK. Each writer writes its
 * newest version; each reader reads from the MIN one on, and refuses a
 * record in a version older than the record. */
#define EXPORT_VERSION 3
#define EXPORT_VERSION_MIN 2
#define OUTBOX_VERSION 2
#define OUTBOX_VERSION_MIN 1
/* HDR || drop_pk[32] */
#define EXPORT_HDR (HDR + DROPKEY_PK)
/* HDR || keyid[8] || bundle_id[16] || day u32 */
#define OUTBOX_HDR (HDR + KEYS_ID_BYTES + BUNDLE_ID + 4)
#define SIG crypto_sign_BYTES

enum { X_SOURCE = 1, X_SUBMISSION, X_ENVELOPE, X_DATA, X_RECEIPT,
       X_REPLY_STATUS };
enum { OB_REPLY = 1, OB_ACK, OB_STATUS_ACK };
enum { REC_END = 0x7f };

static const uint8_t export_magic[4] = { 's', 'd', 'B', 'X' };
static const uint8_t outbox_magic[4] = { 's', 'd', 'B', 'O' };

/* reply_id[16] || status u8 || day u32; reply_id[16] || status u8 */
#define REPLY_STATUS_LEN (BUNDLE_ID + 1 + 4)
#define STATUS_ACK_LEN (BUNDLE_ID + 1)

/* A record type, the payload lengths it may have, and the first bundle
 * version that has it. */
struct kind {
	uint8_t type;
	const char *name;
	uint32_t min, max;
	uint8_t since;
};

static const struct kind export_kinds[] = {
	{ X_SOURCE, "SOURCE", 36, 36, 2 },
	{ X_SUBMISSION, "SUBMISSION", 54, 54, 2 },
	{ X_ENVELOPE, "ENVELOPE", 10, 10, 2 },
	{ X_DATA, "DATA", 1, BUNDLE_DATA_MAX, 2 },
	{ X_RECEIPT, "RECEIPT", BUNDLE_ID, BUNDLE_ID, 2 },
	{ X_REPLY_STATUS, "REPLY_STATUS", REPLY_STATUS_LEN, REPLY_STATUS_LEN,
	  3 },
	{ REC_END, "END", 0, 0, 2 },
	{ 0, NULL, 0, 0, 0 }
};

static const struct kind outbox_kinds[] = {
	{ OB_REPLY, "REPLY", 48 + 1, 48 + BUNDLE_REPLY_MAX, 1 },
	{ OB_ACK, "ACK", BUNDLE_ID, BUNDLE_ID, 1 },
	{ OB_STATUS_ACK, "STATUS_ACK", STATUS_ACK_LEN, STATUS_ACK_LEN, 2 },
	{ REC_END, "END", 0, 0, 1 },
	{ 0, NULL, 0, 0, 0 }
};

__attribute__((format(printf, 4, 5)))
static int say(char *why, size_t whylen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int status_valid(int status)
{
	return status == BUNDLE_REPLY_READ || status == BUNDLE_REPLY_DELETED;
}

/* A status byte read from a bundle: 0, or CRYPT_EFORMAT with the reason. */
static int status_check(uint8_t status, unsigned long rec, const char *name,
			char *why, size_t whylen)
{
	if (status_valid(status))
		return 0;
	return say(why, whylen, CRYPT_EFORMAT,
		   "record %lu: %s status %u, must be 1 (read) or 2 (deleted)",
		   rec, name, status);
}

/* Finds a record's kind and checks its length before the payload is read:
 * a fixed-size record of another size is malformed, a variable one over
 * its cap is too big. A record newer than the bundle's version is
 * malformed whatever its length: that version has no such record. */
static int kind_check(const struct kind *k, uint8_t version,
		      unsigned long rec, uint8_t type, uint32_t len,
		      const struct kind **out, char *why, size_t whylen)
{
	for (; k->name != NULL; k++)
		if (k->type == type)
			break;
	*out = k;
	if (k->name == NULL)
		return say(why, whylen, CRYPT_EFORMAT,
			   "record %lu: unknown type 0x%02x", rec, type);
	if (version < k->since)
		return say(why, whylen, CRYPT_EFORMAT,
			   "record %lu: %s in a version %u bundle (it came "
			   "with version %u)", rec, k->name, version,
			   k->since);
	if (k->min == k->max && len != k->min)
		return say(why, whylen, CRYPT_EFORMAT,
			   "record %lu: %s length %lu, must be %lu", rec,
			   k->name, (unsigned long)len, (unsigned long)k->min);
	if (len > k->max)
		return say(why, whylen, CRYPT_ETOOBIG,
			   "record %lu: %s length %lu over cap %lu", rec,
			   k->name, (unsigned long)len, (unsigned long)k->max);
	if (len < k->min)
		return say(why, whylen, CRYPT_EFORMAT,
			   "record %lu: %s length %lu under %lu", rec,
			   k->name, (unsigned long)len, (unsigned long)k->min);
	return 0;
}

/* --- writing: a buffer, and a running hash or signature over it --- */

/* Both bundles are signed as they are written: Ed25519ph over every byte
 * before the signature, so neither is ever held whole. */
struct out {
	int fd;
	int err;     /* sticky: once a write failed, nothing more is */
	size_t used;
	crypto_sign_state sign;
	uint8_t *sk; /* sodium_malloc'd copy of the signing key */
	uint8_t buf[IO_BUF];
};

static int out_flush(struct out *o)
{
	if (o->err != 0)
		return o->err;
	crypto_sign_update(&o->sign, o->buf, o->used);
	if (fileio_write_all(o->fd, o->buf, o->used) != 0)
		return o->err = CRYPT_EIO;
	o->used = 0;
	return 0;
}

static int out_put(struct out *o, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n > 0 && o->err == 0) {
		size_t k = IO_BUF - o->used < n ? IO_BUF - o->used : n;

		memcpy(o->buf + o->used, s, k);
		o->used += k;
		s += k;
		n -= k;
		if (o->used == IO_BUF)
			out_flush(o);
	}
	return o->err;
}

static int out_record(struct out *o, uint8_t type, uint32_t len)
{
	uint8_t h[REC_HDR];

	h[0] = type;
	crypt_put32(h + 1, len);
	return out_put(o, h, sizeof h);
}

static int out_header(struct out *o, const uint8_t magic[4], uint8_t version)
{
	uint8_t h[HDR] = { 0 };

	memcpy(h, magic, 4);
	h[4] = version;
	return out_put(o, h, sizeof h);
}

/* The state carries a 64-byte aligned hash state, which malloc does not
 * promise. */
static void *out_alloc(size_t align, size_t size)
{
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

/* Starts signing with a locked copy of sk, the caller's to keep. */
static int out_start(struct out *o, int fd, const uint8_t sk[64])
{
	if ((o->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		return CRYPT_ENOMEM;
	memcpy(o->sk, sk, crypto_sign_SECRETKEYBYTES);
	o->fd = fd;
	crypto_sign_init(&o->sign);
	return 0;
}

/* The last buffer, then the signature over everything before it. */
static int out_sign(struct out *o)
{
	uint8_t sig[SIG];
	int rc;

	if ((rc = out_record(o, REC_END, 0)) != 0 ||
	    (rc = out_flush(o)) != 0)
		return rc;
	crypto_sign_final_create(&o->sign, sig, NULL, o->sk);
	if (fileio_write_all(o->fd, sig, sizeof sig) != 0)
		return CRYPT_EIO;
	return 0;
}

static void out_release(struct out *o)
{
	sodium_free(o->sk);
	o->sk = NULL;
}

/* --- export: writer --- */

struct bundle_export {
	struct out o;
	uint16_t nenv;  /* envelopes of the current submission */
	uint16_t env;   /* of which started */
	uint64_t left;  /* bytes the started envelope still owes */
};

/* Inside a submission whose envelopes are not all complete. */
static int export_open(const bundle_export *b)
{
	return b->env < b->nenv || b->left > 0;
}

int bundle_export_begin(bundle_export **out, int fd, const dropkey *k)
{
	bundle_export *b;

	*out = NULL;
	b = out_alloc(_Alignof(bundle_export), sizeof *b);
	if (b == NULL)
		return CRYPT_ENOMEM;
	if (out_start(&b->o, fd, k->sk) != 0) {
		free(b);
		return CRYPT_ENOMEM;
	}
	out_header(&b->o, export_magic, EXPORT_VERSION);
	out_put(&b->o, k->pk, DROPKEY_PK);
	*out = b;
	return 0;
}

int bundle_export_source(bundle_export *b, const uint8_t reply_pk[32],
			 uint32_t day)
{
	uint8_t p[36];

	if (export_open(b))
		return CRYPT_EUSAGE;
	memcpy(p, reply_pk, 32);
	crypt_put32(p + 32, day);
	if (out_record(&b->o, X_SOURCE, sizeof p) != 0)
		return b->o.err;
	return out_put(&b->o, p, sizeof p);
}

int bundle_export_submission(bundle_export *b, const uint8_t id[BUNDLE_ID],
			     const uint8_t source_pk[32], uint32_t day,
			     uint16_t nenv)
{
	uint8_t p[54];

	if (export_open(b) || nenv == 0 || nenv > BUNDLE_ENVELOPES_MAX)
		return CRYPT_EUSAGE;
	memcpy(p, id, BUNDLE_ID);
	memcpy(p + 16, source_pk, 32);
	crypt_put32(p + 48, day);
	crypt_put16(p + 52, nenv);
	if (out_record(&b->o, X_SUBMISSION, sizeof p) != 0 ||
	    out_put(&b->o, p, sizeof p) != 0)
		return b->o.err;
	b->nenv = nenv;
	b->env = 0;
	b->left = 0;
	return 0;
}

int bundle_export_receipt(bundle_export *b,
			  const uint8_t reply_id[BUNDLE_ID])
{
	if (export_open(b))
		return CRYPT_EUSAGE;
	if (out_record(&b->o, X_RECEIPT, BUNDLE_ID) != 0)
		return b->o.err;
	return out_put(&b->o, reply_id, BUNDLE_ID);
}

int bundle_export_reply_status(bundle_export *b,
			       const uint8_t reply_id[BUNDLE_ID], int status,
			       uint32_t day)
{
	uint8_t p[REPLY_STATUS_LEN];

	if (export_open(b) || !status_valid(status))
		return CRYPT_EUSAGE;
	memcpy(p, reply_id, BUNDLE_ID);
	p[BUNDLE_ID] = (uint8_t)status;
	crypt_put32(p + BUNDLE_ID + 1, day);
	if (out_record(&b->o, X_REPLY_STATUS, sizeof p) != 0)
		return b->o.err;
	return out_put(&b->o, p, sizeof p);
}

int bundle_export_envelope(bundle_export *b, uint64_t len)
{
	uint8_t p[10];

	if (b->env >= b->nenv || b->left > 0 || len == 0 ||
	    len > BUNDLE_ENVELOPE_MAX)
		return CRYPT_EUSAGE;
	crypt_put16(p, b->env);
	crypt_put64(p + 2, len);
	if (out_record(&b->o, X_ENVELOPE, sizeof p) != 0 ||
	    out_put(&b->o, p, sizeof p) != 0)
		return b->o.err;
	b->env++;
	b->left = len;
	return 0;
}

int bundle_export_data(bundle_export *b, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (len > b->left)
		return CRYPT_EUSAGE;
	while (len > 0) {
		size_t n = len < BUNDLE_DATA_MAX ? len : BUNDLE_DATA_MAX;

		if (out_record(&b->o, X_DATA, (uint32_t)n) != 0 ||
		    out_put(&b->o, p, n) != 0)
			return b->o.err;
		b->left -= n;
		p += n;
		len -= n;
	}
	return 0;
}

int bundle_export_finish(bundle_export *b)
{
	int rc = export_open(b) ? CRYPT_EUSAGE : out_sign(&b->o);

	bundle_export_abort(b);
	return rc;
}

void bundle_export_abort(bundle_export *b)
{
	if (b == NULL)
		return;
	out_release(&b->o);
	free(b);
}

/* --- export: reader --- */

struct in {
	int fd;
	int eof;
	size_t pos, end;
	crypto_sign_state sign;
	uint8_t pk[DROPKEY_PK]; /* the key the header names */
	uint8_t buf[IO_BUF];
};

/* Makes n <= IO_BUF bytes available at buf + pos. 0, ETRUNC or EIO. */
static int in_fill(struct in *r, size_t n)
{
	while (r->end - r->pos < n) {
		ssize_t got;

		if (r->eof)
			return CRYPT_ETRUNC;
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
		got = fileio_read_full(r->fd, r->buf + r->end,
				       IO_BUF - r->end);
		if (got < 0)
			return CRYPT_EIO;
		r->eof = (size_t)got < IO_BUF - r->end;
		r->end += (size_t)got;
	}
	return 0;
}

/* The next n bytes, added to what the signature covers unless they are
 * the signature. */
static int in_take(struct in *r, size_t n, int signed_, const uint8_t **p)
{
	int rc = in_fill(r, n);

	if (rc != 0)
		return rc;
	*p = r->buf + r->pos;
	r->pos += n;
	if (signed_)
		crypto_sign_update(&r->sign, *p, n);
	return 0;
}

static int in_fail(int rc, unsigned long rec, const char *where, char *why,
		   size_t whylen)
{
	if (rc == CRYPT_EIO)
		return say(why, whylen, rc, "read: %s", strerror(errno));
	return say(why, whylen, rc, "record %lu: file ends %s", rec, where);
}

/* Streams a DATA payload of len bytes to the callback in the pieces the
 * read buffer holds. */
static int in_data(struct in *r, uint32_t len, const bundle_export_cb *cb,
		   unsigned long rec, char *why, size_t whylen)
{
	while (len > 0) {
		const uint8_t *p;
		size_t n;
		int rc;

		if (r->pos == r->end && (rc = in_fill(r, 1)) != 0)
			return in_fail(rc, rec, "inside DATA", why, whylen);
		n = r->end - r->pos < len ? r->end - r->pos : len;
		if ((rc = in_take(r, n, 1, &p)) != 0)
			return rc;
		if (cb->data != NULL && cb->data(cb->ctx, p, n) != 0)
			return say(why, whylen, CRYPT_ESINK,
				   "record %lu: DATA refused by the reader",
				   rec);
		len -= (uint32_t)n;
	}
	return 0;
}

/* After the END record: the signature, then nothing. */
static int in_end(struct in *r, unsigned long rec, char *why, size_t whylen)
{
	uint8_t sig[SIG];
	const uint8_t *p;
	int rc;

	if ((rc = in_take(r, SIG, 0, &p)) != 0)
		return in_fail(rc, rec, "inside the signature", why, whylen);
	memcpy(sig, p, SIG);
	if (crypto_sign_final_verify(&r->sign, sig, r->pk) != 0)
		return say(why, whylen, CRYPT_ESIG,
			   "the drop key's signature does not verify: the "
			   "bundle was changed, or signed by another key");
	rc = in_fill(r, 1);
	if (rc == 0)
		return say(why, whylen, CRYPT_ETRAIL,
			   "data after the signature");
	if (rc == CRYPT_EIO)
		return in_fail(rc, rec, NULL, why, whylen);
	return 0;
}

/* Checks that a record may stand here: between submissions, SOURCE,
 * SUBMISSION, RECEIPT, REPLY_STATUS and END; inside one, its envelopes in
 * order, each followed by exactly its bytes of DATA. */
static int export_place(const struct kind *k, uint32_t len, uint16_t nenv,
			uint16_t env, uint64_t left, unsigned long rec,
			char *why, size_t whylen)
{
	int open = env < nenv || left > 0;

	switch (k->type) {
	case X_ENVELOPE:
		if (open && left == 0)
			return 0;
		return say(why, whylen, CRYPT_EFORMAT,
			   "record %lu: ENVELOPE %s", rec,
			   open ? "before the last one is complete"
				: "outside a submission");
	case X_DATA:
		if (left == 0)
			return say(why, whylen, CRYPT_EFORMAT,
				   "record %lu: DATA outside an envelope", rec);
		if (len > left)
			return say(why, whylen, CRYPT_EFORMAT,
				   "record %lu: DATA overruns its envelope",
				   rec);
		return 0;
	default:
		if (!open)
			return 0;
		return say(why, whylen, CRYPT_EFORMAT,
			   "record %lu: %s inside an unfinished submission",
			   rec, k->name);
	}
}

static int export_walk(struct in *r, const bundle_export_cb *cb, char *why,
		       size_t whylen)
{
	const struct kind *k;
	const uint8_t *p;
	uint16_t nenv = 0, env = 0;
	uint64_t left = 0, v;
	unsigned long rec = 0;
	uint8_t version;
	int rc;

	if ((rc = in_take(r, HDR, 1, &p)) != 0)
		return in_fail(rc, rec, "inside the header", why, whylen);
	if (memcmp(p, export_magic, 4) == 0 && p[4] == 1)
		return say(why, whylen, CRYPT_EVERSION,
			   "an unsigned export (version 1) from an older "
			   "drop: upgrade the drop and export again");
	if (memcmp(p, outbox_magic, 4) == 0)
		return say(why, whylen, CRYPT_EFORMAT,
			   "this is an outbox, not an export: import it on "
			   "the drop with `sealdrop import`");
	if (memcmp(p, export_magic, 4) != 0)
		return say(why, whylen, CRYPT_EFORMAT,
			   "not an export bundle (bad magic)");
	if (p[4] < EXPORT_VERSION_MIN || p[4] > EXPORT_VERSION)
		return say(why, whylen, CRYPT_EVERSION,
			   "export bundle version %u not supported", p[4]);
	version = p[4];
	if ((p[5] | p[6] | p[7]) != 0)
		return say(why, whylen, CRYPT_EFORMAT,
			   "header: reserved bytes not zero");
	if ((rc = in_take(r, DROPKEY_PK, 1, &p)) != 0)
		return in_fail(rc, rec, "inside the header", why, whylen);
	memcpy(r->pk, p, DROPKEY_PK);
	if (cb->header != NULL && cb->header(cb->ctx, r->pk) != 0)
		return say(why, whylen, CRYPT_ESINK,
			   "header refused by the reader");

	for (rec = 1;; rec++) {
		uint32_t len;
		uint8_t type;

		if ((rc = in_take(r, REC_HDR, 1, &p)) != 0)
			return in_fail(rc, rec, "before the END record", why,
				       whylen);
		type = p[0];
		len = crypt_get32(p + 1);
		if ((rc = kind_check(export_kinds, version, rec, type, len,
				     &k, why, whylen)) != 0 ||
		    (rc = export_place(k, len, nenv, env, left, rec, why,
				       whylen)) != 0)
			return rc;
		if (type == X_DATA) {
			if ((rc = in_data(r, len, cb, rec, why, whylen)) != 0)
				return rc;
			left -= len;
			continue;
		}
		if (type == REC_END)
			return in_end(r, rec, why, whylen);
		if ((rc = in_take(r, len, 1, &p)) != 0)
			return in_fail(rc, rec, "inside a record", why,
				       whylen);

		rc = 0;
		switch (type) {
		case X_SOURCE:
			if (cb->source != NULL)
				rc = cb->source(cb->ctx, p,
						crypt_get32(p + 32));
			break;
		case X_SUBMISSION:
			nenv = crypt_get16(p + 52);
			env = 0;
			if (nenv == 0)
				return say(why, whylen, CRYPT_EFORMAT,
					   "record %lu: SUBMISSION of no "
					   "envelopes", rec);
			if (nenv > BUNDLE_ENVELOPES_MAX)
				return say(why, whylen, CRYPT_ETOOBIG,
					   "record %lu: SUBMISSION of %u "
					   "envelopes over cap %u", rec,
					   nenv, BUNDLE_ENVELOPES_MAX);
			if (cb->submission != NULL)
				rc = cb->submission(cb->ctx, p, p + 16,
						    crypt_get32(p + 48), nenv);
			break;
		case X_ENVELOPE:
			if (crypt_get16(p) != env)
				return say(why, whylen, CRYPT_EFORMAT,
					   "record %lu: ENVELOPE index %u, "
					   "expected %u", rec,
					   crypt_get16(p), env);
			v = crypt_get64(p + 2);
			if (v == 0)
				return say(why, whylen, CRYPT_EFORMAT,
					   "record %lu: empty ENVELOPE", rec);
			if (v > BUNDLE_ENVELOPE_MAX)
				return say(why, whylen, CRYPT_ETOOBIG,
					   "record %lu: ENVELOPE length %llu "
					   "over cap %llu", rec,
					   (unsigned long long)v,
					   BUNDLE_ENVELOPE_MAX);
			if (cb->envelope != NULL)
				rc = cb->envelope(cb->ctx, env, v);
			env++;
			left = v;
			break;
		case X_RECEIPT:
			if (cb->receipt != NULL)
				rc = cb->receipt(cb->ctx, p);
			break;
		case X_REPLY_STATUS:
			if ((rc = status_check(p[BUNDLE_ID], rec, k->name, why,
					       whylen)) != 0)
				return rc;
			if (cb->reply_status != NULL)
				rc = cb->reply_status(cb->ctx, p,
						      p[BUNDLE_ID],
						      crypt_get32(p + BUNDLE_ID
								  + 1));
			break;
		}
		if (rc != 0)
			return say(why, whylen, CRYPT_ESINK,
				   "record %lu: %s refused by the reader",
				   rec, k->name);
	}
}

int bundle_export_read(int fd, const bundle_export_cb *cb, char *why,
		       size_t whylen)
{
	static const bundle_export_cb none;
	struct in *r;
	int rc;

	say(why, whylen, 0, "%s", "");
	r = out_alloc(_Alignof(struct in), sizeof *r);
	if (r == NULL)
		return say(why, whylen, CRYPT_ENOMEM, "out of memory");
	r->fd = fd;
	crypto_sign_init(&r->sign);
	rc = export_walk(r, cb != NULL ? cb : &none, why, whylen);
	free(r);
	return rc;
}

/* --- outbox: writer --- */

struct bundle_outbox {
	struct out o;
};

int bundle_outbox_begin(bundle_outbox **out, int fd, const keys_secret *k,
			const uint8_t id[BUNDLE_ID], uint32_t day)
{
	bundle_outbox *b;
	uint8_t h[OUTBOX_HDR - HDR];

	*out = NULL;
	b = out_alloc(_Alignof(bundle_outbox), sizeof *b);
	if (b == NULL)
		return CRYPT_ENOMEM;
	if (out_start(&b->o, fd, k->sign_sk) != 0) {
		free(b);
		return CRYPT_ENOMEM;
	}
	memcpy(h, k->pub.id, KEYS_ID_BYTES);
	memcpy(h + KEYS_ID_BYTES, id, BUNDLE_ID);
	crypt_put32(h + KEYS_ID_BYTES + BUNDLE_ID, day);
	out_header(&b->o, outbox_magic, OUTBOX_VERSION);
	out_put(&b->o, h, sizeof h);
	*out = b;
	return 0;
}

int bundle_outbox_reply(bundle_outbox *b, const uint8_t reply_id[BUNDLE_ID],
			const uint8_t source_pk[32], const uint8_t *env,
			size_t len)
{
	if (len == 0 || len > BUNDLE_REPLY_MAX)
		return CRYPT_EUSAGE;
	if (out_record(&b->o, OB_REPLY, (uint32_t)(48 + len)) != 0 ||
	    out_put(&b->o, reply_id, BUNDLE_ID) != 0 ||
	    out_put(&b->o, source_pk, 32) != 0)
		return b->o.err;
	return out_put(&b->o, env, len);
}

int bundle_outbox_ack(bundle_outbox *b, const uint8_t sub_id[BUNDLE_ID])
{
	if (out_record(&b->o, OB_ACK, BUNDLE_ID) != 0)
		return b->o.err;
	return out_put(&b->o, sub_id, BUNDLE_ID);
}

int bundle_outbox_status_ack(bundle_outbox *b,
			     const uint8_t reply_id[BUNDLE_ID], int status)
{
	uint8_t p[STATUS_ACK_LEN];

	if (!status_valid(status))
		return CRYPT_EUSAGE;
	memcpy(p, reply_id, BUNDLE_ID);
	p[BUNDLE_ID] = (uint8_t)status;
	if (out_record(&b->o, OB_STATUS_ACK, sizeof p) != 0)
		return b->o.err;
	return out_put(&b->o, p, sizeof p);
}

int bundle_outbox_finish(bundle_outbox *b)
{
	int rc = out_sign(&b->o);

	bundle_outbox_abort(b);
	return rc;
}

void bundle_outbox_abort(bundle_outbox *b)
{
	if (b == NULL)
		return;
	out_release(&b->o);
	free(b);
}

/* --- outbox: reader --- */

static int outbox_verify(const uint8_t *buf, size_t body, const keys_pub *pk)
{
	crypto_sign_state st;

	crypto_sign_init(&st);
	crypto_sign_update(&st, buf, body);
	return crypto_sign_final_verify(&st, buf + body, pk->sign_pk) == 0;
}

/* Walks the signed records of buf[0..body]. With cb NULL it only checks
 * the structure, so the caller can check it all before any callback. */
static int outbox_walk(const uint8_t *buf, size_t body,
		       const keys_pub *signer, const bundle_outbox_cb *cb,
		       char *why, size_t whylen)
{
	const struct kind *k;
	size_t off = OUTBOX_HDR;
	unsigned long rec;
	int rc = 0;

	if (cb != NULL && cb->header != NULL &&
	    cb->header(cb->ctx, buf + HDR + KEYS_ID_BYTES,
		       crypt_get32(buf + OUTBOX_HDR - 4), signer) != 0)
		return say(why, whylen, CRYPT_ESINK,
			   "header refused by the reader");
	for (rec = 1;; rec++) {
		const uint8_t *p;
		uint32_t len;

		if (body - off < REC_HDR)
			return say(why, whylen, CRYPT_ETRUNC,
				   "record %lu: bundle ends before the END "
				   "record", rec);
		len = crypt_get32(buf + off + 1);
		if ((rc = kind_check(outbox_kinds, buf[4], rec, buf[off], len,
				     &k, why, whylen)) != 0)
			return rc;
		off += REC_HDR;
		if (body - off < len)
			return say(why, whylen, CRYPT_ETRUNC,
				   "record %lu: %s runs past the end", rec,
				   k->name);
		p = buf + off;
		off += len;
		if (k->type == REC_END)
			break;
		if (k->type == OB_STATUS_ACK &&
		    (rc = status_check(p[BUNDLE_ID], rec, k->name, why,
				       whylen)) != 0)
			return rc;
		if (cb == NULL)
			continue;
		if (k->type == OB_REPLY && cb->reply != NULL)
			rc = cb->reply(cb->ctx, p, p + BUNDLE_ID, p + 48,
				       len - 48);
		else if (k->type == OB_ACK && cb->ack != NULL)
			rc = cb->ack(cb->ctx, p);
		else if (k->type == OB_STATUS_ACK && cb->status_ack != NULL)
			rc = cb->status_ack(cb->ctx, p, p[BUNDLE_ID]);
		if (rc != 0)
			return say(why, whylen, CRYPT_ESINK,
				   "record %lu: %s refused by the reader",
				   rec, k->name);
	}
	if (off != body)
		return say(why, whylen, CRYPT_ETRAIL,
			   "%zu bytes after the END record", body - off);
	return 0;
}

int bundle_outbox_parse(const uint8_t *buf, size_t len,
			const keys_pub *trusted, size_t ntrusted,
			const bundle_outbox_cb *cb, char *why, size_t whylen)
{
	const keys_pub *signer = NULL;
	size_t body;
	int rc;

	say(why, whylen, 0, "%s", "");
	if (len > BUNDLE_OUTBOX_MAX)
		return say(why, whylen, CRYPT_ETOOBIG,
			   "outbox of %zu bytes over cap %u", len,
			   BUNDLE_OUTBOX_MAX);
	if (len < OUTBOX_HDR + REC_HDR + SIG)
		return say(why, whylen, CRYPT_ETRUNC,
			   "outbox of %zu bytes is too short", len);
	/* Magic and version first, so an export bundle or a newer outbox
	 * is named as such rather than as a bad signature. */
	if (memcmp(buf, export_magic, 4) == 0)
		return say(why, whylen, CRYPT_EFORMAT,
			   "this is an export, not an outbox: import it on "
			   "the air-gapped machine with `sealdrop-admin "
			   "import`");
	if (memcmp(buf, outbox_magic, 4) != 0)
		return say(why, whylen, CRYPT_EFORMAT,
			   "not an outbox bundle (bad magic)");
	if (buf[4] < OUTBOX_VERSION_MIN || buf[4] > OUTBOX_VERSION)
		return say(why, whylen, CRYPT_EVERSION,
			   "outbox bundle version %u not supported", buf[4]);

	body = len - SIG;
	for (size_t i = 0; i < ntrusted && signer == NULL; i++)
		if (sodium_memcmp(trusted[i].id, buf + HDR,
				  KEYS_ID_BYTES) == 0 &&
		    outbox_verify(buf, body, &trusted[i]))
			signer = &trusted[i];
	if (signer == NULL)
		return say(why, whylen, CRYPT_ESIG,
			   "not signed by a trusted newsroom key");
	if ((buf[5] | buf[6] | buf[7]) != 0)
		return say(why, whylen, CRYPT_EFORMAT,
			   "header: reserved bytes not zero");
	if ((rc = outbox_walk(buf, body, signer, NULL, why, whylen)) != 0 ||
	    cb == NULL)
		return rc;
	return outbox_walk(buf, body, signer, cb, why, whylen);
}

int bundle_outbox_read(int fd, const keys_pub *trusted, size_t ntrusted,
		       const bundle_outbox_cb *cb, char *why, size_t whylen)
{
	struct stat st;
	size_t size = BUNDLE_OUTBOX_MAX;
	uint8_t *buf;
	ssize_t got;
	int rc;

	if (fstat(fd, &st) != 0)
		return say(why, whylen, CRYPT_EIO, "stat: %s",
			   strerror(errno));
	/* A regular file says its size; anything else may be up to the cap.
	 * One byte more is asked for, to see a file over the cap. */
	if (S_ISREG(st.st_mode)) {
		uint8_t magic[4];

		/* Exports are often larger than any outbox: name one as
		 * such rather than as an outbox too big. */
		if ((uintmax_t)st.st_size > BUNDLE_OUTBOX_MAX &&
		    pread(fd, magic, sizeof magic, 0) == sizeof magic &&
		    memcmp(magic, export_magic, 4) == 0)
			return say(why, whylen, CRYPT_EFORMAT,
				   "this is an export, not an outbox: import "
				   "it on the air-gapped machine with "
				   "`sealdrop-admin import`");
		if ((uintmax_t)st.st_size > BUNDLE_OUTBOX_MAX)
			return say(why, whylen, CRYPT_ETOOBIG,
				   "outbox over cap %u bytes",
				   BUNDLE_OUTBOX_MAX);
		size = (size_t)st.st_size;
	}
	if ((buf = malloc(size + 1)) == NULL)
		return say(why, whylen, CRYPT_ENOMEM, "out of memory");
	got = fileio_read_full(fd, buf, size + 1);
	if (got < 0)
		rc = say(why, whylen, CRYPT_EIO, "read: %s", strerror(errno));
	else if ((size_t)got > size)
		rc = say(why, whylen, CRYPT_ETOOBIG,
			 "outbox over cap %u bytes", BUNDLE_OUTBOX_MAX);
	else
		rc = bundle_outbox_parse(buf, (size_t)got, trusted, ntrusted,
					 cb, why, whylen);
	free(buf);
	return rc;
}
