/* SPDX-License-Identifier: BSD-3-Clause */
/* DMSS DLOAD packets, both directions.  Multi-byte fields are big-endian:
 * WRITE_32BIT is {0x0F, address MSB first, length MSB first, data} and GO is
 * {0x05, address MSB first} (the boot loader reads it as segment:offset). */
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"
#include "qcbox/dload.h"

static const char *const nak_names[] = {
	[QC_DLOAD_NAK_INVALID_FCS] = "bad frame checksum",
	[QC_DLOAD_NAK_INVALID_DEST] = "invalid destination address",
	[QC_DLOAD_NAK_INVALID_LEN] = "invalid length",
	[QC_DLOAD_NAK_EARLY_END] = "unexpected end of packet",
	[QC_DLOAD_NAK_TOO_LARGE] = "data length too large",
	[QC_DLOAD_NAK_INVALID_CMD] = "invalid command",
	[QC_DLOAD_NAK_FAILED] = "operation failed",
	[QC_DLOAD_NAK_WRONG_IID] = "wrong flash intelligent ID",
	[QC_DLOAD_NAK_BAD_VPP] = "bad programming voltage",
	[QC_DLOAD_NAK_VERIFY_FAILED] = "write-verify failed",
	[QC_DLOAD_NAK_NO_SEC_CODE] = "unlock required",
	[QC_DLOAD_NAK_BAD_SEC_CODE] = "incorrect security code",
	[QC_DLOAD_NAK_NO_POWER_DOWN] = "cannot power down",
	[QC_DLOAD_NAK_NOT_PERMITTED] = "operation not permitted",
	[QC_DLOAD_NAK_INVALID_READ_ADDR] = "invalid read address",
};

const char *qc_dload_nak_name(uint16_t reason, char *buf, size_t cap)
{
	if (reason < sizeof(nak_names) / sizeof(nak_names[0]) && nak_names[reason])
		snprintf(buf, cap, "%s (0x%02x)", nak_names[reason], reason);
	else
		snprintf(buf, cap, "unknown reason 0x%04x", reason);
	return buf;
}

static const char *const cmd_names[] = {
	[QC_DLOAD_WRITE] = "WRITE",
	[QC_DLOAD_ACK] = "ACK",
	[QC_DLOAD_NAK] = "NAK",
	[QC_DLOAD_ERASE] = "ERASE",
	[QC_DLOAD_GO] = "GO",
	[QC_DLOAD_NOP] = "NOP",
	[QC_DLOAD_PARAM_REQ] = "PARAM_REQ",
	[QC_DLOAD_PARAM_RESP] = "PARAM_RESP",
	[QC_DLOAD_MEMORY_DUMP] = "MEMORY_DUMP",
	[QC_DLOAD_RESET] = "RESET",
	[QC_DLOAD_UNLOCK] = "UNLOCK",
	[QC_DLOAD_VERSION_REQ] = "VERSION_REQ",
	[QC_DLOAD_VERSION_RESP] = "VERSION_RESP",
	[QC_DLOAD_POWER_DOWN] = "POWER_DOWN",
	[QC_DLOAD_WRITE_32BIT] = "WRITE_32BIT",
	[QC_DLOAD_MEM_DEBUG_QUERY] = "MEM_DEBUG_QUERY",
	[QC_DLOAD_MEM_DEBUG_INFO] = "MEM_DEBUG_INFO",
	[QC_DLOAD_MEM_READ_REQ] = "MEM_READ_REQ",
	[QC_DLOAD_MEM_READ_RESP] = "MEM_READ_RESP",
	[QC_DLOAD_UNFRAMED_READ_REQ] = "UNFRAMED_READ_REQ",
	[QC_DLOAD_UNFRAMED_READ_RESP] = "UNFRAMED_READ_RESP",
	[QC_DLOAD_SERIAL_NUM_READ] = "SERIAL_NUM_READ",
	[QC_DLOAD_HW_ID_READ] = "HW_ID_READ",
	[QC_DLOAD_PK_HASH_READ] = "PK_HASH_READ",
	[QC_DLOAD_QPST_COOKIE_READ_REQ] = "QPST_COOKIE_READ_REQ",
	[QC_DLOAD_QPST_COOKIE_READ_RESP] = "QPST_COOKIE_READ_RESP",
};

