/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated Firehose programmer: state shared by mode_firehose.c (the
 * session, configure and the small commands) and firehose_disk.c (the
 * commands that touch the LUN files). */
#ifndef QCSIM_FIREHOSE_H
#define QCSIM_FIREHOSE_H

#include "qcbox/firehose.h"
#include "sim.h"

#define FHSIM_XML_MAX  8192	  /* what the programmer accepts per command (MaxXMLSizeInBytes x2) */
#define FHSIM_BUF      (4u << 20) /* storage I/O buffer */
#define FHSIM_MEM_BASE 0x14680000ull
#define FHSIM_MEM_SIZE (256u << 10)

struct fhsim {
	struct qcsim *sim;
	struct qcsim_storage *st;
	struct qc_fh_framer fr;
	struct qc_fh_doc doc;
	uint8_t *buf;

	/* options */
	uint64_t max_payload;	   /* --max-payload: MaxPayloadSizeToTargetInBytesSupported */
	uint64_t max_payload_from; /* --max-payload-from: raw chunk size of <read> */
	bool no_digest, no_peek, late_logs, text_info;
	size_t xml_split; /* --xml-split N: answers go out N bytes at a time */
	char target_name[32];

	/* what configure settled */
	bool configured;
	uint64_t payload;
	unsigned ack_every;

	/* per connection */
	unsigned programs;
	bool announced;
	int bootable;

	uint8_t mem[FHSIM_MEM_SIZE]; /* memory behind peek/poke */
};

/* What command handlers return besides 0 (next command) and errors. */
enum {
	FHSIM_STOP = 2,	  /* the host left, or the device reset: this link is done */
	FHSIM_SWITCH = 3, /* qcsim_switch() was called */
};

/* Answers: one document each; 0 or an error (QC_E_DISCONNECTED when the
 * host left). */
int fhsim_log(struct fhsim *s, const char *fmt, ...) QC_PRINTF(2, 3);
int fhsim_ack(struct fhsim *s, bool ack, const char *rawmode);
/* Logs REASON then NAKs. */
int fhsim_nak(struct fhsim *s, const char *fmt, ...) QC_PRINTF(2, 3);

/* Sector commands; each returns 0 to go on, FHSIM_STOP or an error. */
int fhsim_program(struct fhsim *s, const struct qc_fh_elem *e);
int fhsim_read(struct fhsim *s, const struct qc_fh_elem *e);
int fhsim_erase(struct fhsim *s, const struct qc_fh_elem *e);
int fhsim_digest(struct fhsim *s, const struct qc_fh_elem *e);
int fhsim_patch(struct fhsim *s, const struct qc_fh_elem *e);

/* Sectors of a LUN. */
uint64_t fhsim_lun_sectors(const struct fhsim *s);

#endif
