/* Fuzzes the inspector's reader of `mat2 --show` output, which quotes a
 * hostile file's metadata. Whatever the bytes: it never reads past them,
 * keeps no more than its caps, and nothing it keeps holds a control
 * character or is longer than its field. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "mat2.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void clean(const char *s, size_t cap)
{
	size_t n = strlen(s);

	assert(n <= cap);
	for (size_t i = 0; i < n; i++)
		assert((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct mat2_result r;
	char *buf;

	if (size > MAT2_OUT_MAX)
		return 0;
	/* Exactly size bytes, so reading one more is caught. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	mat2_parse(buf, size, &r);
	assert(r.nfields <= MAT2_FIELDS_MAX && r.nnotes <= MAT2_NOTES_MAX);
	assert(r.status <= MAT2_FAILED);
	clean(r.detail, MAT2_NOTE_MAX);
	for (size_t i = 0; i < r.nfields; i++) {
		assert(r.fields[i].group < MAT2_NGROUPS);
		assert(r.fields[i].group == mat2_group_of(r.fields[i].key));
		clean(r.fields[i].key, MAT2_KEY_MAX);
		clean(r.fields[i].value, MAT2_VALUE_MAX);
		clean(r.fields[i].member, MAT2_MEMBER_MAX);
		assert(r.fields[i].key[0] != '\0');
	}
	for (size_t i = 0; i < r.nnotes; i++)
		clean(r.notes[i], MAT2_NOTE_MAX);
	free(buf);
	return 0;
}
