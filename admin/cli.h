/*
 * cli.h - what every sealdrop-admin command shares: the run's context, the
 * command table's row, option parsing, errors and paths.
 *
 * Exit codes follow the contract: ADM_OK, ADM_FAIL for a verification,
 * decryption or passphrase failure, ADM_ERR for a usage or system error.
 */
#ifndef SEALDROP_ADMIN_CLI_H
#define SEALDROP_ADMIN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "crypt.h"
#include "keys.h"

#define PROG "sealdrop-admin"

enum { ADM_OK = 0, ADM_FAIL = 1, ADM_ERR = 2 };

struct admin_cmd;

/* One run of the tool. key is opened at most once, by unlock_key(), and
 * freed by main() after the command returns. */
struct admin {
	const char *home;
	const char *passfile;
	const struct admin_cmd *cmd;
	keys_secret *key;
};

struct admin_cmd {
	const char *name;
	int (*fn)(struct admin *a, int argc, char **argv);
	const char *usage; /* arguments after the command's name */
	int needs_key;
	const char *help;
	int spawns; /* runs an editor or the inspector (spawn.h) */
};

/* A command's option: "--name VALUE" (or "--name=VALUE") when arg is set,
 * a flag "--name" when flag is set. */
struct cli_opt {
	const char *name;
	const char **arg;
	int *flag;
};

/* Parses a command's arguments: options from opts (NULL-terminated) in any
 * position, the rest into pos[]; "--" ends the options. Returns the number
 * of positional arguments, or -1 after a usage message when an option is
 * unknown or lacks its value, or the count is outside [minpos, maxpos]. */
int cli_args(const struct admin *a, int argc, char **argv,
	     const struct cli_opt *opts, char **pos, int minpos, int maxpos);

/* Prints why and the command's usage line to stderr; returns ADM_ERR. */
int cli_usage(const struct admin *a, const char *why);

/* One line on stderr: "sealdrop-admin: " and the message, sanitised for
 * the terminal because it may quote names that came from a source. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* home "/" name into out. 0, or -1 after an error line when too long. */
int cli_path(const struct admin *a, const char *name, char *out,
	     size_t outlen);

/* Longest reply or note text, in bytes. */
#define CLI_TEXT_MAX 65536

/* Reads a reply's or note's text: from file when given, else standard
 * input when it is not a terminal, else the editor (edit.h) when the
 * command started the launcher (spawn.h), else what is typed on the
 * terminal; at most CLI_TEXT_MAX bytes and not empty, into sodium_malloc
 * memory (*text NUL-terminated, *len; free with sodium_free). what names
 * it in messages. Returns ADM_OK or ADM_ERR after an error line. */
int cli_read_text(const char *file, const char *what, char **text,
		  size_t *len);

/* On a terminal, shows the text (sanitised) and asks question, y/N:
 * 0 when confirmed or when standard input is not a terminal (a script
 * already decided), 1 when declined, -1 after an error line. */
int cli_confirm_text(const char *text, size_t len, const char *question);

/* fsyncs the directory holding path, so a rename into it survives a power
 * cut. Best effort: the data itself was synced before the rename. */
void cli_sync_parent(const char *path);

/* A submission id as list prints it: a positive decimal number. 0, or -1
 * after a usage message (when a is not NULL). */
int cli_id(const struct admin *a, const char *s, int64_t *id);

/* The day number as YYYY-MM-DD (UTC) in out; returns out. */
const char *cli_date(uint32_t day, char out[CRYPT_DATE_LEN]);

/* Progress on stderr, only when it is a terminal: what, done of total
 * (bytes or items; total 0 when unknown). Redrawn at most a few times a
 * second; cli_progress_end clears the line. */
void cli_progress(const char *what, uint64_t done, uint64_t total);
void cli_progress_end(void);

/* Where error lines and progress go instead of stderr while a full-screen
 * front end owns the terminal (review): err gets each error line as
 * cli_err sanitised it (no "sealdrop-admin: " prefix), progress each
 * redraw of cli_progress (total 0 when unknown; done == total, or a call
 * with what NULL, ends it). Either may be NULL; cli_sink(NULL, NULL,
 * NULL) gives stderr back. The lines name no plaintext: they are the
 * commands' own error lines. */
typedef void (*cli_err_fn)(void *ctx, const char *line);
typedef void (*cli_progress_fn)(void *ctx, const char *what, uint64_t done,
				uint64_t total);
void cli_sink(cli_err_fn err, cli_progress_fn progress, void *ctx);

/* The commands, one file each (cmd_NAME.c); main.c holds their table. */
int cmd_keygen(struct admin *a, int argc, char **argv);
int cmd_import(struct admin *a, int argc, char **argv);
int cmd_list(struct admin *a, int argc, char **argv);
int cmd_read(struct admin *a, int argc, char **argv);
int cmd_extract(struct admin *a, int argc, char **argv);
int cmd_reply(struct admin *a, int argc, char **argv);
int cmd_outbox(struct admin *a, int argc, char **argv);
int cmd_note(struct admin *a, int argc, char **argv);
int cmd_star(struct admin *a, int argc, char **argv);
int cmd_fingerprint(struct admin *a, int argc, char **argv);
int cmd_sources(struct admin *a, int argc, char **argv);
int cmd_drops(struct admin *a, int argc, char **argv);
int cmd_thread(struct admin *a, int argc, char **argv);
int cmd_replies(struct admin *a, int argc, char **argv);
int cmd_unqueue(struct admin *a, int argc, char **argv);
int cmd_review(struct admin *a, int argc, char **argv);

#endif