const char *qc_dload_cmd_name(uint8_t cmd)
{
	if (cmd == QC_DLOAD_SWITCH_TO_DLOAD)
		return "SWITCH_TO_DLOAD";
	if (cmd < sizeof(cmd_names) / sizeof(cmd_names[0]))
		return cmd_names[cmd];
	return NULL;
}

ssize_t qc_dload_encode_cmd(uint8_t *out, size_t cap, uint8_t cmd)
{
	if (cap < 1)
		return QC_E_TOOBIG;
	out[0] = cmd;
	return 1;
}

ssize_t qc_dload_encode_write(uint8_t *out, size_t cap, bool wide, uint32_t addr, const void *data, size_t len)
{
	size_t hdr = wide ? 7 : 6;

	if (len > QC_DLOAD_MAX_DATA || cap < hdr + len)
		return QC_E_TOOBIG;
	if (!wide && addr + (uint64_t)len > 0x1000000u)
		return QC_E_RANGE;
	if (wide) {
		out[0] = QC_DLOAD_WRITE_32BIT;
		qc_put_be32(out + 1, addr);
	} else {
		out[0] = QC_DLOAD_WRITE;
		qc_put_be24(out + 1, addr);
	}
	qc_put_be16(out + hdr - 2, (uint16_t)len);
	if (len)
		memcpy(out + hdr, data, len);
	return (ssize_t)(hdr + len);
}

ssize_t qc_dload_encode_go(uint8_t *out, size_t cap, uint32_t addr)
{
	if (cap < 5)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_GO;
	qc_put_be32(out + 1, addr);
	return 5;
}

/* The 24-bit address and length follow the 24-bit WRITE packet; ERASE only
 * exists on boot loaders old enough to use that form. */
ssize_t qc_dload_encode_erase(uint8_t *out, size_t cap, uint32_t addr, uint32_t len)
{
	if (cap < 7)
		return QC_E_TOOBIG;
	if (addr > 0xffffffu || len > 0xffffffu)
		return QC_E_RANGE;
	out[0] = QC_DLOAD_ERASE;
	qc_put_be24(out + 1, addr);
	qc_put_be24(out + 4, len);
	return 7;
}

ssize_t qc_dload_encode_unlock(uint8_t *out, size_t cap, const uint8_t code[8])
{
	if (cap < 9)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_UNLOCK;
	memcpy(out + 1, code, 8);
	return 9;
}

ssize_t qc_dload_encode_mem_read(uint8_t *out, size_t cap, uint32_t addr, uint16_t len)
{
	if (cap < 7)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_MEM_READ_REQ;
	qc_put_be32(out + 1, addr);
	qc_put_be16(out + 5, len);
	return 7;
}

ssize_t qc_dload_encode_nak(uint8_t *out, size_t cap, uint16_t reason)
{
	if (cap < 3)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_NAK;
	qc_put_be16(out + 1, reason);
	return 3;
}

ssize_t qc_dload_encode_params(uint8_t *out, size_t cap, const struct qc_dload_params *p)
{
	if (cap < 8)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_PARAM_RESP;
	out[1] = p->protocol_version;
	out[2] = p->min_protocol_version;
	qc_put_be16(out + 3, p->max_write_size);
	out[5] = p->model;
	out[6] = p->device_size;
	out[7] = p->device_type;
	return 8;
}

ssize_t qc_dload_encode_version(uint8_t *out, size_t cap, const char *version)
{
	size_t n = strlen(version);

	if (n > QC_DLOAD_VERSION_MAX || cap < 2 + n)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_VERSION_RESP;
	out[1] = (uint8_t)n;
	memcpy(out + 2, version, n);
	return (ssize_t)(2 + n);
}

ssize_t qc_dload_encode_mem_data(uint8_t *out, size_t cap, uint32_t addr, const void *data, uint16_t len)
{
	if (cap < 7u + len)
		return QC_E_TOOBIG;
	out[0] = QC_DLOAD_MEM_READ_RESP;
	qc_put_be32(out + 1, addr);
	qc_put_be16(out + 5, len);
	memcpy(out + 7, data, len);
	return 7 + (ssize_t)len;
}

static int short_packet(qc_ctx *ctx, const char *what, uint8_t cmd, size_t len, size_t need)
{
	const char *name = qc_dload_cmd_name(cmd);

	return qc_fail(ctx, QC_E_PROTOCOL, "DLOAD %s %s (0x%02x) of %zu bytes is too short: it needs %zu", what,
		       name ? name : "packet", cmd, len, need);
}

