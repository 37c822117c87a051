/* SPDX-License-Identifier: BSD-3-Clause */
/* Intel HEX records, as written by binutils and by the tools that built the
 * old NPRG/ENPRG programmers. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "qcbox/ihex.h"

enum {
	REC_DATA = 0x00,
	REC_EOF = 0x01,
	REC_EXT_SEGMENT = 0x02,
	REC_START_SEGMENT = 0x03,
	REC_EXT_LINEAR = 0x04,
	REC_START_LINEAR = 0x05,
};

struct range {
	uint64_t start, end;
};

struct qc_ihex {
	qc_ctx *ctx;
	char name[256];
	unsigned line;
	unsigned eof_line;   /* line of the end record, 0 before it */
	unsigned start_line; /* line of the first start address record */
	uint32_t base;       /* from the last 02 or 04 record */
	bool has_start;
	uint32_t start;
	uint64_t bytes;
	unsigned data_records;
	/* Disjoint, non-adjacent, sorted: only as many entries as the file has
	 * holes, so memory stays small however large the image. */
	struct range *r;
	size_t nr, cap;
};

qc_ihex *qc_ihex_new(qc_ctx *ctx, const char *name)
{
	qc_ihex *p = calloc(1, sizeof(*p));

	if (!p) {
		qc_fail(ctx, QC_E_NOMEM, "out of memory");
		return NULL;
	}
	p->ctx = ctx;
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "Intel HEX input");
	return p;
}

void qc_ihex_free(qc_ihex *p)
{
	if (!p)
		return;
	free(p->r);
	free(p);
}

static int overlap(qc_ihex *p, uint64_t at)
{
	return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: data at 0x%08llX overlaps data of an earlier record", p->name,
		       p->line, (unsigned long long)at);
}

/* Records [s, e) as holding data; an overlap with earlier data is an error. */
static int add_range(qc_ihex *p, uint64_t s, uint64_t e)
{
	size_t lo = 0, hi = p->nr, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->r[mid].end < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo; /* first range ending at or after s */
	if (i < p->nr && p->r[i].end > s && p->r[i].start < e)
		return overlap(p, p->r[i].start > s ? p->r[i].start : s);
	if (i < p->nr && p->r[i].end == s) {
		if (i + 1 < p->nr && p->r[i + 1].start < e)
			return overlap(p, p->r[i + 1].start);
		p->r[i].end = e;
		if (i + 1 < p->nr && p->r[i + 1].start == e) {
			p->r[i].end = p->r[i + 1].end;
			memmove(&p->r[i + 1], &p->r[i + 2], (p->nr - i - 2) * sizeof(p->r[0]));
			p->nr--;
		}
		return 0;
	}
	if (i < p->nr && p->r[i].start == e) {
		p->r[i].start = s;
		return 0;
	}
	if (p->nr == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct range *n = realloc(p->r, cap * sizeof(*n));

		if (!n)
			return qc_fail(p->ctx, QC_E_NOMEM, "out of memory");
		p->r = n;
		p->cap = cap;
	}
	memmove(&p->r[i + 1], &p->r[i], (p->nr - i) * sizeof(p->r[0]));
	p->r[i] = (struct range){s, e};
	p->nr++;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int data_record(qc_ihex *p, uint16_t off, const uint8_t *data, size_t count, qc_ihex_data_fn fn,
		       void *user)
{
	/* The offset wraps inside its 64 KiB segment (the standard's rule);
	 * binutils never relies on it, but a record may. */
	size_t first = 0x10000u - off < count ? 0x10000u - off : count;
	struct {
		uint32_t addr;
		const uint8_t *d;
		size_t n;
	} part[2] = {{p->base + off, data, first}, {p->base, data + first, count - first}};

	p->data_records++;
	for (int k = 0; k < 2; k++) {
		int rc;

		if (!part[k].n)
			continue;
		rc = add_range(p, part[k].addr, (uint64_t)part[k].addr + part[k].n);
		if (rc < 0)
			return rc;
		p->bytes += part[k].n;
		if (fn && (rc = fn(user, part[k].addr, part[k].d, part[k].n)) != 0)
			return rc;
	}
	return 0;
}

static int set_start(qc_ihex *p, uint32_t start)
{
	if (p->has_start && p->start != start)
		return qc_fail(p->ctx, QC_E_FORMAT,
			       "%s line %u: start address 0x%08X contradicts 0x%08X given on line %u", p->name, p->line,
			       start, p->start, p->start_line);
	p->has_start = true;
	p->start = start;
	p->start_line = p->line;
	return 0;
}

static const char *const type_need[] = {
	[REC_EOF] = "no data bytes", [REC_EXT_SEGMENT] = "2 data bytes", [REC_START_SEGMENT] = "4 data bytes",
	[REC_EXT_LINEAR] = "2 data bytes", [REC_START_LINEAR] = "4 data bytes",
};

int qc_ihex_line(qc_ihex *p, const char *line, size_t len, qc_ihex_data_fn fn, void *user)
{
	uint8_t b[QC_IHEX_MAX_LINE / 2 + 1];
	size_t n, count;
	uint8_t sum = 0, type;
	uint16_t off;

	p->line++;
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	/* DOS tools end text files with ^Z. */
	if (!len || (len == 1 && line[0] == 0x1a))
		return 0;
	if (p->eof_line)
		return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: data after the end-of-file record on line %u",
			       p->name, p->line, p->eof_line);
	if (line[0] != ':')
		return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: a record must start with ':'", p->name, p->line);
	if (len > QC_IHEX_MAX_LINE)
		return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: record of %zu characters is longer than any valid one",
			       p->name, p->line, len);
	if (len < 11 || (len - 1) % 2)
		return qc_fail(p->ctx, QC_E_FORMAT,
			       "%s line %u: a record needs an even number of hex digits, at least 10", p->name,
			       p->line);
	n = (len - 1) / 2;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(line[1 + 2 * i]), lo = hexval(line[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u column %zu: '%c' is not a hex digit", p->name,
				       p->line, hi < 0 ? 2 + 2 * i : 3 + 2 * i, hi < 0 ? line[1 + 2 * i] : line[2 + 2 * i]);
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	count = b[0];
	if (n != count + 5)
		return qc_fail(p->ctx, QC_E_FORMAT,
			       "%s line %u: the byte count says %zu data bytes but the record holds %zu", p->name,
			       p->line, count, n >= 5 ? n - 5 : 0);
	for (size_t i = 0; i + 1 < n; i++)
		sum = (uint8_t)(sum + b[i]);
	if ((uint8_t)(sum + b[n - 1]) != 0)
		return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: bad checksum 0x%02X, the record's bytes need 0x%02X",
			       p->name, p->line, b[n - 1], (uint8_t)(0x100 - sum));
	off = qc_get_be16(b + 1);
	type = b[3];
	if (type > REC_START_LINEAR)
		return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: unknown record type 0x%02X", p->name, p->line, type);
	if (type != REC_DATA) {
		static const uint8_t need[] = {0, 0, 2, 4, 2, 4};

		if (count != need[type])
			return qc_fail(p->ctx, QC_E_FORMAT, "%s line %u: a type %02X record takes %s, not %zu", p->name,
				       p->line, type, type_need[type], count);
	}
	switch (type) {
	case REC_DATA:
		return data_record(p, off, b + 4, count, fn, user);
	case REC_EOF:
		p->eof_line = p->line;
		return 0;
	case REC_EXT_SEGMENT:
		p->base = (uint32_t)qc_get_be16(b + 4) << 4;
		return 0;
	case REC_EXT_LINEAR:
		p->base = (uint32_t)qc_get_be16(b + 4) << 16;
		return 0;
	case REC_START_SEGMENT:
		return set_start(p, ((uint32_t)qc_get_be16(b + 4) << 4) + qc_get_be16(b + 6));
	default:
		return set_start(p, qc_get_be32(b + 4));
	}
}

