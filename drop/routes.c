/*
 * routes.c - what each page and form of the source interface does.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "crypt.h"
#include "envelope.h"
#include "form.h"
#include "kdfpool.h"
#include "limit.h"
#include "page.h"
#include "web.h"

static const char stylesheet[] =
#include "style.inc"
	;

#define PAGE_MAX (8u << 20) /* a replies page holds several replies */

static void page_start(const req *r, buf *b, page_ctx *p, int secret)
{
	web_page_ctx(r, p);
	buf_init(b, secret ? PAGE_MAX : 1u << 16, secret);
}

/* A POST's csrf field against the session's token. */
static int csrf_ok(req *r)
{
	char given[SESS_HEX + 1];
	int n = form_get(r->body.p ? r->body.p : "", r->body.len, "csrf",
			 given, sizeof(given));
	int ok = n > 0 && r->have_sess && form_csrf_ok(given, r->sv.csrf);
	sodium_memzero(given, sizeof(given));
	return ok;
}

static enum MHD_Result get_style(req *r)
{
	return web_static(r, "text/css; charset=utf-8", stylesheet,
			  sizeof(stylesheet) - 1);
}

/* A page that needs no more than the request's context. */
static enum MHD_Result simple(req *r, void (*render)(buf *, const page_ctx *))
{
	buf b;
	page_ctx p;
	page_start(r, &b, &p, 0);
	render(&b, &p);
	return web_page(r, 200, &b);
}

/* Pages with forms need a session for their token; the table was full. */
static enum MHD_Result get_landing(req *r)
{
	return r->have_sess ? simple(r, page_landing) : web_error(r, 503);
}

static enum MHD_Result get_login(req *r)
{
	return r->have_sess ? simple(r, page_login) : web_error(r, 503);
}

static enum MHD_Result get_submit(req *r)
{
	if (!r->have_sess || !r->sv.source_id)
		return web_redirect(r, "/login");
	return simple(r, page_submit);
}

/* Reached only once upload_finish has made the submission durable. */
static enum MHD_Result post_submit(req *r)
{
	return simple(r, page_submitted);
}

/* Status for a derivation that failed: busy pool or no memory. */
static int kdf_status(int err)
{
	return err == KDFPOOL_EBUSY ? 503 : 500;
}

/* A derivation, as one circuit's share of the pool allows: a circuit
 * that has its derivations running or waiting gets 503 at once, so no
 * one circuit can fill the pool's queue. */
static int derive(req *r, const codename *c, codename_keys *k)
{
	if (!limit_take(r->circ, LIMIT_KDF))
		return KDFPOOL_EBUSY;
	int kr = kdfpool_derive(c, &r->w->params, k);
	limit_put(r->circ, LIMIT_KDF);
	return kr;
}

static enum MHD_Result show_codename(req *r, const codename *c)
{
	char words[CODENAME_TEXT_MAX], digits[CODENAME_DIGITS_MAX];
	buf b;
	page_ctx p;
	codename_words(c, words);
	codename_digits(c, digits);
	page_start(r, &b, &p, 1);
	page_codename(&b, &p, words, digits);
	sodium_memzero(words, sizeof(words));
	sodium_memzero(digits, sizeof(digits));
	return web_page(r, 200, &b);
}

static enum MHD_Result post_new(req *r)
{
	codename c;
	int64_t id = 0;
	int err = 500;
	if (!csrf_ok(r))
		return web_error(r, PAGE_EXPIRED);
	codename_keys *k = codename_keys_new();
	store *st = store_pool_get(r->w->pool);
	unsigned max = r->w->cf->max_pending_sources;
	int64_t pending;
	if (!k || !st || store_sources_pending(st, &pending))
		goto out;
	/* Full: refused before the derivation's cost (store_source_add
	 * checks again, for sign-ups that derive at once). */
	if (pending >= max || !limit_circuit_signup(r->circ)) {
		err = 503;
		goto out;
	}
	/* A lookup collision means a 90-bit coincidence; one retry. */
	for (int tries = 0; tries < 2 && !id; tries++) {
		codename_generate(&c);
		int kr = derive(r, &c, k);
		if (kr) {
			err = kdf_status(kr);
			goto out;
		}
		int sr = store_source_add(st, k->lookup, k->reply_pk,
					  crypt_today(), max, &id);
		if (sr == STORE_EFULL)
			err = 503;
		if (sr && sr != STORE_EEXIST)
			goto out;
	}
	int lr = id ? sess_login(r->sv.token, id, k, &r->sv) : SESS_ENONE;
	if (lr == SESS_EFULL)
		err = 503;
	if (id && lr == 0) {
		store_pool_put(r->w->pool, st);
		codename_keys_free(k);
		enum MHD_Result ok = show_codename(r, &c);
		sodium_memzero(&c, sizeof(c));
		return ok;
	}
out:
	sodium_memzero(&c, sizeof(c));
	store_pool_put(r->w->pool, st);
	codename_keys_free(k);
	return web_error(r, err);
}

