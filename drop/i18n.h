/*
 * i18n.h - the source-facing strings in every language, from PO catalogs.
 *
 * po/sealdrop.pot is the template and the English text: each entry's
 * msgctxt is the key the code uses and its msgid the English. po/CODE.po
 * holds the language CODE: the same msgctxt and msgid, and the
 * translation in msgstr. The catalogs are compiled into the binary and
 * parsed by i18n_parse at start, so a deployment needs no data files.
 *
 * i18n_load builds one table per language before any thread starts;
 * after that the tables never change, so lookups take no lock. Nothing
 * here touches the process locale.
 *
 * Strings may hold named placeholders, {name} ([a-z_]+ between braces);
 * a translation must use exactly the template's. Two entries describe
 * the language itself: lang.name (its name in its own script, for the
 * language menu) and lang.dir ("ltr" or "rtl").
 */
#ifndef SEALDROP_I18N_H
#define SEALDROP_I18N_H

#include <stddef.h>

#define I18N_FILE_MAX (256u << 10) /* bytes of one catalog */
#define I18N_STR_MAX 4096          /* bytes of one string, once unescaped */
#define I18N_ENTRIES_MAX 512       /* entries in one catalog */
#define I18N_CODE_MAX 16           /* bytes of a language code, with NUL */
#define I18N_LANGS_MAX 32          /* catalogs, the template included */

typedef struct i18n_cat i18n_cat;

/* Parses one PO text (len bytes, untrusted) named name (for messages).
 * With template set, each entry's text is its msgid (the English);
 * otherwise its msgstr, and entries that are fuzzy or untranslated
 * (empty msgstr) are left out. The header entry is skipped. Returns the
 * catalog, or NULL with one line "name:LINE: what" in err. */
i18n_cat *i18n_parse(const char *name, const char *text, size_t len,
		     int template, char *err, size_t errlen);

/* Frees a catalog from i18n_parse (NULL is fine). */
void i18n_free(i18n_cat *c);

/* The text of key in c, or NULL. */
const char *i18n_get(const i18n_cat *c, const char *key);

/* 1 when a and b hold the same placeholders, as many times each, in any
 * order; else 0. */
int i18n_placeholders_match(const char *a, const char *b);

/* The first placeholder in s: a pointer to its '{', with *name and *n
 * its name; NULL when s has none. */
const char *i18n_placeholder(const char *s, const char **name, size_t *n);

/* Checks catalog c (named name) against the template tmpl: every key of
 * c is the template's, with the same msgid and placeholders; lang.dir is
 * "ltr" or "rtl". Missing keys are allowed (they fall back to English).
 * 0, or -1 with one line "name:LINE: what" in err. */
int i18n_check(const i18n_cat *tmpl, const i18n_cat *c, const char *name,
	       char *err, size_t errlen);

/* Parses the compiled-in catalogs, checks each against the template
 * (every key known, the same msgid, the same placeholders, a valid
 * lang.dir) and makes them the tables lookups use. When dir is not NULL,
 * its sealdrop.pot and CODE.po files replace the compiled-in catalogs of
 * the same name, and add languages (so translators can try their work
 * without a build). Call once at start, before threads. 0, or -1 with
 * one line "file:LINE: what" in err. */
int i18n_load(const char *dir, char *err, size_t errlen);

/* Frees the tables (at exit). */
void i18n_unload(void);

/* The number of languages loaded, English first; the code of the i-th
 * (a string that lives until i18n_unload), or NULL past the end. */
size_t i18n_count(void);
const char *i18n_code(size_t i);

/* The loaded code equal to tag[0..n) ignoring case, or NULL. */
const char *i18n_find(const char *tag, size_t n);

/* The text of key in lang: its translation, else the English, else the
 * key itself (a bug, but a visible one). Never NULL. */
const char *i18n_tr(const char *lang, const char *key);

/* Only lang's own translation of key, or NULL (for tests and tools). */
const char *i18n_own(const char *lang, const char *key);

/* The i-th key of the template, or NULL past the end. */
const char *i18n_key(size_t i);

/* 1 when lang is written right to left. */
int i18n_rtl(const char *lang);

#endif
