/*
 * i18n.c - a small PO parser and the per-language tables.
 *
 * Our own parser rather than libintl: gettext picks the language from the
 * process locale, which is one for all threads, while every request here
 * has its own language. The subset read is what msgfmt and msgmerge
 * write: comments, msgctxt, msgid, msgstr, strings continued on following
 * lines, and the escapes \\ \" \n \t. Plural forms are refused: no string
 * needs one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypt.h"
#include "fileio.h"
#include "i18n.h"

struct entry {
	const char *key;    /* msgctxt */
	const char *msgid;
	const char *text;   /* NULL: fuzzy or untranslated */
	int line;
	char mem[];         /* key, msgid and text, each NUL-terminated */
};

struct i18n_cat {
	struct entry **e;   /* sorted by key */
	size_t n;
	size_t cap;
};

__attribute__((format(printf, 5, 6)))
static void say(char *err, size_t errlen, const char *name, int line,
		const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", name, line, msg);
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * The text goes into pages as it is. */
static int utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], cp, min;
		size_t k;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

const char *i18n_placeholder(const char *s, const char **name, size_t *n)
{
	for (; (s = strchr(s, '{')); s++) {
		size_t k = 1;
		while ((s[k] >= 'a' && s[k] <= 'z') || s[k] == '_')
			k++;
		if (k > 1 && s[k] == '}') {
			*name = s + 1;
			*n = k - 1;
			return s;
		}
	}
	return NULL;
}

#define PH_MAX 16

/* Collects s's placeholders; -1 when there are more than PH_MAX. */
static int placeholders(const char *s, const char **names, size_t *lens)
{
	int n = 0;
	while ((s = i18n_placeholder(s, &names[n], &lens[n]))) {
		s += lens[n] + 2;
		if (++n == PH_MAX)
			return i18n_placeholder(s, &names[0], &lens[0]) ? -1 : n;
	}
	return n;
}

int i18n_placeholders_match(const char *a, const char *b)
{
	const char *an[PH_MAX], *bn[PH_MAX];
	size_t al[PH_MAX], bl[PH_MAX];
	int na = placeholders(a, an, al), nb = placeholders(b, bn, bl);
	if (na < 0 || na != nb)
		return 0;
	for (int i = 0; i < na; i++) {
		int j = 0;
		while (j < nb && (!bn[j] || bl[j] != al[i] ||
				  memcmp(bn[j], an[i], al[i])))
			j++;
		if (j == nb)
			return 0;
		bn[j] = NULL; /* each may be matched once */
	}
	return 1;
}

/* --- the parser --- */

enum { F_CTXT, F_ID, F_STR, F_N, F_NONE = -1 };

struct field {
	char s[I18N_STR_MAX + 1];
	size_t len;
	int set;
};

struct po {
	const char *name;
	char *err;
	size_t errlen;
	int template;
	int line;
	int start;       /* line of the entry's first keyword */
	int cur;         /* the field a continuation line adds to */
	int fuzzy;
	i18n_cat *c;
	struct field f[F_N];
};

/* Appends the quoted string at s (n bytes, s[0] == '"') to field k. */
static int add_string(struct po *p, int k, const char *s, size_t n)
{
	struct field *f = &p->f[k];
	size_t i = 1;
	for (;; i++) {
		if (i >= n) {
			say(p->err, p->errlen, p->name, p->line,
			    "unterminated string");
			return -1;
		}
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (++i >= n) {
				say(p->err, p->errlen, p->name, p->line,
				    "unterminated string");
				return -1;
			}
			switch (s[i]) {
			case '\\': case '"': ch = (unsigned char)s[i]; break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			default:
				say(p->err, p->errlen, p->name, p->line,
				    "bad escape '\\%c'", s[i] >= 0x20 &&
				    s[i] < 0x7f ? s[i] : '?');
				return -1;
			}
		} else if (ch < 0x20 && ch != '\t') {
			say(p->err, p->errlen, p->name, p->line,
			    "control character in a string");
			return -1;
		}
		if (f->len == I18N_STR_MAX) {
			say(p->err, p->errlen, p->name, p->line,
			    "string longer than %d bytes", I18N_STR_MAX);
			return -1;
		}
		f->s[f->len++] = (char)ch;
	}
	for (i++; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
			say(p->err, p->errlen, p->name, p->line,
			    "text after the closing quote");
			return -1;
		}
	f->s[f->len] = '\0';
	f->set = 1;
	p->cur = k;
	return 0;
}

