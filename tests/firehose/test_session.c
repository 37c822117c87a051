/* SPDX-License-Identifier: BSD-3-Clause */
/* The Firehose host session: configure negotiation against scripted
 * answers, and every command against the simulated programmer running in
 * a thread on the other end of an in-memory link. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qcbox/firehose.h"
#include "qcbox/flatbuild.h"
#include "qcbox/sparse.h"
#include "sim.h"

/* ---- scripted device: answers queued before the host asks ---- */

struct script {
	qc_ctx *ctx;
	qc_transport *host, *dev;
};

static void script_open_n(struct script *s, const char *answers, size_t len)
{
	s->ctx = qc_ctx_new();
	qc_set_timeout(s->ctx, 2000);
	assert_int_equal(qc_transport_mem_pair(s->ctx, &s->host, &s->dev), 0);
	assert_int_equal(qc_transport_write(s->dev, answers, len, 1000), 0);
}

static void script_open(struct script *s, const char *answers)
{
	script_open_n(s, answers, strlen(answers));
}

/* The MaxPayloadSizeToTargetInBytes of each configure the host sent. */
static size_t sent_payloads(struct script *s, uint64_t *out, size_t max)
{
	struct qc_fh_framer f;
	struct qc_fh_doc d = {0};
	const char *doc;
	size_t len, n = 0;

	assert_int_equal(qc_fh_framer_init(&f, 8192, 8192), 0);
	for (;;) {
		size_t room;
		uint8_t *space = qc_fh_framer_space(&f, &room);
		ssize_t got = qc_transport_read(s->dev, space, room, 50);

		if (got <= 0)
			break;
		qc_fh_framer_fill(&f, (size_t)got);
	}
	while (qc_fh_framer_next(&f, &doc, &len) == 1 && n < max) {
		assert_int_equal(qc_fh_doc_parse(s->ctx, doc, len, &d), 0);
		assert_string_equal(d.elem[0].tag, "configure");
		assert_string_equal(qc_fh_attr(&d.elem[0], "ZlpAwareHost"), "1");
		assert_non_null(qc_fh_attr(&d.elem[0], "AckRawDataEveryNumPackets"));
		assert_int_equal(qc_fh_attr_u64(&d.elem[0], "MaxPayloadSizeToTargetInBytes", &out[n]), 1);
		n++;
	}
	qc_fh_doc_free(&d);
	qc_fh_framer_free(&f);
	return n;
}

static void script_close(struct script *s)
{
	qc_transport_close(s->host);
	qc_transport_close(s->dev);
	qc_ctx_free(s->ctx);
}

#define DOC(body) "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><data>" body "</data>"

/* NAK naming a size: retry with exactly that size (db410c behaviour). */
static void test_configure_nak_retry(void **state)
{
	struct script s;
	qc_fh *fh;
	uint64_t sent[8];

	(void)state;
	script_open(&s, DOC("<log value=\"ERROR: Host's payload to target size is too large\"/>")
			    DOC("<response value=\"NAK\" MaxPayloadSizeToTargetInBytes=\"131072\" />")
				DOC("<response value=\"ACK\" MaxPayloadSizeToTargetInBytes=\"131072\" "
				    "MaxPayloadSizeToTargetInBytesSupported=\"131072\" MemoryName=\"eMMC\" "
				    "TargetName=\"8916\"/>") DOC("<log value=\"late log after the ACK\"/>"));
	assert_int_equal(qc_fh_open(s.host, &fh), 0);
	struct qc_fh_options o = {.memory = "emmc", .sector_size = 512};

	assert_int_equal(qc_fh_configure(fh, &o), 0);
	assert_int_equal(qc_fh_get_info(fh)->max_payload, 131072);
	assert_int_equal(qc_fh_get_info(fh)->configure_attempts, 2);
	assert_string_equal(qc_fh_get_info(fh)->target_name, "8916");
	assert_int_equal(sent_payloads(&s, sent, 8), 2);
	assert_int_equal(sent[0], 1048576);
	assert_int_equal(sent[1], 131072);
	qc_fh_close(fh);
	script_close(&s);
}

