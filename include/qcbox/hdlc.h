/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Async-HDLC framing shared by DIAG, DMSS DLOAD and Streaming DLOAD:
 * payload || CRC-16/X-25 (little-endian), 0x7D/0x7E escaped as 0x7D, b^0x20,
 * terminated by 0x7E.  Also the newer DIAG "non-HDLC" framing:
 * 0x7E 0x01 len16le payload 0x7E (no CRC, no escaping).
 */
#ifndef QCBOX_HDLC_H
#define QCBOX_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_HDLC_FLAG 0x7e
#define QC_HDLC_ESC 0x7d
#define QC_HDLC_ESC_MASK 0x20

/* CRC-16/X-25: reflected 0x1021, init 0xFFFF, final XOR 0xFFFF.
 * qc_crc16_x25("123456789") == 0x906E. */
QC_API uint16_t qc_crc16_x25(const void *buf, size_t len);
/* Incremental form: start with crc = 0xFFFF, finish with crc ^ 0xFFFF. */
QC_API uint16_t qc_crc16_x25_update(uint16_t crc, const void *buf, size_t len);

/* The most bytes qc_hdlc_encode can produce for LEN payload bytes
 * (every byte and both CRC bytes escaped, plus the flags). */
static inline size_t qc_hdlc_encoded_max(size_t len) { return 2 * (len + 2) + 2; }

/* Frames PAYLOAD into OUT (capacity CAP).  With LEADING_FLAG a 0x7E is sent
 * first, as some tools do.  Returns the frame length, or QC_E_TOOBIG. */
QC_API ssize_t qc_hdlc_encode(const void *payload, size_t len, void *out, size_t cap, bool leading_flag);

/* Non-HDLC framing; payload at most 65535 bytes. */
QC_API ssize_t qc_nhdlc_encode(const void *payload, size_t len, void *out, size_t cap);

enum qc_framing {
	QC_FRAMING_HDLC = 0,
	QC_FRAMING_NHDLC = 1,
};

/* Incremental decoder with a bounded frame buffer.  Bytes may arrive in any
 * split: a frame across several reads, several frames in one read, leading
 * or repeated flags (empty frames are skipped, as are frames under 3 bytes). */
struct qc_hdlc_decoder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool esc;
	bool overflow;  /* discarding the rest of an overlong frame */
	enum qc_framing framing;
	size_t nhdlc_need; /* non-HDLC: bytes still expected, 0 = at header */
	uint8_t nhdlc_hdr[4];
	size_t nhdlc_hdr_len;
};

/* MAX_FRAME bounds one decoded frame (payload + CRC). */
QC_API int qc_hdlc_decoder_init(struct qc_hdlc_decoder *d, size_t max_frame);
QC_API void qc_hdlc_decoder_free(struct qc_hdlc_decoder *d);
QC_API void qc_hdlc_decoder_reset(struct qc_hdlc_decoder *d);
QC_API void qc_hdlc_decoder_set_framing(struct qc_hdlc_decoder *d, enum qc_framing framing);

/*
 * Consumes bytes from IN (LEN bytes) and stops at the end of the first
 * frame.  *USED says how many bytes were consumed; call again with the rest.
 * Returns:
 *   1             a frame: FRAME and FRAME_LEN hold its payload (CRC removed),
 *                 valid until the next call (it may point into IN)
 *   0             all input consumed, frame incomplete
 *   QC_E_CRC      a complete frame failed its CRC (FRAME still set)
 *   QC_E_TOOBIG   a frame exceeded max_frame; the rest of it up to the next
 *                 flag is discarded
 *   QC_E_PROTOCOL non-HDLC frame with a bad version byte or trailer
 */
QC_API int qc_hdlc_decode(struct qc_hdlc_decoder *d, const void *in, size_t len, size_t *used,
			  const uint8_t **frame, size_t *frame_len);

#ifdef __cplusplus
}
#endif
#endif
