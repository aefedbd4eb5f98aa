/*
 * sdtest - the newsroom's side of the drop for shell tests, before and
 * beside the real offline tool. Test use only: the key's passphrase is
 * fixed and contents are reported as hashes, never written out.
 *
 *   sdtest keygen DIR
 *   sdtest outbox KEYDIR OUT [--reply SOURCE_PK_HEX TEXT]...
 *                 [--reply-uid UID SOURCE_PK_HEX TEXT]... [--ack ID]...
 *                 [--status-ack UID read|deleted]...
 *   sdtest open-export KEYDIR BUNDLE
 *   sdtest forge-export BUNDLE PUBFILE OUT TEXT [--claim] [--receipt ID]
 *
 * open-export prints a line per submission (its id, source key and each
 * envelope's kind, name and content hash), per receipt, and per reply
 * status ("status UID read|deleted DAY").
 *
 * forge-export is what an attacker holding the USB stick and newsroom.pub
 * can make: BUNDLE's first source and submission id, with TEXT sealed to
 * the newsroom key in place of what the source sent, signed by a drop key
 * of the attacker's own (--claim: the header names BUNDLE's drop key
 * instead), and optionally a receipt for reply ID.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle.h"
#include "crypt.h"
#include "dropkey.h"
#include "envelope.h"
#include "fileio.h"
#include "keys.h"

#define PASS "test passphrase"

static void die(const char *what, int err)
{
	fprintf(stderr, "sdtest: %s: %s\n", what,
		err ? crypt_strerror(err) : "failed");
	exit(2);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = fileio_create_private(path, 1);
	if (fd < 0 || fileio_write_all(fd, text, strlen(text)) < 0 ||
	    fileio_sync_close(fd) < 0)
		die(path, CRYPT_EIO);
}

static int cmd_keygen(int argc, char **argv)
{
	char text[KEYS_FILE_MAX];
	if (argc != 1)
		die("usage: keygen DIR", 0);
	keys_secret *k = keys_generate();
	if (!k || fileio_mkdir_private(argv[0]) < 0)
		die("keygen", CRYPT_ENOMEM);
	keys_pub_format(&k->pub, text);
	write_text(argv[0], "newsroom.pub", text);
	int r = keys_secret_seal(k, PASS, strlen(PASS),
				 crypto_pwhash_OPSLIMIT_MODERATE,
				 crypto_pwhash_MEMLIMIT_MODERATE, text);
	if (r)
		die("seal", r);
	write_text(argv[0], "newsroom.key", text);
	keys_secret_free(k);
	return 0;
}

static keys_secret *load_secret(const char *dir)
{
	char path[4096], *text;
	size_t len;
	keys_secret *k;
	snprintf(path, sizeof(path), "%s/newsroom.key", dir);
	int r = fileio_slurp(path, KEYS_FILE_MAX, &text, &len);
	if (r)
		die(path, r);
	r = keys_secret_open(text, len, PASS, strlen(PASS), &k);
	free(text);
	if (r)
		die("open key", r);
	return k;
}

struct membuf {
	uint8_t *p;
	size_t len;
};

static int mem_sink(void *ctx, const uint8_t *buf, size_t len)
{
	struct membuf *m = ctx;
	if (m->len + len > BUNDLE_REPLY_MAX)
		return 1;
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* uidhex NULL: a fresh random reply id. */
static void add_reply(bundle_outbox *b, const char *uidhex, const char *pkhex,
		      const char *text)
{
	uint8_t pk[32], id[BUNDLE_ID];
	char idhex[2 * BUNDLE_ID + 1];
	struct membuf m = { malloc(BUNDLE_REPLY_MAX), 0 };
	env_meta meta = { .kind = ENV_REPLY };
	env_sealer *s;
	if (!m.p || crypt_unhex(pk, 32, pkhex))
		die("--reply needs a 64-digit source key", 0);
	if (env_seal_begin(&s, (const uint8_t (*)[32])pk, 1, &meta, mem_sink,
			   &m) || env_seal_push(s, text, strlen(text)) ||
	    env_seal_finish(s, NULL))
		die("seal reply", 0);
	if (!uidhex)
		randombytes_buf(id, sizeof(id));
	else if (crypt_unhex(id, BUNDLE_ID, uidhex))
		die("--reply-uid needs a 32-digit id", 0);
	int r = bundle_outbox_reply(b, id, pk, m.p, m.len);
	if (r)
		die("reply", r);
	crypt_hex(idhex, id, BUNDLE_ID);
	printf("reply %s\n", idhex);
	free(m.p);
}

