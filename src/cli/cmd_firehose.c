/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"

int cmd_flash(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'flash' is not available in this build yet");
}

int cmd_read(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'read' is not available in this build yet");
}

int cmd_write(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'write' is not available in this build yet");
}

int cmd_erase(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'erase' is not available in this build yet");
}

int cmd_sha256(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'sha256' is not available in this build yet");
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

int cmd_storage_info(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'storage-info' is not available in this build yet");
}

int cmd_peek(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'peek' is not available in this build yet");
}

int cmd_poke(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'poke' is not available in this build yet");
}

int cmd_reset(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'reset' is not available in this build yet");
}

int cmd_nop(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(cli, CLI_USAGE, "'nop' is not available in this build yet");
}

