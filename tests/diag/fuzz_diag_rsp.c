/* SPDX-License-Identifier: BSD-3-Clause */
/* Every DIAG reply parser on arbitrary bytes: none may read out of bounds,
 * and what they accept must survive a round trip through the encoders. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/diag.h"
#include "qcbox/nv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_diag_version v;
	struct qc_diag_ext_build_id e;
	struct qc_nv_packet p;
	uint8_t out[1024];
	uint32_t esn;
	uint16_t ver;
	char text[32];

	if (!ctx)
		abort();
	if (qc_diag_version_parse(ctx, data, size, &v) == 0) {
		struct qc_diag_version w;

		/* blanks and control bytes are normalised, so compare parses */
		if (qc_diag_version_encode(&v, out, sizeof(out)) != QC_DIAG_VERNO_LEN ||
		    qc_diag_version_parse(ctx, out, QC_DIAG_VERNO_LEN, &w) != 0 || memcmp(&v, &w, sizeof(v)))
			abort();
	}
	if (qc_diag_ext_build_id_parse(ctx, data, size, &e) == 0) {
		struct qc_diag_ext_build_id f;
		ssize_t n = qc_diag_ext_build_id_encode(&e, out, sizeof(out));

		if (n < 0 || qc_diag_ext_build_id_parse(ctx, out, (size_t)n, &f) != 0 ||
		    strcmp(e.build_id, f.build_id) || strcmp(e.model, f.model))
			abort();
	}
	qc_diag_esn_parse(ctx, data, size, &esn);
	qc_diag_diag_version_parse(ctx, data, size, &ver);
	for (int strict = 0; strict < 2; strict++) {
		if (qc_nv_decode(ctx, data, size, strict, &p) == 0) {
			struct qc_nv_packet q;
			ssize_t n = qc_nv_encode(&p, out, sizeof(out));

			if (n < 0 || qc_nv_decode(ctx, out, (size_t)n, true, &q) != 0 || memcmp(&p, &q, sizeof(p)))
				abort();
		}
	}
	/* NV item payloads: IMEI and MEID decoders on the raw bytes */
	if (qc_imei_decode(data, size, text) > 0) {
		uint8_t enc[QC_IMEI_NV_LEN];

		if (qc_imei_encode(text, enc) != 0 || memcmp(enc, data, QC_IMEI_NV_LEN))
			abort();
	}
	if (qc_meid_decode(data, size, text) > 0 && strlen(text) != 14)
		abort();
	qc_ctx_free(ctx);
	return 0;
}
