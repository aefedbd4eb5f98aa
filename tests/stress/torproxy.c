/*
 * torproxy - a stand-in for tor's onion service side, for tests.
 *
 *   torproxy LISTEN_PORT DROP_PORT CIRCUIT [garbage|each]
 *
 * Listens on 127.0.0.1:LISTEN_PORT (0: any free port) and forwards every
 * connection to the drop on 127.0.0.1:DROP_PORT, first sending the PROXY
 * v1 line tor sends with HiddenServiceExportCircuitID haproxy, for the
 * circuit number CIRCUIT (a decimal 32-bit number; each connection of a
 * torproxy is on that one circuit). With "each", every connection is on a
 * circuit of its own, numbered from CIRCUIT up, as many clients would be.
 * With "garbage", a malformed line is sent instead. Prints "port N" once listening, then serves until killed.
 * Loopback only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned drop_port;
static unsigned long circuit;
static int garbage, each;
static pthread_mutex_t next_lock = PTHREAD_MUTEX_INITIALIZER;

static int dial(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)drop_port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int put(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies both ways until either side closes. */
static void *relay(void *arg)
{
	int c = (int)(long)arg, d = dial();
	char line[128], buf[65536];
	unsigned long circ;
	if (d < 0)
		goto out;
	pthread_mutex_lock(&next_lock);
	circ = circuit;
	if (each)
		circuit++;
	pthread_mutex_unlock(&next_lock);
	if (garbage)
		snprintf(line, sizeof(line), "PROXY TCP6 not-an-address ::1 "
			 "65535 80\r\n");
	else
		snprintf(line, sizeof(line), "PROXY TCP6 fc00:dead:beef:4dad::"
			 "%lx:%lx ::1 65535 80\r\n", (circ >> 16) & 0xffff,
			 circ & 0xffff);
	if (put(d, line, strlen(line)))
		goto out;
	struct pollfd p[2] = { { c, POLLIN, 0 }, { d, POLLIN, 0 } };
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0 || put(p[1 - i].fd, buf, (size_t)n))
				goto out;
		}
	}
out:
	close(c);
	if (d >= 0)
		close(d);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "garbage") &&
				     strcmp(argv[4], "each"))) {
		fprintf(stderr, "usage: torproxy LISTEN_PORT DROP_PORT CIRCUIT "
			"[garbage|each]\n");
		return 2;
	}
	drop_port = (unsigned)atoi(argv[2]);
	circuit = strtoul(argv[3], NULL, 10);
	garbage = argc == 5 && !strcmp(argv[4], "garbage");
	each = argc == 5 && !strcmp(argv[4], "each");
	signal(SIGPIPE, SIG_IGN);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)atoi(argv[1])),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int one = 1, l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(l, 512) || getsockname(l, (struct sockaddr *)&sin, &sl)) {
		perror("torproxy: listen");
		return 2;
	}
	printf("port %u\n", ntohs(sin.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		pthread_t t;
		if (c < 0)
			continue;
		if (pthread_create(&t, NULL, relay, (void *)(long)c))
			close(c);
		else
			pthread_detach(t);
	}
}
