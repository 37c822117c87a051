/* SPDX-License-Identifier: BSD-3-Clause */
/* Intel HEX: binutils output, every record type, and every kind of damage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qcbox/ihex.h"

/* Collects what the parser delivers into a 1 MiB window at BASE. */
struct image {
	uint32_t base;
	uint8_t mem[1 << 20];
	uint64_t calls, bytes;
	uint32_t last_addr;
};

static int collect(void *user, uint32_t addr, const uint8_t *data, size_t len)
{
	struct image *im = user;

	assert_true(addr >= im->base);
	assert_true((uint64_t)addr - im->base + len <= sizeof(im->mem));
	memcpy(im->mem + (addr - im->base), data, len);
	im->calls++;
	im->bytes += len;
	im->last_addr = addr;
	return 0;
}

static int parse(qc_ctx *ctx, const char *text, struct image *im, struct qc_ihex_info *info)
{
	return qc_ihex_parse_buffer(ctx, "t.hex", text, strlen(text), im ? collect : NULL, im, info);
}

static void expect_error(const char *text, int err, const char *needle)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_ihex_info info;

	assert_int_equal(parse(ctx, text, NULL, &info), err);
	if (!strstr(qc_last_error(ctx), needle))
		fail_msg("error \"%s\" does not mention \"%s\"", qc_last_error(ctx), needle);
	qc_ctx_free(ctx);
}

/* Lines as `objcopy -I binary -O ihex --change-addresses 0x2A000000` writes
 * them for the bytes 00..1F: an extended linear address record, data, the
 * start linear address, end of file. */
static const char objcopy_out[] = ":020000042A00D0\n"
				  ":10000000000102030405060708090A0B0C0D0E0F78\n"
				  ":10001000101112131415161718191A1B1C1D1E1F68\n"
				  ":040000052A000000CD\n"
				  ":00000001FF\n";

static void test_objcopy(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct image *im = calloc(1, sizeof(*im));
	struct qc_ihex_info info;

	(void)state;
	im->base = 0x2a000000;
	assert_int_equal(parse(ctx, objcopy_out, im, &info), 0);
	assert_int_equal(info.bytes, 32);
	assert_int_equal(info.low, 0x2a000000);
	assert_int_equal(info.end, 0x2a000020);
	assert_true(info.has_start);
	assert_int_equal(info.start, 0x2a000000);
	assert_int_equal(info.data_records, 2);
	assert_int_equal(info.ranges, 1);
	assert_int_equal(info.lines, 5);
	for (int i = 0; i < 32; i++)
		assert_int_equal(im->mem[i], i);
	free(im);
	qc_ctx_free(ctx);
}

/* The real thing, when binutils is installed: random bytes across several
 * 64 KiB segments, compared byte for byte. */
static void test_objcopy_real(void **state)
{
	char dir[] = "/tmp/qcbox-ihex.XXXXXX", cmd[512], bin[300], hex[300];
	qc_ctx *ctx = qc_ctx_new();
	struct image *im = calloc(1, sizeof(*im));
	struct qc_ihex_info info;
	uint8_t *ref = malloc(200000);
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/p.bin", dir);
	snprintf(hex, sizeof(hex), "%s/p.hex", dir);
	for (int i = 0; i < 200000; i++)
		ref[i] = (uint8_t)(i * 7919u >> 3);
	f = fopen(bin, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(ref, 1, 200000, f), 200000);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "objcopy -I binary -O ihex --change-addresses 0x2A00F000 %s %s 2>/dev/null", bin,
		 hex);
	if (system(cmd) != 0) {
		unlink(bin);
		rmdir(dir);
		free(im);
		free(ref);
		qc_ctx_free(ctx);
		skip();
	}
	im->base = 0x2a00f000;
	assert_int_equal(qc_ihex_parse_file(ctx, hex, collect, im, &info), 0);
	assert_int_equal(info.bytes, 200000);
	assert_int_equal(info.low, 0x2a00f000);
	assert_true(info.has_start);
	assert_int_equal(info.start, 0x2a00f000);
	assert_memory_equal(im->mem, ref, 200000);
	unlink(bin);
	unlink(hex);
	rmdir(dir);
	free(im);
	free(ref);
	qc_ctx_free(ctx);
}

