/*
 * desk_outbox.c - writing the signed bundle that carries replies and
 * acknowledgements to the server.
 *
 * Nothing here counts as delivered: replies stay queued until a receipt in
 * a later export says the server holds them, and a submission is
 * acknowledged again if a later export still carries it. A lost or
 * unreadable USB stick therefore loses nothing; writing an outbox again is
 * always safe.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cli.h"
#include "crypt.h"
#include "desk.h"
#include "fileio.h"
#include "unlock.h"

/* The rows an outbox takes (select) and the statement that marks each
 * as taken (mark): both, or neither and -1. */
static int prepare_walk(archive *ar, const char *select, const char *mark,
			sqlite3_stmt **st, sqlite3_stmt **mk)
{
	*st = archive_prepare(ar, select);
	*mk = archive_prepare(ar, mark);
	if (*st && *mk)
		return 0;
	sqlite3_finalize(*st);
	sqlite3_finalize(*mk);
	return -1;
}

/* Room kept below the reader's cap for record headers, acks and the
 * signature: replies beyond it wait for the next outbox. */
#define REPLY_BUDGET (BUNDLE_OUTBOX_MAX - (8u << 20))

static int add_replies(archive *ar, bundle_outbox *b,
		       struct desk_outbox_counts *c)
{
	sqlite3_stmt *st, *mark;
	size_t used = 0;
	int r, rc = 0;

	if (prepare_walk(ar, "SELECT r.uid, s.pk, r.env, r.id FROM "
			 "replies r JOIN sources s ON s.id = r.source "
			 "WHERE r.delivered = 0 AND r.status = 0 "
			 "ORDER BY r.id",
			 "UPDATE replies SET outboxed = 1 WHERE id = ?", &st,
			 &mark) != 0)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, 2);

		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID ||
		    sqlite3_column_bytes(st, 1) != 32)
			continue;
		if (used + len > REPLY_BUDGET) {
			c->held++;
			continue;
		}
		rc = bundle_outbox_reply(b, sqlite3_column_blob(st, 0),
					 sqlite3_column_blob(st, 1),
					 sqlite3_column_blob(st, 2), len);
		if (rc != 0) {
			cli_err("writing a reply: %s", crypt_strerror(rc));
			break;
		}
		used += len + 64;
		c->replies++;
		/* From now on it may be on its way: no taking it back. */
		sqlite3_bind_int64(mark, 1, sqlite3_column_int64(st, 3));
		if (sqlite3_step(mark) != SQLITE_DONE) {
			rc = archive_fail(ar, "marking replies");
			break;
		}
		sqlite3_reset(mark);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(mark);
	if (rc == 0 && r != SQLITE_DONE)
		return archive_fail(ar, "reading queued replies");
	return rc ? -1 : 0;
}

/* Tells the drop it may forget each reply status it reported that this
 * archive has recorded and not yet acknowledged. */
static int add_status_acks(archive *ar, bundle_outbox *b,
			   struct desk_outbox_counts *c)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	st = archive_prepare(ar, "SELECT uid, status FROM replies WHERE "
			     "status > 0 AND status_acked = 0 ORDER BY id");
	if (!st)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != BUNDLE_ID)
			continue;
		rc = bundle_outbox_status_ack(b, sqlite3_column_blob(st, 0),
					      sqlite3_column_int(st, 1));
		if (rc != 0) {
			cli_err("writing a status acknowledgement: %s",
				crypt_strerror(rc));
			break;
		}
		c->statuses++;
	}
	sqlite3_finalize(st);
	if (rc == 0 && r != SQLITE_DONE)
		return archive_fail(ar, "reading reply statuses");
	if (rc == 0 && archive_exec(ar, "UPDATE replies SET status_acked = 1 "
				    "WHERE status > 0 AND status_acked = 0",
				    "marking reply statuses") != 0)
		return -1;
	return rc ? -1 : 0;
}

/* Acknowledges, and marks acknowledged, each imported submission that
 * this home's key opens whole, every envelope authenticated to its end
 * as the archive holds it now: the server deletes what an outbox
 * acknowledges, so its copy must not go while the only other one is
 * damaged. One sealed only to other keys (another journalist's, or from
 * before this key was added) stays there for whoever can read it; one
 * that does not open whole stays to be exported again, and is named. */
