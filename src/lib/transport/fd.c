/* SPDX-License-Identifier: BSD-3-Clause */
/* Transports over a file descriptor: serial ports, sockets, pty masters. */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport_impl.h"

struct fd_priv {
	int fd;
	bool socket; /* send() with MSG_NOSIGNAL: a vanished peer is an error, not SIGPIPE */
};

static int fd_of(qc_transport *t) { return ((struct fd_priv *)t->priv)->fd; }

/* A pty master reads EIO once the slave side is closed: that is the peer
 * leaving, not an I/O fault. */
static ssize_t fd_read(qc_transport *t, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd_of(t), .events = POLLIN};

	for (;;) {
		int rc = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return qc_fail(t->ctx, QC_E_IO, "%s: poll failed: %s", t->name, strerror(errno));
		}
		if (rc == 0)
			return qc_fail(t->ctx, QC_E_TIMEOUT, "%s: no data from the device within %d ms", t->name,
				       timeout_ms);
		n = read(pfd.fd, buf, len);
		if (n > 0)
			return n;
		if (n == 0 || errno == EIO || errno == ECONNRESET)
			return qc_fail(t->ctx, QC_E_DISCONNECTED, "%s: the device disconnected", t->name);
		if (errno == EINTR || errno == EAGAIN)
			continue;
		return qc_fail(t->ctx, QC_E_IO, "%s: read failed: %s", t->name, strerror(errno));
	}
}

/* Partial writes are normal on a non-blocking fd: wait for room and go on.
 * Nothing here ever flushes the output queue (tcflush would drop bytes the
 * device has not read yet). */
static int fd_write(qc_transport *t, const void *buf, size_t len, int timeout_ms)
{
	const unsigned char *p = buf;
	struct pollfd pfd = {.fd = fd_of(t), .events = POLLOUT};

	bool sock = ((struct fd_priv *)t->priv)->socket;

	while (len) {
		ssize_t n = sock ? send(pfd.fd, p, len, MSG_NOSIGNAL) : write(pfd.fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			if (errno == EPIPE || errno == ECONNRESET || errno == EIO)
				return qc_fail(t->ctx, QC_E_DISCONNECTED, "%s: the device disconnected during a write",
					       t->name);
			return qc_fail(t->ctx, QC_E_IO, "%s: write failed: %s", t->name, strerror(errno));
		}
		int rc = poll(&pfd, 1, timeout_ms);

		if (rc < 0 && errno != EINTR)
			return qc_fail(t->ctx, QC_E_IO, "%s: poll failed: %s", t->name, strerror(errno));
		if (rc == 0)
			return qc_fail(t->ctx, QC_E_TIMEOUT, "%s: the device accepted no data for %d ms", t->name,
				       timeout_ms);
		if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP)) && !(pfd.revents & POLLOUT))
			return qc_fail(t->ctx, QC_E_DISCONNECTED, "%s: the device disconnected during a write",
				       t->name);
	}
	return 0;
}

static void fd_close(qc_transport *t)
{
	struct fd_priv *p = t->priv;

	if (p) {
		close(p->fd);
		free(p);
	}
}

static const struct qc_transport_ops fd_ops = {
	.read = fd_read,
	.write = fd_write,
	.close = fd_close,
};

qc_transport *qc_fd_transport_new(qc_ctx *ctx, enum qc_transport_kind kind, int fd, const char *name)
{
	qc_transport *t = qc_transport_alloc(ctx, kind, &fd_ops, name);
	struct fd_priv *p = calloc(1, sizeof(*p));

	if (!t || !p) {
		free(t);
		free(p);
		return NULL;
	}
	p->fd = fd;
	p->socket = kind == QC_TRANSPORT_UNIX || kind == QC_TRANSPORT_TCP || kind == QC_TRANSPORT_MEM;
	t->priv = p;
	return t;
}
