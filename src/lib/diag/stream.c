/* SPDX-License-Identifier: BSD-3-Clause */
/* Offline parsing of raw DIAG streams: counts frames, CRC errors and
 * packets by command (and log code), in constant memory. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
static int parse_mapped(qc_ctx *ctx, int fd, uint64_t start, uint64_t end, struct stream_parser *p, bool progress)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	for (uint64_t off = start; off < end; off += STREAM_WINDOW) {
		size_t n = end - off < STREAM_WINDOW ? (size_t)(end - off) : STREAM_WINDOW;
		uint64_t map_off = off & ~(page - 1);
		size_t lead = (size_t)(off - map_off);
		uint8_t *m = mmap(NULL, n + lead, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)map_off);

		if (m == MAP_FAILED)
			return qc_fail(ctx, QC_E_IO, "cannot map the file: %s", strerror(errno));
		feed(p, m + lead, n);
		munmap(m, n + lead);
		if (progress)
			qc_progress(ctx, "parse", off + n - start, end - start);
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

/*
 * Large HDLC files are parsed in two halves on two threads.  The halves
 * meet just after a 0x7E: a flag always ends a frame and resets the decoder
 * (no escape or length state crosses it), so the counts are exactly those
 * of one sequential pass.  Non-HDLC frames may contain 0x7E and are not
 * split.
 */
#define STREAM_SPLIT_MIN (32u << 20)

struct half {
	qc_ctx *ctx; /* only the first half reports progress and errors on it */
	int fd;
	uint64_t start, end;
	struct stream_parser p;
	struct qc_diag_stream_stats stats;
	int rc;
	char err[256];
};

static void *parse_half(void *arg)
{
	struct half *h = arg;
	qc_ctx *local = qc_ctx_new();

	if (!local) {
		h->rc = QC_E_NOMEM;
		return NULL;
	}
	h->rc = parse_mapped(local, h->fd, h->start, h->end, &h->p, false);
	snprintf(h->err, sizeof(h->err), "%s", qc_last_error(local));
	qc_ctx_free(local);
	return NULL;
}

/* Offset just past the first flag at or after FROM, or 0 if there is none. */
static uint64_t split_point(int fd, uint64_t from, uint64_t size)
{
	uint8_t buf[65536];

	for (uint64_t off = from; off < size;) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);
		uint8_t *f;

		if (n <= 0)
			return 0;
		f = memchr(buf, QC_HDLC_FLAG, (size_t)n);
		if (f)
			return off + (uint64_t)(f - buf) + 1;
		off += (uint64_t)n;
	}
	return 0;
}

static void merge_stats(struct qc_diag_stream_stats *a, const struct qc_diag_stream_stats *b)
{
	a->bytes += b->bytes;
	a->frames += b->frames;
	a->crc_errors += b->crc_errors;
	a->oversized += b->oversized;
	a->framing_errors += b->framing_errors;
	for (int i = 0; i < 256; i++)
		a->by_cmd[i] += b->by_cmd[i];
	if (a->by_log_code && b->by_log_code)
		for (int i = 0; i < 65536; i++)
			a->by_log_code[i] += b->by_log_code[i];
}

static int parse_file_split(qc_ctx *ctx, int fd, uint64_t size, struct stream_parser *p)
{
	uint64_t mid = split_point(fd, size / 2, size);
	struct half *h;
	pthread_t thread;
	int rc;

	if (!mid || mid >= size)
		return parse_mapped(ctx, fd, 0, size, p, true);
	h = calloc(1, sizeof(*h));
	if (!h)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	h->fd = fd;
	h->start = mid;
	h->end = size;
	h->stats.by_log_code = p->stats->by_log_code ? calloc(65536, sizeof(uint64_t)) : NULL;
	h->p.stats = &h->stats;
	if ((p->stats->by_log_code && !h->stats.by_log_code) || qc_hdlc_decoder_init(&h->p.dec, STREAM_MAX_FRAME) < 0) {
		free(h->stats.by_log_code);
		free(h);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	p->first = false;
	if (pthread_create(&thread, NULL, parse_half, h) != 0) {
		rc = parse_mapped(ctx, fd, 0, size, p, true);
	} else {
		rc = parse_mapped(ctx, fd, 0, mid, p, true);
		pthread_join(thread, NULL);
		if (rc == 0 && h->rc < 0)
			rc = qc_fail(ctx, h->rc, "%s", h->err);
		if (rc == 0)
			merge_stats(p->stats, &h->stats);
	}
	qc_hdlc_decoder_free(&h->p.dec);
	free(h->stats.by_log_code);
	free(h);
	return rc;
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
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0) {
		uint8_t head[8];
		ssize_t n = pread(fd, head, sizeof(head), 0);

		if (auto_detect && n > 0 && head[0] == QC_HDLC_FLAG && n > 1 && head[1] == 1) {
			/* Decide the framing from the first window before splitting. */
			rc = parse_mapped(ctx, fd, 0, (uint64_t)st.st_size, &p, true);
		} else if (framing == QC_FRAMING_HDLC && (uint64_t)st.st_size >= STREAM_SPLIT_MIN) {
			rc = parse_file_split(ctx, fd, (uint64_t)st.st_size, &p);
		} else {
			rc = parse_mapped(ctx, fd, 0, (uint64_t)st.st_size, &p, true);
		}
	} else {
		rc = parse_read(ctx, fd, &p);
	}
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
