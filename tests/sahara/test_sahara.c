/* SPDX-License-Identifier: BSD-3-Clause */
/* Sahara codec against packets quoted from real devices, the memory table
 * parser, name sanitizing, and the host library against the simulated boot
 * ROM in-process (one thread each, over an in-memory link). */
#include <pthread.h>
#include <signal.h>
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
#include "sim.h"
#include "testimg.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	while (*s) {
		unsigned v;

		if (*s == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* HELLO as a MSM8916 sends it (bkerler/edl issue #95): version 2, oldest
 * compatible 1, commands up to 1024 bytes, image-transfer mode. */
static void test_hello_vector(void **state)
{
	uint8_t raw[64], enc[64];
	size_t n = unhex("01000000 30000000 02000000 01000000 00040000 00000000"
			 "00000000 00000000 00000000 00000000 00000000 00000000",
			 raw);
	struct qc_sahara_packet p;

	(void)state;
	assert_int_equal(n, 48);
	assert_int_equal(qc_sahara_decode(NULL, raw, n, &p), 0);
	assert_int_equal(p.cmd, QC_SAHARA_HELLO);
	assert_int_equal(p.u.hello.version, 2);
	assert_int_equal(p.u.hello.version_compatible, 1);
	assert_int_equal(p.u.hello.max_cmd_len, 1024);
	assert_int_equal(p.u.hello.mode, QC_SAHARA_MODE_IMAGE_TX_PENDING);
	assert_int_equal(qc_sahara_encode(&p, enc, sizeof(enc)), 48);
	assert_memory_equal(enc, raw, 48);
}

/* EXECUTE_RESP for MSM_HW_ID_READ with a 24-byte answer (bkerler/edl #398). */
static void test_execute_resp_vector(void **state)
{
	uint8_t raw[16];
	struct qc_sahara_packet p;

	(void)state;
	unhex("0e000000 10000000 02000000 18000000", raw);
	assert_int_equal(qc_sahara_decode(NULL, raw, 16, &p), 0);
	assert_int_equal(p.cmd, QC_SAHARA_CMD_EXECUTE_RESP);
	assert_int_equal(p.u.exec.client_cmd, QC_SAHARA_EXEC_MSM_HW_ID_READ);
	assert_int_equal(p.u.exec.resp_length, 24);
}

/* The first READ_DATA of the db410c transcript: image 13, ELF header. */
static void test_read_data_vectors(void **state)
{
	struct qc_sahara_packet p = {.cmd = QC_SAHARA_READ_DATA, .u.read = {13, 0, 0x34}}, q;
	uint8_t buf[64], want[32];

	(void)state;
	assert_int_equal(qc_sahara_encode(&p, buf, sizeof(buf)), 0x14);
	unhex("03000000 14000000 0d000000 00000000 34000000", want);
	assert_memory_equal(buf, want, 0x14);
	p = (struct qc_sahara_packet){.cmd = QC_SAHARA_READ_DATA_64, .u.read = {13, 0x100000000ull, 0x1000}};
	assert_int_equal(qc_sahara_encode(&p, buf, sizeof(buf)), 0x20);
	assert_int_equal(qc_sahara_decode(NULL, buf, 0x20, &q), 0);
	assert_int_equal(q.u.read.offset, 0x100000000ull);
	assert_int_equal(q.u.read.length, 0x1000);
	/* a buffer too small for the packet */
	assert_int_equal(qc_sahara_encode(&p, buf, 0x1f), 0);
}

static void test_every_packet(void **state)
{
	(void)state;
	for (uint32_t c = 1; c <= QC_SAHARA_RESET_STATE_MACHINE; c++) {
		struct qc_sahara_packet p = {.cmd = c}, q;
		uint8_t buf[64];
		uint32_t min, max;
		size_t n;

		p.u.memory.address = 0x1122334455667788ull; /* overlaps the other members, on purpose */
		p.u.memory.length = 0x99;
		n = qc_sahara_encode(&p, buf, sizeof(buf));
		assert_int_equal(qc_sahara_packet_length(c, &min, &max), 0);
		assert_int_equal(n, min);
		assert_int_equal(qc_sahara_decode(NULL, buf, n, &q), 0);
		assert_int_equal(q.cmd, c);
		assert_int_equal(q.length, n);
		assert_string_not_equal(qc_sahara_cmd_name(c), "UNKNOWN");
	}
	assert_int_equal(qc_sahara_packet_length(QC_SAHARA_WRITE_DATA, &(uint32_t){0}, &(uint32_t){0}),
			 QC_E_UNSUPPORTED);
}

static void test_bad_headers(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	uint8_t b[64] = {0};
	uint32_t cmd, len;
	struct qc_sahara_packet p;

	(void)state;
	qc_put_le32(b, QC_SAHARA_HELLO);
	qc_put_le32(b + 4, 0x1000);
	assert_int_equal(qc_sahara_check_header(ctx, b, &cmd, &len), QC_E_TOOBIG);
	assert_non_null(strstr(qc_last_error(ctx), "HELLO"));
	qc_put_le32(b + 4, 0x2c);
	assert_int_equal(qc_sahara_check_header(ctx, b, &cmd, &len), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "must be 48"));
	qc_put_le32(b, 0x55);
	qc_put_le32(b + 4, 8);
	assert_int_equal(qc_sahara_check_header(ctx, b, &cmd, &len), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "unknown"));
	qc_put_le32(b, QC_SAHARA_WRITE_DATA);
	assert_int_equal(qc_sahara_check_header(ctx, b, &cmd, &len), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "WRITE_DATA"));
	/* CMD_READY: 8 bytes, or 12 on some targets */
	qc_put_le32(b, QC_SAHARA_CMD_READY);
	assert_int_equal(qc_sahara_check_header(ctx, b, &cmd, &len), 0);
	qc_put_le32(b + 4, 12);
	assert_int_equal(qc_sahara_decode(ctx, b, 12, &p), 0);
	qc_put_le32(b + 4, 16);
	assert_int_equal(qc_sahara_decode(ctx, b, 16, &p), QC_E_PROTOCOL);
	/* fewer bytes than the header says, or than a header */
	qc_put_le32(b, QC_SAHARA_END_IMAGE_TX);
	qc_put_le32(b + 4, 16);
	assert_int_equal(qc_sahara_decode(ctx, b, 12, &p), QC_E_PROTOCOL);
	assert_int_equal(qc_sahara_decode(ctx, b, 4, &p), QC_E_PROTOCOL);
	qc_ctx_free(ctx);
}

