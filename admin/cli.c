/*
 * cli.c - argument parsing, error lines and paths shared by the commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "crypt.h"
#include "edit.h"
#include "fileio.h"
#include "spawn.h"
#include "term.h"

static int progress_shown;
static cli_err_fn sink_err;
static cli_progress_fn sink_progress;
static void *sink_ctx;

void cli_sink(cli_err_fn err, cli_progress_fn progress, void *ctx)
{
	sink_err = err;
	sink_progress = progress;
	sink_ctx = ctx;
}

void cli_err(const char *fmt, ...)
{
	char raw[1024], safe[2048];
	va_list ap;

	cli_progress_end();
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* One line, whatever a quoted path or reason holds. */
	for (char *p = raw; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	term_str(raw, safe, sizeof(safe));
	if (sink_err)
		sink_err(sink_ctx, safe);
	else
		fprintf(stderr, "%s: %s\n", PROG, safe);
}

int cli_usage(const struct admin *a, const char *why)
{
	if (why)
		cli_err("%s: %s", a->cmd->name, why);
	fprintf(stderr, "usage: %s [--home DIR] %s %s\n", PROG, a->cmd->name,
		a->cmd->usage);
	return ADM_ERR;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts,
				      const char *arg, const char **val)
{
	for (; opts && opts->name; opts++) {
		size_t n = strlen(opts->name);

		if (strncmp(arg, opts->name, n) != 0)
			continue;
		if (arg[n] == '\0') {
			*val = NULL;
			return opts;
		}
		if (arg[n] == '=' && opts->arg) {
			*val = arg + n + 1;
			return opts;
		}
	}
	return NULL;
}

int cli_args(const struct admin *a, int argc, char **argv,
	     const struct cli_opt *opts, char **pos, int minpos, int maxpos)
{
	char why[256];
	int npos = 0, dashdash = 0;

	for (int i = 0; i < argc; i++) {
		const struct cli_opt *o;
		const char *val;

		if (dashdash || argv[i][0] != '-' || argv[i][1] == '\0') {
			if (npos >= maxpos) {
				snprintf(why, sizeof(why),
					 "unexpected argument '%s'", argv[i]);
				return cli_usage(a, why), -1;
			}
			pos[npos++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			continue;
		}
		o = find_opt(opts, argv[i], &val);
		if (!o) {
			snprintf(why, sizeof(why), "unknown option '%s'",
				 argv[i]);
			return cli_usage(a, why), -1;
		}
		if (o->flag) {
			*o->flag = 1;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				snprintf(why, sizeof(why),
					 "option '%s' needs a value", o->name);
				return cli_usage(a, why), -1;
			}
			val = argv[++i];
		}
		*o->arg = val;
	}
	if (npos < minpos)
		return cli_usage(a, "missing argument"), -1;
	return npos;
}

int cli_path(const struct admin *a, const char *name, char *out,
	     size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", a->home, name);

	if (n < 0 || (size_t)n >= outlen) {
		cli_err("%s: path too long", a->home);
		return -1;
	}
	return 0;
}

int cli_read_text(const char *file, const char *what, char **text,
		  size_t *len)
{
	char *buf = sodium_malloc(CLI_TEXT_MAX + 1);
	ssize_t n = 0;
	int fd = STDIN_FILENO;

	*text = NULL;
	if (!buf) {
		cli_err("out of locked memory");
		return ADM_ERR;
	}
	if (file) {
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			cli_err("%s: %s", file, strerror(errno));
			sodium_free(buf);
			return ADM_ERR;
		}
	} else if (isatty(fd) && spawn_ready()) {
		/* A terminal, and a launcher to start the editor with. */
		sodium_free(buf);
		return edit_text(what, text, len);
	} else if (isatty(fd)) {
		fprintf(stderr, "Type the %s; end it with Ctrl-D on a line of "
			"its own.\n", what);
	}
	/* One byte over the cap tells "too long" from "exactly the cap". */
	n = fileio_read_full(fd, buf, CLI_TEXT_MAX + 1);
	if (n < 0)
		cli_err("%s: %s", file ? file : "standard input",
			strerror(errno));
	if (file)
		close(fd);
	if (n < 0)
		goto fail;
	if (n > CLI_TEXT_MAX) {
		cli_err("the %s is longer than %d bytes", what,
			CLI_TEXT_MAX);
		goto fail;
	}
	if (n == 0) {
		cli_err("the %s is empty", what);
		goto fail;
	}
	buf[n] = '\0';
	*text = buf;
	*len = (size_t)n;
	return ADM_OK;
fail:
	sodium_free(buf);
	return ADM_ERR;
}

void cli_sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		strcpy(dir, ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return;
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int cli_id(const struct admin *a, const char *s, int64_t *id)
{
	char *end;
	long long v = 0;

	errno = 0;
	if (*s >= '0' && *s <= '9')
		v = strtoll(s, &end, 10);
	if (v <= 0 || errno || *end) {
		if (a)
			cli_usage(a, "ID must be a submission number from "
				  "list");
		return -1;
	}
	*id = v;
	return 0;
}

const char *cli_date(uint32_t day, char out[CRYPT_DATE_LEN])
{
	return crypt_date(day, out);
}

void cli_progress(const char *what, uint64_t done, uint64_t total)
{
	static struct timespec last;
	struct timespec now;

	if (sink_progress) {
		sink_progress(sink_ctx, what, done, total);
		return;
	}
	if (!isatty(STDERR_FILENO))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (progress_shown && done != total &&
	    (now.tv_sec - last.tv_sec) * 1000 +
	    (now.tv_nsec - last.tv_nsec) / 1000000 < 200)
		return;
	last = now;
	if (total)
		fprintf(stderr, "\r%s: %3u%% ", what,
			(unsigned)(done * 100 / total));
	else
		fprintf(stderr, "\r%s: %llu ", what, (unsigned long long)done);
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (sink_progress) {
		sink_progress(sink_ctx, NULL, 0, 0);
		return;
	}
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

int cli_confirm_text(const char *text, size_t len, const char *question)
{
	term_state ts = { .npend = 0 };
	char *out, ans[16];
	size_t n;
	ssize_t got;

	if (!isatty(STDIN_FILENO))
		return 0;
	/* The text is the journalist's own, but it is plaintext: shown from
	 * locked memory, and wiped. */
	out = sodium_malloc(TERM_OUT_MAX(len));
	if (!out) {
		cli_err("out of locked memory");
		return -1;
	}
	n = term_feed(&ts, (const uint8_t *)text, len, out);
	n += term_end(&ts, out + n);
	/* Straight to the terminal: stdio's buffer is ordinary memory. */
	printf("----\n");
	fflush(stdout);
	fileio_write_all(STDOUT_FILENO, out, n);
	printf("%s----\n%s [y/N] ", n == 0 || out[n - 1] != '\n' ? "\n" : "",
	       question);
	fflush(stdout);
	sodium_free(out);
	got = read(STDIN_FILENO, ans, sizeof(ans) - 1);
	if (got <= 0)
		return 1;
	ans[got] = '\0';
	return (ans[0] == 'y' || ans[0] == 'Y') ? 0 : 1;
}
