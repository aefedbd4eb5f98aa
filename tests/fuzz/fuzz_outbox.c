/* Fuzzes outbox bundle parsing against a fixed trusted key.
 * Mode 0 feeds the bytes as they are: they cannot carry a valid signature,
 * so the parse must fail with no callback run. Mode 1 puts our key id in
 * the header and signs the bytes, so the structural parser behind the
 * signature check is exercised too. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int calls;

static int on_header(void *ctx, const uint8_t id[BUNDLE_ID], uint32_t day,
		     const keys_pub *signer)
{
	(void)ctx;
	(void)id;
	(void)day;
	assert(signer != NULL);
	calls++;
	return 0;
}

static int on_ack(void *ctx, const uint8_t id[BUNDLE_ID])
{
	(void)ctx;
	(void)id;
	calls++;
	return 0;
}

static int on_status_ack(void *ctx, const uint8_t id[BUNDLE_ID], int status)
{
	(void)ctx;
	(void)id;
	assert(status == BUNDLE_REPLY_READ || status == BUNDLE_REPLY_DELETED);
	calls++;
	return 0;
}

static int on_reply(void *ctx, const uint8_t id[BUNDLE_ID],
		    const uint8_t pk[32], const uint8_t *env, size_t len)
{
	(void)ctx;
	(void)id;
	(void)pk;
	(void)env;
	assert(len > 0 && len <= BUNDLE_REPLY_MAX);
	calls++;
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static keys_secret *k;
	bundle_outbox_cb cb = { on_header, on_reply, on_ack, on_status_ack,
				NULL };
	crypto_sign_state st;
	uint8_t *buf;
	int rc;

	if (size < 1 || crypt_init() != 0)
		return 0;
	if (k == NULL && (k = keys_generate()) == NULL)
		abort();
	calls = 0;
	if (data[0] == 0) {
		rc = bundle_outbox_parse(data + 1, size - 1, &k->pub, 1, &cb,
					 NULL, 0);
		assert(rc != 0 && calls == 0);
		return 0;
	}
	data++, size--;
	if ((buf = malloc(size + 64)) == NULL)
		abort();
	memcpy(buf, data, size);
	if (size >= 8 + KEYS_ID_BYTES)
		memcpy(buf + 8, k->pub.id, KEYS_ID_BYTES);
	crypto_sign_init(&st);
	crypto_sign_update(&st, buf, size);
	crypto_sign_final_create(&st, buf + size, NULL, k->sign_sk);
	rc = bundle_outbox_parse(buf, size + 64, &k->pub, 1, &cb, NULL, 0);
	assert(rc == 0 || calls == 0);
	free(buf);
	return 0;
}
