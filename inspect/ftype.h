/*
 * ftype.h - a file's type by its content (libmagic), and whether its
 * name's extension says the same.
 *
 * A hostile source may name a PDF "invoice.exe" or a photo "notes.txt":
 * the first misleads the journalist, the second misleads mat2, which picks
 * its parser by the name. So the type comes from the bytes, and the
 * extension is checked against a table of common formats. A type the
 * table does not know is reported as it is, with no claim either way.
 */
#ifndef SEALDROP_INSPECT_FTYPE_H
#define SEALDROP_INSPECT_FTYPE_H

#include <stddef.h>

#include "layout.h"

/* One format: its MIME type as libmagic names it, the extensions it goes
 * by (space-separated, the usual one first), whether it is a generic
 * container (plain text, zip, XML: many formats are one, so only an
 * extension another row claims is a mismatch), and a caution about
 * opening it, or NULL. */
struct ftype_row {
	const char *mime;
	const char *exts;
	int generic;
	const char *caution;
};

enum ftype_verdict {
	FTYPE_MATCH,     /* the extension is one of the type's */
	FTYPE_MISMATCH,  /* it is another type's, or not this type's */
	FTYPE_NOEXT,     /* the name has no plain extension */
	FTYPE_UNKNOWN,   /* the table does not know the type */
};

/* The table's row for mime, or NULL. */
const struct ftype_row *ftype_lookup(const char *mime);

/* Whether ext (lowercase, no dot) is one of row's extensions. */
int ftype_has_ext(const struct ftype_row *row, const char *ext);

/* The usual extension of row (its first) into out. */
void ftype_main_ext(const struct ftype_row *row, char out[INSPECT_EXT_MAX + 1]);

/* The extension of name: after its last dot (not a leading one),
 * lowercased, when it is 1..INSPECT_EXT_MAX ASCII letters and digits;
 * otherwise "". */
void ftype_ext(const char *name, char out[INSPECT_EXT_MAX + 1]);

/* Whether a file of type mime may carry the extension ext ("" for none). */
enum ftype_verdict ftype_check(const char *mime, const char *ext);

/* Detects path's type with libmagic: its MIME type into mime and its
 * description into desc (both NUL-terminated, cut to fit). 0, or -1 with
 * libmagic's reason in desc. */
int ftype_detect(const char *path, char *mime, size_t mimelen, char *desc,
		 size_t desclen);

#endif
