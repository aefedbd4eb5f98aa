/*
 * page.c - the source's pages, and the choice of their language.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypt.h"
#include "i18n.h"
#include "page.h"
#include "qr.h"

const char *page_tr(const char *lang, const char *key)
{
	return i18n_tr(lang, key);
}

/* The next item of a comma-separated list at *list: its start, with *n
 * its length; NULL at the end. */
static const char *next_item(const char **list, size_t *n)
{
	const char *s = *list + strspn(*list, " ,");
	*n = strcspn(s, " ,");
	*list = s + *n;
	return *n ? s : NULL;
}

/* code (a loaded code, or NULL) when the configured list enables it. */
static const char *enabled(const char *code, const char *configured)
{
	const char *item;
	size_t n;
	while (code && (item = next_item(&configured, &n)))
		if (n == strlen(code) && !strncasecmp(item, code, n))
			return code;
	return NULL;
}

/* 1 when a subtag after the first of tag[0..n) is sub, ignoring case. */
static int has_subtag(const char *tag, size_t n, const char *sub)
{
	size_t len = strlen(sub);
	for (size_t i = 0; i < n; i++)
		if ((tag[i] == '-' || tag[i] == '_') && i + 1 + len <= n &&
		    !strncasecmp(tag + i + 1, sub, len) &&
		    (i + 1 + len == n || tag[i + 1 + len] == '-' ||
		     tag[i + 1 + len] == '_'))
			return 1;
	return 0;
}

/* The enabled code that tag[0..n) (a BCP 47 tag, from ?l= or
 * Accept-Language) asks for: itself, ignoring case; else by language:
 * every Chinese tag reads the one Chinese catalog, Simplified; Kazakh is
 * the Cyrillic catalog unless the tag asks for the Arabic script or
 * China, where Kazakh is written in it; else the first catalog of the
 * same language. NULL when none fits. */
const char *page_lang_match(const char *tag, size_t n, const char *configured)
{
	const char *l, *pref = NULL;
	if ((l = enabled(i18n_find(tag, n), configured)))
		return l;
	size_t p = strcspn(tag, "-_");
	p = p < n ? p : n;
	if (p == 2 && !strncasecmp(tag, "zh", 2))
		pref = "zh-Hans";
	else if (p == 2 && !strncasecmp(tag, "kk", 2))
		pref = has_subtag(tag, n, "arab") || has_subtag(tag, n, "cn") ?
		       "kk-Arab" : "kk";
	if (pref && (l = enabled(i18n_find(pref, strlen(pref)), configured)))
		return l;
	for (size_t i = 0; (l = i18n_code(i)); i++)
		if (strcspn(l, "-") == p && !strncasecmp(l, tag, p) &&
		    enabled(l, configured))
			return l;
	return NULL;
}

/* A qvalue at *s ("0", "0.5", "1.000") in thousandths, moving *s past
 * it; -1 when there is none. */
static int qvalue(const char **s)
{
	const char *p = *s;
	if (*p != '0' && *p != '1')
		return -1;
	int q = (*p++ - '0') * 1000;
	if (*p == '.') {
		p++;
		for (int scale = 100; scale && *p >= '0' && *p <= '9';
		     scale /= 10)
			q += (*p++ - '0') * scale;
	}
	*s = p;
	return q > 1000 ? -1 : q;
}

#define ACCEPT_MAX 1024   /* bytes of Accept-Language read */
#define ACCEPT_ITEMS 32   /* language ranges weighed */

/* The enabled language the Accept-Language header h likes best: the
 * highest weight, the first of equals; q=0 means "not this one". A
 * malformed item is skipped, not the header. */
