/*
 * bundle.h - what crosses the air gap, both ways.
 *
 * The export bundle (server -> air-gapped machine) carries source records,
 * submissions' envelopes and receipts for replies the server holds,
 * signed as it streams by the drop's own Ed25519 key (dropkey.h), whose
 * public half its header names.
 * The outbox bundle (air-gapped machine -> server) carries replies sealed
 * to sources and acknowledgements of imported submissions, signed with
 * the newsroom's Ed25519 key, with a random bundle id.
 *
 * Both are versioned sequences of length-prefixed records; every length is
 * capped and checked before anything is read into memory. The parsers are
 * the air-gapped machine's only door and assume hostile input.
 * docs/formats.md gives the bytes.
 *
 * Reading an export bundle streams: callbacks see records as they are
 * parsed, and only the final return value says whether the signature over
 * the whole file verified. Callers apply callbacks inside a transaction
 * and commit only on 0; the header callback is where they decide whether
 * they trust the key that signed it. Reading an outbox bundle reads it whole (it is capped) and verifies
 * the signature before any callback runs.
 */
#ifndef SEALDROP_BUNDLE_H
#define SEALDROP_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "dropkey.h"
#include "keys.h"

#define BUNDLE_ID 16                      /* submission, reply, bundle ids */
#define BUNDLE_DATA_MAX (1u << 20)        /* bytes in one DATA record */
#define BUNDLE_ENVELOPES_MAX 1024         /* envelopes in one submission */
#define BUNDLE_ENVELOPE_MAX (4ull << 30)  /* bytes of one envelope */
#define BUNDLE_REPLY_MAX (1u << 20)       /* bytes of one sealed reply */
#define BUNDLE_OUTBOX_MAX (64u << 20)     /* bytes of a whole outbox */

/* --- export: server -> air-gapped machine --- */

typedef struct bundle_export bundle_export;

/* Starts an export bundle on fd (owned by the caller, left open), to be
 * signed by k (the caller's; a locked copy is kept until finish). */
int bundle_export_begin(bundle_export **out, int fd, const dropkey *k);

/* A source record: its reply public key and the day it was created. */
int bundle_export_source(bundle_export *b, const uint8_t reply_pk[32],
			 uint32_t day);

/* A submission of nenv envelopes (1..BUNDLE_ENVELOPES_MAX) by a source
 * already written to this bundle. Its envelopes must follow, in order. */
int bundle_export_submission(bundle_export *b, const uint8_t id[BUNDLE_ID],
			     const uint8_t source_pk[32], uint32_t day,
			     uint16_t nenv);

/* A receipt: the server holds (or held, and the source deleted) the reply
 * with this id, so the air-gapped side may stop re-sending it. */
int bundle_export_receipt(bundle_export *b,
			  const uint8_t reply_id[BUNDLE_ID]);

/* What a source did with a reply, as the drop reports it (one fact per
 * reply, with its day) until an outbox acknowledges the report. */
enum { BUNDLE_REPLY_READ = 1, BUNDLE_REPLY_DELETED = 2 };

/* A reply's status: BUNDLE_REPLY_READ or BUNDLE_REPLY_DELETED, on day. */
int bundle_export_reply_status(bundle_export *b,
			       const uint8_t reply_id[BUNDLE_ID], int status,
			       uint32_t day);

/* Starts the next envelope of the current submission, of exactly len
 * bytes, then its bytes in pieces of any size. */
int bundle_export_envelope(bundle_export *b, uint64_t len);
int bundle_export_data(bundle_export *b, const void *buf, size_t len);

/* Writes the end record and the signature and frees b (also on error).
 * Does not fsync: the caller does. Returns 0 or CRYPT_EIO/CRYPT_EUSAGE. */
int bundle_export_finish(bundle_export *b);

/* Frees an unfinished writer; what was written is not a bundle. */
void bundle_export_abort(bundle_export *b);

