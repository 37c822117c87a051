/* SPDX-License-Identifier: BSD-3-Clause */
/* ELF/MBN parsing against the real loaders in ../shared/fixtures (skipped
 * when absent) and images built here for the hash segment versions no
 * fixture has; loader matching, including the SoC-family form of HW_ID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "qcbox/mbn.h"
#include "qcbox/sahara.h"
#include "testimg.h"

static char fixtures[4096];

static bool have_fixtures(void)
{
	const char *s = getenv("QCBOX_SHARED");
	struct stat st;

	if (!s)
		return false;
	snprintf(fixtures, sizeof(fixtures), "%s/fixtures", s);
	return stat(fixtures, &st) == 0;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* Every fixture loader, with what its certificates (not its name) say. */
static void test_fixture_loaders(void **state)
{
	static const struct {
		const char *file;
		enum qc_mbn_format format;
		unsigned hsv;
		const char *hwid; /* NULL: none */
		const char *pkhash; /* prefix; NULL: unsigned */
		int hashes_ok;
	} want[] = {
		{"loaders/MPRG8974-G2.mbn", QC_MBN_LEGACY80, 0, "007b00e100310000", "cc3153a80293939b90d02d3bf8b23e02", -1},
		{"loaders/mannar__prog_firehose_lite.elf", QC_MBN_ELF64, 6, "0000000000000000",
		 "d9357db88795b5a8afaebfd9ab08a569cc8e519f6c689723759f4e6915ca3466e98b5a3282678bdf63673d8517bb0c5b", 1},
		{"loaders/msm8916__007050e100000000_8ecf3eaa03f772e2_fhprg_peek.bin", QC_MBN_ELF32, 3, "007050e100000000",
		 "8ecf3eaa03f772e28479fa2f0bbae2141ccad6f106b384d1c46263edb5b02838", 1},
		{"loaders/msm8916__007050e100420001_ec287e5aa0bf4e3e_fhprg_peek.bin", QC_MBN_ELF32, 3, "007050e100420001",
		 "ec287e5aa0bf4e3e1cbd7ff5c42ddaac267eaa95677a1b4f66f24d20208f6fe1", 1},
		{"loaders/msm8974ab__007b40e100310262_cc3153a80293939b_fhprg.bin", QC_MBN_LEGACY80, 0, "007b40e100310262",
		 "cc3153a80293939b", -1},
		{"loaders/openpst-readmbn__40byte_header.mbn", QC_MBN_LEGACY40, 0, NULL, NULL, -1},
		{"loaders/openpst-readmbn__80byte_header.mbn", QC_MBN_LEGACY80, 0, "007b00e100310000", "cc3153a80293939b", -1},
		{"loaders/qca4020__prog_spinor_firehose_qca4020_lite_m4_threadx.mbn", QC_MBN_ELF32, 3, NULL, NULL, 1},
		{"loaders/xiaomi__mprg8974_cancro.mbn", QC_MBN_LEGACY80, 0, NULL, NULL, -1},
		/* v6, SHA-384 hashes, signed with the SecTools test root (SHA-384 of it) */
		{"flatbuild-rubikpi3/prog_firehose_ddr.elf", QC_MBN_ELF64, 6, "0000000000010000",
		 "f953644308944bb811ca0ec2a736a17fe38509941ce7f55860130857813c8378e93359b70dfd874c270dca08a53bd99f", 1},
		{"flatbuild-rubikpi3/prog_firehose_lite.elf", QC_MBN_ELF64, 6, "0000000000010000", "f953644308944bb8", 1},
	};
	qc_ctx *ctx;

	(void)state;
	if (!have_fixtures())
		skip();
	ctx = qc_ctx_new();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct qc_mbn_info mi;
		char path[4200], h[128];

		snprintf(path, sizeof(path), "%s/%s", fixtures, want[i].file);
		assert_int_equal(qc_mbn_parse_file(ctx, path, QC_MBN_VERIFY_HASHES, &mi), 0);
		assert_int_equal(mi.format, want[i].format);
		assert_int_equal(mi.hash_segment_version, want[i].hsv);
		assert_int_equal(mi.hashes_ok, want[i].hashes_ok);
		if (want[i].hwid) {
			assert_true(mi.have_hwid);
			snprintf(h, sizeof(h), "%016llx", (unsigned long long)mi.hwid);
			assert_string_equal(h, want[i].hwid);
		} else {
			assert_false(mi.have_hwid);
		}
		if (want[i].pkhash) {
			assert_true(mi.is_signed);
			hex(h, mi.pkhash, mi.pkhash_len);
			assert_memory_equal(h, want[i].pkhash, strlen(want[i].pkhash));
		} else {
			assert_false(mi.is_signed);
			assert_int_equal(mi.pkhash_len, 0);
		}
	}
	qc_ctx_free(ctx);
}

