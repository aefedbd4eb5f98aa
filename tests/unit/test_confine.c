/*
 * test_confine.c - every restriction is tried in a forked child, since
 * none of them can be undone; the parent reads how the child ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "confine.h"

static char dir[4096];

static int
setup(void **state)
{
	const char *b = getenv("SEALDROP_BUILD");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/confine.XXXXXX", b ? b : ".");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[4200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs fn in a child and returns its wait status. The child leaves with
 * _exit, so nothing of the parent's (cmocka, leak checks) runs twice. */
static int
in_child(int (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
assert_exit0(int status)
{
	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child check %d failed", WEXITSTATUS(status));
}

static void
assert_sigsys(int status)
{
	if (WIFEXITED(status))
		fail_msg("child exited %d, expected SIGSYS",
			 WEXITSTATUS(status));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* 1 when /proc/self/status has the line. */
static int
status_has(const char *line)
{
	char buf[8192];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, line) != NULL;
}

/* Creates, writes, syncs, reads back and removes a file in dir, with the
 * calls SQLite makes. */
static int
file_io_works(void)
{
	char path[4200], back[6];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/io", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	ok = write(fd, "hello", 5) == 5 && fdatasync(fd) == 0 &&
	     pread(fd, back, 5, 0) == 5 && memcmp(back, "hello", 5) == 0 &&
	     ftruncate(fd, 0) == 0;
	close(fd);
	return ok && unlink(path) == 0;
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static int
thread_works(void)
{
	pthread_t t;
	void *ret = NULL;
	int v = 7;

	return pthread_create(&t, NULL, thread_fn, &v) == 0 &&
	       pthread_join(t, &ret) == 0 && ret == &v;
}

static int
child_secrets(void)
{
	struct rlimit rl;

	if (confine_secrets() != 0)
		return 1;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 2;
	if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 ||
	    rl.rlim_max != 0)
		return 3;
	/* The hard limit is gone for good. */
	rl.rlim_cur = rl.rlim_max = 1 << 20;
	if (getuid() != 0 && setrlimit(RLIMIT_CORE, &rl) == 0)
		return 4;
	return 0;
}

static void
test_secrets(void **state)
{
	(void)state;
	assert_exit0(in_child(child_secrets));
}

static int
child_offline(void)
{
	int s;

	if (confine_offline() != 0)
		return 1;
	if (!status_has("Seccomp:\t2\n") || !status_has("NoNewPrivs:\t1\n"))
		return 2;
	/* socket() is refused with an error, not killed: library probes
	 * must be able to fall back. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s != -1 || errno != EACCES)
		return 3;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s != -1 || errno != EACCES)
		return 4;
	if (!file_io_works())
		return 5;
	if (!thread_works())
		return 6;
	return 0;
}

static void
test_offline(void **state)
{
	(void)state;
	assert_exit0(in_child(child_offline));
}

static int
child_offline_connect(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	if (confine_offline() != 0)
		return 1;
	/* Any descriptor will do: the filter kills before the kernel looks
	 * at it. */
	connect(0, (struct sockaddr *)&sa, sizeof(sa));
	return 2;
}

static int
child_offline_sendto(void)
{
	if (confine_offline() != 0)
		return 1;
	sendto(1, "x", 1, 0, NULL, 0);
	return 2;
}

static int
child_exec(void)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return 2;
}

static int
child_offline_exec(void)
{
	if (confine_offline() != 0)
		return 1;
	return child_exec();
}

#if defined(__x86_64__)
/* getpid through the 32-bit entry point. A kernel built or booted
 * without it answers int $0x80 with SIGSEGV: that must kill the child,
 * not reach cmocka's handler, which the fork inherited and which would
 * have the child run the rest of the tests. */
static long
ia32_getpid(void)
{
	long ret = 20; /* getpid on i386 */

	signal(SIGSEGV, SIG_DFL);
	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return ret;
}

static int
child_ia32(void)
{
	return ia32_getpid() == (long)getpid() ? 0 : 3;
}

/* The 32-bit entry point, where socketcall(2) would do all networking in
 * one system call the rules above do not name. */
static int
child_offline_ia32(void)
{
	if (confine_offline() != 0)
		return 1;
	ia32_getpid();
	return 2;
}
#endif

static void
test_offline_kills(void **state)
{
	(void)state;
	assert_sigsys(in_child(child_offline_connect));
	assert_sigsys(in_child(child_offline_sendto));
	assert_sigsys(in_child(child_offline_exec));
}

/* Where the kernel has no 32-bit entry point there is nothing to reach
 * through it; where it has one, the filter must kill on it. */
static void
test_offline_ia32(void **state)
{
	(void)state;
#if defined(__x86_64__)
	int status = in_child(child_ia32);

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
		fprintf(stderr, "note: this kernel has no 32-bit system call "
				"entry (int $0x80 faults): nothing to filter\n");
		skip();
	}
	assert_exit0(status);
	assert_sigsys(in_child(child_offline_ia32));
#else
	skip();
#endif
}

