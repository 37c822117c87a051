/* SPDX-License-Identifier: BSD-3-Clause */
/* DMSS DLOAD parsers, host side (replies) and device side (requests): the
 * input as one packet and as an HDLC stream of packets. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/dload.h"
#include "qcbox/hdlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void packet(qc_ctx *ctx, const uint8_t *p, size_t n)
{
	struct qc_dload_reply r;
	struct qc_dload_request q;
	uint16_t nak;
	char nb[48];

	if (qc_dload_parse_reply(ctx, p, n, &r) == 0) {
		if (r.cmd == QC_DLOAD_PARAM_RESP) {
			uint8_t e[8];

			/* the shared encoder gives back the same bytes */
			if (qc_dload_encode_params(e, sizeof(e), &r.params) != 8 || memcmp(e, p, 8))
				abort();
		}
		if (r.cmd == QC_DLOAD_MEM_READ_RESP && (r.data + r.len != p + n))
			abort();
		if (strlen(r.version) > QC_DLOAD_VERSION_MAX)
			abort();
		(void)qc_dload_nak_name(r.nak_reason, nb, sizeof(nb));
	}
	if (qc_dload_parse_request(ctx, p, n, &q, &nak) == 0) {
		if ((q.cmd == QC_DLOAD_WRITE || q.cmd == QC_DLOAD_WRITE_32BIT) && q.data + q.len != p + n)
			abort();
	} else if (nak == 0) {
		abort();
	}
	(void)qc_dload_cmd_name(n ? p[0] : 0);
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
