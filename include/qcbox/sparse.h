/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Android sparse images (AOSP libsparse format 1.0): a 28-byte file header,
 * then chunks of RAW data, FILL (a 4-byte pattern), DONT_CARE (nothing; the
 * flasher leaves those blocks alone) and CRC32 (a check of everything output
 * so far).  All fields little-endian.
 *
 * The reader streams: opening validates the file header and walks every
 * chunk header (seeking over data, constant memory), so an image whose
 * sizes disagree is refused before anything is written anywhere; iterating
 * then yields output ranges without loading data.
 */
#ifndef QCBOX_SPARSE_H
#define QCBOX_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_SPARSE_MAGIC	    0xed26ff3au
#define QC_SPARSE_FILE_HDR  28u
#define QC_SPARSE_CHUNK_HDR 12u

enum qc_sparse_type {
	QC_SPARSE_RAW = 0xcac1,
	QC_SPARSE_FILL = 0xcac2,
	QC_SPARSE_DONT_CARE = 0xcac3,
	QC_SPARSE_CRC32 = 0xcac4,
};

struct qc_sparse_header {
	uint16_t major, minor;
	uint16_t file_hdr_sz, chunk_hdr_sz;
	uint32_t block_size;
	uint32_t total_blocks;
	uint32_t total_chunks;
	uint32_t image_checksum;
};

/* Totals gathered when the image is opened (from chunk headers only). */
struct qc_sparse_stats {
	uint32_t raw_chunks, fill_chunks, dont_care_chunks, crc_chunks;
	uint64_t raw_bytes;  /* output bytes of RAW chunks */
	uint64_t fill_bytes; /* output bytes of FILL chunks */
	uint64_t dont_care_bytes;
	uint64_t expanded_bytes; /* total_blocks * block_size */
	uint64_t file_bytes;	 /* size of the sparse file */
	uint64_t trailing_bytes; /* bytes after the last chunk (ignored) */
};

/* One chunk as an output range. */
struct qc_sparse_range {
	enum qc_sparse_type type;
	uint32_t chunk;	       /* chunk number, from 0 */
	uint64_t out_block;    /* first output block */
	uint32_t blocks;       /* output blocks (0 for CRC32) */
	uint64_t out_offset;   /* out_block * block_size */
	uint64_t bytes;	       /* blocks * block_size */
	uint64_t data_offset;  /* RAW: where its data starts in the sparse file */
	uint32_t fill;	       /* FILL: the pattern as a little-endian u32 */
	uint8_t fill_bytes[4]; /* FILL: the pattern as it appears in the output */
	uint32_t crc;	       /* CRC32: the stored value */
};

typedef struct qc_sparse qc_sparse;

/* True when BUF (at least 4 bytes) starts with the sparse magic. */
QC_API bool qc_sparse_probe(const void *buf, size_t len);
/* 1 when the file at PATH is a sparse image, 0 when not, or a negative QC_E_*. */
QC_API int qc_sparse_is_sparse(qc_ctx *ctx, const char *path);

/*
 * Opens and validates a sparse image (header, every chunk header, chunk
 * sizes against block counts, the sum of blocks against total_blocks, the
 * chunk count against total_chunks, RAW data within the file).  Errors:
 * QC_E_NOTFOUND/QC_E_IO for the file, QC_E_FORMAT with a sentence naming the
 * file, chunk and field for anything malformed.
 */
QC_API int qc_sparse_open(qc_ctx *ctx, const char *path, qc_sparse **out);
/* The same on an open descriptor (not closed by qc_sparse_close); NAME is
 * used in messages. */
QC_API int qc_sparse_open_fd(qc_ctx *ctx, int fd, const char *name, qc_sparse **out);
QC_API void qc_sparse_close(qc_sparse *s);

QC_API const struct qc_sparse_header *qc_sparse_get_header(const qc_sparse *s);
QC_API const struct qc_sparse_stats *qc_sparse_get_stats(const qc_sparse *s);

