/* SPDX-License-Identifier: BSD-3-Clause */
/* rawprogram/patch parsing and the plan: the real RUBIK Pi 3 build checked
 * against its own files, small builds made here (sparse images, slices,
 * oversized images), and hostile XML. */
#include <errno.h>
#include <time.h>

#include "testutil.h"

#include "qcbox/flatbuild.h"
#include "qcbox/sparse.h"

static qc_ctx *ctx;
static char *tmp;

static int setup(void **state)
{
	(void)state;
	ctx = qc_ctx_new();
	tmp = tmpdir_new();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qc_ctx_free(ctx);
	tmpdir_free(tmp);
	return 0;
}

static char *tpath(const char *name)
{
	static char buf[8][600];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmp, name);
	return buf[k];
}

static void put(const char *name, const char *text)
{
	spit(tpath(name), text, strlen(text));
}

/* The real build: every program, patch and absent file as the files say. */
static void test_rubikpi(void **state)
{
	char dir[512], path[700];
	qc_flatbuild *fb;
	size_t prog = 0, disk_patches = 0, patches = 0;
	int want_boot = -1;

	(void)state;
	fixture_dir("flatbuild-rubikpi3", dir, sizeof(dir));
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	for (int i = 0; i <= 6; i++) {
		enum qc_fb_file_kind kind;

		snprintf(path, sizeof(path), "%s/rawprogram%d.xml", dir, i);
		assert_int_equal(qc_fb_file_kind(ctx, path, &kind), 0);
		assert_int_equal(kind, QC_FB_RAWPROGRAM);
		assert_int_equal(qc_flatbuild_add_file(fb, path, &kind), 0);
		assert_int_equal(kind, QC_FB_RAWPROGRAM);
	}
	for (int i = 1; i <= 6; i++) {
		enum qc_fb_file_kind kind;

		snprintf(path, sizeof(path), "%s/patch%d.xml", dir, i);
		assert_int_equal(qc_flatbuild_add_file(fb, path, &kind), 0);
		assert_int_equal(kind, QC_FB_PATCH);
	}
	assert_int_equal(qc_flatbuild_finish(fb), 0);
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	/* walk the files independently and compare entry by entry */
	for (int i = 0; i <= 6; i++) {
		uint8_t *x;
		size_t len;

		snprintf(path, sizeof(path), "%s/rawprogram%d.xml", dir, i);
		x = slurp(path, &len);
		for (const char *p = next_elem((char *)x, "program"); p; p = next_elem(p + 1, "program")) {
			char a[256], file[256];
			const struct qc_fb_program *pr = &in->programs[prog++];

			assert_true(prog <= in->nprograms);
			assert_string_equal(pr->xml, path);
			attr_of(p, "label", a, sizeof(a));
			assert_string_equal(pr->label, a);
			attr_of(p, "physical_partition_number", a, sizeof(a));
			assert_int_equal(pr->lun, strtoul(a, NULL, 10));
			attr_of(p, "SECTOR_SIZE_IN_BYTES", a, sizeof(a));
			assert_int_equal(pr->sector_size, strtoul(a, NULL, 10));
			attr_of(p, "num_partition_sectors", a, sizeof(a));
			assert_int_equal(pr->partition_sectors, strtoull(a, NULL, 10));
			attr_of(p, "start_sector", a, sizeof(a));
			assert_string_equal(pr->start_expr, a);
			if (strstr(a, "NUM_DISK_SECTORS")) {
				assert_false(pr->start_known);
				assert_int_equal(pr->start_needs, QC_EXPR_NEEDS_DISK);
			} else {
				assert_true(pr->start_known);
				assert_int_equal(pr->start_sector, strtoull(a, NULL, 10));
			}
			attr_of(p, "filename", file, sizeof(file));
			assert_string_equal(pr->filename, file);
			if (!file[0]) {
				assert_null(pr->path);
				assert_false(qc_fb_program_writes(pr));
			} else {
				struct stat st;
				bool present = stat(pr->path, &st) == 0;

				assert_int_equal(pr->missing, !present);
				assert_int_equal(qc_fb_program_writes(pr), present);
				if (present) {
					assert_int_equal(pr->file_bytes, st.st_size);
					assert_int_equal(pr->data_bytes, st.st_size);
					assert_int_equal(pr->data_sectors, (st.st_size + 4095) / 4096);
					assert_false(pr->too_big);
					assert_false(pr->sparse);
				}
			}
			if (want_boot < 0 && (!strcmp(pr->label, "xbl") || !strcmp(pr->label, "xbl_a")))
				want_boot = (int)pr->lun;
		}
		free(x);
	}
	assert_int_equal(prog, in->nprograms);
	for (int i = 1; i <= 6; i++) {
		uint8_t *x;
		size_t len;

		snprintf(path, sizeof(path), "%s/patch%d.xml", dir, i);
		x = slurp(path, &len);
		for (const char *p = next_elem((char *)x, "patch"); p; p = next_elem(p + 1, "patch")) {
			char a[256];
			const struct qc_fb_patch *pa = &in->patches[patches++];

			attr_of(p, "filename", a, sizeof(a));
			assert_string_equal(pa->filename, a);
			disk_patches += !strcmp(a, "DISK");
			assert_int_equal(pa->disk, !strcmp(a, "DISK"));
			attr_of(p, "value", a, sizeof(a));
			assert_string_equal(pa->value, a);
			attr_of(p, "size_in_bytes", a, sizeof(a));
			assert_int_equal(pa->size_in_bytes, atoi(a));
			attr_of(p, "byte_offset", a, sizeof(a));
			assert_int_equal(pa->byte_offset, strtoull(a, NULL, 10));
			attr_of(p, "start_sector", a, sizeof(a));
			assert_string_equal(pa->start_expr, a);
		}
		free(x);
	}
	assert_int_equal(patches, in->npatches);
	assert_int_equal(disk_patches, in->ndisk_patches);
	assert_true(disk_patches > 0 && disk_patches < patches);
	/* the three files the vendor build leaves out */
	assert_int_equal(in->nmissing, 3);
	for (size_t i = 0; i < in->nmissing; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, in->missing[i]);
		assert_int_equal(access(path, F_OK), -1);
	}
	assert_int_equal(in->bootable_lun, want_boot);
	assert_int_equal(in->bootable_lun, 1);
	assert_string_equal(in->bootable_label, "xbl_a");
	assert_true(in->bootable_ambiguous); /* xbl_a is on LUN 1 and LUN 2 */
	assert_int_equal(in->sector_size, 4096);
	assert_int_equal(in->nxml, 13);

	/* NUM_DISK_SECTORS per LUN */
	assert_int_equal(qc_flatbuild_resolve(fb, 1, 262144), 0);
	in = qc_flatbuild_get(fb);
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];

		if (p->lun == 1) {
			assert_true(p->start_known);
			if (!strcmp(p->label, "BackupGPT"))
				assert_int_equal(p->start_sector, 262144 - 5);
		} else if (strstr(p->start_expr, "NUM_DISK")) {
			assert_false(p->start_known);
		}
	}
	/* a LUN too small for what is written on it */
	assert_int_equal(qc_flatbuild_resolve(fb, 4, 1000), QC_E_RANGE);
	assert_non_null(strstr(qc_last_error(ctx), "rawprogram4.xml"));
	assert_int_equal(qc_flatbuild_resolve(fb, 4, 3), QC_E_RANGE); /* NUM_DISK_SECTORS-5. < 0 */
	qc_flatbuild_free(fb);
}

