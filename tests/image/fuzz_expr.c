/* SPDX-License-Identifier: BSD-3-Clause */
/* Expression evaluator: syntax check and evaluation must agree on what is
 * malformed, and evaluation never wraps around. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/flatbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int crc(void *user, uint64_t start, uint64_t len, uint32_t *out)
{
	(void)user;
	if (start > 1000 || len > (1u << 20))
		return QC_E_RANGE;
	*out = (uint32_t)(start * 2654435761u + len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	char *s = malloc(size + 1);
	struct qc_expr_env env = {.num_disk_sectors = 1000, .crc32 = crc, .what = "fuzz"};
	unsigned needs = 0;
	uint64_t v;

	if (!ctx || !s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	int c = qc_expr_check(ctx, s, "fuzz", &needs);
	int e = qc_expr_eval(ctx, s, &env, &v);

	/* evaluation may stop earlier on arithmetic, but finds no syntax
	 * error that the check missed */
	if (e == QC_E_FORMAT && c != QC_E_FORMAT)
		abort();
	if (c == 0 && e == QC_E_FORMAT)
		abort();
	if (c == 0 && !needs) {
		/* a constant needs nothing from the environment */
		uint64_t w;

		if (qc_expr_eval(ctx, s, NULL, &w) != e || (e == 0 && w != v))
			abort();
	}
	free(s);
	qc_ctx_free(ctx);
	return 0;
}
