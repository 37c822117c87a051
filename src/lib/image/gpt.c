/* SPDX-License-Identifier: BSD-3-Clause */
/* GPT reading and validation (both copies) and ptool-style table building. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qcbox/gpt.h"

#include "core/bytes.h"

static const uint8_t gpt_sig[8] = {'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};

/* Header field offsets (UEFI 2.x, table "GPT Header"). */
enum {
	H_SIG = 0,
	H_REV = 8,
	H_SIZE = 12,
	H_CRC = 16,
	H_MY = 24,
	H_ALT = 32,
	H_FIRST = 40,
	H_LAST = 48,
	H_GUID = 56,
	H_ELBA = 72,
	H_NENT = 80,
	H_ESIZE = 84,
	H_ECRC = 88,
};

/* Entry field offsets. */
enum { E_TYPE = 0, E_UNIQUE = 16, E_FIRST = 32, E_LAST = 40, E_ATTR = 48, E_NAME = 56, E_NAME_UNITS = 36 };

static bool valid_sector_size(unsigned ss)
{
	return ss >= 512 && ss <= 65536 && (ss & (ss - 1)) == 0;
}

void qc_gpt_guid_to_str(const uint8_t g[16], char out[QC_GPT_GUID_STR])
{
	/* The first three fields are stored little-endian, the last two as bytes. */
	snprintf(out, QC_GPT_GUID_STR, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)qc_get_le32(g),
		 (unsigned)qc_get_le16(g + 4), (unsigned)qc_get_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
}

static int hexnib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int qc_gpt_guid_from_str(const char *s, uint8_t g[16])
{
	uint8_t raw[16];
	int n = 0;

	if (!s || strlen(s) != 36)
		return QC_E_INVAL;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return QC_E_INVAL;
			continue;
		}
		int hi = hexnib(s[i]), lo = hexnib(s[i + 1]);

		if (hi < 0 || lo < 0)
			return QC_E_INVAL;
		raw[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	/* raw is in text order; store the first three fields little-endian */
	g[0] = raw[3], g[1] = raw[2], g[2] = raw[1], g[3] = raw[0];
	g[4] = raw[5], g[5] = raw[4];
	g[6] = raw[7], g[7] = raw[6];
	memcpy(g + 8, raw + 8, 8);
	return 0;
}

static size_t put_utf8(char *out, size_t pos, size_t cap, uint32_t cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | cp >> 6);
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | cp >> 12);
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | cp >> 18);
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (pos + n >= cap)
		return pos;
	memcpy(out + pos, tmp, n);
	return pos + n;
}

/* 36 UTF-16LE units, NUL-terminated early or not; lone surrogates become U+FFFD. */
static void name_to_utf8(const uint8_t *p, char *out, size_t cap)
{
	size_t pos = 0;

	for (int i = 0; i < E_NAME_UNITS; i++) {
		uint32_t u = qc_get_le16(p + 2 * i);

		if (!u)
			break;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < E_NAME_UNITS) {
			uint32_t lo = qc_get_le16(p + 2 * i + 2);

			if (lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u < 0xe000) {
			u = 0xfffd;
		}
		pos = put_utf8(out, pos, cap, u);
	}
	out[pos] = 0;
}

