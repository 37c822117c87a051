/* SPDX-License-Identifier: BSD-3-Clause */
/* Context, errors, device specs and the transports that need no device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qcbox/core.h"
#include "qcbox/transport.h"

static void test_errors(void **state)
{
	(void)state;
	for (int e = 0; e >= QC_E_LAST; e--) {
		assert_non_null(qc_strerror(e));
		assert_string_not_equal(qc_strerror(e), "unknown error");
		assert_memory_equal(qc_error_name(e), "QC_", 3);
	}
	assert_string_equal(qc_error_name(QC_E_TIMEOUT), "QC_E_TIMEOUT");
	assert_string_equal(qc_strerror(QC_E_LAST - 1), "unknown error");
	assert_string_equal(qc_strerror(5), "unknown error");
}

struct logbuf {
	char last[256];
	int count;
};

static void log_cb(void *user, int level, const char *msg)
{
	struct logbuf *l = user;

	(void)level;
	snprintf(l->last, sizeof(l->last), "%s", msg);
	l->count++;
}

static void test_ctx_log_and_fail(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct logbuf l = {0};

	(void)state;
	qc_set_log(ctx, log_cb, &l);
	qc_set_log_level(ctx, QC_LOG_INFO);
	qc_log(ctx, QC_LOG_DEBUG, "hidden %d", 1);
	assert_int_equal(l.count, 0);
	qc_log(ctx, QC_LOG_WARN, "shown %d", 2);
	assert_string_equal(l.last, "shown 2");
	assert_int_equal(qc_fail(ctx, QC_E_RANGE, "sector %d beyond %s", 9, "boot_a"), QC_E_RANGE);
	assert_string_equal(qc_last_error(ctx), "sector 9 beyond boot_a");
	qc_clear_error(ctx);
	assert_string_equal(qc_last_error(ctx), "");
	qc_ctx_free(ctx);
}

static void test_spec_parse(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_device_spec s;

	(void)state;
	assert_int_equal(qc_device_spec_parse(ctx, "usb", &s), 0);
	assert_int_equal(s.kind, QC_TRANSPORT_USB);
	assert_int_equal(s.usb_bus, -1);
	assert_int_equal(qc_device_spec_parse(ctx, "usb:3-1.4", &s), 0);
	assert_int_equal(s.usb_bus, 3);
	assert_string_equal(s.usb_ports, "1.4");
	assert_int_equal(qc_device_spec_parse(ctx, "usb:1a2b3c4d", &s), 0);
	assert_string_equal(s.path, "1a2b3c4d");
	assert_int_equal(s.usb_bus, -1);
	assert_int_equal(qc_device_spec_parse(ctx, "tty:/dev/ttyUSB0", &s), 0);
	assert_int_equal(s.kind, QC_TRANSPORT_TTY);
	assert_string_equal(s.path, "/dev/ttyUSB0");
	assert_int_equal(qc_device_spec_parse(ctx, "tty:/dev/ttyUSB1@921600", &s), 0);
	assert_string_equal(s.path, "/dev/ttyUSB1");
	assert_int_equal(s.baud, 921600);
	assert_int_equal(qc_device_spec_parse(ctx, "unix:/tmp/x.sock", &s), 0);
	assert_int_equal(s.kind, QC_TRANSPORT_UNIX);
	assert_int_equal(qc_device_spec_parse(ctx, "tcp:localhost:2500", &s), 0);
	assert_string_equal(s.path, "localhost");
	assert_int_equal(s.port, 2500);
	assert_int_equal(qc_device_spec_parse(ctx, "tcp:[::1]:7", &s), 0);
	assert_string_equal(s.path, "::1");
	assert_int_equal(qc_device_spec_parse(ctx, "tcp:host", &s), QC_E_INVAL);
	assert_int_equal(qc_device_spec_parse(ctx, "tcp:host:99999", &s), QC_E_INVAL);
	assert_int_equal(qc_device_spec_parse(ctx, "tty:", &s), QC_E_INVAL);
	assert_int_equal(qc_device_spec_parse(ctx, "bogus:1", &s), QC_E_INVAL);
	assert_non_null(strstr(qc_last_error(ctx), "bogus:1"));
	qc_ctx_free(ctx);
}

static void test_mem_pair(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *a, *b;
	uint8_t buf[16];

	(void)state;
	assert_int_equal(qc_transport_mem_pair(ctx, &a, &b), 0);
	assert_int_equal(qc_transport_write(a, "hello", 5, 1000), 0);
	assert_int_equal(qc_transport_read_exact(b, buf, 5, 1000), 0);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(qc_transport_read(b, buf, sizeof(buf), 20), QC_E_TIMEOUT);
	qc_transport_close(a);
	assert_int_equal(qc_transport_read(b, buf, sizeof(buf), 1000), QC_E_DISCONNECTED);
	qc_transport_close(b);
	qc_ctx_free(ctx);
}

static void test_open_missing(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t;

	(void)state;
	assert_int_equal(qc_transport_open(ctx, "tty:/nonexistent/ttyUSB9", &t), QC_E_NODEV);
	assert_non_null(strstr(qc_last_error(ctx), "/nonexistent/ttyUSB9"));
	assert_int_equal(qc_transport_open(ctx, "unix:/nonexistent/sock", &t), QC_E_NODEV);
	qc_ctx_free(ctx);
}

/* A unix and a TCP listener each accept a client and carry bytes both ways. */
static void roundtrip(const char *listen_spec, const char *connect_spec)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_listener *l;
	qc_transport *c, *s;
	uint8_t buf[4];

	assert_int_equal(qc_listener_open(ctx, listen_spec, &l), 0);
	assert_int_equal(qc_transport_open(ctx, connect_spec, &c), 0);
	assert_int_equal(qc_listener_accept(l, &s, 1000), 0);
	assert_int_equal(qc_transport_write(c, "ping", 4, 1000), 0);
	assert_int_equal(qc_transport_read_exact(s, buf, 4, 1000), 0);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(qc_transport_write(s, "pong", 4, 1000), 0);
	assert_int_equal(qc_transport_read_exact(c, buf, 4, 1000), 0);
	assert_memory_equal(buf, "pong", 4);
	qc_transport_close(c);
	assert_int_equal(qc_transport_read(s, buf, 4, 1000), QC_E_DISCONNECTED);
	qc_transport_close(s);
	qc_listener_close(l);
	qc_ctx_free(ctx);
}

