/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"

int cmd_sahara(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'sahara' is not available in this build yet");
}

int cmd_mbn(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'mbn' is not available in this build yet");
}