typedef struct bundle_export_cb {
	/* The drop public key the header names, before any record: the
	 * signature at the end is checked against it. */
	int (*header)(void *ctx, const uint8_t drop_pk[DROPKEY_PK]);
	int (*source)(void *ctx, const uint8_t reply_pk[32], uint32_t day);
	int (*submission)(void *ctx, const uint8_t id[BUNDLE_ID],
			  const uint8_t source_pk[32], uint32_t day,
			  uint16_t nenv);
	int (*envelope)(void *ctx, uint16_t index, uint64_t len);
	int (*data)(void *ctx, const uint8_t *buf, size_t len);
	int (*receipt)(void *ctx, const uint8_t reply_id[BUNDLE_ID]);
	/* status is BUNDLE_REPLY_READ or BUNDLE_REPLY_DELETED (the reader
	 * refuses any other value) */
	int (*reply_status)(void *ctx, const uint8_t reply_id[BUNDLE_ID],
			    int status, uint32_t day);
	void *ctx;
} bundle_export_cb;

/* Reads an export bundle from fd to its end, in constant memory. Any
 * callback may be NULL; a non-zero return from one stops the read with
 * CRYPT_ESINK. Returns 0 only when the structure was valid throughout and
 * the signature by the key the header names verifies over every byte
 * before it; otherwise CRYPT_EFORMAT, CRYPT_EVERSION (also an unsigned
 * version 1 export), CRYPT_ETOOBIG, CRYPT_ETRUNC, CRYPT_ETRAIL,
 * CRYPT_ESIG, CRYPT_EIO. Whether that key is one to trust is the
 * caller's question. why, if not NULL, gets a one-line reason. */
int bundle_export_read(int fd, const bundle_export_cb *cb, char *why,
		       size_t whylen);

/* --- outbox: air-gapped machine -> server --- */

typedef struct bundle_outbox bundle_outbox;

/* Starts an outbox bundle on fd, to be signed by k. */
int bundle_outbox_begin(bundle_outbox **out, int fd, const keys_secret *k,
			const uint8_t id[BUNDLE_ID], uint32_t day);

/* A reply (an envelope sealed to the source's reply key, at most
 * BUNDLE_REPLY_MAX bytes) for the source with that reply public key. */
int bundle_outbox_reply(bundle_outbox *b, const uint8_t reply_id[BUNDLE_ID],
			const uint8_t source_pk[32], const uint8_t *env,
			size_t len);

/* An acknowledgement: the server may delete that submission. */
int bundle_outbox_ack(bundle_outbox *b, const uint8_t sub_id[BUNDLE_ID]);

/* A status acknowledgement: the archive has recorded that the reply's
 * status is status (as reported), so the drop may forget that fact. A
 * later, different fact about the same reply is not affected. */
int bundle_outbox_status_ack(bundle_outbox *b,
			     const uint8_t reply_id[BUNDLE_ID], int status);

/* Writes the end record and signature and frees b (also on error). */
int bundle_outbox_finish(bundle_outbox *b);
void bundle_outbox_abort(bundle_outbox *b);

typedef struct bundle_outbox_cb {
	int (*header)(void *ctx, const uint8_t id[BUNDLE_ID], uint32_t day,
		      const keys_pub *signer);
	int (*reply)(void *ctx, const uint8_t reply_id[BUNDLE_ID],
		     const uint8_t source_pk[32], const uint8_t *env,
		     size_t len);
	int (*ack)(void *ctx, const uint8_t sub_id[BUNDLE_ID]);
	int (*status_ack)(void *ctx, const uint8_t reply_id[BUNDLE_ID],
			  int status);
	void *ctx;
} bundle_outbox_cb;

/* Verifies an outbox bundle in memory against the trusted newsroom keys,
 * then calls cb for its records. Returns 0, CRYPT_ESIG (no trusted key
 * made this signature), CRYPT_EFORMAT, CRYPT_EVERSION, CRYPT_ETOOBIG,
 * CRYPT_ETRUNC, CRYPT_ETRAIL or CRYPT_ESINK. No callback runs unless the
 * signature and the whole structure are valid. */
int bundle_outbox_parse(const uint8_t *buf, size_t len,
			const keys_pub *trusted, size_t ntrusted,
			const bundle_outbox_cb *cb, char *why, size_t whylen);

/* Reads fd whole (at most BUNDLE_OUTBOX_MAX) and parses it as above. */
int bundle_outbox_read(int fd, const keys_pub *trusted, size_t ntrusted,
		       const bundle_outbox_cb *cb, char *why, size_t whylen);

#endif
