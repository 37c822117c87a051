/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"

int cmd_dload(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'dload' is not available in this build yet");
}

int cmd_sdload(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'sdload' is not available in this build yet");
}

