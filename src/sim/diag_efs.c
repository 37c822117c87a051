/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated modem's EFS2: fs_diag requests served from a host
 * directory (paths: diag_efs_path.c, listings: diag_efs_dir.c).  Whatever a
 * client sends and whatever links the directory holds, no file outside it
 * is read or written.
 *
 * Faults (--fault, "NAME*" to keep them armed) turn it into a hostile
 * device for testing clients:
 *   efs-hostile-names  each listing also returns ../../etc/passwd, a/../../b,
 *                      "..", ".", "/abs", names with control bytes and an
 *                      embedded NUL
 *   efs-endless-dir    a listing never ends
 *   efs-lying-size     STAT/FSTAT/READDIR state 1 MiB more than the file has
 *   efs-endless-file   READ past the end keeps returning data
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "diag_efs_impl.h"

static int parse_subsys(struct qcsim_efs *efs, const char *v)
{
	if (!v || !strcmp(v, "both")) {
		efs->on13 = efs->on3e = true;
	} else if (!strcmp(v, "13") || !strcmp(v, "0x13")) {
		efs->on13 = true;
	} else if (!strcasecmp(v, "3e") || !strcasecmp(v, "0x3e")) {
		efs->on3e = true;
	} else {
		return qc_fail(qcsim_ctx(efs->sim), QC_E_INVAL, "--efs-subsys takes 13, 3e or both, not '%s'", v);
	}
	return 0;
}

int qcsim_efs_init(struct qcsim *sim, struct qcsim_efs **out)
{
	struct qcsim_efs *efs = calloc(1, sizeof(*efs));
	const char *dir = qcsim_opt(sim, "efs-dir");
	uint64_t window;
	int rc;

	*out = NULL;
	if (!efs)
		return qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
	efs->sim = sim;
	efs->root = -1;
	rc = parse_subsys(efs, qcsim_opt(sim, "efs-subsys"));
	if (rc == 0)
		rc = qcsim_opt_u64(sim, "efs-window", SIM_WINDOW, &window);
	if (rc == 0 && (window < 1 || window > UINT32_MAX))
		rc = qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--efs-window must be between 1 and 4294967295 bytes");
	if (rc < 0) {
		free(efs);
		return rc;
	}
	for (int i = 0; i < 6; i++)
		efs->own[i] = efs->neg[i] = (i & 1) ? (uint32_t)window : SIM_WINDOW;
	if (dir) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			rc = qc_fail(qcsim_ctx(sim), QC_E_IO, "cannot create --efs-dir %s: %s", dir, strerror(errno));
			free(efs);
			return rc;
		}
		efs->root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (efs->root < 0) {
			rc = qc_fail(qcsim_ctx(sim), QC_E_IO, "cannot open --efs-dir %s: %s", dir, strerror(errno));
			free(efs);
			return rc;
		}
	}
	*out = efs;
	return 0;
}

/* Without --efs-dir the EFS lives in a private temporary directory, made on
 * the first EFS request so that simulators never asked about EFS leave
 * nothing behind. */
static int private_root(struct qcsim_efs *efs)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[4096];

	snprintf(tmpl, sizeof(tmpl), "%s/qcbox-sim-efs.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		return qc_fail(qcsim_ctx(efs->sim), QC_E_IO, "cannot create a temporary EFS directory: %s",
			       strerror(errno));
	efs->tmpdir = strdup(tmpl);
	efs->root = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!efs->tmpdir || efs->root < 0)
		return qc_fail(qcsim_ctx(efs->sim), QC_E_IO, "cannot open the temporary EFS directory %s", tmpl);
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void close_all(struct qcsim_efs *efs)
{
	for (int i = 0; i < SIM_FILES; i++)
		if (efs->files[i].used) {
			close(efs->files[i].fd);
			efs->files[i].used = false;
		}
	for (int i = 0; i < SIM_DIRS; i++)
		if (efs->dirs[i].used) {
			closedir(efs->dirs[i].d);
			efs->dirs[i].used = false;
		}
}

