/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Discovery: walk libusb's device list, keep the Qualcomm devices in a mode
 * we speak, read their strings (sysfs first: no need to open the device),
 * and pick the one a -d usb... spec names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "usb_impl.h"

int64_t qc_usb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qc_usb_init(qc_ctx *ctx, libusb_context **uctx)
{
	int rc = libusb_init(uctx);

	if (rc < 0)
		return qc_fail(ctx, QC_E_IO, "cannot start libusb: %s", libusb_strerror(rc));
	libusb_set_option(*uctx, LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_NONE);
	return 0;
}

/* The first bulk IN and bulk OUT endpoint of an alternate setting. */
static bool bulk_pair(const struct libusb_interface_descriptor *alt, struct qc_usb_iface *f)
{
	f->ep_in = f->ep_out = 0;
	for (int e = 0; e < alt->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];

		if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		/* The low 11 bits are the packet size; a zero one is useless. */
		if (!(ep->wMaxPacketSize & 0x7ff))
			continue;
		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
			if (!f->ep_in) {
				f->ep_in = ep->bEndpointAddress;
				f->mps_in = ep->wMaxPacketSize & 0x7ff;
			}
		} else if (!f->ep_out) {
			f->ep_out = ep->bEndpointAddress;
			f->mps_out = ep->wMaxPacketSize & 0x7ff;
		}
	}
	return f->ep_in && f->ep_out;
}

/* Vendor-specific interfaces with a bulk pair, in descriptor order. */
static size_t vendor_ifaces(const struct libusb_config_descriptor *cfg, struct qc_usb_iface *out, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < cfg->bNumInterfaces && n < cap; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		for (int a = 0; a < itf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *alt = &itf->altsetting[a];
			struct qc_usb_iface f = {0};

			if (alt->bInterfaceClass != LIBUSB_CLASS_VENDOR_SPEC || !bulk_pair(alt, &f))
				continue;
			f.number = alt->bInterfaceNumber;
			f.altsetting = alt->bAlternateSetting;
			f.subclass = alt->bInterfaceSubClass;
			f.protocol = alt->bInterfaceProtocol;
			out[n++] = f;
			break;
		}
	}
	return n;
}

static void get_string(libusb_device_handle *h, uint8_t index, char *out, size_t cap)
{
	unsigned char buf[256];
	int n;

	out[0] = '\0';
	if (!index)
		return;
	n = libusb_get_string_descriptor_ascii(h, index, buf, sizeof(buf));
	if (n > 0) {
		buf[n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1] = '\0';
		snprintf(out, cap, "%s", (char *)buf);
	}
}

/* Strings, kernel driver and access.  sysfs has the strings the kernel
 * read at enumeration, so listing needs no access to the device; a string
 * sysfs lacks (not Linux, or an unreadable attribute) is asked of the
 * device, when we may open it. */
