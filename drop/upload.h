/*
 * upload.h - one submission, sealed and stored while it arrives.
 *
 * The multipart fields of POST /submit are fed in as they are parsed. The
 * message and each non-empty file become one envelope sealed to every
 * newsroom key. Ciphertext is held in a piece of UPLOAD_FLUSH bytes;
 * each time it is full and more arrives, the writer (writer.h) writes it
 * in a staged transaction (synchronous=NORMAL) as rows of an incomplete
 * submission, while the upload seals on into a second piece; the
 * ciphertext of a submission written in more than one piece goes to
 * chunks.db, to be written to the disk once.
 * upload_finish hands over what is left with the completion, a durable
 * job that shares its commit and fsync with whatever other submissions
 * complete at the same time; a submission whose ciphertext fits one
 * piece costs one job. While every upload together holds more than the
 * budget (upload_budget), each writes what it holds at every sealed
 * chunk instead, so a held upload costs about one chunk. Plaintext is
 * never buffered here beyond what the sealer holds (one chunk, wiped).
 * An upload holds no database connection of its own.
 *
 * The CSRF field must come before any message or file data: nothing is
 * sealed for a request that has not proved where it comes from.
 */
#ifndef SEALDROP_UPLOAD_H
#define SEALDROP_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "envelope.h"
#include "store.h"
#include "writer.h"

/* Ciphertext bytes of one piece: eight sealed chunks (some 512 KiB), as
 * chunks are sealed straight into it, and room for envelope headers. */
#define UPLOAD_FLUSH (8u * ENV_CT_CHUNK + 4096)
#define UPLOAD_PP_BUFFER 16384    /* the post processor's buffer, bytes */

enum upload_err {
	UPLOAD_OK = 0,
	UPLOAD_EEMPTY = 1,    /* no message text and no non-empty file */
	UPLOAD_ECSRF = 2,     /* missing or wrong token, or data before it */
	UPLOAD_EHONEYPOT = 3, /* the hidden field was filled in */
	UPLOAD_ETOOMANY = 4,  /* more files than a submission may hold */
	UPLOAD_ESTORE = 5,    /* the database or the sealer failed */
	UPLOAD_ETOOBIG = 6,   /* stored (padded) bytes over the limit */
};

typedef struct upload upload;

/* Starts a submission by source_id to npk newsroom keys (copied), which
 * must carry the session's csrf token. NULL when out of memory. Its rows
 * are written by w, which must outlive the upload. */
upload *upload_new(writer *w, int64_t source_id, const uint8_t (*pks)[32],
		   size_t npk, const char *csrf);

/* The ciphertext every upload together may hold before it is written,
 * bytes (32 MiB until set). Call before serving. */
void upload_budget(size_t bytes);

/* Bounds u: at most max_files files (the message is not one) and
 * max_stored bytes of ciphertext, padding included (what the disk pays
 * for, not what the request carried). Without it: the format's own caps.
 * Call before the first field. */
void upload_limits(upload *u, unsigned max_files, uint64_t max_stored);

/* Feeds one piece of a multipart field, as libmicrohttpd's post processor
 * delivers it: off == 0 starts a new field. filename and type may be NULL.
 * Returns UPLOAD_OK or an error, which is sticky. */
int upload_field(upload *u, const char *key, const char *filename,
		 const char *type, const char *data, uint64_t off,
		 size_t size);

/* libmicrohttpd's post processor iterator, with cls the upload: each
 * piece goes to upload_field, and the upload's first error stops the
 * processor (MHD_NO). The upload must outlive the processor. */
enum MHD_Result upload_post_iter(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *filename,
				 const char *type, const char *encoding,
				 const char *data, uint64_t off, size_t size);

/* The error that stopped u, or UPLOAD_OK. */
int upload_error(const upload *u);

/* Ends the body: checks the token, honeypot and emptiness, then writes
 * the rest and completes the submission in a synchronous=FULL commit
 * (shared with others completing at once), and waits for it. UPLOAD_OK
 * means it is on disk. */
int upload_finish(upload *u);

/* Frees u. An upload that did not finish with UPLOAD_OK is rolled back:
 * its sealers are wiped and its rows deleted. NULL is fine. */
void upload_free(upload *u);

#endif
