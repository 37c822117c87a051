/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw bulk throughput of the libusb transport against a fake usbfs device
 * (umockdev; see tests/usb/fakeusb.h), next to the same transfers over a
 * unix socket pair, in one run.  The fake device costs one round trip to
 * umockdev's handler per ioctl, so the figures describe qcbox + libusb +
 * the emulation on this machine, not a phone on a real bus.
 * Usage: umockdev-wrapper bench_usb [MiB]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../src/lib/transport/transport_impl.h"
#include "../tests/usb/fakeusb.h"

#define CHUNK (1u << 20) /* bytes per write/read call, as Firehose raw data would use */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static __attribute__((noreturn)) void die(const char *what, qc_ctx *ctx)
{
	fprintf(stderr, "bench_usb: %s: %s\n", what, ctx ? qc_last_error(ctx) : "");
	exit(1);
}

/* Host -> device, TOTAL bytes in CHUNK writes; MB/s. */
static double run_write(qc_transport *t, uint8_t *buf, size_t total)
{
	double t0 = now_s();

	for (size_t done = 0; done < total; done += CHUNK)
		if (qc_transport_write(t, buf, CHUNK, 10000) < 0)
			die("write", qc_transport_ctx(t));
	return (double)total / (now_s() - t0) / 1e6;
}

/* Device -> host; MB/s. */
static double run_read(qc_transport *t, uint8_t *buf, size_t total)
{
	double t0 = now_s();

	for (size_t done = 0; done < total;) {
		ssize_t n = qc_transport_read(t, buf, CHUNK, 10000);

		if (n < 0)
			die("read", qc_transport_ctx(t));
		done += (size_t)n;
	}
	return (double)total / (now_s() - t0) / 1e6;
}

/* ----- the fake USB device: drains OUT, sends what it is told ----- */

struct feeder {
	struct fakeusb_dev *d;
	const uint8_t *buf;
	size_t total;
};

/* Keeps a few MiB queued on the IN side, like a device that always has
 * the next chunk ready. */
static void *feed(void *arg)
{
	struct feeder *f = arg;
	struct fakeusb_stats st;

	for (size_t sent = 0; sent < f->total; sent += CHUNK) {
		for (;;) {
			fakeusb_stats(f->d, &st);
			if (sent - st.in_bytes < 4 * CHUNK)
				break;
			usleep(200);
		}
		fakeusb_send(f->d, f->buf, CHUNK, true);
	}
	return NULL;
}

static void usb_case(struct fakeusb *fu, const char *label, uint32_t caps, uint8_t *buf, size_t total, double *w,
		     double *r)
{
	struct fakeusb_config c = {.vid = 0x05c6, .pid = 0x9008, .caps = caps, .product = "QUSB__BULK_SN:BE4C11"};
	struct fakeusb_dev *d = fakeusb_add(fu, &c, NULL, NULL);
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t;
	struct feeder f = {d, buf, total};
	pthread_t th;

	if (!d || qc_transport_open(ctx, "usb", &t) < 0)
		die(label, ctx);
	*w = run_write(t, buf, total);
	pthread_create(&th, NULL, feed, &f);
	*r = run_read(t, buf, total);
	pthread_join(th, NULL);
	qc_transport_close(t);
	fakeusb_unplug(d, true);
	qc_ctx_free(ctx);
}

/* ----- the unix socket pair ----- */

struct peer {
	int fd;
	size_t total;
	bool source;
};

static void *socket_peer(void *arg)
{
	struct peer *p = arg;
	static uint8_t buf[1 << 16];

	for (size_t done = 0; done < p->total;) {
		ssize_t n = p->source ? write(p->fd, buf, sizeof(buf)) : read(p->fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return NULL;
}

static void socket_case(uint8_t *buf, size_t total, double *w, double *r)
{
	qc_ctx *ctx = qc_ctx_new();
	int sv[2];
	pthread_t th;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair", NULL);
	qc_socket_tune(sv[0]);
	qc_transport *t = qc_fd_transport_new(ctx, QC_TRANSPORT_UNIX, sv[0], "unix:pair");
	struct peer sink = {sv[1], total, false}, source = {sv[1], total, true};

	pthread_create(&th, NULL, socket_peer, &sink);
	*w = run_write(t, buf, total);
	pthread_join(th, NULL);
	pthread_create(&th, NULL, socket_peer, &source);
	*r = run_read(t, buf, total);
	pthread_join(th, NULL);
	qc_transport_close(t);
	close(sv[1]);
	qc_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32;
	size_t total = mib * CHUNK;
	uint8_t *buf = malloc(CHUNK);
	char why[256];
	struct fakeusb *fu = fakeusb_new(why, sizeof(why));
	double sw, sr, xw, xr, ew, er;

	if (!fu) {
		fprintf(stderr, "bench_usb: %s\n", why);
		return 77;
	}
	for (size_t i = 0; i < CHUNK; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	socket_case(buf, total, &sw, &sr);
	usb_case(fu, "usb (scatter-gather)", FAKEUSB_CAPS_XHCI, buf, total, &xw, &xr);
	usb_case(fu, "usb (16 KiB URBs)", FAKEUSB_CAPS_EHCI, buf, total, &ew, &er);
	printf("| link | host -> device MB/s | device -> host MB/s | write ratio to socket | read ratio to socket |\n");
	printf("|---|---:|---:|---:|---:|\n");
	printf("| unix socket pair (fd transport) | %.0f | %.0f | 1 | 1 |\n", sw, sr);
	printf("| fake USB, one URB per transfer (xHCI-like caps) | %.0f | %.0f | %.3f | %.3f |\n", xw, xr, xw / sw,
	       xr / sr);
	printf("| fake USB, 16 KiB URBs (EHCI-like caps) | %.0f | %.0f | %.3f | %.3f |\n", ew, er, ew / sw, er / sr);
	printf("\n%zu MiB each way per link, in 1 MiB qc_transport_write/read calls.\n", mib);
	fakeusb_free(fu);
	free(buf);
	return 0;
}
