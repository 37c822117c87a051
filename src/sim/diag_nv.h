/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated modem's NV memory: items kept in memory for the life of
 * the simulator (so they survive reconnections with --persist), keyed by
 * item, NAM index (indexed items) and subscription. */
#ifndef QCSIM_DIAG_NV_H
#define QCSIM_DIAG_NV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qcbox/nv.h"

struct qcsim_nv_item {
	uint16_t item;
	int16_t index; /* NAM of an indexed item, else -1 */
	uint16_t sim;  /* subscription; 0 is the classic 0x26/0x27 view */
	uint16_t status; /* QC_NV_DONE, or the status every access reports */
	uint8_t data[QC_NV_DATA_LEN];
};

struct qcsim_nv {
	struct qcsim_nv_item *v; /* sorted by (item, index, sim) */
	size_t n, cap;
};

/* The NAM index an access to ITEM with DATA selects, or -1. */
int qcsim_nv_index(uint16_t item, const uint8_t *data);
struct qcsim_nv_item *qcsim_nv_find(struct qcsim_nv *nv, uint16_t item, int index, unsigned sim);
/* Inserts or replaces; LEN bytes of DATA, the rest zero. */
int qcsim_nv_set(struct qcsim_nv *nv, uint16_t item, int index, unsigned sim, const uint8_t *data, size_t len,
		 uint16_t status);
/* Loads a backup-format JSON file (see qc_nv_backup_parse): entries with
 * status ok hold data; any other status is what the item then answers. */
int qcsim_nv_load(struct qcsim_nv *nv, qc_ctx *ctx, const char *path);
void qcsim_nv_free(struct qcsim_nv *nv);

#endif
