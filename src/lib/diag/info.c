/* SPDX-License-Identifier: BSD-3-Clause */
/* Device identity over DIAG: VERNO (0x00), EXT_BUILD_ID (0x7C), ESN (0x01),
 * DIAG_VER (0x1C), and the IMEI/MEID NV items, for `qcbox diag info`. */
#include <string.h>

#include "core/bytes.h"
#include "qcbox/diag.h"
#include "qcbox/nv.h"

/* VERNO text fields are fixed-width, blank- or NUL-padded and not
 * terminated; some firmwares leave garbage after a NUL. */
static void take_field(char *dst, const uint8_t *src, size_t n)
{
	size_t len = 0;

	while (len < n && src[len])
		len++;
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i] < 0x20 || src[i] >= 0x7f ? '?' : (char)src[i];
	while (len && dst[len - 1] == ' ')
		len--;
	memset(dst + len, 0, n + 1 - len);
}

static void put_field(uint8_t *dst, size_t n, const char *s)
{
	size_t l = strlen(s);

	memset(dst, ' ', n);
	memcpy(dst, s, l < n ? l : n);
}

int qc_diag_version_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, struct qc_diag_version *v)
{
	memset(v, 0, sizeof(*v));
	if (len < 1 || rsp[0] != QC_DIAG_VERNO)
		return qc_fail(ctx, QC_E_PROTOCOL, "not a DIAG version reply (command 0x%02x)", len ? rsp[0] : 0);
	if (len < QC_DIAG_VERNO_LEN)
		return qc_fail(ctx, QC_E_PROTOCOL, "DIAG version reply is %zu bytes; it must be %d", len,
			       QC_DIAG_VERNO_LEN);
	take_field(v->comp_date, rsp + 1, 11);
	take_field(v->comp_time, rsp + 12, 8);
	take_field(v->rel_date, rsp + 20, 11);
	take_field(v->rel_time, rsp + 31, 8);
	take_field(v->model, rsp + 39, 8);
	v->scm = rsp[47];
	v->mob_cai_rev = rsp[48];
	v->mob_model = rsp[49];
	v->mob_firm_rev = qc_get_le16(rsp + 50);
	v->slot_cycle_index = rsp[52];
	v->hw_major = rsp[53];
	v->hw_minor = rsp[54];
	return 0;
}

ssize_t qc_diag_version_encode(const struct qc_diag_version *v, uint8_t *out, size_t cap)
{
	if (cap < QC_DIAG_VERNO_LEN)
		return QC_E_TOOBIG;
	out[0] = QC_DIAG_VERNO;
	put_field(out + 1, 11, v->comp_date);
	put_field(out + 12, 8, v->comp_time);
	put_field(out + 20, 11, v->rel_date);
	put_field(out + 31, 8, v->rel_time);
	put_field(out + 39, 8, v->model);
	out[47] = v->scm;
	out[48] = v->mob_cai_rev;
	out[49] = v->mob_model;
	qc_put_le16(out + 50, v->mob_firm_rev);
	out[52] = v->slot_cycle_index;
	out[53] = v->hw_major;
	out[54] = v->hw_minor;
	return QC_DIAG_VERNO_LEN;
}

/* 0x7C: format u8, reserved[2], msm_hw_version u32, mobile_model_id u32,
 * then two NUL-terminated strings, build id and model.  Some modems end
 * the packet right after the build id's NUL or omit the model's NUL; only
 * the build id must be terminated. */
#define EXT_HDR 12

static int take_string(qc_ctx *ctx, char *dst, size_t dcap, const uint8_t *p, size_t avail, bool need_nul,
		       const char *what, size_t *used)
{
	size_t n = 0;

	while (n < avail && p[n])
		n++;
	if (n == avail && need_nul)
		return qc_fail(ctx, QC_E_PROTOCOL, "extended build id reply: the %s is not NUL-terminated", what);
	if (n >= dcap)
		return qc_fail(ctx, QC_E_PROTOCOL, "extended build id reply: the %s is %zu bytes, over %zu", what, n,
			       dcap - 1);
	for (size_t i = 0; i < n; i++)
		dst[i] = p[i] < 0x20 || p[i] >= 0x7f ? '?' : (char)p[i];
	dst[n] = '\0';
	*used = n < avail ? n + 1 : n;
	return 0;
}

