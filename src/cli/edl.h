/* SPDX-License-Identifier: BSD-3-Clause */
/* Options and connection shared by the EDL (Firehose) commands. */
#ifndef QCBOX_CLI_EDL_H
#define QCBOX_CLI_EDL_H

#include "cli.h"
#include "qcbox/firehose.h"

enum {
	EDL_OPT_STORAGE = CLI_OPT_FIRST_COMMAND_OPT,
	EDL_OPT_LOADER,
	EDL_OPT_SECTOR_SIZE,
	EDL_OPT_MAX_PAYLOAD,
	EDL_OPT_NO_VERIFY,
	EDL_OPT_LUN,
	EDL_OPT_TO,
	EDL_OPT_DRY_RUN,
	EDL_OPT_STRICT,
	EDL_OPT_PARTITION,
	EDL_OPT_BENCHMARK,
	EDL_OPT_SKIP_STORAGE_INIT,
	EDL_OPT_ACK_EVERY,
};

#define EDL_LONGOPTS                                                                                                   \
	{"storage", required_argument, NULL, EDL_OPT_STORAGE}, {"memory", required_argument, NULL, EDL_OPT_STORAGE},   \
	    {"loader", required_argument, NULL, EDL_OPT_LOADER},                                                       \
	    {"sector-size", required_argument, NULL, EDL_OPT_SECTOR_SIZE},                                             \
	    {"max-payload", required_argument, NULL, EDL_OPT_MAX_PAYLOAD},                                             \
	    {"skip-storage-init", no_argument, NULL, EDL_OPT_SKIP_STORAGE_INIT},                                       \
	{                                                                                                              \
		"ack-every", required_argument, NULL, EDL_OPT_ACK_EVERY                                                \
	}

struct edl_opts {
	struct qc_fh_options fh;
	const char *loader;
	bool no_verify, dry_run, strict, benchmark;
	int lun;	       /* --lun, -1 if not given */
	const char *to;	       /* reset --to */
	const char *partition; /* flash --partition */
};

void edl_opts_init(struct edl_opts *o);
/* cli_opt_handler for the options above. */
int edl_opt(struct cli *cli, void *user, int c, const char *arg);
/* Opens the device and brings it to a configured Firehose session
 * (uploading the programmer through Sahara when one is given and needed).
 * Returns an exit status; on CLI_OK both *T and *FH are open. */
int edl_connect(struct cli *cli, const struct edl_opts *o, qc_transport **t, qc_fh **fh);
void edl_close(qc_transport *t, qc_fh *fh);

#endif
