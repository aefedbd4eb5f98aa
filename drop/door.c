/*
 * door.c - connections until their request head is in (door.h).
 *
 * One thread, one epoll set, edge-triggered: a waiting connection is
 * looked at only when bytes arrive, and what arrived stays in the socket
 * (MSG_PEEK) for libmicrohttpd to read. All connections have the same
 * timeout, so the list in order of arrival is also the list in order of
 * deadline: the oldest is both the next to expire and the one that makes
 * way when the door is full.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "door.h"
#include "limit.h"

struct waiting {
	struct waiting *next, *prev; /* in order of arrival */
	int fd;
	int proxied;                 /* the PROXY line is read */
	int counted;                 /* holds a LIMIT_CONN of key */
	int gone;                    /* closed or handed over: see below */
	uint64_t deadline_ms;
	limit_key key;
	struct sockaddr_storage ss;
	socklen_t sl;
};

struct door {
	pthread_t thread;
	int lfd, ep, stop[2];
	struct MHD_Daemon *d;
	struct door_settings s;
	struct waiting *head, *tail;
	/* Closed or handed over during one batch of events: a later event
	 * of the same batch may still name one (a connection that made way
	 * while the listening socket's event was handled), so they are
	 * freed only once the batch is done. */
	struct waiting *graveyard;
	pthread_mutex_t lock;        /* the counters, for door_counts */
	unsigned n;
	unsigned long evicted, expired;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- the PROXY v1 line --- */

/* The next space-separated field of [*p, end), NUL-free, at most max
 * bytes, into out (NUL-terminated). 0, or -1. */
static int field(const char **p, const char *end, char *out, size_t max)
{
	size_t n = 0;
	while (*p < end && **p != ' ') {
		if (n >= max || **p == '\0')
			return -1;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	if (*p < end)
		(*p)++;
	return n ? 0 : -1;
}

static int port_of(const char *s, unsigned *port)
{
	unsigned v = 0;
	/* 1 to 5 digits, no sign, no leading zero but "0" itself. */
	if (!*s || strlen(s) > 5 || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > 65535)
		return -1;
	*port = v;
	return 0;
}

int door_proxy_parse(const char *line, size_t len,
		     struct sockaddr_storage *ss, socklen_t *sl)
{
	char proto[8], src[48], dst[48], sport[8], dport[8];
	const char *p = line, *end;
	unsigned sp, dp;
	if (len < 8 || len > DOOR_PROXY_MAX || memcmp(line, "PROXY ", 6) ||
	    line[len - 2] != '\r' || line[len - 1] != '\n')
		return -1;
	end = line + len - 2;
	p += 6;
	/* Single spaces between fields, none at the end. */
	if (end[-1] == ' ')
		return -1;
	if (memchr(p, '\r', (size_t)(end - p)) ||
	    memchr(p, '\n', (size_t)(end - p)))
		return -1;
	if (field(&p, end, proto, 7) || field(&p, end, src, 47) ||
	    field(&p, end, dst, 47) || field(&p, end, sport, 7) ||
	    field(&p, end, dport, 7) || p != end || port_of(sport, &sp) ||
	    port_of(dport, &dp))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (!strcmp(proto, "TCP4")) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		struct in_addr d4;
		if (inet_pton(AF_INET, src, &a->sin_addr) != 1 ||
		    inet_pton(AF_INET, dst, &d4) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)sp);
		*sl = sizeof(*a);
		return 0;
	}
	if (!strcmp(proto, "TCP6")) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		struct in6_addr d6;
		if (inet_pton(AF_INET6, src, &a->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, dst, &d6) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)sp);
		*sl = sizeof(*a);
		return 0;
	}
	return -1;
}

void door_key_of(const struct sockaddr *sa, limit_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET6) {
		memcpy(k->b, &((const struct sockaddr_in6 *)(const void *)sa)
				       ->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET) {
		k->b[10] = k->b[11] = 0xff;
		memcpy(k->b + 12, &((const struct sockaddr_in *)(const void *)
				     sa)->sin_addr, 4);
	}
}

/* --- the waiting list --- */