int qc_diag_ext_build_id_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, struct qc_diag_ext_build_id *e)
{
	size_t used;
	int rc;

	memset(e, 0, sizeof(*e));
	if (len < 1 || rsp[0] != QC_DIAG_EXT_BUILD_ID)
		return qc_fail(ctx, QC_E_PROTOCOL, "not an extended build id reply (command 0x%02x)", len ? rsp[0] : 0);
	if (len < EXT_HDR + 1)
		return qc_fail(ctx, QC_E_PROTOCOL, "extended build id reply is %zu bytes; it needs at least %d", len,
			       EXT_HDR + 1);
	e->hw_version_format = rsp[1];
	e->msm_hw_version = qc_get_le32(rsp + 4);
	e->mobile_model_id = qc_get_le32(rsp + 8);
	rc = take_string(ctx, e->build_id, sizeof(e->build_id), rsp + EXT_HDR, len - EXT_HDR, true, "build id",
			 &used);
	if (rc < 0)
		return rc;
	size_t off = EXT_HDR + used;

	if (off < len) {
		rc = take_string(ctx, e->model, sizeof(e->model), rsp + off, len - off, false, "model string", &used);
		if (rc < 0)
			return rc;
	}
	return 0;
}

ssize_t qc_diag_ext_build_id_encode(const struct qc_diag_ext_build_id *e, uint8_t *out, size_t cap)
{
	size_t b = strnlen(e->build_id, sizeof(e->build_id) - 1), m = strnlen(e->model, sizeof(e->model) - 1);
	size_t n = EXT_HDR + b + 1 + m + 1;

	if (cap < n)
		return QC_E_TOOBIG;
	memset(out, 0, EXT_HDR);
	out[0] = QC_DIAG_EXT_BUILD_ID;
	out[1] = e->hw_version_format;
	qc_put_le32(out + 4, e->msm_hw_version);
	qc_put_le32(out + 8, e->mobile_model_id);
	memcpy(out + EXT_HDR, e->build_id, b);
	out[EXT_HDR + b] = 0;
	memcpy(out + EXT_HDR + b + 1, e->model, m);
	out[n - 1] = 0;
	return (ssize_t)n;
}

int qc_diag_esn_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, uint32_t *esn)
{
	if (len < 1 || rsp[0] != QC_DIAG_ESN)
		return qc_fail(ctx, QC_E_PROTOCOL, "not an ESN reply (command 0x%02x)", len ? rsp[0] : 0);
	if (len < 5)
		return qc_fail(ctx, QC_E_PROTOCOL, "ESN reply is %zu bytes; it must be 5", len);
	*esn = qc_get_le32(rsp + 1);
	return 0;
}

/* QCSuper unpacks a u16 here; a one-byte answer (some Android routers)
 * is accepted too rather than failing the whole info. */
int qc_diag_diag_version_parse(qc_ctx *ctx, const uint8_t *rsp, size_t len, uint16_t *version)
{
	if (len < 1 || rsp[0] != QC_DIAG_DIAG_VER)
		return qc_fail(ctx, QC_E_PROTOCOL, "not a DIAG version-number reply (command 0x%02x)", len ? rsp[0] : 0);
	if (len < 2)
		return qc_fail(ctx, QC_E_PROTOCOL, "DIAG version-number reply has no version");
	*version = len >= 3 ? qc_get_le16(rsp + 1) : rsp[1];
	return 0;
}

#define RSP_CAP 1024

int qc_diag_get_version(qc_diag *d, struct qc_diag_version *out)
{
	uint8_t req = QC_DIAG_VERNO, rsp[RSP_CAP];
	size_t n;
	int rc = qc_diag_request(d, &req, 1, rsp, sizeof(rsp), &n);

	return rc < 0 ? rc : qc_diag_version_parse(qc_transport_ctx(qc_diag_transport(d)), rsp, n, out);
}

