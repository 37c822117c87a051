/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated modem's EFS2 file system (DIAG subsystem 0x13 / 0x3E),
 * backed by a host directory it never escapes. */
#ifndef QCSIM_DIAG_EFS_H
#define QCSIM_DIAG_EFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim.h"

struct qcsim_efs;

/* Opens the EFS backed by --efs-dir (a private temporary tree without it). */
int qcsim_efs_init(struct qcsim *sim, struct qcsim_efs **out);
void qcsim_efs_free(struct qcsim_efs *efs);

/* Handles one request of the form 4B <13|3E> <op u16> ...; writes the reply
 * payload into RSP (capacity CAP) and returns its length, or a negative
 * error.  WRITES_ALLOWED is false while the SPC/security lock is set: write
 * operations then fail as a locked phone fails them. */
ssize_t qcsim_efs_handle(struct qcsim_efs *efs, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			 bool writes_allowed);

#endif