/* ACK with a larger supported size: configure again with it. */
static void test_configure_adopt_supported(void **state)
{
	struct script s;
	qc_fh *fh;
	uint64_t sent[8];

	(void)state;
	script_open(&s, DOC("<response value=\"ACK\" rawmode=\"false\" MaxPayloadSizeToTargetInBytes=\"1048576\" "
			    "MaxPayloadSizeToTargetInBytesSupported=\"2097152\"/>")
			    DOC("<response value=\"ACK\" rawmode=\"false\" MaxPayloadSizeToTargetInBytes=\"2097152\" "
				"MaxPayloadSizeToTargetInBytesSupported=\"2097152\"/>"));
	assert_int_equal(qc_fh_open(s.host, &fh), 0);
	struct qc_fh_options o = {.sector_size = 4096};

	assert_int_equal(qc_fh_configure(fh, &o), 0);
	assert_int_equal(qc_fh_get_info(fh)->max_payload, 2097152);
	assert_int_equal(sent_payloads(&s, sent, 8), 2);
	assert_int_equal(sent[1], 2097152);
	qc_fh_close(fh);
	script_close(&s);
}

/* An ACK that names no size keeps what was asked: nothing is invented. */
static void test_configure_no_size(void **state)
{
	struct script s;
	qc_fh *fh;
	uint64_t sent[8];

	(void)state;
	script_open(&s, DOC("<response value=\"ACK\" />"));
	assert_int_equal(qc_fh_open(s.host, &fh), 0);
	struct qc_fh_options o = {.sector_size = 4096, .max_payload = 65536};

	assert_int_equal(qc_fh_configure(fh, &o), 0);
	assert_int_equal(qc_fh_get_info(fh)->max_payload, 65536);
	assert_int_equal(sent_payloads(&s, sent, 8), 1);
	qc_fh_close(fh);
	script_close(&s);
}

static void test_configure_refusals(void **state)
{
	static const char *answers[] = {
	    DOC("<log value=\"ERROR: Not support configure MemoryName eMMC\"/><response value=\"NAK\"/>"),
	    DOC("<response value=\"NAK\" MaxPayloadSizeToTargetInBytes=\"1048576\"/>"),
	    DOC("<response value=\"MAYBE\"/>"),
	    DOC("<response value=\"ACK\" MaxPayloadSizeToTargetInBytes=\"lots\"/>"),
	    "\x01\x00\x00\x00\x30\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00",
	};
	static const int want[] = {QC_E_NAK, QC_E_NAK, QC_E_PROTOCOL, QC_E_PROTOCOL, QC_E_PROTOCOL};
	static const char *words[] = {"MemoryName eMMC", "refused configure", "MAYBE", "not a usable size", "Sahara"};

	(void)state;
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct script s;
		qc_fh *fh;

		/* the Sahara HELLO is binary: 16 bytes */
		script_open_n(&s, answers[i], i == 4 ? 16 : strlen(answers[i]));
		assert_int_equal(qc_fh_open(s.host, &fh), 0);
		assert_int_equal(qc_fh_configure(fh, NULL), want[i]);
		if (!strstr(qc_last_error(s.ctx), words[i]))
			fail_msg("case %zu: '%s' lacks '%s'", i, qc_last_error(s.ctx), words[i]);
		qc_fh_close(fh);
		script_close(&s);
	}
}

/* Figures as attributes of the response, as some programmers answer. */
static void test_storage_info_attributes(void **state)
{
	struct script s;
	struct qc_fh_storage_info si;
	qc_fh *fh;

	(void)state;
	script_open(&s, DOC("<response value=\"ACK\" />")
			    DOC("<log value=\"UFS Inquiry Command Output: QCBOX\"/><response value=\"ACK\" "
				"total_blocks=\"0x3a0000\" block_size=\"4096\" num_physical=\"6\" />"));
	assert_int_equal(qc_fh_open(s.host, &fh), 0);
	struct qc_fh_options o = {.sector_size = 4096};

	assert_int_equal(qc_fh_configure(fh, &o), 0);
	assert_int_equal(qc_fh_storage_info(fh, 0, &si), 0);
	assert_false(si.json);
	assert_int_equal(si.total_blocks, 0x3a0000);
	assert_int_equal(si.block_size, 4096);
	assert_int_equal(si.num_physical, 6);
	assert_non_null(strstr(si.text, "UFS Inquiry"));
	qc_fh_close(fh);
	script_close(&s);
}

