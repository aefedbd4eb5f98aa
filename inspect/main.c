/*
 * main.c - sealdrop-inspect: what one submitted file is, and what it
 * tells about whoever made it.
 *
 *   sealdrop-inspect [--clean] NAME
 *
 * It runs only inside the sandbox that sealdrop-admin's launcher builds
 * (admin/spawn.c): no network, no other process in sight, nothing of the
 * machine but /usr, the file itself read-only at INSPECT_IN, and with
 * --clean one empty folder to write the cleaned copy into (layout.h).
 * NAME is the name the file was extracted under; its extension is
 * checked against the content. The report goes to standard output as
 * text for the journalist, which sealdrop-admin caps and sanitises again.
 *
 * mat2 picks its parser by a file's name, so it is shown the file under a
 * name whose extension is its content's: a photo called notes.txt is
 * still read as a photo. mat2 runs without its own bubblewrap wrapper
 * (mat2 0.13's default; its --no-sandbox option, inverted in that
 * version, is not given): everything here already runs inside one, and a
 * namespace inside a namespace is not allowed everywhere.
 *
 * Exit status: 0 when a report was written (it says what could not be
 * checked), 2 on a usage or system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "ftype.h"
#include "layout.h"
#include "mat2.h"
#include "run.h"
#include "text.h"

/* Where mat2 sees the file, in the sandbox's own RAM-backed /tmp. */
#define WORKDIR "/tmp/inspect"

static char mat2_out[MAT2_OUT_MAX];
static struct mat2_result result;

/* Runs mat2 with args (then "--" and file) in WORKDIR and parses what it
 * says into result. Its exit status, or -1 with errno. */
static int run_mat2(const char *args, const char *file)
{
	char *argv[5];
	size_t len;
	int n = 0, cut, st;

	argv[n++] = "mat2";
	if (args)
		argv[n++] = (char *)args;
	argv[n++] = "--";
	argv[n++] = (char *)file;
	argv[n] = NULL;
	st = run_capture(argv, mat2_out, sizeof(mat2_out), &len, &cut);
	if (st < 0)
		return -1;
	mat2_parse(mat2_out, len, &result);
	if (cut)
		result.nlostnotes++;
	return st;
}

static void print_notes(const char *indent, const char *who)
{
	for (size_t i = 0; i < result.nnotes; i++)
		printf("%s%s: %s\n", indent, who, result.notes[i]);
	if (result.nlostnotes)
		printf("%s(%zu more lines from mat2 not shown)\n", indent,
		       result.nlostnotes);
}

/* How many fields kept are of a group that identifies. */
static size_t identifying(void)
{
	size_t n = 0;

	for (size_t i = 0; i < result.nfields; i++)
		n += result.fields[i].group != MAT2_OTHER;
	return n;
}

/* The fields by group, and a line naming the groups that identify. */
static void print_fields(const char *indent)
{
	const char *sep = "";

	for (int g = 0; g < MAT2_NGROUPS; g++) {
		int shown = 0;

		for (size_t i = 0; i < result.nfields; i++) {
			const struct mat2_field *f = &result.fields[i];

			if ((int)f->group != g)
				continue;
			if (!shown++)
				printf("%s%s:\n", indent,
				       mat2_group_name((enum mat2_group)g));
			printf("%s  %s: %s", indent, f->key, f->value);
			if (f->member[0])
				printf("  (in %s)", f->member);
			printf("\n");
		}
	}
	if (result.nlost)
		printf("%s(%zu more fields not shown)\n", indent,
		       result.nlost);
	printf("%sFound: ", indent);
	for (int g = 0; g < MAT2_OTHER; g++)
		for (size_t i = 0; i < result.nfields; i++)
			if ((int)result.fields[i].group == g) {
				printf("%s%s", sep,
				       mat2_group_name((enum mat2_group)g));
				sep = ", ";
				break;
			}
	printf("%s.\n", *sep ? "" : "no field of a kind known to "
	       "identify (read the others above)");
}

