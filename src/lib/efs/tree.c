/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recursive listing, copy and removal.  The device is untrusted: every name
 * it lists is checked before it becomes a local path component, local files
 * are created relative to directory descriptors opened with O_NOFOLLOW (so
 * nothing is written through a symlink, whoever made it), and symlinks from
 * the device are recreated only when their target provably stays inside
 * the copy.  Walks are bounded in depth, entries per directory and entries
 * in total.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "efs/efs_impl.h"

struct tree {
	qc_efs *e;
	const struct qc_efs_tree_ops *ops;
	struct qc_efs_tree_stats *st;
	uint64_t visited;
	char rpath[QC_EFS_PATH_MAX]; /* remote path of the current entry */
	size_t rlen;
	char lrel[PATH_MAX];         /* its path relative to the local root */
	size_t llen;
	char pr[QC_EFS_PATH_MAX * 4]; /* printable scratch */
	char lpr[PATH_MAX * 4];
};

/* Errors after which the link or the process cannot go on. */
static bool fatal(int rc)
{
	return rc == QC_E_TIMEOUT || rc == QC_E_DISCONNECTED || rc == QC_E_IO || rc == QC_E_CANCELLED ||
	       rc == QC_E_NOMEM;
}

static const char *printable(struct tree *t)
{
	qc_efs_escape(t->rpath, t->rlen, t->pr, sizeof(t->pr));
	return t->pr;
}

static const char *printable_local(struct tree *t)
{
	qc_efs_escape(t->lrel, t->llen, t->lpr, sizeof(t->lpr));
	return t->lpr;
}

static void report(struct tree *t, enum qc_efs_report kind, const char *path, const char *fmt, ...)
	QC_PRINTF(4, 5);

static void report(struct tree *t, enum qc_efs_report kind, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kind == QC_EFS_REFUSED)
		t->st->refused++;
	else if (kind == QC_EFS_WARNING)
		t->st->warnings++;
	else
		t->st->failed++;
	if (t->ops && t->ops->report)
		t->ops->report(t->ops->user, kind, path, msg);
	else
		qc_log(t->e->ctx, QC_LOG_WARN, "%s: %s", path, msg);
}

/* Appends "/" NAME to the remote path; false (reported) if too long. */
static bool push_remote(struct tree *t, const char *name, size_t len, size_t *saved)
{
	bool slash = !(t->rlen && t->rpath[t->rlen - 1] == '/');

	*saved = t->rlen;
	if (t->rlen + slash + len >= sizeof(t->rpath)) {
		char n[600];

		qc_efs_escape(name, len, n, sizeof(n));
		report(t, QC_EFS_FAILED, n, "the path below %s is longer than %d bytes; skipped", printable(t),
		       QC_EFS_PATH_MAX - 1);
		return false;
	}
	if (slash)
		t->rpath[t->rlen++] = '/';
	memcpy(t->rpath + t->rlen, name, len);
	t->rlen += len;
	t->rpath[t->rlen] = '\0';
	return true;
}

static void pop_remote(struct tree *t, size_t saved)
{
	t->rlen = saved;
	t->rpath[saved] = '\0';
}

static bool push_local(struct tree *t, const char *name, size_t len, size_t *saved)
{
	bool slash = t->llen > 0;

	*saved = t->llen;
	if (t->llen + slash + len >= sizeof(t->lrel))
		return false;
	if (slash)
		t->lrel[t->llen++] = '/';
	memcpy(t->lrel + t->llen, name, len);
	t->llen += len;
	t->lrel[t->llen] = '\0';
	return true;
}

static void pop_local(struct tree *t, size_t saved)
{
	t->llen = saved;
	t->lrel[saved] = '\0';
}

