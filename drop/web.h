/*
 * web.h - the HTTP side of `sealdrop serve` (libmicrohttpd).
 *
 * web.c owns the daemon, admission control and responses; routes.c owns
 * what each route does. They share the request state below; serve.c
 * starts and stops the daemon.
 */
#ifndef SEALDROP_WEB_H
#define SEALDROP_WEB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <microhttpd.h>

#include "buf.h"
#include "codename.h"
#include "conf.h"
#include "door.h"
#include "limit.h"
#include "page.h"
#include "sess.h"
#include "store.h"
#include "upload.h"
#include "writer.h"

/* Everything a request may need, made once by serve. */
typedef struct web {
	const conf *cf;
	const char *dir;
	store_pool *pool;
	writer *wr;               /* writes every upload's rows */
	codename_params params;
	atomic_uint uploads;      /* submissions being received */
	struct MHD_Daemon *d;
	door *door;               /* holds connections until their head is in */
} web;

enum body_kind { BODY_NONE, BODY_FORM, BODY_MULTIPART };

struct req;
typedef enum MHD_Result (*route_fn)(struct req *r);

typedef struct route {
	const char *method;
	const char *path;
	enum body_kind body;
	int session;  /* 0: none needed; 1: make one if missing;
			 2: one must exist */
	route_fn fn;
} route;

/* One request, from its first callback to its completion. */
typedef struct req {
	web *w;
	struct MHD_Connection *c;
	const route *rt;
	int status;          /* an error to answer once the body is drained */
	int replied;         /* a response is queued */
	uint64_t received;   /* body bytes so far */
	int have_sess;
	sess_view sv;
	const char *lang;
	buf body;            /* a url-encoded form body (secret) */
	struct MHD_PostProcessor *pp;
	upload *up;
	int upload_slot;     /* holds one of max_concurrent_uploads */
	uint64_t win_start;  /* the upload's rate window: start (ms), */
	uint64_t win_bytes;  /* bytes in it, */
	unsigned win_n;      /* and how many came before it */
	int clear_cookie;
	limit_key key;       /* the circuit, with proxy_protocol on */
	const limit_key *circ; /* &key then, else NULL: no per-circuit bounds */
	int circ_upload;     /* holds a LIMIT_UPLOAD of circ */
	unsigned retry_after; /* seconds, for a 503; 0: the default */
} req;

/* Starts serving on the listen address; *port gets the bound port. 0, or
 * -1 with why set. */
int web_start(web *w, const char *listen, unsigned *port, char *why,
	      size_t whylen);

/* Stops accepting, waits for requests to end. */
void web_stop(web *w);

/* Finds the route for method and path. NULL: no such path (*allow NULL)
 * or no such method (*allow lists the path's methods). */
const route *routes_find(const char *method, const char *path,
			 const char **allow);

/* --- responses, for routes.c --- */

/* A page from b (taken and, once sent, wiped) with status. */
enum MHD_Result web_page(req *r, int status, buf *b);

/* The designed error page for status. */
enum MHD_Result web_error(req *r, int status);

/* 303 to location. */
enum MHD_Result web_redirect(req *r, const char *location);

/* The stylesheet. */
enum MHD_Result web_static(req *r, const char *type, const char *body,
			   size_t len);

/* The page context for this request. */
void web_page_ctx(const req *r, page_ctx *p);

#endif
