/*
 * mkvec_bundle.c - writes the bundle test vectors.
 *
 *	mkvec_bundle --write DIR
 *
 * DIR/export.bin and DIR/outbox.bin are valid bundles of the versions
 * before REPLY_STATUS and STATUS_ACK (export 2, outbox 1: what the
 * writers make, given the older version number and signed again), and
 * DIR/export-v3.bin and DIR/outbox-v2.bin valid ones of the current
 * versions with those records; every other file breaks one rule
 * (tests/vectors/README.md says how each must be refused). The outboxes
 * are signed by the test newsroom key, DIR/../keys/test.key; the exports
 * by the test drop key, made from a fixed seed and written as
 * DIR/drop.key with its line in DIR/drop.fpr.
 * Ed25519 signatures are deterministic and everything else is fixed, so
 * rewriting the vectors changes only what changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"
#include "dropkey.h"
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

/* A drop key from a fixed seed, so the vectors are the same each time. */
static dropkey *drop_key(uint8_t seed)
{
	dropkey *k = dropkey_generate();

	if (k == NULL)
		return NULL;
	crypto_sign_seed_keypair(k->pk, k->sk, fill(seed, 32));
	dropkey_id(k->pk, k->id);
	return k;
}

/* What make_export writes. */
enum { X_V2, X_EMPTY, X_V3 };

static size_t make_export(uint8_t *buf, const dropkey *k, int what)
{
	bundle_export *b;
	int fd = memfd_create("export", MFD_CLOEXEC), rc = 0;
	size_t n;

	if (fd < 0 || bundle_export_begin(&b, fd, k) != 0)
		return 0;
	if (what == X_EMPTY)
		goto done;
	rc = bundle_export_source(b, fill(0x11, 32), 20000);
	rc |= bundle_export_source(b, fill(0x12, 32), 20001);
	rc |= bundle_export_receipt(b, fill(0x41, 16));
	if (what == X_V3)
		rc |= bundle_export_reply_status(b, fill(0x41, 16),
						 BUNDLE_REPLY_READ, 20004);
	rc |= bundle_export_submission(b, fill(0x21, 16), fill(0x11, 32),
				       20002, 2);
	rc |= bundle_export_envelope(b, 100);
	rc |= bundle_export_data(b, body(100), 100);
	rc |= bundle_export_envelope(b, 5000);
	rc |= bundle_export_data(b, body(5000), 3000);
	rc |= bundle_export_data(b, body(5000) + 3000, 2000);
	if (what == X_V3)
		rc |= bundle_export_reply_status(b, fill(0x42, 16),
						 BUNDLE_REPLY_DELETED, 20005);
done:
	if (rc != 0) {
		bundle_export_abort(b);
		return 0;
	}
	n = bundle_export_finish(b) == 0 ? take(fd, buf) : 0;
	close(fd);
	return n;
}

/* status_acks 0: an outbox as version 1 could hold (the caller numbers
 * it so); else one with STATUS_ACK records too. */
static size_t make_outbox(uint8_t *buf, const keys_secret *k, int status_acks)
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
	if (status_acks) {
		rc |= bundle_outbox_status_ack(b, fill(0x41, 16),
					       BUNDLE_REPLY_READ);
		rc |= bundle_outbox_status_ack(b, fill(0x42, 16),
					       BUNDLE_REPLY_DELETED);
	}
	if (rc != 0) {
		bundle_outbox_abort(b);
		return 0;
	}
	n = bundle_outbox_finish(b) == 0 ? take(fd, buf) : 0;
	close(fd);
	return n;
}

/* The offset of the nth (from 1) record of this type, in a bundle whose
 * records start at first. */
static size_t find_at(const uint8_t *b, size_t n, size_t first, uint8_t type,
		      int nth)
{
	for (size_t off = first; off + 5 <= n;
	     off += 5 + crypt_get32(b + off + 1))
		if (b[off] == type && --nth == 0)
			return off;
	abort();
}

/* The same in an export bundle. */
static size_t find(const uint8_t *b, size_t n, uint8_t type, int nth)
{
	return find_at(b, n, 40, type, nth);
}

/* Signs b[0, n - 64) with the Ed25519 secret key sk into its last 64
 * bytes. */
