/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'plan' is not available in this build yet");
}

int cmd_sparse(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'sparse' is not available in this build yet");
}
