/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qcbox/diag.h"

/* Replies are bounded by the 16 KiB request limit of DIAG routers; log
 * packets can be larger, so the decoder allows 64 KiB. */
#define QC_DIAG_MAX_FRAME (64 * 1024)
#define QC_DIAG_READ_CHUNK 16384

struct qc_diag {
	qc_transport *t;
	qc_ctx *ctx;
	struct qc_hdlc_decoder dec;
	bool leading_flag;
	uint8_t rx[QC_DIAG_READ_CHUNK];
	size_t rx_pos, rx_len; /* unconsumed bytes of the last read */
	uint8_t *tx;
	size_t tx_cap;
};

const char *qc_diag_error_reply_name(uint8_t code)
{
	switch (code) {
	case QC_DIAG_BAD_CMD: return "bad command (0x13)";
	case QC_DIAG_BAD_PARM: return "bad parameters (0x14)";
	case QC_DIAG_BAD_LEN: return "bad length (0x15)";
	case QC_DIAG_BAD_DEV: return "not accepted by the device (0x16)";
	case QC_DIAG_BAD_MODE: return "not allowed in the current mode (0x18)";
	case QC_DIAG_BAD_SPC_MODE: return "SPC locked (0x42)";
	case QC_DIAG_BAD_SEC_MODE: return "security lock: password required (0x47)";
	case QC_DIAG_BAD_TRANS: return "bad transaction (0x95)";
	case QC_DIAG_SSM_DISALLOWED: return "disallowed by the security policy (0x96)";
	default: return NULL;
	}
}

bool qc_diag_is_async(uint8_t code)
{
	switch (code) {
	case QC_DIAG_LOG:
	case QC_DIAG_MSG:
	case QC_DIAG_EVENT_REPORT:
	case QC_DIAG_EXT_MSG:
	case QC_DIAG_EXT_MSG_TERSE:
	case QC_DIAG_QSR_MSG:
	case QC_DIAG_MULTI_RADIO:
	case QC_DIAG_QSR4_MSG:
		return true;
	default:
		return false;
	}
}

int qc_diag_open(qc_transport *t, qc_diag **out)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	qc_diag *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d || qc_hdlc_decoder_init(&d->dec, QC_DIAG_MAX_FRAME) < 0) {
		free(d);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	d->t = t;
	d->ctx = ctx;
	*out = d;
	return 0;
}

void qc_diag_close(qc_diag *d)
{
	if (!d)
		return;
	qc_hdlc_decoder_free(&d->dec);
	free(d->tx);
	free(d);
}

qc_transport *qc_diag_transport(const qc_diag *d) { return d->t; }
void qc_diag_set_leading_flag(qc_diag *d, bool on) { d->leading_flag = on; }

void qc_diag_set_framing(qc_diag *d, enum qc_framing framing)
{
	qc_hdlc_decoder_set_framing(&d->dec, framing);
}

int qc_diag_send(qc_diag *d, const void *req, size_t len)
{
	size_t need = qc_hdlc_encoded_max(len) + 1;
	ssize_t n;

	if (need > d->tx_cap) {
		uint8_t *p = realloc(d->tx, need);

		if (!p)
			return qc_fail(d->ctx, QC_E_NOMEM, "out of memory");
		d->tx = p;
		d->tx_cap = need;
	}
	if (d->dec.framing == QC_FRAMING_NHDLC)
		n = qc_nhdlc_encode(req, len, d->tx, d->tx_cap);
	else
		n = qc_hdlc_encode(req, len, d->tx, d->tx_cap, d->leading_flag);
	if (n < 0)
		return qc_fail(d->ctx, (int)n, "DIAG request of %zu bytes is too large to frame", len);
	return qc_transport_write(d->t, d->tx, (size_t)n, qc_get_timeout(d->ctx));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Next frame of any kind; corrupt frames are logged and skipped so that one
 * damaged log packet does not end a session, but they do not extend the
 * wait either: it ends TIMEOUT_MS after the call whatever arrives. */
static int next_frame(qc_diag *d, const uint8_t **frame, size_t *frame_len, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		if (d->rx_pos == d->rx_len) {
			int left = -1;

			if (deadline >= 0) {
				int64_t l = deadline - now_ms();

				left = l > 0 ? (int)l : 0;
			}
			ssize_t n = left == 0 ? QC_E_TIMEOUT : qc_transport_read(d->t, d->rx, sizeof(d->rx), left);

			if (n < 0) {
				if (n == QC_E_TIMEOUT)
					return qc_fail(d->ctx, QC_E_TIMEOUT, "no DIAG reply from %s within %d ms",
						       qc_transport_name(d->t), timeout_ms);
				return (int)n;
			}
			d->rx_pos = 0;
			d->rx_len = (size_t)n;
		}
		size_t used;
		int rc = qc_hdlc_decode(&d->dec, d->rx + d->rx_pos, d->rx_len - d->rx_pos, &used, frame, frame_len);

		d->rx_pos += used;
		if (rc == 1)
			return 0;
		if (rc == QC_E_CRC)
			qc_log(d->ctx, QC_LOG_WARN, "dropped a DIAG frame with a bad CRC (%zu bytes)", *frame_len);
		else if (rc == QC_E_TOOBIG)
			qc_log(d->ctx, QC_LOG_WARN, "dropped a DIAG frame longer than %zu bytes", d->dec.cap);
		else if (rc < 0)
			qc_log(d->ctx, QC_LOG_WARN, "dropped a malformed DIAG frame");
	}
}

