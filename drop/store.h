/*
 * store.h - DIR/drop.db: everything the drop keeps, and nothing else.
 *
 * Only ciphertext, public keys, lookup hashes and day numbers are stored.
 * The database runs in WAL mode with synchronous=FULL and secure_delete,
 * so deleted rows are overwritten and a commit is on disk before anyone
 * is told it happened. The ciphertext of a submission uploaded in pieces
 * is kept beside it, in DIR/chunks.db (chunks.h), written once; a store
 * opens that when it first needs it and deletes its rows with the
 * submission (an acknowledged one's once the deleting commit is in).
 *
 * A store is one SQLite connection: use it from one thread at a time. A
 * store_pool hands connections to request threads.
 *
 * Functions return 0 on success, STORE_ENOTFOUND / STORE_EEXIST where
 * stated, or STORE_EDB for any database failure (store_errmsg says why).
 *
 * Schema 2 keeps, beside each submission, the ids of the newsroom keys
 * it was sealed to (for submissions from before it: every key the drop
 * had when it migrated, the best that can be known); only an outbox
 * signed by one of them may delete it.
 *
 * Schema 3 keeps, for each reply ever imported, one status fact (none,
 * read or deleted, with its day) that exports report until an outbox
 * acknowledges it, and for each source one receipt per day on which the
 * newsroom acknowledged what it sent, until the source deletes it.
 *
 * Schema 4 keeps each source's stored bytes beside it (triggers keep the
 * count), so that checking an upload's room costs one row.
 */
#ifndef SEALDROP_STORE_H
#define SEALDROP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "codename.h"
#include "keys.h"

#define STORE_SCHEMA 4
/* Newsroom keys: as many as an envelope has recipients. */
#define STORE_MAX_KEYS 16

enum { STORE_EDB = -1, STORE_ENOTFOUND = -2, STORE_EEXIST = -3,
       STORE_EFULL = -4, STORE_ELAST = -5, STORE_EDENIED = -6 };

typedef struct store store;

/* Creates DIR/drop.db (refusing an existing one) with the schema, the
 * instance parameters and the newsroom keys. 0, STORE_EEXIST or STORE_EDB
 * with why filled. */
int store_create(const char *dir, const codename_params *p,
		 const keys_pub *keys, size_t nkeys, char *why, size_t whylen);

/* Opens DIR/drop.db and migrates it to STORE_SCHEMA. NULL with why set. */
store *store_open(const char *dir, char *why, size_t whylen);
void store_close(store *s);

/* The last error of this connection, for one-line messages. */
const char *store_errmsg(store *s);

/* Instance parameters written at init, and the newsroom keys (at least
 * one), oldest first. */
int store_params(store *s, codename_params *p);
int store_keys(store *s, keys_pub *out, size_t max, size_t *n);

/* Adds a newsroom key: submissions from the next upload on are sealed to
 * it too, and outboxes it signs are accepted. STORE_EEXIST if the drop
 * has it already, STORE_EFULL if it has STORE_MAX_KEYS. */
int store_key_add(store *s, const keys_pub *k);

/* Removes the newsroom key with that id: nothing new is sealed to it, and
 * outboxes it signs are refused. STORE_ENOTFOUND if there is none,
 * STORE_ELAST if it is the only one (a drop always seals to some key). */
int store_key_remove(store *s, const uint8_t id[KEYS_ID_BYTES]);

/* --- sources --- */

/* Adds a pending source (one with a codename and nothing sent yet)
 * unless max_pending are pending already. *id gets its row id.
 * STORE_EEXIST if the lookup or key is taken, STORE_EFULL when full. */
int store_source_add(store *s, const uint8_t lookup[32],
		     const uint8_t reply_pk[32], uint32_t day,
		     unsigned max_pending, int64_t *id);

/* *n gets the stored bytes (ciphertext, padding included) of the
 * source's complete submissions not yet acknowledged. */
int store_source_bytes(store *s, int64_t source_id, uint64_t *n);

/* *n gets the number of pending sources. */
int store_sources_pending(store *s, int64_t *n);

/* Finds a source by lookup hash; STORE_ENOTFOUND if there is none. */
int store_source_find(store *s, const uint8_t lookup[32], int64_t *id);

/* Deletes pending sources created before day, but those whose ids are in
 * keep[0..nkeep) (sorted here): a source on the page that shows its new
 * codename must not lose its row under it. *n gets the count. */