/* Extended segment address (type 02) and start segment address (type 03),
 * as 16-bit tools wrote them: base = segment * 16, start = CS * 16 + IP. */
static void test_segment(void **state)
{
	static const char text[] = ":020000021000EC\n"     /* segment 0x1000 -> base 0x10000 */
				   ":0400100001020304E2\n" /* 4 bytes at 0x10010 */
				   ":0400000312340005AE\n" /* CS 0x1234, IP 0x0005 */
				   ":00000001FF\n";
	qc_ctx *ctx = qc_ctx_new();
	struct image *im = calloc(1, sizeof(*im));
	struct qc_ihex_info info;

	(void)state;
	im->base = 0x10000;
	assert_int_equal(parse(ctx, text, im, &info), 0);
	assert_int_equal(info.low, 0x10010);
	assert_int_equal(info.bytes, 4);
	assert_memory_equal(im->mem + 0x10, "\x01\x02\x03\x04", 4);
	assert_int_equal(info.start, 0x12345);
	free(im);
	qc_ctx_free(ctx);
}

/* A record whose offset runs past 0xFFFF wraps inside its segment, as the
 * format defines; it arrives as two pieces. */
static void test_wrap(void **state)
{
	static const char text[] = ":020000040001F9\n"
				   ":04FFFE00AABBCCDDF1\n"
				   ":00000001FF\n";
	qc_ctx *ctx = qc_ctx_new();
	struct image *im = calloc(1, sizeof(*im));
	struct qc_ihex_info info;

	(void)state;
	im->base = 0x10000;
	assert_int_equal(parse(ctx, text, im, &info), 0);
	assert_int_equal(im->calls, 2);
	assert_memory_equal(im->mem + 0xfffe, "\xaa\xbb", 2);
	assert_memory_equal(im->mem, "\xcc\xdd", 2);
	assert_int_equal(info.ranges, 2);
	free(im);
	qc_ctx_free(ctx);
}

/* Records out of order and with holes; lower-case digits, CRLF, blank lines. */
static void test_holes_and_style(void **state)
{
	static const char text[] = "\r\n:020010001122bb\r\n"
				   "  :02000000AABB99\r\n"
				   "\n"
				   ":02000200CCDD53\r\n"
				   ":00000001ff\r\n\x1a";
	qc_ctx *ctx = qc_ctx_new();
	struct image *im = calloc(1, sizeof(*im));
	struct qc_ihex_info info;

	(void)state;
	im->base = 0;
	assert_int_equal(parse(ctx, text, im, &info), 0);
	assert_int_equal(info.bytes, 6);
	assert_int_equal(info.ranges, 2); /* 0x0000-0x0003 merged, 0x0010 apart */
	assert_int_equal(info.low, 0);
	assert_int_equal(info.end, 0x12);
	assert_false(info.has_start);
	assert_memory_equal(im->mem, "\xaa\xbb\xcc\xdd", 4);
	free(im);
	qc_ctx_free(ctx);
}

static void test_bad_checksum(void **state)
{
	(void)state;
	expect_error(":020000042A00D0\n:10000000000102030405060708090A0B0C0D0E0F79\n:00000001FF\n", QC_E_FORMAT,
		     "t.hex line 2: bad checksum 0x79");
	expect_error(":020000042A00D0\n:10000000000102030405060708090A0B0C0D0E0F79\n:00000001FF\n", QC_E_FORMAT,
		     "need 0x78");
}

static void test_overlap(void **state)
{
	(void)state;
	expect_error(":0400000001020304F2\n:02000200AABB97\n:00000001FF\n", QC_E_FORMAT,
		     "t.hex line 2: data at 0x00000002 overlaps");
	/* exactly adjacent is fine */
	qc_ctx *ctx = qc_ctx_new();

	assert_int_equal(parse(ctx, ":0400000001020304F2\n:02000400AABB95\n:00000001FF\n", NULL, NULL), 0);
	/* overlap with a later range found by the merge step */
	assert_int_equal(parse(ctx, ":02000000AABB99\n:02000400AABB95\n:04000100AABBCCDDED\n:00000001FF\n", NULL, NULL),
			 QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "line 3"));
	qc_ctx_free(ctx);
}