int qc_diag_receive(qc_diag *d, uint8_t *resp, size_t cap, size_t *resp_len, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		const uint8_t *f;
		size_t n;
		int left = timeout_ms;

		if (deadline >= 0) {
			int64_t l = deadline - now_ms();

			left = l > 0 ? (int)l : 0;
		}
		int rc = next_frame(d, &f, &n, left);

		if (rc == QC_E_TIMEOUT)
			return qc_fail(d->ctx, QC_E_TIMEOUT, "no DIAG reply from %s within %d ms",
				       qc_transport_name(d->t), timeout_ms);
		if (rc < 0)
			return rc;
		if (n == 0 || qc_diag_is_async(f[0]))
			continue;
		memcpy(resp, f, n < cap ? n : cap);
		*resp_len = n;
		return 0;
	}
}

/* Sends REQ and waits for the reply whose first MATCH bytes repeat the
 * request's (the command byte, or the whole subsystem header).  Replies to
 * other requests (stale ones after a timeout, or a confused device) are
 * skipped, as libqcdm does, but only until the timeout: a device that
 * never sends the matching reply is a protocol error, named as such. */
static int transact(qc_diag *d, const uint8_t *req, size_t len, size_t match, uint8_t *resp, size_t cap,
		    size_t *resp_len)
{
	int timeout = qc_get_timeout(d->ctx);
	int64_t deadline = now_ms() + timeout;
	int other = -1;
	int rc;

	if (len == 0)
		return qc_fail(d->ctx, QC_E_INVAL, "empty DIAG request");
	if (match > len)
		match = len;
	rc = qc_diag_send(d, req, len);
	if (rc < 0)
		return rc;
	for (;;) {
		int64_t left = deadline - now_ms();

		rc = left > 0 ? qc_diag_receive(d, resp, cap, resp_len, (int)left) : QC_E_TIMEOUT;
		if (rc == QC_E_TIMEOUT && other >= 0)
			return qc_fail(d->ctx, QC_E_PROTOCOL,
				       "the device answered DIAG command 0x%02x only with replies to other commands "
				       "(last 0x%02x) for %d ms",
				       req[0], other, timeout);
		if (rc == QC_E_TIMEOUT)
			return qc_fail(d->ctx, QC_E_TIMEOUT, "no DIAG reply from %s within %d ms",
				       qc_transport_name(d->t), timeout);
		if (rc < 0)
			return rc;
		size_t have = *resp_len < cap ? *resp_len : cap;
		const char *err = have ? qc_diag_error_reply_name(resp[0]) : NULL;

		if (err) {
			/* Error replies echo the request; one echoing another
			 * command belongs to an earlier request. */
			if (have >= 2 && resp[1] != req[0]) {
				other = resp[0];
				continue;
			}
			return qc_fail(d->ctx, QC_E_NAK, "the device answered DIAG command 0x%02x with %s", req[0],
				       err);
		}
		if (have >= match && !memcmp(resp, req, match))
			return 0;
		if (have)
			other = resp[0];
		qc_log(d->ctx, QC_LOG_INFO, "skipped a DIAG reply 0x%02x while waiting for 0x%02x", have ? resp[0] : 0,
		       req[0]);
	}
}

int qc_diag_request(qc_diag *d, const void *req, size_t len, uint8_t *resp, size_t cap, size_t *resp_len)
{
	return transact(d, req, len, 1, resp, cap, resp_len);
}

int qc_diag_subsys_request(qc_diag *d, uint8_t subsys, uint16_t cmd, const void *body, size_t len, uint8_t *resp,
			   size_t cap, size_t *resp_len)
{
	uint8_t stack[512], *req = stack;
	int rc;

	if (len > sizeof(stack) - 4) {
		req = malloc(len + 4);
		if (!req)
			return qc_fail(d->ctx, QC_E_NOMEM, "out of memory");
	}
	req[0] = QC_DIAG_SUBSYS;
	req[1] = subsys;
	req[2] = (uint8_t)cmd;
	req[3] = (uint8_t)(cmd >> 8);
	if (len)
		memcpy(req + 4, body, len);
	rc = transact(d, req, len + 4, 4, resp, cap, resp_len);
	if (req != stack)
		free(req);
	return rc;
}
