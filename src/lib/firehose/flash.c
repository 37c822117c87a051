/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flashing a QFIL flat build: every <program> of the rawprogram files in
 * order, then the filename="DISK" patches in order, then the bootable LUN,
 * as QFIL and qdl do.  Everything that can be checked before the first
 * write is checked first (LUNs exist, NUM_DISK_SECTORS resolves, images fit
 * their partitions and the disk, sector sizes agree), so a bad build never
 * leaves a half-flashed device behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh_impl.h"
#include "qcbox/flatbuild.h"
#include "qcbox/sparse.h"

/* Adjacent RAW/FILL chunks of a sparse image go out as one <program> (one
 * round trip and one digest instead of many), up to these bounds. */
#define RUN_MAX_SEGMENTS 64
#define RUN_MAX_BYTES	 (256ull << 20)

struct run {
	qc_fb_segments *it;
	struct qc_fb_segment seg[RUN_MAX_SEGMENTS];
	uint64_t off[RUN_MAX_SEGMENTS]; /* where each segment starts in the run */
	unsigned n;
	uint64_t bytes;
};

static int run_read(void *user, uint64_t offset, void *buf, size_t len)
{
	struct run *r = user;
	uint8_t *p = buf;
	unsigned i = 0;

	while (len) {
		while (i + 1 < r->n && r->off[i + 1] <= offset)
			i++;
		uint64_t in = offset - r->off[i];
		size_t n = r->seg[i].bytes - in < len ? (size_t)(r->seg[i].bytes - in) : len;
		int rc = qc_fb_segment_read(r->it, &r->seg[i], in, p, n);

		if (rc < 0)
			return rc;
		p += n;
		len -= n;
		offset += n;
	}
	return 0;
}

static void name_program(const struct qc_fb_program *p, char *buf, size_t cap)
{
	if (p->xml && p->xml[0])
		snprintf(buf, cap, "%s line %u '%s'", p->xml, p->line, p->label[0] ? p->label : p->filename);
	else
		snprintf(buf, cap, "'%s'", p->label[0] ? p->label : p->filename);
}

/* Bytes the image sends, walking its segments once: this also checks a
 * sparse image's CRC32 chunks before anything is written. */
static int image_bytes(qc_fh *fh, const struct qc_fb_program *p, uint64_t start, uint64_t *total)
{
	struct qc_fb_segment seg;
	qc_fb_segments *it;
	int rc = qc_fb_segments_open(fh->ctx, p, start, &it);

	*total = 0;
	if (rc < 0)
		return rc;
	while ((rc = qc_fb_segments_next(it, &seg)) > 0)
		*total += seg.bytes;
	qc_fb_segments_close(it);
	return rc;
}

int qc_fh_write_image(qc_fh *fh, const struct qc_fb_program *p, uint64_t start, bool verify,
		      struct qc_fh_image_result *res)
{
	struct qc_fh_image_result dummy;
	struct run *r;
	struct qc_fb_segment next;
	bool have_next;
	char name[512];
	const char *label = p->label && p->label[0] ? p->label : p->filename;
	uint64_t total, done = 0;
	int rc;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	if ((rc = fh_storage_ready(fh)) < 0)
		return rc;
	name_program(p, name, sizeof(name));
	if (p->sector_size && p->sector_size != fh->info.sector_size)
		return qc_fail(fh->ctx, QC_E_FORMAT, "%s is laid out for %u-byte sectors, the device has %u", name,
			       p->sector_size, fh->info.sector_size);
	if ((rc = image_bytes(fh, p, start, &total)) < 0)
		return rc;
	res->total_bytes = total;
	r = calloc(1, sizeof(*r));
	if (!r)
		return qc_fail(fh->ctx, QC_E_NOMEM, "out of memory");
	rc = qc_fb_segments_open(fh->ctx, p, start, &r->it);
	if (rc < 0) {
		free(r);
		return rc;
	}
	rc = qc_fb_segments_next(r->it, &next);
	have_next = rc > 0;
	qc_progress(fh->ctx, label, 0, total);
	while (rc >= 0 && have_next) {
		struct qc_fh_progress pr;

		/* gather a run of adjacent segments */
		r->n = 0;
		r->bytes = 0;
		do {
			r->off[r->n] = r->bytes;
			r->seg[r->n++] = next;
			r->bytes += next.bytes;
			rc = qc_fb_segments_next(r->it, &next);
			have_next = rc > 0;
		} while (have_next && r->n < RUN_MAX_SEGMENTS && r->bytes + next.bytes <= RUN_MAX_BYTES &&
			 next.start_sector == r->seg[0].start_sector + r->bytes / fh->info.sector_size);
		if (rc < 0)
			break;
		struct qc_fh_program cmd = {
		    .lun = p->lun,
		    .start_sector = r->seg[0].start_sector,
		    .bytes = r->bytes,
		    .read = run_read,
		    .user = r,
		    .label = label,
		    .verify = verify,
		    .progress_base = done,
		    .progress_total = total,
		};

		rc = qc_fh_program(fh, &cmd, &pr);
		res->bytes_sent += pr.bytes_sent;
		if (rc < 0)
			break;
		res->programs++;
		res->verified = pr.verified;
		done += r->bytes;
	}
	qc_fb_segments_close(r->it);
	free(r);
	res->bytes_done = done;
	return rc < 0 ? rc : 0;
}