static void test_unix_listener(void **state)
{
	char path[64], spec[80], cspec[80];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/qcbox-core-%d.sock", (int)getpid());
	snprintf(spec, sizeof(spec), "unix:%s", path);
	snprintf(cspec, sizeof(cspec), "unix:%s", path);
	roundtrip(spec, cspec);
}

static void test_tcp_listener(void **state)
{
	char spec[64];
	int port = 20000 + (int)(getpid() % 20000);

	(void)state;
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	roundtrip(spec, spec);
}

/* The pty listener reports a client only once the slave is opened, and
 * sees the client leave. */
static void test_pty_listener(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_listener *l;
	qc_transport *dev, *host;
	char spec[300];
	uint8_t buf[8];

	(void)state;
	assert_int_equal(qc_listener_open(ctx, "pty", &l), 0);
	assert_int_equal(qc_listener_accept(l, &dev, 50), QC_E_TIMEOUT);
	snprintf(spec, sizeof(spec), "tty:%s", qc_listener_path(l));
	assert_int_equal(qc_transport_open(ctx, spec, &host), 0);
	assert_int_equal(qc_listener_accept(l, &dev, 1000), 0);
	/* 0x7e, 0x0d, 0x11 and 0x03 must pass untouched (raw mode both ends). */
	assert_int_equal(qc_transport_write(dev, "\x7e\x0d\x11\x03", 4, 1000), 0);
	assert_int_equal(qc_transport_read_exact(host, buf, 4, 1000), 0);
	assert_memory_equal(buf, "\x7e\x0d\x11\x03", 4);
	assert_int_equal(qc_transport_write(host, "\x0a\x13", 2, 1000), 0);
	assert_int_equal(qc_transport_read_exact(dev, buf, 2, 1000), 0);
	assert_memory_equal(buf, "\x0a\x13", 2);
	qc_transport_close(host);
	assert_int_equal(qc_transport_read(dev, buf, 1, 1000), QC_E_DISCONNECTED);
	qc_transport_close(dev);
	qc_listener_close(l);
	qc_ctx_free(ctx);
}

static void test_trace(void **state)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *a, *b;
	char path[64], line[256];
	uint8_t buf[4];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/qcbox-trace-%d.txt", (int)getpid());
	assert_int_equal(qc_set_trace_file(ctx, path), 0);
	assert_int_equal(qc_transport_mem_pair(ctx, &a, &b), 0);
	assert_int_equal(qc_transport_write(a, "\x01\xab", 2, 1000), 0);
	assert_int_equal(qc_transport_read_exact(b, buf, 2, 1000), 0);
	qc_transport_close(a);
	qc_transport_close(b);
	qc_set_trace_file(ctx, NULL);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "-> 2 01ab"));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "<- 2 01ab"));
	fclose(f);
	unlink(path);
	qc_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),        cmocka_unit_test(test_ctx_log_and_fail),
		cmocka_unit_test(test_spec_parse),    cmocka_unit_test(test_mem_pair),
		cmocka_unit_test(test_open_missing),  cmocka_unit_test(test_unix_listener),
		cmocka_unit_test(test_tcp_listener),  cmocka_unit_test(test_pty_listener),
		cmocka_unit_test(test_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
