/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transports move bytes to and from a device: USB bulk endpoints, a serial
 * port, a socket, or an in-memory pipe.  Framing (HDLC, Sahara headers,
 * Firehose XML documents) belongs to the protocol layers above.
 */
#ifndef QCBOX_TRANSPORT_H
#define QCBOX_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qc_transport qc_transport;

enum qc_transport_kind {
	QC_TRANSPORT_MEM,
	QC_TRANSPORT_TTY,
	QC_TRANSPORT_UNIX,
	QC_TRANSPORT_TCP,
	QC_TRANSPORT_USB,
	QC_TRANSPORT_PTY, /* device side of a pseudo-terminal (simulator) */
};

/* A parsed -d/--device SPEC. */
struct qc_device_spec {
	enum qc_transport_kind kind;
	char path[4096];   /* tty path, unix socket path, tcp host, usb serial */
	unsigned port;     /* tcp port */
	int usb_bus;       /* usb:BUS-PORT; -1 if not given */
	char usb_ports[64]; /* "1.2.3" port chain for usb:BUS-PORT */
	unsigned baud;     /* tty: baud rate (tty:/dev/ttyUSB0@921600), 0 = default */
};

/* Parses "usb", "usb:SERIAL", "usb:BUS-PORT", "tty:PATH[@BAUD]", "unix:PATH",
 * "tcp:HOST:PORT".  A bare path to a character device counts as tty:.  */
QC_API int qc_device_spec_parse(qc_ctx *ctx, const char *spec, struct qc_device_spec *out);

/* Opens the device named by SPEC.  USB opens need the libusb backend. */
QC_API int qc_transport_open(qc_ctx *ctx, const char *spec, qc_transport **out);
QC_API int qc_transport_open_spec(qc_ctx *ctx, const struct qc_device_spec *spec, qc_transport **out);
QC_API void qc_transport_close(qc_transport *t);

/* Reads at most LEN bytes, waiting up to TIMEOUT_MS (-1 = forever) for the
 * first byte.  Returns the count (> 0), QC_E_TIMEOUT or QC_E_DISCONNECTED. */
QC_API ssize_t qc_transport_read(qc_transport *t, void *buf, size_t len, int timeout_ms);

/* Reads exactly LEN bytes, each wait bounded by TIMEOUT_MS. */
QC_API int qc_transport_read_exact(qc_transport *t, void *buf, size_t len, int timeout_ms);

/* Writes all LEN bytes (backends may split it into several transfers in
 * flight).  Returns 0 or an error. */
QC_API int qc_transport_write(qc_transport *t, const void *buf, size_t len, int timeout_ms);

/* Sends a zero-length packet where the link has packets (USB); a no-op on
 * byte streams.  Only protocols that need one call this. */
QC_API int qc_transport_zlp(qc_transport *t);

/* The link's packet size (USB wMaxPacketSize; 0 for byte streams). */
QC_API size_t qc_transport_max_packet(const qc_transport *t);
QC_API enum qc_transport_kind qc_transport_kind(const qc_transport *t);
QC_API qc_ctx *qc_transport_ctx(const qc_transport *t);
/* A short description for messages ("unix:/tmp/x.sock"). */
QC_API const char *qc_transport_name(const qc_transport *t);

/* Extra information the USB backend learned from the descriptors (product
 * string, serial, VID:PID); empty for other transports. */
struct qc_transport_info {
	uint16_t vid, pid;
	char serial[128];
	char product[256];
};
QC_API void qc_transport_get_info(const qc_transport *t, struct qc_transport_info *info);

/* In-memory connected pair for tests: what is written to one end is read
 * from the other. */
QC_API int qc_transport_mem_pair(qc_ctx *ctx, qc_transport **a, qc_transport **b);

/* ----- server side (the simulated device) ----- */
typedef struct qc_listener qc_listener;

/* "unix:PATH", "tcp:PORT" (or tcp:HOST:PORT), "pty" or "pty:LINK". */
QC_API int qc_listener_open(qc_ctx *ctx, const char *spec, qc_listener **out);
/* Waits for the next client (timeout -1 = forever). */
QC_API int qc_listener_accept(qc_listener *l, qc_transport **out, int timeout_ms);
/* For pty listeners: the slave path clients open. */
QC_API const char *qc_listener_path(const qc_listener *l);
QC_API void qc_listener_close(qc_listener *l);

#ifdef __cplusplus
}
#endif
#endif
