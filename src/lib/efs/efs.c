/* SPDX-License-Identifier: BSD-3-Clause */
/* EFS2 session: HELLO and subsystem choice, the request/reply exchange,
 * and the calls that are one packet each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efs/efs_impl.h"

/* What qcbox offers in HELLO: fs_diag's default windows (1 MiB), protocol
 * version 1, and every feature bit (the device ANDs them with its own). */
#define HOST_WINDOW 0x100000u
#define HOST_VERSION 1u

/* A window of 0 says nothing useful; fall back to the 1024-byte read limit
 * fs_diag itself applies (FS_DIAG_MAX_READ_REQ). */
#define FALLBACK_CHUNK 1024u

static const struct qc_efs_limits default_limits = {
	.max_dir_entries = 16384,
	.max_depth = 64,
	.max_total_entries = 262144,
};

int qc_efs_fail_errno(qc_efs *e, int32_t efs_errno, const char *what)
{
	const char *name = qc_efs_errno_name(efs_errno);
	char pr[QC_EFS_PATH_MAX * 2];

	qc_efs_escape(what, strlen(what), pr, sizeof(pr));
	e->last_errno = efs_errno;
	if (!name)
		return qc_fail(e->ctx, QC_E_DEVICE, "EFS error %d for %s: unknown error number", (int)efs_errno, pr);
	if ((uint32_t)efs_errno >= 0x40000000u)
		return qc_fail(e->ctx, qc_efs_errno_to_error(efs_errno), "EFS error %s (0x%08x) for %s: %s", name,
			       (unsigned)efs_errno, pr, qc_efs_errno_text(efs_errno));
	return qc_fail(e->ctx, qc_efs_errno_to_error(efs_errno), "EFS error %s (%d) for %s: %s", name, (int)efs_errno,
		       pr, qc_efs_errno_text(efs_errno));
}

/* Whole-packet refusals come before any errno: a locked phone answers
 * 0x47, an EFS endpoint that does not exist 0x13. */
static int refused(qc_efs *e, uint16_t op, const char *what)
{
	const char *name = qc_diag_error_reply_name(e->nak);
	int err;

	switch (e->nak) {
	case QC_DIAG_BAD_CMD: err = QC_E_UNSUPPORTED; break;
	case QC_DIAG_BAD_SPC_MODE:
	case QC_DIAG_BAD_SEC_MODE:
	case QC_DIAG_SSM_DISALLOWED: err = QC_E_PERM; break;
	default: err = QC_E_NAK; break;
	}
	return qc_fail(e->ctx, err, "EFS %s of %s refused by the device (subsystem 0x%02x): %s", qc_efs_op_name(op), what,
		       e->subsys, name ? name : "error reply");
}

int qc_efs_call(qc_efs *e, struct qc_efs_pkt *req, struct qc_efs_pkt *rsp, const char *what)
{
	const struct qc_efs_layout *l = qc_efs_layout(req->op);
	char pr[QC_EFS_PATH_MAX * 2];
	const char *why;
	size_t rlen;
	ssize_t n;
	int rc;

	qc_efs_escape(what, strlen(what), pr, sizeof(pr));
	if (!l)
		return qc_fail(e->ctx, QC_E_INVAL, "EFS opcode %u is not known", req->op);
	req->subsys = e->subsys;
	n = qc_efs_encode(req, l->req, e->req, sizeof(e->req));
	if (n < 0)
		return qc_fail(e->ctx, (int)n, "EFS %s request for %s does not fit in one packet", l->name, pr);
	e->last_errno = 0;
	e->nak = 0;
	rc = qc_diag_request(e->d, e->req, (size_t)n, e->rsp, sizeof(e->rsp), &rlen);
	if (rc == QC_E_NAK) {
		e->nak = e->rsp[0];
		return refused(e, req->op, pr);
	}
	if (rc < 0)
		return rc;
	if (rlen > sizeof(e->rsp))
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS %s reply for %s is %zu bytes, more than the %zu accepted",
			       l->name, pr, rlen, sizeof(e->rsp));
	if (rlen >= QC_EFS_HDR_LEN && e->rsp[1] == e->subsys && qc_get_le16(e->rsp + 2) == QC_EFS_OP_ERROR) {
		/* fs_diag's own error packet: errno plus a copy of the request. */
		rc = qc_efs_decode(e->rsp, rlen, qc_efs_layout(QC_EFS_OP_ERROR)->rsp, -1, false, rsp, &why);
		if (rc < 0)
			return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS ERROR reply to %s for %s is malformed: %s", l->name,
				       pr, why);
		return qc_efs_fail_errno(e, (int32_t)rsp->num[0], what);
	}
	if (rlen < QC_EFS_HDR_LEN || e->rsp[1] != e->subsys || qc_get_le16(e->rsp + 2) != req->op)
		return qc_fail(e->ctx, QC_E_PROTOCOL,
			       "the device answered EFS %s for %s with a reply to another command (%zu bytes: %02x %02x %02x %02x)",
			       l->name, pr, rlen, rlen > 0 ? e->rsp[0] : 0, rlen > 1 ? e->rsp[1] : 0,
			       rlen > 2 ? e->rsp[2] : 0, rlen > 3 ? e->rsp[3] : 0);
	rc = qc_efs_decode(e->rsp, rlen, l->rsp, l->rsp_errno, false, rsp, &why);
	if (rc < 0)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS %s reply for %s (%zu bytes) %s", l->name, pr, rlen, why);
	if (l->rsp_errno >= 0 && rsp->num[l->rsp_errno] != 0)
		return qc_efs_fail_errno(e, (int32_t)rsp->num[l->rsp_errno], what);
	return 0;
}

