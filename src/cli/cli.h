/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared plumbing of the qcbox command-line tool.  Command files hold no
 * protocol code: they parse arguments, call libqcbox and print. */
#ifndef QCBOX_CLI_H
#define QCBOX_CLI_H

#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "qcbox/core.h"
#include "qcbox/transport.h"

/* Exit status (CLI contract). */
enum {
	CLI_OK = 0,
	CLI_FAILED = 1,   /* device said no, verify mismatch, timeout */
	CLI_USAGE = 2,    /* usage or bad input file */
	CLI_NODEV = 3,    /* no or ambiguous device */
};

struct cli {
	qc_ctx *ctx;
	const char *device; /* -d SPEC; NULL = "usb" */
	bool json;
	int verbosity;      /* -1 quiet, 0 normal, 1+ verbose */
	const char *trace;
	int timeout_ms;     /* 0 = library default */
	bool wait;          /* --wait[=SECONDS]: wait for the device to appear */
	int wait_ms;        /* -1 = until interrupted */
	const char *prog;   /* "qcbox" */
	const char *cmd;    /* the command, for messages: "diag send" */
	/* progress bar state */
	char bar_label[128];
	uint64_t bar_start_ns, bar_last_ns, bar_total;
	bool bar_active;
};

/* Codes for long-only common options (accepted before or after the command). */
enum {
	CLI_OPT_JSON = 1000,
	CLI_OPT_TRACE,
	CLI_OPT_TIMEOUT,
	CLI_OPT_HELP,
	CLI_OPT_WAIT,
	CLI_OPT_FIRST_COMMAND_OPT = 1100, /* commands number their long options from here */
};

#define CLI_COMMON_SHORTOPTS "+d:vqh"
#define CLI_COMMON_LONGOPTS                                                                                  \
	{"device", required_argument, NULL, 'd'}, {"json", no_argument, NULL, CLI_OPT_JSON},                   \
		{"verbose", no_argument, NULL, 'v'}, {"quiet", no_argument, NULL, 'q'},                        \
		{"trace", required_argument, NULL, CLI_OPT_TRACE},                                             \
		{"timeout", required_argument, NULL, CLI_OPT_TIMEOUT}, {"help", no_argument, NULL, 'h'},    \
		{"wait", optional_argument, NULL, CLI_OPT_WAIT}

/* Handles a common option returned by getopt_long.  Returns 0 if it was
 * one, 1 for --help/-h, or -1 (after printing why) if C is unknown. */
int cli_common_opt(struct cli *cli, int c, const char *arg);

/* Parses a command's options: SHORTOPTS/LONGOPTS are its own (LONGOPTS may
 * be NULL); common ones are merged in.  For each own option HANDLER is
 * called; it returns 0 or an exit code.  On return *FIRST_ARG is the index
 * of the first positional argument.  Returns 0, or an exit code (usage
 * printed) — CLI_OK with *help set when --help was asked. */
typedef int (*cli_opt_handler)(struct cli *cli, void *user, int c, const char *arg);
int cli_parse_options(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
		      cli_opt_handler handler, void *user, int *first_arg, const char *usage, bool *help);

/* Applies -v/-q/--trace/--timeout to the context (after option parsing). */
int cli_apply(struct cli *cli);

/* Opens the device named by -d (default: the single USB device); with
 * --wait, first waits for it to appear. */
int cli_open_device(struct cli *cli, qc_transport **out);

/* Maps a library error to the exit status. */
int cli_exit_for(int err);
/* Prints the context's last error sentence (or the error's text) as
 * "qcbox: CMD: ..." to stderr (and {"error":..} to stdout under --json) and
 * returns the exit status for it. */
int cli_fail(struct cli *cli, int err);
/* Prints a formatted error and returns CODE. */
int cli_error(struct cli *cli, int code, const char *fmt, ...) QC_PRINTF(3, 4);
int cli_usage(struct cli *cli, const char *usage);
void cli_warn(struct cli *cli, const char *fmt, ...) QC_PRINTF(2, 3);
/* Human-readable output (suppressed by --json). */
void cli_out(struct cli *cli, const char *fmt, ...) QC_PRINTF(2, 3);
/* Informational messages to stderr (suppressed by -q and --json). */
void cli_info(struct cli *cli, const char *fmt, ...) QC_PRINTF(2, 3);
/* Prints OBJ as the command's one JSON document and frees it. */
void cli_json_print(struct cli *cli, json_object *obj);

/* Progress bar callback for qc_set_progress (stderr; quiet under -q/--json). */
void cli_progress(void *user, const char *label, uint64_t done, uint64_t total);
void cli_progress_end(struct cli *cli);

/* Helpers for arguments. */
int cli_parse_u64(struct cli *cli, const char *what, const char *s, uint64_t *out);
/* Decodes hex (spaces, ':' and a 0x prefix allowed) into a malloc'd buffer. */
int cli_parse_hex(struct cli *cli, const char *what, const char *s, uint8_t **out, size_t *len);
/* Lower-case hex of BUF into a malloc'd string. */
char *cli_hex(const void *buf, size_t len);

/* Command groups, one file each. */
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_sahara(struct cli *cli, int argc, char **argv);
int cmd_mbn(struct cli *cli, int argc, char **argv);
int cmd_flash(struct cli *cli, int argc, char **argv);
int cmd_plan(struct cli *cli, int argc, char **argv);
int cmd_read(struct cli *cli, int argc, char **argv);
int cmd_write(struct cli *cli, int argc, char **argv);
int cmd_erase(struct cli *cli, int argc, char **argv);
int cmd_sha256(struct cli *cli, int argc, char **argv);
int cmd_gpt(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_storage_info(struct cli *cli, int argc, char **argv);
int cmd_peek(struct cli *cli, int argc, char **argv);
int cmd_poke(struct cli *cli, int argc, char **argv);
int cmd_reset(struct cli *cli, int argc, char **argv);
int cmd_nop(struct cli *cli, int argc, char **argv);
int cmd_sparse(struct cli *cli, int argc, char **argv);
int cmd_diag(struct cli *cli, int argc, char **argv);
int cmd_nv(struct cli *cli, int argc, char **argv);
int cmd_efs(struct cli *cli, int argc, char **argv);
int cmd_dload(struct cli *cli, int argc, char **argv);
int cmd_sdload(struct cli *cli, int argc, char **argv);

#endif
