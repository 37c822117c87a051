/* SPDX-License-Identifier: BSD-3-Clause */
/* ptool expressions: the forms in real rawprogram/patch files (qdl's test
 * data, the RUBIK Pi 3 build), CRC32() through a disk callback, and hostile
 * input: overflow, division by zero, negative results, deep nesting. */
#include "testutil.h"

#include "qcbox/flatbuild.h"
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

/* 128 sectors of 512 bytes whose byte i is i*7 mod 251 (expressions see 64). */
static uint8_t disk[128 * 512];

static int disk_crc(void *user, uint64_t start, uint64_t len, uint32_t *crc)
{
	int *calls = user;

	(*calls)++;
	if (start * 512 > sizeof(disk) || len > sizeof(disk) - start * 512)
		return qc_fail(ctx, QC_E_RANGE, "CRC32 past the disk");
	*crc = qc_crc32(disk + start * 512, (size_t)len);
	return 0;
}

static uint64_t eval(const char *s, uint64_t nds)
{
	struct qc_expr_env env = {.num_disk_sectors = nds};
	uint64_t v = 0;
	int rc = qc_expr_eval(ctx, s, &env, &v);

	if (rc) {
		fprintf(stderr, "'%s': %s\n", s, qc_last_error(ctx));
		fail();
	}
	return v;
}

static int eval_rc(const char *s, uint64_t nds)
{
	struct qc_expr_env env = {.num_disk_sectors = nds, .what = "test value"};
	uint64_t v;

	return qc_expr_eval(ctx, s, &env, &v);
}

static void test_real_forms(void **state)
{
	(void)state;
	/* from ptool output (qdl tests/data, RUBIK Pi 3 patch*.xml) */
	assert_int_equal(eval("NUM_DISK_SECTORS-5.", 262144), 262139);
	assert_int_equal(eval("NUM_DISK_SECTORS-33.", 30777344), 30777311);
	assert_int_equal(eval("NUM_DISK_SECTORS-1", 1000), 999);
	assert_int_equal(eval("(4096*NUM_DISK_SECTORS)-20480.", 262144), 4096ull * 262144 - 20480);
	assert_int_equal(eval("0", 0), 0);
	assert_int_equal(eval("138758", 0), 138758);
	assert_int_equal(eval("6.", 0), 6);
	assert_int_equal(eval("12.0", 0), 12);
	/* the ptool comment's own example: 0x10-10. = 6 */
	assert_int_equal(eval("0x10-10.", 0), 6);
	assert_int_equal(eval("0x10-10", 0), 6);
	assert_int_equal(eval("0XfF", 0), 255);
	assert_int_equal(eval("  2 * ( 3 + 4 ) / 2 - 1 ", 0), 6);
	assert_int_equal(eval("num_disk_sectors-6.", 100), 94);
	assert_int_equal(eval("-(-5)", 0), 5);
	assert_int_equal(eval("+7", 0), 7);
	assert_int_equal(eval("7/2", 0), 3);
	assert_int_equal(eval("9223372036854775807", 0), 9223372036854775807ull);
}

