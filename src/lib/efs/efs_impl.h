/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the EFS2 client shared by its source files. */
#ifndef QC_EFS_IMPL_H
#define QC_EFS_IMPL_H

#include <openssl/evp.h>

#include "efs/efs_wire.h"
#include "qcbox/efs.h"

/* Longest path the client sends (EFS reports 1024 as its usual max_path). */
#define QC_EFS_PATH_MAX 1024
/* Requests: a WRITE or PUT of one chunk plus a path; replies may be larger
 * than any sane EFS answer, up to what the DIAG layer accepts, so an
 * oversized one is detected rather than cut. */
#define QC_EFS_REQ_CAP (QC_EFS_MAX_CHUNK + QC_EFS_PATH_MAX + 64)
#define QC_EFS_RSP_CAP (64 * 1024)
/* Files at least this large get a progress bar. */
#define QC_EFS_PROGRESS_MIN (1u << 20)

struct qc_efs {
	qc_diag *d;
	qc_ctx *ctx;
	uint8_t subsys;
	struct qc_efs_hello neg;
	size_t rchunk, wchunk, user_cap;
	struct qc_efs_limits lim;
	int32_t last_errno;
	uint8_t nak;  /* first byte of the last whole-packet error reply */
	uint16_t seq; /* sequence number of the ops that carry one */
	uint8_t req[QC_EFS_REQ_CAP];
	uint8_t rsp[QC_EFS_RSP_CAP];
};

/* One request/reply exchange.  REQ->op and its fields are set by the
 * caller; the reply is decoded into RSP (pointing into e->rsp) and checked
 * for subsystem, opcode, an ERROR packet, and a non-zero errno.  WHAT names
 * the object for messages (a path or "fd 3"). */
int qc_efs_call(qc_efs *e, struct qc_efs_pkt *req, struct qc_efs_pkt *rsp, const char *what);

/* Fails with "EFS error NAME (N) for WHAT: text". */
int qc_efs_fail_errno(qc_efs *e, int32_t efs_errno, const char *what);

/* READ / WRITE with WHAT naming the file for messages. */
int qc_efs_read_named(qc_efs *e, int fd, uint32_t offset, void *buf, size_t len, const char *what);
int qc_efs_write_named(qc_efs *e, int fd, uint32_t offset, const void *buf, size_t len, const char *what);

/* Copies remote PATH, of type KIND and STATED size (from STAT or READDIR),
 * into local FD; see qc_efs_get_file(). */
int qc_efs_get_open(qc_efs *e, const char *path, int kind, int64_t stated, int fd, bool sha256,
		    struct qc_efs_xfer *x);
int qc_efs_hash_begin(qc_efs *e, EVP_MD_CTX **md);

/* PARENT + "/" + NAME into OUT; false if it does not fit. */
bool qc_efs_join(char *out, size_t cap, const char *parent, const char *name);

#endif
