/*
 * cmd.c - what the commands share.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"

int cmd_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("sealdrop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}
