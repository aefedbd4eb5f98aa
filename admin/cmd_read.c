/*
 * cmd_read.c - decrypts a submission's message, and its notes, to stdout.
 *
 * Plaintext goes from the opener's buffer through the sanitiser straight
 * to the file descriptor: no stdio buffer keeps a copy, and every
 * intermediate buffer is wiped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "archive.h"
#include "cli.h"
#include "crypt.h"
#include "fileio.h"
#include "term.h"
#include "unlock.h"

/* Input bytes sanitised per step; the output is at most 8 times this. */
#define STEP 4096

struct reader {
	archive *ar;
	const keys_secret *key;
	int64_t env;
	int raw;
	int is_message;  /* the envelope being opened is the message */
	int wrote;       /* some plaintext reached stdout */
	int werr;        /* writing stdout failed, with this errno */
	int dberr;       /* a database error line was printed */
	term_state ts;
};

static int put(struct reader *rd, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	rd->wrote = 1;
	if (fileio_write_all(STDOUT_FILENO, buf, len) != 0) {
		rd->werr = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static int on_text(void *ctx, const uint8_t *buf, size_t len)
{
	struct reader *rd = ctx;
	char out[TERM_OUT_MAX(STEP)];
	int r = 0;

	if (rd->raw)
		return put(rd, buf, len);
	while (len > 0 && r == 0) {
		size_t n = len < STEP ? len : STEP;
		size_t o = term_feed(&rd->ts, buf, n, out);

		r = put(rd, out, o);
		buf += n;
		len -= n;
	}
	sodium_memzero(out, sizeof(out));
	return r;
}

/* Ends a sanitised stream: a cut-off character becomes a placeholder. */
static int text_end(struct reader *rd)
{
	char out[32];
	size_t o = term_end(&rd->ts, out);
	int r = rd->raw ? 0 : put(rd, out, o);

	sodium_memzero(out, sizeof(out));
	return r;
}

static int on_meta(void *ctx, const env_meta *meta)
{
	struct reader *rd = ctx;

	if (archive_env_set_kind(rd->ar, rd->env, meta->kind) != 0) {
		rd->dberr = 1;
		return -1;
	}
	rd->is_message = meta->kind == ENV_MESSAGE;
	/* Anything else is a file: stop before its bytes are decrypted. */
	return rd->is_message ? 0 : -1;
}

static int on_note_meta(void *ctx, const env_meta *meta)
{
	(void)ctx;
	return meta->kind == ENV_MESSAGE ? 0 : -1;
}

static int show_note(void *ctx, uint32_t day, const uint8_t *env, size_t len)
{
	struct reader *rd = ctx;
	const env_open_cb cb = { on_note_meta, on_text, rd };
	char head[64], date[16];
	int r;

	snprintf(head, sizeof(head), "\n--- note, %s ---\n",
		 cli_date(day, date));
	if (put(rd, head, strlen(head)) != 0)
		return -1;
	r = archive_blob_open(env, len, rd->key, &cb);
	if (r == 0)
		r = text_end(rd);
	if (r != 0 && !rd->werr)
		cli_err("a note failed to open: %s", crypt_strerror(r));
	return r ? -1 : 0;
}

int cmd_read(struct admin *a, int argc, char **argv)
{
	struct reader rd;
	const env_open_cb cb = { on_meta, on_text, &rd };
	int64_t id, *envs = NULL;
	size_t nenv = 0, i;
	char *pos[1];
	int raw = 0, r = 0, rc = ADM_ERR, found = 0;
	const struct cli_opt opts[] = {
		{ "--raw", NULL, &raw },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	memset(&rd, 0, sizeof(rd));
	rd.raw = raw;
	if (archive_open(a->home, &rd.ar) != 0)
		return ADM_ERR;
	if (archive_sub_check(rd.ar, id) != 0 ||
	    archive_env_list(rd.ar, id, &envs, &nenv) != 0)
		goto out;
	rc = unlock_key(a);
	if (rc != ADM_OK)
		goto out;
	rd.key = a->key;
	rc = ADM_ERR;

	/* The message is usually the first envelope; each file met before
	 * it is stopped at its inner record. */
	for (i = 0; i < nenv && !found; i++) {
		rd.env = envs[i];
		rd.is_message = 0;
		r = archive_env_open(rd.ar, envs[i], rd.key, &cb);
		if (r == CRYPT_ESINK && !rd.is_message && !rd.werr &&
		    !rd.dberr) {
			r = 0;
			continue;
		}
		if (r == 0)
			r = text_end(&rd);
		if (r != 0)
			break;
		found = 1;
	}
	if (r == 1 || rd.werr || rd.dberr) {
		if (rd.werr)
			cli_err("writing the message: %s", strerror(rd.werr));
		goto out;
	}
	if (r != 0) {
		cli_err("submission %lld: %s%s", (long long)id,
			crypt_strerror(r), rd.wrote ?
			": the output above is not trustworthy" : "");
		rc = ADM_FAIL;
		goto out;
	}
	if (!found)
		cli_err("submission %lld has no message (its files: "
			"extract %lld --to DIR)", (long long)id, (long long)id);
	if (archive_note_each(rd.ar, id, show_note, &rd) != 0) {
		rc = rd.werr ? ADM_ERR : ADM_FAIL;
		goto out;
	}
	if (archive_sub_set_unread(rd.ar, id, 0) != 0)
		goto out;
	rc = ADM_OK;
out:
	sodium_memzero(&rd.ts, sizeof(rd.ts));
	free(envs);
	archive_close(rd.ar);
	return rc;
}
