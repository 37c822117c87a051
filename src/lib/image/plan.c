/* SPDX-License-Identifier: BSD-3-Clause */
/* From a parsed flat build to what a flasher does: which files exist, what
 * each program writes, the bootable LUN, disk-size resolution, and the
 * split of one program into <program> commands. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qcbox/gpt.h"

#include "flatbuild_impl.h"

static int add_missing(qc_flatbuild *fb, const char *name)
{
	for (size_t i = 0; i < fb->nmissing; i++)
		if (!strcmp(fb->missing[i], name))
			return 0;
	char **m = realloc(fb->missing, (fb->nmissing + 1) * sizeof(*m));

	if (!m)
		return qc_fail(fb->ctx, QC_E_NOMEM, "out of memory");
	fb->missing = m;
	m[fb->nmissing] = strdup(name);
	if (!m[fb->nmissing])
		return qc_fail(fb->ctx, QC_E_NOMEM, "out of memory");
	fb->nmissing++;
	return 0;
}

static void program_name(const struct qc_fb_program *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s line %u (LUN %u, '%s')", p->xml, p->line, p->lun, p->label);
}

/* Measures a sparse image and checks that its chunks fall on sectors. */
static int measure_sparse(qc_flatbuild *fb, struct qc_fb_program *p)
{
	struct qc_sparse_range r;
	qc_sparse *s;
	int rc = qc_sparse_open(fb->ctx, p->path, &s);

	if (rc < 0)
		return rc;
	const struct qc_sparse_header *h = qc_sparse_get_header(s);
	const struct qc_sparse_stats *st = qc_sparse_get_stats(s);

	p->data_bytes = st->expanded_bytes;
	p->sparse_chunks = st->raw_chunks + st->fill_chunks;
	if (h->block_size % p->sector_size) {
		/* only possible to flash when every written chunk starts and
		 * ends on a sector; walking headers is cheap */
		while ((rc = qc_sparse_next(s, &r)) > 0) {
			if (r.type != QC_SPARSE_RAW && r.type != QC_SPARSE_FILL)
				continue;
			if (r.out_offset % p->sector_size || r.bytes % p->sector_size) {
				rc = qc_fail(fb->ctx, QC_E_FORMAT,
					     "%s: chunk %u (bytes %llu..%llu) does not fall on %u-byte sectors",
					     p->path, r.chunk, (unsigned long long)r.out_offset,
					     (unsigned long long)(r.out_offset + r.bytes), p->sector_size);
				break;
			}
		}
	}
	qc_sparse_close(s);
	return rc < 0 ? rc : 0;
}

static int measure(qc_flatbuild *fb, struct qc_fb_program *p)
{
	uint8_t magic[4];
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	p->missing = false;
	p->sparse = p->sparse_mismatch = p->too_big = false;
	p->file_bytes = p->data_bytes = p->data_sectors = p->sparse_chunks = 0;
	if (!p->path)
		return 0;
	fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		p->missing = true;
		return add_missing(fb, p->filename);
	}
	if (fd < 0)
		return qc_fail(fb->ctx, QC_E_IO, "cannot open %s: %s", p->path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qc_fail(fb->ctx, QC_E_FORMAT, "%s (for '%s' in %s) is not a regular file", p->path, p->label,
			       p->xml);
	}
	p->file_bytes = (uint64_t)st.st_size;
	n = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	bool is_sparse = n == 4 && qc_sparse_probe(magic, 4);

	/* like qdl, a sparse="true" on a plain file is a harmless mistake:
	 * write it raw.  A sparse file without the attribute is written
	 * as it is, as QFIL would; both are flagged. */
	p->sparse = p->sparse_attr && is_sparse;
	p->sparse_mismatch = p->sparse_attr != is_sparse;
	if (p->sparse) {
		rc = measure_sparse(fb, p);
		if (rc < 0)
			return rc;
	} else {
		uint64_t off = p->file_sector_offset * p->sector_size;

		if (off > p->file_bytes)
			return qc_fail(fb->ctx, QC_E_FORMAT,
				       "%s line %u: file_sector_offset %llu is past the end of %s (%llu bytes)", p->xml,
				       p->line, (unsigned long long)p->file_sector_offset, p->path,
				       (unsigned long long)p->file_bytes);
		p->data_bytes = p->file_bytes - off;
		/* a slice of a larger image takes only its partition's share */
		bool slice = p->part_of_single_image || p->file_sector_offset;
		uint64_t cap = p->partition_sectors * p->sector_size;

		if (slice && p->partition_sectors && p->data_bytes > cap)
			p->data_bytes = cap;
	}
	p->data_sectors = (p->data_bytes + p->sector_size - 1) / p->sector_size;
	p->too_big = p->partition_sectors && p->data_sectors > p->partition_sectors;
	return 0;
}

