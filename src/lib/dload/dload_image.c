/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Programmer images for DMSS DLOAD: Intel HEX (addresses in the records),
 * legacy MBN (destination and size in the header) or raw binaries (address
 * from the caller).  Each is validated completely before the first packet is
 * sent, so a bad checksum at the end of a file never leaves half a
 * programmer in the device's RAM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "qcbox/dload.h"
#include "qcbox/ihex.h"

const char *qc_dload_format_name(enum qc_dload_format f, unsigned mbn_header_size)
{
	switch (f) {
	case QC_DLOAD_FMT_HEX:
		return "hex";
	case QC_DLOAD_FMT_MBN:
		return mbn_header_size == 40 ? "mbn40" : "mbn80";
	case QC_DLOAD_FMT_BIN:
		return "bin";
	default:
		return "auto";
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool has_ext(const char *path, const char *ext)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');

	return dot && !strcasecmp(dot + 1, ext);
}

/* The first bytes of PATH (up to CAP) and its size. */
static int read_head(qc_ctx *ctx, const char *path, uint8_t *buf, size_t cap, size_t *got, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return qc_fail(ctx, QC_E_INVAL, "%s is not a regular file", path);
	}
	*got = fread(buf, 1, cap, f);
	*size = (uint64_t)st.st_size;
	fclose(f);
	return 0;
}

static int probe_mbn(qc_ctx *ctx, const char *path, const uint8_t *head, size_t n, uint64_t size,
		     struct qc_dload_image *img)
{
	struct qc_dload_mbn_header h;
	int rc = qc_dload_mbn_header_parse(ctx, path, head, n, size, &h);

	if (rc == QC_E_NOTFOUND) {
		if (n >= 4 && !memcmp(head, "\x7f" "ELF", 4))
			return qc_fail(ctx, QC_E_FORMAT,
				       "%s is an ELF programmer: boot loaders that take ELF images speak Sahara "
				       "('qcbox sahara load')", path);
		return qc_fail(ctx, QC_E_FORMAT, "%s has no legacy 40- or 80-byte MBN header", path);
	}
	if (rc < 0)
		return rc;
	img->format = QC_DLOAD_FMT_MBN;
	img->mbn_header_size = h.header_size;
	img->mbn_image_id = h.image_id;
	img->low = h.image_dest;
	img->bytes = h.image_size;
	img->end = (uint64_t)h.image_dest + h.image_size;
	img->ranges = 1;
	img->entry = h.image_dest;
	return 0;
}

int qc_dload_image_probe(qc_ctx *ctx, const char *path, const struct qc_dload_load_opts *o,
			 struct qc_dload_image *img)
{
	uint8_t head[80];
	size_t n = 0;
	uint64_t size = 0;
	enum qc_dload_format fmt = o->format;
	int rc = read_head(ctx, path, head, sizeof(head), &n, &size);

	memset(img, 0, sizeof(*img));
	if (rc < 0)
		return rc;
	if (fmt == QC_DLOAD_FMT_AUTO) {
		struct qc_dload_mbn_header h;

		if (has_ext(path, "hex") || has_ext(path, "ihex") || qc_ihex_sniff(head, n))
			fmt = QC_DLOAD_FMT_HEX;
		else if (has_ext(path, "mbn") || (n >= 4 && !memcmp(head, "\x7f" "ELF", 4)))
			fmt = QC_DLOAD_FMT_MBN;
		else if (!o->has_address && qc_dload_mbn_header_parse(ctx, path, head, n, size, &h) != QC_E_NOTFOUND)
			fmt = QC_DLOAD_FMT_MBN; /* an MBN named .bin: its header says where it goes */
		else
			fmt = QC_DLOAD_FMT_BIN;
		qc_clear_error(ctx);
	}
	switch (fmt) {
	case QC_DLOAD_FMT_HEX: {
		struct qc_ihex_info info;

		rc = qc_ihex_parse_file(ctx, path, NULL, NULL, &info);
		if (rc < 0)
			return rc;
		if (!info.bytes)
			return qc_fail(ctx, QC_E_FORMAT, "%s holds no data records", path);
		img->format = fmt;
		img->low = info.low;
		img->end = info.end;
		img->bytes = info.bytes;
		img->ranges = info.ranges;
		img->entry = info.has_start ? info.start : info.low;
		break;
	}
	case QC_DLOAD_FMT_MBN:
		rc = probe_mbn(ctx, path, head, n, size, img);
		if (rc < 0)
			return rc;
		break;
	default:
		if (!o->has_address)
			return qc_fail(ctx, QC_E_INVAL, "%s is a raw image: give its load address with --address", path);
		if (size == 0)
			return qc_fail(ctx, QC_E_FORMAT, "%s is empty", path);
		if (o->address + size > 0x100000000ull)
			return qc_fail(ctx, QC_E_RANGE, "%s (%llu bytes) at 0x%08x runs past the 32-bit address space",
				       path, (unsigned long long)size, o->address);
		img->format = QC_DLOAD_FMT_BIN;
		img->low = o->address;
		img->bytes = size;
		img->end = o->address + size;
		img->ranges = 1;
		break;
	}
	if (o->has_address)
		img->entry = o->address;
	return 0;
}

