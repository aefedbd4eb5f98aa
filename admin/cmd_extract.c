/*
 * cmd_extract.c - decrypts a submission's files into a directory the
 * journalist names, each inspected, with its report printed under its
 * path (desk_extract does the work).
 */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "crypt.h"
#include "desk.h"
#include "fileio.h"
#include "unlock.h"

static void print_file(void *ctx, const char *path)
{
	(void)ctx;
	printf("%s\n", path);
}

/* Writes the sanitised report (n bytes) to stdout, each line indented
 * under the file's path; straight to the descriptor, as it is
 * plaintext. */
static void print_report(void *ctx, const char *text, size_t n,
			 const char *report_path)
{
	static const char indent[] = "  ";
	size_t start = 0;

	(void)ctx;
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		if (text[i] != '\n')
			continue;
		if (i > start)
			fileio_write_all(STDOUT_FILENO, indent, 2);
		fileio_write_all(STDOUT_FILENO, text + start, i + 1 - start);
		start = i + 1;
	}
	if (start < n) {
		fileio_write_all(STDOUT_FILENO, indent, 2);
		fileio_write_all(STDOUT_FILENO, text + start, n - start);
		fileio_write_all(STDOUT_FILENO, "\n", 1);
	}
	if (report_path)
		printf("  Report: %s\n", report_path);
}

int cmd_extract(struct admin *a, int argc, char **argv)
{
	const struct desk_extract_cb cb = { print_file, print_report, NULL };
	const char *to = NULL;
	char real[PATH_MAX], *pos[1];
	archive *ar = NULL;
	unsigned nfiles = 0;
	int64_t id;
	int r, rc = ADM_ERR, clean = 0, created = 0;
	const struct cli_opt opts[] = {
		{ "--to", &to, NULL },
		{ "--clean", NULL, &clean },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, pos, 1, 1) < 0)
		return ADM_ERR;
	if (cli_id(a, pos[0], &id) != 0)
		return ADM_ERR;
	if (!to || !*to)
		return cli_usage(a, "--to OUTDIR is required");
	/* Where the files go, and that the submission exists, are checked
	 * before the passphrase is asked. */
	if (desk_extract_dir(to, real, &created) != 0)
		goto out;
	if (archive_open(a->home, &ar) != 0 || archive_sub_check(ar, id) != 0)
		goto out;
	rc = unlock_key(a);
	if (rc != ADM_OK)
		goto out;
	rc = ADM_ERR;
	r = desk_extract(ar, a->key, id, to, real, clean, &cb, &nfiles);
	if (r == 1)
		goto out;
	if (r != 0) {
		cli_err("submission %lld: %s: the file it was writing was "
			"removed", (long long)id, crypt_strerror(r));
		rc = ADM_FAIL;
		goto out;
	}
	if (nfiles == 0)
		cli_err("submission %lld has no files", (long long)id);
	else
		fprintf(stderr, "Careful: files from sources may be hostile. "
			"Open them only on this machine, in a\nviewer that "
			"runs no scripts or macros. Read each file's report: "
			"what the file\ncarries may identify the source. "
			"Publish only a cleaned copy (--clean), after\n"
			"checking it by hand; keep the original.\n");
	rc = ADM_OK;
out:
	/* A folder made for nothing goes again (rmdir: only when empty). */
	if (created && nfiles == 0)
		rmdir(to);
	archive_close(ar);
	return rc;
}