static const char *status_name(int status)
{
	return status == BUNDLE_REPLY_READ ? "read" :
	       status == BUNDLE_REPLY_DELETED ? "deleted" : "?";
}

static int cmd_outbox(int argc, char **argv)
{
	uint8_t id[BUNDLE_ID], sub[BUNDLE_ID];
	bundle_outbox *b;
	if (argc < 2)
		die("usage: outbox KEYDIR OUT [--reply PK TEXT] [--ack ID]", 0);
	keys_secret *k = load_secret(argv[0]);
	int fd = fileio_create_private(argv[1], 1);
	if (fd < 0)
		die(argv[1], CRYPT_EIO);
	randombytes_buf(id, sizeof(id));
	int r = bundle_outbox_begin(&b, fd, k, id, crypt_today());
	if (r)
		die("outbox", r);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--reply") && i + 2 < argc) {
			add_reply(b, NULL, argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (!strcmp(argv[i], "--reply-uid") && i + 3 < argc) {
			add_reply(b, argv[i + 1], argv[i + 2], argv[i + 3]);
			i += 3;
		} else if (!strcmp(argv[i], "--ack") && i + 1 < argc) {
			if (crypt_unhex(sub, BUNDLE_ID, argv[++i]))
				die("--ack needs a 32-digit id", 0);
			if ((r = bundle_outbox_ack(b, sub)))
				die("ack", r);
		} else if (!strcmp(argv[i], "--status-ack") && i + 2 < argc) {
			const char *st = argv[i + 2];
			int status = !strcmp(st, "read") ? BUNDLE_REPLY_READ :
				     !strcmp(st, "deleted") ?
				     BUNDLE_REPLY_DELETED : 0;
			if (crypt_unhex(sub, BUNDLE_ID, argv[i + 1]) || !status)
				die("--status-ack needs a 32-digit reply id "
				    "and read or deleted", 0);
			if ((r = bundle_outbox_status_ack(b, sub, status)))
				die("status ack", r);
			i += 2;
		} else {
			die("unknown outbox argument", 0);
		}
	}
	if ((r = bundle_outbox_finish(b)))
		die("finish", r);
	if (fileio_sync_close(fd) < 0)
		die(argv[1], CRYPT_EIO);
	keys_secret_free(k);
	return 0;
}

/* Reading an export: each envelope is opened as it streams by. */
struct reader {
	keys_secret *k;
	env_opener *o;
	crypto_generichash_state h;
	env_meta meta;
	int open_err;
};

static const char *kind_name(int kind)
{
	return kind == ENV_MESSAGE ? "message" :
	       kind == ENV_FILE ? "file" : kind == ENV_REPLY ? "reply" : "?";
}

static int on_meta(void *ctx, const env_meta *meta)
{
	struct reader *rd = ctx;
	rd->meta = *meta;
	return 0;
}

static int on_plain(void *ctx, const uint8_t *buf, size_t len)
{
	struct reader *rd = ctx;
	return crypto_generichash_update(&rd->h, buf, len);
}

