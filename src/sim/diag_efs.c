/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated modem's EFS2: fs_diag requests served from a host
 * directory.  EFS paths are resolved here, component by component, against
 * descriptors opened with O_NOFOLLOW; symlinks stored in the directory are
 * followed by this code as EFS paths (an absolute target restarts at the
 * EFS root), never by the kernel, and ".." never climbs above the root.
 * Whatever a client sends and whatever links the directory holds, no file
 * outside it is read or written.
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
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "diag_efs.h"
#include "efs/efs_wire.h"
#include "qcbox/diag.h"
#include "qcbox/efs.h"

#define SIM_FILES 32
#define SIM_DIRS 8
#define SIM_DEPTH 64
#define SIM_LINKS 8
#define SIM_PATH_MAX 1024
#define SIM_IO_MAX 16384
#define SIM_WINDOW 0x100000u
#define SIM_LIE (1u << 20)
#define ITEM_DIR "/nv/item_files/"

struct sim_file {
	bool used;
	int fd;
	char path[SIM_PATH_MAX]; /* canonical EFS path */
};

struct sim_dir {
	bool used;
	DIR *d;
	int32_t seq;
	char path[SIM_PATH_MAX];
	bool hostile, endless;
	size_t extra; /* fault entries sent so far */
};

struct qcsim_efs {
	struct qcsim *sim;
	int root;
	char *tmpdir;
	bool on13, on3e;
	uint32_t own[6], neg[6];
	struct sim_file files[SIM_FILES];
	struct sim_dir dirs[SIM_DIRS];
	uint8_t scratch[SIM_IO_MAX + SIM_PATH_MAX];
};

/* The result of resolving an EFS path: the directory holding the last
 * component and its name ("." for the directory itself). */
struct where {
	int dirfd;
	char name[256];
	char canon[SIM_PATH_MAX];
};

static int32_t efs_errno_of(int e)
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
			err = efs_errno_of(errno);
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
			err = efs_errno_of(errno);
			break;
		}
		fds[++depth] = nfd;
		clen[depth] = clen[depth - 1] + 1 + strlen(comp);
		strcat(canon, "/");
		strcat(canon, comp);
	}
	close_stack(efs, fds, depth);
	if (!err && w->dirfd < 0)
		err = efs_errno_of(errno);
	if (err && w->dirfd >= 0) {
		close(w->dirfd);
		w->dirfd = -1;
	}
	return err;
}

static int32_t resolve_str(struct qcsim_efs *efs, const struct qc_efs_pkt *p, int i, bool follow, struct where *w)
{
	w->dirfd = -1;
	return resolve(efs, p->str[i], p->slen[i], follow, w);
}

static void done_with(struct where *w)
{
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = -1;
}

static bool is_item_path(const char *canon) { return !strncmp(canon, ITEM_DIR, strlen(ITEM_DIR)); }

/* st_mode as the modem reports it: item files under /nv/item_files. */
static uint32_t efs_mode(const struct stat *sb, const char *canon)
{
	uint32_t m = (uint32_t)sb->st_mode;

	if (S_ISREG(sb->st_mode) && canon && is_item_path(canon))
		m = (m & 07777) | QC_EFS_S_IFITM;
	return m;
}

/* ----- setup ----- */

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
	if (!dir) {
		char tmpl[] = "/tmp/qcbox-sim-efs.XXXXXX";

		if (!mkdtemp(tmpl)) {
			free(efs);
			return qc_fail(qcsim_ctx(sim), QC_E_IO, "cannot create a temporary EFS directory: %s",
				       strerror(errno));
		}
		efs->tmpdir = strdup(tmpl);
		dir = efs->tmpdir;
	} else if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = qc_fail(qcsim_ctx(sim), QC_E_IO, "cannot create --efs-dir %s: %s", dir, strerror(errno));
		free(efs);
		return rc;
	}
	efs->root = open(dir ? dir : "", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (efs->root < 0) {
		rc = qc_fail(qcsim_ctx(sim), QC_E_IO, "cannot open --efs-dir %s: %s", dir ? dir : "", strerror(errno));
		qcsim_efs_free(efs);
		return rc;
	}
	*out = efs;
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

struct call {
	struct qcsim_efs *efs;
	const struct qc_efs_pkt *q; /* request */
	struct qc_efs_pkt r;        /* reply */
	uint8_t *data;              /* reply data room */
	size_t room;
	bool writes_allowed;
	int whole; /* whole-packet error reply code, 0 if none */
};

static void set_num(struct call *c, size_t n, ...)
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
		set_num(c, with_size ? 7 : 5, (uint32_t)err, 0u, 0u, 0u, 0u, 0u, 0u);
		return;
	}
	size = (uint32_t)(sb->st_size > INT32_MAX ? INT32_MAX : sb->st_size);
	if (qcsim_fault(c->efs->sim, "efs-lying-size") && S_ISREG(sb->st_mode))
		size += SIM_LIE;
	if (with_size)
		set_num(c, 7, 0u, efs_mode(sb, canon), size, (uint32_t)sb->st_nlink, (uint32_t)sb->st_atime,
			(uint32_t)sb->st_mtime, (uint32_t)sb->st_ctime);
	else
		set_num(c, 5, 0u, efs_mode(sb, canon), (uint32_t)sb->st_atime, (uint32_t)sb->st_mtime,
			(uint32_t)sb->st_ctime);
}

