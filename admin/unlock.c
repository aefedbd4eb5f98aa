/*
 * unlock.c - passphrases from the terminal or a file, and the secret key.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "crypt.h"
#include "fileio.h"
#include "unlock.h"

int unlock_parse_line(const char *buf, size_t len, size_t *passlen)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0)
		return -1;
	if (n > UNLOCK_PASS_MAX)
		return -2;
	*passlen = n;
	return 0;
}

/* The terminal's settings while echo is off, for the signal handler: a
 * journalist who presses ^C at the prompt must not be left typing blind. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSIG_TTY (sizeof(tty_signals) / sizeof(tty_signals[0]))

static void tty_on_signal(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line from the terminal without echo into buf (cap bytes plus
 * a NUL). Returns its length, -1 after an error line, -2 when too long. */
static ssize_t tty_read_line(const char *prompt, char *buf, size_t cap)
{
	struct sigaction sa, old[NSIG_TTY], oldtstp;
	struct termios t;
	size_t n = 0;
	int fd, toolong = 0, err = 0;
	char c;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || tcgetattr(fd, &tty_saved) != 0) {
		cli_err("no terminal to ask the passphrase on "
			"(use --passphrase-file)");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	tty_fd = fd;
	for (size_t i = 0; i < NSIG_TTY; i++)
		sigaction(tty_signals[i], &sa, &old[i]);
	/* Stopping with echo off would leave the shell blind too. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGTSTP, &sa, &oldtstp);

	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	if (fileio_write_all(fd, prompt, strlen(prompt)) != 0 ||
	    tcsetattr(fd, TCSAFLUSH, &t) != 0)
		err = errno;
	while (!err) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = errno;
		if (r <= 0 || c == '\n')
			break;
		if (n < cap)
			buf[n++] = c;
		else
			toolong = 1;
	}
	sodium_memzero(&c, sizeof(c));
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (size_t i = 0; i < NSIG_TTY; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	sigaction(SIGTSTP, &oldtstp, NULL);
	close(fd);

	if (err) {
		cli_err("reading the passphrase: %s", strerror(err));
		return -1;
	}
	if (toolong)
		return -2;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

static int pass_from_file(const char *path, char **pass, size_t *len)
{
	char *buf;
	size_t n, plen = 0;
	int r;

	r = fileio_slurp(path, UNLOCK_FILE_MAX, &buf, &n);
	if (r == CRYPT_ETOOBIG) {
		cli_err("%s: too large for a passphrase file", path);
		return ADM_ERR;
	}
	if (r != 0) {
		cli_err("%s: %s", path, strerror(errno));
		return ADM_ERR;
	}
	r = unlock_parse_line(buf, n, &plen);
	if (r == 0) {
		*pass = sodium_malloc(plen + 1);
		if (*pass) {
			memcpy(*pass, buf, plen);
			(*pass)[plen] = '\0';
			*len = plen;
		}
	}
	sodium_memzero(buf, n);
	free(buf);
	if (r == -1) {
		cli_err("%s: the first line is empty", path);
		return ADM_ERR;
	}
	if (r == -2) {
		cli_err("%s: passphrase longer than %d bytes", path,
			UNLOCK_PASS_MAX);
		return ADM_ERR;
	}
	if (!*pass) {
		cli_err("out of locked memory for the passphrase");
		return ADM_ERR;
	}
	return ADM_OK;
}

int unlock_pass(const struct admin *a, const char *prompt, int confirm,
		char **pass, size_t *len)
{
	char *p1, *p2 = NULL;
	ssize_t n1, n2 = 0;
	int rc = ADM_ERR;

	*pass = NULL;
	if (a->passfile)
		return pass_from_file(a->passfile, pass, len);

	p1 = sodium_malloc(UNLOCK_PASS_MAX + 1);
	if (confirm)
		p2 = sodium_malloc(UNLOCK_PASS_MAX + 1);
	if (!p1 || (confirm && !p2)) {
		cli_err("out of locked memory for the passphrase");
		goto out;
	}
	n1 = tty_read_line(prompt, p1, UNLOCK_PASS_MAX);
	if (n1 == -1)
		goto out;
	if (n1 == -2) {
		cli_err("passphrase longer than %d bytes", UNLOCK_PASS_MAX);
		goto out;
	}
	if (n1 == 0) {
		cli_err("empty passphrase");
		goto out;
	}
	if (confirm) {
		n2 = tty_read_line("Again: ", p2, UNLOCK_PASS_MAX);
		if (n2 == -1)
			goto out;
		if (n2 != n1 || sodium_memcmp(p1, p2, (size_t)n1) != 0) {
			cli_err("the passphrases do not match");
			rc = ADM_FAIL;
			goto out;
		}
	}
	*pass = p1;
	*len = (size_t)n1;
	p1 = NULL;
	rc = ADM_OK;
out:
	unlock_pass_free(p1);
	unlock_pass_free(p2);
	return rc;
}

void unlock_pass_free(char *pass)
{
	if (pass)
		sodium_free(pass);
}

/* Reads DIR/newsroom.key (its path into path) into a malloc'd *text.
 * ADM_OK, or ADM_ERR after an error line. */
static int key_file(const struct admin *a, char path[PATH_MAX], char **text,
		    size_t *tlen)
{
	int r;

	if (cli_path(a, "newsroom.key", path, PATH_MAX) != 0)
		return ADM_ERR;
	r = fileio_slurp(path, KEYS_FILE_MAX, text, tlen);
	if (r == CRYPT_EIO && errno == ENOENT) {
		/* Most often a mistyped or forgotten --home. */
		cli_err("no newsroom key in %s: run keygen, or check --home",
			a->home);
		return ADM_ERR;
	}
	if (r != 0) {
		cli_err("%s: %s", path, r == CRYPT_ETOOBIG ?
			"too large for a key file" : strerror(errno));
		return ADM_ERR;
	}
	return ADM_OK;
}

/* Opens the key file's text with pass into a->key; wipes nothing. */
static int key_open(struct admin *a, const char *path, const char *text,
		    size_t tlen, const char *pass, size_t plen)
{
	int r = keys_secret_open(text, tlen, pass, plen, &a->key);

	if (r == CRYPT_EPASS) {
		cli_err("wrong passphrase");
		return ADM_FAIL;
	}
	if (r != 0) {
		cli_err("%s: %s", path, crypt_strerror(r));
		return ADM_ERR;
	}
	return ADM_OK;
}

int unlock_key(struct admin *a)
{
	char path[PATH_MAX], prompt[PATH_MAX + 32], *text, *pass;
	size_t tlen, plen;
	int rc;

	if (a->key)
		return ADM_OK;
	if (key_file(a, path, &text, &tlen) != ADM_OK)
		return ADM_ERR;
	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", path);
	rc = unlock_pass(a, prompt, 0, &pass, &plen);
	if (rc == ADM_OK) {
		rc = key_open(a, path, text, tlen, pass, plen);
		unlock_pass_free(pass);
	}
	sodium_memzero(text, tlen);
	free(text);
	return rc;
}

int unlock_key_with(struct admin *a, const char *pass, size_t plen)
{
	char path[PATH_MAX], *text;
	size_t tlen;
	int rc;

	if (a->key)
		return ADM_OK;
	if (key_file(a, path, &text, &tlen) != ADM_OK)
		return ADM_ERR;
	rc = key_open(a, path, text, tlen, pass, plen);
	sodium_memzero(text, tlen);
	free(text);
	return rc;
}

int unlock_pub(const struct admin *a, keys_pub *pub)
{
	char path[PATH_MAX];
	int r;

	if (cli_path(a, "newsroom.pub", path, sizeof(path)) != 0)
		return ADM_ERR;
	r = keys_pub_load(path, pub);
	if (r != 0) {
		cli_err("%s: %s", path, r == CRYPT_EIO ? strerror(errno) :
			crypt_strerror(r));
		return ADM_ERR;
	}
	return ADM_OK;
}