/* Path of an unsafe name for reports: the parent plus the escaped name. */
static void report_refused(struct tree *t, const struct qc_efs_dirent *d, const char *why, const char *what)
{
	char n[600], path[QC_EFS_PATH_MAX * 4 + 600];

	qc_efs_escape(d->name, d->name_len, n, sizeof(n));
	snprintf(path, sizeof(path), "%s%s%s", printable(t), t->rlen && t->rpath[t->rlen - 1] == '/' ? "" : "/", n);
	report(t, QC_EFS_REFUSED, path, "%s; %s", why, what);
}

/* Counts an entry against the walk's total; false once over it. */
static bool count_entry(struct tree *t)
{
	if (++t->visited <= t->e->lim.max_total_entries)
		return true;
	return false;
}

static int over_total(struct tree *t)
{
	return qc_fail(t->e->ctx, QC_E_TOOBIG, "the walk met more than %llu entries; stopped",
		       (unsigned long long)t->e->lim.max_total_entries);
}

/* Lists the directory at t->rpath.  A failure that does not end the walk
 * is reported and gives an empty listing. */
static int list(struct tree *t, struct qc_efs_dirent **ents, size_t *n)
{
	int rc = qc_efs_listdir(t->e, t->rpath, ents, n);

	if (rc < 0 && !fatal(rc)) {
		report(t, QC_EFS_FAILED, printable(t), "%s", qc_last_error(t->e->ctx));
		*ents = NULL;
		*n = 0;
		return 0;
	}
	return rc;
}

static void emit(struct tree *t, const struct qc_efs_entry *ent)
{
	if (t->ops && t->ops->entry)
		t->ops->entry(t->ops->user, ent);
}

/* ----- listing ----- */

static int walk_dir(struct tree *t, bool recurse, unsigned depth)
{
	struct qc_efs_dirent *v;
	size_t n;
	int rc = list(t, &v, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct qc_efs_dirent *d = &v[i];
		const char *why = qc_efs_name_check(d->name, d->name_len);
		char target[QC_EFS_PATH_MAX], tpr[QC_EFS_PATH_MAX * 4];
		struct qc_efs_entry ent = {0};
		size_t saved;

		if (!count_entry(t)) {
			rc = over_total(t);
			break;
		}
		if (why) {
			/* Shown, but never used to build a path. */
			char n2[600], path[QC_EFS_PATH_MAX * 4 + 600];

			qc_efs_escape(d->name, d->name_len, n2, sizeof(n2));
			snprintf(path, sizeof(path), "%s%s%s", printable(t),
				 t->rpath[t->rlen - 1] == '/' ? "" : "/", n2);
			ent.path = path;
			ent.name = n2;
			ent.unsafe = why;
			ent.type = d->type;
			ent.mode = d->mode;
			ent.size = d->size;
			ent.mtime = d->mtime;
			emit(t, &ent);
			if (recurse && d->type == QC_EFS_TYPE_DIR)
				report_refused(t, d, why, "not entered");
			continue;
		}
		if (!push_remote(t, d->name, d->name_len, &saved))
			continue;
		ent.path = printable(t);
		ent.name = strrchr(ent.path, '/') + 1;
		ent.type = d->type;
		ent.mode = d->mode;
		ent.size = d->size;
		ent.mtime = d->mtime;
		if (d->type == QC_EFS_TYPE_SYMLINK && t->ops && t->ops->read_links) {
			int l = qc_efs_readlink(t->e, t->rpath, target, sizeof(target));

			if (l >= 0) {
				qc_efs_escape(target, (size_t)l, tpr, sizeof(tpr));
				ent.target = tpr;
			} else if (fatal(l)) {
				rc = l;
				break;
			}
		}
		emit(t, &ent);
		if (d->type == QC_EFS_TYPE_DIR) {
			t->st->dirs++;
			if (recurse) {
				if (depth + 1 > t->e->lim.max_depth)
					report(t, QC_EFS_FAILED, printable(t),
					       "deeper than %u levels below the start; not entered",
					       t->e->lim.max_depth);
				else
					rc = walk_dir(t, true, depth + 1);
			}
		} else if (d->type == QC_EFS_TYPE_SYMLINK) {
			t->st->symlinks++;
		} else {
			t->st->files++;
			if (d->size > 0)
				t->st->bytes += (uint64_t)d->size;
		}
		pop_remote(t, saved);
	}
	free(v);
	return rc;
}