/* What mat2 --show said about file; 1 when it could check it. */
static int show(const char *file, const char *indent)
{
	int st = run_mat2("--show", file);

	if (st < 0) {
		printf("%sNOT CHECKED: mat2 could not be run (%s): treat the "
		       "file as unchecked; it may carry identifying "
		       "metadata.\n", indent, strerror(errno));
		return 0;
	}
	switch (result.status) {
	case MAT2_FOUND:
		print_fields(indent);
		break;
	case MAT2_NONE:
		printf("%smat2 found no metadata.\n", indent);
		break;
	case MAT2_UNSUPPORTED:
		printf("%sNOT CHECKED: mat2 does not support this format "
		       "(%s): treat the file as unchecked; it may carry "
		       "identifying metadata.\n", indent, result.detail);
		break;
	case MAT2_FAILED:
		printf("%sNOT CHECKED: mat2 could not read it (%s): treat "
		       "the file as unchecked.\n", indent,
		       result.detail[0] ? result.detail : "no reason given");
		break;
	case MAT2_SILENT:
		printf("%sNOT CHECKED: mat2 said nothing about it (exit "
		       "status %d): treat the file as unchecked.\n", indent,
		       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		break;
	}
	print_notes(indent, "mat2 said");
	return result.status == MAT2_FOUND || result.status == MAT2_NONE;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, rc = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = fileio_create_private(to, 0);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || fileio_write_all(out, buf, (size_t)n) != 0)
			goto out;
	}
	rc = 0;
out:
	close(in);
	if (fileio_sync_close(out) != 0)
		rc = -1;
	if (rc != 0)
		unlink(to);
	return rc;
}

