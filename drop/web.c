/*
 * web.c - the daemon, admission control and responses.
 *
 * Connections come in through the door (door.c), which holds each one,
 * cheaply, until its request head is complete, and only then hands it to
 * libmicrohttpd. From there it is one thread per connection: Argon2 and
 * SQLite block, and a blocking thread is the simplest correct way to wait
 * for them; what a thread waits on is bounded (a body's rate, the
 * derivation pool, the busy timeout). Every response closes its
 * connection, so a second request head on it cannot trickle past the
 * door. A request is admitted or refused on its first callback, before
 * any body is read (the pattern of libmicrohttpd's largepost.c); errors
 * found later are answered once the body is drained, and the completion
 * callback cleans up, rolling back what did not finish.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "form.h"
#include "web.h"

/* What a body may exceed its limit by while we drain it to send an error
 * page; beyond that the connection is simply closed. */
#define DRAIN_MAX (16ull << 20)

static const char csp[] =
	"default-src 'none'; style-src 'self'; img-src 'self' data:; "
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static void wipe_free(void *p)
{
	sodium_memzero(p, strlen(p));
	free(p);
}

void web_page_ctx(const req *r, page_ctx *p)
{
	p->lang = r->lang ? r->lang : "en";
	p->csrf = r->have_sess ? r->sv.csrf : NULL;
	p->logged_in = r->have_sess && r->sv.source_id;
	p->cf = r->w->cf;
}

static enum MHD_Result queue(req *r, int status, struct MHD_Response *resp,
			     const char *type)
{
	char cookie[128];
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy",
				"same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	/* No feature a page of ours could use, none a script could ask. */
	MHD_add_response_header(resp, "Permissions-Policy",
				"accelerometer=(), camera=(), display-capture=(), "
				"geolocation=(), gyroscope=(), microphone=(), "
				"payment=(), usb=(), interest-cohort=()");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (r->clear_cookie) {
		MHD_add_response_header(resp, "Set-Cookie",
					"sd=; HttpOnly; SameSite=Strict; "
					"Path=/; Max-Age=0");
	} else if (r->have_sess && r->sv.fresh) {
		char hex[SESS_HEX];
		sess_token_hex(r->sv.token, hex);
		snprintf(cookie, sizeof(cookie), "sd=%s; HttpOnly; "
			 "SameSite=Strict; Path=/", hex);
		MHD_add_response_header(resp, "Set-Cookie", cookie);
		sodium_memzero(hex, sizeof(hex));
		sodium_memzero(cookie, sizeof(cookie));
	}
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE) {
		char after[16];
		snprintf(after, sizeof(after), "%u",
			 r->retry_after ? r->retry_after : 60);
		MHD_add_response_header(resp, "Retry-After", after);
	}
	enum MHD_Result ok = MHD_queue_response(r->c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->replied = 1;
	return ok;
}

enum MHD_Result web_page(req *r, int status, buf *b)
{
	size_t len;
	if (buf_failed(b)) {
		buf_free(b);
		return web_error(r, 500);
	}
	char *p = buf_take(b, &len);
	if (!p)
		return MHD_NO;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback(len, p,
								   wipe_free);
	if (!resp)
		wipe_free(p);
	return queue(r, status, resp, "text/html; charset=utf-8");
}

/* The designed page for status, with an Allow header when given. */
static enum MHD_Result error_page(req *r, int status, const char *allow)
{
	buf b;
	page_ctx p;
	size_t len;
	web_page_ctx(r, &p);
	buf_init(&b, 1 << 16, 0);
	page_error(&b, &p, status);
	char *text = buf_take(&b, &len);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback(len, text,
								   wipe_free);
	if (!resp) {
		wipe_free(text);
		return MHD_NO;
	}
	if (allow)
		MHD_add_response_header(resp, "Allow", allow);
	return queue(r, page_http_status(status), resp,
		     "text/html; charset=utf-8");
}

