/*
 * conf.c - DIR/sealdrop.conf: parsing, validation and the default file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


#include "conf.h"
#include "crypt.h"
#include "fileio.h"
#include "i18n.h"

enum conf_type { CONF_NUM, CONF_TEXT, CONF_LISTEN, CONF_LANGS, CONF_SWITCH };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;
	size_t size;          /* text: the field's size */
	unsigned min, max;    /* numbers: the accepted range */
	const char *def;
	const char *doc;
	size_t lang_off;      /* per-language text: its field in
			       * conf_lang_text; 0: none */
};

#define NUM(k, lo, hi, d, doc) \
	{ #k, CONF_NUM, offsetof(conf, k), 0, lo, hi, #d, doc, 0 }
/* on or off, kept as 1 or 0. */
#define SWITCH(k, d, doc) \
	{ #k, CONF_SWITCH, offsetof(conf, k), 0, 0, 1, #d, doc, 0 }
#define TXT(k, t, d, doc) \
	{ #k, t, offsetof(conf, k), sizeof(((conf *)0)->k), 0, 0, d, doc, 0 }
/* A text the page shows, with a value per language as `k.CODE`. */
#define LTXT(k, d, doc) \
	{ #k, CONF_TEXT, offsetof(conf, k), sizeof(((conf *)0)->k), 0, 0, d, \
	  doc, offsetof(conf_lang_text, k) }

/* The one list of settings. Ranges keep a typo from taking the server
 * down (or its limits off). */
static const struct conf_key keys[] = {
	TXT(listen, CONF_LISTEN, "127.0.0.1:8080",
	    "Address and port to serve on, A.B.C.D:PORT or [IPV6]:PORT. "
	    "Keep it on loopback: tor publishes it as an onion service."),
	LTXT(newsroom_name, "Our newsroom",
	    "Who runs this drop, shown on every page. This value is the "
	    "English pages'; newsroom_name.CODE gives language CODE its own "
	    "(see below)."),
	LTXT(intro,
	    "Send us documents and testimony. Only our journalists can read "
	    "what you send.",
	    "A few sentences on the landing page, in the newsroom's voice. "
	    "This value is the English page's; intro.CODE gives language "
	    "CODE its own (see below)."),
	TXT(languages, CONF_LANGS, "en, kk, kk-Arab, ug, ru, zh-Hans",
	    "Languages offered, in the order of the language menu, from "
	    "en, kk (Kazakh, Cyrillic), kk-Arab (Kazakh, Arabic script), ug, "
	    "ru, zh-Hans; the first is the default when the browser asks "
	    "for none of them."),
	TXT(catalog_dir, CONF_TEXT, "",
	    "A directory of PO catalogs (sealdrop.pot, CODE.po) that replace "
	    "the built-in ones of the same name or add languages, for "
	    "translators trying their work; empty: the built-in ones."),
	NUM(max_upload_mb, 1, 4096, 500,
	    "Largest submission (message and files together), MiB."),
	NUM(max_connections, 4, 65536, 2560,
	    "Connections served at once (one thread each), counted from the "
	    "moment their request head is in; before that they wait at the "
	    "door (max_waiting_connections). Leave room above "
	    "max_concurrent_uploads for pages, sign-ups and logins."),
	NUM(connection_timeout_s, 5, 3600, 120,
	    "A connection idle this long, in seconds, is closed."),
	NUM(connection_memory_kb, 16, 4096, 32,
	    "Memory for one connection's headers and buffers, KiB."),
	NUM(connection_stack_kb, 128, 8192, 512,
	    "Stack of one connection's thread, KiB: ample for what a "
	    "request runs, and small enough that the C library keeps the "
	    "stacks of ended threads for the next ones."),
	NUM(max_concurrent_uploads, 1, 65536, 2048,
	    "Submissions being received at once; more get a 503 page. A held "
	    "upload costs about a quarter of a MiB."),
	NUM(upload_buffer_mb, 1, 4096, 32,
	    "Ciphertext all uploads together hold in memory before writing "
	    "it, MiB; past it each upload writes at every sealed chunk, so "
	    "many slow uploads cost little memory each."),
	NUM(min_upload_kb_s, 0, 1024, 1,
	    "Slowest upload kept, KiB a second: one that sends less in any "
	    "min_upload_window_s after its first is cut off and rolled back, "
	    "freeing its slot; 0: no minimum. Low, because Tor circuits and "
	    "bridges can crawl for minutes and a source cut off may not try "
	    "again."),
	NUM(min_upload_window_s, 2, 3600, 120,
	    "The seconds over which an upload's rate is measured; the first "
	    "window is never measured."),
	NUM(kdf_workers, 0, 256, 0,
	    "Codename derivations (Argon2id) run at once; 0 means one per "
	    "online CPU."),
	NUM(kdf_wait_s, 1, 300, 10,
	    "Longest wait for a derivation slot, seconds; then a 503 page."),
	NUM(session_idle_min, 1, 1440, 30,
	    "A session idle this many minutes is wiped."),
	NUM(session_idle_s, 0, 86400, 0,
	    "The same in seconds, overriding session_idle_min when not 0 "
	    "(for tests)."),
	NUM(max_sessions, 10, 100000, 10000,
	    "Logged-in sessions held at once; beyond it logins and sign-ups "
	    "get a 503 page. Visitors who are not logged in take no room: "
	    "their session is a ticket they hold."),
	NUM(sessions_per_source, 1, 100, 3,
	    "Logged-in sessions of one source at once; a new login ends its "
	    "oldest."),
	NUM(max_pending_sources, 1, 1000000, 10000,
	    "Sources that have a codename and have sent nothing yet, held at "
	    "once (each is kept a day); beyond it new codenames get a 503 "
	    "page."),
	NUM(failed_logins_per_min, 1, 100000, 60,
	    "Failed logins per minute, for everyone together, refilled "
	    "evenly over the minute; a login that finds none left waits its "
	    "turn (up to kdf_wait_s), then gets a 503 page that says when to "
	    "come back. Successes spend nothing."),
	NUM(disk_floor_mb, 0, 16777216, 1024,
	    "Free disk space, MiB, below which new submissions get a 503 "
	    "page."),
	NUM(argon2_opslimit, 2, 64, 2,
	    "Argon2id passes for codenames; read by init only (the values "
	    "are stored in the database)."),
	NUM(argon2_memlimit_mb, 64, 4096, 64,
	    "Argon2id memory for codenames, MiB; read by init only."),
	NUM(head_timeout_s, 5, 600, 30,
	    "Seconds from a connection's start to the end of its request "
	    "head (and PROXY line), however it trickles; then it is closed."),
	NUM(max_waiting_connections, 16, 65536, 4096,
	    "Connections still sending their request head, held at once at "
	    "the door (a few dozen bytes each); when full, the oldest makes "
	    "way for the new one."),
	SWITCH(proxy_protocol, off,
	    "on: every connection starts with tor's PROXY v1 line "
	    "(HiddenServiceExportCircuitID haproxy), and each tor circuit is "
	    "bounded on its own by the circuit_ settings; anything else "
	    "first is closed. off: no line, no per-circuit bounds."),
	NUM(circuit_connections, 1, 1000, 16,
	    "With proxy_protocol: connections of one circuit at once."),
	NUM(circuit_uploads, 1, 1000, 4,
	    "With proxy_protocol: submissions of one circuit at once."),
	NUM(circuit_derivations, 1, 256, 1,
	    "With proxy_protocol: codename derivations (sign-ups, logins) of "
	    "one circuit running or waiting at once."),
	NUM(circuit_failed_logins_per_min, 1, 100000, 10,
	    "With proxy_protocol: failed logins of one circuit a minute; "
	    "beyond it its logins get a 503 page before any derivation."),
	NUM(circuit_signups_per_hour, 1, 100000, 10,
	    "With proxy_protocol: codenames one circuit may make an hour."),
	NUM(circuits, 64, 1000000, 8192,
	    "With proxy_protocol: circuits remembered at once (in memory "
	    "only); the one least recently seen holding nothing is forgotten "
	    "first."),
	NUM(max_files, 1, 1024, 100,
	    "Files in one submission; more get a page that suggests one "
	    "archive file."),
	NUM(max_source_mb, 1, 1048576, 2048,
	    "Stored (padded) MiB of one source not yet acknowledged; a "
	    "submission past it gets a 413 page."),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct errs {
	char *p;
	size_t cap;
	size_t len;
	int n;
};

__attribute__((format(printf, 4, 5)))
static void problem(struct errs *e, const char *name, int line,
		    const char *fmt, ...)
{
	va_list ap;
	char msg[300];
	e->n++;
	if (!e->p || e->len + 1 >= e->cap)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int w = snprintf(e->p + e->len, e->cap - e->len, "%s:%d: %s\n", name,
			 line, msg);
	if (w > 0)
		e->len += (size_t)w < e->cap - e->len ? (size_t)w :
			  e->cap - e->len - 1;
}

int conf_listen_parse(const char *s, struct sockaddr_storage *ss,
		      socklen_t *sslen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon = strrchr(s, ':');
	size_t hl;
	memset(ss, 0, sizeof(*ss));
	if (!colon || strlen(s) >= CONF_LISTEN_MAX)
		return -1;
	char *end;
	errno = 0;
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535)
		return -1;
	if (s[0] == '[') {
		hl = (size_t)(colon - s);
		if (hl < 3 || s[hl - 1] != ']' || hl - 2 >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*a);
		return 0;
	}
	hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*sslen = sizeof(*a);
	return 0;
}

/* A language code, v[0..len): two or three lowercase letters, then
 * letters, digits and '-', at most 12 bytes ("en", "zh-Hans"). */
static int code_ok(const char *v, size_t len)
{
	size_t letters = 0;
	while (letters < len && v[letters] >= 'a' && v[letters] <= 'z')
		letters++;
	if (letters < 2 || letters > 3 || len >= CONF_CODE_MAX)
		return 0;
	for (size_t i = letters; i < len; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= 'A' && v[i] <= 'Z') || v[i] == '-' ||
		      (v[i] >= '0' && v[i] <= '9')))
			return 0;
	return 1;
}

/* A language list: up to 16 codes like "en" or "zh-Hans", separated by
 * commas and optional spaces. */
static int langs_ok(const char *v)
{
	int n = 0;
	while (*v) {
		while (*v == ' ' || *v == ',')
			v++;
		if (!*v)
			break;
		size_t len = 0;
		while (v[len] && v[len] != ',' && v[len] != ' ')
			len++;
		if (!code_ok(v, len) || ++n > 16)
			return 0;
		v += len;
	}
	return n > 0;
}

/* 1 when the language list holds code, ignoring case (as pages match). */
static int langs_have(const char *list, const char *code)
{
	size_t n = strlen(code);
	while (*list) {
		list += strspn(list, " ,");
		size_t len = strcspn(list, " ,");
		if (len == n && !strncasecmp(list, code, n))
			return 1;
		list += len;
	}
	return 0;
}

static void set_value(conf *c, const struct conf_key *k, const char *v,
		      struct errs *e, const char *name, int line)
{
	char *field = (char *)c + k->off;
	if (k->type == CONF_SWITCH) {
		if (strcmp(v, "on") && strcmp(v, "off")) {
			problem(e, name, line, "%s must be on or off",
				k->name);
			return;
		}
		*(unsigned *)(void *)field = !strcmp(v, "on");
		return;
	}
	if (k->type == CONF_NUM) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno || n < k->min ||
		    n > k->max) {
			problem(e, name, line, "%s must be a whole number "
				"from %u to %u", k->name, k->min, k->max);
			return;
		}
		*(unsigned *)(void *)field = (unsigned)n;
		return;
	}
	if (strlen(v) >= k->size) {
		problem(e, name, line, "%s is longer than %zu bytes", k->name,
			k->size - 1);
		return;
	}
	if (k->type == CONF_LISTEN) {
		struct sockaddr_storage ss;
		socklen_t sl;
		if (conf_listen_parse(v, &ss, &sl)) {
			problem(e, name, line, "listen must be A.B.C.D:PORT or "
				"[IPV6]:PORT");
			return;
		}
	}
	if (k->type == CONF_LANGS && !langs_ok(v)) {
		problem(e, name, line, "languages must be a comma-separated "
			"list of language codes");
		return;
	}
	strcpy(field, v);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A `key.CODE = value` line: key's text for language CODE. The value
 * without a code is English's, so `key.en` is the same key. Whether CODE
 * is one of `languages` is checked at the end of the file, which may set
 * languages after this line. */
