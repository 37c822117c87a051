/* SPDX-License-Identifier: BSD-3-Clause */
/* DIAG identity parsers, NV packet codec, status names, IMEI/MEID and the
 * NV backup reader against real vectors (SDX55/RM500Q replies, the libqcdm
 * NV-read CRC), and the host library against the simulated modem. */
#include <pthread.h>
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

#include "qcbox/diag.h"
#include "qcbox/nv.h"
#include "sim.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; s[0] && s[1] && n < cap; s += 2) {
		unsigned v;

		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* VERNO reply of a Quectel RM500Q (SDX55), as published in scat's tests. */
static const char rm500q_verno[] = "004e6f76202032203230323132323a31333a31324f6374203132203230323130323a30303a303073"
				   "647835352e63702a09ff64003000cf";
/* Its EXT_BUILD_ID reply (notes §2.1). */
static const char rm500q_ext[] = "7c010000f20c00004e010000524d35303051474c41425231314130364d34470000";

static void test_version_vector(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_diag_version v;
	uint8_t rsp[64], back[64];
	size_t n = unhex(rm500q_verno, rsp, sizeof(rsp));

	(void)state;
	assert_int_equal(n, QC_DIAG_VERNO_LEN);
	assert_int_equal(qc_diag_version_parse(ctx, rsp, n, &v), 0);
	assert_string_equal(v.comp_date, "Nov  2 2021");
	assert_string_equal(v.comp_time, "22:13:12");
	assert_string_equal(v.rel_date, "Oct 12 2021");
	assert_string_equal(v.rel_time, "02:00:00");
	assert_string_equal(v.model, "sdx55.cp");
	assert_int_equal(v.scm, 0x2a);
	assert_int_equal(v.mob_cai_rev, 9);
	assert_int_equal(v.mob_model, 0xff);
	assert_int_equal(v.mob_firm_rev, 0x64);
	assert_int_equal(v.slot_cycle_index, 0x30);
	assert_int_equal(v.hw_major, 0);
	assert_int_equal(v.hw_minor, 0xcf);
	/* the simulator's encoder gives back the same bytes */
	assert_int_equal(qc_diag_version_encode(&v, back, sizeof(back)), QC_DIAG_VERNO_LEN);
	assert_memory_equal(back, rsp, QC_DIAG_VERNO_LEN);
	assert_int_equal(qc_diag_version_encode(&v, back, 54), QC_E_TOOBIG);
	/* truncated, or another command */
	assert_int_equal(qc_diag_version_parse(ctx, rsp, 54, &v), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "54 bytes"));
	rsp[0] = 0x01;
	assert_int_equal(qc_diag_version_parse(ctx, rsp, n, &v), QC_E_PROTOCOL);
	assert_int_equal(qc_diag_version_parse(ctx, rsp, 0, &v), QC_E_PROTOCOL);
	/* control bytes never reach the caller's strings */
	rsp[0] = 0;
	rsp[3] = 0x1b;
	assert_int_equal(qc_diag_version_parse(ctx, rsp, n, &v), 0);
	assert_string_equal(v.comp_date, "No?  2 2021");
	qc_ctx_free(ctx);
}

static void test_ext_build_id_vector(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_diag_ext_build_id e;
	uint8_t rsp[64], back[600];
	size_t n = unhex(rm500q_ext, rsp, sizeof(rsp));

	(void)state;
	assert_int_equal(qc_diag_ext_build_id_parse(ctx, rsp, n, &e), 0);
	assert_int_equal(e.hw_version_format, 1);
	assert_int_equal(e.msm_hw_version, 0x0cf2);
	assert_int_equal(e.mobile_model_id, 0x14e);
	assert_string_equal(e.build_id, "RM500QGLABR11A06M4G");
	assert_string_equal(e.model, "");
	assert_int_equal(qc_diag_ext_build_id_encode(&e, back, sizeof(back)), (ssize_t)n);
	assert_memory_equal(back, rsp, n);
	/* a modem that ends the packet after the build id's NUL */
	assert_int_equal(qc_diag_ext_build_id_parse(ctx, rsp, n - 1, &e), 0);
	assert_string_equal(e.model, "");
	/* a build id without its NUL is a lying length */
	assert_int_equal(qc_diag_ext_build_id_parse(ctx, rsp, n - 2, &e), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(ctx), "build id"));
	assert_int_equal(qc_diag_ext_build_id_parse(ctx, rsp, 12, &e), QC_E_PROTOCOL);
	/* a model string without its NUL at the very end is taken as is */
	strcpy(e.model, "RM500Q");
	ssize_t m = qc_diag_ext_build_id_encode(&e, back, sizeof(back));

	assert_int_equal(qc_diag_ext_build_id_parse(ctx, back, (size_t)m - 1, &e), 0);
	assert_string_equal(e.model, "RM500Q");
	qc_ctx_free(ctx);
}