static void sign_with(uint8_t *b, size_t n, const uint8_t *sk)
{
	crypto_sign_state st;

	crypto_sign_init(&st);
	crypto_sign_update(&st, b, n - 64);
	crypto_sign_final_create(&st, b + n - 64, NULL, sk);
}

static void resign(uint8_t *b, size_t n, const dropkey *k)
{
	sign_with(b, n, k->sk);
}

/* Writes name: the export bundle b signed again by the drop key, so that
 * only the intended fault remains. */
static int put_export(const char *name, uint8_t *b, size_t n,
		      const dropkey *k)
{
	resign(b, n, k);
	return put(name, b, n);
}

/* The same for an outbox, signed again by the newsroom key. */
static int put_outbox(const char *name, uint8_t *b, size_t n,
		      const keys_secret *k)
{
	sign_with(b, n, k->sign_sk);
	return put(name, b, n);
}

/* b[0, n) with a record of type and len (its payload len bytes of p)
 * put in before the END record; returns the new length. */
static size_t insert_before_end(uint8_t *v, const uint8_t *b, size_t n,
				uint8_t type, const uint8_t *p, uint32_t len)
{
	size_t at = n - 64 - 5;

	memcpy(v, b, at);
	v[at] = type;
	crypt_put32(v + at + 1, len);
	memcpy(v + at + 5, p, len);
	memcpy(v + at + 5 + len, b + at, 5 + 64);
	return n + 5 + len;
}

/* DIR/drop.key and DIR/drop.fpr: the test drop key, and the fingerprint
 * an import must be told to trust it. */
static int write_drop_key(const dropkey *k)
{
	char path[4096], fpr[KEYS_FPR_LEN + 1];

	snprintf(path, sizeof path, "%s/drop.key", dir);
	unlink(path);
	if (dropkey_write(path, k) != 0)
		return -1;
	dropkey_fingerprint(k->pk, fpr);
	fpr[KEYS_FPR_LEN - 1] = '\n';
	return put("drop.fpr", fpr, KEYS_FPR_LEN);
}

/* The version 3 vectors: REPLY_STATUS, well made and not. */
static int write_export_v3(const dropkey *k)
{
	uint8_t b[CAP], v[CAP], p[21];
	size_t n = make_export(b, k, X_V3), at;
	int rc = 0;

	if (n == 0)
		return -1;
	rc |= put("export-v3.bin", b, n);
	memcpy(v, b, n);
	v[find(v, n, 6, 1) + 5 + BUNDLE_ID] = 3;
	rc |= put_export("reply-status-bad-status.bin", v, n, k);
	memcpy(p, fill(0x43, BUNDLE_ID), BUNDLE_ID);
	p[BUNDLE_ID] = BUNDLE_REPLY_READ;
	crypt_put32(p + BUNDLE_ID + 1, 20006);
	rc |= put_export("reply-status-bad-length.bin", v,
			 insert_before_end(v, b, n, 6, p, 20), k);
	/* Well made, but in a version 2 export, which has no such record. */
	memcpy(v, b, n);
	v[4] = 2;
	rc |= put_export("reply-status-in-v2.bin", v, n, k);
	/* Inside the submission: between its last DATA records. */
	at = find(b, n, 4, 3);
	memcpy(v, b, at);
	v[at] = 6;
	crypt_put32(v + at + 1, sizeof p);
	memcpy(v + at + 5, p, sizeof p);
	memcpy(v + at + 5 + sizeof p, b + at, n - at);
	rc |= put_export("reply-status-inside.bin", v, n + 5 + sizeof p, k);
	return rc;
}

