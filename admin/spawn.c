/*
 * spawn.c - the launcher: forked before anything secret exists, the one
 * process of sealdrop-admin that may still start other programs.
 *
 * Requests and replies cross a SOCK_SEQPACKET socket pair, one record
 * each, moved with read() and write() alone (the offline filter kills the
 * tool at any send or receive call):
 *   request  'E' PATH NUL                   run the editor on PATH
 *            'I' CLEAN DIR NUL NAME NUL     inspect DIR/NAME; CLEAN is
 *                                           '0', or '1' for a cleaned copy
 *   reply    struct reply, then len bytes: the report ('R', code the
 *            editor's 0 or 1), or one line of reason ('X' could not run
 *            it, 'N' could not confine the inspector)
 * The launcher trusts only its parent, and still checks every request as
 * if it did not: a path must be a private regular file of this user in a
 * private folder, a name one plain name of a regular file.
 *
 * The inspector's sandbox (bubblewrap) sees /usr and the few files under
 * /etc that programs there read (the linker's cache, MIME types, fonts),
 * its own /proc, /dev and RAM-backed /tmp, the one file read-only and,
 * for a cleaned copy, an empty folder the launcher made beside it; all
 * else in it is read-only. No
 * network, no other process, no home, no other extracted file. What the
 * sandbox leaves in that folder is moved out (the cleaned copy, under a
 * name made here, never over a file) or removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../inspect/layout.h"
#include "cli.h"
#include "fileio.h"
#include "spawn.h"

struct reply {
	uint8_t kind;
	uint8_t pad[3];
	int32_t code;
	uint32_t len;
};

#define REQ_MAX (PATH_MAX + NAME_MAX + 8)
#define REASON_MAX 512
/* Room kept at the report's end for the launcher's own lines. */
#define REPORT_RESERVE 1024
/* How long one file's inspection may take, cleaning included. */
#define INSPECT_SECONDS 600
/* Most words in $VISUAL or $EDITOR. */
#define EDITOR_WORDS 16

static int sock = -1;
static pid_t launcher = -1;

/* ---- the launcher ---- */

static char inspector[PATH_MAX];
static char rbuf[sizeof(struct reply) + SPAWN_REPORT_MAX];

static void reply(int fd, int kind, int code, const char *data, size_t len)
{
	struct reply h = { 0 };

	if (len > SPAWN_REPORT_MAX)
		len = SPAWN_REPORT_MAX;
	h.kind = (uint8_t)kind;
	h.code = code;
	h.len = (uint32_t)len;
	memcpy(rbuf, &h, sizeof(h));
	if (len)
		memcpy(rbuf + sizeof(h), data, len);
	/* The parent gone, there is nobody to tell. */
	(void)!write(fd, rbuf, sizeof(h) + len);
}

static void reason(int fd, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reason(int fd, int kind, const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	reply(fd, kind, 0, msg, (size_t)n < sizeof(msg) ? (size_t)n :
	      sizeof(msg) - 1);
}

/* The inspector: beside this program in a build tree, else where `make
 * install` puts it relative to the program (PREFIX/libexec/sealdrop). */
static void find_inspector(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	static const char *const rel[] = {
		"/sealdrop-inspect", "/../libexec/sealdrop/sealdrop-inspect",
	};

	inspector[0] = '\0';
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s%s", exe, rel[i]) >=
		    (int)sizeof(path))
			continue;
		if (access(path, X_OK) == 0 && realpath(path, inspector))
			return;
	}
	inspector[0] = '\0';
}

/* A child of the launcher dies with it, and starts with the signals'
 * usual dispositions. */
static void child_setup(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

/* Whether st is this user's and nobody else's. */
static int private_to_me(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 077) == 0;
}

/* The editor's argument vector: $VISUAL or $EDITOR split at blanks (no
 * shell), flags for the editors known to write swap, backup, undo or
 * history files elsewhere, then path. words holds the split string. */