static void test_missing_end(void **state)
{
	(void)state;
	expect_error(":020000042A00D0\n:10000000000102030405060708090A0B0C0D0E0F78\n", QC_E_FORMAT,
		     "no end-of-file record");
	expect_error("", QC_E_FORMAT, "no end-of-file record");
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error(":00000001FF\n:00000001FF\n", QC_E_FORMAT, "line 2: data after the end-of-file record on line 1");
	expect_error("10000000\n", QC_E_FORMAT, "line 1: a record must start with ':'");
	expect_error(":0200000011G26B\n:00000001FF\n", QC_E_FORMAT, "line 1 column 12: 'G' is not a hex digit");
	expect_error(":0300000011226B\n:00000001FF\n", QC_E_FORMAT, "byte count says 3 data bytes but the record holds 2");
	expect_error(":020000061122C5\n", QC_E_FORMAT, "unknown record type 0x06");
	expect_error(":0100000401FA\n", QC_E_FORMAT, "a type 04 record takes 2 data bytes");
	expect_error(":0400000512345678E3\n:040000051234567AE1\n:00000001FF\n", QC_E_FORMAT,
		     "line 2: start address 0x1234567A contradicts 0x12345678 given on line 1");
	expect_error(":1\n", QC_E_FORMAT, "line 1: a record needs an even number of hex digits");
	char longline[700];

	longline[0] = ':';
	memset(longline + 1, '0', sizeof(longline) - 2);
	longline[sizeof(longline) - 1] = '\0';
	expect_error(longline, QC_E_FORMAT, "is longer than any valid one");
}

static void test_file_errors(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	char path[] = "/tmp/qcbox-ihex-long.XXXXXX";
	int fd = mkstemp(path);
	char line[2000];

	(void)state;
	assert_int_equal(qc_ihex_parse_file(ctx, "/nonexistent/x.hex", NULL, NULL, NULL), QC_E_NOTFOUND);
	assert_non_null(strstr(qc_last_error(ctx), "/nonexistent/x.hex"));
	assert_true(fd >= 0);
	memset(line, 'A', sizeof(line));
	assert_int_equal(write(fd, ":00000001FF\n", 12), 12);
	assert_int_equal(write(fd, line, sizeof(line)), (ssize_t)sizeof(line));
	close(fd);
	assert_int_equal(qc_ihex_parse_file(ctx, path, NULL, NULL, NULL), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "line 2: longer than"));
	unlink(path);
	qc_ctx_free(ctx);
}

static int stop_at_second(void *user, uint32_t addr, const uint8_t *data, size_t len)
{
	int *n = user;

	(void)addr;
	(void)data;
	(void)len;
	return ++*n == 2 ? QC_E_CANCELLED : 0;
}

static void test_callback_stops(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	int n = 0;

	(void)state;
	assert_int_equal(qc_ihex_parse_buffer(ctx, "t", objcopy_out, strlen(objcopy_out), stop_at_second, &n, NULL),
			 QC_E_CANCELLED);
	assert_int_equal(n, 2);
	qc_ctx_free(ctx);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_true(qc_ihex_sniff(":10000000", 9));
	assert_true(qc_ihex_sniff("\r\n  :02", 7));
	assert_false(qc_ihex_sniff("\x7f" "ELF", 4));
	assert_false(qc_ihex_sniff(":Z0", 3));
	assert_false(qc_ihex_sniff(":", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objcopy),       cmocka_unit_test(test_objcopy_real),
		cmocka_unit_test(test_segment),       cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_holes_and_style), cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_overlap),       cmocka_unit_test(test_missing_end),
		cmocka_unit_test(test_malformed),     cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_callback_stops), cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