enum MHD_Result web_error(req *r, int status)
{
	return error_page(r, status, NULL);
}

enum MHD_Result web_redirect(req *r, const char *location)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp)
		MHD_add_response_header(resp, "Location", location);
	return queue(r, MHD_HTTP_SEE_OTHER, resp, "text/html; charset=utf-8");
}

enum MHD_Result web_static(req *r, const char *type, const char *body,
			   size_t len)
{
	return queue(r, MHD_HTTP_OK, MHD_create_response_from_buffer(
			     len, (void *)body, MHD_RESPMEM_PERSISTENT), type);
}

/* Free space under the data directory: below the floor, plus slack
 * MiB? (Also 1 when it cannot be known.) */
static int disk_low(const web *w, unsigned slack)
{
	struct statvfs sv;
	if (statvfs(w->dir, &sv))
		return 1;
	unsigned long long mib = (unsigned long long)sv.f_bavail *
				 sv.f_frsize >> 20;
	return mib < (unsigned long long)w->cf->disk_floor_mb + slack;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An upload too slow to keep: it sent less than min_upload_kb_s KiB a
 * second over a whole window, any window after its first (which the
 * start of a slow circuit may take). Only measured when bytes arrive: a
 * connection that sends nothing is the idle timeout's. Without this, as
 * many uploads of a byte a second as there are slots keep every source
 * out for as long as they like. */
static int too_slow(req *r, size_t size)
{
	const conf *cf = r->w->cf;
	uint64_t win = (uint64_t)cf->min_upload_window_s * 1000;
	uint64_t need = (uint64_t)cf->min_upload_kb_s * 1024 *
			cf->min_upload_window_s;
	uint64_t now = now_ms();
	if (!need)
		return 0;
	for (; now - r->win_start >= win; r->win_start += win) {
		if (r->win_n++ && r->win_bytes < need)
			return 1;
		r->win_bytes = 0;
	}
	r->win_bytes += size;
	return 0;
}

static uint64_t max_body(const req *r)
{
	if (r->rt->body == BODY_MULTIPART)
		return (uint64_t)r->w->cf->max_upload_mb << 20;
	return FORM_MAX;
}

/* Stops an upload: the post processor first (it holds the upload), then
 * the upload, rolled back unless it was committed. */
static void stop_upload(req *r)
{
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	r->pp = NULL;
	upload_free(r->up);
	r->up = NULL;
}

/* A session is found (or made) before anything else, so even an error
 * page is in the source's language. */
static void find_session(req *r)
{
	uint8_t token[SESS_TOKEN];
	const char *cookie = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_COOKIE);
	int have = cookie && sess_cookie_parse(cookie, token) == 0;
	int create = r->rt && r->rt->session == 1;
	r->have_sess = sess_open(have ? token : NULL, create, &r->sv) == 0;
	sodium_memzero(token, sizeof(token));

	const char *l = MHD_lookup_connection_value(r->c,
						    MHD_GET_ARGUMENT_KIND, "l");
	const char *accept = MHD_lookup_connection_value(
		r->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	/* A language tag is short; anything longer is no choice at all. */
	const char *chosen = l && strnlen(l, 65) <= 64 ?
		page_lang_match(l, strlen(l), r->w->cf->languages) : NULL;
	r->lang = page_lang_pick(chosen ? chosen : r->have_sess &&
				 r->sv.lang[0] ? r->sv.lang : NULL, accept,
				 r->w->cf->languages);
	if (chosen && r->have_sess)
		sess_set_lang(&r->sv, chosen);
}

/* The newsroom keys an upload is sealed to, read as it starts rather than
 * once when serve starts: `sealdrop keys` changes them while the drop
 * runs, and a key retired as compromised must not get one more
 * submission. Cheap: at most STORE_MAX_KEYS rows, beside the fsync that
 * every submission costs. */
static int newsroom_pks(store *s, uint8_t pks[STORE_MAX_KEYS][32],
			size_t *n)
{
	keys_pub keys[STORE_MAX_KEYS];
	if (store_keys(s, keys, STORE_MAX_KEYS, n))
		return -1;
	for (size_t i = 0; i < *n; i++)
		memcpy(pks[i], keys[i].box_pk, 32);
	return 0;
}

/* What an upload starting now needs from the database: the keys to seal
 * to, and the stored bytes its source may still add. What the disk pays
 * for is bounded, not only what the request carries: this submission's
 * padded ciphertext, and what its source has stored and nobody has
 * acknowledged yet. The connection goes back at once: a held upload
 * holds none. 0, or the status to answer. */
static int upload_room(const req *r, uint8_t pks[STORE_MAX_KEYS][32],
		       size_t *npk, uint64_t *room)
{
	uint64_t held, cap = (uint64_t)r->w->cf->max_upload_mb << 20;
	uint64_t source_cap = (uint64_t)r->w->cf->max_source_mb << 20;
	store *s = store_pool_get(r->w->pool);
	int st = !s || newsroom_pks(s, pks, npk) ||
		 store_source_bytes(s, r->sv.source_id, &held) ? 500 : 0;
	store_pool_put(r->w->pool, s);
	if (st)
		return st;
	if (held >= source_cap)
		return 413;
	*room = source_cap - held < cap ? source_cap - held : cap;
	return 0;
}

/* The first callback: route, session and every check that can be made
 * before reading a byte of the body. */
static enum MHD_Result admit(req *r, const char *url, const char *method)
{
	const char *allow = NULL;
	const char *cl;
	uint8_t pks[STORE_MAX_KEYS][32];
	size_t npk;
	r->rt = routes_find(method, url, &allow);
	if (r->w->cf->proxy_protocol) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr) {
			door_key_of(ci->client_addr, &r->key);
			r->circ = &r->key;
		}
	}
	find_session(r);
	if (!r->rt)
		return allow ? error_page(r, 405, allow) : web_error(r, 404);
	if (r->rt->body == BODY_NONE)
		return MHD_YES;
	/* A form whose session is gone (idle too long, or the drop
	 * restarted): its own page, never the failed-login one. */
	if (r->rt->session == 2 && !r->have_sess)
		return web_error(r, PAGE_EXPIRED);
	cl = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > max_body(r))
		return web_error(r, 413);
	if (r->rt->body == BODY_FORM) {
		buf_init(&r->body, FORM_MAX, 1);
		return MHD_YES;
	}
	if (!r->sv.source_id)
		return web_error(r, PAGE_EXPIRED);
	/* The post processor would take url-encoded bodies too: only the
	 * form's own encoding is accepted. */
	const char *type = MHD_lookup_connection_value(
		r->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!type || strncasecmp(type, "multipart/form-data", 19))
		return web_error(r, 400);
	unsigned n = atomic_fetch_add(&r->w->uploads, 1);
	r->upload_slot = 1;
	if (n >= r->w->cf->max_concurrent_uploads || disk_low(r->w, 0))
		return web_error(r, 503);
	if (!(r->circ_upload = limit_take(r->circ, LIMIT_UPLOAD)))
		return web_error(r, 503);
	r->win_start = now_ms();
	uint64_t room;
	int st = upload_room(r, pks, &npk, &room);
	if (st)
		return web_error(r, st);
	r->up = upload_new(r->w->wr, r->sv.source_id,
			   (const uint8_t (*)[32])pks, npk, r->sv.csrf);
	if (!r->up)
		return web_error(r, 500);
	upload_limits(r->up, r->w->cf->max_files, room);
	r->pp = MHD_create_post_processor(r->c, UPLOAD_PP_BUFFER,
					  upload_post_iter, r->up);
	if (!r->pp)
		return web_error(r, 400);
	return MHD_YES;
}

