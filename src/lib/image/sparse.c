/* SPDX-License-Identifier: BSD-3-Clause */
/* Android sparse image reader: validation, chunk iteration, CRC checks and
 * expansion to a raw image. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qcbox/gpt.h"
#include "qcbox/sparse.h"

#include "core/bytes.h"
#include "image_impl.h"

/* Sanity bounds for header fields: AOSP writes 28/12 and 4 KiB blocks; a
 * little room above that, but nothing that makes arithmetic absurd. */
#define MAX_HDR_SZ     4096u
#define MAX_BLOCK_SIZE (64u << 20)
#define IO_BUF	       (256u << 10)

struct qc_sparse {
	qc_ctx *ctx;
	int fd;
	bool own_fd;
	char *name;
	struct qc_sparse_header h;
	struct qc_sparse_stats st;
	/* iteration */
	uint64_t pos;	    /* file offset of the next chunk header */
	uint32_t chunk;	    /* index of the next chunk */
	uint64_t out_block; /* output block of the next chunk */
	bool track_crc;	    /* keep a running CRC for CRC32 chunks */
	uint32_t crc;	    /* CRC-32 of the output so far */
	uint8_t *buf;	    /* IO_BUF bytes, allocated when data must be read */
};

bool qc_sparse_probe(const void *buf, size_t len)
{
	return len >= 4 && qc_get_le32(buf) == QC_SPARSE_MAGIC;
}

static int read_at(qc_sparse *s, uint64_t off, void *buf, size_t len, const char *what)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(s->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qc_fail(s->ctx, QC_E_IO, "%s: cannot read %s at byte %llu: %s", s->name, what,
				       (unsigned long long)off, strerror(errno));
		if (n == 0)
			return qc_fail(s->ctx, QC_E_FORMAT, "%s: file ends inside %s at byte %llu", s->name, what,
				       (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int qc_sparse_is_sparse(qc_ctx *ctx, const char *path)
{
	uint8_t m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	n = pread(fd, m, sizeof(m), 0);
	close(fd);
	if (n < 0)
		return qc_fail(ctx, QC_E_IO, "cannot read %s: %s", path, strerror(errno));
	return qc_sparse_probe(m, (size_t)n) ? 1 : 0;
}

static const char *type_name(uint16_t t)
{
	switch (t) {
	case QC_SPARSE_RAW: return "RAW";
	case QC_SPARSE_FILL: return "FILL";
	case QC_SPARSE_DONT_CARE: return "DONT_CARE";
	case QC_SPARSE_CRC32: return "CRC32";
	}
	return "unknown";
}

/*
 * Decodes and checks the chunk header at POS (chunk number IDX, output block
 * BLOCK).  Fills R (without the FILL/CRC payload) and *NEXT.
 */
static int parse_chunk(qc_sparse *s, uint64_t pos, uint32_t idx, uint64_t block, struct qc_sparse_range *r,
		       uint64_t *next)
{
	uint8_t hdr[QC_SPARSE_CHUNK_HDR];
	uint64_t data, want;
	int rc;

	if (pos + s->h.chunk_hdr_sz > s->st.file_bytes)
		return qc_fail(s->ctx, QC_E_FORMAT,
			       "%s: chunk %u of %u: header at byte %llu is past the end of the file (truncated image?)",
			       s->name, idx, s->h.total_chunks, (unsigned long long)pos);
	rc = read_at(s, pos, hdr, sizeof(hdr), "a chunk header");
	if (rc < 0)
		return rc;
	uint16_t type = qc_get_le16(hdr);
	uint32_t blocks = qc_get_le32(hdr + 4), total = qc_get_le32(hdr + 8);

	if (total < s->h.chunk_hdr_sz)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: chunk %u: total_sz %u is smaller than the chunk header (%u)",
			       s->name, idx, total, s->h.chunk_hdr_sz);
	data = total - s->h.chunk_hdr_sz;
	switch (type) {
	case QC_SPARSE_RAW: want = (uint64_t)blocks * s->h.block_size; break;
	case QC_SPARSE_FILL:
	case QC_SPARSE_CRC32: want = 4; break;
	case QC_SPARSE_DONT_CARE: want = 0; break;
	default:
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: chunk %u at byte %llu has unknown type 0x%04x", s->name, idx,
			       (unsigned long long)pos, type);
	}
	if (data != want)
		return qc_fail(
		    s->ctx, QC_E_FORMAT,
		    "%s: chunk %u (%s, %u blocks): total_sz %u disagrees with its content (%llu data bytes expected)",
		    s->name, idx, type_name(type), blocks, total, (unsigned long long)want);
	if (type == QC_SPARSE_CRC32 && blocks)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: chunk %u (CRC32) claims %u output blocks", s->name, idx,
			       blocks);
	if (blocks > s->h.total_blocks - block)
		return qc_fail(s->ctx, QC_E_FORMAT,
			       "%s: chunk %u (%s) runs to block %llu, past total_blks %u in the header", s->name, idx,
			       type_name(type), (unsigned long long)(block + blocks), s->h.total_blocks);
	if (total > s->st.file_bytes - pos)
		return qc_fail(
		    s->ctx, QC_E_FORMAT,
		    "%s: chunk %u (%s) needs %u bytes at byte %llu but the file ends at %llu (truncated image?)",
		    s->name, idx, type_name(type), total, (unsigned long long)pos,
		    (unsigned long long)s->st.file_bytes);
	memset(r, 0, sizeof(*r));
	r->type = (enum qc_sparse_type)type;
	r->chunk = idx;
	r->out_block = block;
	r->blocks = blocks;
	r->out_offset = block * s->h.block_size;
	r->bytes = (uint64_t)blocks * s->h.block_size;
	r->data_offset = pos + s->h.chunk_hdr_sz;
	*next = pos + total;
	return 0;
}

