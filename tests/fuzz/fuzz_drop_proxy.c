/* Fuzzes the parser of tor's PROXY v1 line, the first bytes the drop
 * reads from any connection when proxy_protocol is on. The input is the
 * line, in a buffer of its exact size. What it accepts must name an
 * address of the family and size it says, and be a line: "PROXY ",
 * CRLF at the end and nowhere before. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "door.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char *line = malloc(size ? size : 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	if (door_proxy_parse(line, size, &ss, &sl) == 0) {
		assert(size >= 8 && size <= DOOR_PROXY_MAX);
		assert(!memcmp(line, "PROXY ", 6));
		assert(line[size - 2] == '\r' && line[size - 1] == '\n');
		assert(!memchr(line, '\n', size - 1));
		assert((ss.ss_family == AF_INET &&
			sl == sizeof(struct sockaddr_in)) ||
		       (ss.ss_family == AF_INET6 &&
			sl == sizeof(struct sockaddr_in6)));
	}
	free(line);
	return 0;
}
