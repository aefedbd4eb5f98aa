/*
 * desk_import.c - adds an export bundle to the archive, all or nothing.
 *
 * The bundle reader streams and only its final return says the drop's
 * signature over the whole file verified, so everything happens inside
 * one transaction that is committed only then: a truncated, changed or
 * forged bundle leaves the archive exactly as it was.
 *
 * The signature means something only if the key is the drop's: the first
 * export from a drop is refused until the journalist compares its
 * fingerprint with the one the drop's operator read out (`sealdrop init`
 * or `status`) and pins it with --trust; later ones must come from a
 * pinned key.
 *
 * A bundle whose new submissions none open under this home's key is
 * refused too: it belongs to another home. The passphrase is asked for
 * that check, after the signature verified and only when the bundle
 * brings something new.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "bundle.h"
#include "cli.h"
#include "desk.h"
#include "crypt.h"
#include "dropkey.h"
#include "envelope.h"
#include "unlock.h"

struct import {
	archive *ar;
	const char *trust;  /* --trust FINGERPRINT, or NULL */
	uint8_t pk[DROPKEY_PK]; /* the drop key the header names */
	int unpinned;       /* refused: signed by a key not pinned */
	int mismatch;       /* refused: not the key --trust gave */
	int pinned;         /* pinned by this import */
	int dberr;          /* a database error line was printed */
	const char *why;    /* why a callback refused the bundle */
	int64_t sub;        /* the submission being stored, or 0 */
	int skip;           /* the current submission is already archived */
	int64_t env;        /* the envelope being stored */
	uint64_t left;      /* its bytes still to come */
	int64_t seq;        /* its next chunk number */
	uint8_t *buf;       /* ARCHIVE_CHUNK bytes of ciphertext */
	size_t nbuf;
	int64_t *added;     /* the new submissions' ids, to check the key */
	size_t nadded, capadded;
	uint64_t done, total; /* bytes, for the progress line */
	unsigned long new_sources, new_subs, known_subs, receipts, statuses;
};

static int refuse(struct import *im, const char *why)
{
	im->why = why;
	return -1;
}

static int db_failed(struct import *im)
{
	im->dberr = 1;
	return -1;
}

/* The drop key: pinned already, or pinned now because --trust names it.
 * Pinning happens in the import's transaction, so a bundle that then
 * fails to verify pins nothing. */
static int on_header(void *ctx, const uint8_t pk[DROPKEY_PK])
{
	struct import *im = ctx;
	uint8_t want[KEYS_FPR_BYTES], got[KEYS_FPR_BYTES];
	uint8_t id[KEYS_ID_BYTES];
	int r;

	memcpy(im->pk, pk, DROPKEY_PK);
	r = archive_drop_pinned(im->ar, pk);
	if (r < 0)
		return db_failed(im);
	if (r == 0)
		return 0;
	if (im->trust == NULL) {
		im->unpinned = 1;
		return -1;
	}
	dropkey_fpr_bytes(pk, got);
	/* Public values: no need for a constant-time comparison. */
	if (keys_fpr_parse(im->trust, want) != 0 ||
	    memcmp(want, got, sizeof got) != 0) {
		im->mismatch = 1;
		return -1;
	}
	dropkey_id(pk, id);
	if (archive_drop_pin(im->ar, id, pk, crypt_today()) != 0)
		return db_failed(im);
	im->pinned = 1;
	return 0;
}

static int on_source(void *ctx, const uint8_t pk[32], uint32_t day)
{
	struct import *im = ctx;
	int added;

	if (archive_source_add(im->ar, pk, day, &added) != 0)
		return db_failed(im);
	im->new_sources += (unsigned long)added;
	return 0;
}