/* Names and sentences line up with their codes (one public table is off by
 * one; these pin a few rows whose meaning is unmistakable). */
static void test_status_table(void **state)
{
	(void)state;
	assert_string_equal(qc_sahara_status_name(0x00), "SUCCESS");
	assert_string_equal(qc_sahara_status_name(0x01), "INVALID_CMD");
	assert_non_null(strstr(qc_sahara_status_text(0x01), "invalid in its current state"));
	assert_string_equal(qc_sahara_status_name(0x14), "INVALID_ELF_HDR");
	assert_non_null(strstr(qc_sahara_status_text(0x14), "ELF header"));
	assert_string_equal(qc_sahara_status_name(0x1b), "MEMORY_DEBUG_NOT_SUPPORTED");
	assert_non_null(strstr(qc_sahara_status_text(0x1b), "memory debug"));
	assert_string_equal(qc_sahara_status_name(0x22), "HASH_VERIFICATION_FAILURE");
	assert_non_null(strstr(qc_sahara_status_text(0x22), "does not match its hash"));
	assert_string_equal(qc_sahara_status_name(0x25), "IMAGE_AUTH_FAILURE");
	assert_non_null(strstr(qc_sahara_status_text(0x25), "authentication"));
	assert_string_equal(qc_sahara_status_name(0x28), "HW_BULK_TRANSFER_ERROR");
	assert_string_equal(qc_sahara_status_name(0x29), "UNKNOWN");
	assert_string_equal(qc_sahara_exec_name(QC_SAHARA_EXEC_READ_CHIP_ID_V3), "READ_CHIP_ID_V3");
	assert_string_equal(qc_sahara_mode_name(2), "memory debug");
}

