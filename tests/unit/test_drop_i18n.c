/*
 * test_drop_i18n.c - the PO parser, the compiled-in catalogs, the choice
 * of language, and what the pages make of it (direction, the menu).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "crypt.h"
#include "i18n.h"
#include "page.h"

#define ALL "en, kk, kk-Arab, ug, ru, zh-Hans"

static int setup(void **state)
{
	char err[256];
	(void)state;
	if (i18n_load(NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	i18n_unload();
	return 0;
}

static i18n_cat *parse(const char *text, int template, char *err,
		       size_t errlen)
{
	return i18n_parse("t.po", text, strlen(text), template, err, errlen);
}

/* Every language the drop ships, with every string of the template and
 * the template's placeholders. */
static void test_catalogs_complete(void **state)
{
	static const char *const want[] = { "en", "kk", "kk-Arab", "ug", "ru",
					    "zh-Hans" };
	size_t nkeys = 0, missing = 0;
	(void)state;
	assert_int_equal(i18n_count(), 6);
	for (size_t i = 0; i < 6; i++)
		assert_non_null(i18n_find(want[i], strlen(want[i])));
	while (i18n_key(nkeys))
		nkeys++;
	assert_true(nkeys >= 60);
	for (size_t l = 1; l < i18n_count(); l++) {
		const char *code = i18n_code(l);
		for (size_t k = 0; k < nkeys; k++) {
			const char *key = i18n_key(k);
			const char *own = i18n_own(code, key);
			if (!own) {
				fprintf(stderr, "%s lacks %s\n", code, key);
				missing++;
				continue;
			}
			assert_true(i18n_placeholders_match(
				own, i18n_own("en", key)));
		}
	}
	assert_int_equal(missing, 0);
	/* Each names itself in its own script and says its direction. */
	assert_string_equal(i18n_tr("kk", "lang.name"), "Қазақша");
	assert_string_equal(i18n_tr("zh-Hans", "lang.name"), "中文");
	assert_true(i18n_rtl("ug"));
	assert_true(i18n_rtl("kk-Arab"));
	assert_false(i18n_rtl("kk"));
	assert_false(i18n_rtl("en"));
	assert_false(i18n_rtl("xx"));
}

/* gettext's own checker agrees with ours about every catalog. */
static void test_msgfmt(void **state)
{
	const char *top = getenv("SEALDROP_TOP");
	char cmd[4096];
	(void)state;
	if (!top)
		skip();
	for (size_t l = 1; l < i18n_count(); l++) {
		snprintf(cmd, sizeof(cmd), "msgfmt --check-format -c -o "
			 "/dev/null '%s/po/%s.po'", top, i18n_code(l));
		assert_int_equal(system(cmd), 0);
	}
}

static void test_lookup(void **state)
{
	(void)state;
	assert_string_equal(i18n_tr("en", "login.go"), "Log in");
	assert_string_equal(i18n_tr("ru", "login.go"), "Войти");
	/* An unknown language reads English; an unknown key shows itself. */
	assert_string_equal(i18n_tr("xx", "login.go"), "Log in");
	assert_string_equal(i18n_tr("ru", "no.such.key"), "no.such.key");
	assert_null(i18n_own("ru", "no.such.key"));
	assert_string_equal(i18n_find("ZH-hans", 7), "zh-Hans");
	assert_null(i18n_find("zh", 2));
	assert_string_equal(page_tr("kk", "login.go"), "Кіру");
}