static int key_ok(const char *k, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' &&
		      k[i] <= '9') || k[i] == '.' || k[i] == '_'))
			return 0;
	return 1;
}

static int add_entry(struct po *p)
{
	struct field *ctxt = &p->f[F_CTXT], *id = &p->f[F_ID],
		     *str = &p->f[F_STR];
	int keep = !p->fuzzy && (p->template || str->len);
	const struct field *text = p->template ? id : str;
	if (!key_ok(ctxt->s, ctxt->len)) {
		say(p->err, p->errlen, p->name, p->start, "a key (msgctxt) "
		    "is letters a-z, digits, '.' and '_'");
		return -1;
	}
	for (int k = 0; k < F_N; k++) {
		const char *names[PH_MAX];
		size_t lens[PH_MAX];
		if (!utf8_ok((const unsigned char *)p->f[k].s, p->f[k].len)) {
			say(p->err, p->errlen, p->name, p->start,
			    "not valid UTF-8");
			return -1;
		}
		if (placeholders(p->f[k].s, names, lens) < 0) {
			say(p->err, p->errlen, p->name, p->start,
			    "more than %d placeholders in a string", PH_MAX);
			return -1;
		}
	}
	if (p->c->n == I18N_ENTRIES_MAX) {
		say(p->err, p->errlen, p->name, p->start,
		    "more than %d entries", I18N_ENTRIES_MAX);
		return -1;
	}
	if (p->c->n == p->c->cap) {
		size_t cap = p->c->cap ? 2 * p->c->cap : 64;
		struct entry **e = realloc(p->c->e, cap * sizeof(*e));
		if (!e)
			goto nomem;
		p->c->e = e;
		p->c->cap = cap;
	}
	size_t size = ctxt->len + id->len + (keep ? text->len : 0) + 3;
	struct entry *e = malloc(sizeof(*e) + size);
	if (!e)
		goto nomem;
	char *m = e->mem;
	e->key = memcpy(m, ctxt->s, ctxt->len + 1);
	m += ctxt->len + 1;
	e->msgid = memcpy(m, id->s, id->len + 1);
	m += id->len + 1;
	e->text = keep ? memcpy(m, text->s, text->len + 1) : NULL;
	e->line = p->start;
	p->c->e[p->c->n++] = e;
	return 0;
nomem:
	say(p->err, p->errlen, p->name, p->start, "out of memory");
	return -1;
}

/* Ends the entry being read, if any. */
static int end_entry(struct po *p)
{
	struct field *ctxt = &p->f[F_CTXT], *id = &p->f[F_ID],
		     *str = &p->f[F_STR];
	int r = 0;
	if (!ctxt->set && !id->set && !str->set)
		return 0;
	if (!id->set) {
		say(p->err, p->errlen, p->name, p->start,
		    "msgctxt without msgid");
		r = -1;
	} else if (!str->set) {
		say(p->err, p->errlen, p->name, p->start,
		    "msgid without msgstr");
		r = -1;
	} else if (!ctxt->set && id->len) {
		say(p->err, p->errlen, p->name, p->start,
		    "entry without msgctxt (the key the code uses)");
		r = -1;
	} else if (ctxt->set) {
		r = add_entry(p);
	} /* else: the header entry, msgid "" */
	for (int k = 0; k < F_N; k++)
		p->f[k].len = 0, p->f[k].set = 0, p->f[k].s[0] = '\0';
	p->cur = F_NONE;
	p->fuzzy = 0;
	return r;
}