static size_t window_chunk(uint32_t window, size_t user_cap)
{
	size_t c = window ? window : FALLBACK_CHUNK;

	if (c > QC_EFS_MAX_CHUNK)
		c = QC_EFS_MAX_CHUNK;
	if (user_cap && c > user_cap)
		c = user_cap;
	return c;
}

static uint32_t smaller(uint32_t a, uint32_t b) { return a < b ? a : b; }

static void set_chunks(qc_efs *e)
{
	/* The host byte window bounds what the device sends in one reply,
	 * the target byte window what it takes in one request. */
	e->rchunk = window_chunk(e->neg.host_byte_window, e->user_cap);
	e->wchunk = window_chunk(e->neg.targ_byte_window, e->user_cap);
}

int qc_efs_hello(qc_efs *e)
{
	const uint32_t sent[10] = {HOST_WINDOW, HOST_WINDOW, HOST_WINDOW,  HOST_WINDOW,  HOST_WINDOW,
				   HOST_WINDOW, HOST_VERSION, HOST_VERSION, HOST_VERSION, 0xffffffffu};
	struct qc_efs_pkt req = {.op = QC_EFS_OP_HELLO, .nnum = 10}, rsp;
	uint32_t *w;
	int rc;

	memcpy(req.num, sent, sizeof(sent));
	rc = qc_efs_call(e, &req, &rsp, "HELLO");
	if (rc < 0)
		return rc;
	/* The device should already answer the smaller of each pair; do not
	 * rely on it. */
	w = &e->neg.targ_pkt_window;
	for (int i = 0; i < 6; i++)
		w[i] = smaller(sent[i], rsp.num[i]);
	e->neg.version = rsp.num[6];
	e->neg.min_version = rsp.num[7];
	e->neg.max_version = rsp.num[8];
	e->neg.feature_bits = rsp.num[9] & sent[9];
	set_chunks(e);
	qc_log(e->ctx, QC_LOG_DEBUG,
	       "EFS2 on subsystem 0x%02x: windows targ %u/%u host %u/%u iter %u/%u, version %u, features 0x%08x; "
	       "chunks: read %zu, write %zu",
	       e->subsys, e->neg.targ_pkt_window, e->neg.targ_byte_window, e->neg.host_pkt_window,
	       e->neg.host_byte_window, e->neg.iter_pkt_window, e->neg.iter_byte_window, e->neg.version,
	       e->neg.feature_bits, e->rchunk, e->wchunk);
	return 0;
}

/* A refusal that means "no EFS here" rather than "EFS said no". */
static bool endpoint_missing(const qc_efs *e, int rc)
{
	return (rc == QC_E_UNSUPPORTED || rc == QC_E_NAK) &&
	       (e->nak == QC_DIAG_BAD_CMD || e->nak == QC_DIAG_BAD_PARM || e->nak == QC_DIAG_BAD_LEN);
}