static void do_hello(struct call *c)
{
	struct qcsim_efs *efs = c->efs;

	/* HELLO starts over: every open file and directory is closed. */
	close_all(efs);
	for (int i = 0; i < 6; i++)
		efs->neg[i] = c->q->num[i] && c->q->num[i] < efs->own[i] ? c->q->num[i] : efs->own[i];
	set_num(c, 10, efs->neg[0], efs->neg[1], efs->neg[2], efs->neg[3], efs->neg[4], efs->neg[5], 1u, 1u, 1u,
		c->q->num[9] & 0u);
}

static void do_query(struct call *c)
{
	set_num(c, 6, 255u, (uint32_t)SIM_PATH_MAX, (uint32_t)SIM_LINKS, (uint32_t)INT32_MAX, 0u, 4u);
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
		set_num(c, 2, (uint32_t)-1, (uint32_t)QC_EFS_EMFILE);
		return;
	}
	err = resolve_str(c->efs, c->q, 0, !excl, &w);
	if (err) {
		set_num(c, 2, (uint32_t)-1, (uint32_t)err);
		return;
	}
	fd = openat(w.dirfd, w.name, host_oflags(flags) | O_NONBLOCK, c->q->num[1] & 0777);
	if (fd < 0) {
		set_num(c, 2, (uint32_t)-1, (uint32_t)efs_errno_of(errno));
	} else if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		set_num(c, 2, (uint32_t)-1, (uint32_t)(S_ISDIR(sb.st_mode) ? QC_EFS_EISDIR : QC_EFS_EINVAL));
	} else {
		c->efs->files[slot].used = true;
		c->efs->files[slot].fd = fd;
		snprintf(c->efs->files[slot].path, SIM_PATH_MAX, "%s", w.canon);
		set_num(c, 2, (uint32_t)slot, 0u);
	}
	done_with(&w);
}

static struct sim_file *file_of(struct call *c, uint32_t fd)
{
	return fd < SIM_FILES && c->efs->files[fd].used ? &c->efs->files[fd] : NULL;
}

static void do_close(struct call *c)
{
	struct sim_file *f = file_of(c, c->q->num[0]);

	if (!f) {
		set_num(c, 1, (uint32_t)QC_EFS_EBADF);
		return;
	}
	close(f->fd);
	f->used = false;
	set_num(c, 1, 0u);
}

static void do_read(struct call *c)
{
	uint32_t fd = c->q->num[0], want = c->q->num[1], off = c->q->num[2];
	struct sim_file *f = file_of(c, fd);
	size_t n = want;
	ssize_t got;

	if (!f) {
		set_num(c, 4, fd, off, 0u, (uint32_t)QC_EFS_EBADF);
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
		set_num(c, 4, fd, off, (uint32_t)-1, (uint32_t)efs_errno_of(errno));
		return;
	}
	if ((size_t)got < n && qcsim_fault(c->efs->sim, "efs-endless-file")) {
		memset(c->data + got, 'E', n - (size_t)got);
		got = (ssize_t)n;
	}
	c->r.data = c->data;
	c->r.dlen = (size_t)got;
	set_num(c, 4, fd, off, (uint32_t)got, 0u);
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
		set_num(c, 4, fd, off, 0u, (uint32_t)QC_EFS_EBADF);
		return;
	}
	put = pwrite(f->fd, c->q->data, c->q->dlen, off);
	if (put < 0)
		set_num(c, 4, fd, off, (uint32_t)-1, (uint32_t)efs_errno_of(errno));
	else
		set_num(c, 4, fd, off, (uint32_t)put, 0u);
}

static void errno_reply(struct call *c, int32_t err) { set_num(c, 1, (uint32_t)err); }

