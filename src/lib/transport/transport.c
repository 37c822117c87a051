/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "../core/ctx_impl.h"
#include "transport_impl.h"

qc_transport *qc_transport_alloc(qc_ctx *ctx, enum qc_transport_kind kind,
				 const struct qc_transport_ops *ops, const char *name)
{
	qc_transport *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ops = ops;
	t->ctx = ctx;
	t->kind = kind;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
	return t;
}

int qc_transport_open_spec(qc_ctx *ctx, const struct qc_device_spec *spec, qc_transport **out)
{
	*out = NULL;
	switch (spec->kind) {
	case QC_TRANSPORT_TTY:
		return qc_tty_open(ctx, spec->path, spec->baud, out);
	case QC_TRANSPORT_UNIX:
		return qc_socket_open_unix(ctx, spec->path, out);
	case QC_TRANSPORT_TCP:
		return qc_socket_open_tcp(ctx, spec->path, spec->port, out);
	case QC_TRANSPORT_USB:
		return qc_usb_open(ctx, spec, out);
	default:
		return qc_fail(ctx, QC_E_INVAL, "this kind of device cannot be opened by a host");
	}
}

int qc_transport_open(qc_ctx *ctx, const char *spec, qc_transport **out)
{
	struct qc_device_spec s;
	int rc = qc_device_spec_parse(ctx, spec, &s);

	if (rc < 0)
		return rc;
	return qc_transport_open_spec(ctx, &s, out);
}

void qc_transport_close(qc_transport *t)
{
	if (!t)
		return;
	if (t->ops->close)
		t->ops->close(t);
	free(t);
}

ssize_t qc_transport_read(qc_transport *t, void *buf, size_t len, int timeout_ms)
{
	ssize_t n;

	if (len == 0)
		return QC_E_INVAL;
	if (qc_cancelled(t->ctx))
		return qc_fail(t->ctx, QC_E_CANCELLED, "cancelled");
	n = t->ops->read(t, buf, len, timeout_ms);
	if (n > 0)
		qc_trace(t->ctx, QC_TRACE_RX, buf, (size_t)n);
	return n;
}

int qc_transport_read_exact(qc_transport *t, void *buf, size_t len, int timeout_ms)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = qc_transport_read(t, p, len, timeout_ms);

		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int qc_transport_write(qc_transport *t, const void *buf, size_t len, int timeout_ms)
{
	if (qc_cancelled(t->ctx))
		return qc_fail(t->ctx, QC_E_CANCELLED, "cancelled");
	qc_trace(t->ctx, QC_TRACE_TX, buf, len);
	if (len == 0)
		return 0;
	return t->ops->write(t, buf, len, timeout_ms);
}

int qc_transport_zlp(qc_transport *t)
{
	if (!t->ops->zlp)
		return 0;
	qc_trace(t->ctx, QC_TRACE_TX, "", 0);
	return t->ops->zlp(t);
}

size_t qc_transport_max_packet(const qc_transport *t) { return t->max_packet; }
enum qc_transport_kind qc_transport_kind(const qc_transport *t) { return t->kind; }
qc_ctx *qc_transport_ctx(const qc_transport *t) { return t->ctx; }
const char *qc_transport_name(const qc_transport *t) { return t->name; }

void qc_transport_get_info(const qc_transport *t, struct qc_transport_info *info)
{
	*info = t->info;
}
