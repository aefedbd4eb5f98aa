/*
 * show.c - showing sealed text on the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypt.h"
#include "envelope.h"
#include "fileio.h"
#include "show.h"
#include "term.h"

/* Input bytes sanitised per step; the output is at most 8 times this. */
#define STEP 4096

int show_put(const char *s, size_t len)
{
	if (len && fileio_write_all(STDOUT_FILENO, s, len) != 0) {
		cli_err("writing to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct texter {
	int raw;
	int wrote;
	int werr;
	char last;        /* the last byte written */
	term_state ts;
};

static int text_put(struct texter *t, const char *buf, size_t len)
{
	if (len == 0)
		return 0;
	t->wrote = 1;
	t->last = buf[len - 1];
	if (show_put(buf, len) != 0) {
		t->werr = 1;
		return -1;
	}
	return 0;
}

static int text_meta(void *ctx, const env_meta *meta)
{
	(void)ctx;
	/* A file is not shown on a terminal, whatever it holds. */
	return meta->kind == ENV_FILE ? -1 : 0;
}

static int text_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct texter *t = ctx;
	char out[TERM_OUT_MAX(STEP)];
	int r = 0;

	if (t->raw)
		return text_put(t, (const char *)buf, len);
	while (len > 0 && r == 0) {
		size_t n = len < STEP ? len : STEP;

		r = text_put(t, out, term_feed(&t->ts, buf, n, out));
		buf += n;
		len -= n;
	}
	sodium_memzero(out, sizeof(out));
	return r;
}

int show_text(archive *ar, int64_t env, const uint8_t *blob, size_t len,
	      const keys_secret *k, int raw, int *wrote)
{
	struct texter t = { .raw = raw };
	const env_open_cb cb = { text_meta, text_data, &t };
	char out[32];
	size_t o;
	int r;

	r = env ? archive_env_open(ar, env, k, &cb) :
		  archive_blob_open(blob, len, k, &cb);
	if (r == 0 && !raw) {
		o = term_end(&t.ts, out);
		r = text_put(&t, out, o) ? CRYPT_ESINK : 0;
		sodium_memzero(out, sizeof(out));
	}
	if (r == 0 && !raw && t.last != '\n')
		r = text_put(&t, "\n", 1) ? CRYPT_ESINK : 0;
	sodium_memzero(&t.ts, sizeof(t.ts));
	t.last = 0;
	if (wrote)
		*wrote = t.wrote;
	return r;
}
