/*
 * run.c - fork, exec and read a helper's output, bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "run.h"

int run_capture(char *const argv[], char *out, size_t cap, size_t *len,
		int *cut)
{
	int outp[2], errp[2], st, e = 0, null;
	char sink[4096];
	ssize_t n;
	pid_t pid;

	*len = 0;
	*cut = 0;
	if (pipe2(outp, O_CLOEXEC) != 0)
		return -1;
	/* exec's errno comes back through a pipe closed by a good exec. */
	if (pipe2(errp, O_CLOEXEC) != 0) {
		close(outp[0]);
		close(outp[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(outp[1], 1) < 0 ||
		    dup2(outp[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		(void)!write(errp[1], &e, sizeof(e));
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	if (pid < 0) {
		e = errno;
		close(outp[0]);
		close(errp[0]);
		errno = e;
		return -1;
	}
	n = fileio_read_full(outp[0], out, cap);
	if (n > 0)
		*len = (size_t)n;
	if (n == (ssize_t)cap) {
		while ((n = read(outp[0], sink, sizeof(sink))) != 0) {
			if (n > 0)
				*cut = 1;
			else if (errno != EINTR)
				break;
		}
	}
	close(outp[0]);
	if (fileio_read_full(errp[0], &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;
	close(errp[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (e) {
		errno = e;
		return -1;
	}
	return st;
}
