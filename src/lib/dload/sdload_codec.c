/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming DLOAD packets, both directions; fields are little-endian.
 * The HELLO reply is the only variable layout: after the 32-byte magic,
 * versions, block size and base address come a length-prefixed flash id,
 * the window size, a count of sector sizes, the sizes, and the granted
 * feature bits.  Each field is checked against the packet before use.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bytes.h"
#include "qcbox/sdload.h"

static const struct {
	uint8_t type;
	const char *name;
} image_types[] = {
	{QC_SDLOAD_IMG_PBL, "pbl"},
	{QC_SDLOAD_IMG_QCSBL_HDR, "qcsbl_hdr"},
	{QC_SDLOAD_IMG_QCSBL, "qcsbl"},
	{QC_SDLOAD_IMG_OEMSBL, "oemsbl"},
	{QC_SDLOAD_IMG_AMSS, "amss"},
	{QC_SDLOAD_IMG_APPS, "apps"},
	{QC_SDLOAD_IMG_OBL, "obl"},
	{QC_SDLOAD_IMG_FOTAUI, "fotaui"},
	{QC_SDLOAD_IMG_CEFS, "cefs"},
	{QC_SDLOAD_IMG_APPSBL, "appsbl"},
	{QC_SDLOAD_IMG_APPS_CEFS, "apps_cefs"},
	{QC_SDLOAD_IMG_FLASH_BIN, "flash_bin"},
	{QC_SDLOAD_IMG_DSP1, "dsp1"},
	{QC_SDLOAD_IMG_CUSTOM, "custom"},
	{QC_SDLOAD_IMG_DBL, "dbl"},
	{QC_SDLOAD_IMG_OSBL, "osbl"},
	{QC_SDLOAD_IMG_FSBL, "fsbl"},
	{QC_SDLOAD_IMG_DSP2, "dsp2"},
	{QC_SDLOAD_IMG_RAW, "apps_efs2_raw"},
	{QC_SDLOAD_IMG_ROFS1, "rofs1"},
	{QC_SDLOAD_IMG_ROFS2, "rofs2"},
	{QC_SDLOAD_IMG_ROFS3, "rofs3"},
	{QC_SDLOAD_IMG_EMMC_USER, "emmc_user"},
	{QC_SDLOAD_IMG_EMMC_BOOT0, "emmc_boot0"},
	{QC_SDLOAD_IMG_EMMC_BOOT1, "emmc_boot1"},
	{QC_SDLOAD_IMG_EMMC_RPMB, "emmc_rpmb"},
	{QC_SDLOAD_IMG_EMMC_GPP1, "emmc_gpp1"},
	{QC_SDLOAD_IMG_EMMC_GPP2, "emmc_gpp2"},
	{QC_SDLOAD_IMG_EMMC_GPP3, "emmc_gpp3"},
	{QC_SDLOAD_IMG_EMMC_GPP4, "emmc_gpp4"},
};

const char *qc_sdload_image_type_name(uint8_t type)
{
	for (size_t i = 0; i < sizeof(image_types) / sizeof(image_types[0]); i++)
		if (image_types[i].type == type)
			return image_types[i].name;
	return NULL;
}

int qc_sdload_image_type_parse(const char *s)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -1;
	for (size_t i = 0; i < sizeof(image_types) / sizeof(image_types[0]); i++) {
		const char *n = image_types[i].name;

		/* "user", "boot0", "gpp2" for the eMMC ones too */
		if (!strcasecmp(s, n) || (!strncmp(n, "emmc_", 5) && !strcasecmp(s, n + 5)))
			return image_types[i].type;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoul(s, &end, 0);
	if (*end || v > 0xff)
		return -1;
	return (int)v;
}

static const uint8_t emmc_luns[] = {
	QC_SDLOAD_IMG_EMMC_USER, QC_SDLOAD_IMG_EMMC_BOOT0, QC_SDLOAD_IMG_EMMC_BOOT1, QC_SDLOAD_IMG_EMMC_GPP1,
	QC_SDLOAD_IMG_EMMC_GPP2, QC_SDLOAD_IMG_EMMC_GPP3, QC_SDLOAD_IMG_EMMC_GPP4,
};

int qc_sdload_image_type_lun(uint8_t type)
{
	for (size_t i = 0; i < sizeof(emmc_luns); i++)
		if (emmc_luns[i] == type)
			return (int)i;
	return -1;
}

