/*
 * mat2.h - reading what `mat2 --show` says about a file.
 *
 * mat2 runs on a hostile file, and what it prints quotes the file's own
 * metadata: this is a parser of untrusted bytes. It keeps at most
 * MAT2_FIELDS_MAX fields and MAT2_NOTES_MAX other lines, each cut to a
 * fixed length, whatever the input; it never fails. Every field is put in
 * one of a few groups that say why it matters to a source.
 */
#ifndef SEALDROP_INSPECT_MAT2_H
#define SEALDROP_INSPECT_MAT2_H

#include <stddef.h>

/* Most of mat2's output the inspector reads, in bytes. */
#define MAT2_OUT_MAX (1u << 20)

#define MAT2_FIELDS_MAX 256
#define MAT2_KEY_MAX 80
#define MAT2_VALUE_MAX 240
#define MAT2_MEMBER_MAX 80
#define MAT2_NOTES_MAX 8
#define MAT2_NOTE_MAX 240

enum mat2_group {
	MAT2_LOCATION, /* GPS and place names */
	MAT2_AUTHOR,   /* people: author, artist, owner, copyright */
	MAT2_DEVICE,   /* camera or device: make, model, serial, lens */
	MAT2_SOFTWARE, /* programs that made or edited it */
	MAT2_DATES,    /* when it was made or changed */
	MAT2_OTHER,
	MAT2_NGROUPS
};

enum mat2_status {
	MAT2_SILENT,      /* nothing mat2 is known to print */
	MAT2_FOUND,       /* metadata listed (fields, possibly none kept) */
	MAT2_NONE,        /* mat2 says it found no metadata */
	MAT2_UNSUPPORTED, /* mat2 does not know the format */
	MAT2_FAILED,      /* mat2 could not read or clean it */
};

struct mat2_field {
	enum mat2_group group;
	char key[MAT2_KEY_MAX + 1];
	char value[MAT2_VALUE_MAX + 1];
	char member[MAT2_MEMBER_MAX + 1]; /* "" or the archive member */
};

/* What one run of mat2 said. Large: allocate it. */
struct mat2_result {
	enum mat2_status status;
	char detail[MAT2_NOTE_MAX + 1]; /* unsupported: mat2's name of the
					 * type; failed: its reason */
	size_t nfields;
	size_t nlost;  /* fields past MAT2_FIELDS_MAX */
	size_t nempty; /* fields with no value ("", "-1", "None") */
	struct mat2_field fields[MAT2_FIELDS_MAX];
	size_t nnotes;
	size_t nlostnotes;
	char notes[MAT2_NOTES_MAX][MAT2_NOTE_MAX + 1]; /* warnings, errors */
};

/* Parses len bytes of mat2's output (stdout and stderr together) into r.
 * Any bytes are accepted. */
void mat2_parse(const char *buf, size_t len, struct mat2_result *r);

/* The group of a metadata key as mat2 names it ("GPSLatitude",
 * "dc:creator", "creation-date"...). */
enum mat2_group mat2_group_of(const char *key);

/* The group's name for the report: "Location", "Author"... */
const char *mat2_group_name(enum mat2_group g);

#endif