static int keyword(struct po *p, const char *s, size_t n)
{
	static const char *const words[F_N] = { "msgctxt", "msgid",
						"msgstr" };
	size_t w = 0;
	while (w < n && s[w] != ' ' && s[w] != '\t' && s[w] != '"')
		w++;
	int k = F_N;
	while (k-- > 0)
		if (strlen(words[k]) == w && !memcmp(s, words[k], w))
			break;
	if (k < 0) {
		int plural = (w == 12 && !memcmp(s, "msgid_plural", 12)) ||
			     (w > 7 && !memcmp(s, "msgstr[", 7));
		say(p->err, p->errlen, p->name, p->line, "%s", plural ?
		    "plural forms are not supported" : "unknown keyword");
		return -1;
	}
	/* A new msgctxt or msgid after a complete entry starts the next. */
	if (k != F_STR && p->f[F_STR].set && end_entry(p))
		return -1;
	if (p->f[k].set || (k == F_CTXT && p->f[F_ID].set)) {
		say(p->err, p->errlen, p->name, p->line, "%s out of place",
		    words[k]);
		return -1;
	}
	if (k == F_STR && !p->f[F_ID].set) {
		say(p->err, p->errlen, p->name, p->line,
		    "msgstr without msgid");
		return -1;
	}
	if (!p->f[F_CTXT].set && !p->f[F_ID].set)
		p->start = p->line;
	while (w < n && (s[w] == ' ' || s[w] == '\t'))
		w++;
	if (w == n || s[w] != '"') {
		say(p->err, p->errlen, p->name, p->line,
		    "%s needs a quoted string", words[k]);
		return -1;
	}
	return add_string(p, k, s + w, n - w);
}

static int line(struct po *p, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return end_entry(p);
	if (*s == '#') {
		/* Comments belong to the entry that follows. */
		if (p->f[F_STR].set && end_entry(p))
			return -1;
		if (n > 1 && s[1] == ',' && memmem(s, n, "fuzzy", 5))
			p->fuzzy = 1;
		return 0;
	}
	if (*s == '"') {
		if (p->cur == F_NONE) {
			say(p->err, p->errlen, p->name, p->line,
			    "string outside an entry");
			return -1;
		}
		return add_string(p, p->cur, s, n);
	}
	return keyword(p, s, n);
}

static int by_key(const void *a, const void *b)
{
	const struct entry *const *x = a, *const *y = b;
	return strcmp((*x)->key, (*y)->key);
}

i18n_cat *i18n_parse(const char *name, const char *text, size_t len,
		     int template, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (len > I18N_FILE_MAX) {
		say(err, errlen, name, 0, "larger than %u bytes",
		    I18N_FILE_MAX);
		return NULL;
	}
	struct po *p = calloc(1, sizeof(*p));
	i18n_cat *c = calloc(1, sizeof(*c));
	if (!p || !c) {
		say(err, errlen, name, 0, "out of memory");
		free(p);
		free(c);
		return NULL;
	}
	*p = (struct po){ .name = name, .err = err, .errlen = errlen,
			  .template = template, .cur = F_NONE, .c = c };
	int r = 0;
	for (size_t i = 0; i < len && !r;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		p->line++;
		r = line(p, text + i, n);
		i += n + 1;
	}
	if (!r)
		r = end_entry(p);
	free(p);
	if (!r && c->n) {
		qsort(c->e, c->n, sizeof(*c->e), by_key);
		for (size_t i = 1; i < c->n && !r; i++) {
			const struct entry *a = c->e[i - 1], *b = c->e[i];
			if (strcmp(a->key, b->key))
				continue;
			const struct entry *later = a->line > b->line ? a : b;
			say(err, errlen, name, later->line,
			    "duplicate key '%.60s' (also at line %d)",
			    a->key, later == a ? b->line : a->line);
			r = -1;
		}
	}
	if (r) {
		i18n_free(c);
		return NULL;
	}
	return c;
}

