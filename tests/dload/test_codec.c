/* SPDX-License-Identifier: BSD-3-Clause */
/* DMSS DLOAD and Streaming DLOAD packets against bytes written by other
 * tools: DLOADTool's GO frame, a module vendor's upgrade tool (GO, HELLO,
 * SECURITY_MODE, CLOSE, RESET frames), qdload's WRITE_32BIT layout and the
 * HELLO reply offsets qtools reads the flash name from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qcbox/dload.h"
#include "qcbox/hdlc.h"
#include "qcbox/sdload.h"

/* Frames PAYLOAD and compares with WIRE. */
static void frame_is(const uint8_t *payload, size_t len, bool leading, const char *wire, size_t wlen)
{
	uint8_t out[512];
	ssize_t n = qc_hdlc_encode(payload, len, out, sizeof(out), leading);

	assert_int_equal(n, wlen);
	assert_memory_equal(out, wire, wlen);
}

static void test_dload_requests(void **state)
{
	uint8_t p[64];
	ssize_t n;

	(void)state;
	/* DLOADTool: GO to 0x20012000 */
	n = qc_dload_encode_go(p, sizeof(p), 0x20012000);
	assert_int_equal(n, 5);
	frame_is(p, 5, true, "\x7e\x05\x20\x01\x20\x00\x9f\x1f\x7e", 9);
	/* vendor upgrade tool: GO to 0x00100000 */
	qc_dload_encode_go(p, sizeof(p), 0x00100000);
	frame_is(p, 5, true, "\x7e\x05\x00\x10\x00\x00\xb6\x6c\x7e", 9);
	/* qdload: {0x0F, address MSB first, length MSB first, data} */
	n = qc_dload_encode_write(p, sizeof(p), true, 0x41700000, "\xaa\xbb\xcc", 3);
	assert_int_equal(n, 10);
	assert_memory_equal(p, "\x0f\x41\x70\x00\x00\x00\x03\xaa\xbb\xcc", 10);
	/* the 24-bit form */
	n = qc_dload_encode_write(p, sizeof(p), false, 0x123456, "\x01", 1);
	assert_int_equal(n, 7);
	assert_memory_equal(p, "\x01\x12\x34\x56\x00\x01\x01", 7);
	assert_int_equal(qc_dload_encode_write(p, sizeof(p), false, 0xffffff, "\x01\x02", 2), QC_E_RANGE);
	assert_int_equal(qc_dload_encode_write(p, 8, true, 0, "\x01\x02", 2), QC_E_TOOBIG);
	n = qc_dload_encode_erase(p, sizeof(p), 0x010000, 0x020000);
	assert_memory_equal(p, "\x04\x01\x00\x00\x02\x00\x00", 7);
	assert_int_equal(qc_dload_encode_erase(p, sizeof(p), 0x1000000, 1), QC_E_RANGE);
	n = qc_dload_encode_unlock(p, sizeof(p), (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08");
	assert_int_equal(n, 9);
	assert_int_equal(p[0], QC_DLOAD_UNLOCK);
	n = qc_dload_encode_mem_read(p, sizeof(p), 0x80000000, 0x200);
	assert_memory_equal(p, "\x12\x80\x00\x00\x00\x02\x00", 7);
	/* one-byte commands and their frames: NOP, and the ACK a boot ROM
	 * sends back (5 bytes with its leading flag, as qdload expects) */
	qc_dload_encode_cmd(p, sizeof(p), QC_DLOAD_NOP);
	frame_is(p, 1, true, "\x7e\x06\x4e\x95\x7e", 5);
	qc_dload_encode_cmd(p, sizeof(p), QC_DLOAD_ACK);
	frame_is(p, 1, true, "\x7e\x02\x6a\xd3\x7e", 5);
}

static void test_dload_parse_request(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_dload_request r;
	uint16_t nak;

	(void)state;
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x0f\x41\x70\x00\x00\x00\x03\xaa\xbb\xcc", 10,
						&r, &nak), 0);
	assert_int_equal(r.cmd, QC_DLOAD_WRITE_32BIT);
	assert_int_equal(r.addr, 0x41700000);
	assert_int_equal(r.len, 3);
	assert_memory_equal(r.data, "\xaa\xbb\xcc", 3);
	/* the length field disagrees with the data */
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x0f\x41\x70\x00\x00\x00\x04\xaa\xbb\xcc", 10,
						&r, &nak), QC_E_PROTOCOL);
	assert_int_equal(nak, QC_DLOAD_NAK_INVALID_LEN);
	/* cut short */
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x05\x20\x01", 3, &r, &nak), QC_E_PROTOCOL);
	assert_int_equal(nak, QC_DLOAD_NAK_EARLY_END);
	assert_non_null(strstr(qc_last_error(ctx), "GO"));
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x05\x20\x01\x20\x00", 5, &r, &nak), 0);
	assert_int_equal(r.addr, 0x20012000);
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x01\x12\x34\x56\x00\x01\x01", 7, &r, &nak), 0);
	assert_int_equal(r.addr, 0x123456);
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x04\x01\x00\x00\x02\x00\x00", 7, &r, &nak), 0);
	assert_int_equal(r.addr, 0x010000);
	assert_int_equal(r.len, 0x020000);
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x0b\x01", 2, &r, &nak), QC_E_PROTOCOL);
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"", 0, &r, &nak), QC_E_PROTOCOL);
	assert_int_equal(qc_dload_parse_request(ctx, (const uint8_t *)"\x99", 1, &r, &nak), 0);
	qc_ctx_free(ctx);
}

