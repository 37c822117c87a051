/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding Qualcomm devices on USB: which are attached, in which mode, how
 * to select one (-d usb:SERIAL, usb:BUS-PORT), waiting for one to appear,
 * and the serial ports that carry a DIAG interface.  Opening one is
 * qc_transport_open("usb...") (transport.h).
 */
#ifndef QCBOX_USB_H
#define QCBOX_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the device is expected to speak.  From the USB identity alone the
 * boot ROM's EDL personality (05c6:9008) is reported as SAHARA; only a
 * probe (QC_USB_LIST_PROBE, qc_usb_probe_mode) tells a Firehose programmer
 * that is already running, or a legacy DMSS/streaming downloader. */
enum qc_usb_mode {
	QC_USB_MODE_UNKNOWN = 0,
	QC_USB_MODE_SAHARA,
	QC_USB_MODE_FIREHOSE,
	QC_USB_MODE_DIAG,
	QC_USB_MODE_DLOAD,
	QC_USB_MODE_SDLOAD,
};

/* "sahara", "firehose", "diag", "dload", "sdload" or "unknown". */
QC_API const char *qc_usb_mode_name(enum qc_usb_mode mode);

/* One attached device (or serial port) as discovered. */
struct qc_usb_device {
	char spec[320];		     /* what -d takes to select exactly this one */
	enum qc_transport_kind kind; /* QC_TRANSPORT_USB, or QC_TRANSPORT_TTY for a serial DIAG port */
	enum qc_usb_mode mode;
	bool mode_probed; /* mode confirmed by talking to the device */
	uint16_t vid, pid;
	int bus;		/* USB bus number */
	char ports[64];		/* port chain on that bus, "1.2" */
	char bus_port[80];	/* "3-1.2", as Linux names it in sysfs */
	int address;		/* device address on the bus */
	int interface;		/* number of the vendor-specific interface used */
	uint8_t iface_protocol; /* its bInterfaceProtocol */
	int speed_mbps;		/* 12, 480, 5000...; 0 if unknown */
	char serial[128];	/* _SN: of the product string, else iSerialNumber */
	char product[256];
	char manufacturer[128];
	char driver[64]; /* kernel driver bound to the interface, "" if none */
	char tty[256];	 /* QC_TRANSPORT_TTY: the device node, "/dev/ttyUSB0" */
	bool accessible; /* this process may open the device node */
};

enum {
	QC_USB_LIST_TTY = 1 << 0,   /* also list serial ports of Qualcomm DIAG interfaces (sysfs) */
	QC_USB_LIST_PROBE = 1 << 1, /* open EDL devices and probe what they speak (see qc_usb_probe_mode) */
};

/* Every attached Qualcomm device.  *OUT is an array of *COUNT entries the
 * caller frees with qc_usb_list_free (NULL when none).  Returns 0 (also
 * when nothing is attached) or an error (libusb could not start). */
QC_API int qc_usb_list(qc_ctx *ctx, unsigned flags, struct qc_usb_device **out, size_t *count);
QC_API void qc_usb_list_free(struct qc_usb_device *list);

/* True if DEV is what SPEC (a USB spec: "usb", "usb:SERIAL", "usb:BUS-PORT")
 * selects.  Serials compare case-insensitively; "0x" in SPEC is ignored. */
QC_API bool qc_usb_spec_matches(const struct qc_device_spec *spec, const struct qc_usb_device *dev);

/* Waits until a USB device that SPEC selects is attached (hotplug), at most
 * TIMEOUT_MS (-1: until cancelled).  Returns 0, QC_E_TIMEOUT or
 * QC_E_CANCELLED. */
QC_API int qc_usb_wait(qc_ctx *ctx, const struct qc_device_spec *spec, int timeout_ms);

/* The opposite: waits until no attached USB device is what SPEC selects,
 * e.g. for a phone told to switch mode to drop off the bus before waiting
 * for it to come back (the old device is still there for a moment).
 * Returns 0, QC_E_TIMEOUT or QC_E_CANCELLED. */
QC_API int qc_usb_wait_gone(qc_ctx *ctx, const struct qc_device_spec *spec, int timeout_ms);

/* Finds out what an open USB EDL link speaks.  It first listens up to
 * TIMEOUT_MS for what the device sends unprompted (a Sahara HELLO, Firehose
 * XML logs) and keeps those bytes in the transport, so the protocol that
 * reads next still gets them.  Only if the device is silent does it send
 * one DMSS NOP frame and wait TIMEOUT_MS again: a DMSS downloader ACKs it,
 * a streaming downloader answers with an error frame, a Firehose
 * programmer with XML (that answer is the probe's own and is consumed).
 * Returns 0 with *MODE set (QC_USB_MODE_UNKNOWN if nothing answered), or a
 * link error.  Only for USB transports (QC_E_UNSUPPORTED otherwise). */
QC_API int qc_usb_probe_mode(qc_transport *t, int timeout_ms, enum qc_usb_mode *mode);

#ifdef __cplusplus
}
#endif
#endif