int qc_diag_get_ext_build_id(qc_diag *d, struct qc_diag_ext_build_id *out)
{
	uint8_t req = QC_DIAG_EXT_BUILD_ID, rsp[RSP_CAP];
	size_t n;
	int rc = qc_diag_request(d, &req, 1, rsp, sizeof(rsp), &n);

	if (rc < 0)
		return rc;
	return qc_diag_ext_build_id_parse(qc_transport_ctx(qc_diag_transport(d)), rsp, n < sizeof(rsp) ? n : sizeof(rsp),
					  out);
}

int qc_diag_get_esn(qc_diag *d, uint32_t *esn)
{
	uint8_t req = QC_DIAG_ESN, rsp[RSP_CAP];
	size_t n;
	int rc = qc_diag_request(d, &req, 1, rsp, sizeof(rsp), &n);

	return rc < 0 ? rc : qc_diag_esn_parse(qc_transport_ctx(qc_diag_transport(d)), rsp, n, esn);
}

int qc_diag_get_diag_version(qc_diag *d, uint16_t *version)
{
	uint8_t req = QC_DIAG_DIAG_VER, rsp[RSP_CAP];
	size_t n;
	int rc = qc_diag_request(d, &req, 1, rsp, sizeof(rsp), &n);

	return rc < 0 ? rc : qc_diag_diag_version_parse(qc_transport_ctx(qc_diag_transport(d)), rsp, n, version);
}

/* An optional part of the info: a refusal (error reply) or an answer we
 * cannot use only means the phone lacks it; a timeout or a lost link ends
 * the whole query.  True when RC must end it. */
static bool fatal(qc_ctx *ctx, int rc, const char *what)
{
	if (rc == QC_E_NAK || rc == QC_E_PROTOCOL) {
		qc_log(ctx, QC_LOG_INFO, "no %s: %s", what, qc_last_error(ctx));
		qc_clear_error(ctx);
		return false;
	}
	return rc < 0;
}

static int read_imei(qc_diag *d, int sim, char out[17], bool *have)
{
	qc_ctx *ctx = qc_transport_ctx(qc_diag_transport(d));
	uint8_t data[QC_NV_DATA_LEN];
	uint16_t status;
	int rc = qc_nv_read(d, sim, QC_NV_ITEM_IMEI, NULL, 0, data, &status, NULL);

	*have = false;
	if (rc < 0)
		return fatal(ctx, rc, "IMEI") ? rc : 0;
	if (status != QC_NV_DONE)
		return 0;
	rc = qc_imei_decode(data, sizeof(data), out);
	if (rc < 0)
		qc_log(ctx, QC_LOG_WARN, "NV item 550 does not hold an IMEI (%02x %02x %02x ...)", data[0], data[1],
		       data[2]);
	*have = rc > 0;
	return 0;
}

int qc_diag_get_info(qc_diag *d, struct qc_diag_info *info)
{
	qc_ctx *ctx = qc_transport_ctx(qc_diag_transport(d));
	uint8_t data[QC_NV_DATA_LEN];
	uint16_t status;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = qc_diag_get_version(d, &info->version);
	if (rc < 0)
		return rc;
	rc = qc_diag_get_ext_build_id(d, &info->ext);
	if (fatal(ctx, rc, "extended build id"))
		return rc;
	info->have_ext = rc == 0;
	rc = qc_diag_get_esn(d, &info->esn);
	if (fatal(ctx, rc, "ESN"))
		return rc;
	info->have_esn = rc == 0 && info->esn != QC_DIAG_NO_ESN;
	rc = qc_diag_get_diag_version(d, &info->diag_version);
	if (fatal(ctx, rc, "DIAG version number"))
		return rc;
	info->have_diag_version = rc == 0;
	rc = read_imei(d, -1, info->imei, &info->have_imei);
	if (rc < 0)
		return rc;
	/* The second subscription's IMEI only exists on multi-SIM phones;
	 * others refuse subsystem 0x30 or report the item inactive. */
	rc = read_imei(d, 1, info->imei2, &info->have_imei2);
	if (rc < 0)
		return rc;
	rc = qc_nv_read(d, -1, QC_NV_ITEM_MEID, NULL, 0, data, &status, NULL);
	if (fatal(ctx, rc, "MEID"))
		return rc;
	if (rc == 0 && status == QC_NV_DONE)
		info->have_meid = qc_meid_decode(data, sizeof(data), info->meid) > 0;
	qc_clear_error(ctx);
	return 0;
}
