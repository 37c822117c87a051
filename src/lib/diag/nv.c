/* SPDX-License-Identifier: BSD-3-Clause */
/* NV item read/write over DIAG: the classic 0x26/0x27 packets and the
 * subsystem-0x30 form that carries a subscription index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "qcbox/nv.h"

static const struct {
	const char *name;
	const char *text;
} nv_statuses[] = {
	[QC_NV_DONE] = {"ok", "done"},
	[QC_NV_BUSY] = {"busy", "busy"},
	[QC_NV_BADCMD] = {"bad_command", "bad command"},
	[QC_NV_FULL] = {"full", "NV memory full"},
	[QC_NV_FAIL] = {"fail", "failed"},
	[QC_NV_NOTACTIVE] = {"inactive", "never written"},
	[QC_NV_BADPARM] = {"bad_param", "bad parameter"},
	[QC_NV_READONLY] = {"read_only", "read-only"},
	[QC_NV_BADTG] = {"bad_target", "not valid for this target"},
	[QC_NV_NOMEM] = {"no_memory", "out of NV memory"},
	[QC_NV_NOTALLOC] = {"not_allocated", "not allocated"},
};

#define NSTATUS (sizeof(nv_statuses) / sizeof(nv_statuses[0]))

const char *qc_nv_status_name(unsigned status) { return status < NSTATUS ? nv_statuses[status].name : NULL; }

const char *qc_nv_status_text(unsigned status)
{
	return status < NSTATUS ? nv_statuses[status].text : "unknown NV status";
}

int qc_nv_status_from_name(const char *name)
{
	for (unsigned i = 0; i < NSTATUS; i++)
		if (!strcmp(nv_statuses[i].name, name))
			return (int)i;
	if (!strncmp(name, "status_", 7) && name[7] >= '0' && name[7] <= '9') {
		char *end;
		unsigned long v = strtoul(name + 7, &end, 10);

		if (!*end && v <= 0xffff)
			return (int)v;
	}
	return -1;
}

ssize_t qc_nv_encode(const struct qc_nv_packet *p, uint8_t *out, size_t cap)
{
	size_t off;

	if (p->sim < 0) {
		if (cap < QC_NV_PKT_LEN)
			return QC_E_TOOBIG;
		out[0] = p->write ? QC_DIAG_NV_WRITE : QC_DIAG_NV_READ;
		qc_put_le16(out + 1, p->item);
		off = 3;
	} else {
		if (cap < QC_NV_SUB_PKT_LEN || p->sim > 0xffff)
			return QC_E_TOOBIG;
		out[0] = QC_DIAG_SUBSYS;
		out[1] = QC_DIAG_SUBSYS_NV;
		qc_put_le16(out + 2, p->write ? QC_NV_SUB_WRITE : QC_NV_SUB_READ);
		qc_put_le16(out + 4, p->item);
		qc_put_le16(out + 6, (uint16_t)p->sim);
		off = 8;
	}
	memcpy(out + off, p->data, QC_NV_DATA_LEN);
	qc_put_le16(out + off + QC_NV_DATA_LEN, p->status);
	return (ssize_t)(off + QC_NV_DATA_LEN + 2);
}

int qc_nv_decode(qc_ctx *ctx, const uint8_t *pkt, size_t len, bool strict, struct qc_nv_packet *out)
{
	size_t off, full;

	memset(out, 0, sizeof(*out));
	if (len >= 1 && (pkt[0] == QC_DIAG_NV_READ || pkt[0] == QC_DIAG_NV_WRITE)) {
		out->write = pkt[0] == QC_DIAG_NV_WRITE;
		out->sim = -1;
		off = 3;
		full = QC_NV_PKT_LEN;
		if (len < off)
			return qc_fail(ctx, QC_E_FORMAT, "NV packet of %zu bytes has no item number", len);
		out->item = qc_get_le16(pkt + 1);
	} else if (len >= 4 && pkt[0] == QC_DIAG_SUBSYS && pkt[1] == QC_DIAG_SUBSYS_NV &&
		   (qc_get_le16(pkt + 2) == QC_NV_SUB_READ || qc_get_le16(pkt + 2) == QC_NV_SUB_WRITE)) {
		out->write = qc_get_le16(pkt + 2) == QC_NV_SUB_WRITE;
		off = 8;
		full = QC_NV_SUB_PKT_LEN;
		if (len < off)
			return qc_fail(ctx, QC_E_FORMAT, "per-SIM NV packet of %zu bytes has no item and index", len);
		out->item = qc_get_le16(pkt + 4);
		out->sim = qc_get_le16(pkt + 6);
	} else {
		return qc_fail(ctx, QC_E_PROTOCOL, "not an NV packet (command 0x%02x)", len ? pkt[0] : 0);
	}
	if (len > full || (strict && len < full))
		return qc_fail(ctx, QC_E_FORMAT, "NV packet for item %u is %zu bytes; it must be %zu", out->item, len,
			       full);
	size_t n = len - off < QC_NV_DATA_LEN ? len - off : QC_NV_DATA_LEN;

	memcpy(out->data, pkt + off, n);
	if (len == full)
		out->status = qc_get_le16(pkt + full - 2);
	return 0;
}

/* One exchange; the reply must be the same kind of packet for the same
 * item (and subscription), as libqcdm also checks. */