static int upload_status(const req *r, int err)
{
	switch (err) {
	case UPLOAD_EEMPTY:
	case UPLOAD_EHONEYPOT:
		return 400;
	case UPLOAD_ECSRF:
		return PAGE_EXPIRED;
	case UPLOAD_ETOOMANY:
		return PAGE_TOO_MANY_FILES;
	case UPLOAD_ETOOBIG:
		return 413;
	default:
		/* A store that failed on a full disk (the upload outran the
		 * floor) is busy, not broken: come back later. */
		return disk_low(r->w, 1) ? 503 : 500;
	}
}

/* Called for each piece of the body: feed it on, or drain it after an
 * error. Returns MHD_NO to close a connection that sends too much, or an
 * upload that sends too slowly. */
static enum MHD_Result take_body(req *r, const char *data, size_t size)
{
	/* Closing the connection ends the request: completed() rolls the
	 * upload back and frees its slot at once. (No page: a browser in
	 * the middle of sending rarely shows one.) */
	if (r->rt->body == BODY_MULTIPART && too_slow(r, size))
		return MHD_NO;
	r->received += size;
	if (r->received > max_body(r)) {
		if (!r->status)
			r->status = 413;
		/* Stop sealing now; the rows go before the error is sent. */
		stop_upload(r);
		if (r->received > max_body(r) + DRAIN_MAX)
			return MHD_NO;
	}
	if (r->status || r->rt->body == BODY_NONE)
		return MHD_YES;
	if (r->rt->body == BODY_FORM) {
		if (buf_add(&r->body, data, size))
			r->status = 413;
		return MHD_YES;
	}
	/* The floor holds while an upload grows, not only when it starts
	 * (checked each MiB): the space under it is what rolling back and
	 * checkpointing need, so a disk is never filled to the last byte. */
	if ((r->received - size) >> 20 != r->received >> 20 &&
	    disk_low(r->w, 0)) {
		r->status = 503;
		stop_upload(r);
		return MHD_YES;
	}
	if (MHD_post_process(r->pp, data, size) != MHD_YES) {
		int err = upload_error(r->up);
		r->status = err ? upload_status(r, err) : 400;
	}
	return MHD_YES;
}

