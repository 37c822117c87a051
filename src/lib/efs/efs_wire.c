/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "efs/efs_wire.h"
#include "qcbox/core.h"

/*
 * Field layouts from fs_diag_i.h, as summarised in the protocol notes
 * (diag-nv-efs.md, section 2.4).  Worth remembering:
 *  - OPEN/READ/WRITE/READDIR carry errno after the handle fields;
 *  - LSTAT has no size and no nlink, unlike STAT/FSTAT;
 *  - MKDIR and CHMOD take a 16-bit mode before the path;
 *  - the current item-file calls (PUT 38 / GET 39) have a u16 sequence
 *    number that the older ones (26 / 27) lack; in PUT it sits between the
 *    flags and the data, which is easy to misread as a 16-bit mode.
 */
static const struct qc_efs_layout layouts[] = {
	{QC_EFS_OP_HELLO, "HELLO", "dddddddddd", "dddddddddd", -1, false},
	{QC_EFS_OP_QUERY, "QUERY", "", "dddddd", -1, false},
	/* oflag, mode, path -> fd, errno */
	{QC_EFS_OP_OPEN, "OPEN", "ddz", "dd", 1, false},
	{QC_EFS_OP_CLOSE, "CLOSE", "d", "d", 0, false},
	/* fd, nbyte, offset -> fd, offset, bytes_read, errno, data */
	{QC_EFS_OP_READ, "READ", "ddd", "ddddr", 3, false},
	/* fd, offset, data -> fd, offset, bytes_written, errno */
	{QC_EFS_OP_WRITE, "WRITE", "ddr", "dddd", 3, true},
	/* oldpath (the target), newpath (the link) */
	{QC_EFS_OP_SYMLINK, "SYMLINK", "zz", "d", 0, true},
	{QC_EFS_OP_READLINK, "READLINK", "z", "dz", 0, false},
	{QC_EFS_OP_UNLINK, "UNLINK", "z", "d", 0, true},
	{QC_EFS_OP_MKDIR, "MKDIR", "hz", "d", 0, true},
	{QC_EFS_OP_RMDIR, "RMDIR", "z", "d", 0, true},
	/* path -> dirp, errno */
	{QC_EFS_OP_OPENDIR, "OPENDIR", "z", "dd", 1, false},
	/* dirp, seqno -> dirp, seqno, errno, entry_type, mode, size, atime,
	 * mtime, ctime, name */
	{QC_EFS_OP_READDIR, "READDIR", "dd", "dddddddddz", 2, false},
	{QC_EFS_OP_CLOSEDIR, "CLOSEDIR", "d", "d", 0, false},
	{QC_EFS_OP_RENAME, "RENAME", "zz", "d", 0, true},
	/* errno, mode, size, nlink, atime, mtime, ctime */
	{QC_EFS_OP_STAT, "STAT", "z", "ddddddd", 0, false},
	/* errno, mode, atime, mtime, ctime */
	{QC_EFS_OP_LSTAT, "LSTAT", "z", "ddddd", 0, false},
	{QC_EFS_OP_FSTAT, "FSTAT", "d", "ddddddd", 0, false},
	{QC_EFS_OP_CHMOD, "CHMOD", "hz", "d", 0, true},
	/* errno, fs_id, fs_type[8], block_size, total, avail, free blocks,
	 * max_file_size, nfiles, max_nfiles */
	{QC_EFS_OP_STATFS, "STATFS", "z", "ddsddddddd", 0, false},
	{QC_EFS_OP_ACCESS, "ACCESS", "bz", "d", 0, false},
	/* data_length, flags, data, path */
	{QC_EFS_OP_PUT_OLD, "PUT(26)", "ddDz", "d", 0, true},
	/* data_length, path_length, path -> num_bytes, errno, data */
	{QC_EFS_OP_GET_OLD, "GET(27)", "ddz", "ddr", 1, false},
	/* reply only: errno, copy of the failing request */
	{QC_EFS_OP_ERROR, "ERROR", "", "dr", 0, false},
	{QC_EFS_OP_DELTREE, "DELTREE", "hz", "hd", 1, true},
	/* data_length, flags, seq, data, path -> seq, errno */
	{QC_EFS_OP_PUT, "PUT", "ddhDz", "hd", 1, true},
	/* data_length, path_length, seq, path -> num_bytes, errno, seq, data */
	{QC_EFS_OP_GET, "GET", "ddhz", "ddhr", 1, false},
	/* seq, length, path / seq, length, fd -> seq, errno */
	{QC_EFS_OP_TRUNCATE, "TRUNCATE", "hdz", "hd", 1, true},
	{QC_EFS_OP_FTRUNCATE, "FTRUNCATE", "hdd", "hd", 1, true},
};

const struct qc_efs_layout *qc_efs_layout(uint16_t op)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].op == op)
			return &layouts[i];
	return NULL;
}

const char *qc_efs_op_name(uint16_t op)
{
	const struct qc_efs_layout *l = qc_efs_layout(op);

	return l ? l->name : "unknown";
}