static void test_parse(void **state)
{
	char err[256];
	(void)state;
	const char *po =
		"# a comment\n"
		"msgid \"\"\n"
		"msgstr \"\"\n"
		"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
		"\n"
		"#. for translators\n"
		"msgctxt \"a.one\"\n"
		"msgid \"One\"\n"
		"msgstr \"\"\n"
		"\"Бір \\\"екі\\\"\\n\"\n"
		"  \"\\tүш\\\\\"  \r\n"
		"\n"
		"#, fuzzy\n"
		"msgctxt \"a.fuzzy\"\n"
		"msgid \"Fuzzy\"\n"
		"msgstr \"unsure\"\n"
		"msgctxt \"a.empty\"\n"
		"msgid \"Empty\"\n"
		"msgstr \"\"\n"
		"#~ msgctxt \"a.old\"\n"
		"#~ msgid \"Old\"\n"
		"#~ msgstr \"old\"\n";
	i18n_cat *c = parse(po, 0, err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(i18n_get(c, "a.one"), "Бір \"екі\"\n\tүш\\");
	assert_null(i18n_get(c, "a.fuzzy"));  /* fuzzy: not used */
	assert_null(i18n_get(c, "a.empty"));  /* untranslated */
	assert_null(i18n_get(c, "a.old"));    /* obsolete, a comment */
	i18n_free(c);
	/* As a template, the text is the msgid. */
	c = parse(po, 1, err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(i18n_get(c, "a.one"), "One");
	assert_string_equal(i18n_get(c, "a.empty"), "Empty");
	assert_null(i18n_get(c, "a.fuzzy"));
	i18n_free(c);
	/* No trailing newline, no blank lines between entries. */
	c = parse("msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"x\"\nmsgctxt \"j\"\n"
		  "msgid \"J\"\nmsgstr \"y\"", 0, err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(i18n_get(c, "j"), "y");
	i18n_free(c);
	/* Nothing at all is an empty catalog. */
	c = parse("", 0, err, sizeof(err));
	assert_non_null(c);
	assert_null(i18n_get(c, "k"));
	i18n_free(c);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"x\n",
		  "t.po:3: unterminated string" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"x\\\"\n",
		  "t.po:3: unterminated string" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"\\q\"\n",
		  "t.po:3: bad escape '\\q'" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"\\r\"\n",
		  "t.po:3: bad escape '\\r'" },
		{ "msgctxt \"k\"\nmsgid \"K\"\n\nmsgctxt \"j\"\n",
		  "t.po:1: msgid without msgstr" },
		{ "msgctxt \"k\"\nmsgid \"K\"\n", "t.po:1: msgid without msgstr" },
		{ "msgctxt \"k\"\n\n", "t.po:1: msgctxt without msgid" },
		{ "msgstr \"x\"\n", "t.po:1: msgstr without msgid" },
		{ "msgctxt \"a\"\nmsgid \"A\"\nmsgstr \"x\"\n\n"
		  "msgctxt \"a\"\nmsgid \"A\"\nmsgstr \"y\"\n",
		  "t.po:5: duplicate key 'a' (also at line 1)" },
		{ "msgid \"K\"\nmsgstr \"x\"\n",
		  "t.po:1: entry without msgctxt (the key the code uses)" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgid_plural \"Ks\"\n",
		  "t.po:3: plural forms are not supported" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr[0] \"x\"\n",
		  "t.po:3: plural forms are not supported" },
		{ "msgkey \"k\"\n", "t.po:1: unknown keyword" },
		{ "msgctxt \"k\"\nmsgctxt \"k\"\n", "t.po:2: msgctxt out of place" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"x\" y\n",
		  "t.po:3: text after the closing quote" },
		{ "\"x\"\n", "t.po:1: string outside an entry" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr x\n",
		  "t.po:3: msgstr needs a quoted string" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"a\001\"\n",
		  "t.po:3: control character in a string" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"\xc3\x28\"\n",
		  "t.po:1: not valid UTF-8" },
		{ "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"\xed\xa0\x80\"\n",
		  "t.po:1: not valid UTF-8" },
		{ "msgctxt \"K y\"\nmsgid \"K\"\nmsgstr \"x\"\n",
		  "t.po:1: a key (msgctxt) is letters a-z, digits, '.' and '_'" },
		{ "msgctxt \"k\"\nmsgid \"{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}"
		  "{a}{a}{a}{a}\"\nmsgstr \"\"\n",
		  "t.po:1: more than 16 placeholders in a string" },
	};
	char err[256];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		i18n_cat *c = parse(bad[i].text, 0, err, sizeof(err));
		if (c || strcmp(err, bad[i].err))
			fprintf(stderr, "case %zu: got '%s'\n", i, err);
		assert_null(c);
		assert_string_equal(err, bad[i].err);
		assert_null(strchr(err, '\n'));
	}
}

