/*
 * init.c - `sealdrop init` and `sealdrop status`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "cmd.h"
#include "crypt.h"
#include "conf.h"
#include "fileio.h"
#include "keys.h"
#include "store.h"

/* The settings init uses: an operator may write DIR/sealdrop.conf first
 * (for stronger Argon2 limits); otherwise the documented default file is
 * written. */
static int settings(const char *dir, conf *c)
{
	char path[4096], err[2048];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/sealdrop.conf", dir);
	if (lstat(path, &sb) == 0) {
		if (conf_load(c, path, err, sizeof(err))) {
			fputs(err, stderr);
			return -1;
		}
		return 0;
	}
	conf_defaults(c);
	if (conf_write_default(path)) {
		cmd_fail("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_init(const cmd_args *a)
{
	keys_pub keys[CMD_MAX_PUBKEYS];
	char path[4096], why[512];
	struct stat sb;
	conf c;
	codename_params p;

	for (size_t i = 0; i < a->npubkeys; i++)
		if (cmd_load_pubkey(a->pubkeys[i], &keys[i]))
			return 2;
	snprintf(path, sizeof(path), "%s/drop.db", a->dir);
	if (lstat(path, &sb) == 0)
		return cmd_fail("%s already has a database; refusing to "
				"touch it", a->dir);
	if (fileio_mkdir_private(a->dir) || chmod(a->dir, 0700))
		return cmd_fail("%s: %s", a->dir, strerror(errno));
	if (settings(a->dir, &c))
		return 2;
	codename_params_new(&p, c.argon2_opslimit,
			    (size_t)c.argon2_memlimit_mb << 20);
	if (store_create(a->dir, &p, keys, a->npubkeys, why, sizeof(why)))
		return cmd_fail("%s", why);
	/* The drop's signing key comes after the database: an init that
	 * fails before leaves no key behind to be pinned by mistake. */
	int created;
	dropkey *dk;
	int r = dropkey_ensure(a->dir, &dk, &created);
	if (r)
		return cmd_fail("%s/%s: %s", a->dir, DROPKEY_FILE,
				r == CRYPT_EIO ? strerror(errno) :
				crypt_strerror(r));
	printf("sealdrop: created %s\n", a->dir);
	for (size_t i = 0; i < a->npubkeys; i++)
		cmd_print_key(&keys[i]);
	cmd_print_drop_key(stdout, dk);
	dropkey_free(dk);
	printf("Compare each newsroom fingerprint, aloud, with the one "
	       "sealdrop-admin keygen showed. Give the drop key's line to "
	       "the journalist: sealdrop-admin import asks for it once.\n");
	return 0;
}

/* Bytes of a file, 0 when it does not exist. */
static unsigned long long file_size(const char *dir, const char *name)
{
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) ? 0 : (unsigned long long)sb.st_size;
}

int cmd_status(const cmd_args *a)
{
	char why[512];
	struct store_status st;
	keys_pub keys[STORE_MAX_KEYS];
	size_t n;
	struct statvfs sv;

	store *s = store_open(a->dir, why, sizeof(why));
	if (!s)
		return cmd_fail("%s", why);
	if (store_status(s, &st) || store_keys(s, keys, STORE_MAX_KEYS, &n)) {
		cmd_fail("%s: %s", a->dir, store_errmsg(s));
		store_close(s);
		return 2;
	}
	store_close(s);
	dropkey *dk;
	if (cmd_drop_key(a->dir, &dk))
		return 2;
	unsigned long long disk = file_size(a->dir, "drop.db") +
				  file_size(a->dir, "drop.db-wal") +
				  file_size(a->dir, "drop.db-shm") +
				  file_size(a->dir, "chunks.db") +
				  file_size(a->dir, "chunks.db-journal");
	printf("schema version: %d\n", st.schema);
	printf("sources: %d (%d without a submission yet)\n", st.sources,
	       st.pending);
	printf("submissions waiting for export or acknowledgement: %d\n",
	       st.submissions);
	printf("replies waiting for sources: %d\n", st.replies);
	printf("database on disk: %llu MiB\n", disk >> 20);
	if (statvfs(a->dir, &sv) == 0)
		printf("free space: %llu MiB\n",
		       (unsigned long long)sv.f_bavail * sv.f_frsize >> 20);
	for (size_t i = 0; i < n; i++)
		cmd_print_key(&keys[i]);
	cmd_print_drop_key(stdout, dk);
	dropkey_free(dk);
	return 0;
}
