/*
 * writer.c - the group commit of every upload's rows (writer.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "writer.h"

/* A batch takes every job waiting up to about this many bytes: enough
 * to share one fsync among many submissions, little enough that the WAL
 * stays small between checkpoints. */
#define WRITER_BATCH_BYTES (16u << 20)

/* chunks.db's transaction (store_side_add) stays open across batches
 * until about this many bytes were written in it, a submission
 * completes, or no job came for WRITER_SIDE_IDLE_MS. Each commit of a
 * rollback journal costs its fsyncs; a commit per piece of 512 KiB made
 * a large upload no faster than writing it twice. */
#define WRITER_SIDE_BYTES (16u << 20)
#define WRITER_SIDE_IDLE_MS 20

struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	writer_job *head, *tail;
	int stop;
	store_pool *pool;
	store *s;
	size_t side_bytes; /* written since chunks.db last committed */
};

/* Takes the oldest jobs waiting, up to WRITER_BATCH_BYTES (at least
 * one). With the lock held. */
static writer_job *take_batch(writer *w)
{
	writer_job *first = w->head, *last = first;
	size_t bytes = first->bytes;
	while (last->next && bytes + last->next->bytes <= WRITER_BATCH_BYTES) {
		last = last->next;
		bytes += last->bytes;
	}
	w->head = last->next;
	if (!w->head)
		w->tail = NULL;
	last->next = NULL;
	return first;
}

/* One transaction for the batch; each job in a savepoint, so a failing
 * one is undone and the others still commit. */
static void run_batch(writer *w, writer_job *batch)
{
	int durable = 0, r;
	for (writer_job *j = batch; j; j = j->next)
		durable |= j->durable;
	r = durable ? store_begin(w->s) : store_stage_begin(w->s);
	for (writer_job *j = batch; j; j = j->next) {
		if (r) {
			j->result = -1;
			continue;
		}
		j->result = store_savepoint(w->s) ? -1 : j->fn(w->s, j->ctx);
		if (store_savepoint_end(w->s, j->result == 0))
			j->result = -1;
	}
	/* chunks.db first: a submission that completes here is on disk
	 * only once the pieces before it are. */
	if (!r && durable) {
		r = store_side_commit(w->s) || store_commit(w->s);
		store_rollback(w->s);
	} else if (!r) {
		r = store_stage_end(w->s, 1);
	}
	for (writer_job *j = batch; j; j = j->next)
		w->side_bytes += j->bytes;
	if (!r && w->side_bytes >= WRITER_SIDE_BYTES)
		r = store_side_commit(w->s);
	if (r) {
		/* Every upload with pieces in it fails at its end. */
		store_side_rollback(w->s);
		for (writer_job *j = batch; j; j = j->next)
			j->result = -1;
	}
	if (!store_side_pending(w->s))
		w->side_bytes = 0;
}

/* Waits for work with the lock held; commits chunks.db's transaction
 * when none comes for a while, so it never holds chunks.db's lock long
 * for others (a discard, an export) while uploads trickle in. */
static void wait_work(writer *w)
{
	while (!w->head && !w->stop) {
		if (!store_side_pending(w->s)) {
			pthread_cond_wait(&w->work, &w->lock);
			continue;
		}
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += WRITER_SIDE_IDLE_MS * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&w->work, &w->lock, &t) == 0 ||
		    w->head || w->stop)
			continue;
		pthread_mutex_unlock(&w->lock);
		if (store_side_commit(w->s))
			store_side_rollback(w->s);
		w->side_bytes = 0;
		pthread_mutex_lock(&w->lock);
	}
}

static void *run(void *arg)
{
	writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		wait_work(w);
		if (!w->head)
			break;
		writer_job *batch = take_batch(w);
		pthread_mutex_unlock(&w->lock);
		run_batch(w, batch);
		pthread_mutex_lock(&w->lock);
		while (batch) {
			writer_job *next = batch->next;
			batch->next = NULL;
			batch->done = 1;
			batch = next;
		}
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	/* Nothing open belongs to a submission that completed. */
	store_side_rollback(w->s);
	return NULL;
}

writer *writer_start(store_pool *pool)
{
	writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->pool = pool;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	if (!(w->s = store_pool_get(pool)) ||
	    pthread_create(&w->thread, NULL, run, w)) {
		store_pool_put(pool, w->s);
		free(w);
		return NULL;
	}
	return w;
}

void writer_stop(writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	store_pool_put(w->pool, w->s);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void writer_post(writer *w, writer_job *j)
{
	j->done = 0;
	j->result = -1;
	j->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
}

int writer_wait(writer *w, writer_job *j)
{
	pthread_mutex_lock(&w->lock);
	while (!j->done)
		pthread_cond_wait(&w->done, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return j->result ? -1 : 0;
}

int writer_alone(writer *w, writer_fn fn, void *ctx)
{
	store *s = store_pool_get(w->pool);
	int r = s ? fn(s, ctx) : STORE_EDB;
	store_pool_put(w->pool, s);
	return r;
}
