/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef QCBOX_CLI_STREAMCACHE_H
#define QCBOX_CLI_STREAMCACHE_H

#include <stdint.h>

/* Drop-behind for one file written front to back. */
struct cli_stream_cache {
	int fd;
	uint64_t started; /* writeback started up to here */
	uint64_t dropped; /* pages before this were dropped */
};

void cli_stream_cache_init(struct cli_stream_cache *c, int fd);
/* POS: the file has been written up to here. */
void cli_stream_cache_advance(struct cli_stream_cache *c, uint64_t pos);

#endif
