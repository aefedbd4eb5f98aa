/*
 * test_admin_spawn.c - what crosses between sealdrop-admin and the
 * programs its launcher runs: requests checked, the sandbox's options,
 * the report relayed whole up to its cap and cut beyond it, sanitised
 * before it is shown, the cleaned copy moved out under a name that takes
 * nothing's place, and the editor's result.
 *
 * A stand-in bwrap, first in PATH, does what each test writes into its
 * mode file; the launcher is forked once, as sealdrop-admin forks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn.h"
#include "term.h"

static char dir[256];        /* the test's own folder */
static char out[300];        /* the "output folder" */
static char report[SPAWN_REPORT_MAX];
static size_t rlen;

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void mode(const char *m)
{
	char p[PATH_MAX + 8];

	snprintf(p, sizeof(p), "%s/mode", dir);
	write_file(p, m, 0600);
}

static const char fake_bwrap[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"in= outfd=\n"
	"prev=\n"
	"for a; do\n"
	"  [ \"$prev\" = --ro-bind-fd ] && in=$a\n"
	"  [ \"$prev\" = --bind-fd ] && outfd=$a\n"
	"  prev=$a\n"
	"done\n"
	"case $(cat \"$d/mode\") in\n"
	"args) for a; do printf '%s\\n' \"$a\"; done\n"
	"  echo \"in-fd: $(readlink /proc/$$/fd/$in)\" ;;\n"
	"flood) printf 'Title: \\033]0;pwned\\007\\033[2J\\n'\n"
	"  i=0; while [ $i -lt 2000 ]; do\n"
	"    echo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n"
	"    i=$((i + 1)); done ;;\n"
	"clean) o=/proc/$$/fd/$outfd\n"
	"  echo C >\"$o/cleaned.jpg\"; echo J >\"$o/junk\"\n"
	"  mkdir \"$o/sub\"; echo S >\"$o/sub/f\"; echo report ;;\n"
	"cleanlink) o=/proc/$$/fd/$outfd\n"
	"  ln -s /etc/passwd \"$o/cleaned.jpg\"; echo report ;;\n"
	"fail) echo 'bwrap: No permissions to create a new namespace' >&2\n"
	"  exit 1 ;;\n"
	"crash) echo partial; kill -9 $$ ;;\n"
	"esac\n";

static const char fake_editor[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"for f; do :; done\n"
	"printf '%s\\n' \"$*\" >\"$d/editor.args\"\n"
	"case $(cat \"$d/mode\") in\n"
	"edit) echo edited >>\"$f\" ;;\n"
	"fail) exit 3 ;;\n"
	"esac\n";

static int setup(void **state)
{
	char p[PATH_MAX + 32], exe[PATH_MAX], *slash, *path;
	ssize_t n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/spawn-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/bwrap", dir);
	write_file(p, fake_bwrap, 0700);
	/* "editor" is a link to a vim: known by what it really is. */
	snprintf(p, sizeof(p), "%s/vim.basic", dir);
	write_file(p, fake_editor, 0700);
	snprintf(p, sizeof(p), "%s/editor", dir);
	assert_int_equal(symlink("vim.basic", p), 0);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(mkdir(out, 0700), 0);
	mode("args");
	/* The launcher looks for the inspector beside its program: this
	 * test's stand-in bwrap never runs it, but it must be there. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	snprintf(p, sizeof(p), "%s/sealdrop-inspect", exe);
	if (access(p, X_OK) != 0)
		write_file(p, "#!/bin/sh\nexit 2\n", 0700);
	path = malloc(strlen(dir) + strlen(getenv("PATH")) + 2);
	sprintf(path, "%s:%s", dir, getenv("PATH"));
	setenv("PATH", path, 1);
	free(path);
	snprintf(p, sizeof(p), "%s/editor", dir);
	setenv("EDITOR", p, 1);
	unsetenv("VISUAL");
	return spawn_start();
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	spawn_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Extracts a file named name into the output folder. */
static void extracted(const char *name)
{
	char p[PATH_MAX + NAME_MAX + 2];

	snprintf(p, sizeof(p), "%s/%s", out, name);
	write_file(p, "JPEG bytes\n", 0600);
}

static int has_line(const char *line)
{
	char want[512];
	size_t n = (size_t)snprintf(want, sizeof(want), "\n%s\n", line);

	/* report has no NUL; it is searched as the lines it holds. */
	for (size_t i = 0; i + n <= rlen + 1; i++)
		if (memcmp((i ? report + i - 1 : "\n"), want, 1) == 0 &&
		    memcmp(report + i, want + 1, n - 1) == 0)
			return 1;
	return 0;
}

static void test_sandbox_options(void **state)
{
	char want[PATH_MAX + 16];

	(void)state;
	extracted("photo.jpg");
	mode("args");
	assert_int_equal(spawn_inspect(out, "photo.jpg", 1, report, &rlen),
			 0);
	for (const char *const *o = (const char *const[]){
		     "--unshare-all", "--die-with-parent", "--new-session",
		     "--cap-drop", "ALL", "--clearenv", "--remount-ro",
		     "--ro-bind-fd", "/in/file", "--bind-fd", "/out",
		     "--clean", "photo.jpg", NULL };
	     *o; o++)
		assert_true(has_line(*o));
	/* The file itself is what the sandbox is given, read-only. */
	snprintf(want, sizeof(want), "in-fd: %s/photo.jpg", out);
	assert_true(has_line(want));
	/* Never the output folder itself. */
	assert_false(has_line(out));
	assert_int_equal(spawn_inspect(out, "photo.jpg", 0, report, &rlen),
			 0);
	assert_false(has_line("--clean"));
	assert_false(has_line("--bind-fd"));
}

static void test_report_capped_and_sanitised(void **state)
{
	static char safe[TERM_OUT_MAX(SPAWN_REPORT_MAX)];
	term_state ts = { .npend = 0 };
	const char cut[] = "[The report was cut at ";
	size_t n;

	(void)state;
	extracted("flood.txt");
	mode("flood");
	assert_int_equal(spawn_inspect(out, "flood.txt", 0, report, &rlen),
			 0);
	/* About 106 kB were printed: the report is cut, and says so. */
	assert_true(rlen <= SPAWN_REPORT_MAX);
	assert_true(rlen > SPAWN_REPORT_MAX - 2048);
	assert_non_null(memmem(report, rlen, cut, sizeof(cut) - 1));
	assert_memory_equal(report + rlen - 3, ".]\n", 3);
	/* Relayed as it came: the escape sequences are still there... */
	assert_non_null(memchr(report, '\033', rlen));
	/* ...and gone once sanitised, their text visible and inert. */
	n = term_feed(&ts, (const uint8_t *)report, rlen, safe);
	n += term_end(&ts, safe + n);
	assert_null(memchr(safe, '\033', n));
	assert_null(memchr(safe, '\007', n));
	assert_non_null(memmem(safe, n, "\\x1b]0;pwned\\x07", 15));
}

static void test_cleaned_copy(void **state)
{
	char p[PATH_MAX + 32], q[PATH_MAX + 32];
	struct stat st;
	FILE *f;
	char c[4] = "";

	(void)state;
	extracted("pic.jpg");
	mode("clean");
	assert_int_equal(spawn_inspect(out, "pic.jpg", 1, report, &rlen), 0);
	assert_true(has_line("Cleaned copy written: pic.cleaned.jpg"));
	snprintf(p, sizeof(p), "%s/pic.cleaned.jpg", out);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(c, sizeof(c), f));
	fclose(f);
	assert_string_equal(c, "C\n");
	/* Again: a new name, the first copy untouched. */
	assert_int_equal(spawn_inspect(out, "pic.jpg", 1, report, &rlen), 0);
	assert_true(has_line("Cleaned copy written: pic.cleaned (2).jpg"));
	snprintf(q, sizeof(q), "%s/pic.cleaned (2).jpg", out);
	assert_int_equal(access(q, F_OK), 0);
	/* A link is not a copy: not kept. */
	mode("cleanlink");
	assert_int_equal(spawn_inspect(out, "pic.jpg", 1, report, &rlen), 0);
	assert_true(has_line("The cleaned copy was not kept: not a regular "
			     "file."));
	snprintf(q, sizeof(q), "%s/pic.cleaned (3).jpg", out);
	assert_int_equal(access(q, F_OK), -1);
	/* Nothing else the sandbox wrote stays: only these are left. */
	snprintf(q, sizeof(q), "cd '%s' && test \"$(ls -A | grep -v "
		 "'^photo.jpg$\\|^flood.txt$' | tr '\\n' ' ')\" = "
		 "'pic.cleaned (2).jpg pic.cleaned.jpg pic.jpg '", out);
	assert_int_equal(system(q), 0);
}

static void test_cannot_confine(void **state)
{
	(void)state;
	extracted("x.pdf");
	mode("fail");
	assert_int_equal(spawn_inspect(out, "x.pdf", 0, report, &rlen), -1);
	assert_int_equal(rlen, 0);
	/* A report that stops early says the file is unchecked. */
	mode("crash");
	assert_int_equal(spawn_inspect(out, "x.pdf", 0, report, &rlen), 0);
	assert_true(has_line("partial"));
	assert_non_null(memmem(report, rlen, "treat this file as unchecked",
			       28));
}

static void test_requests_checked(void **state)
{
	char p[PATH_MAX + 16];

	(void)state;
	mode("args");
	extracted("ok.jpg");
	assert_int_equal(spawn_inspect("relative", "ok.jpg", 0, report,
				       &rlen), -1);
	assert_int_equal(spawn_inspect(out, "../out/ok.jpg", 0, report,
				       &rlen), -1);
	assert_int_equal(spawn_inspect(out, "..", 0, report, &rlen), -1);
	assert_int_equal(spawn_inspect(out, "", 0, report, &rlen), -1);
	assert_int_equal(spawn_inspect(out, "missing", 0, report, &rlen),
			 -1);
	snprintf(p, sizeof(p), "%s/link.jpg", out);
	assert_int_equal(symlink("ok.jpg", p), 0);
	assert_int_equal(spawn_inspect(out, "link.jpg", 0, report, &rlen),
			 -1);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", out);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(spawn_inspect(out, "sub", 0, report, &rlen), -1);
	rmdir(p);
	/* A folder reached through a link is refused too. */
	snprintf(p, sizeof(p), "%s/outlink", dir);
	assert_int_equal(symlink(out, p), 0);
	assert_int_equal(spawn_inspect(p, "ok.jpg", 0, report, &rlen), -1);
}

static void test_editor(void **state)
{
	char d[PATH_MAX + 16], f[PATH_MAX + 32], buf[64] = "";
	char args[PATH_MAX + 128], want[PATH_MAX + 128];
	FILE *fp;

	(void)state;
	snprintf(d, sizeof(d), "%s/edit", dir);
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(f, sizeof(f), "%s/text.txt", d);
	write_file(f, "", 0600);
	mode("edit");
	assert_int_equal(spawn_edit(f), 0);
	fp = fopen(f, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "edited\n");
	mode("fail");
	assert_int_equal(spawn_edit(f), 1);
	/* Only a private file in a private folder is handed over. */
	mode("edit");
	chmod(f, 0644);
	assert_int_equal(spawn_edit(f), 1);
	chmod(f, 0600);
	chmod(d, 0755);
	assert_int_equal(spawn_edit(f), 1);
	chmod(d, 0700);
	assert_int_equal(spawn_edit("relative.txt"), -1);
	/* A vim is told to keep no swap, backup, undo or history file,
	 * and gets the file last. */
	assert_int_equal(spawn_edit(f), 0);
	snprintf(d, sizeof(d), "%s/editor.args", dir);
	fp = fopen(d, "r");
	assert_non_null(fp);
	assert_non_null(fgets(args, sizeof(args), fp));
	fclose(fp);
	snprintf(want, sizeof(want), "-n -i NONE +set nobackup nowritebackup "
		 "noundofile %s\n", f);
	assert_string_equal(args, want);
}

static void test_stopped(void **state)
{
	(void)state;
	spawn_stop();
	assert_false(spawn_ready());
	assert_int_equal(spawn_inspect(out, "ok.jpg", 0, report, &rlen), -1);
	assert_int_equal(spawn_edit("/x"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sandbox_options),
		cmocka_unit_test(test_report_capped_and_sanitised),
		cmocka_unit_test(test_cleaned_copy),
		cmocka_unit_test(test_cannot_confine),
		cmocka_unit_test(test_requests_checked),
		cmocka_unit_test(test_editor),
		cmocka_unit_test(test_stopped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