static void test_crc32_calls(void **state)
{
	int calls = 0;
	struct qc_expr_env env = {.num_disk_sectors = 64, .crc32 = disk_crc, .user = &calls};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 % 251);
	assert_int_equal(qc_expr_eval(ctx, "CRC32(2,4096)", &env, &v), 0);
	assert_int_equal(v, qc_crc32(disk + 1024, 4096));
	assert_int_equal(qc_expr_eval(ctx, "CRC32(NUM_DISK_SECTORS-33.,4096)", &env, &v), 0);
	assert_int_equal(v, qc_crc32(disk + 31 * 512, 4096));
	assert_int_equal(qc_expr_eval(ctx, "CRC32(1,92)", &env, &v), 0);
	assert_int_equal(v, qc_crc32(disk + 512, 92));
	assert_int_equal(qc_expr_eval(ctx, "crc32( 0 , 0 )", &env, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(calls, 4);
	/* the callback's error comes through */
	assert_int_equal(qc_expr_eval(ctx, "CRC32(200,4096)", &env, &v), QC_E_RANGE);
	assert_int_equal(qc_expr_eval(ctx, "CRC32(0-1,4)", &env, &v), QC_E_RANGE);
	/* no disk: a clear refusal, not a made-up value */
	assert_int_equal(qc_expr_eval(ctx, "CRC32(1,92)", NULL, &v), QC_E_INVAL);
	assert_non_null(strstr(qc_last_error(ctx), "CRC32"));
	assert_int_equal(qc_expr_eval(ctx, "NUM_DISK_SECTORS-1.", NULL, &v), QC_E_INVAL);
	assert_non_null(strstr(qc_last_error(ctx), "NUM_DISK_SECTORS"));
	assert_int_equal(calls, 5);
}

static void test_hostile(void **state)
{
	char deep[200], longx[QC_EXPR_MAX_LEN + 10];

	(void)state;
	assert_int_equal(eval_rc("1/0", 0), QC_E_RANGE);
	assert_non_null(strstr(qc_last_error(ctx), "division by zero"));
	assert_non_null(strstr(qc_last_error(ctx), "test value"));
	assert_int_equal(eval_rc("NUM_DISK_SECTORS/(NUM_DISK_SECTORS-100)", 100), QC_E_RANGE);
	assert_int_equal(eval_rc("9223372036854775807+1", 0), QC_E_RANGE);
	assert_non_null(strstr(qc_last_error(ctx), "overflow"));
	assert_int_equal(eval_rc("9223372036854775808", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("99999999999999999999999999", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("0x8000000000000000", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("4096*4096*4096*4096*4096*4096", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("(0-9223372036854775807-1)/(0-1)", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("0-9223372036854775807-2", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("NUM_DISK_SECTORS*NUM_DISK_SECTORS", 1ull << 40), QC_E_RANGE);
	assert_int_equal(eval_rc("NUM_DISK_SECTORS-6.", 5), QC_E_RANGE);
	assert_non_null(strstr(qc_last_error(ctx), "negative"));
	assert_int_equal(eval_rc("-5", 0), QC_E_RANGE);
	assert_int_equal(eval_rc("NUM_DISK_SECTORS", 1ull << 63), QC_E_RANGE);
	/* negative in the middle is fine when the result is not */
	assert_int_equal(eval("(1-5)*(0-2)", 0), 8);
	assert_int_equal(eval("(0-7)/2+10", 0), 6); /* floor division: -4 */

	static const char *const syntax[] = {
	    "",
	    "   ",
	    "1+",
	    "+",
	    "(1",
	    "1)",
	    "1 2",
	    "foo",
	    "NUM_DISK",
	    "NUM_DISK_SECTORSX",
	    "1.5",
	    "0x",
	    "0xg",
	    "12abc",
	    "CRC32",
	    "CRC32(1)",
	    "CRC32(1,2",
	    "CRC32 1,2",
	    "1,2",
	    "*3",
	    "3**3",
	    "3//3",
	    "\x01",
	    "1\xff",
	    "()",
	    "1..",
	    "NUM_DISK_SECTORS-5..",
	};

	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
		int rc = eval_rc(syntax[i], 100);

		if (rc != QC_E_FORMAT) {
			fprintf(stderr, "'%s' gave %d, not a syntax error\n", syntax[i], rc);
			fail();
		}
		assert_non_null(strstr(qc_last_error(ctx), "test value"));
	}
	/* nesting and length limits */
	memset(deep, '(', 100);
	deep[100] = '1';
	memset(deep + 101, ')', 98);
	deep[199] = 0;
	assert_int_equal(eval_rc(deep, 0), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "deep"));
	memset(deep, '-', 150);
	deep[150] = '1';
	deep[151] = 0;
	assert_int_equal(eval_rc(deep, 0), QC_E_FORMAT);
	memset(longx, ' ', sizeof(longx) - 1);
	longx[0] = '1';
	longx[sizeof(longx) - 1] = 0;
	assert_int_equal(eval_rc(longx, 0), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "longer"));
	assert_int_equal(eval_rc(NULL, 0), QC_E_INVAL);
	/* nesting within the limit is fine */
	assert_int_equal(eval("((((((((((7))))))))))", 0), 7);
}

static void test_check(void **state)
{
	unsigned needs = 99;

	(void)state;
	assert_int_equal(qc_expr_check(ctx, "NUM_DISK_SECTORS-5.", "x", &needs), 0);
	assert_int_equal(needs, QC_EXPR_NEEDS_DISK);
	assert_int_equal(qc_expr_check(ctx, "CRC32(NUM_DISK_SECTORS-5.,4096)", "x", &needs), 0);
	assert_int_equal(needs, QC_EXPR_NEEDS_DISK | QC_EXPR_NEEDS_CRC);
	assert_int_equal(qc_expr_check(ctx, "CRC32(1,92)", "x", &needs), 0);
	assert_int_equal(needs, QC_EXPR_NEEDS_CRC);
	assert_int_equal(qc_expr_check(ctx, "17", "x", &needs), 0);
	assert_int_equal(needs, 0);
	/* syntax only: a division by zero is for evaluation to find */
	assert_int_equal(qc_expr_check(ctx, "1/0", "x", &needs), 0);
	assert_int_equal(qc_expr_check(ctx, "1/", "x", &needs), QC_E_FORMAT);
	assert_int_equal(qc_expr_check(ctx, "99999999999999999999999", "x", &needs), QC_E_RANGE);
}

/* Every value and start_sector of the real patch files parses, and the
 * plain NUM_DISK_SECTORS-N. ones evaluate to N less than the disk. */
static void test_real_patch_files(void **state)
{
	char dir[512], path[600];
	int calls = 0;
	size_t checked = 0;

	(void)state;
	fixture_dir("flatbuild-rubikpi3", dir, sizeof(dir));
	for (int i = 1; i <= 6; i++) {
		uint8_t *x;
		size_t len;

		snprintf(path, sizeof(path), "%s/patch%d.xml", dir, i);
		x = slurp(path, &len);
		assert_non_null(x);
		for (const char *p = next_elem((char *)x, "patch"); p; p = next_elem(p + 1, "patch")) {
			char value[256], start[256];
			struct qc_expr_env env = {.num_disk_sectors = 64, .crc32 = disk_crc, .user = &calls};
			uint64_t v, n;
			unsigned needs;
			char tail;

			assert_true(attr_of(p, "value", value, sizeof(value)));
			assert_true(attr_of(p, "start_sector", start, sizeof(start)));
			assert_int_equal(qc_expr_check(ctx, value, "value", &needs), 0);
			assert_int_equal(qc_expr_check(ctx, start, "start_sector", &needs), 0);
			assert_int_equal(qc_expr_eval(ctx, start, &env, &v), 0);
			assert_true(v < 64);
			if (sscanf(value, "NUM_DISK_SECTORS-%llu%c", (unsigned long long *)&n, &tail) == 2 &&
			    tail == '.') {
				assert_int_equal(qc_expr_eval(ctx, value, &env, &v), 0);
				assert_int_equal(v, 64 - n);
			} else if (!strncmp(value, "CRC32(", 6)) {
				assert_int_equal(qc_expr_eval(ctx, value, &env, &v), 0);
				assert_true(v <= 0xffffffffu);
			}
			checked++;
		}
		free(x);
	}
	assert_true(checked > 100);
	assert_true(calls > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_forms), cmocka_unit_test(test_crc32_calls),	cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_check),      cmocka_unit_test(test_real_patch_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
