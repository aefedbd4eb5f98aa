/*
 * keys.c - `sealdrop keys`: the newsroom keys of a drop, changed while it
 * runs.
 *
 * A newsroom adds a journalist's key or retires one without a new data
 * directory, which would change the codename salt and lock every source
 * out. The keys live in drop.db, which serve reads for each upload and
 * import reads for each bundle: a change counts from the next of either.
 * No lock is taken beyond SQLite's own, so this works beside a running
 * serve as export and import do.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "store.h"

#define KEYID_HEX (2 * KEYS_ID_BYTES)
/* A shorter prefix is too easy to mistype into another key's. */
#define KEYID_MIN 8

static store *open_store(const char *dir)
{
	char why[512];
	store *s = store_open(dir, why, sizeof(why));
	if (!s)
		cmd_fail("%s", why);
	return s;
}

/* Says what the database said, closes it and returns 2. */
static int db_fail(store *s, const char *dir)
{
	cmd_fail("%s: %s", dir, store_errmsg(s));
	store_rollback(s);
	store_close(s);
	return 2;
}

static int list(const char *dir)
{
	keys_pub keys[STORE_MAX_KEYS];
	size_t n;
	store *s = open_store(dir);
	if (!s)
		return 2;
	if (store_keys(s, keys, STORE_MAX_KEYS, &n))
		return db_fail(s, dir);
	store_close(s);
	for (size_t i = 0; i < n; i++)
		cmd_print_key(&keys[i]);
	return 0;
}

static int add(const char *dir, const char *file)
{
	char id[KEYID_HEX + 1];
	keys_pub k;
	if (cmd_load_pubkey(file, &k))
		return 2;
	keys_id_hex(&k, id);
	store *s = open_store(dir);
	if (!s)
		return 2;
	int r = store_key_add(s, &k);
	if (r == STORE_EDB)
		return db_fail(s, dir);
	store_close(s);
	if (r == STORE_EEXIST)
		return cmd_fail("%s: newsroom key %s is already one of this "
				"drop's keys", file, id);
	if (r == STORE_EFULL)
		return cmd_fail("%s: the drop has %d newsroom keys, the most "
				"a submission is sealed to; remove one first",
				file, STORE_MAX_KEYS);
	printf("sealdrop: added to %s\n", dir);
	cmd_print_key(&k);
	printf("Compare the fingerprint, aloud, with the one sealdrop-admin "
	       "keygen showed; if one digit differs, remove the key now.\n");
	return 0;
}

/* The one key whose id starts with prefix (any case), in *out. 0, or 2
 * after saying why. */
static int find(const keys_pub *keys, size_t n, const char *prefix,
		keys_pub *out)
{
	size_t len = strlen(prefix), found = 0;
	for (size_t i = 0; i < n; i++) {
		char id[KEYID_HEX + 1];
		keys_id_hex(&keys[i], id);
		if (strncasecmp(id, prefix, len) == 0) {
			*out = keys[i];
			found++;
		}
	}
	if (found == 0)
		return cmd_fail("no newsroom key %s here (sealdrop keys lists "
				"them)", prefix);
	if (found > 1)
		return cmd_fail("%s is the start of more than one newsroom "
				"key; give more of its digits", prefix);
	return 0;
}

static int remove_key(const char *dir, const char *prefix)
{
	keys_pub keys[STORE_MAX_KEYS], k;
	char id[KEYID_HEX + 1];
	size_t n, len = strlen(prefix);
	if (len < KEYID_MIN || len > KEYID_HEX ||
	    strspn(prefix, "0123456789abcdefABCDEF") != len)
		return cmd_fail("%s: a key id is %d hex digits (or the first "
				"%d or more of them)", prefix, KEYID_HEX,
				KEYID_MIN);
	store *s = open_store(dir);
	if (!s)
		return 2;
	/* One write transaction from lookup to delete: the key the prefix
	 * names is the key removed, whatever else runs at the time. */
	if (store_begin(s) || store_keys(s, keys, STORE_MAX_KEYS, &n))
		return db_fail(s, dir);
	if (find(keys, n, prefix, &k)) {
		store_rollback(s);
		store_close(s);
		return 2;
	}
	keys_id_hex(&k, id);
	int r = store_key_remove(s, k.id);
	if (r == STORE_ELAST) {
		store_rollback(s);
		store_close(s);
		return cmd_fail("newsroom key %s is this drop's only key; add "
				"its successor first", id);
	}
	if (r || store_commit(s))
		return db_fail(s, dir);
	store_close(s);
	printf("sealdrop: removed from %s\n", dir);
	cmd_print_key(&k);
	printf("New submissions are no longer sealed to it and outboxes it "
	       "signs are refused. Keep its secret key until everything "
	       "sealed to it alone has been read.\n");
	return 0;
}

int cmd_keys(const cmd_args *a)
{
	if (!a->arg)
		return list(a->dir);
	if (!strcmp(a->arg, "add") && a->arg2)
		return add(a->dir, a->arg2);
	if (!strcmp(a->arg, "remove") && a->arg2)
		return remove_key(a->dir, a->arg2);
	return cmd_fail("usage: sealdrop keys [add FILE | remove KEYID]");
}
