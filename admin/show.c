/*
 * show.c - showing sealed text on the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crypt.h"
#include "desk.h"
#include "envelope.h"
#include "fileio.h"
#include "show.h"
#include "term.h"

int show_put(const char *s, size_t len)
{
	if (len && fileio_write_all(STDOUT_FILENO, s, len) != 0) {
		cli_err("writing to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* What reached standard output: whether anything did, and its last byte
 * (plaintext: cleared before returning). */
struct out {
	int wrote;
	char last;
};

static int out_put(void *ctx, const char *buf, size_t len)
{
	struct out *o = ctx;

	if (len == 0)
		return 0;
	o->wrote = 1;
	o->last = buf[len - 1];
	return show_put(buf, len);
}

static int raw_meta(void *ctx, const env_meta *meta)
{
	(void)ctx;
	/* A file is not shown on a terminal, whatever it holds. */
	return meta->kind == ENV_FILE ? -1 : 0;
}

static int raw_data(void *ctx, const uint8_t *buf, size_t len)
{
	return out_put(ctx, (const char *)buf, len);
}

int show_text(archive *ar, int64_t env, const uint8_t *blob, size_t len,
	      const keys_secret *k, int raw, int *wrote)
{
	struct out o = { 0, 0 };
	const env_open_cb cb = { raw_meta, raw_data, &o };
	int r;

	/* Sanitised, it is the desk's text, ended with a newline here. */
	if (raw)
		r = env ? archive_env_open(ar, env, k, &cb) :
			  archive_blob_open(blob, len, k, &cb);
	else
		r = desk_text(ar, env, blob, len, k, out_put, &o);
	if (r == 0 && !raw && o.last != '\n')
		r = out_put(&o, "\n", 1) ? CRYPT_ESINK : 0;
	o.last = 0;
	if (wrote)
		*wrote = o.wrote;
	return r;
}