static void test_pkhash_trim(void **state)
{
	uint8_t b[96];

	(void)state;
	for (int i = 0; i < 96; i++)
		b[i] = (uint8_t)(i * 13 + 1);
	assert_int_equal(qc_sahara_pkhash_trim(b, 32), 32);
	assert_int_equal(qc_sahara_pkhash_trim(b, 48), 48);
	assert_int_equal(qc_sahara_pkhash_trim(b, 40), 40);
	memset(b + 48, 0, 48); /* SHA-384 zero padded to 96 */
	assert_int_equal(qc_sahara_pkhash_trim(b, 96), 48);
	memset(b + 32, 0, 64); /* SHA-256 zero padded */
	assert_int_equal(qc_sahara_pkhash_trim(b, 96), 32);
	memcpy(b + 32, b, 32); /* SHA-256 repeated three times */
	memcpy(b + 64, b, 32);
	assert_int_equal(qc_sahara_pkhash_trim(b, 96), 32);
	for (int i = 0; i < 48; i++)
		b[i] = (uint8_t)(i * 5 + 2);
	memcpy(b + 48, b, 48); /* SHA-384 twice */
	assert_int_equal(qc_sahara_pkhash_trim(b, 96), 48);
}

static void test_chip_id_v3(void **state)
{
	uint8_t b[48] = {0};
	struct qc_sahara_chip_id_v3 c;

	(void)state;
	qc_put_le32(b, 0xabcd);
	qc_put_le32(b + 36, 0x001b80e1);
	qc_put_le16(b + 40, 0x0072);
	qc_put_le16(b + 42, 0x0011);
	assert_int_equal(qc_sahara_parse_chip_id_v3(b, 48, &c), 0);
	assert_int_equal(c.chip_id, 0xabcd);
	assert_int_equal(c.msm_id, 0x001b80e1);
	assert_int_equal(c.oem_id, 0x72);
	assert_int_equal(c.model_id, 0x11);
	qc_put_le16(b + 40, 0);
	qc_put_le16(b + 44, 0x0051); /* OEM id in the alternative place */
	assert_int_equal(qc_sahara_parse_chip_id_v3(b, 48, &c), 0);
	assert_int_equal(c.oem_id, 0x51);
	assert_int_equal(qc_sahara_parse_chip_id_v3(b, 43, &c), QC_E_PROTOCOL);
}

static void put_entry(uint8_t *e, bool is64, uint64_t addr, uint64_t len, const char *name, size_t nlen)
{
	uint8_t *names;

	if (is64) {
		qc_put_le64(e, 1);
		qc_put_le64(e + 8, addr);
		qc_put_le64(e + 16, len);
		names = e + 24;
	} else {
		qc_put_le32(e, 1);
		qc_put_le32(e + 4, (uint32_t)addr);
		qc_put_le32(e + 8, (uint32_t)len);
		names = e + 12;
	}
	memcpy(names, name, nlen);
	memcpy(names + 20, name, nlen);
}

static void test_memtable(void **state)
{
	uint8_t t[5 * 64] = {0};
	struct qc_sahara_region r[8];
	qc_ctx *ctx = qc_ctx_new();

	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		size_t esz = is64 ? 64 : 52;

		memset(t, 0, sizeof(t));
		put_entry(t, is64, 0x80000000, 0x1000, "DDRCS0.BIN", 10);
		put_entry(t + esz, is64, 0x1000, 0xffffffff, "../../x", 7);
		put_entry(t + 2 * esz, is64, 0x2000, 16, "a\x01/b\x7f\xff", 6);
		put_entry(t + 3 * esz, is64, 0x3000, 1, "DDRCS0.BIN", 10);
		put_entry(t + 4 * esz, is64, 0x4000, 1, "01234567890123456789", 20); /* no NUL */
		assert_int_equal(qc_sahara_parse_memtable(ctx, t, 5 * esz, is64, r, 8), 5);
		assert_int_equal(r[0].address, 0x80000000);
		assert_int_equal(r[0].length, 0x1000);
		assert_string_equal(r[0].safe_name, "DDRCS0.BIN");
		assert_string_equal(r[1].filename, "../../x");
		assert_string_equal(r[1].safe_name, "_._.__x");
		assert_string_equal(r[2].safe_name, "a__b__");
		assert_string_equal(r[3].safe_name, "DDRCS0.BIN.3");
		assert_string_equal(r[4].safe_name, "01234567890123456789");
		assert_int_equal(qc_sahara_parse_memtable(ctx, t, 5 * esz - 1, is64, r, 8), QC_E_PROTOCOL);
		assert_non_null(strstr(qc_last_error(ctx), "whole number"));
		assert_int_equal(qc_sahara_parse_memtable(ctx, t, 0, is64, r, 8), QC_E_PROTOCOL);
	}
	assert_int_equal(qc_sahara_parse_memtable(ctx, t, QC_SAHARA_MAX_TABLE_LEN + 64, true, r, 8), QC_E_TOOBIG);
	qc_ctx_free(ctx);
}

