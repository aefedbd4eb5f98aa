/*
 * contents.h - what a submission holds, learned by opening it: each
 * envelope's kind, a file's safe name and the plaintext size.
 *
 * Sizes of the plaintext are known only inside the envelopes (the archive
 * keeps the padded ciphertext's), so they are counted as the opener
 * streams the content and the content itself is discarded unseen: it
 * lives only in the opener's chunk buffer, which the opener wipes. Nothing
 * learned here is written to the archive.
 *
 * Ownership: a struct contents holds file names, plaintext of the
 * submission: contents_free wipes and frees them.
 */
#ifndef SEALDROP_ADMIN_CONTENTS_H
#define SEALDROP_ADMIN_CONTENTS_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "keys.h"
#include "term.h"

/* One envelope, as opening it found it. */
struct contents_env {
	int64_t id;    /* its row in the archive */
	int kind;      /* ENV_MESSAGE, ENV_FILE...; 0 when its inner record
			* was not reached */
	int rc;        /* 0, or the CRYPT_* error that stopped it */
	uint64_t size; /* content bytes, when rc is 0 and it was read whole */
	int whole;     /* it was read to its end, so size is known */
	char name[TERM_NAME_MAX + 1]; /* a file's name as term_filename makes
				       * it; "" for anything else */
};

struct contents {
	struct contents_env *env; /* in the archive's order */
	size_t n;
	size_t nfiles;   /* envelopes whose record says file */
	size_t nokey;    /* envelopes not sealed to this key */
	size_t nfailed;  /* envelopes that failed otherwise */
	uint64_t bytes;  /* content bytes of every envelope read whole */
	long message;    /* the message's index in env[], or -1 */
};

/* What a submission is to this key, from a scan. */
enum contents_state {
	CONTENTS_OK,        /* every envelope opened whole */
	CONTENTS_OTHER_KEY, /* none is sealed to this key */
	CONTENTS_DAMAGED,   /* something else failed, or it has no envelope */
};

/* contents_scan's flags. */
enum {
	/* The message stops at its inner record (size 0, rc 0): for a
	 * caller that streams it itself. */
	CONTENTS_SKIP_MESSAGE = 1,
	/* Every envelope stops at its inner record: kinds and names only,
	 * no sizes, and what follows the first chunk is not checked. */
	CONTENTS_RECORDS_ONLY = 2,
};

/* Opens every envelope of submission sub with k, in order, into *c, as
 * flags say. A failing envelope is recorded in its entry and the scan goes
 * on. Returns 0, or -1 after an error line for a database error or lack
 * of memory (*c then holds nothing to free). */
int contents_scan(archive *ar, int64_t sub, const keys_secret *k,
		  int flags, struct contents *c);

/* Sums up a scan. */
enum contents_state contents_state(const struct contents *c);

/* Wipes and frees what contents_scan filled in; c may be zeroed. */
void contents_free(struct contents *c);

/* Longest text contents_size writes, with its NUL. */
#define CONTENTS_SIZE_MAX 16

/* A byte count for people, in powers of 1000: "999 B", "1.5 KB",
 * "150 KB", "3.1 MB" (one decimal below 10 of a unit, rounded to the
 * nearest). The number and the unit are separated by one space. Returns
 * out. */
const char *contents_size(uint64_t bytes, char out[CONTENTS_SIZE_MAX]);

/* The same as a column of CONTENTS_FIELD_WIDTH characters, so that sizes
 * line up: the number right-aligned in 5, a space, the unit left-aligned
 * in 2 ("  1.5 KB", "  999 B "); "?" in the number's place when the size
 * is not known. Returns out. */
#define CONTENTS_FIELD_WIDTH 8
const char *contents_size_field(uint64_t bytes, int known,
				char out[CONTENTS_SIZE_MAX]);

#endif
