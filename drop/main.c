/*
 * main.c - `sealdrop [--data DIR] COMMAND [ARGS]`: the online drop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "confine.h"
#include "crypt.h"

enum { OPT_PUBKEY = 1, OPT_LISTEN = 2, OPT_OUT = 4, OPT_ARG = 8,
       OPT_USER = 16, OPT_ARG2 = 32 };

static const struct command {
	const char *name;
	int (*fn)(const cmd_args *);
	int offline;   /* needs no network: confined at once */
	int opts;      /* what the command takes */
	int required;  /* what it must have */
	const char *usage;
} commands[] = {
	{ "init", cmd_init, 1, OPT_PUBKEY, OPT_PUBKEY,
	  "init --pubkey FILE [--pubkey FILE ...]" },
	{ "serve", cmd_serve, 0, OPT_LISTEN | OPT_USER, 0,
	  "serve [--listen ADDR:PORT] [--user NAME]" },
	{ "export", cmd_export, 1, OPT_OUT, OPT_OUT, "export --out BUNDLE" },
	{ "import", cmd_import, 1, OPT_ARG, OPT_ARG, "import BUNDLE" },
	{ "status", cmd_status, 1, 0, 0, "status" },
	{ "keys", cmd_keys, 1, OPT_ARG | OPT_ARG2, 0,
	  "keys [add FILE | remove KEYID]" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Says why (if anything went wrong) and how to call us; exits 2, or 0
 * when help was asked for. */
static void usage(const char *why)
{
	FILE *f = why ? stderr : stdout;
	if (why)
		fprintf(stderr, "sealdrop: %s\n", why);
	fprintf(f, "usage: sealdrop [--data DIR] COMMAND [ARGS]\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "       sealdrop [--data DIR] %s\n",
			commands[i].usage);
	fprintf(f, "DIR defaults to $SEALDROP_DATA, else ./sealdrop-data.\n");
	exit(why ? 2 : 0);
}

/* The value of an option that takes one. */
static const char *value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%.20s needs a value", argv[*i]);
		usage(msg);
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	cmd_args a = { 0 };
	const struct command *cmd = NULL;
	int given = 0;
	char msg[160];

	/* --version, anywhere: before anything else, needing nothing. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--version")) {
			puts("sealdrop " SEALDROP_VERSION);
			return fflush(stdout) ? 2 : 0;
		}
	/* Before anything secret is in memory: no core dumps, no ptrace. */
	if (confine_secrets())
		return cmd_fail("cannot disable core dumps: %s",
				strerror(errno));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--data")) {
			a.dir = value(argc, argv, &i);
		} else if (!strcmp(s, "--pubkey")) {
			if (a.npubkeys == CMD_MAX_PUBKEYS)
				usage("too many --pubkey files");
			a.pubkeys[a.npubkeys++] = value(argc, argv, &i);
			given |= OPT_PUBKEY;
		} else if (!strcmp(s, "--listen")) {
			a.listen = value(argc, argv, &i);
			given |= OPT_LISTEN;
		} else if (!strcmp(s, "--user")) {
			a.user = value(argc, argv, &i);
			given |= OPT_USER;
		} else if (!strcmp(s, "--out")) {
			a.out = value(argc, argv, &i);
			given |= OPT_OUT;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			usage(NULL);
		} else if (s[0] == '-' && s[1]) {
			snprintf(msg, sizeof(msg), "unknown option %.40s", s);
			usage(msg);
		} else if (!cmd) {
			for (size_t k = 0; k < NCOMMANDS; k++)
				if (!strcmp(s, commands[k].name))
					cmd = &commands[k];
			if (!cmd) {
				snprintf(msg, sizeof(msg),
					 "unknown command %.40s", s);
				usage(msg);
			}
		} else if (!a.arg) {
			a.arg = s;
			given |= OPT_ARG;
		} else if (!a.arg2 && (cmd->opts & OPT_ARG2)) {
			a.arg2 = s;
			given |= OPT_ARG2;
		} else {
			usage("too many arguments");
		}
	}
	if (!cmd)
		usage("no command given");
	if (given & ~cmd->opts) {
		snprintf(msg, sizeof(msg), "%s does not take that argument",
			 cmd->name);
		usage(msg);
	}
	if ((given & cmd->required) != cmd->required) {
		snprintf(msg, sizeof(msg), "usage: sealdrop %s", cmd->usage);
		usage(msg);
	}
	if (!a.dir)
		a.dir = getenv("SEALDROP_DATA");
	if (!a.dir || !a.dir[0])
		a.dir = "./sealdrop-data";
	if (crypt_init())
		return cmd_fail("cannot start libsodium (no entropy source?)");
	/* serve confines itself in stages, as it starts. */
	if (cmd->offline && confine_offline())
		return cmd_fail("cannot load the system call filter: %s",
				strerror(errno));
	return cmd->fn(&a);
}