/* Has mat2 clean the file, shows what is left, and writes the copy out. */
static void clean(const char *file, const char *ext)
{
	char cleaned[64], out[64];
	struct stat st;
	int rc;

	printf("\nCleaned copy:\n");
	if (!*ext) {
		printf("  NOT CLEANED: mat2 cannot clean a file of a type it "
		       "cannot name.\n");
		return;
	}
	snprintf(cleaned, sizeof(cleaned), "file.cleaned.%s", ext);
	snprintf(out, sizeof(out), "%s/%s.%s", INSPECT_OUT, INSPECT_CLEANED,
		 ext);
	rc = run_mat2(NULL, file);
	if (rc != 0 || lstat(cleaned, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (rc < 0)
			printf("  NOT CLEANED: mat2 could not be run (%s).\n",
			       strerror(errno));
		else if (result.status == MAT2_UNSUPPORTED)
			printf("  NOT CLEANED: mat2 does not support this "
			       "format (%s).\n", result.detail);
		else if (result.detail[0])
			printf("  NOT CLEANED: mat2 could not clean it "
			       "(%s).\n", result.detail);
		else
			printf("  NOT CLEANED: mat2 could not clean it.\n");
		print_notes("  ", "mat2 said");
		return;
	}
	print_notes("  ", "mat2 warned");
	printf("  What mat2 still sees in the cleaned copy:\n");
	if (show(cleaned, "    ") && result.status == MAT2_FOUND &&
	    identifying() > 0)
		printf("  WARNING: mat2 could not remove those: check them by "
		       "hand before publishing.\n");
	if (copy_file(cleaned, out) != 0) {
		printf("  NOT CLEANED: the cleaned copy could not be written "
		       "(%s).\n", strerror(errno));
		return;
	}
	printf("  Cleaning removes metadata only, not what the content "
	       "itself shows: faces, places,\n  reflections, names in the "
	       "text, printer dots.\n");
}

/* The heap libmagic's buffers will take (two of 7 MiB in each call, see
 * main), grown now and marked for transparent huge pages: its first
 * touch then faults a 2 MiB page at a time, not 4 KiB. On a virtual
 * machine each fault is a trip to the hypervisor, and the 3,600 of them
 * were most of what a 256 MiB file cost the inspector beyond a small one
 * (some 55 ms; 20 with huge pages). Only a hint: where there are none,
 * nothing changes. */
#define HEAP_HUGE (2u << 20)
#define HEAP_MAGIC (16u << 20)

static void heap_prepare(void)
{
	uint8_t *p = malloc(HEAP_MAGIC + HEAP_HUGE);
	uintptr_t from, to;

	if (!p)
		return;
	from = ((uintptr_t)p + HEAP_HUGE - 1) & ~(uintptr_t)(HEAP_HUGE - 1);
	to = ((uintptr_t)p + HEAP_MAGIC + HEAP_HUGE) &
	     ~(uintptr_t)(HEAP_HUGE - 1);
	(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
	/* Back into the heap's top, kept there by M_TRIM_THRESHOLD. */
	free(p);
}

int main(int argc, char **argv)
{
	char name[256], mime[128], desc[512], ext[INSPECT_EXT_MAX + 1];
	char mext[INSPECT_EXT_MAX + 1], file[64];
	const struct ftype_row *row;
	const char *arg;
	int doclean = 0;

	/* libmagic reads up to 7 MiB of the file into a buffer it
	 * allocates and frees in each of ftype_detect's two calls. glibc
	 * maps a buffer that large afresh each time, and the first write to
	 * each of its pages is paid again: some 50 ms a call for a large
	 * file on a virtual machine, where faults are dear. Kept on the
	 * heap, the second call reuses the first's pages. Process-wide, and
	 * this process is the inspector alone. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	heap_prepare();
	if (argc == 3 && strcmp(argv[1], "--clean") == 0)
		doclean = 1;
	else if (argc != 2)
		goto usage;
	arg = argv[argc - 1];
	if (access(INSPECT_IN, R_OK) != 0) {
		fprintf(stderr, "sealdrop-inspect: %s: %s (run only by "
			"sealdrop-admin, in its sandbox)\n", INSPECT_IN,
			strerror(errno));
		return 2;
	}
	if (mkdir(WORKDIR, 0700) != 0 || chdir(WORKDIR) != 0) {
		fprintf(stderr, "sealdrop-inspect: %s: %s\n", WORKDIR,
			strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 0);
	text_copy(name, sizeof(name), arg, strlen(arg));
	printf("File: %s\n", name);

	ftype_ext(arg, ext);
	if (ftype_detect(INSPECT_IN, mime, sizeof(mime), desc,
			 sizeof(desc)) != 0) {
		printf("Type: could not be told from the content (%s).\n",
		       desc);
		mime[0] = '\0';
	} else {
		printf("Type: %s (%s)\n", mime, desc);
	}
	row = mime[0] ? ftype_lookup(mime) : NULL;
	switch (ftype_check(mime, ext)) {
	case FTYPE_MATCH:
		break;
	case FTYPE_MISMATCH:
		ftype_main_ext(row, mext);
		printf("WARNING: the name ends in \".%s\", but the content "
		       "is %s (usually \".%s\"). Treat it as what it is, not "
		       "as what it is called.\n", ext, mime, mext);
		break;
	case FTYPE_NOEXT:
		ftype_main_ext(row, mext);
		printf("Note: the name has no extension; the content is %s "
		       "(usually \".%s\").\n", mime, mext);
		break;
	case FTYPE_UNKNOWN:
		printf("Note: a type this inspector has no list of names "
		       "for: the name is not checked against it.\n");
		break;
	}
	if (row && row->caution)
		printf("Caution: %s\n", row->caution);

	/* The name mat2 sees: the content's extension where it is known. */
	if (row)
		ftype_main_ext(row, mext);
	else
		memcpy(mext, ext, sizeof(mext));
	snprintf(file, sizeof(file), mext[0] ? "file.%s" : "file", mext);
	if (symlink(INSPECT_IN, file) != 0) {
		fprintf(stderr, "sealdrop-inspect: %s: %s\n", file,
			strerror(errno));
		return 2;
	}
	if (mext[0])
		printf("\nIdentifying metadata, as mat2 sees it (read as "
		       ".%s):\n", mext);
	else
		printf("\nIdentifying metadata, as mat2 sees it:\n");
	if (show(file, "  ") && doclean)
		clean(file, mext);
	else if (doclean)
		printf("\nCleaned copy:\n  NOT CLEANED: mat2 could not read "
		       "the file.\n");
	if (fflush(stdout) != 0)
		return 2;
	return 0;
usage:
	fprintf(stderr, "usage: sealdrop-inspect [--clean] NAME\n");
	return 2;
}