static void end_envelope(struct reader *rd)
{
	uint8_t digest[32];
	char hex[65];
	if (!rd->o)
		return;
	int r = env_open_finish(rd->o);
	rd->o = NULL;
	if (r || rd->open_err)
		die("envelope does not open", r ? r : rd->open_err);
	crypto_generichash_final(&rd->h, digest, sizeof(digest));
	crypt_hex(hex, digest, sizeof(digest));
	for (unsigned char *c = (unsigned char *)rd->meta.name; *c; c++)
		if (*c <= ' ' || *c == '/' || *c == 0x7f)
			*c = '?';
	printf(" %s/%s/%s", kind_name(rd->meta.kind), rd->meta.name, hex);
}

static int on_submission(void *ctx, const uint8_t id[BUNDLE_ID],
			 const uint8_t pk[32], uint32_t day, uint16_t nenv)
{
	char idhex[2 * BUNDLE_ID + 1], pkhex[65];
	(void)day;
	(void)nenv;
	end_envelope(ctx);
	crypt_hex(idhex, id, BUNDLE_ID);
	crypt_hex(pkhex, pk, 32);
	printf("\nsub %s %s", idhex, pkhex);
	return 0;
}

static int on_envelope(void *ctx, uint16_t index, uint64_t len)
{
	struct reader *rd = ctx;
	env_key key = { rd->k->pub.box_pk, rd->k->box_sk };
	env_open_cb cb = { on_meta, on_plain, rd };
	(void)index;
	(void)len;
	end_envelope(rd);
	crypto_generichash_init(&rd->h, NULL, 0, 32);
	if (env_open_begin(&rd->o, &key, 1, &cb))
		die("open", CRYPT_ENOMEM);
	rd->open_err = 0;
	return 0;
}

static int on_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct reader *rd = ctx;
	int r = env_open_push(rd->o, buf, len);
	if (r && !rd->open_err)
		rd->open_err = r;
	return 0;
}

static int on_receipt(void *ctx, const uint8_t id[BUNDLE_ID])
{
	char hex[2 * BUNDLE_ID + 1];
	end_envelope(ctx);
	crypt_hex(hex, id, BUNDLE_ID);
	printf("\nreceipt %s", hex);
	return 0;
}

static int on_reply_status(void *ctx, const uint8_t id[BUNDLE_ID], int status,
			   uint32_t day)
{
	char hex[2 * BUNDLE_ID + 1];
	end_envelope(ctx);
	crypt_hex(hex, id, BUNDLE_ID);
	printf("\nstatus %s %s %u", hex, status_name(status), (unsigned)day);
	return 0;
}

static int cmd_open_export(int argc, char **argv)
{
	struct reader rd = { 0 };
	bundle_export_cb cb = { .submission = on_submission,
				.envelope = on_envelope, .data = on_data,
				.receipt = on_receipt,
				.reply_status = on_reply_status, .ctx = &rd };
	char why[200] = "";
	if (argc != 2)
		die("usage: open-export KEYDIR BUNDLE", 0);
	rd.k = load_secret(argv[0]);
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(argv[1], CRYPT_EIO);
	int r = bundle_export_read(fd, &cb, why, sizeof(why));
	end_envelope(&rd);
	printf("\n");
	if (r) {
		fprintf(stderr, "sdtest: bundle: %s\n", why);
		return 1;
	}
	close(fd);
	keys_secret_free(rd.k);
	return 0;
}

/* What forge-export keeps of the genuine bundle. */
struct genuine {
	uint8_t drop_pk[32], src_pk[32], sub[BUNDLE_ID];
	uint32_t src_day, sub_day;
	int have_src, have_sub;
};

static int g_header(void *ctx, const uint8_t pk[32])
{
	memcpy(((struct genuine *)ctx)->drop_pk, pk, 32);
	return 0;
}

static int g_source(void *ctx, const uint8_t pk[32], uint32_t day)
{
	struct genuine *g = ctx;
	if (!g->have_src) {
		memcpy(g->src_pk, pk, 32);
		g->src_day = day;
		g->have_src = 1;
	}
	return 0;
}