static const char *from_accept(const char *h, const char *configured)
{
	const char *best = NULL, *l;
	int bestq = 0;
	if (!h || strnlen(h, ACCEPT_MAX + 1) > ACCEPT_MAX)
		return NULL;
	for (int items = 0; *h && items < ACCEPT_ITEMS; items++) {
		h += strspn(h, " \t,");
		const char *tag = h;
		size_t n = strcspn(h, " \t,;");
		int q = 1000;
		h += n;
		for (;;) {
			h += strspn(h, " \t");
			if (*h != ';')
				break;
			h += 1 + strspn(h + 1, " \t");
			if ((h[0] == 'q' || h[0] == 'Q') && h[1] == '=') {
				h += 2;
				q = qvalue(&h);
			} else {
				h += strcspn(h, ",;");
			}
		}
		if (*h && *h != ',') {
			q = -1;
			h += strcspn(h, ",");
		}
		if (q > bestq && n && (l = page_lang_match(tag, n, configured))) {
			best = l;
			bestq = q;
		}
	}
	return best;
}

const char *page_lang_unknown(const char *configured)
{
	const char *item;
	size_t n;
	while ((item = next_item(&configured, &n)))
		if (!i18n_find(item, n))
			return item;
	return NULL;
}

const char *page_lang_pick(const char *requested, const char *accept,
			   const char *configured)
{
	const char *l, *item;
	size_t n;
	if (requested && strlen(requested) < 2 * I18N_CODE_MAX &&
	    (l = page_lang_match(requested, strlen(requested), configured)))
		return l;
	if ((l = from_accept(accept, configured)))
		return l;
	while ((item = next_item(&configured, &n)))
		if ((l = i18n_find(item, n)))
			return l;
	return "en";
}

static const char *dir_of(const char *lang)
{
	return i18n_rtl(lang) ? "rtl" : "ltr";
}

#define T(k) page_tr(p->lang, k)

/* Plain text: for attributes and the title, which hold no markup. */
static void text(buf *b, const char *s)
{
	buf_html(b, s, strlen(s));
}

static int latin(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

/* s[0..n), escaped. On a right-to-left page each run of Latin words or
 * digits (Tor Browser, IP, QR, MB, the English names of Tor Browser's
 * controls) is isolated in <bdi>: it keeps its own order, and the
 * punctuation and spaces beside it belong to the right-to-left sentence
 * rather than to the Latin words. */
static void body_n(buf *b, const page_ctx *p, const char *s, size_t n)
{
	size_t i = 0, start = 0;
	if (!i18n_rtl(p->lang)) {
		buf_html(b, s, n);
		return;
	}
	while (i < n) {
		if (!latin(s[i])) {
			i++;
			continue;
		}
		size_t end = i;
		/* Words joined by spaces, '-' or '.' make one run. */
		for (size_t j = i; j < n; j++) {
			if (latin(s[j]))
				end = j + 1;
			else if (s[j] != ' ' && s[j] != '-' && s[j] != '.')
				break;
		}
		buf_html(b, s + start, i - start);
		buf_puts(b, "<bdi>");
		buf_html(b, s + i, end - i);
		buf_puts(b, "</bdi>");
		start = i = end;
	}
	buf_html(b, s + start, n - start);
}

/* Text of the page's language, inside an element. */
static void body(buf *b, const page_ctx *p, const char *s)
{
	body_n(b, p, s, strlen(s));
}

static void para(buf *b, const page_ctx *p, const char *s)
{
	buf_puts(b, "<p>");
	body(b, p, s);
	buf_puts(b, "</p>\n");
}

/* The operator's text key (newsroom_name or intro) for the page's
 * language: the language's own value from sealdrop.conf, else its
 * translation of the default. Never the English value on a page in
 * another language: a Uyghur page must not open with an English
 * sentence. *any_script is set for the value without a code (English's,
 * but older configurations wrote it in the newsroom's own language). */
static const char *operator_text(const page_ctx *p, const char *key,
				 int *any_script)
{
	char k[48];
	const char *v = conf_text(p->cf, key, p->lang);
	if (any_script)
		*any_script = v && !strcmp(p->lang, "en");
	if (v)
		return v;
	snprintf(k, sizeof(k), "conf.%s.default", key);
	return page_tr(p->lang, k);
}

/* s, escaped, with each placeholder replaced by its value from vars
 * (pairs of name and value, then NULL). Values are isolated from the
 * text around them, so a newsroom's name or a number keeps its own
 * direction inside a right-to-left sentence. */
static void fill(buf *b, const page_ctx *p, const char *s,
		 const char *const *vars)
{
	const char *ph, *name;
	size_t n;
	while ((ph = i18n_placeholder(s, &name, &n))) {
		const char *const *v = vars;
		body_n(b, p, s, (size_t)(ph - s));
		while (*v && (strlen(v[0]) != n || memcmp(v[0], name, n)))
			v += 2;
		if (*v) {
			buf_puts(b, "<bdi>");
			text(b, v[1]);
			buf_puts(b, "</bdi>");
		} else {
			buf_html(b, ph, n + 2);
		}
		s = ph + n + 2;
	}
	body(b, p, s);
}

/* Links to the page at here in every enabled language, each named in its
 * own language and script. */
static void lang_menu(buf *b, const page_ctx *p, const char *here)
{
	const char *list = p->cf->languages, *item, *l;
	size_t n;
	buf_puts(b, "<nav class=\"langs\" aria-label=\"");
	text(b, page_tr(p->lang, "nav.lang"));
	buf_puts(b, "\">\n<ul>\n");
	while ((item = next_item(&list, &n))) {
		if (!(l = i18n_find(item, n)))
			continue;
		buf_printf(b, "<li><a href=\"%s?l=%s\" hreflang=\"%s\" "
			   "lang=\"%s\" dir=\"%s\"%s>", here, l, l, l,
			   dir_of(l), strcmp(l, p->lang) ? "" :
			   " aria-current=\"true\"");
		text(b, page_tr(l, "lang.name"));
		buf_puts(b, "</a></li>\n");
	}
	buf_puts(b, "</ul>\n</nav>\n");
}

static void csrf_field(buf *b, const page_ctx *p)
{
	buf_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
		   p->csrf ? p->csrf : "");
}

