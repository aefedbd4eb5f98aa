/* Fuzzes POST /submit bodies through the code the server runs on them:
 * libmicrohttpd's multipart post processor feeding the server's own
 * iterator (upload_post_iter), then upload_finish, into a real store.
 *
 * The post processor reads the boundary from the request's Content-Type,
 * so it needs a real connection: each input is one request, over a
 * socketpair, to a daemon without a listening socket that this thread
 * runs. Its handler parses the input's body twice, once whole and once
 * cut at points drawn from the input, and checks:
 *   - both parses end the same way, and when they succeed they store the
 *     same envelopes (kind, name, type, content), which open with the
 *     newsroom key: where the body is split never changes what is kept;
 *   - a parse that fails leaves no row behind, and one that succeeds
 *     leaves exactly one complete submission.
 *
 * Input: 4 bytes of seed for the cuts, 1 flag byte, then (flag bit 0) a
 * Content-Type line ended by '\n', then the body. Without the line the
 * type is multipart/form-data with boundary "XyZ". The session's CSRF
 * token is CSRF below. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>

#include "crypt.h"
#include "envelope.h"
#include "keys.h"
#include "store.h"
#include "upload.h"
#include "writer.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CSRF "0123456789abcdef0123456789abcdef" \
	     "0123456789abcdef0123456789abcdef"
#define DEFAULT_TYPE "multipart/form-data; boundary=XyZ"
#define MAX_ENV BUNDLE_ENVELOPES_MAX

/* What one parse ended with. */
struct outcome {
	int pp_ok;      /* the post processor was made */
	int err;        /* the upload's error, or -1: the processor failed */
	int nenv;
	struct {
		int kind;
		uint8_t meta[32]; /* hash of name and type */
		uint8_t body[32]; /* hash of the content */
	} env[MAX_ENV];
};

