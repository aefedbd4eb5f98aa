/*
 * nolink - runs a command as on a file system that cannot rename without
 * replacing (NFS, some FUSE ones), and with "nolinks" one without hard
 * links either (FAT through FUSE): renameat2 fails with EINVAL, and link
 * and linkat with EPERM, by a seccomp filter the command inherits. Test
 * use only.
 *
 *   nolink norename|nolinks COMMAND [ARG]...
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <seccomp.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int links, rc;

	if (argc < 3 || (strcmp(argv[1], "norename") != 0 &&
			 strcmp(argv[1], "nolinks") != 0)) {
		fprintf(stderr, "usage: nolink norename|nolinks COMMAND "
			"[ARG]...\n");
		return 2;
	}
	links = strcmp(argv[1], "nolinks") == 0;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	rc = ctx ? 0 : -ENOMEM;
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL),
				      SCMP_SYS(renameat2), 0);
	if (rc == 0 && links)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				      SCMP_SYS(link), 0);
	if (rc == 0 && links)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				      SCMP_SYS(linkat), 0);
	if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		rc = -errno;
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		fprintf(stderr, "nolink: seccomp: %s\n", strerror(-rc));
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "nolink: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