/* A login spends, before its derivation, one of its circuit's failures
 * this minute and one token of everyone's failed-login budget (waiting
 * its turn for one, at most kdf_wait_s); a success gives both back. So
 * the check and the count are one step, concurrent failures cannot pass
 * the budget together, and only failures spend it. */
static enum MHD_Result post_login(req *r)
{
	char text[CODENAME_INPUT_MAX + 1];
	codename c;
	int64_t id = 0;
	unsigned retry = 0;
	if (!csrf_ok(r))
		return web_error(r, PAGE_EXPIRED);
	if (!limit_circuit_fail(r->circ))
		return web_error(r, 503);
	if (!limit_login_take(r->w->cf->kdf_wait_s * 1000u, &retry)) {
		limit_circuit_unfail(r->circ);
		r->retry_after = retry;
		return web_error(r, 503);
	}
	int n = form_get(r->body.p, r->body.len, "codename", text,
			 sizeof(text));
	/* Input that is no codename costs the same Argon2 run as a wrong
	 * one, so the time taken does not say which it was. */
	int bad = n <= 0 || codename_parse(text, (size_t)n, &c) != 0;
	sodium_memzero(text, sizeof(text));
	if (bad)
		codename_generate(&c);
	codename_keys *k = codename_keys_new();
	store *st = store_pool_get(r->w->pool);
	int status = 500;
	if (k && st) {
		int kr = derive(r, &c, k);
		if (kr) {
			status = kdf_status(kr);
		} else {
			int fr = store_source_find(st, k->lookup, &id);
			status = fr == 0 && !bad ? 303 :
				 fr == 0 || fr == STORE_ENOTFOUND ? 403 : 500;
		}
	}
	sodium_memzero(&c, sizeof(c));
	store_pool_put(r->w->pool, st);
	if (status == 303) {
		int lr = sess_login(r->sv.token, id, k, &r->sv);
		if (lr)
			status = lr == SESS_EFULL ? 503 : PAGE_EXPIRED;
	}
	codename_keys_free(k);
	/* Only a failure spends the budgets: what never ran, or failed on
	 * our side, gives them back too. */
	if (status != 403) {
		limit_login_refund();
		limit_circuit_unfail(r->circ);
	}
	if (status == 303)
		return web_redirect(r, "/replies");
	return web_error(r, status);
}

/* Opening one reply into a bounded, secret buffer. */
struct reply_read {
	buf text;
	int kind;
};

static int reply_meta(void *ctx, const env_meta *meta)
{
	struct reply_read *rr = ctx;
	rr->kind = meta->kind;
	return meta->kind == ENV_REPLY ? 0 : -1;
}

static int reply_data(void *ctx, const uint8_t *data, size_t len)
{
	struct reply_read *rr = ctx;
	return buf_add(&rr->text, data, len);
}

struct replies_page {
	req *r;
	buf *b;
	page_ctx *p;
	env_key key;
	int count, receipts;
	uint8_t (*read)[BUNDLE_ID]; /* the replies shown, read */
	size_t nread, cap;
};

static int show_receipt(void *ctx, const uint8_t uid[BUNDLE_ID], uint32_t day)
{
	struct replies_page *rp = ctx;
	char hex[2 * BUNDLE_ID + 1];
	crypt_hex(hex, uid, BUNDLE_ID);
	page_receipt(rp->b, rp->p, hex, day);
	rp->receipts++;
	return 0;
}

/* Notes a reply the source has been shown. Out of memory, it goes
 * unnoted: the newsroom then hears later, not the source less. */
static void note_read(struct replies_page *rp, const uint8_t uid[BUNDLE_ID])
{
	if (rp->nread == rp->cap) {
		size_t cap = rp->cap ? 2 * rp->cap : 8;
		void *p = realloc(rp->read, cap * sizeof(*rp->read));
		if (!p)
			return;
		rp->read = p;
		rp->cap = cap;
	}
	memcpy(rp->read[rp->nread++], uid, BUNDLE_ID);
}

static int show_reply(void *ctx, const uint8_t uid[BUNDLE_ID],
		      const uint8_t *envelope, size_t len)
{
	struct replies_page *rp = ctx;
	struct reply_read rr = { .kind = 0 };
	env_open_cb cb = { reply_meta, reply_data, &rr };
	env_opener *o;
	char hex[2 * BUNDLE_ID + 1];
	int ok = 0;

	buf_init(&rr.text, BUNDLE_REPLY_MAX, 1);
	if (env_open_begin(&o, &rp->key, 1, &cb) == 0) {
		int r = env_open_push(o, envelope, len);
		if (r)
			env_open_abort(o);
		ok = r == 0 && env_open_finish(o) == 0 &&
		     rr.kind == ENV_REPLY && !buf_failed(&rr.text);
	}
	crypt_hex(hex, uid, BUNDLE_ID);
	page_reply(rp->b, rp->p, hex, ok ? (rr.text.p ? rr.text.p : "") : NULL,
		   ok ? rr.text.len : 0);
	buf_free(&rr.text);
	/* Read means its text was on the page: not a reply that could not
	 * be opened. */
	if (ok)
		note_read(rp, uid);
	rp->count++;
	return 0;
}