/* ---- the whole build ---- */

static bool lun_used(const struct qc_flatbuild_info *in, unsigned lun)
{
	for (size_t i = 0; i < in->nprograms; i++)
		if (in->programs[i].lun == lun && qc_fb_program_writes(&in->programs[i]))
			return true;
	for (size_t i = 0; i < in->npatches; i++)
		if (in->patches[i].lun == lun && in->patches[i].disk)
			return true;
	for (size_t i = 0; i < in->nerases; i++)
		if (in->erases[i].lun == lun)
			return true;
	return false;
}

static bool lun_needs_size(const struct qc_flatbuild_info *in, unsigned lun)
{
	for (size_t i = 0; i < in->nprograms; i++)
		if (in->programs[i].lun == lun && qc_fb_program_writes(&in->programs[i]) &&
		    (in->programs[i].start_needs || !in->programs[i].start_known))
			return true;
	for (size_t i = 0; i < in->nerases; i++)
		if (in->erases[i].lun == lun && in->erases[i].start_expr)
			return true;
	return false;
}

/* Everything that can fail without writing, before the first write. */
static int preflight(qc_fh *fh, qc_flatbuild *fb)
{
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);
	unsigned max_lun = 0;
	int rc;

	for (size_t i = 0; i < in->nprograms; i++)
		if (in->programs[i].lun > max_lun)
			max_lun = in->programs[i].lun;
	for (size_t i = 0; i < in->npatches; i++)
		if (in->patches[i].lun > max_lun)
			max_lun = in->patches[i].lun;
	for (size_t i = 0; i < in->nerases; i++)
		if (in->erases[i].lun > max_lun)
			max_lun = in->erases[i].lun;
	if ((rc = fh_storage_ready(fh)) < 0)
		return rc;
	for (unsigned lun = 0; lun <= max_lun; lun++) {
		uint64_t n;

		in = qc_flatbuild_get(fb);
		if (!lun_used(in, lun))
			continue;
		rc = qc_fh_lun_sectors(fh, lun, &n);
		if (rc < 0) {
			/* Without a size, numeric layouts can still go out. */
			if ((rc == QC_E_NAK || rc == QC_E_UNSUPPORTED) && !lun_needs_size(in, lun))
				continue;
			return fh_fail_during(fh, rc, "(the build writes to LUN %u; nothing was written)", lun);
		}
		if (lun < FH_MAX_LUNS)
			fh->lun_sectors[lun] = n;
		rc = qc_flatbuild_resolve(fb, lun, n);
		if (rc < 0)
			return fh_fail_during(fh, rc, "(nothing was written)");
	}
	in = qc_flatbuild_get(fb);
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];
		char name[512];

		if (!qc_fb_program_writes(p))
			continue;
		name_program(p, name, sizeof(name));
		if (p->sector_size != fh->info.sector_size)
			return qc_fail(fh->ctx, QC_E_FORMAT,
				       "%s is laid out for %u-byte sectors, the device has %u; nothing was written",
				       name, p->sector_size, fh->info.sector_size);
		if (p->too_big)
			return qc_fail(fh->ctx, QC_E_TOOBIG,
				       "%s: %s (%llu sectors) is bigger than its partition (%llu sectors); nothing was "
				       "written",
				       name, p->path, (unsigned long long)p->data_sectors,
				       (unsigned long long)p->partition_sectors);
		if (!p->start_known)
			return qc_fail(fh->ctx, QC_E_FORMAT, "%s: start_sector '%s' could not be resolved", name,
				       p->start_expr);
	}
	for (size_t i = 0; i < in->npatches; i++)
		if (in->patches[i].disk && in->patches[i].sector_size != fh->info.sector_size)
			return qc_fail(
			    fh->ctx, QC_E_FORMAT,
			    "%s line %u: a patch for %u-byte sectors, the device has %u; nothing was written",
			    in->patches[i].xml, in->patches[i].line, in->patches[i].sector_size, fh->info.sector_size);
	return 0;
}

