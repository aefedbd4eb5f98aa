/*
 * archive.h - the air-gapped machine's archive, DIR/archive.db (SQLite).
 *
 * It holds ciphertext only: envelopes exactly as the server sealed them,
 * notes and replies sealed by this tool, and the few clear facts needed to
 * list them (source reply keys, day numbers, sizes, flags). Designations
 * are computed here from the reply key, never taken from a bundle.
 * Envelope bytes are stored in ARCHIVE_CHUNK-byte rows so that nothing
 * large is ever held in memory, on the way in or out.
 *
 * Functions print their own one-line error and return -1 on a database
 * error.
 */
#ifndef SEALDROP_ADMIN_ARCHIVE_H
#define SEALDROP_ADMIN_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "bundle.h"
#include "envelope.h"
#include "keys.h"

#define ARCHIVE_CHUNK (1u << 20)

typedef struct archive archive;

/* Opens (creating it and migrating its schema when needed) DIR/archive.db.
 * Returns 0, or -1 after an error line. */
int archive_open(const char *home, archive **out);
void archive_close(archive *ar);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1. */
int archive_begin(archive *ar);
int archive_commit(archive *ar);
void archive_rollback(archive *ar);

/* A prepared statement for the commands' own queries, or NULL after an
 * error line. The caller finalizes it. */
sqlite3_stmt *archive_prepare(archive *ar, const char *sql);

/* Runs sql (no parameters, no rows). 0, or -1 after "what: <sqlite's
 * message>". */
int archive_exec(archive *ar, const char *sql, const char *what);

/* Prints "what: <sqlite's message>" and returns -1. */
int archive_fail(archive *ar, const char *what);

/* Adds a source unless its key is known. *added says which. 0 or -1.
 * A new source gets the shortest designation from its key, of two words
 * and up (codename_designation_n), that no source already has: the first
 * keeps a name, so no later key can take it. A source whose every length
 * is taken is refused with an error line. */
int archive_source_add(archive *ar, const uint8_t pk[32], uint32_t day,
		       int *added);

/* The local id of the source with that reply key: 0 and *id, 1 when
 * unknown, -1. */
int archive_source_by_pk(archive *ar, const uint8_t pk[32], int64_t *id);

/* The source whose designation is desig (designations are unique): 0
 * with *id and pk, 1 when none, -1. */
int archive_source_by_name(archive *ar, const char *desig, int64_t *id,
			   uint8_t pk[32]);

/* The source of submission sub: 0 with *id and pk, 1 when there is no
 * such submission, -1. */
int archive_source_by_sub(archive *ar, int64_t sub, int64_t *id,
			  uint8_t pk[32]);

/* Pinned drop signing keys: the drops whose exports this archive accepts,
 * each by its key and 8-byte key id, with the day it was pinned and the
 * last day an export it signed was imported. */

/* 0 when the drop key pk is pinned, 1 when not, -1 after an error line. */
int archive_drop_pinned(archive *ar, const uint8_t pk[32]);

/* Pins drop key pk (its 8-byte id given) on day; pinning again is a no-op.
 * Another key already pinned under that id is an error. 0 or -1. */
int archive_drop_pin(archive *ar, const uint8_t id[8], const uint8_t pk[32],
		     uint32_t day);

/* Records that an export signed by pk was imported on day (a key not
 * pinned changes nothing). 0 or -1. */
int archive_drop_seen(archive *ar, const uint8_t pk[32], uint32_t day);

/* Calls fn for every pinned key, oldest pin first; a non-zero return
 * stops and is returned. -1 on a database error. last_day is -1 if no
 * export it signed was ever imported. */
typedef int (*archive_drop_fn)(void *ctx, const uint8_t id[8],
			       const uint8_t pk[32], uint32_t day,
			       int64_t last_day);
int archive_drops(archive *ar, archive_drop_fn fn, void *ctx);

/* Unpins the key with that id: 0, 1 when none, -1. */
int archive_drop_remove(archive *ar, const uint8_t id[8]);

/* The local id of a submission by its uid: 0 and *id, 1 when unknown, -1. */
int archive_sub_by_uid(archive *ar, const uint8_t uid[BUNDLE_ID],
		       int64_t *id);

/* Adds a submission; *id gets its local id. 0 or -1. */
int archive_sub_add(archive *ar, const uint8_t uid[BUNDLE_ID], int64_t src,
		    uint32_t day, int64_t *id);

/* A known submission was exported again: the server still holds it, so
 * its acknowledgement is due again. 0 or -1. */
int archive_sub_unack(archive *ar, int64_t id);

/* 0 when submission id exists, 1 when not (after an error line), -1. */
int archive_sub_check(archive *ar, int64_t id);

/* Sets the unread flag. 0 or -1. */
int archive_sub_set_unread(archive *ar, int64_t id, int unread);

/* Toggles the star; *starred gets the new state. 0 or -1. */
int archive_sub_toggle_star(archive *ar, int64_t id, int *starred);