/* Segments of a raw program: the file, then zero padding to the sector. */
static void test_segments_raw(void **state)
{
	qc_flatbuild *fb;
	qc_fb_segments *it;
	struct qc_fb_segment seg;
	uint8_t data[5000], buf[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	spit(tpath("a.bin"), data, sizeof(data));
	/* a.bin whole, then a slice of it from sector 1, cut to one sector */
	put("rawprogram0.xml",
	    "<?xml version=\"1.0\" ?>\n<data>\n"
	    "<program SECTOR_SIZE_IN_BYTES=\"4096\" filename=\"a.bin\" label=\"a\" num_partition_sectors=\"4\" "
	    "physical_partition_number=\"0\" start_sector=\"10\"/>\n"
	    "<program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"a.bin\" label=\"slice\" num_partition_sectors=\"1\" "
	    "physical_partition_number=\"0\" start_sector=\"100\" file_sector_offset=\"1\" partofsingleimage=\"true\"/>\n"
	    "</data>\n");
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	assert_int_equal(qc_flatbuild_add_file(fb, tpath("rawprogram0.xml"), NULL), 0);
	assert_int_equal(qc_flatbuild_finish(fb), 0);
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	assert_int_equal(in->nprograms, 2);
	assert_int_equal(in->programs[0].data_sectors, 2);
	assert_int_equal(in->programs[1].data_bytes, 512);
	assert_int_equal(in->programs[1].data_sectors, 1);
	assert_int_equal(in->sector_size, 0); /* they differ */
	assert_int_equal(in->bootable_lun, -1);

	assert_int_equal(qc_fb_segments_open(ctx, &in->programs[0], 10, &it), 0);
	assert_int_equal(qc_fb_segments_next(it, &seg), 1);
	assert_int_equal(seg.start_sector, 10);
	assert_int_equal(seg.sectors, 2);
	assert_int_equal(seg.bytes, 8192);
	assert_int_equal(seg.data_bytes, 5000);
	assert_false(seg.fill);
	assert_int_equal(qc_fb_segment_read(it, &seg, 0, buf, 8192), 0);
	assert_memory_equal(buf, data, 5000);
	for (size_t i = 5000; i < 8192; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(qc_fb_segment_read(it, &seg, 4990, buf, 20), 0);
	assert_memory_equal(buf, data + 4990, 10);
	assert_int_equal(buf[10], 0);
	assert_int_equal(qc_fb_segment_read(it, &seg, 8000, buf, 193), QC_E_RANGE);
	assert_int_equal(qc_fb_segments_next(it, &seg), 0);
	qc_fb_segments_close(it);

	assert_int_equal(qc_fb_segments_open(ctx, &in->programs[1], 100, &it), 0);
	assert_int_equal(qc_fb_segments_next(it, &seg), 1);
	assert_int_equal(seg.file_offset, 512);
	assert_int_equal(qc_fb_segment_read(it, &seg, 0, buf, 512), 0);
	assert_memory_equal(buf, data + 512, 512);
	qc_fb_segments_close(it);
	qc_flatbuild_free(fb);
}

/* A sparse program becomes one segment per RAW/FILL chunk. */
static void test_segments_sparse(void **state)
{
	qc_flatbuild *fb;
	qc_sparse_writer *w;
	qc_fb_segments *it;
	struct qc_fb_segment seg;
	uint8_t data[2 * 4096], buf[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("s.simg"), 4096, 16, true, &w), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 3), 0);
	assert_int_equal(qc_sparse_writer_raw(w, data, 2), 0);
	assert_int_equal(qc_sparse_writer_fill(w, 0xa5a5a5a5u, 4), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 7), 0);
	assert_int_equal(qc_sparse_writer_close(w), 0);
	put("rawprogram0.xml",
	    "<?xml version=\"1.0\" ?>\n<data>\n"
	    "<program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"s.simg\" label=\"system\" num_partition_sectors=\"128\" "
	    "physical_partition_number=\"0\" start_sector=\"1000\" sparse=\"true\"/>\n"
	    "<program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"s.simg\" label=\"small\" num_partition_sectors=\"127\" "
	    "physical_partition_number=\"0\" start_sector=\"2000\" sparse=\"true\"/>\n"
	    "</data>\n");
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	assert_int_equal(qc_flatbuild_add_file(fb, tpath("rawprogram0.xml"), NULL), 0);
	/* 16 blocks of 4096 = 128 sectors: fits the first, not the second */
	assert_int_equal(qc_flatbuild_finish(fb), QC_E_TOOBIG);
	assert_non_null(strstr(qc_last_error(ctx), "'small'"));
	assert_non_null(strstr(qc_last_error(ctx), "bigger than its partition"));
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	assert_true(in->programs[1].too_big);
	assert_false(in->programs[0].too_big);
	assert_true(in->programs[0].sparse);
	assert_int_equal(in->programs[0].data_sectors, 128);
	assert_int_equal(in->programs[0].sparse_chunks, 2);

	assert_int_equal(qc_fb_segments_open(ctx, &in->programs[0], 1000, &it), 0);
	assert_int_equal(qc_fb_segments_next(it, &seg), 1);
	assert_int_equal(seg.start_sector, 1000 + 3 * 8);
	assert_int_equal(seg.sectors, 16);
	assert_false(seg.fill);
	assert_int_equal(qc_fb_segment_read(it, &seg, 4096, buf, 4096), 0);
	assert_memory_equal(buf, data + 4096, 4096);
	assert_int_equal(qc_fb_segments_next(it, &seg), 1);
	assert_int_equal(seg.start_sector, 1000 + 5 * 8);
	assert_int_equal(seg.sectors, 32);
	assert_true(seg.fill);
	assert_int_equal(qc_fb_segment_read(it, &seg, 100, buf, 8), 0);
	assert_memory_equal(buf, "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5", 8);
	/* the CRC chunk at the end is checked and not a segment */
	assert_int_equal(qc_fb_segments_next(it, &seg), 0);
	qc_fb_segments_close(it);
	qc_flatbuild_free(fb);

	/* sparse="true" on a raw file: written raw, flagged */
	spit(tpath("r.bin"), data, 100);
	put("rawprogram1.xml",
	    "<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"r.bin\" label=\"r\" num_partition_sectors=\"1\" "
	    "physical_partition_number=\"1\" start_sector=\"5\" sparse=\"true\"/>"
	    "<program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"s.simg\" label=\"raw-sparse\" num_partition_sectors=\"1\" "
	    "physical_partition_number=\"1\" start_sector=\"9\"/></data>");
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	assert_int_equal(qc_flatbuild_add_file(fb, tpath("rawprogram1.xml"), NULL), 0);
	assert_int_equal(qc_flatbuild_finish(fb), QC_E_TOOBIG); /* the sparse file written raw is 1 KiB+ */
	in = qc_flatbuild_get(fb);
	assert_false(in->programs[0].sparse);
	assert_true(in->programs[0].sparse_mismatch);
	assert_int_equal(in->programs[0].data_sectors, 1);
	assert_false(in->programs[1].sparse);
	assert_true(in->programs[1].sparse_mismatch);
	assert_true(in->programs[1].too_big);
	qc_flatbuild_free(fb);
}

