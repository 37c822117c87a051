/* SPDX-License-Identifier: BSD-3-Clause */
/* DMSS DLOAD host: one request, one reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qcbox/dload.h"
#include "qcbox/hdlc.h"

/* A memory-read reply is the longest: 7 header bytes + 64 KiB data. */
#define DLOAD_MAX_FRAME (0x10000 + 64)
#define DLOAD_RETRIES 3

struct qc_dload {
	qc_transport *t;
	qc_ctx *ctx;
	struct qc_hdlc_decoder dec;
	uint8_t rx[4096];
	size_t rx_pos, rx_len;
	uint8_t *tx;
	size_t tx_cap;
	uint8_t *pkt; /* request being built */
	size_t pkt_cap;
};

int qc_dload_open(qc_transport *t, qc_dload **out)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	qc_dload *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d || qc_hdlc_decoder_init(&d->dec, DLOAD_MAX_FRAME) < 0) {
		free(d);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	d->t = t;
	d->ctx = ctx;
	*out = d;
	return 0;
}

void qc_dload_close(qc_dload *d)
{
	if (!d)
		return;
	qc_hdlc_decoder_free(&d->dec);
	free(d->tx);
	free(d->pkt);
	free(d);
}

qc_ctx *qc_dload_ctx(const qc_dload *d) { return d->ctx; }

static int reserve(qc_dload *d, uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return qc_fail(d->ctx, QC_E_NOMEM, "out of memory");
	*buf = p;
	*cap = need;
	return 0;
}

/* CLOCK_MONOTONIC in milliseconds. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_frame(qc_dload *d, const uint8_t *req, size_t len)
{
	ssize_t n;
	int rc = reserve(d, &d->tx, &d->tx_cap, qc_hdlc_encoded_max(len) + 1);

	if (rc < 0)
		return rc;
	/* Boot loaders wait for a flag before the first frame; the tools that
	 * talk to them (QPST, qdload, DLOADTool) open every frame with one. */
	n = qc_hdlc_encode(req, len, d->tx, d->tx_cap, true);
	if (n < 0)
		return qc_fail(d->ctx, (int)n, "DLOAD request of %zu bytes is too large to frame", len);
	return qc_transport_write(d->t, d->tx, (size_t)n, qc_get_timeout(d->ctx));
}

/* 1 with a good frame, QC_E_CRC for a damaged one, or an error. */
static int recv_frame(qc_dload *d, const char *what, const uint8_t **f, size_t *n)
{
	int timeout = qc_get_timeout(d->ctx);
	int64_t deadline = now_ms() + timeout; /* a stream of bare flags must not keep us */

	for (;;) {
		if (d->rx_pos == d->rx_len) {
			int64_t left = deadline - now_ms();
			ssize_t r = left > 0 ? qc_transport_read(d->t, d->rx, sizeof(d->rx), (int)left) : QC_E_TIMEOUT;

			if (r == QC_E_TIMEOUT)
				return qc_fail(d->ctx, QC_E_TIMEOUT, "no reply to DLOAD %s from %s within %d ms", what,
					       qc_transport_name(d->t), timeout);
			if (r == QC_E_DISCONNECTED)
				return qc_fail(d->ctx, QC_E_DISCONNECTED, "the device disconnected while waiting for the "
					       "reply to DLOAD %s", what);
			if (r < 0)
				return (int)r;
			d->rx_pos = 0;
			d->rx_len = (size_t)r;
		}
		size_t used;
		int rc = qc_hdlc_decode(&d->dec, d->rx + d->rx_pos, d->rx_len - d->rx_pos, &used, f, n);

		d->rx_pos += used;
		if (rc == 1 && *n)
			return 1;
		if (rc == QC_E_CRC || rc == QC_E_TOOBIG)
			return QC_E_CRC;
	}
}

/* Sends REQ and parses the reply into R.  Requests that may be repeated
 * without harm are sent again when the reply is damaged or the boot loader
 * says our frame was (NAK 0x01); others report the damage. */
static int transact(qc_dload *d, const uint8_t *req, size_t len, const char *what, bool repeatable,
		    struct qc_dload_reply *r)
{
	for (int attempt = 0;; attempt++) {
		const uint8_t *f;
		size_t n;
		int rc = send_frame(d, req, len);

		if (rc < 0)
			return rc;
		rc = recv_frame(d, what, &f, &n);
		if (rc == QC_E_CRC) {
			if (repeatable && attempt < DLOAD_RETRIES) {
				qc_log(d->ctx, QC_LOG_WARN, "the reply to DLOAD %s failed its CRC; sending it again", what);
				continue;
			}
			return qc_fail(d->ctx, QC_E_CRC, "the reply to DLOAD %s failed its CRC", what);
		}
		if (rc < 0)
			return rc;
		rc = qc_dload_parse_reply(d->ctx, f, n, r);
		if (rc < 0)
			return rc;
		if (r->cmd == QC_DLOAD_NAK && r->nak_reason == QC_DLOAD_NAK_INVALID_FCS && repeatable &&
		    attempt < DLOAD_RETRIES) {
			qc_log(d->ctx, QC_LOG_WARN, "the device received DLOAD %s damaged; sending it again", what);
			continue;
		}
		return 0;
	}
}

static int unexpected(qc_dload *d, const char *what, const struct qc_dload_reply *r)
{
	char nb[48];
	const char *name = qc_dload_cmd_name(r->cmd);

	if (r->cmd == QC_DLOAD_NAK)
		return qc_fail(d->ctx, QC_E_NAK, "the device refused DLOAD %s: %s", what,
			       qc_dload_nak_name(r->nak_reason, nb, sizeof(nb)));
	return qc_fail(d->ctx, QC_E_PROTOCOL, "the device answered DLOAD %s with %s (0x%02x)", what,
		       name ? name : "an unknown packet", r->cmd);
}

