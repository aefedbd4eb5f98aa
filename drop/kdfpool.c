/*
 * kdfpool.c - a counting semaphore around codename_derive.
 */
#include <errno.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

#include "kdfpool.h"

static sem_t slots;
static unsigned wait_for;

int kdfpool_init(unsigned workers, unsigned wait_s)
{
	if (!workers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		workers = n > 0 ? (unsigned)n : 1;
	}
	wait_for = wait_s;
	return sem_init(&slots, 0, workers);
}

int kdfpool_derive(const codename *c, const codename_params *p,
		   codename_keys *k)
{
	struct timespec until;
	int r;
	/* sem_timedwait wants a CLOCK_REALTIME deadline. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_for;
	while ((r = sem_timedwait(&slots, &until)) && errno == EINTR)
		;
	if (r)
		return KDFPOOL_EBUSY;
	r = codename_derive(c, p, k);
	sem_post(&slots);
	return r;
}
