/*
 * qr.c - QR codes as SVG paths.
 */
#include <string.h>

#include <qrencode.h>
#include <sodium.h>

#include "qr.h"

int qr_svg(buf *out, const char *text, const char *label)
{
	if (strlen(text) > QR_TEXT_MAX)
		return -1;
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return -1;
	int w = q->width, size = w + 8;
	buf_printf(out, "<svg "
		   "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		   "role=\"img\" shape-rendering=\"crispEdges\" "
		   "aria-label=\"", size, size, size * 6, size * 6);
	buf_html(out, label, strlen(label));
	buf_printf(out, "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
		   "<path fill=\"#000\" d=\"", size, size);
	/* One horizontal run of dark modules per path segment. */
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(q->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 0;
			while (x + run < w && (q->data[y * w + x + run] & 1))
				run++;
			buf_printf(out, "M%d %dh%dv1h-%dz", x + 4, y + 4, run,
				   run);
			x += run;
		}
	}
	buf_puts(out, "\"/></svg>");
	/* The modules spell the codename. */
	sodium_memzero(q->data, (size_t)w * (size_t)w);
	QRcode_free(q);
	return buf_failed(out) ? -1 : 0;
}