/* A form with only a token and one button. */
static void button_form(buf *b, const page_ctx *p, const char *action,
			const char *label, const char *cls)
{
	buf_printf(b, "<form method=\"post\" action=\"%s\" class=\"%s\">\n",
		   action, cls);
	csrf_field(b, p);
	buf_puts(b, "<button type=\"submit\">");
	body(b, p, label);
	buf_puts(b, "</button>\n</form>\n");
}

/* The document up to the page's heading. here is the page to show in
 * another language, for the language menu; NULL for none, on the page
 * that shows a codename: leaving it would lose the codename. */
static void begin(buf *b, const page_ctx *p, const char *title,
		  const char *here)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n"
		   "<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, "
		   "initial-scale=1\">\n"
		   "<meta name=\"referrer\" content=\"no-referrer\">\n"
		   "<title>", p->lang, dir_of(p->lang));
	const char *name = operator_text(p, "newsroom_name", NULL);
	text(b, title);
	buf_puts(b, " – ");
	text(b, name);
	/* The name is isolated: it may be Latin on a right-to-left page. */
	buf_puts(b, "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">"
		    "\n</head>\n<body>\n<header>\n<p class=\"site\">"
		    "<a href=\"/\"><bdi>");
	text(b, name);
	buf_puts(b, "</bdi></a> <span>");
	body(b, p, T("site.drop"));
	buf_puts(b, "</span></p>\n");
	if (here)
		lang_menu(b, p, here);
	if (p->logged_in && p->csrf)
		button_form(b, p, "/logout", T("nav.logout"), "logout");
	buf_puts(b, "</header>\n<main>\n<h1>");
	body(b, p, title);
	buf_puts(b, "</h1>\n");
}

