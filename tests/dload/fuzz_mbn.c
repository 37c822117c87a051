/* SPDX-License-Identifier: BSD-3-Clause */
/* Legacy MBN header reader: any file start and any claimed file size. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/dload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_dload_mbn_header h;
	uint64_t sizes[] = {size, size / 2, (uint64_t)size + 1000000};

	if (!ctx)
		abort();
	for (size_t i = 0; i < 3; i++) {
		int rc = qc_dload_mbn_header_parse(ctx, "fuzz.mbn", data, size < 80 ? size : 80, sizes[i], &h);

		if (rc == 0) {
			/* an accepted header describes an image inside the file */
			if (h.header_size != 40 && h.header_size != 80)
				abort();
			if ((uint64_t)h.header_size + h.image_size > sizes[i] || h.image_size == 0)
				abort();
			if ((uint64_t)h.image_dest + h.image_size > 0x100000000ull)
				abort();
			(void)qc_dload_mbn_image_name(h.image_id);
		}
		qc_clear_error(ctx);
	}
	qc_ctx_free(ctx);
	return 0;
}