static void do_symlink(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 1, false, &w);

	/* The target is stored as given: this code resolves it later as an
	 * EFS path, so even "/../../etc" stays inside the EFS directory. */
	if (!err && (c->q->slen[0] == 0 || symlinkat(c->q->str[0], w.dirfd, w.name) < 0))
		err = c->q->slen[0] == 0 ? QC_EFS_ENOENT : efs_errno_of(errno);
	done_with(&w);
	errno_reply(c, err);
}

static void do_readlink(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, false, &w);
	ssize_t n = 0;

	if (!err) {
		n = readlinkat(w.dirfd, w.name, (char *)c->data, c->room > SIM_PATH_MAX ? SIM_PATH_MAX : c->room);
		if (n < 0)
			err = errno == EINVAL ? QC_EFS_EINVAL : efs_errno_of(errno);
	}
	done_with(&w);
	errno_reply(c, err);
	c->r.nstr = 1;
	c->r.str[0] = (const char *)c->data;
	c->r.slen[0] = err ? 0 : (size_t)n;
}

static void do_unlink(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, false, &w);

	if (!err && unlinkat(w.dirfd, w.name, 0) < 0)
		err = efs_errno_of(errno);
	done_with(&w);
	errno_reply(c, err);
}

static void do_mkdir(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, false, &w);

	if (!err && mkdirat(w.dirfd, w.name, c->q->num[0] & 0777) < 0)
		err = efs_errno_of(errno);
	done_with(&w);
	errno_reply(c, err);
}

static void do_rmdir(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, false, &w);

	if (!err && !strcmp(w.name, "."))
		err = !strcmp(w.canon, "/") ? QC_EFS_EBUSY : QC_EFS_EINVAL;
	else if (!err && unlinkat(w.dirfd, w.name, AT_REMOVEDIR) < 0)
		err = efs_errno_of(errno);
	done_with(&w);
	errno_reply(c, err);
}

static void do_rename(struct call *c)
{
	struct where a, b;
	int32_t err = resolve_str(c->efs, c->q, 0, false, &a);

	b.dirfd = -1;
	if (!err)
		err = resolve_str(c->efs, c->q, 1, false, &b);
	if (!err && (!strcmp(a.name, ".") || !strcmp(b.name, ".")))
		err = QC_EFS_EINVAL;
	else if (!err && renameat(a.dirfd, a.name, b.dirfd, b.name) < 0)
		err = efs_errno_of(errno);
	done_with(&a);
	done_with(&b);
	errno_reply(c, err);
}

