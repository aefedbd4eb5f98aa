/*
 * page.h - every page the source sees, as HTML built in memory.
 *
 * Pages need no JavaScript, load nothing from elsewhere and carry no
 * inline style: one layout, one stylesheet (/style.css). Every string a
 * source reads comes from page_tr(), that is from the catalogs in po/
 * (i18n.h). Everything is HTML-escaped, the catalogs' text included.
 */
#ifndef SEALDROP_PAGE_H
#define SEALDROP_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"

typedef struct page_ctx {
	const char *lang;  /* a code page_lang_pick returned */
	const char *csrf;  /* NULL: no session, so no forms that POST */
	int logged_in;
	const conf *cf;
} page_ctx;

/* The text for key in lang; English when lang has no translation of it;
 * the key itself when there is no such key (a bug, but visible). */
const char *page_tr(const char *lang, const char *key);

/* The language to render in: requested (from ?l= or the session, may
 * be NULL) when it is configured and has a catalog, else the enabled
 * language the Accept-Language header (may be NULL) weighs highest, else
 * the first configured language with a catalog, else "en". Returns a
 * static string. */
const char *page_lang_pick(const char *requested, const char *accept,
			   const char *configured);

/* The enabled language (see page_lang_pick) that the tag tag[0..n)
 * asks for, or NULL. A tag may name a region or script: zh-CN is
 * zh-Hans, kk-CN is kk-Arab. Returns a static string. */
const char *page_lang_match(const char *tag, size_t n,
			    const char *configured);

/* The first item of the configured list that has no catalog (a pointer
 * into configured, up to the next comma or space), or NULL. */
const char *page_lang_unknown(const char *configured);

/* The pages. Each appends a whole document to b; check buf_failed(b). */
void page_landing(buf *b, const page_ctx *p);
/* words and digits are the codename: b must be a secret buffer. */
void page_codename(buf *b, const page_ctx *p, const char *words,
		   const char *digits);
void page_submit(buf *b, const page_ctx *p);
void page_submitted(buf *b, const page_ctx *p);
void page_login(buf *b, const page_ctx *p);
void page_logged_out(buf *b, const page_ctx *p);

/* The replies page in steps: begin, each receipt (the newsroom has what
 * the source sent on day), each reply (text NULL when it could not be
 * read), end with how many of each were shown. Each receipt and reply
 * has a form that deletes it by id_hex. text is plaintext: b must be
 * secret. */
void page_replies_begin(buf *b, const page_ctx *p);
void page_receipt(buf *b, const page_ctx *p, const char *id_hex,
		  uint32_t day);
void page_reply(buf *b, const page_ctx *p, const char *id_hex,
		const char *text, size_t len);
void page_replies_end(buf *b, const page_ctx *p, int replies, int receipts);

/* Pages that share an HTTP status with another but say something else:
 * a form whose session or token expired (403, never the failed-login
 * page: a frightened source must not be told its codename is wrong), and
 * a submission of more files than the drop takes (413). */
#define PAGE_EXPIRED 1403
#define PAGE_TOO_MANY_FILES 1413

/* The page for an error status (400, 403, 404, 405, 413, 500, 503, or
 * one of the PAGE_ ones above). */
void page_error(buf *b, const page_ctx *p, int status);

/* The HTTP status a page_error status is sent with. */
int page_http_status(int status);

#endif