static int on_submission(void *ctx, const uint8_t id[BUNDLE_ID],
			 const uint8_t source_pk[32], uint32_t day,
			 uint16_t nenv)
{
	struct import *im = ctx;
	int64_t src, sub;
	int r;

	(void)nenv; /* the reader enforces the count and the order */
	im->sub = 0;
	im->skip = 0;
	r = archive_source_by_pk(im->ar, source_pk, &src);
	if (r < 0)
		return db_failed(im);
	if (r == 1)
		return refuse(im, "a submission from a source the archive "
			      "does not know");
	r = archive_sub_by_uid(im->ar, id, &sub);
	if (r < 0)
		return db_failed(im);
	if (r == 0) {
		/* Exported again: the server still holds it, so the
		 * acknowledgement did not arrive; send it again. */
		im->skip = 1;
		im->known_subs++;
		if (archive_sub_unack(im->ar, sub) != 0)
			return db_failed(im);
		return 0;
	}
	/* "New" is what the last import that brought anything brought: the
	 * earlier flags go with the first new submission, in the import's
	 * transaction (a refused bundle leaves them, and importing a bundle
	 * again changes nothing). */
	if (im->nadded == 0 &&
	    archive_exec(im->ar, "UPDATE submissions SET new = 0 WHERE new",
			 "clearing the new flags") != 0)
		return db_failed(im);
	if (archive_sub_add(im->ar, id, src, day, &im->sub) != 0)
		return db_failed(im);
	if (im->nadded == im->capadded) {
		size_t cap = im->capadded ? 2 * im->capadded : 64;
		int64_t *p = realloc(im->added, cap * sizeof(*p));

		if (!p)
			return refuse(im, "out of memory");
		im->added = p;
		im->capadded = cap;
	}
	im->added[im->nadded++] = im->sub;
	im->new_subs++;
	return 0;
}

static int flush_chunk(struct import *im)
{
	if (im->nbuf == 0)
		return 0;
	if (archive_chunk_add(im->ar, im->env, im->seq++, im->buf,
			      im->nbuf) != 0)
		return db_failed(im);
	im->nbuf = 0;
	return 0;
}

static int on_envelope(void *ctx, uint16_t index, uint64_t len)
{
	struct import *im = ctx;

	if (im->skip)
		return 0;
	im->left = len;
	im->seq = 0;
	im->nbuf = 0;
	if (archive_env_add(im->ar, im->sub, index, len, &im->env) != 0)
		return db_failed(im);
	return 0;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct import *im = ctx;

	im->done += len;
	cli_progress("importing", im->done, im->total);
	if (im->skip)
		return 0;
	/* The reader guarantees DATA never overruns its envelope. */
	if (len > im->left)
		return refuse(im, "data overruns its envelope");
	im->left -= len;
	while (len > 0) {
		size_t n = ARCHIVE_CHUNK - im->nbuf;

		if (n > len)
			n = len;
		memcpy(im->buf + im->nbuf, buf, n);
		im->nbuf += n;
		buf += n;
		len -= n;
		if (im->nbuf == ARCHIVE_CHUNK && flush_chunk(im) != 0)
			return -1;
	}
	if (im->left == 0)
		return flush_chunk(im);
	return 0;
}

static int on_receipt(void *ctx, const uint8_t reply_id[BUNDLE_ID])
{
	struct import *im = ctx;

	if (archive_reply_delivered(im->ar, reply_id) != 0)
		return db_failed(im);
	im->receipts++;
	return 0;
}

static int on_reply_status(void *ctx, const uint8_t reply_id[BUNDLE_ID],
			   int status, uint32_t day)
{
	struct import *im = ctx;

	if (archive_reply_status(im->ar, reply_id, status, day) != 0)
		return db_failed(im);
	im->statuses++;
	return 0;
}

static int stop_at_meta(void *ctx, const env_meta *meta)
{
	(void)ctx;
	(void)meta;
	return -1;
}

/* How many of the new submissions are not sealed to some other key:
 * each one's first envelope is opened as far as its inner record (the
 * rest is checked when it is read, and before it is acknowledged). One
 * that is damaged counts as this home's: it is kept, and `list` says it
 * is damaged. -1 after an error line. */
static long count_mine(struct import *im, const keys_secret *k)
{
	const env_open_cb cb = { stop_at_meta, NULL, NULL };
	long mine = 0;

	for (size_t i = 0; i < im->nadded; i++) {
		int64_t *envs = NULL;
		size_t n = 0;
		int r;

		cli_progress("checking", i, im->nadded);
		if (archive_env_list(im->ar, im->added[i], &envs, &n) != 0)
			return -1;
		r = n ? archive_env_open(im->ar, envs[0], k, &cb) : 0;
		free(envs);
		if (r == 1)
			return -1;
		if (r != CRYPT_ENOKEY)
			mine++;
	}
	cli_progress_end();
	return mine;
}