/* Encodes a UTF-8 name into 36 UTF-16LE units.  Returns 0 or QC_E_INVAL. */
static int name_from_utf8(const char *s, uint8_t *p)
{
	const uint8_t *u = (const uint8_t *)s;
	int units = 0;

	memset(p, 0, 2 * E_NAME_UNITS);
	while (*u) {
		uint32_t cp;
		int more;

		if (*u < 0x80)
			cp = *u, more = 0;
		else if ((*u & 0xe0) == 0xc0)
			cp = *u & 0x1f, more = 1;
		else if ((*u & 0xf0) == 0xe0)
			cp = *u & 0x0f, more = 2;
		else if ((*u & 0xf8) == 0xf0)
			cp = *u & 0x07, more = 3;
		else
			return QC_E_INVAL;
		u++;
		for (int k = 0; k < more; k++, u++) {
			if ((*u & 0xc0) != 0x80)
				return QC_E_INVAL;
			cp = cp << 6 | (*u & 0x3f);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return QC_E_INVAL;
		if (cp >= 0x10000) {
			if (units + 2 > E_NAME_UNITS)
				return QC_E_TOOBIG;
			cp -= 0x10000;
			qc_put_le16(p + 2 * units++, (uint16_t)(0xd800 + (cp >> 10)));
			qc_put_le16(p + 2 * units++, (uint16_t)(0xdc00 + (cp & 0x3ff)));
		} else {
			if (units + 1 > E_NAME_UNITS)
				return QC_E_TOOBIG;
			qc_put_le16(p + 2 * units++, (uint16_t)cp);
		}
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

struct copy {
	struct qc_gpt_header h;
	uint8_t *entries; /* num_entries * entry_size bytes when header_crc_ok */
	size_t entries_len;
	bool entries_read;
};

/* Sectors needed for N bytes. */
static uint64_t sectors_for(uint64_t n, unsigned ss)
{
	return (n + ss - 1) / ss;
}

/*
 * Reads the header at LBA and, when its CRC holds and the sizes are
 * plausible, its entry array.  PRIMARY selects which placement rules apply.
 * Returns 0 (damage recorded in C) or a read/allocation error.
 */
static int read_copy(qc_ctx *ctx, unsigned ss, uint64_t disk, uint64_t lba, bool primary, qc_gpt_read_fn rd, void *user,
		     uint8_t *sector, struct copy *c)
{
	struct qc_gpt_header *h = &c->h;
	int rc = rd(user, lba, 1, sector);

	memset(c, 0, sizeof(*c));
	if (rc == QC_E_RANGE)
		return 0;
	if (rc < 0)
		return rc;
	if (memcmp(sector + H_SIG, gpt_sig, 8))
		return 0;
	h->header_size = qc_get_le32(sector + H_SIZE);
	if (h->header_size < QC_GPT_HEADER_SIZE || h->header_size > ss)
		return 0;
	h->present = true;
	h->revision = qc_get_le32(sector + H_REV);
	h->header_crc = qc_get_le32(sector + H_CRC);
	h->my_lba = qc_get_le64(sector + H_MY);
	h->alternate_lba = qc_get_le64(sector + H_ALT);
	h->first_usable_lba = qc_get_le64(sector + H_FIRST);
	h->last_usable_lba = qc_get_le64(sector + H_LAST);
	qc_gpt_guid_to_str(sector + H_GUID, h->disk_guid);
	h->entries_lba = qc_get_le64(sector + H_ELBA);
	h->num_entries = qc_get_le32(sector + H_NENT);
	h->entry_size = qc_get_le32(sector + H_ESIZE);
	h->entries_crc = qc_get_le32(sector + H_ECRC);

	uint32_t crc = qc_crc32_update(0, sector, H_CRC);

	crc = qc_crc32_update(crc, "\0\0\0\0", 4);
	crc = qc_crc32_update(crc, sector + H_CRC + 4, h->header_size - H_CRC - 4);
	h->header_crc_ok = crc == h->header_crc;
	if (!h->header_crc_ok)
		return 0;

	/* Entry size: 128 x 2^n per UEFI; anything else is not trusted. */
	uint64_t array = (uint64_t)h->num_entries * h->entry_size;
	bool sizes_ok = h->entry_size >= QC_GPT_ENTRY_SIZE && (h->entry_size & (h->entry_size - 1)) == 0 &&
			h->num_entries >= 1 && array <= QC_GPT_MAX_ARRAY_BYTES;
	uint64_t asec = sectors_for(array, ss), end = h->entries_lba + asec; /* exclusive */
	bool fits = sizes_ok && h->entries_lba <= UINT64_MAX - asec && (!disk || end <= disk);

	/* Placement: the primary's array sits between its header and the
	 * first usable LBA, the backup's between the last usable LBA and
	 * its header. */
	bool lba_ok = fits && h->my_lba == lba && h->first_usable_lba <= h->last_usable_lba + 1;

	if (primary)
		lba_ok = lba_ok && h->entries_lba >= 2 && end <= h->first_usable_lba &&
			 (!disk || h->alternate_lba == disk - 1) && h->last_usable_lba < (disk ? disk - 1 : UINT64_MAX);
	else
		lba_ok = lba_ok && h->alternate_lba == 1 && h->entries_lba > h->last_usable_lba && end <= lba &&
			 h->first_usable_lba >= 2;
	h->lba_ok = lba_ok;
	if (!fits)
		return 0;

	c->entries_len = (size_t)(asec * ss);
	c->entries = malloc(c->entries_len);
	if (!c->entries)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory for a %zu-byte GPT entry array", c->entries_len);
	rc = rd(user, h->entries_lba, (uint32_t)asec, c->entries);
	if (rc == QC_E_RANGE) {
		h->lba_ok = false;
		return 0;
	}
	if (rc < 0)
		return rc;
	c->entries_read = true;
	c->entries_len = (size_t)array;
	h->entries_crc_ok = qc_crc32(c->entries, c->entries_len) == h->entries_crc;
	return 0;
}

static bool copy_valid(const struct copy *c)
{
	return c->h.present && c->h.header_crc_ok && c->h.entries_crc_ok && c->h.lba_ok;
}

static int list_partitions(qc_ctx *ctx, struct qc_gpt *g, const struct copy *c)
{
	const struct qc_gpt_header *h = &c->h;
	size_t used = 0;

	for (uint32_t i = 0; i < h->num_entries; i++)
		if (!all_zero(c->entries + (size_t)i * h->entry_size + E_TYPE, 16))
			used++;
	if (!used)
		return 0;
	g->parts = calloc(used, sizeof(*g->parts));
	if (!g->parts)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory for %zu GPT partitions", used);
	for (uint32_t i = 0; i < h->num_entries; i++) {
		const uint8_t *e = c->entries + (size_t)i * h->entry_size;
		struct qc_gpt_partition *p = &g->parts[g->count];

		if (all_zero(e + E_TYPE, 16))
			continue;
		p->index = i;
		qc_gpt_guid_to_str(e + E_TYPE, p->type_guid);
		qc_gpt_guid_to_str(e + E_UNIQUE, p->unique_guid);
		p->first_lba = qc_get_le64(e + E_FIRST);
		p->last_lba = qc_get_le64(e + E_LAST);
		p->sectors = p->last_lba >= p->first_lba ? p->last_lba - p->first_lba + 1 : 0;
		if (p->sectors == 0 && p->last_lba != p->first_lba - 1)
			g->damage |= QC_GPT_ENTRY_RANGE;
		p->attributes = qc_get_le64(e + E_ATTR);
		name_to_utf8(e + E_NAME, p->name, sizeof(p->name));
		/* ptool leaves the grow partition as first = last + 1 until it is
		 * patched; only a non-empty partition must be inside the usable range */
		if (p->sectors && (p->first_lba < h->first_usable_lba || p->last_lba > h->last_usable_lba))
			g->damage |= QC_GPT_ENTRY_RANGE;
		g->count++;
	}
	return 0;
}

static bool has_pmbr(const uint8_t *lba0)
{
	if (lba0[510] != 0x55 || lba0[511] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++)
		if (lba0[446 + 16 * i + 4] == 0xee)
			return true;
	return false;
}

static int gpt_read(qc_ctx *ctx, unsigned ss, uint64_t disk, qc_gpt_read_fn rd, void *user, bool check_backup,
		    struct qc_gpt *g)
{
	struct copy p = {0}, b = {0};
	uint8_t *sector;
	int rc;

	memset(g, 0, sizeof(*g));
	if (!valid_sector_size(ss))
		return qc_fail(ctx, QC_E_INVAL, "GPT sector size %u is not a power of two from 512 to 65536", ss);
	if (disk && disk < 3)
		return qc_fail(ctx, QC_E_INVAL, "a disk of %llu sectors cannot hold a GPT", (unsigned long long)disk);
	sector = malloc(ss);
	if (!sector)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	g->sector_size = ss;

	rc = read_copy(ctx, ss, disk, 1, true, rd, user, sector, &p);
	if (rc < 0)
		goto out;
	if (!disk && p.h.header_crc_ok && p.h.alternate_lba >= 2 && p.h.alternate_lba < UINT64_MAX) {
		/* unknown size: trust the primary's pointer to its backup */
		disk = p.h.alternate_lba + 1;
		if (!p.h.lba_ok) {
			/* re-run the placement rules now that the size is known */
			free(p.entries);
			rc = read_copy(ctx, ss, disk, 1, true, rd, user, sector, &p);
			if (rc < 0)
				goto out;
		}
	}
	g->disk_sectors = disk;
	if (check_backup && disk) {
		g->backup_checked = true;
		rc = read_copy(ctx, ss, disk, disk - 1, false, rd, user, sector, &b);
		if (rc < 0)
			goto out;
	}
	g->primary = p.h;
	g->backup = b.h;
	g->has_gpt = p.h.present || b.h.present;
	g->primary_valid = copy_valid(&p);
	g->backup_valid = copy_valid(&b);
	if (!g->has_gpt)
		goto out;

	if (!p.h.present)
		g->damage |= QC_GPT_PRIMARY_MISSING;
	else if (!p.h.header_crc_ok)
		g->damage |= QC_GPT_PRIMARY_HEADER_CRC;
	else if (!p.h.lba_ok)
		g->damage |= QC_GPT_PRIMARY_LBA;
	if (p.h.header_crc_ok && p.entries_read && !p.h.entries_crc_ok)
		g->damage |= QC_GPT_PRIMARY_ENTRIES_CRC;
	if (g->backup_checked) {
		if (!b.h.present)
			g->damage |= QC_GPT_BACKUP_MISSING;
		else if (!b.h.header_crc_ok)
			g->damage |= QC_GPT_BACKUP_HEADER_CRC;
		else if (!b.h.lba_ok)
			g->damage |= QC_GPT_BACKUP_LBA;
		if (b.h.header_crc_ok && b.entries_read && !b.h.entries_crc_ok)
			g->damage |= QC_GPT_BACKUP_ENTRIES_CRC;
	}
	if (g->primary_valid && g->backup_valid &&
	    (p.h.first_usable_lba != b.h.first_usable_lba || p.h.last_usable_lba != b.h.last_usable_lba ||
	     strcmp(p.h.disk_guid, b.h.disk_guid) || p.h.num_entries != b.h.num_entries ||
	     p.h.entry_size != b.h.entry_size || p.entries_len != b.entries_len ||
	     memcmp(p.entries, b.entries, p.entries_len)))
		g->damage |= QC_GPT_COPIES_DIFFER;

	rc = rd(user, 0, 1, sector);
	if (rc == QC_E_RANGE || (rc == 0 && !has_pmbr(sector)))
		g->damage |= QC_GPT_NO_PMBR;
	else if (rc < 0)
		goto out;
	rc = 0;
	if (g->primary_valid)
		rc = list_partitions(ctx, g, &p);
	else if (g->backup_valid)
		rc = list_partitions(ctx, g, &b);
out:
	free(p.entries);
	free(b.entries);
	free(sector);
	if (rc < 0)
		qc_gpt_free(g);
	return rc < 0 ? rc : 0;
}

int qc_gpt_read(qc_ctx *ctx, unsigned sector_size, uint64_t disk_sectors, qc_gpt_read_fn read, void *user,
		struct qc_gpt *out)
{
	if (!read || !out)
		return qc_fail(ctx, QC_E_INVAL, "qc_gpt_read needs a read function and a result");
	return gpt_read(ctx, sector_size, disk_sectors, read, user, true, out);
}

struct mem_disk {
	const uint8_t *p, *b;
	uint64_t psec, bsec, disk;
	unsigned ss;
};

static int mem_read(void *user, uint64_t lba, uint32_t n, uint8_t *buf)
{
	const struct mem_disk *m = user;

	if (lba <= m->psec && n <= m->psec - lba) {
		memcpy(buf, m->p + lba * m->ss, (size_t)n * m->ss);
		return 0;
	}
	/* the backup buffer holds the last bsec sectors of the disk */
	if (m->b && m->disk >= m->bsec && lba >= m->disk - m->bsec && lba <= m->disk && n <= m->disk - lba) {
		memcpy(buf, m->b + (lba - (m->disk - m->bsec)) * m->ss, (size_t)n * m->ss);
		return 0;
	}
	return QC_E_RANGE;
}

int qc_gpt_parse(qc_ctx *ctx, const uint8_t *primary, size_t len, const uint8_t *backup, size_t blen,
		 unsigned sector_size, uint64_t disk_sectors, struct qc_gpt *out)
{
	struct mem_disk m = {.p = primary, .b = backup, .ss = sector_size};

	if (!out)
		return qc_fail(ctx, QC_E_INVAL, "qc_gpt_parse needs a result");
	memset(out, 0, sizeof(*out));
	if (!valid_sector_size(sector_size))
		return qc_fail(ctx, QC_E_INVAL, "GPT sector size %u is not a power of two from 512 to 65536",
			       sector_size);
	if ((!primary && len) || len % sector_size || (backup && (blen % sector_size || !blen)))
		return qc_fail(ctx, QC_E_INVAL, "GPT areas of %zu and %zu bytes are not whole %u-byte sectors", len,
			       blen, sector_size);
	m.psec = len / sector_size;
	m.bsec = backup ? blen / sector_size : 0;
	if (!disk_sectors && backup) {
		/* a lone backup copy says where it lives: its own LBA is the last */
		const uint8_t *h = backup + blen - sector_size;

		if (!memcmp(h, gpt_sig, 8) && qc_get_le64(h + H_MY) >= m.bsec && qc_get_le64(h + H_MY) < UINT64_MAX)
			disk_sectors = qc_get_le64(h + H_MY) + 1;
	}
	if (!disk_sectors && len >= 2 * (size_t)sector_size) {
		const uint8_t *h = primary + sector_size;

		if (!memcmp(h, gpt_sig, 8) && qc_get_le64(h + H_ALT) >= 2 && qc_get_le64(h + H_ALT) < UINT64_MAX)
			disk_sectors = qc_get_le64(h + H_ALT) + 1;
	}
	if (disk_sectors && disk_sectors < 3)
		disk_sectors = 0;
	m.disk = disk_sectors;
	return gpt_read(ctx, sector_size, disk_sectors, mem_read, &m, backup != NULL, out);
}

void qc_gpt_free(struct qc_gpt *gpt)
{
	if (!gpt)
		return;
	free(gpt->parts);
	gpt->parts = NULL;
	gpt->count = 0;
}

const struct qc_gpt_partition *qc_gpt_find(const struct qc_gpt *gpt, const char *name)
{
	for (size_t i = 0; gpt && name && i < gpt->count; i++)
		if (!strcmp(gpt->parts[i].name, name))
			return &gpt->parts[i];
	return NULL;
}

const char *qc_gpt_damage_str(unsigned damage, char *buf, size_t len)
{
	static const char *const names[] = {
	    "primary header missing",
	    "primary header CRC wrong",
	    "primary entries CRC wrong",
	    "primary header misplaced",
	    "backup header missing",
	    "backup header CRC wrong",
	    "backup entries CRC wrong",
	    "backup header misplaced",
	    "primary and backup differ",
	    "no protective MBR",
	    "a partition outside the usable LBAs",
	};
	size_t pos = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(damage & (1u << i)))
			continue;
		int n = snprintf(buf + pos, len - pos, "%s%s", pos ? ", " : "", names[i]);

		if (n < 0 || (size_t)n >= len - pos)
			break;
		pos += (size_t)n;
	}
	if (!pos)
		snprintf(buf, len, "ok");
	return buf;
}

/* ---- building ---------------------------------------------------------- */

static uint32_t default_entries(unsigned ss, size_t count)
{
	uint32_t n = ss == 512 ? 128 : 32;

	while (n < count)
		n += 32;
	return n;
}

static uint64_t array_sectors(unsigned ss, uint32_t num_entries)
{
	uint64_t bytes = (uint64_t)num_entries * QC_GPT_ENTRY_SIZE;

	/* UEFI asks for at least 16 KiB reserved for the array */
	if (bytes < 16384)
		bytes = 16384;
	return sectors_for(bytes, ss);
}

uint64_t qc_gpt_primary_sectors(unsigned sector_size, uint32_t num_entries)
{
	if (!valid_sector_size(sector_size))
		return 0;
	return 2 + array_sectors(sector_size, num_entries ? num_entries : default_entries(sector_size, 0));
}

uint64_t qc_gpt_backup_sectors(unsigned sector_size, uint32_t num_entries)
{
	if (!valid_sector_size(sector_size))
		return 0;
	return 1 + array_sectors(sector_size, num_entries ? num_entries : default_entries(sector_size, 0));
}

static void derive_guid(const uint8_t disk[16], const char *name, uint8_t out[16])
{
	for (uint32_t i = 0; i < 4; i++) {
		uint8_t idx[4];
		uint32_t c = qc_crc32(disk, 16);

		qc_put_le32(idx, i);
		c = qc_crc32_update(c, name, strlen(name));
		c = qc_crc32_update(c, idx, 4);
		qc_put_le32(out + 4 * i, c);
	}
	out[7] = (uint8_t)((out[7] & 0x0f) | 0x40); /* version 4 */
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

static void write_header(uint8_t *h, uint64_t my, uint64_t alt, uint64_t first, uint64_t last, const uint8_t guid[16],
			 uint64_t elba, uint32_t n, uint32_t ecrc)
{
	memcpy(h + H_SIG, gpt_sig, 8);
	qc_put_le32(h + H_REV, 0x00010000);
	qc_put_le32(h + H_SIZE, QC_GPT_HEADER_SIZE);
	qc_put_le64(h + H_MY, my);
	qc_put_le64(h + H_ALT, alt);
	qc_put_le64(h + H_FIRST, first);
	qc_put_le64(h + H_LAST, last);
	memcpy(h + H_GUID, guid, 16);
	qc_put_le64(h + H_ELBA, elba);
	qc_put_le32(h + H_NENT, n);
	qc_put_le32(h + H_ESIZE, QC_GPT_ENTRY_SIZE);
	qc_put_le32(h + H_ECRC, ecrc);
	qc_put_le32(h + H_CRC, qc_crc32(h, QC_GPT_HEADER_SIZE));
}

int qc_gpt_build(qc_ctx *ctx, const struct qc_gpt_layout *lay, const struct qc_gpt_new_partition *parts, size_t count,
		 uint8_t **primary, size_t *plen, uint8_t **backup, size_t *blen)
{
	uint8_t disk_guid[16];
	unsigned ss;

	if (!lay || !primary || !plen || !backup || !blen || (count && !parts))
		return qc_fail(ctx, QC_E_INVAL, "qc_gpt_build needs a layout and result buffers");
	ss = lay->sector_size;
	if (!valid_sector_size(ss))
		return qc_fail(ctx, QC_E_INVAL, "GPT sector size %u is not a power of two from 512 to 65536", ss);
	if (!lay->disk_guid || qc_gpt_guid_from_str(lay->disk_guid, disk_guid) < 0 || all_zero(disk_guid, 16))
		return qc_fail(ctx, QC_E_INVAL, "the disk GUID '%s' is not a non-zero GUID",
			       lay->disk_guid ? lay->disk_guid : "(none)");

	uint32_t n = lay->num_entries ? lay->num_entries : default_entries(ss, count);

	if (n < count || (uint64_t)n * QC_GPT_ENTRY_SIZE > QC_GPT_MAX_ARRAY_BYTES)
		return qc_fail(ctx, QC_E_INVAL, "a GPT of %u entries cannot hold %zu partitions", n, count);

	uint64_t asec = array_sectors(ss, n), psec = 2 + asec, bsec = 1 + asec, disk = lay->disk_sectors;

	if (disk < psec + bsec || disk > UINT64_MAX / ss)
		return qc_fail(ctx, QC_E_RANGE, "a disk of %llu sectors is too small for a GPT of %llu+%llu sectors",
			       (unsigned long long)disk, (unsigned long long)psec, (unsigned long long)bsec);

	uint64_t first = psec, last = disk - bsec - 1;
	size_t asz = (size_t)(asec * ss), ebytes = (size_t)n * QC_GPT_ENTRY_SIZE;
	uint8_t *p = calloc(1, (size_t)(psec * ss)), *b = calloc(1, (size_t)(bsec * ss));
	int rc = 0;

	if (!p || !b) {
		rc = qc_fail(ctx, QC_E_NOMEM, "out of memory for GPT images");
		goto fail;
	}
	uint8_t *ent = p + 2 * ss;

	for (size_t i = 0; i < count; i++) {
		const struct qc_gpt_new_partition *np = &parts[i];
		uint8_t *e = ent + i * QC_GPT_ENTRY_SIZE;
		const char *nm = np->name ? np->name : "";
		bool empty = np->last_lba + 1 == np->first_lba;

		/* an all-zero type makes an unused entry, which ptool still
		 * fills in for its size-0 "last_parti" placeholder */
		if (qc_gpt_guid_from_str(np->type_guid, e + E_TYPE) < 0) {
			rc = qc_fail(ctx, QC_E_INVAL, "partition '%s': type GUID '%s' is not a GUID", nm,
				     np->type_guid ? np->type_guid : "(none)");
			goto fail;
		}
		if (np->unique_guid) {
			if (qc_gpt_guid_from_str(np->unique_guid, e + E_UNIQUE) < 0) {
				rc = qc_fail(ctx, QC_E_INVAL, "partition '%s': unique GUID '%s' is not a GUID", nm,
					     np->unique_guid);
				goto fail;
			}
		} else {
			derive_guid(disk_guid, nm, e + E_UNIQUE);
		}
		if (empty ? np->first_lba < first || np->first_lba > last + 1
			  : np->first_lba > np->last_lba || np->first_lba < first || np->last_lba > last) {
			rc = qc_fail(ctx, QC_E_RANGE,
				     "partition '%s' (LBA %llu..%llu) is outside the usable LBAs %llu..%llu", nm,
				     (unsigned long long)np->first_lba, (unsigned long long)np->last_lba,
				     (unsigned long long)first, (unsigned long long)last);
			goto fail;
		}
		for (size_t j = 0; j < i && !empty; j++) {
			const struct qc_gpt_new_partition *o = &parts[j];

			if (o->last_lba + 1 != o->first_lba && np->first_lba <= o->last_lba &&
			    o->first_lba <= np->last_lba) {
				rc = qc_fail(ctx, QC_E_RANGE, "partitions '%s' and '%s' overlap",
					     o->name ? o->name : "", nm);
				goto fail;
			}
		}
		qc_put_le64(e + E_FIRST, np->first_lba);
		qc_put_le64(e + E_LAST, np->last_lba);
		qc_put_le64(e + E_ATTR, np->attributes);
		rc = name_from_utf8(nm, e + E_NAME);
		if (rc < 0) {
			rc = qc_fail(ctx, rc, "partition name '%s' is not UTF-8 of at most 36 UTF-16 units", nm);
			goto fail;
		}
	}
	uint32_t ecrc = qc_crc32(ent, ebytes);

	/* protective MBR: one 0xEE record from LBA 1.  Written as ptool and
	 * the devices' own tables have it (start CHS 0/1/0, size 0xFFFFFFFF):
	 * the images are made before the real disk size is known. */
	uint8_t *mbr = p + 446;

	mbr[1] = 0x00, mbr[2] = 0x01, mbr[3] = 0x00;
	mbr[4] = 0xee;
	mbr[5] = 0xff, mbr[6] = 0xff, mbr[7] = 0xff;
	qc_put_le32(mbr + 8, 1);
	qc_put_le32(mbr + 12, 0xffffffffu);
	p[510] = 0x55;
	p[511] = 0xaa;
	write_header(p + ss, 1, disk - 1, first, last, disk_guid, 2, n, ecrc);
	memcpy(b, ent, asz);
	write_header(b + asec * ss, disk - 1, 1, first, last, disk_guid, disk - bsec, n, ecrc);
	*primary = p;
	*plen = (size_t)(psec * ss);
	*backup = b;
	*blen = (size_t)(bsec * ss);
	return 0;
fail:
	free(p);
	free(b);
	return rc;
}