/* Silence: a timeout within the configured time, naming the command. */
static void test_configure_timeout(void **state)
{
	struct script s;
	qc_fh *fh;

	(void)state;
	script_open(&s, "");
	qc_set_timeout(s.ctx, 100);
	assert_int_equal(qc_fh_open(s.host, &fh), 0);
	assert_int_equal(qc_fh_configure(fh, NULL), QC_E_TIMEOUT);
	assert_non_null(strstr(qc_last_error(s.ctx), "<configure>"));
	qc_fh_close(fh);
	script_close(&s);
}

/* An answer that never ends is refused at the bound, not buffered. */
static void test_huge_answer(void **state)
{
	struct script s;
	qc_fh *fh;
	char *big = malloc(QC_FH_DOC_MAX + 4096);

	(void)state;
	memset(big, 'A', QC_FH_DOC_MAX + 4095);
	memcpy(big, "<?xml version=\"1.0\" ?><data><log value=\"", 40);
	big[QC_FH_DOC_MAX + 4095] = '\0';
	script_open(&s, big);
	assert_int_equal(qc_fh_open(s.host, &fh), 0);
	assert_int_equal(qc_fh_configure(fh, NULL), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(s.ctx), "without its closing"));
	qc_fh_close(fh);
	script_close(&s);
	free(big);
}

/* ---- against the simulated programmer ---- */

struct simrun {
	struct qcsim *sim;
	qc_transport *host, *dev;
	qc_ctx *ctx;
	pthread_t th;
	char dir[64];
	qc_fh *fh;
};

static void *serve(void *arg)
{
	struct simrun *r = arg;

	qcsim_serve(r->sim, r->dev);
	/* like qcbox-sim: the link closes when the device is done with it */
	qc_transport_close(r->dev);
	r->dev = NULL;
	return NULL;
}

/* OPTS: NULL-terminated name, value pairs for the simulator. */
static void sim_start(struct simrun *r, const char *const *opts, const struct qc_fh_options *fo)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/qcbox-fhtest.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	r->sim = qcsim_new();
	assert_non_null(r->sim);
	assert_int_equal(qcsim_set_option(r->sim, "mode", "firehose"), 0);
	assert_int_equal(qcsim_set_option(r->sim, "disk-dir", r->dir), 0);
	assert_int_equal(qcsim_set_option(r->sim, "luns", "2"), 0);
	assert_int_equal(qcsim_set_option(r->sim, "lun-size", "4M"), 0);
	for (size_t i = 0; opts && opts[i]; i += 2)
		assert_int_equal(qcsim_set_option(r->sim, opts[i], opts[i + 1]), 0);
	r->ctx = qc_ctx_new();
	qc_set_timeout(r->ctx, 5000);
	assert_int_equal(qc_transport_mem_pair(r->ctx, &r->host, &r->dev), 0);
	assert_int_equal(pthread_create(&r->th, NULL, serve, r), 0);
	assert_int_equal(qc_fh_open(r->host, &r->fh), 0);
	if (qc_fh_configure(r->fh, fo) < 0)
		fail_msg("configure: %s", qc_last_error(r->ctx));
}

static void sim_stop(struct simrun *r)
{
	char path[128];

	qc_fh_close(r->fh);
	qc_transport_close(r->host);
	pthread_join(r->th, NULL);
	qcsim_free(r->sim);
	qc_ctx_free(r->ctx);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/lun%d.img", r->dir, i);
		unlink(path);
	}
	rmdir(r->dir);
}

struct mem {
	uint8_t *p;
	size_t len;
};

static int mem_read(void *user, uint64_t off, void *buf, size_t len)
{
	struct mem *m = user;

	assert_true(off + len <= m->len);
	memcpy(buf, m->p + off, len);
	return 0;
}

