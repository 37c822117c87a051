/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A partition dump passes through qcbox once, so keeping it in the page
 * cache only evicts what the machine is using.  Behind the current position,
 * pages are written back and dropped, with a lag so that the disk keeps up
 * in the background and the transfer never waits on it.  Dropped pages are
 * reused by the next writes, which on virtual machines is much cheaper than
 * taking memory the hypervisor has not handed out recently.  (Input images
 * are left alone: dropping one that was just made would first write it back,
 * competing with the device for the disk.)
 */
#include <fcntl.h>

#include "streamcache.h"

#define STEP (8u << 20)
#define LAG (64u << 20)

void cli_stream_cache_init(struct cli_stream_cache *c, int fd)
{
	c->fd = fd;
	c->started = c->dropped = 0;
}

void cli_stream_cache_advance(struct cli_stream_cache *c, uint64_t pos)
{
	if (c->fd < 0 || pos < c->started + STEP)
		return;
	/* Start writing back what was just written; it is on disk by the
	 * time it is dropped. */
	sync_file_range(c->fd, (off_t)c->started, (off_t)(pos - c->started), SYNC_FILE_RANGE_WRITE);
	c->started = pos;
	if (c->started < LAG || c->started - LAG < c->dropped + STEP)
		return;
	uint64_t end = c->started - LAG;

	sync_file_range(c->fd, (off_t)c->dropped, (off_t)(end - c->dropped),
			SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
	posix_fadvise(c->fd, (off_t)c->dropped, (off_t)(end - c->dropped), POSIX_FADV_DONTNEED);
	c->dropped = end;
}
