/* SPDX-License-Identifier: BSD-3-Clause */
/* Whole files between EFS and a local descriptor, streamed chunk by chunk
 * in constant memory. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "efs/efs_impl.h"

static int write_all(qc_efs *e, int fd, const uint8_t *p, size_t n, const char *what)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return qc_fail(e->ctx, QC_E_IO, "writing the local copy of %s failed: %s", what,
				       w < 0 ? strerror(errno) : "no progress");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

int qc_efs_hash_begin(qc_efs *e, EVP_MD_CTX **md)
{
	*md = EVP_MD_CTX_new();
	if (!*md || EVP_DigestInit_ex(*md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(*md);
		*md = NULL;
		return qc_fail(e->ctx, QC_E_NOMEM, "cannot set up SHA-256");
	}
	return 0;
}

int qc_efs_get_open(qc_efs *e, const char *path, int kind, int64_t stated, int fd, bool sha256,
		    struct qc_efs_xfer *x)
{
	uint8_t buf[QC_EFS_MAX_CHUNK];
	EVP_MD_CTX *md = NULL;
	char pr[QC_EFS_PATH_MAX * 2];
	const char *label = base_name(path);
	bool progress = stated >= (int64_t)QC_EFS_PROGRESS_MIN;
	uint64_t off = 0;
	int dfd = -1, rc;

	memset(x, 0, sizeof(*x));
	x->stated_size = stated;
	qc_efs_escape(path, strlen(path), pr, sizeof(pr));
	if (stated < 0)
		return qc_fail(e->ctx, QC_E_PROTOCOL, "the device states a negative size (%lld) for %s",
			       (long long)stated, pr);
	if (sha256 && (rc = qc_efs_hash_begin(e, &md)) < 0)
		return rc;
	if (kind == QC_EFS_TYPE_ITEM) {
		size_t n;

		/* An item file comes whole in one GET reply.  One too large for
		 * a reply, or a device without GET, is read like any file. */
		rc = qc_efs_get_item(e, path, buf, sizeof(buf), &n);
		if (rc == 0) {
			x->item = true;
			rc = write_all(e, fd, buf, n, pr);
			if (rc == 0 && md)
				EVP_DigestUpdate(md, buf, n);
			off = rc == 0 ? n : 0;
			goto done;
		}
		if (rc != QC_E_RANGE && rc != QC_E_UNSUPPORTED && e->last_errno != QC_EFS_ENOTITM)
			goto done;
		qc_log(e->ctx, QC_LOG_DEBUG, "GET of item file %s failed (%s); reading it with OPEN/READ", pr,
		       qc_last_error(e->ctx));
	}
	rc = qc_efs_open(e, path, QC_EFS_O_RDONLY, 0);
	if (rc < 0)
		goto done;
	dfd = rc;
	rc = 0;
	/* The size the device stated bounds the copy: a device that keeps
	 * sending data past it cannot make the copy grow without end. */
	while (off < (uint64_t)stated) {
		size_t want = (uint64_t)stated - off < e->rchunk ? (size_t)((uint64_t)stated - off) : e->rchunk;
		int got;

		if (qc_cancelled(e->ctx)) {
			rc = qc_fail(e->ctx, QC_E_CANCELLED, "copy of %s cancelled", pr);
			break;
		}
		got = qc_efs_read_named(e, dfd, (uint32_t)off, buf, want, path);
		if (got < 0) {
			rc = got;
			break;
		}
		if (got == 0) {
			x->short_read = true;
			break;
		}
		rc = write_all(e, fd, buf, (size_t)got, pr);
		if (rc < 0)
			break;
		if (md)
			EVP_DigestUpdate(md, buf, (size_t)got);
		off += (uint64_t)got;
		if (progress)
			qc_progress(e->ctx, label, off, (uint64_t)stated);
	}
	if (progress && off < (uint64_t)stated)
		qc_progress(e->ctx, label, off, off);
done:
	if (dfd >= 0) {
		int crc = 0;
		char keep[1024];

		/* Close even after a failure, keeping the first reason. */
		snprintf(keep, sizeof(keep), "%s", qc_last_error(e->ctx));
		if (rc != QC_E_TIMEOUT && rc != QC_E_DISCONNECTED)
			crc = qc_efs_close(e, dfd);
		if (rc < 0)
			qc_fail(e->ctx, rc, "%s", keep);
		else
			rc = crc;
	}
	x->bytes = off;
	if (md) {
		unsigned int hl = 0;

		EVP_DigestFinal_ex(md, x->sha256, &hl);
		EVP_MD_CTX_free(md);
	}
	return rc;
}