static int editor_argv(char *words, size_t wlen, const char *path,
		       char **argv)
{
	const char *ed = getenv("VISUAL");
	char found[PATH_MAX], real[PATH_MAX];
	const char *base;
	int n = 0;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	if (snprintf(words, wlen, "%s", ed) >= (int)wlen)
		return -1;
	for (char *p = strtok(words, " \t"); p; p = strtok(NULL, " \t")) {
		if (n == EDITOR_WORDS)
			return -1;
		argv[n++] = p;
	}
	if (n == 0)
		return -1;
	/* What it really is: vi is often a link to vim, or to nvi. */
	found[0] = '\0';
	if (strchr(argv[0], '/')) {
		snprintf(found, sizeof(found), "%s", argv[0]);
	} else {
		const char *pathenv = getenv("PATH");
		char dirs[4096];

		snprintf(dirs, sizeof(dirs), "%s",
			 pathenv ? pathenv : "/usr/bin:/bin");
		for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d;
		     d = strtok_r(NULL, ":", &save)) {
			if (snprintf(found, sizeof(found), "%s/%s", d,
				     argv[0]) < (int)sizeof(found) &&
			    access(found, X_OK) == 0)
				break;
			found[0] = '\0';
		}
	}
	base = found[0] && realpath(found, real) ? real : argv[0];
	if (strrchr(base, '/'))
		base = strrchr(base, '/') + 1;
	if (strncmp(base, "vim", 3) == 0 || strncmp(base, "nvim", 4) == 0 ||
	    strncmp(base, "gvim", 4) == 0) {
		argv[n++] = "-n";
		argv[n++] = "-i";
		argv[n++] = "NONE";
		argv[n++] = "+set nobackup nowritebackup noundofile";
	} else if (strcmp(base, "nano") == 0 || strcmp(base, "rnano") == 0) {
		/* A nanorc may turn backups on, into any folder. */
		argv[n++] = "--ignorercfiles";
	} else if (strncmp(base, "emacs", 5) == 0 &&
		   strncmp(base, "emacsclient", 11) != 0) {
		argv[n++] = "-Q";
		argv[n++] = "--eval";
		argv[n++] = "(setq make-backup-files nil auto-save-default nil "
			    "create-lockfiles nil)";
	}
	argv[n++] = (char *)path;
	argv[n] = NULL;
	return 0;
}

/* Forks argv[0]; exec's errno comes back through a close-on-exec pipe.
 * setup runs in the child first. The pid, or -1 after reason(). */
