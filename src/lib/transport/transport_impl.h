/* SPDX-License-Identifier: BSD-3-Clause */
/* The transport vtable every backend fills in. */
#ifndef QC_TRANSPORT_IMPL_H
#define QC_TRANSPORT_IMPL_H

#include "qcbox/transport.h"

struct qc_transport_ops {
	/* > 0 bytes, QC_E_TIMEOUT, QC_E_DISCONNECTED or QC_E_IO; never 0. */
	ssize_t (*read)(qc_transport *t, void *buf, size_t len, int timeout_ms);
	/* Writes everything or fails; backends with packets may keep several
	 * transfers in flight internally. */
	int (*write)(qc_transport *t, const void *buf, size_t len, int timeout_ms);
	int (*zlp)(qc_transport *t);   /* NULL: byte stream, nothing to send */
	void (*close)(qc_transport *t); /* frees backend state, not t */
};

struct qc_transport {
	const struct qc_transport_ops *ops;
	qc_ctx *ctx;
	enum qc_transport_kind kind;
	size_t max_packet;
	char name[256];
	struct qc_transport_info info;
	void *priv;
};

/* Allocates a transport with its ops; the caller fills priv. */
qc_transport *qc_transport_alloc(qc_ctx *ctx, enum qc_transport_kind kind,
				 const struct qc_transport_ops *ops, const char *name);

/* Backends built on a file descriptor (tty, sockets, pty). */
qc_transport *qc_fd_transport_new(qc_ctx *ctx, enum qc_transport_kind kind, int fd, const char *name);

int qc_tty_open(qc_ctx *ctx, const char *path, unsigned baud, qc_transport **out);
int qc_socket_open_unix(qc_ctx *ctx, const char *path, qc_transport **out);
int qc_socket_open_tcp(qc_ctx *ctx, const char *host, unsigned port, qc_transport **out);
int qc_usb_open(qc_ctx *ctx, const struct qc_device_spec *spec, qc_transport **out);



/* Non-blocking mode and large buffers for a connected stream socket. */
void qc_socket_tune(int fd);
#endif