/*
 * Next chunk: returns 1 with *R filled, 0 at the end, or a negative QC_E_*.
 * When the image has CRC32 chunks the iterator keeps the running CRC of the
 * output (reading RAW data as it goes) and returns QC_E_CRC at a CRC32 chunk
 * that does not match; images without CRC chunks are never read beyond the
 * chunk headers.  qc_sparse_rewind starts again from the first chunk.
 */
QC_API int qc_sparse_next(qc_sparse *s, struct qc_sparse_range *r);
QC_API int qc_sparse_rewind(qc_sparse *s);

/* Reads LEN output bytes of range R starting OFFSET bytes into it: file data
 * for RAW, the pattern for FILL, zeros for DONT_CARE.  Returns 0 or QC_E_*. */
QC_API int qc_sparse_read(qc_sparse *s, const struct qc_sparse_range *r, uint64_t offset, void *buf, size_t len);

/*
 * Checks the image's CRCs from start to end without writing anything:
 * every CRC32 chunk, and the header's image_checksum when it is not 0.
 * Returns 0, QC_E_CRC (with the chunk named) or another QC_E_*.  *CRC, when
 * not NULL, receives the CRC-32 of the whole expanded image.
 */
QC_API int qc_sparse_verify(qc_sparse *s, uint32_t *crc);

/*
 * Expands IN into the raw image OUT (created or truncated).  A regular OUT
 * gets holes for DONT_CARE (and for zero FILL) chunks; anything else
 * (a pipe, a device) is written sequentially with zeros.  Progress through
 * qc_progress.  CRC32 chunks are checked as they come.
 */
QC_API int qc_sparse_unsparse(qc_ctx *ctx, const char *in, const char *out);

/*
 * Writer, for tests and the demo flat build: chunks are appended in order
 * and the header is finished by qc_sparse_writer_close, which fails unless
 * the chunks cover exactly TOTAL_BLOCKS.  With WITH_CRC a CRC32 chunk of the
 * whole image is appended at the end (qc_sparse_writer_crc adds one at any
 * point).
 */
typedef struct qc_sparse_writer qc_sparse_writer;

QC_API int qc_sparse_writer_open(qc_ctx *ctx, const char *path, uint32_t block_size, uint32_t total_blocks,
				 bool with_crc, qc_sparse_writer **out);
/* DATA holds BLOCKS * block_size bytes. */
QC_API int qc_sparse_writer_raw(qc_sparse_writer *w, const void *data, uint32_t blocks);
/* PATTERN is the 4 output bytes, as a little-endian u32. */
QC_API int qc_sparse_writer_fill(qc_sparse_writer *w, uint32_t pattern, uint32_t blocks);
QC_API int qc_sparse_writer_skip(qc_sparse_writer *w, uint32_t blocks);
QC_API int qc_sparse_writer_crc(qc_sparse_writer *w);
/* Finishes the file; returns 0 or QC_E_*; frees W in every case. */
QC_API int qc_sparse_writer_close(qc_sparse_writer *w);
/* Frees W and removes the unfinished file. */
QC_API void qc_sparse_writer_abort(qc_sparse_writer *w);

/* Flags for qc_sparse_from_raw. */
enum qc_sparse_make_flags {
	QC_SPARSE_ZERO_AS_DONT_CARE = 1u << 0, /* all-zero blocks become DONT_CARE, not FILL */
	QC_SPARSE_WITH_CRC = 1u << 1,	       /* append a CRC32 chunk */
};

/* Converts the raw image IN (a whole number of BLOCK_SIZE blocks; a partial
 * last block is zero-padded) into the sparse image OUT: blocks repeating one
 * 4-byte pattern become FILL (or DONT_CARE when zero and asked), the rest RAW. */
QC_API int qc_sparse_from_raw(qc_ctx *ctx, const char *in, const char *out, uint32_t block_size, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