static void test_dload_replies(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_dload_reply r;
	struct qc_dload_params p = {8, 1, 0x400, 0x8c, 6, 1};
	uint8_t b[64];
	char nb[48];
	ssize_t n;

	(void)state;
	/* PARAM_RESP: the write size is big-endian (DLOADTool swaps it) */
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x08\x08\x01\x04\x00\x8c\x06\x01", 8, &r), 0);
	assert_int_equal(r.cmd, QC_DLOAD_PARAM_RESP);
	assert_int_equal(r.params.protocol_version, 8);
	assert_int_equal(r.params.min_protocol_version, 1);
	assert_int_equal(r.params.max_write_size, 1024);
	assert_int_equal(r.params.model, 0x8c);
	n = qc_dload_encode_params(b, sizeof(b), &p);
	assert_int_equal(n, 8);
	assert_memory_equal(b, "\x08\x08\x01\x04\x00\x8c\x06\x01", 8);
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x08\x08\x01\x04", 4, &r), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "PARAM_RESP"));
	/* VERSION_RESP: length byte, text; padding removed */
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x0d\x14PBL_DloadVER2.0\0\0\0\0\0", 22, &r), 0);
	assert_string_equal(r.version, "PBL_DloadVER2.0");
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x0d\x14PBL", 5, &r), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "20 characters but carries 3"));
	n = qc_dload_encode_version(b, sizeof(b), "ABC");
	assert_memory_equal(b, "\x0d\x03" "ABC", 5);
	/* NAK with its reason, big-endian */
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x03\x00\x07", 3, &r), 0);
	assert_int_equal(r.nak_reason, QC_DLOAD_NAK_FAILED);
	assert_string_equal(qc_dload_nak_name(r.nak_reason, nb, sizeof(nb)), "operation failed (0x07)");
	assert_string_equal(qc_dload_nak_name(0x0b, nb, sizeof(nb)), "unlock required (0x0b)");
	assert_string_equal(qc_dload_nak_name(0x0f, nb, sizeof(nb)), "invalid read address (0x0f)");
	assert_string_equal(qc_dload_nak_name(0x1234, nb, sizeof(nb)), "unknown reason 0x1234");
	assert_string_equal(qc_dload_nak_name(0, nb, sizeof(nb)), "unknown reason 0x0000");
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x03\x00", 2, &r), QC_E_PROTOCOL);
	/* memory read reply */
	n = qc_dload_encode_mem_data(b, sizeof(b), 0x1000, "\x01\x02\x03", 3);
	assert_int_equal(qc_dload_parse_reply(ctx, b, (size_t)n, &r), 0);
	assert_int_equal(r.addr, 0x1000);
	assert_int_equal(r.len, 3);
	assert_memory_equal(r.data, "\x01\x02\x03", 3);
	assert_int_equal(qc_dload_parse_reply(ctx, b, (size_t)n - 1, &r), QC_E_PROTOCOL);
	/* ACK and unknown codes carry nothing else */
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x02", 1, &r), 0);
	assert_int_equal(r.cmd, QC_DLOAD_ACK);
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"\x77\x01", 2, &r), 0);
	assert_int_equal(r.cmd, 0x77);
	assert_int_equal(qc_dload_parse_reply(ctx, (const uint8_t *)"", 0, &r), QC_E_PROTOCOL);
	assert_string_equal(qc_dload_cmd_name(QC_DLOAD_WRITE_32BIT), "WRITE_32BIT");
	assert_string_equal(qc_dload_cmd_name(QC_DLOAD_SWITCH_TO_DLOAD), "SWITCH_TO_DLOAD");
	assert_null(qc_dload_cmd_name(0x77));
	qc_ctx_free(ctx);
}

