/*
 * crypt.h - the shared core's entry point, error codes and byte helpers.
 *
 * crypto/ is the only code in sealdrop that does cryptography. Every other
 * module asks it to seal, open, derive or sign, and never touches libsodium
 * primitives itself. Call crypt_init() once before anything else.
 */
#ifndef SEALDROP_CRYPT_H
#define SEALDROP_CRYPT_H

#include <stddef.h>
#include <stdint.h>

/* Results shared by every crypto/ module. 0 is success; the rest say why. */
enum crypt_err {
	CRYPT_OK = 0,
	CRYPT_EFORMAT = -1,  /* bytes do not follow the format */
	CRYPT_EVERSION = -2, /* a version or algorithm tag we do not speak */
	CRYPT_ETOOBIG = -3,  /* a length field over its cap */
	CRYPT_ENOKEY = -4,   /* no stanza opens with any of our keys */
	CRYPT_EAUTH = -5,    /* authentication failed: tampered or corrupt */
	CRYPT_ETRUNC = -6,   /* ended before the final chunk or record */
	CRYPT_ETRAIL = -7,   /* data after the final chunk or record */
	CRYPT_EPASS = -8,    /* wrong passphrase */
	CRYPT_ESINK = -9,    /* the caller's sink refused the bytes */
	CRYPT_EIO = -10,     /* a read or write failed (see errno) */
	CRYPT_ENOMEM = -11,  /* out of (locked) memory */
	CRYPT_EUSAGE = -12,  /* the caller broke the API's contract */
	CRYPT_ESIG = -13     /* a signature does not verify */
};

/* Initialises libsodium once; safe to call again. Returns 0, or -1 when the
 * library cannot start (no entropy source): the caller must stop. */
int crypt_init(void);

/* A short, fixed, lower-case English description of err. Never NULL. */
const char *crypt_strerror(int err);

/* Little-endian fixed-width encoding: every format in docs/formats.md is LE. */
static inline void crypt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void crypt_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void crypt_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t crypt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t crypt_get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t crypt_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void crypt_hex(char *out, const uint8_t *in, size_t n);

/* Parses exactly 2n hex digits into n bytes. Returns 0 or CRYPT_EFORMAT. */
int crypt_unhex(uint8_t *out, size_t n, const char *hex);

/* Fills buf with len bytes from the system's CSPRNG: ids, tokens, salts.
 * Everything random in sealdrop comes from here or from crypto/ itself. */
void crypt_random(void *buf, size_t len);

/* A MAC of len bytes at msg under a 32-byte key, outlen (16..64) bytes
 * long: keyed BLAKE2b. For values the server hands out and must know
 * again without keeping them (the anonymous session tickets). */
void crypt_mac(uint8_t *out, size_t outlen, const uint8_t key[32],
	       const void *msg, size_t len);

/* 1 when the n bytes at a and b are equal, in time that does not depend
 * on where they differ. */
int crypt_equal(const void *a, const void *b, size_t n);

/* Days since the Unix epoch (UTC): the only clock sealdrop stores. */
uint32_t crypt_today(void);

/* The day number as YYYY-MM-DD (UTC) in out ("day N" if it has no date);
 * returns out. */
#define CRYPT_DATE_LEN 16
const char *crypt_date(uint32_t day, char out[CRYPT_DATE_LEN]);

#endif
