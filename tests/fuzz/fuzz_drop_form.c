/* Fuzzes the small parsers the drop runs on request bytes before anyone
 * has logged in: url-encoded form bodies, the session cookie, CSRF
 * tokens and the language choice (?l= and Accept-Language).
 *
 * Input: one byte picks the parser, one sets the output size for forms,
 * the rest is the request's bytes; where a parser takes several strings
 * they are separated by NUL bytes. Buffers are allocated to their exact
 * size, so the sanitizers see any overrun. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "crypt.h"
#include "form.h"
#include "page.h"
#include "sess.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The n-th NUL-separated string of s (a copy the caller frees). */
static char *field(const char *s, size_t len, int n)
{
	const char *end = s + len;
	while (n-- > 0) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		s = z ? z + 1 : end;
	}
	const char *z = memchr(s, '\0', (size_t)(end - s));
	return strndup(s, z ? (size_t)(z - s) : (size_t)(end - s));
}

static void check_form(const char *body, size_t len, size_t cap)
{
	static const char *const names[] = { "csrf", "codename", "id", "" };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *out = malloc(cap);
		assert(out);
		int r = form_get(body, len, names[i], out, cap);
		if (r >= 0) {
			/* A value has no NUL and fits with its own. */
			assert((size_t)r < cap && strlen(out) == (size_t)r);
		} else if (r == FORM_EBAD) {
			/* A broken value leaves nothing behind. */
			for (size_t j = 0; j < cap; j++)
				assert(out[j] == 0);
		} else {
			assert(r == FORM_EABSENT || r == FORM_ETOOBIG);
			assert(out[0] == '\0');
		}
		if (len > FORM_MAX)
			assert(r == FORM_ETOOBIG);
		free(out);
	}
}

static void check_cookie(const char *h)
{
	uint8_t token[SESS_TOKEN];
	char hex[SESS_HEX], want[SESS_HEX + 3];
	if (sess_cookie_parse(h, token) != 0)
		return;
	/* A token comes from an sd= pair of exactly 64 hex digits. */
	assert(strlen(h) <= SESS_COOKIE_MAX);
	sess_token_hex(token, hex);
	memcpy(want, "sd=", 3);
	memcpy(want + 3, hex, SESS_HEX);
	const char *p = h;
	int found = 0;
	for (; !found && (p = strcasestr(p, want + 3)); p++)
		found = p - h >= 3 && !memcmp(p - 3, "sd=", 3);
	assert(found);
}

static void check_lang(const char *req, const char *accept,
		       const char *configured)
{
	const char *l = page_lang_pick(*req ? req : NULL,
				       *accept ? accept : NULL, configured);
	assert(l && *l);
	/* A configured language, or the last resort. */
	assert(!strcmp(l, "en") || strstr(configured, l));
	assert(strlen(l) < SESS_LANG);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 2)
		return 0;
	int mode = data[0] % 4;
	size_t cap = (size_t)data[1] % 200 + 1;
	const char *s = (const char *)data + 2;
	size_t len = size - 2;
	char *a = field(s, len, 0), *b = field(s, len, 1), *c = field(s, len, 2);
	assert(a && b && c);

	switch (mode) {
	case 0: {
		/* The body exactly as sent: no NUL terminator to lean on. */
		char *body = malloc(len ? len : 1);
		assert(body);
		memcpy(body, s, len);
		check_form(body, len, cap);
		free(body);
		break;
	}
	case 1:
		check_cookie(a);
		break;
	case 2:
		check_lang(a, b, *c ? c : "en");
		break;
	case 3:
		assert(form_csrf_ok(a, b) == (*b && !strcmp(a, b)));
		assert(form_csrf_ok(NULL, b) == 0);
		break;
	}
	free(a);
	free(b);
	free(c);
	return 0;
}
