/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Waiting for a device to appear, as users do after pressing the EDL key
 * combination or sending `diag to-edl`, or to leave (the phone told to
 * switch modes is still on the bus for a moment).  libusb's hotplug events wake us
 * as soon as the kernel announces a device; the periodic rescan covers
 * platforms without hotplug support and events that raced our start.
 */
#include "usb_impl.h"

#define USB_RESCAN_MS 250

static int LIBUSB_CALL hotplug_event(libusb_context *uctx, libusb_device *dev, libusb_hotplug_event ev, void *user)
{
	(void)uctx;
	(void)dev;
	(void)ev;
	*(int *)user = 1;
	return 0; /* stay registered */
}

/* True if SPEC selects at least one attached device (several is for the
 * open that follows to refuse, with the list). */
static int present(qc_ctx *ctx, libusb_context *uctx, const struct qc_device_spec *spec, bool *found)
{
	struct qc_usb_candidate *c;
	size_t n;
	int rc = qc_usb_scan(ctx, uctx, &c, &n);

	*found = false;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && !*found; i++)
		*found = qc_usb_spec_matches(spec, &c[i].info);
	qc_usb_scan_free(c, n);
	return 0;
}

static int wait_for(qc_ctx *ctx, const struct qc_device_spec *spec, int timeout_ms, bool want_present)
{
	libusb_context *uctx;
	libusb_hotplug_callback_handle cb;
	bool hotplug, found = false;
	int64_t deadline = timeout_ms < 0 ? -1 : qc_usb_now_ms() + timeout_ms;
	int event = 0, rc;

	if (spec->kind != QC_TRANSPORT_USB)
		return qc_fail(ctx, QC_E_INVAL, "only USB devices can be waited for this way");
	rc = qc_usb_init(ctx, &uctx);
	if (rc < 0)
		return rc;
	hotplug = libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
		  libusb_hotplug_register_callback(uctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0,
						   LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
						   LIBUSB_HOTPLUG_MATCH_ANY, hotplug_event, &event, &cb) == LIBUSB_SUCCESS;
	for (;;) {
		int64_t slice = USB_RESCAN_MS;
		struct timeval tv;

		rc = present(ctx, uctx, spec, &found);
		if (rc < 0 || found == want_present)
			break;
		if (qc_cancelled(ctx)) {
			rc = qc_fail(ctx, QC_E_CANCELLED, "cancelled while waiting for a device");
			break;
		}
		if (deadline >= 0) {
			int64_t left = deadline - qc_usb_now_ms();

			if (left <= 0) {
				rc = qc_fail(ctx, QC_E_TIMEOUT,
					     want_present ? "no matching Qualcomm USB device appeared within %d s"
							  : "the device was still attached after %d s",
					     (timeout_ms + 999) / 1000);
				break;
			}
			if (left < slice)
				slice = left;
		}
		tv.tv_sec = (time_t)(slice / 1000);
		tv.tv_usec = (suseconds_t)(slice % 1000) * 1000;
		event = 0;
		libusb_handle_events_timeout_completed(uctx, &tv, &event);
	}
	if (hotplug)
		libusb_hotplug_deregister_callback(uctx, cb);
	libusb_exit(uctx);
	return rc;
}

int qc_usb_wait(qc_ctx *ctx, const struct qc_device_spec *spec, int timeout_ms)
{
	return wait_for(ctx, spec, timeout_ms, true);
}

int qc_usb_wait_gone(qc_ctx *ctx, const struct qc_device_spec *spec, int timeout_ms)
{
	return wait_for(ctx, spec, timeout_ms, false);
}
