/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libusb transport: bulk IN/OUT of the device's vendor-specific
 * interface, found from the descriptors.  Writes keep several large
 * transfers in flight so the bus never idles between them; reads ask for
 * whole packets, because an IN transfer that is not a multiple of
 * wMaxPacketSize overflows when the device sends a full packet.  A
 * zero-length packet is sent only when a protocol asks for one: Firehose
 * needs it to end raw data that fills its last packet, while some Sahara
 * implementations time out on an unsolicited one (qdl issue #320).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qcbox/dload.h"
#include "qcbox/hdlc.h"
#include "usb_impl.h"

#define USB_WRITE_CHUNK	   (256u * 1024) /* bytes per OUT transfer */
#define USB_WRITE_DEPTH	   4		 /* OUT transfers in flight */
#define USB_RX_BUF	   (16u * 1024)	 /* bounce buffer for small reads */
#define USB_READ_MAX	   (16u << 20)	 /* the most one IN transfer asks for */
#define USB_CANCEL_WAIT_MS 3000		 /* how long a cancelled transfer may take to come back */

struct usb_priv {
	libusb_context *uctx;
	bool own_uctx;
	libusb_device_handle *h;
	int iface;
	bool claimed, detached;
	uint8_t ep_in, ep_out;
	size_t mps_in;
	struct libusb_transfer *xf[USB_WRITE_DEPTH];
	int done[USB_WRITE_DEPTH];
	bool wedged; /* a transfer never came back from cancellation */
	uint8_t *rx;
	size_t rx_cap, rx_pos, rx_len;
};

static void LIBUSB_CALL xfer_done(struct libusb_transfer *x)
{
	*(int *)x->user_data = 1;
}

/* Runs libusb's event loop until *FLAG is set, DEADLINE (ms, -1 = none)
 * passes or the context is cancelled.  Short slices keep cancellation
 * responsive. */
static int pump(qc_transport *t, int *flag, int64_t deadline)
{
	struct usb_priv *p = t->priv;

	while (!*flag) {
		struct timeval tv = {0, 100000};
		int rc;

		if (deadline >= 0) {
			int64_t left = deadline - qc_usb_now_ms();

			if (left <= 0)
				return QC_E_TIMEOUT;
			if (left < 100)
				tv.tv_usec = (suseconds_t)left * 1000;
		}
		if (qc_cancelled(t->ctx))
			return QC_E_CANCELLED;
		rc = libusb_handle_events_timeout_completed(p->uctx, &tv, flag);
		if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED)
			return qc_fail(t->ctx, QC_E_IO, "%s: USB event handling failed: %s", t->name,
				       libusb_strerror(rc));
	}
	return 0;
}

/* Cancels slot I and waits for libusb to hand it back (its buffer belongs
 * to libusb until then). */
static void cancel_slot(qc_transport *t, int i)
{
	struct usb_priv *p = t->priv;
	int64_t until = qc_usb_now_ms() + USB_CANCEL_WAIT_MS;

	if (p->done[i])
		return;
	libusb_cancel_transfer(p->xf[i]);
	while (!p->done[i] && qc_usb_now_ms() < until) {
		struct timeval tv = {0, 50000};

		libusb_handle_events_timeout_completed(p->uctx, &tv, &p->done[i]);
	}
	if (!p->done[i])
		p->wedged = true;
}

static int disconnected(qc_transport *t, const char *what)
{
	return qc_fail(t->ctx, QC_E_DISCONNECTED, "%s: device disconnected during %s", t->name, what);
}

/* One IN transfer into DST; a zero-length packet is a transfer boundary,
 * not data, so it is skipped.  Returns the byte count (> 0) or an error;
 * bytes that arrived before an error are returned first. */
