/*
 * edit.h - writing a reply or a note in the journalist's own editor,
 * without the text ever reaching a disk.
 *
 * The editor works on a file in a private folder (0700) on a RAM-backed
 * file system (tmpfs), which also catches whatever swap, backup or undo
 * files an editor leaves beside it. Once the editor exits, the text is
 * read into locked memory, and every file in that folder is overwritten
 * with zeros, synced and removed, then the folder itself: on every way
 * out, a SIGHUP or SIGTERM while the editor runs included. A SIGKILL
 * leaves the folder behind, in RAM, until the next sealdrop-admin
 * command starts (edit_sweep) or the machine is turned off.
 */
#ifndef SEALDROP_ADMIN_EDIT_H
#define SEALDROP_ADMIN_EDIT_H

#include <stddef.h>

/* Has the editor write what (a "reply", a "note"), via spawn_edit (the
 * launcher must be running: spawn.h). The folder is made in
 * $XDG_RUNTIME_DIR when it is a tmpfs, else in /dev/shm when it is one;
 * with neither it refuses. On ADM_OK *text holds the text (sodium_malloc,
 * NUL-terminated, *len bytes, at most CLI_TEXT_MAX; the caller
 * sodium_free()s it). An empty text (or only white space) means the
 * journalist changed their mind: ADM_ERR after a line saying nothing was
 * kept, as for an editor that failed or a text too long. */
int edit_text(const char *what, char **text, size_t *len);

/* Wipes (as edit_text does) every folder edit_text made that no living
 * process holds, in both places it may make one, with a line on stderr
 * for each: a process killed while its editor ran leaves its folder, and
 * the draft in it was never sealed. A folder another sealdrop-admin is
 * using is left alone. The number of folders wiped. */
int edit_sweep(void);

#endif