static void do_stat(struct call *c, bool follow)
{
	struct where w;
	struct stat sb;
	int32_t err = resolve_str(c->efs, c->q, 0, follow, &w);

	if (!err && fstatat(w.dirfd, w.name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		err = efs_errno_of(errno);
	stat_reply(c, err, &sb, w.canon, follow);
	done_with(&w);
}

static void do_fstat(struct call *c)
{
	struct sim_file *f = file_of(c, c->q->num[0]);
	struct stat sb;

	if (!f)
		stat_reply(c, QC_EFS_EBADF, NULL, NULL, true);
	else if (fstat(f->fd, &sb) < 0)
		stat_reply(c, efs_errno_of(errno), NULL, NULL, true);
	else
		stat_reply(c, 0, &sb, f->path, true);
}

static void do_chmod(struct call *c)
{
	struct where w;
	struct stat sb;
	int32_t err = resolve_str(c->efs, c->q, 0, true, &w);

	/* resolve() followed any link, so this never changes a host file
	 * outside the directory */
	if (!err && fstatat(w.dirfd, w.name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		err = efs_errno_of(errno);
	if (!err && S_ISLNK(sb.st_mode))
		err = QC_EFS_ELOOP;
	if (!err && fchmodat(w.dirfd, w.name, c->q->num[0] & 07777, 0) < 0)
		err = efs_errno_of(errno);
	done_with(&w);
	errno_reply(c, err);
}

static void do_statfs(struct call *c)
{
	struct statvfs vfs;
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, true, &w);

	done_with(&w);
	if (!err && fstatvfs(c->efs->root, &vfs) < 0)
		err = efs_errno_of(errno);
	if (err) {
		set_num(c, 9, (uint32_t)err, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
		return;
	}
	memcpy(c->r.fixed, "EFS2\0\0\0\0", 8);
	set_num(c, 9, 0u, 1u, (uint32_t)vfs.f_bsize, (uint32_t)(vfs.f_blocks > UINT32_MAX ? UINT32_MAX : vfs.f_blocks),
		(uint32_t)(vfs.f_bavail > UINT32_MAX ? UINT32_MAX : vfs.f_bavail),
		(uint32_t)(vfs.f_bfree > UINT32_MAX ? UINT32_MAX : vfs.f_bfree), (uint32_t)INT32_MAX,
		(uint32_t)(vfs.f_files > UINT32_MAX ? UINT32_MAX : vfs.f_files - vfs.f_ffree),
		(uint32_t)(vfs.f_files > UINT32_MAX ? UINT32_MAX : vfs.f_files));
}

static void do_access(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, true, &w);

	if (!err && faccessat(w.dirfd, w.name, (int)(c->q->num[0] & 7), 0) < 0)
		err = efs_errno_of(errno);
	done_with(&w);
	errno_reply(c, err);
}

static void do_opendir(struct call *c)
{
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, 0, true, &w);
	int slot = -1, fd;

	for (int i = 0; i < SIM_DIRS; i++)
		if (!c->efs->dirs[i].used) {
			slot = i;
			break;
		}
	if (!err && slot < 0)
		err = QC_EFS_DIAG_TOO_MANY_OPEN_DIRS;
	if (!err) {
		fd = openat(w.dirfd, w.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

		if (!d) {
			err = efs_errno_of(errno);
			if (fd >= 0)
				close(fd);
		} else {
			struct sim_dir *sd = &c->efs->dirs[slot];

			memset(sd, 0, sizeof(*sd));
			sd->used = true;
			sd->d = d;
			snprintf(sd->path, sizeof(sd->path), "%s", w.canon);
			sd->hostile = qcsim_fault(c->efs->sim, "efs-hostile-names");
			sd->endless = qcsim_fault(c->efs->sim, "efs-endless-dir");
		}
	}
	done_with(&w);
	/* handles start at 1: some clients take 0 for "no directory" */
	set_num(c, 2, err ? 0u : (uint32_t)slot + 1, (uint32_t)err);
}

static const struct {
	const char *name;
	size_t len;
	int32_t type;
} hostile_names[] = {
	{"../../etc/passwd", 16, QC_EFS_TYPE_FILE}, {"a/../../b", 9, QC_EFS_TYPE_FILE},
	{"..", 2, QC_EFS_TYPE_DIR},                 {".", 1, QC_EFS_TYPE_DIR},
	{"/abs", 4, QC_EFS_TYPE_FILE},              {"esc\x1b[31mred", 11, QC_EFS_TYPE_FILE},
	{"nul\0hidden", 10, QC_EFS_TYPE_FILE},      {"tab\tname", 8, QC_EFS_TYPE_DIR},
};

static void do_readdir(struct call *c)
{
	uint32_t dirp = c->q->num[0];
	int32_t seq = (int32_t)c->q->num[1];
	struct sim_dir *sd = dirp >= 1 && dirp <= SIM_DIRS && c->efs->dirs[dirp - 1].used ? &c->efs->dirs[dirp - 1]
											 : NULL;
	struct dirent *de;
	struct stat sb;
	char canon[SIM_PATH_MAX + 256];
	char *name = (char *)c->data;

	c->r.nstr = 1;
	c->r.str[0] = name;
	c->r.slen[0] = 0;
	if (!sd || seq != sd->seq + 1) {
		set_num(c, 9, dirp, (uint32_t)seq,
			(uint32_t)(sd ? QC_EFS_DIAG_INVALID_SEQ_NO : QC_EFS_DIAG_DIR_NOT_OPEN), 0u, 0u, 0u, 0u, 0u,
			0u);
		return;
	}
	sd->seq = seq;
	while ((de = readdir(sd->d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(sd->d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		uint32_t type = S_ISDIR(sb.st_mode)	? QC_EFS_TYPE_DIR
				: S_ISLNK(sb.st_mode) ? QC_EFS_TYPE_SYMLINK
				: S_ISREG(sb.st_mode) ? QC_EFS_TYPE_FILE
						      : QC_EFS_TYPE_OTHER;
		uint32_t size = (uint32_t)(sb.st_size > INT32_MAX ? INT32_MAX : sb.st_size);

		snprintf(canon, sizeof(canon), "%s/%s", strcmp(sd->path, "/") ? sd->path : "", de->d_name);
		if (S_ISREG(sb.st_mode) && qcsim_fault(c->efs->sim, "efs-lying-size"))
			size += SIM_LIE;
		c->r.slen[0] = strlen(de->d_name) < c->room ? strlen(de->d_name) : 0;
		memcpy(name, de->d_name, c->r.slen[0]);
		set_num(c, 9, dirp, (uint32_t)seq, 0u, type, efs_mode(&sb, canon), size, (uint32_t)sb.st_atime,
			(uint32_t)sb.st_mtime, (uint32_t)sb.st_ctime);
		return;
	}
	if (sd->hostile && sd->extra < sizeof(hostile_names) / sizeof(hostile_names[0])) {
		size_t k = sd->extra++;

		memcpy(name, hostile_names[k].name, hostile_names[k].len);
		c->r.slen[0] = hostile_names[k].len;
		set_num(c, 9, dirp, (uint32_t)seq, 0u, (uint32_t)hostile_names[k].type,
			hostile_names[k].type == QC_EFS_TYPE_DIR ? 040755u : 0100644u, 4u, 0u, 0u, 0u);
		return;
	}
	if (sd->endless) {
		c->r.slen[0] = (size_t)snprintf(name, 32, "endless-%08zu", sd->extra++);
		set_num(c, 9, dirp, (uint32_t)seq, 0u, (uint32_t)QC_EFS_TYPE_FILE, 0100644u, 0u, 0u, 0u, 0u);
		return;
	}
	/* the empty name ends the listing */
	set_num(c, 9, dirp, (uint32_t)seq, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
}

static void do_closedir(struct call *c)
{
	uint32_t dirp = c->q->num[0];

	if (dirp < 1 || dirp > SIM_DIRS || !c->efs->dirs[dirp - 1].used) {
		errno_reply(c, QC_EFS_DIAG_DIR_NOT_OPEN);
		return;
	}
	closedir(c->efs->dirs[dirp - 1].d);
	c->efs->dirs[dirp - 1].used = false;
	errno_reply(c, 0);
}

/* GET (39, and 27 without the sequence number): a whole file in one reply. */
static void do_get(struct call *c, bool with_seq)
{
	uint32_t want = c->q->num[0], seq = with_seq ? c->q->num[2] : 0;
	struct where w;
	struct stat sb;
	ssize_t got = 0;
	int32_t err = resolve_str(c->efs, c->q, 0, true, &w);
	int fd = -1;

	if (!err && (fd = openat(w.dirfd, w.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		err = efs_errno_of(errno);
	if (!err && (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)))
		err = S_ISDIR(sb.st_mode) ? QC_EFS_EISDIR : QC_EFS_EINVAL;
	if (!err && ((uint64_t)sb.st_size > want || (uint64_t)sb.st_size > c->room ||
		     (uint64_t)sb.st_size > c->efs->neg[3]))
		err = QC_EFS_FS_ERANGE;
	if (!err && (got = pread(fd, c->data, (size_t)sb.st_size, 0)) < 0)
		err = efs_errno_of(errno);
	if (fd >= 0)
		close(fd);
	done_with(&w);
	if (err)
		got = 0;
	c->r.data = c->data;
	c->r.dlen = (size_t)got;
	if (with_seq)
		set_num(c, 3, err ? (uint32_t)-1 : (uint32_t)got, (uint32_t)err, seq);
	else
		set_num(c, 2, err ? (uint32_t)-1 : (uint32_t)got, (uint32_t)err);
}

/* PUT (38, and 26): create or replace a file with the data in one request. */
static void do_put(struct call *c, bool with_seq)
{
	uint32_t flags = c->q->num[1], seq = with_seq ? c->q->num[2] : 0;
	int sidx = 0;
	struct where w;
	int32_t err = resolve_str(c->efs, c->q, sidx, true, &w);
	int fd = -1;

	if (!err) {
		int h = O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

		if (flags & QC_EFS_O_CREAT)
			h |= O_CREAT;
		if ((flags & QC_EFS_O_CREAT) && (flags & QC_EFS_O_EXCL))
			h |= O_EXCL;
		fd = openat(w.dirfd, w.name, h, 0644);
		if (fd < 0)
			err = efs_errno_of(errno);
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
	done_with(&w);
	if (with_seq)
		set_num(c, 2, seq, (uint32_t)err);
	else
		set_num(c, 1, (uint32_t)err);
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
			err = efs_errno_of(errno);
	} else {
		struct where w;
		int fd = -1;

		err = resolve_str(c->efs, c->q, 0, true, &w);
		if (!err && (fd = openat(w.dirfd, w.name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
			err = efs_errno_of(errno);
		if (!err && ftruncate(fd, len) < 0)
			err = efs_errno_of(errno);
		if (fd >= 0)
			close(fd);
		done_with(&w);
	}
	set_num(c, 2, seq, (uint32_t)err);
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
	op = qc_efs_get16(req + 2);
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
	case QC_EFS_OP_OPENDIR: do_opendir(&c); break;
	case QC_EFS_OP_READDIR: do_readdir(&c); break;
	case QC_EFS_OP_CLOSEDIR: do_closedir(&c); break;
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
