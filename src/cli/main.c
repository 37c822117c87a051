/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox: talk to Qualcomm phones in every mode QPST does. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"list", cmd_list, "attached Qualcomm devices and their modes"},
	{"sahara", cmd_sahara, "boot ROM: info, load LOADER, ramdump DIR"},
	{"flash", cmd_flash, "flash a QFIL flat build (rawprogram/patch XML)"},
	{"plan", cmd_plan, "show what flash would do, without a device"},
	{"read", cmd_read, "read a partition or sector range to a file"},
	{"write", cmd_write, "write a file (raw or sparse) to a partition or range"},
	{"erase", cmd_erase, "erase a partition or sector range"},
	{"sha256", cmd_sha256, "SHA-256 of a partition or range, computed on the device"},
	{"gpt", cmd_gpt, "partition tables of every LUN"},
	{"backup", cmd_backup, "save every partition plus a rawprogram XML to restore them"},
	{"storage-info", cmd_storage_info, "storage geometry reported by the programmer"},
	{"peek", cmd_peek, "read device memory"},
	{"poke", cmd_poke, "write device memory"},
	{"reset", cmd_reset, "reset the device (--to system|edl|off)"},
	{"nop", cmd_nop, "check that the programmer answers"},
	{"diag", cmd_diag, "DIAG: info, send, mode, spc, password, to-dload, to-edl, parse"},
	{"nv", cmd_nv, "NV items: read, write, backup, restore"},
	{"efs", cmd_efs, "EFS2 file system: ls, stat, cat, get, put, mkdir, rm, mv, backup"},
	{"dload", cmd_dload, "DMSS download: info, load PROGRAMMER"},
	{"sdload", cmd_sdload, "Streaming download: info, read, write, reset"},
	{"mbn", cmd_mbn, "inspect an ELF/MBN image: mbn info FILE"},
	{"sparse", cmd_sparse, "Android sparse images: info, unsparse"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: qcbox [-d SPEC] [--json] [-v|-q] [--trace FILE] [--timeout MS] [--wait[=SECS]] COMMAND [ARGS]\n\n"
		   "  -d, --device SPEC  usb, usb:SERIAL, usb:BUS-PORT, tty:PATH, unix:PATH, tcp:HOST:PORT\n"
		   "      --json         one JSON document on stdout\n"
		   "  -v / -q            more / less logging\n"
		   "      --trace FILE   write every packet with timestamps to FILE\n"
		   "      --timeout MS   per-response timeout\n"
		   "      --wait[=SECS]  wait for the device to appear (hotplug)\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee qcbox(1) and 'qcbox COMMAND --help'.\n");
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "qcbox", .cmd = ""};
	static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {"version", no_argument, NULL, 'V'},
						 {NULL, 0, NULL, 0}};
	int rc = CLI_USAGE;

	signal(SIGPIPE, SIG_IGN);
	cli.ctx = qc_ctx_new();
	if (!cli.ctx) {
		fprintf(stderr, "qcbox: out of memory\n");
		return CLI_FAILED;
	}
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL);

		if (c == -1)
			break;
		if (c == 'V') {
			printf("qcbox 0.1.0\n");
			qc_ctx_free(cli.ctx);
			return CLI_OK;
		}
		int r = cli_common_opt(&cli, c, optarg);

		if (r == 1) {
			usage(stdout);
			qc_ctx_free(cli.ctx);
			return CLI_OK;
		}
		if (r < 0) {
			fprintf(stderr, "qcbox: unknown option or missing value: %s\n", argv[optind - 1]);
			usage(stderr);
			qc_ctx_free(cli.ctx);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		qc_ctx_free(cli.ctx);
		return CLI_USAGE;
	}
	const char *name = argv[optind];

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name))
			continue;
		cli.cmd = name;
		rc = cli_apply(&cli);
		if (rc == CLI_OK)
			rc = commands[i].fn(&cli, argc - optind, argv + optind);
		cli_progress_end(&cli);
		qc_ctx_free(cli.ctx);
		return rc;
	}
	fprintf(stderr, "qcbox: unknown command '%s'\n", name);
	usage(stderr);
	qc_ctx_free(cli.ctx);
	return CLI_USAGE;
}