/* Every cap holds, just past its limit, and not before it. */
static void test_parse_caps(void **state)
{
	char err[256];
	size_t cap = I18N_FILE_MAX + 2;
	char *big = malloc(cap);
	(void)state;
	assert_non_null(big);
	/* A string of exactly the longest length, then one byte more. */
	int n = snprintf(big, cap, "msgctxt \"k\"\nmsgid \"K\"\nmsgstr \"");
	memset(big + n, 'x', I18N_STR_MAX);
	strcpy(big + n + I18N_STR_MAX, "\"\n");
	i18n_cat *c = parse(big, 0, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(strlen(i18n_get(c, "k")), I18N_STR_MAX);
	i18n_free(c);
	memset(big + n, 'x', I18N_STR_MAX + 1);
	strcpy(big + n + I18N_STR_MAX + 1, "\"\n");
	assert_null(parse(big, 0, err, sizeof(err)));
	assert_string_equal(err, "t.po:3: string longer than 4096 bytes");
	/* Entries. */
	size_t len = 0;
	for (int i = 0; i <= I18N_ENTRIES_MAX; i++)
		len += (size_t)snprintf(big + len, cap - len, "msgctxt \"k%d\"\n"
					"msgid \"K\"\nmsgstr \"x\"\n", i);
	assert_null(parse(big, 0, err, sizeof(err)));
	assert_string_equal(err, "t.po:1537: more than 512 entries");
	/* The file. */
	memset(big, '#', cap - 1);
	big[cap - 1] = '\0';
	assert_null(i18n_parse("t.po", big, I18N_FILE_MAX + 1, 0, err,
			       sizeof(err)));
	assert_string_equal(err, "t.po:0: larger than 262144 bytes");
	assert_non_null(c = i18n_parse("t.po", big, I18N_FILE_MAX, 0, err,
				       sizeof(err)));
	i18n_free(c);
	free(big);
}

static void test_check(void **state)
{
	char err[256];
	(void)state;
	i18n_cat *t = parse("msgctxt \"a\"\nmsgid \"Hi {name}, {n} new\"\n"
			    "msgstr \"\"\n\nmsgctxt \"lang.dir\"\nmsgid "
			    "\"ltr\"\nmsgstr \"\"\n", 1, err, sizeof(err));
	assert_non_null(t);
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ "msgctxt \"a\"\nmsgid \"Hi {name}, {n} new\"\n"
		  "msgstr \"{n} new, {name}\"\n", NULL },
		{ "msgctxt \"a\"\nmsgid \"Hi {name}, {n} new\"\nmsgstr \"\"\n",
		  NULL }, /* untranslated: English is used */
		{ "msgctxt \"a\"\nmsgid \"Hi {name}, {n} new\"\n"
		  "msgstr \"{n} new, {nam}\"\n",
		  "t.po:1: the placeholders of 'a' are not the template's" },
		{ "msgctxt \"a\"\nmsgid \"Hi {name}, {n} new\"\n"
		  "msgstr \"{n} {n} {name}\"\n",
		  "t.po:1: the placeholders of 'a' are not the template's" },
		{ "msgctxt \"a\"\nmsgid \"Hi {name}\"\nmsgstr \"{name}\"\n",
		  "t.po:1: the msgid of 'a' is not the template's (merge the "
		  "catalog again)" },
		{ "msgctxt \"b\"\nmsgid \"B\"\nmsgstr \"b\"\n",
		  "t.po:1: 'b' is not in the template" },
		{ "\nmsgctxt \"lang.dir\"\nmsgid \"ltr\"\nmsgstr \"right\"\n",
		  "t.po:2: lang.dir is \"ltr\" or \"rtl\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		i18n_cat *c = parse(cases[i].text, 0, err, sizeof(err));
		assert_non_null(c);
		int r = i18n_check(t, c, "t.po", err, sizeof(err));
		if (cases[i].err) {
			assert_int_equal(r, -1);
			assert_string_equal(err, cases[i].err);
		} else {
			assert_int_equal(r, 0);
		}
		i18n_free(c);
	}
	i18n_free(t);
}

static void test_placeholders(void **state)
{
	const char *name;
	size_t n;
	(void)state;
	assert_true(i18n_placeholders_match("no braces", "none {here"));
	assert_true(i18n_placeholders_match("{a} {b_c}", "{b_c}{a}"));
	assert_false(i18n_placeholders_match("{a}", "{A}"));
	assert_false(i18n_placeholders_match("{a}", ""));
	assert_false(i18n_placeholders_match("{a} {a}", "{a}"));
	/* Braces that hold no name are text. */
	assert_true(i18n_placeholders_match("{} {1} {a b}", ""));
	const char *s = "x {{mb}} y";
	assert_ptr_equal(i18n_placeholder(s, &name, &n), s + 3);
	assert_int_equal(n, 2);
	assert_memory_equal(name, "mb", 2);
	/* More than the parser counts is never a match. */
	assert_false(i18n_placeholders_match(
		"{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}",
		"{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}"));
}

