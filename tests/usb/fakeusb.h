/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake USB devices for tests, on umockdev: a sysfs entry with descriptors
 * that libusb enumerates through libudev, and a usbfs node whose ioctls
 * (claim, URB submit/reap/discard, kernel driver queries) are emulated
 * here.  The program under test runs unmodified libusb; it must run under
 * umockdev-wrapper (LD_PRELOAD of libumockdev-preload), as must children
 * that should see the devices.
 *
 * The emulation follows the kernel where the host code can tell: bulk IN
 * is a stream of packets of wMaxPacketSize, an URB ends on a short packet
 * or when full, a zero-length packet ends a transfer that filled its last
 * packet, a packet that does not fit is an overflow, URBs after a short
 * one in a BULK_CONTINUATION chain are cancelled, and an unplug completes
 * pending URBs with -ESHUTDOWN and fails every later ioctl with ENODEV.
 */
#ifndef FAKEUSB_H
#define FAKEUSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fakeusb;
struct fakeusb_dev;

/* usbfs capability sets (linux/usbdevice_fs.h USBDEVFS_CAP_*). */
#define FAKEUSB_CAPS_XHCI 0x1f /* zero packet, continuation, no size limit, scatter-gather, reap after disconnect */
#define FAKEUSB_CAPS_EHCI 0x13 /* no scatter-gather: libusb splits transfers into 16 KiB URBs */

struct fakeusb_config {
	uint16_t vid, pid;
	int bus;				     /* default 1 */
	int port;				     /* port on the root hub, default: next free */
	const char *product, *manufacturer, *serial; /* NULL: no such string */
	bool strings_only_in_descriptors;	     /* no sysfs attributes: the host must ask the device */
	uint16_t mps;				     /* wMaxPacketSize of both bulk endpoints, default 512 */
	uint8_t subclass, protocol;		     /* of the vendor interface; default 0xff 0xff */
	int iface;				     /* its number; lower numbers are mass-storage interfaces */
	const char *driver;			     /* kernel driver bound to it ("qcserial"), or NULL */
	uint32_t caps;				     /* default FAKEUSB_CAPS_XHCI */
	bool no_zlp;				     /* the device never ends a full-packet transfer with a ZLP */
	const char *tty;			     /* a serial port node on the vendor interface ("ttyUSB0") */
};

/* Device logic.  Called with the device lock held, from umockdev's worker
 * thread or from whoever calls fakeusb_send/kick. */
struct fakeusb_ops {
	/* An OUT transfer arrived (LEN 0: a zero-length packet).  Return
	 * true to take it now, false to leave it pending (NAK) until
	 * fakeusb_kick. */
	bool (*out)(struct fakeusb_dev *d, const uint8_t *data, size_t len, void *user);
	/* A host process closed the device node. */
	void (*closed)(struct fakeusb_dev *d, void *user);
};

struct fakeusb_stats {
	uint64_t out_bytes, out_transfers, out_zlps;
	uint64_t in_bytes, in_zlps;
	unsigned max_out_in_flight; /* most OUT URBs the host had submitted and not yet reaped */
	unsigned bad_endpoint;	    /* URBs for endpoints the device does not have */
	unsigned overflows;
	unsigned claims, detaches, attaches;
};

/* Creates the testbed.  NULL if the process does not run under
 * umockdev-wrapper; WHY then says so. */
struct fakeusb *fakeusb_new(char *why, size_t cap);
void fakeusb_free(struct fakeusb *fu);
/* The testbed's root (for messages). */
const char *fakeusb_root(const struct fakeusb *fu);

/* Plugs in a device (sysfs + node + "add" uevent) driven by OPS (NULL: a
 * device that drains its OUT endpoint).  OPS are in place before the
 * device is visible: a host waiting for it may start at once. */
struct fakeusb_dev *fakeusb_add(struct fakeusb *fu, const struct fakeusb_config *cfg, const struct fakeusb_ops *ops,
				void *user);
void fakeusb_set_ops(struct fakeusb_dev *d, const struct fakeusb_ops *ops, void *user);

/* Queues LEN bytes on the IN endpoint as the device would send them: in
 * packets, the last one short; with END and a length that fills its last
 * packet, followed by a ZLP (unless the device is no_zlp). */
void fakeusb_send(struct fakeusb_dev *d, const void *data, size_t len, bool end);
/* Retries OUT transfers the device left pending. */
void fakeusb_kick(struct fakeusb_dev *d);
/* Unplugs: pending URBs fail, later calls get ENODEV, and with REMOVE the
 * sysfs entry goes away with a "remove" uevent (not from inside ops). */
void fakeusb_unplug(struct fakeusb_dev *d, bool remove);
bool fakeusb_gone(struct fakeusb_dev *d);
/* Bytes queued on the IN endpoint that no URB has taken yet. */
size_t fakeusb_in_queued(struct fakeusb_dev *d);

void fakeusb_stats(struct fakeusb_dev *d, struct fakeusb_stats *st);
/* The kernel driver bound now (after detach/attach), or NULL. */
const char *fakeusb_driver(struct fakeusb_dev *d);
/* The master side of the device's tty (cfg.tty), or -1. */
int fakeusb_tty_fd(struct fakeusb_dev *d);
/* "1-2" */
const char *fakeusb_bus_port(const struct fakeusb_dev *d);

void fakeusb_lock(struct fakeusb_dev *d);
void fakeusb_unlock(struct fakeusb_dev *d);

#endif
