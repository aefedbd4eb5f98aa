/*
 * cmd_extract.c - decrypts a submission's files into a directory the
 * journalist names: the one place plaintext is written to disk, on their
 * explicit request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "crypt.h"
#include "fileio.h"
#include "term.h"
#include "unlock.h"

/* How many " (N)" variants are tried before giving up on a name. */
#define MAX_VARIANTS 1000

struct extractor {
	archive *ar;
	const char *outdir;
	int64_t env;
	int fd;                     /* the file being written, or -1 */
	int err;                    /* a system error line was printed */
	char path[PATH_MAX];
	unsigned nfiles;
};

/* Creates a new file for name in outdir, never over an existing one:
 * "name.ext", then "name (2).ext", "name (3).ext"... */
static int create_unique(struct extractor *ex, const char *name)
{
	const char *dot = strrchr(name, '.');
	int stem = dot && dot != name ? (int)(dot - name) : (int)strlen(name);
	const char *ext = name + stem;

	for (unsigned n = 1; n <= MAX_VARIANTS; n++) {
		int fd, len;

		if (n == 1)
			len = snprintf(ex->path, sizeof(ex->path), "%s/%s",
				       ex->outdir, name);
		else
			len = snprintf(ex->path, sizeof(ex->path),
				       "%s/%.*s (%u)%s", ex->outdir, stem,
				       name, n, ext);
		if (len < 0 || (size_t)len >= sizeof(ex->path)) {
			cli_err("%s: path too long", ex->outdir);
			return -1;
		}
		fd = fileio_create_private(ex->path, 0);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST) {
			cli_err("%s: %s", ex->path, strerror(errno));
			return -1;
		}
	}
	cli_err("%s: too many files named like %s", ex->outdir, name);
	return -1;
}

static int on_meta(void *ctx, const env_meta *meta)
{
	struct extractor *ex = ctx;
	char name[TERM_NAME_MAX + 1];

	if (archive_env_set_kind(ex->ar, ex->env, meta->kind) != 0) {
		ex->err = 1;
		return -1;
	}
	/* The message is read's business: stop before decrypting it. */
	if (meta->kind != ENV_FILE)
		return -1;
	term_filename(meta->name, name);
	ex->fd = create_unique(ex, name);
	if (ex->fd < 0) {
		ex->err = 1;
		return -1;
	}
	return 0;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct extractor *ex = ctx;

	if (fileio_write_all(ex->fd, buf, len) != 0) {
		cli_err("%s: %s", ex->path, strerror(errno));
		ex->err = 1;
		return -1;
	}
	return 0;
}

/* Ends the current file: kept only when the envelope authenticated. */
static int finish_file(struct extractor *ex, int r)
{
	if (ex->fd < 0)
		return 0;
	if (fileio_sync_close(ex->fd) != 0 && r == 0 && !ex->err) {
		cli_err("%s: %s", ex->path, strerror(errno));
		ex->err = 1;
	}
	ex->fd = -1;
	if (r != 0 || ex->err) {
		unlink(ex->path);
		return -1;
	}
	printf("%s\n", ex->path);
	ex->nfiles++;
	return 0;
}

/* OUTDIR must be a real directory: created 0700 if missing, refused when
 * it is a symlink, which could point the files anywhere. */
static int check_outdir(const char *dir)
{
	struct stat st;

	if (fileio_mkdir_private(dir) != 0 || lstat(dir, &st) != 0) {
		cli_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_err("%s: not a directory", dir);
		return -1;
	}
	return 0;
}

int cmd_extract(struct admin *a, int argc, char **argv)
{
	struct extractor ex;
	const env_open_cb cb = { on_meta, on_data, &ex };
	const char *to = NULL;
	int64_t id, *envs = NULL;
	size_t nenv = 0;
	char *pos[1];
	int r = 0, rc = ADM_ERR;
	const struct cli_opt opts[] = {
		{ "--to", &to, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	if (!to || !*to)
		return cli_usage(a, "--to OUTDIR is required");
	memset(&ex, 0, sizeof(ex));
	ex.fd = -1;
	ex.outdir = to;
	if (archive_open(a->home, &ex.ar) != 0)
		return ADM_ERR;
	if (archive_sub_check(ex.ar, id) != 0 ||
	    archive_env_list(ex.ar, id, &envs, &nenv) != 0)
		goto out;
	rc = unlock_key(a);
	if (rc != ADM_OK)
		goto out;
	rc = ADM_ERR;
	if (check_outdir(to) != 0)
		goto out;

	for (size_t i = 0; i < nenv; i++) {
		ex.env = envs[i];
		r = archive_env_open(ex.ar, envs[i], a->key, &cb);
		if (r == CRYPT_ESINK && ex.fd < 0 && !ex.err)
			r = 0; /* the message, skipped on purpose */
		if (finish_file(&ex, r) != 0 || r != 0)
			break;
	}
	if (r == 1 || ex.err)
		goto out;
	if (r != 0) {
		cli_err("submission %lld: %s: the file it was writing was "
			"removed", (long long)id, crypt_strerror(r));
		rc = ADM_FAIL;
		goto out;
	}
	if (ex.nfiles == 0)
		cli_err("submission %lld has no files", (long long)id);
	else
		fprintf(stderr, "Careful: files from sources may be hostile. "
			"Open them only on this machine, in a\ndisposable "
			"viewer. They may carry metadata that identifies the "
			"source:\nclean them (mat2) before anything is "
			"published.\n");
	rc = ADM_OK;
out:
	free(envs);
	archive_close(ex.ar);
	return rc;
}