static int write_export(void)
{
	uint8_t b[CAP], v[CAP], e[CAP];
	dropkey *k = drop_key(0x77), *other = drop_key(0x98);
	size_t n, en, at;
	int rc = 0;

	if (k == NULL || other == NULL || (n = make_export(b, k, X_V2)) == 0 ||
	    (en = make_export(e, k, X_EMPTY)) == 0) {
		dropkey_free(k);
		dropkey_free(other);
		return -1;
	}
	/* Numbered 2, as a drop before REPLY_STATUS wrote them: readers
	 * still take them. */
	b[4] = e[4] = 2;
	resign(b, n, k);
	resign(e, en, k);
	rc |= write_drop_key(k);
	rc |= put("export.bin", b, n);
	rc |= put("export-empty.bin", e, en);
	rc |= write_export_v3(k);

	memcpy(v, b, n);
	memcpy(v, "SDBX", 4);
	rc |= put_export("bad-magic.bin", v, n, k);
	memcpy(v, b, n);
	v[4] = 4;
	rc |= put_export("wrong-version.bin", v, n, k);
	memcpy(v, b, n);
	v[4] = 1;
	rc |= put_export("version-1.bin", v, n, k);
	rc |= put("truncated.bin", b, n / 2);
	rc |= put("truncated-signature.bin", b, n - 10);
	memcpy(v, b, n);
	v[find(v, n, 4, 1) + 5 + 10] ^= 0x01;
	rc |= put("flipped-byte.bin", v, n);
	memcpy(v, b, n);
	crypt_put32(v + find(v, n, 4, 1) + 1, 2000000);
	rc |= put_export("oversized-length.bin", v, n, k);
	memcpy(v, b, n);
	v[n] = 0;
	rc |= put("data-after-signature.bin", v, n + 1);
	rc |= put("missing-end.bin", b, n - 64 - 5);
	memcpy(v, b, n);
	at = find(v, n, 3, 2);
	crypt_put64(v + at + 5 + 2, crypt_get64(v + at + 5 + 2) + 1);
	rc |= put_export("envelope-short.bin", v, n, k);
	rc |= put_export("unknown-record.bin", v,
			 insert_before_end(v, b, n, 7, NULL, 0), k);
	/* Still naming the test drop key, signed by another. */
	memcpy(v, b, n);
	rc |= put_export("wrong-signer.bin", v, n, other);
	/* Naming another key and signed by it: a valid bundle from a drop
	 * no one pinned, as a stick attacker could make one. */
	memcpy(v, b, n);
	memcpy(v + 8, other->pk, DROPKEY_PK);
	rc |= put_export("other-drop.bin", v, n, other);
	/* export.bin carrying the signature of another export by the same
	 * key. */
	memcpy(v, b, n);
	memcpy(v + n - 64, e + en - 64, 64);
	rc |= put("another-signature.bin", v, n);
	dropkey_free(k);
	dropkey_free(other);
	return rc;
}

/* The version 2 vectors: STATUS_ACK, well made and not. */
static int write_outbox_v2(const keys_secret *k)
{
	uint8_t b[CAP], v[CAP], p[16] = { 0 };
	size_t n = make_outbox(b, k, 1);
	int rc = 0;

	if (n == 0)
		return -1;
	rc |= put("outbox-v2.bin", b, n);
	memcpy(v, b, n);
	v[find_at(v, n, 36, 3, 1) + 5 + BUNDLE_ID] = 0;
	rc |= put_outbox("outbox-status-bad.bin", v, n, k);
	memcpy(p, fill(0x43, BUNDLE_ID), BUNDLE_ID);
	rc |= put_outbox("outbox-status-length.bin", v,
			 insert_before_end(v, b, n, 3, p, sizeof p), k);
	memcpy(v, b, n);
	v[4] = 1;
	rc |= put_outbox("outbox-status-in-v1.bin", v, n, k);
	memcpy(v, b, n);
	v[4] = 3;
	rc |= put_outbox("outbox-wrong-version.bin", v, n, k);
	return rc;
}

static int write_outbox(const keys_secret *k)
{
	uint8_t b[CAP], v[CAP], pk[32], sk[64];
	size_t n = make_outbox(b, k, 0);
	int rc = 0;

	if (n == 0)
		return -1;
	/* Numbered 1, as an outbox before STATUS_ACK: the drop still takes
	 * it. */
	b[4] = 1;
	sign_with(b, n, k->sign_sk);
	rc |= put("outbox.bin", b, n);
	rc |= write_outbox_v2(k);

	/* The header still names the test key; another key, from a fixed
	 * seed so the file is the same each time, signed. */
	crypto_sign_seed_keypair(pk, sk, fill(0x99, 32));
	memcpy(v, b, n);
	sign_with(v, n, sk);
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