int qc_sdload_lun_image_type(unsigned lun)
{
	return lun < sizeof(emmc_luns) ? emmc_luns[lun] : -1;
}

static const char *const error_names[] = {
	[QC_SDLOAD_ERR_INVALID_DEST] = "invalid destination address",
	[QC_SDLOAD_ERR_INVALID_LEN] = "invalid length",
	[QC_SDLOAD_ERR_EARLY_END] = "packet ended early",
	[QC_SDLOAD_ERR_INVALID_CMD] = "invalid command",
	[QC_SDLOAD_ERR_FAILED] = "operation failed",
	[QC_SDLOAD_ERR_WRONG_IID] = "wrong flash ID",
	[QC_SDLOAD_ERR_BAD_VPP] = "bad programming voltage",
	[QC_SDLOAD_ERR_VERIFY] = "verify failed",
	[QC_SDLOAD_ERR_BAD_SEC_CODE] = "bad security code",
	[QC_SDLOAD_ERR_NO_POWER_DOWN] = "cannot power down",
	[QC_SDLOAD_ERR_NAND_UNSUPPORTED] = "NAND programming not supported",
	[QC_SDLOAD_ERR_OUT_OF_SEQUENCE] = "command out of sequence",
	[QC_SDLOAD_ERR_CLOSE_FAILED] = "close failed",
	[QC_SDLOAD_ERR_BAD_FEATURES] = "incompatible feature bits",
	[QC_SDLOAD_ERR_NO_SPACE] = "out of space",
	[QC_SDLOAD_ERR_BAD_SEC_MODE] = "invalid security mode",
	[QC_SDLOAD_ERR_MULTI_UNSUPPORTED] = "multi-image NAND not supported",
	[QC_SDLOAD_ERR_POWER_OFF_UNSUPPORTED] = "power-off not supported",
};

const char *qc_sdload_error_name(uint32_t code, char *buf, size_t cap)
{
	if (code < sizeof(error_names) / sizeof(error_names[0]) && error_names[code])
		snprintf(buf, cap, "%s (0x%02x)", error_names[code], code);
	else
		snprintf(buf, cap, "unknown error 0x%08x", code);
	return buf;
}

static const char *const cmd_names[] = {
	[QC_SDLOAD_HELLO] = "HELLO",
	[QC_SDLOAD_HELLO_RESP] = "HELLO_RESP",
	[QC_SDLOAD_READ] = "READ",
	[QC_SDLOAD_READ_DATA] = "READ_DATA",
	[QC_SDLOAD_SIMPLE_WRITE] = "SIMPLE_WRITE",
	[QC_SDLOAD_WRITE_OK] = "WRITE_OK",
	[QC_SDLOAD_STREAM_WRITE] = "STREAM_WRITE",
	[QC_SDLOAD_BLOCK_WRITTEN] = "BLOCK_WRITTEN",
	[QC_SDLOAD_NOP] = "NOP",
	[QC_SDLOAD_NOP_RESP] = "NOP_RESP",
	[QC_SDLOAD_RESET] = "RESET",
	[QC_SDLOAD_RESET_ACK] = "RESET_ACK",
	[QC_SDLOAD_ERROR] = "ERROR",
	[QC_SDLOAD_LOG] = "LOG",
	[QC_SDLOAD_UNLOCK] = "UNLOCK",
	[QC_SDLOAD_UNLOCKED] = "UNLOCKED",
	[QC_SDLOAD_POWER_OFF] = "POWER_OFF",
	[QC_SDLOAD_POWERING_DOWN] = "POWERING_DOWN",
	[QC_SDLOAD_OPEN] = "OPEN",
	[QC_SDLOAD_OPENED] = "OPENED",
	[QC_SDLOAD_CLOSE] = "CLOSE",
	[QC_SDLOAD_CLOSED] = "CLOSED",
	[QC_SDLOAD_SECURITY_MODE] = "SECURITY_MODE",
	[QC_SDLOAD_SECURITY_MODE_RESP] = "SECURITY_MODE_RESP",
	[QC_SDLOAD_PARTITION_TABLE] = "PARTITION_TABLE",
	[QC_SDLOAD_PARTITION_TABLE_RESP] = "PARTITION_TABLE_RESP",
	[QC_SDLOAD_OPEN_MULTI] = "OPEN_MULTI_IMAGE",
	[QC_SDLOAD_OPEN_MULTI_RESP] = "OPEN_MULTI_IMAGE_RESP",
	[QC_SDLOAD_ERASE_FLASH] = "ERASE_FLASH",
	[QC_SDLOAD_FLASH_ERASED] = "FLASH_ERASED",
	[QC_SDLOAD_GET_ECC] = "GET_ECC_STATE",
	[QC_SDLOAD_ECC_STATE] = "ECC_STATE",
	[QC_SDLOAD_SET_ECC] = "SET_ECC",
	[QC_SDLOAD_SET_ECC_RESP] = "SET_ECC_RESP",
};

