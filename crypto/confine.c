/*
 * confine.c - core dumps off, Landlock, dropping root, seccomp filters.
 *
 * The server's filter is an allow-list built from what the server really
 * calls while it serves (traced through whole journeys: pages, sign-up,
 * uploads, login, replies, logout, shutdown). A call missing from it kills
 * the process, which is the point: an exploit that needs one more system
 * call gets a dead process instead.
 *
 * Once the filter is loaded no memory becomes executable again (W^X with
 * no way back): the same traces show that, past that point, nothing maps
 * code, as long as the one library glibc loads on demand is loaded first.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "confine.h"

/* Landlock rights newer than the oldest uapi headers we build with. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_FILE (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE)

int
confine_secrets(void)
{
	const struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return -1;
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int
no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* Loads now the code glibc would otherwise map only when first needed,
 * which the server's filter would then refuse. Unwinding a thread
 * (pthread_exit, pthread_cancel, backtrace) dlopens libgcc_s: once it is
 * loaded, glibc finds it among the loaded objects and maps nothing. Done
 * before Landlock too, which may not let the library's directory be read.
 * Without the library, unwinding fails as it would have anyway. */
static void
load_late_code(void)
{
	(void)dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE);
}

/* Every file system right this kernel's Landlock ABI knows. */
static uint64_t
landlock_rights(int abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/* Grants rights (masked to what the ruleset handles) beneath path. A path
 * that does not exist is skipped unless it is required. */
static int
landlock_allow(int ruleset, const char *path, uint64_t rights,
	       uint64_t handled, int required)
{
	struct landlock_path_beneath_attr pb = { 0 };
	int rc, saved;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return !required && errno == ENOENT ? 0 : -1;
	pb.allowed_access = rights & handled;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
			  LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	saved = errno;
	close(pb.parent_fd);
	errno = saved;
	return rc;
}

int
confine_paths(const char *datadir)
{
	struct landlock_ruleset_attr attr = { 0 };
	uint64_t data;
	int abi, fd, rc = -1, saved;

	load_late_code();
	if (no_new_privs() != 0)
		return -1;
	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? 1 : -1;
	attr.handled_access_fs = landlock_rights(abi);
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -1;
	/* Regular files only beneath the data directory: no directories,
	 * links, sockets, devices or exec. A rename within one directory
	 * needs no REFER. */
	data = LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE |
	       LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	       LANDLOCK_ACCESS_FS_TRUNCATE;
	/* Libraries loaded late (NSS modules, libgcc_s) and the files of
	 * name lookups live there; none of it is writable. */
	if (landlock_allow(fd, datadir, data, attr.handled_access_fs, 1) ||
	    landlock_allow(fd, "/usr", LL_READ, attr.handled_access_fs, 0) ||
	    landlock_allow(fd, "/etc", LL_READ, attr.handled_access_fs, 0) ||
	    landlock_allow(fd, "/dev/null", LL_FILE, attr.handled_access_fs,
			   0) ||
	    landlock_allow(fd, "/dev/urandom", LANDLOCK_ACCESS_FS_READ_FILE,
			   attr.handled_access_fs, 0))
		goto out;
	/* The leak checker reads /proc/self/maps and /proc/self/task. */
	if (CONFINE_SANITIZED &&
	    landlock_allow(fd, "/proc", LL_READ, attr.handled_access_fs, 0))
		goto out;
	rc = (int)syscall(SYS_landlock_restrict_self, fd, 0);
out:
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
confine_drop_user(const char *name)
{
	const struct passwd *pw;
	uid_t uid, ru, eu, su;
	gid_t gid, rg, eg, sg;

	if (name == NULL)
		return 0;
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0 || gid == 0) {
		errno = EINVAL;
		return -1;
	}
	if (geteuid() != 0) {
		if (getuid() == uid && geteuid() == uid)
			return 0;
		errno = EPERM;
		return -1;
	}
	/* Groups first: only root may change them. glibc applies each id
	 * change to every thread of the process. */
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		return -1;
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return -1;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || getgroups(0, NULL) != 0 || setuid(0) == 0 ||
	    setgid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	/* A uid change resets dumpability to the fs.suid_dumpable sysctl. */
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Adds one rule per system call in nrs with the same action. */
static int
add_rules(scmp_filter_ctx ctx, uint32_t action, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, action, nrs[i], 0);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Loads ctx on every thread (TSYNC) and frees it. A system call made
 * through another architecture's entry point (int 0x80 on x86-64) would
 * bypass rules written for this one: it kills the process. */
static int
load(scmp_filter_ctx ctx, int rc)
{
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				      SCMP_ACT_KILL_PROCESS);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What sealdrop serve calls once it runs, without argument checks. Where
 * libc uses one of two calls depending on the architecture (poll/ppoll,
 * unlink/unlinkat, ...), both are listed. */
static const int server_calls[] = {
	/* memory: malloc, sodium_malloc (guard pages, mlock), thread stacks */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(mlock), SCMP_SYS(munlock),
	/* threads: one per connection, housekeeping; glibc's malloc counts
	 * CPUs when it first needs a new arena (unless M_ARENA_MAX is set) */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(getpid),
	/* abort() asks for its thread id before it signals itself */
	SCMP_SYS(gettid),
	SCMP_SYS(sched_getaffinity),
	/* SQLite's busy handler sleeps */
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	/* signals: SIGTERM/SIGINT reach a handler in the main thread */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
	/* time, when the vDSO cannot answer; randomness */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getrandom),
	/* SQLite: connections opened on demand, their WAL and shared
	 * memory files; getcwd and readlink resolve the database's path,
	 * fchmod and (as root) fchown match new files to the database */
	SCMP_SYS(openat), SCMP_SYS(close), SCMP_SYS(read), SCMP_SYS(write),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(lseek),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(fdatasync), SCMP_SYS(fcntl), SCMP_SYS(ftruncate),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(readlink),
	SCMP_SYS(readlinkat), SCMP_SYS(getcwd), SCMP_SYS(fchmod),
	SCMP_SYS(fchown), SCMP_SYS(geteuid),
	/* free disk space before accepting a submission (statvfs) */
	SCMP_SYS(statfs),
	/* the bound socket and the connections accepted on it */
	SCMP_SYS(accept4), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(sendmsg), SCMP_SYS(shutdown), SCMP_SYS(setsockopt),
	SCMP_SYS(pselect6), SCMP_SYS(poll), SCMP_SYS(ppoll),
	/* the front door's one thread waits on all its connections */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	/* glibc's fatal messages (stack smashing, heap corruption), so
	 * such a crash ends in the abort it means, not SIGSYS */
	SCMP_SYS(writev),
};

/* What the leak checker does at exit in sanitizer builds: a tracer task
 * (clone without CLONE_THREAD) that attaches to every thread. */
static const int sanitizer_calls[] = {
	SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(prctl),
	SCMP_SYS(getdents64), SCMP_SYS(getdents), SCMP_SYS(getppid),
	SCMP_SYS(sched_yield), SCMP_SYS(sigaltstack),
	SCMP_SYS(open),
	/* the report's writer asks whether stderr is a terminal */
	SCMP_SYS(ioctl),
};

/* Allows call (mmap or mprotect, protection in the third argument) unless
 * it asks for PROT_EXEC. Executable alone fails with EPERM, what the
 * kernel answers for a file on a noexec mount (as the systemd unit makes
 * every writable place): a library that tries to load code late then
 * fails as it does there, with an error it reports, rather than a bare
 * SIGSYS. Writable and executable at once is only ever asked for by code
 * that writes code, and kills like any call off the list. pkey_mprotect
 * and remap_file_pages are not on it; mremap keeps a mapping's
 * protection. */
static int
no_exec(scmp_filter_ctx ctx, int call)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, call, 1,
				  SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));

	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), call, 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ,
					      PROT_WRITE | PROT_EXEC,
					      PROT_EXEC));
	return rc;
}