/* The v6 metadata of the RUBIK Pi programmer: sw_id 3, OEM 1, SoC 0x6018. */
static void test_fixture_metadata(void **state)
{
	struct qc_mbn_info mi;
	char path[4200];

	(void)state;
	if (!have_fixtures())
		skip();
	snprintf(path, sizeof(path), "%s/flatbuild-rubikpi3/prog_firehose_ddr.elf", fixtures);
	assert_int_equal(qc_mbn_parse_file(NULL, path, 0, &mi), 0);
	assert_true(mi.have_sw_id);
	assert_int_equal(mi.sw_id, 3);
	assert_int_equal(mi.oem_id, 1);
	assert_int_equal(mi.nsoc, 1);
	assert_int_equal(mi.soc_vers[0], 0x6018);
	assert_int_equal(mi.id.ncerts, 3);
	assert_string_equal(mi.hash_algorithm, "sha384");
	assert_int_equal(mi.end, 1024000);
	assert_int_equal(mi.hashes_ok, -1); /* not asked to verify */
}

/* A flipped byte in the middle of a fixture's segment is found. */
static void test_fixture_corrupt(void **state)
{
	struct qc_mbn_info mi;
	char path[4200];
	FILE *f;
	uint8_t *b;
	long n;

	(void)state;
	if (!have_fixtures())
		skip();
	snprintf(path, sizeof(path), "%s/loaders/msm8916__007050e100420001_ec287e5aa0bf4e3e_fhprg_peek.bin", fixtures);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[0x5000] ^= 1; /* inside the LOAD segment at 0x3000 */
	assert_int_equal(qc_mbn_parse_buffer(NULL, b, (size_t)n, QC_MBN_VERIFY_HASHES, &mi), 0);
	assert_int_equal(mi.hashes_ok, 0);
	assert_int_equal(mi.first_bad_segment, 2);
	/* cut inside the segment: the parser says so */
	qc_ctx *ctx = qc_ctx_new();

	assert_int_equal(qc_mbn_parse_buffer(ctx, b, 0x4000, 0, &mi), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "runs past the end"));
	qc_ctx_free(ctx);
	free(b);
}

static void check_signed(unsigned version, bool is64, const char *const *ous, const char *hwid, bool want384)
{
	struct chain c;
	struct img_spec s = {.is64 = is64, .version = version, .seg_len = 3000, .chain = &c, .fill = 3};
	struct qc_mbn_info mi;
	uint8_t md[120] = {0};
	size_t len;
	uint8_t *img;
	char h[32];

	tk_chain(&c, ous);
	if (version >= 6) {
		s.metadata = md;
		s.md_len = sizeof(md);
	}
	img = tk_elf(&s, &len);
	assert_int_equal(qc_mbn_parse_buffer(NULL, img, len, QC_MBN_VERIFY_HASHES, &mi), 0);
	assert_int_equal(mi.format, is64 ? QC_MBN_ELF64 : QC_MBN_ELF32);
	assert_int_equal(mi.hash_segment_version, version);
	assert_int_equal(mi.hashes_ok, 1);
	assert_true(mi.is_signed);
	assert_int_equal(mi.id.ncerts, 2);
	assert_int_equal(mi.pkhash_len, want384 ? 48 : 32);
	assert_memory_equal(mi.pkhash, want384 ? c.root_sha384 : c.root_sha256, mi.pkhash_len);
	assert_true(mi.have_hwid);
	snprintf(h, sizeof(h), "%016llx", (unsigned long long)mi.hwid);
	assert_string_equal(h, hwid);
	assert_string_equal(mi.hwid_source, "certificate");
	/* damage a segment */
	img[len - 10] ^= 0x80;
	assert_int_equal(qc_mbn_parse_buffer(NULL, img, len, QC_MBN_VERIFY_HASHES, &mi), 0);
	assert_int_equal(mi.hashes_ok, 0);
	free(img);
}

static void test_signed_versions(void **state)
{
	static const char *const ou_msm[] = {"01 0000000000000003 SW_ID", "02 007050E100420001 HW_ID",
					     "04 0042 OEM_ID", "06 0001 MODEL_ID", "07 0001 SHA256", NULL};
	static const char *const ou_845[] = {"01 0000000000000003 SW_ID", "02 6000000000010000 HW_ID",
					     "07 0000 SHA384", NULL};
	static const char *const ou_none[] = {"02 6000000000010000 HW_ID", NULL};

	(void)state;
	check_signed(3, false, ou_msm, "007050e100420001", false);
	check_signed(5, true, ou_845, "6000000000010000", true);  /* the OU names SHA-384 */
	check_signed(5, true, ou_none, "6000000000010000", false); /* before v6: SHA-256 */
	check_signed(6, true, ou_none, "6000000000010000", true);  /* from v6: SHA-384 */
	check_signed(7, true, ou_none, "6000000000010000", true);
}

