/* SPDX-License-Identifier: BSD-3-Clause */
/* The partition tables on the device: LUNs counted, GPTs read through
 * <read> and handed to the GPT parser. */
#include <stdlib.h>
#include <string.h>

#include "fh_impl.h"
#include "qcbox/gpt.h"

struct gpt_reader {
	qc_fh *fh;
	unsigned lun;
	uint64_t disk;
};

struct membuf {
	uint8_t *p;
	size_t len;
};

static int to_mem(void *user, uint64_t off, const void *buf, size_t len)
{
	struct membuf *m = user;

	if (off > m->len || len > m->len - off)
		return QC_E_RANGE;
	memcpy(m->p + off, buf, len);
	return 0;
}

static int gpt_read_cb(void *user, uint64_t lba, uint32_t sectors, uint8_t *buf)
{
	struct gpt_reader *r = user;
	struct membuf m = {buf, (size_t)sectors * r->fh->info.sector_size};

	/* Outside the disk is "no copy here", not a failed read. */
	if (r->disk && (lba >= r->disk || sectors > r->disk - lba))
		return QC_E_RANGE;
	return qc_fh_read(r->fh, r->lun, lba, sectors, to_mem, &m, NULL);
}

int qc_fh_read_gpt(qc_fh *fh, unsigned lun, struct qc_gpt *out)
{
	struct gpt_reader r = {.fh = fh, .lun = lun};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = qc_fh_lun_sectors(fh, lun, &r.disk);
	/* Without getstorageinfo the backup is where the primary points. */
	if (rc == QC_E_UNSUPPORTED || rc == QC_E_NAK)
		r.disk = 0;
	else if (rc < 0)
		return rc;
	if ((rc = fh_storage_ready(fh)) < 0)
		return rc;
	return qc_gpt_read(fh->ctx, fh->info.sector_size, r.disk, gpt_read_cb, &r, out);
}

int qc_fh_lun_count(qc_fh *fh, unsigned *out)
{
	struct qc_fh_storage_info *si = malloc(sizeof(*si));
	unsigned n = 0;
	int rc;

	if (!si)
		return qc_fail(fh->ctx, QC_E_NOMEM, "out of memory");
	rc = qc_fh_storage_info(fh, 0, si);
	if (rc == 0 && si->num_physical) {
		n = si->num_physical > FH_MAX_LUNS ? FH_MAX_LUNS : si->num_physical;
	} else if (!strcmp(fh->opt.memory, "ufs")) {
		/* Not told: UFS LUNs answer getstorageinfo, absent ones NAK. */
		for (n = rc == 0 ? 1 : 0; n < 8; n++)
			if (qc_fh_storage_info(fh, n, si) < 0)
				break;
	} else {
		n = 1;
	}
	free(si);
	if (!n)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer answered getstorageinfo for no LUN");
	*out = n;
	return 0;
}
