/* SPDX-License-Identifier: BSD-3-Clause */
/* Streaming DLOAD host internals shared by the command and transfer code. */
#ifndef QC_SDLOAD_IMPL_H
#define QC_SDLOAD_IMPL_H

#include "qcbox/hdlc.h"
#include "qcbox/sdload.h"

#define SDLOAD_MIN_FRAME (64 * 1024)
#define SDLOAD_RETRIES 3
/* Caps the bytes held for packets in flight, whatever window is offered. */
#define SDLOAD_MAX_INFLIGHT (8u << 20)

struct slot {
	uint32_t addr;   /* address on the wire */
	uint64_t offset; /* byte offset in the transfer */
	uint32_t len;
	uint64_t seq;    /* send order of its latest copy */
	unsigned tries;
	bool done;
	uint8_t *buf;
};

struct qc_sdload {
	qc_transport *t;
	qc_ctx *ctx;
	struct qc_hdlc_decoder dec;
	size_t dec_cap;
	uint8_t rx[16384];
	size_t rx_pos, rx_len;
	uint8_t *tx;
	size_t tx_cap;
	uint8_t *pkt;
	size_t pkt_cap;
	bool have_hello;
	struct qc_sdload_hello hello;
	unsigned sector_size;
	bool sector_addr;
	unsigned window;
	size_t block;
	uint8_t stale; /* reply kind a repeated request may still produce */
	uint64_t seq;
	struct qc_sdload_stats st;
};

int sdload_reserve(qc_sdload *s, uint8_t **buf, size_t *cap, size_t need);
int sdload_send_frame(qc_sdload *s, const uint8_t *req, size_t len);
/* The next reply other than a LOG: 1, QC_E_CRC for a damaged frame,
 * QC_E_TIMEOUT, or another error. */
int sdload_recv_reply(qc_sdload *s, struct qc_sdload_reply *r);
/* A sentence for an ERROR reply to WHAT, returned as ERR. */
int sdload_device_error(qc_sdload *s, int err, const char *what, const struct qc_sdload_reply *r);
/* A sentence for a reply that is not the expected one. */
int sdload_unexpected(qc_sdload *s, const char *what, const struct qc_sdload_reply *r);

#endif
