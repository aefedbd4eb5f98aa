/*
 * mat2.c - mat2's report, line by line.
 *
 * What mat2 0.13 prints with --show (it drops control characters itself,
 * which this parser does not rely on):
 *   "[+] Metadata for NAME:"               then fields, 4 spaces deep
 *   "[++] Metadata for MEMBER:"            an archive member's, 6 deep
 *   "    KEY: VALUE"
 *   "  No metadata found in NAME."
 *   "[-] NAME's format (TYPE) is not supported"
 *   "[-] something went wrong when processing NAME: REASON"
 *   "[-] NAME can't be cleaned: REASON", "[-] NAME doesn't exist." ...
 * and, on standard error, "WARNING: ..." and "ERROR: ..." lines.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mat2.h"
#include "text.h"

/* Longest key classified; a longer one is "other". */
#define NORM_MAX 64

static const char *const group_names[MAT2_NGROUPS] = {
	"Location", "Author", "Device", "Software", "Dates", "Other",
};

const char *mat2_group_name(enum mat2_group g)
{
	return g < MAT2_NGROUPS ? group_names[g] : "Other";
}

static int has(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return 1;
	return 0;
}

static int ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum mat2_group mat2_group_of(const char *key)
{
	static const char *const location[] = {
		"latitude", "longitude", "altitude", "location", "city",
		"country", "province", "geotag", "geolocation", NULL };
	/* Before author: "CreatorTool" is a program, not a person. */
	static const char *const software[] = {
		"software", "producer", "creatortool", "application",
		"generator", "encoder", "encodedby", "program", "appversion",
		"tool", NULL };
	/* Before device: "CameraOwnerName" is a person. */
	static const char *const author[] = {
		"author", "artist", "creator", "owner", "copyright", "byline",
		"credit", "lastmodifiedby", "lastsavedby", "writer", "company",
		"manager", "contributor", "publisher", "rights", "email",
		"username", NULL };
	static const char *const device[] = {
		"serial", "lens", "camera", "manufacturer", "hostcomputer",
		"uniqueid", "printer", "firmware", NULL };
	static const char *const dates[] = {
		"date", "timestamp", "creationtime", "createtime",
		"modifytime", "offsettime", NULL };
	const char *colon = strrchr(key, ':');
	char n[NORM_MAX + 1];
	size_t len = 0;

	/* "dc:creator", "meta:initial-creator": the name after the
	 * namespace, lowercase, letters and digits only. */
	for (const char *p = colon ? colon + 1 : key; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isascii(c) || !isalnum(c))
			continue;
		if (len == NORM_MAX)
			return MAT2_OTHER;
		n[len++] = (char)tolower(c);
	}
	n[len] = '\0';
	if (len == 0)
		return MAT2_OTHER;
	if (strncmp(n, "gps", 3) == 0 || has(n, location))
		return MAT2_LOCATION;
	if (has(n, software))
		return MAT2_SOFTWARE;
	if (has(n, author))
		return MAT2_AUTHOR;
	if (ends(n, "make") || ends(n, "model") || has(n, device))
		return MAT2_DEVICE;
	if (has(n, dates) || ends(n, "created") || ends(n, "modified"))
		return MAT2_DATES;
	return MAT2_OTHER;
}

static void note(struct mat2_result *r, const char *s, size_t n)
{
	if (r->nnotes == MAT2_NOTES_MAX) {
		r->nlostnotes++;
		return;
	}
	text_copy(r->notes[r->nnotes++], sizeof(r->notes[0]), s, n);
}

/* The first occurrence of needle in the n bytes at s, or NULL. */
static const char *find(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, needle, m) == 0)
			return s + i;
	return NULL;
}

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t m = strlen(prefix);

	return n >= m && memcmp(s, prefix, m) == 0;
}

/* The fail a "[-] " line is: mat2 named a type it does not support, or
 * gave a reason. The first such line counts. */