static void test_pick(void **state)
{
	(void)state;
	/* ?l= (or the session) first, ignoring case and mapping regions. */
	assert_string_equal(page_lang_pick("ug", "ru", ALL), "ug");
	assert_string_equal(page_lang_pick("KK-arab", NULL, ALL), "kk-Arab");
	assert_string_equal(page_lang_pick("zh", NULL, ALL), "zh-Hans");
	assert_string_equal(page_lang_pick("<script>", "ru", ALL), "ru");
	assert_string_equal(page_lang_pick("xx", NULL, ALL), "en");
	/* Weights decide, not order; equals keep their order. */
	assert_string_equal(page_lang_pick(NULL, "en;q=0.5, ru;q=0.9, ug",
					   ALL), "ug");
	assert_string_equal(page_lang_pick(NULL, "en;q=0.5,ru;q=0.9", ALL),
			    "ru");
	assert_string_equal(page_lang_pick(NULL, "ru;q=0.8, kk;q=0.8", ALL),
			    "ru");
	assert_string_equal(page_lang_pick(NULL, "ru ; Q=0.800 , ug;q=0.801",
					   ALL), "ug");
	/* q=0 is a refusal; malformed weights drop only their item. */
	assert_string_equal(page_lang_pick(NULL, "ug;q=0, ru;q=0.1", ALL),
			    "ru");
	assert_string_equal(page_lang_pick(NULL, "ug;q=2, ru;q=0.1", ALL),
			    "ru");
	assert_string_equal(page_lang_pick(NULL, "ug;q=x, ru;q=0.1", ALL),
			    "ru");
	assert_string_equal(page_lang_pick(NULL, "ug;q=0.5 junk, ru;q=0.1",
					   ALL), "ru");
	assert_string_equal(page_lang_pick(NULL, "ug;foo=bar;q=0.9, ru;q=0.1",
					   ALL), "ug");
	/* Chinese, Kazakh and Uyghur by region and script. */
	static const char *const map[][2] = {
		{ "zh-CN", "zh-Hans" }, { "zh-Hans-CN", "zh-Hans" },
		{ "zh_TW", "zh-Hans" }, { "zh", "zh-Hans" },
		{ "kk", "kk" }, { "kk-KZ", "kk" }, { "kk-Cyrl", "kk" },
		{ "kk-CN", "kk-Arab" }, { "kk-Arab", "kk-Arab" },
		{ "kk-Arab-CN", "kk-Arab" }, { "ug", "ug" }, { "ug-CN", "ug" },
		{ "ru-RU", "ru" }, { "en-US", "en" }, { "kkx", "en" },
		{ "*", "en" }, { "", "en" }, { ",,;;,", "en" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		const char *got = page_lang_pick(NULL, map[i][0], "en, " ALL);
		if (strcmp(got, map[i][1]))
			fprintf(stderr, "%s: %s\n", map[i][0], got);
		assert_string_equal(got, map[i][1]);
	}
	/* Only enabled languages; the first enabled is the default. */
	assert_string_equal(page_lang_pick("ug", "ru", "kk, ru"), "ru");
	assert_string_equal(page_lang_pick(NULL, "zh, ug", "ru, kk"), "ru");
	assert_string_equal(page_lang_pick(NULL, "kk-CN", "en, kk"), "kk");
	assert_string_equal(page_lang_pick(NULL, "kk", "en,kk-Arab"),
			    "kk-Arab");
	assert_string_equal(page_lang_pick(NULL, NULL, "ug, en"), "ug");
	assert_string_equal(page_lang_pick(NULL, NULL, "xx, ru"), "ru");
	/* A header past the bound is not read at all. */
	char big[1100];
	memset(big, ' ', sizeof(big) - 3);
	strcpy(big + sizeof(big) - 3, "ug");
	assert_string_equal(page_lang_pick(NULL, big, ALL), "en");
	assert_string_equal(page_lang_pick(NULL, big + 100, ALL), "ug");
	assert_null(page_lang_unknown(ALL));
	assert_string_equal(page_lang_unknown("en, fr, ru"), "fr, ru");
}

static void render(buf *b, const char *lang, int codename)
{
	static conf cf;
	conf_defaults(&cf);
	page_ctx p = { .lang = lang, .csrf = "00", .logged_in = 1, .cf = &cf };
	buf_init(b, 1 << 20, 0);
	if (codename)
		page_codename(b, &p, "able baker charlie delta echo fox golf",
			      "1234 5678 9012 3456 7890 1234 5678");
	else
		page_submit(b, &p);
	assert_false(buf_failed(b));
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	while ((s = strstr(s, what)))
		n++, s++;
	return n;
}

static void test_pages(void **state)
{
	buf b;
	(void)state;
	render(&b, "ug", 0);
	assert_non_null(strstr(b.p, "<html lang=\"ug\" dir=\"rtl\">"));
	/* The menu: every language by its own name, links to this page. */
	assert_int_equal(count(b.p, "<li><a href=\"/submit?l="), 6);
	assert_non_null(strstr(b.p, ">Қазақша</a>"));
	assert_non_null(strstr(b.p, "lang=\"ug\" dir=\"rtl\" "
				    "aria-current=\"true\">ئۇيغۇرچە</a>"));
	/* A placeholder's value is isolated, the message box follows what
	 * is typed in it. */
	assert_non_null(strstr(b.p, "<bdi>524</bdi> <bdi>MB</bdi>"));
	assert_non_null(strstr(b.p, "dir=\"auto\"></textarea>"));
	assert_non_null(strstr(b.p, "<form method=\"post\" action=\"/logout\""));
	buf_free(&b);
	render(&b, "kk", 1);
	assert_non_null(strstr(b.p, "<html lang=\"kk\" dir=\"ltr\">"));
	/* No menu leads away from the only page that shows the codename.
	 * (The stylesheet keeps the codename and digits left to right.) */
	assert_non_null(strstr(b.p, "<p id=\"codename\">able baker"));
	assert_non_null(strstr(b.p, "<p class=\"digits\">1234"));
	assert_null(strstr(b.p, "class=\"langs\""));
	buf_free(&b);
}

/* The limit is shown in MB (10^6 bytes), rounded down from the MiB the
 * drop enforces, so it never promises more than is accepted. */
static void test_limit_mb(void **state)
{
	static const struct { unsigned mib; const char *shown; } t[] = {
		{ 1, "<bdi>1</bdi> MB" }, { 10, "<bdi>10</bdi> MB" },
		{ 500, "<bdi>524</bdi> MB" }, { 4096, "<bdi>4294</bdi> MB" },
	};
	static conf cf;
	buf b;
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		conf_defaults(&cf);
		cf.max_upload_mb = t[i].mib;
		page_ctx p = { .lang = "en", .csrf = "00", .logged_in = 1,
			       .cf = &cf };
		buf_init(&b, 1 << 20, 0);
		page_submit(&b, &p);
		assert_false(buf_failed(&b));
		assert_non_null(strstr(b.p, t[i].shown));
		buf_free(&b);
	}
}

