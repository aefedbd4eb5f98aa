/* Fuzzes export bundle reading through a pipe-free memory file.
 * Mode 0 feeds the bytes as they are; mode 1 appends the right checksum,
 * so inputs whose structure is valid can also be accepted. Either way:
 * never a crash, DATA never over its cap, and acceptance only of
 * well-formed bundles. */
#include <assert.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static uint64_t want, got;

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

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	bundle_export_cb cb = { .envelope = on_envelope, .data = on_data };
	uint8_t sum[32];
	int fd, rc;

	if (size < 1 || crypt_init() != 0)
		return 0;
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) < 0)
		abort();
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	if (data[0] != 0) {
		crypto_generichash(sum, sizeof sum, data + 1, size - 1,
				   NULL, 0);
		if (write(fd, sum, sizeof sum) != sizeof sum)
			abort();
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	want = got = 0;
	rc = bundle_export_read(fd, &cb, NULL, 0);
	if (rc == 0)
		assert(got == want);
	close(fd);
	return 0;
}
