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
/* Devices a test plugged in; teardown pulls whatever a failed test left. */
static struct fakeusb_dev *plugged[16];
static size_t nplugged;

/* ----- scripted device logic ----- */

enum behaviour { SINK, ECHO, HOLD, UNPLUG_AFTER, ANSWER_NOP };

struct script {
	enum behaviour how;
	size_t limit; /* UNPLUG_AFTER: bytes taken before the cable is pulled */
	uint8_t *got; /* OUT data as the device received it */
	size_t got_len, got_cap;
	unsigned zlps;	       /* OUT zero-length packets */
	const uint8_t *answer; /* ANSWER_NOP: the reply to any OUT data */
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
	struct fakeusb_dev *d = fakeusb_add(fu, cfg, s ? &script_ops : NULL, s);

	assert_non_null(d);
	if (nplugged < sizeof(plugged) / sizeof(plugged[0]))
		plugged[nplugged++] = d;
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

static void pattern(uint8_t *b, size_t n, unsigned seed)
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
	struct fakeusb_config edl = {.vid = 0x05c6,
				     .pid = 0x9008,
				     .product = "QUSB__BULK_CID:0402_SN:8C2A5B39",
				     .manufacturer = "Qualcomm CDMA Technologies MSM"};
	struct fakeusb_config diag = {.vid = 0x05c6,
				      .pid = 0x900e,
				      .product = "Qualcomm HS-USB Diagnostics",
				      .serial = "a1b2c3",
				      .driver = "qcserial"};
	/* Composite: mass storage first, DIAG (protocol 0x30) second. */
	struct fakeusb_config comp = {.vid = 0x05c6,
				      .pid = 0x9091,
				      .product = "Phone",
				      .serial = "ZX1",
				      .iface = 1,
				      .subclass = 0xff,
				      .protocol = 0x30};
	struct fakeusb_config crash = {.vid = 0x05c6, .pid = 0x900e, .product = "QHSUSB__DLOAD"};
	/* Not ours: a Google phone, and a Qualcomm phone whose vendor
	 * interfaces are plain modem functions. */
	struct fakeusb_config other = {.vid = 0x18d1, .pid = 0x4ee7, .product = "Pixel"};
	struct fakeusb_config modem = {
	    .vid = 0x05c6, .pid = 0x9092, .product = "Modem", .subclass = 0xff, .protocol = 0xff};
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
	assert_string_equal(list[3].spec, "usb:"
					  "1-5");
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
	struct fakeusb_config c = {
	    .vid = 0x05c6, .pid = 0x9008, .product = "QUSB__BULK_SN:0000ABCD", .strings_only_in_descriptors = true};
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

/* ----- the transport ----- */

static void test_echo_and_endpoints(void **state)
{
	/* The vendor interface is number 2 behind two mass-storage ones, so
	 * its endpoints are neither interface 0 nor 0x81/0x01. */
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008, .iface = 2, .product = "QUSB__BULK_SN:11"};
	struct script s = {.how = ECHO};
	struct fakeusb_dev *d = plug(&c, &s);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	struct fakeusb_stats st;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(qc_transport_kind(t), QC_TRANSPORT_USB);
	assert_int_equal(qc_transport_write(t, "hello", 5, 1000), 0);
	assert_int_equal(qc_transport_read_exact(t, buf, 5, 1000), 0);
	assert_memory_equal(buf, "hello", 5);
	/* Small reads take from what one transfer brought in. */
	assert_int_equal(qc_transport_write(t, "abcdef", 6, 1000), 0);
	assert_int_equal(qc_transport_read(t, buf, 2, 1000), 2);
	assert_int_equal(qc_transport_read(t, buf + 2, 10, 1000), 4);
	assert_memory_equal(buf, "abcdef", 6);
	qc_transport_close(t);
	fakeusb_stats(d, &st);
	assert_int_equal(st.bad_endpoint, 0);
	assert_int_equal(st.claims, 1);
	unplug(d, &s);
	qc_ctx_free(ctx);
}