static void test_sanitize(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"..", "_."},	    {".", "_"},		   {"../etc/passwd", "_._etc_passwd"}, {"a..b", "a._b"},
		{"", "fallback"}, {"\x01\x02", "__"},	 {"OCIMEM.BIN", "OCIMEM.BIN"},	   {"x/../../y", "x_.__.__y"},
		{".hidden", "_hidden"}, {"ok-name_1+2", "ok-name_1+2"},
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		qc_sahara_sanitize_name(v[i].in, strlen(v[i].in), "fallback", out, sizeof(out));
		assert_string_equal(out, v[i].out);
		assert_null(strchr(out, '/'));
		assert_null(strstr(out, ".."));
	}
	qc_sahara_sanitize_name("abcdefgh", 8, "f", out, 4);
	assert_string_equal(out, "abc");
}

/* ----- host against the simulated boot ROM ----- */

struct simrun {
	struct qcsim *sim;
	qc_transport *dev, *host;
	qc_ctx *ctx;
	pthread_t th;
	int rc;
};

static void *serve(void *arg)
{
	struct simrun *s = arg;

	s->rc = qcsim_serve(s->sim, s->dev);
	qc_transport_close(s->dev);
	return NULL;
}

static void sim_start(struct simrun *s, const char *const *opts)
{
	memset(s, 0, sizeof(*s));
	s->sim = qcsim_new();
	s->ctx = qc_ctx_new();
	assert_non_null(s->sim);
	qc_set_log_level(qcsim_ctx(s->sim), QC_LOG_ERROR);
	for (; opts && opts[0]; opts += 2)
		assert_int_equal(qcsim_set_option(s->sim, opts[0], opts[1]), 0);
	assert_int_equal(qc_transport_mem_pair(s->ctx, &s->host, &s->dev), 0);
	qc_set_timeout(s->ctx, 3000);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static int sim_stop(struct simrun *s)
{
	qc_transport_close(s->host);
	pthread_join(s->th, NULL);
	qcsim_free(s->sim);
	qc_ctx_free(s->ctx);
	return s->rc;
}

static uint8_t *small_elf(bool is64, size_t seg, size_t *len)
{
	struct img_spec sp = {.is64 = is64, .version = is64 ? 6 : 3, .seg_len = seg, .fill = 9};
	uint8_t md[120] = {0};

	if (is64) {
		sp.metadata = md;
		sp.md_len = sizeof(md);
	}
	return tk_elf(&sp, len);
}

static void check_load(const char *const *opts, bool is64)
{
	struct simrun s;
	struct qc_sahara_load_result res;
	struct qc_sahara_image img = {.id = QC_SAHARA_ANY_IMAGE};
	size_t len;
	uint8_t *elf = small_elf(is64, 20000, &len);

	sim_start(&s, opts);
	img.data = elf;
	img.size = len;
	assert_int_equal(qc_sahara_load_images(s.host, NULL, &img, 1, &res), 0);
	assert_int_equal(res.images, 1);
	assert_int_equal(res.image_ids[0], 13);
	assert_int_equal(res.read64, is64);
	assert_true(res.requests > 5); /* 4 KiB chunks */
	assert_true(res.bytes >= 20000 && res.bytes <= len);
	sim_stop(&s);
	free(elf);
}

static void test_load_v2_32(void **state)
{
	static const char *const opts[] = {"sahara-version", "2", NULL};

	(void)state;
	check_load(opts, false);
}

static void test_load_v3_64(void **state)
{
	static const char *const opts[] = {"sahara-version", "3", "read64", NULL, NULL};

	(void)state;
	check_load(opts, true);
}

static void test_load_v1(void **state)
{
	static const char *const opts[] = {"sahara-version", "1", NULL};

	(void)state;
	check_load(opts, false);
}

/* A newer SoC asking for two images in one session. */
static void test_load_two_images(void **state)
{
	static const char *const opts[] = {"images", "13,21", NULL};
	struct simrun s;
	struct qc_sahara_load_result res;
	struct qc_sahara_image img[2] = {{.id = 13}, {.id = 21}};
	size_t l1, l2;
	uint8_t *a = small_elf(false, 3000, &l1), *b = small_elf(true, 5000, &l2);

	(void)state;
	img[0].data = a;
	img[0].size = l1;
	img[1].data = b;
	img[1].size = l2;
	sim_start(&s, opts);
	assert_int_equal(qc_sahara_load_images(s.host, NULL, img, 2, &res), 0);
	assert_int_equal(res.images, 2);
	assert_int_equal(res.image_ids[0], 13);
	assert_int_equal(res.image_ids[1], 21);
	sim_stop(&s);
	/* the second image missing: the host names the id it lacks */
	sim_start(&s, opts);
	assert_int_equal(qc_sahara_load_images(s.host, NULL, img, 1, &res), QC_E_NOTFOUND);
	assert_non_null(strstr(qc_last_error(s.ctx), "image 21"));
	sim_stop(&s);
	free(a);
	free(b);
}

static void test_load_refused(void **state)
{
	static const char *const opts[] = {"fault", "nak:image", NULL};
	struct simrun s;
	struct qc_sahara_image img = {.id = QC_SAHARA_ANY_IMAGE};
	size_t len;
	uint8_t *elf = small_elf(false, 3000, &len);

	(void)state;
	img.data = elf;
	img.size = len;
	sim_start(&s, opts);
	assert_int_equal(qc_sahara_load_images(s.host, NULL, &img, 1, NULL), QC_E_DEVICE);
	assert_non_null(strstr(qc_last_error(s.ctx), "IMAGE_AUTH_FAILURE"));
	sim_stop(&s);
	/* a segment that does not match its hash */
	elf[len - 5] ^= 1;
	sim_start(&s, NULL);
	assert_int_equal(qc_sahara_load_images(s.host, NULL, &img, 1, NULL), QC_E_DEVICE);
	assert_non_null(strstr(qc_last_error(s.ctx), "0x22 HASH_VERIFICATION_FAILURE"));
	sim_stop(&s);
	free(elf);
}

static void test_info(void **state)
{
	static const char *const v2[] = {"hwid", "0008b0e100420011", "serial", "1a2b3c4d", "pkhash",
					 "f8ab20526358c4fa1b7e0a2b5a5f8da0f0f2e5d56c1cfc2e3b2b6c3d8e8e9f01",
					 "sbl-version", "20", "pkhash-repeat", NULL, NULL};
	static const char *const v3[] = {"sahara-version", "3", "hwid", "001b80e100720011", "serial", "99", NULL};
	struct qc_sahara_info in;
	struct qc_sahara_hello next;
	struct simrun s;

	(void)state;
	sim_start(&s, v2);
	assert_int_equal(qc_sahara_info(s.host, NULL, &in, &next), 0);
	assert_int_equal(in.version, 2);
	assert_true(in.have_serial);
	assert_int_equal(in.serial, 0x1a2b3c4d);
	assert_true(in.have_hwid);
	assert_false(in.hwid_from_chip_id_v3);
	assert_int_equal(in.hwid, 0x0008b0e100420011ull);
	assert_int_equal(in.msm_id, 0x0008b0e1);
	assert_int_equal(in.oem_id, 0x42);
	assert_int_equal(in.model_id, 0x11);
	assert_int_equal(in.pkhash_len, 32); /* trimmed from 96 */
	assert_int_equal(in.pkhash[0], 0xf8);
	assert_int_equal(in.sbl_version, 0x20);
	/* after SWITCH_MODE the boot ROM greets again */
	assert_int_equal(next.version, 2);
	assert_int_equal(next.mode, QC_SAHARA_MODE_IMAGE_TX_PENDING);
	sim_stop(&s);

	sim_start(&s, v3);
	assert_int_equal(qc_sahara_info(s.host, NULL, &in, NULL), 0);
	assert_int_equal(in.version, 3);
	assert_true(in.have_hwid);
	assert_true(in.hwid_from_chip_id_v3);
	assert_int_equal(in.hwid, 0x001b80e100720011ull);
	assert_int_equal(in.pkhash_len, 0);
	assert_int_equal(in.nrefused, 1);
	assert_int_equal(in.refused[0], QC_SAHARA_EXEC_OEM_PK_HASH_READ);
	assert_int_equal(in.serial, 0x99);
	sim_stop(&s);

	static const char *const v1[] = {"sahara-version", "1", NULL};

	sim_start(&s, v1);
	assert_int_equal(qc_sahara_info(s.host, NULL, &in, NULL), QC_E_UNSUPPORTED);
	sim_stop(&s);
}

static void test_reset(void **state)
{
	static const char *const v1[] = {"sahara-version", "1", NULL};
	static const char *const md[] = {"memory-debug", NULL, "ramdump-region", "A:0x1000:16", NULL};
	struct simrun s;

	(void)state;
	sim_start(&s, NULL);
	assert_int_equal(qc_sahara_reset(s.host, NULL), 0);
	sim_stop(&s);
	sim_start(&s, v1);
	assert_int_equal(qc_sahara_reset(s.host, NULL), 0);
	sim_stop(&s);
	sim_start(&s, md);
	assert_int_equal(qc_sahara_reset(s.host, NULL), 0);
	sim_stop(&s);
}

static void test_detect(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *a, *b;
	struct qc_sahara_hello h;
	struct simrun s;

	(void)state;
	/* a Firehose programmer already running: one byte taken, handed back */
	assert_int_equal(qc_transport_mem_pair(ctx, &a, &b), 0);
	qc_transport_write(b, "<?xml version", 13, 1000);
	assert_int_equal(qc_sahara_detect(a, 200, &h), 0);
	assert_int_equal(h.stray_len, 1);
	assert_int_equal(h.stray[0], '<');
	/* silence */
	assert_int_equal(qc_sahara_detect(b, 50, &h), 0);
	assert_int_equal(h.stray_len, 0);
	/* a HELLO-shaped header with a wrong length is an error */
	qc_transport_write(b, "\x01\x00\x00\x00\x20\x00\x00\x00", 8, 1000);
	qc_transport_read(a, (uint8_t[16]){0}, 12, 100); /* drop the rest of the xml */
	assert_int_equal(qc_sahara_detect(a, 200, &h), QC_E_PROTOCOL);
	qc_transport_close(a);
	qc_transport_close(b);
	qc_ctx_free(ctx);
	sim_start(&s, NULL);
	assert_int_equal(qc_sahara_detect(s.host, 1000, &h), 1);
	assert_int_equal(h.version, 2);
	sim_stop(&s);
}

/* Broken boot ROMs get one sentence, never a crash or a hang. */
static void test_bad_devices(void **state)
{
	static const struct {
		const char *fault, *want;
		int rc;
	} v[] = {
		{"sahara:oversized", "4096 bytes", QC_E_TOOBIG},
		{"sahara:truncated", "cut short", QC_E_PROTOCOL},
		{"sahara:unknown-cmd", "unknown Sahara packet", QC_E_PROTOCOL},
		{"sahara:read-beyond", "beyond the end", QC_E_RANGE},
		{"sahara:huge-read", "beyond the end", QC_E_RANGE},
	};
	size_t len;
	uint8_t *elf = small_elf(false, 3000, &len);
	struct qc_sahara_image img = {.id = QC_SAHARA_ANY_IMAGE, .data = elf, .size = len};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *opts[] = {"fault", v[i].fault, NULL};
		struct simrun s;

		sim_start(&s, opts);
		qc_set_timeout(s.ctx, 300);
		assert_int_equal(qc_sahara_load_images(s.host, NULL, &img, 1, NULL), v[i].rc);
		assert_non_null(strstr(qc_last_error(s.ctx), v[i].want));
		sim_stop(&s);
	}
	/* a boot ROM that lost its HELLO answers RESET_STATE_MACHINE */
	const char *opts[] = {"fault", "sahara:no-hello", NULL};
	struct simrun s;

	sim_start(&s, opts);
	qc_set_timeout(s.ctx, 300);
	assert_int_equal(qc_sahara_load_images(s.host, NULL, &img, 1, NULL), 0);
	sim_stop(&s);
	free(elf);
}