int store_prune_pending(store *s, uint32_t before_day, int64_t *keep,
			size_t nkeep, int *n);

/* --- submissions, written while they arrive --- */

/* The rows of a submission are written inside a transaction: staged ones
 * (store_stage_begin) while it arrives, then the one that completes it
 * (store_begin, store_sub_complete, store_commit). A submission small
 * enough may be written whole in that last one. */

/* Starts a write transaction at synchronous=NORMAL, for rows of an
 * incomplete submission: its commit is not durable until a later
 * store_sub_complete's is. End it with store_stage_end. */
int store_stage_begin(store *s);

/* Commits the staged transaction (commit set) or rolls it back, and
 * returns the connection to synchronous=FULL. 0 only when committed. */
int store_stage_end(store *s, int commit);

/* Starts an incomplete submission with a fresh random uid, given back
 * in uid. In a transaction; *sub is only good once it commits. */
int store_sub_begin(store *s, int64_t source_id, uint32_t day, int64_t *sub,
		    uint8_t uid[BUNDLE_ID]);

/* Records the newsroom keys whose box keys pks (npk of them) the
 * submission is sealed to as its recipients, the keys whose outboxes may
 * acknowledge it. In the transaction of store_sub_begin, so a
 * submission is never without them. A pk of no configured key (one
 * removed since) records nothing. */
int store_sub_keys(store *s, int64_t sub, const uint8_t (*pks)[32],
		   size_t npk);

/* Adds envelope number idx to an incomplete submission. In a
 * transaction, like store_sub_begin. */
int store_env_begin(store *s, int64_t sub, int idx, int64_t *env);

/* Appends one piece of an envelope's ciphertext. In a transaction. */
int store_chunk_add(store *s, int64_t env, int seq, const void *data,
		    size_t len);

/* The same for a submission that arrives in pieces, written to
 * chunks.db (chunks.h) once instead of twice: piece seq of its envelope
 * idx, by the submission's uid. Every piece of a submission goes one way
 * or the other. In chunks.db's own transaction, which stays open across
 * drop.db's until store_side_commit; a failure loses it whole (counted
 * by store_side_lost). Only the writer's connection does this. */
int store_side_add(store *s, const uint8_t uid[BUNDLE_ID], int idx, int seq,
		   const void *data, size_t len);

/* Whether store_side_add's transaction is open. */
int store_side_pending(store *s);

/* Commits it, durably; nothing open is 0. On failure it is lost. Before
 * the drop.db commit that completes a submission of its pieces. */
int store_side_commit(store *s);

/* Rolls it back (a loss when it was open). */
void store_side_rollback(store *s);

/* The number of chunks.db transactions lost on this connection: a
 * submission must not complete when it changed since its first piece. */
unsigned store_side_lost(store *s);

/* Deletes one envelope of an incomplete submission (its own staged
 * transaction). */
int store_env_discard(store *s, int64_t env);

/* Inside a transaction begun by store_begin: records envelope lengths
 * (from chunks.db when side_uid, the submission's uid, is given: its
 * pieces went there), marks the submission complete and the source as
 * no longer pending. When the caller's store_commit returns 0, the
 * submission and every piece written before are on disk (chunks.db's
 * once store_side_commit has returned first). On failure, roll back. */
int store_sub_complete(store *s, int64_t sub, int64_t source_id,
		       const uint8_t *side_uid);

/* Deletes a submission and all it holds. */
int store_sub_discard(store *s, int64_t sub);

/* Deletes every incomplete submission (left by a crash), and what
 * chunks.db holds of no complete submission. *n: the count. Only while
 * no server runs. */
int store_sweep(store *s, int *n);

/* --- replies --- */

typedef int (*store_reply_fn)(void *ctx, const uint8_t uid[BUNDLE_ID],
			      const uint8_t *env, size_t len);

/* Calls fn for each reply to the source, oldest first; a non-zero return
 * stops and is returned. */
int store_replies(store *s, int64_t source_id, store_reply_fn fn, void *ctx);

/* Records that the source has read its replies uids[0..n) on day: each
 * one's status fact becomes read, unless it has a fact already (read, or
 * deleted, acknowledged or not), and only while the source still holds
 * it. One transaction; n 0 does nothing. 0 or STORE_EDB. */
int store_replies_read(store *s, int64_t source_id,
		       const uint8_t (*uids)[BUNDLE_ID], size_t n,
		       uint32_t day);

