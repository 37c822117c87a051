/* SPDX-License-Identifier: BSD-3-Clause */
/* rawprogram/patch loader: any bytes as an XML file, then the plan and the
 * NUM_DISK_SECTORS resolution of every LUN it mentions.  Relative image
 * paths point into a directory that does not exist. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/flatbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_flatbuild *fb;
	enum qc_fb_file_kind kind;

	if (!ctx || qc_flatbuild_new(ctx, &fb) < 0)
		abort();
	if (qc_flatbuild_add_memory(fb, (const char *)data, size, "fuzz.xml", "/nonexistent-qcbox-fuzz", &kind) == 0) {
		const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

		if (kind != QC_FB_RAWPROGRAM && kind != QC_FB_PATCH)
			abort();
		qc_flatbuild_finish(fb);
		in = qc_flatbuild_get(fb);
		for (size_t i = 0; i < in->nprograms; i++) {
			const struct qc_fb_program *p = &in->programs[i];

			if (p->lun > QC_FB_MAX_LUN || !p->start_expr || !p->label || !p->filename)
				abort();
			if (p->path && !strncmp(p->path, "/nonexistent-qcbox-fuzz/", 24) && !p->missing)
				abort(); /* nothing exists under the base directory */
			qc_flatbuild_resolve(fb, p->lun, 1000);
			qc_flatbuild_resolve(fb, p->lun, (uint64_t)1 << 40);
		}
		for (size_t i = 0; i < in->npatches; i++)
			if (in->patches[i].size_in_bytes < 1 || in->patches[i].size_in_bytes > 8)
				abort();
	}
	qc_flatbuild_free(fb);
	qc_ctx_free(ctx);
	return 0;
}