/* QFIL and qdl boot from the LUN that holds the first-stage loader. */
static void pick_bootable(qc_flatbuild *fb)
{
	static const char *const labels[] = {"xbl", "xbl_a", "sbl1"};
	struct qc_flatbuild_info *i = &fb->info;

	i->bootable_lun = -1;
	i->bootable_label = NULL;
	i->bootable_ambiguous = false;
	for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
		for (size_t j = 0; j < fb->nprograms; j++) {
			const struct qc_fb_program *p = &fb->programs[j];

			if (strcmp(p->label, labels[k]))
				continue;
			if (i->bootable_lun < 0) {
				i->bootable_lun = (int)p->lun;
				i->bootable_label = labels[k];
			} else if ((unsigned)i->bootable_lun != p->lun) {
				i->bootable_ambiguous = true;
			}
		}
}

int qc_flatbuild_finish(qc_flatbuild *fb)
{
	int rc, first_err = 0;
	size_t big = 0;
	char name[300];

	for (size_t i = 0; i < fb->nmissing; i++)
		free(fb->missing[i]);
	fb->nmissing = 0;
	fb->info.sector_size = fb->nprograms ? fb->programs[0].sector_size : 0;
	for (size_t i = 0; i < fb->nprograms; i++) {
		struct qc_fb_program *p = &fb->programs[i];

		rc = measure(fb, p);
		if (rc < 0)
			return rc;
		if (p->sector_size != fb->info.sector_size)
			fb->info.sector_size = 0;
		if (p->too_big && !big++) {
			program_name(p, name, sizeof(name));
			first_err =
			    qc_fail(fb->ctx, QC_E_TOOBIG,
				    "%s: %s is %llu sectors, bigger than its partition of %llu sectors", name, p->path,
				    (unsigned long long)p->data_sectors, (unsigned long long)p->partition_sectors);
		}
	}
	pick_bootable(fb);
	qc_flatbuild_get(fb);
	if (big > 1)
		qc_log(fb->ctx, QC_LOG_WARN, "%zu images are bigger than their partitions", big);
	return first_err;
}

int qc_flatbuild_resolve(qc_flatbuild *fb, unsigned lun, uint64_t disk_sectors)
{
	struct qc_expr_env env = {.num_disk_sectors = disk_sectors};
	char name[300], what[400];
	int rc;

	if (!disk_sectors)
		return qc_fail(fb->ctx, QC_E_INVAL, "LUN %u: a disk of 0 sectors", lun);
	for (size_t i = 0; i < fb->nprograms; i++) {
		struct qc_fb_program *p = &fb->programs[i];

		if (p->lun != lun)
			continue;
		program_name(p, name, sizeof(name));
		if (p->start_needs) {
			snprintf(what, sizeof(what), "%s start_sector", name);
			env.what = what;
			rc = qc_expr_eval(fb->ctx, p->start_expr, &env, &p->start_sector);
			if (rc < 0)
				return rc;
			p->start_known = true;
		}
		if (!qc_fb_program_writes(p) || !p->data_sectors)
			continue;
		if (p->start_sector >= disk_sectors || p->data_sectors > disk_sectors - p->start_sector)
			return qc_fail(fb->ctx, QC_E_RANGE,
				       "%s: %s needs sectors %llu..%llu but the disk has %llu sectors", name, p->path,
				       (unsigned long long)p->start_sector,
				       (unsigned long long)(p->start_sector + p->data_sectors - 1),
				       (unsigned long long)disk_sectors);
	}
	return 0;
}