void qcsim_efs_free(struct qcsim_efs *efs)
{
	if (!efs)
		return;
	close_all(efs);
	if (efs->root >= 0)
		close(efs->root);
	if (efs->tmpdir) {
		nftw(efs->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(efs->tmpdir);
	}
	free(efs);
}

/* ----- request handlers ----- */

void qcsim_efs_set_num(struct call *c, size_t n, ...)
{
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		c->r.num[i] = va_arg(ap, uint32_t);
	va_end(ap);
	c->r.nnum = n;
}

static void stat_reply(struct call *c, int32_t err, const struct stat *sb, const char *canon, bool with_size)
{
	uint32_t size = 0;

	if (err) {
		qcsim_efs_set_num(c, with_size ? 7 : 5, (uint32_t)err, 0u, 0u, 0u, 0u, 0u, 0u);
		return;
	}
	size = (uint32_t)(sb->st_size > INT32_MAX ? INT32_MAX : sb->st_size);
	if (qcsim_fault(c->efs->sim, "efs-lying-size") && S_ISREG(sb->st_mode))
		size += SIM_LIE;
	if (with_size)
		qcsim_efs_set_num(c, 7, 0u, qcsim_efs_mode(sb, canon), size, (uint32_t)sb->st_nlink, (uint32_t)sb->st_atime,
			(uint32_t)sb->st_mtime, (uint32_t)sb->st_ctime);
	else
		qcsim_efs_set_num(c, 5, 0u, qcsim_efs_mode(sb, canon), (uint32_t)sb->st_atime, (uint32_t)sb->st_mtime,
			(uint32_t)sb->st_ctime);
}

static void do_hello(struct call *c)
{
	struct qcsim_efs *efs = c->efs;

	/* HELLO starts over: every open file and directory is closed. */
	close_all(efs);
	for (int i = 0; i < 6; i++)
		efs->neg[i] = c->q->num[i] && c->q->num[i] < efs->own[i] ? c->q->num[i] : efs->own[i];
	qcsim_efs_set_num(c, 10, efs->neg[0], efs->neg[1], efs->neg[2], efs->neg[3], efs->neg[4], efs->neg[5], 1u, 1u, 1u,
		c->q->num[9] & 0u);
}

static void do_query(struct call *c)
{
	qcsim_efs_set_num(c, 6, 255u, (uint32_t)SIM_PATH_MAX, (uint32_t)SIM_LINKS, (uint32_t)INT32_MAX, 0u, 4u);
}

static int host_oflags(uint32_t f)
{
	int h = O_NOFOLLOW | O_CLOEXEC;

	switch (f & 3) {
	case QC_EFS_O_WRONLY: h |= O_WRONLY; break;
	case QC_EFS_O_RDWR: h |= O_RDWR; break;
	default: h |= O_RDONLY; break;
	}
	if (f & QC_EFS_O_CREAT)
		h |= O_CREAT;
	if (f & QC_EFS_O_EXCL)
		h |= O_EXCL;
	if (f & QC_EFS_O_TRUNC)
		h |= O_TRUNC;
	if (f & QC_EFS_O_APPEND)
		h |= O_APPEND;
	return h;
}

static bool open_writes(uint32_t f)
{
	return (f & 3) != QC_EFS_O_RDONLY || (f & (QC_EFS_O_CREAT | QC_EFS_O_TRUNC | QC_EFS_O_APPEND));
}

static void do_open(struct call *c)
{
	uint32_t flags = c->q->num[0];
	bool excl = (flags & QC_EFS_O_CREAT) && (flags & QC_EFS_O_EXCL);
	struct where w;
	struct stat sb;
	int32_t err;
	int slot = -1, fd;

	if (open_writes(flags) && !c->writes_allowed) {
		c->whole = QC_DIAG_BAD_SEC_MODE;
		return;
	}
	for (int i = 0; i < SIM_FILES; i++)
		if (!c->efs->files[i].used) {
			slot = i;
			break;
		}
	if (slot < 0) {
		qcsim_efs_set_num(c, 2, (uint32_t)-1, (uint32_t)QC_EFS_EMFILE);
		return;
	}
	err = qcsim_efs_resolve(c->efs, c->q, 0, !excl, &w);
	if (err) {
		qcsim_efs_set_num(c, 2, (uint32_t)-1, (uint32_t)err);
		return;
	}
	fd = openat(w.dirfd, w.name, host_oflags(flags) | O_NONBLOCK, c->q->num[1] & 0777);
	if (fd < 0) {
		qcsim_efs_set_num(c, 2, (uint32_t)-1, (uint32_t)qcsim_efs_errno_of(errno));
	} else if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		qcsim_efs_set_num(c, 2, (uint32_t)-1, (uint32_t)(S_ISDIR(sb.st_mode) ? QC_EFS_EISDIR : QC_EFS_EINVAL));
	} else {
		c->efs->files[slot].used = true;
		c->efs->files[slot].fd = fd;
		snprintf(c->efs->files[slot].path, SIM_PATH_MAX, "%s", w.canon);
		qcsim_efs_set_num(c, 2, (uint32_t)slot, 0u);
	}
	qcsim_efs_done(&w);
}