static int nv_exchange(qc_diag *d, struct qc_nv_packet *p, uint8_t data[QC_NV_DATA_LEN], uint16_t *status,
		       uint8_t *reply)
{
	qc_ctx *ctx = qc_transport_ctx(qc_diag_transport(d));
	uint8_t req[QC_NV_SUB_PKT_LEN], rsp[QC_NV_SUB_PKT_LEN + 64];
	struct qc_nv_packet r;
	size_t n;
	ssize_t len = qc_nv_encode(p, req, sizeof(req));
	int rc;

	if (reply)
		*reply = 0;
	if (len < 0)
		return qc_fail(ctx, QC_E_INVAL, "subscription %d is out of range", p->sim);
	if (p->sim < 0)
		rc = qc_diag_request(d, req, (size_t)len, rsp, sizeof(rsp), &n);
	else
		rc = qc_diag_subsys_request(d, req[1], qc_get_le16(req + 2), req + 4, (size_t)len - 4, rsp, sizeof(rsp), &n);
	if (rc == QC_E_NAK) {
		if (reply)
			*reply = rsp[0];
		return qc_fail(ctx, QC_E_NAK, "the device refused to %s NV item %u%s: %s", p->write ? "write" : "read",
			       p->item, p->sim >= 0 ? " through subsystem 0x30" : "", qc_diag_error_reply_name(rsp[0]));
	}
	if (rc < 0)
		return rc;
	if (n > sizeof(rsp))
		return qc_fail(ctx, QC_E_PROTOCOL, "NV reply for item %u is %zu bytes, far over the %d expected",
			       p->item, n, p->sim < 0 ? QC_NV_PKT_LEN : QC_NV_SUB_PKT_LEN);
	rc = qc_nv_decode(ctx, rsp, n, true, &r);
	if (rc < 0)
		return qc_fail(ctx, QC_E_PROTOCOL, "bad NV reply: %s", qc_last_error(ctx));
	if (r.write != p->write || r.item != p->item || r.sim != p->sim)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device answered an NV %s of item %u with one of item %u",
			       p->write ? "write" : "read", p->item, r.item);
	if (data)
		memcpy(data, r.data, QC_NV_DATA_LEN);
	*status = r.status;
	return 0;
}

int qc_nv_read(qc_diag *d, int sim, uint16_t item, const uint8_t *prefix, size_t plen, uint8_t data[QC_NV_DATA_LEN],
	       uint16_t *status, uint8_t *reply)
{
	struct qc_nv_packet p = {.write = false, .sim = sim, .item = item};

	if (plen > QC_NV_DATA_LEN)
		return qc_fail(qc_transport_ctx(qc_diag_transport(d)), QC_E_INVAL,
			       "NV read of item %u: %zu prefix bytes exceed the 128-byte item", item, plen);
	if (plen)
		memcpy(p.data, prefix, plen);
	return nv_exchange(d, &p, data, status, reply);
}

int qc_nv_write(qc_diag *d, int sim, uint16_t item, const uint8_t *data, size_t len, uint16_t *status, uint8_t *reply)
{
	struct qc_nv_packet p = {.write = true, .sim = sim, .item = item};

	if (len == 0 || len > QC_NV_DATA_LEN)
		return qc_fail(qc_transport_ctx(qc_diag_transport(d)), QC_E_INVAL,
			       "NV write of item %u: %zu bytes of data; an item holds 1 to 128", item, len);
	memcpy(p.data, data, len);
	return nv_exchange(d, &p, NULL, status, reply);
}
