/* SPDX-License-Identifier: BSD-3-Clause */
/* TARGET arguments of read/write/erase/sha256 resolved on the device. */
#ifndef QCBOX_CLI_TARGETS_H
#define QCBOX_CLI_TARGETS_H

#include "cli.h"
#include "qcbox/firehose.h"

enum target_use { TARGET_READ, TARGET_WRITE, TARGET_ERASE };

struct span {
	unsigned lun;
	uint64_t start, count; /* sectors; for writes, the room available */
	bool whole_lun;	       /* a bare LUN number */
	char name[128];	       /* the partition, if the target named one */
	char label[192];       /* for messages and progress: "boot_a", "4/boot_a", "0/6+1024" */
};

/* Returns an exit status (message printed) or CLI_OK with *SP filled.  A
 * name on several LUNs: reads take the lowest and say so; writes and erases
 * refuse and list the LUNs. */
int target_resolve(struct cli *cli, qc_fh *fh, const char *arg, enum target_use use, struct span *sp);

#endif
