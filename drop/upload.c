/*
 * upload.c - streaming a submission into sealed, stored envelopes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sodium.h>

#include "crypt.h"
#include "envelope.h"
#include "form.h"
#include "sess.h"
#include "upload.h"

enum part { PART_NONE, PART_CSRF, PART_HONEYPOT, PART_MESSAGE, PART_FILE,
	    PART_OTHER };

/* Ciphertext buffered by every upload together, and what it may be
 * (upload_budget). Past it, uploads write what they hold at each sealed
 * chunk rather than at UPLOAD_FLUSH: many slow uploads at once cost
 * little each, and one fast one alone still writes in large pieces. */
static atomic_size_t held;
static size_t budget = (size_t)32 << 20;

/* One buffer of ciphertext on its way to the database, in envelope
 * order: the rest of envelope first (the open one when nbuf is 0), the
 * finished ones after it, then the start of the open one. The i-th
 * finished one ends at ends[i]. sub, env and seq say where its rows go;
 * once its job has committed they say where the next piece's go. */
struct piece {
	upload *u;
	uint8_t *buf;      /* UPLOAD_FLUSH bytes, mapped when first used */
	size_t len, nbuf;
	uint32_t ends[BUNDLE_ENVELOPES_MAX];
	int first;
	int final;         /* the last piece: it completes the submission */
	int side;          /* its rows go to chunks.db (upload.h) */
	int64_t sub, env;
	int seq;
	uint8_t uid[BUNDLE_ID];
	unsigned lost;     /* chunks.db's losses when the first piece went */
	writer_job job;
	int posted;        /* its job is queued or being written */
};

struct upload {
	writer *w;
	int64_t source_id;
	uint8_t pks[ENV_MAX_RECIPIENTS][32];
	size_t npk;
	char csrf[SESS_HEX];
	char given[SESS_HEX + 1];
	size_t given_len;
	int csrf_ok, honeypot, content, err, committed;
	int room_failed;   /* room() could not write or map a piece */

	enum part part;
	env_sealer *seal;  /* the envelope being written, if any */
	int blank;         /* a message of only white space so far */
	int nenv;          /* envelopes finished */
	/* Two pieces: one being filled (cur) while the other's rows are
	 * written, so sealing and writing overlap on two cores. */
	struct piece p[2];
	int cur;
	unsigned max_files;  /* files this submission may hold */
	uint64_t max_stored; /* ciphertext bytes it may store, padding too */
	uint64_t stored;   /* ciphertext bytes so far */
	unsigned nfiles;   /* file envelopes begun */
	int toobig;        /* the sink refused: over max_stored */
	/* Where the rows written so far end: the submission's row (0 until
	 * written), the open envelope's (0 if it has none) and its next
	 * chunk number. Kept only once their transaction commits, so a
	 * rolled-back one leaves nothing to clean up but what came before. */
	int64_t sub, env;
	int seq;
	uint8_t uid[BUNDLE_ID]; /* the submission's, with sub */
	unsigned lost;
	int side, written; /* side: chosen when the first piece is sent */
};

/* Piece buffers of finished uploads, kept for the next ones: a small
 * submission would otherwise map a buffer, fault its pages in and unmap
 * it (a TLB shootdown on every CPU) each time. At most UPLOAD_SPARE wait
 * here, with whatever pages they have (ciphertext, nothing secret). */
#define UPLOAD_SPARE 8

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *spare[UPLOAD_SPARE];
static size_t nspare;

/* A piece buffer of UPLOAD_FLUSH bytes: a spare, or a new mapping. NULL
 * when out of memory. */