static struct {
	char dir[64];
	keys_secret *k;
	store *st;
	store_pool *pool;
	writer *w;      /* writes the uploads' rows, as the server's does */
	sqlite3 *db;
	int64_t source;
	struct MHD_Daemon *d;
	/* the input being run */
	const uint8_t *body;
	size_t len;
	uint32_t seed;
	int handled;
} g;

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
	if (g.dir[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", g.dir);
}

static int64_t one_int(const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(g.db, sql, -1, &s, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Opening a stored envelope into one outcome slot. */
struct opening {
	struct outcome *o;
	int i;
	crypto_generichash_state h;
};

static int on_meta(void *ctx, const env_meta *m)
{
	struct opening *op = ctx;
	op->o->env[op->i].kind = m->kind;
	crypto_generichash(op->o->env[op->i].meta, 32, (const void *)m->name,
			   sizeof(m->name) + sizeof(m->type), NULL, 0);
	return 0;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct opening *op = ctx;
	return crypto_generichash_update(&op->h, buf, len);
}

/* Reads back the one complete submission, then deletes it. */
static void read_back(struct outcome *o)
{
	sqlite3_stmt *s;
	env_key key = { g.k->pub.box_pk, g.k->box_sk };
	int64_t sub = one_int("SELECT id FROM submissions WHERE complete = 1");
	assert(sub > 0);
	assert(one_int("SELECT count(*) FROM submissions") == 1);
	/* A submission sent in pieces keeps them in chunks.db, one sent
	 * whole in drop.db: read both. */
	if (sqlite3_prepare_v2(g.db, "SELECT e.idx, e.length, c.data, c.seq "
			       "FROM envelopes e JOIN chunks c ON c.envelope "
			       "= e.id WHERE e.submission = ?1 UNION ALL "
			       "SELECT e.idx, e.length, k.data, k.seq FROM "
			       "envelopes e JOIN submissions u ON u.id = "
			       "e.submission JOIN side.chunks k ON k.sub = "
			       "u.uid AND k.env = e.idx WHERE e.submission = "
			       "?1 ORDER BY 1, 4", -1, &s, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_int64(s, 1, sub);
	struct opening op = { o, -1, { { 0 } } };
	env_opener *opener = NULL;
	int64_t length = 0, seen = 0;
	env_open_cb cb = { on_meta, on_data, &op };
	for (;;) {
		int r = sqlite3_step(s);
		int idx = r == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
		if (opener && idx != op.i) {
			/* The envelope before is whole: it must open. */
			assert(env_open_finish(opener) == 0);
			assert(seen == length);
			crypto_generichash_final(&op.h, o->env[op.i].body, 32);
			opener = NULL;
		}
		if (r != SQLITE_ROW) {
			assert(r == SQLITE_DONE);
			break;
		}
		if (!opener) {
			/* Envelopes are numbered 0, 1, ... without gaps. */
			assert(idx == op.i + 1 && idx < MAX_ENV);
			op.i = idx;
			o->nenv = idx + 1;
			length = sqlite3_column_int64(s, 1);
			seen = 0;
			crypto_generichash_init(&op.h, NULL, 0, 32);
			assert(env_open_begin(&opener, &key, 1, &cb) == 0);
		}
		int n = sqlite3_column_bytes(s, 2);
		seen += n;
		assert(env_open_push(opener, sqlite3_column_blob(s, 2),
				     (size_t)n) == 0);
	}
	sqlite3_finalize(s);
	assert(o->nenv > 0);
	/* Done with: the store has no call to delete a complete one but
	 * by its uid, so delete it here (the schema cascades). */
	assert(sqlite3_exec(g.db, "DELETE FROM submissions", NULL, NULL,
			    NULL) == SQLITE_OK);
	/* and its pieces in chunks.db, through the store's own sweep. */
	int swept;
	assert(store_sweep(g.st, &swept) == 0 && swept == 0);
}

/* One parse of the body, cut at random points when seed is not 0. */
static void parse(struct MHD_Connection *c, uint32_t seed, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	upload *u = upload_new(g.w, g.source,
			       (const uint8_t (*)[32])g.k->pub.box_pk, 1, CSRF);
	assert(u);
	struct MHD_PostProcessor *pp =
		MHD_create_post_processor(c, UPLOAD_PP_BUFFER,
					  upload_post_iter, u);
	o->pp_ok = pp != NULL;
	if (pp) {
		size_t at = 0;
		int ok = 1;
		while (ok && at < g.len) {
			size_t n = g.len - at;
			if (seed) {
				/* xorshift32: short cuts, a few long. */
				seed ^= seed << 13;
				seed ^= seed >> 17;
				seed ^= seed << 5;
				size_t cut = seed & 0x100 ? seed % 4096 + 1 :
							    seed % 17 + 1;
				if (cut < n)
					n = cut;
			}
			ok = MHD_post_process(pp, (const char *)g.body + at,
					      n) == MHD_YES;
			at += n;
		}
		/* As web.c: an upload error, else the processor's own. */
		if (MHD_destroy_post_processor(pp) != MHD_YES)
			ok = 0;
		o->err = ok ? upload_finish(u) :
			 upload_error(u) ? upload_error(u) : -1;
	}
	if (o->pp_ok && o->err == UPLOAD_OK)
		read_back(o);
	upload_free(u);
	/* Nothing is left behind, whatever happened. */
	assert(one_int("SELECT count(*) FROM submissions") == 0);
	assert(one_int("SELECT count(*) FROM envelopes") == 0);
	assert(one_int("SELECT count(*) FROM chunks") == 0);
	assert(one_int("SELECT count(*) FROM side.chunks") == 0);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *size, void **con_cls)
{
	static struct outcome whole, cut;
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)data;
	(void)con_cls;
	if (*size)
		return MHD_NO; /* the request itself has no body */
	parse(c, 0, &whole);
	parse(c, g.seed | 1, &cut);
	assert(whole.pp_ok == cut.pp_ok);
	if (whole.err != cut.err) {
		fprintf(stderr, "whole: error %d, cut: error %d\n", whole.err,
			cut.err);
		abort();
	}
	assert(whole.nenv == cut.nenv);
	assert(!memcmp(&whole, &cut, sizeof(whole)));
	g.handled = 1;
	struct MHD_Response *r = MHD_create_response_from_buffer(
		0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

static void setup(void)
{
	char why[256];
	codename_params p;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if (crypt_init() != 0)
		abort();
	/* On tmpfs the store's fsyncs cost nothing. */
	snprintf(g.dir, sizeof(g.dir), "%s/fuzz-upload.XXXXXX", base);
	if (!mkdtemp(g.dir))
		abort();
	atexit(cleanup);
	g.k = keys_generate();
	codename_params_new(&p, crypto_pwhash_OPSLIMIT_MIN,
			    crypto_pwhash_MEMLIMIT_MIN);
	if (!g.k || store_create(g.dir, &p, &g.k->pub, 1, why, sizeof(why)))
		abort();
	g.st = store_open(g.dir, why, sizeof(why));
	uint8_t lookup[32], pk[32];
	randombytes_buf(lookup, 32);
	randombytes_buf(pk, 32);
	if (!g.st || store_source_add(g.st, lookup, pk, 1, 1, &g.source) ||
	    !(g.pool = store_pool_new(g.dir, 2)) ||
	    !(g.w = writer_start(g.pool)))
		abort();
	char path[128];
	snprintf(path, sizeof(path), "%s/drop.db", g.dir);
	/* chunks.db is made by the store when it first needs it. */
	if (store_sweep(g.st, &(int){ 0 }) ||
	    sqlite3_open(path, &g.db) != SQLITE_OK ||
	    sqlite3_busy_timeout(g.db, 15000) != SQLITE_OK ||
	    sqlite3_exec(g.db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL))
		abort();
	char *attach = sqlite3_mprintf("ATTACH '%q/chunks.db' AS side", g.dir);
	if (!attach || sqlite3_exec(g.db, attach, NULL, NULL, NULL))
		abort();
	sqlite3_free(attach);
	g.d = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, handle,
			       NULL, MHD_OPTION_END);
	if (!g.d)
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char req[1024];
	const char *type = DEFAULT_TYPE;
	char line[512];
	int sv[2];

	if (!g.d)
		setup();
	if (size < 5 || size > (1u << 20))
		return 0;
	g.seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
		 (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	int flags = data[4];
	data += 5;
	size -= 5;
	if (flags & 1) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : 0;
		if (!nl || n >= sizeof(line))
			return 0;
		memcpy(line, data, n);
		line[n] = '\0';
		/* A header value may not hold these. */
		for (size_t i = 0; i < n; i++)
			if (line[i] == '\r' || line[i] == '\0')
				return 0;
		type = line;
		data += n + 1;
		size -= n + 1;
	}
	g.body = data;
	g.len = size;
	g.handled = 0;
	int n = snprintf(req, sizeof(req), "POST /submit HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\nConnection: close\r\n"
			 "Content-Type: %s\r\nContent-Length: 0\r\n\r\n",
			 type);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	if (write(sv[0], req, (size_t)n) != n)
		abort();
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (MHD_add_connection(g.d, sv[1], (struct sockaddr *)&sin,
			       sizeof(sin)) != MHD_YES)
		abort();
	/* The daemon runs here: read the request, call handle, answer. */
	for (int i = 0; i < 50 && !g.handled; i++)
		MHD_run(g.d);
	/* A well-formed request always reaches the handler. */
	assert(g.handled || (flags & 1));
	shutdown(sv[0], SHUT_WR);
	for (int i = 0; i < 50; i++) {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(
			g.d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || !info->num_connections)
			break;
		MHD_run(g.d);
	}
	close(sv[0]);
	return 0;
}