static void error_line(struct mat2_result *r, const char *s, size_t n)
{
	static const char fmt[] = "'s format (";
	const char *p, *last = NULL;

	static const char tail[] = ") is not supported";
	const size_t tn = sizeof(tail) - 1;

	if (r->status == MAT2_UNSUPPORTED || r->status == MAT2_FAILED) {
		note(r, s, n);
		return;
	}

	if (n >= tn && memcmp(s + n - tn, tail, tn) == 0) {
		/* The name may hold "'s format (": the type is in the last. */
		for (p = s; (p = find(p, n - (size_t)(p - s), fmt)); p++)
			last = p;
		if (last) {
			r->status = MAT2_UNSUPPORTED;
			last += sizeof(fmt) - 1;
			text_copy(r->detail, sizeof(r->detail), last,
				  (size_t)(s + n - tn - last));
			return;
		}
	}
	r->status = MAT2_FAILED;
	p = find(s, n, ": ");
	if (p && (size_t)(p + 2 - s) < n)
		text_copy(r->detail, sizeof(r->detail), p + 2,
			  n - (size_t)(p + 2 - s));
	else
		text_copy(r->detail, sizeof(r->detail), s, n);
}

static int empty_value(const char *v, size_t n)
{
	return n == 0 || (n == 2 && memcmp(v, "-1", 2) == 0) ||
	       (n == 4 && memcmp(v, "None", 4) == 0);
}

static void field(struct mat2_result *r, const char *member, const char *s,
		  size_t n)
{
	const char *sep = find(s, n, ": ");
	struct mat2_field *f;
	size_t klen, vlen;

	if (!sep || sep == s) {
		note(r, s, n);
		return;
	}
	klen = (size_t)(sep - s);
	vlen = n - klen - 2;
	if (empty_value(sep + 2, vlen)) {
		r->nempty++;
		return;
	}
	if (r->nfields == MAT2_FIELDS_MAX) {
		r->nlost++;
		return;
	}
	f = &r->fields[r->nfields++];
	text_copy(f->key, sizeof(f->key), s, klen);
	text_copy(f->value, sizeof(f->value), sep + 2, vlen);
	snprintf(f->member, sizeof(f->member), "%s", member);
	f->group = mat2_group_of(f->key);
}

static void line(struct mat2_result *r, char *member, const char *s,
		 size_t n)
{
	size_t depth = 0, indent = 0;
	const char *p;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	while (indent < n && s[indent] == ' ')
		indent++;
	if (indent == n)
		return;
	if (indent == 0 && starts(s, n, "[-] ")) {
		error_line(r, s + 4, n - 4);
		return;
	}
	if (indent == 0 && n > 1 && s[0] == '[') {
		while (1 + depth < n && s[1 + depth] == '+')
			depth++;
		p = s + 1 + depth;
		if (depth > 0 && starts(p, n - 1 - depth, "] Metadata for ") &&
		    s[n - 1] == ':') {
			p += 15;
			if (depth == 1) {
				if (r->status == MAT2_SILENT ||
				    r->status == MAT2_NONE)
					r->status = MAT2_FOUND;
				member[0] = '\0';
			} else {
				text_copy(member, MAT2_MEMBER_MAX + 1, p,
					  (size_t)(s + n - 1 - p));
			}
			return;
		}
	}
	if (indent > 0 && starts(s + indent, n - indent,
				 "No metadata found in ")) {
		/* A member without metadata says so deeper down. */
		if (indent <= 2 && r->status == MAT2_SILENT)
			r->status = MAT2_NONE;
		return;
	}
	if (indent >= 4 && (r->status == MAT2_FOUND)) {
		field(r, member, s + indent, n - indent);
		return;
	}
	note(r, s + indent, n - indent);
}

void mat2_parse(const char *buf, size_t len, struct mat2_result *r)
{
	char member[MAT2_MEMBER_MAX + 1] = "";
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	r->status = MAT2_SILENT;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;

		line(r, member, buf + i, n);
		i += n + 1;
	}
}
