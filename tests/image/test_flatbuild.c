/* SPDX-License-Identifier: BSD-3-Clause */
/* rawprogram/patch parsing and the plan: the real RUBIK Pi 3 build checked
 * against its own files, small builds made here (sparse images, slices,
 * oversized images), and hostile XML. */
#include <errno.h>
#include <time.h>

#include "testutil.h"

#include <fcntl.h>

#include "qcbox/flatbuild.h"
#include "qcbox/gpt.h"
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
	    "physical_partition_number=\"0\" start_sector=\"100\" file_sector_offset=\"1\" "
	    "partofsingleimage=\"true\"/>\n"
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
	    "<program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"s.simg\" label=\"raw-sparse\" "
	    "num_partition_sectors=\"1\" "
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

#define PROG(attrs)  "<data><program " attrs "/></data>"
#define OK_ATTRS     "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"2\" "
#define PATCH(attrs) "<patches><patch " attrs "/></patches>"
#define PATCH_OK     "SECTOR_SIZE_IN_BYTES=\"512\" start_sector=\"1\" byte_offset=\"16\" filename=\"DISK\" "

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
    {PROG("SECTOR_SIZE_IN_BYTES=\"1000\" num_partition_sectors=\"8\" start_sector=\"2\""), QC_E_FORMAT, "power of two"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"0x200\" num_partition_sectors=\"8\""), QC_E_FORMAT, "start_sector is missing"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" start_sector=\"2\""), QC_E_FORMAT, "num_partition_sectors is missing"},
    {PROG(OK_ATTRS "physical_partition_number=\"999\""), QC_E_FORMAT, "physical_partition_number=\"999\""},
    {PROG(OK_ATTRS "physical_partition_number=\"-1\""), QC_E_FORMAT, "not a number"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"99999999999999999999999\" start_sector=\"2\""),
     QC_E_FORMAT, "out of range"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"12abc\" start_sector=\"2\""), QC_E_FORMAT,
     "not a number"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"NUM_DISK_SECTORS-\""), QC_E_FORMAT,
     "start_sector"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"-5\""), QC_E_RANGE, "negative"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"1/0\""), QC_E_RANGE,
     "division by zero"},
    {PROG("SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"8\" start_sector=\"9223372036854775807\""), QC_E_FORMAT,
     "out of range"},
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
		if (rc != b->rc || !strstr(qc_last_error(ctx), b->words) ||
		    !strstr(qc_last_error(ctx), "hostile.xml")) {
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
	static const char *const x = "<data><program " OK_ATTRS "label=\"sbl1\" physical_partition_number=\"0\"/>"
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

/* ---- a host-side flash into LUN files: programs, then DISK patches ---- */

struct lunfile {
	int fd;
};

static int lf_read(void *user, uint64_t off, void *buf, size_t len)
{
	struct lunfile *l = user;

	return pread(l->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : QC_E_IO;
}

static int lf_write(void *user, uint64_t off, const void *buf, size_t len)
{
	struct lunfile *l = user;

	return pwrite(l->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : QC_E_IO;
}

static int gpt_rd(void *user, uint64_t lba, uint32_t n, uint8_t *buf)
{
	struct lunfile *l = user;
	size_t len = (size_t)n * 4096;

	/* the tests below use 4096-byte sectors only */
	return pread(l->fd, buf, len, (off_t)(lba * 4096)) == (ssize_t)len ? 0 : QC_E_RANGE;
}

/* Flashes every XML of DIR (rawprogram then patch files, as given) onto
 * NLUNS fresh sparse files of LUN_BYTES; returns the open LUN files. */
static void flash_dir(const char *dir, const char *const *xml, size_t nxml, struct lunfile *luns, unsigned nluns,
		      uint64_t lun_bytes)
{
	qc_flatbuild *fb;
	char path[700];
	uint8_t *buf = malloc(1 << 20);

	assert_int_equal(qc_flatbuild_new(ctx, &fb), 0);
	for (size_t i = 0; i < nxml; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, xml[i]);
		assert_int_equal(qc_flatbuild_add_file(fb, path, NULL), 0);
	}
	assert_int_equal(qc_flatbuild_finish(fb), 0);
	for (unsigned n = 0; n < nluns; n++) {
		snprintf(path, sizeof(path), "%s/lun%u.img", tmp, n);
		luns[n].fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		assert_true(luns[n].fd >= 0);
		assert_int_equal(ftruncate(luns[n].fd, (off_t)lun_bytes), 0);
		assert_int_equal(qc_flatbuild_resolve(fb, n, lun_bytes / 4096), 0);
	}
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];
		struct qc_fb_segment seg;
		qc_fb_segments *it;
		int rc;

		if (!qc_fb_program_writes(p))
			continue;
		assert_true(p->lun < nluns);
		assert_true(p->start_known);
		assert_int_equal(qc_fb_segments_open(ctx, p, p->start_sector, &it), 0);
		while ((rc = qc_fb_segments_next(it, &seg)) > 0) {
			for (uint64_t off = 0; off < seg.bytes; off += 1 << 20) {
				size_t n = seg.bytes - off < (1 << 20) ? (size_t)(seg.bytes - off) : (1 << 20);

				assert_int_equal(qc_fb_segment_read(it, &seg, off, buf, n), 0);
				assert_int_equal(lf_write(&luns[p->lun], seg.start_sector * 4096 + off, buf, n), 0);
			}
		}
		assert_int_equal(rc, 0);
		qc_fb_segments_close(it);
	}
	for (size_t i = 0; i < in->npatches; i++) {
		const struct qc_fb_patch *p = &in->patches[i];
		struct qc_fb_disk d = {4096, lun_bytes / 4096, lf_read, lf_write, &luns[p->lun]};

		if (!p->disk)
			continue;
		assert_int_equal(
		    qc_fb_patch_apply(ctx, &d, p->start_expr, p->byte_offset, p->size_in_bytes, p->value, p->what), 0);
	}
	qc_flatbuild_free(fb);
	free(buf);
}