static void test_esn_diag_version(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	const uint8_t esn[] = {0x01, 0x0d, 0xf0, 0xad, 0x8b};
	const uint8_t ver2[] = {0x1c, 0x08, 0x00}, ver1[] = {0x1c, 0x02};
	uint32_t e;
	uint16_t v;

	(void)state;
	assert_int_equal(qc_diag_esn_parse(ctx, esn, sizeof(esn), &e), 0);
	assert_int_equal(e, 0x8badf00d);
	assert_int_equal(qc_diag_esn_parse(ctx, esn, 4, &e), QC_E_PROTOCOL);
	assert_int_equal(qc_diag_diag_version_parse(ctx, ver2, sizeof(ver2), &v), 0);
	assert_int_equal(v, 8);
	/* the one-byte answer of some Android routers */
	assert_int_equal(qc_diag_diag_version_parse(ctx, ver1, sizeof(ver1), &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(qc_diag_diag_version_parse(ctx, ver1, 1, &v), QC_E_PROTOCOL);
	qc_ctx_free(ctx);
}

static void test_nv_status_names(void **state)
{
	static const char *const names[] = {"ok",	 "busy",      "bad_command", "full",
					    "fail",	 "inactive",  "bad_param",   "read_only",
					    "bad_target", "no_memory", "not_allocated"};

	(void)state;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(qc_nv_status_name(i), names[i]);
		assert_int_equal(qc_nv_status_from_name(names[i]), (int)i);
		assert_string_not_equal(qc_nv_status_text(i), "unknown NV status");
	}
	assert_null(qc_nv_status_name(11));
	assert_int_equal(qc_nv_status_from_name("status_12"), 12);
	assert_int_equal(qc_nv_status_from_name("status_70000"), -1);
	assert_int_equal(qc_nv_status_from_name("status_"), -1);
	assert_int_equal(qc_nv_status_from_name("never"), -1);
	assert_string_equal(qc_nv_status_text(QC_NV_NOTACTIVE), "never written");
}

static void test_nv_codec(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_nv_packet p = {.write = false, .sim = -1, .item = 178}, q;
	uint8_t buf[200];
	ssize_t n;

	(void)state;
	/* a full NV read request of item 178: libqcdm's CRC vector 0x6D69 */
	n = qc_nv_encode(&p, buf, sizeof(buf));
	assert_int_equal(n, QC_NV_PKT_LEN);
	assert_int_equal(qc_crc16_x25(buf, (size_t)n), 0x6d69);
	assert_int_equal(qc_nv_decode(ctx, buf, (size_t)n, true, &q), 0);
	assert_int_equal(q.item, 178);
	assert_int_equal(q.sim, -1);
	assert_false(q.write);
	/* the 3-byte short request qtools sends (notes §1.4: 26 B2 01 = item 434) */
	const uint8_t short_req[] = {0x26, 0xb2, 0x01};

	assert_int_equal(qc_nv_decode(ctx, short_req, 3, false, &q), 0);
	assert_int_equal(q.item, 434);
	assert_int_equal(q.status, 0);
	assert_int_equal(qc_nv_decode(ctx, short_req, 3, true, &q), QC_E_FORMAT);
	assert_int_equal(qc_nv_decode(ctx, short_req, 2, false, &q), QC_E_FORMAT);
	/* a write with status, and the per-SIM form through subsystem 0x30 */
	p = (struct qc_nv_packet){.write = true, .sim = 1, .item = 550, .status = QC_NV_READONLY};
	p.data[0] = 0x08;
	n = qc_nv_encode(&p, buf, sizeof(buf));
	assert_int_equal(n, QC_NV_SUB_PKT_LEN);
	const uint8_t hdr[] = {0x4b, 0x30, 0x02, 0x00, 0x26, 0x02, 0x01, 0x00, 0x08};

	assert_memory_equal(buf, hdr, sizeof(hdr));
	assert_int_equal(buf[n - 2], QC_NV_READONLY);
	assert_int_equal(buf[n - 1], 0);
	assert_int_equal(qc_nv_decode(ctx, buf, (size_t)n, true, &q), 0);
	assert_true(q.write);
	assert_int_equal(q.sim, 1);
	assert_int_equal(q.item, 550);
	assert_int_equal(q.status, QC_NV_READONLY);
	assert_int_equal(q.data[0], 8);
	/* too long, wrong subsystem command, not NV at all */
	assert_int_equal(qc_nv_decode(ctx, buf, (size_t)n + 1, false, &q), QC_E_FORMAT);
	buf[2] = 3;
	assert_int_equal(qc_nv_decode(ctx, buf, (size_t)n, false, &q), QC_E_PROTOCOL);
	assert_int_equal(qc_nv_decode(ctx, (const uint8_t *)"\x00", 1, false, &q), QC_E_PROTOCOL);
	assert_int_equal(qc_nv_encode(&p, buf, QC_NV_SUB_PKT_LEN - 1), QC_E_TOOBIG);
	qc_ctx_free(ctx);
}

static void test_imei(void **state)
{
	/* 08 3A: length 8, first digit 3 with type nibble A (IMEI, odd) */
	const uint8_t nv[QC_NV_DATA_LEN] = {0x08, 0x3a, 0x95, 0x88, 0x21, 0x43, 0x65, 0x87, 0x09};
	uint8_t enc[QC_IMEI_NV_LEN], bad[QC_NV_DATA_LEN];
	char out[17];

	(void)state;
	assert_int_equal(qc_imei_decode(nv, sizeof(nv), out), 15);
	assert_string_equal(out, "359881234567890");
	assert_int_equal(qc_imei_encode("359881234567890", enc), 0);
	assert_memory_equal(enc, nv, sizeof(enc));
	assert_int_equal(qc_imei_encode("490154203237518", enc), 0);
	assert_int_equal(qc_imei_decode(enc, sizeof(enc), out), 15);
	assert_string_equal(out, "490154203237518");
	assert_true(qc_imei_luhn_ok("490154203237518"));
	assert_false(qc_imei_luhn_ok("359881234567890"));
	assert_false(qc_imei_luhn_ok("49015420323751"));
	/* bad input to the encoder */
	assert_int_equal(qc_imei_encode("35988123456789", enc), QC_E_INVAL);
	assert_int_equal(qc_imei_encode("3598812345678901", enc), QC_E_INVAL);
	assert_int_equal(qc_imei_encode("35988123456789x", enc), QC_E_INVAL);
	/* unset items */
	memset(bad, 0, sizeof(bad));
	assert_int_equal(qc_imei_decode(bad, sizeof(bad), out), 0);
	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(qc_imei_decode(bad, sizeof(bad), out), 0);
	/* wrong length byte, wrong type/parity nibble, a non-decimal digit, short */
	memcpy(bad, nv, sizeof(bad));
	bad[0] = 9;
	assert_int_equal(qc_imei_decode(bad, sizeof(bad), out), QC_E_FORMAT);
	memcpy(bad, nv, sizeof(bad));
	bad[1] = 0x32; /* type IMEI but even: not 15 digits */
	assert_int_equal(qc_imei_decode(bad, sizeof(bad), out), QC_E_FORMAT);
	memcpy(bad, nv, sizeof(bad));
	bad[5] = 0x4c;
	assert_int_equal(qc_imei_decode(bad, sizeof(bad), out), QC_E_FORMAT);
	assert_int_equal(qc_imei_decode(nv, 8, out), QC_E_FORMAT);
}

static void test_meid(void **state)
{
	const uint8_t nv[8] = {0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0xa0, 0x00};
	uint8_t enc[8], bad[8];
	char out[15];

	(void)state;
	assert_int_equal(qc_meid_decode(nv, sizeof(nv), out), 14);
	assert_string_equal(out, "A0000012345678");
	assert_int_equal(qc_meid_encode("a0000012345678", enc), 0);
	assert_memory_equal(enc, nv, 8);
	assert_int_equal(qc_meid_encode("A000001234567", enc), QC_E_INVAL);
	assert_int_equal(qc_meid_encode("A000001234567G", enc), QC_E_INVAL);
	memset(bad, 0, sizeof(bad));
	assert_int_equal(qc_meid_decode(bad, sizeof(bad), out), 0);
	memcpy(bad, nv, 8);
	bad[7] = 1; /* more than 56 bits */
	assert_int_equal(qc_meid_decode(bad, sizeof(bad), out), QC_E_FORMAT);
	assert_int_equal(qc_meid_decode(nv, 7, out), QC_E_FORMAT);
}

static void test_item_names(void **state)
{
	(void)state;
	assert_int_equal(qc_nv_item_lookup("imei"), 550);
	assert_int_equal(qc_nv_item_lookup("IMEI"), 550);
	assert_int_equal(qc_nv_item_lookup("ue_imei"), 550);
	assert_int_equal(qc_nv_item_lookup("NV_UE_IMEI_I"), 550);
	assert_int_equal(qc_nv_item_lookup("550"), 550);
	assert_int_equal(qc_nv_item_lookup("0x226"), 550);
	assert_int_equal(qc_nv_item_lookup("meid"), 1943);
	assert_int_equal(qc_nv_item_lookup("spc"), 85);
	assert_int_equal(qc_nv_item_lookup("sec_code"), 85);
	assert_int_equal(qc_nv_item_lookup("band_pref"), 441);
	assert_int_equal(qc_nv_item_lookup("70000"), QC_E_NOTFOUND);
	assert_int_equal(qc_nv_item_lookup("12abc"), QC_E_NOTFOUND);
	assert_int_equal(qc_nv_item_lookup("no_such_item"), QC_E_NOTFOUND);
	assert_int_equal(qc_nv_item_lookup("imei_i"), QC_E_NOTFOUND);
	assert_int_equal(qc_nv_item_lookup(""), QC_E_NOTFOUND);
	const struct qc_nv_item_info *i = qc_nv_item_info(550);

	assert_non_null(i);
	assert_string_equal(i->name, "ue_imei");
	assert_int_equal(i->sub, 2);
	assert_non_null(qc_nv_item_info(178));
	assert_int_equal(qc_nv_item_info(178)->nam, 2);
	assert_true(qc_nv_item_info(85)->flags & QC_NV_FLAG_SPCR);
	assert_null(qc_nv_item_info(551));
	/* the table is sorted, so lookups by number are binary searches */
	for (size_t k = 1; k < qc_nv_item_count(); k++)
		assert_true(qc_nv_item_at(k - 1)->item < qc_nv_item_at(k)->item);
	assert_null(qc_nv_item_at(qc_nv_item_count()));
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_int_equal(qc_diag_mode_from_name("offline"), QC_DIAG_MODE_OFFLINE_D);
	assert_int_equal(qc_diag_mode_from_name("online"), QC_DIAG_MODE_ONLINE);
	assert_int_equal(qc_diag_mode_from_name("reset"), QC_DIAG_MODE_RESET);
	assert_int_equal(qc_diag_mode_from_name("ftm"), QC_DIAG_MODE_FTM);
	assert_int_equal(qc_diag_mode_from_name("lpm"), QC_DIAG_MODE_LPM);
	assert_int_equal(qc_diag_mode_from_name("poweroff"), QC_DIAG_MODE_POWER_OFF);
	assert_int_equal(qc_diag_mode_from_name("sleep"), -1);
	assert_string_equal(qc_diag_mode_name(QC_DIAG_MODE_OFFLINE_D), "offline");
	assert_null(qc_diag_mode_name(7));
}

/* ----- NV backup reader ----- */

static int parse(const char *doc, struct qc_nv_entry **e, size_t *n, qc_ctx *ctx)
{
	return qc_nv_backup_parse(ctx, "t.json", doc, strlen(doc), e, n);
}

static void test_backup_parse(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_nv_entry *e;
	size_t n;
	const char *good = "{\"format\":\"qcbox-nv-backup\",\"version\":1,\"items\":["
			   "{\"item\":441,\"status\":\"ok\",\"data\":\"0102FF\"},"
			   "{\"item\":178,\"index\":1,\"status\":\"ok\",\"data\":\"01\"},"
			   "{\"item\":550,\"sim\":1,\"status\":\"inactive\"},"
			   "{\"item\":85,\"status\":\"denied\",\"reply\":\"0x42\"},"
			   "{\"item\":9,\"status\":\"status_12\",\"extra\":true}]}  \n";

	(void)state;
	assert_int_equal(parse(good, &e, &n, ctx), 0);
	assert_int_equal(n, 5);
	assert_int_equal(e[0].item, 441);
	assert_int_equal(e[0].status, QC_NV_DONE);
	assert_int_equal(e[0].len, 3);
	assert_int_equal(e[0].data[2], 0xff);
	assert_int_equal(e[0].index, -1);
	assert_int_equal(e[0].sim, -1);
	assert_int_equal(e[1].index, 1);
	assert_int_equal(e[2].sim, 1);
	assert_int_equal(e[2].status, QC_NV_NOTACTIVE);
	assert_int_equal(e[3].status, QC_NV_DENIED);
	assert_int_equal(e[4].status, 12);
	free(e);
	assert_int_equal(parse("{\"items\":[]}", &e, &n, ctx), 0);
	assert_int_equal(n, 0);
	free(e);

	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{"", "not valid JSON"},
		{"{\"items\":[", "not valid JSON"},
		{"{\"items\":[]} x", "after the JSON document"},
		{"[]", "JSON object"},
		{"{}", "no \"items\" array"},
		{"{\"items\":{}}", "no \"items\" array"},
		{"{\"format\":\"qcn\",\"items\":[]}", "\"format\""},
		{"{\"version\":2,\"items\":[]}", "version"},
		{"{\"items\":[1]}", "entry #1: not an object"},
		{"{\"items\":[{\"status\":\"ok\"}]}", "no \"item\""},
		{"{\"items\":[{\"item\":\"441\",\"status\":\"ok\"}]}", "not an integer"},
		{"{\"items\":[{\"item\":70000,\"status\":\"ok\"}]}", "0 to 65535"},
		{"{\"items\":[{\"item\":1.5,\"status\":\"ok\"}]}", "not an integer"},
		{"{\"items\":[{\"item\":1,\"index\":256,\"status\":\"inactive\"}]}", "\"index\""},
		{"{\"items\":[{\"item\":1}]}", "no \"status\""},
		{"{\"items\":[{\"item\":1,\"status\":5}]}", "not a string"},
		{"{\"items\":[{\"item\":1,\"status\":\"great\"}]}", "unknown status"},
		{"{\"items\":[{\"item\":1,\"status\":\"ok\"}]}", "no \"data\""},
		{"{\"items\":[{\"item\":1,\"status\":\"ok\",\"data\":\"012\"}]}", "odd number"},
		{"{\"items\":[{\"item\":1,\"status\":\"ok\",\"data\":\"\"}]}", "empty"},
		{"{\"items\":[{\"item\":1,\"status\":\"ok\",\"data\":\"0g\"}]}", "not hex"},
		{"{\"items\":[{\"item\":1,\"status\":\"ok\",\"data\":7}]}", "not a string"},
		{"{\"items\":[{\"item\":1,\"status\":\"inactive\"},{\"item\":2,\"status\":\"inactive\"},"
		 "{\"item\":1,\"status\":\"inactive\"}]}",
		 "entries #1 and #3 are both NV item 1"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].doc, &e, &n, ctx), QC_E_FORMAT);
		assert_null(e);
		if (!strstr(qc_last_error(ctx), bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, qc_last_error(ctx), bad[i].msg);
		assert_non_null(strstr(qc_last_error(ctx), "t.json"));
	}
	/* 129 bytes of data */
	char big[400];

	snprintf(big, sizeof(big), "{\"items\":[{\"item\":1,\"status\":\"ok\",\"data\":\"");
	for (int i = 0; i < 129; i++)
		strcat(big, "ab");
	strcat(big, "\"}]}");
	assert_int_equal(parse(big, &e, &n, ctx), QC_E_FORMAT);
	assert_non_null(strstr(qc_last_error(ctx), "129 bytes"));
	/* a missing file */
	assert_int_equal(qc_nv_backup_load(ctx, "/nonexistent/nv.json", &e, &n), QC_E_NOTFOUND);
	assert_non_null(strstr(qc_last_error(ctx), "/nonexistent/nv.json"));
	qc_ctx_free(ctx);
}

