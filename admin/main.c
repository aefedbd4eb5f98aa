/*
 * main.c - sealdrop-admin: the journalist's tool on the air-gapped machine.
 *
 * Global options (--home, --passphrase-file, --help) may stand anywhere;
 * the first other word names the command, which parses the rest.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "confine.h"
#include "crypt.h"
#include "edit.h"
#include "keys.h"
#include "spawn.h"

static const struct admin_cmd commands[] = {
	{ "review", cmd_review, "[--lock-after MINUTES]", 1,
	  "the interactive terminal interface: inbox, conversations, "
	  "files, replies", 1 },
	{ "keygen", cmd_keygen, "[--force] [--generate-passphrase] "
	  "[--cost moderate|sensitive]", 0,
	  "create the newsroom key pair in DIR, under a strong passphrase", 0 },
	{ "import", cmd_import, "BUNDLE [--trust FINGERPRINT]", 1,
	  "verify the drop's signature on an export bundle and add it "
	  "to the archive", 0 },
	{ "drops", cmd_drops, "[--remove KEYID]", 0,
	  "list the drop keys exports are accepted from, or unpin one", 0 },
	{ "list", cmd_list, "[--tsv] [--source SOURCE]", 1,
	  "list submissions, newest first", 0 },
	{ "read", cmd_read, "ID [--raw]", 1,
	  "show a submission's message and notes", 0 },
	{ "extract", cmd_extract, "ID --to OUTDIR [--clean]", 1,
	  "write a submission's files into OUTDIR", 1 },
	{ "reply", cmd_reply, "SOURCE|ID [--message-file FILE]", 0,
	  "queue a reply to a source, or to submission ID's source", 1 },
	{ "outbox", cmd_outbox, "--out BUNDLE", 1,
	  "write the signed bundle of replies and acknowledgements", 0 },
	{ "thread", cmd_thread, "SOURCE|ID", 1,
	  "show the whole conversation with a source, in order", 0 },
	{ "replies", cmd_replies, "[--tsv] [--source SOURCE]", 0,
	  "list the newsroom's replies and what became of each", 0 },
	{ "unqueue", cmd_unqueue, "REPLY_ID", 0,
	  "take back a reply not yet written to an outbox", 0 },
	{ "note", cmd_note, "ID [--message-file FILE]", 0,
	  "add a private note to a submission (from FILE, standard input "
	  "or an editor)", 1 },
	{ "star", cmd_star, "ID", 0, "star or unstar a submission", 0 },
	{ "fingerprint", cmd_fingerprint, "", 0,
	  "show the newsroom key's id and fingerprint", 0 },
	{ "sources", cmd_sources, "[--tsv]", 0,
	  "one line per source: submissions, unread, queued replies", 0 },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct admin_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void help(FILE *f)
{
	fprintf(f, "usage: %s [--home DIR] [--passphrase-file FILE] "
		"COMMAND [ARGS]\n\n"
		"DIR defaults to $SEALDROP_ADMIN_HOME, else "
		"~/.sealdrop-admin.\nCommands (* asks for the passphrase):\n",
		PROG);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %c %-12s %s\n", commands[i].needs_key ? '*' : ' ',
			commands[i].name, commands[i].help);
	fprintf(f, "\n'%s help COMMAND' shows a command's arguments.\n"
		"Exit status: 0 success, 1 verification, decryption or "
		"passphrase failure,\n2 usage or system error.\n", PROG);
}

static int usage(const char *why)
{
	if (why)
		cli_err("%s", why);
	fprintf(stderr, "usage: %s [--home DIR] [--passphrase-file FILE] "
		"COMMAND [ARGS]\n(try '%s --help')\n", PROG, PROG);
	return ADM_ERR;
}

static void cmd_help(const struct admin_cmd *c)
{
	printf("usage: %s [--home DIR] %s %s\n\n%s.\n", PROG, c->name,
	       c->usage, c->help);
	if (c->needs_key)
		printf("Asks for the passphrase on the terminal, or reads the "
		       "first line of\n--passphrase-file FILE.\n");
}

/* Whether a command's option takes a separate value: the commands parse
 * it, but main must step over it when it stands before the command. */
static int takes_value(const char *arg)
{
	static const char *const opts[] = { "--to", "--out", "--source",
					    "--message-file", "--trust",
					    "--remove", "--cost",
					    "--lock-after" };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(arg, opts[i]) == 0)
			return 1;
	return 0;
}

