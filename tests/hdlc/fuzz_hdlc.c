/* SPDX-License-Identifier: BSD-3-Clause */
/* HDLC decoder: arbitrary bytes in arbitrary splits, both framings; every
 * decoded frame must re-encode to something that decodes to itself. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/hdlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qc_hdlc_decoder d, d2;
	size_t split = size ? data[0] % 61 + 1 : 1;

	if (qc_hdlc_decoder_init(&d, 2048) < 0 || qc_hdlc_decoder_init(&d2, 2048) < 0)
		abort();
	for (int framing = 0; framing < 2; framing++) {
		qc_hdlc_decoder_set_framing(&d, (enum qc_framing)framing);
		for (size_t off = 0; off < size;) {
			size_t len = size - off < split ? size - off : split, pos = 0;

			while (pos < len) {
				const uint8_t *f;
				size_t used, n;
				int rc = qc_hdlc_decode(&d, data + off + pos, len - pos, &used, &f, &n);

				if (used == 0 && rc == 0)
					abort(); /* no progress */
				pos += used;
				if (rc == 1 && framing == QC_FRAMING_HDLC) {
					uint8_t out[2 * 2048 + 8];
					ssize_t w = qc_hdlc_encode(f, n, out, sizeof(out), false);
					const uint8_t *g;
					size_t u2, n2;

					if (w < 0)
						abort();
					qc_hdlc_decoder_reset(&d2);
					if (n >= 1 && (qc_hdlc_decode(&d2, out, (size_t)w, &u2, &g, &n2) != 1 || n2 != n ||
						       memcmp(f, g, n)))
						abort();
				}
			}
			off += len;
		}
	}
	qc_hdlc_decoder_free(&d);
	qc_hdlc_decoder_free(&d2);
	return 0;
}
