/* SPDX-License-Identifier: BSD-3-Clause */
/* Android sparse image writer, and conversion of a raw image into one. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qcbox/gpt.h"
#include "qcbox/sparse.h"

#include "core/bytes.h"
#include "image_impl.h"

struct qc_sparse_writer {
	qc_ctx *ctx;
	int fd;
	char *path;
	uint32_t block_size;
	uint32_t total_blocks;
	uint32_t blocks; /* written so far */
	uint32_t chunks;
	uint64_t pos; /* file offset of the next chunk */
	uint32_t crc; /* CRC-32 of the output so far */
	bool with_crc;
	bool failed;
};

static int w_write(qc_sparse_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(w->fd, p, len, (off_t)w->pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->failed = true;
			return qc_fail(w->ctx, QC_E_IO, "cannot write %s: %s", w->path,
				       n < 0 ? strerror(errno) : "nothing written");
		}
		p += n;
		w->pos += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int w_chunk(qc_sparse_writer *w, uint16_t type, uint32_t blocks, uint32_t data_bytes)
{
	uint8_t h[QC_SPARSE_CHUNK_HDR];

	if (w->failed)
		return qc_fail(w->ctx, QC_E_IO, "%s: an earlier write failed", w->path);
	if (blocks > w->total_blocks - w->blocks) {
		w->failed = true;
		return qc_fail(w->ctx, QC_E_RANGE,
			       "%s: a chunk of %u blocks after %u would pass the %u blocks declared", w->path, blocks,
			       w->blocks, w->total_blocks);
	}
	if (w->chunks == UINT32_MAX) {
		w->failed = true;
		return qc_fail(w->ctx, QC_E_TOOBIG, "%s: too many chunks", w->path);
	}
	qc_put_le16(h, type);
	qc_put_le16(h + 2, 0);
	qc_put_le32(h + 4, blocks);
	qc_put_le32(h + 8, QC_SPARSE_CHUNK_HDR + data_bytes);
	w->chunks++;
	w->blocks += blocks;
	return w_write(w, h, sizeof(h));
}

int qc_sparse_writer_open(qc_ctx *ctx, const char *path, uint32_t block_size, uint32_t total_blocks, bool with_crc,
			  qc_sparse_writer **out)
{
	qc_sparse_writer *w;
	uint8_t zero[QC_SPARSE_FILE_HDR] = {0};

	if (!path || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_sparse_writer_open needs a path and a result");
	*out = NULL;
	if (!block_size || block_size % 4)
		return qc_fail(ctx, QC_E_INVAL, "sparse block size %u is not a non-zero multiple of 4", block_size);
	w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path))) {
		free(w);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	w->ctx = ctx;
	w->block_size = block_size;
	w->total_blocks = total_blocks;
	w->with_crc = with_crc;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int rc = qc_fail(ctx, QC_E_IO, "cannot create %s: %s", path, strerror(errno));

		free(w->path);
		free(w);
		return rc;
	}
	/* the header is written last, when the chunk count is known */
	int rc = w_write(w, zero, sizeof(zero));

	if (rc < 0) {
		qc_sparse_writer_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

int qc_sparse_writer_raw(qc_sparse_writer *w, const void *data, uint32_t blocks)
{
	uint64_t bytes = (uint64_t)blocks * w->block_size;
	int rc;

	if (bytes > UINT32_MAX - QC_SPARSE_CHUNK_HDR)
		return qc_fail(w->ctx, QC_E_TOOBIG, "%s: a RAW chunk of %u blocks is too large for total_sz", w->path,
			       blocks);
	rc = w_chunk(w, QC_SPARSE_RAW, blocks, (uint32_t)bytes);
	if (rc < 0)
		return rc;
	w->crc = qc_crc32_update(w->crc, data, (size_t)bytes);
	return w_write(w, data, (size_t)bytes);
}

int qc_sparse_writer_fill(qc_sparse_writer *w, uint32_t pattern, uint32_t blocks)
{
	uint8_t v[4];
	int rc = w_chunk(w, QC_SPARSE_FILL, blocks, 4);

	if (rc < 0)
		return rc;
	qc_put_le32(v, pattern);
	w->crc = qc_crc32_repeat4(w->crc, v, (uint64_t)blocks * w->block_size / 4);
	return w_write(w, v, 4);
}

int qc_sparse_writer_skip(qc_sparse_writer *w, uint32_t blocks)
{
	int rc = w_chunk(w, QC_SPARSE_DONT_CARE, blocks, 0);

	if (rc < 0)
		return rc;
	/* readers count DONT_CARE as zeros in the running CRC */
	w->crc = qc_crc32_zeros(w->crc, (uint64_t)blocks * w->block_size);
	return 0;
}

int qc_sparse_writer_crc(qc_sparse_writer *w)
{
	uint8_t v[4];
	int rc = w_chunk(w, QC_SPARSE_CRC32, 0, 4);

	if (rc < 0)
		return rc;
	qc_put_le32(v, w->crc);
	return w_write(w, v, 4);
}

void qc_sparse_writer_abort(qc_sparse_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	unlink(w->path);
	free(w->path);
	free(w);
}

int qc_sparse_writer_close(qc_sparse_writer *w)
{
	uint8_t h[QC_SPARSE_FILE_HDR];
	int rc = 0;

	if (!w)
		return 0;
	if (!w->failed && w->blocks != w->total_blocks)
		rc = qc_fail(w->ctx, QC_E_RANGE, "%s: chunks cover %u blocks, %u were declared", w->path, w->blocks,
			     w->total_blocks);
	if (!rc && w->failed)
		rc = qc_fail(w->ctx, QC_E_IO, "%s: an earlier write failed", w->path);
	if (!rc && w->with_crc)
		rc = qc_sparse_writer_crc(w);
	if (!rc) {
		qc_put_le32(h, QC_SPARSE_MAGIC);
		qc_put_le16(h + 4, 1);
		qc_put_le16(h + 6, 0);
		qc_put_le16(h + 8, QC_SPARSE_FILE_HDR);
		qc_put_le16(h + 10, QC_SPARSE_CHUNK_HDR);
		qc_put_le32(h + 12, w->block_size);
		qc_put_le32(h + 16, w->total_blocks);
		qc_put_le32(h + 20, w->chunks);
		qc_put_le32(h + 24, 0);
		w->pos = 0;
		rc = w_write(w, h, sizeof(h));
	}
	if (!rc && close(w->fd) < 0)
		rc = qc_fail(w->ctx, QC_E_IO, "cannot finish %s: %s", w->path, strerror(errno));
	else if (!rc)
		w->fd = -1;
	if (rc) {
		qc_sparse_writer_abort(w);
		return rc;
	}
	free(w->path);
	free(w);
	return 0;
}

/* ---- raw -> sparse ----------------------------------------------------- */

/* True when the block repeats its first 4 bytes; *PAT gets them. */
static bool uniform(const uint8_t *b, uint32_t n, uint32_t *pat)
{
	*pat = qc_get_le32(b);
	for (uint32_t i = 4; i < n; i += 4)
		if (memcmp(b, b + i, 4))
			return false;
	return true;
}

enum run_kind { RUN_NONE, RUN_RAW, RUN_FILL, RUN_SKIP };

int qc_sparse_from_raw(qc_ctx *ctx, const char *in, const char *out, uint32_t block_size, unsigned flags)
{
	/* RAW runs are gathered up to this many bytes before a chunk is cut */
	const size_t raw_cap = 1u << 20;
	qc_sparse_writer *w = NULL;
	uint8_t *raw = NULL, *blk = NULL;
	struct stat st;
	int fd, rc = 0;

	if (!in || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_sparse_from_raw needs an input and an output");
	if (!block_size || block_size % 4 || block_size > raw_cap)
		return qc_fail(ctx, QC_E_INVAL, "sparse block size %u is not a multiple of 4 up to %zu", block_size,
			       raw_cap);
	fd = open(in, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", in,
			       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qc_fail(ctx, QC_E_INVAL, "%s is not a regular file", in);
	}
	uint64_t size = (uint64_t)st.st_size, nblocks = (size + block_size - 1) / block_size;

	if (nblocks > UINT32_MAX) {
		close(fd);
		return qc_fail(ctx, QC_E_TOOBIG, "%s has more than 2^32 blocks of %u bytes", in, block_size);
	}
	raw = malloc(raw_cap);
	blk = malloc(block_size);
	if (!raw || !blk) {
		rc = qc_fail(ctx, QC_E_NOMEM, "out of memory");
		goto done;
	}
	rc = qc_sparse_writer_open(ctx, out, block_size, (uint32_t)nblocks, flags & QC_SPARSE_WITH_CRC, &w);
	if (rc < 0)
		goto done;

	enum run_kind kind = RUN_NONE;
	uint32_t run = 0, run_pat = 0;
	size_t raw_len = 0;

	for (uint64_t b = 0; b <= nblocks; b++) {
		enum run_kind k = RUN_NONE;
		uint32_t pat = 0;

		if (b < nblocks) {
			size_t got = 0;

			memset(blk, 0, block_size);
			while (got < block_size) {
				ssize_t n = pread(fd, blk + got, block_size - got, (off_t)(b * block_size + got));

				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0) {
					rc = qc_fail(ctx, QC_E_IO, "cannot read %s: %s", in, strerror(errno));
					goto done;
				}
				if (n == 0)
					break; /* the last block is zero-padded */
				got += (size_t)n;
			}
			if (uniform(blk, block_size, &pat))
				k = pat == 0 && (flags & QC_SPARSE_ZERO_AS_DONT_CARE) ? RUN_SKIP : RUN_FILL;
			else
				k = RUN_RAW;
		}
		bool same =
		    k == kind && (k != RUN_FILL || pat == run_pat) && (k != RUN_RAW || raw_len + block_size <= raw_cap);

		if (!same && run) {
			if (kind == RUN_RAW)
				rc = qc_sparse_writer_raw(w, raw, run);
			else if (kind == RUN_FILL)
				rc = qc_sparse_writer_fill(w, run_pat, run);
			else
				rc = qc_sparse_writer_skip(w, run);
			if (rc < 0)
				goto done;
			run = 0;
			raw_len = 0;
		}
		kind = k;
		run_pat = pat;
		run++;
		if (k == RUN_RAW) {
			memcpy(raw + raw_len, blk, block_size);
			raw_len += block_size;
		}
	}
	rc = qc_sparse_writer_close(w);
	w = NULL;
done:
	if (w)
		qc_sparse_writer_abort(w);
	free(raw);
	free(blk);
	close(fd);
	return rc;
}
