/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport_impl.h"

/* Large socket buffers let multi-megabyte Firehose writes stream without a
 * round trip per 200 KiB. */
#define QC_SOCKET_BUFFER (4 << 20)

void qc_socket_tune(int fd)
{
	int sz = QC_SOCKET_BUFFER;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int qc_socket_open_unix(qc_ctx *ctx, const char *path, qc_transport **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[300];
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return qc_fail(ctx, QC_E_INVAL, "unix socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return qc_fail(ctx, QC_E_IO, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return qc_fail(ctx, (e == ENOENT || e == ECONNREFUSED) ? QC_E_NODEV : QC_E_IO,
			       "cannot connect to unix:%s: %s", path, strerror(e));
	}
	qc_socket_tune(fd);
	snprintf(name, sizeof(name), "unix:%s", path);
	*out = qc_fd_transport_new(ctx, QC_TRANSPORT_UNIX, fd, name);
	if (!*out) {
		close(fd);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	return 0;
}

int qc_socket_open_tcp(qc_ctx *ctx, const char *host, unsigned port, qc_transport **out)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	char portstr[16], name[300];
	int fd = -1, err = 0, rc;

	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc)
		return qc_fail(ctx, QC_E_NODEV, "cannot resolve %s: %s", host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return qc_fail(ctx, QC_E_NODEV, "cannot connect to tcp:%s:%u: %s", host, port, strerror(err));
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	qc_socket_tune(fd);
	snprintf(name, sizeof(name), "tcp:%s:%u", host, port);
	*out = qc_fd_transport_new(ctx, QC_TRANSPORT_TCP, fd, name);
	if (!*out) {
		close(fd);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	return 0;
}