/* Matches "--name VALUE" or "--name=VALUE" at argv[*i]; 1 when taken. */
static int global_opt(const char *name, int argc, char **argv, int *i,
		      const char **val, const char **why)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		*why = "an option needs a value";
		return 1;
	}
	*val = argv[++*i];
	return 1;
}

static const char *default_home(void)
{
	static char buf[4096];
	const char *h = getenv("SEALDROP_ADMIN_HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	h = getenv("HOME");
	if (!h || !*h) {
		pw = getpwuid(getuid());
		h = pw ? pw->pw_dir : NULL;
	}
	if (!h || snprintf(buf, sizeof(buf), "%s/.sealdrop-admin", h) >=
	    (int)sizeof(buf))
		return NULL;
	return buf;
}

int main(int argc, char **argv)
{
	struct admin a = { 0 };
	const char *why = NULL, *cmdname = NULL;
	char **rest;
	int nrest = 0, want_help = 0, dashdash = 0, rc;

	/* --version, before the command or alone: before anything else,
	 * needing no home and no key. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--version") == 0) {
			puts(PROG " " SEALDROP_VERSION);
			return fflush(stdout) != 0 ? ADM_ERR : ADM_OK;
		}
	/* Plaintext and the secret key must not end up in a core file. */
	if (confine_secrets() != 0 || crypt_init() != 0) {
		cli_err("cannot confine the process or start the crypto "
			"library: %m");
		return ADM_ERR;
	}
	/* Whatever this tool creates (archive, its journal, keys, extracted
	 * files) is for this user alone. */
	umask(077);
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest) {
		cli_err("out of memory");
		return ADM_ERR;
	}
	for (int i = 1; i < argc; i++) {
		if (dashdash) {
			rest[nrest++] = argv[i];
		} else if (strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			rest[nrest++] = argv[i];
		} else if (global_opt("--home", argc, argv, &i, &a.home,
				      &why) ||
			   global_opt("--passphrase-file", argc, argv, &i,
				      &a.passfile, &why)) {
			if (why)
				break;
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			want_help = 1;
		} else if (!cmdname && argv[i][0] != '-') {
			cmdname = argv[i];
		} else {
			rest[nrest++] = argv[i];
			/* A command's option may come first: its value must
			 * not be taken for the command's name. */
			if (!cmdname && takes_value(argv[i]) && i + 1 < argc)
				rest[nrest++] = argv[++i];
		}
	}
	if (why) {
		free(rest);
		return usage(why);
	}
	if (!cmdname) {
		free(rest);
		if (want_help && nrest == 0) {
			help(stdout);
			return ADM_OK;
		}
		return usage(nrest ? "unknown option before the command" :
			     "no command given");
	}
	/* "help COMMAND" is "COMMAND --help"; "help" alone, "--help". */
	if (strcmp(cmdname, "help") == 0) {
		if (nrest == 0) {
			free(rest);
			help(stdout);
			return ADM_OK;
		}
		cmdname = rest[0];
		want_help = 1;
	}
	a.cmd = find_cmd(cmdname);
	if (!a.cmd) {
		free(rest);
		cli_err("unknown command '%s'", cmdname);
		return usage(NULL);
	}
	if (want_help) {
		free(rest);
		cmd_help(a.cmd);
		return ADM_OK;
	}
	if (!a.home)
		a.home = default_home();
	if (!a.home || !*a.home) {
		free(rest);
		cli_err("no home directory: use --home DIR");
		return ADM_ERR;
	}
	/* A draft a killed sealdrop-admin left in RAM goes at the first
	 * command after, whichever it is. */
	edit_sweep();
	/* The launcher of editors and of the inspector is forked while this
	 * process holds nothing; then a tool that parses hostile bundles
	 * needs no network, no exec and no other process. */
	if ((a.cmd->spawns && spawn_start() != 0) || confine_offline() != 0) {
		free(rest);
		cli_err("cannot confine the process: %m");
		return ADM_ERR;
	}
	rc = a.cmd->fn(&a, nrest, rest);
	spawn_stop();
	keys_secret_free(a.key);
	free(rest);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("writing to standard output failed");
		if (rc == ADM_OK)
			rc = ADM_ERR;
	}
	return rc;
}