/* Gathers consecutive bytes into packets of at most MAX bytes. */
struct packer {
	qc_dload *d;
	qc_ctx *ctx;
	const char *label;
	bool wide;
	size_t max;
	uint8_t *buf;
	uint32_t addr;
	size_t len;
	uint64_t done, total;
	unsigned packets;
};

static int flush(struct packer *p)
{
	int rc;

	if (!p->len)
		return 0;
	if (qc_cancelled(p->ctx))
		return qc_fail(p->ctx, QC_E_CANCELLED, "cancelled after %llu of %llu bytes",
			       (unsigned long long)p->done, (unsigned long long)p->total);
	rc = qc_dload_write(p->d, p->wide, p->addr, p->buf, p->len);
	if (rc < 0) {
		char sentence[1024];

		snprintf(sentence, sizeof(sentence), "%s", qc_last_error(p->ctx));
		return qc_fail(p->ctx, rc, "%s (byte %llu of %llu of %s)", sentence, (unsigned long long)p->done,
			       (unsigned long long)p->total, p->label);
	}
	p->done += p->len;
	p->packets++;
	p->len = 0;
	qc_progress(p->ctx, p->label, p->done, p->total);
	return 0;
}

static int pack(void *user, uint32_t addr, const uint8_t *data, size_t n)
{
	struct packer *p = user;

	while (n) {
		size_t room;
		int rc;

		if (p->len && (p->len == p->max || addr != p->addr + p->len) && (rc = flush(p)) < 0)
			return rc;
		if (!p->len)
			p->addr = addr;
		room = p->max - p->len;
		if (room > n)
			room = n;
		memcpy(p->buf + p->len, data, room);
		p->len += room;
		addr += (uint32_t)room;
		data += room;
		n -= room;
	}
	return 0;
}

static int pack_file_region(struct packer *p, const char *path, uint64_t offset, uint64_t len, uint32_t addr)
{
	uint8_t chunk[8192];
	FILE *f = fopen(path, "rb");
	int rc = 0;

	if (!f)
		return qc_fail(p->ctx, QC_E_IO, "cannot open %s: %s", path, strerror(errno));
	if (fseeko(f, (off_t)offset, SEEK_SET) < 0) {
		fclose(f);
		return qc_fail(p->ctx, QC_E_IO, "cannot seek in %s: %s", path, strerror(errno));
	}
	while (len && rc == 0) {
		size_t want = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
		size_t got = fread(chunk, 1, want, f);

		if (got != want) {
			rc = qc_fail(p->ctx, QC_E_IO, "%s ended at byte %llu, before the end of its image", path,
				     (unsigned long long)(offset + got));
			break;
		}
		rc = pack(p, addr, chunk, got);
		addr += (uint32_t)got;
		offset += got;
		len -= got;
	}
	fclose(f);
	return rc;
}

int qc_dload_load(qc_dload *d, const char *path, const struct qc_dload_load_opts *o, struct qc_dload_image *img)
{
	struct qc_dload_params params;
	struct packer p = {0};
	int rc;

	p.d = d;
	p.ctx = qc_dload_ctx(d);
	rc = qc_dload_image_probe(p.ctx, path, o, img);
	if (rc < 0)
		return rc;
	rc = qc_dload_get_params(d, &params);
	if (rc < 0)
		return rc;
	if (params.max_write_size == 0)
		return qc_fail(p.ctx, QC_E_PROTOCOL, "the device's PARAM_RESP gives a maximum write size of 0 bytes");
	p.max = params.max_write_size;
	if (o->max_write && o->max_write < p.max)
		p.max = o->max_write;
	/* WRITE_32BIT arrived with protocol revision 5; older boot loaders
	 * only take the 24-bit WRITE. */
	p.wide = params.protocol_version >= 5;
	if (!p.wide && img->end > 0x1000000u)
		return qc_fail(p.ctx, QC_E_UNSUPPORTED,
			       "%s reaches 0x%08llx but the device (protocol %u) only takes 24-bit addresses", path,
			       (unsigned long long)img->end - 1, params.protocol_version);
	img->wide = p.wide;
	p.label = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	p.total = img->bytes;
	p.buf = malloc(p.max);
	if (!p.buf)
		return qc_fail(p.ctx, QC_E_NOMEM, "out of memory");
	qc_log(p.ctx, QC_LOG_INFO, "loading %s (%s, %llu bytes) at 0x%08x in packets of %zu bytes", path,
	       qc_dload_format_name(img->format, img->mbn_header_size), (unsigned long long)img->bytes, img->low,
	       p.max);
	switch (img->format) {
	case QC_DLOAD_FMT_HEX:
		rc = qc_ihex_parse_file(p.ctx, path, pack, &p, NULL);
		break;
	case QC_DLOAD_FMT_MBN:
		rc = pack_file_region(&p, path, img->mbn_header_size, img->bytes, img->low);
		break;
	default:
		rc = pack_file_region(&p, path, 0, img->bytes, img->low);
		break;
	}
	if (rc == 0)
		rc = flush(&p);
	img->packets = p.packets;
	free(p.buf);
	if (rc < 0 || o->no_go)
		return rc;
	qc_log(p.ctx, QC_LOG_INFO, "jumping to 0x%08x", img->entry);
	return qc_dload_go(d, img->entry);
}
