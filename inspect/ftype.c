/*
 * ftype.c - type by content, and the table of what each type is called.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <magic.h>

#include "ftype.h"
#include "text.h"

#define PDF_CAUTION "PDF files can run scripts, send forms and fetch from " \
	"the network when opened: open it only on this machine, in a " \
	"viewer that runs no scripts."
#define OFFICE_CAUTION "Office documents can hold macros, and links to " \
	"templates or images that are fetched when the document opens: " \
	"open it only on this machine, with macros off."
#define WEB_CAUTION "Web pages and SVG images can run scripts and load " \
	"from the network: never open it in a browser on a networked machine."
#define PROGRAM_CAUTION "This is a program or a script: never run it."
#define ARCHIVE_CAUTION "An archive holds other files, each as hostile " \
	"as this one."

static const struct ftype_row rows[] = {
	{ "image/jpeg", "jpg jpeg jpe jfif", 0, NULL },
	{ "image/png", "png", 0, NULL },
	{ "image/gif", "gif", 0, NULL },
	{ "image/webp", "webp", 0, NULL },
	{ "image/heic", "heic heif", 0, NULL },
	{ "image/heif", "heif heic", 0, NULL },
	{ "image/avif", "avif", 0, NULL },
	{ "image/tiff", "tif tiff dng nef", 0, NULL },
	{ "image/bmp", "bmp", 0, NULL },
	{ "image/x-ms-bmp", "bmp", 0, NULL },
	{ "image/x-portable-pixmap", "ppm", 0, NULL },
	{ "image/svg+xml", "svg", 0, WEB_CAUTION },
	{ "application/pdf", "pdf", 0, PDF_CAUTION },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	  "document", "docx docm", 0, OFFICE_CAUTION },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	  "xlsx xlsm", 0, OFFICE_CAUTION },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	  "presentation", "pptx pptm", 0, OFFICE_CAUTION },
	{ "application/vnd.oasis.opendocument.text", "odt", 0,
	  OFFICE_CAUTION },
	{ "application/vnd.oasis.opendocument.spreadsheet", "ods", 0,
	  OFFICE_CAUTION },
	{ "application/vnd.oasis.opendocument.presentation", "odp", 0,
	  OFFICE_CAUTION },
	{ "application/vnd.oasis.opendocument.graphics", "odg", 0,
	  OFFICE_CAUTION },
	{ "application/msword", "doc dot", 0, OFFICE_CAUTION },
	{ "application/vnd.ms-excel", "xls xlt", 0, OFFICE_CAUTION },
	{ "application/vnd.ms-powerpoint", "ppt pps pot", 0, OFFICE_CAUTION },
	{ "text/rtf", "rtf", 0, OFFICE_CAUTION },
	{ "application/epub+zip", "epub", 0, NULL },
	{ "audio/mpeg", "mp3", 0, NULL },
	{ "audio/ogg", "ogg oga opus", 0, NULL },
	{ "video/ogg", "ogv ogg", 0, NULL },
	{ "application/ogg", "ogg oga ogv opus", 0, NULL },
	{ "audio/x-wav", "wav", 0, NULL },
	{ "audio/wav", "wav", 0, NULL },
	{ "audio/flac", "flac", 0, NULL },
	{ "audio/x-flac", "flac", 0, NULL },
	{ "audio/x-m4a", "m4a", 0, NULL },
	{ "audio/aac", "aac", 0, NULL },
	{ "video/mp4", "mp4 m4v m4a", 0, NULL },
	{ "video/quicktime", "mov qt", 0, NULL },
	{ "video/3gpp", "3gp", 0, NULL },
	{ "video/webm", "webm", 0, NULL },
	{ "video/x-matroska", "mkv", 0, NULL },
	{ "video/x-msvideo", "avi", 0, NULL },
	{ "text/html", "html htm", 0, WEB_CAUTION },
	{ "text/csv", "csv", 0, NULL },
	{ "application/json", "json", 0, NULL },
	{ "message/rfc822", "eml", 0, NULL },
	{ "application/x-tar", "tar", 0, ARCHIVE_CAUTION },
	{ "application/gzip", "gz tgz", 0, ARCHIVE_CAUTION },
	{ "application/x-bzip2", "bz2 tbz2", 0, ARCHIVE_CAUTION },
	{ "application/x-xz", "xz txz", 0, ARCHIVE_CAUTION },
	{ "application/x-7z-compressed", "7z", 0, ARCHIVE_CAUTION },
	{ "application/vnd.rar", "rar", 0, ARCHIVE_CAUTION },
	{ "application/x-rar", "rar", 0, ARCHIVE_CAUTION },
	{ "application/x-dosexec", "exe dll com scr", 0, PROGRAM_CAUTION },
	{ "application/x-executable", "elf", 0, PROGRAM_CAUTION },
	{ "application/x-pie-executable", "elf", 0, PROGRAM_CAUTION },
	{ "application/x-sharedlib", "so", 0, PROGRAM_CAUTION },
	{ "text/x-shellscript", "sh", 0, PROGRAM_CAUTION },
	{ "application/java-archive", "jar", 0, PROGRAM_CAUTION },
	{ "application/x-msi", "msi", 0, PROGRAM_CAUTION },
	/* Generic: plain text, zip and XML are what many formats are. */
	{ "text/plain", "txt text md csv tsv log asc", 1, NULL },
	{ "application/zip", "zip", 1, ARCHIVE_CAUTION },
	{ "text/xml", "xml", 1, NULL },
	{ "application/xml", "xml", 1, NULL },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