static struct tree *tree_new(qc_efs *e, const char *path, const struct qc_efs_tree_ops *ops,
			     struct qc_efs_tree_stats *stats)
{
	struct tree *t;
	size_t n = strlen(path);

	memset(stats, 0, sizeof(*stats));
	if (n == 0 || n >= QC_EFS_PATH_MAX) {
		qc_fail(e->ctx, QC_E_INVAL, "EFS path of %zu bytes is not usable", n);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		qc_fail(e->ctx, QC_E_NOMEM, "out of memory");
		return NULL;
	}
	t->e = e;
	t->ops = ops;
	t->st = stats;
	memcpy(t->rpath, path, n + 1);
	t->rlen = n;
	/* "/a/b/" and "/a/b" are the same directory */
	while (t->rlen > 1 && t->rpath[t->rlen - 1] == '/')
		t->rpath[--t->rlen] = '\0';
	return t;
}

int qc_efs_walk(qc_efs *e, const char *path, bool recurse, const struct qc_efs_tree_ops *ops,
		struct qc_efs_tree_stats *stats)
{
	struct tree *t = tree_new(e, path, ops, stats);
	struct qc_efs_stat st;
	int rc;

	if (!t)
		return qc_last_error(e->ctx)[0] ? QC_E_INVAL : QC_E_NOMEM;
	rc = qc_efs_stat(e, t->rpath, &st);
	if (rc == 0 && qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode) == QC_EFS_TYPE_DIR) {
		rc = walk_dir(t, recurse, 0);
	} else if (rc == 0) {
		/* A file lists as itself. */
		const char *slash = strrchr(printable(t), '/');
		struct qc_efs_entry ent = {.path = printable(t),
					   .name = slash && slash[1] ? slash + 1 : t->pr,
					   .type = qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode),
					   .mode = st.mode,
					   .size = st.size,
					   .mtime = st.mtime};
		emit(t, &ent);
		t->st->files++;
	}
	free(t);
	return rc;
}

/* ----- copying from the device ----- */

/* A symlink target is recreated only if it cannot lead out of the copy:
 * relative, "..": only as leading components and no more of them than the
 * link's depth below the copy's root, no control characters.  Leading ".."
 * climbs real directories this copy made; later components only descend,
 * through directories or links that passed the same test. */
static const char *unsafe_target(const char *target, size_t len, unsigned depth)
{
	size_t i = 0, ups = 0;
	bool descended = false;

	if (len == 0)
		return "its target is empty";
	if (target[0] == '/')
		return "its target is an absolute path, which would point outside the copy";
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)target[k] < 0x20 || target[k] == 0x7f)
			return "its target contains a control character";
	while (i < len) {
		size_t j = i;

		while (j < len && target[j] != '/')
			j++;
		if (j - i == 2 && target[i] == '.' && target[i + 1] == '.') {
			if (descended)
				return "its target climbs with '..' after descending, which could leave the copy";
			if (++ups > depth)
				return "its target climbs above the copied tree";
		} else if (j > i && !(j - i == 1 && target[i] == '.')) {
			descended = true;
		}
		i = j + 1;
	}
	return NULL;
}

static int get_dir(struct tree *t, int ldfd, unsigned depth);