static void test_sdload_requests(void **state)
{
	static const char hello_wire[] = "\x01QCOM fast download protocol host\x02\x02\x01\x8a\xfd\x7e";
	uint8_t p[64];
	ssize_t n;

	(void)state;
	/* the vendor tool's HELLO: version 2, compatible 2, features 0x01 */
	n = qc_sdload_encode_hello(p, sizeof(p), 2, 2, 1);
	assert_int_equal(n, 36);
	frame_is(p, 36, false, hello_wire, sizeof(hello_wire) - 1);
	n = qc_sdload_encode_u8(p, sizeof(p), QC_SDLOAD_SECURITY_MODE, 0);
	frame_is(p, 2, false, "\x17\x00\xde\xd7\x7e", 5);
	n = qc_sdload_encode_cmd(p, sizeof(p), QC_SDLOAD_CLOSE);
	frame_is(p, 1, false, "\x15\x54\xb7\x7e", 4);
	n = qc_sdload_encode_cmd(p, sizeof(p), QC_SDLOAD_RESET);
	frame_is(p, 1, false, "\x0b\xab\x4e\x7e", 4);
	/* little-endian address and length (qtools' memread) */
	n = qc_sdload_encode_read(p, sizeof(p), 0x12345678, 0x200);
	assert_int_equal(n, 7);
	assert_memory_equal(p, "\x03\x78\x56\x34\x12\x00\x02", 7);
	n = qc_sdload_encode_write(p, sizeof(p), QC_SDLOAD_STREAM_WRITE, 100, "\xaa\xbb", 2);
	assert_int_equal(n, 7);
	assert_memory_equal(p, "\x07\x64\x00\x00\x00\xaa\xbb", 7);
	assert_int_equal(qc_sdload_encode_write(p, 6, QC_SDLOAD_STREAM_WRITE, 100, "\xaa\xbb", 2), QC_E_TOOBIG);
	n = qc_sdload_encode_open_multi(p, sizeof(p), QC_SDLOAD_IMG_EMMC_USER, NULL, 0);
	assert_memory_equal(p, "\x1b\x21", 2);
	n = qc_sdload_encode_ptable(p, sizeof(p), true, "\x01\x02", 2);
	assert_memory_equal(p, "\x19\x01\x01\x02", 4);
	assert_int_equal(qc_sdload_encode_ptable(p, sizeof(p), false, p, QC_SDLOAD_PTABLE_MAX + 1), QC_E_TOOBIG);
	n = qc_sdload_encode_unlock(p, sizeof(p), 0x0102030405060708ull);
	assert_memory_equal(p, "\x0f\x08\x07\x06\x05\x04\x03\x02\x01", 9);
	n = qc_sdload_encode_nop(p, sizeof(p), 0xdeadbeef);
	assert_memory_equal(p, "\x09\xef\xbe\xad\xde", 5);
}

