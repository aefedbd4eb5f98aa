/*
 * mkvec_bundle.c - writes the bundle test vectors.
 *
 *	mkvec_bundle --write DIR
 *
 * DIR/export.bin and DIR/outbox.bin are valid bundles made by the writers;
 * every other file breaks one rule (tests/vectors/README.md says how each
 * must be refused). The outbox is signed by the test newsroom key,
 * DIR/../keys/test.key. Everything else is fixed, so rewriting the
 * vectors changes only what changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"
#include "fileio.h"
#include "keys.h"

#define CAP 65536

static const char *dir;

static int put(const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "mkvec_bundle: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static char *get(const char *name, size_t *len)
{
	char path[4096], *text;

	snprintf(path, sizeof path, "%s/../keys/%s", dir, name);
	return fileio_slurp(path, KEYS_FILE_MAX, &text, len) == 0 ? text
								    : NULL;
}

/* The test newsroom key, opened with its passphrase file. */
static keys_secret *signer(void)
{
	char *text, *pass = NULL;
	keys_secret *k = NULL;
	size_t len, plen;

	if ((text = get("test.key", &len)) == NULL ||
	    (pass = get("test.pass", &plen)) == NULL ||
	    keys_secret_open(text, len, pass, strcspn(pass, "\n"), &k) != 0)
		k = NULL;
	free(text);
	if (pass != NULL)
		sodium_memzero(pass, plen);
	free(pass);
	return k;
}

static const uint8_t *fill(uint8_t tag, size_t n)
{
	static uint8_t b[2][32];
	static unsigned next;
	uint8_t *p = b[next++ % 2];

	memset(p, tag, n);
	return p;
}

/* Placeholder envelope bytes: the bundle does not look inside. */
static const uint8_t *body(size_t n)
{
	static uint8_t b[5000];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	return b;
}

/* What was written to a memfd. */
static size_t take(int fd, uint8_t *buf)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end <= 0 || end > CAP || pread(fd, buf, (size_t)end, 0) != end)
		return 0;
	return (size_t)end;
}

static size_t make_export(uint8_t *buf)
{
	bundle_export *b;
	int fd = memfd_create("export", MFD_CLOEXEC), rc;
	size_t n;

	if (fd < 0 || bundle_export_begin(&b, fd) != 0)
		return 0;
	rc = bundle_export_source(b, fill(0x11, 32), 20000);
	rc |= bundle_export_source(b, fill(0x12, 32), 20001);
	rc |= bundle_export_receipt(b, fill(0x41, 16));
	rc |= bundle_export_submission(b, fill(0x21, 16), fill(0x11, 32),
				       20002, 2);
	rc |= bundle_export_envelope(b, 100);
	rc |= bundle_export_data(b, body(100), 100);
	rc |= bundle_export_envelope(b, 5000);
	rc |= bundle_export_data(b, body(5000), 3000);
	rc |= bundle_export_data(b, body(5000) + 3000, 2000);
	if (rc != 0) {
		bundle_export_abort(b);
		return 0;
	}
	n = bundle_export_finish(b) == 0 ? take(fd, buf) : 0;
	close(fd);
	return n;
}

static size_t make_outbox(uint8_t *buf, const keys_secret *k)
{
	bundle_outbox *b;
	int fd = memfd_create("outbox", MFD_CLOEXEC), rc;
	size_t n;

	if (fd < 0 || bundle_outbox_begin(&b, fd, k, fill(0x30, 16),
					  20003) != 0)
		return 0;
	rc = bundle_outbox_reply(b, fill(0x51, 16), fill(0x11, 32), body(300),
				 300);
	rc |= bundle_outbox_ack(b, fill(0x21, 16));
	if (rc != 0) {
		bundle_outbox_abort(b);
		return 0;
	}
	n = bundle_outbox_finish(b) == 0 ? take(fd, buf) : 0;
	close(fd);
	return n;
}