static int add_acks(archive *ar, const keys_secret *key, bundle_outbox *b,
		    struct desk_outbox_counts *c)
{
	sqlite3_stmt *st, *mark;
	int r, rc = 0;

	if (prepare_walk(ar, "SELECT id, uid FROM submissions "
			 "WHERE acked = 0 ORDER BY id",
			 "UPDATE submissions SET acked = 1 WHERE id = ?", &st,
			 &mark) != 0)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (sqlite3_column_bytes(st, 1) != BUNDLE_ID)
			continue;
		cli_progress("verifying", c->acks + c->foreign + c->broken, 0);
		rc = archive_sub_verify(ar, id, key);
		if (rc == 1)
			break;
		if (rc == CRYPT_ENOKEY) {
			c->foreign++;
			rc = 0;
			continue;
		}
		if (rc != 0) {
			cli_err("submission %lld not acknowledged: %s in "
				"this archive", (long long)id,
				crypt_strerror(rc));
			c->broken++;
			rc = 0;
			continue;
		}
		rc = bundle_outbox_ack(b, sqlite3_column_blob(st, 1));
		if (rc != 0) {
			cli_err("writing an acknowledgement: %s",
				crypt_strerror(rc));
			break;
		}
		/* Updating the row just read is safe in SQLite; the whole
		 * transaction is rolled back unless the bundle is written. */
		sqlite3_bind_int64(mark, 1, id);
		if (sqlite3_step(mark) != SQLITE_DONE) {
			rc = archive_fail(ar, "marking acknowledgements");
			break;
		}
		sqlite3_reset(mark);
		c->acks++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(mark);
	if (rc == 0 && r != SQLITE_DONE)
		return archive_fail(ar, "reading submissions");
	return rc ? -1 : 0;
}

int desk_outbox(struct admin *a, const char *out,
		struct desk_outbox_counts *counts)
{
	struct desk_outbox_counts c = { 0 };
	char tmp[PATH_MAX];
	uint8_t id[BUNDLE_ID];
	bundle_outbox *b = NULL;
	archive *ar = NULL;
	int fd = -1, r, rc = ADM_ERR;

	memset(counts, 0, sizeof(*counts));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= (int)sizeof(tmp)) {
		cli_err("%s: path too long", out);
		return ADM_ERR;
	}
	/* Where it goes is checked before the passphrase is asked, and the
	 * key before the archive is opened (a mistyped --home must not
	 * become an empty archive). Errors name the path the journalist
	 * typed, not the file written first. */
	fd = fileio_create_private(tmp, 1);
	if (fd < 0) {
		cli_err("%s: %s", out, strerror(errno));
		return ADM_ERR;
	}
	rc = unlock_key(a);
	if (rc != ADM_OK)
		goto rollback_file;
	rc = ADM_ERR;
	if (archive_open(a->home, &ar) != 0)
		goto rollback_file;
	/* Held from the first read to the last update, so what is marked
	 * acknowledged is exactly what the bundle carries. */
	if (archive_begin(ar) != 0)
		goto rollback_file;

	crypt_random(id, sizeof(id));
	r = bundle_outbox_begin(&b, fd, a->key, id, crypt_today());
	if (r != 0) {
		cli_err("starting the bundle: %s", crypt_strerror(r));
		goto rollback;
	}
	if (add_replies(ar, b, &c) != 0 || add_acks(ar, a->key, b, &c) != 0 ||
	    add_status_acks(ar, b, &c) != 0) {
		cli_progress_end();
		bundle_outbox_abort(b);
		goto rollback;
	}
	cli_progress_end();
	r = bundle_outbox_finish(b);
	if (r != 0) {
		cli_err("%s: %s", out, r == CRYPT_EIO ? strerror(errno) :
			crypt_strerror(r));
		goto rollback;
	}
	r = fileio_sync_close(fd);
	fd = -1;
	if (r != 0 || rename(tmp, out) != 0) {
		cli_err("%s: %s", out, strerror(errno));
		goto rollback;
	}
	cli_sync_parent(out);

	if (archive_commit(ar) != 0)
		goto rollback;
	*counts = c;
	rc = ADM_OK;
	goto out;
rollback:
	archive_rollback(ar);
rollback_file:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	archive_close(ar);
	return rc;
}