static ssize_t bulk_in(qc_transport *t, uint8_t *dst, size_t want, int timeout_ms)
{
	struct usb_priv *p = t->priv;
	struct libusb_transfer *x = p->xf[0];
	int64_t deadline = timeout_ms < 0 ? -1 : qc_usb_now_ms() + (timeout_ms ? timeout_ms : 1);

	if (p->wedged)
		return qc_fail(t->ctx, QC_E_IO, "%s: an earlier transfer could not be cancelled; reopen the device",
			       t->name);
	for (;;) {
		int rc;

		libusb_fill_bulk_transfer(x, p->h, p->ep_in, dst, (int)want, xfer_done, &p->done[0], 0);
		p->done[0] = 0;
		rc = libusb_submit_transfer(x);
		if (rc == LIBUSB_ERROR_NO_DEVICE)
			return disconnected(t, "read");
		if (rc < 0)
			return qc_fail(t->ctx, QC_E_IO, "%s: cannot start a USB read: %s", t->name,
				       libusb_strerror(rc));
		rc = pump(t, &p->done[0], deadline);
		if (rc < 0)
			cancel_slot(t, 0);
		if (p->wedged)
			return qc_fail(t->ctx, QC_E_IO, "%s: a USB read could not be cancelled", t->name);
		if (x->actual_length > 0)
			return x->actual_length;
		if (rc == QC_E_TIMEOUT)
			return qc_fail(t->ctx, QC_E_TIMEOUT, "%s: no data from the device within %d ms", t->name,
				       timeout_ms);
		if (rc == QC_E_CANCELLED)
			return qc_fail(t->ctx, QC_E_CANCELLED, "cancelled");
		if (rc < 0)
			return rc;
		switch (x->status) {
		case LIBUSB_TRANSFER_COMPLETED: continue; /* a ZLP: wait on for data */
		case LIBUSB_TRANSFER_NO_DEVICE: return disconnected(t, "read");
		case LIBUSB_TRANSFER_STALL:
			libusb_clear_halt(p->h, p->ep_in);
			return qc_fail(t->ctx, QC_E_IO, "%s: the device stalled its IN endpoint 0x%02x", t->name,
				       p->ep_in);
		case LIBUSB_TRANSFER_OVERFLOW:
			return qc_fail(t->ctx, QC_E_PROTOCOL, "%s: the device sent more than the %zu bytes asked for",
				       t->name, want);
		default:
			return qc_fail(t->ctx, QC_E_IO, "%s: USB read failed (transfer status %d)", t->name, x->status);
		}
	}
}

static ssize_t usb_read(qc_transport *t, void *buf, size_t len, int timeout_ms)
{
	struct usb_priv *p = t->priv;
	ssize_t n;

	if (p->rx_pos == p->rx_len && len >= p->rx_cap) {
		/* Large reads (Firehose raw data) go straight into the
		 * caller's buffer, in whole packets. */
		size_t want = len < USB_READ_MAX ? len : USB_READ_MAX;

		return bulk_in(t, buf, want - want % p->mps_in, timeout_ms);
	}
	if (p->rx_pos == p->rx_len) {
		n = bulk_in(t, p->rx, p->rx_cap, timeout_ms);
		if (n < 0)
			return n;
		p->rx_pos = 0;
		p->rx_len = (size_t)n;
	}
	n = (ssize_t)(p->rx_len - p->rx_pos < len ? p->rx_len - p->rx_pos : len);
	memcpy(buf, p->rx + p->rx_pos, (size_t)n);
	p->rx_pos += (size_t)n;
	return n;
}

static int write_failed(qc_transport *t, struct libusb_transfer *x, size_t done, size_t len, int timeout_ms)
{
	struct usb_priv *p = t->priv;

	switch (x->status) {
	case LIBUSB_TRANSFER_NO_DEVICE:
		return qc_fail(t->ctx, QC_E_DISCONNECTED,
			       "%s: device disconnected during write (%zu of %zu bytes sent)", t->name, done, len);
	case LIBUSB_TRANSFER_STALL:
		libusb_clear_halt(p->h, p->ep_out);
		return qc_fail(t->ctx, QC_E_IO,
			       "%s: the device stalled its OUT endpoint 0x%02x (%zu of %zu bytes sent)", t->name,
			       p->ep_out, done, len);
	case LIBUSB_TRANSFER_TIMED_OUT:
		return qc_fail(t->ctx, QC_E_TIMEOUT,
			       "%s: the device accepted no data for %d ms (%zu of %zu bytes sent)", t->name, timeout_ms,
			       done, len);
	default:
		return qc_fail(t->ctx, QC_E_IO, "%s: USB write failed (transfer status %d, %zu of %zu bytes sent)",
			       t->name, x->status, done, len);
	}
}

/* Splits BUF into chunks and keeps up to USB_WRITE_DEPTH of them queued.
 * OUT transfers on one endpoint complete in order, so the oldest is the
 * one to wait for.  The timeout counts from the last completed chunk: it
 * bounds how long the device may refuse data, not the whole write. */