static void lang_line(conf *c, const char *key, const char *code,
		      const char *val, const char *name, int line,
		      unsigned char *seen, struct errs *e)
{
	size_t i = 0, n = strlen(code);
	while (i < NKEYS && strcmp(keys[i].name, key))
		i++;
	if (i == NKEYS) {
		problem(e, name, line, "unknown key '%.40s.%.20s'", key, code);
		return;
	}
	if (!keys[i].lang_off) {
		problem(e, name, line, "%s has no value per language (only "
			"newsroom_name and intro have)", key);
		return;
	}
	if (!code_ok(code, n)) {
		problem(e, name, line, "'%.20s' in %s.CODE is not a language "
			"code", code, key);
		return;
	}
	if (!strcasecmp(code, "en")) {
		if (seen[i]++) {
			problem(e, name, line, "%s is set twice (%s.en is "
				"%s)", key, key, key);
			return;
		}
		set_value(c, &keys[i], val, e, name, line);
		return;
	}
	if (!*val) {
		problem(e, name, line, "%s.%s is empty (leave the line out "
			"for the language's own default)", key, code);
		return;
	}
	if (strlen(val) >= keys[i].size) {
		problem(e, name, line, "%s.%s is longer than %zu bytes", key,
			code, keys[i].size - 1);
		return;
	}
	conf_lang_text *t = NULL;
	for (size_t j = 0; j < CONF_TEXT_LANGS && !t; j++)
		if (!c->texts[j].code[0] || !strcasecmp(c->texts[j].code, code))
			t = &c->texts[j];
	if (!t) {
		problem(e, name, line, "more than %d languages with texts of "
			"their own", CONF_TEXT_LANGS);
		return;
	}
	char *field = (char *)t + keys[i].lang_off;
	if (*field) {
		problem(e, name, line, "%s.%s is set twice", key, code);
		return;
	}
	if (!t->code[0]) {
		memcpy(t->code, code, n + 1);
		t->line = line;
	}
	memcpy(field, val, strlen(val) + 1);
}