static void test_timeouts(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008};
	struct script s = {.how = HOLD};
	struct fakeusb_dev *d = plug(&c, &s);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	uint8_t buf[4096];

	(void)state;
	/* Nothing to read: the timeout, with the sentence saying so. */
	assert_int_equal(qc_transport_read(t, buf, sizeof(buf), 200), QC_E_TIMEOUT);
	assert_non_null(strstr(qc_last_error(ctx), "no data from the device within 200 ms"));
	/* A device that takes no data (NAKs every OUT packet). */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(qc_transport_write(t, buf, sizeof(buf), 200), QC_E_TIMEOUT);
	assert_non_null(strstr(qc_last_error(ctx), "accepted no data for 200 ms (0 of 4096 bytes sent)"));
	/* The link still works afterwards. */
	s.how = ECHO;
	fakeusb_kick(d); /* nothing was left pending: the write was cancelled */
	assert_int_equal(qc_transport_write(t, "x", 1, 1000), 0);
	assert_int_equal(qc_transport_read(t, buf, sizeof(buf), 1000), 1);
	assert_int_equal(buf[0], 'x');
	qc_transport_close(t);
	unplug(d, &s);
	qc_ctx_free(ctx);
}

static void test_zlp_only_when_asked(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008};
	struct script s = {.how = SINK};
	struct fakeusb_dev *d = plug(&c, &s);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	uint8_t buf[2048];

	(void)state;
	pattern(buf, sizeof(buf), 1);
	/* Raw data ending on a packet boundary: no ZLP of our own... */
	assert_int_equal(qc_transport_write(t, buf, 1024, 1000), 0);
	assert_int_equal(s.got_len, 1024);
	assert_int_equal(s.zlps, 0);
	/* ...only when the protocol asks, exactly one. */
	assert_int_equal(qc_transport_zlp(t), 0);
	assert_int_equal(s.zlps, 1);
	assert_int_equal(s.got_len, 1024);
	assert_int_equal(qc_transport_write(t, buf, 100, 1000), 0);
	assert_int_equal(s.zlps, 1);

	/* IN: a transfer that fills its last packet ends with the device's
	 * ZLP; the read returns it without waiting for more. */
	fakeusb_send(d, buf, 512, true);
	assert_int_equal(qc_transport_read(t, buf + 1024, 1024, 1000), 512);
	assert_memory_equal(buf + 1024, buf, 512);
	/* A lone ZLP is not data: the read goes on to the next bytes. */
	fakeusb_send(d, NULL, 0, true);
	fakeusb_send(d, "abc", 3, true);
	assert_int_equal(qc_transport_read(t, buf + 1024, 1024, 1000), 3);
	assert_memory_equal(buf + 1024, "abc", 3);
	/* Full packets without a ZLP: the transfer stays open until a short
	 * packet ends it, and both arrive as one. */
	fakeusb_send(d, buf, 512, false);
	fakeusb_send(d, "xy", 2, true);
	assert_int_equal(qc_transport_read(t, buf + 1024, 1024, 1000), 514);
	assert_memory_equal(buf + 1024 + 512, "xy", 2);
	qc_transport_close(t);
	unplug(d, &s);
	qc_ctx_free(ctx);
}

/* 1 MiB each way, with scatter-gather (one URB) and without (libusb
 * splits into 16 KiB URBs). */
static void one_mib(uint32_t caps)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008, .caps = caps};
	struct script s = {.how = SINK};
	struct fakeusb_dev *d = plug(&c, &s);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	size_t n = 1u << 20;
	uint8_t *out = malloc(n), *in = malloc(n + 512);
	struct fakeusb_stats st;

	pattern(out, n, 7);
	assert_int_equal(qc_transport_write(t, out, n, 2000), 0);
	assert_int_equal(s.got_len, n);
	assert_memory_equal(s.got, out, n);
	assert_int_equal(s.zlps, 0);
	fakeusb_stats(d, &st);
	/* Several transfers were queued at once, not one after the other. */
	assert_true(st.max_out_in_flight >= 2);

	pattern(out, n, 8);
	fakeusb_send(d, out, n, true);
	assert_int_equal(qc_transport_read_exact(t, in, n, 2000), 0);
	assert_memory_equal(in, out, n);
	/* A whole-buffer read larger than the data ends at the ZLP. */
	fakeusb_send(d, out, 64 * 1024, true);
	assert_int_equal(qc_transport_read(t, in, n + 512, 2000), 64 * 1024);
	qc_transport_close(t);
	fakeusb_stats(d, &st);
	assert_int_equal(st.overflows, 0);
	free(out);
	free(in);
	unplug(d, &s);
	qc_ctx_free(ctx);
}

