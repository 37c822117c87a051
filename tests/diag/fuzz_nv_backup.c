/* SPDX-License-Identifier: BSD-3-Clause */
/* The NV backup reader (also the simulator's --nv file) on arbitrary text:
 * whatever it accepts must be something a restore can write as is. */
#include <stdlib.h>

#include "qcbox/nv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_nv_entry *e;
	size_t n;

	if (!ctx)
		abort();
	if (qc_nv_backup_parse(ctx, "fuzz.json", (const char *)data, size, &e, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (e[i].len > QC_NV_DATA_LEN || (e[i].status == QC_NV_DONE && e[i].len == 0))
				abort();
			if (e[i].index > 255 || e[i].sim > 0xffff || e[i].index < -1 || e[i].sim < -1)
				abort();
		}
		free(e);
	} else if (!qc_last_error(ctx)[0]) {
		abort(); /* every refusal names its reason */
	}
	qc_ctx_free(ctx);
	return 0;
}
