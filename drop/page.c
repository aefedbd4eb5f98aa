/*
 * page.c - the source's pages and their strings.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "page.h"
#include "qr.h"

struct tr {
	const char *key;
	const char *en;
};

/* Every string a source reads. A catalog for another language is another
 * column; page_tr falls back to English key by key. */
static const struct tr strings[] = {
	{ "site.drop", "secure drop" },
	{ "nav.home", "Home" },
	{ "nav.logout", "Log out" },
	{ "landing.title", "Send us something, safely" },
	{ "landing.who", "This drop is run by" },
	{ "landing.what.h", "What happens to what you send" },
	{ "landing.what",
	  "Your message and files are locked with our journalists' key the "
	  "moment they arrive. This server cannot read them, and neither can "
	  "anyone who takes it. Our journalists read them on a computer that "
	  "is never connected to the internet." },
	{ "landing.safety.h", "Before you start" },
	{ "landing.safety.1",
	  "Use Tor Browser, and set its security level to Safest." },
	{ "landing.safety.2",
	  "Use a device you trust, on a network that is not your "
	  "employer's. Do not submit from work." },
	{ "landing.safety.3",
	  "You will get a codename. It is the only way back to your "
	  "conversation with us. Nobody can recover it for you." },
	{ "landing.new", "Get a codename" },
	{ "landing.returning", "Have a codename already?" },
	{ "landing.login", "Log in to read replies or send more" },
	{ "codename.title", "Your codename" },
	{ "codename.intro", "This is your codename. Write it down, or keep "
			    "the QR code somewhere safe:" },
	{ "codename.digits", "The same codename as digits, if you prefer "
			     "digits:" },
	{ "codename.qr", "QR code of your codename" },
	{ "codename.warn",
	  "You will not see it again, and nobody can recover it for you. "
	  "Without it you cannot read our replies. Keep it secret: anyone "
	  "who has it can read them too." },
	{ "codename.next", "Continue to send your message" },
	{ "submit.title", "Send a message or files" },
	{ "submit.message", "Your message" },
	{ "submit.files", "Files (you may choose several)" },
	{ "submit.limit", "Everything together may be up to this many MiB:" },
	{ "submit.hp", "Leave empty" },
	{ "submit.send", "Send securely" },
	{ "submit.meta",
	  "Files can carry hidden details about you, such as names, places "
	  "or the device that made them. Remove them first if you can." },
	{ "submitted.title", "Received" },
	{ "submitted.body",
	  "Thank you. What you sent was locked for our journalists and "
	  "stored. They read submissions on an offline computer, so it may "
	  "take a few days." },
	{ "submitted.next",
	  "Come back in a few days, log in with your codename, and read "
	  "their replies." },
	{ "submitted.more", "Send something else" },
	{ "login.title", "Log in with your codename" },
	{ "login.field", "Codename (words or digits)" },
	{ "login.go", "Log in" },
	{ "replies.title", "Replies from the newsroom" },
	{ "replies.none", "No replies yet. Check again in a few days." },
	{ "replies.unreadable", "This reply could not be read." },
	{ "replies.delete", "Delete this reply" },
	{ "replies.delete_all", "Delete all replies" },
	{ "replies.advice", "Delete replies once you have read them." },
	{ "replies.send", "Send another message or files" },
	{ "logout.title", "You are logged out" },
	{ "logout.body",
	  "Your session has been wiped from the server. To clear this "
	  "browser too, choose New Identity in Tor Browser's menu." },
	{ "error.400.title", "Something was missing" },
	{ "error.400",
	  "We could not use that form: it was empty or incomplete. Nothing "
	  "was stored. Go back and try again." },
	{ "error.403.title", "Not allowed" },
	{ "error.403",
	  "That did not work. Your session may have expired, or the "
	  "codename was not right. Nothing was stored." },
	{ "error.404.title", "Not found" },
	{ "error.404", "There is no page here." },
	{ "error.405.title", "Not allowed" },
	{ "error.405", "This page cannot be used that way." },
	{ "error.413.title", "Too large" },
	{ "error.413",
	  "That was larger than this drop accepts, so nothing was stored. "
	  "Try sending fewer or smaller files at a time." },
	{ "error.500.title", "Something went wrong" },
	{ "error.500", "The server could not finish. Nothing was stored. "
		       "Please try again later." },
	{ "error.503.title", "Busy" },
	{ "error.503", "The drop is busy right now. Nothing was stored. "
		       "Please try again in a minute." },
	{ "error.home", "Back to the start" },
};

#define NSTRINGS (sizeof(strings) / sizeof(strings[0]))

/* Languages with a catalog above. */
static const char *const translated[] = { "en" };

/* Languages written right to left. */
static const char *const rtl[] = { "ar", "fa", "he", "ug", "ur" };

