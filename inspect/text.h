/*
 * text.h - copying untrusted text into the inspector's report.
 *
 * What libmagic and mat2 say about a file quotes the file's own bytes
 * (comments, titles, names). The report is sanitised again, fully, by
 * sealdrop-admin before it is shown (admin/term.h); this first pass only
 * keeps each quoted piece on one line of a bounded length, so the report's
 * layout cannot be forged by a value.
 */
#ifndef SEALDROP_INSPECT_TEXT_H
#define SEALDROP_INSPECT_TEXT_H

#include <stddef.h>

/* Copies len bytes of in into out (outlen bytes, NUL-terminated): C0
 * controls and DEL become '?', and the copy is cut to fit, at a UTF-8
 * character boundary, with "..." at its end when cut. outlen >= 4. */
void text_copy(char *out, size_t outlen, const char *in, size_t len);

#endif