static uint8_t *buf_get(void)
{
	uint8_t *b = NULL;
	pthread_mutex_lock(&spare_lock);
	if (nspare)
		b = spare[--nspare];
	pthread_mutex_unlock(&spare_lock);
	if (!b) {
		void *m = mmap(NULL, UPLOAD_FLUSH, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		b = m == MAP_FAILED ? NULL : m;
	}
	return b;
}

/* Keeps b as a spare, or unmaps it when there are enough. NULL is fine. */
static void buf_put(uint8_t *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&spare_lock);
	if (nspare < UPLOAD_SPARE) {
		spare[nspare++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&spare_lock);
	if (b)
		munmap(b, UPLOAD_FLUSH);
}

void upload_budget(size_t bytes)
{
	budget = bytes;
}

upload *upload_new(writer *w, int64_t source_id, const uint8_t (*pks)[32],
		   size_t npk, const char *csrf)
{
	if (npk < 1 || npk > ENV_MAX_RECIPIENTS || strlen(csrf) >= SESS_HEX)
		return NULL;
	upload *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->w = w;
	u->p[0].u = u->p[1].u = u;
	u->source_id = source_id;
	memcpy(u->pks, pks, npk * 32);
	u->npk = npk;
	strcpy(u->csrf, csrf);
	u->max_files = BUNDLE_ENVELOPES_MAX - 1;
	u->max_stored = UINT64_MAX;
	return u;
}

void upload_limits(upload *u, unsigned max_files, uint64_t max_stored)
{
	if (max_files < BUNDLE_ENVELOPES_MAX)
		u->max_files = max_files;
	u->max_stored = max_stored;
}

/* The writer's job: a piece's rows, in the writer's transaction. Reads
 * only what does not change while the upload goes on. */
static int put_rows(store *s, void *ctx)
{
	struct piece *pc = ctx;
	const upload *u = pc->u;
	size_t pos = 0;
	int first = !pc->sub;
	if (first)
		pc->lost = store_side_lost(s);
	/* The recipients go in with the submission's row, whichever
	 * transaction writes it first. */
	int r = first && (store_sub_begin(s, u->source_id, crypt_today(),
					  &pc->sub, pc->uid) ||
			  store_sub_keys(s, pc->sub, (const uint8_t (*)[32])
					 u->pks, u->npk));
	for (size_t i = 0; !r && i <= pc->nbuf; i++) {
		size_t end = i < pc->nbuf ? pc->ends[i] : pc->len;
		if (i) {
			pc->env = 0;
			pc->seq = 0;
		}
		if (i == pc->nbuf && end == pos)
			break; /* the open envelope has nothing here yet */
		int idx = pc->first + (int)i;
		r = (!pc->env && store_env_begin(s, pc->sub, idx, &pc->env)) ||
		    (pc->side ? store_side_add(s, pc->uid, idx, pc->seq++,
					       pc->buf + pos, end - pos) :
				store_chunk_add(s, pc->env, pc->seq++,
						pc->buf + pos, end - pos));
		pos = end;
	}
	/* A chunks.db transaction lost since the first piece may have held
	 * some of this submission's: it must not complete without them. */
	if (!r && pc->final)
		r = (pc->side && store_side_lost(s) != pc->lost) ||
		    store_sub_complete(s, pc->sub, u->source_id,
				       pc->side ? pc->uid : NULL);
	/* The bytes are SQLite's now. A piece sent while it still had room
	 * for a chunk (uploads are over the budget) gives its pages back at
	 * once, not when the upload next writes (a slow one may take
	 * seconds): many slow uploads must not each keep a piece's worth.
	 * A full one keeps them for the next piece. The upload touches this
	 * buffer again only after it has waited for this job. */
	if (pc->len + ENV_CT_CHUNK <= UPLOAD_FLUSH && !pc->final)
		madvise(pc->buf, UPLOAD_FLUSH, MADV_DONTNEED);
	return r ? -1 : 0;
}

/* Waits for the piece in flight, if any, and takes where its rows end. */
static int settle(upload *u)
{
	struct piece *pc = &u->p[!u->cur];
	if (!pc->posted)
		return 0;
	pc->posted = 0;
	int r = writer_wait(u->w, &pc->job);
	atomic_fetch_sub(&held, pc->len);
	pc->len = 0;
	pc->nbuf = 0;
	if (r)
		return -1;
	u->sub = pc->sub;
	u->env = pc->env;
	u->seq = pc->seq;
	memcpy(u->uid, pc->uid, BUNDLE_ID);
	u->lost = pc->lost;
	return 0;
}

/* Sends the piece being filled to the writer and starts filling the
 * other: a staged write (final 0), or the durable one that completes
 * the submission, which is waited for. */
static int write_out(upload *u, int final)
{
	if (settle(u))
		return -1;
	struct piece *pc = &u->p[u->cur];
	pc->first = u->nenv - (int)pc->nbuf;
	pc->final = final;
	/* A submission sent whole stays in drop.db; one in pieces goes to
	 * chunks.db, to be written once. */
	if (!u->written) {
		u->side = !final;
		u->written = 1;
	}
	pc->side = u->side;
	pc->sub = u->sub;
	pc->env = u->env;
	pc->seq = u->seq;
	memcpy(pc->uid, u->uid, BUNDLE_ID);
	pc->lost = u->lost;
	pc->job = (writer_job){ .fn = put_rows, .ctx = pc, .bytes = pc->len,
				.durable = final };
	pc->posted = 1;
	writer_post(u->w, &pc->job);
	u->cur = !u->cur;
	return final ? settle(u) : 0;
}

/* Every upload together holds more ciphertext than the budget. */
static int over_budget(void)
{
	return atomic_load(&held) > budget;
}

/* The piece being filled, with room for len more bytes (at most
 * UPLOAD_FLUSH): the full one is written out first, and so is one that
 * holds anything at all while uploads are over the budget. Written only
 * when more is to come: a submission whose ciphertext fits is written
 * whole by upload_finish. NULL when writing or mapping failed. */
static struct piece *room_for(upload *u, size_t len)
{
	struct piece *pc = &u->p[u->cur];
	if ((pc->len + len > UPLOAD_FLUSH || (pc->len && over_budget())) &&
	    write_out(u, 0))
		return NULL;
	pc = &u->p[u->cur];
	if (!pc->buf && !(pc->buf = buf_get()))
		return NULL;
	return pc;
}

/* The sealer's room: each chunk is sealed straight into the piece, so
 * neither the sealer nor the sink holds a copy. NULL (the sealer then
 * uses its own buffer and the sink copies) only when the chunk is over
 * the limit, which the sink then reports, or on a failure, which the
 * sink reports too. */
static uint8_t *room(void *ctx, size_t len)
{
	upload *u = ctx;
	if (len > u->max_stored - u->stored)
		return NULL;
	struct piece *pc = room_for(u, len);
	if (!pc) {
		u->room_failed = 1;
		return NULL;
	}
	return pc->buf + pc->len;
}

/* The sealer's sink: ciphertext in, database rows out. */
static int sink(void *ctx, const uint8_t *buf, size_t len)
{
	upload *u = ctx;
	if (u->room_failed)
		return -1;
	/* What is stored is what counts: padding makes a one-byte file
	 * cost a whole padded envelope. */
	if (len > u->max_stored - u->stored) {
		u->toobig = 1;
		return -1;
	}
	u->stored += len;
	struct piece *pc = &u->p[u->cur];
	if (pc->buf && buf == pc->buf + pc->len) {
		/* Sealed in place, into the room it was given. */
		pc->len += len;
		atomic_fetch_add(&held, len);
		return 0;
	}
	while (len) {
		if (!(pc = room_for(u, 1)))
			return -1;
		size_t n = UPLOAD_FLUSH - pc->len;
		if (n > len)
			n = len;
		memcpy(pc->buf + pc->len, buf, n);
		pc->len += n;
		atomic_fetch_add(&held, n);
		buf += n;
		len -= n;
	}
	return 0;
}

static int discard_env(store *s, void *ctx)
{
	return store_env_discard(s, *(int64_t *)ctx);
}

static int discard_sub(store *s, void *ctx)
{
	return store_sub_discard(s, *(int64_t *)ctx);
}

/* Forgets the open envelope: what the piece being filled holds of it,
 * and its row when it has one (only when it began before that piece). */
static void drop_envelope(upload *u)
{
	struct piece *pc = &u->p[u->cur];
	env_seal_abort(u->seal);
	u->seal = NULL;
	size_t keep = pc->nbuf ? pc->ends[pc->nbuf - 1] : 0;
	atomic_fetch_sub(&held, pc->len - keep);
	pc->len = keep;
	if (pc->nbuf)
		return;
	/* Its start may be in the piece being written. */
	if (settle(u) ||
	    (u->env && writer_alone(u->w, discard_env, &u->env)))
		u->err = UPLOAD_ESTORE;
	u->env = 0;
	u->seq = 0;
}

/* Ends the field being read: checks a token, finishes an envelope (or
 * drops a blank message). */
static void end_part(upload *u)
{
	if (u->part == PART_CSRF)
		u->csrf_ok = u->given_len < sizeof(u->given) &&
			     form_csrf_ok(u->given, u->csrf);
	if (u->seal && u->blank) {
		drop_envelope(u);
	} else if (u->seal) {
		env_sealer *s = u->seal;
		u->seal = NULL;
		if (env_seal_finish(s, NULL)) {
			u->err = UPLOAD_ESTORE;
			return;
		}
		struct piece *pc = &u->p[u->cur];
		u->content = 1;
		pc->ends[pc->nbuf++] = (uint32_t)pc->len;
		u->nenv++;
	}
	u->part = PART_NONE;
}

/* Copies at most max bytes of s, cut at a UTF-8 character boundary. */
static void copy_capped(char *out, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
}

static int begin_envelope(upload *u, const char *filename, const char *type)
{
	env_meta meta = { .kind = u->part == PART_FILE ? ENV_FILE :
							 ENV_MESSAGE };
	if (u->nenv >= BUNDLE_ENVELOPES_MAX ||
	    (u->part == PART_FILE && u->nfiles >= u->max_files))
		return UPLOAD_ETOOMANY;
	if (u->part == PART_FILE) {
		u->nfiles++;
		copy_capped(meta.name, filename, ENV_NAME_MAX);
		copy_capped(meta.type, type, ENV_TYPE_MAX);
	}
	int r = env_seal_begin(&u->seal, (const uint8_t (*)[32])u->pks,
			       u->npk, &meta, sink, u);
	sodium_memzero(&meta, sizeof(meta));
	if (r) {
		u->seal = NULL;
		return UPLOAD_ESTORE;
	}
	env_seal_room(u->seal, room);
	u->blank = u->part == PART_MESSAGE;
	return 0;
}

static int is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n' && p[i] != '\f' && p[i] != '\v')
			return 0;
	return 1;
}