void i18n_free(i18n_cat *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i]);
	free(c->e);
	free(c);
}

static const struct entry *find(const i18n_cat *c, const char *key)
{
	if (!c || !c->n)
		return NULL;
	struct entry k = { .key = key }, *kp = &k;
	struct entry **e = bsearch(&kp, c->e, c->n, sizeof(*c->e), by_key);
	return e ? *e : NULL;
}

const char *i18n_get(const i18n_cat *c, const char *key)
{
	const struct entry *e = find(c, key);
	return e ? e->text : NULL;
}

int i18n_check(const i18n_cat *tmpl, const i18n_cat *c, const char *name,
	       char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = c->e[i], *t = find(tmpl, e->key);
		if (!t) {
			say(err, errlen, name, e->line, "'%.60s' is not in "
			    "the template", e->key);
			return -1;
		}
		if (strcmp(e->msgid, t->msgid)) {
			say(err, errlen, name, e->line, "the msgid of "
			    "'%.60s' is not the template's (merge the "
			    "catalog again)", e->key);
			return -1;
		}
		if (e->text && !i18n_placeholders_match(e->text, t->msgid)) {
			say(err, errlen, name, e->line, "the placeholders "
			    "of '%.60s' are not the template's", e->key);
			return -1;
		}
	}
	const struct entry *d = find(c, "lang.dir");
	if (d && d->text && strcmp(d->text, "ltr") && strcmp(d->text, "rtl")) {
		say(err, errlen, name, d->line, "lang.dir is \"ltr\" or "
		    "\"rtl\"");
		return -1;
	}
	return 0;
}

/* --- the tables lookups use --- */

static const struct builtin {
	const char *file;
	const char *text;
} builtin[] = {
#include "catalogs.inc"
};

static struct lang {
	char code[I18N_CODE_MAX];
	i18n_cat *cat;
	int rtl;
} langs[I18N_LANGS_MAX];
static size_t nlangs;

static const char *base(const char *file)
{
	const char *b = strrchr(file, '/');
	return b ? b + 1 : file;
}

/* The code a catalog's file name gives: po/kk-Arab.po is kk-Arab; the
 * template is English. */
static int code_of(const char *file, char code[I18N_CODE_MAX])
{
	const char *b = base(file);
	size_t n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".pot")) {
		strcpy(code, "en");
		return 0;
	}
	if (n < 5 || n - 3 >= I18N_CODE_MAX || strcmp(b + n - 3, ".po"))
		return -1;
	for (size_t i = 0; i < n - 3; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' &&
		      b[i] <= 'Z') || b[i] == '-'))
			return -1;
	memcpy(code, b, n - 3);
	code[n - 3] = '\0';
	return 0;
}

void i18n_unload(void)
{
	for (size_t i = 0; i < nlangs; i++)
		i18n_free(langs[i].cat);
	memset(langs, 0, sizeof(langs));
	nlangs = 0;
}

/* One catalog's text, compiled in or read from a file. */
struct source {
	char file[300];   /* for messages */
	const char *text;
	size_t len;
	char *owned;      /* read from a file: freed after parsing */
};

static int is_catalog(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && ((n > 3 && !strcmp(d->d_name + n - 3,
						       ".po")) ||
				       !strcmp(d->d_name, "sealdrop.pot"));
}

/* Reads dir's catalogs over the compiled-in ones in src: a file replaces
 * the catalog of the same name, others are added in name order. */