static void fill_strings(libusb_device *dev, const struct libusb_device_descriptor *dd, struct qc_usb_device *d,
			 char *iserial, size_t iserial_cap)
{
	char dir[160], node[64], path[256], link[256], cfgval[16];
	bool sysfs;
	ssize_t l;

	snprintf(dir, sizeof(dir), "/sys/bus/usb/devices/%s", d->bus_port);
	snprintf(node, sizeof(node), "/dev/bus/usb/%03d/%03d", d->bus, d->address);
	iserial[0] = d->product[0] = d->manufacturer[0] = d->driver[0] = '\0';
	sysfs = qc_sysfs_attr(dir, "idVendor", path, sizeof(path)) > 0;
	if (sysfs) {
		qc_sysfs_attr(dir, "product", d->product, sizeof(d->product));
		qc_sysfs_attr(dir, "manufacturer", d->manufacturer, sizeof(d->manufacturer));
		qc_sysfs_attr(dir, "serial", iserial, iserial_cap);
		if (qc_sysfs_attr(dir, "bConfigurationValue", cfgval, sizeof(cfgval)) <= 0)
			snprintf(cfgval, sizeof(cfgval), "1");
		snprintf(path, sizeof(path), "%s/%s:%s.%d/driver", dir, d->bus_port, cfgval, d->interface);
		l = readlink(path, link, sizeof(link) - 1);
		if (l > 0) {
			link[l] = '\0';
			snprintf(d->driver, sizeof(d->driver), "%s",
				 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		}
		d->accessible = access(node, R_OK | W_OK) == 0;
	}
	if ((dd->iProduct && !d->product[0]) || (dd->iManufacturer && !d->manufacturer[0]) ||
	    (dd->iSerialNumber && !iserial[0]) || !sysfs) {
		libusb_device_handle *h;

		d->accessible = libusb_open(dev, &h) == 0;
		if (!d->accessible)
			return;
		if (!d->product[0])
			get_string(h, dd->iProduct, d->product, sizeof(d->product));
		if (!d->manufacturer[0])
			get_string(h, dd->iManufacturer, d->manufacturer, sizeof(d->manufacturer));
		if (!iserial[0])
			get_string(h, dd->iSerialNumber, iserial, iserial_cap);
		libusb_close(h);
	}
}

static int speed_mbps(int speed)
{
	switch (speed) {
	case LIBUSB_SPEED_LOW: return 1;
	case LIBUSB_SPEED_FULL: return 12;
	case LIBUSB_SPEED_HIGH: return 480;
	case LIBUSB_SPEED_SUPER: return 5000;
	case LIBUSB_SPEED_SUPER_PLUS: return 10000;
	default: return 0;
	}
}

/* Fills C from DEV if it is one of ours; returns false otherwise. */
static bool examine(libusb_device *dev, struct qc_usb_candidate *c)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	struct qc_usb_iface ifaces[32];
	struct qc_usb_device *d = &c->info;
	uint8_t ports[8];
	char iserial[128];
	enum qc_usb_mode mode, dummy;
	size_t n;
	int np, pick;

	if (libusb_get_device_descriptor(dev, &dd) < 0)
		return false;
	if (dd.idVendor != 0x05c6 && !qc_usb_id_known(dd.idVendor, dd.idProduct, &dummy))
		return false;
	np = libusb_get_port_numbers(dev, ports, sizeof(ports));
	if (np <= 0)
		return false; /* a root hub */
	if (libusb_get_active_config_descriptor(dev, &cfg) < 0 && libusb_get_config_descriptor(dev, 0, &cfg) < 0)
		return false;
	n = vendor_ifaces(cfg, ifaces, sizeof(ifaces) / sizeof(ifaces[0]));
	libusb_free_config_descriptor(cfg);
	if (!n)
		return false;
	memset(c, 0, sizeof(*c));
	d->kind = QC_TRANSPORT_USB;
	d->vid = dd.idVendor;
	d->pid = dd.idProduct;
	d->bus = libusb_get_bus_number(dev);
	d->address = libusb_get_device_address(dev);
	d->speed_mbps = speed_mbps(libusb_get_device_speed(dev));
	for (int i = 0, o = 0; i < np; i++)
		o += snprintf(d->ports + o, sizeof(d->ports) - (size_t)o, "%s%u", i ? "." : "", ports[i]);
	snprintf(d->bus_port, sizeof(d->bus_port), "%d-%s", d->bus, d->ports);
	/* The product string decides 900e's mode, so read strings before
	 * choosing; the interface number is only needed for the driver. */
	d->interface = ifaces[0].number;
	fill_strings(dev, &dd, d, iserial, sizeof(iserial));
	pick = qc_usb_choose(d->vid, d->pid, d->product, ifaces, n, &mode);
	if (pick < 0)
		return false;
	if (ifaces[pick].number != d->interface) {
		d->interface = ifaces[pick].number;
		fill_strings(dev, &dd, d, iserial, sizeof(iserial));
	}
	c->iface = ifaces[pick];
	d->iface_protocol = ifaces[pick].protocol;
	d->mode = mode;
	qc_usb_serial_from(d->product, iserial, d->serial, sizeof(d->serial));
	snprintf(d->spec, sizeof(d->spec), "usb:%s", d->bus_port);
	c->dev = libusb_ref_device(dev);
	return true;
}