static void test_file_kinds(void **state)
{
	enum qc_fb_file_kind k;
	uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	uint8_t mbn80[80] = {0xd1, 0xdc, 0x4b, 0x84, 0x34, 0x10, 0xd7, 0x73};

	(void)state;
	spit(tpath("p.elf"), elf, sizeof(elf));
	assert_int_equal(qc_fb_file_kind(ctx, tpath("p.elf"), &k), 0);
	assert_int_equal(k, QC_FB_PROGRAMMER);
	spit(tpath("p.mbn"), mbn80, sizeof(mbn80));
	assert_int_equal(qc_fb_file_kind(ctx, tpath("p.mbn"), &k), 0);
	assert_int_equal(k, QC_FB_PROGRAMMER);
	put("c.xml", "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- <data> in a comment -->\n<patches/>");
	assert_int_equal(qc_fb_file_kind(ctx, tpath("c.xml"), &k), 0);
	assert_int_equal(k, QC_FB_PATCH);
	put("d.xml", "<data>");
	assert_int_equal(qc_fb_file_kind(ctx, tpath("d.xml"), &k), 0);
	assert_int_equal(k, QC_FB_RAWPROGRAM);
	put("e.txt", "hello");
	assert_int_equal(qc_fb_file_kind(ctx, tpath("e.txt"), &k), 0);
	assert_int_equal(k, QC_FB_UNKNOWN);
	spit(tpath("s.img"), "\x3a\xff\x26\xed\x01\x00", 6);
	assert_int_equal(qc_fb_file_kind(ctx, tpath("s.img"), &k), 0);
	assert_int_equal(k, QC_FB_SPARSE);
	assert_int_equal(qc_fb_file_kind(ctx, tpath("none"), &k), QC_E_NOTFOUND);
}