const char *qc_sdload_cmd_name(uint8_t cmd)
{
	return cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ? cmd_names[cmd] : NULL;
}

const char *qc_sdload_open_multi_status_name(uint8_t status)
{
	static const char *const n[] = {"success", "payload too long", "no payload expected", "payload required",
					"block 0 is write-protected"};

	return status < sizeof(n) / sizeof(n[0]) ? n[status] : "unknown status";
}

const char *qc_sdload_ptable_status_name(uint8_t status)
{
	static const char *const n[] = {"accepted", "differs from the one on the device (send it with override)",
					"format not recognised", "erase failed"};

	return status < sizeof(n) / sizeof(n[0]) ? n[status] : "unknown status";
}

/* ----- requests ----- */

ssize_t qc_sdload_encode_hello(uint8_t *out, size_t cap, uint8_t version, uint8_t compat, uint8_t features)
{
	if (cap < 36)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_HELLO;
	memcpy(out + 1, QC_SDLOAD_MAGIC_HOST, QC_SDLOAD_MAGIC_LEN);
	out[33] = version;
	out[34] = compat;
	out[35] = features;
	return 36;
}

ssize_t qc_sdload_encode_cmd(uint8_t *out, size_t cap, uint8_t cmd)
{
	if (cap < 1)
		return QC_E_TOOBIG;
	out[0] = cmd;
	return 1;
}

ssize_t qc_sdload_encode_u8(uint8_t *out, size_t cap, uint8_t cmd, uint8_t arg)
{
	if (cap < 2)
		return QC_E_TOOBIG;
	out[0] = cmd;
	out[1] = arg;
	return 2;
}

ssize_t qc_sdload_encode_read(uint8_t *out, size_t cap, uint32_t addr, uint16_t len)
{
	if (cap < 7)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_READ;
	qc_put_le32(out + 1, addr);
	qc_put_le16(out + 5, len);
	return 7;
}

ssize_t qc_sdload_encode_write(uint8_t *out, size_t cap, uint8_t cmd, uint32_t addr, const void *data, size_t len)
{
	if (cap < 5 || len > cap - 5)
		return QC_E_TOOBIG;
	out[0] = cmd;
	qc_put_le32(out + 1, addr);
	if (len)
		memcpy(out + 5, data, len);
	return (ssize_t)(5 + len);
}

ssize_t qc_sdload_encode_nop(uint8_t *out, size_t cap, uint32_t id)
{
	if (cap < 5)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_NOP;
	qc_put_le32(out + 1, id);
	return 5;
}

ssize_t qc_sdload_encode_unlock(uint8_t *out, size_t cap, uint64_t code)
{
	if (cap < 9)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_UNLOCK;
	qc_put_le64(out + 1, code);
	return 9;
}

ssize_t qc_sdload_encode_open_multi(uint8_t *out, size_t cap, uint8_t type, const void *payload, size_t len)
{
	if (cap < 2 || len > cap - 2)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_OPEN_MULTI;
	out[1] = type;
	if (len)
		memcpy(out + 2, payload, len);
	return (ssize_t)(2 + len);
}

ssize_t qc_sdload_encode_ptable(uint8_t *out, size_t cap, bool override, const void *table, size_t len)
{
	if (len > QC_SDLOAD_PTABLE_MAX || cap < 2 + len)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_PARTITION_TABLE;
	out[1] = override;
	if (len)
		memcpy(out + 2, table, len);
	return (ssize_t)(2 + len);
}

