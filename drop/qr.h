/*
 * qr.h - a codename as an inline SVG QR code.
 *
 * Drawn in memory only (libqrencode gives the modules; nothing touches
 * the disk), with presentation attributes and no style attribute, so the
 * page's strict Content-Security-Policy lets it show.
 */
#ifndef SEALDROP_QR_H
#define SEALDROP_QR_H

#include "buf.h"

#define QR_TEXT_MAX 256 /* bytes we will encode */

/* Appends an <svg> of text (error correction M, 8-bit mode, a 4-module
 * quiet zone) to out, with aria-label label (escaped). 0, or -1 when text
 * is too long or memory is short. The text is a secret: the caller's
 * buffer should be a secret one. */
int qr_svg(buf *out, const char *text, const char *label);

#endif
