/*
 * cmd_review.c - the interactive terminal interface (review.h): parses
 * the idle time before the screen locks and runs the session.
 *
 * The time comes from --lock-after, else $SEALDROP_ADMIN_LOCK_AFTER,
 * else REVIEW_LOCK_DEFAULT: MINUTES, or a number with "s" for seconds
 * (for tests and demonstrations); from 1 second to a day.
 */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "review.h"

/* Seconds from "10" (minutes) or "30s". 0 when it is not one. */
static unsigned lock_secs(const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s)
		return 0;
	if (*end == '\0' && v <= 24 * 60)
		return (unsigned)v * 60;
	if (end[0] == 's' && end[1] == '\0' && v <= 24 * 3600)
		return (unsigned)v;
	return 0;
}

int cmd_review(struct admin *a, int argc, char **argv)
{
	const char *after = NULL;
	unsigned secs = REVIEW_LOCK_DEFAULT;
	const struct cli_opt opts[] = {
		{ "--lock-after", &after, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (!after)
		after = getenv("SEALDROP_ADMIN_LOCK_AFTER");
	if (after && *after) {
		secs = lock_secs(after);
		if (secs == 0)
			return cli_usage(a, "--lock-after takes MINUTES (1 to "
					 "1440), or seconds as 30s");
	}
	return review_run(a, secs);
}
