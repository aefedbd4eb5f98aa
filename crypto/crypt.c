/*
 * crypt.c - libsodium start-up, error strings and byte helpers.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "crypt.h"

int
crypt_init(void)
{
	/* sodium_init is idempotent and thread safe: 1 means "already". */
	return sodium_init() < 0 ? -1 : 0;
}

const char *
crypt_strerror(int err)
{
	switch (err) {
	case CRYPT_OK:		return "success";
	case CRYPT_EFORMAT:	return "malformed data";
	case CRYPT_EVERSION:	return "unsupported version";
	case CRYPT_ETOOBIG:	return "too large";
	case CRYPT_ENOKEY:	return "not encrypted to any of our keys";
	case CRYPT_EAUTH:	return "authentication failed";
	case CRYPT_ETRUNC:	return "truncated";
	case CRYPT_ETRAIL:	return "trailing data";
	case CRYPT_EPASS:	return "wrong passphrase";
	case CRYPT_ESINK:	return "output refused";
	case CRYPT_EIO:		return "input/output error";
	case CRYPT_ENOMEM:	return "out of memory";
	case CRYPT_EUSAGE:	return "invalid use";
	case CRYPT_ESIG:	return "bad signature";
	}
	return "unknown error";
}

void
crypt_hex(char *out, const uint8_t *in, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

int
crypt_unhex(uint8_t *out, size_t n, const char *hex)
{
	const char *end;
	size_t got;

	if (strnlen(hex, 2 * n + 1) != 2 * n ||
	    sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) != 0 ||
	    got != n || end != hex + 2 * n)
		return CRYPT_EFORMAT;
	return 0;
}

void
crypt_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

void
crypt_mac(uint8_t *out, size_t outlen, const uint8_t key[32],
	  const void *msg, size_t len)
{
	crypto_generichash(out, outlen, msg, len, key, 32);
}

int
crypt_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

uint32_t
crypt_today(void)
{
	return (uint32_t)(time(NULL) / 86400);
}

const char *
crypt_date(uint32_t day, char out[CRYPT_DATE_LEN])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, CRYPT_DATE_LEN, "%Y-%m-%d", &tm))
		snprintf(out, CRYPT_DATE_LEN, "day %u", (unsigned)day);
	return out;
}