/* The operator's texts: each language's own value, else its translated
 * default; English only on the English page. */
static void test_operator_texts(void **state)
{
	static conf cf;
	char err[512];
	buf b;
	static const char *const codes[] = { "kk", "kk-Arab", "ug", "ru",
					     "zh-Hans" };
	(void)state;
	/* Every shipped catalog translates both defaults, and the
	 * template's English is the configuration's default. */
	conf_defaults(&cf);
	assert_string_equal(i18n_own("en", "conf.newsroom_name.default"),
			    cf.newsroom_name);
	assert_string_equal(i18n_own("en", "conf.intro.default"), cf.intro);
	for (size_t i = 0; i < 5; i++) {
		assert_non_null(i18n_own(codes[i], "conf.newsroom_name.default"));
		assert_non_null(i18n_own(codes[i], "conf.intro.default"));
	}
	static const char text[] =
		"newsroom_name = The Daily Post\n"
		"intro = Tell us what you saw.\n"
		"intro.ug = \xd9\x8a\xd9\x88\xd9\x84\xd9\x84\xd8\xa7\xda\xad\n"
		"newsroom_name.ug = The Daily Post\n";
	assert_int_equal(conf_parse(&cf, "t.conf", text, strlen(text), err,
				    sizeof(err)), 0);
	static const struct {
		const char *lang, *want, *not;
	} t[] = {
		{ "en", "<p class=\"intro\" dir=\"auto\">Tell us what you "
		  "saw.</p>", NULL },
		/* Its own intro, in the page's direction; the Latin name
		 * isolated. */
		{ "ug", "<p class=\"intro\">\xd9\x8a\xd9\x88\xd9\x84\xd9\x84"
		  "\xd8\xa7\xda\xad</p>", "Tell us" },
		{ "ug", "<a href=\"/\"><bdi>The Daily Post</bdi></a>", NULL },
		/* No value of its own: the translated default, never the
		 * operator's English. */
		{ "ru", "Наша редакция", "Daily" },
		{ "ru", "Присылайте нам документы", "Tell us" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		page_ctx p = { .lang = t[i].lang, .csrf = "00", .cf = &cf };
		buf_init(&b, 1 << 20, 0);
		page_landing(&b, &p);
		assert_false(buf_failed(&b));
		if (!strstr(b.p, t[i].want))
			fail_msg("%s: no '%s'", t[i].lang, t[i].want);
		if (t[i].not && strstr(b.p, t[i].not))
			fail_msg("%s: '%s' shown", t[i].lang, t[i].not);
		buf_free(&b);
	}
}

/* On right-to-left pages Latin words inside the text are isolated. */
static void test_rtl_isolation(void **state)
{
	static conf cf;
	buf b;
	(void)state;
	conf_defaults(&cf);
	page_ctx p = { .lang = "ug", .csrf = "00", .cf = &cf };
	buf_init(&b, 1 << 20, 0);
	page_landing(&b, &p);
	assert_false(buf_failed(&b));
	assert_non_null(strstr(b.p, "<bdi>Tor Browser</bdi>"));
	assert_non_null(strstr(b.p, "(<bdi>Safest</bdi>)"));
	assert_non_null(strstr(b.p, "<bdi>IP</bdi>"));
	buf_free(&b);
	p.lang = "ru";
	buf_init(&b, 1 << 20, 0);
	page_landing(&b, &p);
	assert_null(strstr(b.p, "<bdi>Tor Browser</bdi>"));
	buf_free(&b);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* catalog_dir: files replace built-in catalogs by name, or add one. */
static void test_catalog_dir(void **state)
{
	char dir[256], err[512], want[512], path[512];
	const char *tmp = getenv("SEALDROP_BUILD");
	(void)state;
	snprintf(dir, sizeof(dir), "%s/i18n-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	put(dir, "kk.po", "msgctxt \"login.go\"\nmsgid \"Log in\"\n"
			  "msgstr \"КІРУ\"\n");
	put(dir, "xx.po", "msgctxt \"lang.dir\"\nmsgid \"ltr\"\n"
			  "msgstr \"rtl\"\n");
	put(dir, "notes.txt", "not a catalog");
	assert_int_equal(i18n_load(dir, err, sizeof(err)), 0);
	assert_int_equal(i18n_count(), 7);
	assert_string_equal(i18n_tr("kk", "login.go"), "КІРУ");
	assert_null(i18n_own("kk", "landing.title"));
	assert_string_equal(i18n_find("XX", 2), "xx");
	assert_true(i18n_rtl("xx"));
	/* A broken file stops the load, and says where. */
	put(dir, "ru.po", "\nmsgctxt \"login.go\"\nmsgid \"Log in\"\n"
			  "msgstr \"\\q\"\n");
	assert_int_equal(i18n_load(dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/ru.po:4: bad escape '\\q'", dir);
	assert_string_equal(err, want);
	assert_int_equal(i18n_count(), 0);
	static const char *const files[] = { "kk.po", "xx.po", "notes.txt",
					     "ru.po" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(i18n_load(dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:0: cannot read the catalog "
		 "directory: No such file or directory", dir);
	assert_string_equal(err, want);
	/* Back to the built-in catalogs for what follows. */
	assert_int_equal(i18n_load(NULL, err, sizeof(err)), 0);
	assert_int_equal(i18n_count(), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogs_complete),
		cmocka_unit_test(test_msgfmt),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_caps),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_limit_mb),
		cmocka_unit_test(test_operator_texts),
		cmocka_unit_test(test_rtl_isolation),
		cmocka_unit_test(test_catalog_dir),
	};
	if (crypt_init())
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
