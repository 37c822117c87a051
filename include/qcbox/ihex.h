/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel HEX reader for NPRG/ENPRG programmers and binutils output
 * (objcopy -O ihex): data records, extended segment (02) and extended
 * linear (04) addresses, start segment (03) and start linear (05) addresses,
 * end of file (01).  Every checksum is verified; overlapping data, a missing
 * end record and anything after it are errors naming the line.
 */
#ifndef QCBOX_IHEX_H
#define QCBOX_IHEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest record line accepted: 255 data bytes is 521 characters. */
#define QC_IHEX_MAX_LINE 600

struct qc_ihex_info {
	uint64_t bytes;        /* data bytes */
	uint32_t low;          /* lowest address holding data */
	uint64_t end;          /* one past the highest address holding data */
	bool has_start;        /* a start address record was present */
	uint32_t start;        /* 05: EIP; 03: CS * 16 + IP */
	unsigned lines;        /* lines read */
	unsigned data_records;
	unsigned ranges;       /* disjoint address ranges the data covers */
};

/* Called for each data record (after address translation), in file order.
 * A record whose offset wraps past 0xFFFF within its segment arrives as two
 * calls.  A non-zero return stops the parse and is returned. */
typedef int (*qc_ihex_data_fn)(void *user, uint32_t addr, const uint8_t *data, size_t len);

typedef struct qc_ihex qc_ihex;

/* Incremental parser; NAME is used in messages ("prog.hex"). */
QC_API qc_ihex *qc_ihex_new(qc_ctx *ctx, const char *name);
QC_API void qc_ihex_free(qc_ihex *p);
/* One line without its line ending (a trailing CR is tolerated). */
QC_API int qc_ihex_line(qc_ihex *p, const char *line, size_t len, qc_ihex_data_fn fn, void *user);
/* Checks that an end record was seen and fills INFO. */
QC_API int qc_ihex_finish(qc_ihex *p, struct qc_ihex_info *info);

/* Whole buffer / whole file (read line by line, constant memory apart from
 * the list of address ranges used to detect overlaps).  FN may be NULL to
 * only validate. */
QC_API int qc_ihex_parse_buffer(qc_ctx *ctx, const char *name, const void *buf, size_t len, qc_ihex_data_fn fn,
				void *user, struct qc_ihex_info *info);
QC_API int qc_ihex_parse_file(qc_ctx *ctx, const char *path, qc_ihex_data_fn fn, void *user,
			      struct qc_ihex_info *info);

/* True if BUF (the start of a file) looks like Intel HEX: optional
 * whitespace, then ':' and hex digits. */
QC_API bool qc_ihex_sniff(const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