struct bad {
	const char *xml;
	int rc;
	const char *words;
};

#define PROG(attrs) "<data><program " attrs "/></data>"
#define OK_ATTRS "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"2\" "
#define PATCH(attrs) "<patches><patch " attrs "/></patches>"
#define PATCH_OK "SECTOR_SIZE_IN_BYTES=\"512\" start_sector=\"1\" byte_offset=\"16\" filename=\"DISK\" "

static const struct bad bad_inputs[] = {
	{"", QC_E_FORMAT, "malformed XML"},
	{"<data><program", QC_E_FORMAT, "malformed XML"},
	{"<data>\n\n<program SECTOR_SIZE_IN_BYTES=\"512\"></data>", QC_E_FORMAT, "line 3"},
	{"<data><program a='1' a='2'/></data>", QC_E_FORMAT, "malformed XML"},
	{"<other/>", QC_E_FORMAT, "root element is <other>"},
	{"\x01\x02\x03", QC_E_FORMAT, "malformed XML"},
	/* entities: billion laughs, external files, parameter entities */
	{"<?xml version=\"1.0\"?><!DOCTYPE data [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	 "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	 "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	 "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	 "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
	 "<data><program label=\"&i;\" " OK_ATTRS "/></data>",
	 QC_E_FORMAT, ""},
	{"<?xml version=\"1.0\"?><!DOCTYPE data [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	 "<data><program label=\"&x;\" " OK_ATTRS "/></data>",
	 QC_E_FORMAT, ""},
	{"<?xml version=\"1.0\"?><!DOCTYPE data SYSTEM \"http://127.0.0.1:9/x.dtd\"><data/>", QC_E_FORMAT, "DOCTYPE"},
	{"<!DOCTYPE data><data/>", QC_E_FORMAT, "DOCTYPE"},
	/* attributes */
	{PROG("num_partition_sectors=\"8\" start_sector=\"2\""), QC_E_FORMAT, "SECTOR_SIZE_IN_BYTES is missing"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"1000\" num_partition_sectors=\"8\" start_sector=\"2\""), QC_E_FORMAT,
	 "power of two"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"0x200\" num_partition_sectors=\"8\""), QC_E_FORMAT, "start_sector is missing"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" start_sector=\"2\""), QC_E_FORMAT, "num_partition_sectors is missing"},
	{PROG(OK_ATTRS "physical_partition_number=\"999\""), QC_E_FORMAT, "physical_partition_number=\"999\""},
	{PROG(OK_ATTRS "physical_partition_number=\"-1\""), QC_E_FORMAT, "not a number"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"99999999999999999999999\" start_sector=\"2\""),
	 QC_E_FORMAT, "out of range"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"12abc\" start_sector=\"2\""), QC_E_FORMAT,
	 "not a number"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"NUM_DISK_SECTORS-\""),
	 QC_E_FORMAT, "start_sector"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"-5\""), QC_E_RANGE, "negative"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"1/0\""), QC_E_RANGE,
	 "division by zero"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"9223372036854775807\""),
	 QC_E_FORMAT, "out of range"},
	{PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"CRC32(1,2)\""), QC_E_FORMAT,
	 "CRC32"},
	{PROG(OK_ATTRS "file_sector_offset=\"x\""), QC_E_FORMAT, "file_sector_offset"},
	{PATCH(PATCH_OK "size_in_bytes=\"9\" value=\"1\""), QC_E_FORMAT, "size_in_bytes"},
	{PATCH(PATCH_OK "size_in_bytes=\"0\" value=\"1\""), QC_E_FORMAT, "size_in_bytes"},
	{PATCH(PATCH_OK "size_in_bytes=\"4\" value=\"CRC32(1,\""), QC_E_FORMAT, "value"},
	{PATCH(PATCH_OK "size_in_bytes=\"4\""), QC_E_FORMAT, "value is missing"},
	{PATCH("SECTOR_SIZE_IN_BYTES=\"512\" start_sector=\"1\" byte_offset=\"16\" size_in_bytes=\"4\" value=\"1\""),
	 QC_E_FORMAT, "filename is missing"},
	{"<data><erase SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\"/></data>", QC_E_FORMAT,
	 "without start_sector"},
};