static pid_t start(int fd, char **argv, int *execfd,
		   void (*setup)(void *), void *ctx)
{
	pid_t parent = getpid(), pid;
	int p[2], e;

	if (pipe2(p, O_CLOEXEC) != 0) {
		reason(fd, 'X', "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_setup(parent);
		if (setup)
			setup(ctx);
		execvp(argv[0], argv);
		e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		reason(fd, 'X', "fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	*execfd = p[0];
	return pid;
}

/* exec's errno from the child's pipe, 0 when exec succeeded. */
static int exec_errno(int execfd)
{
	int e = 0;

	if (fileio_read_full(execfd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;
	close(execfd);
	return e;
}

static void edit_chdir(void *dir)
{
	if (chdir(dir) != 0)
		_exit(127);
}

static void serve_edit(int fd, const char *path)
{
	char words[1024], dir[PATH_MAX], *argv[EDITOR_WORDS + 8];
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	struct stat st;
	pid_t pid;
	int execfd, status, e;

	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !private_to_me(&st) || lstat(dir[0] ? dir : "/", &st) != 0 ||
	    !S_ISDIR(st.st_mode) || !private_to_me(&st)) {
		reason(fd, 'X', "refusing to edit a file that is not this "
		       "user's own, in a private folder");
		return;
	}
	if (editor_argv(words, sizeof(words), path, argv) != 0) {
		reason(fd, 'X', "$VISUAL or $EDITOR names no editor, or too "
		       "long a command");
		return;
	}
	/* The editor owns the terminal; a Ctrl-C there is its business. */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid = start(fd, argv, &execfd, edit_chdir, dir);
	if (pid > 0) {
		e = exec_errno(execfd);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (e)
			reason(fd, 'X', "cannot run the editor '%s': %s",
			       argv[0], strerror(e));
		else
			reply(fd, 'R', WIFEXITED(status) &&
			      WEXITSTATUS(status) == 0 ? 0 : 1, NULL, 0);
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
}

/* Whether s is INSPECT_CLEANED "." EXT, EXT as layout.h says; *ext. */
static int cleaned_name(const char *s, const char **ext)
{
	size_t n = strlen(INSPECT_CLEANED), m;

	if (strncmp(s, INSPECT_CLEANED ".", n + 1) != 0)
		return 0;
	*ext = s + n + 1;
	m = strlen(*ext);
	if (m == 0 || m > INSPECT_EXT_MAX)
		return 0;
	for (size_t i = 0; i < m; i++)
		if (!((*ext)[i] >= 'a' && (*ext)[i] <= 'z') &&
		    !((*ext)[i] >= '0' && (*ext)[i] <= '9'))
			return 0;
	return 1;
}

/* Moves the cleaned copy the inspector left in the folder scratch out to
 * dirfd as "STEM.cleaned.EXT" (or "STEM.cleaned (N).EXT"), never over a
 * file, and appends a line saying where to report (*len). */
static void keep_cleaned(int dirfd, int scratch, const char *name,
			 char *report, size_t *len)
{
	const char *dot = strrchr(name, '.'), *ext = NULL;
	int stem = dot && dot != name ? (int)(dot - name) : (int)strlen(name);
	char from[NAME_MAX + 1] = "", to[NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	int fd, n, w = 0;
	DIR *d;

	fd = dup(scratch);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (cleaned_name(de->d_name, &ext)) {
			snprintf(from, sizeof(from), "%s", de->d_name);
			break;
		}
	closedir(d);
	if (!from[0])
		return;
	ext = from + strlen(INSPECT_CLEANED) + 1;
	fd = openat(scratch, from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    fchmod(fd, 0600) != 0) {
		if (fd >= 0)
			close(fd);
		w = snprintf(report + *len, SPAWN_REPORT_MAX - *len,
			     "\nThe cleaned copy was not kept: not a "
			     "regular file.\n");
		goto out;
	}
	close(fd);
	for (unsigned i = 1; i <= 1000; i++) {
		if (i == 1)
			n = snprintf(to, sizeof(to), "%.*s.cleaned.%s", stem,
				     name, ext);
		else
			n = snprintf(to, sizeof(to), "%.*s.cleaned (%u).%s",
				     stem, name, i, ext);
		if (n < 0 || (size_t)n >= sizeof(to))
			break;
		if (renameat2(scratch, from, dirfd, to, RENAME_NOREPLACE) ==
		    0) {
			fsync(dirfd);
			w = snprintf(report + *len, SPAWN_REPORT_MAX - *len,
				     "\nCleaned copy written: %s\n", to);
			goto out;
		}
		if (errno != EEXIST)
			break;
	}
	w = snprintf(report + *len, SPAWN_REPORT_MAX - *len,
		     "\nThe cleaned copy was not kept: %s\n",
		     errno == EEXIST ? "too many files of that name" :
		     strerror(errno));
out:
	if (w > 0 && *len + (size_t)w < SPAWN_REPORT_MAX)
		*len += (size_t)w;
}

struct sandbox {
	int in;      /* the file, O_PATH */
	int scratch; /* the writable folder, or -1 */
	int out;     /* the report's pipe */
	int err;     /* bubblewrap's messages */
};

static void sandbox_setup(void *ctx)
{
	const struct sandbox *sb = ctx;
	const struct rlimit cpu = { INSPECT_SECONDS, INSPECT_SECONDS };
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(sb->out, 1) < 0 ||
	    dup2(sb->err, 2) < 0 || fcntl(sb->in, F_SETFD, 0) != 0 ||
	    (sb->scratch >= 0 && fcntl(sb->scratch, F_SETFD, 0) != 0))
		_exit(127);
	setrlimit(RLIMIT_CPU, &cpu);
}

/* Builds bubblewrap's arguments into argv (room for 80). */
static void sandbox_argv(char **argv, const struct sandbox *sb,
			 const char *name, int clean, char *infd,
			 char *outfd, char links[6][PATH_MAX])
{
	static const char *const roots[] = {
		"/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
	};
	static const char *const etc[] = {
		"/etc/ld.so.cache", "/etc/alternatives", "/etc/mime.types",
		"/etc/fonts", "/etc/magic",
	};
	int n = 0;

	argv[n++] = "bwrap";
	argv[n++] = "--unshare-all";
	argv[n++] = "--die-with-parent";
	argv[n++] = "--new-session";
	argv[n++] = "--cap-drop";
	argv[n++] = "ALL";
	argv[n++] = "--ro-bind";
	argv[n++] = "/usr";
	argv[n++] = "/usr";
	/* Merged /usr: /bin and the rest are links into it. */
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		struct stat st;
		ssize_t k;

		if (lstat(roots[i], &st) != 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			k = readlink(roots[i], links[i], PATH_MAX - 1);
			if (k <= 0)
				continue;
			links[i][k] = '\0';
			argv[n++] = "--symlink";
			argv[n++] = links[i];
		} else if (S_ISDIR(st.st_mode)) {
			argv[n++] = "--ro-bind";
			argv[n++] = (char *)roots[i];
		} else {
			continue;
		}
		argv[n++] = (char *)roots[i];
	}
	for (size_t i = 0; i < sizeof(etc) / sizeof(etc[0]); i++) {
		argv[n++] = "--ro-bind-try";
		argv[n++] = (char *)etc[i];
		argv[n++] = (char *)etc[i];
	}
	argv[n++] = "--proc";
	argv[n++] = "/proc";
	argv[n++] = "--dev";
	argv[n++] = "/dev";
	argv[n++] = "--tmpfs";
	argv[n++] = "/tmp";
	argv[n++] = "--ro-bind";
	argv[n++] = inspector;
	argv[n++] = INSPECT_BIN;
	snprintf(infd, 16, "%d", sb->in);
	argv[n++] = "--ro-bind-fd";
	argv[n++] = infd;
	argv[n++] = INSPECT_IN;
	if (clean) {
		snprintf(outfd, 16, "%d", sb->scratch);
		argv[n++] = "--bind-fd";
		argv[n++] = outfd;
		argv[n++] = INSPECT_OUT;
	}
	/* The sandbox's own root, where the mount points were made, is
	 * read-only too: only /tmp (RAM) and INSPECT_OUT take writes. */
	argv[n++] = "--remount-ro";
	argv[n++] = "/";
	argv[n++] = "--chdir";
	argv[n++] = "/";
	argv[n++] = "--clearenv";
	argv[n++] = "--setenv";
	argv[n++] = "PATH";
	argv[n++] = "/usr/bin:/bin";
	argv[n++] = "--setenv";
	argv[n++] = "HOME";
	argv[n++] = "/tmp";
	argv[n++] = "--setenv";
	argv[n++] = "LANG";
	argv[n++] = "C.UTF-8";
	argv[n++] = "--";
	argv[n++] = INSPECT_BIN;
	if (clean)
		argv[n++] = "--clean";
	argv[n++] = (char *)name;
	argv[n] = NULL;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Reads the report (at most keep bytes kept, the rest dropped) and
 * bubblewrap's messages until both pipes close or time runs out. */
static void collect(int out, int err, char *report, size_t keep,
		    size_t *len, int *cut, char *msg, size_t *mlen,
		    int *late, pid_t pid)
{
	struct timespec deadline;
	struct pollfd pf[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
	char sink[4096];
	int open_fds = 2, killed = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += INSPECT_SECONDS;
	while (open_fds > 0) {
		long left = ms_left(&deadline);
		int r;

		if (left <= 0) {
			if (killed)
				break;
			/* Its sandbox dies with it (--die-with-parent). */
			kill(pid, SIGKILL);
			*late = killed = 1;
			deadline.tv_sec += 5;
			continue;
		}
		r = poll(pf, 2, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		for (int i = 0; r > 0 && i < 2; i++) {
			ssize_t n;

			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			if (i == 0 && *len < keep)
				n = read(out, report + *len, keep - *len);
			else if (i == 1 && *mlen < REASON_MAX - 1)
				n = read(err, msg + *mlen,
					 REASON_MAX - 1 - *mlen);
			else
				n = read(pf[i].fd, sink, sizeof(sink));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pf[i].fd = -1;
				open_fds--;
			} else if (i == 0 && *len < keep) {
				*len += (size_t)n;
			} else if (i == 1 && *mlen < REASON_MAX - 1) {
				*mlen += (size_t)n;
			} else if (i == 0) {
				*cut = 1;
			}
		}
	}
	msg[*mlen] = '\0';
}

static void serve_inspect(int fd, int clean, const char *dir,
			  const char *name)
{
	static char report[SPAWN_REPORT_MAX];
	struct sandbox sb = { -1, -1, -1, -1 };
	char scratch[PATH_MAX], msg[REASON_MAX], infd[16], outfd[16];
	char links[6][PATH_MAX], *argv[80];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, dirfd, execfd;
	int status = 0, e, cut = 0, late = 0, w;
	size_t len = 0, mlen = 0;
	struct stat st;
	pid_t pid;

	scratch[0] = '\0';
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		reason(fd, 'X', "%s", strerror(errno));
		return;
	}
	sb.in = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (sb.in < 0 || fstat(sb.in, &st) != 0 || !S_ISREG(st.st_mode)) {
		reason(fd, 'X', "%s", sb.in < 0 ? strerror(errno) :
		       "not a regular file");
		goto out;
	}
	if (!inspector[0]) {
		reason(fd, 'X', "the inspector program (sealdrop-inspect) is "
		       "not installed beside this one");
		goto out;
	}
	if (clean) {
		if (snprintf(scratch, sizeof(scratch),
			     "%s/" SPAWN_SCRATCH_PREFIX "XXXXXX", dir) >=
			    (int)sizeof(scratch) || !mkdtemp(scratch)) {
			reason(fd, 'X', "cannot make a folder for the cleaned "
			       "copy: %s", strerror(errno));
			scratch[0] = '\0';
			goto out;
		}
		sb.scratch = open(scratch, O_RDONLY | O_DIRECTORY |
				  O_NOFOLLOW | O_CLOEXEC);
		/* Held by the inspector too, which inherits the fd: a
		 * sweep leaves the folder until both are gone. */
		if (sb.scratch < 0 || flock(sb.scratch, LOCK_EX) != 0) {
			reason(fd, 'X', "%s", strerror(errno));
			goto out;
		}
	}
	if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		reason(fd, 'X', "pipe: %s", strerror(errno));
		goto out;
	}
	sb.out = outp[1];
	sb.err = errp[1];
	sandbox_argv(argv, &sb, name, clean, infd, outfd, links);
	pid = start(fd, argv, &execfd, sandbox_setup, &sb);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (pid < 0)
		goto out;
	e = exec_errno(execfd);
	collect(outp[0], errp[0], report, SPAWN_REPORT_MAX - REPORT_RESERVE,
		&len, &cut, msg, &mlen, &late, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (e) {
		reason(fd, 'N', "bubblewrap (bwrap) cannot be run: %s",
		       strerror(e));
		goto out;
	}
	msg[strcspn(msg, "\n")] = '\0';
	if (len == 0 && !late) {
		/* Nothing reported: the sandbox never started, or the
		 * inspector stopped before its first line. */
		if (strncmp(msg, "bwrap: ", 7) == 0 || !msg[0])
			reason(fd, 'N', "%s", msg[0] ? msg :
			       "bubblewrap failed");
		else
			reason(fd, 'X', "the inspector failed: %s", msg);
		goto out;
	}
	if (cut)
		len += (size_t)snprintf(report + len, SPAWN_REPORT_MAX - len,
					"\n[The report was cut at %u bytes.]\n",
					(unsigned)len);
	if (late) {
		w = snprintf(report + len, SPAWN_REPORT_MAX - len,
			     "\nThe inspector took longer than %d seconds and "
			     "was stopped: treat this file as unchecked.\n",
			     INSPECT_SECONDS);
		len += (size_t)(w > 0 ? w : 0);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		w = snprintf(report + len, SPAWN_REPORT_MAX - len,
			     "\nThe inspector stopped early (%s %d): treat "
			     "this file as unchecked.\n",
			     WIFEXITED(status) ? "exit status" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) :
			     WTERMSIG(status));
		len += (size_t)(w > 0 ? w : 0);
	} else if (clean) {
		keep_cleaned(dirfd, sb.scratch, name, report, &len);
	}
	reply(fd, 'R', 0, report, len);
out:
	if (scratch[0]) {
		const char *base = strrchr(scratch, '/') + 1;

		fileio_remove_tree(dirfd, base);
	}
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (sb.scratch >= 0)
		close(sb.scratch);
	if (sb.in >= 0)
		close(sb.in);
	close(dirfd);
}

/* Checks a request's shape and runs it. */
static void serve(int fd, char *req, size_t n)
{
	const char *a, *b;
	size_t la, lb;

	if (n < 3 || req[n - 1] != '\0') {
		reason(fd, 'X', "malformed request");
		return;
	}
	if (req[0] == 'E') {
		a = req + 1;
		la = strlen(a);
		if (la + 2 != n || a[0] != '/' || la >= PATH_MAX) {
			reason(fd, 'X', "malformed request");
			return;
		}
		serve_edit(fd, a);
		return;
	}
	if (req[0] != 'I' || (req[1] != '0' && req[1] != '1')) {
		reason(fd, 'X', "malformed request");
		return;
	}
	a = req + 2;
	la = strnlen(a, n - 2);
	b = a + la + 1;
	if (la + 3 >= n) {
		reason(fd, 'X', "malformed request");
		return;
	}
	lb = strlen(b);
	if (2 + la + 1 + lb + 1 != n || a[0] != '/' || la >= PATH_MAX ||
	    lb == 0 || lb > NAME_MAX || strchr(b, '/') ||
	    strcmp(b, ".") == 0 || strcmp(b, "..") == 0) {
		reason(fd, 'X', "malformed request");
		return;
	}
	serve_inspect(fd, req[1] == '1', a, b);
}

static void __attribute__((noreturn)) launcher_main(int fd, pid_t parent)
{
	static char req[REQ_MAX + 1];
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "sealdrop-launch");
	/* Nothing it starts may hold the socket: one end of it would let a
	 * sandboxed program answer in the launcher's name. */
	if (fd != 3) {
		if (dup3(fd, 3, O_CLOEXEC) != 3)
			_exit(1);
		fd = 3;
	}
	close_range(4, ~0U, 0);
	/* A reply to a parent that died is dropped, not fatal. */
	signal(SIGPIPE, SIG_IGN);
	find_inspector();
	for (;;) {
		n = read(fd, req, sizeof(req));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		if ((size_t)n > REQ_MAX)
			reason(fd, 'X', "request too long");
		else
			serve(fd, req, (size_t)n);
	}
}

/* ---- the parent ---- */

int spawn_start(void)
{
	int sv[2], size = 4 * SPAWN_REPORT_MAX;
	pid_t parent = getpid(), pid;

	if (sock >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	/* A whole report is one record: the buffers must hold it. */
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) ||
	    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size))) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		launcher_main(sv[1], parent);
	}
	close(sv[1]);
	sock = sv[0];
	launcher = pid;
	atexit(spawn_stop);
	return 0;
}

