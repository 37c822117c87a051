/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libusb transport and discovery against fake usbfs devices (umockdev):
 * real libusb enumerates, opens, claims and moves URBs; the device side is
 * scripted here.  Runs under umockdev-wrapper; skips (77) without it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/lib/usb/usb_impl.h"
#include "fakeusb.h"
#include "qcbox/hdlc.h"
#include "qcbox/usb.h"

static struct fakeusb *fu;

/* ----- scripted device logic ----- */

enum behaviour { SINK, ECHO, HOLD, UNPLUG_AFTER, ANSWER_NOP };

struct script {
	enum behaviour how;
	size_t limit;            /* UNPLUG_AFTER: bytes taken before the cable is pulled */
	uint8_t *got;            /* OUT data as the device received it */
	size_t got_len, got_cap;
	unsigned zlps;           /* OUT zero-length packets */
	const uint8_t *answer;   /* ANSWER_NOP: the reply to any OUT data */
	size_t answer_len;
};

static bool script_out(struct fakeusb_dev *d, const uint8_t *data, size_t len, void *user)
{
	struct script *s = user;

	if (s->how == HOLD)
		return false;
	if (s->how == UNPLUG_AFTER && s->got_len + len > s->limit) {
		fakeusb_unplug(d, false);
		return false;
	}
	if (!len) {
		s->zlps++;
		return true;
	}
	if (s->got_len + len > s->got_cap) {
		s->got_cap = (s->got_len + len) * 2;
		s->got = realloc(s->got, s->got_cap);
	}
	memcpy(s->got + s->got_len, data, len);
	s->got_len += len;
	if (s->how == ECHO)
		fakeusb_send(d, data, len, true);
	if (s->how == ANSWER_NOP && s->answer)
		fakeusb_send(d, s->answer, s->answer_len, true);
	return true;
}

static const struct fakeusb_ops script_ops = {.out = script_out};

static struct fakeusb_dev *plug(const struct fakeusb_config *cfg, struct script *s)
{
	struct fakeusb_dev *d = fakeusb_add(fu, cfg);

	assert_non_null(d);
	if (s)
		fakeusb_set_ops(d, &script_ops, s);
	return d;
}

static void unplug(struct fakeusb_dev *d, struct script *s)
{
	fakeusb_unplug(d, true);
	if (s)
		free(s->got);
}

/* Log lines of a context, for checking what the library said. */
struct logbuf {
	char text[4096];
};

static void log_cb(void *user, int level, const char *msg)
{
	struct logbuf *l = user;
	size_t n = strlen(l->text);

	(void)level;
	snprintf(l->text + n, sizeof(l->text) - n, "%s\n", msg);
}

static qc_ctx *new_ctx(struct logbuf *l)
{
	qc_ctx *ctx = qc_ctx_new();

	assert_non_null(ctx);
	if (l) {
		l->text[0] = '\0';
		qc_set_log(ctx, log_cb, l);
		qc_set_log_level(ctx, QC_LOG_INFO);
	}
	qc_set_timeout(ctx, 2000);
	return ctx;
}

static qc_transport *open_ok(qc_ctx *ctx, const char *spec)
{
	qc_transport *t = NULL;
	int rc = qc_transport_open(ctx, spec, &t);

	if (rc < 0)
		fail_msg("open %s: %s", spec, qc_last_error(ctx));
	return t;
}

static __attribute__((unused)) void pattern(uint8_t *b, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
}

/* ----- discovery ----- */