int qc_efs_get_file(qc_efs *e, const char *path, int fd, bool sha256, struct qc_efs_xfer *x)
{
	struct qc_efs_stat st;
	int kind, rc;
	char pr[QC_EFS_PATH_MAX * 2];

	memset(x, 0, sizeof(*x));
	rc = qc_efs_stat(e, path, &st);
	if (rc < 0)
		return rc;
	qc_efs_escape(path, strlen(path), pr, sizeof(pr));
	kind = qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode);
	if (kind == QC_EFS_TYPE_DIR)
		return qc_fail(e->ctx, QC_E_INVAL, "EFS %s is a directory", pr);
	if (kind != QC_EFS_TYPE_FILE && kind != QC_EFS_TYPE_ITEM)
		return qc_fail(e->ctx, QC_E_UNSUPPORTED, "EFS %s is not a regular file (mode 0%o)", pr, st.mode);
	rc = qc_efs_get_open(e, path, kind, st.size, fd, sha256, x);
	if (rc == 0 && x->short_read)
		qc_log(e->ctx, QC_LOG_WARN, "%s: the device stated %lld bytes but the file ended after %llu", pr,
		       (long long)x->stated_size, (unsigned long long)x->bytes);
	return rc;
}

static ssize_t read_some(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int qc_efs_put_file(qc_efs *e, int fd, const char *path, uint32_t mode, bool item, struct qc_efs_xfer *x)
{
	uint8_t buf[QC_EFS_MAX_CHUNK];
	char pr[QC_EFS_PATH_MAX * 2];
	EVP_MD_CTX *md = NULL;
	const char *label = base_name(path);
	struct stat lst;
	uint64_t total = 0, off = 0;
	int dfd, rc = 0;

	memset(x, 0, sizeof(*x));
	qc_efs_escape(path, strlen(path), pr, sizeof(pr));
	if (fstat(fd, &lst) == 0 && S_ISREG(lst.st_mode)) {
		off_t pos = lseek(fd, 0, SEEK_CUR);

		total = (uint64_t)lst.st_size > (uint64_t)(pos > 0 ? pos : 0) ? (uint64_t)lst.st_size - (uint64_t)pos : 0;
		if (total > UINT32_MAX)
			return qc_fail(e->ctx, QC_E_TOOBIG, "%llu bytes do not fit in EFS file %s (offsets are 32-bit)",
				       (unsigned long long)total, pr);
	}
	if ((rc = qc_efs_hash_begin(e, &md)) < 0)
		return rc;
	if (item) {
		/* One PUT: the whole item must fit in a single request. */
		ssize_t n = read_some(fd, buf, sizeof(buf));
		uint8_t extra;

		x->item = true;
		if (n < 0)
			rc = qc_fail(e->ctx, QC_E_IO, "reading the local file for %s failed: %s", pr, strerror(errno));
		else if ((size_t)n > e->wchunk || (n == (ssize_t)sizeof(buf) && read_some(fd, &extra, 1) == 1))
			rc = qc_fail(e->ctx, QC_E_TOOBIG, "item file %s must fit in one PUT of at most %zu bytes", pr,
				     e->wchunk);
		else
			rc = qc_efs_put_item(e, path, buf, (size_t)n,
					     QC_EFS_O_CREAT | QC_EFS_O_TRUNC | QC_EFS_O_WRONLY);
		if (rc == 0) {
			EVP_DigestUpdate(md, buf, (size_t)n);
			off = (uint64_t)n;
		}
		goto out;
	}
	rc = qc_efs_open(e, path, QC_EFS_O_WRONLY | QC_EFS_O_CREAT | QC_EFS_O_TRUNC, mode & 07777);
	if (rc < 0)
		goto out;
	dfd = rc;
	rc = 0;
	for (;;) {
		ssize_t n = read_some(fd, buf, e->wchunk);
		size_t done = 0;

		if (n < 0) {
			rc = qc_fail(e->ctx, QC_E_IO, "reading the local file for %s failed: %s", pr, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (off + (uint64_t)n > UINT32_MAX) {
			rc = qc_fail(e->ctx, QC_E_TOOBIG, "EFS file %s cannot grow past 4 GiB", pr);
			break;
		}
		if (qc_cancelled(e->ctx)) {
			rc = qc_fail(e->ctx, QC_E_CANCELLED, "copy to %s cancelled", pr);
			break;
		}
		while (done < (size_t)n) {
			int w = qc_efs_write_named(e, dfd, (uint32_t)(off + done), buf + done, (size_t)n - done, path);

			if (w < 0) {
				rc = w;
				break;
			}
			done += (size_t)w;
		}
		if (rc < 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		off += (uint64_t)n;
		if (total >= QC_EFS_PROGRESS_MIN)
			qc_progress(e->ctx, label, off, total > off ? total : off);
	}
	if (total >= QC_EFS_PROGRESS_MIN && off < total)
		qc_progress(e->ctx, label, off, off);
	{
		char keep[1024];
		int crc = 0;

		snprintf(keep, sizeof(keep), "%s", qc_last_error(e->ctx));
		if (rc != QC_E_TIMEOUT && rc != QC_E_DISCONNECTED)
			crc = qc_efs_close(e, dfd);
		if (rc < 0)
			qc_fail(e->ctx, rc, "%s", keep);
		else
			rc = crc;
	}
out:
	x->bytes = off;
	{
		unsigned int hl = 0;

		EVP_DigestFinal_ex(md, x->sha256, &hl);
		EVP_MD_CTX_free(md);
	}
	return rc;
}