/* ----- the host library against the simulated modem, in one process ----- */

struct simrun {
	struct qcsim *sim;
	char spec[256];
	int rc;
};

static void *sim_thread(void *arg)
{
	struct simrun *r = arg;

	r->rc = qcsim_listen_and_serve(r->sim, r->spec);
	return NULL;
}

static int connect_diag(qc_ctx *ctx, const char *spec, qc_transport **t, qc_diag **d)
{
	for (int i = 0; i < 400; i++) {
		if (qc_transport_open(ctx, spec, t) == 0)
			return qc_diag_open(*t, d);
		usleep(5000);
	}
	return QC_E_NODEV;
}

static void test_against_sim(void **state)
{
	char dir[] = "/tmp/qcbox-diag-unit.XXXXXX", path[256];
	struct simrun r = {0};
	qc_ctx *ctx = qc_ctx_new();
	struct qc_diag_info info;
	uint8_t data[QC_NV_DATA_LEN], reply;
	uint16_t status;
	qc_transport *t;
	qc_diag *d;
	pthread_t th;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(r.spec, sizeof(r.spec), "unix:%s/s.sock", dir);
	r.sim = qcsim_new();
	assert_int_equal(qcsim_set_option(r.sim, "mode", "diag"), 0);
	assert_int_equal(qcsim_set_option(r.sim, "imei", "490154203237518"), 0);
	assert_int_equal(qcsim_set_option(r.sim, "esn", "8badf00d"), 0);
	assert_int_equal(qcsim_set_option(r.sim, "meid", "A0000012345678"), 0);
	assert_int_equal(qcsim_set_option(r.sim, "model", "UNITMODEL1"), 0);
	assert_int_equal(qcsim_set_option(r.sim, "build-id", "UNIT.BUILD-1"), 0);
	assert_int_equal(qcsim_set_option(r.sim, "spc", "314159"), 0);
	assert_int_equal(pthread_create(&th, NULL, sim_thread, &r), 0);
	qc_set_timeout(ctx, 2000);
	assert_int_equal(connect_diag(ctx, r.spec, &t, &d), 0);

	assert_int_equal(qc_diag_get_info(d, &info), 0);
	assert_string_equal(info.version.model, "UNITMODE");
	assert_true(info.have_ext);
	assert_string_equal(info.ext.model, "UNITMODEL1");
	assert_string_equal(info.ext.build_id, "UNIT.BUILD-1");
	assert_true(info.have_esn);
	assert_int_equal(info.esn, 0x8badf00d);
	assert_true(info.have_imei);
	assert_string_equal(info.imei, "490154203237518");
	assert_false(info.have_imei2);
	assert_true(info.have_meid);
	assert_string_equal(info.meid, "A0000012345678");

	/* NV round trip; an item never written is inactive */
	const uint8_t val[] = {1, 2, 3, 4, 5};

	assert_int_equal(qc_nv_write(d, -1, 441, val, sizeof(val), &status, &reply), 0);
	assert_int_equal(status, QC_NV_DONE);
	assert_int_equal(qc_nv_read(d, -1, 441, NULL, 0, data, &status, &reply), 0);
	assert_int_equal(status, QC_NV_DONE);
	assert_memory_equal(data, val, sizeof(val));
	assert_int_equal(qc_nv_read(d, -1, 6, NULL, 0, data, &status, &reply), 0);
	assert_int_equal(status, QC_NV_NOTACTIVE);
	/* the ESN is write-once */
	assert_int_equal(qc_nv_write(d, -1, 0, val, 4, &status, &reply), 0);
	assert_int_equal(status, QC_NV_READONLY);
	/* keys are never readable */
	assert_int_equal(qc_nv_read(d, -1, 25, NULL, 0, data, &status, &reply), QC_E_NAK);
	assert_int_equal(reply, QC_DIAG_BAD_PARM);

	/* SPC lock: protected items refused, three wrong codes lock it out */
	const uint8_t mdn[] = {0, '5', '5', '5'};

	assert_int_equal(qc_nv_write(d, -1, 178, mdn, sizeof(mdn), &status, &reply), QC_E_NAK);
	assert_int_equal(reply, QC_DIAG_BAD_SPC_MODE);
	assert_int_equal(qc_diag_spc(d, "12345"), QC_E_INVAL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(qc_diag_spc(d, "000000"), QC_E_PERM);
	assert_int_equal(qc_diag_spc(d, "314159"), QC_E_PERM);
	assert_int_equal(qc_nv_write(d, -1, 178, mdn, sizeof(mdn), &status, &reply), QC_E_NAK);

	/* a reset is refused while online; set_mode goes offline first and
	 * the phone then re-enumerates */
	assert_int_equal(qc_diag_control(d, QC_DIAG_MODE_RESET), QC_E_NAK);
	assert_non_null(strstr(qc_last_error(ctx), "0x18"));
	assert_int_equal(qc_diag_set_mode(d, QC_DIAG_MODE_RESET), 0);
	qc_diag_close(d);
	qc_transport_close(t);

	/* after the reset: locked again, but the SPC is accepted, NV kept */
	assert_int_equal(connect_diag(ctx, r.spec, &t, &d), 0);
	assert_int_equal(qc_diag_spc(d, "314159"), 0);
	assert_int_equal(qc_nv_write(d, -1, 178, mdn, sizeof(mdn), &status, &reply), 0);
	assert_int_equal(status, QC_NV_DONE);
	assert_int_equal(qc_nv_read(d, -1, 441, NULL, 0, data, &status, &reply), 0);
	assert_memory_equal(data, val, sizeof(val));
	/* the NAM-indexed item: index 1 is separate from index 0 */
	const uint8_t idx1 = 1;

	assert_int_equal(qc_nv_read(d, -1, 178, &idx1, 1, data, &status, &reply), 0);
	assert_int_equal(status, QC_NV_NOTACTIVE);
	assert_int_equal(qc_nv_read(d, -1, 178, NULL, 0, data, &status, &reply), 0);
	assert_int_equal(status, QC_NV_DONE);
	assert_memory_equal(data, mdn, sizeof(mdn));
	/* per-SIM: the second subscription, and one the phone lacks */
	assert_int_equal(qc_nv_read(d, 1, 550, NULL, 0, data, &status, &reply), 0);
	assert_int_equal(status, QC_NV_NOTACTIVE);
	assert_int_equal(qc_nv_read(d, 5, 550, NULL, 0, data, &status, &reply), QC_E_NAK);
	/* modes */
	assert_int_equal(qc_diag_set_mode(d, QC_DIAG_MODE_FTM), 0);
	assert_int_equal(qc_diag_set_mode(d, QC_DIAG_MODE_ONLINE), 0);
	qc_diag_close(d);
	qc_transport_close(t);
	pthread_join(th, NULL);
	assert_int_equal(r.rc, 0);
	qcsim_free(r.sim);
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	unlink(path);
	rmdir(dir);
	qc_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_vector), cmocka_unit_test(test_ext_build_id_vector),
		cmocka_unit_test(test_esn_diag_version), cmocka_unit_test(test_nv_status_names),
		cmocka_unit_test(test_nv_codec),	 cmocka_unit_test(test_imei),
		cmocka_unit_test(test_meid),		 cmocka_unit_test(test_item_names),
		cmocka_unit_test(test_mode_names),	 cmocka_unit_test(test_backup_parse),
		cmocka_unit_test(test_against_sim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
