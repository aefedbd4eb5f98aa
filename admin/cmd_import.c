/*
 * cmd_import.c - adds an export bundle to the archive, all or nothing.
 *
 * The bundle reader streams and only its final return says the file was
 * intact, so everything happens inside one transaction that is committed
 * only then: a truncated, corrupted or hostile bundle leaves the archive
 * exactly as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "bundle.h"
#include "cli.h"
#include "crypt.h"

struct import {
	archive *ar;
	int dberr;          /* a database error line was printed */
	const char *why;    /* why a callback refused the bundle */
	int64_t sub;        /* the submission being stored, or 0 */
	int skip;           /* the current submission is already archived */
	int64_t env;        /* the envelope being stored */
	uint64_t left;      /* its bytes still to come */
	int64_t seq;        /* its next chunk number */
	uint8_t *buf;       /* ARCHIVE_CHUNK bytes of ciphertext */
	size_t nbuf;
	unsigned long new_sources, new_subs, known_subs, receipts;
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
	if (archive_sub_add(im->ar, id, src, day, &im->sub) != 0)
		return db_failed(im);
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

int cmd_import(struct admin *a, int argc, char **argv)
{
	struct import im;
	char *pos[1], why[256];
	const struct cli_opt opts[] = {
		{ NULL, NULL, NULL },
	};
	const bundle_export_cb cb = {
		on_source, on_submission, on_envelope, on_data, on_receipt,
		&im,
	};
	int fd, r, rc = ADM_ERR;

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	memset(&im, 0, sizeof(im));
	fd = open(pos[0], O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_err("%s: %s", pos[0], strerror(errno));
		return ADM_ERR;
	}
	im.buf = malloc(ARCHIVE_CHUNK);
	if (!im.buf) {
		cli_err("out of memory");
		goto out;
	}
	if (archive_open(a->home, &im.ar) != 0 || archive_begin(im.ar) != 0)
		goto out;

	r = bundle_export_read(fd, &cb, why, sizeof(why));
	if (r != 0) {
		archive_rollback(im.ar);
		if (im.dberr)
			goto out;
		cli_err("%s: refused, nothing imported: %s", pos[0],
			im.why ? im.why : why);
		rc = r == CRYPT_EIO ? ADM_ERR : ADM_FAIL;
		goto out;
	}
	if (archive_commit(im.ar) != 0) {
		archive_rollback(im.ar);
		goto out;
	}
	printf("Imported %s: %lu new source%s, %lu new submission%s "
	       "(%lu already archived), %lu receipt%s.\n", pos[0],
	       im.new_sources, im.new_sources == 1 ? "" : "s", im.new_subs,
	       im.new_subs == 1 ? "" : "s", im.known_subs, im.receipts,
	       im.receipts == 1 ? "" : "s");
	rc = ADM_OK;
out:
	archive_close(im.ar);
	free(im.buf);
	close(fd);
	return rc;
}
