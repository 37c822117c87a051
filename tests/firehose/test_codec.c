/* SPDX-License-Identifier: BSD-3-Clause */
/* Firehose wire codec: document framing and parsing against answers real
 * programmers send (quoted in the protocol notes), and the builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qcbox/firehose.h"

/* A configure ACK as an MSM8953 DDR programmer sends it. */
static const char ack_8953[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<data>\n<response value=\"ACK\" MinVersionSupported=\"1\" "
    "MemoryName=\"eMMC\" MaxPayloadSizeFromTargetInBytes=\"4096\" MaxPayloadSizeToTargetInBytes=\"1048576\" "
    "MaxPayloadSizeToTargetInBytesSupported=\"1048576\" MaxXMLSizeInBytes=\"4096\" Version=\"1\" "
    "TargetName=\"8953\" />\n</data>";
/* SDM660-era programmers pretty-print, one attribute per line. */
static const char pretty_log[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<data>\n  <log\n    value=\"INFO: "
				 "Calling handler for configure\"\n  />\n</data>\n";
static const char nak_payload[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><data><response value=\"NAK\" MaxPayloadSizeToTargetInBytes="
    "\"131072\" MaxPayloadSizeToTargetInBytesSupported=\"131072\" /></data>";

static void feed(struct qc_fh_framer *f, const void *p, size_t n)
{
	size_t room;
	uint8_t *space = qc_fh_framer_space(f, &room);

	assert_true(room >= n);
	memcpy(space, p, n);
	qc_fh_framer_fill(f, n);
}

static void test_parse_configure_ack(void **state)
{
	struct qc_fh_doc d = {0};
	uint64_t v;
	qc_ctx *ctx = qc_ctx_new();

	(void)state;
	assert_int_equal(qc_fh_doc_parse(ctx, ack_8953, strlen(ack_8953), &d), 0);
	assert_int_equal(d.nelem, 1);
	assert_string_equal(d.elem[0].tag, "response");
	assert_string_equal(qc_fh_attr(&d.elem[0], "value"), "ACK");
	/* attribute names are matched without regard to case */
	assert_string_equal(qc_fh_attr(&d.elem[0], "targetname"), "8953");
	assert_int_equal(qc_fh_attr_u64(&d.elem[0], "MaxPayloadSizeToTargetInBytesSupported", &v), 1);
	assert_int_equal(v, 1048576);
	assert_int_equal(qc_fh_attr_u64(&d.elem[0], "MaxPayloadSizeFromTargetInBytes", &v), 1);
	assert_int_equal(v, 4096);
	assert_int_equal(qc_fh_attr_u64(&d.elem[0], "NoSuchAttribute", &v), 0);
	assert_int_equal(qc_fh_attr_u64(&d.elem[0], "MemoryName", &v), QC_E_FORMAT);
	assert_int_equal(qc_fh_doc_parse(ctx, pretty_log, strlen(pretty_log), &d), 0);
	assert_int_equal(d.nelem, 1);
	assert_string_equal(d.elem[0].tag, "log");
	assert_string_equal(qc_fh_attr(&d.elem[0], "value"), "INFO: Calling handler for configure");
	qc_fh_doc_free(&d);
	qc_ctx_free(ctx);
}

static void test_parse_refuses(void **state)
{
	static const char *bad[] = {
	    "<?xml version=\"1.0\" ?><data><response value=\"ACK\" rawmode=</data>",
	    "<?xml version=\"1.0\" ?><notdata><response value=\"ACK\"/></notdata>",
	    ("<?xml version=\"1.0\"?><!DOCTYPE data [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
	     "<data><log value=\"&b;&b;&b;\"/></data>"),
	    "<?xml version=\"1.0\" ?><data><log value=\"unterminated/></data>",
	    "",
	};
	struct qc_fh_doc d = {0};
	qc_ctx *ctx = qc_ctx_new();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		qc_clear_error(ctx);
		assert_int_equal(qc_fh_doc_parse(ctx, bad[i], strlen(bad[i]), &d), QC_E_PROTOCOL);
		assert_int_equal(d.nelem, 0);
		assert_true(strlen(qc_last_error(ctx)) > 10);
	}
	/* the DTD is refused by name */
	qc_fh_doc_parse(ctx, bad[2], strlen(bad[2]), &d);
	assert_non_null(strstr(qc_last_error(ctx), "DTD"));
	qc_fh_doc_free(&d);
	qc_ctx_free(ctx);
}

/* Logs and a response in one read, then a document split byte by byte. */
static void test_framer_several_and_split(void **state)
{
	struct qc_fh_framer f;
	char stream[2048];
	const char *doc;
	size_t len;
	int n;

	(void)state;
	assert_int_equal(qc_fh_framer_init(&f, 4096, 512), 0);
	n = snprintf(stream, sizeof(stream), "%s%s\r\n%s", pretty_log, ack_8953, nak_payload);
	feed(&f, stream, (size_t)n);
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 1);
	assert_int_equal(len, strlen(pretty_log) - 1); /* the trailing newline is not part of it */
	assert_memory_equal(doc, pretty_log, len);
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 1);
	assert_int_equal(len, strlen(ack_8953));
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 1);
	assert_memory_equal(doc, nak_payload, len);
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 0);
	assert_int_equal(qc_fh_framer_pending(&f), 0);

	/* one byte at a time, the end tag itself split */
	for (size_t i = 0; i < strlen(ack_8953); i++) {
		assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 0);
		feed(&f, ack_8953 + i, 1);
	}
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 1);
	assert_int_equal(len, strlen(ack_8953));
	qc_fh_framer_free(&f);
}