static enum MHD_Result get_replies(req *r)
{
	buf b;
	page_ctx p;
	if (!r->have_sess || !r->sv.source_id)
		return web_redirect(r, "/login");
	codename_keys *k = codename_keys_new();
	store *st = store_pool_get(r->w->pool);
	int err = !k || !st || sess_keys(r->sv.token, k);
	page_start(r, &b, &p, 1);
	if (!err) {
		struct replies_page rp = { r, &b, &p,
					   { k->reply_pk, k->reply_sk }, 0, 0,
					   NULL, 0, 0 };
		page_replies_begin(&b, &p);
		err = store_receipts(st, r->sv.source_id, show_receipt, &rp) ||
		      store_replies(st, r->sv.source_id, show_reply, &rp);
		page_replies_end(&b, &p, rp.count, rp.receipts);
		/* Read only once the page holds them. The page is the
		 * source's whatever becomes of the facts: a failure to
		 * record them (a full disk) does not keep the replies
		 * from the source. */
		if (!err && !buf_failed(&b))
			store_replies_read(st, r->sv.source_id, rp.read,
					   rp.nread, crypt_today());
		free(rp.read);
	}
	codename_keys_free(k);
	store_pool_put(r->w->pool, st);
	if (err) {
		buf_free(&b);
		return web_error(r, 500);
	}
	return web_page(r, 200, &b);
}

/* The checks every logged-in form shares. */
static int logged_in_post(req *r)
{
	return csrf_ok(r) && r->sv.source_id;
}

static enum MHD_Result post_reply_delete(req *r)
{
	char hex[2 * BUNDLE_ID + 2];
	uint8_t uid[BUNDLE_ID];
	if (!logged_in_post(r))
		return web_error(r, PAGE_EXPIRED);
	if (form_get(r->body.p, r->body.len, "id", hex, sizeof(hex)) !=
		    2 * BUNDLE_ID || crypt_unhex(uid, BUNDLE_ID, hex))
		return web_error(r, 400);
	store *st = store_pool_get(r->w->pool);
	int err = !st;
	if (st) {
		/* The id is a reply's or a receipt's, of this source only. */
		int d = store_reply_delete(st, r->sv.source_id, uid,
					   crypt_today());
		if (d == STORE_ENOTFOUND)
			d = store_receipt_delete(st, r->sv.source_id, uid);
		err = d && d != STORE_ENOTFOUND;
	}
	store_pool_put(r->w->pool, st);
	return err ? web_error(r, 500) : web_redirect(r, "/replies");
}

static enum MHD_Result post_replies_delete_all(req *r)
{
	if (!logged_in_post(r))
		return web_error(r, PAGE_EXPIRED);
	store *st = store_pool_get(r->w->pool);
	int err = !st || store_replies_delete_all(st, r->sv.source_id,
						  crypt_today());
	store_pool_put(r->w->pool, st);
	return err ? web_error(r, 500) : web_redirect(r, "/replies");
}

static enum MHD_Result post_logout(req *r)
{
	if (!csrf_ok(r))
		return web_error(r, PAGE_EXPIRED);
	sess_end(r->sv.token);
	r->have_sess = 0;
	r->clear_cookie = 1;
	return simple(r, page_logged_out);
}

static const route routes[] = {
	{ "GET", "/", BODY_NONE, 1, get_landing },
	{ "GET", "/style.css", BODY_NONE, 0, get_style },
	{ "POST", "/new", BODY_FORM, 2, post_new },
	{ "GET", "/submit", BODY_NONE, 0, get_submit },
	{ "POST", "/submit", BODY_MULTIPART, 2, post_submit },
	{ "GET", "/login", BODY_NONE, 1, get_login },
	{ "POST", "/login", BODY_FORM, 2, post_login },
	{ "GET", "/replies", BODY_NONE, 0, get_replies },
	{ "POST", "/replies/delete", BODY_FORM, 2, post_reply_delete },
	{ "POST", "/replies/delete-all", BODY_FORM, 2,
	  post_replies_delete_all },
	{ "POST", "/logout", BODY_FORM, 2, post_logout },
};

const route *routes_find(const char *method, const char *path,
			 const char **allow)
{
	int known = 0;
	*allow = NULL;
	if (!strcmp(method, "HEAD"))
		method = "GET";
	for (size_t i = 0; i < sizeof(routes) / sizeof(*routes); i++) {
		if (strcmp(routes[i].path, path))
			continue;
		if (!strcmp(routes[i].method, method))
			return &routes[i];
		known = 1;
	}
	if (known) {
		/* Every path has one GET or one POST, or both. */
		int get = 0, post = 0;
		for (size_t i = 0; i < sizeof(routes) / sizeof(*routes); i++)
			if (!strcmp(routes[i].path, path)) {
				get |= routes[i].method[0] == 'G';
				post |= routes[i].method[0] == 'P';
			}
		*allow = get && post ? "GET, HEAD, POST" :
			 get ? "GET, HEAD" : "POST";
	}
	return NULL;
}
