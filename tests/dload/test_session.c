/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host sessions against the simulated boot loader and programmer, in
 * one process: qcbox-sim's engine serves a unix socket from a thread.
 * Uploads land where they should, the window is really used, lost and
 * damaged packets are recovered, and every refusal is named.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "qcbox/dload.h"
#include "qcbox/hdlc.h"
#include "qcbox/sdload.h"
#include "sim.h"

struct simrun {
	struct qcsim *sim;
	char path[128];
	char spec[140];
	pthread_t th;
	int rc;
};

static void *serve(void *p)
{
	struct simrun *r = p;

	r->rc = qcsim_listen_and_serve(r->sim, r->spec);
	return NULL;
}

/* Starts a simulator with NULL-terminated name/value pairs. */
static struct simrun *sim_start(const char *const *opts)
{
	static int seq;
	struct simrun *r = calloc(1, sizeof(*r));
	struct stat st;

	assert_non_null(r);
	r->sim = qcsim_new();
	assert_non_null(r->sim);
	for (; opts && opts[0]; opts += 2)
		if (qcsim_set_option(r->sim, opts[0], opts[1]) < 0)
			fail_msg("option --%s: %s", opts[0], qc_last_error(qcsim_ctx(r->sim)));
	snprintf(r->path, sizeof(r->path), "/tmp/qcbox-dload-test.%d.%d.sock", (int)getpid(), seq++);
	snprintf(r->spec, sizeof(r->spec), "unix:%s", r->path);
	unlink(r->path);
	assert_int_equal(pthread_create(&r->th, NULL, serve, r), 0);
	for (int i = 0; i < 400 && stat(r->path, &st) < 0; i++)
		usleep(5000);
	return r;
}

static void sim_stop(struct simrun *r)
{
	pthread_join(r->th, NULL);
	qcsim_free(r->sim);
	unlink(r->path);
	free(r);
}

static qc_transport *connect_to(qc_ctx *ctx, struct simrun *r)
{
	qc_transport *t;

	/* The socket file appears at bind(), a moment before listen(). */
	for (int i = 0; i < 400; i++) {
		if (qc_transport_open(ctx, r->spec, &t) == 0)
			return t;
		usleep(5000);
	}
	fail_msg("cannot connect: %s", qc_last_error(ctx));
	return NULL;
}

static void expect_msg(qc_ctx *ctx, const char *needle)
{
	if (!strstr(qc_last_error(ctx), needle))
		fail_msg("error \"%s\" does not mention \"%s\"", qc_last_error(ctx), needle);
}