/* ---- patches ------------------------------------------------------------ */

struct patch_env {
	qc_ctx *ctx;
	const struct qc_fb_disk *disk;
	const char *what;
};

static int disk_crc(void *user, uint64_t start, uint64_t len, uint32_t *out)
{
	const struct patch_env *pe = user;
	const struct qc_fb_disk *d = pe->disk;
	uint64_t bytes = d->sectors * d->sector_size, off;
	uint8_t buf[65536];
	uint32_t crc = 0;

	if (start >= d->sectors || len > bytes - start * d->sector_size)
		return qc_fail(pe->ctx, QC_E_RANGE, "%s: CRC32(%llu, %llu) reaches past the disk's %llu sectors",
			       pe->what, (unsigned long long)start, (unsigned long long)len,
			       (unsigned long long)d->sectors);
	off = start * d->sector_size;
	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int rc = d->read(d->user, off, buf, n);

		if (rc < 0)
			return rc;
		crc = qc_crc32_update(crc, buf, n);
		off += n;
		len -= n;
	}
	*out = crc;
	return 0;
}

int qc_fb_patch_apply(qc_ctx *ctx, const struct qc_fb_disk *disk, const char *start_expr, uint64_t byte_offset,
		      unsigned size, const char *value, const char *what)
{
	struct patch_env pe = {ctx, disk, what ? what : "patch"};
	struct qc_expr_env env = {.crc32 = disk_crc, .user = &pe, .what = pe.what};
	uint64_t start, v, at, bytes;
	uint8_t le[8];
	int rc;

	if (!disk || !disk->read || !disk->write || !disk->sector_size || !start_expr || !value)
		return qc_fail(ctx, QC_E_INVAL, "%s: no disk, start sector or value", pe.what);
	if (size < 1 || size > 8)
		return qc_fail(ctx, QC_E_INVAL, "%s: size_in_bytes %u is not 1 to 8", pe.what, size);
	env.num_disk_sectors = disk->sectors;
	rc = qc_expr_eval(ctx, start_expr, &env, &start);
	if (rc < 0)
		return rc;
	rc = qc_expr_eval(ctx, value, &env, &v);
	if (rc < 0)
		return rc;
	bytes = disk->sectors * disk->sector_size;
	if (disk->sectors > UINT64_MAX / disk->sector_size || start >= disk->sectors ||
	    byte_offset > bytes - start * disk->sector_size || size > bytes - start * disk->sector_size - byte_offset)
		return qc_fail(ctx, QC_E_RANGE,
			       "%s: %u bytes at sector %llu + %llu are outside the disk's %llu sectors", pe.what, size,
			       (unsigned long long)start, (unsigned long long)byte_offset,
			       (unsigned long long)disk->sectors);
	at = start * disk->sector_size + byte_offset;
	/* values are stored little-endian, cut to the field's size */
	for (unsigned i = 0; i < size; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	return disk->write(disk->user, at, le, size);
}

/* ---- segments ----------------------------------------------------------- */

struct qc_fb_segments {
	qc_ctx *ctx;
	char *path;
	unsigned ss;
	uint64_t start;
	qc_sparse *sp;
	int fd; /* raw images */
	bool raw_done;
	uint64_t raw_sectors, raw_bytes, raw_offset;
};

int qc_fb_segments_open(qc_ctx *ctx, const struct qc_fb_program *p, uint64_t start_sector, qc_fb_segments **out)
{
	qc_fb_segments *it;
	int rc = 0;

	if (!p || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_fb_segments_open needs a program and a result");
	*out = NULL;
	if (!p->path)
		return qc_fail(ctx, QC_E_INVAL, "%s line %u ('%s') has no file to write", p->xml, p->line, p->label);
	it = calloc(1, sizeof(*it));
	if (!it || !(it->path = strdup(p->path))) {
		free(it);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	it->ctx = ctx;
	it->ss = p->sector_size;
	it->start = start_sector;
	it->fd = -1;
	if (p->sparse) {
		rc = qc_sparse_open(ctx, p->path, &it->sp);
	} else {
		it->fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (it->fd < 0)
			rc = qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", p->path,
				     strerror(errno));
		it->raw_bytes = p->data_bytes;
		it->raw_sectors = p->data_sectors;
		it->raw_offset = p->file_sector_offset * p->sector_size;
		it->raw_done = p->data_sectors == 0;
	}
	if (rc < 0) {
		qc_fb_segments_close(it);
		return rc;
	}
	*out = it;
	return 0;
}

int qc_fb_segments_next(qc_fb_segments *it, struct qc_fb_segment *seg)
{
	struct qc_sparse_range r;
	int rc;

	memset(seg, 0, sizeof(*seg));
	if (!it->sp) {
		if (it->raw_done)
			return 0;
		it->raw_done = true;
		seg->start_sector = it->start;
		seg->sectors = it->raw_sectors;
		seg->bytes = it->raw_sectors * it->ss;
		seg->data_bytes = it->raw_bytes;
		seg->file_offset = it->raw_offset;
		return 1;
	}
	while ((rc = qc_sparse_next(it->sp, &r)) > 0) {
		if (r.type != QC_SPARSE_RAW && r.type != QC_SPARSE_FILL)
			continue;
		if (!r.bytes)
			continue;
		if (r.out_offset % it->ss || r.bytes % it->ss)
			return qc_fail(it->ctx, QC_E_FORMAT, "%s: chunk %u does not fall on %u-byte sectors", it->path,
				       r.chunk, it->ss);
		seg->start_sector = it->start + r.out_offset / it->ss;
		seg->sectors = r.bytes / it->ss;
		seg->bytes = r.bytes;
		seg->data_bytes = r.bytes;
		seg->fill = r.type == QC_SPARSE_FILL;
		memcpy(seg->fill_bytes, r.fill_bytes, 4);
		seg->file_offset = r.data_offset;
		return 1;
	}
	return rc;
}

int qc_fb_segment_read(qc_fb_segments *it, const struct qc_fb_segment *seg, uint64_t offset, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (offset > seg->bytes || len > seg->bytes - offset)
		return qc_fail(it->ctx, QC_E_RANGE, "%s: read of %zu bytes at %llu is past the %llu-byte segment",
			       it->path, len, (unsigned long long)offset, (unsigned long long)seg->bytes);
	if (seg->fill) {
		for (size_t i = 0; i < len; i++)
			p[i] = seg->fill_bytes[(offset + i) & 3];
		return 0;
	}
	if (it->sp) {
		struct qc_sparse_range r = {
		    .type = QC_SPARSE_RAW, .bytes = seg->bytes, .data_offset = seg->file_offset};

		return qc_sparse_read(it->sp, &r, offset, buf, len);
	}
	/* raw: file data up to data_bytes, zeros after (the last sector's padding) */
	size_t from_file = offset >= seg->data_bytes	    ? 0
			   : seg->data_bytes - offset < len ? (size_t)(seg->data_bytes - offset)
							    : len;
	size_t got = 0;

	while (got < from_file) {
		ssize_t n = pread(it->fd, p + got, from_file - got, (off_t)(seg->file_offset + offset + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qc_fail(it->ctx, QC_E_IO, "cannot read %s: %s", it->path, strerror(errno));
		if (n == 0)
			return qc_fail(it->ctx, QC_E_IO, "%s got shorter while it was being written", it->path);
		got += (size_t)n;
	}
	memset(p + from_file, 0, len - from_file);
	return 0;
}

void qc_fb_segments_close(qc_fb_segments *it)
{
	if (!it)
		return;
	if (it->fd >= 0)
		close(it->fd);
	qc_sparse_close(it->sp);
	free(it->path);
	free(it);
}
