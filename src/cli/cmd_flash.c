/* SPDX-License-Identifier: BSD-3-Clause */
#include "edl.h"

int cmd_flash(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'flash' is not available in this build yet");
}

int cmd_gpt(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'gpt' is not available in this build yet");
}

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'backup' is not available in this build yet");
}
