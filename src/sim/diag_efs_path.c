/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EFS paths of the simulated modem, resolved component by component against
 * descriptors opened with O_NOFOLLOW.  Symlinks stored in the directory are
 * followed here as EFS paths (an absolute target restarts at the EFS root),
 * never by the kernel, and ".." never climbs above the root, so no request
 * reaches a file outside the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag_efs_impl.h"

int32_t qcsim_efs_errno_of(int e)
{
	switch (e) {
	case EPERM: return QC_EFS_EPERM;
	case ENOENT: return QC_EFS_ENOENT;
	case EEXIST: return QC_EFS_EEXIST;
	case EBADF: return QC_EFS_EBADF;
	case ENOMEM: return QC_EFS_ENOMEM;
	case EACCES: return QC_EFS_EACCES;
	case EBUSY: return QC_EFS_EBUSY;
	case EXDEV: return QC_EFS_EXDEV;
	case ENOTDIR: return QC_EFS_ENOTDIR;
	case EISDIR: return QC_EFS_EISDIR;
	case EMFILE:
	case ENFILE: return QC_EFS_EMFILE;
	case ENOSPC: return QC_EFS_ENOSPC;
	case ESPIPE: return QC_EFS_ESPIPE;
	case EFBIG: return QC_EFS_FS_ERANGE;
	case ENAMETOOLONG: return QC_EFS_ENAMETOOLONG;
	case ENOTEMPTY: return QC_EFS_ENOTEMPTY;
	case ELOOP: return QC_EFS_ELOOP;
	case EDQUOT: return QC_EFS_EDQUOT;
	default: return QC_EFS_EINVAL;
	}
}

/* ----- path resolution ----- */

static void close_stack(struct qcsim_efs *efs, int *fds, int depth)
{
	for (int i = depth; i > 0; i--)
		if (fds[i] != efs->root)
			close(fds[i]);
}

/* Resolves PATH; returns 0 with *W filled (W->dirfd to close) or an EFS
 * errno.  The last component need not exist.  FOLLOW_LAST follows a
 * symlink in the last position too. */
static int32_t resolve(struct qcsim_efs *efs, const char *path, size_t len, bool follow_last, struct where *w)
{
	char work[2 * SIM_PATH_MAX + 2];
	int fds[SIM_DEPTH + 1];
	size_t clen[SIM_DEPTH + 1], pos = 0, wlen;
	char canon[SIM_PATH_MAX];
	int depth = 0, links = 0;
	int32_t err = 0;

	if (len == 0)
		return QC_EFS_ENOENT;
	if (len >= SIM_PATH_MAX)
		return QC_EFS_ENAMETOOLONG;
	memcpy(work, path, len);
	work[len] = '\0';
	wlen = len;
	fds[0] = efs->root;
	clen[0] = 0;
	canon[0] = '\0';
	for (;;) {
		size_t j, next;
		bool last;
		struct stat sb;
		char comp[256];

		while (pos < wlen && work[pos] == '/')
			pos++;
		if (pos >= wlen) {
			/* the path names a directory itself */
			w->dirfd = dup(fds[depth]);
			snprintf(w->name, sizeof(w->name), ".");
			snprintf(w->canon, sizeof(w->canon), "%s", clen[depth] ? canon : "/");
			break;
		}
		for (j = pos; j < wlen && work[j] != '/'; j++)
			;
		next = j;
		while (next < wlen && work[next] == '/')
			next++;
		last = next >= wlen;
		if (j - pos >= sizeof(comp)) {
			err = QC_EFS_ENAMETOOLONG;
			break;
		}
		memcpy(comp, work + pos, j - pos);
		comp[j - pos] = '\0';
		pos = next;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			/* Refused rather than clamped: a client that climbs
			 * above the root is doing something wrong. */
			if (depth == 0) {
				err = QC_EFS_EACCES;
				break;
			}
			if (fds[depth] != efs->root)
				close(fds[depth]);
			depth--;
			canon[clen[depth]] = '\0';
			continue;
		}
		if (fstatat(fds[depth], comp, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT && last) {
				w->dirfd = dup(fds[depth]);
				snprintf(w->name, sizeof(w->name), "%s", comp);
				if ((size_t)snprintf(w->canon, sizeof(w->canon), "%s/%s", canon, comp) >= sizeof(w->canon))
					err = QC_EFS_ENAMETOOLONG;
				break;
			}
			err = qcsim_efs_errno_of(errno);
			break;
		}
		if (S_ISLNK(sb.st_mode) && (!last || follow_last)) {
			char target[SIM_PATH_MAX];
			ssize_t tl = readlinkat(fds[depth], comp, target, sizeof(target));
			char rest[2 * SIM_PATH_MAX + 2];
			size_t rl = wlen - pos;

			if (++links > SIM_LINKS) {
				err = QC_EFS_ELOOP;
				break;
			}
			if (tl <= 0 || (size_t)tl >= sizeof(target) || (size_t)tl + 1 + rl >= sizeof(work)) {
				err = tl <= 0 ? QC_EFS_ENOENT : QC_EFS_ENAMETOOLONG;
				break;
			}
			memcpy(rest, work + pos, rl);
			memcpy(work, target, (size_t)tl);
			work[tl] = '/';
			memcpy(work + tl + 1, rest, rl);
			wlen = (size_t)tl + 1 + rl;
			work[wlen] = '\0';
			pos = 0;
			if (target[0] == '/') {
				close_stack(efs, fds, depth);
				depth = 0;
				canon[0] = '\0';
			}
			continue;
		}
		if (last) {
			w->dirfd = dup(fds[depth]);
			snprintf(w->name, sizeof(w->name), "%s", comp);
			if ((size_t)snprintf(w->canon, sizeof(w->canon), "%s/%s", canon, comp) >= sizeof(w->canon))
				err = QC_EFS_ENAMETOOLONG;
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			err = QC_EFS_ENOTDIR;
			break;
		}
		if (depth == SIM_DEPTH || clen[depth] + 1 + strlen(comp) >= sizeof(canon)) {
			err = QC_EFS_ENAMETOOLONG;
			break;
		}
		int nfd = openat(fds[depth], comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (nfd < 0) {
			err = qcsim_efs_errno_of(errno);
			break;
		}
		fds[++depth] = nfd;
		clen[depth] = clen[depth - 1] + 1 + strlen(comp);
		strcat(canon, "/");
		strcat(canon, comp);
	}
	close_stack(efs, fds, depth);
	if (!err && w->dirfd < 0)
		err = qcsim_efs_errno_of(errno);
	if (err && w->dirfd >= 0) {
		close(w->dirfd);
		w->dirfd = -1;
	}
	return err;
}

int32_t qcsim_efs_resolve(struct qcsim_efs *efs, const struct qc_efs_pkt *p, int i, bool follow, struct where *w)
{
	w->dirfd = -1;
	return resolve(efs, p->str[i], p->slen[i], follow, w);
}

void qcsim_efs_done(struct where *w)
{
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = -1;
}

static bool is_item_path(const char *canon) { return !strncmp(canon, ITEM_DIR, strlen(ITEM_DIR)); }

/* st_mode as the modem reports it: item files under /nv/item_files. */
uint32_t qcsim_efs_mode(const struct stat *sb, const char *canon)
{
	uint32_t m = (uint32_t)sb->st_mode;

	if (S_ISREG(sb->st_mode) && canon && is_item_path(canon))
		m = (m & 07777) | QC_EFS_S_IFITM;
	return m;
}

/* ----- setup ----- */