/* Raw sector data right behind a rawmode response stays queued for take. */
static void test_framer_raw_after_response(void **state)
{
	static const char resp[] = "<?xml version=\"1.0\" ?><data><response value=\"ACK\" rawmode=\"true\" /></data>";
	struct qc_fh_framer f;
	uint8_t raw[300], out[300];
	const char *doc;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 13);
	raw[0] = 0x00; /* raw data may start with anything */
	assert_int_equal(qc_fh_framer_init(&f, 4096, 4096), 0);
	feed(&f, resp, strlen(resp));
	feed(&f, raw, sizeof(raw));
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 1);
	assert_int_equal(qc_fh_framer_pending(&f), sizeof(raw));
	assert_int_equal(qc_fh_framer_take(&f, out, 100), 100);
	assert_int_equal(qc_fh_framer_take(&f, out + 100, 1000), 200);
	assert_memory_equal(out, raw, sizeof(raw));
	qc_fh_framer_free(&f);
}

/* Unterminated documents are refused at the bound, garbage is reported. */
static void test_framer_bounds(void **state)
{
	struct qc_fh_framer f;
	char big[600];
	const char *doc;
	size_t len, n;
	const uint8_t *p;

	(void)state;
	assert_int_equal(qc_fh_framer_init(&f, 512, 256), 0);
	memset(big, 'x', sizeof(big));
	memcpy(big, "<?xml version=\"1.0\" ?><data><log value=\"", 40);
	feed(&f, big, 300);
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 0);
	feed(&f, big + 300, 212);
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), QC_E_TOOBIG);
	qc_fh_framer_reset(&f);

	feed(&f, "\x01\x00\x00\x00\x30\x00\x00\x00", 8);
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), QC_E_PROTOCOL);
	p = qc_fh_framer_peek(&f, &n);
	assert_int_equal(n, 8);
	assert_int_equal(p[4], 0x30);
	qc_fh_framer_reset(&f);
	/* whitespace and NULs between documents are skipped */
	feed(&f, "\n\0 \t", 4);
	feed(&f, nak_payload, strlen(nak_payload));
	assert_int_equal(qc_fh_framer_next(&f, &doc, &len), 1);
	qc_fh_framer_free(&f);
}