ssize_t qc_efs_encode(const struct qc_efs_pkt *p, const char *layout, uint8_t *out, size_t cap)
{
	size_t pos = QC_EFS_HDR_LEN, ni = 0, si = 0;

	if (cap < QC_EFS_HDR_LEN)
		return QC_E_TOOBIG;
	out[0] = 0x4b;
	out[1] = p->subsys;
	qc_put_le16(out + 2, p->op);
	for (const char *c = layout; *c; c++) {
		size_t need;

		switch (*c) {
		case 'b': need = 1; break;
		case 'h': need = 2; break;
		case 'd': need = 4; break;
		case 's': need = 8; break;
		case 'z':
			if (si >= p->nstr)
				return QC_E_INVAL;
			need = p->slen[si] + 1;
			break;
		case 'r': need = p->dlen; break;
		case 'D':
			if (p->nnum == 0 || p->num[0] != p->dlen)
				return QC_E_INVAL;
			need = p->dlen;
			break;
		default: return QC_E_INVAL;
		}
		if (need > cap - pos)
			return QC_E_TOOBIG;
		if ((*c == 'b' || *c == 'h' || *c == 'd') && ni >= p->nnum)
			return QC_E_INVAL;
		switch (*c) {
		case 'b': out[pos] = (uint8_t)p->num[ni++]; break;
		case 'h': qc_put_le16(out + pos, (uint16_t)p->num[ni++]); break;
		case 'd': qc_put_le32(out + pos, p->num[ni++]); break;
		case 's': memcpy(out + pos, p->fixed, 8); break;
		case 'z':
			if (p->slen[si])
				memcpy(out + pos, p->str[si], p->slen[si]);
			out[pos + p->slen[si]] = 0;
			si++;
			break;
		default:
			if (p->dlen)
				memcpy(out + pos, p->data, p->dlen);
			break;
		}
		pos += need;
	}
	return (ssize_t)pos;
}

/* True once the errno field is known to be non-zero: the rest of a failed
 * reply may be missing. */
static bool failed_so_far(const struct qc_efs_pkt *p, int errno_idx)
{
	return errno_idx >= 0 && p->nnum > (size_t)errno_idx && p->num[errno_idx] != 0;
}

int qc_efs_decode(const uint8_t *buf, size_t len, const char *layout, int errno_idx, bool strict,
		  struct qc_efs_pkt *p, const char **why)
{
	size_t pos = QC_EFS_HDR_LEN;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	if (len < QC_EFS_HDR_LEN) {
		*why = "shorter than its 4-byte header";
		return QC_E_PROTOCOL;
	}
	if (buf[0] != 0x4b) {
		*why = "not a subsystem packet";
		return QC_E_PROTOCOL;
	}
	p->subsys = buf[1];
	p->op = qc_get_le16(buf + 2);
	for (const char *c = layout; *c; c++) {
		size_t left = len - pos, need = 0;

		if (left == 0 && failed_so_far(p, errno_idx))
			return 0;
		switch (*c) {
		case 'b': need = 1; break;
		case 'h': need = 2; break;
		case 'd': need = 4; break;
		case 's': need = 8; break;
		default: break;
		}
		if (need && left < need) {
			*why = "too short for its fields";
			return QC_E_PROTOCOL;
		}
		if ((*c == 'b' || *c == 'h' || *c == 'd') && p->nnum >= QC_EFS_MAX_NUMS) {
			*why = "has too many fields";
			return QC_E_PROTOCOL;
		}
		switch (*c) {
		case 'b': p->num[p->nnum++] = buf[pos]; break;
		case 'h': p->num[p->nnum++] = qc_get_le16(buf + pos); break;
		case 'd': p->num[p->nnum++] = qc_get_le32(buf + pos); break;
		case 's': memcpy(p->fixed, buf + pos, 8); break;
		case 'z': {
			const uint8_t *nul = memchr(buf + pos, 0, left);
			bool last = c[1] == '\0';

			if (p->nstr >= 2) {
				*why = "has too many strings";
				return QC_E_PROTOCOL;
			}
			p->str[p->nstr] = (const char *)buf + pos;
			if (last)
				p->last_span = left;
			if (nul) {
				p->slen[p->nstr] = (size_t)(nul - (buf + pos));
				need = p->slen[p->nstr] + 1;
				if (last)
					for (const uint8_t *q = nul + 1; q < buf + len; q++)
						p->tail_nonzero += *q != 0;
			} else if (!strict && last) {
				/* Some devices send the final name without its NUL. */
				p->slen[p->nstr] = left;
				p->unterminated = true;
				need = left;
			} else {
				*why = "has a string without its terminating NUL";
				return QC_E_PROTOCOL;
			}
			p->nstr++;
			if (last)
				need = left;
			break;
		}
		case 'r':
			p->data = buf + pos;
			p->dlen = left;
			need = left;
			break;
		case 'D':
			if (p->nnum == 0 || p->num[0] > left) {
				*why = "announces more data than it carries";
				return QC_E_PROTOCOL;
			}
			p->data = buf + pos;
			p->dlen = p->num[0];
			need = p->dlen;
			break;
		default:
			*why = "has an unknown layout";
			return QC_E_PROTOCOL;
		}
		pos += need;
	}
	return 0;
}