static void unlink_waiting(door *dr, struct waiting *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		dr->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		dr->tail = w->prev;
	pthread_mutex_lock(&dr->lock);
	dr->n--;
	pthread_mutex_unlock(&dr->lock);
}

static void bury(door *dr, struct waiting *w)
{
	w->gone = 1;
	w->next = dr->graveyard;
	dr->graveyard = w;
}

static void free_graveyard(door *dr)
{
	while (dr->graveyard) {
		struct waiting *w = dr->graveyard;
		dr->graveyard = w->next;
		free(w);
	}
}

/* Closes a waiting connection and forgets it. */
static void drop_waiting(door *dr, struct waiting *w)
{
	unlink_waiting(dr, w);
	epoll_ctl(dr->ep, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	if (w->counted)
		limit_put(&w->key, LIMIT_CONN);
	bury(dr, w);
}

/* The head is in: libmicrohttpd takes the socket (and closes it, even
 * when it cannot take it). Its own count of the circuit's connections
 * starts there (web.c), so the door's ends here. */
static void hand_over(door *dr, struct waiting *w)
{
	unlink_waiting(dr, w);
	epoll_ctl(dr->ep, EPOLL_CTL_DEL, w->fd, NULL);
	if (w->counted)
		limit_put(&w->key, LIMIT_CONN);
	/* libmicrohttpd's connection threads block on their socket. */
	fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) & ~O_NONBLOCK);
	MHD_add_connection(dr->d, w->fd, (struct sockaddr *)&w->ss, w->sl);
	bury(dr, w);
}

/* Reads the PROXY line, byte for byte up to its LF so that nothing after
 * it is taken from libmicrohttpd. 1 when read and accepted, 0 when more
 * is to come, -1 to close. */
static int read_proxy(door *dr, struct waiting *w)
{
	char line[DOOR_PROXY_MAX + 1];
	ssize_t n = recv(w->fd, line, DOOR_PROXY_MAX, MSG_PEEK);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n < 0)
		return 0;
	char *lf = memchr(line, '\n', (size_t)n);
	if (!lf)
		return n >= DOOR_PROXY_MAX ||
		       memcmp(line, "PROXY ", (size_t)n < 6 ? (size_t)n : 6) ?
			       -1 : 0;
	size_t len = (size_t)(lf - line) + 1;
	if (recv(w->fd, line, len, 0) != (ssize_t)len ||
	    door_proxy_parse(line, len, &w->ss, &w->sl))
		return -1;
	w->proxied = 1;
	door_key_of((struct sockaddr *)&w->ss, &w->key);
	if (!limit_take(&w->key, LIMIT_CONN))
		return -1;
	w->counted = 1;
	(void)dr;
	return 1;
}

/* Whether the whole request head is in the socket: 1 yes, 0 not yet, -1
 * to close (the peer is gone, or the head is too long). */
static int head_in(struct waiting *w)
{
	/* Only the door's thread looks. */
	static char buf[DOOR_HEAD_MAX];
	ssize_t n = recv(w->fd, buf, sizeof(buf), MSG_PEEK);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n < 4)
		return 0;
	/* HTTP/1 allows bare LF line ends; libmicrohttpd takes them too. */
	for (ssize_t i = 1; i < n; i++)
		if (buf[i] == '\n' && (buf[i - 1] == '\n' ||
				       (i >= 3 && buf[i - 1] == '\r' &&
					buf[i - 2] == '\n' &&
					buf[i - 3] == '\r')))
			return 1;
	return n >= (ssize_t)sizeof(buf) ? -1 : 0;
}

static void look_at(door *dr, struct waiting *w)
{
	if (w->gone)
		return;
	if (dr->s.proxy && !w->proxied) {
		int r = read_proxy(dr, w);
		if (r <= 0) {
			if (r < 0)
				drop_waiting(dr, w);
			return;
		}
	}
	switch (head_in(w)) {
	case 1:
		hand_over(dr, w);
		break;
	case -1:
		drop_waiting(dr, w);
		break;
	}
}

