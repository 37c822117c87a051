/* SPDX-License-Identifier: BSD-3-Clause */
/* EFS2 directories: OPENDIR / READDIR / CLOSEDIR and whole listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efs/efs_impl.h"

const char *qc_efs_type_name(int type)
{
	switch (type) {
	case QC_EFS_TYPE_FILE: return "file";
	case QC_EFS_TYPE_DIR: return "dir";
	case QC_EFS_TYPE_SYMLINK: return "symlink";
	case QC_EFS_TYPE_IMMOVABLE: return "immovable";
	case QC_EFS_TYPE_ITEM: return "item";
	default: return "other";
	}
}

int qc_efs_type_of(int32_t wire_type, uint32_t mode)
{
	uint32_t fmt = mode & QC_EFS_S_IFMT;

	/* Item files are listed as plain files; only the mode tells. */
	if (fmt == QC_EFS_S_IFITM && (wire_type == QC_EFS_TYPE_FILE || wire_type > QC_EFS_TYPE_IMMOVABLE))
		return QC_EFS_TYPE_ITEM;
	switch (wire_type) {
	case QC_EFS_TYPE_FILE:
	case QC_EFS_TYPE_DIR:
	case QC_EFS_TYPE_SYMLINK:
	case QC_EFS_TYPE_IMMOVABLE: return wire_type;
	default: break;
	}
	switch (fmt) {
	case QC_EFS_S_IFREG: return QC_EFS_TYPE_FILE;
	case QC_EFS_S_IFDIR: return QC_EFS_TYPE_DIR;
	case QC_EFS_S_IFLNK: return QC_EFS_TYPE_SYMLINK;
	default: return QC_EFS_TYPE_OTHER;
	}
}

bool qc_efs_join(char *out, size_t cap, const char *parent, const char *name)
{
	size_t pl = strlen(parent);
	int n;

	while (pl > 1 && parent[pl - 1] == '/')
		pl--;
	n = snprintf(out, cap, "%.*s%s%s", (int)pl, parent, pl && parent[pl - 1] == '/' ? "" : "/", name);
	return n > 0 && (size_t)n < cap;
}

int qc_efs_opendir(qc_efs *e, const char *path, uint32_t *dirp)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_OPENDIR}, rsp;
	int rc;

	if (!path[0] || strlen(path) >= QC_EFS_PATH_MAX)
		return qc_fail(e->ctx, QC_E_INVAL, "EFS path of %zu bytes is not usable", strlen(path));
	req.str[0] = path;
	req.slen[0] = strlen(path);
	req.nstr = 1;
	rc = qc_efs_call(e, &req, &rsp, path);
	if (rc < 0)
		return rc;
	*dirp = rsp.num[0];
	return 0;
}

int qc_efs_readdir(qc_efs *e, uint32_t dirp, int32_t seq, struct qc_efs_dirent *ent)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_READDIR, .nnum = 2, .num = {dirp, (uint32_t)seq}}, rsp;
	char what[48];
	size_t n;
	int rc;

	snprintf(what, sizeof(what), "directory handle %u", dirp);
	rc = qc_efs_call(e, &req, &rsp, what);
	if (rc < 0)
		return rc;
	if (rsp.num[0] != dirp || rsp.num[1] != (uint32_t)seq)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "EFS READDIR reply is for handle %u entry %d, not %u entry %d",
			       rsp.num[0], (int)(int32_t)rsp.num[1], dirp, (int)seq);
	if (rsp.nstr < 1 || (rsp.slen[0] == 0 && rsp.tail_nonzero == 0))
		return 0; /* an empty name ends the listing */
	memset(ent, 0, sizeof(*ent));
	/* Keep whatever follows an embedded NUL: such a name is refused
	 * later, but it must not be mistaken for its harmless prefix. */
	n = rsp.slen[0];
	if (rsp.tail_nonzero) {
		const uint8_t *s = (const uint8_t *)rsp.str[0];

		n = rsp.last_span;
		while (n && s[n - 1] == 0)
			n--;
	}
	ent->name_len = n < sizeof(ent->name) - 1 ? n : sizeof(ent->name) - 1;
	memcpy(ent->name, rsp.str[0], ent->name_len);
	ent->name[ent->name_len] = '\0';
	ent->wire_type = (int32_t)rsp.num[3];
	ent->mode = rsp.num[4];
	ent->type = qc_efs_type_of(ent->wire_type, ent->mode);
	ent->size = (int32_t)rsp.num[5];
	ent->atime = (int32_t)rsp.num[6];
	ent->mtime = (int32_t)rsp.num[7];
	ent->ctime = (int32_t)rsp.num[8];
	return 1;
}

int qc_efs_closedir(qc_efs *e, uint32_t dirp)
{
	struct qc_efs_pkt req = {.op = QC_EFS_OP_CLOSEDIR, .nnum = 1, .num = {dirp}}, rsp;
	char what[48];

	snprintf(what, sizeof(what), "directory handle %u", dirp);
	return qc_efs_call(e, &req, &rsp, what);
}

static int cmp_dirent(const void *a, const void *b)
{
	const struct qc_efs_dirent *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	if (c)
		return c;
	return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

int qc_efs_listdir(qc_efs *e, const char *path, struct qc_efs_dirent **ents, size_t *count)
{
	struct qc_efs_dirent *v = NULL;
	size_t n = 0, cap = 0;
	uint32_t dirp;
	int rc;

	*ents = NULL;
	*count = 0;
	rc = qc_efs_opendir(e, path, &dirp);
	if (rc < 0)
		return rc;
	for (int32_t seq = 1;; seq++) {
		if (n == e->lim.max_dir_entries) {
			char pr[QC_EFS_PATH_MAX * 2];

			qc_efs_escape(path, strlen(path), pr, sizeof(pr));
			rc = qc_fail(e->ctx, QC_E_TOOBIG,
				     "EFS directory %s lists more than %u entries; stopped reading it", pr,
				     e->lim.max_dir_entries);
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct qc_efs_dirent *nv;

			if (ncap > e->lim.max_dir_entries)
				ncap = e->lim.max_dir_entries;
			nv = realloc(v, ncap * sizeof(*v));
			if (!nv) {
				rc = qc_fail(e->ctx, QC_E_NOMEM, "out of memory");
				break;
			}
			v = nv;
			cap = ncap;
		}
		rc = qc_efs_readdir(e, dirp, seq, &v[n]);
		if (rc <= 0)
			break;
		n++;
	}
	if (rc < 0) {
		/* Keep the reason of the first failure, not CLOSEDIR's. */
		char keep[1024];

		snprintf(keep, sizeof(keep), "%s", qc_last_error(e->ctx));
		int32_t keep_errno = e->last_errno;

		if (rc != QC_E_TIMEOUT && rc != QC_E_DISCONNECTED && rc != QC_E_IO)
			qc_efs_closedir(e, dirp);
		qc_fail(e->ctx, rc, "%s", keep);
		e->last_errno = keep_errno;
		free(v);
		return rc;
	}
	rc = qc_efs_closedir(e, dirp);
	if (rc < 0) {
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_dirent);
	*ents = v;
	*count = n;
	return 0;
}