/* The demo build from qcbox-mkflat, flashed: every LUN's GPT is valid for
 * the real size, the grow partition reaches the last usable LBA, and the
 * images read back. */
static void test_mkflat_flash(void **state)
{
	const char *b = getenv("QCBOX_BUILD");
	char cmd[1200], dir[600];
	struct lunfile luns[3];
	const uint64_t lun_bytes = 64ull << 20;

	(void)state;
	if (!b) {
		fprintf(stderr, "QCBOX_BUILD unset: skipped\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/demo", tmp);
	snprintf(cmd, sizeof(cmd), "'%s/qcbox-mkflat' -q '%s'", b, dir);
	assert_int_equal(system(cmd), 0);
	static const char *const xml[] = {"rawprogram0.xml", "rawprogram1.xml", "rawprogram2.xml",
					  "patch0.xml",	     "patch1.xml",	"patch2.xml"};

	flash_dir(dir, xml, 6, luns, 3, lun_bytes);
	for (unsigned n = 0; n < 3; n++) {
		struct qc_gpt g;

		assert_int_equal(qc_gpt_read(ctx, 4096, lun_bytes / 4096, gpt_rd, &luns[n], &g), 0);
		assert_true(g.primary_valid);
		assert_true(g.backup_valid);
		assert_int_equal(g.damage, 0);
		assert_int_equal(g.primary.last_usable_lba, lun_bytes / 4096 - 6);
		if (n == 0) {
			assert_int_equal(g.count, 5);
			const struct qc_gpt_partition *u = qc_gpt_find(&g, "userdata"), *sy = qc_gpt_find(&g, "system");

			assert_non_null(u);
			assert_int_equal(u->last_lba, lun_bytes / 4096 - 6);
			/* system.simg expanded: 256 RAW blocks, then a fill of 0x5aa5c33c */
			uint8_t blk[4096];

			assert_int_equal(lf_read(&luns[0], (sy->first_lba + 256) * 4096, blk, 4096), 0);
			assert_memory_equal(blk, "\x3c\xc3\xa5\x5a\x3c\xc3\xa5\x5a", 8);
			assert_int_equal(lf_read(&luns[0], sy->first_lba * 4096, blk, 4096), 0);
			assert_memory_equal(blk, "qcbox demo image system.simg", 28);
		} else {
			assert_int_equal(g.count, 1); /* last_parti has no type */
		}
		qc_gpt_free(&g);
		close(luns[n].fd);
	}
}

/* The vendor build, flashed onto 1 GiB LUNs: LUNs 1-6 carry valid GPTs
 * with the partitions of their gpt_main files. */
static void test_rubikpi_flash(void **state)
{
	char dir[512], path[700];
	struct lunfile luns[7];
	const uint64_t lun_bytes = 1ull << 30;
	static const char *const xml[] = {"rawprogram0.xml", "rawprogram1.xml", "rawprogram2.xml", "rawprogram3.xml",
					  "rawprogram4.xml", "rawprogram5.xml", "rawprogram6.xml", "patch1.xml",
					  "patch2.xml",	     "patch3.xml",	"patch4.xml",	   "patch5.xml",
					  "patch6.xml"};

	(void)state;
	fixture_dir("flatbuild-rubikpi3", dir, sizeof(dir));
	flash_dir(dir, xml, 13, luns, 7, lun_bytes);
	for (unsigned n = 1; n < 7; n++) {
		struct qc_gpt g, want;
		uint8_t *m;
		size_t ml;

		assert_int_equal(qc_gpt_read(ctx, 4096, lun_bytes / 4096, gpt_rd, &luns[n], &g), 0);
		assert_true(g.primary_valid && g.backup_valid);
		assert_int_equal(g.damage, 0);
		snprintf(path, sizeof(path), "%s/gpt_main%u.bin", dir, n);
		m = slurp(path, &ml);
		assert_int_equal(qc_gpt_parse(ctx, m, ml, NULL, 0, 4096, 0, &want), 0);
		assert_int_equal(g.count, want.count);
		for (size_t i = 0; i < g.count; i++) {
			assert_string_equal(g.parts[i].name, want.parts[i].name);
			assert_int_equal(g.parts[i].first_lba, want.parts[i].first_lba);
		}
		qc_gpt_free(&g);
		qc_gpt_free(&want);
		free(m);
	}
	/* LUN 0 got nothing: its one image is absent and it has no patches */
	uint8_t z[4096], zero[4096] = {0};

	assert_int_equal(lf_read(&luns[0], 4096, z, 4096), 0);
	assert_memory_equal(z, zero, 4096);
	for (unsigned n = 0; n < 7; n++)
		close(luns[n].fd);
}

static void test_patch_apply_refusals(void **state)
{
	uint8_t mem[8 * 512] = {0};
	int fd = open(tpath("small.img"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct lunfile lf = {fd};
	struct qc_fb_disk d = {512, 8, lf_read, lf_write, &lf};

	(void)state;
	assert_int_equal(write(fd, mem, sizeof(mem)), (ssize_t)sizeof(mem));
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "NUM_DISK_SECTORS-1.", 510, 2, "0xaa55", "p1"), 0);
	assert_int_equal(lf_read(&lf, 7 * 512 + 510, mem, 2), 0);
	assert_memory_equal(mem, "\x55\xaa", 2);
	/* value cut to its size, little-endian */
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "0", 0, 3, "0x11223344", "p2"), 0);
	assert_int_equal(lf_read(&lf, 0, mem, 4), 0);
	assert_memory_equal(mem, "\x44\x33\x22\x00", 4);
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "CRC32(0,4)", 8, 4, "CRC32(0,4)", "p3"), QC_E_RANGE);
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "1", 8, 4, "CRC32(0,4)", "p3"), 0);
	assert_int_equal(lf_read(&lf, 512 + 8, mem, 4), 0);
	uint32_t c = qc_crc32("\x44\x33\x22\x00", 4);

	assert_int_equal(mem[0] | mem[1] << 8 | mem[2] << 16 | (uint32_t)mem[3] << 24, c);
	/* outside the disk: refused, nothing written */
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "NUM_DISK_SECTORS", 0, 4, "1", "p4"), QC_E_RANGE);
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "7", 510, 4, "1", "p5"), QC_E_RANGE);
	assert_non_null(strstr(qc_last_error(ctx), "p5"));
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "0", 0, 4, "CRC32(7,1024)", "p6"), QC_E_RANGE);
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "0", 0, 9, "1", "p7"), QC_E_INVAL);
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "0", 0, 4, "1/0", "p8"), QC_E_RANGE);
	assert_int_equal(qc_fb_patch_apply(ctx, &d, "0", UINT64_MAX, 4, "1", "p9"), QC_E_RANGE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rubikpi),	    cmocka_unit_test(test_segments_raw),
	    cmocka_unit_test(test_segments_sparse), cmocka_unit_test(test_file_kinds),
	    cmocka_unit_test(test_hostile),	    cmocka_unit_test(test_entry_limit),
	    cmocka_unit_test(test_bootable_rules),  cmocka_unit_test(test_mkflat_flash),
	    cmocka_unit_test(test_rubikpi_flash),   cmocka_unit_test(test_patch_apply_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