/* The last callback of an upload: the body is complete. */
static enum MHD_Result end_upload(req *r)
{
	enum MHD_Result ok = MHD_destroy_post_processor(r->pp);
	r->pp = NULL;
	if (ok != MHD_YES)
		return web_error(r, 400);
	int err = upload_finish(r->up);
	if (err)
		return web_error(r, upload_status(r, err));
	return r->rt->fn(r);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *size, void **con_cls)
{
	req *r = *con_cls;
	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->w = cls;
		r->c = c;
		*con_cls = r;
		return admit(r, url, method);
	}
	if (r->replied) {
		*size = 0;
		return MHD_YES;
	}
	if (*size) {
		enum MHD_Result ok = take_body(r, data, *size);
		*size = 0;
		return ok;
	}
	if (r->status)
		return web_error(r, r->status);
	if (r->rt->body == BODY_MULTIPART)
		return end_upload(r);
	return r->rt->fn(r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	req *r = *con_cls;
	web *w = cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	stop_upload(r);
	buf_free(&r->body);
	if (r->upload_slot)
		atomic_fetch_sub(&w->uploads, 1);
	if (r->circ_upload)
		limit_put(r->circ, LIMIT_UPLOAD);
	sodium_memzero(r, sizeof(*r));
	free(r);
	*con_cls = NULL;
}

/* A circuit's connections at once, counted from the door's hand-over to
 * the close (the door counts them before that). socket_context says
 * whether this one was counted, so the close gives back only what was
 * taken. */
static void notify_conn(void *cls, struct MHD_Connection *c,
			void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	web *w = cls;
	limit_key k;
	if (!w->cf->proxy_protocol)
		return;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	door_key_of(ci->client_addr, &k);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = limit_take(&k, LIMIT_CONN) ? w : NULL;
	else if (*socket_context)
		limit_put(&k, LIMIT_CONN);
}