static int
child_server(void)
{
	if (confine_server() != 0)
		return 1;
	if (!status_has("Seccomp:\t2\n") || !status_has("NoNewPrivs:\t1\n"))
		return 2;
	if (!file_io_works())
		return 3;
	if (!thread_works())
		return 4;
	/* libmicrohttpd names its threads. */
	if (prctl(PR_SET_NAME, "confined", 0, 0, 0) != 0)
		return 5;
	return 0;
}

static void
test_server(void **state)
{
	(void)state;
	assert_exit0(in_child(child_server));
}

static int
child_server_socket(void)
{
	if (confine_server() != 0)
		return 1;
	socket(AF_INET, SOCK_STREAM, 0);
	return 2;
}

static int
child_server_exec(void)
{
	if (confine_server() != 0)
		return 1;
	return child_exec();
}

static int
child_server_fork(void)
{
	if (confine_server() != 0)
		return 1;
	/* fork() is clone without CLONE_THREAD. */
	if (fork() == 0)
		_exit(0);
	return 2;
}

static int
child_server_wx(void)
{
	if (confine_server() != 0)
		return 1;
	mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return 2;
}

/* A file in dir with something in it, open for reading; -1 on error. */
static int
data_file(void)
{
	char path[4200], page[4096];
	int fd;

	memset(page, 0xc3, sizeof(page)); /* ret, should it ever run */
	snprintf(path, sizeof(path), "%s/code", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* No new executable memory: a file the confined server wrote cannot be
 * mapped as code, nor can a page be made executable, while ordinary
 * mappings work. Refusals are EPERM, not a kill. */
static int
child_server_noexec(void)
{
	const size_t len = 4096;
	unsigned char *p;
	void *x;
	int fd;

	/* The check means nothing where the directory is on a noexec
	 * mount already. */
	fd = data_file();
	if (fd < 0)
		return 1;
	x = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (x == MAP_FAILED)
		return 77;
	munmap(x, len);

	if (confine_server() != 0)
		return 2;
	fd = data_file();
	if (fd < 0)
		return 3;
	x = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (x != MAP_FAILED || errno != EPERM)
		return 4;
	x = mmap(NULL, len, PROT_EXEC, MAP_SHARED, fd, 0);
	if (x != MAP_FAILED || errno != EPERM)
		return 5;
	/* Read-only, as SQLite maps its database, it works. */
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || p[0] != 0xc3 || munmap(p, len) != 0)
		return 6;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 7;
	memset(p, 0xc3, len);
	if (mprotect(p, len, PROT_READ | PROT_EXEC) != -1 || errno != EPERM)
		return 8;
	if (mprotect(p, len, PROT_EXEC) != -1 || errno != EPERM)
		return 9;
	/* sodium_malloc's guard pages and read-only keys */
	if (mprotect(p, len, PROT_NONE) != 0 ||
	    mprotect(p, len, PROT_READ) != 0 || p[0] != 0xc3 ||
	    munmap(p, len) != 0)
		return 10;
	x = mmap(NULL, len, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x != MAP_FAILED || errno != EPERM)
		return 11;
	if (!file_io_works() || !thread_works())
		return 12;
	return 0;
}

static void
test_server_noexec(void **state)
{
	int status;

	(void)state;
	status = in_child(child_server_noexec);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	assert_exit0(status);
}

static void *
exit_fn(void *arg)
{
	pthread_exit(arg);
}

struct blocked {
	int fd;
	char c;
};

/* Nothing on its own stack: in sanitizer builds the redzones of a frame
 * that cancellation unwinds stay poisoned, and trip the runtime as the
 * thread ends. */
static void *
blocked_fn(void *arg)
{
	struct blocked *b = arg;

	/* read is a cancellation point */
	if (read(b->fd, &b->c, 1) < 0)
		return NULL;
	return arg;
}

/* A thread that unwinds needs libgcc_s, which glibc loads on first use:
 * confine_server loads it first, or this would need new code mapped. */
static int
child_server_unwind(void)
{
	struct blocked b = { -1, 0 };
	pthread_t t;
	void *ret = NULL;
	int v = 7, fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		return 1;
	b.fd = fds[0];
	if (confine_server() != 0)
		return 2;
	if (pthread_create(&t, NULL, exit_fn, &v) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != &v)
		return 3;
	if (pthread_create(&t, NULL, blocked_fn, &b) != 0 ||
	    pthread_cancel(t) != 0 || pthread_join(t, &ret) != 0 ||
	    ret != PTHREAD_CANCELED)
		return 4;
	return 0;
}

static void
test_server_unwind(void **state)
{
	(void)state;
	assert_exit0(in_child(child_server_unwind));
}

static int
child_server_mprotect_wx(void)
{
	void *p;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	if (confine_server() != 0)
		return 1;
	mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
	return 2;
}

static int
child_server_dumpable(void)
{
	if (confine_server() != 0)
		return 1;
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 2;
}

static void
test_server_kills(void **state)
{
	(void)state;
	assert_sigsys(in_child(child_server_socket));
	assert_sigsys(in_child(child_server_exec));
	assert_sigsys(in_child(child_server_wx));
	assert_sigsys(in_child(child_server_mprotect_wx));
	/* The leak checker's tracer is such a clone, and it needs prctl. */
	if (!CONFINE_SANITIZED) {
		assert_sigsys(in_child(child_server_fork));
		assert_sigsys(in_child(child_server_dumpable));
	}
}

/* Landlock: files beneath dir/data only, system files read-only. */
static int
child_paths(void)
{
	char data[4200], path[4300];
	int fd, rc;

	snprintf(data, sizeof(data), "%s/data", dir);
	rc = confine_paths(data);
	if (rc == 1)
		return 77;
	if (rc != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/in", data);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || ftruncate(fd, 0) != 0)
		return 2;
	close(fd);
	if (unlink(path) != 0)
		return 3;
	snprintf(path, sizeof(path), "%s/outside", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 || errno != EACCES)
		return 4;
	snprintf(path, sizeof(path), "%s/readme", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EACCES)
		return 5;
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 6;
	close(fd);
	fd = open("/etc/passwd", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 || (errno != EACCES && errno != EROFS))
		return 7;
	if (!thread_works())
		return 8;
	return 0;
}

static void
test_paths(void **state)
{
	char path[4300];
	int fd, status;

	(void)state;
	snprintf(path, sizeof(path), "%s/data", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/readme", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	status = in_child(child_paths);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	assert_exit0(status);
}

static int
child_user(void)
{
	if (confine_drop_user(NULL) != 0)
		return 1;
	if (confine_drop_user("no-such-user-here") != -1 || errno != ENOENT)
		return 2;
	if (confine_drop_user("root") != -1 || errno != EINVAL)
		return 3;
	if (getuid() != 0)
		return confine_drop_user("nobody") == -1 && errno == EPERM ?
		       0 : 4;
	if (confine_drop_user("nobody") != 0)
		return 5;
	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 ||
	    getegid() == 0 || getgroups(0, NULL) != 0)
		return 6;
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
		return 7;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 8;
	/* Already that user: nothing to do, no error. */
	if (confine_drop_user("nobody") != 0)
		return 9;
	return 0;
}

static void
test_drop_user(void **state)
{
	(void)state;
	assert_exit0(in_child(child_user));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_offline_kills),
		cmocka_unit_test(test_offline_ia32),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_server_kills),
		cmocka_unit_test(test_server_noexec),
		cmocka_unit_test(test_server_unwind),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_drop_user),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
