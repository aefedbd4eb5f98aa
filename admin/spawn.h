/*
 * spawn.h - the only way sealdrop-admin runs another program.
 *
 * The tool confines itself (no exec, no network) before it reads a bundle
 * or opens the newsroom key, and it must never run a parser of a
 * submitted file's bytes in a process that holds or has held that key.
 * So the commands that need another program (an editor for a reply or a
 * note, the file inspector for extract) start a launcher first:
 * spawn_start() forks it before anything secret is loaded and before the
 * filter is installed. The launcher holds nothing; it runs only the
 * programs below, on request over a socket, and returns their results.
 *
 * The inspector runs confined (bubblewrap: no network, no other process
 * to see, only the output folder writable), and what it reports is
 * untrusted bytes: capped here, and sanitised by the caller before it is
 * shown.
 */
#ifndef SEALDROP_ADMIN_SPAWN_H
#define SEALDROP_ADMIN_SPAWN_H

#include <stddef.h>

/* Longest inspector report taken, in bytes; more is cut, and says so. */
#define SPAWN_REPORT_MAX 65536

/* Forks the launcher. Call before confine_offline() and before any key
 * or plaintext exists in this process. 0, or -1 with errno. */
int spawn_start(void);

/* Whether the launcher is running (spawn_start succeeded). */
int spawn_ready(void);

/* Runs the user's editor ($VISUAL, else $EDITOR, else vi) on path, on
 * this terminal, and waits. Editors known to keep swap, backup or undo
 * files are told not to. 0 when it exited 0, 1 when it failed or was
 * killed, -1 when the launcher could not be asked (an error line
 * printed). */
int spawn_edit(const char *path);

/* The folder a cleaning inspector writes into, inside dir: this, then
 * mkdtemp's six characters. The launcher keeps it locked (flock) while
 * it is in use, so one that is not is a killed command's. */
#define SPAWN_SCRATCH_PREFIX ".sealdrop-inspect-"
#define SPAWN_SCRATCH_TAIL 6

/* Inspects file name inside folder dir (a name as the caller wrote it
 * there, no '/'), confined; with clean, also writes a cleaned copy
 * beside it. The report (text, at most SPAWN_REPORT_MAX bytes, not
 * NUL-terminated) goes to report, *len its length. 0 when the inspector
 * ran (its report says what it found and what failed), -1 when it could
 * not run at all (an error line printed). */
int spawn_inspect(const char *dir, const char *name, int clean,
		  char *report, size_t *len);

/* Stops the launcher (also at exit). */
void spawn_stop(void);

#endif
