/*
 * text.c - one-line, bounded copies of untrusted text.
 */
#include <string.h>

#include "text.h"

void text_copy(char *out, size_t outlen, const char *in, size_t len)
{
	size_t n = len, i;
	int cut = 0;

	if (n > outlen - 1) {
		/* Room for "..." and the NUL; no half character before it. */
		n = outlen - 4;
		while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
			n--;
		cut = 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (cut) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}