static int expect_ack(qc_dload *d, const uint8_t *req, size_t len, const char *what, bool repeatable)
{
	struct qc_dload_reply r;
	int rc = transact(d, req, len, what, repeatable, &r);

	if (rc < 0)
		return rc;
	return r.cmd == QC_DLOAD_ACK ? 0 : unexpected(d, what, &r);
}

static int simple(qc_dload *d, uint8_t cmd, bool repeatable)
{
	return expect_ack(d, &cmd, 1, qc_dload_cmd_name(cmd), repeatable);
}

int qc_dload_nop(qc_dload *d) { return simple(d, QC_DLOAD_NOP, true); }
int qc_dload_reset(qc_dload *d) { return simple(d, QC_DLOAD_RESET, false); }
int qc_dload_power_down(qc_dload *d) { return simple(d, QC_DLOAD_POWER_DOWN, false); }

int qc_dload_get_version(qc_dload *d, char *out, size_t cap)
{
	uint8_t req = QC_DLOAD_VERSION_REQ;
	struct qc_dload_reply r;
	int rc = transact(d, &req, 1, "VERSION_REQ", true, &r);

	if (rc < 0)
		return rc;
	if (r.cmd != QC_DLOAD_VERSION_RESP)
		return unexpected(d, "VERSION_REQ", &r);
	snprintf(out, cap, "%s", r.version);
	return 0;
}

int qc_dload_get_params(qc_dload *d, struct qc_dload_params *p)
{
	uint8_t req = QC_DLOAD_PARAM_REQ;
	struct qc_dload_reply r;
	int rc = transact(d, &req, 1, "PARAM_REQ", true, &r);

	if (rc < 0)
		return rc;
	if (r.cmd != QC_DLOAD_PARAM_RESP)
		return unexpected(d, "PARAM_REQ", &r);
	*p = r.params;
	return 0;
}

int qc_dload_write(qc_dload *d, bool wide, uint32_t addr, const void *data, size_t len)
{
	char what[96];
	ssize_t n;
	int rc = reserve(d, &d->pkt, &d->pkt_cap, len + 8);

	if (rc < 0)
		return rc;
	n = qc_dload_encode_write(d->pkt, d->pkt_cap, wide, addr, data, len);
	if (n == QC_E_RANGE)
		return qc_fail(d->ctx, QC_E_RANGE, "%zu bytes at 0x%08x do not fit the 24-bit DLOAD WRITE", len, addr);
	if (n < 0)
		return qc_fail(d->ctx, (int)n, "a DLOAD write of %zu bytes does not fit one packet", len);
	snprintf(what, sizeof(what), "%s of %zu bytes at 0x%08x", wide ? "WRITE_32BIT" : "WRITE", len, addr);
	/* Writing the same bytes twice to RAM is harmless. */
	return expect_ack(d, d->pkt, (size_t)n, what, true);
}

int qc_dload_erase(qc_dload *d, uint32_t addr, uint32_t len)
{
	uint8_t req[8];
	char what[64];
	ssize_t n = qc_dload_encode_erase(req, sizeof(req), addr, len);

	if (n < 0)
		return qc_fail(d->ctx, QC_E_RANGE, "DLOAD ERASE takes 24-bit addresses and lengths, not 0x%08x+0x%x",
			       addr, len);
	snprintf(what, sizeof(what), "ERASE of 0x%x bytes at 0x%06x", len, addr);
	return expect_ack(d, req, (size_t)n, what, true);
}

int qc_dload_go(qc_dload *d, uint32_t addr)
{
	uint8_t req[5];
	char what[32];

	qc_dload_encode_go(req, sizeof(req), addr);
	snprintf(what, sizeof(what), "GO to 0x%08x", addr);
	/* Never repeated: the first copy may already have started the code. */
	return expect_ack(d, req, sizeof(req), what, false);
}

int qc_dload_unlock(qc_dload *d, const uint8_t code[8])
{
	uint8_t req[9];

	qc_dload_encode_unlock(req, sizeof(req), code);
	return expect_ack(d, req, sizeof(req), "UNLOCK", false);
}

int qc_dload_mem_read(qc_dload *d, uint32_t addr, void *buf, size_t len, size_t max_chunk)
{
	uint8_t *out = buf;

	if (!max_chunk || max_chunk > 0xffff)
		max_chunk = max_chunk ? 0xffff : 1024;
	if ((uint64_t)addr + len > 0x100000000ull)
		return qc_fail(d->ctx, QC_E_RANGE, "a read of %zu bytes at 0x%08x runs past the 32-bit address space",
			       len, addr);
	for (size_t done = 0; done < len;) {
		size_t n = len - done < max_chunk ? len - done : max_chunk;
		uint32_t a = addr + (uint32_t)done;
		uint8_t req[7];
		char what[64];
		struct qc_dload_reply r;
		int rc;

		qc_dload_encode_mem_read(req, sizeof(req), a, (uint16_t)n);
		snprintf(what, sizeof(what), "MEM_READ_REQ of %zu bytes at 0x%08x", n, a);
		rc = transact(d, req, sizeof(req), what, true, &r);
		if (rc < 0)
			return rc;
		if (r.cmd != QC_DLOAD_MEM_READ_RESP)
			return unexpected(d, what, &r);
		if (r.addr != a || r.len != n)
			return qc_fail(d->ctx, QC_E_PROTOCOL,
				       "the device answered DLOAD %s with %u bytes at 0x%08x", what, r.len, r.addr);
		memcpy(out + done, r.data, n);
		done += n;
	}
	return 0;
}