int qc_ihex_finish(qc_ihex *p, struct qc_ihex_info *info)
{
	if (!p->eof_line)
		return qc_fail(p->ctx, QC_E_FORMAT,
			       "%s: no end-of-file record (:00000001FF) after line %u; the file looks truncated",
			       p->name, p->line);
	if (info) {
		memset(info, 0, sizeof(*info));
		info->bytes = p->bytes;
		info->low = p->nr ? (uint32_t)p->r[0].start : 0;
		info->end = p->nr ? p->r[p->nr - 1].end : 0;
		info->has_start = p->has_start;
		info->start = p->start;
		info->lines = p->line;
		info->data_records = p->data_records;
		info->ranges = (unsigned)p->nr;
	}
	return 0;
}

int qc_ihex_parse_buffer(qc_ctx *ctx, const char *name, const void *buf, size_t len, qc_ihex_data_fn fn,
			 void *user, struct qc_ihex_info *info)
{
	const char *s = buf, *end = s + len;
	qc_ihex *p = qc_ihex_new(ctx, name);
	int rc = 0;

	if (!p)
		return QC_E_NOMEM;
	while (s < end && rc == 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		rc = qc_ihex_line(p, s, n, fn, user);
		s += n + (nl != NULL);
	}
	if (rc == 0)
		rc = qc_ihex_finish(p, info);
	qc_ihex_free(p);
	return rc;
}

int qc_ihex_parse_file(qc_ctx *ctx, const char *path, qc_ihex_data_fn fn, void *user, struct qc_ihex_info *info)
{
	char line[QC_IHEX_MAX_LINE + 8];
	FILE *f = fopen(path, "rb");
	qc_ihex *p;
	int rc = 0;

	if (!f)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	p = qc_ihex_new(ctx, path);
	if (!p) {
		fclose(f);
		return QC_E_NOMEM;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n') {
			n--;
		} else if (!feof(f)) {
			rc = qc_fail(ctx, QC_E_FORMAT, "%s line %u: longer than %d characters, not an Intel HEX record",
				     path, p->line + 1, QC_IHEX_MAX_LINE);
			break;
		}
		rc = qc_ihex_line(p, line, n, fn, user);
	}
	if (rc == 0 && ferror(f))
		rc = qc_fail(ctx, QC_E_IO, "cannot read %s: %s", path, strerror(errno));
	if (rc == 0)
		rc = qc_ihex_finish(p, info);
	qc_ihex_free(p);
	fclose(f);
	return rc;
}

bool qc_ihex_sniff(const void *buf, size_t len)
{
	const char *s = buf;
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i + 3 <= len && s[i] == ':' && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0;
}
