/*
 * cmd_outbox.c - writes the signed bundle that carries replies and
 * acknowledgements to the server (desk_outbox does the work), and says
 * what it holds.
 */
#include <stdio.h>

#include "cli.h"
#include "desk.h"

int cmd_outbox(struct admin *a, int argc, char **argv)
{
	const char *out = NULL;
	struct desk_outbox_counts c;
	int rc;
	const struct cli_opt opts[] = {
		{ "--out", &out, NULL },
		{ NULL, NULL, NULL },
	};

	if (cli_args(a, argc, argv, opts, NULL, 0, 0) < 0)
		return ADM_ERR;
	if (!out || !*out)
		return cli_usage(a, "--out BUNDLE is required");
	rc = desk_outbox(a, out, &c);
	if (rc != ADM_OK)
		return rc;
	printf("Wrote %s: %lu repl%s, %lu acknowledgement%s", out, c.replies,
	       c.replies == 1 ? "y" : "ies", c.acks, c.acks == 1 ? "" : "s");
	if (c.statuses)
		printf(", %lu status acknowledgement%s", c.statuses,
		       c.statuses == 1 ? "" : "s");
	printf(".\n");
	if (c.held)
		printf("%lu more repl%s did not fit; run outbox again after "
		       "the server imported this one.\n", c.held,
		       c.held == 1 ? "y" : "ies");
	if (c.foreign)
		fprintf(stderr, PROG ": %lu submission%s not acknowledged: "
			"not sealed to this key; they stay on the server for "
			"the journalist who can read them\n", c.foreign,
			c.foreign == 1 ? "" : "s");
	if (c.broken)
		fprintf(stderr, PROG ": %lu submission%s not acknowledged: "
			"damaged in this archive; they stay on the server and "
			"come again in the next export\n", c.broken,
			c.broken == 1 ? "" : "s");
	printf("Replies stay queued until an export from the server confirms "
	       "them.\n");
	return ADM_OK;
}
