/*
 * serve.c - `sealdrop serve`: checks, start, housekeeping, clean stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "confine.h"
#include "crypt.h"
#include "i18n.h"
#include "kdfpool.h"
#include "lock.h"
#include "sess.h"
#include "web.h"

#define HOUSEKEEPING_S 30

/* Housekeeping: wipes idle sessions and prunes sources that never sent
 * anything, until told to stop. */
struct keeper {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	store_pool *pool;
	unsigned max_sessions;
};

/* Pending sources go within a day: made the day before (the only clock
 * stored is the day) and not logged in now, since a source still on the
 * page with its new codename may be about to send. */
static void prune(store_pool *pool, unsigned max)
{
	store *s = store_pool_get(pool);
	int64_t *keep = calloc(max ? max : 1, sizeof(*keep));
	int n;
	if (s && keep)
		store_prune_pending(s, crypt_today(), keep,
				    sess_sources(keep, max), &n);
	free(keep);
	store_pool_put(pool, s);
}

static void *keep_house(void *arg)
{
	struct keeper *k = arg;
	time_t last_prune = time(NULL);
	pthread_mutex_lock(&k->lock);
	while (!k->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += HOUSEKEEPING_S;
		pthread_cond_timedwait(&k->wake, &k->lock, &until);
		if (k->stop)
			break;
		pthread_mutex_unlock(&k->lock);
		sess_sweep();
		if (time(NULL) - last_prune >= 3600) {
			prune(k->pool, k->max_sessions);
			last_prune = time(NULL);
		}
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

/* A signal handler may only do async-signal-safe things: it writes the
 * signal's number to a pipe the main thread waits on. (Under the system
 * call filter, poll and read are allowed where sigwait is not.) */
static int stop_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	char c = (char)sig;
	int saved = errno;
	if (write(stop_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a stop is already on its way. */
	}
	errno = saved;
}

/* Waits for SIGTERM or SIGINT; SIGHUP is ignored. */
static void wait_for_stop(const sigset_t *sigs)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd = { .fd = stop_pipe[0], .events = POLLIN };
	char c = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pthread_sigmask(SIG_UNBLOCK, sigs, NULL);
	for (;;) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		if (read(stop_pipe[0], &c, 1) == 1 && c != SIGHUP)
			break;
	}
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
}

/* Loads the config and what init stored; sweeps what a crash left. */
static int prepare(const cmd_args *a, conf *c, web *w)
{
	char path[4096], err[4096];
	snprintf(path, sizeof(path), "%s/sealdrop.conf", a->dir);
	int n = conf_load(c, path, err, sizeof(err));
	if (n) {
		fputs(err, stderr);
		return -1;
	}
	const char *lang;
	if (i18n_load(c->catalog_dir[0] ? c->catalog_dir : NULL, err,
		      sizeof(err))) {
		cmd_fail("%s", err);
		return -1;
	}
	if ((lang = page_lang_unknown(c->languages))) {
		cmd_fail("%s: languages: there is no catalog for '%.*s'", path,
			 (int)strcspn(lang, " ,"), lang);
		return -1;
	}
	store *s = store_open(a->dir, err, sizeof(err));
	if (!s) {
		cmd_fail("%s", err);
		return -1;
	}
	int swept = 0, pruned = 0;
	/* Not the newsroom keys: each upload reads them as it starts
	 * (web.c), so what `sealdrop keys` changes needs no restart. */
	int r = store_params(s, &w->params) ||
		store_sweep(s, &swept) ||
		/* No session survives a restart: nothing to keep. */
		store_prune_pending(s, crypt_today(), NULL, 0, &pruned);
	if (r)
		cmd_fail("%s: %s", a->dir, store_errmsg(s));
	store_close(s);
	if (swept)
		fprintf(stderr, "sealdrop: removed %d unfinished "
			"submission(s)\n", swept);
	/* serve never signs, but a drop made before exports were signed
	 * gets its key here, before confinement. */
	if (!r && cmd_drop_key(a->dir, NULL))
		return -1;
	return r ? -1 : 0;
}

static void print_url(const char *listen, unsigned port)
{
	char host[CONF_LISTEN_MAX];
	snprintf(host, sizeof(host), "%s", listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	printf("sealdrop: listening on http://%s:%u/\n", host, port);
	fflush(stdout);
}

int cmd_serve(const cmd_args *a)
{
	conf c;
	web w = { .cf = &c, .dir = a->dir };
	struct keeper k = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			    0, NULL, 0 };
	char why[512];
	sigset_t sigs;
	pthread_t keeper;
	unsigned port;
	int rc = 2;

	int lock = lock_take(a->dir);
	if (lock < 0)
		return cmd_fail("%s: %s", a->dir, errno == EWOULDBLOCK ?
				"another sealdrop serve is using it" :
				strerror(errno));
	if (prepare(a, &c, &w))
		goto out_lock;
	const char *listen = a->listen ? a->listen : c.listen;
	w.pool = store_pool_new(a->dir, 16);
	if (!w.pool || sess_init(c.max_sessions, conf_session_idle(&c),
				 c.sessions_per_source) ||
	    kdfpool_init(c.kdf_workers, c.kdf_wait_s)) {
		cmd_fail("out of memory");
		goto out_pool;
	}
	k.pool = w.pool;
	k.max_sessions = c.max_sessions;

	/* Every thread made from here on inherits the mask, so only the
	 * main thread, waiting below, is interrupted by these signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK)) {
		cmd_fail("cannot make a pipe: %s", strerror(errno));
		goto out_sess;
	}

	/* One thread per connection would otherwise get glibc up to eight
	 * malloc arenas per CPU, each keeping freed memory; a fixed few keep
	 * memory per upload flat. It also spares glibc from counting CPUs
	 * later, under the system call filter. */
	mallopt(M_ARENA_MAX, 4);
	/* Landlock binds threads started from now on: the connection
	 * threads and housekeeping. Everything outside DIR is open by now. */
	if (confine_paths(a->dir) < 0) {
		cmd_fail("cannot restrict file access: %s", strerror(errno));
		goto out_sess;
	}
	if (web_start(&w, listen, &port, why, sizeof(why))) {
		cmd_fail("%s", why);
		goto out_sess;
	}
	/* Started as root to bind: become that user for good. */
	if (confine_drop_user(a->user)) {
		cmd_fail("cannot become user %s: %s", a->user,
			 strerror(errno));
		web_stop(&w);
		goto out_sess;
	}
	/* Bound and open: from here on only what serving needs. */
	if (confine_server()) {
		cmd_fail("cannot load the system call filter: %s",
			 strerror(errno));
		web_stop(&w);
		goto out_sess;
	}
	if (pthread_create(&keeper, NULL, keep_house, &k)) {
		cmd_fail("cannot start a thread");
		web_stop(&w);
		goto out_sess;
	}
	print_url(listen, port);
	wait_for_stop(&sigs);
	web_stop(&w);
	pthread_mutex_lock(&k.lock);
	k.stop = 1;
	pthread_cond_signal(&k.wake);
	pthread_mutex_unlock(&k.lock);
	pthread_join(keeper, NULL);
	rc = 0;
out_sess:
	if (stop_pipe[0] >= 0) {
		close(stop_pipe[0]);
		close(stop_pipe[1]);
	}
	sess_shutdown();
out_pool:
	store_pool_free(w.pool);
out_lock:
	i18n_unload();
	lock_release(lock);
	return rc;
}
