/* Fuzzes export bundle reading through a memory file. Mode 0 feeds the
 * bytes as they are; mode 1 takes them as a bundle whose last 64 bytes
 * are a signature, names the fuzzer's own drop key in the header and signs
 * again, so inputs whose structure is valid can also be accepted. Either
 * way: never a crash, DATA never over its cap, and acceptance only of
 * well-formed bundles signed by the key their header names. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static uint64_t want, got;
static uint8_t header_pk[32];

static int on_envelope(void *ctx, uint16_t index, uint64_t len)
{
	(void)ctx;
	(void)index;
	assert(got == want);
	assert(len >= 1 && len <= BUNDLE_ENVELOPE_MAX);
	want = len;
	got = 0;
	return 0;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	got += len;
	assert(got <= want);
	return 0;
}

/* Only the two statuses there are reach the reader's callback, and only
 * between submissions. */
static int on_reply_status(void *ctx, const uint8_t id[BUNDLE_ID],
			   int status, uint32_t day)
{
	(void)ctx;
	(void)id;
	(void)day;
	assert(status == BUNDLE_REPLY_READ || status == BUNDLE_REPLY_DELETED);
	assert(got == want);
	return 0;
}

static uint8_t fuzz_pk[32], fuzz_sk[64];

static int on_header(void *ctx, const uint8_t pk[32])
{
	(void)ctx;
	memcpy(header_pk, pk, 32);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	bundle_export_cb cb = { .header = on_header, .envelope = on_envelope,
				.data = on_data,
				.reply_status = on_reply_status };
	uint8_t sig[64], *body;
	crypto_sign_state st;
	size_t n;
	int fd, rc;

	if (size < 1 || crypt_init() != 0)
		return 0;
	if (fuzz_pk[0] == 0 && fuzz_pk[1] == 0) {
		uint8_t seed[32] = { 0x46 };

		crypto_sign_seed_keypair(fuzz_pk, fuzz_sk, seed);
	}
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) < 0)
		abort();
	n = size - 1;
	if ((body = malloc(n + 1)) == NULL)
		abort();
	memcpy(body, data + 1, n);
	if (data[0] != 0) {
		n = n > 64 ? n - 64 : 0;
		if (n >= 40)
			memcpy(body + 8, fuzz_pk, 32);
		crypto_sign_init(&st);
		crypto_sign_update(&st, body, n);
		crypto_sign_final_create(&st, sig, NULL, fuzz_sk);
	}
	if (write(fd, body, n) != (ssize_t)n ||
	    (data[0] != 0 && write(fd, sig, sizeof sig) != sizeof sig))
		abort();
	free(body);
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	want = got = 0;
	memset(header_pk, 0, sizeof header_pk);
	rc = bundle_export_read(fd, &cb, NULL, 0);
	if (rc == 0) {
		assert(got == want);
		/* In mode 0 only the committed vectors' keys sign anything
		 * valid; in mode 1 the header names the fuzzer's key. */
		if (data[0] != 0)
			assert(memcmp(header_pk, fuzz_pk, 32) == 0);
	}
	close(fd);
	return 0;
}