static int too_short(qc_ctx *ctx, const char *dir, uint8_t cmd, size_t len, size_t need, uint32_t *err)
{
	const char *name = qc_sdload_cmd_name(cmd);

	if (err)
		*err = QC_SDLOAD_ERR_INVALID_LEN;
	return qc_fail(ctx, QC_E_PROTOCOL, "Streaming DLOAD %s %s (0x%02x) of %zu bytes is too short: it needs %zu",
		       dir, name ? name : "packet", cmd, len, need);
}

int qc_sdload_parse_request(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sdload_request *req, uint32_t *err)
{
	memset(req, 0, sizeof(*req));
	*err = QC_SDLOAD_ERR_INVALID_LEN;
	if (len == 0)
		return qc_fail(ctx, QC_E_PROTOCOL, "empty Streaming DLOAD request");
	req->cmd = buf[0];
	switch (req->cmd) {
	case QC_SDLOAD_HELLO:
		if (len < 36)
			return too_short(ctx, "request", req->cmd, len, 36, err);
		req->magic_ok = !memcmp(buf + 1, QC_SDLOAD_MAGIC_HOST, QC_SDLOAD_MAGIC_LEN);
		req->version = buf[33];
		req->compat = buf[34];
		req->features = buf[35];
		return 0;
	case QC_SDLOAD_READ:
		if (len != 7)
			return qc_fail(ctx, QC_E_PROTOCOL, "Streaming DLOAD READ of %zu bytes; it has exactly 7", len);
		req->addr = qc_get_le32(buf + 1);
		req->len = qc_get_le16(buf + 5);
		return 0;
	case QC_SDLOAD_SIMPLE_WRITE:
	case QC_SDLOAD_STREAM_WRITE:
		if (len < 5)
			return too_short(ctx, "request", req->cmd, len, 5, err);
		req->addr = qc_get_le32(buf + 1);
		req->data = buf + 5;
		req->data_len = len - 5;
		return 0;
	case QC_SDLOAD_NOP:
		req->data = buf + 1;
		req->data_len = len - 1;
		return 0;
	case QC_SDLOAD_UNLOCK:
		if (len < 9)
			return too_short(ctx, "request", req->cmd, len, 9, err);
		req->code = qc_get_le64(buf + 1);
		return 0;
	case QC_SDLOAD_OPEN:
	case QC_SDLOAD_SECURITY_MODE:
	case QC_SDLOAD_SET_ECC:
	case QC_SDLOAD_OPEN_MULTI:
	case QC_SDLOAD_PARTITION_TABLE:
		if (len < 2)
			return too_short(ctx, "request", req->cmd, len, 2, err);
		req->arg = buf[1];
		req->data = buf + 2;
		req->data_len = len - 2;
		return 0;
	default:
		return 0;
	}
}

/* ----- replies ----- */

ssize_t qc_sdload_encode_hello_resp(uint8_t *out, size_t cap, const struct qc_sdload_hello *h)
{
	size_t id = strlen(h->flash_id), n;
	uint8_t *p;

	if (id > QC_SDLOAD_FLASH_ID_MAX || h->num_sectors > QC_SDLOAD_SECTORS_KEPT)
		return QC_E_TOOBIG;
	n = 44 + id + 4 + 4u * h->num_sectors + 1;
	if (cap < n)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_HELLO_RESP;
	memcpy(out + 1, h->magic, QC_SDLOAD_MAGIC_LEN);
	out[33] = h->version;
	out[34] = h->compat_version;
	qc_put_le32(out + 35, h->max_block_size);
	qc_put_le32(out + 39, h->base_address);
	out[43] = (uint8_t)id;
	memcpy(out + 44, h->flash_id, id);
	p = out + 44 + id;
	qc_put_le16(p, h->window_size);
	qc_put_le16(p + 2, h->num_sectors);
	p += 4;
	for (unsigned i = 0; i < h->num_sectors; i++, p += 4)
		qc_put_le32(p, h->sector_sizes[i]);
	*p = h->features;
	return (ssize_t)n;
}

ssize_t qc_sdload_encode_error(uint8_t *out, size_t cap, uint32_t code, const char *text)
{
	size_t n = strlen(text);

	if (cap < 5 + n)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_ERROR;
	qc_put_le32(out + 1, code);
	memcpy(out + 5, text, n);
	return (ssize_t)(5 + n);
}

ssize_t qc_sdload_encode_log(uint8_t *out, size_t cap, const char *text)
{
	size_t n = strlen(text);

	if (cap < 1 + n)
		return QC_E_TOOBIG;
	out[0] = QC_SDLOAD_LOG;
	memcpy(out + 1, text, n);
	return (ssize_t)(1 + n);
}

