/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the libusb backend shared by discovery, open and wait. */
#ifndef QC_USB_IMPL_H
#define QC_USB_IMPL_H

#include <libusb.h>

#include "../transport/transport_impl.h"
#include "qcbox/usb.h"

/* ----- identities (usb_ids.c): pure functions, no I/O ----- */

/* A vendor-specific interface with a bulk endpoint pair, as found in a
 * configuration descriptor. */
struct qc_usb_iface {
	int number;
	int altsetting;
	uint8_t subclass, protocol;
	uint8_t ep_in, ep_out;
	uint16_t mps_in, mps_out;
};

/* Known EDL/DIAG identities: the mode their USB ID implies.  Returns false
 * for IDs not in the table. */
bool qc_usb_id_known(uint16_t vid, uint16_t pid, enum qc_usb_mode *mode);

/* Chooses the interface qcbox talks to among the vendor-specific ones of a
 * device (N entries) and the mode it implies.  Returns the index into
 * IFACES, or -1 when the device is not one of ours. */
int qc_usb_choose(uint16_t vid, uint16_t pid, const char *product, const struct qc_usb_iface *ifaces, size_t n,
		  enum qc_usb_mode *mode);

/* The serial number as users and Sahara know it: the "_SN:" field of the
 * product string (EDL devices put the chip serial there), else
 * iSerialNumber.  Either may be NULL.  OUT is always terminated. */
void qc_usb_serial_from(const char *product, const char *iserial, char *out, size_t cap);

/* What the first bytes a device sent say about its protocol.  AFTER_NOP:
 * the bytes answer our DMSS NOP probe. */
enum qc_usb_mode qc_usb_classify_reply(const uint8_t *buf, size_t len, bool after_nop);

/* ----- sysfs (usb_sysfs.c) ----- */

/* Reads attribute NAME of sysfs directory DIR into BUF without the trailing
 * newline.  Returns its length or -1. */
int qc_sysfs_attr(const char *dir, const char *name, char *buf, size_t cap);

/* Appends the serial ports that sit on a Qualcomm DIAG interface to *LIST. */
int qc_usb_list_ttys(qc_ctx *ctx, struct qc_usb_device **list, size_t *count);

/* ----- scanning (usb_scan.c) ----- */

struct qc_usb_candidate {
	struct qc_usb_device info;
	libusb_device *dev; /* one reference held */
	struct qc_usb_iface iface;
};

/* Every attached device of ours on UCTX, with descriptors and strings
 * filled in.  Free with qc_usb_scan_free. */
int qc_usb_scan(qc_ctx *ctx, libusb_context *uctx, struct qc_usb_candidate **out, size_t *count);
void qc_usb_scan_free(struct qc_usb_candidate *c, size_t count);

/* Picks the one candidate SPEC selects.  QC_E_NODEV when none does,
 * QC_E_AMBIGUOUS (naming them all) when several do. */
int qc_usb_select(qc_ctx *ctx, const struct qc_device_spec *spec, const struct qc_usb_candidate *c, size_t count,
		  size_t *index);

/* Starts a libusb context with its log quiet (libusb's own warnings would
 * interleave with ours). */
int qc_usb_init(qc_ctx *ctx, libusb_context **uctx);

/* Opens the candidate as a transport.  With OWN_UCTX the transport exits
 * UCTX when it closes (only on success). */
int qc_usb_open_candidate(qc_ctx *ctx, libusb_context *uctx, bool own_uctx, const struct qc_usb_candidate *c,
			  qc_transport **out);

/* Seconds-resolution helpers shared by the wait loops. */
int64_t qc_usb_now_ms(void);

#endif
