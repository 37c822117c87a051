/* SPDX-License-Identifier: BSD-3-Clause */
/* USB identities without any device: which devices are ours and in which
 * mode, which interface to use, the serial number, the probe verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/lib/usb/usb_impl.h"

static void test_serial(void **state)
{
	char out[64];

	(void)state;
	/* EDL product strings carry the chip serial in the SN field. */
	qc_usb_serial_from("QUSB__BULK_CID:0402_SN:8C2A5B39", NULL, out, sizeof(out));
	assert_string_equal(out, "8C2A5B39");
	qc_usb_serial_from("QUSB__BULK_SN:0A1B2C3D_X", "ignored", out, sizeof(out));
	assert_string_equal(out, "0A1B2C3D");
	/* "SN:" inside another field is not the field */
	qc_usb_serial_from("QUSB__BULK_CSN:1234", "abc", out, sizeof(out));
	assert_string_equal(out, "abc");
	/* no SN field, or an empty one: iSerialNumber */
	qc_usb_serial_from("Qualcomm HS-USB Diagnostics 900E", " a1b2c3d4 \n", out, sizeof(out));
	assert_string_equal(out, "a1b2c3d4");
	qc_usb_serial_from("X_SN:", "zz", out, sizeof(out));
	assert_string_equal(out, "zz");
	qc_usb_serial_from(NULL, NULL, out, sizeof(out));
	assert_string_equal(out, "");
	/* non-printable bytes cannot reach a terminal or JSON raw */
	qc_usb_serial_from(NULL,
			   "a\x01"
			   "b",
			   out, sizeof(out));
	assert_string_equal(out, "a?b");
	/* truncated to the buffer */
	qc_usb_serial_from("Q_SN:123456789", NULL, out, 5);
	assert_string_equal(out, "1234");
}

static void test_choose(void **state)
{
	struct qc_usb_iface edl[] = {{.number = 0, .subclass = 0xff, .protocol = 0xff}};
	struct qc_usb_iface comp[] = {{.number = 0, .subclass = 0xff, .protocol = 0xff},
				      {.number = 3, .subclass = 0xff, .protocol = 0x30}};
	struct qc_usb_iface newedl[] = {{.number = 0, .subclass = 0xff, .protocol = 0x42},
					{.number = 1, .subclass = 0xff, .protocol = 0x10}};
	enum qc_usb_mode m;

	(void)state;
	assert_int_equal(qc_usb_choose(0x05c6, 0x9008, "QUSB__BULK", edl, 1, &m), 0);
	assert_int_equal(m, QC_USB_MODE_SAHARA);
	assert_int_equal(qc_usb_choose(0x0fce, 0xade5, NULL, edl, 1, &m), 0);
	assert_int_equal(m, QC_USB_MODE_SAHARA);
	assert_int_equal(qc_usb_choose(0x05c6, 0x900e, "Qualcomm HS-USB Diagnostics", edl, 1, &m), 0);
	assert_int_equal(m, QC_USB_MODE_DIAG);
	assert_int_equal(qc_usb_choose(0x05c6, 0x900e, "QHSUSB__DLOAD", edl, 1, &m), 0);
	assert_int_equal(m, QC_USB_MODE_SAHARA);
	/* the DIAG function, wherever it is */
	assert_int_equal(qc_usb_choose(0x05c6, 0x9091, "Phone", comp, 2, &m), 1);
	assert_int_equal(m, QC_USB_MODE_DIAG);
	assert_int_equal(qc_usb_choose(0x05c6, 0x9025, "Phone", comp, 2, &m), 1);
	/* unlisted Qualcomm PID: only an EDL protocol number makes it ours */
	assert_int_equal(qc_usb_choose(0x05c6, 0x1234, NULL, newedl, 2, &m), 1);
	assert_int_equal(m, QC_USB_MODE_SAHARA);
	assert_int_equal(qc_usb_choose(0x05c6, 0x9092, "Modem", edl, 1, &m), -1);
	/* other vendors' devices, and devices without vendor interfaces */
	assert_int_equal(qc_usb_choose(0x18d1, 0x4ee7, "Pixel", comp, 2, &m), -1);
	assert_int_equal(qc_usb_choose(0x05c6, 0x9008, NULL, edl, 0, &m), -1);
}