static void test_builder_escapes(void **state)
{
	char buf[512], small[60];
	struct qc_fh_xml x;
	struct qc_fh_doc d = {0};
	qc_ctx *ctx = qc_ctx_new();
	int n;

	(void)state;
	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "log");
	qc_fh_xml_attr(&x, "value", "a<b & \"c\" > d\nline\x01");
	qc_fh_xml_elem(&x, "response");
	qc_fh_xml_attrf(&x, "value", "%s", "ACK");
	qc_fh_xml_attrf(&x, "MaxPayloadSizeToTargetInBytes", "%u", 1048576u);
	n = qc_fh_xml_finish(&x);
	assert_true(n > 0);
	assert_int_equal(strlen(buf), (size_t)n);
	assert_int_equal(qc_fh_doc_parse(ctx, buf, (size_t)n, &d), 0);
	assert_int_equal(d.nelem, 2);
	assert_string_equal(qc_fh_attr(&d.elem[0], "value"), "a<b & \"c\" > d\nline");
	assert_string_equal(qc_fh_attr(&d.elem[1], "value"), "ACK");
	qc_fh_xml_begin(&x, small, sizeof(small));
	qc_fh_xml_elem(&x, "program");
	qc_fh_xml_attr(&x, "label", "a label that does not fit in sixty bytes at all");
	assert_int_equal(qc_fh_xml_finish(&x), QC_E_TOOBIG);
	qc_fh_doc_free(&d);
	qc_ctx_free(ctx);
}

static void test_numbers_and_targets(void **state)
{
	struct qc_fh_target t;
	uint64_t v;
	qc_ctx *ctx = qc_ctx_new();

	(void)state;
	assert_int_equal(qc_fh_parse_u64("131072", &v), 0);
	assert_int_equal(v, 131072);
	assert_int_equal(qc_fh_parse_u64("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(qc_fh_parse_u64("34.", &v), 0); /* ptool's decimal dot */
	assert_int_equal(v, 34);
	assert_int_equal(qc_fh_parse_u64("-1", &v), QC_E_FORMAT);
	assert_int_equal(qc_fh_parse_u64("12abc", &v), QC_E_FORMAT);
	assert_int_equal(qc_fh_parse_u64("99999999999999999999999", &v), QC_E_FORMAT);

	assert_int_equal(qc_fh_target_parse(ctx, "boot_a", &t), 0);
	assert_int_equal(t.lun, -1);
	assert_string_equal(t.name, "boot_a");
	assert_int_equal(qc_fh_target_parse(ctx, "4/xbl_a", &t), 0);
	assert_int_equal(t.lun, 4);
	assert_string_equal(t.name, "xbl_a");
	assert_int_equal(qc_fh_target_parse(ctx, "0/6+1024", &t), 0);
	assert_true(t.has_count);
	assert_int_equal(t.start, 6);
	assert_int_equal(t.count, 1024);
	assert_int_equal(qc_fh_target_parse(ctx, "2/100", &t), 0);
	assert_false(t.has_count);
	assert_int_equal(t.start, 100);
	assert_string_equal(t.name, "");
	assert_int_equal(qc_fh_target_parse(ctx, "3", &t), 0);
	assert_int_equal(t.lun, 3);
	assert_int_equal(qc_fh_target_parse(ctx, "0/6+0", &t), QC_E_INVAL);
	assert_int_equal(qc_fh_target_parse(ctx, "x/6+1", &t), QC_E_INVAL);
	assert_int_equal(qc_fh_target_parse(ctx, "0/6+zz", &t), QC_E_INVAL);
	assert_int_equal(qc_fh_target_parse(ctx, "999/boot", &t), QC_E_INVAL);
	assert_int_equal(qc_fh_target_parse(ctx, "0/18446744073709551615+2", &t), QC_E_INVAL);
	assert_int_equal(qc_fh_target_parse(ctx, "", &t), QC_E_INVAL);
	assert_int_equal(qc_fh_target_parse(ctx, "1/", &t), QC_E_INVAL);
	qc_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_configure_ack),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_framer_several_and_split),
	    cmocka_unit_test(test_framer_raw_after_response),
	    cmocka_unit_test(test_framer_bounds),
	    cmocka_unit_test(test_builder_escapes),
	    cmocka_unit_test(test_numbers_and_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