static void parse_line(conf *c, char *s, const char *name, int line,
		       unsigned char *seen, struct errs *e)
{
	s = trim(s);
	if (!*s || *s == '#')
		return;
	char *eq = strchr(s, '=');
	if (!eq) {
		problem(e, name, line, "expected key = value");
		return;
	}
	*eq = '\0';
	char *key = trim(s), *val = trim(eq + 1);
	char *dot = strchr(key, '.');
	if (dot) {
		*dot = '\0';
		lang_line(c, key, dot + 1, val, name, line, seen, e);
		return;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].name, key))
			continue;
		if (seen[i]++) {
			problem(e, name, line, "%s is set twice", key);
			return;
		}
		set_value(c, &keys[i], val, e, name, line);
		return;
	}
	problem(e, name, line, "unknown key '%.40s'", key);
}

int conf_parse(conf *c, const char *name, const char *text, size_t len,
	       char *err, size_t errlen)
{
	struct errs e = { err, errlen, 0, 0 };
	unsigned char seen[NKEYS] = { 0 };
	char line[CONF_LINE_MAX + 1];
	int lineno = 0;
	size_t i = 0;

	if (err && errlen)
		err[0] = '\0';
	if (len > CONF_FILE_MAX) {
		problem(&e, name, 0, "file larger than %d bytes",
			CONF_FILE_MAX);
		return e.n;
	}
	while (i < len) {
		size_t start = i, n;
		while (i < len && text[i] != '\n')
			i++;
		n = i - start;
		i++;
		lineno++;
		if (n > CONF_LINE_MAX) {
			problem(&e, name, lineno, "line longer than %d bytes",
				CONF_LINE_MAX);
			continue;
		}
		memcpy(line, text + start, n);
		line[n] = '\0';
		int bad = 0;
		for (size_t j = 0; j < n; j++) {
			unsigned char ch = (unsigned char)line[j];
			if ((ch < 0x20 && ch != '\t' && ch != '\r') ||
			    ch == 0x7f)
				bad = 1;
		}
		if (bad) {
			problem(&e, name, lineno, "control character");
			continue;
		}
		parse_line(c, line, name, lineno, seen, &e);
	}
	/* A text for a language the drop does not offer is a typo, or
	 * a language taken out of the menu: say so rather than keep it. */
	for (size_t j = 0; j < CONF_TEXT_LANGS && c->texts[j].code[0]; j++)
		if (!langs_have(c->languages, c->texts[j].code))
			problem(&e, name, c->texts[j].line, "texts for '%s', "
				"which is not in languages", c->texts[j].code);
	return e.n;
}

