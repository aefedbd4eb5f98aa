/*
 * show.h - showing sealed text (a message, a note, a reply) on the
 * terminal.
 *
 * Plaintext goes from the opener's buffer through the sanitiser (term.h)
 * straight to standard output's descriptor: no stdio buffer keeps a copy,
 * and every intermediate buffer is wiped. A file is never shown.
 */
#ifndef SEALDROP_ADMIN_SHOW_H
#define SEALDROP_ADMIN_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "keys.h"

/* Writes the text inside envelope env (or the in-memory envelope blob of
 * len bytes, when env is 0) to standard output, sanitised unless raw,
 * ending with a newline if it did not. Returns as archive_env_open
 * (CRYPT_ESINK also when writing failed: an error line is printed then,
 * or when the envelope is not text). *wrote, if not NULL, says whether
 * any of it reached the output: then a later failure means it is not to
 * be trusted. */
int show_text(archive *ar, int64_t env, const uint8_t *blob, size_t len,
	      const keys_secret *k, int raw, int *wrote);

/* Writes s to standard output as it is (the caller sanitised it). 0, or -1
 * after an error line. */
int show_put(const char *s, size_t len);

#endif
