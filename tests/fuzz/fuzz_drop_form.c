/* Fuzzes the small parsers the drop runs on request bytes before anyone
 * has logged in: url-encoded form bodies, the session cookie, CSRF
 * tokens and the language choice (?l= and Accept-Language).
 *
 * Input: one byte picks the parser, one sets the output size for forms,
 * the rest is the request's bytes; where a parser takes several strings
 * they are separated by NUL bytes. Buffers are allocated to their exact
 * size, so the sanitizers see any overrun. The compiled-in catalogs are
 * loaded first, as serve loads them, so the language choice sees every
 * language the server offers. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "crypt.h"
#include "form.h"
#include "i18n.h"
#include "page.h"
#include "sess.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	(void)argc;
	(void)argv;
	if (i18n_load(NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	/* The checks below mean nothing with English alone. */
	assert(i18n_count() > 1);
	return 0;
}

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

/* 1 when the configured list (codes separated by commas and spaces)
 * holds code as a whole item, ignoring case. */
static int listed(const char *configured, const char *code)
{
	size_t n = strlen(code);
	for (const char *s = configured; *s;) {
		s += strspn(s, " ,");
		size_t len = strcspn(s, " ,");
		if (len == n && !strncasecmp(s, code, n))
			return 1;
		s += len;
	}
	return 0;
}

/* 1 when some item of the configured list has a catalog. */
static int any_loaded(const char *configured)
{
	for (size_t i = 0; i18n_code(i); i++)
		if (listed(configured, i18n_code(i)))
			return 1;
	return 0;
}

static void check_lang(const char *req, const char *accept,
		       const char *configured)
{
	const char *l = page_lang_pick(*req ? req : NULL,
				       *accept ? accept : NULL, configured);
	/* A loaded language, as the catalogs spell it. */
	const char *found = l ? i18n_find(l, strlen(l)) : NULL;
	assert(found && !strcmp(found, l));
	assert(strlen(l) < SESS_LANG);
	/* A configured one; "en" only as the last resort, when none is. */
	assert(listed(configured, l) ||
	       (!strcmp(l, "en") && !any_loaded(configured)));
	/* A request naming a configured language exactly gets it. */
	const char *want = i18n_find(req, strlen(req));
	if (want && listed(configured, want))
		assert(!strcmp(l, want));
	/* A match is a configured, loaded language, or none. */
	const char *m = page_lang_match(req, strlen(req), configured);
	found = m ? i18n_find(m, strlen(m)) : NULL;
	assert(!m || (found && !strcmp(found, m) && listed(configured, m)));
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
