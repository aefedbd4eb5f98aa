/*
 * test_drop_conf.c - the config file parser and listen addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"

static int parse(conf *c, const char *text, char *err, size_t errlen)
{
	conf_defaults(c);
	return conf_parse(c, "t.conf", text, strlen(text), err, errlen);
}

static void test_defaults(void **state)
{
	conf c;
	(void)state;
	conf_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.max_upload_mb, 500);
	assert_int_equal(c.failed_logins_per_min, 60);
	assert_int_equal(c.session_idle_min, 30);
	assert_int_equal(conf_session_idle(&c), 1800);
	assert_int_equal(c.argon2_opslimit, 2);
	assert_int_equal(c.argon2_memlimit_mb, 64);
	assert_int_equal(c.min_upload_kb_s, 1);
	assert_int_equal(c.min_upload_window_s, 120);
	assert_int_equal(c.max_pending_sources, 10000);
	assert_int_equal(c.connection_stack_kb, 512);
}

static void test_values(void **state)
{
	conf c;
	char err[512];
	(void)state;
	assert_int_equal(parse(&c, "# comment\n\n  max_upload_mb = 7  \r\n"
			       "newsroom_name = The Post = best\n"
			       "session_idle_s=5\nmin_upload_kb_s = 0\n"
			       "listen = [::1]:0\nlanguages = en, kk,ug\n"
			       "connection_stack_kb = 128\n",
			       err, sizeof(err)), 0);
	assert_int_equal(c.connection_stack_kb, 128);
	assert_int_equal(c.max_upload_mb, 7);
	assert_string_equal(c.newsroom_name, "The Post = best");
	assert_int_equal(conf_session_idle(&c), 5);
	assert_int_equal(c.min_upload_kb_s, 0); /* 0: no minimum */
	assert_string_equal(c.listen, "[::1]:0");
	/* The default the file does not mention stays. */
	assert_int_equal(c.kdf_wait_s, 10);
}

static void test_errors(void **state)
{
	conf c;
	char err[1024];
	(void)state;
	static const char *const bad[] = {
		"max_upload_mb = 0\n",        /* below the range */
		"max_upload_mb = 4097\n",     /* above it */
		"max_upload_mb = -1\n",
		"max_upload_mb = 12abc\n",
		"max_upload_mb = \n",
		"max_upload_mb = 99999999999999999999\n",
		"argon2_opslimit = 1\n",      /* below INTERACTIVE */
		"argon2_memlimit_mb = 32\n",
		"min_upload_kb_s = 1025\n",
		"min_upload_window_s = 1\n",  /* no time to measure */
		"min_upload_window_s = 3601\n",
		"max_pending_sources = 0\n",
		"max_pending_sources = 1000001\n",
		"connection_stack_kb = 127\n", /* too small for a request */
		"connection_stack_kb = 8193\n",
		"nonsense = 1\n",
		"just words\n",
		"listen = localhost:80\n",    /* numeric only */
		"listen = 127.0.0.1\n",
		"listen = 127.0.0.1:65536\n",
		"listen = [::1:80\n",
		"languages = EN\n",
		"languages = e\n",
		"languages = en;rm -rf\n",
		"intro = a\001b\n",
		"max_upload_mb = 5\nmax_upload_mb = 6\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int n = parse(&c, bad[i], err, sizeof(err));
		if (n != 1)
			fail_msg("'%s' gave %d problems: %s", bad[i], n, err);
		assert_non_null(strstr(err, "t.conf:"));
		assert_non_null(strchr(err, '\n'));
	}
}

