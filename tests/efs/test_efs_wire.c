/* SPDX-License-Identifier: BSD-3-Clause */
/* EFS2 packet codec, errno table and name rules against the facts and
 * vectors in the protocol notes (diag-nv-efs.md, sections 1.4 and 2.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "efs/efs_wire.h"
#include "qcbox/efs.h"
#include "qcbox/hdlc.h"

static size_t enc(uint16_t op, bool req, struct qc_efs_pkt *p, uint8_t *out, size_t cap)
{
	const struct qc_efs_layout *l = qc_efs_layout(op);
	ssize_t n;

	assert_non_null(l);
	p->op = op;
	if (!p->subsys)
		p->subsys = 0x13;
	n = qc_efs_encode(p, req ? l->req : l->rsp, out, cap);
	assert_true(n > 0);
	return (size_t)n;
}

/* fs_diag_i.h numbering; the notes list peers that get UNLINK, RMDIR,
 * READLINK and RENAME wrong. */
static void test_opcodes(void **state)
{
	(void)state;
	assert_int_equal(QC_EFS_OP_HELLO, 0);
	assert_int_equal(QC_EFS_OP_OPEN, 2);
	assert_int_equal(QC_EFS_OP_READ, 4);
	assert_int_equal(QC_EFS_OP_WRITE, 5);
	assert_int_equal(QC_EFS_OP_READLINK, 7);
	assert_int_equal(QC_EFS_OP_UNLINK, 8);
	assert_int_equal(QC_EFS_OP_MKDIR, 9);
	assert_int_equal(QC_EFS_OP_RMDIR, 10);
	assert_int_equal(QC_EFS_OP_OPENDIR, 11);
	assert_int_equal(QC_EFS_OP_READDIR, 12);
	assert_int_equal(QC_EFS_OP_RENAME, 14);
	assert_int_equal(QC_EFS_OP_STAT, 15);
	assert_int_equal(QC_EFS_OP_LSTAT, 16);
	assert_int_equal(QC_EFS_OP_STATFS, 19);
	assert_int_equal(QC_EFS_OP_ERROR, 28);
	assert_int_equal(QC_EFS_OP_PUT, 38);
	assert_int_equal(QC_EFS_OP_GET, 39);
	assert_int_equal(QC_EFS_OP_TRUNCATE, 40);
	assert_string_equal(qc_efs_op_name(8), "UNLINK");
	assert_null(qc_efs_layout(43)); /* MD5SUM: not used, not guessed */
}

/* "4B 13 00 00" frames as 4B 13 00 00 8D 40 7E (section 1.4), and a HELLO
 * is that header plus ten u32 (40 bytes). */
static void test_hello_vector(void **state)
{
	struct qc_efs_pkt p = {.nnum = 10,
			       .num = {0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 0x100000, 1, 1, 1,
				       0xffffffff}};
	static const uint8_t hdr_wire[] = {0x4b, 0x13, 0x00, 0x00, 0x8d, 0x40, 0x7e};
	uint8_t buf[64], wire[16];
	struct qc_efs_pkt d;
	const char *why;
	size_t n = enc(QC_EFS_OP_HELLO, true, &p, buf, sizeof(buf));
	ssize_t w = qc_hdlc_encode(buf, 4, wire, sizeof(wire), false);

	(void)state;
	assert_int_equal(n, 44);
	assert_memory_equal(buf, "\x4b\x13\x00\x00", 4);
	assert_memory_equal(buf + 4, "\x00\x00\x10\x00", 4);
	assert_memory_equal(buf + 40, "\xff\xff\xff\xff", 4);
	assert_int_equal(w, sizeof(hdr_wire));
	assert_memory_equal(wire, hdr_wire, sizeof(hdr_wire));
	assert_int_equal(qc_efs_decode(buf, n, qc_efs_layout(0)->rsp, -1, false, &d, &why), 0);
	assert_int_equal(d.nnum, 10);
	assert_int_equal(d.num[9], 0xffffffff);
}

/* What QCSuper's EFS shell sent in the notes' run: OPENDIR "/" then
 * READDIR seq 1, 2. */
