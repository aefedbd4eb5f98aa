/*
 * trickle - many slow clients against a server on 127.0.0.1, for tests.
 *
 *   trickle PORT COUNT SECONDS head
 *   trickle PORT COUNT SECONDS body COOKIE CSRF
 *
 * Opens COUNT connections to 127.0.0.1:PORT, then for SECONDS sends each
 * one byte a second: in "head" mode the request's headers, never ending
 * them; in "body" mode a whole POST /submit header (with the Cookie
 * header's value COOKIE) announcing 100 MB and the form's CSRF token,
 * then the message, one byte at a time. It
 * prints "ready N" once N connections are open, and at the end one line
 * "opened N closed M" (M: connections the server closed before the time
 * was up). Exits 0, or 2 on a usage or system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN 20000
#define BOUNDARY "----trickle-4f1c2a"

struct conn {
	int fd;
	size_t sent;  /* bytes of the request header sent */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(unsigned port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* 1 when the server has closed fd (or reset it). */
static int closed(int fd)
{
	char buf[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLERR | POLLHUP))
		return 1;
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

int main(int argc, char **argv)
{
	char head[4096];
	struct rlimit rl;
	if (argc < 5 || (strcmp(argv[4], "head") && strcmp(argv[4], "body")) ||
	    argc != (strcmp(argv[4], "body") ? 5 : 7)) {
		fprintf(stderr, "usage: trickle PORT COUNT SECONDS head\n"
			"       trickle PORT COUNT SECONDS body COOKIE CSRF\n");
		return 2;
	}
	unsigned port = (unsigned)atoi(argv[1]);
	int count = atoi(argv[2]);
	double secs = atof(argv[3]);
	int body = !strcmp(argv[4], "body");
	if (count < 1 || count > MAX_CONN || secs <= 0) {
		fprintf(stderr, "trickle: COUNT 1..%d, SECONDS > 0\n",
			MAX_CONN);
		return 2;
	}
	/* Each connection is a descriptor: ask for as many as allowed. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)count + 16) {
			fprintf(stderr, "trickle: open-file limit %llu is "
				"below %d\n", (unsigned long long)rl.rlim_cur,
				count + 16);
			return 2;
		}
	}
	int hl = body ?
		snprintf(head, sizeof(head), "POST /submit HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\n"
			 "Content-Type: multipart/form-data; boundary=%s\r\n"
			 "Content-Length: 100000000\r\nCookie: %s\r\n\r\n"
			 "--%s\r\nContent-Disposition: form-data; "
			 "name=\"csrf\"\r\n\r\n%s\r\n--%s\r\n"
			 "Content-Disposition: form-data; name=\"message\""
			 "\r\n\r\n", BOUNDARY, argv[5], BOUNDARY, argv[6],
			 BOUNDARY) :
		snprintf(head, sizeof(head), "GET / HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\nX-Slow: ");
	if (hl < 0 || (size_t)hl >= sizeof(head))
		return 2;

	struct conn *c = calloc((size_t)count, sizeof(*c));
	if (!c)
		return 2;
	int opened = 0, gone = 0;
	for (int i = 0; i < count; i++) {
		c[i].fd = dial(port);
		if (c[i].fd < 0)
			continue;
		opened++;
		/* Body mode sends its header at once; head mode its first
		 * byte. */
		size_t n = body ? (size_t)hl : 1;
		if (send(c[i].fd, head, n, MSG_NOSIGNAL) == (ssize_t)n)
			c[i].sent = n;
	}
	printf("ready %d\n", opened);
	fflush(stdout);

	double end = now() + secs;
	while (now() < end) {
		double tick = now() + 1.0;
		for (int i = 0; i < count; i++) {
			if (c[i].fd < 0)
				continue;
			if (closed(c[i].fd)) {
				close(c[i].fd);
				c[i].fd = -1;
				gone++;
				continue;
			}
			/* A header byte, never its end; or a body byte. */
			const char *b = body ? "x" :
					c[i].sent < (size_t)hl ?
					head + c[i].sent : "y";
			if (send(c[i].fd, b, 1, MSG_NOSIGNAL) == 1)
				c[i].sent++;
		}
		double left = tick - now();
		if (left > 0)
			usleep((useconds_t)(left * 1e6));
	}
	printf("opened %d closed %d\n", opened, gone);
	for (int i = 0; i < count; i++)
		if (c[i].fd >= 0)
			close(c[i].fd);
	free(c);
	return 0;
}
