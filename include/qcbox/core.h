/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qcbox core: the context object every call takes, error codes, logging,
 * progress reporting and packet tracing.  The library keeps no global state:
 * one process may drive many devices at once, one context per device/thread.
 */
#ifndef QCBOX_CORE_H
#define QCBOX_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(QCBOX_BUILDING) && defined(__GNUC__)
#define QC_API __attribute__((visibility("default")))
#else
#define QC_API
#endif

#if defined(__GNUC__)
#define QC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define QC_PRINTF(f, a)
#endif

/* Every library call returns 0 (or a non-negative count) on success and one
 * of these on failure.  The context also keeps a sentence describing the
 * last failure in detail (qc_last_error()). */
enum qc_error {
	QC_OK = 0,
	QC_E_INVAL = -1,        /* invalid argument */
	QC_E_NOMEM = -2,        /* out of memory */
	QC_E_IO = -3,           /* I/O error on a file or link */
	QC_E_TIMEOUT = -4,      /* no answer within the timeout */
	QC_E_PROTOCOL = -5,     /* the device broke the protocol */
	QC_E_CRC = -6,          /* a frame failed its checksum */
	QC_E_TOOBIG = -7,       /* a length beyond what is allowed */
	QC_E_NODEV = -8,        /* no such device */
	QC_E_DISCONNECTED = -9, /* the device went away */
	QC_E_NAK = -10,         /* the device refused the request */
	QC_E_UNSUPPORTED = -11, /* the device or build does not offer this */
	QC_E_FORMAT = -12,      /* an input file is malformed */
	QC_E_NOTFOUND = -13,    /* no such file, partition, item */
	QC_E_VERIFY = -14,      /* data read back differs from data written */
	QC_E_RANGE = -15,       /* outside the device's or partition's bounds */
	QC_E_AMBIGUOUS = -16,   /* several devices/partitions match */
	QC_E_DEVICE = -17,      /* the device reported an error status */
	QC_E_EXISTS = -18,      /* already exists */
	QC_E_PERM = -19,        /* not permitted (locked, read-only, SPC) */
	QC_E_UNSAFE = -20,      /* refused: would write outside the destination */
	QC_E_CANCELLED = -21,   /* stopped by the caller */
	QC_E_BUSY = -22,        /* device or resource busy */
};
#define QC_E_LAST QC_E_BUSY

/* A short fixed description of an error code ("timed out"). */
QC_API const char *qc_strerror(int err);

/* The symbolic name of an error code ("QC_E_TIMEOUT"). */
QC_API const char *qc_error_name(int err);

enum qc_log_level {
	QC_LOG_ERROR = 0,
	QC_LOG_WARN = 1,
	QC_LOG_INFO = 2,
	QC_LOG_DEBUG = 3,
	QC_LOG_TRACE = 4,
};

typedef struct qc_ctx qc_ctx;

typedef void (*qc_log_fn)(void *user, int level, const char *msg);

/* Called for long operations: label names what is being done ("boot_a"),
 * done/total are bytes (total 0 when unknown).  done == total ends it. */
typedef void (*qc_progress_fn)(void *user, const char *label, uint64_t done, uint64_t total);

QC_API qc_ctx *qc_ctx_new(void);
QC_API void qc_ctx_free(qc_ctx *ctx);

QC_API void qc_set_log(qc_ctx *ctx, qc_log_fn fn, void *user);
QC_API void qc_set_log_level(qc_ctx *ctx, int level);
QC_API int qc_get_log_level(const qc_ctx *ctx);
QC_API void qc_set_progress(qc_ctx *ctx, qc_progress_fn fn, void *user);

/* Per-response timeout in milliseconds used by the protocol layers. */
QC_API void qc_set_timeout(qc_ctx *ctx, int timeout_ms);
QC_API int qc_get_timeout(const qc_ctx *ctx);

/* Packet tracing: every transport read/write is written to PATH as
 * "<seconds.micro> <-|-> <len> <hex>" lines.  NULL stops tracing. */
QC_API int qc_set_trace_file(qc_ctx *ctx, const char *path);

/* The sentence describing the last failure on this context, or "" if none. */
QC_API const char *qc_last_error(const qc_ctx *ctx);
QC_API void qc_clear_error(qc_ctx *ctx);

/* Records a failure sentence on the context and returns err, so library
 * code can write `return qc_fail(ctx, QC_E_PROTOCOL, "...", ...);`. */
QC_API int qc_fail(qc_ctx *ctx, int err, const char *fmt, ...) QC_PRINTF(3, 4);

QC_API void qc_log(qc_ctx *ctx, int level, const char *fmt, ...) QC_PRINTF(3, 4);
QC_API void qc_vlog(qc_ctx *ctx, int level, const char *fmt, va_list ap);
QC_API void qc_progress(qc_ctx *ctx, const char *label, uint64_t done, uint64_t total);

/* Cancellation: a caller (e.g. a signal handler setting a flag) may ask a
 * long operation to stop at its next packet boundary. */
QC_API void qc_cancel(qc_ctx *ctx);
QC_API int qc_cancelled(const qc_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
