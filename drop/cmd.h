/*
 * cmd.h - the commands of `sealdrop`, one function each.
 *
 * main.c parses the command line into a cmd_args and calls one of these.
 * Each returns the process exit code: 0 ok, 1 a verification failure,
 * 2 a usage or system error (after one line on stderr saying what and
 * why).
 */
#ifndef SEALDROP_CMD_H
#define SEALDROP_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "dropkey.h"
#include "keys.h"

#define CMD_MAX_PUBKEYS 16

typedef struct cmd_args {
	const char *dir;                      /* --data, or its default */
	const char *pubkeys[CMD_MAX_PUBKEYS]; /* --pubkey, repeatable */
	size_t npubkeys;
	const char *listen;                   /* --listen, or NULL */
	const char *out;                      /* --out, or NULL */
	const char *user;                     /* --user, or NULL */
	const char *arg;                      /* the first positional argument */
	const char *arg2;                     /* the second, where one is taken */
} cmd_args;

int cmd_init(const cmd_args *a);
int cmd_serve(const cmd_args *a);
int cmd_export(const cmd_args *a);
int cmd_import(const cmd_args *a);
int cmd_status(const cmd_args *a);
int cmd_keys(const cmd_args *a);

/* Prints "sealdrop: " and the message to stderr; returns 2. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads the newsroom.pub at path into k. 0, or 2 after saying why. */
int cmd_load_pubkey(const char *path, keys_pub *k);

/* Prints "newsroom key ID fingerprint FPR": the line operators read
 * aloud and scripts look for. */
void cmd_print_key(const keys_pub *k);

/* Prints "drop key ID fingerprint FPR" to f: the same line on every
 * command that shows it, so operators compare one form. */
void cmd_print_drop_key(FILE *f, const dropkey *k);

/* Loads DIR/drop.key, creating it (and saying so on stderr) when the data
 * directory has none: one made before exports were signed. *out, when
 * out is not NULL, gets the key (caller frees). 0, or 2 after saying why. */
int cmd_drop_key(const char *dir, dropkey **out);
#endif