static void test_sdload_parse_request(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_sdload_request r;
	uint8_t p[64];
	uint32_t err;

	(void)state;
	qc_sdload_encode_hello(p, sizeof(p), 3, 2, 0x19);
	assert_int_equal(qc_sdload_parse_request(ctx, p, 36, &r, &err), 0);
	assert_true(r.magic_ok);
	assert_int_equal(r.version, 3);
	assert_int_equal(r.compat, 2);
	assert_int_equal(r.features, 0x19);
	p[5] ^= 1;
	assert_int_equal(qc_sdload_parse_request(ctx, p, 36, &r, &err), 0);
	assert_false(r.magic_ok);
	assert_int_equal(qc_sdload_parse_request(ctx, p, 35, &r, &err), QC_E_PROTOCOL);
	assert_int_equal(err, QC_SDLOAD_ERR_INVALID_LEN);
	assert_int_equal(qc_sdload_parse_request(ctx, (const uint8_t *)"\x03\x78\x56\x34\x12\x00\x02", 7, &r, &err), 0);
	assert_int_equal(r.addr, 0x12345678);
	assert_int_equal(r.len, 0x200);
	assert_int_equal(qc_sdload_parse_request(ctx, (const uint8_t *)"\x03\x78\x56\x34\x12\x00\x02\x00", 8, &r, &err),
			 QC_E_PROTOCOL);
	assert_int_equal(qc_sdload_parse_request(ctx, (const uint8_t *)"\x07\x64\x00\x00\x00\xaa", 6, &r, &err), 0);
	assert_int_equal(r.addr, 100);
	assert_int_equal(r.data_len, 1);
	assert_int_equal(qc_sdload_parse_request(ctx, (const uint8_t *)"\x07\x64\x00", 3, &r, &err), QC_E_PROTOCOL);
	assert_int_equal(qc_sdload_parse_request(ctx, (const uint8_t *)"\x1b", 1, &r, &err), QC_E_PROTOCOL);
	assert_int_equal(qc_sdload_parse_request(ctx, (const uint8_t *)"\x19\x01\xaa\xbb", 4, &r, &err), 0);
	assert_int_equal(r.arg, 1);
	assert_int_equal(r.data_len, 2);
	qc_ctx_free(ctx);
}

/* A HELLO reply laid out byte by byte: magic at 1, versions at 33 and 34,
 * block size at 35, flash base at 39, the flash id length at 43 and the
 * name from 44 (where qtools prints it from), then window, sector count,
 * sector sizes and the granted features. */
static size_t hello_reply(uint8_t *b, const char *id, uint16_t nsec)
{
	size_t p, idl = strlen(id);

	b[0] = QC_SDLOAD_HELLO_RESP;
	memcpy(b + 1, "QCOM fast download protocol targ", 32);
	b[33] = 4;
	b[34] = 2;
	memcpy(b + 35, "\x00\x04\x00\x00", 4);
	memcpy(b + 39, "\x00\x00\x00\x80", 4);
	b[43] = (uint8_t)idl;
	memcpy(b + 44, id, idl);
	p = 44 + idl;
	b[p++] = 0x10;
	b[p++] = 0x00;
	b[p++] = (uint8_t)nsec;
	b[p++] = (uint8_t)(nsec >> 8);
	for (unsigned i = 0; i < nsec; i++, p += 4)
		memcpy(b + p, "\x00\x00\x02\x00", 4);
	b[p++] = 0x19;
	return p;
}