static enum part part_of(const char *key)
{
	if (!key)
		return PART_OTHER;
	if (!strcmp(key, "csrf"))
		return PART_CSRF;
	if (!strcmp(key, "website"))
		return PART_HONEYPOT;
	if (!strcmp(key, "message"))
		return PART_MESSAGE;
	if (!strcmp(key, "file"))
		return PART_FILE;
	return PART_OTHER;
}

static int feed(upload *u, const char *key, const char *filename,
		const char *type, const char *data, uint64_t off, size_t size)
{
	if (off == 0) {
		end_part(u);
		if (u->err)
			return u->err;
		u->part = part_of(key);
		u->given_len = 0;
	}
	switch (u->part) {
	case PART_CSRF:
		if (u->given_len + size >= sizeof(u->given)) {
			u->given_len = sizeof(u->given);
			return 0;
		}
		memcpy(u->given + u->given_len, data, size);
		u->given_len += size;
		u->given[u->given_len] = '\0';
		return 0;
	case PART_HONEYPOT:
		u->honeypot |= size > 0;
		return 0;
	case PART_MESSAGE:
	case PART_FILE:
		if (!size)
			return 0;
		if (!u->csrf_ok)
			return UPLOAD_ECSRF;
		if (!u->seal) {
			int r = begin_envelope(u, filename, type);
			if (r)
				return r;
		}
		if (u->blank && !is_blank(data, size))
			u->blank = 0;
		if (env_seal_push(u->seal, data, size))
			return UPLOAD_ESTORE;
		/* Over the budget, what was just sealed goes at once, not
		 * when the next chunk fills (seconds later on a slow
		 * circuit): a held upload then holds no ciphertext. */
		if (u->p[u->cur].len && over_budget() && write_out(u, 0))
			return UPLOAD_ESTORE;
		return 0;
	default:
		return 0;
	}
}