/* Adds envelope number index of submission sub, of len bytes, and counts
 * len into the submission's bytes. 0 and *id, or -1. */
int archive_env_add(archive *ar, int64_t sub, unsigned index, uint64_t len,
		    int64_t *id);

/* Stores chunk number seq of envelope env. 0 or -1. */
int archive_chunk_add(archive *ar, int64_t env, int64_t seq,
		      const uint8_t *buf, size_t len);

/* Notes an envelope's kind once it has been opened, so `list` can count
 * files without the key. 0 or -1. */
int archive_env_set_kind(archive *ar, int64_t env, int kind);

/* The files of a submission as `list` counts them: envelopes known to be
 * files, and unopened ones after the first (the server puts a message
 * first). An SQL expression over the submission's id s.id. */
#define ARCHIVE_FILES_SQL \
	"(SELECT count(*) FROM envelopes e WHERE e.submission = s.id AND " \
	"(e.kind = 2 OR (e.kind IS NULL AND e.idx > 0)))"

/* The envelope ids of submission sub in order, in a malloc'd array. 0 or
 * -1. */
int archive_env_list(archive *ar, int64_t sub, int64_t **ids, size_t *n);

/* Envelope env's length as stored (its ciphertext's bytes), or 0 when it
 * cannot be read. */
uint64_t archive_env_length(archive *ar, int64_t env);

/* Opens envelope env with the newsroom key, streaming its chunks into an
 * opener with cb. Returns 0, a CRYPT_* error from the opener (CRYPT_ESINK
 * when a callback stopped it), or 1 after an error line for a database
 * error. */
int archive_env_open(archive *ar, int64_t env, const keys_secret *k,
		     const env_open_cb *cb);

/* Whether every envelope of submission sub, as the archive holds it now,
 * opens whole under the newsroom key: each is authenticated to its FINAL
 * chunk and its content discarded unseen (nothing is written anywhere).
 * What this says yes to may be acknowledged, so the server deletes its
 * copy. Returns 0; the first failing envelope's CRYPT_* error
 * (CRYPT_ENOKEY: not sealed to this key; CRYPT_EFORMAT also for a
 * submission with no envelopes); or 1 after an error line for a database
 * error. */
int archive_sub_verify(archive *ar, int64_t sub, const keys_secret *k);

/* Opens an envelope held whole in memory; returns as archive_env_open. */
int archive_blob_open(const uint8_t *env, size_t len, const keys_secret *k,
		      const env_open_cb *cb);

/* Seals len bytes of text as kind to the X25519 key pk, into a malloc'd
 * *env of *envlen bytes (ciphertext: no need to wipe). 0 or a CRYPT_*
 * error. */
int archive_seal_text(const uint8_t pk[32], int kind, const char *text,
		      size_t len, uint8_t **env, size_t *envlen);

/* Adds a sealed note to submission sub. 0 or -1. */
int archive_note_add(archive *ar, int64_t sub, const uint8_t *env,
		     size_t len);

/* Calls fn for each note of sub, oldest first; stops at fn's non-zero
 * return and returns it. -1 on a database error. */
int archive_note_each(archive *ar, int64_t sub,
		      int (*fn)(void *ctx, uint32_t day, const uint8_t *env,
				size_t len),
		      void *ctx);

/* Queues a reply: env sealed to the source, copy (the same text) sealed
 * to the newsroom key so that the conversation stays readable here. 0 or
 * -1. */
int archive_reply_add(archive *ar, const uint8_t uid[BUNDLE_ID], int64_t src,
		      const uint8_t *env, size_t len, const uint8_t *copy,
		      size_t copylen);

/* The drop reported that the source read (BUNDLE_REPLY_READ) or deleted
 * (BUNDLE_REPLY_DELETED) reply uid on day: recorded, and due to be
 * acknowledged in the next outbox. A deletion is never overwritten by a
 * reading. An unknown uid changes nothing. 0 or -1. */
int archive_reply_status(archive *ar, const uint8_t uid[BUNDLE_ID],
			 int status, uint32_t day);

/* Takes back reply id (the local id `replies` shows) if no outbox has
 * carried it yet: 0 when deleted, 1 when there is no such reply, 2 when
 * it was written to an outbox (it may be on its way), -1. */
int archive_reply_unqueue(archive *ar, int64_t id);

/* A reply's status, as an SQL expression over replies r: what the source
 * did with it, else how far it got. */
#define ARCHIVE_REPLY_STATUS_SQL \
	"(CASE WHEN r.status = 2 THEN 'deleted' WHEN r.status = 1 THEN " \
	"'read' WHEN r.delivered THEN 'held' WHEN r.outboxed THEN 'outbox' " \
	"ELSE 'queued' END)"

/* A receipt came back: the server holds reply uid. 0 or -1 (an unknown
 * uid is not an error: the reply may predate this archive). */
int archive_reply_delivered(archive *ar, const uint8_t uid[BUNDLE_ID]);

#endif