int
confine_server(void)
{
	scmp_filter_ctx ctx;
	int rc;

	load_late_code();
	if (no_new_privs() != 0)
		return -1;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = add_rules(ctx, SCMP_ACT_ALLOW, server_calls, NELEM(server_calls));
	if (rc == 0 && CONFINE_SANITIZED)
		rc = add_rules(ctx, SCMP_ACT_ALLOW, sanitizer_calls,
			       NELEM(sanitizer_calls));
	/* New threads only: a new process could escape nothing (it inherits
	 * the filter), but the server never needs one. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
					      CLONE_THREAD));
	/* clone3 passes its flags in memory, which a filter cannot read.
	 * ENOSYS makes glibc fall back to clone, whose flags are checked. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clone3), 0);
	/* No new code: all the server runs is mapped by now, so a page that
	 * turns executable, or a file mapped so (one written into the data
	 * directory, say), could only hold code from outside. */
	if (rc == 0)
		rc = no_exec(ctx, SCMP_SYS(mmap));
	if (rc == 0)
		rc = no_exec(ctx, SCMP_SYS(mprotect));
	/* libmicrohttpd names its threads; no other prctl is needed. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME, 0));
	/* abort() signals itself; no other process may be signalled. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ,
					      (scmp_datum_t)getpid(), 0));
	return load(ctx, rc);
}

/* Networking beyond socket() itself: reaching these means a socket was
 * inherited, and the air-gapped tool has no use for one. */
static const int offline_kill[] = {
	SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(sendto),
	SCMP_SYS(sendmsg), SCMP_SYS(sendmmsg), SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(shutdown),
	/* running other programs */
	SCMP_SYS(execve), SCMP_SYS(execveat),
	/* other processes' memory and descriptors */
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(pidfd_getfd),
	/* io_uring performs socket operations no filter sees */
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register),
};

int
confine_offline(void)
{
	scmp_filter_ctx ctx;
	int rc;

	if (no_new_privs() != 0)
		return -1;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = add_rules(ctx, SCMP_ACT_KILL_PROCESS, offline_kill,
		       NELEM(offline_kill));
	/* The leak checker traces its own threads at exit. */
	if (rc == 0 && !CONFINE_SANITIZED)
		rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS,
				      SCMP_SYS(ptrace), 0);
	/* glibc's name service code probes nscd and systemd-userdb over
	 * AF_UNIX sockets and falls back to files when it cannot. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
				      SCMP_SYS(socket), 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
				      SCMP_SYS(socketpair), 0);
	return load(ctx, rc);
}
