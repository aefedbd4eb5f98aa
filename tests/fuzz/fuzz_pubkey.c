/* Fuzzes newsroom.pub parsing: any bytes, never a crash; a key that parses
 * formats back to text that parses to the same key. */
#include <assert.h>
#include <string.h>

#include "crypt.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	keys_pub a, b;
	char text[KEYS_FILE_MAX];

	if (crypt_init() != 0)
		return 0;
	if (keys_pub_parse((const char *)data, size, &a) != 0)
		return 0;
	keys_pub_format(&a, text);
	assert(keys_pub_parse(text, strlen(text), &b) == 0);
	assert(memcmp(&a, &b, sizeof a) == 0);
	return 0;
}