static int by_bus_port(const void *a, const void *b)
{
	const struct qc_usb_candidate *x = a, *y = b;

	if (x->info.bus != y->info.bus)
		return x->info.bus - y->info.bus;
	return strcmp(x->info.ports, y->info.ports);
}

int qc_usb_scan(qc_ctx *ctx, libusb_context *uctx, struct qc_usb_candidate **out, size_t *count)
{
	libusb_device **devs;
	ssize_t n = libusb_get_device_list(uctx, &devs);
	struct qc_usb_candidate *c;
	size_t k = 0;

	*out = NULL;
	*count = 0;
	if (n < 0)
		return qc_fail(ctx, QC_E_IO, "cannot list USB devices: %s", libusb_strerror((int)n));
	c = calloc((size_t)n + 1, sizeof(*c));
	if (!c) {
		libusb_free_device_list(devs, 1);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory listing USB devices");
	}
	for (ssize_t i = 0; i < n; i++)
		if (examine(devs[i], &c[k]))
			k++;
	libusb_free_device_list(devs, 1);
	qsort(c, k, sizeof(*c), by_bus_port);
	*out = c;
	*count = k;
	return 0;
}

void qc_usb_scan_free(struct qc_usb_candidate *c, size_t count)
{
	for (size_t i = 0; c && i < count; i++)
		libusb_unref_device(c[i].dev);
	free(c);
}

bool qc_usb_spec_matches(const struct qc_device_spec *spec, const struct qc_usb_device *dev)
{
	if (spec->kind != QC_TRANSPORT_USB || dev->kind != QC_TRANSPORT_USB)
		return false;
	if (spec->usb_bus >= 0)
		return spec->usb_bus == dev->bus && !strcmp(spec->usb_ports, dev->ports);
	if (spec->path[0]) {
		const char *want = spec->path;

		if (want[0] == '0' && (want[1] == 'x' || want[1] == 'X'))
			want += 2;
		return dev->serial[0] && !strcasecmp(want, dev->serial);
	}
	return true;
}

/* "usb:1-2 (sahara, 05c6:9008, serial 1234abcd)" */
static void describe(const struct qc_usb_device *d, char *out, size_t cap)
{
	snprintf(out, cap, "usb:%s (%s, %04x:%04x%s%s)", d->bus_port, qc_usb_mode_name(d->mode), d->vid, d->pid,
		 d->serial[0] ? ", serial " : "", d->serial);
}

static void describe_all(const struct qc_usb_candidate *c, size_t count, const struct qc_device_spec *spec,
			 bool only_matching, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < count && o + 1 < cap; i++) {
		char one[400];

		if (only_matching && !qc_usb_spec_matches(spec, &c[i].info))
			continue;
		describe(&c[i].info, one, sizeof(one));
		o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "; " : "", one);
	}
	if (o >= cap && cap > 4)
		strcpy(out + cap - 4, "...");
}