static int get_entry(struct tree *t, int ldfd, const struct qc_efs_dirent *d, unsigned depth)
{
	struct qc_efs_entry ent = {0};
	int rc = 0;

	ent.path = printable(t);
	ent.name = strrchr(ent.path, '/') + 1;
	ent.local = printable_local(t);
	ent.type = d->type;
	ent.mode = d->mode;
	ent.mtime = d->mtime;
	switch (d->type) {
	case QC_EFS_TYPE_DIR: {
		int cfd;

		if (depth + 1 > t->e->lim.max_depth) {
			report(t, QC_EFS_FAILED, ent.path, "deeper than %u levels below the start; not copied",
			       t->e->lim.max_depth);
			return 0;
		}
		if (mkdirat(ldfd, d->name, 0755) < 0 && errno != EEXIST) {
			report(t, QC_EFS_FAILED, ent.path, "cannot create local directory %s: %s", ent.local,
			       strerror(errno));
			return 0;
		}
		cfd = openat(ldfd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0) {
			report(t, QC_EFS_FAILED, ent.path, "local %s exists and is not a directory (%s); not copied",
			       ent.local, strerror(errno));
			return 0;
		}
		t->st->dirs++;
		ent.created = true;
		emit(t, &ent);
		rc = get_dir(t, cfd, depth + 1);
		close(cfd);
		return rc;
	}
	case QC_EFS_TYPE_FILE:
	case QC_EFS_TYPE_IMMOVABLE:
	case QC_EFS_TYPE_ITEM: {
		struct qc_efs_xfer x;
		struct stat sb;
		/* Truncated only once known to be a plain file of its own: an
		 * old hard link in the destination may share its data with a
		 * file elsewhere. */
		int fd = openat(ldfd, d->name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);

		if (fd < 0) {
			report(t, QC_EFS_FAILED, ent.path, "cannot create local file %s: %s", ent.local,
			       strerror(errno));
			return 0;
		}
		if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_nlink > 1 || ftruncate(fd, 0) < 0) {
			close(fd);
			report(t, QC_EFS_FAILED, ent.path,
			       "local %s exists and is not a regular file with a single link; not copied", ent.local);
			return 0;
		}
		rc = qc_efs_get_open(t->e, t->rpath, d->type, d->size, fd, t->ops && t->ops->sha256, &x);
		if (close(fd) < 0 && rc == 0)
			rc = qc_fail(t->e->ctx, QC_E_IO, "closing local %s failed: %s", ent.local, strerror(errno));
		if (rc < 0) {
			if (fatal(rc))
				return rc;
			report(t, QC_EFS_FAILED, ent.path, "%s", qc_last_error(t->e->ctx));
			return 0;
		}
		if (x.short_read)
			report(t, QC_EFS_WARNING, ent.path,
			       "the device stated %lld bytes but the file ended after %llu; kept what was read",
			       (long long)x.stated_size, (unsigned long long)x.bytes);
		t->st->files++;
		t->st->bytes += x.bytes;
		ent.size = (int64_t)x.bytes;
		ent.created = true;
		ent.has_sha256 = t->ops && t->ops->sha256;
		memcpy(ent.sha256, x.sha256, sizeof(ent.sha256));
		emit(t, &ent);
		return 0;
	}
	case QC_EFS_TYPE_SYMLINK: {
		char target[QC_EFS_PATH_MAX], tpr[QC_EFS_PATH_MAX * 4];
		const char *why;
		int l = qc_efs_readlink(t->e, t->rpath, target, sizeof(target));

		if (l < 0) {
			if (fatal(l))
				return l;
			report(t, QC_EFS_FAILED, ent.path, "%s", qc_last_error(t->e->ctx));
			return 0;
		}
		qc_efs_escape(target, (size_t)l, tpr, sizeof(tpr));
		ent.target = tpr;
		why = unsafe_target(target, (size_t)l, depth);
		if (why) {
			report(t, QC_EFS_REFUSED, ent.path, "symlink to '%s': %s; not created", tpr, why);
		} else {
			if (symlinkat(target, ldfd, d->name) < 0 && errno == EEXIST) {
				struct stat sb;

				/* Replace an old link, never a file or directory. */
				if (fstatat(ldfd, d->name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode) &&
				    unlinkat(ldfd, d->name, 0) == 0 && symlinkat(target, ldfd, d->name) == 0)
					errno = 0;
				else
					errno = EEXIST;
			} else {
				errno = 0;
			}
			if (errno) {
				report(t, QC_EFS_FAILED, ent.path, "cannot create local symlink %s: %s", ent.local,
				       strerror(errno));
			} else {
				ent.created = true;
				t->st->symlinks++;
			}
		}
		emit(t, &ent);
		return 0;
	}
	default:
		report(t, QC_EFS_WARNING, ent.path, "not a file, directory or symlink (mode 0%o); skipped", d->mode);
		return 0;
	}
}