int spawn_ready(void)
{
	return sock >= 0;
}

/* Sends req and waits for the reply: 0 with the reply's head in *h and
 * its data (h->len bytes) in data, or -1 after an error line. */
static int ask(const char *req, size_t reqlen, struct reply *h,
	       char **data)
{
	static char buf[sizeof(struct reply) + SPAWN_REPORT_MAX + 1];
	sigset_t pipe_set, old;
	const struct timespec zero = { 0, 0 };
	ssize_t n;
	int e;

	if (sock < 0) {
		cli_err("no launcher to run other programs (internal error)");
		return -1;
	}
	/* A launcher that died must not take this process with it. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(sock, req, reqlen);
	e = errno;
	if (n < 0 && e == EPIPE)
		sigtimedwait(&pipe_set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (n != (ssize_t)reqlen) {
		cli_err("the launcher of other programs is gone: %s",
			n < 0 ? strerror(e) : "short write");
		return -1;
	}
	do
		n = read(sock, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(*h)) {
		cli_err("the launcher of other programs is gone");
		return -1;
	}
	memcpy(h, buf, sizeof(*h));
	if (h->len > SPAWN_REPORT_MAX ||
	    (size_t)n != sizeof(*h) + h->len ||
	    (h->kind != 'R' && h->kind != 'X' && h->kind != 'N') ||
	    (h->kind != 'R' && h->len >= REASON_MAX)) {
		cli_err("the launcher of other programs answered nonsense");
		return -1;
	}
	*data = buf + sizeof(*h);
	(*data)[h->len] = '\0';
	return 0;
}

int spawn_edit(const char *path)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	char req[REQ_MAX], *data;
	struct reply h;
	size_t n = strlen(path);
	int rc;

	if (path[0] != '/' || n + 2 > sizeof(req)) {
		cli_err("%s: cannot be edited (not an absolute path, or too "
			"long)", path);
		return -1;
	}
	req[0] = 'E';
	memcpy(req + 1, path, n + 1);
	/* While the editor runs, a Ctrl-C is the editor's. */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	rc = ask(req, n + 2, &h, &data);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (rc != 0)
		return -1;
	if (h.kind != 'R') {
		cli_err("%s", data);
		return 1;
	}
	return h.code == 0 ? 0 : 1;
}

