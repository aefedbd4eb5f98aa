/*
 * test_inspect_mat2.c - the inspector's readers of untrusted text: mat2's
 * report, the grouping of its fields, the extension table, and the
 * one-line copies that go into the report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ftype.h"
#include "mat2.h"
#include "text.h"

static struct mat2_result *parse(const char *s, size_t n)
{
	struct mat2_result *r = malloc(sizeof(*r));

	assert_non_null(r);
	mat2_parse(s, n, r);
	return r;
}

#define PARSE(lit) parse(lit, sizeof(lit) - 1)

static const struct mat2_field *field(const struct mat2_result *r,
				      const char *key)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].key, key) == 0)
			return &r->fields[i];
	fail_msg("no field %s", key);
	return NULL;
}

static void test_photo(void **state)
{
	struct mat2_result *r = PARSE(
		"[+] Metadata for file.jpg:\n"
		"    Artist: Jane Doe\n"
		"    DateTimeOriginal: 2024:01:02 03:04:05\n"
		"    ExposureTime: 1/60\n"
		"    GPSLatitude: 43 deg 15' 0.00\" N\n"
		"    LensModel: EF 50mm\n"
		"    Make: Canon\n"
		"    Model: EOS 5D\n"
		"    SerialNumber: 123\n"
		"    Software: GIMP 2.10\n"
		"    XPAuthor: J\n"
		"    CameraOwnerName: Jane\n");

	(void)state;
	assert_int_equal(r->status, MAT2_FOUND);
	assert_int_equal(r->nfields, 11);
	assert_int_equal(field(r, "Artist")->group, MAT2_AUTHOR);
	assert_string_equal(field(r, "Artist")->value, "Jane Doe");
	assert_int_equal(field(r, "DateTimeOriginal")->group, MAT2_DATES);
	assert_int_equal(field(r, "ExposureTime")->group, MAT2_OTHER);
	assert_int_equal(field(r, "GPSLatitude")->group, MAT2_LOCATION);
	assert_string_equal(field(r, "GPSLatitude")->value,
			    "43 deg 15' 0.00\" N");
	assert_int_equal(field(r, "LensModel")->group, MAT2_DEVICE);
	assert_int_equal(field(r, "Make")->group, MAT2_DEVICE);
	assert_int_equal(field(r, "Model")->group, MAT2_DEVICE);
	assert_int_equal(field(r, "SerialNumber")->group, MAT2_DEVICE);
	assert_int_equal(field(r, "Software")->group, MAT2_SOFTWARE);
	assert_int_equal(field(r, "XPAuthor")->group, MAT2_AUTHOR);
	assert_int_equal(field(r, "CameraOwnerName")->group, MAT2_AUTHOR);
	assert_int_equal(r->nnotes, 0);
	free(r);
}

static void test_pdf_and_members(void **state)
{
	struct mat2_result *r = PARSE(
		"[+] Metadata for file.pdf:\n"
		"    author: Jane Doe\n"
		"    creation-date: 1704164645\n"
		"    creator: Writer\n"
		"    format: PDF-1.4\n"
		"    mod-date: -1\n"
		"    producer: LibreOffice 7.4\n");
	struct mat2_result *d = PARSE(
		"[+] Metadata for file.docx:\n"
		"[++] Metadata for docProps/core.xml:\n"
		"      date_time: 2026-12-02 00:33:30\n"
		"      dc:creator: Jane\n"
		"      cp:lastModifiedBy: J. D.\n"
		"      xmp:CreatorTool: Word\n"
		"[++] Metadata for word/document.xml:\n"
		"    No metadata found in word/document.xml.\n"
		"WARNING: Something went wrong during deep cleaning\r\n");

	(void)state;
	assert_int_equal(r->status, MAT2_FOUND);
	assert_int_equal(field(r, "author")->group, MAT2_AUTHOR);
	assert_int_equal(field(r, "creator")->group, MAT2_AUTHOR);
	assert_int_equal(field(r, "creation-date")->group, MAT2_DATES);
	assert_int_equal(field(r, "producer")->group, MAT2_SOFTWARE);
	assert_int_equal(field(r, "format")->group, MAT2_OTHER);
	/* "-1" is mat2's way of saying there is none. */
	assert_int_equal(r->nempty, 1);
	assert_int_equal(r->nfields, 5);

	assert_int_equal(d->status, MAT2_FOUND);
	assert_int_equal(d->nfields, 4);
	assert_string_equal(field(d, "dc:creator")->member,
			    "docProps/core.xml");
	assert_int_equal(field(d, "dc:creator")->group, MAT2_AUTHOR);
	assert_int_equal(field(d, "cp:lastModifiedBy")->group, MAT2_AUTHOR);
	assert_int_equal(field(d, "xmp:CreatorTool")->group, MAT2_SOFTWARE);
	assert_int_equal(field(d, "date_time")->group, MAT2_DATES);
	assert_int_equal(d->nnotes, 1);
	assert_string_equal(d->notes[0],
			    "WARNING: Something went wrong during deep "
			    "cleaning");
	free(r);
	free(d);
}