const char *page_tr(const char *lang, const char *key)
{
	(void)lang; /* English is the only catalog so far. */
	for (size_t i = 0; i < NSTRINGS; i++)
		if (!strcmp(strings[i].key, key))
			return strings[i].en;
	return key;
}

/* The static translated code matching tag[0..n) when it is configured,
 * else NULL. */
static const char *usable(const char *tag, size_t n, const char *configured)
{
	for (size_t i = 0; i < sizeof(translated) / sizeof(*translated); i++) {
		const char *t = translated[i];
		if (strlen(t) != n || strncasecmp(t, tag, n))
			continue;
		const char *c = configured;
		while ((c = strstr(c, t))) {
			int start = c == configured || c[-1] == ',' ||
				    c[-1] == ' ';
			int end = !c[n] || c[n] == ',' || c[n] == ' ';
			if (start && end)
				return t;
			c += n;
		}
	}
	return NULL;
}

const char *page_lang_pick(const char *requested, const char *accept,
			   const char *configured)
{
	const char *l;
	if (requested && strlen(requested) <= 16 &&
	    (l = usable(requested, strlen(requested), configured)))
		return l;
	/* Accept-Language: tags in preference order; weights are ignored
	 * and only the primary subtag counts. Bounded like any header. */
	if (accept && strlen(accept) <= 1024) {
		const char *p = accept;
		while (*p) {
			while (*p == ' ' || *p == ',')
				p++;
			size_t n = 0;
			while (p[n] >= 'a' && p[n] <= 'z')
				n++;
			if (n && (l = usable(p, n, configured)))
				return l;
			while (*p && *p != ',')
				p++;
		}
	}
	for (size_t i = 0; i < sizeof(translated) / sizeof(*translated); i++)
		if ((l = usable(translated[i], strlen(translated[i]),
				configured)))
			return l;
	return "en";
}

static const char *dir_of(const char *lang)
{
	for (size_t i = 0; i < sizeof(rtl) / sizeof(*rtl); i++)
		if (!strcmp(rtl[i], lang))
			return "rtl";
	return "ltr";
}

#define T(k) page_tr(p->lang, k)

static void text(buf *b, const char *s)
{
	buf_html(b, s, strlen(s));
}

static void para(buf *b, const char *s)
{
	buf_puts(b, "<p>");
	text(b, s);
	buf_puts(b, "</p>\n");
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
	text(b, label);
	buf_puts(b, "</button>\n</form>\n");
}

static void begin(buf *b, const page_ctx *p, const char *title)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n"
		   "<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, "
		   "initial-scale=1\">\n"
		   "<meta name=\"referrer\" content=\"no-referrer\">\n"
		   "<title>", p->lang, dir_of(p->lang));
	text(b, title);
	buf_puts(b, " – ");
	text(b, p->cf->newsroom_name);
	buf_puts(b, "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">"
		    "\n</head>\n<body>\n<header>\n<p class=\"site\">"
		    "<a href=\"/\">");
	text(b, p->cf->newsroom_name);
	buf_puts(b, "</a> <span>");
	text(b, T("site.drop"));
	buf_puts(b, "</span></p>\n");
	if (p->logged_in && p->csrf)
		button_form(b, p, "/logout", T("nav.logout"), "logout");
	buf_puts(b, "</header>\n<main>\n<h1>");
	text(b, title);
	buf_puts(b, "</h1>\n");
}

