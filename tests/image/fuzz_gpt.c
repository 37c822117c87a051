/* SPDX-License-Identifier: BSD-3-Clause */
/* GPT parser: the input is read as a disk image start (primary area) and as
 * a disk end (backup area), with 512- and 4096-byte sectors, from buffers
 * and through the read callback with a size taken from the input. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/gpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct disk {
	const uint8_t *p;
	uint64_t sectors;
	unsigned ss;
};

static int rd(void *user, uint64_t lba, uint32_t n, uint8_t *buf)
{
	const struct disk *d = user;

	if (lba >= d->sectors || n > d->sectors - lba)
		return QC_E_RANGE;
	memcpy(buf, d->p + lba * d->ss, (size_t)n * d->ss);
	return 0;
}

static void check(const struct qc_gpt *g)
{
	if (g->count && !g->has_gpt)
		abort();
	if (g->count && !g->primary_valid && !g->backup_valid)
		abort();
	for (size_t i = 0; i < g->count; i++) {
		const struct qc_gpt_partition *p = &g->parts[i];

		if (strnlen(p->name, sizeof(p->name)) == sizeof(p->name) || strlen(p->type_guid) != 36 ||
		    strlen(p->unique_guid) != 36)
			abort();
		if (p->sectors && p->last_lba - p->first_lba + 1 != p->sectors)
			abort();
		if (i && p->index <= g->parts[i - 1].index)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[] = {512, 4096};
	qc_ctx *ctx = qc_ctx_new();
	struct qc_gpt g;

	if (!ctx)
		abort();
	for (size_t k = 0; k < 2; k++) {
		unsigned ss = sizes[k];
		size_t whole = size / ss * ss;

		if (qc_gpt_parse(ctx, data, whole, NULL, 0, ss, 0, &g) == 0) {
			check(&g);
			qc_gpt_free(&g);
		}
		if (whole && qc_gpt_parse(ctx, NULL, 0, data, whole, ss, 0, &g) == 0) {
			check(&g);
			qc_gpt_free(&g);
		}
		if (whole && qc_gpt_parse(ctx, data, whole, data, whole, ss, 0, &g) == 0) {
			check(&g);
			qc_gpt_free(&g);
		}
		struct disk d = {data, size / ss, ss};

		if (d.sectors >= 3 && qc_gpt_read(ctx, ss, d.sectors, rd, &d, &g) == 0) {
			check(&g);
			if (g.disk_sectors != d.sectors)
				abort();
			qc_gpt_free(&g);
		}
	}
	qc_ctx_free(ctx);
	return 0;
}
