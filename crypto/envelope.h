/*
 * envelope.h - the one format for every stored submission, file and reply.
 *
 * A fresh random file key is sealed (crypto_box_seal) to each recipient; a
 * MAC keyed from the file key authenticates the whole header; the payload
 * is a crypto_secretstream_xchacha20poly1305 stream of 64 KiB chunks whose
 * last is tagged FINAL. The first plaintext bytes are an inner record (kind,
 * file name, declared type), so no metadata is in clear, and the stream is
 * padded (Padme) so the stored size leaks only its rough magnitude.
 * docs/formats.md gives the bytes.
 *
 * Both directions stream in constant memory: sealing while bytes arrive
 * (begin / push / finish) and opening as ciphertext is read.
 *
 * Ownership: a sealer or opener owns a sodium_malloc'd chunk buffer and the
 * stream state; finish and abort wipe and free them. A sealer's
 * ciphertext, not secret, is in ordinary memory: its own, or the sink's
 * (env_seal_room). Plaintext handed to an
 * opener's data callback lives in that buffer and is wiped after the call:
 * copy what you need, and wipe your copy.
 */
#ifndef SEALDROP_ENVELOPE_H
#define SEALDROP_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#define ENV_CHUNK 65536          /* content bytes per full chunk */
#define ENV_MAX_RECIPIENTS 16
#define ENV_NAME_MAX 255         /* bytes of a file name in the record */
#define ENV_TYPE_MAX 127         /* bytes of a declared media type */
/* No stored payload is smaller than this. Not 16384: the smallest
 * envelope, sealed to up to four newsroom keys, then fits in one 16 KiB
 * database page, where it took a page and an overflow page, so each
 * short message or reply writes half the pages. A multiple of 512, so
 * Padme keeps it. */
#define ENV_PAD_FLOOR 15872
/* Ciphertext bytes of a full chunk: the most env_room is asked for. */
#define ENV_CT_CHUNK (ENV_CHUNK + 4 + 17)

enum env_kind { ENV_MESSAGE = 1, ENV_FILE = 2, ENV_REPLY = 3 };

/* The inner record. name and type are NUL-terminated and may be empty; they
 * are whatever the sender declared: untrusted, unsanitised bytes. */
typedef struct env_meta {
	int kind;
	char name[ENV_NAME_MAX + 1];
	char type[ENV_TYPE_MAX + 1];
} env_meta;

/* Receives ciphertext (sealing) or plaintext (opening). Returns 0, or
 * non-zero to stop: the caller then sees CRYPT_ESINK. */
typedef int (*env_sink)(void *ctx, const uint8_t *buf, size_t len);

typedef struct env_sealer env_sealer;

/* Starts an envelope to npk (1..ENV_MAX_RECIPIENTS) X25519 public keys,
 * each 32 bytes, and writes its header to sink at once. Returns 0,
 * CRYPT_EUSAGE (bad count, over-long name or type), CRYPT_ENOMEM or
 * CRYPT_ESINK; on error nothing is left to free. */
int env_seal_begin(env_sealer **out, const uint8_t (*pks)[32], size_t npk,
		   const env_meta *meta, env_sink sink, void *ctx);

/* Where the caller of env_seal_begin wants the next len bytes of
 * ciphertext (at most one chunk's) written: a pointer to len bytes of
 * its own memory, or NULL for the sealer's buffer. Gets the ctx given to
 * env_seal_begin. */
typedef uint8_t *(*env_room)(void *ctx, size_t len);

/* From now on, s seals each chunk straight into the memory room gives,
 * then hands that same pointer to the sink: a sink that keeps
 * ciphertext (it can tell by the pointer) needs no copy, and the sealer
 * no ciphertext buffer of its own. The header, written at
 * env_seal_begin, came through the sink as usual. */
void env_seal_room(env_sealer *s, env_room room);

/* Adds len plaintext bytes; full chunks go to the sink as they fill.
 * Returns 0 or CRYPT_ESINK (the sealer is then spent: abort it). */
int env_seal_push(env_sealer *s, const void *buf, size_t len);

/* Pads, writes the final chunk and frees s (also on error). *stored, when
 * not NULL, gets the total ciphertext bytes written. Returns 0 or
 * CRYPT_ESINK. */
int env_seal_finish(env_sealer *s, uint64_t *stored);

/* Wipes and frees an unfinished sealer; what was written is not an
 * envelope. NULL is fine. */
void env_seal_abort(env_sealer *s);

/* An X25519 key pair that may open envelopes. */
typedef struct env_key {
	const uint8_t *pk; /* 32 bytes */
	const uint8_t *sk; /* 32 bytes */
} env_key;

typedef struct env_open_cb {
	/* Called once, before any data, when the inner record is read. */
	int (*meta)(void *ctx, const env_meta *meta);
	/* Called with content bytes in order; never with padding. */
	env_sink data;
	void *ctx;
} env_open_cb;

typedef struct env_opener env_opener;

/* Starts opening with nkeys candidate key pairs (each stanza is tried with
 * each key). Returns 0 or CRYPT_ENOMEM/CRYPT_EUSAGE. */
int env_open_begin(env_opener **out, const env_key *keys, size_t nkeys,
		   const env_open_cb *cb);

/* Feeds ciphertext in pieces of any size. Returns 0, CRYPT_EFORMAT,
 * CRYPT_EVERSION, CRYPT_ENOKEY, CRYPT_EAUTH, CRYPT_ETRAIL or CRYPT_ESINK.
 * After an error the opener is spent: abort it, and discard the content the
 * callbacks already saw. */
int env_open_push(env_opener *o, const void *buf, size_t len);

/* Ends the input and frees o (also on error). Returns 0 only when a valid
 * FINAL chunk ended the stream; CRYPT_ETRUNC when it did not. */
int env_open_finish(env_opener *o);

/* Wipes and frees an unfinished opener. NULL is fine. */
void env_open_abort(env_opener *o);

/*
 * Whether one of nkeys key pairs can open the envelope that starts at hdr,
 * without opening it: hdr holds len bytes, at least the whole header
 * (env_header_len of its recipient count, at most env_header_len(16));
 * bytes after the header are ignored. Returns 0 when a key opens a stanza
 * and the header's MAC verifies, as env_open_push would find; otherwise
 * CRYPT_ETRUNC (len is short of the header), CRYPT_EFORMAT,
 * CRYPT_EVERSION, CRYPT_ENOKEY (no key, or nkeys 0) or CRYPT_EAUTH. The
 * payload is not checked: 0 says whose the envelope is, not that it is
 * intact. Nothing secret outlives the call.
 */
int env_probe(const uint8_t *hdr, size_t len, const env_key *keys,
	      size_t nkeys);

/* Padme (Nikitin et al., PURBs, 2019): len rounded up so that only its
 * top log2(log2(len))+1 bits may be non-zero. */
uint64_t env_padme(uint64_t len);

/* Bytes of the header for n recipients. */
size_t env_header_len(size_t n);

/* Total ciphertext bytes of an envelope whose content (record + body) is
 * content_len bytes: what env_seal_finish reports. */
uint64_t env_stored_len(size_t nrecipients, uint64_t content_len);

#endif