static void test_hostile(void **state)
{
	qc_flatbuild *fb;
	char big[QC_FB_MAX_ATTR_LEN + 300];

	(void)state;
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	/* one good file first: failures must leave it as it is */
	put("good.xml", "<data><program " OK_ATTRS "filename=\"\" label=\"x\"/></data>");
	assert_int_equal(qc_flatbuild_add_file(fb, tpath("good.xml"), NULL), 0);
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = qc_flatbuild_add_memory(fb, b->xml, strlen(b->xml), "hostile.xml", tmp, NULL);

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc != b->rc || !strstr(qc_last_error(ctx), b->words) || !strstr(qc_last_error(ctx), "hostile.xml")) {
			fprintf(stderr, "input %zu: rc %d (want %d), message '%s' (want '%s')\n", i, rc, b->rc,
				qc_last_error(ctx), b->words);
			fail();
		}
		/* entity bombs are refused by the parser, not expanded */
		assert_true(t1.tv_sec - t0.tv_sec < 5);
	}
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	assert_int_equal(in->nprograms, 1);
	assert_int_equal(in->npatches, 0);
	assert_int_equal(in->nxml, 1);
	/* a failure after some entries of the same file were taken: rolled back */
	static const char *const two = "<data><program " OK_ATTRS "label=\"y\"/><program " OK_ATTRS
				       "label=\"z\" SECTOR_SIZE_IN_BYTES=\"7\"/></data>";

	assert_true(qc_flatbuild_add_memory(fb, two, strlen(two), "two.xml", tmp, NULL) < 0);
	assert_int_equal(qc_flatbuild_get(fb)->nprograms, 1);

	/* an overlong attribute */
	memset(big, 0, sizeof(big));
	strcpy(big, "<data><program label=\"");
	memset(big + strlen(big), 'a', QC_FB_MAX_ATTR_LEN + 1);
	strcat(big, "\" " OK_ATTRS "/></data>");
	assert_int_equal(qc_flatbuild_add_memory(fb, big, strlen(big), "long.xml", tmp, NULL), QC_E_TOOBIG);
	assert_non_null(strstr(qc_last_error(ctx), "label"));

	/* unknown elements are ignored, not fatal */
	static const char *const other = "<data><read " OK_ATTRS "/><!-- c --><?pi x?></data>";

	assert_int_equal(qc_flatbuild_add_memory(fb, other, strlen(other), "other.xml", tmp, NULL), 0);
	/* too big and absent files */
	char *huge = malloc(QC_FB_MAX_XML_BYTES + 2);

	memset(huge, ' ', QC_FB_MAX_XML_BYTES + 1);
	assert_int_equal(qc_flatbuild_add_memory(fb, huge, QC_FB_MAX_XML_BYTES + 1, "huge.xml", tmp, NULL),
			 QC_E_TOOBIG);
	spit(tpath("huge.xml"), huge, QC_FB_MAX_XML_BYTES + 1);
	assert_int_equal(qc_flatbuild_add_file(fb, tpath("huge.xml"), NULL), QC_E_TOOBIG);
	free(huge);
	assert_int_equal(qc_flatbuild_add_file(fb, tpath("absent.xml"), NULL), QC_E_NOTFOUND);
	assert_int_equal(qc_flatbuild_add_file(fb, tmp, NULL), QC_E_INVAL);
	qc_flatbuild_free(fb);
}

