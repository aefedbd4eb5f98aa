/* Fuzzes envelope opening with the test newsroom key of tests/vectors/.
 * Mode 0 feeds the bytes as they are, in pieces whose sizes come from the
 * input. Mode 1 reads the input as chunks (tag byte, u16 length, bytes),
 * encrypts them under a valid header, and feeds that: the MAC and stream
 * authentication then pass, so the opener's record, padding and framing
 * rules behind them are exercised too. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "envelope.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static uint8_t pk[32], sk[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *top = getenv("SEALDROP_TOP");
	char path[4096], hex[65];
	FILE *f;

	(void)argc;
	(void)argv;
	if (crypt_init() != 0)
		abort();
	snprintf(path, sizeof path, "%s/tests/vectors/keys/test.box_sk.hex",
		 top ? top : ".");
	if ((f = fopen(path, "r")) == NULL || fread(hex, 1, 64, f) != 64)
		abort();
	fclose(f);
	hex[64] = '\0';
	if (crypt_unhex(sk, sizeof sk, hex) != 0)
		abort();
	crypto_scalarmult_base(pk, sk);
	return 0;
}

static int sink_null(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static int meta_check(void *ctx, const env_meta *m)
{
	(void)ctx;
	assert(m->kind >= ENV_MESSAGE && m->kind <= ENV_REPLY);
	assert(strlen(m->name) <= ENV_NAME_MAX);
	assert(strlen(m->type) <= ENV_TYPE_MAX);
	return 0;
}

/* Opens buf, feeding it in pieces of 1 + (step % 7919) bytes. */
static void open_all(const uint8_t *buf, size_t len, unsigned step)
{
	env_key key = { pk, sk };
	env_open_cb cb = { meta_check, sink_null, NULL };
	env_opener *o;
	size_t off = 0, n;
	int rc = 0, probe;

	if (env_open_begin(&o, &key, 1, &cb) != 0)
		abort();
	while (off < len && rc == 0) {
		n = 1 + (step % 7919);
		if (n > len - off)
			n = len - off;
		rc = env_open_push(o, buf + off, n);
		off += n;
		step = step * 1103515245u + 12345u;
	}
	if (rc == 0)
		rc = env_open_finish(o);
	else
		env_open_abort(o);
	/* A probe refuses exactly what the opener refuses at the header. */
	probe = env_probe(buf, len, &key, 1);
	assert(probe == 0 || probe == rc);
}

/* Builds a well-keyed envelope around the chunks described by data. */
static uint8_t *build(const uint8_t *data, size_t size, size_t *outlen)
{
	uint8_t file_key[32] = { 0 }, mac_key[32], stream_key[32];
	crypto_secretstream_xchacha20poly1305_state st;
	size_t hdr = env_header_len(1), cap = hdr, len;
	uint8_t *out, *p;

	crypto_kdf_derive_from_key(mac_key, 32, 1, "sdenvmac", file_key);
	crypto_kdf_derive_from_key(stream_key, 32, 2, "sdenvstr", file_key);
	cap += size * 2 + 17 * (size + 1);
	if ((out = malloc(cap)) == NULL)
		abort();
	memcpy(out, "sdEV\x01\x01\x00\x00", 8);
	crypto_box_seal(out + 8, file_key, 32, pk);
	crypto_secretstream_xchacha20poly1305_init_push(&st, out + 88,
							stream_key);
	crypto_generichash(out + 112, 32, out, 112, mac_key, 32);
	len = hdr;
	p = (uint8_t *)data;
	while (size >= 3) {
		uint8_t tag = p[0] & 1 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
				       : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
		size_t n = crypt_get16(p + 1);

		p += 3, size -= 3;
		if (n > size)
			n = size;
		crypto_secretstream_xchacha20poly1305_push(&st, out + len,
							   NULL, p, n, NULL, 0,
							   tag);
		len += n + 17;
		p += n, size -= n;
	}
	*outlen = len;
	return out;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	uint8_t *buf;
	size_t len;

	if (size < 2)
		return 0;
	if (data[0] == 0) {
		open_all(data + 2, size - 2, data[1]);
		return 0;
	}
	buf = build(data + 2, size - 2, &len);
	open_all(buf, len, data[1]);
	free(buf);
	return 0;
}