static struct sim_file *file_of(struct call *c, uint32_t fd)
{
	return fd < SIM_FILES && c->efs->files[fd].used ? &c->efs->files[fd] : NULL;
}

static void do_close(struct call *c)
{
	struct sim_file *f = file_of(c, c->q->num[0]);

	if (!f) {
		qcsim_efs_set_num(c, 1, (uint32_t)QC_EFS_EBADF);
		return;
	}
	close(f->fd);
	f->used = false;
	qcsim_efs_set_num(c, 1, 0u);
}

static void do_read(struct call *c)
{
	uint32_t fd = c->q->num[0], want = c->q->num[1], off = c->q->num[2];
	struct sim_file *f = file_of(c, fd);
	size_t n = want;
	ssize_t got;

	if (!f) {
		qcsim_efs_set_num(c, 4, fd, off, 0u, (uint32_t)QC_EFS_EBADF);
		return;
	}
	/* Never more than the host said it takes in one reply. */
	if (n > c->efs->neg[3])
		n = c->efs->neg[3];
	if (n > SIM_IO_MAX)
		n = SIM_IO_MAX;
	if (n > c->room)
		n = c->room;
	got = pread(f->fd, c->data, n, off);
	if (got < 0) {
		qcsim_efs_set_num(c, 4, fd, off, (uint32_t)-1, (uint32_t)qcsim_efs_errno_of(errno));
		return;
	}
	if ((size_t)got < n && qcsim_fault(c->efs->sim, "efs-endless-file")) {
		memset(c->data + got, 'E', n - (size_t)got);
		got = (ssize_t)n;
	}
	c->r.data = c->data;
	c->r.dlen = (size_t)got;
	qcsim_efs_set_num(c, 4, fd, off, (uint32_t)got, 0u);
}

static void do_write(struct call *c)
{
	uint32_t fd = c->q->num[0], off = c->q->num[1];
	struct sim_file *f = file_of(c, fd);
	ssize_t put;

	if (c->q->dlen > c->efs->neg[1] || c->q->dlen > SIM_IO_MAX) {
		/* more than the window it agreed to */
		c->whole = QC_DIAG_BAD_LEN;
		return;
	}
	if (!f) {
		qcsim_efs_set_num(c, 4, fd, off, 0u, (uint32_t)QC_EFS_EBADF);
		return;
	}
	put = pwrite(f->fd, c->q->data, c->q->dlen, off);
	if (put < 0)
		qcsim_efs_set_num(c, 4, fd, off, (uint32_t)-1, (uint32_t)qcsim_efs_errno_of(errno));
	else
		qcsim_efs_set_num(c, 4, fd, off, (uint32_t)put, 0u);
}

void qcsim_efs_errno_reply(struct call *c, int32_t err) { qcsim_efs_set_num(c, 1, (uint32_t)err); }

static void do_symlink(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 1, false, &w);

	/* The target is stored as given: this code resolves it later as an
	 * EFS path, so even "/../../etc" stays inside the EFS directory. */
	if (!err && (c->q->slen[0] == 0 || symlinkat(c->q->str[0], w.dirfd, w.name) < 0))
		err = c->q->slen[0] == 0 ? QC_EFS_ENOENT : qcsim_efs_errno_of(errno);
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
}

static void do_readlink(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, false, &w);
	ssize_t n = 0;

	if (!err) {
		n = readlinkat(w.dirfd, w.name, (char *)c->data, c->room > SIM_PATH_MAX ? SIM_PATH_MAX : c->room);
		if (n < 0)
			err = errno == EINVAL ? QC_EFS_EINVAL : qcsim_efs_errno_of(errno);
	}
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
	c->r.nstr = 1;
	c->r.str[0] = (const char *)c->data;
	c->r.slen[0] = err ? 0 : (size_t)n;
}