/* Many entries: the count limit holds. */
static void test_entry_limit(void **state)
{
	qc_flatbuild *fb;
	const char *one = "<program " OK_ATTRS "/>";
	size_t n = QC_FB_MAX_ENTRIES + 1, len = strlen(one);
	char *x = malloc(n * len + 32), *p = x;

	(void)state;
	p += sprintf(p, "<data>");
	for (size_t i = 0; i < n; i++, p += len)
		memcpy(p, one, len);
	p += sprintf(p, "</data>");
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	assert_int_equal(qc_flatbuild_add_memory(fb, x, (size_t)(p - x), "many.xml", NULL, NULL), QC_E_TOOBIG);
	assert_int_equal(qc_flatbuild_get(fb)->nprograms, 0);
	qc_flatbuild_free(fb);
	free(x);
}

static void test_bootable_rules(void **state)
{
	qc_flatbuild *fb;
	static const char *const x =
		"<data><program " OK_ATTRS "label=\"sbl1\" physical_partition_number=\"0\"/>"
		"<program " OK_ATTRS "label=\"xbl_a\" physical_partition_number=\"2\"/>"
		"<program " OK_ATTRS "label=\"xbl_b\" physical_partition_number=\"4\"/>"
		"<erase SECTOR_SIZE_IN_BYTES=\"4096\" physical_partition_number=\"3\"/></data>";

	(void)state;
	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	assert_int_equal(qc_flatbuild_add_memory(fb, x, strlen(x), "b.xml", NULL, NULL), 0);
	assert_int_equal(qc_flatbuild_finish(fb), 0);
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	/* xbl_a wins over sbl1 */
	assert_int_equal(in->bootable_lun, 2);
	assert_string_equal(in->bootable_label, "xbl_a");
	assert_true(in->bootable_ambiguous);
	assert_int_equal(in->nerases, 1);
	assert_null(in->erases[0].start_expr);
	assert_int_equal(in->erases[0].lun, 3);
	qc_flatbuild_free(fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rubikpi),	       cmocka_unit_test(test_segments_raw),
		cmocka_unit_test(test_segments_sparse), cmocka_unit_test(test_file_kinds),
		cmocka_unit_test(test_hostile),	       cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_bootable_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