static int do_erases(qc_fh *fh, const struct qc_flatbuild_info *in)
{
	for (size_t i = 0; i < in->nerases; i++) {
		const struct qc_fb_erase *e = &in->erases[i];
		uint64_t start = 0;
		int rc;

		if (e->start_expr) {
			struct qc_expr_env env = {
			    .num_disk_sectors = e->lun < FH_MAX_LUNS ? fh->lun_sectors[e->lun] : 0, .what = e->xml};

			if ((rc = qc_expr_eval(fh->ctx, e->start_expr, &env, &start)) < 0)
				return rc;
		}
		rc = qc_fh_erase(fh, e->lun, start, e->start_expr ? e->sectors : 0, e->label);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int qc_fh_flash(qc_fh *fh, qc_flatbuild *fb, const struct qc_fh_flash_options *o, struct qc_fh_flash_result *res)
{
	const struct qc_flatbuild_info *in;
	int rc;

	memset(res, 0, sizeof(*res));
	res->bootable_lun = -1;
	rc = preflight(fh, fb);
	if (rc < 0)
		return rc;
	in = qc_flatbuild_get(fb);
	for (size_t i = 0; i < in->nprograms; i++)
		res->images += qc_fb_program_writes(&in->programs[i]);
	for (size_t i = 0; i < in->npatches; i++)
		res->patches += in->patches[i].disk;
	if ((rc = do_erases(fh, in)) < 0)
		return rc;
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];
		struct qc_fh_image_result ir;
		char name[512];

		if (!qc_fb_program_writes(p))
			continue;
		rc = qc_fh_write_image(fh, p, p->start_sector, o->verify, &ir);
		res->bytes_done += ir.bytes_done;
		if (rc < 0) {
			res->failed = p;
			name_program(p, name, sizeof(name));
			return fh_fail_during(fh, rc,
					      "; flashing stopped at %s; %zu of %zu images were written before it",
					      name, res->images_done, res->images);
		}
		res->images_done++;
		if (o->image_done)
			o->image_done(o->user, p, &ir);
	}
	for (size_t i = 0; i < in->npatches; i++) {
		const struct qc_fb_patch *pt = &in->patches[i];

		if (!pt->disk)
			continue;
		struct qc_fh_patch cmd = {
		    .lun = pt->lun,
		    .start_sector = pt->start_expr,
		    .byte_offset = pt->byte_offset,
		    .size_in_bytes = pt->size_in_bytes,
		    .value = pt->value,
		    .what = pt->what,
		};

		rc = qc_fh_patch(fh, &cmd);
		if (rc < 0) {
			res->failed_patch = pt;
			return fh_fail_during(
			    fh, rc,
			    "; stopped at the patch of %s line %u; all %zu images and %zu of %zu patches were applied "
			    "before it",
			    pt->xml, pt->line, res->images_done, res->patches_done, res->patches);
		}
		res->patches_done++;
	}
	if (in->bootable_lun >= 0) {
		rc = qc_fh_set_bootable(fh, (unsigned)in->bootable_lun);
		if (rc < 0)
			return fh_fail_during(fh, rc, "(every image and patch was written)");
		res->bootable_lun = in->bootable_lun;
	}
	return 0;
}
