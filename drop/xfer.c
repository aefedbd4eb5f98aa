/*
 * xfer.c - `sealdrop export` and `sealdrop import`: the drop's side of
 * the air gap.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cmd.h"
#include "crypt.h"
#include "fileio.h"
#include "lock.h"
#include "store.h"

/* Makes a rename durable: the directory entry is synced too. */
static int sync_dir_of(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* Sweeps half-written submissions, but only when no server is running:
 * a running server's uploads in progress look the same. */
static void sweep_if_idle(const char *dir, store *s)
{
	int n = 0, lock = lock_take(dir);
	if (lock < 0)
		return;
	if (store_sweep(s, &n) == 0 && n)
		fprintf(stderr, "sealdrop: removed %d unfinished "
			"submission(s)\n", n);
	lock_release(lock);
}

int cmd_export(const cmd_args *a)
{
	char why[512], tmp[4096];
	struct store_counts n;
	bundle_export *b;

	dropkey *dk;

	store *s = store_open(a->dir, why, sizeof(why));
	if (!s)
		return cmd_fail("%s", why);
	if (cmd_drop_key(a->dir, &dk)) {
		store_close(s);
		return 2;
	}
	sweep_if_idle(a->dir, s);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.partial", a->out) >=
	    sizeof(tmp)) {
		store_close(s);
		dropkey_free(dk);
		return cmd_fail("%s: name too long", a->out);
	}
	/* Written beside the target and renamed over it: a reader sees the
	 * old bundle or the whole new one, never half of one. Errors name
	 * the target, the name the operator typed. */
	int fd = fileio_create_private(tmp, 1);
	if (fd < 0) {
		store_close(s);
		dropkey_free(dk);
		return cmd_fail("%s: %s", a->out, strerror(errno));
	}
	int r = bundle_export_begin(&b, fd, dk);
	if (r == 0 && store_export(s, b, &n)) {
		bundle_export_abort(b);
		cmd_fail("%s: %s", a->dir, store_errmsg(s));
		r = -1;
	} else if (r == 0 && (r = bundle_export_finish(b))) {
		cmd_fail("%s: %s", a->out, crypt_strerror(r));
	} else if (r) {
		cmd_fail("%s: %s", a->out, crypt_strerror(r));
	}
	store_close(s);
	uint8_t pk[DROPKEY_PK];
	memcpy(pk, dk->pk, DROPKEY_PK);
	dropkey_free(dk);
	if (fileio_sync_close(fd) && !r) {
		cmd_fail("%s: %s", a->out, strerror(errno));
		r = -1;
	}
	if (!r && (rename(tmp, a->out) || sync_dir_of(a->out))) {
		cmd_fail("%s: %s", a->out, strerror(errno));
		r = -1;
	}
	if (r) {
		unlink(tmp);
		return 2;
	}
	char line[DROPKEY_LINE];
	dropkey_line(pk, line);
	fprintf(stderr, "sealdrop: exported %d submission(s) (%d envelopes, "
		"%llu bytes) from %d source(s), %d reply receipt(s) and %d "
		"reply status(es), signed by %s\n", n.submissions,
		n.envelopes, (unsigned long long)n.bytes, n.sources,
		n.receipts, n.statuses, line);
	return 0;
}

struct import {
	store *s;
	int already, failed;
	int replies, unknown, seen, acks, missing;
	int denied; /* acks from a key the submission is not sealed to */
	int statuses, stale; /* status acks; of which for no fact waiting */
	uint8_t signer[KEYS_ID_BYTES];
};

static int on_header(void *ctx, const uint8_t id[BUNDLE_ID], uint32_t day,
		     const keys_pub *signer)
{
	struct import *im = ctx;
	int r = store_bundle_mark(im->s, id);
	(void)day;
	/* Kept for the acks: a key may delete only what was sealed to it. */
	memcpy(im->signer, signer->id, KEYS_ID_BYTES);
	if (r == STORE_EEXIST)
		im->already = 1;
	else if (r)
		im->failed = 1;
	return r;
}