static void test_list_and_select(void **state)
{
	struct fakeusb_config edl = {.vid = 0x05c6, .pid = 0x9008, .product = "QUSB__BULK_CID:0402_SN:8C2A5B39",
				     .manufacturer = "Qualcomm CDMA Technologies MSM"};
	struct fakeusb_config diag = {.vid = 0x05c6, .pid = 0x900e, .product = "Qualcomm HS-USB Diagnostics",
				      .serial = "a1b2c3", .driver = "qcserial"};
	/* Composite: mass storage first, DIAG (protocol 0x30) second. */
	struct fakeusb_config comp = {.vid = 0x05c6, .pid = 0x9091, .product = "Phone", .serial = "ZX1",
				      .iface = 1, .subclass = 0xff, .protocol = 0x30};
	struct fakeusb_config crash = {.vid = 0x05c6, .pid = 0x900e, .product = "QHSUSB__DLOAD"};
	/* Not ours: a Google phone, and a Qualcomm phone whose vendor
	 * interfaces are plain modem functions. */
	struct fakeusb_config other = {.vid = 0x18d1, .pid = 0x4ee7, .product = "Pixel"};
	struct fakeusb_config modem = {.vid = 0x05c6, .pid = 0x9092, .product = "Modem", .subclass = 0xff,
				       .protocol = 0xff};
	struct fakeusb_dev *d[6];
	struct qc_usb_device *list;
	struct logbuf lb;
	qc_ctx *ctx = new_ctx(&lb);
	qc_transport *t;
	struct qc_transport_info info;
	size_t n;

	(void)state;
	d[0] = plug(&edl, NULL);
	d[1] = plug(&diag, NULL);
	d[2] = plug(&comp, NULL);
	d[3] = plug(&crash, NULL);
	d[4] = plug(&other, NULL);
	d[5] = plug(&modem, NULL);
	assert_int_equal(qc_usb_list(ctx, 0, &list, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(list[0].pid, 0x9008);
	assert_string_equal(qc_usb_mode_name(list[0].mode), "sahara");
	assert_string_equal(list[0].serial, "8C2A5B39");
	assert_string_equal(list[0].spec, "usb:8C2A5B39");
	assert_string_equal(list[0].bus_port, fakeusb_bus_port(d[0]));
	assert_string_equal(qc_usb_mode_name(list[1].mode), "diag");
	assert_string_equal(list[1].serial, "a1b2c3");
	assert_string_equal(list[1].driver, "qcserial");
	assert_string_equal(qc_usb_mode_name(list[2].mode), "diag");
	assert_int_equal(list[2].interface, 1);
	assert_int_equal(list[2].iface_protocol, 0x30);
	assert_string_equal(qc_usb_mode_name(list[3].mode), "sahara"); /* crash dump: memory debug */
	assert_string_equal(list[3].serial, "");
	assert_string_equal(list[3].spec, "usb:" "1-5");
	assert_true(list[0].accessible);
	qc_usb_list_free(list);

	/* Several attached, none named: refused, and every one is listed. */
	assert_int_equal(qc_transport_open(ctx, "usb", &t), QC_E_AMBIGUOUS);
	assert_non_null(strstr(qc_last_error(ctx), "4 Qualcomm USB devices"));
	assert_non_null(strstr(qc_last_error(ctx), "serial 8C2A5B39"));
	assert_non_null(strstr(qc_last_error(ctx), "usb:1-5 (sahara, 05c6:900e)"));
	/* By serial (case and 0x do not matter) and by port. */
	t = open_ok(ctx, "usb:0x8c2a5b39");
	qc_transport_get_info(t, &info);
	assert_int_equal(info.pid, 0x9008);
	assert_string_equal(info.serial, "8C2A5B39");
	assert_string_equal(info.product, edl.product);
	assert_int_equal(qc_transport_max_packet(t), 512);
	qc_transport_close(t);
	char spec[64];

	snprintf(spec, sizeof(spec), "usb:%s", fakeusb_bus_port(d[2]));
	t = open_ok(ctx, spec);
	qc_transport_get_info(t, &info);
	assert_int_equal(info.pid, 0x9091);
	qc_transport_close(t);
	/* Nothing matches: the sentence names what was asked and what is there. */
	assert_int_equal(qc_transport_open(ctx, "usb:DEADBEEF", &t), QC_E_NODEV);
	assert_non_null(strstr(qc_last_error(ctx), "serial 'DEADBEEF'"));
	assert_non_null(strstr(qc_last_error(ctx), "usb:1-2 (sahara, 05c6:9008"));
	assert_int_equal(qc_transport_open(ctx, "usb:7-1", &t), QC_E_NODEV);
	assert_non_null(strstr(qc_last_error(ctx), "usb:7-1"));
	for (int i = 0; i < 6; i++)
		unplug(d[i], NULL);
	/* Nothing attached at all. */
	assert_int_equal(qc_transport_open(ctx, "usb", &t), QC_E_NODEV);
	assert_non_null(strstr(qc_last_error(ctx), "no Qualcomm USB device is attached"));
	assert_int_equal(qc_usb_list(ctx, 0, &list, &n), 0);
	assert_int_equal(n, 0);
	qc_ctx_free(ctx);
}

/* Strings come from the device itself when sysfs has none. */
static void test_strings_from_descriptors(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008, .product = "QUSB__BULK_SN:0000ABCD",
				   .strings_only_in_descriptors = true};
	struct fakeusb_dev *d = plug(&c, NULL);
	qc_ctx *ctx = new_ctx(NULL);
	struct qc_usb_device *list;
	size_t n;

	(void)state;
	assert_int_equal(qc_usb_list(ctx, 0, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].product, c.product);
	assert_string_equal(list[0].serial, "0000ABCD");
	qc_usb_list_free(list);
	qc_transport_close(open_ok(ctx, "usb:0000abcd"));
	unplug(d, NULL);
	qc_ctx_free(ctx);
}

int main(void)
{
	char why[256];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_select),
		cmocka_unit_test(test_strings_from_descriptors),
	};
	int rc;

	fu = fakeusb_new(why, sizeof(why));
	if (!fu) {
		fprintf(stderr, "SKIP: %s\n", why);
		return 77;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fakeusb_free(fu);
	return rc;
}