static int get_dir(struct tree *t, int ldfd, unsigned depth)
{
	struct qc_efs_dirent *v;
	size_t n;
	int rc = list(t, &v, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct qc_efs_dirent *d = &v[i];
		const char *why = qc_efs_name_check(d->name, d->name_len);
		size_t rs, ls;

		if (!count_entry(t)) {
			rc = over_total(t);
			break;
		}
		/* Duplicates would silently overwrite each other. */
		if (!why && i > 0 && v[i - 1].name_len == d->name_len && !memcmp(v[i - 1].name, d->name, d->name_len))
			why = "the directory lists this name twice";
		if (why) {
			report_refused(t, d, why, "not copied");
			continue;
		}
		if (!push_remote(t, d->name, d->name_len, &rs))
			continue;
		if (!push_local(t, d->name, d->name_len, &ls)) {
			report(t, QC_EFS_FAILED, printable(t), "the local path is too long; not copied");
			pop_remote(t, rs);
			continue;
		}
		rc = get_entry(t, ldfd, d, depth);
		pop_local(t, ls);
		pop_remote(t, rs);
	}
	free(v);
	return rc;
}

int qc_efs_get_tree(qc_efs *e, const char *remote, const char *local_dir, const struct qc_efs_tree_ops *ops,
		    struct qc_efs_tree_stats *stats)
{
	struct tree *t = tree_new(e, remote, ops, stats);
	int ldfd, rc;

	if (!t)
		return qc_last_error(e->ctx)[0] ? QC_E_INVAL : QC_E_NOMEM;
	ldfd = open(local_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ldfd < 0) {
		rc = qc_fail(e->ctx, QC_E_IO, "cannot open local directory %s: %s", local_dir, strerror(errno));
		free(t);
		return rc;
	}
	rc = get_dir(t, ldfd, 0);
	close(ldfd);
	free(t);
	return rc;
}

/* ----- copying to the device ----- */

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Names in local directory DFD, sorted; NULL-terminated, malloc'd. */
static char **local_names(struct tree *t, int dfd, size_t *count)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		report(t, QC_EFS_FAILED, printable_local(t), "cannot list the local directory: %s", strerror(errno));
		*count = 0;
		return NULL;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == t->e->lim.max_dir_entries) {
			report(t, QC_EFS_FAILED, printable_local(t), "more than %u entries; the rest is not copied",
			       t->e->lim.max_dir_entries);
			break;
		}
		if (n + 1 >= cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 32) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 32;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			break;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*count = n;
	return v;
}

/* mkdir that accepts an existing directory. */
static int ensure_remote_dir(qc_efs *e, const char *path)
{
	struct qc_efs_stat st;
	int rc = qc_efs_mkdir(e, path, 0755);

	if (rc == QC_E_EXISTS) {
		if (qc_efs_stat(e, path, &st) == 0 && qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode) == QC_EFS_TYPE_DIR)
			return 0;
		return qc_fail(e->ctx, QC_E_EXISTS, "EFS %s exists and is not a directory", path);
	}
	return rc;
}

static int put_dir(struct tree *t, int ldfd, unsigned depth);