static void test_one_mib_sg(void **state)
{
	(void)state;
	one_mib(FAKEUSB_CAPS_XHCI);
}

static void test_one_mib_16k_urbs(void **state)
{
	(void)state;
	one_mib(FAKEUSB_CAPS_EHCI);
}

static void test_unplug_mid_write(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008};
	struct script s = {.how = UNPLUG_AFTER, .limit = 300 * 1024};
	struct fakeusb_dev *d = plug(&c, &s);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	size_t n = 1u << 20;
	uint8_t *buf = malloc(n);

	(void)state;
	memset(buf, 0xa5, n);
	assert_int_equal(qc_transport_write(t, buf, n, 2000), QC_E_DISCONNECTED);
	assert_non_null(strstr(qc_last_error(ctx), "device disconnected during write"));
	assert_true(s.got_len <= 300 * 1024);
	/* Everything after that says the same, and closing is safe. */
	assert_int_equal(qc_transport_write(t, buf, 10, 2000), QC_E_DISCONNECTED);
	assert_int_equal(qc_transport_read(t, buf, 10, 200), QC_E_DISCONNECTED);
	assert_non_null(strstr(qc_last_error(ctx), "device disconnected during read"));
	qc_transport_close(t);
	free(buf);
	unplug(d, &s);
	qc_ctx_free(ctx);
}

struct pull_later {
	struct fakeusb_dev *d;
	const uint8_t *data;
	size_t len;
};

static void *send_then_pull(void *arg)
{
	struct pull_later *p = arg;

	fakeusb_send(p->d, p->data, p->len, false);
	usleep(100 * 1000);
	fakeusb_unplug(p->d, false);
	return NULL;
}

static void test_unplug_mid_read(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008};
	struct fakeusb_dev *d = plug(&c, NULL);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	size_t n = 1u << 20;
	uint8_t *src = malloc(n), *dst = malloc(n);
	struct pull_later p = {d, src, 100 * 1024};
	pthread_t th;

	(void)state;
	pattern(src, n, 3);
	pthread_create(&th, NULL, send_then_pull, &p);
	assert_int_equal(qc_transport_read_exact(t, dst, n, 5000), QC_E_DISCONNECTED);
	assert_non_null(strstr(qc_last_error(ctx), "device disconnected during read"));
	pthread_join(th, NULL);
	assert_memory_equal(dst, src, 100 * 1024); /* what came before the unplug is intact */
	qc_transport_close(t);
	free(src);
	free(dst);
	unplug(d, NULL);
	qc_ctx_free(ctx);
}

static void test_kernel_driver_and_busy(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x900e, .driver = "qcserial", .product = "Diag"};
	struct fakeusb_dev *d = plug(&c, NULL);
	struct logbuf lb;
	qc_ctx *ctx = new_ctx(&lb), *ctx2 = new_ctx(NULL);
	qc_transport *t, *t2;
	struct fakeusb_stats st;

	(void)state;
	t = open_ok(ctx, "usb");
	assert_non_null(strstr(lb.text, "detached kernel driver qcserial from interface 0"));
	assert_null(fakeusb_driver(d));
	/* A second program cannot have the interface at the same time. */
	assert_int_equal(qc_transport_open(ctx2, "usb", &t2), QC_E_BUSY);
	assert_non_null(strstr(qc_last_error(ctx2), "in use by another program"));
	qc_transport_close(t);
	/* The serial driver gets its interface back. */
	assert_string_equal(fakeusb_driver(d), "qcserial");
	fakeusb_stats(d, &st);
	assert_int_equal(st.detaches, 1);
	assert_int_equal(st.attaches, 1);
	unplug(d, NULL);
	qc_ctx_free(ctx);
	qc_ctx_free(ctx2);
}

struct plug_later {
	struct fakeusb_config cfg;
	struct fakeusb_dev *d;
};

static void *plug_after_delay(void *arg)
{
	struct plug_later *p = arg;

	usleep(300 * 1000);
	p->d = fakeusb_add(fu, &p->cfg, NULL, NULL);
	return NULL;
}

