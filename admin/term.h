/*
 * term.h - making untrusted bytes safe to show and to name files with.
 *
 * Everything a source wrote is hostile to the journalist's terminal until
 * proven otherwise: an escape sequence can rewrite the screen, retitle the
 * window or, on some terminals, answer back; bidi overrides can make text
 * read differently from what it is. The sanitiser lets ordinary UTF-8 text
 * (any script), newlines, tabs and CRLF line ends (browsers send them)
 * through byte for byte, and replaces the rest with visible placeholders
 * (a lone CR, which could overwrite a line, among them):
 *   C0 controls and DEL   -> "\xNN"
 *   C1 controls           -> "\u0080" .. "\u009f"
 *   bidi embeddings, overrides and isolates -> "<U+202E>" and the like
 *   invalid or overlong UTF-8, surrogates   -> U+FFFD, one per bad byte
 */
#ifndef SEALDROP_ADMIN_TERM_H
#define SEALDROP_ADMIN_TERM_H

#include <stddef.h>
#include <stdint.h>

/* Output bytes term_feed may produce for len input bytes. */
#define TERM_OUT_MAX(len) (8 * (len) + 32)

/* Streaming state: a UTF-8 sequence, or a CR waiting to see whether an LF
 * follows, may be split across two feeds. It holds up to three bytes of
 * plaintext; term_end wipes them. */
typedef struct term_state {
	uint8_t pend[4];
	size_t npend;
	int cr;
} term_state;

/* Sanitises len bytes of in, continuing st, into out (TERM_OUT_MAX(len)
 * bytes). Returns the number of bytes written to out. */
size_t term_feed(term_state *st, const uint8_t *in, size_t len, char *out);

/* Ends the stream: a cut-off sequence becomes U+FFFD. out holds 32 bytes.
 * Returns the bytes written and wipes st. */
size_t term_end(term_state *st, char *out);

/* Sanitises the NUL-terminated s into out (outlen bytes, NUL-terminated,
 * truncated at a character boundary when it does not fit). */
void term_str(const char *s, char *out, size_t outlen);

/* Longest file name term_filename makes, in bytes, before " (N)". */
#define TERM_NAME_MAX 100

/* Turns a name a source declared into a safe file name of at most
 * TERM_NAME_MAX bytes in out (which holds TERM_NAME_MAX + 1): the last
 * path component only; controls, bidi controls, invalid UTF-8 and path
 * separators become "_"; leading dots, spaces and hyphens (a name must
 * not hide, nor read as an option) and trailing spaces and dots go; too
 * long is cut at a character boundary keeping a short extension; what is
 * left empty becomes "file". */
void term_filename(const char *name, char out[TERM_NAME_MAX + 1]);

#endif