static void test_sdload_hello_reply(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_sdload_reply r;
	uint8_t b[1024], e[1024];
	size_t n = hello_reply(b, "Hynix H26M52103FMR", 2);
	ssize_t m;

	(void)state;
	assert_int_equal(qc_sdload_parse_reply(ctx, b, n, &r), 0);
	assert_int_equal(r.cmd, QC_SDLOAD_HELLO_RESP);
	assert_string_equal(r.hello.magic, QC_SDLOAD_MAGIC_TARGET);
	assert_int_equal(r.hello.version, 4);
	assert_int_equal(r.hello.compat_version, 2);
	assert_int_equal(r.hello.max_block_size, 1024);
	assert_int_equal(r.hello.base_address, 0x80000000);
	assert_string_equal(r.hello.flash_id, "Hynix H26M52103FMR");
	assert_int_equal(r.hello.window_size, 16);
	assert_int_equal(r.hello.num_sectors, 2);
	assert_int_equal(r.hello.sector_sizes[0], 0x20000);
	assert_int_equal(r.hello.sector_sizes[1], 0x20000);
	assert_int_equal(r.hello.features, 0x19);
	/* the shared encoder writes the same layout */
	m = qc_sdload_encode_hello_resp(e, sizeof(e), &r.hello);
	assert_int_equal(m, n);
	assert_memory_equal(e, b, n);
	/* features missing at the very end: tolerated as none */
	assert_int_equal(qc_sdload_parse_reply(ctx, b, n - 1, &r), 0);
	assert_int_equal(r.hello.features, 0);
	/* the sector list runs past the packet */
	assert_int_equal(qc_sdload_parse_reply(ctx, b, n - 2, &r), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "2 sector sizes at offset 66"));
	/* a flash id longer than the packet */
	b[43] = 200;
	assert_int_equal(qc_sdload_parse_reply(ctx, b, n, &r), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "flash id of 200 bytes"));
	assert_int_equal(qc_sdload_parse_reply(ctx, b, 40, &r), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "HELLO_RESP"));
	/* a huge sector count claimed in a small packet */
	n = hello_reply(b, "x", 0);
	b[44 + 1 + 2] = 0xff;
	b[44 + 1 + 3] = 0xff;
	assert_int_equal(qc_sdload_parse_reply(ctx, b, n, &r), QC_E_PROTOCOL);
	qc_ctx_free(ctx);
}