static char *write_temp(const void *data, size_t len, const char *suffix)
{
	char *path = malloc(128);
	FILE *f;

	snprintf(path, 128, "/tmp/qcbox-dload-test.%d.%zu%s", (int)getpid(), len, suffix);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* HEX with two ranges: 3000 bytes at 0x2A000000 (the jump target from a
 * start record) and 100 bytes at 0x2A100000. */
static char *make_hex(const uint8_t *a, const uint8_t *b)
{
	char *text = malloc(64 * 1024), *p = text;

	p += sprintf(p, ":020000042A00D0\n");
	for (size_t off = 0; off < 3000; off += 16) {
		size_t n = 3000 - off < 16 ? 3000 - off : 16;
		unsigned sum = (unsigned)n + (off >> 8) + (off & 0xff);

		p += sprintf(p, ":%02zX%04zX00", n, off);
		for (size_t i = 0; i < n; i++) {
			p += sprintf(p, "%02X", a[off + i]);
			sum += a[off + i];
		}
		p += sprintf(p, "%02X\n", (0x100 - (sum & 0xff)) & 0xff);
	}
	p += sprintf(p, ":020000042A10C0\n");
	{
		unsigned sum = 100;

		p += sprintf(p, ":%02X000000", 100);
		for (size_t i = 0; i < 100; i++) {
			p += sprintf(p, "%02X", b[i]);
			sum += b[i];
		}
		p += sprintf(p, "%02X\n", (0x100 - (sum & 0xff)) & 0xff);
	}
	p += sprintf(p, ":040000052A000000CD\n:00000001FF\n");
	return text;
}

static void test_dload_hex_then_streaming(void **state)
{
	static const char *const opts[] = {"mode", "dload", "storage", "emmc", "luns", "1", "lun-size", "4M", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	uint8_t a[3000], b[100], back[3000];
	char *text, *path;
	struct qc_dload_load_opts o = {.no_go = true};
	struct qc_dload_image img;
	struct qc_dload_params p;
	struct qc_sdload_hello h;
	char version[64];
	qc_dload *d;
	qc_sdload *s;

	(void)state;
	pattern(a, sizeof(a), 1);
	pattern(b, sizeof(b), 2);
	text = make_hex(a, b);
	path = write_temp(text, strlen(text), ".hex");
	assert_int_equal(qc_dload_open(t, &d), 0);
	assert_int_equal(qc_dload_nop(d), 0);
	assert_int_equal(qc_dload_get_params(d, &p), 0);
	assert_int_equal(p.max_write_size, 1024);
	assert_int_equal(qc_dload_get_version(d, version, sizeof(version)), 0);
	assert_string_equal(version, "PBL_DloadVER2.0");
	assert_int_equal(qc_dload_load(d, path, &o, &img), 0);
	assert_int_equal(img.format, QC_DLOAD_FMT_HEX);
	assert_int_equal(img.bytes, 3100);
	assert_int_equal(img.ranges, 2);
	assert_int_equal(img.entry, 0x2a000000);
	assert_true(img.wide);
	assert_int_equal(img.packets, 4); /* 1024 + 1024 + 952, then the 100 apart */
	/* the bytes are where the records said */
	assert_int_equal(qc_dload_mem_read(d, 0x2a000000, back, 3000, 1024), 0);
	assert_memory_equal(back, a, 3000);
	assert_int_equal(qc_dload_mem_read(d, 0x2a100000, back, 100, 0), 0);
	assert_memory_equal(back, b, 100);
	/* GO to an address with nothing there is refused by name */
	assert_int_equal(qc_dload_go(d, 0x30000000), QC_E_NAK);
	expect_msg(ctx, "GO to 0x30000000: invalid destination address (0x02)");
	assert_int_equal(qc_dload_go(d, img.entry), 0);
	qc_dload_close(d);
	/* the same link now speaks Streaming DLOAD */
	assert_int_equal(qc_sdload_open(t, &s), 0);
	assert_int_equal(qc_sdload_hello(s, 3, 2, 0x19, &h), 0);
	assert_string_equal(h.magic, QC_SDLOAD_MAGIC_TARGET);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	unlink(path);
	free(path);
	free(text);
	qc_ctx_free(ctx);
}

/* The simulator hands the bytes from the jump address on to the programmer
 * mode: the first range only, the second lies beyond a hole. */
static void test_dload_handoff(void **state)
{
	static const char *const opts[] = {"mode", "dload", "storage", "emmc", "luns", "1", "lun-size", "4M", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	uint8_t a[5000];
	char *path;
	struct qc_dload_load_opts o = {.has_address = true, .address = 0x1000};
	struct qc_dload_image img;
	qc_dload *d;
	const uint8_t *h;
	size_t n;

	(void)state;
	pattern(a, sizeof(a), 3);
	path = write_temp(a, sizeof(a), ".bin");
	assert_int_equal(qc_dload_open(t, &d), 0);
	assert_int_equal(qc_dload_load(d, path, &o, &img), 0);
	assert_int_equal(img.format, QC_DLOAD_FMT_BIN);
	assert_int_equal(img.packets, 5);
	qc_dload_close(d);
	qc_transport_close(t);
	pthread_join(r->th, NULL);
	h = qcsim_handoff(r->sim, &n);
	assert_int_equal(n, sizeof(a));
	assert_memory_equal(h, a, sizeof(a));
	assert_string_equal(qcsim_mode_name(r->sim), "sdload");
	qcsim_free(r->sim);
	unlink(r->path);
	free(r);
	unlink(path);
	free(path);
	qc_ctx_free(ctx);
}

static void test_dload_nak_mid_upload(void **state)
{
	static const char *const opts[] = {"mode", "dload", "fault", "nak:write", "fault-after", "3",
					   "dload-max-write", "256", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	uint8_t a[2000];
	char *path;
	struct qc_dload_load_opts o = {.has_address = true, .address = 0x1000};
	struct qc_dload_image img;
	qc_dload *d;

	(void)state;
	pattern(a, sizeof(a), 4);
	path = write_temp(a, sizeof(a), ".bin");
	assert_int_equal(qc_dload_open(t, &d), 0);
	assert_int_equal(qc_dload_load(d, path, &o, &img), QC_E_NAK);
	expect_msg(ctx, "refused DLOAD WRITE_32BIT of 256 bytes at 0x00001200: operation failed (0x07)");
	expect_msg(ctx, "(byte 512 of 2000 of ");
	qc_dload_close(d);
	qc_transport_close(t);
	sim_stop(r);
	unlink(path);
	free(path);
	qc_ctx_free(ctx);
}

/* A reply damaged on the way back, and a request damaged on the way in
 * (the boot loader answers NAK 0x01): both are sent again. */
static void test_dload_damaged_frames(void **state)
{
	static const char *const opts[] = {"mode", "dload", "fault", "tx:flip-bit@2", "fault", "rx:flip-bit@20", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	struct qc_dload_params p;
	qc_dload *d;

	(void)state;
	qc_set_log_level(ctx, QC_LOG_ERROR);
	assert_int_equal(qc_dload_open(t, &d), 0);
	assert_int_equal(qc_dload_get_params(d, &p), 0); /* its reply is damaged once */
	assert_int_equal(p.max_write_size, 1024);
	/* PARAM_REQ went out twice (5 bytes each with its flag): the third
	 * NOP starts at received byte 20 */
	assert_int_equal(qc_dload_nop(d), 0);
	assert_int_equal(qc_dload_nop(d), 0);
	assert_int_equal(qc_dload_nop(d), 0);
	qc_dload_close(d);
	qc_transport_close(t);
	sim_stop(r);
	qc_ctx_free(ctx);
}

static void test_dload_old_and_locked(void **state)
{
	static const char *const opts[] = {"mode", "dload", "dload-protocol", "4", "dload-unlock", "0102030405060708",
					   NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	uint8_t a[1500], back[1500];
	char *path;
	struct qc_dload_load_opts o = {.has_address = true, .address = 0x20000, .no_go = true};
	struct qc_dload_image img;
	qc_dload *d;

	(void)state;
	pattern(a, sizeof(a), 5);
	path = write_temp(a, sizeof(a), ".img");
	assert_int_equal(qc_dload_open(t, &d), 0);
	assert_int_equal(qc_dload_write(d, false, 0x20000, a, 16), QC_E_NAK);
	expect_msg(ctx, "unlock required (0x0b)");
	assert_int_equal(qc_dload_unlock(d, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x09"), QC_E_NAK);
	expect_msg(ctx, "incorrect security code (0x0c)");
	assert_int_equal(qc_dload_unlock(d, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08"), 0);
	/* a revision-4 boot loader: the 24-bit WRITE, and WRITE_32BIT refused */
	assert_int_equal(qc_dload_write(d, true, 0x20000, a, 16), QC_E_NAK);
	expect_msg(ctx, "invalid command (0x06)");
	assert_int_equal(qc_dload_load(d, path, &o, &img), 0);
	assert_false(img.wide);
	assert_int_equal(qc_dload_mem_read(d, 0x20000, back, sizeof(back), 0), 0);
	assert_memory_equal(back, a, sizeof(a));
	o.address = 0x1000000;
	assert_int_equal(qc_dload_load(d, path, &o, &img), QC_E_UNSUPPORTED);
	expect_msg(ctx, "only takes 24-bit addresses");
	assert_int_equal(qc_dload_erase(d, 0x20000, 16), 0);
	assert_int_equal(qc_dload_mem_read(d, 0x20000, back, 17, 0), 0);
	assert_memory_equal(back, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16);
	assert_int_equal(back[16], a[16]);
	assert_int_equal(qc_dload_reset(d), 0);
	qc_dload_close(d);
	qc_transport_close(t);
	sim_stop(r);
	unlink(path);
	free(path);
	qc_ctx_free(ctx);
}

/* ----- Streaming DLOAD ----- */

struct membuf {
	uint8_t *p;
	size_t len, pos;
};

static ssize_t mem_source(void *user, void *buf, size_t len)
{
	struct membuf *m = user;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	/* hand out odd-sized pieces to exercise the gathering */
	if (n > 700)
		n = 700;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int mem_sink(void *user, const void *buf, size_t len)
{
	struct membuf *m = user;

	assert_true(m->pos + len <= m->len);
	memcpy(m->p + m->pos, buf, len);
	m->pos += len;
	return 0;
}

static qc_sdload *sd_connect(qc_ctx *ctx, qc_transport *t, int expect)
{
	qc_sdload *s;
	struct qc_sdload_hello h;

	assert_int_equal(qc_sdload_open(t, &s), 0);
	assert_int_equal(qc_sdload_hello(s, 3, 2, 0x19, &h), expect);
	if (expect == 0) {
		assert_true(qc_sdload_sector_addressing(s));
		assert_int_equal(qc_sdload_set_sector_size(s, 512), 0);
	}
	(void)ctx;
	return s;
}

/* Writes LEN bytes at sector START of the user area and reads them back. */
static void write_read(qc_ctx *ctx, qc_sdload *s, uint64_t start, size_t len, unsigned seed)
{
	struct membuf in = {malloc(len), len, 0}, out = {calloc(1, len), len, 0};

	pattern(in.p, len, seed);
	assert_int_equal(qc_sdload_security_mode(s, 0), 0);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_USER, NULL, 0), 0);
	if (qc_sdload_write_stream(s, start, len, mem_source, &in, "pattern") < 0)
		fail_msg("write: %s", qc_last_error(ctx));
	assert_int_equal(qc_sdload_close_image(s), 0);
	if (qc_sdload_read_stream(s, start, len, mem_sink, &out, "pattern") < 0)
		fail_msg("read: %s", qc_last_error(ctx));
	assert_int_equal(out.pos, len);
	assert_memory_equal(in.p, out.p, len);
	free(in.p);
	free(out.p);
}

static void test_sdload_window(void **state)
{
	static const char *const opts[] = {"mode", "sdload", "storage", "emmc", "luns", "1", "lun-size", "4M", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	qc_sdload *s = sd_connect(ctx, t, 0);
	struct qc_sdload_stats st;

	(void)state;
	assert_int_equal(qc_sdload_window(s), 8);
	assert_int_equal(qc_sdload_block_size(s), 1024);
	write_read(ctx, s, 10, 64 * 1024, 6);
	qc_sdload_get_stats(s, &st);
	assert_int_equal(st.packets, 128); /* 64 written, 64 read */
	assert_int_equal(st.max_outstanding, 8);
	assert_int_equal(st.resent, 0);
	/* one at a time when limited to it */
	qc_sdload_close(s);
	s = sd_connect(ctx, t, 0);
	qc_sdload_limit(s, 1, 0);
	write_read(ctx, s, 300, 8 * 1024 + 512, 7);
	qc_sdload_get_stats(s, &st);
	assert_int_equal(st.max_outstanding, 1);
	assert_int_equal(qc_sdload_nop(s, 0x12345678), 0);
	assert_int_equal(qc_sdload_reset(s), 0);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	qc_ctx_free(ctx);
}

/* Bytes dropped and bits flipped both ways, in the middle of the window:
 * everything still lands, with some packets sent again. */
static void test_sdload_losses(void **state)
{
	static const char *const opts[] = {"mode",	   "sdload",	    "storage",	   "emmc",
					   "luns",	   "1",		    "lun-size",	   "4M",
					   "fault",	   "tx:flip-bit@200", "fault",	   "tx:drop-byte@700",
					   "fault",	   "rx:flip-bit@5000", "fault",	   "rx:drop-byte@30000",
					   "fault",	   "rx:flip-bit@80030", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	qc_sdload *s;
	struct qc_sdload_stats st;

	(void)state;
	qc_set_log_level(ctx, QC_LOG_ERROR);
	qc_set_timeout(ctx, 300);
	s = sd_connect(ctx, t, 0);
	write_read(ctx, s, 0, 96 * 1024, 8);
	qc_sdload_get_stats(s, &st);
	assert_true(st.resent >= 3);
	assert_true(st.logs >= 1); /* "ERR: CRC invalid" */
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	qc_ctx_free(ctx);
}

static void bad_hello(const char *opt, const char *val, const char *needle)
{
	const char *opts[] = {"mode", "sdload", "storage", "emmc", "luns", "1", "lun-size", "1M", opt, val, NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	qc_sdload *s = sd_connect(ctx, t, QC_E_PROTOCOL);

	expect_msg(ctx, needle);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	qc_ctx_free(ctx);
}

static void test_sdload_bad_hello(void **state)
{
	(void)state;
	bad_hello("fault", "hello:bad-magic",
		  "the HELLO reply's magic is \"QCOM fast download protocol host\", not \"QCOM fast download protocol "
		  "targ\"");
	bad_hello("fault", "hello:huge-block", "offers a block size of 1073741824 bytes");
	bad_hello("fault", "hello:truncated", "1 sector sizes at offset");
	bad_hello("sdload-window", "0", "a window of 0 packets");
}

static void test_sdload_refusals(void **state)
{
	static const char *const opts[] = {"mode",	  "sdload",    "storage", "emmc", "luns", "2", "lun-size", "64K",
					   "fault",	  "nak:write", "fault-after", "5", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	qc_sdload *s;
	struct membuf in = {malloc(32768), 32768, 0}, out = {malloc(4096), 4096, 0};
	uint8_t tbl[16] = {0};

	(void)state;
	pattern(in.p, in.len, 9);
	assert_int_equal(qc_sdload_open(t, &s), 0);
	/* before HELLO the programmer takes nothing else */
	assert_int_equal(qc_sdload_security_mode(s, 0), QC_E_DEVICE);
	expect_msg(ctx, "refused SECURITY_MODE 0: invalid command (0x05) (\"Invalid Command\")");
	assert_int_equal(qc_sdload_hello(s, 3, 2, 0x19, NULL), 0);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_USER, NULL, 0), QC_E_DEVICE);
	expect_msg(ctx, "No security mode received before open multi");
	assert_int_equal(qc_sdload_security_mode(s, 0), 0);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_RPMB, NULL, 0), QC_E_DEVICE);
	expect_msg(ctx, "OPEN_MULTI_IMAGE of type 0x24 (emmc_rpmb)");
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_BOOT1, NULL, 0), QC_E_DEVICE);
	expect_msg(ctx, "no emmc_boot1 partition");
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_USER, "x", 1), QC_E_DEVICE);
	expect_msg(ctx, "no payload expected");
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_BOOT0, NULL, 0), 0);
	/* the fifth packet fails: 1024-byte packets from sector 10 */
	assert_int_equal(qc_sdload_write_stream(s, 10, in.len, mem_source, &in, "img.bin"), QC_E_DEVICE);
	expect_msg(ctx, "refused STREAM_WRITE of 1024 bytes at sector 18 (byte 4096 of img.bin): operation failed (0x07)");
	expect_msg(ctx, "Write unsuccessful");
	/* past the end of the 64 KiB partition */
	in.pos = 0;
	assert_int_equal(qc_sdload_write_stream(s, 120, 8192, mem_source, &in, "img.bin"), QC_E_DEVICE);
	expect_msg(ctx, "invalid destination address (0x02)");
	assert_int_equal(qc_sdload_read_stream(s, 127, 1024, mem_sink, &out, "back"), QC_E_DEVICE);
	assert_int_equal(qc_sdload_reset(s), QC_E_DEVICE);
	expect_msg(ctx, "Cannot reset before close");
	assert_int_equal(qc_sdload_power_off(s), QC_E_DEVICE);
	expect_msg(ctx, "power-off not supported (0x15)");
	assert_int_equal(qc_sdload_partition_table(s, tbl, sizeof(tbl), false, NULL), 0);
	assert_int_equal(qc_sdload_close_image(s), 0);
	assert_int_equal(qc_sdload_close_image(s), QC_E_DEVICE);
	expect_msg(ctx, "out of sequence");
	assert_int_equal(qc_sdload_set_ecc(s, 1), 0);
	{
		uint8_t ecc = 0;

		assert_int_equal(qc_sdload_get_ecc(s, &ecc), 0);
		assert_int_equal(ecc, 1);
	}
	assert_int_equal(qc_sdload_unlock(s, 1), 0);
	assert_int_equal(qc_sdload_erase_flash(s), 0);
	assert_int_equal(qc_sdload_reset(s), 0);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	free(in.p);
	free(out.p);
	qc_ctx_free(ctx);
}

/* A NAND programmer wants a recognised partition table before images. */
static void test_sdload_nand(void **state)
{
	static const char *const opts[] = {"mode", "sdload", "storage", "nand", "lun-size", "1M", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	qc_sdload *s;
	uint8_t tbl[64] = {0xaa, 0x73, 0xee, 0x55, 0xdb, 0xbd, 0x5e, 0xe3, 1, 2, 3};
	uint8_t junk[64] = {1, 2, 3};
	uint8_t st = 0xff;
	struct membuf in = {malloc(16384), 16384, 0}, out = {calloc(1, 16384), 16384, 0};

	(void)state;
	pattern(in.p, in.len, 10);
	assert_int_equal(qc_sdload_open(t, &s), 0);
	assert_int_equal(qc_sdload_hello(s, 3, 2, 0x1f, NULL), 0);
	assert_int_equal(qc_sdload_set_sector_size(s, 4096), 0);
	assert_int_equal(qc_sdload_security_mode(s, 0), 0);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_AMSS, NULL, 0), QC_E_DEVICE);
	expect_msg(ctx, "No partition table received");
	assert_int_equal(qc_sdload_partition_table(s, junk, sizeof(junk), false, &st), QC_E_DEVICE);
	assert_int_equal(st, QC_SDLOAD_PTABLE_UNKNOWN);
	assert_int_equal(qc_sdload_partition_table(s, tbl, sizeof(tbl), false, &st), 0);
	tbl[10] = 9;
	assert_int_equal(qc_sdload_partition_table(s, tbl, sizeof(tbl), false, &st), QC_E_DEVICE);
	assert_int_equal(st, QC_SDLOAD_PTABLE_DIFFERS);
	expect_msg(ctx, "send it with override");
	assert_int_equal(qc_sdload_partition_table(s, tbl, sizeof(tbl), true, &st), 0);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_USER, NULL, 0), QC_E_DEVICE);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_AMSS, NULL, 0), 0);
	/* the 1024-byte block is smaller than a 4096-byte page */
	assert_int_equal(qc_sdload_write_stream(s, 2, in.len, mem_source, &in, "amss"), QC_E_UNSUPPORTED);
	expect_msg(ctx, "smaller than a 4096-byte sector");
	/* again with byte addresses; the image stays open on the device */
	qc_sdload_close(s);
	s = NULL;
	assert_int_equal(qc_sdload_open(t, &s), 0);
	assert_int_equal(qc_sdload_hello(s, 3, 2, 0x0f, NULL), 0);
	assert_false(qc_sdload_sector_addressing(s));
	in.pos = 0;
	assert_int_equal(qc_sdload_write_stream(s, 2, in.len, mem_source, &in, "amss"), 0);
	assert_int_equal(qc_sdload_close_image(s), 0);
	assert_int_equal(qc_sdload_read_stream(s, 2, out.len, mem_sink, &out, "back"), 0);
	assert_memory_equal(in.p, out.p, in.len);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	free(in.p);
	free(out.p);
	qc_ctx_free(ctx);
}