static void end(buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

void page_landing(buf *b, const page_ctx *p)
{
	static const char *const advice[] = { "landing.safety.1",
		"landing.safety.2", "landing.safety.3", "landing.safety.4" };
	int any;
	const char *intro = operator_text(p, "intro", &any);
	const char *const vars[] = { "newsroom",
		operator_text(p, "newsroom_name", NULL), NULL };
	begin(b, p, T("landing.title"), "/");
	/* The intro is the newsroom's own words: for this language, so in
	 * its direction; the value without a code may be in any script. */
	buf_puts(b, any ? "<p class=\"intro\" dir=\"auto\">" :
		    "<p class=\"intro\">");
	if (any)
		text(b, intro);
	else
		body(b, p, intro);
	buf_puts(b, "</p>\n<p>");
	fill(b, p, T("landing.who"), vars);
	buf_puts(b, "</p>\n<h2>");
	body(b, p, T("landing.what.h"));
	buf_puts(b, "</h2>\n");
	para(b, p, T("landing.what"));
	buf_puts(b, "<h2>");
	body(b, p, T("landing.see.h"));
	buf_puts(b, "</h2>\n");
	para(b, p, T("landing.see.can"));
	para(b, p, T("landing.see.cannot"));
	buf_puts(b, "<h2>");
	body(b, p, T("landing.safety.h"));
	buf_puts(b, "</h2>\n<ol class=\"steps\">\n");
	for (size_t i = 0; i < sizeof(advice) / sizeof(*advice); i++) {
		buf_puts(b, "<li>");
		body(b, p, T(advice[i]));
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ol>\n");
	button_form(b, p, "/new", T("landing.new"), "primary");
	buf_puts(b, "<p>");
	body(b, p, T("landing.returning"));
	buf_puts(b, " <a href=\"/login\">");
	body(b, p, T("landing.login"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_codename(buf *b, const page_ctx *p, const char *words,
		   const char *digits)
{
	begin(b, p, T("codename.title"), NULL);
	para(b, p, T("codename.intro"));
	/* English words and digit groups: the stylesheet keeps both left
	 * to right on every page. */
	buf_puts(b, "<p id=\"codename\">");
	text(b, words);
	buf_puts(b, "</p>\n<figure id=\"codename-qr\">\n");
	qr_svg(b, words, T("codename.qr"));
	buf_puts(b, "\n</figure>\n");
	para(b, p, T("codename.digits"));
	buf_puts(b, "<p class=\"digits\">");
	text(b, digits);
	buf_puts(b, "</p>\n<p class=\"warn\">");
	body(b, p, T("codename.warn"));
	buf_puts(b, "</p>\n<p class=\"next\"><a class=\"button\" "
		    "href=\"/submit\">");
	body(b, p, T("codename.next"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_submit(buf *b, const page_ctx *p)
{
	char mb[24];
	const char *const vars[] = { "mb", mb, NULL };
	/* The limit is max_upload_mb MiB; readers know MB (10^6 bytes).
	 * Rounded down, so the page never promises more than is taken. */
	snprintf(mb, sizeof(mb), "%llu",
		 (unsigned long long)p->cf->max_upload_mb * 1048576u / 1000000u);
	begin(b, p, T("submit.title"), "/submit");
	buf_puts(b, "<form method=\"post\" action=\"/submit\" "
		    "enctype=\"multipart/form-data\">\n");
	csrf_field(b, p);
	/* The honeypot: hidden by the stylesheet, so only a robot fills
	 * it in. */
	buf_puts(b, "<div class=\"hp\"><label for=\"website\">");
	body(b, p, T("submit.hp"));
	buf_puts(b, "</label><input type=\"text\" id=\"website\" "
		    "name=\"website\" autocomplete=\"off\" tabindex=\"-1\">"
		    "</div>\n<label for=\"message\">");
	body(b, p, T("submit.message"));
	buf_puts(b, "</label>\n<textarea id=\"message\" name=\"message\" "
		    "rows=\"12\" dir=\"auto\"></textarea>\n<label for=\"file\">");
	body(b, p, T("submit.files"));
	buf_puts(b, "</label>\n<input type=\"file\" id=\"file\" name=\"file\" "
		    "multiple>\n<p class=\"note\">");
	body(b, p, T("submit.meta"));
	buf_puts(b, "</p>\n<p class=\"note\">");
	fill(b, p, T("submit.limit"), vars);
	buf_puts(b, "</p>\n<button type=\"submit\">");
	body(b, p, T("submit.send"));
	buf_puts(b, "</button>\n</form>\n");
	end(b);
}

void page_submitted(buf *b, const page_ctx *p)
{
	begin(b, p, T("submitted.title"), "/submit");
	para(b, p, T("submitted.body"));
	para(b, p, T("submitted.next"));
	buf_puts(b, "<p><a href=\"/submit\">");
	body(b, p, T("submitted.more"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_login(buf *b, const page_ctx *p)
{
	begin(b, p, T("login.title"), "/login");
	buf_puts(b, "<form method=\"post\" action=\"/login\">\n");
	csrf_field(b, p);
	buf_puts(b, "<label for=\"codename\">");
	body(b, p, T("login.field"));
	buf_puts(b, "</label>\n<input type=\"password\" id=\"codename\" "
		    "name=\"codename\" dir=\"ltr\" autocomplete=\"off\" "
		    "autocapitalize=\"off\" spellcheck=\"false\" "
		    "maxlength=\"500\" required>\n<button type=\"submit\">");
	body(b, p, T("login.go"));
	buf_puts(b, "</button>\n</form>\n");
	para(b, p, T("login.lost"));
	end(b);
}

void page_logged_out(buf *b, const page_ctx *p)
{
	begin(b, p, T("logout.title"), "/");
	para(b, p, T("logout.body"));
	/* The session that held the language is gone: the link carries it. */
	buf_printf(b, "<p><a href=\"/?l=%s\">", p->lang);
	body(b, p, T("error.home"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_replies_begin(buf *b, const page_ctx *p)
{
	begin(b, p, T("replies.title"), "/replies");
	buf_puts(b, "<p><a class=\"button\" href=\"/submit\">");
	body(b, p, T("replies.send"));
	buf_puts(b, "</a></p>\n");
}

/* The form under a reply or a receipt that deletes it, and the end of
 * its element. */
static void delete_form(buf *b, const page_ctx *p, const char *id_hex,
			const char *label)
{
	buf_puts(b, "<form method=\"post\" action=\"/replies/delete\">\n");
	csrf_field(b, p);
	buf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%s\">\n"
		   "<button type=\"submit\">", id_hex);
	body(b, p, label);
	buf_puts(b, "</button>\n</form>\n</div>\n");
}

void page_receipt(buf *b, const page_ctx *p, const char *id_hex,
		  uint32_t day)
{
	char date[CRYPT_DATE_LEN];
	const char *const vars[] = { "date", crypt_date(day, date), NULL };
	buf_puts(b, "<div class=\"receipt\">\n<p>");
	fill(b, p, T("replies.receipt"), vars);
	buf_puts(b, "</p>\n");
	delete_form(b, p, id_hex, T("replies.receipt.delete"));
}

void page_reply(buf *b, const page_ctx *p, const char *id_hex,
		const char *msg, size_t len)
{
	buf_puts(b, "<div class=\"reply\">\n<p dir=\"auto\">");
	if (msg)
		buf_html(b, msg, len);
	else
		body(b, p, T("replies.unreadable"));
	buf_puts(b, "</p>\n");
	delete_form(b, p, id_hex, T("replies.delete"));
}

/* Receipts alone are no reply: the page still says none has come. The
 * delete-all button names what it deletes. */
void page_replies_end(buf *b, const page_ctx *p, int replies, int receipts)
{
	if (!replies)
		para(b, p, T("replies.none"));
	else
		para(b, p, T("replies.advice"));
	if (replies || receipts)
		button_form(b, p, "/replies/delete-all",
			    T(receipts ? "replies.delete_everything" :
				  "replies.delete_all"), "danger");
	end(b);
}

int page_http_status(int status)
{
	return status > 999 ? status - 1000 : status;
}

void page_error(buf *b, const page_ctx *p, int status)
{
	char key[24], title[32];
	switch (status) {
	case 400: case 403: case 404: case 405: case 413: case 503:
		snprintf(key, sizeof(key), "error.%d", status);
		break;
	case PAGE_EXPIRED:
		snprintf(key, sizeof(key), "error.expired");
		break;
	case PAGE_TOO_MANY_FILES:
		snprintf(key, sizeof(key), "error.files");
		break;
	default:
		snprintf(key, sizeof(key), "error.500");
	}
	snprintf(title, sizeof(title), "%s.title", key);
	begin(b, p, T(title), "/");
	para(b, p, T(key));
	buf_puts(b, "<p><a href=\"/\">");
	body(b, p, T("error.home"));
	buf_puts(b, "</a></p>\n");
	end(b);
}
