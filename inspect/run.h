/*
 * run.h - running a helper (mat2) inside the inspector's sandbox.
 */
#ifndef SEALDROP_INSPECT_RUN_H
#define SEALDROP_INSPECT_RUN_H

#include <stddef.h>

/* Runs argv[0] (looked up in PATH) with argv, standard input from
 * /dev/null, standard output and error together into out: the first cap
 * bytes are kept (*len), the rest read and dropped (*cut set). Returns
 * its wait status (>= 0), or -1 with errno when it could not be started
 * (ENOENT: not installed). */
int run_capture(char *const argv[], char *out, size_t cap, size_t *len,
		int *cut);

#endif
