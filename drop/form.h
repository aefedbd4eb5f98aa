/*
 * form.h - application/x-www-form-urlencoded bodies, and CSRF tokens.
 *
 * Form bodies are small (a token, a codename, an id) and read whole, up
 * to FORM_MAX bytes, before this parser sees them.
 */
#ifndef SEALDROP_FORM_H
#define SEALDROP_FORM_H

#include <stddef.h>

#define FORM_MAX 8192 /* bytes of a url-encoded body we accept */

enum { FORM_EABSENT = -1, FORM_ETOOBIG = -2, FORM_EBAD = -3 };

/* Decodes the first value of field name in body (len bytes, untrusted)
 * into out (cap bytes, always NUL-terminated). Returns the value's length,
 * FORM_EABSENT, FORM_ETOOBIG (longer than cap - 1, or body over FORM_MAX)
 * or FORM_EBAD (a broken %-escape or a NUL byte). out may hold secrets:
 * the caller wipes it. */
int form_get(const char *body, size_t len, const char *name, char *out,
	     size_t cap);

/* Compares a submitted CSRF token with the session's in constant time.
 * 1 when they match, 0 otherwise (NULL or wrong length included). */
int form_csrf_ok(const char *given, const char *expected);

#endif