static void take_new(door *dr)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(dr->lfd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
		    dr->head) {
			/* Out of descriptors: the oldest waiting makes way
			 * here too, or the listening socket would stay
			 * ready and this thread spin. */
			drop_waiting(dr, dr->head);
			pthread_mutex_lock(&dr->lock);
			dr->evicted++;
			pthread_mutex_unlock(&dr->lock);
			continue;
		}
		if (fd < 0)
			return; /* EAGAIN: all taken */
		/* Full: the oldest still waiting makes way. */
		if (dr->n >= dr->s.max_waiting && dr->head) {
			drop_waiting(dr, dr->head);
			pthread_mutex_lock(&dr->lock);
			dr->evicted++;
			pthread_mutex_unlock(&dr->lock);
		}
		struct waiting *w = calloc(1, sizeof(*w));
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP |
						    EPOLLET };
		if (!w) {
			close(fd);
			continue;
		}
		w->fd = fd;
		w->ss = ss;
		w->sl = sl;
		w->deadline_ms = now_ms() + (uint64_t)dr->s.head_timeout_s *
						    1000;
		ev.data.ptr = w;
		if (epoll_ctl(dr->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(w);
			continue;
		}
		w->prev = dr->tail;
		if (dr->tail)
			dr->tail->next = w;
		else
			dr->head = w;
		dr->tail = w;
		pthread_mutex_lock(&dr->lock);
		dr->n++;
		pthread_mutex_unlock(&dr->lock);
		/* Bytes may have come with the connection: an edge that
		 * happened before we listened for it is not repeated. */
		look_at(dr, w);
	}
}

static void *run(void *arg)
{
	door *dr = arg;
	struct epoll_event evs[64];
	for (;;) {
		int timeout = -1;
		uint64_t now = now_ms();
		while (dr->head && dr->head->deadline_ms <= now) {
			drop_waiting(dr, dr->head);
			pthread_mutex_lock(&dr->lock);
			dr->expired++;
			pthread_mutex_unlock(&dr->lock);
		}
		if (dr->head)
			timeout = (int)(dr->head->deadline_ms - now);
		int n = epoll_wait(dr->ep, evs, 64, timeout);
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			if (p == &dr->stop) {
				free_graveyard(dr);
				return NULL;
			}
			if (p == &dr->lfd)
				take_new(dr);
			else
				look_at(dr, p);
		}
		free_graveyard(dr);
	}
}

int door_start(door **out, int lfd, struct MHD_Daemon *d,
	       const struct door_settings *s)
{
	door *dr = calloc(1, sizeof(*dr));
	struct epoll_event ev = { .events = EPOLLIN };
	if (!dr)
		return -1;
	dr->lfd = lfd;
	dr->d = d;
	dr->s = *s;
	pthread_mutex_init(&dr->lock, NULL);
	dr->ep = epoll_create1(EPOLL_CLOEXEC);
	if (dr->ep < 0 || pipe2(dr->stop, O_CLOEXEC | O_NONBLOCK))
		goto fail;
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	ev.data.ptr = &dr->lfd;
	if (epoll_ctl(dr->ep, EPOLL_CTL_ADD, lfd, &ev))
		goto fail;
	ev.data.ptr = &dr->stop;
	if (epoll_ctl(dr->ep, EPOLL_CTL_ADD, dr->stop[0], &ev))
		goto fail;
	if (pthread_create(&dr->thread, NULL, run, dr))
		goto fail;
	*out = dr;
	return 0;
fail:
	if (dr->ep >= 0)
		close(dr->ep);
	free(dr);
	return -1;
}

void door_stop(door *dr)
{
	if (!dr)
		return;
	if (write(dr->stop[1], "", 1) == 1)
		pthread_join(dr->thread, NULL);
	while (dr->head)
		drop_waiting(dr, dr->head);
	free_graveyard(dr);
	close(dr->stop[0]);
	close(dr->stop[1]);
	close(dr->ep);
	close(dr->lfd);
	pthread_mutex_destroy(&dr->lock);
	free(dr);
}

void door_counts(door *dr, unsigned *waiting, unsigned long *evicted,
		 unsigned long *expired)
{
	pthread_mutex_lock(&dr->lock);
	*waiting = dr->n;
	*evicted = dr->evicted;
	*expired = dr->expired;
	pthread_mutex_unlock(&dr->lock);
}