int qc_efs_new(qc_diag *d, uint8_t subsys, qc_efs **out)
{
	qc_ctx *ctx = qc_transport_ctx(qc_diag_transport(d));
	qc_efs *e;
	int rc;

	*out = NULL;
	if (subsys && subsys != QC_EFS_SUBSYS_FS && subsys != QC_EFS_SUBSYS_FS_ALT)
		return qc_fail(ctx, QC_E_INVAL, "EFS2 subsystem 0x%02x is neither 0x13 nor 0x3E", subsys);
	e = calloc(1, sizeof(*e));
	if (!e)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	e->d = d;
	e->ctx = ctx;
	e->lim = default_limits;
	e->subsys = subsys ? subsys : QC_EFS_SUBSYS_FS;
	rc = qc_efs_hello(e);
	if (rc < 0 && !subsys && endpoint_missing(e, rc)) {
		/* Newer modems serve EFS2 on the alternate id only. */
		qc_log(ctx, QC_LOG_INFO, "EFS2 HELLO on subsystem 0x13 refused; trying 0x3E");
		e->subsys = QC_EFS_SUBSYS_FS_ALT;
		rc = qc_efs_hello(e);
		if (rc < 0 && endpoint_missing(e, rc))
			rc = qc_fail(ctx, QC_E_UNSUPPORTED,
				     "the device answers EFS2 on neither DIAG subsystem 0x13 nor 0x3E (%s)",
				     qc_diag_error_reply_name(e->nak));
	}
	if (rc < 0) {
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void qc_efs_free(qc_efs *e) { free(e); }
qc_ctx *qc_efs_ctx(const qc_efs *e) { return e->ctx; }
uint8_t qc_efs_subsys(const qc_efs *e) { return e->subsys; }
const struct qc_efs_hello *qc_efs_negotiated(const qc_efs *e) { return &e->neg; }
size_t qc_efs_read_chunk(const qc_efs *e) { return e->rchunk; }
size_t qc_efs_write_chunk(const qc_efs *e) { return e->wchunk; }
int32_t qc_efs_last_errno(const qc_efs *e) { return e->last_errno; }
void qc_efs_get_limits(const qc_efs *e, struct qc_efs_limits *out) { *out = e->lim; }

int qc_efs_set_max_chunk(qc_efs *e, size_t bytes)
{
	if (bytes > QC_EFS_MAX_CHUNK)
		return qc_fail(e->ctx, QC_E_INVAL, "EFS chunk of %zu bytes is over the %u-byte maximum", bytes,
			       QC_EFS_MAX_CHUNK);
	e->user_cap = bytes;
	set_chunks(e);
	return 0;
}

int qc_efs_set_limits(qc_efs *e, const struct qc_efs_limits *limits)
{
	if (!limits->max_dir_entries || !limits->max_depth || !limits->max_total_entries)
		return qc_fail(e->ctx, QC_E_INVAL, "EFS walk limits must be at least 1");
	e->lim = *limits;
	return 0;
}

/* ----- one packet each ----- */

static int check_path(qc_efs *e, const char *path)
{
	size_t n = strlen(path);

	if (n == 0)
		return qc_fail(e->ctx, QC_E_INVAL, "empty EFS path");
	if (n >= QC_EFS_PATH_MAX)
		return qc_fail(e->ctx, QC_E_INVAL, "EFS path of %zu bytes is longer than %d", n, QC_EFS_PATH_MAX - 1);
	return 0;
}

static void set_str(struct qc_efs_pkt *p, const char *s)
{
	p->str[p->nstr] = s;
	p->slen[p->nstr] = strlen(s);
	p->nstr++;
}

/* Path-only requests answered by errno alone. */
static int path_call(qc_efs *e, uint16_t op, const char *path)
{
	struct qc_efs_pkt req = {.op = op}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	return qc_efs_call(e, &req, &rsp, path);
}

int qc_efs_query(qc_efs *e, struct qc_efs_query *out)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_QUERY}, rsp;
	int rc = qc_efs_call(e, &req, &rsp, "QUERY");

	if (rc < 0)
		return rc;
	out->max_name = (int32_t)rsp.num[0];
	out->max_path = (int32_t)rsp.num[1];
	out->max_link_depth = (int32_t)rsp.num[2];
	out->max_file_size = (int32_t)rsp.num[3];
	out->max_dir_entries = (int32_t)rsp.num[4];
	out->max_mounts = (int32_t)rsp.num[5];
	return 0;
}