static void do_unlink(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, false, &w);

	if (!err && unlinkat(w.dirfd, w.name, 0) < 0)
		err = qcsim_efs_errno_of(errno);
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
}

static void do_mkdir(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, false, &w);

	if (!err && mkdirat(w.dirfd, w.name, c->q->num[0] & 0777) < 0)
		err = qcsim_efs_errno_of(errno);
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
}

static void do_rmdir(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, false, &w);

	if (!err && !strcmp(w.name, "."))
		err = !strcmp(w.canon, "/") ? QC_EFS_EBUSY : QC_EFS_EINVAL;
	else if (!err && unlinkat(w.dirfd, w.name, AT_REMOVEDIR) < 0)
		err = qcsim_efs_errno_of(errno);
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
}

static void do_rename(struct call *c)
{
	struct where a, b;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, false, &a);

	b.dirfd = -1;
	if (!err)
		err = qcsim_efs_resolve(c->efs, c->q, 1, false, &b);
	if (!err && (!strcmp(a.name, ".") || !strcmp(b.name, ".")))
		err = QC_EFS_EINVAL;
	else if (!err && renameat(a.dirfd, a.name, b.dirfd, b.name) < 0)
		err = qcsim_efs_errno_of(errno);
	qcsim_efs_done(&a);
	qcsim_efs_done(&b);
	qcsim_efs_errno_reply(c, err);
}

