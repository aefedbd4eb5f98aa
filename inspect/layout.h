/*
 * layout.h - what sealdrop-admin's launcher (admin/spawn.c) and the
 * inspector (inspect/main.c) agree on: where things are inside the
 * sandbox, and how the cleaned copy comes out of it.
 *
 * The launcher binds the one file to inspect read-only at INSPECT_IN and,
 * only when a cleaned copy is asked for, an empty private folder it made
 * beside the file at INSPECT_OUT, the only place the sandbox may write
 * (besides its own RAM-backed /tmp). The inspector writes the cleaned copy
 * there as INSPECT_CLEANED "." EXT, EXT the extension of the type mat2
 * read it as; the launcher, outside, moves it next to the original under
 * a name of its own making and removes the folder with whatever else the
 * sandbox left in it.
 */
#ifndef SEALDROP_INSPECT_LAYOUT_H
#define SEALDROP_INSPECT_LAYOUT_H

/* The inspector's own path inside the sandbox. */
#define INSPECT_BIN "/sealdrop-inspect"

/* The file being inspected (read-only). */
#define INSPECT_IN "/in/file"

/* The writable folder for the cleaned copy (with --clean only). */
#define INSPECT_OUT "/out"

/* The cleaned copy's name in INSPECT_OUT, before "." EXT. */
#define INSPECT_CLEANED "cleaned"

/* Longest EXT, in bytes: lowercase ASCII letters and digits only. */
#define INSPECT_EXT_MAX 10

#endif
