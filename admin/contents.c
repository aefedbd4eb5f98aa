/*
 * contents.c - a submission's envelopes opened to count them, not to keep
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "contents.h"
#include "crypt.h"
#include "envelope.h"

struct scan {
	struct contents_env *e;
	int flags;
};

/* Whether the scan stops an envelope of this kind at its record. */
static int stops(int flags, int kind)
{
	return (flags & CONTENTS_RECORDS_ONLY) ||
	       (kind == ENV_MESSAGE && (flags & CONTENTS_SKIP_MESSAGE));
}

static int on_meta(void *ctx, const env_meta *meta)
{
	struct scan *s = ctx;

	s->e->kind = meta->kind;
	if (meta->kind == ENV_FILE)
		term_filename(meta->name, s->e->name);
	/* Stopped here, the content is never decrypted. */
	return stops(s->flags, meta->kind) ? -1 : 0;
}

/* Counts and forgets: buf is the opener's, wiped after this returns. */
static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct scan *s = ctx;

	(void)buf;
	s->e->size += len;
	return 0;
}

int contents_scan(archive *ar, int64_t sub, const keys_secret *k,
		  int flags, struct contents *c)
{
	struct scan s = { NULL, flags };
	const env_open_cb cb = { on_meta, on_data, &s };
	int64_t *ids;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->message = -1;
	if (archive_env_list(ar, sub, &ids, &n) != 0)
		return -1;
	if (n > 0) {
		c->env = calloc(n, sizeof(*c->env));
		if (!c->env) {
			free(ids);
			cli_err("out of memory");
			return -1;
		}
	}
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		struct contents_env *e = &c->env[i];
		int r;

		e->id = ids[i];
		s.e = e;
		r = archive_env_open(ar, ids[i], k, &cb);
		if (r == 1) {
			free(ids);
			contents_free(c);
			return -1;
		}
		if (r == CRYPT_ESINK && e->kind != 0 && stops(flags, e->kind))
			r = 0;
		else if (r == 0)
			e->whole = 1;
		e->rc = r;
		/* What a failed or stopped envelope streamed is no size. */
		if (!e->whole)
			e->size = 0;
		c->bytes += e->size;
		if (e->kind == ENV_FILE)
			c->nfiles++;
		if (e->kind == ENV_MESSAGE && c->message < 0)
			c->message = (long)i;
		if (r == CRYPT_ENOKEY)
			c->nokey++;
		else if (r != 0)
			c->nfailed++;
	}
	free(ids);
	return 0;
}

enum contents_state contents_state(const struct contents *c)
{
	if (c->n > 0 && c->nokey == c->n)
		return CONTENTS_OTHER_KEY;
	if (c->n == 0 || c->nokey > 0 || c->nfailed > 0)
		return CONTENTS_DAMAGED;
	return CONTENTS_OK;
}

void contents_free(struct contents *c)
{
	if (c->env) {
		sodium_memzero(c->env, c->n * sizeof(*c->env));
		free(c->env);
	}
	memset(c, 0, sizeof(*c));
	c->message = -1;
}

const char *contents_size(uint64_t bytes, char out[CONTENTS_SIZE_MAX])
{
	static const char *const units[] = { "KB", "MB", "GB", "TB", "PB",
					     "EB" };
	uint64_t unit = 1000;

	if (bytes < 1000) {
		snprintf(out, CONTENTS_SIZE_MAX, "%u B", (unsigned)bytes);
		return out;
	}
	/* Each step rounds to the nearest; a value that rounds up to 1000
	 * of a unit is shown in the next. Tenths are computed as
	 * bytes / (unit / 10), which cannot overflow. */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t tenths = bytes / (unit / 10) +
				  (bytes % (unit / 10) >= unit / 20);
		uint64_t whole = bytes / unit + (bytes % unit >= unit / 2);

		if (tenths < 100) {
			snprintf(out, CONTENTS_SIZE_MAX, "%u.%u %s",
				 (unsigned)(tenths / 10),
				 (unsigned)(tenths % 10), units[i]);
			return out;
		}
		if (whole < 1000 || i + 1 == sizeof(units) / sizeof(units[0])) {
			snprintf(out, CONTENTS_SIZE_MAX, "%llu %s",
				 (unsigned long long)whole, units[i]);
			return out;
		}
		unit *= 1000;
	}
	return out;
}

const char *contents_size_field(uint64_t bytes, int known,
				char out[CONTENTS_SIZE_MAX])
{
	char size[CONTENTS_SIZE_MAX];
	const char *unit;

	if (!known) {
		snprintf(out, CONTENTS_SIZE_MAX, "%5s %-2s", "?", "");
		return out;
	}
	contents_size(bytes, size);
	unit = strchr(size, ' ');
	snprintf(out, CONTENTS_SIZE_MAX, "%5.*s %-2s", (int)(unit - size),
		 size, unit + 1);
	return out;
}