static int usb_write(qc_transport *t, const void *buf, size_t len, int timeout_ms)
{
	struct usb_priv *p = t->priv;
	const uint8_t *data = buf;
	size_t next = 0, done = 0;
	int head = 0, active = 0, err = 0;
	int64_t last = qc_usb_now_ms();

	if (p->wedged)
		return qc_fail(t->ctx, QC_E_IO, "%s: an earlier transfer could not be cancelled; reopen the device",
			       t->name);
	while (done < len) {
		while (active < USB_WRITE_DEPTH && next < len) {
			int s = (head + active) % USB_WRITE_DEPTH;
			size_t n = len - next < USB_WRITE_CHUNK ? len - next : USB_WRITE_CHUNK;
			int rc;

			libusb_fill_bulk_transfer(p->xf[s], p->h, p->ep_out, (unsigned char *)(uintptr_t)(data + next),
						  (int)n, xfer_done, &p->done[s], 0);
			p->done[s] = 0;
			rc = libusb_submit_transfer(p->xf[s]);
			if (rc < 0) {
				p->done[s] = 1;
				err = rc == LIBUSB_ERROR_NO_DEVICE
					  ? qc_fail(t->ctx, QC_E_DISCONNECTED,
						    "%s: device disconnected during write (%zu of %zu bytes sent)",
						    t->name, done, len)
					  : qc_fail(t->ctx, QC_E_IO, "%s: cannot start a USB write: %s", t->name,
						    libusb_strerror(rc));
				break;
			}
			active++;
			next += n;
		}
		if (err || !active)
			break;
		err = pump(t, &p->done[head], timeout_ms < 0 ? -1 : last + (timeout_ms ? timeout_ms : 1));
		if (err == QC_E_TIMEOUT) {
			err = qc_fail(t->ctx, QC_E_TIMEOUT,
				      "%s: the device accepted no data for %d ms (%zu of %zu bytes sent)", t->name,
				      timeout_ms, done, len);
			break;
		}
		if (err == QC_E_CANCELLED) {
			err = qc_fail(t->ctx, QC_E_CANCELLED, "cancelled");
			break;
		}
		if (err < 0)
			break;
		struct libusb_transfer *x = p->xf[head];

		done += (size_t)x->actual_length;
		active--;
		head = (head + 1) % USB_WRITE_DEPTH;
		if (x->status != LIBUSB_TRANSFER_COMPLETED || x->actual_length != x->length) {
			err = write_failed(t, x, done, len, timeout_ms);
			break;
		}
		last = qc_usb_now_ms();
	}
	/* On failure the chunks still queued must come back before their
	 * memory (the caller's buffer) is released. */
	for (int i = 0; i < active; i++)
		cancel_slot(t, (head + i) % USB_WRITE_DEPTH);
	return err;
}

static int usb_zlp(qc_transport *t)
{
	struct usb_priv *p = t->priv;
	struct libusb_transfer *x = p->xf[0];
	int timeout = qc_get_timeout(t->ctx);
	int rc;

	if (p->wedged)
		return qc_fail(t->ctx, QC_E_IO, "%s: an earlier transfer could not be cancelled; reopen the device",
			       t->name);
	libusb_fill_bulk_transfer(x, p->h, p->ep_out, p->rx, 0, xfer_done, &p->done[0], 0);
	p->done[0] = 0;
	rc = libusb_submit_transfer(x);
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		return disconnected(t, "write");
	if (rc < 0)
		return qc_fail(t->ctx, QC_E_IO, "%s: cannot send a zero-length packet: %s", t->name,
			       libusb_strerror(rc));
	rc = pump(t, &p->done[0], timeout < 0 ? -1 : qc_usb_now_ms() + timeout);
	if (rc < 0) {
		cancel_slot(t, 0);
		if (rc == QC_E_TIMEOUT)
			return qc_fail(t->ctx, QC_E_TIMEOUT, "%s: the device took no zero-length packet within %d ms",
				       t->name, timeout);
		return rc == QC_E_CANCELLED ? qc_fail(t->ctx, rc, "cancelled") : rc;
	}
	if (x->status != LIBUSB_TRANSFER_COMPLETED)
		return write_failed(t, x, 0, 0, timeout);
	return 0;
}

static void usb_close(qc_transport *t)
{
	struct usb_priv *p = t->priv;

	if (!p)
		return;
	if (p->h) {
		if (p->claimed)
			libusb_release_interface(p->h, p->iface);
		/* Give the interface back to its serial driver, so the DIAG
		 * tty the user had before comes back. */
		if (p->detached)
			libusb_attach_kernel_driver(p->h, p->iface);
		/* A wedged transfer still points at our buffers: leak them
		 * rather than free memory libusb may write to. */
		if (!p->wedged)
			libusb_close(p->h);
	}
	for (int i = 0; i < USB_WRITE_DEPTH && !p->wedged; i++)
		libusb_free_transfer(p->xf[i]);
	if (!p->wedged) {
		free(p->rx);
		if (p->own_uctx)
			libusb_exit(p->uctx);
	}
	free(p);
	t->priv = NULL;
}

