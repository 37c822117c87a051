/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef QC_CTX_IMPL_H
#define QC_CTX_IMPL_H

#include <stdio.h>

#include "qcbox/core.h"

struct qc_ctx {
	qc_log_fn log_fn;
	void *log_user;
	int log_level;
	qc_progress_fn progress_fn;
	void *progress_user;
	int timeout_ms;
	FILE *trace;
	volatile int cancelled;
	char errmsg[1024];
};

enum qc_trace_dir { QC_TRACE_TX, QC_TRACE_RX };

/* Appends one packet line to the trace file, if tracing is on. */
void qc_trace(qc_ctx *ctx, enum qc_trace_dir dir, const void *buf, size_t len);

#endif
