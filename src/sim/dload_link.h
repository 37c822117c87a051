/* SPDX-License-Identifier: BSD-3-Clause */
/* The framed link of the simulated boot loader and programmer.  Unlike
 * qcsim_hdlc_recv it reports damaged frames, because both devices answer
 * them (DMSS with NAK 0x01, Streaming DLOAD with a LOG), and it can poll,
 * which the programmer needs to gather the packets in its window. */
#ifndef QCSIM_DLOAD_LINK_H
#define QCSIM_DLOAD_LINK_H

#include "sim.h"

struct dlsim_link {
	struct qc_hdlc_decoder dec;
	uint8_t rx[16384];
	size_t pos, len;
	uint8_t *tx;
	size_t tx_cap;
	bool leading_flag; /* open every frame with 0x7E, as boot ROMs do */
};

enum {
	DLSIM_FRAME = 1,   /* a good frame */
	DLSIM_DAMAGED = 2, /* a frame that failed its CRC or was too long */
};

int dlsim_link_init(struct dlsim_link *l, size_t max_frame);
void dlsim_link_free(struct dlsim_link *l);
/* Forgets buffered input (a new connection). */
void dlsim_link_reset(struct dlsim_link *l);
/* DLSIM_FRAME / DLSIM_DAMAGED, QC_E_TIMEOUT (only with TIMEOUT_MS >= 0),
 * QC_E_DISCONNECTED, or another error.  The frame is valid until the next
 * call. */
int dlsim_recv(struct qcsim *sim, struct dlsim_link *l, const uint8_t **frame, size_t *len, int timeout_ms);
int dlsim_send(struct qcsim *sim, struct dlsim_link *l, const uint8_t *payload, size_t len);

/* Lower-case hex SHA-256 of BUF into OUT (65 bytes). */
void dlsim_sha256_hex(const void *buf, size_t len, char out[65]);

#endif