/* Header, then a pass over every chunk header. */
static int validate(qc_sparse *s)
{
	uint8_t hdr[QC_SPARSE_FILE_HDR];
	struct stat st;
	int rc;

	if (fstat(s->fd, &st) < 0)
		return qc_fail(s->ctx, QC_E_IO, "%s: %s", s->name, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return qc_fail(s->ctx, QC_E_INVAL, "%s is not a regular file", s->name);
	s->st.file_bytes = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(s->fd, 0, SEEK_END);

		s->st.file_bytes = end > 0 ? (uint64_t)end : 0;
	}
	if (s->st.file_bytes < QC_SPARSE_FILE_HDR)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: %llu bytes is too short for a sparse image header", s->name,
			       (unsigned long long)s->st.file_bytes);
	rc = read_at(s, 0, hdr, sizeof(hdr), "the header");
	if (rc < 0)
		return rc;
	if (qc_get_le32(hdr) != QC_SPARSE_MAGIC)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: not an Android sparse image (magic 0x%08x, expected 0x%08x)",
			       s->name, qc_get_le32(hdr), QC_SPARSE_MAGIC);
	s->h.major = qc_get_le16(hdr + 4);
	s->h.minor = qc_get_le16(hdr + 6);
	s->h.file_hdr_sz = qc_get_le16(hdr + 8);
	s->h.chunk_hdr_sz = qc_get_le16(hdr + 10);
	s->h.block_size = qc_get_le32(hdr + 12);
	s->h.total_blocks = qc_get_le32(hdr + 16);
	s->h.total_chunks = qc_get_le32(hdr + 20);
	s->h.image_checksum = qc_get_le32(hdr + 24);
	if (s->h.major != 1)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: sparse format version %u.%u is not supported (only 1.x)",
			       s->name, s->h.major, s->h.minor);
	if (s->h.file_hdr_sz < QC_SPARSE_FILE_HDR || s->h.file_hdr_sz > MAX_HDR_SZ)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: file_hdr_sz %u is not between %u and %u", s->name,
			       s->h.file_hdr_sz, QC_SPARSE_FILE_HDR, MAX_HDR_SZ);
	if (s->h.chunk_hdr_sz < QC_SPARSE_CHUNK_HDR || s->h.chunk_hdr_sz > MAX_HDR_SZ)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: chunk_hdr_sz %u is not between %u and %u", s->name,
			       s->h.chunk_hdr_sz, QC_SPARSE_CHUNK_HDR, MAX_HDR_SZ);
	if (!s->h.block_size || s->h.block_size % 4 || s->h.block_size > MAX_BLOCK_SIZE)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: blk_sz %u is not a non-zero multiple of 4 up to %u", s->name,
			       s->h.block_size, MAX_BLOCK_SIZE);
	/* each chunk takes at least a header: a count beyond that is a lie */
	if ((uint64_t)s->h.total_chunks * s->h.chunk_hdr_sz > s->st.file_bytes - s->h.file_hdr_sz)
		return qc_fail(s->ctx, QC_E_FORMAT,
			       "%s: total_chunks %u cannot fit in %llu bytes (truncated image or bad header)", s->name,
			       s->h.total_chunks, (unsigned long long)s->st.file_bytes);
	s->st.expanded_bytes = (uint64_t)s->h.total_blocks * s->h.block_size;

	uint64_t pos = s->h.file_hdr_sz, block = 0, next;
	struct qc_sparse_range r;

	for (uint32_t i = 0; i < s->h.total_chunks; i++) {
		rc = parse_chunk(s, pos, i, block, &r, &next);
		if (rc < 0)
			return rc;
		switch (r.type) {
		case QC_SPARSE_RAW:
			s->st.raw_chunks++;
			s->st.raw_bytes += r.bytes;
			break;
		case QC_SPARSE_FILL:
			s->st.fill_chunks++;
			s->st.fill_bytes += r.bytes;
			break;
		case QC_SPARSE_DONT_CARE:
			s->st.dont_care_chunks++;
			s->st.dont_care_bytes += r.bytes;
			break;
		case QC_SPARSE_CRC32: s->st.crc_chunks++; break;
		}
		block += r.blocks;
		pos = next;
	}
	if (block != s->h.total_blocks)
		return qc_fail(s->ctx, QC_E_FORMAT,
			       "%s: the %u chunks cover %llu blocks but the header says total_blks %u", s->name,
			       s->h.total_chunks, (unsigned long long)block, s->h.total_blocks);
	s->st.trailing_bytes = s->st.file_bytes - pos;
	return 0;
}

