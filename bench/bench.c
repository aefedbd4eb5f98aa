/*
 * bench - the timed parts of `make bench` (bench/bench.sh is the glue).
 * Each command prints one line "value unit" (codenames: several words).
 *
 *   bench writesync FILE MIB     sequential write of MIB MiB, fdatasync: MB/s
 *   bench seal FILE              envelope sealing of FILE in memory: MB/s
 *   bench secretstream FILE      crypto_secretstream decryption of FILE's
 *                                bytes (encrypted first, untimed): MB/s
 *   bench sqlite DIR SECONDS BYTES
 *                                durable single-row inserts for SECONDS,
 *                                the drop's settings (WAL,
 *                                synchronous=FULL): rows/s
 *   bench posts PORT COOKIE CSRF CLIENTS SECONDS BYTES
 *                                small text submissions from CLIENTS
 *                                clients, a connection each: submissions/s
 *   bench codenames PORT CLIENTS sign-ups at once, each on its own
 *                                session: "p50 p99 max ok busy" (ms)
 *   bench torspeed PORT COOKIE CSRF UPLOADS KB_S SECONDS
 *                                UPLOADS submissions at once, each a file
 *                                sent at KB_S kB a second for SECONDS, while
 *                                another visitor asks for GET / ten times a
 *                                second: "stored p99 alone_p99 failed"
 *                                (page latencies in ms; alone: before the
 *                                uploads start)
 *   bench xtime DIR COMMAND...   makes DIR, runs COMMAND (a
 *                                sealdrop-admin extract into DIR; its
 *                                stderr discarded) and prints "total
 *                                after": seconds from the start to its
 *                                exit, and from the first file it
 *                                creates in DIR (after the unlock) to
 *                                its exit. Fails unless it exits 0.
 *
 * MB is 10^6 bytes. Only 127.0.0.1 is ever contacted.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "crypt.h"
#include "envelope.h"
#include "fileio.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, errno ? strerror(errno) :
							    "failed");
	exit(2);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	char *p;
	if (fileio_slurp(path, (size_t)8 << 30, &p, len))
		die(path);
	return (uint8_t *)p;
}

/* Reads every page of buf once before it is timed. The kernel filled
 * them, and on a virtual machine with shadow page tables a process's
 * first touch of each page is a trip to the hypervisor: the first pass
 * over a fresh 64 MiB took 0.17 s here and the next 0.06. The drop seals
 * from buffers it reuses, and gpg reads its input into one, so neither
 * pays that: the figure should not either. */
static void touch(const uint8_t *buf, size_t len)
{
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < len; i += 4096)
		sum ^= buf[i];
	(void)sum;
}

static int cmd_writesync(char **argv)
{
	size_t mib = strtoul(argv[1], NULL, 10), block = 1 << 20;
	uint8_t *buf = malloc(block);
	if (!buf)
		die("malloc");
	randombytes_buf(buf, block);
	double t = now();
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die(argv[0]);
	for (size_t i = 0; i < mib; i++)
		if (fileio_write_all(fd, buf, block) < 0)
			die("write");
	if (fdatasync(fd) || close(fd))
		die("fdatasync");
	t = now() - t;
	unlink(argv[0]);
	printf("%.1f MB/s\n", (double)mib * block / 1e6 / t);
	free(buf);
	return 0;
}

static int discard(void *ctx, const uint8_t *buf, size_t len)
{
	(void)buf;
	*(uint64_t *)ctx += len;
	return 0;
}

static int cmd_seal(char **argv)
{
	size_t len;
	uint8_t *p = slurp(argv[0], &len), pk[32];
	env_meta meta = { .kind = ENV_FILE };
	env_sealer *s;
	uint64_t out = 0;
	randombytes_buf(pk, sizeof(pk));
	touch(p, len);
	double t = now();
	if (env_seal_begin(&s, (const uint8_t (*)[32])pk, 1, &meta, discard,
			   &out))
		die("seal");
	/* The pieces the post processor hands over are smaller still. */
	for (size_t off = 0; off < len; off += 65536)
		if (env_seal_push(s, p + off, len - off < 65536 ? len - off :
					      65536))
			die("seal");
	if (env_seal_finish(s, NULL))
		die("seal");
	t = now() - t;
	printf("%.1f MB/s\n", (double)len / 1e6 / t);
	free(p);
	return 0;
}