/* newsroom_name and intro per language, as KEY.CODE. */
static void test_lang_texts(void **state)
{
	conf c;
	char err[1024];
	(void)state;
	assert_int_equal(parse(&c, "intro.ug = a\nnewsroom_name.kk-Arab = b\n"
			       "newsroom_name.ug = c = d\nintro.en = e\n"
			       "languages = en, ug, kk-arab\n", err,
			       sizeof(err)), 0);
	assert_string_equal(conf_text(&c, "intro", "ug"), "a");
	assert_string_equal(conf_text(&c, "newsroom_name", "ug"), "c = d");
	/* Codes match as pages match them, ignoring case. */
	assert_string_equal(conf_text(&c, "newsroom_name", "kk-Arab"), "b");
	assert_null(conf_text(&c, "intro", "kk-Arab"));
	assert_null(conf_text(&c, "intro", "ru"));
	/* intro.en is intro: the English page's. */
	assert_string_equal(conf_text(&c, "intro", "en"), "e");
	assert_string_equal(c.intro, "e");
	assert_string_equal(conf_text(&c, "newsroom_name", "en"),
			    "Our newsroom");
	assert_null(conf_text(&c, "listen", "en"));
	assert_null(conf_text(&c, "nonsense", "ug"));

	static const char *const bad[] = {
		"intro.xx = a\n",              /* not in languages */
		"languages = en, kk\nintro.ug = a\n",
		"intro.UG = a\n",              /* not a code */
		"intro. = a\n",
		"intro.u = a\n",
		"intro.ug.kk = a\n",
		"intro.ug-toolongcode = a\n",
		"listen.ug = 127.0.0.1:80\n",  /* no value per language */
		"max_upload_mb.ug = 5\n",
		"outro.ug = a\n",              /* unknown key */
		"intro.ug =\n",                /* empty */
		"intro.ug = a\nintro.ug = b\n",
		"intro.ug = a\nintro.UG = b\n",
		"intro = a\nintro.en = b\n",
		"intro.ug = a\001b\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int n = parse(&c, bad[i], err, sizeof(err));
		if (n != 1)
			fail_msg("'%s' gave %d problems: %s", bad[i], n, err);
		assert_non_null(strstr(err, "t.conf:"));
	}
	/* The one a typo is most likely to be says which code. */
	assert_int_equal(parse(&c, "\nintro.xx = a\n", err, sizeof(err)), 1);
	assert_string_equal(err, "t.conf:2: texts for 'xx', which is not in "
			    "languages\n");

	/* Over-long values, as for the key without a code. */
	char line[CONF_INTRO_MAX + 40];
	memset(line, 'y', sizeof(line) - 2);
	memcpy(line, "intro.ug = ", 11);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse(&c, line, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "intro.ug is longer than 2000 bytes"));
	memset(line, 'y', sizeof(line) - 2);
	memcpy(line, "newsroom_name.ru = ", 19);
	line[CONF_NAME_MAX + 20] = '\n';
	line[CONF_NAME_MAX + 21] = '\0';
	assert_int_equal(parse(&c, line, err, sizeof(err)), 1);
	line[CONF_NAME_MAX + 19] = '\n';
	line[CONF_NAME_MAX + 20] = '\0';
	assert_int_equal(parse(&c, line, err, sizeof(err)), 0);
	assert_int_equal(strlen(conf_text(&c, "newsroom_name", "ru")),
			 CONF_NAME_MAX);

	/* At most CONF_TEXT_LANGS languages: each must be in languages,
	 * which holds at most 16. */
	char many[4096] = "languages = en";
	for (int i = 0; i < 15; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 ", q%c%c", 'a' + i / 26, 'a' + i % 26);
	strcat(many, "\n");
	for (int i = 0; i < CONF_TEXT_LANGS + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "intro.q%c%c = x\n", 'a' + i / 26, 'a' + i % 26);
	int n = parse(&c, many, err, sizeof(err));
	assert_non_null(strstr(err, "more than 16 languages with texts"));
	assert_true(n >= 1);
}

static void test_one_line_per_error(void **state)
{
	conf c;
	char err[1024];
	(void)state;
	assert_int_equal(parse(&c, "a = 1\nmax_connections = 1\nok\n", err,
			       sizeof(err)), 3);
	assert_non_null(strstr(err, "t.conf:1: unknown key 'a'"));
	assert_non_null(strstr(err, "t.conf:2: max_connections must be"));
	assert_non_null(strstr(err, "t.conf:3: expected key = value"));
}

static void test_caps(void **state)
{
	conf c;
	char err[256], big[CONF_FILE_MAX + 2], line[CONF_LINE_MAX + 20];
	(void)state;
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(&c, big, err, sizeof(err)), 1);
	memset(line, 'x', sizeof(line) - 1);
	memcpy(line, "intro = ", 8);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse(&c, line, err, sizeof(err)), 1);
	/* A value longer than its field. */
	char intro[CONF_INTRO_MAX + 20];
	memset(intro, 'y', sizeof(intro) - 1);
	memcpy(intro, "intro = ", 8);
	intro[sizeof(intro) - 1] = '\0';
	assert_int_equal(parse(&c, intro, err, sizeof(err)), 1);
	/* A tiny error buffer is never overrun. */
	assert_int_equal(parse(&c, "x = 1\ny = 2\n", err, 8), 2);
	assert_true(strlen(err) < 8);
}

static void test_listen(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	(void)state;
	assert_int_equal(conf_listen_parse("127.0.0.1:8080", &ss, &sl), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(conf_listen_parse("[::1]:0", &ss, &sl), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(conf_listen_parse("0.0.0.0:65535", &ss, &sl), 0);
	assert_int_equal(conf_listen_parse(":80", &ss, &sl), -1);
	assert_int_equal(conf_listen_parse("1.2.3.4:", &ss, &sl), -1);
	assert_int_equal(conf_listen_parse("1.2.3.4:+80", &ss, &sl), -1);
	assert_int_equal(conf_listen_parse("::1:80", &ss, &sl), -1);
	assert_int_equal(conf_listen_parse("[]:80", &ss, &sl), -1);
	assert_int_equal(conf_listen_parse("1.2.3.4.5:80", &ss, &sl), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lang_texts),
		cmocka_unit_test(test_one_line_per_error),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
