/*
 * sess.h - sessions: who is logged in, held only in server memory.
 *
 * A session is named by 32 bytes in the cookie `sd` (64 hex digits). A
 * visitor who is not logged in holds a ticket: random bytes, the day's
 * language choice and a MAC under a key the server makes at start, from
 * which its CSRF token is derived. It takes no room on the server, so no
 * number of visitors can push anyone out. A logged-in session is a random
 * token naming a slot of the table, which holds its CSRF token, language,
 * the source's row id and reply key pair. Never the codename. The table
 * and the key pairs are sodium_malloc memory (locked, left out of core
 * dumps). Idle sessions and tickets expire; the table is bounded, and a
 * source has at most per_source sessions (a new login ends its oldest).
 *
 * Callers get copies (sess_view), never pointers into the table, so a
 * logout in one thread cannot pull memory from under another. A copy
 * holds both tokens: wipe it (sodium_memzero) when done with it.
 */
#ifndef SEALDROP_SESS_H
#define SEALDROP_SESS_H

#include <stddef.h>
#include <stdint.h>

#include "codename.h"

#define SESS_TOKEN 32
#define SESS_HEX (2 * SESS_TOKEN + 1)
#define SESS_LANG 16
#define SESS_COOKIE_MAX 4096 /* bytes of a Cookie header we will read */

enum { SESS_ENONE = -1, SESS_EFULL = -2, SESS_ENOMEM = -3 };

typedef struct sess_view {
	uint8_t token[SESS_TOKEN];
	char csrf[SESS_HEX];   /* as the forms carry it */
	char lang[SESS_LANG];
	int64_t source_id;     /* 0 when not logged in */
	int anon;              /* a ticket, not a slot */
	int fresh;             /* just created: the cookie must be set */
} sess_view;

/* Makes the table: at most max logged-in sessions, at most per_source of
 * one source, wiped (and tickets refused) after idle_s seconds of
 * disuse. 0 or SESS_ENOMEM. One table per process. */
int sess_init(unsigned max, unsigned idle_s, unsigned per_source);

/* Wipes and frees every session (at shutdown). */
void sess_shutdown(void);

/* Finds the session named by token (NULL: none given): a valid ticket, or
 * a slot, marked used. When there is none and create is set, issues a
 * new ticket (that never fails). A ticket is renewed while used (fresh
 * set: the cookie must be sent again). Returns 0 with *v filled, or
 * SESS_ENONE. */
int sess_open(const uint8_t *token, int create, sess_view *v);

/* Logs the session named by token (a ticket or a slot) in as source_id
 * with keys (copied), in a slot of the table. The token and CSRF token
 * are replaced, so one seen before login is worthless after; *v (whose
 * lang is kept) gets the new ones (fresh set). 0, SESS_ENONE (no such
 * session, or it expired), SESS_EFULL (every slot is a logged-in
 * session) or SESS_ENOMEM. */
int sess_login(const uint8_t token[SESS_TOKEN], int64_t source_id,
	       const codename_keys *keys, sess_view *v);

/* Copies the logged-in session's reply key pair into out (the caller's
 * sodium_malloc memory). 0 or SESS_ENONE. */
int sess_keys(const uint8_t token[SESS_TOKEN], codename_keys *out);

/* Sets the session's language (a code the caller has checked), in *v
 * too; a ticket is issued again (fresh set), with the same CSRF token. */
void sess_set_lang(sess_view *v, const char *lang);

/* The source ids of the live logged-in sessions, at most max, into out.
 * Returns how many. */
size_t sess_sources(int64_t *out, size_t max);

/* Ends the session and wipes what it held. */
void sess_end(const uint8_t token[SESS_TOKEN]);

/* Wipes sessions idle for too long. Returns how many are left. */
unsigned sess_sweep(void);

/* Reads the token from the `sd` cookie of a Cookie header value (at most
 * SESS_COOKIE_MAX bytes). 0, or SESS_ENONE when there is no well-formed
 * one. */
int sess_cookie_parse(const char *header, uint8_t token[SESS_TOKEN]);

/* Hex of a token, for the Set-Cookie header. */
void sess_token_hex(const uint8_t token[SESS_TOKEN], char out[SESS_HEX]);

#endif