static void test_ramdump(void **state)
{
	char dir[] = "/tmp/qcbox-ramdump.XXXXXX", file[4200], region[4300], cmd[4300];
	const char *opts[] = {"memory-debug", NULL, "read64", NULL, "ramdump-region", region, "ramdump-region",
			      "../../x:0x100000:4096", "ramdump-region", "big:0x200000:0xffffffffffff", "ramdump-region",
			      "tiny:0x300000:16", NULL};
	struct qc_sahara_ramdump_result res;
	struct qc_sahara_ramdump_opts o = {0};
	struct simrun s;
	uint8_t data[5000], back[5000];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
	snprintf(file, sizeof(file), "%s/src.bin", dir);
	f = fopen(file, "wb");
	fwrite(data, 1, sizeof(data), f);
	fclose(f);
	snprintf(region, sizeof(region), "OCIMEM.BIN:0x80000000:5000:%s", file);
	snprintf(file, sizeof(file), "%s/out", dir);
	sim_start(&s, opts);
	assert_int_equal(qc_sahara_ramdump(s.host, NULL, file, &o, NULL, NULL, &res), QC_E_DEVICE);
	assert_int_equal(res.regions, 4);
	assert_int_equal(res.saved, 3);
	assert_true(res.read64);
	sim_stop(&s);
	snprintf(file, sizeof(file), "%s/out/OCIMEM.BIN", dir);
	f = fopen(file, "rb");
	assert_non_null(f);
	assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(data));
	fclose(f);
	assert_memory_equal(back, data, sizeof(data));
	snprintf(file, sizeof(file), "%s/out/_._.__x", dir);
	assert_int_equal(access(file, F_OK), 0);
	snprintf(file, sizeof(file), "%s/out/tiny", dir); /* 16 bytes: read as 8 + 8 */
	f = fopen(file, "rb");
	assert_int_equal(fread(back, 1, sizeof(back), f), 16);
	fclose(f);
	snprintf(file, sizeof(file), "%s/out/big", dir);
	assert_int_not_equal(access(file, F_OK), 0);
	snprintf(file, sizeof(file), "%s/out/index.json", dir);
	assert_int_equal(access(file, F_OK), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_vector),	 cmocka_unit_test(test_execute_resp_vector),
		cmocka_unit_test(test_read_data_vectors), cmocka_unit_test(test_every_packet),
		cmocka_unit_test(test_bad_headers),	 cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_pkhash_trim),	 cmocka_unit_test(test_chip_id_v3),
		cmocka_unit_test(test_memtable),	 cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_load_v2_32),	 cmocka_unit_test(test_load_v3_64),
		cmocka_unit_test(test_load_v1),		 cmocka_unit_test(test_load_two_images),
		cmocka_unit_test(test_load_refused),	 cmocka_unit_test(test_info),
		cmocka_unit_test(test_reset),		 cmocka_unit_test(test_detect),
		cmocka_unit_test(test_bad_devices),	 cmocka_unit_test(test_ramdump),
	};

	/* The simulated device may still write after the host closed. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
