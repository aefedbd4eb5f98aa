/*
 * sess.h - sessions: who is logged in, held only in server memory.
 *
 * A session is named by a 256-bit random token in the cookie `sd`. It
 * holds a CSRF token, the chosen language and, once logged in, the
 * source's row id and reply key pair. Never the codename. The table and
 * the key pairs are sodium_malloc memory (locked, left out of core
 * dumps). Idle sessions expire and are wiped; the table is bounded.
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
	int fresh;             /* just created: the cookie must be set */
} sess_view;

/* Makes the table: at most max sessions, wiped after idle_s seconds of
 * disuse. 0 or SESS_ENOMEM. One table per process. */
int sess_init(unsigned max, unsigned idle_s);

/* Wipes and frees every session (at shutdown). */
void sess_shutdown(void);

/* Finds the session named by token (NULL: none given) and marks it used.
 * When there is none and create is set, makes an anonymous one, making
 * way by dropping the least recently used anonymous session if the table
 * is full. Returns 0 with *v filled, SESS_ENONE, or SESS_EFULL. */
int sess_open(const uint8_t *token, int create, sess_view *v);

/* Logs the session in as source_id with keys (copied). The token and
 * CSRF token are replaced, so one seen before login is worthless after;
 * *v gets the new ones (fresh set). 0, SESS_ENONE or SESS_ENOMEM. */
int sess_login(const uint8_t token[SESS_TOKEN], int64_t source_id,
	       const codename_keys *keys, sess_view *v);

/* Copies the logged-in session's reply key pair into out (the caller's
 * sodium_malloc memory). 0 or SESS_ENONE. */
int sess_keys(const uint8_t token[SESS_TOKEN], codename_keys *out);

/* Sets the session's language (a code the caller has checked). */
void sess_set_lang(const uint8_t token[SESS_TOKEN], const char *lang);

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
