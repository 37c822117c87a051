/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qcbox/transport.h"

static int copy_path(qc_ctx *ctx, char *dst, size_t size, const char *src, const char *what)
{
	if (!*src)
		return qc_fail(ctx, QC_E_INVAL, "device spec %s needs a path", what);
	if (strlen(src) >= size)
		return qc_fail(ctx, QC_E_INVAL, "device path too long: %.40s...", src);
	strcpy(dst, src);
	return 0;
}

static int parse_port(qc_ctx *ctx, const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return qc_fail(ctx, QC_E_INVAL, "bad TCP port '%s'", s);
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return qc_fail(ctx, QC_E_INVAL, "bad TCP port '%s'", s);
	*port = (unsigned)v;
	return 0;
}

/* usb:BUS-PORT is "3-1.2" as Linux names USB ports in sysfs; anything else
 * after usb: is a serial number. */
static int parse_usb(qc_ctx *ctx, const char *arg, struct qc_device_spec *out)
{
	const char *dash = strchr(arg, '-');
	int is_busport = dash && dash > arg;

	for (const char *p = arg; is_busport && p < dash; p++)
		is_busport = isdigit((unsigned char)*p);
	for (const char *p = dash ? dash + 1 : arg; is_busport && *p; p++)
		is_busport = isdigit((unsigned char)*p) || *p == '.';
	if (is_busport && dash[1] && strlen(dash + 1) < sizeof(out->usb_ports)) {
		out->usb_bus = atoi(arg);
		strcpy(out->usb_ports, dash + 1);
		return 0;
	}
	return copy_path(ctx, out->path, sizeof(out->path), arg, "usb:SERIAL");
}

int qc_device_spec_parse(qc_ctx *ctx, const char *spec, struct qc_device_spec *out)
{
	memset(out, 0, sizeof(*out));
	out->usb_bus = -1;
	if (!spec || !*spec || !strcmp(spec, "usb")) {
		out->kind = QC_TRANSPORT_USB;
		return 0;
	}
	if (!strncmp(spec, "usb:", 4)) {
		out->kind = QC_TRANSPORT_USB;
		return parse_usb(ctx, spec + 4, out);
	}
	if (!strncmp(spec, "tty:", 4) || !strncmp(spec, "serial:", 7)) {
		const char *p = strchr(spec, ':') + 1;
		const char *at = strrchr(p, '@');
		int rc;

		out->kind = QC_TRANSPORT_TTY;
		rc = copy_path(ctx, out->path, sizeof(out->path), p, "tty:PATH");
		if (rc < 0)
			return rc;
		if (at) {
			char *end;
			unsigned long b = strtoul(at + 1, &end, 10);

			if (*end || !b)
				return qc_fail(ctx, QC_E_INVAL, "bad baud rate in '%s'", spec);
			out->baud = (unsigned)b;
			out->path[at - p] = '\0';
		}
		return 0;
	}
	if (!strncmp(spec, "unix:", 5)) {
		out->kind = QC_TRANSPORT_UNIX;
		return copy_path(ctx, out->path, sizeof(out->path), spec + 5, "unix:PATH");
	}
	if (!strncmp(spec, "tcp:", 4)) {
		const char *hp = spec + 4;
		const char *colon = strrchr(hp, ':');

		out->kind = QC_TRANSPORT_TCP;
		if (!colon)
			return qc_fail(ctx, QC_E_INVAL, "device spec '%s' needs tcp:HOST:PORT", spec);
		if ((size_t)(colon - hp) >= sizeof(out->path))
			return qc_fail(ctx, QC_E_INVAL, "host name too long in '%s'", spec);
		memcpy(out->path, hp, (size_t)(colon - hp));
		out->path[colon - hp] = '\0';
		if (!out->path[0])
			strcpy(out->path, "127.0.0.1");
		/* [::1]:PORT */
		if (out->path[0] == '[') {
			size_t l = strlen(out->path);

			if (out->path[l - 1] != ']')
				return qc_fail(ctx, QC_E_INVAL, "bad IPv6 address in '%s'", spec);
			memmove(out->path, out->path + 1, l - 2);
			out->path[l - 2] = '\0';
		}
		return parse_port(ctx, colon + 1, &out->port);
	}
	if (spec[0] == '/') {
		struct stat st;

		if (stat(spec, &st) == 0 && S_ISSOCK(st.st_mode)) {
			out->kind = QC_TRANSPORT_UNIX;
			return copy_path(ctx, out->path, sizeof(out->path), spec, "unix:PATH");
		}
		out->kind = QC_TRANSPORT_TTY;
		return copy_path(ctx, out->path, sizeof(out->path), spec, "tty:PATH");
	}
	return qc_fail(ctx, QC_E_INVAL,
		       "unknown device spec '%s' (expected usb, usb:SERIAL, usb:BUS-PORT, tty:PATH, unix:PATH or tcp:HOST:PORT)",
		       spec);
}