static int cmd_secretstream(char **argv)
{
	enum { CH = ENV_CHUNK, AB = crypto_secretstream_xchacha20poly1305_ABYTES };
	size_t len;
	uint8_t *p = slurp(argv[0], &len);
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	uint8_t hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	crypto_secretstream_xchacha20poly1305_state st;
	size_t chunks = len / CH + 1;
	uint8_t *c = malloc(len + chunks * AB), *m = malloc(CH);
	if (!c || !m)
		die("malloc");
	crypto_secretstream_xchacha20poly1305_keygen(key);
	crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
	size_t o = 0;
	for (size_t off = 0; off < len || off == 0; off += CH) {
		size_t n = len - off < CH ? len - off : CH;
		uint8_t tag = off + n >= len ?
			crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
		crypto_secretstream_xchacha20poly1305_push(&st, c + o, NULL,
							   p + off, n, NULL, 0,
							   tag);
		o += n + AB;
		if (tag)
			break;
	}
	double t = now();
	crypto_secretstream_xchacha20poly1305_init_pull(&st, hdr, key);
	for (size_t i = 0; i < o;) {
		size_t n = o - i < CH + AB ? o - i : CH + AB;
		uint8_t tag;
		if (crypto_secretstream_xchacha20poly1305_pull(
			    &st, m, NULL, &tag, c + i, n, NULL, 0))
			die("pull");
		i += n;
	}
	t = now() - t;
	printf("%.1f MB/s\n", (double)len / 1e6 / t);
	free(c);
	free(m);
	free(p);
	return 0;
}

static int cmd_sqlite(char **argv)
{
	char path[4096];
	sqlite3 *db;
	sqlite3_stmt *st;
	double secs = atof(argv[1]);
	long rows = 0;
	size_t bytes = strtoul(argv[2], NULL, 10);
	uint8_t *blob = malloc(bytes ? bytes : 1);
	if (!blob)
		die("malloc");
	randombytes_buf(blob, bytes);
	snprintf(path, sizeof(path), "%s/bench.db", argv[0]);
	unlink(path);
	if (sqlite3_open(path, &db) ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA secure_delete=ON;"
			 "CREATE TABLE t(id INTEGER PRIMARY KEY, data BLOB);",
			 NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(data) VALUES (?)", -1, &st,
			       NULL))
		die(sqlite3_errmsg(db));
	/* Timed, not counted: a few hundred inserts last a fraction of a
	 * second, and this disk's fsync changes speed from one moment to
	 * the next; the drop's figure it is set against lasts 15 s. */
	double start = now(), t;
	do {
		sqlite3_bind_blob(st, 1, blob, (int)bytes, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(sqlite3_errmsg(db));
		sqlite3_reset(st);
		rows++;
	} while ((t = now() - start) < secs);
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	printf("%.1f rows/s\n", (double)rows / t);
	free(blob);
	return 0;
}

/* --- a small HTTP/1.1 client, enough for the drop's pages --- */

