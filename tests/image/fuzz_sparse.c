/* SPDX-License-Identifier: BSD-3-Clause */
/* Sparse reader: open (validation), iterate, read every range, verify the
 * CRCs, and expand small images; whatever the input, the walk must agree
 * with the header it accepted. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "qcbox/sparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	int fd = memfd_create("fuzz-sparse", 0), out = memfd_create("fuzz-out", 0);
	struct qc_sparse_range r;
	qc_sparse *s;
	uint8_t buf[512];

	if (!ctx || fd < 0 || out < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	if (qc_sparse_open_fd(ctx, fd, "fuzz.simg", &s) == 0) {
		const struct qc_sparse_header *h = qc_sparse_get_header(s);
		const struct qc_sparse_stats *st = qc_sparse_get_stats(s);
		uint64_t blocks = 0;
		uint32_t chunks = 0;
		int rc;

		if (st->raw_bytes + st->fill_bytes + st->dont_care_bytes != st->expanded_bytes)
			abort();
		while ((rc = qc_sparse_next(s, &r)) > 0) {
			if (r.out_block != blocks || r.chunk != chunks)
				abort();
			blocks += r.blocks;
			chunks++;
			/* the first and the last bytes of each range */
			size_t n = r.bytes < sizeof(buf) ? (size_t)r.bytes : sizeof(buf);

			if (qc_sparse_read(s, &r, 0, buf, n) < 0 || qc_sparse_read(s, &r, r.bytes - n, buf, n) < 0)
				abort();
			if (qc_sparse_read(s, &r, r.bytes, buf, 1) != QC_E_RANGE)
				abort();
		}
		if (rc == 0 && (blocks != h->total_blocks || chunks != h->total_chunks))
			abort();
		qc_sparse_verify(s, NULL);
		if (st->expanded_bytes <= (1u << 20)) {
			char in_path[64], out_path[64];

			snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", fd);
			snprintf(out_path, sizeof(out_path), "/proc/self/fd/%d", out);
			if (qc_sparse_unsparse(ctx, in_path, out_path) == 0 &&
			    (uint64_t)lseek(out, 0, SEEK_END) != st->expanded_bytes)
				abort();
		}
		qc_sparse_close(s);
	}
	close(fd);
	close(out);
	qc_ctx_free(ctx);
	return 0;
}