const struct ftype_row *ftype_lookup(const char *mime)
{
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(rows[i].mime, mime) == 0)
			return &rows[i];
	return NULL;
}

int ftype_has_ext(const struct ftype_row *row, const char *ext)
{
	size_t n = strlen(ext);

	if (n == 0)
		return 0;
	for (const char *p = row->exts; *p;) {
		size_t w = strcspn(p, " ");

		if (w == n && memcmp(p, ext, n) == 0)
			return 1;
		p += w;
		p += strspn(p, " ");
	}
	return 0;
}

void ftype_main_ext(const struct ftype_row *row,
		    char out[INSPECT_EXT_MAX + 1])
{
	size_t w = strcspn(row->exts, " ");

	if (w > INSPECT_EXT_MAX)
		w = 0;
	memcpy(out, row->exts, w);
	out[w] = '\0';
}

void ftype_ext(const char *name, char out[INSPECT_EXT_MAX + 1])
{
	const char *dot = strrchr(name, '.');
	size_t n;

	out[0] = '\0';
	if (!dot || dot == name)
		return;
	n = strlen(dot + 1);
	if (n == 0 || n > INSPECT_EXT_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)dot[1 + i];

		if (!isascii(c) || !isalnum(c)) {
			out[0] = '\0';
			return;
		}
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
}

/* Whether some row lists ext as one of its own. */
static int claimed(const char *ext)
{
	for (size_t i = 0; i < NROWS; i++)
		if (!rows[i].generic && ftype_has_ext(&rows[i], ext))
			return 1;
	return 0;
}

enum ftype_verdict ftype_check(const char *mime, const char *ext)
{
	const struct ftype_row *row = ftype_lookup(mime);

	if (!row)
		return FTYPE_UNKNOWN;
	if (!*ext)
		return FTYPE_NOEXT;
	if (ftype_has_ext(row, ext))
		return FTYPE_MATCH;
	/* A text file named notes.md is text; one named photo.jpg is not
	 * what its name says. */
	if (row->generic && !claimed(ext))
		return FTYPE_MATCH;
	return FTYPE_MISMATCH;
}

int ftype_detect(const char *path, char *mime, size_t mimelen, char *desc,
		 size_t desclen)
{
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	const char *r;
	int rc = -1;

	mime[0] = desc[0] = '\0';
	if (!m) {
		snprintf(desc, desclen, "libmagic could not start");
		return -1;
	}
	if (magic_load(m, NULL) != 0)
		goto fail;
	r = magic_file(m, path);
	if (!r)
		goto fail;
	text_copy(mime, mimelen, r, strlen(r));
	if (magic_setflags(m, MAGIC_NONE | MAGIC_ERROR) != 0)
		goto fail;
	r = magic_file(m, path);
	if (!r)
		goto fail;
	text_copy(desc, desclen, r, strlen(r));
	rc = 0;
	goto out;
fail:
	r = magic_error(m);
	text_copy(desc, desclen, r ? r : "unknown error",
		  strlen(r ? r : "unknown error"));
out:
	magic_close(m);
	return rc;
}
