/*
 * writer.h - one thread that writes every upload's rows, and commits
 * together what arrives together.
 *
 * SQLite has no group commit: each writer takes the write lock in turn
 * and pays its own fsync. The drop has one instead. Uploads hand their
 * rows to the writer as jobs; the writer takes every job waiting, runs
 * them in one transaction (each inside a savepoint of its own, so one
 * that fails is undone alone), and commits once. A batch that holds a
 * job marked durable commits at synchronous=FULL, one fsync for all of
 * them; others at synchronous=NORMAL, like the staged writes they are.
 * A job is reported done only after the commit that holds it returned,
 * so nothing is answered before it is on disk.
 *
 * The uploading thread is free while its job is written: it can seal
 * the next piece on the other core meanwhile (upload.c).
 *
 * Pieces of uploads that arrive in several go to chunks.db (chunks.h),
 * whose transaction stays open across batches (a commit per piece would
 * cost its fsyncs each time): it commits before any batch that completes
 * a submission, after some 16 MiB, and when no job came for 20 ms. When
 * it fails, every upload with pieces in it fails at its end.
 */
#ifndef SEALDROP_WRITER_H
#define SEALDROP_WRITER_H

#include <stddef.h>

#include "store.h"

typedef struct writer writer;

/* Writes a job's rows on the writer's connection, inside a transaction
 * (never begin or end one here). 0, or non-zero to undo them. */
typedef int (*writer_fn)(store *s, void *ctx);

typedef struct writer_job {
	writer_fn fn;
	void *ctx;
	size_t bytes;    /* what it writes, roughly: bounds a batch */
	int durable;     /* its commit must be on disk when it is done */
	/* The writer's own: */
	int done, result;
	struct writer_job *next;
} writer_job;

/* Starts the writer's thread, writing through a connection of pool (the
 * pool must outlive the writer). NULL when out of memory or when the
 * database cannot be opened. */
writer *writer_start(store_pool *pool);

/* Writes what is queued, then stops the thread. NULL is fine. */
void writer_stop(writer *w);

/* Queues j (its fn, ctx, bytes and durable set); it must stay valid
 * until writer_wait returns for it. */
void writer_post(writer *w, writer_job *j);

/* Waits until j's transaction has committed or failed: 0 when j's rows
 * are committed (durably if j was durable), -1 when they are not there. */
int writer_wait(writer *w, writer_job *j);

/* fn on the calling thread, on a connection of the writer's pool of its
 * own, outside any transaction: for work that makes its own
 * transactions (rolling an upload back one chunk at a time) and must not
 * hold up the writer. fn's result, or STORE_EDB without a connection. */
int writer_alone(writer *w, writer_fn fn, void *ctx);

#endif
