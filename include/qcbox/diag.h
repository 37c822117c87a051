/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DIAG (QCDM) client: request/response over HDLC (or non-HDLC) framing,
 * and offline parsing of raw DIAG streams (.qmdl, .mi2log, captures).
 */
#ifndef QCBOX_DIAG_H
#define QCBOX_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "hdlc.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Command codes used across the library (full list in the protocol notes). */
enum qc_diag_cmd {
	QC_DIAG_VERNO = 0x00,
	QC_DIAG_ESN = 0x01,
	QC_DIAG_LOG = 0x10,
	QC_DIAG_BAD_CMD = 0x13,
	QC_DIAG_BAD_PARM = 0x14,
	QC_DIAG_BAD_LEN = 0x15,
	QC_DIAG_BAD_DEV = 0x16,
	QC_DIAG_BAD_MODE = 0x18,
	QC_DIAG_DIAG_VER = 0x1c,
	QC_DIAG_MSG = 0x1f,
	QC_DIAG_NV_READ = 0x26,
	QC_DIAG_NV_WRITE = 0x27,
	QC_DIAG_CONTROL = 0x29,
	QC_DIAG_DLOAD = 0x3a,
	QC_DIAG_SPC = 0x41,
	QC_DIAG_BAD_SPC_MODE = 0x42,
	QC_DIAG_PASSWORD = 0x46,
	QC_DIAG_BAD_SEC_MODE = 0x47,
	QC_DIAG_SUBSYS = 0x4b,
	QC_DIAG_EVENT_REPORT = 0x60,
	QC_DIAG_LOG_CONFIG = 0x73,
	QC_DIAG_EXT_MSG = 0x79,
	QC_DIAG_EXT_BUILD_ID = 0x7c,
	QC_DIAG_EXT_MSG_CONFIG = 0x7d,
	QC_DIAG_EXT_MSG_TERSE = 0x7e,
	QC_DIAG_SUBSYS_V2 = 0x80,
	QC_DIAG_QSR_MSG = 0x92,
	QC_DIAG_BAD_TRANS = 0x95,
	QC_DIAG_SSM_DISALLOWED = 0x96,
	QC_DIAG_MULTI_RADIO = 0x98,
	QC_DIAG_QSR4_MSG = 0x99,
};

/* Name of an error-reply code (0x13 "bad command", ...) or NULL if CODE is
 * not an error reply. */
QC_API const char *qc_diag_error_reply_name(uint8_t code);

/* True for packets a device sends on its own (logs, events, messages),
 * which a client waiting for a reply must skip. */
QC_API bool qc_diag_is_async(uint8_t code);

typedef struct qc_diag qc_diag;

/* Wraps an open transport (not owned). */
QC_API int qc_diag_open(qc_transport *t, qc_diag **out);
QC_API void qc_diag_close(qc_diag *d);
QC_API qc_transport *qc_diag_transport(const qc_diag *d);
/* Send a leading 0x7E before each request (some old modems want it). */
QC_API void qc_diag_set_leading_flag(qc_diag *d, bool on);
QC_API void qc_diag_set_framing(qc_diag *d, enum qc_framing framing);

/* Sends one request and waits for its reply, skipping asynchronous packets.
 * RESP gets the reply payload (without framing) truncated to CAP; *RESP_LEN
 * the full length.  An error reply (0x13..0x18, 0x42, 0x47, 0x95, 0x96) is
 * returned as QC_E_NAK with the reply in RESP and a sentence naming it. */
QC_API int qc_diag_request(qc_diag *d, const void *req, size_t len, uint8_t *resp, size_t cap, size_t *resp_len);

/* Sends raw bytes framed as a request without waiting for a reply. */
QC_API int qc_diag_send(qc_diag *d, const void *req, size_t len);
/* Waits for the next non-async frame. */
QC_API int qc_diag_receive(qc_diag *d, uint8_t *resp, size_t cap, size_t *resp_len, int timeout_ms);

/* ----- offline stream parsing ----- */
struct qc_diag_stream_stats {
	uint64_t bytes;
	uint64_t frames;      /* frames with a good CRC */
	uint64_t crc_errors;  /* complete frames whose CRC failed */
	uint64_t oversized;   /* frames longer than the decoder's bound */
	uint64_t framing_errors; /* non-HDLC: bad version byte or trailer */
	uint64_t by_cmd[256]; /* good frames by first byte (command code) */
	uint64_t *by_log_code; /* 65536 counters of 0x10 log packets, or NULL */
};

/* Parses a whole stream from FD in constant memory.  FRAMING selects HDLC
 * or non-HDLC; with AUTO_DETECT the first bytes decide.  If STATS->by_log_code
 * is set it is filled too. */
QC_API int qc_diag_stream_parse_fd(qc_ctx *ctx, int fd, enum qc_framing framing, bool auto_detect,
				   struct qc_diag_stream_stats *stats);
QC_API int qc_diag_stream_parse_file(qc_ctx *ctx, const char *path, enum qc_framing framing, bool auto_detect,
				     struct qc_diag_stream_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