static void test_metadata_hwid(void **state)
{
	uint8_t md[120] = {0};
	struct img_spec s = {.is64 = true, .version = 6, .seg_len = 100, .metadata = md, .md_len = sizeof(md)};
	struct qc_mbn_info mi;
	size_t len;
	uint8_t *img;

	(void)state;
	qc_put_le32(md + 8, 3);          /* sw_id */
	qc_put_le32(md + 12, 0x0016f0e1); /* hw_id */
	qc_put_le32(md + 16, 0x0072);    /* oem_id */
	qc_put_le32(md + 20, 0x0005);    /* model_id */
	qc_put_le32(md + 32, 0x9004);    /* soc_vers[0] */
	img = tk_elf(&s, &len);
	assert_int_equal(qc_mbn_parse_buffer(NULL, img, len, QC_MBN_VERIFY_HASHES, &mi), 0);
	assert_true(mi.have_hwid);
	assert_int_equal(mi.hwid, 0x0016f0e100720005ull);
	assert_string_equal(mi.hwid_source, "metadata");
	assert_int_equal(mi.msm_id, 0x0016f0e1);
	assert_int_equal(mi.oem_id, 0x72);
	assert_int_equal(mi.model_id, 5);
	assert_int_equal(mi.nsoc, 1);
	assert_int_equal(mi.soc_vers[0], 0x9004);
	assert_false(mi.is_signed);
	assert_int_equal(mi.pkhash_len, 0);
	assert_int_equal(mi.hashes_ok, 1);
	free(img);
}

static void test_bad_files(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_mbn_info mi;
	uint8_t junk[200];
	struct img_spec s = {.is64 = false, .version = 3, .seg_len = 64};
	size_t len;
	uint8_t *img;

	(void)state;
	memset(junk, 'A', sizeof(junk));
	assert_int_equal(qc_mbn_parse_buffer(ctx, junk, sizeof(junk), 0, &mi), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "neither an ELF"));
	assert_int_equal(qc_mbn_parse_buffer(ctx, junk, 3, 0, &mi), QC_E_FORMAT);
	assert_int_equal(qc_mbn_parse_file(ctx, "/nonexistent/x.mbn", 0, &mi), QC_E_NOTFOUND);
	assert_non_null(strstr(qc_last_error(ctx), "/nonexistent/x.mbn"));
	img = tk_elf(&s, &len);
	/* truncated ELF header */
	assert_int_equal(qc_mbn_parse_buffer(ctx, img, 40, 0, &mi), QC_E_FORMAT);
	/* absurd phnum */
	qc_put_le16(img + 44, 60000);
	assert_int_equal(qc_mbn_parse_buffer(ctx, img, len, 0, &mi), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "program headers"));
	qc_put_le16(img + 44, 3);
	/* hash segment parts larger than the segment */
	qc_put_le32(img + 0x1000 + 20, 0x7fffffff);
	assert_int_equal(qc_mbn_parse_buffer(ctx, img, len, 0, &mi), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "do not fit"));
	qc_put_le32(img + 0x1000 + 20, 96);
	/* unknown hash segment version */
	qc_put_le32(img + 0x1000 + 4, 4);
	assert_int_equal(qc_mbn_parse_buffer(ctx, img, len, 0, &mi), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "version 4"));
	free(img);
	/* a 40-byte header whose sizes disagree is not an MBN */
	uint8_t l40[64] = {0};

	qc_put_le32(l40 + 4, 3);
	qc_put_le32(l40 + 16, 24);
	qc_put_le32(l40 + 20, 20);
	assert_int_equal(qc_mbn_parse_buffer(ctx, l40, sizeof(l40), 0, &mi), QC_E_FORMAT);
	qc_put_le32(l40 + 20, 24);
	assert_int_equal(qc_mbn_parse_buffer(ctx, l40, sizeof(l40), 0, &mi), 0);
	assert_int_equal(mi.format, QC_MBN_LEGACY40);
	assert_int_equal(mi.end, 64);
	/* ... and one claiming more than the file holds */
	qc_put_le32(l40 + 16, 100);
	qc_put_le32(l40 + 20, 100);
	assert_int_equal(qc_mbn_parse_buffer(ctx, l40, sizeof(l40), 0, &mi), QC_E_FORMAT);
	qc_ctx_free(ctx);
}

/* ----- loader matching ----- */

struct seen {
	char reasons[16][512];
	bool match[16];
	unsigned n;
};

static void on_cand(void *user, const char *path, bool match, const char *reason)
{
	struct seen *s = user;

	(void)path;
	if (s->n < 16) {
		s->match[s->n] = match;
		snprintf(s->reasons[s->n++], sizeof(s->reasons[0]), "%s", reason);
	}
}

