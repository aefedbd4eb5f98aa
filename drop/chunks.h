/*
 * chunks.h - DIR/chunks.db: the ciphertext of uploads that arrive in
 * pieces, written to the disk once.
 *
 * drop.db runs in WAL mode, which writes every byte twice: to the WAL,
 * then to the database at a checkpoint. For a large upload that halves
 * what the disk can take. Its pieces go here instead, to a database of
 * their own in rollback-journal mode, where pages added at the end of
 * the file are never journaled: each byte is written once. Everything
 * else (the submission's rows, and small submissions written whole)
 * stays in drop.db.
 *
 * The two databases commit separately, so the order is the drop's
 * (store.c, writer.c): a piece's rows here are committed, at
 * synchronous=FULL, before the drop.db commit that completes their
 * submission. Rows are keyed by the submission's random uid, which is
 * never reused, so rows whose submission never completed are harmless
 * until they are deleted: by the upload that fails, or, after a crash,
 * by the sweep at the next start.
 *
 * A chunks is one connection, used from one thread at a time. Only the
 * writer keeps a write transaction open across calls (chunks_add); every
 * other write takes the lock first (BEGIN IMMEDIATE) and is short.
 */
#ifndef SEALDROP_CHUNKS_H
#define SEALDROP_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

typedef struct chunks chunks;

/* Opens DIR/chunks.db, creating it (0600) when it is not there. NULL
 * when it cannot. */
chunks *chunks_open(const char *dir);
void chunks_close(chunks *c);

/* The last error of the connection, for one-line messages. */
const char *chunks_errmsg(chunks *c);

/* Adds piece seq of envelope env of submission uid, in the write
 * transaction this begins when none is open. Any failure loses the whole
 * transaction (chunks_lost counts it). 0 or -1. */
int chunks_add(chunks *c, const uint8_t uid[BUNDLE_ID], int env, int seq,
	       const void *data, size_t len);

/* Whether a transaction of chunks_add is open. */
int chunks_pending(const chunks *c);

/* Commits the open transaction durably (nothing open: 0). On failure it
 * is lost, as chunks_rollback. 0 or -1. */
int chunks_commit(chunks *c);

/* Rolls the open transaction back; counts a loss when one was open. */
void chunks_rollback(chunks *c);

/* How many open transactions were lost so far: an upload whose pieces
 * were written while this changed cannot trust that they all are. */
unsigned chunks_lost(const chunks *c);

/* Calls fn with each envelope of uid that has rows and its length in
 * bytes, envelope order. In the open transaction when there is one. A
 * non-zero return stops and is returned; -1 on failure. */
typedef int (*chunks_len_fn)(void *ctx, int env, int64_t len);
int chunks_lengths(chunks *c, const uint8_t uid[BUNDLE_ID],
		   chunks_len_fn fn, void *ctx);

/* Calls fn with each piece of envelope env of uid in order, each read
 * in a read transaction of its own, so a long export never keeps the
 * writer from committing for longer than one piece takes. *total gets
 * the bytes. A non-zero return stops and is returned; -1 on failure. */
typedef int (*chunks_data_fn)(void *ctx, const uint8_t *p, size_t n);
int chunks_read(chunks *c, const uint8_t uid[BUNDLE_ID], int env,
		chunks_data_fn fn, void *ctx, uint64_t *total);

/* Deletes every row of the submissions uids[0..n) (of envelope env
 * alone when env >= 0), one row per transaction: secure_delete zeroes
 * the freed pages, and their old content passes through the journal, so
 * a transaction of one row keeps the journal at one piece. The journal
 * is zeroed afterwards: nothing deleted stays there. 0 or -1. */
int chunks_forget(chunks *c, const uint8_t (*uids)[BUNDLE_ID], size_t n,
		  int env);

/* Calls fn with each submission uid that has rows; a non-zero return
 * stops and is returned; -1 on failure. */
typedef int (*chunks_uid_fn)(void *ctx, const uint8_t uid[BUNDLE_ID]);
int chunks_uids(chunks *c, chunks_uid_fn fn, void *ctx);

#endif