static void test_none_unsupported_failed(void **state)
{
	struct mat2_result *n = PARSE("  No metadata found in file.wav.\n");
	struct mat2_result *u = PARSE(
		"[-] file's format (x)'s format (None) is not supported\n");
	struct mat2_result *f = PARSE(
		"[-] something went wrong when processing file.jpg: bad\n"
		"Traceback (most recent call last):\n");
	struct mat2_result *s = PARSE("");
	struct mat2_result *e = PARSE(
		"[-] something went wrong when processing file.jpg: \n");

	(void)state;
	assert_int_equal(n->status, MAT2_NONE);
	assert_int_equal(u->status, MAT2_UNSUPPORTED);
	/* A name may hold the pattern: the type is the last one's. */
	assert_string_equal(u->detail, "None");
	assert_int_equal(f->status, MAT2_FAILED);
	assert_string_equal(f->detail, "bad");
	assert_int_equal(f->nnotes, 1);
	assert_int_equal(s->status, MAT2_SILENT);
	assert_int_equal(e->status, MAT2_FAILED);
	free(n);
	free(u);
	free(f);
	free(s);
	free(e);
}

/* Hostile output: controls never survive, sizes never exceed the caps. */
static void test_hostile(void **state)
{
	char *big = malloc(MAT2_OUT_MAX), line[2048];
	struct mat2_result *r;
	size_t n = 0;

	(void)state;
	assert_non_null(big);
	n += (size_t)snprintf(big, MAT2_OUT_MAX, "[+] Metadata for x:\n");
	/* A value of 2000 bytes, with an escape sequence and a NUL. */
	memset(line, 'A', sizeof(line));
	memcpy(line, "    Artist: \033]0;pwned\007", 23); /* and its NUL */
	line[30] = '\0';
	line[sizeof(line) - 1] = '\n';
	memcpy(big + n, line, sizeof(line));
	n += sizeof(line);
	while (n + 32 < MAT2_OUT_MAX)
		n += (size_t)snprintf(big + n, MAT2_OUT_MAX - n,
				      "    K%zu: v\n", n);
	r = parse(big, n);
	assert_int_equal(r->status, MAT2_FOUND);
	assert_int_equal(r->nfields, MAT2_FIELDS_MAX);
	assert_true(r->nlost > 1000);
	assert_string_equal(r->fields[0].key, "Artist");
	assert_true(strlen(r->fields[0].value) <= MAT2_VALUE_MAX);
	assert_null(strchr(r->fields[0].value, '\033'));
	assert_null(strchr(r->fields[0].value, '\007'));
	/* ESC, BEL and the NUL that follows them. */
	assert_memory_equal(r->fields[0].value, "?]0;pwned??AAAAA", 16);
	assert_string_equal(r->fields[0].value + MAT2_VALUE_MAX - 3, "...");
	free(r);

	/* Lines past every field kept, noise past every note kept. */
	n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, MAT2_OUT_MAX - n,
				      "ERROR: noise %d\n", i);
	r = parse(big, n);
	assert_int_equal(r->status, MAT2_SILENT);
	assert_int_equal(r->nnotes, MAT2_NOTES_MAX);
	assert_int_equal(r->nlostnotes, 100 - MAT2_NOTES_MAX);
	free(r);
	free(big);
}

static void test_text_copy(void **state)
{
	char out[8];

	(void)state;
	text_copy(out, sizeof(out), "a\nb\tc", 5);
	assert_string_equal(out, "a?b?c");
	/* Cut at a character boundary: no half of the 3-byte "中". */
	text_copy(out, sizeof(out), "ab\xe4\xb8\xad" "cdef", 9);
	assert_string_equal(out, "ab...");
	text_copy(out, sizeof(out), "abcdefg", 7);
	assert_string_equal(out, "abcdefg");
	text_copy(out, sizeof(out), "abcdefgh", 8);
	assert_string_equal(out, "abcd...");
}

static void test_extensions(void **state)
{
	char e[INSPECT_EXT_MAX + 1];

	(void)state;
	ftype_ext("report.PDF", e);
	assert_string_equal(e, "pdf");
	ftype_ext(".bashrc", e);
	assert_string_equal(e, "");
	ftype_ext("archive.tar.gz", e);
	assert_string_equal(e, "gz");
	ftype_ext("x.verylongextension", e);
	assert_string_equal(e, "");
	ftype_ext("x.j\xc3\xa9g", e);
	assert_string_equal(e, "");
	ftype_ext("noext", e);
	assert_string_equal(e, "");

	assert_int_equal(ftype_check("application/pdf", "exe"),
			 FTYPE_MISMATCH);
	assert_int_equal(ftype_check("application/pdf", "pdf"), FTYPE_MATCH);
	assert_int_equal(ftype_check("image/jpeg", "jpeg"), FTYPE_MATCH);
	assert_int_equal(ftype_check("image/jpeg", "png"), FTYPE_MISMATCH);
	assert_int_equal(ftype_check("image/jpeg", ""), FTYPE_NOEXT);
	/* Plain text may be called many things, but not a photo. */
	assert_int_equal(ftype_check("text/plain", "md"), FTYPE_MATCH);
	assert_int_equal(ftype_check("text/plain", "jpg"), FTYPE_MISMATCH);
	assert_int_equal(ftype_check("application/zip", "kmz"), FTYPE_MATCH);
	assert_int_equal(ftype_check("application/zip", "docx"),
			 FTYPE_MISMATCH);
	assert_int_equal(ftype_check("application/x-unknown", "exe"),
			 FTYPE_UNKNOWN);
	ftype_main_ext(ftype_lookup("image/jpeg"), e);
	assert_string_equal(e, "jpg");
	assert_non_null(ftype_lookup("application/pdf")->caution);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_photo),
		cmocka_unit_test(test_pdf_and_members),
		cmocka_unit_test(test_none_unsupported_failed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_text_copy),
		cmocka_unit_test(test_extensions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