int qc_efs_open(qc_efs *e, const char *path, int flags, uint32_t mode)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_OPEN, .nnum = 2, .num = {(uint32_t)flags, mode}}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	rc = qc_efs_call(e, &req, &rsp, path);
	if (rc < 0)
		return rc;
	if ((int32_t)rsp.num[0] < 0)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS OPEN of %s returned handle %d without an errno", path,
			       (int)(int32_t)rsp.num[0]);
	return (int)(int32_t)rsp.num[0];
}

int qc_efs_close(qc_efs *e, int fd)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_CLOSE, .nnum = 1, .num = {(uint32_t)fd}}, rsp;
	char what[32];

	snprintf(what, sizeof(what), "fd %d", fd);
	return qc_efs_call(e, &req, &rsp, what);
}

int qc_efs_read_named(qc_efs *e, int fd, uint32_t offset, void *buf, size_t len, const char *what)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_READ, .nnum = 3}, rsp;
	int32_t got;
	int rc;

	if (len > e->rchunk)
		len = e->rchunk;
	req.num[0] = (uint32_t)fd;
	req.num[1] = (uint32_t)len;
	req.num[2] = offset;
	rc = qc_efs_call(e, &req, &rsp, what);
	if (rc < 0)
		return rc;
	got = (int32_t)rsp.num[2];
	if (rsp.num[0] != (uint32_t)fd || rsp.num[1] != offset)
		return qc_fail(e->ctx, QC_E_PROTOCOL,
			       "EFS READ reply for %s is for handle %u offset %u, not handle %d offset %u", what,
			       rsp.num[0], rsp.num[1], fd, offset);
	if (got < 0 || (size_t)got > len)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS READ of %s at offset %u returned %d bytes for %zu asked",
			       what, offset, (int)got, len);
	if (rsp.dlen < (size_t)got)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS READ reply for %s says %d bytes but carries %zu", what,
			       (int)got, rsp.dlen);
	if (got)
		memcpy(buf, rsp.data, (size_t)got);
	return (int)got;
}

int qc_efs_read(qc_efs *e, int fd, uint32_t offset, void *buf, size_t len)
{
	char what[32];

	snprintf(what, sizeof(what), "fd %d", fd);
	return qc_efs_read_named(e, fd, offset, buf, len, what);
}

int qc_efs_write_named(qc_efs *e, int fd, uint32_t offset, const void *buf, size_t len, const char *what)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_WRITE, .nnum = 2}, rsp;
	int32_t put;
	int rc;

	for (;;) {
		if (len > e->wchunk)
			len = e->wchunk;
		req.num[0] = (uint32_t)fd;
		req.num[1] = offset;
		req.data = buf;
		req.dlen = len;
		rc = qc_efs_call(e, &req, &rsp, what);
		/* A modem whose request buffer is smaller than its window
		 * says "bad length"; smaller writes still work there. */
		if (rc == QC_E_NAK && e->nak == QC_DIAG_BAD_LEN && e->wchunk > 512) {
			e->wchunk /= 2;
			qc_log(e->ctx, QC_LOG_INFO, "EFS WRITE of %zu bytes refused as too long; using %zu", len,
			       e->wchunk);
			continue;
		}
		break;
	}
	if (rc < 0)
		return rc;
	put = (int32_t)rsp.num[2];
	if (rsp.num[0] != (uint32_t)fd || rsp.num[1] != offset)
		return qc_fail(e->ctx, QC_E_PROTOCOL,
			       "EFS WRITE reply for %s is for handle %u offset %u, not handle %d offset %u", what,
			       rsp.num[0], rsp.num[1], fd, offset);
	if (put <= 0 || (size_t)put > len)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS WRITE to %s at offset %u wrote %d of %zu bytes", what,
			       offset, (int)put, len);
	return (int)put;
}

int qc_efs_write(qc_efs *e, int fd, uint32_t offset, const void *buf, size_t len)
{
	char what[32];

	snprintf(what, sizeof(what), "fd %d", fd);
	return qc_efs_write_named(e, fd, offset, buf, len, what);
}