static const struct qc_transport_ops usb_ops = {
	.read = usb_read,
	.write = usb_write,
	.zlp = usb_zlp,
	.close = usb_close,
};

static int open_error(qc_ctx *ctx, const struct qc_usb_device *d, const char *what, int rc)
{
	switch (rc) {
	case LIBUSB_ERROR_ACCESS:
		return qc_fail(ctx, QC_E_PERM,
			       "cannot %s usb:%s (%04x:%04x): permission denied; install the udev rules (see "
			       "qcbox-list(1)) or run as root",
			       what, d->bus_port, d->vid, d->pid);
	case LIBUSB_ERROR_NO_DEVICE:
		return qc_fail(ctx, QC_E_NODEV, "usb:%s went away while it was being opened", d->bus_port);
	case LIBUSB_ERROR_BUSY:
		return qc_fail(ctx, QC_E_BUSY,
			       "interface %d of usb:%s is in use by another program (ModemManager, another qcbox?); "
			       "see qcbox-list(1)",
			       d->interface, d->bus_port);
	default: return qc_fail(ctx, QC_E_IO, "cannot %s usb:%s: %s", what, d->bus_port, libusb_strerror(rc));
	}
}

/* A serial driver (qcserial, option) often binds the interface first; it
 * has to let go before the interface can be claimed. */
static int take_from_kernel(qc_ctx *ctx, struct usb_priv *p, const struct qc_usb_device *d)
{
	int rc = libusb_kernel_driver_active(p->h, p->iface);

	if (rc != 1)
		return 0; /* none bound, or the platform cannot tell */
	rc = libusb_detach_kernel_driver(p->h, p->iface);
	if (rc < 0 && rc != LIBUSB_ERROR_NOT_FOUND)
		return qc_fail(ctx, QC_E_BUSY,
			       "interface %d of usb:%s is held by the kernel driver %s and could not be detached: %s",
			       p->iface, d->bus_port, d->driver[0] ? d->driver : "(unknown)", libusb_strerror(rc));
	p->detached = rc == 0;
	if (p->detached)
		qc_log(ctx, QC_LOG_WARN, "usb:%s: detached kernel driver %s from interface %d (reattached when done)",
		       d->bus_port, d->driver[0] ? d->driver : "(unknown)", p->iface);
	return 0;
}

int qc_usb_open_candidate(qc_ctx *ctx, libusb_context *uctx, bool own_uctx, const struct qc_usb_candidate *c,
			  qc_transport **out)
{
	const struct qc_usb_device *d = &c->info;
	struct usb_priv *p = calloc(1, sizeof(*p));
	char name[128];
	qc_transport *t;
	int rc;

	*out = NULL;
	if (!p)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory opening usb:%s", d->bus_port);
	p->uctx = uctx;
	p->iface = c->iface.number;
	p->ep_in = c->iface.ep_in;
	p->ep_out = c->iface.ep_out;
	p->mps_in = c->iface.mps_in;
	/* The bounce buffer holds whole packets of the IN endpoint. */
	p->rx_cap = USB_RX_BUF - USB_RX_BUF % p->mps_in;
	if (!p->rx_cap)
		p->rx_cap = p->mps_in;
	p->rx = malloc(p->rx_cap);
	for (int i = 0; i < USB_WRITE_DEPTH; i++) {
		p->xf[i] = libusb_alloc_transfer(0);
		p->done[i] = 1;
	}
	snprintf(name, sizeof(name), "usb:%s", d->bus_port);
	t = qc_transport_alloc(ctx, QC_TRANSPORT_USB, &usb_ops, name);
	if (!t || !p->rx || !p->xf[0] || !p->xf[1] || !p->xf[2] || !p->xf[3]) {
		free(t);
		rc = qc_fail(ctx, QC_E_NOMEM, "out of memory opening usb:%s", d->bus_port);
		goto fail;
	}
	t->priv = p;
	rc = libusb_open(c->dev, &p->h);
	if (rc < 0) {
		p->h = NULL;
		rc = open_error(ctx, d, "open", rc);
		goto fail_t;
	}
	rc = take_from_kernel(ctx, p, d);
	if (rc < 0)
		goto fail_t;
	rc = libusb_claim_interface(p->h, p->iface);
	if (rc < 0) {
		rc = open_error(ctx, d, "claim", rc);
		goto fail_t;
	}
	p->claimed = true;
	if (c->iface.altsetting) {
		rc = libusb_set_interface_alt_setting(p->h, p->iface, c->iface.altsetting);
		if (rc < 0) {
			rc = open_error(ctx, d, "select the alternate setting of", rc);
			goto fail_t;
		}
	}
	p->own_uctx = own_uctx;
	t->max_packet = c->iface.mps_out;
	t->info.vid = d->vid;
	t->info.pid = d->pid;
	snprintf(t->info.serial, sizeof(t->info.serial), "%s", d->serial);
	snprintf(t->info.product, sizeof(t->info.product), "%s", d->product);
	qc_log(ctx, QC_LOG_DEBUG, "%s: %04x:%04x interface %d, IN 0x%02x OUT 0x%02x, %u-byte packets", name, d->vid,
	       d->pid, p->iface, p->ep_in, p->ep_out, c->iface.mps_out);
	*out = t;
	return 0;

fail_t:
	p->own_uctx = false; /* the caller still owns it on failure */
	qc_transport_close(t);
	return rc;
fail:
	for (int i = 0; i < USB_WRITE_DEPTH; i++)
		libusb_free_transfer(p->xf[i]);
	free(p->rx);
	free(p);
	return rc;
}

