/*
 * kdfpool.h - a bounded number of codename derivations at once.
 *
 * Argon2id takes tens of MiB and a good part of a second per run; without
 * a bound a burst of logins would take the server's memory. Callers wait
 * a bounded time for a slot, then give up (the page says "busy").
 */
#ifndef SEALDROP_KDFPOOL_H
#define SEALDROP_KDFPOOL_H

#include "codename.h"

enum { KDFPOOL_EBUSY = -100 };

/* workers slots (0: one per online CPU), waits of at most wait_s
 * seconds. 0 or -1. One pool per process. */
int kdfpool_init(unsigned workers, unsigned wait_s);

/* codename_derive in a slot. 0, KDFPOOL_EBUSY (no slot in time) or
 * codename_derive's error. k is the caller's (sodium_malloc'd). */
int kdfpool_derive(const codename *c, const codename_params *p,
		   codename_keys *k);

#endif