/* A host that ignores the window: the third write has no buffer and is
 * dropped with a LOG, the two in the window are answered. */
static void test_sdload_window_overrun(void **state)
{
	static const char *const opts[] = {"mode",	     "sdload", "storage", "emmc", "luns", "1",
					   "lun-size",	     "1M",     "sdload-window", "2", NULL};
	struct simrun *r = sim_start(opts);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t = connect_to(ctx, r);
	qc_sdload *s = sd_connect(ctx, t, 0);
	uint8_t pkt[600], wire[3 * 1300], rx[4096], data[512] = {1, 2, 3};
	struct qc_hdlc_decoder dec;
	size_t wl = 0, got = 0, used, n;
	unsigned acks = 0, logs = 0;
	bool saw_drop = false;
	const uint8_t *f;

	(void)state;
	assert_int_equal(qc_sdload_security_mode(s, 0), 0);
	assert_int_equal(qc_sdload_open_multi(s, QC_SDLOAD_IMG_EMMC_USER, NULL, 0), 0);
	for (uint32_t i = 0; i < 3; i++) {
		ssize_t m = qc_sdload_encode_write(pkt, sizeof(pkt), QC_SDLOAD_STREAM_WRITE, i, data, sizeof(data));

		wl += (size_t)qc_hdlc_encode(pkt, (size_t)m, wire + wl, sizeof(wire) - wl, false);
	}
	assert_int_equal(qc_transport_write(t, wire, wl, 1000), 0);
	assert_int_equal(qc_hdlc_decoder_init(&dec, 4096), 0);
	while (acks + logs < 3) {
		ssize_t k = qc_transport_read(t, rx, sizeof(rx), 2000);

		assert_true(k > 0);
		for (size_t pos = 0; pos < (size_t)k; pos += used) {
			if (qc_hdlc_decode(&dec, rx + pos, (size_t)k - pos, &used, &f, &n) != 1)
				continue;
			if (f[0] == QC_SDLOAD_BLOCK_WRITTEN)
				acks++;
			if (f[0] == QC_SDLOAD_LOG) {
				logs++;
				saw_drop = n > 8 && memmem(f, n, "no receive buffer", 17);
			}
			got++;
		}
	}
	assert_int_equal(acks, 2);
	assert_int_equal(logs, 1);
	assert_true(saw_drop);
	qc_hdlc_decoder_free(&dec);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	qc_ctx_free(ctx);
}