static int read_dir(const char *dir, struct source *src, size_t *n,
		    char *err, size_t errlen)
{
	struct dirent **names;
	int r = 0, count = scandir(dir, &names, is_catalog, alphasort);
	if (count < 0) {
		say(err, errlen, dir, 0, "cannot read the catalog directory: "
		    "%s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < count; i++) {
		const char *name = names[i]->d_name;
		size_t k = 0;
		while (k < *n && strcmp(base(src[k].file), name))
			k++;
		if (!r && k == I18N_LANGS_MAX) {
			say(err, errlen, dir, 0, "more than %d catalogs",
			    I18N_LANGS_MAX);
			r = -1;
		}
		if (!r) {
			struct source *s = &src[k];
			free(s->owned);
			s->owned = NULL;
			snprintf(s->file, sizeof(s->file), "%.200s/%.90s", dir,
				 name);
			int fr = fileio_slurp(s->file, I18N_FILE_MAX, &s->owned,
					      &s->len);
			if (fr) {
				say(err, errlen, s->file, 0, "%s", fr ==
				    CRYPT_ETOOBIG ? "larger than 256 KiB" :
				    strerror(errno));
				s->owned = NULL;
				r = -1;
			}
			s->text = s->owned;
			*n += k == *n;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int i18n_load(const char *dir, char *err, size_t errlen)
{
	struct source src[I18N_LANGS_MAX] = { { .file = "" } };
	size_t n = sizeof(builtin) / sizeof(*builtin);
	int r = -1;
	i18n_unload();
	if (n > I18N_LANGS_MAX) {
		say(err, errlen, "po", 0, "more than %d catalogs",
		    I18N_LANGS_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(src[i].file, sizeof(src[i].file), "%s",
			 builtin[i].file);
		src[i].text = builtin[i].text;
		src[i].len = strlen(builtin[i].text);
	}
	if (dir && read_dir(dir, src, &n, err, errlen))
		goto out;
	/* The template comes first: the others are checked against it. */
	for (size_t i = 0; i < n; i++) {
		struct lang *l = &langs[nlangs];
		if (code_of(src[i].file, l->code) || (i == 0) !=
		    !strcmp(l->code, "en") || i18n_find(l->code,
							strlen(l->code))) {
			say(err, errlen, src[i].file, 0, "not a catalog name "
			    "(sealdrop.pot first, then CODE.po)");
			goto out;
		}
		l->cat = i18n_parse(src[i].file, src[i].text, src[i].len,
				    i == 0, err, errlen);
		if (!l->cat)
			goto out;
		nlangs++;
		if (i18n_check(langs[0].cat, l->cat, src[i].file, err, errlen))
			goto out;
		const char *d = i18n_get(l->cat, "lang.dir");
		l->rtl = d && !strcmp(d, "rtl");
	}
	r = 0;
out:
	for (size_t i = 0; i < I18N_LANGS_MAX; i++)
		free(src[i].owned);
	if (r)
		i18n_unload();
	return r;
}

size_t i18n_count(void)
{
	return nlangs;
}

const char *i18n_code(size_t i)
{
	return i < nlangs ? langs[i].code : NULL;
}

static const struct lang *lang_of(const char *code)
{
	for (size_t i = 0; code && i < nlangs; i++)
		if (!strcmp(langs[i].code, code))
			return &langs[i];
	return NULL;
}

const char *i18n_find(const char *tag, size_t n)
{
	for (size_t i = 0; i < nlangs; i++)
		if (strlen(langs[i].code) == n &&
		    !strncasecmp(langs[i].code, tag, n))
			return langs[i].code;
	return NULL;
}

const char *i18n_own(const char *lang, const char *key)
{
	const struct lang *l = lang_of(lang);
	return l ? i18n_get(l->cat, key) : NULL;
}

const char *i18n_tr(const char *lang, const char *key)
{
	const char *s = i18n_own(lang, key);
	if (!s && nlangs)
		s = i18n_get(langs[0].cat, key);
	return s ? s : key;
}

const char *i18n_key(size_t i)
{
	return nlangs && i < langs[0].cat->n ? langs[0].cat->e[i]->key : NULL;
}

int i18n_rtl(const char *lang)
{
	const struct lang *l = lang_of(lang);
	return l ? l->rtl : 0;
}
