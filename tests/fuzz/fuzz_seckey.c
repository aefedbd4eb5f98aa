/* Fuzzes newsroom.key parsing and decryption with a fixed passphrase.
 * Inputs that parse run Argon2id at the limits they carry (capped by the
 * parser), so executions are slow once the fuzzer finds the format. */
#include <assert.h>
#include <string.h>

#include "crypt.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char pass[] = "test passphrase";
	keys_secret *k = NULL;
	int rc;

	if (crypt_init() != 0)
		return 0;
	rc = keys_secret_open((const char *)data, size, pass,
			      sizeof pass - 1, &k);
	assert((rc == 0) == (k != NULL));
	keys_secret_free(k);
	return 0;
}