/* The offset of the nth (from 1) export record of this type. */
static size_t find(const uint8_t *b, size_t n, uint8_t type, int nth)
{
	for (size_t off = 8; off + 5 <= n; off += 5 + crypt_get32(b + off + 1))
		if (b[off] == type && --nth == 0)
			return off;
	abort();
}

/* Writes name: the export bundle b with its checksum made right again,
 * so that only the intended fault remains. */
static int put_export(const char *name, uint8_t *b, size_t n)
{
	crypto_generichash(b + n - 32, 32, b, n - 32, NULL, 0);
	return put(name, b, n);
}

static int write_export(void)
{
	uint8_t b[CAP], v[CAP];
	size_t n = make_export(b), at;
	int rc = 0;

	if (n == 0)
		return -1;
	rc |= put("export.bin", b, n);

	memcpy(v, b, n);
	memcpy(v, "SDBX", 4);
	rc |= put_export("bad-magic.bin", v, n);
	memcpy(v, b, n);
	v[4] = 2;
	rc |= put_export("wrong-version.bin", v, n);
	rc |= put("truncated.bin", b, n / 2);
	memcpy(v, b, n);
	v[find(v, n, 4, 1) + 5 + 10] ^= 0x01;
	rc |= put("flipped-byte.bin", v, n);
	memcpy(v, b, n);
	crypt_put32(v + find(v, n, 4, 1) + 1, 2000000);
	rc |= put_export("oversized-length.bin", v, n);
	memcpy(v, b, n);
	v[n] = 0;
	rc |= put("data-after-checksum.bin", v, n + 1);
	rc |= put("missing-end.bin", b, n - 32 - 5);
	memcpy(v, b, n);
	at = find(v, n, 3, 2);
	crypt_put64(v + at + 5 + 2, crypt_get64(v + at + 5 + 2) + 1);
	rc |= put_export("envelope-short.bin", v, n);
	at = n - 32 - 5;
	memcpy(v, b, at);
	memcpy(v + at, "\x06\0\0\0\0", 5);
	memcpy(v + at + 5, b + at, 37);
	rc |= put_export("unknown-record.bin", v, n + 5);
	return rc;
}

static int write_outbox(const keys_secret *k)
{
	uint8_t b[CAP], v[CAP], pk[32], sk[64];
	crypto_sign_state st;
	size_t n = make_outbox(b, k);
	int rc = 0;

	if (n == 0)
		return -1;
	rc |= put("outbox.bin", b, n);

	/* The header still names the test key; another key, from a fixed
	 * seed so the file is the same each time, signed. */
	crypto_sign_seed_keypair(pk, sk, fill(0x99, 32));
	memcpy(v, b, n);
	crypto_sign_init(&st);
	crypto_sign_update(&st, v, n - 64);
	crypto_sign_final_create(&st, v + n - 64, NULL, sk);
	sodium_memzero(sk, sizeof sk);
	rc |= put("outbox-wrong-signer.bin", v, n);
	memcpy(v, b, n);
	v[36 + 5 + 48 + 10] ^= 0x01;
	rc |= put("outbox-flipped.bin", v, n);
	memcpy(v, b, n);
	v[n] = 0;
	rc |= put("outbox-trailing.bin", v, n + 1);
	return rc;
}

int main(int argc, char **argv)
{
	keys_secret *k;
	int rc;

	if (argc != 3 || strcmp(argv[1], "--write") != 0) {
		printf("usage: mkvec_bundle --write DIR\n"
		       "writes the export and outbox bundle vectors into DIR, "
		       "signing with\nDIR/../keys/test.key\n");
		return 0;
	}
	dir = argv[2];
	if (crypt_init() != 0 || (k = signer()) == NULL) {
		fprintf(stderr, "mkvec_bundle: cannot open %s/../keys/test.key"
			"\n", dir);
		return 1;
	}
	rc = write_export() | write_outbox(k);
	keys_secret_free(k);
	if (rc != 0)
		fprintf(stderr, "mkvec_bundle: failed\n");
	return rc != 0;
}