static void do_stat(struct call *c, bool follow)
{
	struct where w;
	struct stat sb;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, follow, &w);

	if (!err && fstatat(w.dirfd, w.name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		err = qcsim_efs_errno_of(errno);
	stat_reply(c, err, &sb, w.canon, follow);
	qcsim_efs_done(&w);
}

static void do_fstat(struct call *c)
{
	struct sim_file *f = file_of(c, c->q->num[0]);
	struct stat sb;

	if (!f)
		stat_reply(c, QC_EFS_EBADF, NULL, NULL, true);
	else if (fstat(f->fd, &sb) < 0)
		stat_reply(c, qcsim_efs_errno_of(errno), NULL, NULL, true);
	else
		stat_reply(c, 0, &sb, f->path, true);
}

static void do_chmod(struct call *c)
{
	struct where w;
	struct stat sb;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, true, &w);

	/* resolve() followed any link, so this never changes a host file
	 * outside the directory */
	if (!err && fstatat(w.dirfd, w.name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		err = qcsim_efs_errno_of(errno);
	if (!err && S_ISLNK(sb.st_mode))
		err = QC_EFS_ELOOP;
	if (!err && fchmodat(w.dirfd, w.name, c->q->num[0] & 07777, 0) < 0)
		err = qcsim_efs_errno_of(errno);
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
}

static void do_statfs(struct call *c)
{
	struct statvfs vfs;
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, true, &w);

	qcsim_efs_done(&w);
	if (!err && fstatvfs(c->efs->root, &vfs) < 0)
		err = qcsim_efs_errno_of(errno);
	if (err) {
		qcsim_efs_set_num(c, 9, (uint32_t)err, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
		return;
	}
	memcpy(c->r.fixed, "EFS2\0\0\0\0", 8);
	qcsim_efs_set_num(c, 9, 0u, 1u, (uint32_t)vfs.f_bsize, (uint32_t)(vfs.f_blocks > UINT32_MAX ? UINT32_MAX : vfs.f_blocks),
		(uint32_t)(vfs.f_bavail > UINT32_MAX ? UINT32_MAX : vfs.f_bavail),
		(uint32_t)(vfs.f_bfree > UINT32_MAX ? UINT32_MAX : vfs.f_bfree), (uint32_t)INT32_MAX,
		(uint32_t)(vfs.f_files > UINT32_MAX ? UINT32_MAX : vfs.f_files - vfs.f_ffree),
		(uint32_t)(vfs.f_files > UINT32_MAX ? UINT32_MAX : vfs.f_files));
}

static void do_access(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, true, &w);

	if (!err && faccessat(w.dirfd, w.name, (int)(c->q->num[0] & 7), 0) < 0)
		err = qcsim_efs_errno_of(errno);
	qcsim_efs_done(&w);
	qcsim_efs_errno_reply(c, err);
}

/* GET (39, and 27 without the sequence number): a whole file in one reply. */
static void do_get(struct call *c, bool with_seq)
{
	uint32_t want = c->q->num[0], seq = with_seq ? c->q->num[2] : 0;
	struct where w;
	struct stat sb;
	ssize_t got = 0;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, true, &w);
	int fd = -1;

	if (!err && (fd = openat(w.dirfd, w.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		err = qcsim_efs_errno_of(errno);
	if (!err && (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)))
		err = S_ISDIR(sb.st_mode) ? QC_EFS_EISDIR : QC_EFS_EINVAL;
	if (!err && ((uint64_t)sb.st_size > want || (uint64_t)sb.st_size > c->room ||
		     (uint64_t)sb.st_size > c->efs->neg[3]))
		err = QC_EFS_FS_ERANGE;
	if (!err && (got = pread(fd, c->data, (size_t)sb.st_size, 0)) < 0)
		err = qcsim_efs_errno_of(errno);
	if (fd >= 0)
		close(fd);
	qcsim_efs_done(&w);
	if (err)
		got = 0;
	c->r.data = c->data;
	c->r.dlen = (size_t)got;
	if (with_seq)
		qcsim_efs_set_num(c, 3, err ? (uint32_t)-1 : (uint32_t)got, (uint32_t)err, seq);
	else
		qcsim_efs_set_num(c, 2, err ? (uint32_t)-1 : (uint32_t)got, (uint32_t)err);
}

/* PUT (38, and 26): create or replace a file with the data in one request. */
static void do_put(struct call *c, bool with_seq)
{
	uint32_t flags = c->q->num[1], seq = with_seq ? c->q->num[2] : 0;
	int sidx = 0;
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, sidx, true, &w);
	int fd = -1;

	if (!err) {
		int h = O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

		if (flags & QC_EFS_O_CREAT)
			h |= O_CREAT;
		if ((flags & QC_EFS_O_CREAT) && (flags & QC_EFS_O_EXCL))
			h |= O_EXCL;
		fd = openat(w.dirfd, w.name, h, 0644);
		if (fd < 0)
			err = qcsim_efs_errno_of(errno);
	}
	if (!err) {
		struct stat sb;

		if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
			err = QC_EFS_EINVAL;
		else if (c->q->dlen && pwrite(fd, c->q->data, c->q->dlen, 0) != (ssize_t)c->q->dlen)
			err = QC_EFS_ENOSPC;
	}
	if (fd >= 0)
		close(fd);
	qcsim_efs_done(&w);
	if (with_seq)
		qcsim_efs_set_num(c, 2, seq, (uint32_t)err);
	else
		qcsim_efs_set_num(c, 1, (uint32_t)err);
}

static void do_truncate(struct call *c, bool by_fd)
{
	uint32_t seq = c->q->num[0], len = c->q->num[1];
	int32_t err = 0;

	if (by_fd) {
		struct sim_file *f = file_of(c, c->q->num[2]);

		if (!f)
			err = QC_EFS_EBADF;
		else if (ftruncate(f->fd, len) < 0)
			err = qcsim_efs_errno_of(errno);
	} else {
		struct where w;
		int fd = -1;

		err = qcsim_efs_resolve(c->efs, c->q, 0, true, &w);
		if (!err && (fd = openat(w.dirfd, w.name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
			err = qcsim_efs_errno_of(errno);
		if (!err && ftruncate(fd, len) < 0)
			err = qcsim_efs_errno_of(errno);
		if (fd >= 0)
			close(fd);
		qcsim_efs_done(&w);
	}
	qcsim_efs_set_num(c, 2, seq, (uint32_t)err);
}

static ssize_t whole_reply(uint8_t code, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap)
{
	if (cap < 1)
		return QC_E_TOOBIG;
	if (len > cap - 1)
		len = cap - 1;
	rsp[0] = code;
	memcpy(rsp + 1, req, len);
	return (ssize_t)len + 1;
}

ssize_t qcsim_efs_handle(struct qcsim_efs *efs, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			 bool writes_allowed)
{
	const struct qc_efs_layout *l;
	struct qc_efs_pkt q;
	struct call c = {.efs = efs, .q = &q, .writes_allowed = writes_allowed};
	const char *why;
	uint16_t op;

	if (len < QC_EFS_HDR_LEN || req[0] != QC_DIAG_SUBSYS ||
	    !((req[1] == QC_EFS_SUBSYS_FS && efs->on13) || (req[1] == QC_EFS_SUBSYS_FS_ALT && efs->on3e)))
		return whole_reply(QC_DIAG_BAD_CMD, req, len, rsp, cap);
	if (efs->root < 0 && private_root(efs) < 0)
		return whole_reply(QC_DIAG_BAD_DEV, req, len, rsp, cap);
	op = qc_get_le16(req + 2);
	l = qc_efs_layout(op);
	/* DELTREE and the ERROR packet are not requests this modem serves. */
	if (!l || op == QC_EFS_OP_ERROR || op == QC_EFS_OP_DELTREE)
		return whole_reply(QC_DIAG_BAD_CMD, req, len, rsp, cap);
	if (qc_efs_decode(req, len, l->req, -1, true, &q, &why) < 0) {
		qcsim_log(efs->sim, "EFS %s request of %zu bytes %s", l->name, len, why);
		return whole_reply(QC_DIAG_BAD_LEN, req, len, rsp, cap);
	}
	if (l->writes && !writes_allowed)
		return whole_reply(QC_DIAG_BAD_SEC_MODE, req, len, rsp, cap);
	/* Reply data (READ, GET, names) is built in the scratch buffer and
	 * sized so that it fits in RSP after the largest header. */
	if (cap < 64)
		return QC_E_TOOBIG;
	c.data = efs->scratch;
	c.room = cap - 64 < sizeof(efs->scratch) ? cap - 64 : sizeof(efs->scratch);
	qcsim_log(efs->sim, "EFS %s%s%.*s", l->name, q.nstr ? " " : "", q.nstr ? (int)q.slen[0] : 0,
		  q.nstr ? q.str[0] : "");
	switch (op) {
	case QC_EFS_OP_HELLO: do_hello(&c); break;
	case QC_EFS_OP_QUERY: do_query(&c); break;
	case QC_EFS_OP_OPEN: do_open(&c); break;
	case QC_EFS_OP_CLOSE: do_close(&c); break;
	case QC_EFS_OP_READ: do_read(&c); break;
	case QC_EFS_OP_WRITE: do_write(&c); break;
	case QC_EFS_OP_SYMLINK: do_symlink(&c); break;
	case QC_EFS_OP_READLINK: do_readlink(&c); break;
	case QC_EFS_OP_UNLINK: do_unlink(&c); break;
	case QC_EFS_OP_MKDIR: do_mkdir(&c); break;
	case QC_EFS_OP_RMDIR: do_rmdir(&c); break;
	case QC_EFS_OP_OPENDIR: qcsim_efs_opendir(&c); break;
	case QC_EFS_OP_READDIR: qcsim_efs_readdir(&c); break;
	case QC_EFS_OP_CLOSEDIR: qcsim_efs_closedir(&c); break;
	case QC_EFS_OP_RENAME: do_rename(&c); break;
	case QC_EFS_OP_STAT: do_stat(&c, true); break;
	case QC_EFS_OP_LSTAT: do_stat(&c, false); break;
	case QC_EFS_OP_FSTAT: do_fstat(&c); break;
	case QC_EFS_OP_CHMOD: do_chmod(&c); break;
	case QC_EFS_OP_STATFS: do_statfs(&c); break;
	case QC_EFS_OP_ACCESS: do_access(&c); break;
	case QC_EFS_OP_GET_OLD: do_get(&c, false); break;
	case QC_EFS_OP_GET: do_get(&c, true); break;
	case QC_EFS_OP_PUT_OLD: do_put(&c, false); break;
	case QC_EFS_OP_PUT: do_put(&c, true); break;
	case QC_EFS_OP_TRUNCATE: do_truncate(&c, false); break;
	case QC_EFS_OP_FTRUNCATE: do_truncate(&c, true); break;
	default: return whole_reply(QC_DIAG_BAD_CMD, req, len, rsp, cap);
	}
	if (c.whole)
		return whole_reply((uint8_t)c.whole, req, len, rsp, cap);
	c.r.subsys = req[1];
	c.r.op = op;
	return qc_efs_encode(&c.r, l->rsp, rsp, cap);
}