/* The way the Sahara mode hands over after an upload of a legacy-header
 * MBN: the whole file as the hand-over data, the programmer identified in
 * an event. */
static void test_sdload_entered_with_mbn(void **state)
{
	char events[] = "/tmp/qcbox-dload-test-ev.XXXXXX";
	int fd = mkstemp(events);
	uint8_t img[80 + 64];
	struct simrun *r;
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t;
	qc_sdload *s;
	char line[512] = "";
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	memset(img, 0xff, sizeof(img));
	memcpy(img, "\xd1\xdc\x4b\x84\x34\x10\xd7\x73\x0d\x00\x00\x00", 12);
	memcpy(img + 20, "\x50\x00\x00\x00\x50\xc0\x00\xf8\x40\x00\x00\x00\x40\x00\x00\x00", 16);
	memcpy(img + 36, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16);
	{
		static const char *const opts[] = {"storage", "emmc", "luns", "1", "lun-size", "1M", NULL};

		r = calloc(1, sizeof(*r));
		r->sim = qcsim_new();
		for (const char *const *o = opts; o[0]; o += 2)
			assert_int_equal(qcsim_set_option(r->sim, o[0], o[1]), 0);
		assert_int_equal(qcsim_set_option(r->sim, "events", events), 0);
		assert_int_equal(qcsim_switch(r->sim, "sdload", img, sizeof(img), false), 0);
		assert_int_equal(qcsim_set_mode(r->sim, "sdload"), 0);
		snprintf(r->path, sizeof(r->path), "/tmp/qcbox-dload-test.%d.mbn.sock", (int)getpid());
		snprintf(r->spec, sizeof(r->spec), "unix:%s", r->path);
		unlink(r->path);
		assert_int_equal(pthread_create(&r->th, NULL, serve, r), 0);
	}
	t = connect_to(ctx, r);
	s = sd_connect(ctx, t, 0);
	qc_sdload_close(s);
	qc_transport_close(t);
	sim_stop(r);
	f = fopen(events, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(events);
	if (!strstr(line, "\"event\":\"sdload_programmer\",\"bytes\":144,") ||
	    !strstr(line, "\"mbn_header\":80,\"image_id\":13,\"image_name\":\"EHOSTDL\",\"image_dest\":4160798800"))
		fail_msg("event: %s", line);
	qc_ctx_free(ctx);
}

/* A broken device that never stops talking: endless frame flags to the
 * boot loader host, endless LOG frames to the programmer host.  Both give
 * up within their timeouts. */
struct flooder {
	qc_transport *t;
	const uint8_t *unit;
	size_t len;
	volatile int stop;
};

static void *flood(void *p)
{
	struct flooder *fl = p;

	while (!fl->stop)
		if (qc_transport_write(fl->t, fl->unit, fl->len, 1000) < 0)
			break;
	return NULL;
}

static void test_floods(void **state)
{
	static const uint8_t flags[64] = {0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e,
					  0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e,
					  0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e,
					  0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e,
					  0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e,
					  0x7e, 0x7e, 0x7e, 0x7e};
	uint8_t log[64];
	ssize_t n;

	(void)state;
	n = qc_sdload_encode_log(log, sizeof(log), "still here");
	n = qc_hdlc_encode(log, (size_t)n, log + 32, sizeof(log) - 32, false);
	for (int k = 0; k < 2; k++) {
		qc_ctx *ctx = qc_ctx_new();
		qc_transport *a, *b;
		struct flooder fl = {.unit = k ? log + 32 : flags, .len = k ? (size_t)n : sizeof(flags)};
		pthread_t th;
		struct timespec t0, t1;
		int rc;

		qc_set_log_level(ctx, QC_LOG_ERROR);
		qc_set_timeout(ctx, 200);
		assert_int_equal(qc_transport_mem_pair(ctx, &a, &b), 0);
		fl.t = b;
		assert_int_equal(pthread_create(&th, NULL, flood, &fl), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (k == 0) {
			qc_dload *d;

			assert_int_equal(qc_dload_open(a, &d), 0);
			rc = qc_dload_nop(d);
			qc_dload_close(d);
		} else {
			qc_sdload *s;

			assert_int_equal(qc_sdload_open(a, &s), 0);
			rc = qc_sdload_hello(s, 3, 2, 0x19, NULL);
			qc_sdload_close(s);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fl.stop = 1;
		qc_transport_close(a);
		pthread_join(th, NULL);
		qc_transport_close(b);
		assert_int_equal(rc, QC_E_TIMEOUT);
		/* one wait for the NOP, three HELLOs: well under a second each */
		assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
		qc_ctx_free(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dload_hex_then_streaming),
		cmocka_unit_test(test_dload_handoff),
		cmocka_unit_test(test_dload_nak_mid_upload),
		cmocka_unit_test(test_dload_damaged_frames),
		cmocka_unit_test(test_dload_old_and_locked),
		cmocka_unit_test(test_sdload_window),
		cmocka_unit_test(test_sdload_losses),
		cmocka_unit_test(test_sdload_bad_hello),
		cmocka_unit_test(test_sdload_refusals),
		cmocka_unit_test(test_sdload_nand),
		cmocka_unit_test(test_sdload_window_overrun),
		cmocka_unit_test(test_sdload_entered_with_mbn),
		cmocka_unit_test(test_floods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