static void fill_stat(struct qc_efs_stat *st, const struct qc_efs_pkt *rsp, bool has_size)
{
	const uint32_t *n = rsp->num;

	memset(st, 0, sizeof(*st));
	st->mode = n[1];
	if (has_size) {
		st->size = (int32_t)n[2];
		st->nlink = n[3];
		st->atime = (int32_t)n[4];
		st->mtime = (int32_t)n[5];
		st->ctime = (int32_t)n[6];
	} else {
		st->size = -1;
		st->atime = (int32_t)n[2];
		st->mtime = (int32_t)n[3];
		st->ctime = (int32_t)n[4];
	}
}

/* STAT and LSTAT differ only in the opcode and in how a link is reported. */
static int path_stat(qc_efs *e, uint16_t op, const char *path, struct qc_efs_stat *st, bool follow)
{
	struct qc_efs_pkt req = {.op = op}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	rc = qc_efs_call(e, &req, &rsp, path);
	if (rc < 0)
		return rc;
	fill_stat(st, &rsp, follow);
	return 0;
}

int qc_efs_stat(qc_efs *e, const char *path, struct qc_efs_stat *st)
{
	return path_stat(e, QC_EFS_OP_STAT, path, st, true);
}

int qc_efs_lstat(qc_efs *e, const char *path, struct qc_efs_stat *st)
{
	return path_stat(e, QC_EFS_OP_LSTAT, path, st, false);
}

int qc_efs_fstat(qc_efs *e, int fd, struct qc_efs_stat *st)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_FSTAT, .nnum = 1, .num = {(uint32_t)fd}}, rsp;
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "fd %d", fd);
	rc = qc_efs_call(e, &req, &rsp, what);
	if (rc < 0)
		return rc;
	fill_stat(st, &rsp, true);
	return 0;
}

int qc_efs_statfs(qc_efs *e, const char *path, struct qc_efs_statfs *out)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_STATFS}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	rc = qc_efs_call(e, &req, &rsp, path);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->fs_id = (int32_t)rsp.num[1];
	/* fs_type is eight bytes, NUL-padded when shorter; keep it printable. */
	for (int i = 0; i < 8 && rsp.fixed[i]; i++)
		out->fs_type[i] = rsp.fixed[i] >= 0x20 && rsp.fixed[i] < 0x7f ? rsp.fixed[i] : '?';
	out->block_size = rsp.num[2];
	out->total_blocks = rsp.num[3];
	out->avail_blocks = rsp.num[4];
	out->free_blocks = rsp.num[5];
	out->max_file_size = rsp.num[6];
	out->nfiles = rsp.num[7];
	out->max_nfiles = rsp.num[8];
	return 0;
}

int qc_efs_mkdir(qc_efs *e, const char *path, uint32_t mode)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_MKDIR, .nnum = 1, .num = {mode & 07777}}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	return qc_efs_call(e, &req, &rsp, path);
}

int qc_efs_chmod(qc_efs *e, const char *path, uint32_t mode)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_CHMOD, .nnum = 1, .num = {mode & 07777}}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	return qc_efs_call(e, &req, &rsp, path);
}

int qc_efs_rmdir(qc_efs *e, const char *path) { return path_call(e, QC_EFS_OP_RMDIR, path); }
int qc_efs_unlink(qc_efs *e, const char *path) { return path_call(e, QC_EFS_OP_UNLINK, path); }

static int two_paths(qc_efs *e, uint16_t op, const char *a, const char *b, const char *what)
{
	struct qc_efs_pkt req = {.op = op}, rsp;
	int rc = check_path(e, a);

	if (rc == 0)
		rc = check_path(e, b);
	if (rc < 0)
		return rc;
	set_str(&req, a);
	set_str(&req, b);
	return qc_efs_call(e, &req, &rsp, what);
}

int qc_efs_rename(qc_efs *e, const char *oldpath, const char *newpath)
{
	return two_paths(e, QC_EFS_OP_RENAME, oldpath, newpath, oldpath);
}

int qc_efs_symlink(qc_efs *e, const char *target, const char *linkpath)
{
	return two_paths(e, QC_EFS_OP_SYMLINK, target, linkpath, linkpath);
}