void conf_defaults(conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++) {
		char *field = (char *)c + keys[i].off;
		if (keys[i].type == CONF_SWITCH)
			*(unsigned *)(void *)field = !strcmp(keys[i].def, "on");
		else if (keys[i].type == CONF_NUM)
			*(unsigned *)(void *)field =
				(unsigned)strtoul(keys[i].def, NULL, 10);
		else
			snprintf(field, keys[i].size, "%s", keys[i].def);
	}
}

int conf_load(conf *c, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	conf_defaults(c);
	int r = fileio_slurp(path, CONF_FILE_MAX, &text, &len);
	if (r) {
		snprintf(err, errlen, "%s: %s\n", path,
			 r == CRYPT_ETOOBIG ? "larger than 64 KiB" :
			 strerror(errno));
		return -1;
	}
	r = conf_parse(c, path, text, len, err, errlen);
	free(text);
	return r;
}

/* Wraps doc into "# " comment lines of at most ~76 columns. */
static void comment(FILE *f, const char *doc)
{
	while (*doc) {
		size_t n = strlen(doc), cut = n;
		if (n > 74) {
			cut = 74;
			while (cut && doc[cut] != ' ')
				cut--;
			if (!cut)
				cut = 74;
		}
		fprintf(f, "# %.*s\n", (int)cut, doc);
		doc += cut;
		while (*doc == ' ')
			doc++;
	}
}

