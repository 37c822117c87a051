/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux sysfs: string attributes of USB devices without opening them (so
 * `list` works before the udev rules are installed), and the serial ports
 * (ttyUSB, ttyACM) whose USB interface is a Qualcomm DIAG function, so
 * users find the path to give as -d tty:.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "usb_impl.h"

int qc_sysfs_attr(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (!cap)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

static int attr_hex(const char *dir, const char *name, unsigned long *v)
{
	char buf[32], *end;

	if (qc_sysfs_attr(dir, name, buf, sizeof(buf)) <= 0)
		return -1;
	*v = strtoul(buf, &end, 16);
	return *end ? -1 : 0;
}

/* Walks up from PATH (a resolved sysfs device directory) to the nearest
 * ancestor that has attribute NAME; leaves it in PATH. */
static bool up_to(char *path, const char *name)
{
	char probe[PATH_MAX];

	for (;;) {
		char *slash = strrchr(path, '/');

		if ((size_t)snprintf(probe, sizeof(probe), "%s/%s", path, name) < sizeof(probe) &&
		    access(probe, F_OK) == 0)
			return true;
		if (!slash || slash == path || !strcmp(path, "/sys/devices"))
			return false;
		*slash = '\0';
	}
}

static int append(qc_ctx *ctx, struct qc_usb_device **list, size_t *count, const struct qc_usb_device *d)
{
	struct qc_usb_device *n = realloc(*list, (*count + 1) * sizeof(**list));

	if (!n)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory listing serial ports");
	n[*count] = *d;
	*list = n;
	(*count)++;
	return 0;
}

/* Where /sys/class/tty/NAME points, as an absolute path.  Resolved by
 * hand from the one symlink rather than with realpath(), which some
 * sysfs-redirecting test environments do not intercept. */
static int class_target(const char *name, char *out, size_t cap)
{
	char link[PATH_MAX], target[PATH_MAX], *parts[128], *save = NULL;
	size_t n = 0, o = 0;
	ssize_t l;

	snprintf(link, sizeof(link), "/sys/class/tty/%s", name);
	l = readlink(link, target, sizeof(target) - 1);
	if (l <= 0)
		return -1;
	target[l] = '\0';
	if (target[0] != '/') {
		char joined[PATH_MAX];

		if ((size_t)snprintf(joined, sizeof(joined), "/sys/class/tty/%s", target) >= sizeof(joined))
			return -1;
		snprintf(target, sizeof(target), "%s", joined);
	}
	for (char *p = strtok_r(target, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			if (n)
				n--;
			continue;
		}
		if (n == sizeof(parts) / sizeof(parts[0]))
			return -1;
		parts[n++] = p;
	}
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + o, cap - o, "/%s", parts[i]);

		if (w < 0 || (size_t)w >= cap - o)
			return -1;
		o += (size_t)w;
	}
	return n ? 0 : -1;
}

/* One /sys/class/tty entry: is it on a Qualcomm DIAG interface? */
static int consider_tty(qc_ctx *ctx, const char *name, struct qc_usb_device **list, size_t *count)
{
	char link[PATH_MAX], real[PATH_MAX], iface[PATH_MAX], buf[256];
	unsigned long cls, sub, proto, num, vid, pid;
	struct qc_usb_iface ifd = {0};
	struct qc_usb_device d = {0};
	enum qc_usb_mode mode;

	if (class_target(name, real, sizeof(real)) < 0)
		return 0;
	/* ttyUSB0 sits in <iface>/ttyUSB0/tty/ttyUSB0, ttyACM0 in
	 * <iface>/tty/ttyACM0: find the interface above it either way. */
	snprintf(iface, sizeof(iface), "%s", real);
	if (!up_to(iface, "bInterfaceClass"))
		return 0;
	if (attr_hex(iface, "bInterfaceClass", &cls) || cls != 0xff || attr_hex(iface, "bInterfaceSubClass", &sub) ||
	    attr_hex(iface, "bInterfaceProtocol", &proto) || attr_hex(iface, "bInterfaceNumber", &num))
		return 0;
	snprintf(real, sizeof(real), "%s", iface);
	if (!up_to(real, "idVendor") || attr_hex(real, "idVendor", &vid) || attr_hex(real, "idProduct", &pid))
		return 0;
	qc_sysfs_attr(real, "product", d.product, sizeof(d.product));
	qc_sysfs_attr(real, "manufacturer", d.manufacturer, sizeof(d.manufacturer));
	if (qc_sysfs_attr(real, "serial", buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	/* Only the DIAG function: a modem's other serial ports (AT, NMEA)
	 * have vendor interfaces too.  Without the 0x30 protocol number we
	 * rely on the known compositions, where DIAG is interface 0. */
	ifd.number = (int)num;
	ifd.subclass = (uint8_t)sub;
	ifd.protocol = (uint8_t)proto;
	if (qc_usb_choose((uint16_t)vid, (uint16_t)pid, d.product, &ifd, 1, &mode) < 0 || mode != QC_USB_MODE_DIAG)
		return 0;
	if (proto != 0x30 && num != 0)
		return 0;
	d.kind = QC_TRANSPORT_TTY;
	d.mode = mode;
	d.vid = (uint16_t)vid;
	d.pid = (uint16_t)pid;
	d.interface = (int)num;
	d.iface_protocol = (uint8_t)proto;
	d.bus = -1;
	qc_usb_serial_from(d.product, buf, d.serial, sizeof(d.serial));
	snprintf(d.bus_port, sizeof(d.bus_port), "%s", strrchr(real, '/') + 1);
	snprintf(d.tty, sizeof(d.tty), "/dev/%s", name);
	snprintf(d.spec, sizeof(d.spec), "tty:%s", d.tty);
	if ((size_t)snprintf(link, sizeof(link), "%s/driver", iface) < sizeof(link)) {
		ssize_t l = readlink(link, buf, sizeof(buf) - 1);

		if (l > 0) {
			buf[l] = '\0';
			snprintf(d.driver, sizeof(d.driver), "%s", strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf);
		}
	}
	d.accessible = access(d.tty, R_OK | W_OK) == 0;
	return append(ctx, list, count, &d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* opendir/readdir rather than scandir, for the same reason as above. */
int qc_usb_list_ttys(qc_ctx *ctx, struct qc_usb_device **list, size_t *count)
{
	DIR *dir = opendir("/sys/class/tty");
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	int rc = 0;

	if (!dir)
		return 0; /* no sysfs: not Linux, or a container without it */
	while ((e = readdir(dir)) && n < sizeof(names) / sizeof(names[0])) {
		if (strncmp(e->d_name, "ttyUSB", 6) && strncmp(e->d_name, "ttyACM", 6))
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = consider_tty(ctx, names[i], list, count);
		free(names[i]);
	}
	return rc;
}