static void test_wait_for_device(void **state)
{
	struct plug_later p = {.cfg = {.vid = 0x05c6, .pid = 0x9008, .product = "QUSB__BULK_SN:77AA"}};
	struct qc_device_spec spec;
	qc_ctx *ctx = new_ctx(NULL);
	pthread_t th;

	(void)state;
	assert_int_equal(qc_device_spec_parse(ctx, "usb:77aa", &spec), 0);
	/* Nothing comes: a timeout naming the wait. */
	assert_int_equal(qc_usb_wait(ctx, &spec, 300), QC_E_TIMEOUT);
	assert_non_null(strstr(qc_last_error(ctx), "appeared within 1 s"));
	/* The device is plugged in while we wait. */
	pthread_create(&th, NULL, plug_after_delay, &p);
	assert_int_equal(qc_usb_wait(ctx, &spec, 10000), 0);
	pthread_join(th, NULL);
	assert_non_null(p.d);
	plugged[nplugged++] = p.d;
	qc_transport_close(open_ok(ctx, "usb:77AA"));
	unplug(p.d, NULL);
	qc_ctx_free(ctx);
}

static void *pull_after_delay(void *arg)
{
	usleep(300 * 1000);
	fakeusb_unplug(arg, true);
	return NULL;
}

/* A phone told to switch modes leaves the bus a moment later. */
static void test_wait_gone(void **state)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x900e, .serial = "GO1"};
	struct fakeusb_dev *d = plug(&c, NULL);
	struct qc_device_spec spec;
	qc_ctx *ctx = new_ctx(NULL);
	pthread_t th;

	(void)state;
	assert_int_equal(qc_device_spec_parse(ctx, "usb:GO1", &spec), 0);
	assert_int_equal(qc_usb_wait_gone(ctx, &spec, 300), QC_E_TIMEOUT);
	assert_non_null(strstr(qc_last_error(ctx), "still attached after 1 s"));
	pthread_create(&th, NULL, pull_after_delay, d);
	assert_int_equal(qc_usb_wait_gone(ctx, &spec, 10000), 0);
	pthread_join(th, NULL);
	assert_int_equal(qc_usb_wait_gone(ctx, &spec, 0), 0);
	qc_ctx_free(ctx);
}

static void test_probe(void **state)
{
	static const uint8_t hello[48] = {0x01, 0, 0, 0, 0x30, 0, 0, 0, 2, 0, 0, 0, 1};
	static const char xml[] = "<?xml version=\"1.0\" ?><data><response value=\"NAK\" /></data>";
	static const uint8_t ack[] = {0x02, 0x6a, 0xd3, 0x7e};
	static const uint8_t err[] = {0x0d, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7e};
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008};
	struct script s = {.how = ANSWER_NOP};
	struct fakeusb_dev *d = plug(&c, &s);
	qc_ctx *ctx = new_ctx(NULL);
	qc_transport *t = open_ok(ctx, "usb");
	enum qc_usb_mode m;
	uint8_t buf[64];

	(void)state;
	/* A boot ROM's HELLO: Sahara, and the HELLO is still there to read. */
	fakeusb_send(d, hello, sizeof(hello), true);
	assert_int_equal(qc_usb_probe_mode(t, 300, &m), 0);
	assert_int_equal(m, QC_USB_MODE_SAHARA);
	assert_int_equal(s.got_len, 0); /* nothing was sent to it */
	assert_int_equal(qc_transport_read_exact(t, buf, sizeof(hello), 500), 0);
	assert_memory_equal(buf, hello, sizeof(hello));
	/* Silent devices get one DMSS NOP frame and say who they are. */
	s.answer = (const uint8_t *)xml;
	s.answer_len = strlen(xml);
	assert_int_equal(qc_usb_probe_mode(t, 300, &m), 0);
	assert_int_equal(m, QC_USB_MODE_FIREHOSE);
	assert_int_equal(s.got_len, 5);
	assert_memory_equal(s.got, "\x7e\x06\x4e\x95\x7e", 5);
	/* The answer was the probe's own: nothing is left to read. */
	assert_int_equal(qc_transport_read(t, buf, sizeof(buf), 100), QC_E_TIMEOUT);
	s.answer = ack;
	s.answer_len = sizeof(ack);
	assert_int_equal(qc_usb_probe_mode(t, 300, &m), 0);
	assert_int_equal(m, QC_USB_MODE_DLOAD);
	s.answer = err;
	s.answer_len = sizeof(err);
	assert_int_equal(qc_usb_probe_mode(t, 300, &m), 0);
	assert_int_equal(m, QC_USB_MODE_SDLOAD);
	s.answer = NULL;
	assert_int_equal(qc_usb_probe_mode(t, 200, &m), 0);
	assert_int_equal(m, QC_USB_MODE_UNKNOWN);
	qc_transport_close(t);

	/* The same through qc_usb_list. */
	struct qc_usb_device *list;
	size_t n;

	s.answer = (const uint8_t *)xml;
	s.answer_len = strlen(xml);
	assert_int_equal(qc_usb_list(ctx, QC_USB_LIST_PROBE, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].mode, QC_USB_MODE_FIREHOSE);
	assert_true(list[0].mode_probed);
	qc_usb_list_free(list);
	unplug(d, &s);
	qc_ctx_free(ctx);
}

