/*
 * upload.c - streaming a submission into sealed, stored envelopes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "envelope.h"
#include "form.h"
#include "sess.h"
#include "upload.h"

enum part { PART_NONE, PART_CSRF, PART_HONEYPOT, PART_MESSAGE, PART_FILE,
	    PART_OTHER };

struct upload {
	store *s;
	int64_t source_id;
	uint8_t pks[ENV_MAX_RECIPIENTS][32];
	size_t npk;
	char csrf[SESS_HEX];
	char given[SESS_HEX + 1];
	size_t given_len;
	int csrf_ok, honeypot, content, err, committed;

	enum part part;
	env_sealer *seal;  /* the envelope being written, if any */
	int blank;         /* a message of only white space so far */
	int nenv;          /* envelopes finished */
	/* Ciphertext not yet written, in envelope order: the rest of
	 * envelope nenv - nbuf (the open one when nbuf is 0), the finished
	 * ones after it, then the start of the open one. The i-th finished
	 * one ends at ends[i]. */
	uint8_t *cbuf;
	size_t clen, nbuf;
	uint32_t ends[BUNDLE_ENVELOPES_MAX];
	unsigned max_files;  /* files this submission may hold */
	uint64_t max_stored; /* ciphertext bytes it may store, padding too */
	uint64_t stored;   /* ciphertext bytes so far */
	unsigned nfiles;   /* file envelopes begun */
	int toobig;        /* the sink refused: over max_stored */
	int64_t sub;       /* the submission's row, 0 until written */
	int64_t env;       /* the row of the first envelope in cbuf, or 0 */
	int seq;           /* its next chunk number */
};

upload *upload_new(store *s, int64_t source_id, const uint8_t (*pks)[32],
		   size_t npk, const char *csrf)
{
	if (npk < 1 || npk > ENV_MAX_RECIPIENTS || strlen(csrf) >= SESS_HEX)
		return NULL;
	upload *u = calloc(1, sizeof(*u));
	if (!u || !(u->cbuf = malloc(UPLOAD_FLUSH))) {
		free(u);
		return NULL;
	}
	u->s = s;
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

/* Writes what cbuf holds in one transaction: a staged one while the
 * upload runs (final 0), or the durable one that also completes the
 * submission. Row ids are kept only once their transaction commits, so
 * a rolled-back one leaves nothing to clean up but what came before. */
static int write_out(upload *u, int final)
{
	int64_t sub = u->sub, env = u->env;
	int seq = u->seq, first = u->nenv - (int)u->nbuf;
	size_t pos = 0;
	if (final ? store_begin(u->s) : store_stage_begin(u->s))
		return -1;
	/* The recipients go in with the submission's row, whichever
	 * transaction writes it first. */
	int r = !sub && (store_sub_begin(u->s, u->source_id, crypt_today(),
					 &sub) ||
			 store_sub_keys(u->s, sub, (const uint8_t (*)[32])
					u->pks, u->npk));
	for (size_t i = 0; !r && i <= u->nbuf; i++) {
		size_t end = i < u->nbuf ? u->ends[i] : u->clen;
		if (i) {
			env = 0;
			seq = 0;
		}
		if (i == u->nbuf && end == pos)
			break; /* the open envelope has nothing here yet */
		r = (!env && store_env_begin(u->s, sub, first + (int)i,
					     &env)) ||
		    store_chunk_add(u->s, env, seq++, u->cbuf + pos,
				    end - pos);
		pos = end;
	}
	if (final) {
		r = r || store_sub_complete(u->s, sub, u->source_id) ||
		    store_commit(u->s);
		if (r)
			store_rollback(u->s);
	} else {
		r = store_stage_end(u->s, !r) != 0;
	}
	if (r)
		return -1;
	u->sub = sub;
	u->env = env;
	u->seq = seq;
	u->clen = 0;
	u->nbuf = 0;
	return 0;
}

/* The sealer's sink: ciphertext in, database rows out. */
static int sink(void *ctx, const uint8_t *buf, size_t len)
{
	upload *u = ctx;
	/* What is stored is what counts: padding makes a one-byte file
	 * cost a whole padded envelope. */
	if (len > u->max_stored - u->stored) {
		u->toobig = 1;
		return -1;
	}
	u->stored += len;
	while (len) {
		/* Written only when more is to come: a submission whose
		 * ciphertext fits is written whole by upload_finish. */
		if (u->clen == UPLOAD_FLUSH && write_out(u, 0))
			return -1;
		size_t n = UPLOAD_FLUSH - u->clen;
		if (n > len)
			n = len;
		memcpy(u->cbuf + u->clen, buf, n);
		u->clen += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Forgets the open envelope: what cbuf holds of it, and its row when it
 * has one (only when it is the first in cbuf). */
static void drop_envelope(upload *u)
{
	env_seal_abort(u->seal);
	u->seal = NULL;
	u->clen = u->nbuf ? u->ends[u->nbuf - 1] : 0;
	if (u->nbuf)
		return;
	if (u->env && store_env_discard(u->s, u->env))
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
		u->content = 1;
		u->ends[u->nbuf++] = (uint32_t)u->clen;
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
	if (u->sub && !u->committed)
		store_sub_discard(u->s, u->sub);
	free(u->cbuf);
	sodium_memzero(u, sizeof(*u));
	free(u);
}