static int mem_write(void *user, uint64_t off, const void *buf, size_t len)
{
	struct mem *m = user;

	assert_true(off + len <= m->len);
	memcpy(m->p + off, buf, len);
	return 0;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void test_program_read_verify(void **state)
{
	static const char *const opts[] = {"max-payload", "256K", "max-payload-from", "64K", NULL};
	struct simrun r;
	struct qc_fh_progress pr;
	const size_t n = 300000; /* not a sector multiple: the last sector is padded */
	uint8_t *data = malloc(n), *back = calloc(1, 76 * 4096), md[32];
	struct mem src = {data, n}, dst = {back, 76 * 4096};

	(void)state;
	fill(data, n, 1);
	sim_start(&r, opts, NULL);
	assert_int_equal(qc_fh_get_info(r.fh)->max_payload, 262144);
	struct qc_fh_program p = {
	    .lun = 1, .start_sector = 10, .bytes = n, .read = mem_read, .user = &src, .label = "test", .verify = true};

	assert_int_equal(qc_fh_program(r.fh, &p, &pr), 0);
	assert_true(qc_fh_get_info(r.fh)->sector_size_probed);
	assert_int_equal(pr.sectors, 74);
	assert_int_equal(pr.bytes_sent, 74 * 4096);
	assert_true(pr.acked);
	assert_int_equal(pr.verified, 1);
	/* one sector more on each side: zeros around the data */
	assert_int_equal(qc_fh_read(r.fh, 1, 9, 76, mem_write, &dst, NULL), 0);
	for (size_t i = 0; i < 4096; i++)
		assert_int_equal(back[i], 0);
	assert_memory_equal(back + 4096, data, n);
	for (size_t i = 4096 + n; i < 76 * 4096; i++)
		assert_int_equal(back[i], 0);
	assert_int_equal(qc_fh_sha256(r.fh, 1, 9, 1, md), 0);
	/* sha256 of one zero sector */
	assert_int_equal(md[0], 0xad);
	assert_int_equal(md[1], 0x7f);
	assert_int_equal(qc_fh_erase(r.fh, 1, 10, 74, "test"), 0);
	memset(back, 0xee, 76 * 4096);
	assert_int_equal(qc_fh_read(r.fh, 1, 9, 76, mem_write, &dst, NULL), 0);
	for (size_t i = 0; i < 76 * 4096; i++)
		assert_int_equal(back[i], 0);
	/* out of range, unknown LUN: refused with the programmer's reason */
	p.start_sector = 1020;
	assert_int_equal(qc_fh_program(r.fh, &p, &pr), QC_E_NAK);
	assert_non_null(strstr(qc_last_error(r.ctx), "nothing was written"));
	assert_non_null(strstr(qc_last_error(r.ctx), "beyond the end"));
	assert_int_equal(pr.bytes_sent, 0);
	assert_int_equal(qc_fh_read(r.fh, 7, 0, 1, mem_write, &dst, NULL), QC_E_NAK);
	assert_non_null(strstr(qc_last_error(r.ctx), "does not exist"));
	sim_stop(&r);
	free(data);
	free(back);
}

/* A programmer that writes wrong data: caught by the digest, pinned to its
 * sector by reading back. */
static void test_verify_mismatch(void **state)
{
	static const char *const opts[] = {"fault", "corrupt:program", NULL};
	struct simrun r;
	struct qc_fh_progress pr;
	const size_t n = 64 * 4096;
	uint8_t *data = malloc(n);
	struct mem src = {data, n};

	(void)state;
	fill(data, n, 2);
	sim_start(&r, opts, NULL);
	struct qc_fh_program p = {.lun = 0,
				  .start_sector = 100,
				  .bytes = n,
				  .read = mem_read,
				  .user = &src,
				  .label = "boot_a",
				  .verify = true};

	assert_int_equal(qc_fh_program(r.fh, &p, &pr), QC_E_VERIFY);
	assert_true(pr.acked);
	/* the simulator flips a byte in the middle of the range: sector 132 */
	assert_non_null(strstr(qc_last_error(r.ctx), "boot_a"));
	assert_non_null(strstr(qc_last_error(r.ctx), "sector 132"));
	/* the session is still in step */
	assert_int_equal(qc_fh_nop(r.fh), 0);
	sim_stop(&r);
	free(data);
}

/* Without digests the range is read back; with the fault off, all good. */
static void test_verify_readback(void **state)
{
	static const char *const opts[] = {"no-digest", NULL, NULL};
	struct simrun r;
	struct qc_fh_progress pr;
	const size_t n = 5000;
	uint8_t *data = malloc(n), md[32];
	struct mem src = {data, n};

	(void)state;
	fill(data, n, 3);
	sim_start(&r, opts, NULL);
	struct qc_fh_program p = {
	    .lun = 0, .start_sector = 0, .bytes = n, .read = mem_read, .user = &src, .verify = true};

	assert_int_equal(qc_fh_program(r.fh, &p, &pr), 0);
	assert_int_equal(pr.verified, 2);
	assert_int_equal(qc_fh_sha256(r.fh, 0, 0, 1, md), QC_E_NAK);
	sim_stop(&r);
	free(data);
}

static void test_naks_and_disconnect(void **state)
{
	static const char *const opts[] = {"fault", "nak:program:2", "fault", "nak:program-data", NULL};
	struct simrun r;
	struct qc_fh_progress pr;
	const size_t n = 8192;
	uint8_t *data = malloc(n);
	struct mem src = {data, n};

	(void)state;
	fill(data, n, 4);
	sim_start(&r, opts, NULL);
	struct qc_fh_program p = {
	    .lun = 0, .start_sector = 0, .bytes = n, .read = mem_read, .user = &src, .label = "one"};

	/* first program: data accepted, then the final NAK */
	assert_int_equal(qc_fh_program(r.fh, &p, &pr), QC_E_NAK);
	assert_int_equal(pr.bytes_sent, n);
	assert_false(pr.acked);
	assert_non_null(strstr(qc_last_error(r.ctx), "after receiving all"));
	/* second: refused before any data */
	assert_int_equal(qc_fh_program(r.fh, &p, &pr), QC_E_NAK);
	assert_int_equal(pr.bytes_sent, 0);
	/* third: fine */
	assert_int_equal(qc_fh_program(r.fh, &p, &pr), 0);
	sim_stop(&r);

	/* the device goes away in the middle of the data */
	static const char *const cut[] = {"fault", "rx:disconnect@150000", "lun-size", "16M", NULL};
	const size_t bn = 12u << 20;
	uint8_t *big = malloc(bn);
	struct mem bsrc = {big, bn};

	fill(big, bn, 5);
	sim_start(&r, cut, NULL);
	p = (struct qc_fh_program){
	    .lun = 0, .start_sector = 0, .bytes = bn, .read = mem_read, .user = &bsrc, .label = "big"};
	assert_int_equal(qc_fh_program(r.fh, &p, &pr), QC_E_DISCONNECTED);
	/* more than the link buffers, less than all of it */
	assert_true(pr.bytes_sent < bn);
	assert_false(pr.acked);
	assert_non_null(strstr(qc_last_error(r.ctx), "of 12582912 bytes were sent"));
	sim_stop(&r);
	free(data);
	free(big);
}

/* A payload size that is not a multiple of the sector (1038576, the value
 * one peer invents): raw writes go out in whole sectors below it, never
 * padded, and the data arrives intact. */
static void test_odd_payload(void **state)
{
	static const char *const opts[] = {"max-payload", "1038576", NULL};
	struct simrun r;
	const size_t n = 3u << 20;
	uint8_t *data = malloc(n), *back = malloc(n);
	struct mem src = {data, n}, dst = {back, n};

	(void)state;
	fill(data, n, 8);
	sim_start(&r, opts, NULL);
	assert_int_equal(qc_fh_get_info(r.fh)->max_payload, 1038576);
	struct qc_fh_program p = {
	    .lun = 0, .start_sector = 1, .bytes = n, .read = mem_read, .user = &src, .verify = true};

	assert_int_equal(qc_fh_program(r.fh, &p, NULL), 0);
	assert_int_equal(qc_fh_read(r.fh, 0, 1, n / 4096, mem_write, &dst, NULL), 0);
	assert_memory_equal(back, data, n);
	sim_stop(&r);
	free(data);
	free(back);
}

/* eMMC with 512-byte sectors announced as UFS: the probe finds 512 from
 * the NAK's hint. */
static void test_sector_probe(void **state)
{
	static const char *const opts[] = {"sector-size", "512", NULL};
	struct simrun r;
	uint8_t b[512];
	struct mem dst = {b, sizeof(b)};

	(void)state;
	sim_start(&r, opts, NULL);
	assert_int_equal(qc_fh_read(r.fh, 0, 0, 1, mem_write, &dst, NULL), 0);
	assert_int_equal(qc_fh_get_info(r.fh)->sector_size, 512);
	sim_stop(&r);
}

static void test_small_commands(void **state)
{
	static const char *const opts[] = {"storage-info-text", NULL, NULL};
	struct simrun r;
	struct qc_fh_storage_info si;
	uint8_t mem[40], poke[] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6};
	char bench[2048];
	uint64_t n;

	(void)state;
	sim_start(&r, NULL, NULL);
	assert_int_equal(qc_fh_storage_info(r.fh, 1, &si), 0);
	assert_true(si.json);
	assert_int_equal(si.total_blocks, 1024);
	assert_int_equal(si.block_size, 4096);
	assert_int_equal(si.num_physical, 2);
	assert_string_equal(si.mem_type, "ufs");
	assert_int_equal(qc_fh_lun_sectors(r.fh, 1, &n), 0);
	assert_int_equal(n, 1024);
	assert_int_equal(qc_fh_nop(r.fh), 0);
	assert_int_equal(qc_fh_supports(r.fh, "getsha256digest"), 1);
	assert_int_equal(qc_fh_supports(r.fh, "firmwarewrite"), 0);
	assert_int_equal(qc_fh_peek(r.fh, 0x14680000, mem, sizeof(mem)), 0);
	for (size_t i = 0; i < sizeof(mem); i++)
		assert_int_equal(mem[i], (uint8_t)(i * 7 + 3));
	assert_int_equal(qc_fh_poke(r.fh, 0x14680004, poke, sizeof(poke)), 0);
	assert_int_equal(qc_fh_peek(r.fh, 0x14680000, mem, 16), 0);
	assert_memory_equal(mem + 4, poke, sizeof(poke));
	assert_int_equal(qc_fh_peek(r.fh, 0x1000, mem, 4), QC_E_NAK);
	assert_int_equal(qc_fh_set_bootable(r.fh, 1), 0);
	assert_int_equal(qc_fh_set_bootable(r.fh, 9), QC_E_NAK);
	assert_int_equal(qc_fh_benchmark(r.fh, 1, bench, sizeof(bench)), 0);
	assert_non_null(strstr(bench, "MB/s"));
	assert_int_equal(qc_fh_power(r.fh, "sideways", 0), QC_E_INVAL);
	assert_int_equal(qc_fh_power(r.fh, "reset", 0), 0);
	sim_stop(&r);

	/* the older key: value answer */
	sim_start(&r, opts, NULL);
	assert_int_equal(qc_fh_storage_info(r.fh, 0, &si), 0);
	assert_false(si.json);
	assert_int_equal(si.total_blocks, 1024);
	assert_int_equal(si.block_size, 4096);
	assert_int_equal(si.num_physical, 2);
	assert_non_null(strstr(si.text, "Device Total Logical Blocks"));
	sim_stop(&r);
}