int qc_dload_parse_request(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_dload_request *req, uint16_t *nak)
{
	size_t need = 1;

	memset(req, 0, sizeof(*req));
	*nak = QC_DLOAD_NAK_EARLY_END;
	if (len == 0)
		return qc_fail(ctx, QC_E_PROTOCOL, "empty DLOAD request");
	req->cmd = buf[0];
	switch (req->cmd) {
	case QC_DLOAD_WRITE:
	case QC_DLOAD_WRITE_32BIT: {
		size_t hdr = req->cmd == QC_DLOAD_WRITE ? 6 : 7;

		if (len < hdr)
			return short_packet(ctx, "request", req->cmd, len, hdr);
		req->addr = req->cmd == QC_DLOAD_WRITE ? qc_get_be24(buf + 1) : qc_get_be32(buf + 1);
		req->len = qc_get_be16(buf + hdr - 2);
		if (len - hdr != req->len) {
			*nak = QC_DLOAD_NAK_INVALID_LEN;
			return qc_fail(ctx, QC_E_PROTOCOL,
				       "DLOAD %s to 0x%08x says %u data bytes but carries %zu",
				       qc_dload_cmd_name(req->cmd), req->addr, req->len, len - hdr);
		}
		req->data = buf + hdr;
		return 0;
	}
	case QC_DLOAD_ERASE:
		need = 7;
		if (len < need)
			break;
		req->addr = qc_get_be24(buf + 1);
		req->len = qc_get_be24(buf + 4);
		return 0;
	case QC_DLOAD_GO:
		need = 5;
		if (len < need)
			break;
		req->addr = qc_get_be32(buf + 1);
		return 0;
	case QC_DLOAD_UNLOCK:
		need = 9;
		if (len < need)
			break;
		req->data = buf + 1;
		return 0;
	case QC_DLOAD_MEM_READ_REQ:
		need = 7;
		if (len < need)
			break;
		req->addr = qc_get_be32(buf + 1);
		req->len = qc_get_be16(buf + 5);
		return 0;
	default:
		/* Argument-less commands, and unknown ones for the caller. */
		return 0;
	}
	return short_packet(ctx, "request", req->cmd, len, need);
}

int qc_dload_parse_reply(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_dload_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (len == 0)
		return qc_fail(ctx, QC_E_PROTOCOL, "empty DLOAD reply");
	r->cmd = buf[0];
	switch (r->cmd) {
	case QC_DLOAD_NAK:
		if (len < 3)
			return short_packet(ctx, "reply", r->cmd, len, 3);
		r->nak_reason = qc_get_be16(buf + 1);
		return 0;
	case QC_DLOAD_PARAM_RESP:
		if (len < 8)
			return short_packet(ctx, "reply", r->cmd, len, 8);
		r->params.protocol_version = buf[1];
		r->params.min_protocol_version = buf[2];
		r->params.max_write_size = qc_get_be16(buf + 3);
		r->params.model = buf[5];
		r->params.device_size = buf[6];
		r->params.device_type = buf[7];
		return 0;
	case QC_DLOAD_VERSION_RESP: {
		size_t n;

		if (len < 2)
			return short_packet(ctx, "reply", r->cmd, len, 2);
		n = buf[1];
		if (n > len - 2)
			return qc_fail(ctx, QC_E_PROTOCOL,
				       "DLOAD VERSION_RESP says %zu characters but carries %zu", n, len - 2);
		memcpy(r->version, buf + 2, n);
		/* Boot loaders pad with NULs or spaces; keep only the text. */
		r->version[n] = '\0';
		n = strlen(r->version);
		while (n && r->version[n - 1] == ' ')
			r->version[--n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)r->version[i] < 0x20 || (unsigned char)r->version[i] > 0x7e)
				r->version[i] = '?';
		return 0;
	}
	case QC_DLOAD_MEM_READ_RESP:
		if (len < 7)
			return short_packet(ctx, "reply", r->cmd, len, 7);
		r->addr = qc_get_be32(buf + 1);
		r->len = qc_get_be16(buf + 5);
		if ((size_t)r->len != len - 7)
			return qc_fail(ctx, QC_E_PROTOCOL,
				       "DLOAD MEM_READ_RESP for 0x%08x says %u bytes but carries %zu", r->addr, r->len,
				       len - 7);
		r->data = buf + 7;
		return 0;
	default:
		return 0;
	}
}
