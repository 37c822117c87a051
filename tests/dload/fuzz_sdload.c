/* SPDX-License-Identifier: BSD-3-Clause */
/* Streaming DLOAD parsers, host side (replies, the HELLO reply above all)
 * and programmer side (requests): the input as one packet and as an HDLC
 * stream of packets. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/hdlc.h"
#include "qcbox/sdload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void packet(qc_ctx *ctx, const uint8_t *p, size_t n)
{
	struct qc_sdload_reply r;
	struct qc_sdload_request q;
	uint32_t err;
	char nb[64];

	if (qc_sdload_parse_reply(ctx, p, n, &r) == 0) {
		if (r.data && (r.data < p || r.data + r.data_len > p + n))
			abort();
		if (r.cmd == QC_SDLOAD_HELLO_RESP) {
			const struct qc_sdload_hello *h = &r.hello;

			if (strlen(h->flash_id) > QC_SDLOAD_FLASH_ID_MAX || strlen(h->magic) > QC_SDLOAD_MAGIC_LEN)
				abort();
			/* 44 fixed bytes, the id, window and count, the sizes */
			if (44 + (size_t)p[43] + 4 + 4 * (size_t)h->num_sectors > n)
				abort();
			if (h->num_sectors <= QC_SDLOAD_SECTORS_KEPT && !memchr(p + 44, 0, p[43])) {
				uint8_t e[600];
				ssize_t m = qc_sdload_encode_hello_resp(e, sizeof(e), h);

				/* printable ids re-encode to the same fields */
				if (m > 0 && (size_t)m <= n && memcmp(e, p, 43))
					abort();
			}
		}
		(void)qc_sdload_error_name(r.error_code, nb, sizeof(nb));
		(void)qc_sdload_open_multi_status_name(r.status);
		(void)qc_sdload_ptable_status_name(r.status);
	}
	if (qc_sdload_parse_request(ctx, p, n, &q, &err) == 0) {
		if (q.data && (q.data < p || q.data + q.data_len > p + n))
			abort();
		(void)qc_sdload_image_type_name(q.arg);
		(void)qc_sdload_image_type_lun(q.arg);
	} else if (err == 0) {
		abort();
	}
	(void)qc_sdload_cmd_name(n ? p[0] : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_hdlc_decoder d;

	if (!ctx || qc_hdlc_decoder_init(&d, 70000) < 0)
		abort();
	packet(ctx, data, size);
	for (size_t off = 0; off < size;) {
		const uint8_t *f;
		size_t used, n;
		int rc = qc_hdlc_decode(&d, data + off, size - off, &used, &f, &n);

		if (rc == 1)
			packet(ctx, f, n);
		if (used == 0)
			break;
		off += used;
	}
	qc_hdlc_decoder_free(&d);
	qc_ctx_free(ctx);
	return 0;
}