static int g_submission(void *ctx, const uint8_t id[BUNDLE_ID],
			const uint8_t pk[32], uint32_t day, uint16_t nenv)
{
	struct genuine *g = ctx;
	(void)nenv;
	if (!g->have_sub && !memcmp(pk, g->src_pk, 32)) {
		memcpy(g->sub, id, BUNDLE_ID);
		g->sub_day = day;
		g->have_sub = 1;
	}
	return 0;
}

static int cmd_forge_export(int argc, char **argv)
{
	struct genuine g = { 0 };
	bundle_export_cb cb = { .header = g_header, .source = g_source,
				.submission = g_submission, .ctx = &g };
	struct membuf m = { malloc(BUNDLE_REPLY_MAX), 0 };
	env_meta meta = { .kind = ENV_MESSAGE };
	uint8_t rid[BUNDLE_ID];
	const char *receipt = NULL;
	int claim = 0, r;
	bundle_export *b;
	env_sealer *s;
	keys_pub pub;
	if (argc < 4 || !m.p)
		die("usage: forge-export BUNDLE PUBFILE OUT TEXT [--claim] "
		    "[--receipt ID]", 0);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--claim"))
			claim = 1;
		else if (!strcmp(argv[i], "--receipt") && i + 1 < argc)
			receipt = argv[++i];
		else
			die("unknown forge-export argument", 0);
	}
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(argv[0], CRYPT_EIO);
	if ((r = bundle_export_read(fd, &cb, NULL, 0)) || !g.have_sub)
		die("the genuine bundle", r);
	close(fd);
	if ((r = keys_pub_load(argv[1], &pub)))
		die(argv[1], r);
	if (env_seal_begin(&s, (const uint8_t (*)[32])pub.box_pk, 1, &meta,
			   mem_sink, &m) ||
	    env_seal_push(s, argv[3], strlen(argv[3])) ||
	    env_seal_finish(s, NULL))
		die("seal", 0);
	dropkey *attacker = dropkey_generate();
	fd = fileio_create_private(argv[2], 1);
	if (!attacker || fd < 0)
		die(argv[2], CRYPT_EIO);
	r = bundle_export_begin(&b, fd, attacker);
	r = r ? r : bundle_export_source(b, g.src_pk, g.src_day);
	r = r ? r : bundle_export_submission(b, g.sub, g.src_pk, g.sub_day, 1);
	r = r ? r : bundle_export_envelope(b, m.len);
	r = r ? r : bundle_export_data(b, m.p, m.len);
	if (!r && receipt) {
		if (crypt_unhex(rid, BUNDLE_ID, receipt))
			die("--receipt needs a 32-digit id", 0);
		r = bundle_export_receipt(b, rid);
	}
	r = r ? r : bundle_export_finish(b);
	if (r)
		die("forge", r);
	if (claim && pwrite(fd, g.drop_pk, 32, 8) != 32)
		die(argv[2], CRYPT_EIO);
	if (fileio_sync_close(fd) < 0)
		die(argv[2], CRYPT_EIO);
	dropkey_free(attacker);
	free(m.p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: sdtest keygen DIR | outbox KEYDIR OUT "
		       "[--reply PK TEXT]... [--ack ID]... "
		       "[--status-ack UID read|deleted]... | "
		       "open-export KEYDIR BUNDLE | forge-export BUNDLE "
		       "PUBFILE OUT TEXT [--claim] [--receipt ID]\n");
		return 0;
	}
	if (crypt_init())
		die("init", 0);
	if (!strcmp(argv[1], "keygen"))
		return cmd_keygen(argc - 2, argv + 2);
	if (!strcmp(argv[1], "outbox"))
		return cmd_outbox(argc - 2, argv + 2);
	if (!strcmp(argv[1], "open-export"))
		return cmd_open_export(argc - 2, argv + 2);
	if (!strcmp(argv[1], "forge-export"))
		return cmd_forge_export(argc - 2, argv + 2);
	die("unknown command", 0);
	return 2;
}