static int sparse_open(qc_ctx *ctx, int fd, bool own, const char *name, qc_sparse **out)
{
	qc_sparse *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s || !(s->name = strdup(name ? name : "sparse image"))) {
		free(s);
		if (own)
			close(fd);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	s->ctx = ctx;
	s->fd = fd;
	s->own_fd = own;
	rc = validate(s);
	if (rc < 0) {
		qc_sparse_close(s);
		return rc;
	}
	s->track_crc = s->st.crc_chunks > 0;
	qc_sparse_rewind(s);
	*out = s;
	return 0;
}

int qc_sparse_open(qc_ctx *ctx, const char *path, qc_sparse **out)
{
	int fd;

	if (!path || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_sparse_open needs a path and a result");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	return sparse_open(ctx, fd, true, path, out);
}

int qc_sparse_open_fd(qc_ctx *ctx, int fd, const char *name, qc_sparse **out)
{
	if (fd < 0 || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_sparse_open_fd needs a descriptor and a result");
	return sparse_open(ctx, fd, false, name, out);
}

void qc_sparse_close(qc_sparse *s)
{
	if (!s)
		return;
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->name);
	free(s);
}

const struct qc_sparse_header *qc_sparse_get_header(const qc_sparse *s)
{
	return &s->h;
}

const struct qc_sparse_stats *qc_sparse_get_stats(const qc_sparse *s)
{
	return &s->st;
}

int qc_sparse_rewind(qc_sparse *s)
{
	s->pos = s->h.file_hdr_sz;
	s->chunk = 0;
	s->out_block = 0;
	s->crc = 0;
	return 0;
}

static int need_buf(qc_sparse *s)
{
	if (!s->buf && !(s->buf = malloc(IO_BUF)))
		return qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
	return 0;
}

/* Folds the output of R into the running CRC. */
static int crc_range(qc_sparse *s, const struct qc_sparse_range *r, uint32_t *crc)
{
	int rc;

	switch (r->type) {
	case QC_SPARSE_RAW:
		rc = need_buf(s);
		if (rc < 0)
			return rc;
		for (uint64_t off = 0; off < r->bytes;) {
			size_t n = r->bytes - off < IO_BUF ? (size_t)(r->bytes - off) : IO_BUF;

			rc = read_at(s, r->data_offset + off, s->buf, n, "RAW chunk data");
			if (rc < 0)
				return rc;
			*crc = qc_crc32_update(*crc, s->buf, n);
			off += n;
			if (qc_cancelled(s->ctx))
				return qc_fail(s->ctx, QC_E_CANCELLED, "%s: stopped", s->name);
		}
		break;
	case QC_SPARSE_FILL: *crc = qc_crc32_repeat4(*crc, r->fill_bytes, r->bytes / 4); break;
	case QC_SPARSE_DONT_CARE:
		/* AOSP's reader counts skipped blocks as zeros */
		*crc = qc_crc32_zeros(*crc, r->bytes);
		break;
	case QC_SPARSE_CRC32: break;
	}
	return 0;
}

int qc_sparse_next(qc_sparse *s, struct qc_sparse_range *r)
{
	uint8_t v[4];
	uint64_t next;
	int rc;

	if (s->chunk >= s->h.total_chunks)
		return 0;
	rc = parse_chunk(s, s->pos, s->chunk, s->out_block, r, &next);
	if (rc < 0)
		return rc;
	if (r->type == QC_SPARSE_FILL || r->type == QC_SPARSE_CRC32) {
		rc = read_at(s, r->data_offset, v, 4, r->type == QC_SPARSE_FILL ? "a fill value" : "a CRC value");
		if (rc < 0)
			return rc;
		if (r->type == QC_SPARSE_FILL) {
			memcpy(r->fill_bytes, v, 4);
			r->fill = qc_get_le32(v);
		} else {
			r->crc = qc_get_le32(v);
		}
	}
	if (s->track_crc) {
		if (r->type == QC_SPARSE_CRC32) {
			if (r->crc != s->crc)
				return qc_fail(
				    s->ctx, QC_E_CRC,
				    "%s: chunk %u: CRC32 chunk says 0x%08x but the %llu blocks before it give 0x%08x",
				    s->name, r->chunk, r->crc, (unsigned long long)s->out_block, s->crc);
		} else {
			rc = crc_range(s, r, &s->crc);
			if (rc < 0)
				return rc;
		}
	}
	s->pos = next;
	s->chunk++;
	s->out_block += r->blocks;
	return 1;
}

int qc_sparse_read(qc_sparse *s, const struct qc_sparse_range *r, uint64_t offset, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (offset > r->bytes || len > r->bytes - offset)
		return qc_fail(s->ctx, QC_E_RANGE, "%s: chunk %u: read of %zu bytes at %llu is past its %llu bytes",
			       s->name, r->chunk, len, (unsigned long long)offset, (unsigned long long)r->bytes);
	switch (r->type) {
	case QC_SPARSE_RAW: return read_at(s, r->data_offset + offset, buf, len, "RAW chunk data");
	case QC_SPARSE_FILL:
		/* the pattern repeats every 4 output bytes from the chunk start,
		 * and chunks start on block boundaries (multiples of 4) */
		for (size_t i = 0; i < len; i++)
			p[i] = r->fill_bytes[(offset + i) & 3];
		return 0;
	default: memset(buf, 0, len); return 0;
	}
}

int qc_sparse_verify(qc_sparse *s, uint32_t *crc_out)
{
	struct qc_sparse_range r;
	bool track = s->track_crc;
	int rc;

	/* a full pass with the running CRC on, whatever the image holds */
	s->track_crc = true;
	qc_sparse_rewind(s);
	while ((rc = qc_sparse_next(s, &r)) > 0)
		;
	uint32_t crc = s->crc;

	s->track_crc = track;
	qc_sparse_rewind(s);
	if (rc < 0)
		return rc;
	if (s->h.image_checksum && s->h.image_checksum != crc)
		return qc_fail(s->ctx, QC_E_CRC,
			       "%s: image_checksum in the header is 0x%08x but the image gives 0x%08x", s->name,
			       s->h.image_checksum, crc);
	if (crc_out)
		*crc_out = crc;
	return 0;
}

/* ---- expansion ---------------------------------------------------------- */

static int write_all(qc_ctx *ctx, int fd, bool seekable, uint64_t off, const void *buf, size_t len, const char *out)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = seekable ? pwrite(fd, p, len, (off_t)off) : write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return qc_fail(ctx, QC_E_IO, "cannot write %s at byte %llu: %s", out, (unsigned long long)off,
				       n < 0 ? strerror(errno) : "nothing written");
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int qc_sparse_unsparse(qc_ctx *ctx, const char *in, const char *out)
{
	struct qc_sparse_range r;
	qc_sparse *s;
	struct stat st;
	int fd, rc;

	if (!in || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_sparse_unsparse needs an input and an output");
	rc = qc_sparse_open(ctx, in, &s);
	if (rc < 0)
		return rc;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = qc_fail(ctx, QC_E_IO, "cannot create %s: %s", out, strerror(errno));
		goto done;
	}
	bool seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	uint64_t total = s->st.expanded_bytes, done = 0, done_reported = 0;

	rc = need_buf(s);
	if (rc < 0)
		goto done;
	if (seekable && ftruncate(fd, (off_t)total) < 0) {
		rc = qc_fail(ctx, QC_E_IO, "cannot size %s to %llu bytes: %s", out, (unsigned long long)total,
			     strerror(errno));
		goto done;
	}
	if (total)
		qc_progress(ctx, out, 0, total);
	while ((rc = qc_sparse_next(s, &r)) > 0) {
		bool zero = r.type == QC_SPARSE_DONT_CARE || (r.type == QC_SPARSE_FILL && r.fill == 0);

		/* a fresh regular file already reads as zeros there: leave holes */
		if (seekable && zero) {
			done += r.bytes;
			continue;
		}
		for (uint64_t off = 0; off < r.bytes;) {
			size_t n = r.bytes - off < IO_BUF ? (size_t)(r.bytes - off) : IO_BUF;

			rc = qc_sparse_read(s, &r, off, s->buf, n);
			if (rc < 0)
				goto done;
			rc = write_all(ctx, fd, seekable, r.out_offset + off, s->buf, n, out);
			if (rc < 0)
				goto done;
			off += n;
			done += n;
			qc_progress(ctx, out, done, total);
			done_reported = done;
			if (qc_cancelled(ctx)) {
				rc = qc_fail(ctx, QC_E_CANCELLED, "unsparse of %s stopped", in);
				goto done;
			}
		}
	}
	/* ends the bar when trailing holes kept the loop from reaching total */
	if (rc == 0 && done_reported != total)
		qc_progress(ctx, out, total, total);
done:
	if (fd >= 0 && close(fd) < 0 && rc >= 0)
		rc = qc_fail(ctx, QC_E_IO, "cannot finish %s: %s", out, strerror(errno));
	qc_sparse_close(s);
	return rc < 0 ? rc : 0;
}
