/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC-32 and GPT: published CRC vectors, the real GPTs of the RUBIK Pi 3
 * flat build (4096-byte sectors, 7 LUNs), a real eMMC GPT area (512-byte)
 * and a UFS one; damage detection; the builder against ptool's bytes. */
#include "testutil.h"

#include "qcbox/gpt.h"

static qc_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = qc_ctx_new();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qc_ctx_free(ctx);
	return 0;
}

/* Bit-at-a-time CRC-32, independent of the tables. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

static void test_crc32(void **state)
{
	uint8_t buf[1000];

	(void)state;
	assert_int_equal(qc_crc32("123456789", 9), 0xcbf43926u);
	assert_int_equal(qc_crc32("", 0), 0);
	/* "The quick brown fox jumps over the lazy dog" (zlib, Python) */
	assert_int_equal(qc_crc32("The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n + off <= sizeof(buf); n += 37)
			assert_int_equal(qc_crc32(buf + off, n), crc_bitwise(0, buf + off, n));
	uint32_t c = qc_crc32_update(0, buf, 300);

	assert_int_equal(qc_crc32_update(c, buf + 300, 700), qc_crc32(buf, 1000));
	/* zeros and combine against the data itself */
	uint8_t z[5000] = {0};

	memcpy(z, buf, 100);
	for (size_t n = 0; n < 4900; n += 97)
		assert_int_equal(qc_crc32_zeros(qc_crc32(buf, 100), n), qc_crc32(z, 100 + n));
	for (size_t split = 0; split <= 1000; split += 111)
		assert_int_equal(
		    qc_crc32_combine(qc_crc32(buf, split), qc_crc32(buf + split, 1000 - split), 1000 - split),
		    qc_crc32(buf, 1000));
	/* 1 GiB of zeros, known value (Python zlib.crc32(bytes(1 << 30))) */
	assert_int_equal(qc_crc32_zeros(0, 1ull << 30), 0x5b64c2b0u);
}

static void test_guid(void **state)
{
	uint8_t g[16], h[16];
	char s[QC_GPT_GUID_STR];

	(void)state;
	/* the Linux filesystem data type GUID as bytes on disk */
	static const uint8_t disk[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
					 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};

	qc_gpt_guid_to_str(disk, s);
	assert_string_equal(s, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	assert_int_equal(qc_gpt_guid_from_str("0FC63DAF-8483-4772-8E79-3D69D8477DE4", g), 0);
	assert_memory_equal(g, disk, 16);
	assert_int_equal(qc_gpt_guid_from_str(s, h), 0);
	assert_memory_equal(h, disk, 16);
	assert_int_equal(qc_gpt_guid_from_str("0fc63daf-8483-4772-8e79-3d69d8477de", g), QC_E_INVAL);
	assert_int_equal(qc_gpt_guid_from_str("0fc63daf-8483-4772-8e79x3d69d8477de4", g), QC_E_INVAL);
	assert_int_equal(qc_gpt_guid_from_str("0fc63daf-8483-4772-8e79-3d69d8477dg4", g), QC_E_INVAL);
	assert_int_equal(qc_gpt_guid_from_str(NULL, g), QC_E_INVAL);
}

/* Checks one LUN of the flat build against its rawprogram file: every
 * <program> other than the GPT images is a partition with that name,
 * start and size (grow partitions, num_partition_sectors 0, excepted). */
static void check_lun(const char *dir, int lun)
{
	char path[600];
	uint8_t *m, *b, *xml;
	size_t ml, bl, xl;
	struct qc_gpt g;

	snprintf(path, sizeof(path), "%s/gpt_main%d.bin", dir, lun);
	m = slurp(path, &ml);
	snprintf(path, sizeof(path), "%s/gpt_backup%d.bin", dir, lun);
	b = slurp(path, &bl);
	snprintf(path, sizeof(path), "%s/rawprogram%d.xml", dir, lun);
	xml = slurp(path, &xl);
	assert_non_null(m);
	assert_non_null(b);
	assert_non_null(xml);
	assert_int_equal(ml, 6 * 4096);
	assert_int_equal(bl, 5 * 4096);

	assert_int_equal(qc_gpt_parse(ctx, m, ml, b, bl, 4096, 0, &g), 0);
	assert_true(g.has_gpt);
	assert_true(g.backup_checked);
	assert_true(g.primary_valid);
	assert_true(g.backup_valid);
	assert_int_equal(g.damage, 0);
	assert_int_equal(g.primary.first_usable_lba, 6);
	assert_int_equal(g.primary.entries_lba, 2);
	assert_int_equal(g.backup.entries_lba, g.disk_sectors - 5);
	assert_int_equal(g.disk_sectors, g.primary.alternate_lba + 1);

	size_t seen = 0;

	/* rawprogram0 of this build writes a whole-disk image and no GPT */
	if (!strstr((char *)xml, "label=\"PrimaryGPT\"")) {
		assert_true(g.count > 0);
		goto out;
	}
	for (const char *p = next_elem((char *)xml, "program"); p; p = next_elem(p + 1, "program")) {
		char label[128], start[64], num[64], ppn[16];

		assert_true(attr_of(p, "label", label, sizeof(label)));
		assert_true(attr_of(p, "start_sector", start, sizeof(start)));
		assert_true(attr_of(p, "num_partition_sectors", num, sizeof(num)));
		assert_true(attr_of(p, "physical_partition_number", ppn, sizeof(ppn)));
		assert_int_equal(atoi(ppn), lun);
		if (!strcmp(label, "PrimaryGPT") || !strcmp(label, "BackupGPT"))
			continue;
		/* ptool's size-0 placeholder has an all-zero type: no partition */
		if (!strtoull(num, NULL, 10) && !qc_gpt_find(&g, label))
			continue;
		assert_true(seen < g.count);
		const struct qc_gpt_partition *pt = &g.parts[seen];

		assert_string_equal(pt->name, label);
		assert_int_equal(pt->first_lba, strtoull(start, NULL, 10));
		if (strtoull(num, NULL, 10))
			assert_int_equal(pt->sectors, strtoull(num, NULL, 10));
		else /* ptool's grow partition before patching: first = last + 1 */
			assert_int_equal(pt->last_lba + 1, pt->first_lba);
		assert_int_equal(strlen(pt->type_guid), 36);
		assert_ptr_equal(qc_gpt_find(&g, label), pt);
		seen++;
	}
	assert_int_equal(seen, g.count);
out:
	qc_gpt_free(&g);
	free(m);
	free(b);
	free(xml);
}

static void test_flatbuild_gpts(void **state)
{
	char dir[512];

	(void)state;
	fixture_dir("flatbuild-rubikpi3", dir, sizeof(dir));
	for (int lun = 0; lun < 7; lun++)
		check_lun(dir, lun);
}

static void test_emmc_and_ufs_areas(void **state)
{
	char dir[512], path[600];
	uint8_t *a;
	size_t len;
	struct qc_gpt g;

	(void)state;
	fixture_dir("gpt", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/emmc_gpt_area_512b.bin", dir);
	a = slurp(path, &len);
	assert_non_null(a);
	/* the first 34 sectors: LBA 0..33; the backup is not in this area */
	assert_int_equal(qc_gpt_parse(ctx, a, 34 * 512, NULL, 0, 512, 0, &g), 0);
	assert_true(g.has_gpt);
	assert_false(g.backup_checked);
	assert_true(g.primary_valid);
	assert_int_equal(g.damage, 0);
	assert_int_equal(g.disk_sectors, 30777344);
	assert_int_equal(g.primary.first_usable_lba, 34);
	assert_int_equal(g.primary.last_usable_lba, 30777310);
	assert_string_equal(g.primary.disk_guid, "98101b32-bbe2-4bf2-a06e-2bb33d000c20");
	assert_int_equal(g.count, 29);
	assert_string_equal(g.parts[0].name, "modem");
	assert_string_equal(g.parts[0].type_guid, "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
	assert_string_equal(g.parts[0].unique_guid, "ddf3f3b0-6de2-25a5-f64c-b6ee6c9b1931");
	assert_int_equal(g.parts[0].first_lba, 1024);
	assert_int_equal(g.parts[0].last_lba, 132095);
	assert_string_equal(g.parts[1].name, "sbl1");
	assert_string_equal(g.parts[28].name, "grow");
	assert_int_equal(g.parts[28].sectors, 30777310 - 30777300 + 1);
	qc_gpt_free(&g);
	/* the same through the read callback with the disk size known: the
	 * backup is beyond the area, so it reads as missing */
	free(a);

	snprintf(path, sizeof(path), "%s/ufs_gpt_sm8180x_4096b.bin", dir);
	a = slurp(path, &len);
	assert_non_null(a);
	assert_int_equal(qc_gpt_parse(ctx, a, len, NULL, 0, 4096, 0, &g), 0);
	assert_true(g.primary_valid);
	assert_int_equal(g.count, 2);
	assert_int_equal(g.parts[0].index, 1);
	assert_string_equal(g.parts[0].name, "cdt");
	assert_int_equal(g.parts[0].first_lba, 64);
	assert_int_equal(g.parts[0].last_lba, 95);
	assert_string_equal(g.parts[1].name, "ddr");
	assert_string_equal(g.parts[1].type_guid, "20a0c19c-286a-42fa-9ce7-f64c3226a794");
	qc_gpt_free(&g);
	/* read as 512-byte sectors there is no GPT at LBA 1 */
	assert_int_equal(qc_gpt_parse(ctx, a, len, NULL, 0, 512, 0, &g), 0);
	assert_false(g.has_gpt);
	qc_gpt_free(&g);
	free(a);
}

/* A disk in memory for the callback form. */
struct disk {
	uint8_t *data;
	uint64_t sectors;
	unsigned ss;
	int reads;
};

static int disk_read(void *user, uint64_t lba, uint32_t n, uint8_t *buf)
{
	struct disk *d = user;

	d->reads++;
	if (lba >= d->sectors || n > d->sectors - lba)
		return QC_E_RANGE;
	memcpy(buf, d->data + lba * d->ss, (size_t)n * d->ss);
	return 0;
}

static int failing_read(void *user, uint64_t lba, uint32_t n, uint8_t *buf)
{
	(void)user, (void)lba, (void)n, (void)buf;
	return QC_E_TIMEOUT;
}

static const struct qc_gpt_new_partition demo_parts[] = {
    {"boot_a", "20117f86-e985-4357-b9ee-374bc1d8487d", NULL, 64, 127, 0},
    {"modem_a", "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "11111111-2222-3333-4444-555555555555", 128, 255, 1ull << 60},
    {"\xc3\xa9t\xc3\xa9 \xf0\x9f\x93\xb1", "0fc63daf-8483-4772-8e79-3d69d8477de4", NULL, 256, 300, 0},
};

/* Builds a table into a fresh disk image of N sectors. */
static void make_disk(struct disk *d, unsigned ss, uint64_t n, uint32_t entries)
{
	struct qc_gpt_layout lay = {ss, n, "4f1e3f5a-0b5b-4c1e-9c7e-2b0f6c1d9a10", entries};
	uint8_t *p, *b;
	size_t pl, bl;

	assert_int_equal(qc_gpt_build(ctx, &lay, demo_parts, 3, &p, &pl, &b, &bl), 0);
	d->ss = ss;
	d->sectors = n;
	d->data = calloc(n, ss);
	assert_non_null(d->data);
	memcpy(d->data, p, pl);
	memcpy(d->data + n * ss - bl, b, bl);
	free(p);
	free(b);
}

static void test_build_roundtrip(void **state)
{
	static const unsigned sizes[] = {512, 4096};

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct disk d = {0};
		struct qc_gpt g;
		unsigned ss = sizes[k];

		make_disk(&d, ss, 2048, 0);
		assert_int_equal(qc_gpt_read(ctx, ss, d.sectors, disk_read, &d, &g), 0);
		assert_true(g.primary_valid && g.backup_valid);
		assert_int_equal(g.damage, 0);
		assert_int_equal(g.primary.num_entries, ss == 512 ? 128 : 32);
		assert_int_equal(g.primary.first_usable_lba, qc_gpt_primary_sectors(ss, 0));
		assert_int_equal(g.primary.last_usable_lba, 2048 - qc_gpt_backup_sectors(ss, 0) - 1);
		assert_int_equal(g.count, 3);
		assert_string_equal(g.parts[0].name, "boot_a");
		assert_string_equal(g.parts[2].name, demo_parts[2].name);
		assert_string_equal(g.parts[1].unique_guid, "11111111-2222-3333-4444-555555555555");
		assert_int_equal(g.parts[1].attributes, 1ull << 60);
		assert_int_equal(g.parts[2].first_lba, 256);
		assert_int_equal(g.parts[2].sectors, 45);
		/* derived unique GUIDs are stable, distinct and version 4 */
		assert_string_not_equal(g.parts[0].unique_guid, g.parts[2].unique_guid);
		assert_int_equal(g.parts[0].unique_guid[14], '4');
		qc_gpt_free(&g);

		/* unknown size: found through the primary's alternate LBA */
		assert_int_equal(qc_gpt_read(ctx, ss, 0, disk_read, &d, &g), 0);
		assert_int_equal(g.disk_sectors, 2048);
		assert_true(g.backup_valid);
		qc_gpt_free(&g);

		/* a disk larger than the table was made for: the backup is not
		 * at the end and the primary points elsewhere */
		uint8_t *big = calloc(4096, ss);

		memcpy(big, d.data, (size_t)2048 * ss);
		struct disk d2 = {big, 4096, ss, 0};

		assert_int_equal(qc_gpt_read(ctx, ss, 4096, disk_read, &d2, &g), 0);
		assert_true(g.has_gpt);
		assert_false(g.primary_valid);
		assert_true(g.damage & QC_GPT_PRIMARY_LBA);
		assert_true(g.damage & QC_GPT_BACKUP_MISSING);
		assert_int_equal(g.count, 0);
		qc_gpt_free(&g);
		free(big);
		free(d.data);
	}
}

static void test_damage(void **state)
{
	struct disk d = {0};
	struct qc_gpt g;
	char msg[256];
	unsigned ss = 512;

	(void)state;
	make_disk(&d, ss, 1000, 0);
	/* primary header CRC: the partitions come from the backup */
	d.data[ss + 40] ^= 1;
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_true(g.has_gpt);
	assert_false(g.primary_valid);
	assert_true(g.backup_valid);
	assert_int_equal(g.damage, QC_GPT_PRIMARY_HEADER_CRC);
	assert_int_equal(g.count, 3);
	assert_string_equal(qc_gpt_damage_str(g.damage, msg, sizeof(msg)), "primary header CRC wrong");
	qc_gpt_free(&g);
	d.data[ss + 40] ^= 1;

	/* primary entries CRC */
	d.data[2 * ss + 60] ^= 0x80;
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_int_equal(g.damage, QC_GPT_PRIMARY_ENTRIES_CRC);
	assert_true(g.backup_valid);
	assert_int_equal(g.count, 3);
	assert_string_equal(g.parts[0].name, "boot_a");
	qc_gpt_free(&g);
	d.data[2 * ss + 60] ^= 0x80;

	/* backup header gone; then backup entries damaged */
	uint8_t saved[512];

	memcpy(saved, d.data + 999 * ss, ss);
	memset(d.data + 999 * ss, 0, ss);
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_int_equal(g.damage, QC_GPT_BACKUP_MISSING);
	assert_true(g.primary_valid);
	qc_gpt_free(&g);
	memcpy(d.data + 999 * ss, saved, ss);
	d.data[967 * ss] ^= 1;
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_int_equal(g.damage, QC_GPT_BACKUP_ENTRIES_CRC);
	qc_gpt_free(&g);
	d.data[967 * ss] ^= 1;

	/* no protective MBR is only informational */
	d.data[510] = 0;
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_int_equal(g.damage, QC_GPT_NO_PMBR);
	assert_true(g.primary_valid && g.backup_valid);
	qc_gpt_free(&g);
	d.data[510] = 0x55;

	/* a header claiming a huge entry array is not trusted (and not read) */
	uint8_t hdr[512];

	memcpy(hdr, d.data + ss, ss);
	d.data[ss + 80] = 0xff, d.data[ss + 81] = 0xff, d.data[ss + 82] = 0xff;
	uint32_t c;

	memset(d.data + ss + 16, 0, 4);
	c = qc_crc32(d.data + ss, 92);
	for (int i = 0; i < 4; i++)
		d.data[ss + 16 + i] = (uint8_t)(c >> (8 * i));
	d.reads = 0;
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_true(g.primary.header_crc_ok);
	assert_false(g.primary_valid);
	assert_true(g.damage & QC_GPT_PRIMARY_LBA);
	assert_true(g.backup_valid);
	qc_gpt_free(&g);
	memcpy(d.data + ss, hdr, ss);

	/* blank disk */
	memset(d.data, 0, (size_t)1000 * ss);
	assert_int_equal(qc_gpt_read(ctx, ss, 1000, disk_read, &d, &g), 0);
	assert_false(g.has_gpt);
	assert_int_equal(g.count, 0);
	assert_int_equal(g.damage, 0);
	qc_gpt_free(&g);
	free(d.data);

	/* read errors and bad arguments are errors, not damage */
	assert_int_equal(qc_gpt_read(ctx, 512, 1000, failing_read, NULL, &g), QC_E_TIMEOUT);
	assert_int_equal(qc_gpt_read(ctx, 1000, 1000, disk_read, &d, &g), QC_E_INVAL);
	assert_int_equal(qc_gpt_parse(ctx, saved, 100, NULL, 0, 512, 0, &g), QC_E_INVAL);
	assert_int_equal(qc_gpt_parse(ctx, NULL, 0, NULL, 0, 512, 0, &g), 0);
	assert_false(g.has_gpt);
}

static void test_copies_differ(void **state)
{
	struct disk a = {0}, b = {0};
	struct qc_gpt g;

	(void)state;
	make_disk(&a, 512, 1000, 0);
	/* the same layout with another disk GUID: backup taken from it */
	struct qc_gpt_layout lay = {512, 1000, "00000000-0000-0000-0000-000000000001", 0};
	uint8_t *p, *bk;
	size_t pl, bl;

	assert_int_equal(qc_gpt_build(ctx, &lay, demo_parts, 2, &p, &pl, &bk, &bl), 0);
	memcpy(a.data + 1000 * 512 - bl, bk, bl);
	assert_int_equal(qc_gpt_read(ctx, 512, 1000, disk_read, &a, &g), 0);
	assert_true(g.primary_valid && g.backup_valid);
	assert_int_equal(g.damage, QC_GPT_COPIES_DIFFER);
	assert_int_equal(g.count, 3); /* the primary's */
	qc_gpt_free(&g);
	free(p);
	free(bk);
	free(a.data);
	(void)b;
}

/* Rebuilding a ptool table from its parsed contents gives ptool's bytes. */
static void test_build_matches_ptool(void **state)
{
	char dir[512], path[600];

	(void)state;
	fixture_dir("flatbuild-rubikpi3", dir, sizeof(dir));
	for (int lun = 0; lun < 7; lun++) {
		uint8_t *m, *b, *p2, *b2;
		size_t ml, bl, pl2, bl2;
		struct qc_gpt g;

		snprintf(path, sizeof(path), "%s/gpt_main%d.bin", dir, lun);
		m = slurp(path, &ml);
		snprintf(path, sizeof(path), "%s/gpt_backup%d.bin", dir, lun);
		b = slurp(path, &bl);
		assert_int_equal(qc_gpt_parse(ctx, m, ml, b, bl, 4096, 0, &g), 0);
		/* every non-blank entry, read straight from the bytes: ptool also
		 * writes entries with an all-zero type, which the parser skips */
		uint32_t n = g.primary.num_entries, used = 0;
		struct qc_gpt_new_partition *np = calloc(n, sizeof(*np));
		char(*names)[40] = calloc(n, 40), (*types)[QC_GPT_GUID_STR] = calloc(n, QC_GPT_GUID_STR),
		(*uniq)[QC_GPT_GUID_STR] = calloc(n, QC_GPT_GUID_STR);

		for (uint32_t i = 0; i < n; i++) {
			const uint8_t *e = m + 2 * 4096 + 128 * i;
			uint8_t blank[128] = {0};

			if (!memcmp(e, blank, 128))
				break;
			for (int k = 0; k < 36 && e[56 + 2 * k]; k++)
				names[used][k] = (char)e[56 + 2 * k];
			qc_gpt_guid_to_str(e, types[used]);
			qc_gpt_guid_to_str(e + 16, uniq[used]);
			np[used].name = names[used];
			np[used].type_guid = types[used];
			np[used].unique_guid = uniq[used];
			for (int k = 7; k >= 0; k--) {
				np[used].first_lba = np[used].first_lba << 8 | e[32 + k];
				np[used].last_lba = np[used].last_lba << 8 | e[40 + k];
				np[used].attributes = np[used].attributes << 8 | e[48 + k];
			}
			used++;
		}
		assert_true(used >= g.count);
		struct qc_gpt_layout lay = {4096, g.disk_sectors, g.primary.disk_guid, g.primary.num_entries};

		assert_int_equal(qc_gpt_build(ctx, &lay, np, used, &p2, &pl2, &b2, &bl2), 0);
		free(names);
		free(types);
		free(uniq);
		assert_int_equal(pl2, ml);
		assert_int_equal(bl2, bl);
		assert_memory_equal(p2, m, ml);
		assert_memory_equal(b2, b, bl);
		free(np);
		free(p2);
		free(b2);
		qc_gpt_free(&g);
		free(m);
		free(b);
	}
}

static void test_build_refusals(void **state)
{
	struct qc_gpt_layout lay = {512, 1000, "4f1e3f5a-0b5b-4c1e-9c7e-2b0f6c1d9a10", 0};
	struct qc_gpt_new_partition np[2] = {
	    {"a", "0fc63daf-8483-4772-8e79-3d69d8477de4", NULL, 100, 199, 0},
	    {"b", "0fc63daf-8483-4772-8e79-3d69d8477de4", NULL, 150, 249, 0},
	};
	uint8_t *p, *b;
	size_t pl, bl;

	(void)state;
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_RANGE); /* overlap */
	assert_non_null(strstr(qc_last_error(ctx), "overlap"));
	np[1].first_lba = 10; /* inside the primary area */
	np[1].last_lba = 20;
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_RANGE);
	np[1].first_lba = 900;
	np[1].last_lba = 990; /* inside the backup area */
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_RANGE);
	np[1].last_lba = 960;
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), 0);
	free(p);
	free(b);
	np[1].name = "a name much longer than thirty-six UTF-16 units";
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_TOOBIG);
	np[1].name = "bad \xff utf8";
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_INVAL);
	np[1].name = "b";
	np[1].type_guid = "not-a-guid";
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_INVAL);
	lay.disk_sectors = 60; /* no room for 34 + 33 sectors */
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 0, &p, &pl, &b, &bl), QC_E_RANGE);
	lay.disk_sectors = 1000;
	lay.disk_guid = NULL;
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 0, &p, &pl, &b, &bl), QC_E_INVAL);
	lay.disk_guid = "4f1e3f5a-0b5b-4c1e-9c7e-2b0f6c1d9a10";
	lay.num_entries = 1;
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 2, &p, &pl, &b, &bl), QC_E_INVAL);
	lay.sector_size = 1000;
	assert_int_equal(qc_gpt_build(ctx, &lay, np, 0, &p, &pl, &b, &bl), QC_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),	    cmocka_unit_test(test_guid),
	    cmocka_unit_test(test_flatbuild_gpts),  cmocka_unit_test(test_emmc_and_ufs_areas),
	    cmocka_unit_test(test_build_roundtrip), cmocka_unit_test(test_damage),
	    cmocka_unit_test(test_copies_differ),   cmocka_unit_test(test_build_matches_ptool),
	    cmocka_unit_test(test_build_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