static int put_entry(struct tree *t, int ldfd, const char *name, unsigned depth)
{
	struct qc_efs_entry ent = {0};
	struct stat sb;
	int rc;

	ent.path = printable(t);
	ent.name = strrchr(ent.path, '/') + 1;
	ent.local = printable_local(t);
	if (fstatat(ldfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		report(t, QC_EFS_FAILED, ent.local, "cannot stat local file: %s", strerror(errno));
		return 0;
	}
	ent.mode = (uint32_t)sb.st_mode;
	ent.mtime = sb.st_mtime;
	if (S_ISDIR(sb.st_mode)) {
		int cfd;

		ent.type = QC_EFS_TYPE_DIR;
		if (depth + 1 > t->e->lim.max_depth) {
			report(t, QC_EFS_FAILED, ent.local, "deeper than %u levels; not copied", t->e->lim.max_depth);
			return 0;
		}
		rc = ensure_remote_dir(t->e, t->rpath);
		if (rc < 0) {
			if (fatal(rc))
				return rc;
			report(t, QC_EFS_FAILED, ent.local, "%s", qc_last_error(t->e->ctx));
			return 0;
		}
		cfd = openat(ldfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0) {
			report(t, QC_EFS_FAILED, ent.local, "cannot open local directory: %s", strerror(errno));
			return 0;
		}
		t->st->dirs++;
		ent.created = true;
		emit(t, &ent);
		rc = put_dir(t, cfd, depth + 1);
		close(cfd);
		return rc;
	}
	if (S_ISREG(sb.st_mode)) {
		struct qc_efs_xfer x;
		int fd = openat(ldfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		ent.type = QC_EFS_TYPE_FILE;
		if (fd < 0) {
			report(t, QC_EFS_FAILED, ent.local, "cannot open local file: %s", strerror(errno));
			return 0;
		}
		rc = qc_efs_put_file(t->e, fd, t->rpath, (uint32_t)sb.st_mode & 0777, false, &x);
		close(fd);
		if (rc < 0) {
			if (fatal(rc))
				return rc;
			report(t, QC_EFS_FAILED, ent.local, "%s", qc_last_error(t->e->ctx));
			return 0;
		}
		t->st->files++;
		t->st->bytes += x.bytes;
		ent.size = (int64_t)x.bytes;
		ent.created = true;
		ent.has_sha256 = t->ops && t->ops->sha256;
		memcpy(ent.sha256, x.sha256, sizeof(ent.sha256));
		emit(t, &ent);
		return 0;
	}
	if (S_ISLNK(sb.st_mode)) {
		char target[QC_EFS_PATH_MAX], tpr[QC_EFS_PATH_MAX * 4];
		ssize_t l = readlinkat(ldfd, name, target, sizeof(target) - 1);

		ent.type = QC_EFS_TYPE_SYMLINK;
		if (l < 0) {
			report(t, QC_EFS_FAILED, ent.local, "cannot read local symlink: %s", strerror(errno));
			return 0;
		}
		if ((size_t)l >= sizeof(target) - 1) {
			report(t, QC_EFS_FAILED, ent.local, "symlink target longer than %zu bytes; not copied",
			       sizeof(target) - 2);
			return 0;
		}
		target[l] = '\0';
		qc_efs_escape(target, (size_t)l, tpr, sizeof(tpr));
		ent.target = tpr;
		rc = qc_efs_symlink(t->e, target, t->rpath);
		if (rc == QC_E_EXISTS) {
			struct qc_efs_stat st;

			/* Replace an older link; leave anything else alone. */
			if (qc_efs_lstat(t->e, t->rpath, &st) == 0 &&
			    (st.mode & QC_EFS_S_IFMT) == QC_EFS_S_IFLNK && qc_efs_unlink(t->e, t->rpath) == 0)
				rc = qc_efs_symlink(t->e, target, t->rpath);
			else
				rc = qc_fail(t->e->ctx, QC_E_EXISTS, "EFS %s exists and is not a symlink", ent.path);
		}
		if (rc < 0) {
			if (fatal(rc))
				return rc;
			report(t, QC_EFS_FAILED, ent.local, "%s", qc_last_error(t->e->ctx));
			return 0;
		}
		t->st->symlinks++;
		ent.created = true;
		emit(t, &ent);
		return 0;
	}
	report(t, QC_EFS_WARNING, ent.local, "not a file, directory or symlink; skipped");
	return 0;
}

static int put_dir(struct tree *t, int ldfd, unsigned depth)
{
	size_t n;
	char **names = local_names(t, ldfd, &n);
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		size_t rs, ls, len = strlen(names[i]);

		if (rc == 0 && !count_entry(t))
			rc = over_total(t);
		if (rc == 0 && push_remote(t, names[i], len, &rs)) {
			if (push_local(t, names[i], len, &ls)) {
				rc = put_entry(t, ldfd, names[i], depth);
				pop_local(t, ls);
			} else {
				report(t, QC_EFS_FAILED, printable(t), "the local path is too long; not copied");
			}
			pop_remote(t, rs);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int qc_efs_put_tree(qc_efs *e, const char *local_dir, const char *remote, const struct qc_efs_tree_ops *ops,
		    struct qc_efs_tree_stats *stats)
{
	struct tree *t = tree_new(e, remote, ops, stats);
	int ldfd, rc;

	if (!t)
		return qc_last_error(e->ctx)[0] ? QC_E_INVAL : QC_E_NOMEM;
	ldfd = open(local_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ldfd < 0) {
		rc = qc_fail(e->ctx, QC_E_IO, "cannot open local directory %s: %s", local_dir, strerror(errno));
		free(t);
		return rc;
	}
	rc = ensure_remote_dir(e, t->rpath);
	if (rc == 0)
		rc = put_dir(t, ldfd, 0);
	close(ldfd);
	free(t);
	return rc;
}

/* ----- removal ----- */

static int remove_dir(struct tree *t, unsigned depth)
{
	struct qc_efs_dirent *v;
	size_t n;
	int rc = list(t, &v, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct qc_efs_dirent *d = &v[i];
		const char *why = qc_efs_name_check(d->name, d->name_len);
		size_t rs;

		if (!count_entry(t)) {
			rc = over_total(t);
			break;
		}
		/* A name like ".." would make the path name something else. */
		if (why) {
			report_refused(t, d, why, "not removed");
			continue;
		}
		if (!push_remote(t, d->name, d->name_len, &rs))
			continue;
		if (d->type == QC_EFS_TYPE_DIR) {
			if (depth + 1 > t->e->lim.max_depth)
				report(t, QC_EFS_FAILED, printable(t), "deeper than %u levels; not removed",
				       t->e->lim.max_depth);
			else
				rc = remove_dir(t, depth + 1);
		} else {
			int r = qc_efs_unlink(t->e, t->rpath);

			if (r < 0 && fatal(r))
				rc = r;
			else if (r < 0)
				report(t, QC_EFS_FAILED, printable(t), "%s", qc_last_error(t->e->ctx));
			else if (d->type == QC_EFS_TYPE_SYMLINK)
				t->st->symlinks++;
			else
				t->st->files++;
		}
		pop_remote(t, rs);
	}
	free(v);
	if (rc == 0) {
		int r = qc_efs_rmdir(t->e, t->rpath);

		if (r < 0 && fatal(r))
			rc = r;
		else if (r < 0)
			report(t, QC_EFS_FAILED, printable(t), "%s", qc_last_error(t->e->ctx));
		else
			t->st->dirs++;
	}
	return rc;
}

int qc_efs_remove_tree(qc_efs *e, const char *path, const struct qc_efs_tree_ops *ops,
		       struct qc_efs_tree_stats *stats)
{
	struct tree *t = tree_new(e, path, ops, stats);
	struct qc_efs_stat st;
	int rc;

	if (!t)
		return qc_last_error(e->ctx)[0] ? QC_E_INVAL : QC_E_NOMEM;
	rc = qc_efs_lstat(e, t->rpath, &st);
	if (rc == 0) {
		if ((st.mode & QC_EFS_S_IFMT) == QC_EFS_S_IFDIR) {
			rc = remove_dir(t, 0);
		} else {
			rc = qc_efs_unlink(e, t->rpath);
			if (rc == 0)
				t->st->files++;
		}
	}
	free(t);
	return rc;
}
