/* SPDX-License-Identifier: BSD-3-Clause */
/* Intel HEX reader: any text; what it delivers must add up to what it
 * reports, and never overlap. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/ihex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	uint64_t bytes;
	uint64_t low, end;
};

static int count(void *user, uint32_t addr, const uint8_t *d, size_t len)
{
	struct tally *t = user;

	(void)d;
	if (len == 0 || len > 255 || (uint64_t)addr + len > 0x100000000ull)
		abort();
	t->bytes += len;
	if (addr < t->low)
		t->low = addr;
	if (addr + (uint64_t)len > t->end)
		t->end = addr + (uint64_t)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	struct tally t = {0, UINT64_MAX, 0};
	struct qc_ihex_info info;

	if (!ctx)
		abort();
	if (qc_ihex_parse_buffer(ctx, "fuzz.hex", data, size, count, &t, &info) == 0) {
		if (t.bytes != info.bytes)
			abort();
		if (info.bytes && (t.low != info.low || t.end != info.end))
			abort();
	} else if (!qc_last_error(ctx)[0]) {
		abort(); /* every failure says why */
	}
	(void)qc_ihex_sniff(data, size);
	qc_ctx_free(ctx);
	return 0;
}
