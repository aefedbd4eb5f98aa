/*
 * unlock.h - the passphrase and the newsroom's secret key.
 *
 * A passphrase comes from the terminal without echo (the terminal is
 * restored on every path, signals included) or from the first line of a
 * --passphrase-file. It lives only in sodium_malloc memory and is wiped as
 * soon as the key is opened or sealed.
 */
#ifndef SEALDROP_ADMIN_UNLOCK_H
#define SEALDROP_ADMIN_UNLOCK_H

#include <stddef.h>

#include "cli.h"
#include "keys.h"

/* Longest passphrase accepted, in bytes. */
#define UNLOCK_PASS_MAX 1024
/* Longest passphrase file read: the first line is all that counts, but a
 * file this large is not a passphrase file. */
#define UNLOCK_FILE_MAX 65536

/* Finds the passphrase in the first line of buf (len bytes): up to the
 * first "\n", without a "\r" before it. Returns 0 and *passlen, or -1 when
 * that line is empty, -2 when it is longer than UNLOCK_PASS_MAX. */
int unlock_parse_line(const char *buf, size_t len, size_t *passlen);

/* Gets a passphrase: from a->passfile when set, else from the terminal
 * with prompt (asked twice when confirm, and must match). On success *pass
 * is NUL-terminated sodium_malloc memory for unlock_pass_free. Returns
 * ADM_OK, ADM_FAIL when the two do not match, or ADM_ERR after an error
 * line. */
int unlock_pass(const struct admin *a, const char *prompt, int confirm,
		char **pass, size_t *len);

/* Wipes and frees a passphrase from unlock_pass. NULL is fine. */
void unlock_pass_free(char *pass);

/* Opens DIR/newsroom.key into a->key (once per run). Returns ADM_OK,
 * ADM_FAIL after "wrong passphrase", or ADM_ERR after an error line. */
int unlock_key(struct admin *a);

/* The same with a passphrase the caller asked for itself (review's lock
 * screen), plen bytes that the caller wipes. */
int unlock_key_with(struct admin *a, const char *pass, size_t plen);

/* Loads DIR/newsroom.pub. ADM_OK, or ADM_ERR after an error line. */
int unlock_pub(const struct admin *a, keys_pub *pub);

#endif