int qc_usb_select(qc_ctx *ctx, const struct qc_device_spec *spec, const struct qc_usb_candidate *c, size_t count,
		  size_t *index)
{
	char list[900];
	size_t hits = 0;

	for (size_t i = 0; i < count; i++) {
		if (qc_usb_spec_matches(spec, &c[i].info)) {
			if (!hits)
				*index = i;
			hits++;
		}
	}
	if (hits == 1)
		return 0;
	if (hits > 1) {
		describe_all(c, count, spec, true, list, sizeof(list));
		return qc_fail(ctx, QC_E_AMBIGUOUS,
			       "%zu Qualcomm USB devices match; choose one with -d usb:SERIAL or -d usb:BUS-PORT: %s",
			       hits, list);
	}
	if (!count)
		return qc_fail(ctx, QC_E_NODEV,
			       "no Qualcomm USB device is attached (looked for EDL 05c6:9008, DIAG 05c6:900e/9025 and "
			       "the other known IDs; `qcbox list` shows what is there)");
	describe_all(c, count, spec, false, list, sizeof(list));
	if (spec->usb_bus >= 0)
		return qc_fail(ctx, QC_E_NODEV, "no Qualcomm USB device at usb:%d-%s; attached: %s", spec->usb_bus,
			       spec->usb_ports, list);
	return qc_fail(ctx, QC_E_NODEV, "no Qualcomm USB device with serial '%s'; attached: %s", spec->path, list);
}

static bool serial_unique(const struct qc_usb_device *list, size_t count, size_t i)
{
	/* A serial that reads like BUS-PORT would be taken for one. */
	if (!list[i].serial[0] || strchr(list[i].serial, '-'))
		return false;
	for (size_t j = 0; j < count; j++)
		if (j != i && list[j].kind == QC_TRANSPORT_USB && !strcasecmp(list[j].serial, list[i].serial))
			return false;
	return true;
}

int qc_usb_list(qc_ctx *ctx, unsigned flags, struct qc_usb_device **out, size_t *count)
{
	libusb_context *uctx = NULL;
	struct qc_usb_candidate *c = NULL;
	struct qc_usb_device *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	/* No usable USB stack (a container without /dev/bus/usb) is not an
	 * error for listing: there is simply nothing to show. */
	if (qc_usb_init(ctx, &uctx) < 0) {
		qc_log(ctx, QC_LOG_INFO, "%s", qc_last_error(ctx));
		qc_clear_error(ctx);
		uctx = NULL;
	}
	if (uctx) {
		rc = qc_usb_scan(ctx, uctx, &c, &n);
		if (rc < 0) {
			libusb_exit(uctx);
			return rc;
		}
	}
	if (n) {
		list = calloc(n, sizeof(*list));
		if (!list) {
			qc_usb_scan_free(c, n);
			libusb_exit(uctx);
			return qc_fail(ctx, QC_E_NOMEM, "out of memory listing USB devices");
		}
	}
	for (size_t i = 0; i < n; i++) {
		list[i] = c[i].info;
		if ((flags & QC_USB_LIST_PROBE) && list[i].mode == QC_USB_MODE_SAHARA && list[i].accessible) {
			qc_transport *t;
			enum qc_usb_mode m;

			if (qc_usb_open_candidate(ctx, uctx, false, &c[i], &t) == 0) {
				if (qc_usb_probe_mode(t, 300, &m) == 0 && m != QC_USB_MODE_UNKNOWN) {
					list[i].mode = m;
					list[i].mode_probed = true;
				}
				qc_transport_close(t);
			}
			if (!list[i].mode_probed)
				qc_log(ctx, QC_LOG_INFO, "usb:%s: probe gave no answer: %s", list[i].bus_port,
				       qc_last_error(ctx));
			qc_clear_error(ctx);
		}
	}
	qc_usb_scan_free(c, n);
	if (uctx)
		libusb_exit(uctx);
	for (size_t i = 0; i < n; i++)
		if (serial_unique(list, n, i))
			snprintf(list[i].spec, sizeof(list[i].spec), "usb:%s", list[i].serial);
	if (flags & QC_USB_LIST_TTY) {
		rc = qc_usb_list_ttys(ctx, &list, &n);
		if (rc < 0) {
			free(list);
			return rc;
		}
	}
	*out = list;
	*count = n;
	return 0;
}

void qc_usb_list_free(struct qc_usb_device *list)
{
	free(list);
}