int qc_efs_readlink(qc_efs *e, const char *path, char *buf, size_t cap)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_READLINK}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	if (cap == 0)
		return qc_fail(e->ctx, QC_E_INVAL, "no room for the target of %s", path);
	set_str(&req, path);
	rc = qc_efs_call(e, &req, &rsp, path);
	if (rc < 0)
		return rc;
	if (rsp.nstr < 1 || rsp.slen[0] >= cap || rsp.slen[0] > INT32_MAX)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS READLINK reply for %s has a target of %zu bytes", path,
			       rsp.nstr ? rsp.slen[0] : 0);
	memcpy(buf, rsp.str[0], rsp.slen[0]);
	buf[rsp.slen[0]] = '\0';
	return (int)rsp.slen[0];
}

/* The calls numbered from 37 on carry a sequence number the reply echoes. */
static int seq_call(qc_efs *e, struct qc_efs_pkt *req, struct qc_efs_pkt *rsp, int seq_idx, const char *what)
{
	uint16_t seq = ++e->seq;
	int rc;

	req->num[seq_idx] = seq;
	rc = qc_efs_call(e, req, rsp, what);
	if (rc < 0)
		return rc;
	if (rsp->num[rsp->op == QC_EFS_OP_GET ? 2 : 0] != seq)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS %s reply for %s carries sequence %u, not %u",
			       qc_efs_op_name(req->op), what, rsp->num[rsp->op == QC_EFS_OP_GET ? 2 : 0], seq);
	return 0;
}

int qc_efs_truncate(qc_efs *e, const char *path, uint32_t length)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_TRUNCATE, .nnum = 2, .num = {0, length}}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	set_str(&req, path);
	return seq_call(e, &req, &rsp, 0, path);
}

int qc_efs_ftruncate(qc_efs *e, int fd, uint32_t length)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_FTRUNCATE, .nnum = 3, .num = {0, length, (uint32_t)fd}}, rsp;
	char what[32];

	snprintf(what, sizeof(what), "fd %d", fd);
	return seq_call(e, &req, &rsp, 0, what);
}

int qc_efs_get_item(qc_efs *e, const char *path, void *buf, size_t cap, size_t *len)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_GET, .nnum = 3}, rsp;
	size_t want = cap < e->rchunk ? cap : e->rchunk;
	int32_t n;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	req.num[0] = (uint32_t)want;
	req.num[1] = (uint32_t)strlen(path) + 1;
	set_str(&req, path);
	rc = seq_call(e, &req, &rsp, 2, path);
	if (rc == QC_E_UNSUPPORTED && e->nak == QC_DIAG_BAD_CMD) {
		/* Older fs_diag only has the GET without a sequence number. */
		struct qc_efs_pkt old = {.op = QC_EFS_OP_GET_OLD, .nnum = 2, .num = {req.num[0], req.num[1]}};

		set_str(&old, path);
		rc = qc_efs_call(e, &old, &rsp, path);
	}
	if (rc < 0)
		return rc;
	n = (int32_t)rsp.num[0];
	if (n < 0 || (size_t)n > want || (size_t)n > rsp.dlen)
		return qc_fail(e->ctx, QC_E_PROTOCOL,
			       "EFS GET reply for %s says %d bytes (asked for at most %zu, carries %zu)", path, (int)n,
			       want, rsp.dlen);
	if (n)
		memcpy(buf, rsp.data, (size_t)n);
	*len = (size_t)n;
	return 0;
}

/* No fallback to the older PUT (26): it is reported to hang some modems. */
int qc_efs_put_item(qc_efs *e, const char *path, const void *data, size_t len, uint32_t flags)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_PUT, .nnum = 3}, rsp;
	int rc = check_path(e, path);

	if (rc < 0)
		return rc;
	if (len > e->wchunk)
		return qc_fail(e->ctx, QC_E_TOOBIG, "item file %s of %zu bytes does not fit in one PUT (at most %zu)",
			       path, len, e->wchunk);
	req.num[0] = (uint32_t)len;
	req.num[1] = flags;
	req.data = data;
	req.dlen = len;
	set_str(&req, path);
	return seq_call(e, &req, &rsp, 2, path);
}