/* AckRawDataEveryNumPackets: the host reads an ACK after every N payloads. */
static void test_ack_every(void **state)
{
	static const char *const opts[] = {"max-payload", "16K", "xml-split", "7", "late-logs", NULL, NULL};
	struct simrun r;
	struct qc_fh_options fo = {.ack_raw_every = 2};
	const size_t n = 16384 * 5 + 4096;
	uint8_t *data = malloc(n), *back = malloc(n);
	struct mem src = {data, n}, dst = {back, n};

	(void)state;
	fill(data, n, 6);
	sim_start(&r, opts, &fo);
	struct qc_fh_program p = {
	    .lun = 0, .start_sector = 3, .bytes = n, .read = mem_read, .user = &src, .verify = true};

	assert_int_equal(qc_fh_program(r.fh, &p, NULL), 0);
	assert_int_equal(qc_fh_read(r.fh, 0, 3, n / 4096, mem_write, &dst, NULL), 0);
	assert_memory_equal(back, data, n);
	sim_stop(&r);
	free(data);
	free(back);
}

/* A sparse image: adjacent RAW and FILL chunks go out as one program,
 * DONT_CARE is never sent, and the result on the device is the expansion. */
static void test_sparse_image(void **state)
{
	struct simrun r;
	struct qc_fh_image_result ir;
	char path[128];
	qc_sparse_writer *w;
	const size_t blk = 4096;
	uint8_t *raw = malloc(3 * blk), *back = malloc(12 * blk);
	struct mem dst = {back, 12 * blk};

	(void)state;
	fill(raw, 3 * blk, 7);
	sim_start(&r, NULL, NULL);
	snprintf(path, sizeof(path), "%s/test.simg", r.dir);
	assert_int_equal(qc_sparse_writer_open(r.ctx, path, blk, 12, true, &w), 0);
	assert_int_equal(qc_sparse_writer_raw(w, raw, 2), 0);
	assert_int_equal(qc_sparse_writer_fill(w, 0xdeadbeef, 3), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 4), 0);
	assert_int_equal(qc_sparse_writer_raw(w, raw + 2 * blk, 1), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 2), 0);
	assert_int_equal(qc_sparse_writer_close(w), 0);
	/* what the device had before: a pattern the DONT_CARE blocks keep */
	struct qc_fh_program pre = {
	    .lun = 1, .start_sector = 20, .bytes = 12 * blk, .read = mem_read, .user = &(struct mem){back, 12 * blk}};

	memset(back, 0x77, 12 * blk);
	assert_int_equal(qc_fh_program(r.fh, &pre, NULL), 0);
	struct qc_fb_program img = {.xml = "",
				    .lun = 1,
				    .sector_size = 4096,
				    .start_known = true,
				    .filename = path,
				    .path = path,
				    .label = "test",
				    .sparse_attr = true,
				    .sparse = true};

	assert_int_equal(qc_fh_write_image(r.fh, &img, 20, true, &ir), 0);
	assert_int_equal(ir.programs, 2);
	assert_int_equal(ir.total_bytes, 6 * blk);
	assert_int_equal(ir.bytes_done, 6 * blk);
	assert_int_equal(ir.verified, 1);
	assert_int_equal(qc_fh_read(r.fh, 1, 20, 12, mem_write, &dst, NULL), 0);
	assert_memory_equal(back, raw, 2 * blk);
	for (size_t i = 2 * blk; i < 5 * blk; i += 4)
		assert_int_equal(back[i] | back[i + 1] << 8 | back[i + 2] << 16 | (uint32_t)back[i + 3] << 24,
				 0xdeadbeef);
	for (size_t i = 5 * blk; i < 9 * blk; i++)
		assert_int_equal(back[i], 0x77);
	assert_memory_equal(back + 9 * blk, raw + 2 * blk, blk);
	for (size_t i = 10 * blk; i < 12 * blk; i++)
		assert_int_equal(back[i], 0x77);
	unlink(path);
	sim_stop(&r);
	free(raw);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_configure_nak_retry),
	    cmocka_unit_test(test_configure_adopt_supported),
	    cmocka_unit_test(test_configure_no_size),
	    cmocka_unit_test(test_configure_refusals),
	    cmocka_unit_test(test_configure_timeout),
	    cmocka_unit_test(test_huge_answer),
	    cmocka_unit_test(test_program_read_verify),
	    cmocka_unit_test(test_verify_mismatch),
	    cmocka_unit_test(test_verify_readback),
	    cmocka_unit_test(test_naks_and_disconnect),
	    cmocka_unit_test(test_sector_probe),
	    cmocka_unit_test(test_small_commands),
	    cmocka_unit_test(test_ack_every),
	    cmocka_unit_test(test_sparse_image),
	    cmocka_unit_test(test_storage_info_attributes),
	    cmocka_unit_test(test_odd_payload),
	};

	/* a peer that went away must show up as an error, not kill the test */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