/* Why a bundle was refused, in the words the journalist needs: for a key
 * that is not pinned, its line and how to pin it. */
static void say_refused(const struct import *im, const char *path,
			const char *why)
{
	char line[DROPKEY_LINE], fpr[KEYS_FPR_LEN];

	if (!im->unpinned && !im->mismatch) {
		cli_err("%s: refused, nothing imported: %s", path,
			im->why ? im->why : why);
		return;
	}
	dropkey_line(im->pk, line);
	dropkey_fingerprint(im->pk, fpr);
	if (im->mismatch)
		cli_err("%s: refused, nothing imported: it is signed by %s, "
			"not by the fingerprint given to --trust", path, line);
	else
		cli_err("%s: refused, nothing imported: it is signed by %s, "
			"which this home has not pinned; compare it with the "
			"line `sealdrop init` or `sealdrop status` printed on "
			"the drop, and if they match run: import %s --trust "
			"'%s'", path, line, path, fpr);
}

int desk_import(struct admin *a, const char *path, const char *trust,
		struct desk_import_result *res)
{
	struct import im;
	char why[256];
	const bundle_export_cb cb = {
		.header = on_header,
		.source = on_source,
		.submission = on_submission,
		.envelope = on_envelope,
		.data = on_data,
		.receipt = on_receipt,
		.reply_status = on_reply_status,
		.ctx = &im,
	};
	struct stat sb;
	long mine;
	int fd, r, rc = ADM_ERR;

	memset(&im, 0, sizeof(im));
	memset(res, 0, sizeof(*res));
	im.trust = trust;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_err("%s: %s", path, strerror(errno));
		return ADM_ERR;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		im.total = (uint64_t)sb.st_size;
	im.buf = malloc(ARCHIVE_CHUNK);
	if (!im.buf) {
		cli_err("out of memory");
		goto out;
	}
	if (archive_open(a->home, &im.ar) != 0)
		goto out;
	if (archive_begin(im.ar) != 0)
		goto out;

	r = bundle_export_read(fd, &cb, why, sizeof(why));
	cli_progress_end();
	if (r != 0) {
		archive_rollback(im.ar);
		if (im.dberr)
			goto out;
		say_refused(&im, path, why);
		if (im.unpinned || im.mismatch) {
			res->unpinned = im.unpinned;
			dropkey_line(im.pk, res->line);
			dropkey_fingerprint(im.pk, res->fpr);
		}
		rc = r == CRYPT_EIO ? ADM_ERR : ADM_FAIL;
		goto out;
	}
	/* A bundle for another newsroom key (the wrong home, or another
	 * journalist's drop) would fill this archive with what it cannot
	 * read, and its acknowledgements could never be given from here. */
	/* Only then is the passphrase asked, and only when there is
	 * something new to open: a refused bundle, or one of receipts and
	 * known submissions, needs no key. */
	mine = 0;
	if (im.nadded > 0) {
		rc = unlock_key(a);
		if (rc != ADM_OK) {
			archive_rollback(im.ar);
			goto out;
		}
		rc = ADM_ERR;
		mine = count_mine(&im, a->key);
	}
	if (mine < 0) {
		archive_rollback(im.ar);
		goto out;
	}
	if (im.nadded > 0 && mine == 0) {
		archive_rollback(im.ar);
		cli_err("%s: refused, nothing imported: none of its %zu new "
			"submission%s is sealed to this home's key (check "
			"--home, and that the drop holds this newsroom.pub)",
			path, im.nadded, im.nadded == 1 ? "" : "s");
		rc = ADM_FAIL;
		goto out;
	}
	if (archive_drop_seen(im.ar, im.pk, crypt_today()) != 0 ||
	    archive_commit(im.ar) != 0) {
		archive_rollback(im.ar);
		goto out;
	}
	if (im.pinned) {
		res->pinned = 1;
		dropkey_line(im.pk, res->line);
	}
	res->new_sources = im.new_sources;
	res->new_subs = im.new_subs;
	res->known_subs = im.known_subs;
	res->receipts = im.receipts;
	res->statuses = im.statuses;
	res->foreign = im.nadded - (size_t)mine;
	rc = ADM_OK;
out:
	archive_close(im.ar);
	free(im.added);
	free(im.buf);
	close(fd);
	return rc;
}