static void test_opendir_readdir_vectors(void **state)
{
	struct qc_efs_pkt o = {.nstr = 1, .str = {"/"}, .slen = {1}};
	struct qc_efs_pkt r = {.nnum = 2, .num = {1, 1}};
	uint8_t buf[64];

	(void)state;
	assert_int_equal(enc(QC_EFS_OP_OPENDIR, true, &o, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "\x4b\x13\x0b\x00\x2f\x00", 6);
	assert_int_equal(enc(QC_EFS_OP_READDIR, true, &r, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "\x4b\x13\x0c\x00\x01\x00\x00\x00\x01\x00\x00\x00", 12);
	r.subsys = 0x3e;
	r.num[1] = 2;
	enc(QC_EFS_OP_READDIR, true, &r, buf, sizeof(buf));
	assert_memory_equal(buf, "\x4b\x3e\x0c\x00\x01\x00\x00\x00\x02\x00\x00\x00", 12);
}

/* PUT 38: data_length u32, flags u32, seq u16, data, path; qfenix reads the
 * u16 at offset 12 (after the header) as a mode — it is the sequence
 * number — and the reply's errno at offset 6. */
static void test_put_layout(void **state)
{
	struct qc_efs_pkt p = {.nnum = 3, .num = {2, 0x241, 7}, .data = (const uint8_t *)"ab", .dlen = 2,
			       .nstr = 1, .str = {"/x"}, .slen = {2}};
	static const uint8_t want[] = {0x4b, 0x13, 0x26, 0x00, 0x02, 0x00, 0x00, 0x00, 0x41, 0x02, 0x00,
				       0x00, 0x07, 0x00, 0x61, 0x62, 0x2f, 0x78, 0x00};
	uint8_t buf[64], rsp[] = {0x4b, 0x13, 0x26, 0x00, 0x07, 0x00, 0x0d, 0x00, 0x00, 0x00};
	struct qc_efs_pkt d;
	const char *why;

	(void)state;
	assert_int_equal(enc(QC_EFS_OP_PUT, true, &p, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* the device decodes it back, data and path intact */
	assert_int_equal(qc_efs_decode(buf, sizeof(want), qc_efs_layout(38)->req, -1, true, &d, &why), 0);
	assert_int_equal(d.dlen, 2);
	assert_memory_equal(d.data, "ab", 2);
	assert_int_equal(d.slen[0], 2);
	assert_memory_equal(d.str[0], "/x", 2);
	/* reply: seq then errno at offset 6 */
	assert_int_equal(qc_efs_decode(rsp, sizeof(rsp), qc_efs_layout(38)->rsp, 1, false, &d, &why), 0);
	assert_int_equal(d.num[0], 7);
	assert_int_equal(d.num[1], QC_EFS_EACCES);
	/* data_length beyond the packet */
	buf[4] = 0x40;
	assert_int_equal(qc_efs_decode(buf, sizeof(want), qc_efs_layout(38)->req, -1, true, &d, &why), QC_E_PROTOCOL);
	assert_non_null(why);
}

/* STAT replies 7 numbers, LSTAT only 5 (no size, no nlink). */
static void test_stat_layouts(void **state)
{
	struct qc_efs_pkt p = {.nnum = 7, .num = {0, 0100644, 1234, 1, 10, 20, 30}};
	uint8_t buf[64];
	struct qc_efs_pkt d;
	const char *why;

	(void)state;
	assert_int_equal(enc(QC_EFS_OP_STAT, false, &p, buf, sizeof(buf)), 4 + 28);
	p.nnum = 5;
	assert_int_equal(enc(QC_EFS_OP_LSTAT, false, &p, buf, sizeof(buf)), 4 + 20);
	assert_int_equal(enc(QC_EFS_OP_STATFS, false, &(struct qc_efs_pkt){.nnum = 9}, buf, sizeof(buf)), 4 + 44);
	/* a failed STAT may stop right after errno */
	uint8_t err[] = {0x4b, 0x13, 0x0f, 0x00, 0x02, 0x00, 0x00, 0x00};

	assert_int_equal(qc_efs_decode(err, sizeof(err), qc_efs_layout(15)->rsp, 0, false, &d, &why), 0);
	assert_int_equal(d.num[0], QC_EFS_ENOENT);
	/* a successful one may not */
	err[4] = 0;
	assert_int_equal(qc_efs_decode(err, sizeof(err), qc_efs_layout(15)->rsp, 0, false, &d, &why), QC_E_PROTOCOL);
	/* nor can anything be shorter than the header */
	assert_int_equal(qc_efs_decode(err, 3, qc_efs_layout(15)->rsp, 0, false, &d, &why), QC_E_PROTOCOL);
	err[0] = 0x4a;
	assert_int_equal(qc_efs_decode(err, sizeof(err), "", 0, false, &d, &why), QC_E_PROTOCOL);
}

static size_t readdir_reply(uint8_t *buf, const char *name, size_t nlen, size_t pad)
{
	struct qc_efs_pkt p = {.nnum = 9, .num = {1, 3, 0, 0, 0100644, 5, 1, 2, 3}, .nstr = 1, .str = {name},
			       .slen = {nlen}};
	size_t n = enc(QC_EFS_OP_READDIR, false, &p, buf, 600);

	memset(buf + n, 0, pad);
	return n + pad;
}

/* End of listing is an empty name; names after an embedded NUL are seen. */
static void test_readdir_names(void **state)
{
	uint8_t buf[700];
	struct qc_efs_pkt d;
	const char *why, *layout = qc_efs_layout(QC_EFS_OP_READDIR)->rsp;
	size_t n;

	(void)state;
	n = readdir_reply(buf, "item", 4, 0);
	assert_int_equal(n, 4 + 36 + 5);
	assert_int_equal(qc_efs_decode(buf, n, layout, 2, false, &d, &why), 0);
	assert_int_equal(d.num[5], 5);
	assert_int_equal(d.slen[0], 4);
	assert_int_equal(d.tail_nonzero, 0);
	/* zero padding after the name is harmless */
	n = readdir_reply(buf, "item", 4, 8);
	assert_int_equal(qc_efs_decode(buf, n, layout, 2, false, &d, &why), 0);
	assert_int_equal(d.tail_nonzero, 0);
	/* "nul\0hidden" */
	n = readdir_reply(buf, "nul\0hidden", 10, 0);
	assert_int_equal(qc_efs_decode(buf, n, layout, 2, false, &d, &why), 0);
	assert_int_equal(d.slen[0], 3);
	assert_int_equal(d.tail_nonzero, 6);
	assert_int_equal(d.last_span, 11);
	/* empty name */
	n = readdir_reply(buf, "", 0, 0);
	assert_int_equal(qc_efs_decode(buf, n, layout, 2, false, &d, &why), 0);
	assert_int_equal(d.slen[0], 0);
	/* a missing NUL is tolerated from a device, not in a request */
	n = readdir_reply(buf, "abc", 3, 0) - 1;
	assert_int_equal(qc_efs_decode(buf, n, layout, 2, false, &d, &why), 0);
	assert_true(d.unterminated);
	assert_int_equal(d.slen[0], 3);
	uint8_t req[] = {0x4b, 0x13, 0x0f, 0x00, '/', 'x'};

	assert_int_equal(qc_efs_decode(req, sizeof(req), qc_efs_layout(15)->req, -1, true, &d, &why), QC_E_PROTOCOL);
	/* a path that is not the last field must end in NUL either way */
	uint8_t two[] = {0x4b, 0x13, 0x0e, 0x00, '/', 'a', 0, '/', 'b', 0};

	assert_int_equal(qc_efs_decode(two, sizeof(two), qc_efs_layout(14)->req, -1, true, &d, &why), 0);
	assert_int_equal(d.nstr, 2);
	assert_memory_equal(d.str[1], "/b", 2);
	assert_int_equal(qc_efs_decode(two, 5, qc_efs_layout(14)->req, -1, false, &d, &why), QC_E_PROTOCOL);
}

static void test_encode_limits(void **state)
{
	struct qc_efs_pkt p = {.nnum = 2, .num = {1, 0}, .data = (const uint8_t *)"0123456789", .dlen = 10};
	uint8_t buf[16];

	(void)state;
	p.op = QC_EFS_OP_WRITE;
	p.subsys = 0x13;
	assert_int_equal(qc_efs_encode(&p, "ddr", buf, sizeof(buf)), QC_E_TOOBIG);
	assert_int_equal(qc_efs_encode(&p, "ddr", buf, 3), QC_E_TOOBIG);
	assert_int_equal(qc_efs_encode(&p, "dddr", buf, sizeof(buf)), QC_E_INVAL); /* too few numbers */
	assert_int_equal(qc_efs_encode(&p, "z", buf, sizeof(buf)), QC_E_INVAL);    /* no string */
	p.num[0] = 9;
	assert_int_equal(qc_efs_encode(&p, "dD", buf, sizeof(buf)), QC_E_INVAL); /* length disagrees */
}

/* fs_errno.h: EEXIST is 6 (not Linux's 17), EFS's own errors from 301. */
static void test_errno_table(void **state)
{
	(void)state;
	assert_string_equal(qc_efs_errno_name(2), "ENOENT");
	assert_string_equal(qc_efs_errno_name(6), "EEXIST");
	assert_null(qc_efs_errno_name(17));
	assert_string_equal(qc_efs_errno_name(13), "EACCES");
	assert_string_equal(qc_efs_errno_name(39), "ENOTEMPTY");
	assert_string_equal(qc_efs_errno_name(301), "ENOCARD");
	assert_string_equal(qc_efs_errno_name(303), "ENOTITM");
	assert_string_equal(qc_efs_errno_name(306), "ENOTHINGTOSYNC");
	assert_string_equal(qc_efs_errno_name(34), "FS_ERANGE");
	assert_string_equal(qc_efs_errno_name(305), "FS_ERANGE");
	assert_string_equal(qc_efs_errno_name(0x40000005), "INVALID_PATH");
	assert_string_equal(qc_efs_errno_name(0x4000000c), "UNAVAILABLE_INFO");
	assert_string_equal(qc_efs_errno_text(6), "file exists");
	assert_string_equal(qc_efs_errno_text(12345), "unknown error");
	assert_int_equal(qc_efs_errno_to_error(2), QC_E_NOTFOUND);
	assert_int_equal(qc_efs_errno_to_error(6), QC_E_EXISTS);
	assert_int_equal(qc_efs_errno_to_error(13), QC_E_PERM);
	/* never "bad usage": an EFS EINVAL is the device's answer */
	assert_int_equal(qc_efs_errno_to_error(22), QC_E_DEVICE);
	assert_int_equal(qc_efs_errno_to_error(999), QC_E_DEVICE);
}

static void test_names(void **state)
{
	char out[64];

	(void)state;
	assert_null(qc_efs_name_check("item_files", 10));
	assert_null(qc_efs_name_check("caf\xc3\xa9", 5));
	assert_non_null(qc_efs_name_check("../../etc/passwd", 16));
	assert_non_null(qc_efs_name_check("a/../../b", 9));
	assert_non_null(qc_efs_name_check("..", 2));
	assert_non_null(qc_efs_name_check(".", 1));
	assert_non_null(qc_efs_name_check("", 0));
	assert_non_null(qc_efs_name_check("/abs", 4));
	assert_non_null(qc_efs_name_check("nul\0hidden", 10));
	assert_non_null(qc_efs_name_check("esc\x1b[31m", 8));
	assert_non_null(qc_efs_name_check("del\x7f", 4));
	assert_null(qc_efs_name_check("...", 3));
	char longname[300];

	memset(longname, 'a', sizeof(longname));
	assert_null(qc_efs_name_check(longname, 255));
	assert_non_null(qc_efs_name_check(longname, 256));

	qc_efs_escape("esc\x1b[31m", 8, out, sizeof(out));
	assert_string_equal(out, "esc\\x1b[31m");
	qc_efs_escape("nul\0x", 5, out, sizeof(out));
	assert_string_equal(out, "nul\\x00x");
	qc_efs_escape("a\\b", 3, out, sizeof(out));
	assert_string_equal(out, "a\\\\b");
	qc_efs_escape("caf\xc3\xa9", 5, out, sizeof(out));
	assert_string_equal(out, "caf\xc3\xa9");
	qc_efs_escape("bad\xff\xc3", 5, out, sizeof(out));
	assert_string_equal(out, "bad\\xff\\xc3");
	qc_efs_escape("\xed\xa0\x80", 3, out, sizeof(out)); /* a surrogate is not UTF-8 */
	assert_string_equal(out, "\\xed\\xa0\\x80");
	/* cut names say so */
	qc_efs_escape(longname, sizeof(longname), out, 12);
	assert_string_equal(out, "aaaaaaaa...");
	qc_efs_escape("x", 1, out, 1);
	assert_string_equal(out, "");
}

static void test_types(void **state)
{
	(void)state;
	assert_int_equal(qc_efs_type_of(0, 0100644), QC_EFS_TYPE_FILE);
	assert_int_equal(qc_efs_type_of(0, 0160644), QC_EFS_TYPE_ITEM);
	assert_int_equal(qc_efs_type_of(1, 040755), QC_EFS_TYPE_DIR);
	assert_int_equal(qc_efs_type_of(2, 0120777), QC_EFS_TYPE_SYMLINK);
	assert_int_equal(qc_efs_type_of(3, 0100644), QC_EFS_TYPE_IMMOVABLE);
	assert_int_equal(qc_efs_type_of(0x0f, 040755), QC_EFS_TYPE_DIR);
	assert_int_equal(qc_efs_type_of(QC_EFS_TYPE_OTHER, 0160600), QC_EFS_TYPE_ITEM);
	assert_int_equal(qc_efs_type_of(0x0f, 0010644), QC_EFS_TYPE_OTHER);
	assert_string_equal(qc_efs_type_name(QC_EFS_TYPE_ITEM), "item");
	assert_string_equal(qc_efs_type_name(99), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opcodes),	      cmocka_unit_test(test_hello_vector),
		cmocka_unit_test(test_opendir_readdir_vectors), cmocka_unit_test(test_put_layout),
		cmocka_unit_test(test_stat_layouts),  cmocka_unit_test(test_readdir_names),
		cmocka_unit_test(test_encode_limits), cmocka_unit_test(test_errno_table),
		cmocka_unit_test(test_names),	      cmocka_unit_test(test_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
