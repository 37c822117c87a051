/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EFS2 packets, shared by the host client (src/lib/efs) and the simulated
 * modem (src/sim/diag_efs.c).  Every packet is 4B <subsys> <op u16 LE>
 * followed by fields described by a short layout string, so both sides
 * encode and decode with the same table and cannot drift apart.
 *
 * Layout characters:
 *   b  u8          h  u16          d  32-bit (signed or not, by the caller)
 *   s  char[8]     z  NUL-terminated string
 *   r  the rest of the packet (data)
 *   D  data whose length is the first numeric field (PUT)
 * All numbers are little-endian.
 */
#ifndef QC_EFS_WIRE_H
#define QC_EFS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/bytes.h"

#define QC_EFS_HDR_LEN 4
#define QC_EFS_MAX_NUMS 16

/* Opcodes of fs_diag (the numbering of Qualcomm's fs_diag_i.h; several
 * open clients have some of them wrong). */
enum qc_efs_op {
	QC_EFS_OP_HELLO = 0,
	QC_EFS_OP_QUERY = 1,
	QC_EFS_OP_OPEN = 2,
	QC_EFS_OP_CLOSE = 3,
	QC_EFS_OP_READ = 4,
	QC_EFS_OP_WRITE = 5,
	QC_EFS_OP_SYMLINK = 6,
	QC_EFS_OP_READLINK = 7,
	QC_EFS_OP_UNLINK = 8,
	QC_EFS_OP_MKDIR = 9,
	QC_EFS_OP_RMDIR = 10,
	QC_EFS_OP_OPENDIR = 11,
	QC_EFS_OP_READDIR = 12,
	QC_EFS_OP_CLOSEDIR = 13,
	QC_EFS_OP_RENAME = 14,
	QC_EFS_OP_STAT = 15,
	QC_EFS_OP_LSTAT = 16,
	QC_EFS_OP_FSTAT = 17,
	QC_EFS_OP_CHMOD = 18,
	QC_EFS_OP_STATFS = 19,
	QC_EFS_OP_ACCESS = 20,
	QC_EFS_OP_PUT_OLD = 26,
	QC_EFS_OP_GET_OLD = 27,
	QC_EFS_OP_ERROR = 28,
	QC_EFS_OP_DELTREE = 37,
	QC_EFS_OP_PUT = 38,
	QC_EFS_OP_GET = 39,
	QC_EFS_OP_TRUNCATE = 40,
	QC_EFS_OP_FTRUNCATE = 41,
};

struct qc_efs_layout {
	uint16_t op;
	const char *name;
	const char *req;
	const char *rsp;
	int rsp_errno; /* index of errno among the response numbers, -1 if none */
	bool writes;   /* changes the file system (refused while locked) */
};

/* The layout of OP, or NULL for an opcode neither side implements. */
const struct qc_efs_layout *qc_efs_layout(uint16_t op);
/* "OPEN", "READDIR", ... ("op 99" style names are the caller's business). */
const char *qc_efs_op_name(uint16_t op);

/* A decoded or to-be-encoded packet.  Decoded strings and data point into
 * the packet buffer. */
struct qc_efs_pkt {
	uint8_t subsys;
	uint16_t op;
	uint32_t num[QC_EFS_MAX_NUMS];
	size_t nnum;
	const char *str[2];
	size_t slen[2]; /* without the NUL */
	size_t nstr;
	char fixed[8];
	const uint8_t *data;
	size_t dlen;
	/* decode only: bytes after the terminating NUL of the last string (a
	 * name with an embedded NUL), and whether the last string had no NUL */
	size_t tail_nonzero;
	size_t last_span; /* bytes from the last string's start to the packet end */
	bool unterminated;
};

/* Encodes P with LAYOUT (the request or the response one) into OUT.
 * Returns the length or QC_E_TOOBIG / QC_E_INVAL. */
ssize_t qc_efs_encode(const struct qc_efs_pkt *p, const char *layout, uint8_t *out, size_t cap);

/* Decodes BUF.  ERRNO_IDX >= 0 marks the errno number: when it is
 * non-zero the packet may end right after it (fields after errno are only
 * meaningful on success).  STRICT (the device decoding requests) wants
 * every string terminated.  Returns 0 or QC_E_PROTOCOL with *WHY naming
 * the fault. */
int qc_efs_decode(const uint8_t *buf, size_t len, const char *layout, int errno_idx, bool strict,
		  struct qc_efs_pkt *p, const char **why);

#endif