int spawn_inspect(const char *dir, const char *name, int clean,
		  char *report, size_t *len)
{
	char req[REQ_MAX], *data;
	size_t ld = strlen(dir), ln = strlen(name);
	struct reply h;

	*len = 0;
	if (dir[0] != '/' || !ln || strchr(name, '/') ||
	    3 + ld + ln + 1 > sizeof(req)) {
		cli_err("%s: cannot be inspected (internal error: not a name "
			"in an absolute folder)", name);
		return -1;
	}
	req[0] = 'I';
	req[1] = clean ? '1' : '0';
	memcpy(req + 2, dir, ld + 1);
	memcpy(req + 3 + ld, name, ln + 1);
	if (ask(req, 4 + ld + ln, &h, &data) != 0)
		return -1;
	if (h.kind == 'N') {
		cli_err("cannot confine the inspector: %s; files are written "
			"but not inspected", data);
		return -1;
	}
	if (h.kind == 'X') {
		cli_err("%s: cannot be inspected: %s", name, data);
		return -1;
	}
	memcpy(report, data, h.len);
	*len = h.len;
	return 0;
}

void spawn_stop(void)
{
	if (sock < 0)
		return;
	close(sock);
	sock = -1;
	/* Nothing is asked of it any more; what it runs dies with it. */
	kill(launcher, SIGKILL);
	while (waitpid(launcher, NULL, 0) < 0 && errno == EINTR)
		;
	launcher = -1;
}