int upload_field(upload *u, const char *key, const char *filename,
		 const char *type, const char *data, uint64_t off, size_t size)
{
	if (!u->err)
		u->err = feed(u, key, filename, type, data, off, size);
	if (u->err && u->toobig)
		u->err = UPLOAD_ETOOBIG;
	return u->err;
}

enum MHD_Result upload_post_iter(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *filename,
				 const char *type, const char *encoding,
				 const char *data, uint64_t off, size_t size)
{
	(void)kind;
	(void)encoding;
	return upload_field(cls, key, filename, type, data, off, size) ?
		       MHD_NO : MHD_YES;
}

int upload_error(const upload *u)
{
	return u->err;
}

int upload_finish(upload *u)
{
	if (u->err)
		return u->err;
	end_part(u);
	if (u->err)
		return u->err = u->toobig ? UPLOAD_ETOOBIG : u->err;
	if (!u->csrf_ok)
		return u->err = UPLOAD_ECSRF;
	if (u->honeypot)
		return u->err = UPLOAD_EHONEYPOT;
	if (!u->content)
		return u->err = UPLOAD_EEMPTY;
	if (write_out(u, 1))
		return u->err = UPLOAD_ESTORE;
	u->committed = 1;
	return UPLOAD_OK;
}

void upload_free(upload *u)
{
	if (!u)
		return;
	env_seal_abort(u->seal);
	/* The writer may still hold a piece: its rows, if they commit, are
	 * rolled back with the rest. */
	settle(u);
	if (u->sub && !u->committed)
		writer_alone(u->w, discard_sub, &u->sub);
	for (int i = 0; i < 2; i++) {
		atomic_fetch_sub(&held, u->p[i].len);
		buf_put(u->p[i].buf);
	}
	sodium_memzero(u, sizeof(*u));
	free(u);
}