static void end(buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

void page_landing(buf *b, const page_ctx *p)
{
	begin(b, p, T("landing.title"));
	buf_puts(b, "<p class=\"intro\">");
	text(b, p->cf->intro);
	buf_puts(b, "</p>\n<p>");
	text(b, T("landing.who"));
	buf_puts(b, " <strong>");
	text(b, p->cf->newsroom_name);
	buf_puts(b, "</strong>.</p>\n<h2>");
	text(b, T("landing.what.h"));
	buf_puts(b, "</h2>\n");
	para(b, T("landing.what"));
	buf_puts(b, "<h2>");
	text(b, T("landing.safety.h"));
	buf_puts(b, "</h2>\n<ul>\n");
	static const char *const advice[] = { "landing.safety.1",
		"landing.safety.2", "landing.safety.3" };
	for (size_t i = 0; i < 3; i++) {
		buf_puts(b, "<li>");
		text(b, T(advice[i]));
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
	button_form(b, p, "/new", T("landing.new"), "primary");
	buf_puts(b, "<p>");
	text(b, T("landing.returning"));
	buf_puts(b, " <a href=\"/login\">");
	text(b, T("landing.login"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_codename(buf *b, const page_ctx *p, const char *words,
		   const char *digits)
{
	begin(b, p, T("codename.title"));
	para(b, T("codename.intro"));
	buf_puts(b, "<p id=\"codename\">");
	text(b, words);
	buf_puts(b, "</p>\n<figure id=\"codename-qr\">\n");
	qr_svg(b, words, T("codename.qr"));
	buf_puts(b, "\n</figure>\n");
	para(b, T("codename.digits"));
	buf_puts(b, "<p class=\"digits\">");
	text(b, digits);
	buf_puts(b, "</p>\n<p class=\"warn\">");
	text(b, T("codename.warn"));
	buf_puts(b, "</p>\n<p><a class=\"button\" href=\"/submit\">");
	text(b, T("codename.next"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_submit(buf *b, const page_ctx *p)
{
	begin(b, p, T("submit.title"));
	buf_puts(b, "<form method=\"post\" action=\"/submit\" "
		    "enctype=\"multipart/form-data\">\n");
	csrf_field(b, p);
	/* The honeypot: hidden by the stylesheet, so only a robot fills
	 * it in. */
	buf_puts(b, "<div class=\"hp\"><label for=\"website\">");
	text(b, T("submit.hp"));
	buf_puts(b, "</label><input type=\"text\" id=\"website\" "
		    "name=\"website\" autocomplete=\"off\" tabindex=\"-1\">"
		    "</div>\n<label for=\"message\">");
	text(b, T("submit.message"));
	buf_puts(b, "</label>\n<textarea id=\"message\" name=\"message\" "
		    "rows=\"12\"></textarea>\n<label for=\"file\">");
	text(b, T("submit.files"));
	buf_puts(b, "</label>\n<input type=\"file\" id=\"file\" name=\"file\" "
		    "multiple>\n<p class=\"note\">");
	text(b, T("submit.meta"));
	buf_puts(b, "</p>\n<p class=\"note\">");
	text(b, T("submit.limit"));
	buf_printf(b, " %u</p>\n<button type=\"submit\">",
		   p->cf->max_upload_mb);
	text(b, T("submit.send"));
	buf_puts(b, "</button>\n</form>\n");
	end(b);
}

void page_submitted(buf *b, const page_ctx *p)
{
	begin(b, p, T("submitted.title"));
	para(b, T("submitted.body"));
	para(b, T("submitted.next"));
	buf_puts(b, "<p><a href=\"/submit\">");
	text(b, T("submitted.more"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_login(buf *b, const page_ctx *p)
{
	begin(b, p, T("login.title"));
	buf_puts(b, "<form method=\"post\" action=\"/login\">\n");
	csrf_field(b, p);
	buf_puts(b, "<label for=\"codename\">");
	text(b, T("login.field"));
	buf_puts(b, "</label>\n<input type=\"password\" id=\"codename\" "
		    "name=\"codename\" autocomplete=\"off\" "
		    "autocapitalize=\"off\" spellcheck=\"false\" "
		    "maxlength=\"500\" required>\n<button type=\"submit\">");
	text(b, T("login.go"));
	buf_puts(b, "</button>\n</form>\n");
	end(b);
}

void page_logged_out(buf *b, const page_ctx *p)
{
	begin(b, p, T("logout.title"));
	para(b, T("logout.body"));
	buf_puts(b, "<p><a href=\"/\">");
	text(b, T("error.home"));
	buf_puts(b, "</a></p>\n");
	end(b);
}

void page_replies_begin(buf *b, const page_ctx *p)
{
	begin(b, p, T("replies.title"));
	buf_puts(b, "<p><a class=\"button\" href=\"/submit\">");
	text(b, T("replies.send"));
	buf_puts(b, "</a></p>\n");
}

void page_reply(buf *b, const page_ctx *p, const char *id_hex,
		const char *msg, size_t len)
{
	buf_puts(b, "<div class=\"reply\">\n<p>");
	if (msg)
		buf_html(b, msg, len);
	else
		text(b, T("replies.unreadable"));
	buf_puts(b, "</p>\n<form method=\"post\" action=\"/replies/delete\">"
		    "\n");
	csrf_field(b, p);
	buf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%s\">\n"
		   "<button type=\"submit\">", id_hex);
	text(b, T("replies.delete"));
	buf_puts(b, "</button>\n</form>\n</div>\n");
}

void page_replies_end(buf *b, const page_ctx *p, int count)
{
	if (!count) {
		para(b, T("replies.none"));
	} else {
		para(b, T("replies.advice"));
		button_form(b, p, "/replies/delete-all",
			    T("replies.delete_all"), "danger");
	}
	end(b);
}

void page_error(buf *b, const page_ctx *p, int status)
{
	char key[24], title[32];
	switch (status) {
	case 400: case 403: case 404: case 405: case 413: case 503:
		break;
	default:
		status = 500;
	}
	snprintf(key, sizeof(key), "error.%d", status);
	snprintf(title, sizeof(title), "error.%d.title", status);
	begin(b, p, T(title));
	para(b, T(key));
	buf_puts(b, "<p><a href=\"/\">");
	text(b, T("error.home"));
	buf_puts(b, "</a></p>\n");
	end(b);
}