/* Deletes the source's reply uid and makes its status fact deleted on
 * day, in place of any earlier fact (read, acknowledged or not), in one
 * transaction. The uid stays in reply_uids so the same reply is never
 * imported again. STORE_ENOTFOUND if the source holds no such reply (a
 * reply of another source is not touched). */
int store_reply_delete(store *s, int64_t source_id,
		       const uint8_t uid[BUNDLE_ID], uint32_t day);

/* Deletes every reply of the source, as store_reply_delete each, and
 * every receipt of the source, in one transaction. */
int store_replies_delete_all(store *s, int64_t source_id, uint32_t day);

/* --- receipts: the newsroom has what a source sent on a day --- */

typedef int (*store_receipt_fn)(void *ctx, const uint8_t uid[BUNDLE_ID],
				uint32_t day);

/* Calls fn for each receipt of the source (its uid, and the day of the
 * submissions it stands for), oldest day first; a non-zero return stops
 * and is returned. */
int store_receipts(store *s, int64_t source_id, store_receipt_fn fn,
		   void *ctx);

/* Deletes the source's receipt uid. STORE_ENOTFOUND if the source has no
 * such receipt (another source's is not touched). */
int store_receipt_delete(store *s, int64_t source_id,
			 const uint8_t uid[BUNDLE_ID]);

/* --- export and import --- */

struct store_counts {
	int sources, submissions, envelopes, receipts, statuses;
	uint64_t bytes;
};

/* Writes every complete submission with its source records, a receipt
 * for every reply uid ever imported, and a REPLY_STATUS for every status
 * fact not yet acknowledged, from one consistent snapshot. */
int store_export(store *s, bundle_export *b, struct store_counts *n);

/* Transactions for import: begin (immediate), commit, rollback. */
int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);

/* STORE_EEXIST if the bundle id was applied before, else records it. */
int store_bundle_mark(store *s, const uint8_t id[BUNDLE_ID]);

/* Adds a reply for the source with that key. 0, STORE_ENOTFOUND (no
 * such source) or STORE_EEXIST (the uid was imported before). */
int store_reply_add(store *s, const uint8_t uid[BUNDLE_ID],
		    const uint8_t source_pk[32], const uint8_t *env,
		    size_t len, uint32_t day);

/* Deletes the submission with that uid, acknowledged by an outbox that
 * the newsroom key with id signer signed, if the submission was sealed to
 * that key, and gives its source a receipt for the submission's day
 * (unless it has one for that day). Inside a transaction (store_begin).
 * 0, STORE_ENOTFOUND (no such complete submission) or STORE_EDENIED (it
 * is here, but not sealed to that key: kept, and no receipt). */
int store_ack(store *s, const uint8_t uid[BUNDLE_ID],
	      const uint8_t signer[KEYS_ID_BYTES]);

/* The newsroom has recorded status (BUNDLE_REPLY_READ or _DELETED) for
 * reply uid: that fact is no longer exported, though the status stays
 * (so a read reply is not read again). A different fact, newer than the
 * one acknowledged, is kept. 0, or STORE_ENOTFOUND when nothing was
 * waiting to be acknowledged (no such reply, another fact, or already
 * acknowledged). */
int store_status_ack(store *s, const uint8_t uid[BUNDLE_ID], int status);

/* --- status --- */

struct store_status {
	int schema;
	int sources, pending, submissions, replies;
};

int store_status(store *s, struct store_status *st);

/* --- savepoints, for batches of jobs in one transaction (writer.c) --- */

/* Inside a transaction: marks where a job's rows begin. */
int store_savepoint(store *s);

/* Keeps the job's rows (keep set) or undoes them back to its
 * savepoint; the transaction goes on either way. 0, or STORE_EDB. */
int store_savepoint_end(store *s, int keep);

/* --- a pool of connections for request threads --- */

typedef struct store_pool store_pool;

/* A pool that opens connections to DIR/drop.db on demand and keeps at
 * most keep idle ones. NULL when out of memory. */
store_pool *store_pool_new(const char *dir, unsigned keep);

/* A connection for this thread's exclusive use, or NULL (errors are not
 * the caller's to explain: the request fails with a 500-style page). */
store *store_pool_get(store_pool *p);
void store_pool_put(store_pool *p, store *s);
void store_pool_free(store_pool *p);

#endif
