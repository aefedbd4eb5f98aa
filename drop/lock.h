/*
 * lock.h - one server per data directory.
 *
 * `serve` holds an exclusive flock on DIR/drop.db while it runs (flock
 * locks do not meet SQLite's own fcntl locks). `export` sweeps
 * half-written submissions only when it can take the same lock, because
 * a running server's uploads in progress look exactly like them.
 */
#ifndef SEALDROP_LOCK_H
#define SEALDROP_LOCK_H

/* Takes the lock without waiting. Returns an fd to keep open (closing it
 * releases the lock), -1 when another process holds it (errno
 * EWOULDBLOCK), or -1 with errno on another failure. */
int lock_take(const char *dir);

/* Releases a lock from lock_take. -1 is fine. */
void lock_release(int fd);

#endif
