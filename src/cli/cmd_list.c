/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"

int cmd_list(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'list' is not available in this build yet");
}

