/* SPDX-License-Identifier: BSD-3-Clause */
/* Engine internals shared by sim.c, link.c, events.c and storage.c. */
#ifndef QCSIM_IMPL_H
#define QCSIM_IMPL_H

#include <stdio.h>
#include <time.h>

#include "sim.h"

#define QCSIM_MAX_MODES 16
#define QCSIM_MAX_FAULTS 32

struct qcsim_optval {
	char *name;
	char *value; /* NULL for flags */
};

/* Byte-level faults count bytes on one direction of the current link. */
enum qcsim_fault_kind { FAULT_DROP_BYTE, FAULT_FLIP_BIT, FAULT_STALL, FAULT_DISCONNECT };

struct qcsim_byte_fault {
	enum qcsim_fault_kind kind;
	bool tx;         /* counts bytes the device sends (else receives) */
	uint64_t offset; /* fires at this byte of that direction */
	bool fired;
};

struct qcsim {
	qc_ctx *ctx;
	struct qcsim_optval *opts;
	size_t nopts;

	const struct qcsim_mode *mode;
	void *state[QCSIM_MAX_MODES];
	bool inited[QCSIM_MAX_MODES];

	/* pending switch */
	const struct qcsim_mode *next_mode;
	bool next_reenumerate;
	uint8_t *handoff;
	size_t handoff_len;

	/* current link */
	qc_transport *t;
	uint64_t rx_bytes, tx_bytes;
	struct timespec link_start;
	uint64_t rate;       /* bytes/s, 0 = unlimited */
	uint64_t latency_us;
	bool stalled;

	struct qcsim_byte_fault faults[QCSIM_MAX_FAULTS];
	size_t nfaults;
	char *named_faults[QCSIM_MAX_FAULTS];
	size_t nnamed;

	/* HDLC helpers */
	struct qc_hdlc_decoder dec;
	uint8_t rx[16384];
	size_t rx_pos, rx_len;
	uint8_t *tx;
	size_t tx_cap;

	FILE *events;
	struct qcsim_storage *storage;
	char tmp_disk_dir[64];
};

int qcsim_parse_fault(struct qcsim *sim, const char *spec);
void qcsim_link_reset(struct qcsim *sim, qc_transport *t);
void qcsim_storage_free(struct qcsim *sim);
int qcsim_mode_index(const struct qcsim_mode *m);

#endif
