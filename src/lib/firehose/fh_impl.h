/* SPDX-License-Identifier: BSD-3-Clause */
/* Firehose host session internals shared by session.c, configure.c,
 * commands.c, data.c and verify.c. */
#ifndef QC_FH_IMPL_H
#define QC_FH_IMPL_H

#include "qcbox/firehose.h"

/* Raw writes never exceed this, whatever payload the target accepts, so the
 * host's memory stays small for any image size. */
#define FH_CHUNK_MAX (4u << 20)
#define FH_READ_ROOM (64 * 1024)
#define FH_MAX_LUNS  32
#define FH_LOG_KEEP  3

/* Called with each <log value> while a command is in flight. */
typedef void (*fh_log_hook)(qc_fh *fh, const char *text, void *user);

struct fh_resp {
	bool ack;
	bool rawmode;		    /* rawmode="true" */
	const struct qc_fh_elem *e; /* valid until the next document */
};

struct qc_fh {
	qc_transport *t;
	qc_ctx *ctx;
	struct qc_fh_framer fr;
	struct qc_fh_doc doc;
	struct qc_fh_info info;
	struct qc_fh_options opt;
	bool configured;
	bool probing;	       /* the sector-size probe is running */
	unsigned sector_guess; /* the storage's usual sector size */
	bool no_digest;	       /* getsha256digest was refused: verify by reading back */
	char cmd[32];	       /* tag of the command in flight, for messages */

	fh_log_hook hook;
	void *hook_user;
	char logs[FH_LOG_KEEP][256]; /* the command's last log lines, for NAK messages */
	unsigned nlogs;

	uint8_t *chunk; /* raw data buffer, FH_CHUNK_MAX at most */
	size_t chunk_cap;
	uint8_t *chunk2; /* read-back verification */

	char functions[1024]; /* "Supported Functions" the programmer listed, space-separated */
	bool functions_known;
	uint64_t lun_sectors[FH_MAX_LUNS];
};

/* Confirms the sector size before the first storage command. */
int fh_storage_ready(qc_fh *fh);
/* Sends one command document. */
int fh_send(qc_fh *fh, const char *xml, size_t len);
/* Starts a command: sets the tag for messages and the log hook, forgets
 * the previous command's logs. */
void fh_begin(qc_fh *fh, const char *tag, fh_log_hook hook, void *user);
/* Waits for the next <response>, handling <log> documents on the way,
 * within TIMEOUT_MS in all. */
int fh_response(qc_fh *fh, struct fh_resp *r, int timeout_ms);
/* The command's last logs as " (device: ...)" for an error sentence, or "". */
const char *fh_reason(qc_fh *fh, char *buf, size_t cap);
/* Raw data after a rawmode response: queued bytes first, then the link. */
int fh_raw_read(qc_fh *fh, void *buf, size_t len, int timeout_ms);
/* Raw data to the target, with a ZLP where the link needs one. */
int fh_raw_write(qc_fh *fh, const void *buf, size_t len);
/* A response timeout for an operation touching BYTES of storage. */
int fh_timeout(qc_fh *fh, uint64_t bytes);
/* The raw buffer, allocated on first use. */
int fh_chunk(qc_fh *fh, size_t *size);

/* <TAG SECTOR_SIZE_IN_BYTES num_partition_sectors physical_partition_number
 * start_sector [label]/>; WHOLE_LUN leaves out the range. */
int fh_sector_cmd(qc_fh *fh, const char *tag, unsigned lun, uint64_t start, uint64_t sectors, const char *label,
		  bool whole_lun);
/* "boot_a (LUN 4, sectors 6..1029)" for messages. */
const char *fh_where(char *buf, size_t cap, const char *label, unsigned lun, uint64_t start, uint64_t sectors);

/* qc_fh_verify with the SHA-256 of what was sent, when the caller has it. */
int fh_verify(qc_fh *fh, const struct qc_fh_program *p, const uint8_t *sent, int *method);

/* Adds LUN/sector context to a transport error already recorded. */
int fh_fail_during(qc_fh *fh, int err, const char *fmt, ...) QC_PRINTF(3, 4);

#endif
