/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx_impl.h"

#define QC_DEFAULT_TIMEOUT_MS 5000

qc_ctx *qc_ctx_new(void)
{
	qc_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->log_level = QC_LOG_WARN;
	ctx->timeout_ms = QC_DEFAULT_TIMEOUT_MS;
	return ctx;
}

void qc_ctx_free(qc_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->trace)
		fclose(ctx->trace);
	free(ctx);
}

void qc_set_log(qc_ctx *ctx, qc_log_fn fn, void *user)
{
	ctx->log_fn = fn;
	ctx->log_user = user;
}

void qc_set_log_level(qc_ctx *ctx, int level) { ctx->log_level = level; }
int qc_get_log_level(const qc_ctx *ctx) { return ctx->log_level; }

void qc_set_progress(qc_ctx *ctx, qc_progress_fn fn, void *user)
{
	ctx->progress_fn = fn;
	ctx->progress_user = user;
}

void qc_set_timeout(qc_ctx *ctx, int timeout_ms) { ctx->timeout_ms = timeout_ms; }
int qc_get_timeout(const qc_ctx *ctx) { return ctx->timeout_ms; }

const char *qc_last_error(const qc_ctx *ctx) { return ctx->errmsg; }
void qc_clear_error(qc_ctx *ctx) { ctx->errmsg[0] = '\0'; }

void qc_cancel(qc_ctx *ctx) { ctx->cancelled = 1; }
int qc_cancelled(const qc_ctx *ctx) { return ctx->cancelled; }

int qc_fail(qc_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return err;
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	qc_log(ctx, QC_LOG_DEBUG, "error %s: %s", qc_error_name(err), ctx->errmsg);
	return err;
}

void qc_vlog(qc_ctx *ctx, int level, const char *fmt, va_list ap)
{
	char msg[2048];

	if (!ctx || !ctx->log_fn || level > ctx->log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx->log_fn(ctx->log_user, level, msg);
}

void qc_log(qc_ctx *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qc_vlog(ctx, level, fmt, ap);
	va_end(ap);
}

void qc_progress(qc_ctx *ctx, const char *label, uint64_t done, uint64_t total)
{
	if (ctx && ctx->progress_fn)
		ctx->progress_fn(ctx->progress_user, label, done, total);
}

int qc_set_trace_file(qc_ctx *ctx, const char *path)
{
	if (ctx->trace) {
		fclose(ctx->trace);
		ctx->trace = NULL;
	}
	if (!path)
		return 0;
	ctx->trace = fopen(path, "w");
	if (!ctx->trace)
		return qc_fail(ctx, QC_E_IO, "cannot open trace file %s: %s", path, strerror(errno));
	return 0;
}

void qc_trace(qc_ctx *ctx, enum qc_trace_dir dir, const void *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = buf;
	struct timespec ts;
	char line[4096];

	if (!ctx || !ctx->trace)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(ctx->trace, "%lld.%06ld %s %zu ", (long long)ts.tv_sec, ts.tv_nsec / 1000,
		dir == QC_TRACE_TX ? "->" : "<-", len);
	/* Hex in bounded chunks so a 1 MiB raw transfer does not need a 2 MiB line buffer. */
	for (size_t i = 0; i < len;) {
		size_t n = 0;

		while (i < len && n + 2 < sizeof(line)) {
			line[n++] = hex[p[i] >> 4];
			line[n++] = hex[p[i] & 15];
			i++;
		}
		fwrite(line, 1, n, ctx->trace);
	}
	fputc('\n', ctx->trace);
	fflush(ctx->trace);
}
