/*
 * limit.h - what one client may take of the drop at once.
 *
 * Behind tor every client is 127.0.0.1, unless tor exports each
 * circuit's id (proxy_protocol, door.h). With circuit ids, each circuit
 * is bounded: connections and uploads at once, derivations at once,
 * failed logins a minute, sign-ups an hour. Without them (key NULL below)
 * the per-circuit bounds are off and only the global ones hold.
 *
 * Failed logins, for everyone together, are a token bucket: a login takes
 * a token before its derivation and gives it back when it succeeds, so
 * the check and the count are one step that concurrent logins cannot race
 * past, and only failures spend the budget. The bucket refills evenly over
 * the minute, and logins that find it empty wait their turn (in order of
 * arrival, at most the wait given) rather than being refused for the rest
 * of the minute: a flood of failures slows everyone to the budget's pace
 * but keeps no one out for longer than its own backlog.
 *
 * The table of circuits is bounded: when it is full, the circuit least
 * recently seen with nothing held is forgotten, and if every entry holds
 * something the new circuit is refused. Entries hold counters and the
 * circuit's address only, in memory, never logged.
 */
#ifndef SEALDROP_LIMIT_H
#define SEALDROP_LIMIT_H

#include <stdint.h>

/* A circuit's key: its address as the door gave it (16 bytes; an IPv4
 * address is mapped). */
typedef struct limit_key {
	uint8_t b[16];
} limit_key;

struct limit_settings {
	unsigned failed_logins_per_min;    /* everyone together */
	unsigned circuit_connections;      /* at once, per circuit */
	unsigned circuit_uploads;          /* at once, per circuit */
	unsigned circuit_derivations;      /* at once, per circuit */
	unsigned circuit_failed_logins_per_min;
	unsigned circuit_signups_per_hour;
	unsigned circuits;                 /* table size */
};

/* Sets the bounds and empties the table. 0, or -1 when out of memory. */
int limit_init(const struct limit_settings *s);
void limit_shutdown(void);

/* The kinds of things a circuit holds at once. */
enum limit_what { LIMIT_CONN, LIMIT_UPLOAD, LIMIT_KDF };

/* Takes one of what for circuit k (NULL: no circuit ids; always 1).
 * 1 when taken, 0 when the circuit has its share. Every take that
 * returned 1 is given back with limit_put. */
int limit_take(const limit_key *k, enum limit_what what);
void limit_put(const limit_key *k, enum limit_what what);

/* Whether circuit k may fail another login, or sign up another source
 * (and counts it if so): buckets of circuit_failed_logins_per_min a
 * minute and circuit_signups_per_hour an hour, refilled evenly. 1 or 0. */
int limit_circuit_fail(const limit_key *k);
int limit_circuit_signup(const limit_key *k);

/* Takes back a failure counted by limit_circuit_fail: the login
 * succeeded, or never ran. */
void limit_circuit_unfail(const limit_key *k);

/* A token from the global failed-login bucket, waiting at most wait_ms
 * for one in order of arrival. 1 when taken, 0 when the wait ran out;
 * *retry_s then says when the bucket will have room for a new arrival. */
int limit_login_take(unsigned wait_ms, unsigned *retry_s);

/* Gives a token back: the login succeeded, or never ran. */
void limit_login_refund(void);

#endif
