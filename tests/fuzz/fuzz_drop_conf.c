/* Fuzzes the config file parser (DIR/sealdrop.conf is the operator's,
 * but a parser that crashes on a typo is still a bug). The first byte
 * picks the size of the error buffer; the rest is the file. Checks:
 *   - the error text is always NUL-terminated inside its buffer, and when
 *     the buffer is large enough it holds one line per problem counted;
 *   - the count and the settings do not depend on the buffer's size;
 *   - a file without problems leaves every text setting NUL-terminated
 *     inside its field, and a listen address that parses;
 *   - and each per-language text (KEY.CODE) under a code that is in
 *     languages, once, NUL-terminated, found by conf_text. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char big[1 << 20];
	char small[256];
	conf a, b;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (size < 1)
		return 0;
	size_t errlen = data[0] % sizeof(small);
	const char *text = (const char *)data + 1;
	size -= 1;

	conf_defaults(&a);
	int na = conf_parse(&a, "f", text, size, big, sizeof(big));
	assert(na >= 0);
	assert(memchr(big, '\0', sizeof(big)));
	/* Each problem is one line of at most ~350 bytes: 1 MiB holds all
	 * of them for a file of at most CONF_FILE_MAX bytes. */
	assert(lines(big) == (size_t)na);

	memset(small, 'x', sizeof(small));
	conf_defaults(&b);
	int nb = conf_parse(&b, "f", text, size, errlen ? small : NULL,
			    errlen);
	assert(nb == na);
	if (errlen) {
		assert(memchr(small, '\0', errlen));
		/* Truncated, never overrun. */
		for (size_t i = errlen; i < sizeof(small); i++)
			assert(small[i] == 'x');
		assert(!strncmp(small, big, strlen(small)));
	}
	assert(!memcmp(&a, &b, sizeof(a)));

	if (na == 0) {
		assert(memchr(a.listen, '\0', sizeof(a.listen)));
		assert(memchr(a.newsroom_name, '\0', sizeof(a.newsroom_name)));
		assert(memchr(a.intro, '\0', sizeof(a.intro)));
		assert(memchr(a.languages, '\0', sizeof(a.languages)));
		assert(a.languages[0]);
		assert(conf_listen_parse(a.listen, &ss, &sl) == 0);
		assert(conf_session_idle(&a) > 0);
		assert(a.max_upload_mb > 0 && a.max_connections > 0);
		for (size_t i = 0; i < CONF_TEXT_LANGS; i++) {
			const conf_lang_text *t = &a.texts[i];
			if (!t->code[0]) {
				/* Slots fill in order. */
				for (size_t j = i; j < CONF_TEXT_LANGS; j++)
					assert(!a.texts[j].code[0]);
				break;
			}
			assert(memchr(t->code, '\0', sizeof(t->code)));
			assert(memchr(t->newsroom_name, '\0',
				      sizeof(t->newsroom_name)));
			assert(memchr(t->intro, '\0', sizeof(t->intro)));
			assert(t->newsroom_name[0] || t->intro[0]);
			assert(strcmp(t->code, "en"));
			for (size_t j = 0; j < i; j++)
				assert(strcasecmp(a.texts[j].code, t->code));
			const char *v = conf_text(&a, "intro", t->code);
			assert(v ? v == t->intro : !t->intro[0]);
		}
		assert(conf_text(&a, "intro", "en") == a.intro);
	}
	return 0;
}