ssize_t qc_sdload_encode_addr_reply(uint8_t *out, size_t cap, uint8_t cmd, uint32_t addr)
{
	if (cap < 5)
		return QC_E_TOOBIG;
	out[0] = cmd;
	qc_put_le32(out + 1, addr);
	return 5;
}

ssize_t qc_sdload_encode_read_data(uint8_t *out, size_t cap, uint32_t addr, const void *data, size_t len)
{
	return qc_sdload_encode_write(out, cap, QC_SDLOAD_READ_DATA, addr, data, len);
}

ssize_t qc_sdload_encode_status(uint8_t *out, size_t cap, uint8_t cmd, uint8_t status)
{
	return qc_sdload_encode_u8(out, cap, cmd, status);
}

/* Copies printable text; devices pad with NULs and spaces. */
static void copy_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		if (src[i] == 0)
			break;
		dst[k++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	}
	while (k && dst[k - 1] == ' ')
		k--;
	dst[k] = '\0';
}

static int parse_hello(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sdload_hello *h)
{
	size_t id, p, n;

	if (len < 44)
		return too_short(ctx, "reply", QC_SDLOAD_HELLO_RESP, len, 44, NULL);
	memcpy(h->magic, buf + 1, QC_SDLOAD_MAGIC_LEN);
	h->magic[QC_SDLOAD_MAGIC_LEN] = '\0';
	h->version = buf[33];
	h->compat_version = buf[34];
	h->max_block_size = qc_get_le32(buf + 35);
	h->base_address = qc_get_le32(buf + 39);
	id = buf[43];
	p = 44 + id;
	if (p + 4 > len)
		return qc_fail(ctx, QC_E_PROTOCOL,
			       "Streaming DLOAD HELLO_RESP: a flash id of %zu bytes at offset 44 leaves no room for the "
			       "window size in its %zu bytes",
			       id, len);
	copy_text(h->flash_id, sizeof(h->flash_id), buf + 44, id);
	h->window_size = qc_get_le16(buf + p);
	h->num_sectors = qc_get_le16(buf + p + 2);
	p += 4;
	n = h->num_sectors;
	if (4 * n > len - p)
		return qc_fail(ctx, QC_E_PROTOCOL,
			       "Streaming DLOAD HELLO_RESP: %zu sector sizes at offset %zu run past its %zu bytes", n, p,
			       len);
	for (size_t i = 0; i < n && i < QC_SDLOAD_SECTORS_KEPT; i++)
		h->sector_sizes[i] = qc_get_le32(buf + p + 4 * i);
	p += 4 * n;
	/* The granted features close the packet; some programmers end early. */
	h->features = p < len ? buf[p] : 0;
	return 0;
}

int qc_sdload_parse_reply(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sdload_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (len == 0)
		return qc_fail(ctx, QC_E_PROTOCOL, "empty Streaming DLOAD reply");
	r->cmd = buf[0];
	switch (r->cmd) {
	case QC_SDLOAD_HELLO_RESP:
		return parse_hello(ctx, buf, len, &r->hello);
	case QC_SDLOAD_READ_DATA:
	case QC_SDLOAD_WRITE_OK:
	case QC_SDLOAD_BLOCK_WRITTEN:
		if (len < 5)
			return too_short(ctx, "reply", r->cmd, len, 5, NULL);
		r->addr = qc_get_le32(buf + 1);
		r->data = buf + 5;
		r->data_len = len - 5;
		return 0;
	case QC_SDLOAD_ERROR:
		if (len < 5)
			return too_short(ctx, "reply", r->cmd, len, 5, NULL);
		r->error_code = qc_get_le32(buf + 1);
		r->data = buf + 5;
		r->data_len = len - 5;
		return 0;
	case QC_SDLOAD_LOG:
	case QC_SDLOAD_NOP_RESP:
		r->data = buf + 1;
		r->data_len = len - 1;
		return 0;
	case QC_SDLOAD_OPEN_MULTI_RESP:
	case QC_SDLOAD_PARTITION_TABLE_RESP:
	case QC_SDLOAD_ECC_STATE:
		if (len < 2)
			return too_short(ctx, "reply", r->cmd, len, 2, NULL);
		r->status = buf[1];
		return 0;
	default:
		return 0;
	}
}
