/* SPDX-License-Identifier: BSD-3-Clause */
/* Offline parsing of raw DIAG streams: counts frames, CRC errors and
 * packets by command (and log code), in constant memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qcbox/diag.h"

#define STREAM_CHUNK (1 << 20)
#define STREAM_WINDOW (16u << 20)
#define STREAM_MAX_FRAME (64 * 1024)

static void count_frame(struct qc_diag_stream_stats *s, const uint8_t *f, size_t n)
{
	s->frames++;
	if (n == 0)
		return;
	s->by_cmd[f[0]]++;
	/* 10 more len16 | len16 code16 ts64 ...: the log code is at offset 6. */
	if (f[0] == QC_DIAG_LOG && s->by_log_code && n >= 8)
		s->by_log_code[f[6] | f[7] << 8]++;
}

/* Non-HDLC streams start with 7E 01 and a length whose frame ends in 7E. */
static bool looks_nhdlc(const uint8_t *p, size_t n)
{
	size_t len;

	if (n < 5 || p[0] != QC_HDLC_FLAG || p[1] != 1)
		return false;
	len = (size_t)p[2] | (size_t)p[3] << 8;
	return 4 + len < n && p[4 + len] == QC_HDLC_FLAG;
}

struct stream_parser {
	struct qc_hdlc_decoder dec;
	struct qc_diag_stream_stats *stats;
	bool first, auto_detect;
};

static void feed(struct stream_parser *p, const uint8_t *buf, size_t n)
{
	struct qc_diag_stream_stats *stats = p->stats;

	if (p->first && p->auto_detect && looks_nhdlc(buf, n))
		qc_hdlc_decoder_set_framing(&p->dec, QC_FRAMING_NHDLC);
	p->first = false;
	stats->bytes += n;
	for (size_t off = 0; off < n;) {
		const uint8_t *f;
		size_t used, flen;
		int r = qc_hdlc_decode(&p->dec, buf + off, n - off, &used, &f, &flen);

		off += used;
		if (r == 1)
			count_frame(stats, f, flen);
		else if (r == QC_E_CRC)
			stats->crc_errors++;
		else if (r == QC_E_TOOBIG)
			stats->oversized++;
		else if (r == QC_E_PROTOCOL)
			stats->framing_errors++;
	}
}

/* Regular files are mapped a window at a time: no copy through read(), and
 * the resident set stays bounded by the window whatever the file size. */
static int parse_mapped(qc_ctx *ctx, int fd, uint64_t size, struct stream_parser *p)
{
	for (uint64_t off = 0; off < size; off += STREAM_WINDOW) {
		size_t n = size - off < STREAM_WINDOW ? (size_t)(size - off) : STREAM_WINDOW;
		void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)off);

		if (m == MAP_FAILED)
			return qc_fail(ctx, QC_E_IO, "cannot map the file: %s", strerror(errno));
		feed(p, m, n);
		munmap(m, n);
		qc_progress(ctx, "parse", off + n, size);
	}
	return 0;
}

static int parse_read(qc_ctx *ctx, int fd, struct stream_parser *p)
{
	uint8_t *buf = malloc(STREAM_CHUNK);

	if (!buf)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(fd, buf, STREAM_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return qc_fail(ctx, QC_E_IO, "read failed: %s", strerror(errno));
		}
		if (n == 0)
			break;
		feed(p, buf, (size_t)n);
		qc_progress(ctx, "parse", p->stats->bytes, 0);
	}
	free(buf);
	return 0;
}

int qc_diag_stream_parse_fd(qc_ctx *ctx, int fd, enum qc_framing framing, bool auto_detect,
			    struct qc_diag_stream_stats *stats)
{
	struct stream_parser p = {.stats = stats, .first = true, .auto_detect = auto_detect};
	uint64_t *log_codes = stats->by_log_code;
	struct stat st;
	int rc;

	memset(stats, 0, sizeof(*stats));
	stats->by_log_code = log_codes;
	if (log_codes)
		memset(log_codes, 0, 65536 * sizeof(*log_codes));
	if (qc_hdlc_decoder_init(&p.dec, STREAM_MAX_FRAME) < 0)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	qc_hdlc_decoder_set_framing(&p.dec, framing);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0)
		rc = parse_mapped(ctx, fd, (uint64_t)st.st_size, &p);
	else
		rc = parse_read(ctx, fd, &p);
	qc_hdlc_decoder_free(&p.dec);
	return rc;
}

int qc_diag_stream_parse_file(qc_ctx *ctx, const char *path, enum qc_framing framing, bool auto_detect,
			      struct qc_diag_stream_stats *stats)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	rc = qc_diag_stream_parse_fd(ctx, fd, framing, auto_detect, stats);
	close(fd);
	if (rc < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", qc_last_error(ctx));
		return qc_fail(ctx, rc, "%s: %s", path, why);
	}
	return 0;
}