static void test_sdload_replies(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_sdload_reply r;
	uint8_t b[256];
	char nb[64];
	ssize_t n;

	(void)state;
	n = qc_sdload_encode_error(b, sizeof(b), QC_SDLOAD_ERR_FAILED, "Write unsuccessful");
	assert_memory_equal(b, "\x0d\x07\x00\x00\x00Write", 10);
	assert_int_equal(qc_sdload_parse_reply(ctx, b, (size_t)n, &r), 0);
	assert_int_equal(r.error_code, 7);
	assert_int_equal(r.data_len, 18);
	assert_memory_equal(r.data, "Write unsuccessful", 18);
	assert_string_equal(qc_sdload_error_name(7, nb, sizeof(nb)), "operation failed (0x07)");
	assert_string_equal(qc_sdload_error_name(0x0f, nb, sizeof(nb)), "command out of sequence (0x0f)");
	assert_string_equal(qc_sdload_error_name(0x15, nb, sizeof(nb)), "power-off not supported (0x15)");
	assert_string_equal(qc_sdload_error_name(0x99, nb, sizeof(nb)), "unknown error 0x00000099");
	assert_int_equal(qc_sdload_parse_reply(ctx, b, 4, &r), QC_E_PROTOCOL);
	n = qc_sdload_encode_log(b, sizeof(b), "ERR: CRC invalid");
	assert_int_equal(qc_sdload_parse_reply(ctx, b, (size_t)n, &r), 0);
	assert_int_equal(r.cmd, QC_SDLOAD_LOG);
	assert_int_equal(r.data_len, 16);
	n = qc_sdload_encode_read_data(b, sizeof(b), 0x64, "\x01\x02", 2);
	assert_memory_equal(b, "\x04\x64\x00\x00\x00\x01\x02", 7);
	assert_int_equal(qc_sdload_parse_reply(ctx, b, (size_t)n, &r), 0);
	assert_int_equal(r.addr, 0x64);
	assert_int_equal(r.data_len, 2);
	n = qc_sdload_encode_addr_reply(b, sizeof(b), QC_SDLOAD_BLOCK_WRITTEN, 0x01020304);
	assert_memory_equal(b, "\x08\x04\x03\x02\x01", 5);
	assert_int_equal(qc_sdload_parse_reply(ctx, b, 5, &r), 0);
	assert_int_equal(r.addr, 0x01020304);
	assert_int_equal(qc_sdload_parse_reply(ctx, b, 3, &r), QC_E_PROTOCOL);
	n = qc_sdload_encode_status(b, sizeof(b), QC_SDLOAD_OPEN_MULTI_RESP, 2);
	assert_int_equal(qc_sdload_parse_reply(ctx, b, (size_t)n, &r), 0);
	assert_int_equal(r.status, 2);
	assert_string_equal(qc_sdload_open_multi_status_name(2), "no payload expected");
	assert_string_equal(qc_sdload_ptable_status_name(2), "format not recognised");
	assert_int_equal(qc_sdload_parse_reply(ctx, b, 1, &r), QC_E_PROTOCOL);
	assert_int_equal(qc_sdload_parse_reply(ctx, (const uint8_t *)"\x16", 1, &r), 0);
	assert_int_equal(r.cmd, QC_SDLOAD_CLOSED);
	assert_string_equal(qc_sdload_cmd_name(QC_SDLOAD_OPEN_MULTI), "OPEN_MULTI_IMAGE");
	qc_ctx_free(ctx);
}

static void test_image_types(void **state)
{
	(void)state;
	assert_int_equal(qc_sdload_image_type_parse("emmc_user"), 0x21);
	assert_int_equal(qc_sdload_image_type_parse("USER"), 0x21);
	assert_int_equal(qc_sdload_image_type_parse("boot1"), 0x23);
	assert_int_equal(qc_sdload_image_type_parse("amss"), 0x05);
	assert_int_equal(qc_sdload_image_type_parse("0x0e"), 0x0e);
	assert_int_equal(qc_sdload_image_type_parse("14"), 0x0e);
	assert_int_equal(qc_sdload_image_type_parse("0x100"), -1);
	assert_int_equal(qc_sdload_image_type_parse("bogus"), -1);
	assert_int_equal(qc_sdload_image_type_parse(""), -1);
	assert_string_equal(qc_sdload_image_type_name(0x0e), "custom");
	assert_string_equal(qc_sdload_image_type_name(0x28), "emmc_gpp4");
	assert_null(qc_sdload_image_type_name(0x20));
	for (uint8_t t = 1; t <= 0x16; t++)
		assert_non_null(qc_sdload_image_type_name(t));
	for (uint8_t t = 0x21; t <= 0x28; t++)
		assert_non_null(qc_sdload_image_type_name(t));
	assert_int_equal(qc_sdload_image_type_lun(0x21), 0);
	assert_int_equal(qc_sdload_image_type_lun(0x23), 2);
	assert_int_equal(qc_sdload_image_type_lun(0x25), 3);
	assert_int_equal(qc_sdload_image_type_lun(0x24), -1);
	assert_int_equal(qc_sdload_image_type_lun(0x05), -1);
	assert_int_equal(qc_sdload_lun_image_type(6), 0x28);
	assert_int_equal(qc_sdload_lun_image_type(7), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dload_requests),    cmocka_unit_test(test_dload_parse_request),
		cmocka_unit_test(test_dload_replies),     cmocka_unit_test(test_sdload_requests),
		cmocka_unit_test(test_sdload_parse_request), cmocka_unit_test(test_sdload_hello_reply),
		cmocka_unit_test(test_sdload_replies),    cmocka_unit_test(test_image_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
