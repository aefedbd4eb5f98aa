/*
 * confine.h - what a running program may still do.
 *
 * Both programs hold secrets in memory and parse bytes an attacker chose.
 * These calls narrow what a bug could be turned into:
 *
 *  - confine_secrets: no core dump and no ptrace, so plaintext and session
 *    keys cannot be read out of a crash or an attached debugger;
 *  - confine_paths: Landlock, where the kernel has it: no writes outside
 *    the data directory, no reads outside it but of system files;
 *  - confine_drop_user: root gives up every privilege for good;
 *  - confine_server: a seccomp allow-list of the system calls the drop
 *    makes once it serves; anything else kills the process. No memory
 *    becomes executable after it (W^X for good), so no code can be
 *    brought in, from the data directory or anywhere else;
 *  - confine_offline: a seccomp deny-list for the air-gapped tool: no
 *    network, no exec, no peeking into other processes.
 *
 * Every call sets PR_SET_NO_NEW_PRIVS where a filter needs it. Filters and
 * Landlock domains only ever add restrictions; nothing here can be undone.
 *
 * Secrets in memory: sodium_malloc pages are mlocked (never swapped),
 * guarded and excluded from core dumps (MADV_DONTDUMP); confine_secrets
 * disables dumps for everything else. Argon2's work area is ordinary
 * memory: run the server without swap, or with encrypted swap.
 *
 * Sanitizer builds (ASan/LSan) keep every restriction but let the leak
 * checker do what it does at exit: trace its own threads (ptrace, a
 * non-thread clone, wait4, prctl) and read /proc/self. The release build
 * allows none of that.
 */
#ifndef SEALDROP_CONFINE_H
#define SEALDROP_CONFINE_H

/* 1 in AddressSanitizer builds (gcc says so with a macro, clang with
 * __has_feature), where the filters make room for the leak checker. */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_SANITIZED 1
#endif
#endif
#ifndef CONFINE_SANITIZED
#define CONFINE_SANITIZED 0
#endif

/* Sets RLIMIT_CORE to 0 (soft and hard) and PR_SET_DUMPABLE to 0, which
 * also forbids ptrace by the same user and makes /proc/PID/mem and
 * friends root-only. Call first thing in main(). Returns 0, or -1 with
 * errno. */
int confine_secrets(void);

/* Restricts the file system with Landlock: read, write, create and remove
 * regular files beneath datadir; read /usr, /etc (libraries, name service
 * files) and /dev/null, /dev/urandom; nothing else. It binds the calling
 * thread and the threads it starts from now on, not threads already
 * running: call it before starting the threads that handle requests, and
 * after every file outside datadir that is still needed is open (it loads
 * libgcc_s first, as confine_server does). Sets NO_NEW_PRIVS. Returns 0
 * when applied, 1 when the kernel has no Landlock (nothing done but
 * NO_NEW_PRIVS), -1 with errno on error. */
int confine_paths(const char *datadir);

/* Becomes user name for good: no supplementary groups, its gid and uid as
 * real, effective and saved ids. Only root can switch; a process that
 * already runs as that user succeeds without change, any other is refused
 * (EPERM). Refuses a user with uid or gid 0 (EINVAL) and checks that root
 * cannot be regained. NULL does nothing. Call after binding the listening
 * socket and before confine_server. Returns 0, or -1 with errno (ENOENT:
 * no such user). */
int confine_drop_user(const char *name);

/* Sets NO_NEW_PRIVS and loads, on every thread of the process, a seccomp
 * filter that allows only what sealdrop serve needs once its database is
 * open and its socket bound: file I/O, memory, threads (clone only with
 * CLONE_THREAD), accept4 and I/O on existing sockets, time, randomness.
 * Everything else (exec, socket, connect, ptrace, mount, bpf, prctl but
 * PR_SET_NAME, another filter, ...) kills the whole process, so call it
 * once, last.
 *
 * mmap and mprotect asking for PROT_EXEC fail with EPERM (as for a file
 * on a noexec mount), and kill when they ask for PROT_WRITE too: nothing
 * new can be mapped as code, not a file written into the data directory,
 * not a page made executable. What glibc would load only when first
 * needed (libgcc_s, to unwind a thread that exits or is cancelled) is
 * loaded first, here and in confine_paths. Returns 0, or -1 with errno. */
int confine_server(void);

/* Sets NO_NEW_PRIVS and loads, on every thread, a seccomp filter for a
 * program that works on files only: socket() and socketpair() fail with
 * EACCES (so library probes such as name service lookups fall back
 * quietly); every other networking call, exec, ptrace, cross-process
 * memory access and io_uring kill the process. Returns 0, or -1 with
 * errno. */
int confine_offline(void);

#endif