static int dial(unsigned port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

struct resp {
	int status;
	char cookie[80];  /* sd=... from Set-Cookie, if any */
	char csrf[80];    /* the page's csrf field, if any */
};

/* Sends req (len bytes), reads one response whole. -1 on a closed or
 * broken connection. */
static int exchange(int fd, const char *req, size_t len, struct resp *r)
{
	static _Thread_local char buf[1 << 20];
	size_t have = 0, head = 0, body = 0;
	memset(r, 0, sizeof(*r));
	if (fileio_write_all(fd, req, len) < 0)
		return -1;
	for (;;) {
		if (have == sizeof(buf) - 1)
			return -1;
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (!head) {
			char *e = strstr(buf, "\r\n\r\n");
			if (!e)
				continue;
			head = (size_t)(e - buf) + 4;
			char *cl = strcasestr(buf, "\r\nContent-Length: ");
			body = cl && cl < e ? strtoul(cl + 18, NULL, 10) : 0;
		}
		if (have >= head + body)
			break;
	}
	r->status = atoi(buf + 9);
	char *c = strcasestr(buf, "\r\nSet-Cookie: sd=");
	if (c && c < buf + head)
		sscanf(c + 14, "%79[^;\r]", r->cookie);
	c = strstr(buf + head, "name=\"csrf\" value=\"");
	if (c)
		sscanf(c + 19, "%79[0-9a-f]", r->csrf);
	return 0;
}

struct posts {
	unsigned port;
	const char *req;
	size_t len;
	double until;
	atomic_long done, failed;
	atomic_int last_status; /* of the last that failed: what the table
				 * cannot say */
};

/* One connection per submission: the drop closes each after its
 * response (no keep-alive), as a browser over Tor would see it. */
static void *poster(void *arg)
{
	struct posts *p = arg;
	struct resp r;
	while (now() < p->until) {
		int fd = dial(p->port);
		r.status = 0;
		if (!exchange(fd, p->req, p->len, &r) && r.status == 200)
			atomic_fetch_add(&p->done, 1);
		else {
			atomic_fetch_add(&p->failed, 1);
			atomic_store(&p->last_status, r.status);
		}
		close(fd);
	}
	return NULL;
}

static int cmd_posts(char **argv)
{
	struct posts p = { .port = (unsigned)atoi(argv[0]) };
	int clients = atoi(argv[3]);
	double secs = atof(argv[4]);
	size_t bytes = strtoul(argv[5], NULL, 10);
	pthread_t t[64];
	char *msg = malloc(bytes + 1), *body = malloc(bytes + 1024),
	     *req = malloc(bytes + 2048);
	if (!msg || !body || !req || clients < 1 || clients > 64)
		die("posts");
	for (size_t i = 0; i < bytes; i++)
		msg[i] = "abcdefghij klmnopqrstuvwxyz\n"[i % 28];
	msg[bytes] = '\0';
	int bl = snprintf(body, bytes + 1024,
			  "--BenchBoundary\r\nContent-Disposition: form-data; "
			  "name=\"csrf\"\r\n\r\n%s\r\n--BenchBoundary\r\n"
			  "Content-Disposition: form-data; name=\"message\""
			  "\r\n\r\n%s\r\n--BenchBoundary--\r\n", argv[2], msg);
	int rl = snprintf(req, bytes + 2048,
			  "POST /submit HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			  "Cookie: %s\r\nContent-Type: multipart/form-data; "
			  "boundary=BenchBoundary\r\nContent-Length: %d\r\n"
			  "\r\n%s", argv[1], bl, body);
	p.req = req;
	p.len = (size_t)rl;
	double start = now();
	p.until = start + secs;
	for (int i = 0; i < clients; i++)
		if (pthread_create(&t[i], NULL, poster, &p))
			die("thread");
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	double took = now() - start;
	if (p.failed)
		fprintf(stderr, "bench: %ld submissions failed (the last "
			"with status %d, 0 for no answer)\n", (long)p.failed,
			atomic_load(&p.last_status));
	printf("%.1f submissions/s\n", p.done / took);
	free(msg);
	free(body);
	free(req);
	return 0;
}

struct signup {
	unsigned port;
	pthread_barrier_t *go;
	double ms;
	int status;
};

static void *signer(void *arg)
{
	struct signup *s = arg;
	struct resp r;
	char req[512];
	int fd = dial(s->port);
	const char get[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	if (exchange(fd, get, sizeof(get) - 1, &r) || r.status != 200 ||
	    !r.cookie[0] || !r.csrf[0])
		die("GET /");
	int n = snprintf(req, sizeof(req), "POST /new HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\nCookie: %s\r\nContent-Type: "
			 "application/x-www-form-urlencoded\r\n"
			 "Content-Length: %zu\r\n\r\ncsrf=%s", r.cookie,
			 strlen(r.csrf) + 5, r.csrf);
	/* The drop closed the first connection after its page. */
	close(fd);
	fd = dial(s->port);
	pthread_barrier_wait(s->go);
	double t = now();
	s->status = exchange(fd, req, (size_t)n, &r) ? -1 : r.status;
	s->ms = (now() - t) * 1e3;
	close(fd);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The pct-th percentile of ms[0..n) by nearest rank (sorts ms). */
static double rank(double *ms, int n, int pct)
{
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	return n ? ms[(n * pct + 99) / 100 - 1] : 0;
}

static int cmd_codenames(char **argv)
{
	unsigned port = (unsigned)atoi(argv[0]);
	int n = atoi(argv[1]), ok = 0, busy = 0, m = 0;
	pthread_barrier_t go;
	if (n < 1 || n > 1024)
		die("codenames: 1 to 1024 clients");
	struct signup *s = calloc((size_t)n, sizeof(*s));
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	double *ms = calloc((size_t)n, sizeof(*ms));
	if (!s || !t || !ms)
		die("calloc");
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		s[i] = (struct signup){ .port = port, .go = &go };
		if (pthread_create(&t[i], NULL, signer, &s[i]))
			die("thread");
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (s[i].status == 200)
			ms[m++] = s[i].ms, ok++;
		else if (s[i].status == 503)
			busy++;
	}
	printf("%.0f %.0f %.0f %d %d\n", rank(ms, m, 50), rank(ms, m, 99),
	       rank(ms, m, 100), ok, busy);
	free(s);
	free(t);
	free(ms);
	return 0;
}

/* --- many uploads at Tor's speed at once --- */

struct slow {
	int fd;
	size_t sent;      /* bytes of the request sent */
	size_t got;       /* bytes of the response read */
	char resp[16];    /* its first bytes, for the status */
	int done;         /* answered or closed */
};

/* Latencies of GET / from a fresh connection each, until *stop. */
struct pages {
	unsigned port;
	atomic_int *stop;
	double ms[1 << 16];
	int n;
};

static double page_once(unsigned port)
{
	struct resp r;
	const char get[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	int fd = dial(port);
	double t = now();
	int bad = exchange(fd, get, sizeof(get) - 1, &r) || r.status != 200;
	t = (now() - t) * 1e3;
	close(fd);
	return bad ? -1 : t;
}

static void *pager(void *arg)
{
	struct pages *p = arg;
	while (!atomic_load(p->stop) && p->n < (int)(sizeof(p->ms) /
						     sizeof(*p->ms))) {
		double t = now(), ms = page_once(p->port);
		/* A failed page counts as the slowest there could be. */
		p->ms[p->n++] = ms < 0 ? 1e9 : ms;
		double left = 0.1 - (now() - t);
		if (left > 0)
			usleep((useconds_t)(left * 1e6));
	}
	return NULL;
}

static int cmd_torspeed(char **argv)
{
	unsigned port = (unsigned)atoi(argv[0]);
	int n = atoi(argv[3]), stored = 0, failed = 0;
	double rate = atof(argv[4]) * 1000, secs = atof(argv[5]);
	size_t file = (size_t)(rate * secs);
	atomic_int stop = 0;
	if (n < 1 || n > 20000 || rate <= 0 || secs <= 0)
		die("torspeed: 1 to 20000 uploads, a rate and seconds");
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* One request for all: the head, the token, a file, the end. */
	char head[1024], pre[512];
	const char post[] = "\r\n--BenchBoundary--\r\n";
	int pl = snprintf(pre, sizeof(pre), "--BenchBoundary\r\n"
			  "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
			  "%s\r\n--BenchBoundary\r\nContent-Disposition: "
			  "form-data; name=\"file\"; filename=\"slow.bin\"\r\n"
			  "Content-Type: application/octet-stream\r\n\r\n",
			  argv[2]);
	size_t body = (size_t)pl + file + sizeof(post) - 1;
	int hl = snprintf(head, sizeof(head), "POST /submit HTTP/1.1\r\n"
			  "Host: 127.0.0.1\r\nCookie: %s\r\nContent-Type: "
			  "multipart/form-data; boundary=BenchBoundary\r\n"
			  "Content-Length: %zu\r\n\r\n%s", argv[1], body, pre);
	size_t total = (size_t)hl + file + sizeof(post) - 1;
	uint8_t *req = malloc(total);
	struct slow *c = calloc((size_t)n, sizeof(*c));
	static struct pages pg;
	if (!req || !c)
		die("malloc");
	memcpy(req, head, (size_t)hl);
	randombytes_buf(req + hl, file);
	memcpy(req + hl + file, post, sizeof(post) - 1);

	/* The page alone first, then with every upload under way. */
	pg.port = port;
	pg.stop = &stop;
	for (int i = 0; i < 50; i++) {
		double ms = page_once(port);
		pg.ms[pg.n++] = ms < 0 ? 1e9 : ms;
	}
	double alone = rank(pg.ms, pg.n, 99);
	pg.n = 0;

	for (int i = 0; i < n; i++) {
		c[i].fd = dial(port);
		fcntl(c[i].fd, F_SETFL, O_NONBLOCK);
	}
	pthread_t pt;
	if (pthread_create(&pt, NULL, pager, &pg))
		die("thread");
	/* The head goes at once; the body at the rate, ten times a second. */
	double start = now(), deadline = start + secs + 120;
	int open = n;
	while (open && now() < deadline) {
		double tick = now();
		size_t due = (size_t)hl + (size_t)((tick - start) * rate);
		for (int i = 0; i < n; i++) {
			struct slow *s = &c[i];
			if (s->done)
				continue;
			size_t want = due < total ? due : total;
			while (s->sent < want) {
				ssize_t w = send(s->fd, req + s->sent,
						 want - s->sent, MSG_NOSIGNAL);
				if (w <= 0)
					break;
				s->sent += (size_t)w;
			}
			ssize_t r = recv(s->fd, s->resp + s->got,
					 sizeof(s->resp) - 1 - s->got, 0);
			if (r > 0)
				s->got += (size_t)r;
			if (r == 0 || (r < 0 && errno != EAGAIN) ||
			    s->got >= 12) {
				s->resp[s->got] = '\0';
				if (s->got >= 12 && !strncmp(s->resp + 9, "200",
							     3))
					stored++;
				else
					failed++;
				s->done = 1;
				close(s->fd);
				open--;
			}
		}
		double left = 0.1 - (now() - tick);
		if (left > 0)
			usleep((useconds_t)(left * 1e6));
	}
	atomic_store(&stop, 1);
	pthread_join(pt, NULL);
	for (int i = 0; i < n; i++)
		if (!c[i].done)
			close(c[i].fd);
	printf("%d %.0f %.0f %d\n", stored, rank(pg.ms, pg.n, 99), alone,
	       failed + open);
	free(req);
	free(c);
	return 0;
}

/* --- a command's time after its unlock --- */

/* An extract makes nothing in its folder before the passphrase's Argon2
 * run is over: the first file it makes there marks the end of the
 * unlock, which takes long and varies by a tenth of a second from run to
 * run here. A pidfd tells the exit at once, in the same poll. */
static int cmd_xtime(char **argv)
{
	const char *dir = argv[0];
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	double start, first = 0, end;
	int status;

	if (mkdir(dir, 0700))
		die(dir);
	int in = inotify_init1(IN_CLOEXEC);
	if (in < 0 || inotify_add_watch(in, dir, IN_CREATE) < 0)
		die("inotify");
	start = now();
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 2) < 0)
			_exit(127);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		die("pidfd_open");
	struct pollfd p[2] = { { in, POLLIN, 0 }, { pfd, POLLIN, 0 } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if ((p[0].revents & POLLIN) && read(in, &u, sizeof(u)) > 0 &&
		    !first)
			first = now();
		if (p[1].revents & POLLIN)
			break;
	}
	end = now();
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		errno = 0;
		die(argv[1]);
	}
	if (!first) {
		errno = 0;
		die("nothing was made in the folder");
	}
	printf("%.4f %.4f\n", end - start, end - first);
	close(pfd);
	close(in);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int args;
		int (*fn)(char **argv);
	} cmds[] = {
		{ "writesync", 2, cmd_writesync },
		{ "seal", 1, cmd_seal },
		{ "secretstream", 1, cmd_secretstream },
		{ "sqlite", 3, cmd_sqlite },
		{ "posts", 6, cmd_posts },
		{ "codenames", 2, cmd_codenames },
		{ "torspeed", 6, cmd_torspeed },
		{ "xtime", -2, cmd_xtime }, /* -N: at least N */
	};
	if (crypt_init())
		die("init");
	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(*cmds); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			int want = cmds[i].args;
			if (want >= 0 ? argc != want + 2 : argc < 2 - want) {
				fprintf(stderr, "bench %s: %s%d arguments\n",
					cmds[i].name, want < 0 ? "at least " :
					"", want < 0 ? -want : want);
				return 2;
			}
			return cmds[i].fn(argv + 2);
		}
	fprintf(stderr, "usage: see bench/bench.c\n");
	return 2;
}
