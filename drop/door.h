/*
 * door.h - the front door: every connection, until its request head is in.
 *
 * libmicrohttpd gives each connection a thread and restarts its idle
 * timer on every byte, so a few hundred clients that send a request head
 * a byte at a time would hold every thread for ever. The door holds those
 * connections instead, in one thread and a few dozen bytes each, and
 * hands a connection to libmicrohttpd only once its whole request head has
 * arrived (looked at with MSG_PEEK, so libmicrohttpd reads it itself):
 *
 *  - each connection has an absolute deadline for its PROXY line and
 *    request head (head_timeout_s), whatever it trickles;
 *  - when max_waiting connections are waiting, the oldest makes way for
 *    the new one, so a flood of slow heads never keeps a source out;
 *  - with proxy_protocol on, the first line must be tor's PROXY v1 line;
 *    its source address (the circuit's id) becomes the connection's
 *    client address, and the circuit's connections at once are bounded
 *    (limit.h). Nothing else may come first: such a connection is closed.
 *
 * Circuit addresses live in memory only: never stored, never logged.
 */
#ifndef SEALDROP_DOOR_H
#define SEALDROP_DOOR_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

/* The longest PROXY v1 line, with its CRLF (the protocol's own bound). */
#define DOOR_PROXY_MAX 107
/* The longest request head the door waits for; a longer one is closed. */
#define DOOR_HEAD_MAX 8192

typedef struct door door;

struct door_settings {
	unsigned max_waiting;    /* connections before their head is in */
	unsigned head_timeout_s; /* from accept to the end of the head */
	int proxy;               /* expect tor's PROXY v1 line first */
};

/* Starts the door's thread on the listening socket lfd (taken: closed by
 * door_stop), handing complete connections to d, which must run with
 * MHD_USE_NO_LISTEN_SOCKET and MHD_USE_ITC. 0, or -1 with errno. */
int door_start(door **out, int lfd, struct MHD_Daemon *d,
	       const struct door_settings *s);

/* Stops the thread and closes every connection still waiting. */
void door_stop(door *dr);

/* How many connections wait now, and how many were made to make way or
 * timed out since the start (for tests and status). */
void door_counts(door *dr, unsigned *waiting, unsigned long *evicted,
		 unsigned long *expired);

/* Parses one PROXY v1 line of len bytes (its CRLF included) into the
 * client address it gives: TCP4 or TCP6 with a source address and port.
 * "PROXY UNKNOWN" and anything else that is not such a line: -1. */
int door_proxy_parse(const char *line, size_t len,
		     struct sockaddr_storage *ss, socklen_t *sl);

/* The circuit key (limit.h) of a client address: an IPv6 address as it
 * is, an IPv4 one mapped. */
struct limit_key;
void door_key_of(const struct sockaddr *sa, struct limit_key *k);

#endif