static int on_reply(void *ctx, const uint8_t uid[BUNDLE_ID],
		    const uint8_t source_pk[32], const uint8_t *env,
		    size_t len)
{
	struct import *im = ctx;
	int r = store_reply_add(im->s, uid, source_pk, env, len,
				crypt_today());
	if (r == 0)
		im->replies++;
	else if (r == STORE_ENOTFOUND)
		im->unknown++;
	else if (r == STORE_EEXIST)
		im->seen++;
	else
		return im->failed = 1;
	return 0;
}

static int on_ack(void *ctx, const uint8_t uid[BUNDLE_ID])
{
	struct import *im = ctx;
	int r = store_ack(im->s, uid, im->signer);
	if (r == 0)
		im->acks++;
	else if (r == STORE_ENOTFOUND)
		im->missing++;
	else if (r == STORE_EDENIED)
		im->denied++;
	else
		return im->failed = 1;
	return 0;
}

static int on_status_ack(void *ctx, const uint8_t uid[BUNDLE_ID], int status)
{
	struct import *im = ctx;
	int r = store_status_ack(im->s, uid, status);
	if (r == 0)
		im->statuses++;
	else if (r == STORE_ENOTFOUND)
		im->stale++;
	else
		return im->failed = 1;
	return 0;
}

int cmd_import(const cmd_args *a)
{
	char why[512] = "";
	keys_pub keys[STORE_MAX_KEYS];
	size_t nkeys;
	struct import im = { 0 };
	bundle_outbox_cb cb = { on_header, on_reply, on_ack, on_status_ack,
				&im };

	int fd = open(a->arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cmd_fail("%s: %s", a->arg, strerror(errno));
	im.s = store_open(a->dir, why, sizeof(why));
	if (!im.s) {
		close(fd);
		return cmd_fail("%s", why);
	}
	/* The keys are read inside the transaction: an outbox signed by a
	 * key that `sealdrop keys remove` has just removed is refused. */
	if (store_begin(im.s) ||
	    store_keys(im.s, keys, STORE_MAX_KEYS, &nkeys)) {
		cmd_fail("%s: %s", a->dir, store_errmsg(im.s));
		goto fail;
	}
	/* Nothing is applied unless the whole bundle verified and every
	 * record went in: one transaction, committed at the end. */
	int r = bundle_outbox_read(fd, keys, nkeys, &cb, why, sizeof(why));
	close(fd);
	fd = -1;
	if (im.already) {
		store_rollback(im.s);
		store_close(im.s);
		fprintf(stderr, "sealdrop: %s: already imported; nothing "
			"changed\n", a->arg);
		return 0;
	}
	if (im.failed) {
		cmd_fail("%s: %s", a->dir, store_errmsg(im.s));
		goto fail;
	}
	if (r) {
		store_rollback(im.s);
		store_close(im.s);
		fprintf(stderr, "sealdrop: %s: does not verify (%s); nothing "
			"changed\n", a->arg, why[0] ? why : crypt_strerror(r));
		return r == CRYPT_EIO ? 2 : 1;
	}
	if (store_commit(im.s)) {
		cmd_fail("%s: %s", a->dir, store_errmsg(im.s));
		goto fail;
	}
	store_close(im.s);
	fprintf(stderr, "sealdrop: imported %d repl%s (%d already held, %d "
		"for unknown sources), %d reply status acknowledgement(s) "
		"(%d for a status no longer waiting) and %d "
		"acknowledgement(s) (%d for submissions no longer here, %d "
		"ignored: the signing key is not one the submission was "
		"sealed to)\n", im.replies, im.replies == 1 ? "y" : "ies",
		im.seen, im.unknown, im.statuses + im.stale, im.stale,
		im.acks, im.missing, im.denied);
	/* A bundle left behind on the stick tells a finder how much went
	 * back and forth; applied, it is of no more use. */
	fprintf(stderr, "sealdrop: %s is applied: delete it from the stick "
		"and from this machine\n", a->arg);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	store_rollback(im.s);
	store_close(im.s);
	return 2;
}