/* Descriptors: the door's waiting connections, the threads' ones, and
 * the database's. The soft limit goes up as far as the hard one lets. */
static void raise_nofile(const conf *cf)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)cf->max_waiting_connections +
		      cf->max_connections + 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ?
		      need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need)
		fprintf(stderr, "sealdrop: the open-file limit (%llu) is below "
			"what max_waiting_connections and max_connections "
			"need (%llu): connections past it wait in the kernel's "
			"backlog\n", (unsigned long long)rl.rlim_cur,
			(unsigned long long)need);
}

/* The listening socket, bound and listening; the door accepts on it. */
static int listen_on(const struct sockaddr_storage *ss, socklen_t sl)
{
	int one = 1;
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* The kernel caps the backlog at somaxconn; ask for plenty. */
	if (bind(fd, (const struct sockaddr *)ss, sl) || listen(fd, 4096)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int web_start(web *w, const char *listen, unsigned *port, char *why,
	      size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	const conf *cf = w->cf;
	if (conf_listen_parse(listen, &ss, &sl)) {
		snprintf(why, whylen, "listen address '%s' is not "
			 "A.B.C.D:PORT or [IPV6]:PORT", listen);
		return -1;
	}
	struct limit_settings ls = {
		cf->failed_logins_per_min, cf->circuit_connections,
		cf->circuit_uploads, cf->circuit_derivations,
		cf->circuit_failed_logins_per_min,
		cf->circuit_signups_per_hour, cf->circuits,
	};
	if (limit_init(&ls) || !(w->wr = writer_start(w->pool))) {
		snprintf(why, whylen, "out of memory or no database");
		return -1;
	}
	upload_budget((size_t)cf->upload_buffer_mb << 20);
	raise_nofile(cf);
	int lfd = listen_on(&ss, sl);
	if (lfd < 0) {
		snprintf(why, whylen, "cannot listen on %s: %s", listen,
			 strerror(errno));
		writer_stop(w->wr);
		w->wr = NULL;
		return -1;
	}
	struct sockaddr_storage bound;
	socklen_t bl = sizeof(bound);
	*port = 0;
	if (!getsockname(lfd, (struct sockaddr *)&bound, &bl))
		*port = ntohs(bound.ss_family == AF_INET6 ?
			      ((struct sockaddr_in6 *)&bound)->sin6_port :
			      ((struct sockaddr_in *)&bound)->sin_port);
	/* poll, not select: select cannot watch a descriptor past
	 * FD_SETSIZE (1024). No Date header: an onion service's clock is
	 * a fingerprint. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC |
			 MHD_USE_SUPPRESS_DATE_NO_CLOCK;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, w,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cf->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)cf->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)cf->connection_memory_kb << 10,
		MHD_OPTION_THREAD_STACK_SIZE,
		(size_t)cf->connection_stack_kb << 10,
		MHD_OPTION_NOTIFY_COMPLETED, completed, w,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, w,
		MHD_OPTION_END);
	struct door_settings ds = { cf->max_waiting_connections,
				    cf->head_timeout_s, (int)cf->proxy_protocol };
	if (!w->d || door_start(&w->door, lfd, w->d, &ds)) {
		snprintf(why, whylen, "cannot start serving on %s", listen);
		if (w->d)
			MHD_stop_daemon(w->d);
		w->d = NULL;
		writer_stop(w->wr);
		w->wr = NULL;
		close(lfd);
		return -1;
	}
	return 0;
}

void web_stop(web *w)
{
	/* The door first: nothing new reaches the daemon while it stops. */
	door_stop(w->door);
	w->door = NULL;
	if (w->d)
		MHD_stop_daemon(w->d);
	w->d = NULL;
	/* Last: the requests that ended above may have left it work. */
	writer_stop(w->wr);
	w->wr = NULL;
	limit_shutdown();
}
