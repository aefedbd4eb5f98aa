/* Fuzzes codename normalisation: any bytes, never a crash; whatever parses
 * prints back to words and digits that parse to the same canonical form. */
#include <assert.h>
#include <string.h>

#include "codename.h"
#include "crypt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	codename a, b;
	char words[CODENAME_TEXT_MAX], digits[CODENAME_DIGITS_MAX];

	if (crypt_init() != 0)
		return 0;
	if (codename_parse((const char *)data, size, &a) != 0)
		return 0;
	codename_words(&a, words);
	assert(codename_parse(words, strlen(words), &b) == 0);
	assert(memcmp(&a, &b, sizeof a) == 0);
	codename_digits(&a, digits);
	assert(codename_parse(digits, strlen(digits), &b) == 0);
	assert(memcmp(&a, &b, sizeof a) == 0);
	return 0;
}
