/* SPDX-License-Identifier: BSD-3-Clause */
/* Legacy MBN headers: the real streaming programmers in the shared
 * fixtures, handmade 40- and 80-byte headers, and sizes that lie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qcbox/dload.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Reads a fixture, or skips the test when ../shared is absent. */
static uint8_t *fixture(const char *name, size_t *len)
{
	const char *shared = getenv("QCBOX_SHARED");
	char path[4096];
	FILE *f;
	uint8_t *buf;
	long n;

	if (!shared)
		return NULL;
	snprintf(path, sizeof(path), "%s/fixtures/loaders/%s", shared, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return buf;
}

struct expect {
	const char *file;
	unsigned header;
	uint32_t id, dest, size, code, sig, cert;
};

/* Figures checked against the files' bytes (little-endian words). */
static const struct expect real[] = {
	{"MPRG8974-G2.mbn", 80, 0x0d, 0xf800c050, 75808, 0x10f20, 0x100, 0x1800},
	{"xiaomi__mprg8974_cancro.mbn", 80, 0x0d, 0xf800c050, 42464, 42464, 0, 0},
	{"openpst-readmbn__80byte_header.mbn", 80, 0x0d, 0xf800c050, 75808, 0x10f20, 0x100, 0x1800},
	{"openpst-readmbn__40byte_header.mbn", 40, 0x08, 0x80013028, 81464, 81464, 0, 0},
};

static void test_fixtures(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	unsigned found = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		struct qc_dload_mbn_header h;
		size_t n;
		uint8_t *buf = fixture(real[i].file, &n);

		if (!buf)
			continue;
		found++;
		assert_int_equal(qc_dload_mbn_header_parse(ctx, real[i].file, buf, n, n, &h), 0);
		assert_int_equal(h.header_size, real[i].header);
		assert_int_equal(h.image_id, real[i].id);
		assert_int_equal(h.image_dest, real[i].dest);
		assert_int_equal(h.image_size, real[i].size);
		assert_int_equal(h.code_size, real[i].code);
		assert_int_equal(h.signature_size, real[i].sig);
		assert_int_equal(h.cert_chain_size, real[i].cert);
		assert_int_equal(h.header_size + h.image_size, n);
		if (h.header_size == 80) {
			assert_int_equal(h.codeword, QC_MBN_CODEWORD);
			assert_int_equal(h.magic, QC_MBN_MAGIC);
			assert_int_equal(h.image_src, 0x50);
			assert_string_equal(qc_dload_mbn_image_name(h.image_id), "EHOSTDL");
		} else {
			assert_int_equal(h.header_version, 3);
			assert_string_equal(qc_dload_mbn_image_name(h.image_id), "DSP1");
		}
		/* Cutting the file makes the same header lie about its size. */
		assert_int_equal(qc_dload_mbn_header_parse(ctx, real[i].file, buf, n, n - 1, &h), QC_E_FORMAT);
		assert_non_null(strstr(qc_last_error(ctx), "exceeds"));
		free(buf);
	}
	qc_ctx_free(ctx);
	if (!found)
		skip();
}

/* ELF and Firehose programmers must not pass for legacy images. */
static void test_not_legacy(void **state)
{
	static const char *const others[] = {"mannar__prog_firehose_lite.elf",
					     "msm8916__007050e100000000_8ecf3eaa03f772e2_fhprg_peek.bin",
					     "qca4020__prog_spinor_firehose_qca4020_lite_m4_threadx.mbn"};
	qc_ctx *ctx = qc_ctx_new();
	struct qc_dload_mbn_header h;
	uint8_t zeros[80] = {0};

	(void)state;
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "z", zeros, sizeof(zeros), 1000, &h), QC_E_NOTFOUND);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "z", zeros, 3, 3, &h), QC_E_NOTFOUND);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		size_t n;
		uint8_t *buf = fixture(others[i], &n);

		if (!buf)
			continue;
		assert_int_equal(qc_dload_mbn_header_parse(ctx, others[i], buf, n < 80 ? n : 80, n, &h), QC_E_NOTFOUND);
		free(buf);
	}
	qc_ctx_free(ctx);
}

static void make80(uint8_t *h, uint32_t dest, uint32_t size, uint32_t code, uint32_t sig, uint32_t cert)
{
	memset(h, 0xff, 80);
	put32(h, QC_MBN_CODEWORD);
	put32(h + 4, QC_MBN_MAGIC);
	put32(h + 8, 0x0e);
	put32(h + 20, 0x50);
	put32(h + 24, dest);
	put32(h + 28, size);
	put32(h + 32, code);
	put32(h + 36, dest + code);
	put32(h + 40, sig);
	put32(h + 44, dest + code + sig);
	put32(h + 48, cert);
	put32(h + 52, 1);
	put32(h + 56, 1);
}

static void make40(uint8_t *h, uint32_t id, uint32_t vsn, uint32_t dest, uint32_t size, uint32_t code)
{
	memset(h, 0, 40);
	put32(h, id);
	put32(h + 4, vsn);
	put32(h + 8, dest);
	put32(h + 12, dest);
	put32(h + 16, size);
	put32(h + 20, code);
	put32(h + 24, dest + code);
	put32(h + 32, dest + code);
}

static void test_handmade(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_dload_mbn_header h;
	uint8_t b[80];

	(void)state;
	make80(b, 0x2a000000, 4096, 3840, 256, 0);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "a.mbn", b, 80, 80 + 4096, &h), 0);
	assert_int_equal(h.image_id, 0x0e);
	assert_string_equal(qc_dload_mbn_image_name(h.image_id), "NANDPRG");
	/* image_size beyond the file */
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "a.mbn", b, 80, 80 + 4095, &h), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "a.mbn: the MBN header's image_size of 4096 bytes exceeds the 4095"));
	/* parts larger than the image */
	make80(b, 0x2a000000, 4096, 4000, 256, 0);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "a.mbn", b, 80, 80 + 4096, &h), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "code_size 4000 + signature_size 256"));
	/* past the address space */
	make80(b, 0xfffff000, 8192, 8192, 0, 0);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "a.mbn", b, 80, 80 + 8192, &h), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "32-bit address space"));
	/* a zero size */
	make80(b, 0x1000, 0, 0, 0, 0);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "a.mbn", b, 80, 80, &h), QC_E_FORMAT);
	/* a header cut short */
	make80(b, 0x1000, 16, 16, 0, 0);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "a.mbn", b, 60, 60, &h), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "cut short"));

	make40(b, 0x0d, 3, 0x80000000, 1000, 1000);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "b.mbn", b, 40, 1040, &h), 0);
	assert_int_equal(h.header_size, 40);
	assert_int_equal(h.image_dest, 0x80000000);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "b.mbn", b, 40, 1039, &h), QC_E_FORMAT);
	/* without a magic, a 40-byte header whose fields do not add up is no header */
	make40(b, 0x0d, 7, 0x80000000, 1000, 1000);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "b.mbn", b, 40, 1040, &h), QC_E_NOTFOUND);
	make40(b, 0x0d, 3, 0x80000000, 1000, 1001);
	assert_int_equal(qc_dload_mbn_header_parse(ctx, "b.mbn", b, 40, 1040, &h), QC_E_NOTFOUND);
	assert_null(qc_dload_mbn_image_name(0x99));
	qc_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_not_legacy),
		cmocka_unit_test(test_handmade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
