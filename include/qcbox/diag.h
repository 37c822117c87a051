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
#include <sys/types.h>

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

/* Sends a subsystem command (0x4B SUBSYS, cmd u16 little-endian, BODY) and
 * waits for the reply carrying the same subsystem and command, which it
 * checks; otherwise as qc_diag_request. */
QC_API int qc_diag_subsys_request(qc_diag *d, uint8_t subsys, uint16_t cmd, const void *body, size_t len,
				  uint8_t *resp, size_t cap, size_t *resp_len);

/* Subsystem ids (0x4B dispatch) used by the library. */
enum qc_diag_subsys {
	QC_DIAG_SUBSYS_FS = 0x13,
	QC_DIAG_SUBSYS_NV = 0x30,
	QC_DIAG_SUBSYS_FS_ALT = 0x3e,
	QC_DIAG_SUBSYS_SYSOPS = 0x65,
};

/* ----- identity (info.c) ----- */

/* VERNO (0x00) reply: fixed-width ASCII fields, NUL-terminated here with
 * trailing blanks removed; control bytes are replaced with '?'. */
#define QC_DIAG_VERNO_LEN 55
struct qc_diag_version {
	char comp_date[12]; /* "Nov  2 2021" */
	char comp_time[9];  /* "22:13:12" */
	char rel_date[12];
	char rel_time[9];
	char model[9];      /* ver_dir: model or chipset, e.g. "sdx55.cp" */
	uint8_t scm;
	uint8_t mob_cai_rev;
	uint8_t mob_model;
	uint16_t mob_firm_rev;
	uint8_t slot_cycle_index;
	uint8_t hw_major;
	uint8_t hw_minor;
};

/* EXT_BUILD_ID (0x7C) reply. */
struct qc_diag_ext_build_id {
	uint8_t hw_version_format;
	uint32_t msm_hw_version;
	uint32_t mobile_model_id;
	char build_id[256];
	char model[256]; /* often empty */
};

/* ESN (0x01) value phones without a CDMA ESN report. */
#define QC_DIAG_NO_ESN 0xdeadd00du

/* Reply parsers: RSP is the whole reply payload including its command
 * byte.  Each checks the command byte and every length; on failure it
 * returns QC_E_PROTOCOL with a sentence naming the field. */
QC_API int qc_diag_version_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, struct qc_diag_version *out);
QC_API int qc_diag_ext_build_id_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, struct qc_diag_ext_build_id *out);
QC_API int qc_diag_esn_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, uint32_t *esn);
QC_API int qc_diag_diag_version_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, uint16_t *version);

/* Reply encoders (the simulated modem's side).  Text fields longer than
 * their wire width are cut.  Return the reply length, or QC_E_TOOBIG if
 * CAP is too small. */
QC_API ssize_t qc_diag_version_encode(const struct qc_diag_version *v, uint8_t *out, size_t cap);
QC_API ssize_t qc_diag_ext_build_id_encode(const struct qc_diag_ext_build_id *e, uint8_t *out, size_t cap);

/* Everything `qcbox diag info` shows.  Only the version is mandatory; the
 * other parts are filled when the device answers them (old modems lack
 * 0x7C, GSM-only modems have no ESN, a blank phone has no IMEI). */
struct qc_diag_info {
	struct qc_diag_version version;
	bool have_ext;
	struct qc_diag_ext_build_id ext;
	bool have_esn; /* false too when the device reports QC_DIAG_NO_ESN */
	uint32_t esn;
	bool have_diag_version;
	uint16_t diag_version;
	bool have_imei;  /* NV 550 readable and holding an IMEI */
	char imei[17];
	bool have_imei2; /* NV 550 of the second subscription */
	char imei2[17];
	bool have_meid;  /* NV 1943 */
	char meid[15];
};

QC_API int qc_diag_get_version(qc_diag *d, struct qc_diag_version *out);
QC_API int qc_diag_get_ext_build_id(qc_diag *d, struct qc_diag_ext_build_id *out);
QC_API int qc_diag_get_esn(qc_diag *d, uint32_t *esn);
QC_API int qc_diag_get_diag_version(qc_diag *d, uint16_t *version);
QC_API int qc_diag_get_info(qc_diag *d, struct qc_diag_info *info);

/* ----- phone mode, security, download switches (mode.c, security.c) ----- */

/* CONTROL (0x29) modes. */
enum qc_diag_mode {
	QC_DIAG_MODE_OFFLINE_A = 0,
	QC_DIAG_MODE_OFFLINE_D = 1, /* "offline" */
	QC_DIAG_MODE_RESET = 2,
	QC_DIAG_MODE_FTM = 3,
	QC_DIAG_MODE_ONLINE = 4,
	QC_DIAG_MODE_LPM = 5,
	QC_DIAG_MODE_POWER_OFF = 6,
};

/* "offline", "reset", ... (NULL for an unknown mode) and back (-1). */
QC_API const char *qc_diag_mode_name(unsigned mode);
QC_API int qc_diag_mode_from_name(const char *name);

/* Sends one CONTROL request and checks its echo.  A phone that refuses
 * the change (0x18) gives QC_E_NAK. */
QC_API int qc_diag_control(qc_diag *d, enum qc_diag_mode mode);
/* As a user means it: reset and power-off go offline first, since phones
 * only reset from offline. */
QC_API int qc_diag_set_mode(qc_diag *d, enum qc_diag_mode mode);

/* SPC (0x41): CODE is six ASCII digits.  0 when accepted, QC_E_PERM when
 * the phone rejects it, QC_E_INVAL for a malformed code. */
QC_API int qc_diag_spc(qc_diag *d, const char *code);
/* Security password (0x46): eight binary bytes.  0 or QC_E_PERM. */
QC_API int qc_diag_password(qc_diag *d, const uint8_t password[8]);

/* Download switches: the phone acknowledges and re-enumerates, in DMSS
 * download mode (0x3A) or in the Sahara boot ROM (4B 65 01 00). */
QC_API int qc_diag_to_dload(qc_diag *d);
QC_API int qc_diag_to_edl(qc_diag *d);

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