static void test_classify(void **state)
{
	/* HELLO: command 1, length 0x30, version 2, compatible 1, 0x400, mode 0 */
	static const uint8_t hello[48] = {1, 0, 0, 0, 0x30, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 4};
	/* END_IMAGE_TX for image 0x0d, status 1 */
	static const uint8_t end[16] = {4, 0, 0, 0, 0x10, 0, 0, 0, 0x0d, 0, 0, 0, 1};
	static const char xml[] = "\n<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<data><log value=\"x\"/></data>";
	/* 0x02 ACK with its CRC-16/X-25 (0xd36a), with and without a leading flag */
	static const uint8_t ack[] = {0x7e, 0x02, 0x6a, 0xd3, 0x7e};
	static const uint8_t serr[] = {0x0d, 0x05, 0, 0, 0, 0x7e};
	static const uint8_t diag_bad[] = {0x13, 0x06, 0x00, 0x00, 0x7e};

	(void)state;
	assert_int_equal(qc_usb_classify_reply(hello, sizeof(hello), false), QC_USB_MODE_SAHARA);
	assert_int_equal(qc_usb_classify_reply(end, sizeof(end), true), QC_USB_MODE_SAHARA);
	assert_int_equal(qc_usb_classify_reply(hello, 7, false), QC_USB_MODE_UNKNOWN);
	assert_int_equal(qc_usb_classify_reply((const uint8_t *)xml, strlen(xml), false), QC_USB_MODE_FIREHOSE);
	assert_int_equal(qc_usb_classify_reply((const uint8_t *)"<log value", 10, true), QC_USB_MODE_FIREHOSE);
	assert_int_equal(qc_usb_classify_reply(ack, sizeof(ack), true), QC_USB_MODE_DLOAD);
	assert_int_equal(qc_usb_classify_reply(ack + 1, sizeof(ack) - 1, true), QC_USB_MODE_DLOAD);
	/* an HDLC reply that was not asked for tells nothing */
	assert_int_equal(qc_usb_classify_reply(ack, sizeof(ack), false), QC_USB_MODE_UNKNOWN);
	assert_int_equal(qc_usb_classify_reply(serr, sizeof(serr), true), QC_USB_MODE_SDLOAD);
	/* a DIAG modem answers "bad command": not one of the download modes */
	assert_int_equal(qc_usb_classify_reply(diag_bad, sizeof(diag_bad), true), QC_USB_MODE_UNKNOWN);
	assert_int_equal(qc_usb_classify_reply(NULL, 0, true), QC_USB_MODE_UNKNOWN);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(qc_usb_mode_name(QC_USB_MODE_SAHARA), "sahara");
	assert_string_equal(qc_usb_mode_name(QC_USB_MODE_FIREHOSE), "firehose");
	assert_string_equal(qc_usb_mode_name(QC_USB_MODE_DIAG), "diag");
	assert_string_equal(qc_usb_mode_name(QC_USB_MODE_DLOAD), "dload");
	assert_string_equal(qc_usb_mode_name(QC_USB_MODE_SDLOAD), "sdload");
	assert_string_equal(qc_usb_mode_name(QC_USB_MODE_UNKNOWN), "unknown");
	assert_string_equal(qc_usb_mode_name((enum qc_usb_mode)99), "unknown");
}

/* Spec matching as -d parses it. */
static void test_spec_matches(void **state)
{
	struct qc_usb_device d = {.kind = QC_TRANSPORT_USB, .bus = 3, .ports = "1.2", .serial = "8C2A5B39"};
	struct qc_device_spec s;
	qc_ctx *ctx = qc_ctx_new();

	(void)state;
	assert_int_equal(qc_device_spec_parse(ctx, "usb", &s), 0);
	assert_true(qc_usb_spec_matches(&s, &d));
	assert_int_equal(qc_device_spec_parse(ctx, "usb:3-1.2", &s), 0);
	assert_true(qc_usb_spec_matches(&s, &d));
	assert_int_equal(qc_device_spec_parse(ctx, "usb:3-1", &s), 0);
	assert_false(qc_usb_spec_matches(&s, &d));
	assert_int_equal(qc_device_spec_parse(ctx, "usb:0x8c2a5b39", &s), 0);
	assert_true(qc_usb_spec_matches(&s, &d));
	assert_int_equal(qc_device_spec_parse(ctx, "usb:8c2a5b3", &s), 0);
	assert_false(qc_usb_spec_matches(&s, &d));
	d.serial[0] = '\0';
	assert_int_equal(qc_device_spec_parse(ctx, "usb:x", &s), 0);
	assert_false(qc_usb_spec_matches(&s, &d));
	d.kind = QC_TRANSPORT_TTY;
	assert_int_equal(qc_device_spec_parse(ctx, "usb", &s), 0);
	assert_false(qc_usb_spec_matches(&s, &d));
	qc_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serial), cmocka_unit_test(test_choose),	cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_names),  cmocka_unit_test(test_spec_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