static void test_tty_ports(void **state)
{
	struct fakeusb_config c = {
	    .vid = 0x05c6, .pid = 0x9025, .serial = "S9", .tty = "ttyUSB0", .driver = "qcserial"};
	/* A modem's AT port: a vendor interface too, but not DIAG. */
	struct fakeusb_config at = {.vid = 0x05c6, .pid = 0x9025, .iface = 2, .tty = "ttyUSB2", .driver = "option"};
	struct fakeusb_dev *d = plug(&c, NULL), *d2 = plug(&at, NULL);
	struct qc_usb_device *list;
	qc_ctx *ctx = new_ctx(NULL);
	size_t n, ttys = 0;

	(void)state;
	assert_int_equal(qc_usb_list(ctx, QC_USB_LIST_TTY, &list, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (list[i].kind != QC_TRANSPORT_TTY)
			continue;
		ttys++;
		assert_string_equal(list[i].spec, "tty:/dev/ttyUSB0");
		assert_string_equal(list[i].tty, "/dev/ttyUSB0");
		assert_int_equal(list[i].mode, QC_USB_MODE_DIAG);
		assert_string_equal(list[i].serial, "S9");
		assert_string_equal(list[i].driver, "qcserial");
		assert_string_equal(list[i].bus_port, fakeusb_bus_port(d));
	}
	assert_int_equal(ttys, 1);
	qc_usb_list_free(list);
	unplug(d, NULL);
	unplug(d2, NULL);
	qc_ctx_free(ctx);
}

static int unplug_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < nplugged; i++)
		fakeusb_unplug(plugged[i], true);
	nplugged = 0;
	return 0;
}

int main(void)
{
	char why[256];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_list_and_select, unplug_all),
	    cmocka_unit_test_teardown(test_strings_from_descriptors, unplug_all),
	    cmocka_unit_test_teardown(test_echo_and_endpoints, unplug_all),
	    cmocka_unit_test_teardown(test_timeouts, unplug_all),
	    cmocka_unit_test_teardown(test_zlp_only_when_asked, unplug_all),
	    cmocka_unit_test_teardown(test_one_mib_sg, unplug_all),
	    cmocka_unit_test_teardown(test_one_mib_16k_urbs, unplug_all),
	    cmocka_unit_test_teardown(test_unplug_mid_write, unplug_all),
	    cmocka_unit_test_teardown(test_unplug_mid_read, unplug_all),
	    cmocka_unit_test_teardown(test_kernel_driver_and_busy, unplug_all),
	    cmocka_unit_test_teardown(test_wait_for_device, unplug_all),
	    cmocka_unit_test_teardown(test_wait_gone, unplug_all),
	    cmocka_unit_test_teardown(test_probe, unplug_all),
	    cmocka_unit_test_teardown(test_tty_ports, unplug_all),
	};
	int rc;

	fu = fakeusb_new(why, sizeof(why));
	if (!fu) {
		fprintf(stderr, "SKIP: %s\n", why);
		return 77;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unplug_all(NULL);
	fakeusb_free(fu);
	return rc;
}