/* The per-language texts, each commented out at its default: the
 * translation of the English default in the compiled-in catalogs, so the
 * operator sees what each language's page says until they give their
 * own. */
static void lang_examples(FILE *f)
{
	char err[256];
	int loaded = i18n_count() == 0 && i18n_load(NULL, err, sizeof(err)) == 0;
	const char *list = NULL;
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == CONF_LANGS)
			list = keys[i].def;
	fprintf(f, "\n");
	comment(f, "newsroom_name and intro in each other language, as "
		"KEY.CODE with CODE one of languages. A page in a language "
		"without its own line shows that language's default, as "
		"below, never the English values above: write the "
		"newsroom's name and introduction in each language offered "
		"(a Latin name is fine; pages keep it apart from the text "
		"around it).");
	while (list && *list) {
		list += strspn(list, " ,");
		size_t n = strcspn(list, " ,");
		if (n && !(n == 2 && !strncmp(list, "en", 2))) {
			for (size_t i = 0; i < NKEYS; i++) {
				char key[64];
				if (!keys[i].lang_off)
					continue;
				snprintf(key, sizeof(key), "conf.%s.default",
					 keys[i].name);
				const char *code = i18n_find(list, n);
				const char *v = code ? i18n_own(code, key) :
					       NULL;
				fprintf(f, "#%s.%.*s = %s\n", keys[i].name,
					(int)n, list, v ? v : "");
			}
		}
		list += n;
	}
	if (loaded)
		i18n_unload();
}

int conf_write_default(const char *path)
{
	int fd = fileio_create_private(path, 0);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	fprintf(f, "# sealdrop server settings. Each key is shown commented "
		   "out with its\n# default; remove the '#' to change it. "
		   "`sealdrop serve` checks\n# this file at start and refuses "
		   "unknown keys and out-of-range values.\n");
	for (size_t i = 0; i < NKEYS; i++) {
		fprintf(f, "\n");
		comment(f, keys[i].doc);
		if (keys[i].type == CONF_NUM)
			fprintf(f, "# Range: %u to %u.\n", keys[i].min,
				keys[i].max);
		fprintf(f, "#%s = %s\n", keys[i].name, keys[i].def);
		/* After the last text with values per language. */
		if (keys[i].lang_off && (i + 1 == NKEYS ||
					 !keys[i + 1].lang_off))
			lang_examples(f);
	}
	if (fflush(f) || fsync(fd)) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

const char *conf_text(const conf *c, const char *key, const char *code)
{
	size_t i = 0;
	while (i < NKEYS && strcmp(keys[i].name, key))
		i++;
	if (i == NKEYS || !keys[i].lang_off || !code)
		return NULL;
	if (!strcasecmp(code, "en"))
		return (const char *)c + keys[i].off;
	for (size_t j = 0; j < CONF_TEXT_LANGS && c->texts[j].code[0]; j++)
		if (!strcasecmp(c->texts[j].code, code)) {
			const char *v = (const char *)&c->texts[j] +
					keys[i].lang_off;
			return *v ? v : NULL;
		}
	return NULL;
}

unsigned conf_session_idle(const conf *c)
{
	return c->session_idle_s ? c->session_idle_s :
				   c->session_idle_min * 60;
}
