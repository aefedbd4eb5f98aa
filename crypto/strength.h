/*
 * strength.h - how many guesses a passphrase is worth, estimated.
 *
 * The newsroom key file may be copied off the air-gapped machine; then its
 * passphrase is all that stands between an attacker and every submission,
 * and the attacker guesses offline. strength_bits estimates, in bits, what
 * an attacker who knows the usual patterns (the EFF wordlist, repeats,
 * sequences, keyboard rows, copied chunks) must spend. It errs low: it
 * knows no other dictionary, so a sentence of common words outside the
 * list scores higher than it deserves, and it charges chance patterns in
 * a truly random string as if they were chosen.
 */
#ifndef SEALDROP_STRENGTH_H
#define SEALDROP_STRENGTH_H

#include <stddef.h>

/* What a newsroom key's passphrase needs: five random EFF words (5 x
 * 12.92 = 64.6 bits) pass, four do not. */
#define STRENGTH_MIN_BITS 64.0

/* Bytes scored: a longer passphrase is scored on its first
 * STRENGTH_INPUT_MAX bytes (cut at a character), which only errs low. */
#define STRENGTH_INPUT_MAX 1024

/* The estimate for pass[len], in bits: 0 for an empty passphrase (pass
 * may then be NULL). Any bytes are fine: UTF-8 is read as characters, and
 * a byte that is not UTF-8 counts as a character of its own. Every
 * scratch copy of the passphrase is wiped. */
double strength_bits(const char *pass, size_t len);

#endif
