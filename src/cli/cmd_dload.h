/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the dload and sdload command groups. */
#ifndef QCBOX_CMD_DLOAD_H
#define QCBOX_CMD_DLOAD_H

#include "cli.h"

struct dl_subcommand {
	const char *name;
	int (*fn)(struct cli *, int, char **);
};

/* Runs the subcommand named by argv[1], or prints USAGE. */
int dl_dispatch(struct cli *cli, const char *group, const char *usage, const struct dl_subcommand *sub, size_t n,
		int argc, char **argv);
const char *dl_base_name(const char *path);
/* Monotonic seconds. */
double dl_now(void);

#endif