int qc_usb_open(qc_ctx *ctx, const struct qc_device_spec *spec, qc_transport **out)
{
	libusb_context *uctx;
	struct qc_usb_candidate *c;
	size_t n, pick;
	int rc;

	*out = NULL;
	rc = qc_usb_init(ctx, &uctx);
	if (rc < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", qc_last_error(ctx));
		return qc_fail(ctx, QC_E_NODEV, "no USB devices can be reached here: %s", why);
	}
	rc = qc_usb_scan(ctx, uctx, &c, &n);
	if (rc == 0)
		rc = qc_usb_select(ctx, spec, c, n, &pick);
	if (rc == 0)
		rc = qc_usb_open_candidate(ctx, uctx, true, &c[pick], out);
	qc_usb_scan_free(c, n);
	if (rc < 0)
		libusb_exit(uctx);
	return rc;
}

static bool is_usb(const qc_transport *t)
{
	return t && t->kind == QC_TRANSPORT_USB && t->ops == &usb_ops;
}

int qc_usb_probe_mode(qc_transport *t, int timeout_ms, enum qc_usb_mode *mode)
{
	static const uint8_t nop[] = {QC_DLOAD_NOP};
	struct usb_priv *p;
	uint8_t frame[16];
	ssize_t n;

	*mode = QC_USB_MODE_UNKNOWN;
	if (!t)
		return QC_E_INVAL;
	if (!is_usb(t))
		return qc_fail(t->ctx, QC_E_UNSUPPORTED, "%s: probing works on USB links only", t->name);
	p = t->priv;
	/* Unprompted bytes stay in the bounce buffer for whoever reads next. */
	if (p->rx_pos == p->rx_len) {
		n = bulk_in(t, p->rx, p->rx_cap, timeout_ms);
		if (n > 0) {
			p->rx_pos = 0;
			p->rx_len = (size_t)n;
		} else if (n != QC_E_TIMEOUT) {
			return (int)n;
		}
	}
	if (p->rx_pos < p->rx_len) {
		*mode = qc_usb_classify_reply(p->rx + p->rx_pos, p->rx_len - p->rx_pos, false);
		return 0;
	}
	qc_clear_error(t->ctx);
	n = qc_hdlc_encode(nop, sizeof(nop), frame, sizeof(frame), true);
	if (n < 0)
		return qc_fail(t->ctx, QC_E_INVAL, "cannot frame the probe");
	int rc = qc_transport_write(t, frame, (size_t)n, timeout_ms);

	if (rc < 0)
		return rc;
	/* The answer is ours: read into the (empty) bounce buffer and drop it. */
	n = bulk_in(t, p->rx, p->rx_cap, timeout_ms);
	if (n == QC_E_TIMEOUT) {
		qc_clear_error(t->ctx);
		return 0;
	}
	if (n < 0)
		return (int)n;
	*mode = qc_usb_classify_reply(p->rx, (size_t)n, true);
	return 0;
}
