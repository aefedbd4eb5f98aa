/*
 * fuzz_drop_po.c - the PO catalog parser (drop/i18n.c) on any bytes.
 *
 * The first byte picks the mode (bit 0: a template), the rest is the
 * file. Beyond memory safety: a refusal is one line naming the file, a
 * catalog is consistent with itself, and every text found is valid,
 * NUL-terminated and within the string cap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (!size)
		return 0;
	int template = data[0] & 1;
	const char *text = (const char *)data + 1;
	i18n_cat *c = i18n_parse("f.po", text, size - 1, template, err,
				 sizeof(err));
	if (!c) {
		if (strncmp(err, "f.po:", 5) || strchr(err, '\n'))
			abort();
		return 0;
	}
	/* A template agrees with itself, but for a bad lang.dir. */
	const char *dir = i18n_get(c, "lang.dir");
	int dir_ok = !dir || !strcmp(dir, "ltr") || !strcmp(dir, "rtl");
	if (template && (i18n_check(c, c, "f.po", err, sizeof(err)) == 0) !=
			dir_ok)
		abort();
	/* Lookups of keys the input may hold. */
	static const char *const keys[] = { "a", "k", "lang.name", "lang.dir",
					    "login.go" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const char *s = i18n_get(c, keys[i]);
		if (s && strlen(s) > I18N_STR_MAX)
			abort();
	}
	i18n_free(c);
	return 0;
}