static void write_file(const char *dir, const char *name, const void *b, size_t n)
{
	char p[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

static void test_find_loader(void **state)
{
	static const char *const ou_845[] = {"02 6000000000010000 HW_ID", NULL};
	static const char *const ou_8916[] = {"02 007050E100420001 HW_ID", NULL};
	char dir[] = "/tmp/qcbox-loaders.XXXXXX", path[4200], pk16[40];
	struct chain c845, c8916;
	struct img_spec s = {.is64 = true, .version = 5, .seg_len = 500};
	struct qc_sahara_info dev = {0};
	qc_ctx *ctx = qc_ctx_new();
	struct seen seen = {0};
	size_t len;
	uint8_t *img;

	(void)state;
	assert_non_null(mkdtemp(dir));
	tk_chain(&c845, ou_845);
	tk_chain(&c8916, ou_8916);
	s.chain = &c845;
	img = tk_elf(&s, &len);
	write_file(dir, "b_sdm845.elf", img, len);
	free(img);
	s.chain = &c8916;
	s.version = 3;
	s.is64 = false;
	img = tk_elf(&s, &len);
	write_file(dir, "c_msm8916.elf", img, len);
	free(img);
	write_file(dir, "a_junk.bin", "not a loader at all, just text.............", 44);

	/* An SDM845 reports MSM id 0x0008b0e1; its loader says family 0x6000. */
	dev.have_hwid = true;
	dev.hwid = 0x0008b0e100000000ull;
	dev.msm_id = 0x0008b0e1;
	dev.pkhash_len = 32;
	memcpy(dev.pkhash, c845.root_sha256, 32);
	assert_int_equal(qc_sahara_find_loader(ctx, dir, &dev, path, sizeof(path), on_cand, &seen), 0);
	assert_non_null(strstr(path, "b_sdm845.elf"));
	assert_int_equal(seen.n, 3);
	assert_false(seen.match[0]);
	assert_non_null(strstr(seen.reasons[0], "not a usable ELF or MBN"));
	assert_true(seen.match[1]);
	assert_false(seen.match[2]);
	assert_non_null(strstr(seen.reasons[2], "MSM id 0x007050e1"));

	/* the right chip but another key: nothing fits, each says why */
	memset(&seen, 0, sizeof(seen));
	dev.pkhash[0] ^= 0xff;
	assert_int_equal(qc_sahara_find_loader(ctx, dir, &dev, path, sizeof(path), on_cand, &seen), QC_E_NOTFOUND);
	assert_non_null(strstr(seen.reasons[1], "differs from the device's PK hash"));
	assert_non_null(strstr(qc_last_error(ctx), "none of the 3 files"));

	/* an unsigned loader is matched by a bkerler-style name */
	s.chain = NULL;
	img = tk_elf(&s, &len);
	hex(pk16, dev.pkhash, 8);
	snprintf(path, sizeof(path), "0008b0e100000000_%s_fhprg.bin", pk16);
	write_file(dir, path, img, len);
	free(img);
	assert_int_equal(qc_sahara_find_loader(ctx, dir, &dev, path, sizeof(path), NULL, NULL), 0);
	assert_non_null(strstr(path, "_fhprg.bin"));

	/* a family the table does not know */
	dev.msm_id = 0x00ffffe1;
	dev.hwid = 0x00ffffe100000000ull;
	memset(&seen, 0, sizeof(seen));
	memcpy(dev.pkhash, c845.root_sha256, 32);
	assert_int_equal(qc_sahara_find_loader(ctx, dir, &dev, path, sizeof(path), on_cand, &seen), QC_E_NOTFOUND);
	assert_non_null(strstr(seen.reasons[2], "not in the chip-family table"));
	assert_int_equal(qc_sahara_find_loader(ctx, "/nonexistent", &dev, path, sizeof(path), NULL, NULL),
			 QC_E_NOTFOUND);

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	qc_ctx_free(ctx);
}

static void test_family_table(void **state)
{
	const char *name;

	(void)state;
	assert_int_equal(qc_sahara_soc_family(0x0008b0e1, &name), 0x6000);
	assert_string_equal(name, "SDM845");
	assert_int_equal(qc_sahara_soc_family(0x001930e1, NULL), 0x6018);
	assert_int_equal(qc_sahara_soc_family(0x007050e1, &name), 0);
	assert_null(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_loaders), cmocka_unit_test(test_fixture_metadata),
		cmocka_unit_test(test_fixture_corrupt), cmocka_unit_test(test_signed_versions),
		cmocka_unit_test(test_metadata_hwid),	cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_find_loader),	cmocka_unit_test(test_family_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
